/*
 * Route matching (pure, no I/O). A route table lists every endpoint: method, path pattern,
 * body kind, required scope and handler; reading it tells the whole API surface
 * (http/routes.c). Patterns are '/'-separated; "{name}" matches one non-empty segment and a
 * final "*" matches the rest of the path (possibly empty) as the parameter "*".
 */
#ifndef SIGNET_HTTP_ROUTER_H
#define SIGNET_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

struct http_request;

enum http_body_kind {
    BODY_NONE = 0,     /* no body expected (ignored if sent) */
    BODY_JSON,         /* application/json, required */
    BODY_JSON_OPTIONAL, /* application/json, may be empty */
    BODY_FORM,         /* application/x-www-form-urlencoded */
    BODY_RAW,          /* any bytes, of route->content_type when set */
};

enum route_auth {
    AUTH_NONE = 0, /* public */
    AUTH_BEARER,   /* OAuth access token with route->scope (NULL: any valid token) */
    AUTH_ADMIN,    /* operator credential of the admin API */
};

typedef void (*http_handler)(struct http_request *req);

struct route {
    const char *method;  /* "GET", "POST", … (HEAD is served by GET routes) */
    const char *pattern; /* e.g. "/system/api/process/{processId}/status" */
    enum http_body_kind body;
    const char *content_type; /* for BODY_RAW: required media type, or NULL */
    enum route_auth auth;
    const char *scope;
    http_handler handler;
};

#define ROUTE_MAX_PARAMS 8

struct route_params {
    size_t n;
    struct {
        const char *name;  /* points into the route pattern (not NUL-terminated at '}') */
        size_t name_len;
        const char *value; /* points into the path (not NUL-terminated) */
        size_t value_len;
    } p[ROUTE_MAX_PARAMS];
};

enum router_result { ROUTER_MATCH, ROUTER_NOT_FOUND, ROUTER_METHOD_NOT_ALLOWED };

/*
 * Finds the first route of the table (n entries) whose pattern matches path and whose method
 * is method. When the path matches only under other methods, returns
 * ROUTER_METHOD_NOT_ALLOWED and writes them, comma-separated, to allow (may be NULL).
 */
enum router_result router_match(const struct route *table, size_t n, const char *method,
                                const char *path, const struct route **out,
                                struct route_params *params, char *allow, size_t allow_len);

/* Looks up a parameter by name; returns a pointer to its value and sets *len, or NULL. */
const char *route_param(const struct route_params *params, const char *name, size_t *len);

#endif
