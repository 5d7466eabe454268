/*
 * Growable byte buffer with a hard size limit (like curl's dynbuf). Always NUL-terminated
 * after a successful append, so text can be read as a C string.
 *
 * Ownership: the buffer owns `data`; buf_free releases it, buf_steal hands it to the caller
 * (free with free()). A zero-initialised struct buf is not usable: call buf_init first.
 */
#ifndef SIGNET_CORE_BUF_H
#define SIGNET_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* appends that would exceed this fail with BUF_TOO_LARGE */
};

enum buf_result { BUF_OK = 0, BUF_TOO_LARGE = -1, BUF_NOMEM = -2 };

void buf_init(struct buf *b, size_t max);
/* Reserves room for at least `extra` more bytes (plus the NUL). */
enum buf_result buf_reserve(struct buf *b, size_t extra);
enum buf_result buf_append(struct buf *b, const void *data, size_t len);
enum buf_result buf_append_str(struct buf *b, const char *s);
enum buf_result buf_appendf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
enum buf_result buf_vappendf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* Returns the data (owned by the caller, NUL-terminated, never NULL) and empties the buffer. */
char *buf_steal(struct buf *b, size_t *len_out);

#endif
