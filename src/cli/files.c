/* Whole-file reading and writing for the commands that take files (sign, verify). */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned char *cli_read_file(const char *path, size_t max, size_t *len, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    unsigned char *data = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            size_t next = cap ? cap * 2 : 65536;
            if (next > max + 1)
                next = max + 1;
            unsigned char *grown = next > cap ? realloc(data, next + 1) : NULL;
            if (!grown) {
                snprintf(err, err_len, "%s is larger than %zu bytes", path, max);
                goto fail;
            }
            data = grown;
            cap = next;
        }
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        snprintf(err, err_len, "cannot read %s", path);
        goto fail;
    }
    fclose(f);
    data[n] = '\0'; /* room was kept: callers may read text (PEM) as a string */
    *len = n;
    return data;
fail:
    fclose(f);
    free(data);
    return NULL;
}

bool cli_write_file(const char *path, const unsigned char *data, size_t len, char *err,
                    size_t err_len)
{
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
    return ok;
}
