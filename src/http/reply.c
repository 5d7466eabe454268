#include "app.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/reason.h"
#include "core/str.h"
#include "http/metrics.h"
#include "http/request.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *http_header(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_query(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct query_all {
    const char *name;
    const char **out;
    size_t max, n;
};

static enum MHD_Result query_all_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct query_all *q = cls;
    (void)kind;
    if (key && !strcmp(key, q->name)) {
        if (q->n < q->max)
            q->out[q->n] = value ? value : "";
        q->n++;
    }
    return MHD_YES;
}

size_t http_query_all(struct http_request *req, const char *name, const char **out, size_t max)
{
    struct query_all q = {.name = name, .out = out, .max = max};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, query_all_cb, &q);
    return q.n;
}

char *http_param_dup(struct http_request *req, const char *name)
{
    size_t len;
    const char *v = route_param(&req->params, name, &len);
    return v ? str_ndup(v, len) : NULL;
}

void http_client_address(struct http_request *req, char *out, size_t out_len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)out_len);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)out_len);
}

void http_reply_response(struct http_request *req, unsigned status, struct MHD_Response *r)
{
    if (req->replied) {
        log_bug("second reply to one request (%s %s)", req->method, req->path);
        MHD_destroy_response(r);
        return;
    }
    MHD_add_response_header(r, "X-Request-Id", req->id);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (!MHD_get_response_header(r, "Cache-Control"))
        MHD_add_response_header(r, "Cache-Control", "no-store");
    if (MHD_queue_response(req->conn, status, r) != MHD_YES)
        log_debug("request %s: could not queue response %u", req->id, status);
    req->replied = true;
    req->status = status;
    MHD_destroy_response(r);
    /* Counted as answered now, not when the last byte has left (http/server.c's completion
     * callback): a client holding its answer then always finds it in /metrics. */
    if (req->app && req->app->metrics)
        metrics_request_finished(req->app->metrics, req->route_index, status,
                                 time_mono_us() - req->start_us);
}

void http_reply_owned(struct http_request *req, unsigned status, const char *content_type,
                      void *data, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, data, free);
    if (!r) {
        free(data);
        return;
    }
    if (content_type)
        MHD_add_response_header(r, "Content-Type", content_type);
    req->bytes_out = len;
    http_reply_response(req, status, r);
}

void http_reply_owned_headers(struct http_request *req, unsigned status, const char *content_type,
                              void *data, size_t len, const char *const *headers)
{
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, data, free);
    if (!r) {
        free(data);
        return;
    }
    if (content_type)
        MHD_add_response_header(r, "Content-Type", content_type);
    for (const char *const *h = headers; h && h[0]; h += 2)
        MHD_add_response_header(r, h[0], h[1]);
    req->bytes_out = len;
    http_reply_response(req, status, r);
}

void http_reply_bytes(struct http_request *req, unsigned status, const char *content_type,
                      const void *data, size_t len)
{
    void *copy = malloc(len ? len : 1);
    if (!copy)
        return;
    if (len)
        memcpy(copy, data, len);
    http_reply_owned(req, status, content_type, copy, len);
}

void http_reply_json(struct http_request *req, unsigned status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        log_bug("cannot serialise a JSON reply");
        status = 500;
        text = strdup("{}");
        if (!text)
            return;
    }
    http_reply_owned(req, status, "application/json", text, strlen(text));
}

void http_reply_json_headers(struct http_request *req, unsigned status, json_t *body,
                             const char *const *headers)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        log_bug("cannot serialise a JSON reply");
        http_reply_error(req, ERR_INTERNAL, "The answer could not be produced.");
        return;
    }
    size_t len = strlen(text);
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, text, free);
    if (!r) {
        free(text);
        return;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    for (const char *const *h = headers; h && h[0]; h += 2)
        MHD_add_response_header(r, h[0], h[1]);
    req->bytes_out = len;
    http_reply_response(req, status, r);
}

void http_reply_redirect(struct http_request *req, unsigned status, const char *location)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (!r)
        return;
    MHD_add_response_header(r, "Location", location);
    http_reply_response(req, status, r);
}

/* Whether path belongs to a page's own API, whose Error objects carry "reason" and "params"
 * (core/reason.h); the Sign API and the other APIs keep exactly the contract's fields. */
static bool page_api_path(const char *path)
{
    static const char *const prefixes[] = {"/ui/", "/srs/r/", "/srs/terms/", "/srs/sim/", NULL};
    for (const char *const *p = prefixes; path && *p; p++)
        if (str_has_prefix(path, *p))
            return true;
    return false;
}

/* The reason of an answer whose message has none: the kinds whose message only says "not now"
 * (so a page can say it in its language). A 429 or 413 keeps its English, which says how long
 * to wait or how large a body may be, unless the domain gave it a reason. */
static const char *kind_reason(enum err_kind kind)
{
    switch (kind) {
    case ERR_INTERNAL:
    case ERR_STORE_UNAVAILABLE:
        return "unavailable";
    default:
        return NULL;
    }
}

static void reply_error_v(struct http_request *req, enum err_kind kind, const char *const *headers,
                          const char *fmt, va_list ap)
{
    const struct err_info *info = err_info(kind);
    char full[1024], reason[REASON_KEY_MAX];
    json_t *params = NULL;
    vsnprintf(full, sizeof full, fmt, ap);
    str_utf8_repair(full); /* messages quote request text, maybe cut by "%.Ns" */
    /* The reason header (core/reason.h) never reaches "message". */
    const char *message = reason_split(full, reason, sizeof reason, &params);
    char ts[ISO_DATETIME_LEN];
    iso_format_datetime(time_now_ms(), false, ts);
    /* Sign API paths are reported relative to the integrator's base URL (…/system). */
    char path[512];
    str_copy(path, sizeof path, req->path ? req->path : "/"); /* cut when longer */
    if (str_has_prefix(path, "/system/"))
        memmove(path, path + 7, strlen(path + 7) + 1);
    str_utf8_repair(path); /* the path is the client's bytes, decoded */
    json_t *err =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "id", req->id, "timestamp", ts,
                  "name", info->name, "message", message, "path", path, "httpStatus",
                  info->http_status, "clientSubject", info->client_subject, "clientBody", message);
    if (err && page_api_path(req->path)) {
        const char *r = reason[0] ? reason : kind_reason(kind);
        if (r)
            json_object_set_new(err, "reason", json_string(r));
        if (r && params)
            json_object_set(err, "params", params);
    }
    json_decref(params);
    char *text = err ? json_dumps(err, JSON_COMPACT) : NULL;
    json_decref(err);
    if (!text)
        return;
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(strlen(text), text, free);
    if (!r) {
        free(text);
        return;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    for (const char *const *h = headers; h && h[0]; h += 2)
        MHD_add_response_header(r, h[0], h[1]);
    req->bytes_out = strlen(text);
    if (info->http_status >= 500)
        log_error("request %s: %s %s: %s", req->id, req->method, req->path, message);
    else
        log_client_fault("request %s: %d %s: %s", req->id, info->http_status, info->name, message);
    http_reply_response(req, (unsigned)info->http_status, r);
}

void http_reply_error(struct http_request *req, enum err_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reply_error_v(req, kind, NULL, fmt, ap);
    va_end(ap);
}

void http_reply_error_headers(struct http_request *req, enum err_kind kind,
                              const char *const *headers, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reply_error_v(req, kind, headers, fmt, ap);
    va_end(ap);
}
