#include "core/crypto.h"
#include "core/log.h"
#include "core/isotime.h"
#include "store/driver.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool valid_hash(const char *h)
{
    if (!h || strlen(h) != 64)
        return false;
    for (int i = 0; i < 64; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            return false;
    return true;
}

static bool write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* ---- In the database (--documents database): one row per blob in document_blobs ---- */

struct db_blob_op {
    const char *hash;
    const void *data;
    size_t len;
    int64_t now, not_before;
    unsigned char *out;
    size_t out_len;
};

static enum store_status db_put_tx(struct store_tx *tx, void *cls)
{
    struct db_blob_op *op = cls;
    /* Written again when present: stored_at moves on, as a file's mtime does, so that the
     * archive job's grace period protects a blob about to be referenced again. */
    return sql_exec(tx,
                    "INSERT INTO document_blobs (hash, size, data, stored_at) "
                    "VALUES ($1, $2, $3, $4) "
                    "ON CONFLICT (hash) DO UPDATE SET stored_at = excluded.stored_at",
                    (struct store_value[]){SQL_TEXT(op->hash), SQL_INT(op->len),
                                           SQL_BLOB(op->data, op->len), SQL_INT(op->now)},
                    4, NULL, NULL);
}

static enum store_status db_get_tx(struct store_tx *tx, void *cls)
{
    struct db_blob_op *op = cls;
    struct store_rows *r = NULL;
    enum store_status st = sql_exec(tx, "SELECT data FROM document_blobs WHERE hash = $1",
                                    (struct store_value[]){SQL_TEXT(op->hash)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) != 1)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        size_t n = 0;
        const void *p = store_rows_blob(r, 0, 0, &n);
        op->out = malloc(n + 1);
        if (!op->out) {
            st = STORE_ERROR;
        } else {
            if (n)
                memcpy(op->out, p, n);
            op->out[n] = '\0';
            op->out_len = n;
        }
    }
    store_rows_free(r);
    return st;
}

static enum store_status db_delete_tx(struct store_tx *tx, void *cls)
{
    struct db_blob_op *op = cls;
    struct store_rows *r = NULL;
    enum store_status st = sql_exec(tx, "SELECT stored_at FROM document_blobs WHERE hash = $1",
                                    (struct store_value[]){SQL_TEXT(op->hash)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) != 1)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK && store_rows_int(r, 0, 0) >= op->not_before)
        st = STORE_CONFLICT;
    store_rows_free(r);
    if (st == STORE_OK)
        st = sql_exec(tx, "DELETE FROM document_blobs WHERE hash = $1 AND stored_at < $2",
                      (struct store_value[]){SQL_TEXT(op->hash), SQL_INT(op->not_before)}, 2, NULL,
                      NULL);
    return st;
}

/* ---- Public functions: files (default) or the database ---- */

enum store_status store_blob_put(struct store *s, const void *data, size_t len, char hash_hex[65])
{
    if (store_blobs_in_database(s)) {
        crypto_sha256_hex(data, len, hash_hex);
        struct db_blob_op op = {.hash = hash_hex, .data = data, .len = len, .now = time_now_ms()};
        enum store_status st = store_run(s, STORE_WRITE, db_put_tx, &op);
        if (st != STORE_OK)
            log_error("store: cannot write blob to the database: %s", store_status_name(st));
        return st;
    }
    enum store_status st = STORE_ERROR;
    const char *dir = store_blob_dir_of(s);
    char sub[4200], final[4300], tmp[4300];
    int fd = -1;
    crypto_sha256_hex(data, len, hash_hex);
    snprintf(sub, sizeof sub, "%s/%.2s", dir, hash_hex);
    snprintf(final, sizeof final, "%s/%s", sub, hash_hex + 2);
    /* Even when the name exists it is written again: a damaged copy gets repaired, and
     * rename() replaces it atomically. */
    if (mkdir(sub, 0700) != 0 && errno != EEXIST)
        goto cleanup;
    snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", sub);
    fd = mkstemp(tmp);
    if (fd < 0)
        goto cleanup;
    if (!write_all(fd, data, len) || fsync(fd) != 0) {
        unlink(tmp);
        goto cleanup;
    }
    close(fd);
    fd = -1;
    if (rename(tmp, final) != 0) {
        unlink(tmp);
        goto cleanup;
    }
    int dfd = open(sub, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    st = STORE_OK;
cleanup:
    if (fd >= 0)
        close(fd);
    if (st != STORE_OK)
        log_error("store: cannot write blob: %s", strerror(errno));
    return st;
}

enum store_status store_blob_get(struct store *s, const char *hash_hex, unsigned char **data,
                                 size_t *len)
{
    if (!valid_hash(hash_hex))
        return STORE_NOT_FOUND;
    if (store_blobs_in_database(s)) {
        struct db_blob_op op = {.hash = hash_hex};
        enum store_status st = store_run(s, STORE_READ, db_get_tx, &op);
        if (st != STORE_OK)
            return st;
        char check[65];
        crypto_sha256_hex(op.out, op.out_len, check);
        if (strcmp(check, hash_hex) != 0) {
            log_error("store: blob %.12s… is corrupt (content does not match its hash)", hash_hex);
            free(op.out);
            return STORE_ERROR;
        }
        *data = op.out;
        *len = op.out_len;
        return STORE_OK;
    }
    char path[4300];
    snprintf(path, sizeof path, "%s/%.2s/%s", store_blob_dir_of(s), hash_hex, hash_hex + 2);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return errno == ENOENT ? STORE_NOT_FOUND : STORE_ERROR;
    enum store_status st = STORE_ERROR;
    unsigned char *p = NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        goto cleanup;
    size_t size = (size_t)sb.st_size, got = 0;
    p = malloc(size + 1);
    if (!p)
        goto cleanup;
    while (got < size) {
        ssize_t n = read(fd, p + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto cleanup;
        got += (size_t)n;
    }
    p[size] = '\0';
    char check[65];
    crypto_sha256_hex(p, size, check);
    if (strcmp(check, hash_hex) != 0) {
        log_error("store: blob %.12s… is corrupt (content does not match its hash)", hash_hex);
        goto cleanup;
    }
    *data = p;
    *len = size;
    p = NULL;
    st = STORE_OK;
cleanup:
    free(p);
    close(fd);
    return st;
}

enum store_status store_blob_delete(struct store *s, const char *hash_hex, int64_t not_before_ms)
{
    if (!valid_hash(hash_hex))
        return STORE_NOT_FOUND;
    if (store_blobs_in_database(s)) {
        struct db_blob_op op = {.hash = hash_hex, .not_before = not_before_ms};
        return store_run(s, STORE_WRITE, db_delete_tx, &op);
    }
    char path[4300];
    snprintf(path, sizeof path, "%s/%.2s/%s", store_blob_dir_of(s), hash_hex, hash_hex + 2);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return errno == ENOENT ? STORE_NOT_FOUND : STORE_ERROR;
    int64_t mtime_ms = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
    if (mtime_ms >= not_before_ms)
        return STORE_CONFLICT;
    if (unlink(path) != 0)
        return errno == ENOENT ? STORE_NOT_FOUND : STORE_ERROR;
    return STORE_OK;
}
