/* Request limits and body handling seen from outside: 413 for bodies over --max-body (with a
 * Content-Length and chunked), JSON body errors (400/415), and a graceful stop on SIGTERM that
 * finishes the request in flight. Runs against the admin API with a valid admin key. */
#include "harness.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static struct server srv;
static char auth_header[128];

static const char *const max_body_args[] = {"--max-body", "4096", NULL};

static bool start_with_key(struct server *s, char *auth, size_t auth_len)
{
    char dir[256], key[64];
    if (!make_data_dir(dir, sizeof dir) || !admin_key_create(dir, key, sizeof key, NULL, 0))
        return false;
    snprintf(auth, auth_len, "Authorization: Bearer %s", key);
    return server_start(s, dir, max_body_args);
}

static int setup(void **state)
{
    (void)state;
    return start_with_key(&srv, auth_header, sizeof auth_header) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

static void assert_still_serving(const struct server *s)
{
    struct response r;
    assert_true(http(s, "GET", "/healthz", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    response_free(&r);
}

static void post_json(const char *path, const char *content_type, const void *body, size_t len,
                      struct response *r)
{
    char ct[128];
    snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
    const char *h[] = {auth_header, ct, NULL};
    assert_true(http(&srv, "POST", path, h, body, len, r));
}

static void assert_message_mentions(const struct response *r, const char *word)
{
    const char *m = json_string_value(json_object_get(r->json, "message"));
    if (!m || !strstr(m, word))
        fprintf(stderr, "expected the message to mention '%s': %s\n", word, r->body);
    assert_non_null(m);
    assert_non_null(strstr(m, word));
}

static void content_length_over_max_body_is_413(void **state)
{
    (void)state;
    size_t n = 5000;
    char *body = malloc(n);
    assert_non_null(body);
    memset(body, ' ', n);
    body[0] = '{';
    body[n - 1] = '}';
    struct response r;
    post_json("/admin/v1/organizations", "application/json", body, n, &r);
    assert_error_object(&r, 413, "PayloadTooLarge");
    assert_message_mentions(&r, "4096");
    response_free(&r);
    free(body);
    assert_still_serving(&srv);
}

static void chunked_body_over_max_body_is_413(void **state)
{
    (void)state;
    const char *h[] = {auth_header, "Content-Type: application/json", NULL};
    struct response r;
    assert_true(http_chunked(&srv, "POST", "/admin/v1/organizations", h, ' ', 20000, &r));
    assert_error_object(&r, 413, "PayloadTooLarge");
    assert_message_mentions(&r, "4096");
    response_free(&r);
    assert_still_serving(&srv);
}

static void chunked_body_under_max_body_is_served(void **state)
{
    (void)state;
    /* 3000 spaces: valid-length, but whitespace alone is not JSON, so the body reached the
     * parser (not rejected as too large). */
    const char *h[] = {auth_header, "Content-Type: application/json", NULL};
    struct response r;
    assert_true(http_chunked(&srv, "POST", "/admin/v1/organizations", h, ' ', 3000, &r));
    assert_error_object(&r, 400, "MalformedJson");
    response_free(&r);
}

static void body_of_exactly_max_body_is_accepted(void **state)
{
    (void)state;
    /* {"name":"aaa…"} of exactly 4096 bytes: not too large, but the name is too long. */
    size_t n = 4096;
    char *body = malloc(n + 1);
    assert_non_null(body);
    memset(body, 'a', n);
    memcpy(body, "{\"name\":\"", 9);
    memcpy(body + n - 2, "\"}", 2);
    body[n] = '\0';
    struct response r;
    post_json("/admin/v1/organizations", "application/json", body, n, &r);
    assert_error_object(&r, 400, "Validation");
    assert_message_mentions(&r, "'name'");
    response_free(&r);
    free(body);
}

static void malformed_json_is_400(void **state)
{
    (void)state;
    struct response r;
    post_json("/admin/v1/organizations", "application/json", "{\"name\": ", 9, &r);
    assert_error_object(&r, 400, "MalformedJson");
    response_free(&r);
}

static void empty_body_on_json_route_is_400(void **state)
{
    (void)state;
    struct response r;
    post_json("/admin/v1/organizations", "application/json", "", 0, &r);
    assert_error_object(&r, 400, "MalformedJson");
    assert_message_mentions(&r, "required");
    response_free(&r);
}

static void wrong_content_type_is_415(void **state)
{
    (void)state;
    struct response r;
    post_json("/admin/v1/organizations", "text/plain", "{\"name\":\"x\"}", 12, &r);
    assert_error_object(&r, 415, "UnsupportedMediaType");
    assert_message_mentions(&r, "application/json");
    response_free(&r);
}

static void duplicate_keys_are_rejected(void **state)
{
    (void)state;
    const char *body = "{\"name\":\"one\",\"name\":\"two\"}";
    struct response r;
    post_json("/admin/v1/organizations", "application/json", body, strlen(body), &r);
    assert_error_object(&r, 400, "MalformedJson");
    assert_message_mentions(&r, "name");
    response_free(&r);
    /* and nothing was created */
    const char *h[] = {auth_header, NULL};
    assert_true(http(&srv, "GET", "/admin/v1/organizations", h, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "organizations")), 0);
    response_free(&r);
}

/* ---- JSON bodies above the spooling threshold (1 MiB, src/http/spool.h) ---- */

/* A server whose limit leaves room for bodies above the threshold. */
static const char *const spool_max_body_args[] = {"--max-body", "3145728", NULL};
#define SPOOLED ((size_t)2 * 1024 * 1024) /* above the threshold, under the limit */

static bool start_spooling_server(struct server *s, char *auth, size_t auth_len)
{
    char dir[256], key[64];
    if (!make_data_dir(dir, sizeof dir) || !admin_key_create(dir, key, sizeof key, NULL, 0))
        return false;
    snprintf(auth, auth_len, "Authorization: Bearer %s", key);
    return server_start(s, dir, spool_max_body_args);
}

/* text + pad bytes of ' ' + end, into a new string of *len bytes. */
static char *padded(const char *text, size_t pad, const char *end, size_t *len)
{
    *len = strlen(text) + pad + strlen(end);
    char *b = malloc(*len + 1);
    assert_non_null(b);
    memcpy(b, text, strlen(text));
    memset(b + strlen(text), ' ', pad);
    memcpy(b + strlen(text) + pad, end, strlen(end) + 1);
    return b;
}

/* The MalformedJson message names what jansson finds in the same bytes in memory. */
static void assert_malformed_like_in_memory(const struct response *r, const char *body, size_t len)
{
    assert_error_object(r, 400, "MalformedJson");
    json_error_t e;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    assert_null(j);
    char where[64];
    snprintf(where, sizeof where, "(line %d, column %d)", e.line, e.column);
    assert_message_mentions(r, e.text);
    assert_message_mentions(r, where);
}

/* The data directory holds no spool file once the requests are answered. */
static void assert_no_body_files_left(const struct server *s)
{
    char out[256];
    assert_int_equal(
        sh_run(out, sizeof out, "ls -A '%s' | grep -c '^\\.body-' || true", s->data_dir), 0);
    assert_string_equal(out, "0\n");
}

static void json_body_above_the_spooling_threshold_is_parsed(void **state)
{
    (void)state;
    struct server s2;
    char auth[128];
    assert_true(start_spooling_server(&s2, auth, sizeof auth));
    size_t len;
    char *body = padded("{\"name\":\"Spooled organization\"", SPOOLED, "}", &len);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    struct response r;
    assert_true(http(&s2, "POST", "/admin/v1/organizations", h, body, len, &r));
    if (r.status != 201)
        fprintf(stderr, "expected 201, got %ld: %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), "Spooled organization");
    response_free(&r);
    free(body);
    /* Duplicate keys are refused there too, and nothing is created. */
    body = padded("{\"name\":\"one\",", SPOOLED, "\"name\":\"two\"}", &len);
    assert_true(http(&s2, "POST", "/admin/v1/organizations", h, body, len, &r));
    assert_malformed_like_in_memory(&r, body, len);
    response_free(&r);
    free(body);
    const char *list[] = {auth, NULL};
    assert_true(http(&s2, "GET", "/admin/v1/organizations", list, NULL, 0, &r));
    assert_int_equal(json_array_size(json_object_get(r.json, "organizations")), 1);
    response_free(&r);
    assert_no_body_files_left(&s2);
    assert_int_equal(server_stop(&s2, false), 0);
}

static void malformed_spooled_body_is_the_same_400(void **state)
{
    (void)state;
    struct server s2;
    char auth[128];
    assert_true(start_spooling_server(&s2, auth, sizeof auth));
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    struct response r;
    /* With a Content-Length: spooled from the start. */
    size_t len;
    char *body = padded("{\"name\":\"x\",", SPOOLED, "]", &len);
    assert_true(http(&s2, "POST", "/admin/v1/organizations", h, body, len, &r));
    assert_malformed_like_in_memory(&r, body, len);
    response_free(&r);
    free(body);
    /* Chunked: kept in memory, then moved to the spool when it passes the threshold;
     * whitespace alone is not JSON. */
    assert_true(http_chunked(&s2, "POST", "/admin/v1/organizations", h, ' ', SPOOLED, &r));
    body = padded("", SPOOLED, "", &len);
    assert_malformed_like_in_memory(&r, body, len);
    response_free(&r);
    free(body);
    assert_no_body_files_left(&s2);
    assert_int_equal(server_stop(&s2, false), 0);
}

static void spooled_body_over_max_body_is_413(void **state)
{
    (void)state;
    struct server s2;
    char auth[128];
    assert_true(start_spooling_server(&s2, auth, sizeof auth));
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    struct response r;
    /* Chunked, so that it is spooled before it passes the limit. */
    assert_true(
        http_chunked(&s2, "POST", "/admin/v1/organizations", h, ' ', (size_t)3145728 + 1, &r));
    assert_error_object(&r, 413, "PayloadTooLarge");
    assert_message_mentions(&r, "3145728");
    response_free(&r);
    /* Exactly at the limit is still parsed. */
    assert_true(http_chunked(&s2, "POST", "/admin/v1/organizations", h, ' ', 3145728, &r));
    assert_error_object(&r, 400, "MalformedJson");
    response_free(&r);
    assert_true(http(&s2, "GET", "/healthz", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    response_free(&r);
    assert_no_body_files_left(&s2);
    assert_int_equal(server_stop(&s2, false), 0);
}

/* ---- graceful stop ---- */

static bool send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads until the peer closes or a complete response (headers + Content-Length) is in. */
static size_t recv_response(int fd, char *out, size_t cap)
{
    size_t len = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 30000) <= 0)
            break;
        ssize_t r = recv(fd, out + len, cap - 1 - len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        out[len] = '\0';
        const char *end = strstr(out, "\r\n\r\n");
        const char *cl = strstr(out, "Content-Length: ");
        if (end && cl && cl < end) {
            long want = strtol(cl + 16, NULL, 10);
            if ((long)(len - (size_t)(end + 4 - out)) >= want)
                break;
        }
        if (len >= cap - 1)
            break;
    }
    out[len] = '\0';
    return len;
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A client that asks with Expect: 100-continue is told 413 before it sends a byte of the body,
 * even for a body far too large to read and drop. */
static void expect_continue_over_max_body_is_413_before_the_body(void **state)
{
    (void)state;
    int fd = tcp_connect(srv.port);
    assert_true(fd >= 0);
    char req[512];
    int n = snprintf(req, sizeof req,
                     "POST /admin/v1/organizations HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n"
                     "Content-Type: application/json\r\nContent-Length: 1073741824\r\n"
                     "Expect: 100-continue\r\n\r\n",
                     auth_header);
    assert_true(send_all(fd, req, (size_t)n));
    char res[8192];
    size_t len = recv_response(fd, res, sizeof res);
    close(fd);
    assert_true(len > 0);
    assert_non_null(strstr(res, "HTTP/1.1 413 "));
    assert_null(strstr(res, "100 Continue"));
    assert_non_null(strstr(res, "PayloadTooLarge"));
    assert_non_null(strstr(res, "4096"));
    assert_still_serving(&srv);
}

static void sigterm_finishes_request_in_flight_then_exits_0(void **state)
{
    (void)state;
    struct server s2;
    char auth[128];
    assert_true(start_with_key(&s2, auth, sizeof auth));
    const char *body = "{\"name\":\"Finished during shutdown\",\"clientType\":\"CORPORATE\"}";
    size_t blen = strlen(body), half = blen / 2;
    char head[512];
    snprintf(head, sizeof head,
             "POST /admin/v1/organizations HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
             auth, blen);
    int fd = tcp_connect(s2.port);
    assert_true(fd >= 0);
    assert_true(send_all(fd, head, strlen(head)));
    assert_true(send_all(fd, body, half));

    /* The server has our request once /metrics counts two in flight (ours and its own). */
    bool in_flight = false;
    for (int64_t deadline = now_ms() + 10000; !in_flight && now_ms() < deadline;) {
        struct response m;
        assert_true(http(&s2, "GET", "/metrics", NULL, NULL, 0, &m));
        in_flight = strstr(m.body, "signet_http_requests_in_flight 2\n") != NULL;
        response_free(&m);
    }
    assert_true(in_flight);

    assert_int_equal(kill(s2.pid, SIGTERM), 0);
    /* The server stops accepting connections while our request is still open: wait for the
     * refusal (the server's reaction to the signal), closing any connection made before. */
    bool refused = false;
    for (int64_t deadline = now_ms() + 10000; !refused && now_ms() < deadline;) {
        int probe = tcp_connect(s2.port);
        if (probe >= 0)
            close(probe);
        else
            refused = errno == ECONNREFUSED;
    }
    assert_true(refused);

    assert_true(send_all(fd, body + half, blen - half));
    char resp[8192];
    size_t n = recv_response(fd, resp, sizeof resp);
    close(fd);
    if (!strstr(resp, "HTTP/1.1 201"))
        fprintf(stderr, "expected a 201 response, got %zu bytes: %s\n", n, resp);
    assert_non_null(strstr(resp, "HTTP/1.1 201"));
    const char *json = strstr(resp, "\r\n\r\n");
    assert_non_null(json);
    json_t *j = json_loads(json + 4, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "Finished during shutdown");
    json_decref(j);

    /* Still refused after the answer, and the process exits cleanly. */
    int again = tcp_connect(s2.port);
    assert_int_equal(again, -1);
    assert_int_equal(server_stop(&s2, false), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(content_length_over_max_body_is_413),
        cmocka_unit_test(chunked_body_over_max_body_is_413),
        cmocka_unit_test(chunked_body_under_max_body_is_served),
        cmocka_unit_test(body_of_exactly_max_body_is_accepted),
        cmocka_unit_test(malformed_json_is_400),
        cmocka_unit_test(empty_body_on_json_route_is_400),
        cmocka_unit_test(wrong_content_type_is_415),
        cmocka_unit_test(duplicate_keys_are_rejected),
        cmocka_unit_test(json_body_above_the_spooling_threshold_is_parsed),
        cmocka_unit_test(malformed_spooled_body_is_the_same_400),
        cmocka_unit_test(spooled_body_over_max_body_is_413),
        cmocka_unit_test(expect_continue_over_max_body_is_413_before_the_body),
        cmocka_unit_test(sigterm_finishes_request_in_flight_then_exits_0),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
