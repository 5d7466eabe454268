/*
 * One HTTP request as handlers see it, and the ways to answer it. A request lives from its
 * first byte to libmicrohttpd's completion callback (http/server.c owns and frees it).
 * Handlers must answer exactly once with one of the http_reply_* functions.
 *
 * Strings returned by accessors are valid for the request's lifetime.
 */
#ifndef SIGNET_HTTP_REQUEST_H
#define SIGNET_HTTP_REQUEST_H

#include "core/buf.h"
#include "core/err.h"
#include "core/uuid.h"
#include "http/router.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct app;
struct http_spool;
struct MHD_Connection;
struct MHD_Response;

/* Who made the request (filled by the auth module for authenticated routes). */
struct http_auth {
    bool authenticated;
    char client_id[128];
    char organization_id[UUID_STR_LEN]; /* "" when the token is not bound to one */
    char *scopes;                       /* owned; space-separated */
};

struct http_request {
    struct app *app;
    struct MHD_Connection *conn;
    char id[UUID_STR_LEN]; /* request id, also the Error object's id */
    char method[16];
    char *path; /* owned, decoded, without query */
    const struct route *route;
    size_t route_index;
    struct route_params params;
    struct buf body;   /* raw body; released once parsed into json */
    /* Instead of body, a JSON body above HTTP_SPOOL_THRESHOLD on disk (owned; http/spool.h);
     * released once parsed. */
    struct http_spool *spool;
    json_t *json;      /* parsed body for BODY_JSON routes (owned; NULL if empty) */
    struct http_auth auth;
    int64_t start_us;
    /* state of the body upload and the answer */
    bool too_large;
    bool body_failed;     /* the body could not be kept (too large or no memory): answered
                           * once the upload ends, because libmicrohttpd cannot queue an
                           * answer in the middle of receiving a body */
    uint64_t discarded;   /* body bytes dropped after body_failed */
    bool replied;
    unsigned status;
    size_t bytes_out;
};

/* A request header (case-insensitive name) or NULL. */
const char *http_header(struct http_request *req, const char *name);
/* A query-string argument or NULL. */
const char *http_query(struct http_request *req, const char *name);
/* Every value of a repeated query-string argument, in request order: up to max pointers into
 * out; returns how many there are in all (which may exceed max). */
size_t http_query_all(struct http_request *req, const char *name, const char **out, size_t max);
/* A path parameter copied into a new string (owned, free()), or NULL if absent. */
char *http_param_dup(struct http_request *req, const char *name);
/* The client's IP address as text into out. */
void http_client_address(struct http_request *req, char *out, size_t out_len);

/* Answers with a JSON value (reference stolen) and the given status. */
void http_reply_json(struct http_request *req, unsigned status, json_t *body);
/* Same, with extra response headers as NULL-terminated name/value pairs (a Cache-Control
 * among them replaces the default no-store). */
void http_reply_json_headers(struct http_request *req, unsigned status, json_t *body,
                             const char *const *headers);
/* Answers with bytes (copied) of a content type. */
void http_reply_bytes(struct http_request *req, unsigned status, const char *content_type,
                      const void *data, size_t len);
/* Answers with bytes whose ownership passes to the response (freed with free()). */
void http_reply_owned(struct http_request *req, unsigned status, const char *content_type,
                      void *data, size_t len);
/* Same, with extra response headers as NULL-terminated name/value pairs. */
void http_reply_owned_headers(struct http_request *req, unsigned status, const char *content_type,
                              void *data, size_t len, const char *const *headers);
/* Answers with the contract's Error object; message (printf format) says what to fix. */
void http_reply_error(struct http_request *req, enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with extra response headers as NULL-terminated name/value pairs. */
void http_reply_error_headers(struct http_request *req, enum err_kind kind,
                              const char *const *headers, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Answers with a redirect (302/303) to location. */
void http_reply_redirect(struct http_request *req, unsigned status, const char *location);
/* Answers with a prepared libmicrohttpd response (the server adds the common headers).
 * The response is destroyed by this call. */
void http_reply_response(struct http_request *req, unsigned status, struct MHD_Response *r);

#endif
