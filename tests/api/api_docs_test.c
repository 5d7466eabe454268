/*
 * Signet's own API description (docs/sign-api.md, "API description"): GET /system/api-docs is
 * an OpenAPI document whose servers and token URL are this instance's (--public-url, --realm);
 * it documents every /system/api route of src/http/routes.c with the route's scope; it is
 * compatible with the Sign API contract (every contract operation with the same operationId,
 * tags, security, parameters, request body and answers; every contract schema with the same
 * properties, types, formats, enums and required fields); it names every error of
 * src/core/err.c. The documentation page, its module and its style sheet are served with their
 * content types.
 */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define PUBLIC_URL "https://sign.example.test"
#define REALM      "acme"

static struct server srv;
static json_t *doc;      /* the served document */
static json_t *contract; /* the Sign API contract */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *d = malloc((size_t)n + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    d[n] = '\0';
    return d;
}

static const char *source_dir(void)
{
    const char *src = getenv("SIGNET_SOURCE_DIR");
    return src ? src : ".";
}

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--public-url", PUBLIC_URL "/", "--realm", REALM, NULL};
    if (!server_start(&srv, NULL, args))
        return -1;
    struct response r;
    if (!http(&srv, "GET", "/system/api-docs", NULL, NULL, 0, &r))
        return -1;
    doc = r.status == 200 ? json_incref(r.json) : NULL;
    response_free(&r);
    char path[512];
    snprintf(path, sizeof path, "%s/../shared/contracts/sign-api-v2.openapi.json", source_dir());
    json_error_t e;
    contract = json_load_file(path, 0, &e);
    if (!contract)
        fprintf(stderr, "cannot load the contract %s: %s\n", path, e.text);
    return doc && contract ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(doc);
    json_decref(contract);
    /* A clean exit (under ASan: no leak from the handlers). */
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

static void test_document_is_served_with_this_instances_urls(void **state)
{
    (void)state;
    struct response r;
    assert_true(http(&srv, "GET", "/system/api-docs", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    char v[256];
    assert_true(response_header(&r, "Content-Type", v, sizeof v));
    assert_string_equal(v, "application/json");
    assert_true(response_header(&r, "Cache-Control", v, sizeof v));
    assert_non_null(strstr(v, "max-age="));
    assert_true(response_header(&r, "X-Content-Type-Options", v, sizeof v));
    assert_string_equal(v, "nosniff");
    assert_non_null(r.json);
    response_free(&r);

    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
    json_t *servers = json_object_get(doc, "servers");
    assert_int_equal(json_array_size(servers), 1);
    /* The configured public URL (its trailing slash dropped) + /system. */
    assert_string_equal(json_string_value(json_object_get(json_array_get(servers, 0), "url")),
                        PUBLIC_URL "/system");
    const char *token_url = NULL;
    assert_int_equal(json_unpack(doc, "{s:{s:{s:{s:{s:{s:s}}}}}}", "components", "securitySchemes",
                                 "SwisscomSignOAuth2", "flows", "clientCredentials", "tokenUrl",
                                 &token_url),
                     0);
    assert_string_equal(token_url, PUBLIC_URL "/realms/" REALM "/protocol/openid-connect/token");
}

/* Reads the quoted string starting at *p (at the opening quote) into out; advances *p. */
static void read_quoted(const char **p, char *out, size_t out_len)
{
    assert_int_equal(**p, '"');
    const char *end = strchr(*p + 1, '"');
    assert_non_null(end);
    size_t n = (size_t)(end - (*p + 1));
    assert_true(n < out_len);
    memcpy(out, *p + 1, n);
    out[n] = '\0';
    *p = end + 1;
}

static void test_every_api_route_is_documented_with_its_scope(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/src/http/routes.c", source_dir());
    char *text = slurp(path);
    json_t *paths = json_object_get(doc, "paths");
    size_t found = 0;
    for (const char *p = strstr(text, "{\""); p; p = strstr(p, "{\"")) {
        p++;
        char method[16], pattern[256], auth[32] = "", scope[64] = "";
        read_quoted(&p, method, sizeof method);
        while (*p == ',' || *p == ' ' || *p == '\n')
            p++;
        read_quoted(&p, pattern, sizeof pattern);
        if (strncmp(pattern, "/system/api/", 12) != 0)
            continue;
        /* ... body, content type, AUTH_x, scope or NULL, handler */
        const char *a = strstr(p, "AUTH_");
        assert_non_null(a);
        size_t n = strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
        assert_true(n < sizeof auth);
        memcpy(auth, a, n);
        auth[n] = '\0';
        a += n;
        while (*a == ',' || *a == ' ' || *a == '\n')
            a++;
        if (*a == '"')
            read_quoted(&a, scope, sizeof scope);

        char lower[16];
        for (size_t i = 0; i <= strlen(method); i++)
            lower[i] = (char)(method[i] >= 'A' && method[i] <= 'Z' ? method[i] + 32 : method[i]);
        json_t *op = json_object_get(json_object_get(paths, pattern + 7), lower);
        if (!op)
            fail_msg("%s %s (routes.c) is not in the API description", method, pattern);
        json_t *security = json_object_get(op, "security");
        if (!strcmp(auth, "AUTH_NONE")) {
            if (!json_is_array(security) || json_array_size(security) != 0)
                fail_msg("%s %s is public but documented with a token", method, pattern);
        } else {
            json_t *scopes = json_object_get(json_array_get(security, 0), "SwisscomSignOAuth2");
            int ok = 0;
            size_t i;
            json_t *s;
            json_array_foreach(scopes, i, s) ok |= !strcmp(json_string_value(s), scope);
            if (!ok)
                fail_msg("%s %s needs scope %s, not documented", method, pattern, scope);
        }
        found++;
    }
    free(text);
    /* 11 process operations and the verification: a guard against a parser that finds none. */
    assert_true(found >= 12);
}

/* Same value of key in a and b (both absent counts as the same). */
static void same_member(const json_t *a, const json_t *b, const char *key, const char *where)
{
    json_t *x = json_object_get(a, key), *y = json_object_get(b, key);
    if (!x && !y)
        return;
    if (!x || !y || !json_equal(x, y)) {
        char *xs = x ? json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        char *ys = y ? json_dumps(y, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        fail_msg("%s: '%s' is %s in the contract, %s in ours", where, key, xs ? xs : "absent",
                 ys ? ys : "absent");
    }
}

/* The wire-relevant keywords of a schema (types, formats, enums, references, flags): equal. */
static void same_schema_shape(const json_t *a, const json_t *b, const char *where)
{
    static const char *const keys[] = {"type",
                                       "format",
                                       "enum",
                                       "$ref",
                                       "default",
                                       "readOnly",
                                       "writeOnly",
                                       "uniqueItems",
                                       "required",
                                       "deprecated",
                                       "additionalProperties"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        same_member(a, b, keys[i], where);
    char sub[512];
    json_t *ai = json_object_get(a, "items");
    if (ai) {
        snprintf(sub, sizeof sub, "%s.items", where);
        same_schema_shape(ai, json_object_get(b, "items"), sub);
    }
    const char *comb[] = {"oneOf", "allOf", "anyOf"};
    for (size_t c = 0; c < 3; c++) {
        json_t *al = json_object_get(a, comb[c]), *bl = json_object_get(b, comb[c]);
        if (!al && !bl)
            continue;
        if (json_array_size(al) != json_array_size(bl))
            fail_msg("%s: %s has %zu members in the contract, %zu in ours", where, comb[c],
                     json_array_size(al), json_array_size(bl));
        for (size_t i = 0; i < json_array_size(al); i++) {
            snprintf(sub, sizeof sub, "%s.%s[%zu]", where, comb[c], i);
            same_schema_shape(json_array_get(al, i), json_array_get(bl, i), sub);
        }
    }
    json_t *ap = json_object_get(a, "properties"), *bp = json_object_get(b, "properties");
    if (!ap && !bp)
        return;
    if (json_object_size(ap) != json_object_size(bp))
        fail_msg("%s: %zu properties in the contract, %zu in ours", where, json_object_size(ap),
                 json_object_size(bp));
    const char *name;
    json_t *pa;
    json_object_foreach(ap, name, pa)
    {
        json_t *pb = json_object_get(bp, name);
        if (!pb)
            fail_msg("%s: property '%s' of the contract is missing", where, name);
        snprintf(sub, sizeof sub, "%s.%s", where, name);
        same_schema_shape(pa, pb, sub);
    }
}

/* Every media type of the contract's content with the same schema shape. */
static void same_content(const json_t *a, const json_t *b, const char *where)
{
    const char *type;
    json_t *ma;
    char sub[512];
    json_object_foreach((json_t *)a, type, ma)
    {
        json_t *mb = json_object_get(b, type);
        if (!mb)
            fail_msg("%s: media type %s is missing", where, type);
        snprintf(sub, sizeof sub, "%s %s", where, type);
        same_schema_shape(json_object_get(ma, "schema"), json_object_get(mb, "schema"), sub);
    }
    if (json_object_size(a) != json_object_size(b))
        fail_msg("%s: %zu media types in the contract, %zu in ours", where, json_object_size(a),
                 json_object_size(b));
}

static void test_operations_match_the_contract(void **state)
{
    (void)state;
    json_t *cpaths = json_object_get(contract, "paths"), *opaths = json_object_get(doc, "paths");
    const char *path, *method;
    json_t *citem, *cop;
    size_t ops = 0;
    json_object_foreach(cpaths, path, citem)
    {
        json_object_foreach(citem, method, cop)
        {
            char where[512];
            snprintf(where, sizeof where, "%s %s", method, path);
            json_t *op = json_object_get(json_object_get(opaths, path), method);
            if (!op)
                fail_msg("%s of the contract is missing", where);
            same_member(cop, op, "operationId", where);
            same_member(cop, op, "tags", where);
            same_member(cop, op, "security", where);

            /* Parameters: same names, places, required flags and schema shapes, same order. */
            json_t *cp = json_object_get(cop, "parameters"),
                   *op_ = json_object_get(op, "parameters");
            if (json_array_size(cp) != json_array_size(op_))
                fail_msg("%s: %zu parameters in the contract, %zu in ours", where,
                         json_array_size(cp), json_array_size(op_));
            for (size_t i = 0; i < json_array_size(cp); i++) {
                json_t *a = json_array_get(cp, i), *b = json_array_get(op_, i);
                char sub[600];
                snprintf(sub, sizeof sub, "%s parameter %s", where,
                         json_string_value(json_object_get(a, "name")));
                same_member(a, b, "name", sub);
                same_member(a, b, "in", sub);
                same_member(a, b, "required", sub);
                same_schema_shape(json_object_get(a, "schema"), json_object_get(b, "schema"), sub);
            }

            json_t *crb = json_object_get(cop, "requestBody"),
                   *orb = json_object_get(op, "requestBody");
            if (!crb != !orb)
                fail_msg("%s: request body documented in only one of the two", where);
            if (crb) {
                same_member(crb, orb, "required", where);
                same_content(json_object_get(crb, "content"), json_object_get(orb, "content"),
                             where);
            }

            /* Answers: every status of the contract, with the same body; ours may add more. */
            const char *code;
            json_t *cr;
            json_object_foreach(json_object_get(cop, "responses"), code, cr)
            {
                json_t *r = json_object_get(json_object_get(op, "responses"), code);
                char sub[600];
                snprintf(sub, sizeof sub, "%s answer %s", where, code);
                if (!r)
                    fail_msg("%s is missing", sub);
                json_t *cc = json_object_get(cr, "content");
                if (cc)
                    same_content(cc, json_object_get(r, "content"), sub);
            }
            ops++;
        }
    }
    assert_int_equal(ops, 11);
}

static void test_schemas_match_the_contract(void **state)
{
    (void)state;
    json_t *cs = json_object_get(json_object_get(contract, "components"), "schemas");
    json_t *os = json_object_get(json_object_get(doc, "components"), "schemas");
    const char *name;
    json_t *s;
    json_object_foreach(cs, name, s)
    {
        json_t *o = json_object_get(os, name);
        if (!o)
            fail_msg("schema %s of the contract is missing", name);
        same_schema_shape(s, o, name);
        same_member(s, o, "discriminator", name);
    }
    assert_true(json_object_size(cs) >= 31);

    /* The security scheme: same name, client credentials, the same scopes. */
    json_t *cscopes = NULL, *oscopes = NULL;
    const char *fmt = "{s:{s:{s:{s:{s:{s:o}}}}}}";
    assert_int_equal(json_unpack(contract, fmt, "components", "securitySchemes",
                                 "SwisscomSignOAuth2", "flows", "clientCredentials", "scopes",
                                 &cscopes),
                     0);
    assert_int_equal(json_unpack(doc, fmt, "components", "securitySchemes", "SwisscomSignOAuth2",
                                 "flows", "clientCredentials", "scopes", &oscopes),
                     0);
    assert_int_equal(json_object_size(cscopes), json_object_size(oscopes));
    json_object_foreach(cscopes, name, s) assert_non_null(json_object_get(oscopes, name));
}

static void test_every_error_name_is_documented(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/src/core/err.c", source_dir());
    char *text = slurp(path);
    json_t *names = NULL;
    assert_int_equal(json_unpack(doc, "{s:{s:{s:{s:o}}}}", "components", "schemas", "Error",
                                 "x-signet-error-names", &names),
                     0);
    size_t found = 0;
    /* Lines like: [ERR_X] = {409, "Name", "Subject"}, */
    for (const char *p = strstr(text, "] = {"); p; p = strstr(p, "] = {")) {
        p += 5;
        if (*p < '0' || *p > '9')
            continue; /* the table's own opening line */
        char *end;
        long status = strtol(p, &end, 10);
        p = end;
        p = strchr(p, '"');
        assert_non_null(p);
        char name[64];
        read_quoted(&p, name, sizeof name);
        int ok = 0;
        size_t i;
        json_t *e;
        json_array_foreach(names, i, e)
        {
            if (!strcmp(json_string_value(json_object_get(e, "name")), name) &&
                json_integer_value(json_object_get(e, "httpStatus")) == status)
                ok = 1;
        }
        if (!ok)
            fail_msg("error %s (%ld) of src/core/err.c is not documented", name, status);
        found++;
    }
    free(text);
    assert_true(found >= 15);
}

static void expect_file(const char *path, const char *content_type, const char *needle)
{
    struct response r;
    assert_true(http(&srv, "GET", path, NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    char v[512];
    assert_true(response_header(&r, "Content-Type", v, sizeof v));
    assert_string_equal(v, content_type);
    assert_true(response_header(&r, "X-Content-Type-Options", v, sizeof v));
    assert_string_equal(v, "nosniff");
    assert_true(response_header(&r, "Cache-Control", v, sizeof v));
    assert_non_null(strstr(v, "max-age="));
    if (!strstr(r.body, needle))
        fail_msg("%s does not contain %s", path, needle);
    response_free(&r);
}

static void test_documentation_page_and_its_files(void **state)
{
    (void)state;
    expect_file("/system/api-docs.html", "text/html; charset=utf-8",
                "<script type=\"module\" src=\"api-docs.js\"></script>");
    expect_file("/system/api-docs.js", "text/javascript; charset=utf-8", "fetch(");
    expect_file("/system/api-docs.css", "text/css; charset=utf-8", "table");

    /* The page may load nothing from elsewhere. */
    struct response r;
    assert_true(http(&srv, "GET", "/system/api-docs.html", NULL, NULL, 0, &r));
    char csp[512];
    assert_true(response_header(&r, "Content-Security-Policy", csp, sizeof csp));
    assert_non_null(strstr(csp, "default-src 'none'"));
    assert_non_null(strstr(csp, "script-src 'self'"));
    response_free(&r);

    /* Read-only resources: another method is refused. */
    assert_true(http(&srv, "POST", "/system/api-docs", NULL, "{}", 2, &r));
    assert_error_object(&r, 405, "MethodNotAllowed");
    response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_is_served_with_this_instances_urls),
        cmocka_unit_test(test_every_api_route_is_documented_with_its_scope),
        cmocka_unit_test(test_operations_match_the_contract),
        cmocka_unit_test(test_schemas_match_the_contract),
        cmocka_unit_test(test_every_error_name_is_documented),
        cmocka_unit_test(test_documentation_page_and_its_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
