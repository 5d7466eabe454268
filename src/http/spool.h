/*
 * Large JSON request bodies kept on disk instead of in memory.
 *
 * A JSON request body of more than HTTP_SPOOL_THRESHOLD bytes (1 MiB: a declared
 * Content-Length above it, or a chunked body that grows past it) is written to a temporary
 * file in the data directory that has no name (O_TMPFILE, or unlinked right after mkstemp),
 * and parsed from there with jansson's callback loader. The raw text then never sits in the
 * server's memory next to jansson's scan buffer and the parsed string: for a 40 MB attach
 * (about 55 MB of JSON) that is one copy of the base64 text less at the peak
 * (docs/sign-api.md, bench/RESULTS.md "Sign API"). Smaller bodies, and the bodies of non-JSON
 * routes (handed to handlers as bytes), stay in the request's memory buffer (http/request.h).
 *
 * The limit (--max-body) is enforced here as it is for the memory buffer: an append that
 * would pass it fails with HTTP_SPOOL_TOO_LARGE and the server answers 413.
 *
 * Ownership: http_spool_new returns a spool owned by the caller (http/server.c keeps it in
 * the request and frees it once parsed, or in the completion callback);
 * http_spool_free(NULL) does nothing. Closing the file releases its disk space and page
 * cache, also when the process dies. One request's spool is used by one thread at a time.
 */
#ifndef SIGNET_HTTP_SPOOL_H
#define SIGNET_HTTP_SPOOL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* JSON bodies larger than this many bytes are spooled. */
#define HTTP_SPOOL_THRESHOLD ((size_t)1024 * 1024)

struct http_spool;

enum http_spool_result {
    HTTP_SPOOL_OK = 0,
    HTTP_SPOOL_TOO_LARGE = -1, /* the body would pass max bytes */
    HTTP_SPOOL_IO = -2         /* the file could not be written (disk full, I/O error) */
};

/* A new, empty spool file in directory dir that accepts at most max bytes. NULL when the file
 * cannot be created or memory is short (errno set). */
struct http_spool *http_spool_new(const char *dir, size_t max);
/* Appends len bytes of data. After a failure the spool is unusable (free it). */
enum http_spool_result http_spool_append(struct http_spool *s, const void *data, size_t len);
/* How many bytes have been appended. */
size_t http_spool_len(const struct http_spool *s);
/* Parses the whole spooled text as JSON with jansson's flags (as json_loadb would parse the
 * same bytes: the same result, the same error text, line and column). Returns a new
 * reference, or NULL with *error filled; *read_failed tells that the file could not be read
 * back (then *error is not about the client's JSON). */
json_t *http_spool_load_json(struct http_spool *s, size_t flags, json_error_t *error,
                             bool *read_failed);
/* Closes the file (its space is released) and frees the spool. */
void http_spool_free(struct http_spool *s);

#endif
