/* The HTTP core seen from outside: health, metrics, unknown routes and methods. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static struct server srv;

static int setup(void **state)
{
    (void)state;
    return server_start(&srv, NULL, NULL) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

static void healthz_reports_store_ok(void **state)
{
    (void)state;
    struct response r;
    assert_true(http(&srv, "GET", "/healthz", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "ok");
    /* The check is named after the store's engine. */
    const char *engine = test_on_postgres() ? "postgres" : "sqlite";
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "checks"), engine)), "ok");
    char id[64];
    assert_true(response_header(&r, "X-Request-Id", id, sizeof id));
    assert_int_equal(strlen(id), 36);
    response_free(&r);
}

static void unknown_route_is_404_error_object(void **state)
{
    (void)state;
    struct response r;
    assert_true(http(&srv, "GET", "/no/such/thing", NULL, NULL, 0, &r));
    assert_error_object(&r, 404, "RouteNotFound");
    assert_string_equal(json_string_value(json_object_get(r.json, "path")), "/no/such/thing");
    response_free(&r);
}

/* A path that decodes to bytes which are not UTF-8 still gets a well-formed Error object (the
 * message and path quote it with the bad bytes replaced), never an empty answer. */
static void invalid_utf8_path_is_404_error_object(void **state)
{
    (void)state;
    struct response r;
    assert_true(http(&srv, "GET", "/no/such/%C3%FF%F0%9F", NULL, NULL, 0, &r));
    assert_error_object(&r, 404, "RouteNotFound");
    assert_non_null(strstr(r.body, "/no/such/"));
    response_free(&r);
    assert_true(http(&srv, "GET", "/system/api/process/%E6%97", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 401); /* the token is checked first; still an Error object */
    assert_non_null(r.json);
    response_free(&r);
}

static void wrong_method_is_405_with_allow(void **state)
{
    (void)state;
    struct response r;
    assert_true(http(&srv, "DELETE", "/healthz", NULL, NULL, 0, &r));
    assert_error_object(&r, 405, "MethodNotAllowed");
    char allow[64];
    assert_true(response_header(&r, "Allow", allow, sizeof allow));
    assert_string_equal(allow, "GET");
    response_free(&r);
}

static void metrics_count_requests_by_route_and_status(void **state)
{
    (void)state;
    struct response r;
    assert_true(http(&srv, "GET", "/healthz", NULL, NULL, 0, &r));
    response_free(&r);
    assert_true(http(&srv, "GET", "/metrics", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "signet_http_requests_total{route=\"/healthz\",method=\"GET\","
                                   "status=\"200\"}"));
    assert_non_null(strstr(r.body, "signet_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
    assert_non_null(strstr(r.body, "signet_http_requests_in_flight 1"));
    response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(healthz_reports_store_ok),
        cmocka_unit_test(unknown_route_is_404_error_object),
        cmocka_unit_test(invalid_utf8_path_is_404_error_object),
        cmocka_unit_test(wrong_method_is_405_with_allow),
        cmocka_unit_test(metrics_count_requests_by_route_and_status),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
