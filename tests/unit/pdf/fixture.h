/*
 * Test helpers for tests/unit/pdf: read a corpus file (SIGNET_CORPUS) and build small PDFs
 * with a correct classic xref table in memory. Returned buffers are malloc'ed (free()).
 */
#ifndef SIGNET_TESTS_PDF_FIXTURE_H
#define SIGNET_TESTS_PDF_FIXTURE_H

#include "core/buf.h"
#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads SIGNET_CORPUS/name into a new buffer; NULL (and a message) when it cannot. */
static inline unsigned char *fixture_corpus(const char *name, size_t *len)
{
    const char *dir = getenv("SIGNET_CORPUS");
    char path[1024];
    unsigned char *data = NULL;
    FILE *f = NULL;
    *len = 0;
    if (dir == NULL || snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        fprintf(stderr, "SIGNET_CORPUS is not set or too long\n");
        return NULL;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0)
        goto cleanup;
    long size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto cleanup;
    data = malloc((size_t)size + 1);
    if (data == NULL)
        goto cleanup;
    if (fread(data, 1, (size_t)size, f) != (size_t)size) {
        free(data);
        data = NULL;
        goto cleanup;
    }
    *len = (size_t)size;
cleanup:
    fclose(f);
    return data;
}

/*
 * Builds a PDF 1.7 file whose object i+1 is objs[i] (object 1 must be the catalog). An entry
 * starting with "stream:" becomes a stream object with the rest as its (uncompressed) content.
 */
static inline char *fixture_build(const char *const *objs, size_t count, size_t *len)
{
    struct buf b;
    size_t offsets[64];
    if (count > 64)
        return NULL;
    buf_init(&b, 1 << 20);
    buf_append_str(&b, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
    for (size_t i = 0; i < count; i++) {
        offsets[i] = b.len;
        if (strncmp(objs[i], "stream:", 7) == 0) {
            const char *content = objs[i] + 7;
            buf_appendf(&b, "%zu 0 obj\n<< /Length %zu >>\nstream\n%s\nendstream\nendobj\n", i + 1,
                        strlen(content), content);
        } else {
            buf_appendf(&b, "%zu 0 obj\n%s\nendobj\n", i + 1, objs[i]);
        }
    }
    size_t xref = b.len;
    buf_appendf(&b, "xref\n0 %zu\n0000000000 65535 f \n", count + 1);
    for (size_t i = 0; i < count; i++)
        buf_appendf(&b, "%010zu 00000 n \n", offsets[i]);
    buf_appendf(&b, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", count + 1,
                xref);
    return buf_steal(&b, len);
}

#endif
