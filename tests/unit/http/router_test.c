/* Tests for src/http/router.c: pattern matching, parameters, 404 versus 405. */
#include "http/router.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Routes are told apart by their address in the table, so one handler serves all. */
static void noop_handler(struct http_request *r)
{
    (void)r;
}

static const struct route table[] = {
    {"GET", "/healthz", BODY_NONE, NULL, AUTH_NONE, NULL, noop_handler},
    {"GET", "/system/api/process/{processId}", BODY_NONE, NULL, AUTH_BEARER, NULL, noop_handler},
    {"POST", "/system/api/process/{processId}", BODY_JSON, NULL, AUTH_BEARER, NULL, noop_handler},
    {"GET", "/system/api/process/current", BODY_NONE, NULL, AUTH_BEARER, NULL, noop_handler},
    {"PUT", "/system/api/process/{processId}/documents/{documentId}/content", BODY_RAW,
     "application/pdf", AUTH_BEARER, NULL, noop_handler},
    {"GET", "/ui/*", BODY_NONE, NULL, AUTH_NONE, NULL, noop_handler},
    {"GET", "/pki/ca/{name}/cert", BODY_NONE, NULL, AUTH_NONE, NULL, noop_handler},
};
#define N_ROUTES (sizeof table / sizeof table[0])

struct result {
    enum router_result rc;
    const struct route *route;
    struct route_params params;
    char allow[64];
};

static struct result match(const char *method, const char *path)
{
    struct result r;
    memset(&r, 0, sizeof r);
    memset(r.allow, 'x', sizeof r.allow - 1);
    r.route = (const struct route *)&r; /* must be overwritten */
    r.rc =
        router_match(table, N_ROUTES, method, path, &r.route, &r.params, r.allow, sizeof r.allow);
    return r;
}

static void assert_param(const struct route_params *p, const char *name, const char *want)
{
    size_t len = 0;
    const char *v = route_param(p, name, &len);
    if (!v)
        fail_msg("parameter '%s' missing", name);
    if (len != strlen(want) || memcmp(v, want, len) != 0)
        fail_msg("parameter '%s' is '%.*s', expected '%s'", name, (int)len, v, want);
}

static void literal_pattern_matches_exactly_that_path(void **state)
{
    (void)state;
    struct result r = match("GET", "/healthz");
    assert_int_equal(r.rc, ROUTER_MATCH);
    assert_ptr_equal(r.route, &table[0]);
    assert_int_equal(r.params.n, 0);
    static const char *near[] = {"/healthz/", "/healthzx", "/health",  "/",
                                 "",          "healthz",   "/HEALTHZ", "//healthz"};
    for (size_t i = 0; i < sizeof near / sizeof near[0]; i++) {
        r = match("GET", near[i]);
        if (r.rc != ROUTER_NOT_FOUND)
            fail_msg("'%s' gave %d, expected not found", near[i], r.rc);
        assert_null(r.route);
    }
}

static void parameter_takes_one_segment(void **state)
{
    (void)state;
    struct result r = match("GET", "/system/api/process/3f1c-77ab");
    assert_int_equal(r.rc, ROUTER_MATCH);
    assert_ptr_equal(r.route, &table[1]);
    assert_int_equal(r.params.n, 1);
    assert_param(&r.params, "processId", "3f1c-77ab");

    r = match("POST", "/system/api/process/p1");
    assert_int_equal(r.rc, ROUTER_MATCH);
    assert_ptr_equal(r.route, &table[2]);
    assert_param(&r.params, "processId", "p1");
}

static void several_parameters_are_extracted_in_order(void **state)
{
    (void)state;
    struct result r = match("PUT", "/system/api/process/p-9/documents/doc_2/content");
    assert_int_equal(r.rc, ROUTER_MATCH);
    assert_ptr_equal(r.route, &table[4]);
    assert_int_equal(r.params.n, 2);
    assert_param(&r.params, "processId", "p-9");
    assert_param(&r.params, "documentId", "doc_2");
    assert_int_equal(r.params.p[0].value_len, 3);
    assert_memory_equal(r.params.p[1].name, "documentId", 10);
}

static void first_matching_route_in_table_order_wins(void **state)
{
    (void)state;
    /* "/current" also matches the earlier {processId} route. */
    struct result r = match("GET", "/system/api/process/current");
    assert_int_equal(r.rc, ROUTER_MATCH);
    assert_ptr_equal(r.route, &table[1]);
    assert_param(&r.params, "processId", "current");
}

static void parameter_does_not_span_slashes(void **state)
{
    (void)state;
    struct result r = match("GET", "/pki/ca/a/b/cert");
    assert_int_equal(r.rc, ROUTER_NOT_FOUND);
    r = match("GET", "/pki/ca/root/cert");
    assert_int_equal(r.rc, ROUTER_MATCH);
    assert_param(&r.params, "name", "root");
    r = match("GET", "/system/api/process/a/b");
    assert_int_equal(r.rc, ROUTER_NOT_FOUND);
}

static void empty_segment_does_not_match_a_parameter(void **state)
{
    (void)state;
    static const char *paths[] = {"/system/api/process/", "/pki/ca//cert",
                                  "/system/api/process//documents/d/content",
                                  "/system/api/process/p/documents//content"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct result r = match(i >= 2 ? "PUT" : "GET", paths[i]);
        if (r.rc != ROUTER_NOT_FOUND)
            fail_msg("'%s' gave %d, expected not found", paths[i], r.rc);
    }
}

static void trailing_wildcard_matches_the_rest_of_the_path(void **state)
{
    (void)state;
    struct result r = match("GET", "/ui/signer/index.html");
    assert_int_equal(r.rc, ROUTER_MATCH);
    assert_ptr_equal(r.route, &table[5]);
    assert_int_equal(r.params.n, 1);
    assert_param(&r.params, "*", "signer/index.html");

    r = match("GET", "/ui/");
    assert_int_equal(r.rc, ROUTER_MATCH);
    assert_param(&r.params, "*", "");

    r = match("GET", "/ui");
    assert_int_equal(r.rc, ROUTER_NOT_FOUND);
    r = match("GET", "/uix/a");
    assert_int_equal(r.rc, ROUTER_NOT_FOUND);
}

static void unknown_path_is_not_found_with_an_empty_allow_list(void **state)
{
    (void)state;
    struct result r = match("DELETE", "/nothing/here");
    assert_int_equal(r.rc, ROUTER_NOT_FOUND);
    assert_null(r.route);
    assert_string_equal(r.allow, "");
}

static void known_path_with_other_method_is_405_with_allow_list(void **state)
{
    (void)state;
    struct result r = match("DELETE", "/system/api/process/p1");
    assert_int_equal(r.rc, ROUTER_METHOD_NOT_ALLOWED);
    assert_null(r.route);
    assert_string_equal(r.allow, "GET, POST");
}

static void allow_list_names_each_method_once(void **state)
{
    (void)state;
    /* "/current" matches GET {processId}, POST {processId} and GET current. */
    struct result r = match("PATCH", "/system/api/process/current");
    assert_int_equal(r.rc, ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(r.allow, "GET, POST");
}

static void allow_list_keeps_a_method_whose_name_is_inside_another(void **state)
{
    (void)state;
    static const struct route dav[] = {
        {"PROPPATCH", "/dav/{x}", BODY_RAW, NULL, AUTH_NONE, NULL, noop_handler},
        {"PATCH", "/dav/{x}", BODY_JSON, NULL, AUTH_NONE, NULL, noop_handler},
        {"POST", "/dav/{x}", BODY_JSON, NULL, AUTH_NONE, NULL, noop_handler},
        {"PATCH", "/dav/{x}", BODY_JSON, NULL, AUTH_NONE, NULL, noop_handler},
    };
    const struct route *out = NULL;
    struct route_params params;
    char allow[64];
    assert_int_equal(router_match(dav, 4, "GET", "/dav/a", &out, &params, allow, sizeof allow),
                     ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(allow, "PROPPATCH, PATCH, POST");
}

static void head_is_served_by_the_get_route(void **state)
{
    (void)state;
    struct result r = match("HEAD", "/healthz");
    assert_int_equal(r.rc, ROUTER_MATCH);
    assert_ptr_equal(r.route, &table[0]);
    r = match("HEAD", "/pki/ca/root/cert");
    assert_int_equal(r.rc, ROUTER_MATCH);
    assert_param(&r.params, "name", "root");
    /* Without a GET route, HEAD is not allowed. */
    r = match("HEAD", "/system/api/process/p/documents/d/content");
    assert_int_equal(r.rc, ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(r.allow, "PUT");
}

static void method_comparison_is_exact(void **state)
{
    (void)state;
    struct result r = match("get", "/healthz");
    assert_int_equal(r.rc, ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(r.allow, "GET");
}

static void allow_may_be_null_or_small(void **state)
{
    (void)state;
    const struct route *out = NULL;
    struct route_params params;
    assert_int_equal(
        router_match(table, N_ROUTES, "DELETE", "/system/api/process/p", &out, &params, NULL, 0),
        ROUTER_METHOD_NOT_ALLOWED);
    char small[6];
    memset(small, 'x', sizeof small);
    assert_int_equal(
        router_match(table, N_ROUTES, "DELETE", "/system/api/process/p", &out, &params, small, 4),
        ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(small, "GET");
    assert_int_equal(small[4], 'x');
    assert_int_equal(small[5], 'x');
    /* Room for no method at all: an empty list, not a dangling separator. */
    assert_int_equal(
        router_match(table, N_ROUTES, "DELETE", "/system/api/process/p", &out, &params, small, 3),
        ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(small, "");
}

static void route_param_finds_only_exact_names(void **state)
{
    (void)state;
    struct result r = match("PUT", "/system/api/process/p-9/documents/doc_2/content");
    assert_int_equal(r.rc, ROUTER_MATCH);
    size_t len = 99;
    assert_null(route_param(&r.params, "process", &len));
    assert_null(route_param(&r.params, "processIdx", &len));
    assert_null(route_param(&r.params, "documentid", &len));
    assert_null(route_param(&r.params, "", &len));
    assert_int_equal(len, 99);
    struct route_params none = {.n = 0};
    assert_null(route_param(&none, "processId", &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literal_pattern_matches_exactly_that_path),
        cmocka_unit_test(parameter_takes_one_segment),
        cmocka_unit_test(several_parameters_are_extracted_in_order),
        cmocka_unit_test(first_matching_route_in_table_order_wins),
        cmocka_unit_test(parameter_does_not_span_slashes),
        cmocka_unit_test(empty_segment_does_not_match_a_parameter),
        cmocka_unit_test(trailing_wildcard_matches_the_rest_of_the_path),
        cmocka_unit_test(unknown_path_is_not_found_with_an_empty_allow_list),
        cmocka_unit_test(known_path_with_other_method_is_405_with_allow_list),
        cmocka_unit_test(allow_list_names_each_method_once),
        cmocka_unit_test(allow_list_keeps_a_method_whose_name_is_inside_another),
        cmocka_unit_test(head_is_served_by_the_get_route),
        cmocka_unit_test(method_comparison_is_exact),
        cmocka_unit_test(allow_may_be_null_or_small),
        cmocka_unit_test(route_param_finds_only_exact_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
