#include "http/server.h"

#include "app.h"
#include "core/config.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/str.h"
#include "http/metrics.h"
#include "http/request.h"
#include "http/spool.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How many bytes past --max-body are read and dropped before a 413, so that the client can
 * read the answer; a client that sends more is disconnected. */
#define BODY_DISCARD_MAX ((uint64_t)8 * 1024 * 1024)

struct http_server {
    struct MHD_Daemon *daemon;
    struct app *app;
    const struct route *routes;
    size_t n_routes;
    int port;
    pthread_mutex_t lock;
    pthread_cond_t idle; /* signalled when the last request in flight completes */
    long in_flight;
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    log_debug("libmicrohttpd: %s", line);
}

/* Media type of a Content-Type header without parameters matches want? */
static bool content_type_is(const char *header, const char *want)
{
    if (!header)
        return false;
    size_t n = strlen(want);
    if (strncasecmp(header, want, n) != 0)
        return false;
    return header[n] == '\0' || header[n] == ';' || header[n] == ' ';
}

static const char *expected_type(const struct route *r)
{
    switch (r->body) {
    case BODY_JSON:
    case BODY_JSON_OPTIONAL:
        return "application/json";
    case BODY_FORM:
        return "application/x-www-form-urlencoded";
    case BODY_RAW:
        return r->content_type;
    case BODY_NONE:
        break;
    }
    return NULL;
}

static bool is_json_route(const struct route *r)
{
    return r->body == BODY_JSON || r->body == BODY_JSON_OPTIONAL;
}

/* Moves the request's body to a spool file in the data directory (http/spool.h). */
static bool spool_start(struct http_request *req)
{
    req->spool = http_spool_new(req->app->cfg->data_dir, req->body.max);
    if (!req->spool) {
        log_error("request %s: cannot create a spool file for the body in %s: %s", req->id,
                  req->app->cfg->data_dir, strerror(errno));
        return false;
    }
    return true;
}

static struct http_request *request_new(struct http_server *s, struct MHD_Connection *conn,
                                        const char *url, const char *method)
{
    struct http_request *req = calloc(1, sizeof *req);
    if (!req)
        return NULL;
    req->app = s->app;
    req->conn = conn;
    req->start_us = time_mono_us();
    req->route_index = SIZE_MAX;
    if (!uuid_v4(req->id))
        str_copy(req->id, sizeof req->id, "00000000-0000-4000-8000-000000000000");
    str_copy(req->method, sizeof req->method, method);
    req->path = strdup(url);
    buf_init(&req->body, (size_t)s->app->cfg->max_body);
    if (!req->path) {
        free(req);
        return NULL;
    }
    pthread_mutex_lock(&s->lock);
    s->in_flight++;
    pthread_mutex_unlock(&s->lock);
    metrics_request_started(s->app->metrics);
    return req;
}

/* Everything that must happen before the body arrives; may answer at once. */
static void request_begin(struct http_server *s, struct http_request *req)
{
    char allow[128];
    enum router_result rr = router_match(s->routes, s->n_routes, req->method, req->path,
                                         &req->route, &req->params, allow, sizeof allow);
    if (rr == ROUTER_NOT_FOUND) {
        http_reply_error(req, ERR_ROUTE_NOT_FOUND,
                         "No resource at %s. Check the URL against the API documentation.",
                         req->path);
        return;
    }
    if (rr == ROUTER_METHOD_NOT_ALLOWED) {
        const char *hdr[] = {"Allow", allow, NULL};
        http_reply_error_headers(req, ERR_METHOD_NOT_ALLOWED, hdr,
                                 "%s is not allowed on %s; use %s.", req->method, req->path, allow);
        return;
    }
    req->route_index = (size_t)(req->route - s->routes);
    const char *want = expected_type(req->route);
    const char *ct = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *cl = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    int64_t length = 0;
    bool has_body = (cl && str_to_i64(cl, 0, INT64_MAX, &length) && length > 0) ||
                    http_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (length > s->app->cfg->max_body) {
        /* Answered from the header, before the body: right for a client that waits (with
         * Expect: 100-continue, as curl sends for large bodies, it never sends the body). A
         * client that streams the body without waiting may see the connection reset before it
         * reads the answer: libmicrohttpd stops reading once a reply is queued. */
        req->too_large = true;
        http_reply_error(req, ERR_PAYLOAD_TOO_LARGE,
                         "The request body has %lld bytes; the limit is %lld bytes.",
                         (long long)length, (long long)s->app->cfg->max_body);
        return;
    }
    if (want && has_body && !content_type_is(ct, want)) {
        http_reply_error(req, ERR_UNSUPPORTED_MEDIA_TYPE,
                         "Send the body as %s (Content-Type was %s).", want, ct ? ct : "missing");
        return;
    }
    if (length > 0 && is_json_route(req->route) && (size_t)length > HTTP_SPOOL_THRESHOLD) {
        if (!spool_start(req)) {
            http_reply_error(req, ERR_INTERNAL,
                             "The server could not store the request body; try again later.");
            return;
        }
    } else if (length > 0 && req->route->body != BODY_NONE &&
               buf_reserve(&req->body, (size_t)length) != BUF_OK) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory for the request body.");
        return;
    }
}

/* Keeps a chunk of the body: in memory, or in the spool once a JSON body passes the spooling
 * threshold (what was in memory moves to the spool). */
static enum buf_result body_append(struct http_request *req, const char *data, size_t len)
{
    if (!req->spool && is_json_route(req->route) && len > HTTP_SPOOL_THRESHOLD - req->body.len) {
        if (len > req->body.max - req->body.len)
            return BUF_TOO_LARGE; /* the same answer as the memory buffer's, without a file */
        if (!spool_start(req))
            return BUF_NOMEM;
        enum http_spool_result sr = http_spool_append(req->spool, req->body.data, req->body.len);
        buf_free(&req->body);
        if (sr != HTTP_SPOOL_OK)
            return sr == HTTP_SPOOL_TOO_LARGE ? BUF_TOO_LARGE : BUF_NOMEM;
    }
    if (req->spool) {
        enum http_spool_result sr = http_spool_append(req->spool, data, len);
        return sr == HTTP_SPOOL_OK          ? BUF_OK
               : sr == HTTP_SPOOL_TOO_LARGE ? BUF_TOO_LARGE
                                            : BUF_NOMEM;
    }
    return buf_append(&req->body, data, len);
}

/* Parses the JSON body (in memory or spooled) into req->json and releases the raw text; on
 * failure answers (400 MalformedJson, or 500 when the spool cannot be read back). */
static bool body_parse_json(struct http_request *req)
{
    json_error_t jerr;
    bool read_failed = false;
    if (req->spool) {
        req->json = http_spool_load_json(req->spool, JSON_REJECT_DUPLICATES, &jerr, &read_failed);
        http_spool_free(req->spool);
        req->spool = NULL;
    } else {
        req->json = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
        /* The parsed tree replaces the raw text: hold the body only once. */
        buf_free(&req->body);
    }
    if (read_failed) {
        log_error("request %s: the spooled request body could not be read back", req->id);
        http_reply_error(req, ERR_INTERNAL,
                         "The server could not read the request body back; try again later.");
        return false;
    }
    if (!req->json) {
        http_reply_error(req, ERR_MALFORMED_JSON,
                         "The request body is not valid JSON: %s (line %d, column %d).", jerr.text,
                         jerr.line, jerr.column);
        return false;
    }
    return true;
}

/* The whole body is here: parse it, authenticate, run the handler. */
static void request_dispatch(struct http_server *s, struct http_request *req)
{
    (void)s;
    const struct route *r = req->route;
    /* Authenticate before parsing: an anonymous caller never costs us a JSON parse. */
    if (r->auth != AUTH_NONE) {
        bool (*check)(struct http_request *) =
            r->auth == AUTH_ADMIN ? req->app->authenticate_admin : req->app->authenticate;
        if (!check) {
            log_bug("route %s %s needs authentication but no authenticator is set", r->method,
                    r->pattern);
            http_reply_error(req, ERR_INTERNAL, "Authentication is not available.");
            return;
        }
        if (!check(req))
            return; /* it answered */
    }
    if (r->body == BODY_JSON || r->body == BODY_JSON_OPTIONAL) {
        if (req->body.len == 0 && !req->spool) {
            if (r->body == BODY_JSON) {
                http_reply_error(req, ERR_MALFORMED_JSON,
                                 "A JSON request body is required for %s %s.", req->method,
                                 req->path);
                return;
            }
        } else if (!body_parse_json(req)) {
            return; /* it answered */
        }
    }
    r->handler(req);
    if (!req->replied) {
        log_bug("handler for %s %s did not answer", r->method, r->pattern);
        http_reply_error(req, ERR_INTERNAL, "The server did not produce an answer.");
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    struct http_server *s = cls;
    struct http_request *req = *con_cls;
    if (!req) {
        req = request_new(s, conn, url, method);
        if (!req)
            return MHD_NO;
        *con_cls = req;
        request_begin(s, req);
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!req->replied && req->route && req->route->body != BODY_NONE && !req->body_failed) {
            enum buf_result br = body_append(req, upload_data, *upload_size);
            if (br != BUF_OK) {
                /* Answered when the upload ends (see on_request's last call): queuing a
                 * response now fails in libmicrohttpd and would leave the client hanging. */
                req->body_failed = true;
                req->too_large = br == BUF_TOO_LARGE;
                buf_free(&req->body);
                http_spool_free(req->spool);
                req->spool = NULL;
            }
        }
        if (req->body_failed) {
            /* Drain the rest so the 413 can be read, but not without end. */
            req->discarded += *upload_size;
            if (req->discarded > BODY_DISCARD_MAX + (uint64_t)s->app->cfg->max_body) {
                log_client_fault("request %s: body goes on far past the limit; closing", req->id);
                return MHD_NO;
            }
        }
        *upload_size = 0; /* consumed (or discarded once answered) */
        return MHD_YES;
    }
    if (req->replied)
        return MHD_YES;
    if (req->body_failed)
        http_reply_error(req, req->too_large ? ERR_PAYLOAD_TOO_LARGE : ERR_INTERNAL,
                         req->too_large ? "The request body exceeds the limit of %lld bytes."
                                        : "The server could not keep the request body "
                                          "(limit %lld bytes); try again later.",
                         (long long)s->app->cfg->max_body);
    else
        request_dispatch(s, req);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    struct http_server *s = cls;
    struct http_request *req = *con_cls;
    if (!req)
        return;
    *con_cls = NULL;
    int64_t us = time_mono_us() - req->start_us;
    unsigned status = req->replied ? req->status : 499; /* client went away */
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && req->replied)
        log_debug("request %s: connection ended early (%d)", req->id, (int)toe);
    if (!req->replied) /* answered requests were counted when the answer was queued */
        metrics_request_finished(s->app->metrics, req->route_index, status, us);
    /* The access log: never a token, a body or a query string — so the route's pattern
     * ("/ui/sign/{token}"), not the path, which may carry a link token or personal data; an
     * unmatched path is not logged at all (it may be a mistyped link). */
    log_info("access %s %s %s %u %zu %lldus", req->id, req->method,
             req->route ? req->route->pattern : "(no route)", status, req->bytes_out,
             (long long)us);
    json_decref(req->json);
    buf_free(&req->body);
    http_spool_free(req->spool);
    free(req->auth.scopes);
    free(req->path);
    free(req);
    pthread_mutex_lock(&s->lock);
    if (--s->in_flight == 0)
        pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->lock);
}

struct http_server *http_server_start(struct app *app, const struct route *routes, size_t n,
                                      const char *host, int port, unsigned threads, char *err,
                                      size_t err_len)
{
    struct http_server *s = calloc(1, sizeof *s);
    struct addrinfo *ai = NULL;
    if (!s) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    s->app = app;
    s->routes = routes;
    s->n_routes = n;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->idle, NULL);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%d", port);
    int gai = getaddrinfo(host, portstr, &hints, &ai);
    if (gai != 0) {
        snprintf(err, err_len, "invalid value '%s' for listen: %s", host, gai_strerror(gai));
        goto fail;
    }
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(256 * 1024), MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, err_len, "cannot listen on %s:%d (address in use or not permitted)", host,
                 port);
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : port;
    freeaddrinfo(ai);
    return s;
fail:
    if (ai)
        freeaddrinfo(ai);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->lock);
    free(s);
    return NULL;
}

int http_server_port(const struct http_server *s)
{
    return s->port;
}

void http_server_stop(struct http_server *s, int64_t grace_ms)
{
    if (!s)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += grace_ms / 1000;
    deadline.tv_nsec += (grace_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&s->lock);
    while (s->in_flight > 0) {
        if (pthread_cond_timedwait(&s->idle, &s->lock, &deadline) != 0)
            break;
    }
    long left = s->in_flight;
    pthread_mutex_unlock(&s->lock);
    if (left > 0)
        log_warn("shutdown: %ld request(s) still in flight after the grace period", left);
    MHD_stop_daemon(s->daemon);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
