#include "http/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes read from the file at a time; jansson asks for 1 KiB per callback, which would be
 * one system call per KiB without this buffer. */
#define SPOOL_READ_CHUNK ((size_t)64 * 1024)

struct http_spool {
    int fd;
    size_t len;
    size_t max;
    /* reading back */
    off_t read_off;
    size_t chunk_len, chunk_pos;
    bool read_failed;
    char chunk[SPOOL_READ_CHUNK];
};

/* A file in dir without a name: O_TMPFILE where the file system has it, else mkstemp and
 * unlink at once. */
static int open_nameless(const char *dir)
{
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd >= 0)
        return fd;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        return -1;
#endif
    char path[4200];
    int n = snprintf(path, sizeof path, "%s/.body-XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int tmp = mkostemp(path, O_CLOEXEC);
    if (tmp < 0)
        return -1;
    unlink(path);
    return tmp;
}

struct http_spool *http_spool_new(const char *dir, size_t max)
{
    struct http_spool *s = malloc(sizeof *s);
    if (!s)
        return NULL;
    s->fd = open_nameless(dir);
    if (s->fd < 0) {
        int e = errno;
        free(s);
        errno = e;
        return NULL;
    }
    s->len = 0;
    s->max = max;
    s->read_off = 0;
    s->chunk_len = s->chunk_pos = 0;
    s->read_failed = false;
    return s;
}

enum http_spool_result http_spool_append(struct http_spool *s, const void *data, size_t len)
{
    if (len > s->max - s->len)
        return HTTP_SPOOL_TOO_LARGE;
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(s->fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return HTTP_SPOOL_IO;
        p += w;
        left -= (size_t)w;
    }
    s->len += len;
    return HTTP_SPOOL_OK;
}

size_t http_spool_len(const struct http_spool *s)
{
    return s->len;
}

/* jansson's json_load_callback_t: up to buflen bytes into buffer, 0 at the end, (size_t)-1
 * on a read error (jansson treats that as the end of input, hence read_failed). */
static size_t spool_read(void *buffer, size_t buflen, void *data)
{
    struct http_spool *s = data;
    if (s->chunk_pos == s->chunk_len) {
        ssize_t r;
        do
            r = pread(s->fd, s->chunk, sizeof s->chunk, s->read_off);
        while (r < 0 && errno == EINTR);
        if (r < 0) {
            s->read_failed = true;
            return (size_t)-1;
        }
        s->read_off += r;
        s->chunk_len = (size_t)r;
        s->chunk_pos = 0;
        if (r == 0) {
            /* The end: every byte that was appended must have come back. */
            if ((size_t)s->read_off != s->len) {
                s->read_failed = true;
                return (size_t)-1;
            }
            return 0;
        }
    }
    size_t n = s->chunk_len - s->chunk_pos;
    if (n > buflen)
        n = buflen;
    memcpy(buffer, s->chunk + s->chunk_pos, n);
    s->chunk_pos += n;
    return n;
}

json_t *http_spool_load_json(struct http_spool *s, size_t flags, json_error_t *error,
                             bool *read_failed)
{
    s->read_off = 0;
    s->chunk_len = s->chunk_pos = 0;
    s->read_failed = false;
    json_t *j = json_load_callback(spool_read, s, flags, error);
    *read_failed = s->read_failed;
    if (s->read_failed) {
        json_decref(j);
        return NULL;
    }
    return j;
}

void http_spool_free(struct http_spool *s)
{
    if (!s)
        return;
    close(s->fd);
    free(s);
}
