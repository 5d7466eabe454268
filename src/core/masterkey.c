#include "core/masterkey.h"

#include "core/b64.h"
#include "core/config.h"
#include "core/rand.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE_MAX 256

/* Reads up to KEY_FILE_MAX bytes of path; returns the count or -1 (errno set). */
static ssize_t read_small(const char *path, unsigned char *buf)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    while (len < KEY_FILE_MAX) {
        ssize_t n = read(fd, buf + len, KEY_FILE_MAX - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    return (ssize_t)len;
}

static bool parse_key(const unsigned char *buf, size_t len, unsigned char key[CRYPTO_KEY_LEN])
{
    if (len == CRYPTO_KEY_LEN) {
        memcpy(key, buf, CRYPTO_KEY_LEN);
        return true;
    }
    size_t start = 0, end = len;
    while (start < end && strchr(" \t\r\n", buf[start]))
        start++;
    while (end > start && strchr(" \t\r\n", buf[end - 1]))
        end--;
    unsigned char *raw = NULL;
    size_t raw_len = 0;
    bool ok = b64_decode((const char *)buf + start, end - start, B64_STD, &raw, &raw_len) &&
              raw_len == CRYPTO_KEY_LEN;
    if (ok)
        memcpy(key, raw, CRYPTO_KEY_LEN);
    if (raw) {
        memset(raw, 0, raw_len);
        free(raw);
    }
    return ok;
}

static bool load_file(const char *path, unsigned char key[CRYPTO_KEY_LEN], char *err,
                      size_t err_len)
{
    unsigned char buf[KEY_FILE_MAX];
    ssize_t n = read_small(path, buf);
    if (n < 0) {
        snprintf(err, err_len, "cannot read the master key %s: %s", path, strerror(errno));
        return false;
    }
    bool ok = parse_key(buf, (size_t)n, key);
    memset(buf, 0, sizeof buf);
    if (!ok)
        snprintf(err, err_len, "the master key %s is not 32 bytes (raw or base64)", path);
    return ok;
}

/* Writes a fresh key to a temporary file and links it into place, so that a concurrent
 * first start either wins or reads the winner's complete file. */
static bool create_file(const char *path, char *err, size_t err_len)
{
    char tmp[4096];
    unsigned char key[CRYPTO_KEY_LEN];
    bool ok = false;
    int fd = -1;
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        snprintf(err, err_len, "the data directory path is too long");
        return false;
    }
    if (!rand_bytes(key, sizeof key)) {
        snprintf(err, err_len, "no randomness for the master key");
        return false;
    }
    unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, key, sizeof key) != (ssize_t)sizeof key || fsync(fd) != 0) {
        snprintf(err, err_len, "cannot write the master key %s: %s", tmp, strerror(errno));
        goto cleanup;
    }
    if (link(tmp, path) != 0 && errno != EEXIST) {
        snprintf(err, err_len, "cannot create the master key %s: %s", path, strerror(errno));
        goto cleanup;
    }
    ok = true;
cleanup:
    memset(key, 0, sizeof key);
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return ok;
}

bool masterkey_load(const struct config *cfg, unsigned char key[CRYPTO_KEY_LEN], char *err,
                    size_t err_len)
{
    if (cfg->master_key_file && cfg->master_key_file[0])
        return load_file(cfg->master_key_file, key, err, err_len);
    char path[4096];
    if (snprintf(path, sizeof path, "%s/master.key", cfg->data_dir) >= (int)sizeof path) {
        snprintf(err, err_len, "the data directory path is too long");
        return false;
    }
    if (access(path, F_OK) != 0) {
        if (errno != ENOENT) {
            snprintf(err, err_len, "cannot access the master key %s: %s", path, strerror(errno));
            return false;
        }
        if (!create_file(path, err, err_len))
            return false;
    }
    return load_file(path, key, err, err_len);
}
