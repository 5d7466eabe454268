/* Small bounded string helpers (no strcpy/strcat/strncpy/atoi in this code base). */
#ifndef SIGNET_CORE_STR_H
#define SIGNET_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copies src into dst (size dstsize, > 0), always NUL-terminating. Returns false if cut. */
bool str_copy(char *dst, size_t dstsize, const char *src);
/* Duplicates at most n bytes of s into a new NUL-terminated string (owned, free()). */
char *str_ndup(const char *s, size_t n);
/* Parses a whole decimal integer in [min, max]; false on anything else. */
bool str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Case-insensitive ASCII comparison of the first n bytes / whole strings. */
bool str_ieq(const char *a, const char *b);
bool str_has_prefix(const char *s, const char *prefix);
/* Constant-time comparison of two byte strings of the same length. */
bool str_ct_equal(const void *a, const void *b, size_t len);

/* Replaces in place each byte of s that is not part of well-formed UTF-8 (RFC 3629, as jansson
 * accepts it) with '?', so that a message quoting the request with a bounded "%.Ns" (which may
 * cut a character in two) or raw request text stays a valid JSON string. */
void str_utf8_repair(char *s);

/* A message for the caller: formats into out (bounded; out NULL or out_len 0: nothing) and
 * repairs the result with str_utf8_repair, so that quoting request text with "%.Ns" keeps it
 * valid for an Error object. Returns false, so that `return str_message(…);` reports a
 * failure. */
bool str_message(char *out, size_t out_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
