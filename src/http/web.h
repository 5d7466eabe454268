/*
 * Web pages and their static files (docs/web.md), served from the files compiled into the
 * binary (web/ → core/embed.h's web_files): GET /ui/static/{path…} serves web/static/…, and
 * a page route such as GET /ui/verify serves web/pages/verify.html. Only names in the
 * embedded table are served (no file system access, so no path traversal).
 *
 * Every answer carries a strong ETag (SHA-256 of the content, computed once per process),
 * honours If-None-Match with 304, and sends Cache-Control: no-cache (the browser revalidates,
 * so a new binary's files are picked up at once) plus the page security headers:
 * Content-Security-Policy (same origin only, no inline script or style, no framing) and
 * X-Frame-Options: DENY (http/reply.c adds nosniff and Referrer-Policy to every answer).
 */
#ifndef SIGNET_HTTP_WEB_H
#define SIGNET_HTTP_WEB_H

#include <stdbool.h>
#include <stddef.h>

struct http_request;

/* The Content-Security-Policy sent with every page and static file. */
#define WEB_CSP                                                                                    \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "                    \
    "form-action 'self'; frame-ancestors 'none'"

/* Length of an ETag: '"', 32 hex digits (the first 16 bytes of SHA-256), '"', NUL. */
#define WEB_ETAG_LEN 35

/* Answers with the embedded web file name (e.g. "pages/verify.html") with the headers above,
 * or 404 NotFound when there is none. For handlers that serve a fixed page of their own. */
void web_reply_embedded(struct http_request *req, const char *name);
/* GET /ui/static/{path…}: the embedded file static/{path}, or 404 NotFound. */
void web_handle_static(struct http_request *req);
/* GET /ui/{page}: the embedded file pages/{page}.html, or 404 NotFound. */
void web_handle_page(struct http_request *req);

/* Media type (with charset for text) for a file name by its extension; never NULL
 * (application/octet-stream when unknown). Returns a static string. */
const char *web_content_type(const char *name);
/* True when an If-None-Match header value (a list of entity tags, or "*") matches etag,
 * using the weak comparison RFC 9110 prescribes for If-None-Match. header may be NULL. */
bool web_etag_matches(const char *if_none_match, const char *etag);
/* Writes the strong ETag of data into out (WEB_ETAG_LEN bytes). */
void web_etag_compute(const void *data, size_t len, char out[WEB_ETAG_LEN]);
/* Turns a path tail ("css/a.css") into an embedded name under folder ("static/css/a.css")
 * into out; false for an empty tail, an empty, "." or ".." segment, or one that does not fit. */
bool web_embedded_name(const char *folder, const char *tail, size_t tail_len, const char *suffix,
                       char *out, size_t out_len);

#endif
