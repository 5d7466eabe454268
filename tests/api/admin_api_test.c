/* The operator admin API (/admin/v1) seen from outside: its own credential (admin keys made
 * with `signet admin key create`), organizations, API clients and teams. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static struct server srv;
static char data_dir[256];
static char auth[128];        /* Authorization header with a valid key */
static char doomed_auth[128]; /* a second key, revoked by a test */
static char doomed_id[64];

static int setup(void **state)
{
    (void)state;
    char key[64], key2[64];
    if (!make_data_dir(data_dir, sizeof data_dir) ||
        !admin_key_create(data_dir, key, sizeof key, NULL, 0) ||
        !admin_key_create(data_dir, key2, sizeof key2, doomed_id, sizeof doomed_id))
        return -1;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    snprintf(doomed_auth, sizeof doomed_auth, "Authorization: Bearer %s", key2);
    return server_start(&srv, data_dir, NULL) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* An admin request with the valid key; body (JSON text) may be NULL. */
static void admin(const char *method, const char *path, const char *body, struct response *r)
{
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    assert_true(http(&srv, method, path, h, body, body ? strlen(body) : 0, r));
}

static void expect_status(const struct response *r, long status)
{
    if (r->status != status)
        fprintf(stderr, "expected status %ld, got %ld: %s\n", status, r->status, r->body);
    assert_int_equal(r->status, status);
}

static const char *field(const struct response *r, const char *name)
{
    return json_string_value(json_object_get(r->json, name));
}

static void assert_message_mentions(const struct response *r, const char *word)
{
    const char *m = field(r, "message");
    if (!m || !strstr(m, word))
        fprintf(stderr, "expected the message to mention '%s': %s\n", word, r->body);
    assert_non_null(m);
    assert_non_null(strstr(m, word));
}

static void assert_challenge(const struct response *r, const char *expected)
{
    char www[256];
    assert_true(response_header(r, "WWW-Authenticate", www, sizeof www));
    assert_string_equal(www, expected);
}

static void missing_key_is_401_with_bare_challenge(void **state)
{
    (void)state;
    struct response r;
    assert_true(http(&srv, "GET", "/admin/v1/organizations", NULL, NULL, 0, &r));
    assert_error_object(&r, 401, "Unauthorized");
    assert_challenge(&r, "Bearer realm=\"signet-admin\"");
    response_free(&r);
}

static void wrong_key_is_401_invalid_token(void **state)
{
    (void)state;
    const char *h[] = {"Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL};
    struct response r;
    assert_true(http(&srv, "GET", "/admin/v1/organizations", h, NULL, 0, &r));
    assert_error_object(&r, 401, "Unauthorized");
    assert_challenge(&r, "Bearer realm=\"signet-admin\", error=\"invalid_token\"");
    response_free(&r);
    /* A client secret or a key of another scheme is not an admin key either. */
    const char *h2[] = {"Authorization: Basic YWRtaW46YWRtaW4=", "Content-Type: application/json",
                        NULL};
    assert_true(http(&srv, "POST", "/admin/v1/organizations", h2, "{}", 2, &r));
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
}

static void revoked_key_is_401(void **state)
{
    (void)state;
    const char *h[] = {doomed_auth, NULL};
    struct response r;
    assert_true(http(&srv, "GET", "/admin/v1/organizations", h, NULL, 0, &r));
    expect_status(&r, 200);
    response_free(&r);

    char out[4096], err[4096];
    const char *revoke[] = {"admin", "key", "revoke", doomed_id, "--data", data_dir, NULL};
    assert_int_equal(run_signet(revoke, out, sizeof out, err, sizeof err), 0);

    assert_true(http(&srv, "GET", "/admin/v1/organizations", h, NULL, 0, &r));
    assert_error_object(&r, 401, "Unauthorized");
    assert_challenge(&r, "Bearer realm=\"signet-admin\", error=\"invalid_token\"");
    assert_message_mentions(&r, "revoked");
    response_free(&r);

    /* The key list shows it revoked and never shows a key or its hash. */
    const char *list[] = {"admin", "key", "list", "--data", data_dir, "--json", NULL};
    assert_int_equal(run_signet(list, out, sizeof out, err, sizeof err), 0);
    json_t *keys = json_loads(out, 0, NULL);
    assert_int_equal(json_array_size(keys), 2);
    size_t i;
    json_t *k;
    bool seen = false;
    json_array_foreach(keys, i, k)
    {
        assert_null(json_object_get(k, "admin_key"));
        assert_null(json_object_get(k, "key_hash"));
        if (!strcmp(json_string_value(json_object_get(k, "id")), doomed_id)) {
            seen = true;
            assert_true(json_is_string(json_object_get(k, "revoked")));
        } else {
            assert_true(json_is_null(json_object_get(k, "revoked")));
        }
    }
    assert_true(seen);
    json_decref(keys);
    /* Revoking twice says so. */
    assert_int_equal(run_signet(revoke, out, sizeof out, err, sizeof err), 1);
    assert_non_null(strstr(err, "already revoked"));
}

static bool array_has(json_t *arr, const char *key, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(json_object_get(v, key));
        if (s && !strcmp(s, value))
            return true;
    }
    return false;
}

static void organization_client_and_team_flow(void **state)
{
    (void)state;
    struct response r;
    admin("POST", "/admin/v1/organizations", "{\"name\":\"Acme AG\",\"clientType\":\"CORPORATE\"}",
          &r);
    expect_status(&r, 201);
    char org[64], path[256];
    snprintf(org, sizeof org, "%s", field(&r, "id"));
    assert_int_equal(strlen(org), 36);
    assert_string_equal(field(&r, "name"), "Acme AG");
    assert_string_equal(field(&r, "clientType"), "CORPORATE");
    assert_non_null(field(&r, "created"));
    response_free(&r);

    admin("GET", "/admin/v1/organizations", NULL, &r);
    expect_status(&r, 200);
    assert_true(array_has(json_object_get(r.json, "organizations"), "id", org));
    response_free(&r);

    /* A CORPORATE tenant's default client gets read:all only when asked for; a self-managed
     * ORGANIZATION's default client has all Sign API scopes. */
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/clients", org);
    admin("POST", path, NULL, &r);
    expect_status(&r, 201);
    assert_string_equal(field(&r, "scopes"), "sswp:process:create sswp:process:read");
    response_free(&r);
    {
        char self_org[64], self_path[256];
        admin("POST", "/admin/v1/organizations", "{\"name\":\"Self Managed GmbH\"}", &r);
        expect_status(&r, 201);
        snprintf(self_org, sizeof self_org, "%s", field(&r, "id"));
        response_free(&r);
        snprintf(self_path, sizeof self_path, "/admin/v1/organizations/%s/clients", self_org);
        admin("POST", self_path, NULL, &r);
        expect_status(&r, 201);
        assert_string_equal(field(&r, "scopes"),
                            "sswp:process:create sswp:process:read sswp:process:read:all");
        response_free(&r);
    }
    admin("POST", path, "{\"scopes\":\"sswp:process:read\",\"description\":\"reporting\"}", &r);
    expect_status(&r, 201);
    char client[64];
    snprintf(client, sizeof client, "%s", field(&r, "client_id"));
    assert_int_equal(strlen(field(&r, "client_secret")), 43);
    assert_string_equal(field(&r, "scopes"), "sswp:process:read");
    assert_string_equal(field(&r, "description"), "reporting");
    assert_string_equal(field(&r, "organization_id"), org);
    response_free(&r);

    admin("GET", path, NULL, &r);
    expect_status(&r, 200);
    json_t *clients = json_object_get(r.json, "clients");
    assert_int_equal(json_array_size(clients), 2);
    assert_true(array_has(clients, "client_id", client));
    size_t i;
    json_t *c;
    json_array_foreach(clients, i, c)
    {
        assert_null(json_object_get(c, "client_secret")); /* shown only at creation */
        assert_true(json_is_null(json_object_get(c, "revoked")));
    }
    response_free(&r);

    /* Revoke it: the list says so, and a second revoke is a conflict. */
    char rpath[256];
    snprintf(rpath, sizeof rpath, "/admin/v1/clients/%s/revoke", client);
    admin("POST", rpath, NULL, &r);
    expect_status(&r, 200);
    assert_string_equal(field(&r, "client_id"), client);
    assert_true(json_is_string(json_object_get(r.json, "revoked")));
    response_free(&r);
    admin("GET", path, NULL, &r);
    json_array_foreach(json_object_get(r.json, "clients"), i, c)
    {
        const char *id = json_string_value(json_object_get(c, "client_id"));
        assert_int_equal(json_is_string(json_object_get(c, "revoked")), !strcmp(id, client));
    }
    response_free(&r);
    admin("POST", rpath, NULL, &r);
    assert_error_object(&r, 409, "Conflict");
    response_free(&r);

    /* The CLI sees the same client as revoked. */
    char out[8192], err[2048];
    const char *list[] = {"admin",  "client", "list",   "--org", org,
                          "--data", data_dir, "--json", NULL};
    assert_int_equal(run_signet(list, out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(out, client));

    /* Teams. */
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/teams", org);
    admin("POST", path, "{\"name\":\"Legal\"}", &r);
    expect_status(&r, 201);
    char team[64];
    snprintf(team, sizeof team, "%s", field(&r, "id"));
    assert_string_equal(field(&r, "name"), "Legal");
    assert_string_equal(field(&r, "organizationId"), org);
    response_free(&r);
    admin("POST", path, "{\"name\":\"Legal\"}", &r);
    assert_error_object(&r, 409, "Conflict");
    assert_message_mentions(&r, "name");
    response_free(&r);
    admin("GET", path, NULL, &r);
    expect_status(&r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "teams")), 1);
    assert_true(array_has(json_object_get(r.json, "teams"), "id", team));
    response_free(&r);
}

static void unknown_organization_or_client_is_404(void **state)
{
    (void)state;
    const char *none = "00000000-0000-4000-8000-000000000000";
    char path[256];
    struct response r;
    const char *suffixes[] = {"clients", "teams"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "/admin/v1/organizations/%s/%s", none, suffixes[i]);
        admin("GET", path, NULL, &r);
        assert_error_object(&r, 404, "NotFound");
        assert_message_mentions(&r, none);
        response_free(&r);
        admin("POST", path, "{\"name\":\"x\"}", &r);
        /* the team body is valid; the client body's unknown field is checked first */
        if (i == 1) {
            assert_error_object(&r, 404, "NotFound");
        } else {
            assert_error_object(&r, 400, "Validation");
        }
        response_free(&r);
    }
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/clients", none);
    admin("POST", path, "{}", &r);
    assert_error_object(&r, 404, "NotFound");
    response_free(&r);
    snprintf(path, sizeof path, "/admin/v1/clients/%s/revoke", none);
    admin("POST", path, NULL, &r);
    assert_error_object(&r, 404, "NotFound");
    response_free(&r);
}

static void bad_fields_are_named(void **state)
{
    (void)state;
    struct {
        const char *path, *body, *word;
    } cases[] = {
        {"/admin/v1/organizations", "{\"clientType\":\"CORPORATE\"}", "'name'"},
        {"/admin/v1/organizations", "{\"name\":\"\"}", "'name'"},
        {"/admin/v1/organizations", "{\"name\":42}", "'name'"},
        {"/admin/v1/organizations", "{\"name\":\"X\",\"clientType\":\"BOGUS\"}", "'clientType'"},
        {"/admin/v1/organizations", "{\"name\":\"X\",\"colour\":\"red\"}", "'colour'"},
        {"/admin/v1/organizations", "[\"name\"]", "object"},
    };
    struct response r;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        admin("POST", cases[i].path, cases[i].body, &r);
        assert_error_object(&r, 400, "Validation");
        assert_message_mentions(&r, cases[i].word);
        response_free(&r);
    }
    /* Unknown scopes are named too. */
    admin("POST", "/admin/v1/organizations", "{\"name\":\"Scoped\"}", &r);
    expect_status(&r, 201);
    char path[256];
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/clients", field(&r, "id"));
    response_free(&r);
    admin("POST", path, "{\"scopes\":\"sswp:process:read sswp:everything\"}", &r);
    assert_error_object(&r, 400, "Validation");
    assert_message_mentions(&r, "'scopes'");
    assert_message_mentions(&r, "sswp:everything");
    response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_key_is_401_with_bare_challenge),
        cmocka_unit_test(wrong_key_is_401_invalid_token),
        cmocka_unit_test(revoked_key_is_401),
        cmocka_unit_test(organization_client_and_team_flow),
        cmocka_unit_test(unknown_organization_or_client_is_404),
        cmocka_unit_test(bad_fields_are_named),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
