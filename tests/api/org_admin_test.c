/*
 * Organization admins seen from outside: keys made by the operator (`signet admin org-admin`
 * or POST /admin/v1/organizations/{id}/admins) for one self-managed organization, which then
 * list, create and revoke that organization's API clients and list and create its teams over
 * the admin API — and nothing else: another organization's id answers 404 like an unknown
 * one, operator routes answer 403, CORPORATE organizations get no organization admins, and a
 * revoked organization admin is refused at once.
 */
#include "tenant.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct server srv;
static char data_dir[256];
static char operator_auth[128];
static char org_a[64], org_b[64], org_corp[64];
static char a_admin_auth[128], b_admin_auth[128];
static struct client b_client; /* made by the operator in B; A's admin must not touch it */

#define UNKNOWN_ORG "0b5d7c1e-3a8f-4d6e-9c2b-7f1a0e9d8c6b"

/* `signet admin org-admin create --org ORG --json`: the Authorization header into auth and
 * the key id into id (either may be NULL). */
static void org_admin_create(const char *org, char *auth, size_t auth_len, char *id, size_t id_len)
{
    const char *args[] = {"admin",  "org-admin", "create",      "--org", org, "--data",
                          data_dir, "--json",    "--log-level", "error", NULL};
    json_t *j = run_json(args);
    const char *key = json_string_value(json_object_get(j, "admin_key"));
    assert_non_null(key);
    assert_int_equal(strlen(key), 43);
    assert_string_equal(json_string_value(json_object_get(j, "organization_id")), org);
    if (auth)
        snprintf(auth, auth_len, "Authorization: Bearer %s", key);
    if (id)
        snprintf(id, id_len, "%s", json_string_value(json_object_get(j, "id")));
    json_decref(j);
}

static int setup(void **state)
{
    (void)state;
    char key[64];
    if (!make_data_dir(data_dir, sizeof data_dir) ||
        !admin_key_create(data_dir, key, sizeof key, NULL, 0))
        return -1;
    snprintf(operator_auth, sizeof operator_auth, "Authorization: Bearer %s", key);
    tenant_create_org(data_dir, "Self A", "ORGANIZATION", org_a, sizeof org_a);
    tenant_create_org(data_dir, "Self B", "ORGANIZATION", org_b, sizeof org_b);
    tenant_create_org(data_dir, "Bank", "CORPORATE", org_corp, sizeof org_corp);
    org_admin_create(org_a, a_admin_auth, sizeof a_admin_auth, NULL, 0);
    org_admin_create(org_b, b_admin_auth, sizeof b_admin_auth, NULL, 0);
    tenant_create_client(data_dir, org_b, "sswp:process:read", &b_client);
    return server_start(&srv, data_dir, NULL) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* A request to the admin API with the given Authorization header; body may be NULL. */
static void call(const char *auth, const char *method, const char *path, const char *body,
                 struct response *r)
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

/* Asserts the 404 an unknown organization gets, naming the id. */
static void assert_no_org(const struct response *r, const char *org)
{
    assert_error_object(r, 404, "NotFound");
    char want[128];
    snprintf(want, sizeof want, "No organization with id '%s'.", org);
    assert_string_equal(field(r, "message"), want);
}

static bool token_works(const struct client *c)
{
    char *t = tenant_issue_token(&srv, c);
    free(t);
    return t != NULL;
}

static void cli_makes_org_admins_for_self_managed_organizations_only(void **state)
{
    (void)state;
    char out[4096], err[4096];
    const char *corp[] = {"admin",  "org-admin", "create",      "--org", org_corp, "--data",
                          data_dir, "--json",    "--log-level", "error", NULL};
    assert_int_equal(run_signet(corp, out, sizeof out, err, sizeof err), 1);
    assert_non_null(strstr(err, "CORPORATE"));
    assert_string_equal(out, "");
    const char *unknown[] = {"admin",     "org-admin", "create", "--org",
                             UNKNOWN_ORG, "--data",    data_dir, NULL};
    assert_int_equal(run_signet(unknown, out, sizeof out, err, sizeof err), 1);
    assert_non_null(strstr(err, "no organization"));
    const char *no_org[] = {"admin", "org-admin", "create", "--data", data_dir, NULL};
    assert_int_equal(run_signet(no_org, out, sizeof out, err, sizeof err), 2);

    /* listed per organization, never with the key or its hash; not among operator keys */
    const char *list[] = {"admin",  "org-admin", "list",   "--org", org_a,
                          "--data", data_dir,    "--json", NULL};
    json_t *j = run_json(list);
    assert_int_equal(json_array_size(j), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "organization_id")),
                        org_a);
    char *text = json_dumps(j, 0);
    assert_null(strstr(text, "admin_key"));
    assert_null(strstr(text, "hash"));
    assert_null(strstr(text, a_admin_auth + strlen("Authorization: Bearer ")));
    free(text);
    json_decref(j);
    const char *keys[] = {"admin", "key", "list", "--data", data_dir, "--json", NULL};
    j = run_json(keys);
    assert_int_equal(json_array_size(j), 1); /* the operator's key only */
    json_decref(j);
}

static void operator_manages_org_admins_over_http(void **state)
{
    (void)state;
    struct response r;
    char path[256], id[64], auth[128];
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/admins", org_a);
    call(operator_auth, "POST", path, "{\"description\":\"HR lead\"}", &r);
    expect_status(&r, 201);
    snprintf(id, sizeof id, "%s", field(&r, "id"));
    assert_string_equal(field(&r, "organization_id"), org_a);
    assert_string_equal(field(&r, "description"), "HR lead");
    assert_true(json_is_null(json_object_get(r.json, "revoked")));
    assert_int_equal(strlen(field(&r, "admin_key")), 43);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", field(&r, "admin_key"));
    response_free(&r);

    call(operator_auth, "GET", path, NULL, &r);
    expect_status(&r, 200);
    json_t *admins = json_object_get(r.json, "admins");
    assert_true(array_has(admins, "id", id));
    assert_null(strstr(r.body, "admin_key"));
    assert_null(strstr(r.body, auth + strlen("Authorization: Bearer ")));
    response_free(&r);

    /* the new key works for its organization */
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/clients", org_a);
    call(auth, "GET", path, NULL, &r);
    expect_status(&r, 200);
    response_free(&r);

    /* CORPORATE: the operator issues its credentials; no organization admins */
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/admins", org_corp);
    call(operator_auth, "POST", path, NULL, &r);
    assert_error_object(&r, 409, "Conflict");
    assert_non_null(strstr(field(&r, "message"), "CORPORATE"));
    response_free(&r);
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/admins", UNKNOWN_ORG);
    call(operator_auth, "POST", path, NULL, &r);
    assert_no_org(&r, UNKNOWN_ORG);
    response_free(&r);
    call(operator_auth, "GET", path, NULL, &r);
    assert_no_org(&r, UNKNOWN_ORG);
    response_free(&r);

    /* revoked by the operator: refused at once; the id only under its own organization */
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/admins/%s/revoke", org_b, id);
    call(operator_auth, "POST", path, NULL, &r);
    assert_error_object(&r, 404, "NotFound");
    response_free(&r);
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/admins/%s/revoke", org_a, id);
    call(operator_auth, "POST", path, NULL, &r);
    expect_status(&r, 200);
    assert_string_equal(field(&r, "id"), id);
    assert_true(json_is_string(json_object_get(r.json, "revoked")));
    response_free(&r);
    call(operator_auth, "POST", path, NULL, &r);
    assert_error_object(&r, 409, "Conflict");
    response_free(&r);
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/clients", org_a);
    call(auth, "GET", path, NULL, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
}

static void org_admin_manages_its_own_clients_and_teams(void **state)
{
    (void)state;
    struct response r;
    char path[256];
    struct client c = {.token = NULL};
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/clients", org_a);
    call(a_admin_auth, "POST", path, "{\"description\":\"ERP\"}", &r);
    expect_status(&r, 201);
    assert_string_equal(field(&r, "organization_id"), org_a);
    /* a self-managed organization's default: every Sign API scope */
    assert_string_equal(field(&r, "scopes"),
                        "sswp:process:create sswp:process:read sswp:process:read:all");
    snprintf(c.id, sizeof c.id, "%s", field(&r, "client_id"));
    snprintf(c.secret, sizeof c.secret, "%s", field(&r, "client_secret"));
    response_free(&r);
    assert_true(token_works(&c));

    call(a_admin_auth, "GET", path, NULL, &r);
    expect_status(&r, 200);
    assert_true(array_has(json_object_get(r.json, "clients"), "client_id", c.id));
    assert_false(array_has(json_object_get(r.json, "clients"), "client_id", b_client.id));
    assert_null(strstr(r.body, c.secret));
    response_free(&r);

    /* revoke: the client's tokens stop at once */
    char *token = tenant_issue_token(&srv, &c);
    assert_non_null(token);
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/clients/%s/revoke", org_a, c.id);
    call(a_admin_auth, "POST", path, NULL, &r);
    expect_status(&r, 200);
    assert_true(json_is_string(json_object_get(r.json, "revoked")));
    response_free(&r);
    call(a_admin_auth, "POST", path, NULL, &r);
    assert_error_object(&r, 409, "Conflict");
    response_free(&r);
    struct client with_token = c;
    with_token.token = token;
    tenant_call(&srv, "GET", "/realms/signet/protocol/openid-connect/userinfo", &with_token, NULL,
                NULL, &r);
    expect_status(&r, 401);
    response_free(&r);
    free(token);
    assert_false(token_works(&c));

    /* the short revoke route acts within the caller's organization too */
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/clients", org_a);
    call(a_admin_auth, "POST", path, NULL, &r);
    expect_status(&r, 201);
    snprintf(c.id, sizeof c.id, "%s", field(&r, "client_id"));
    response_free(&r);
    snprintf(path, sizeof path, "/admin/v1/clients/%s/revoke", c.id);
    call(a_admin_auth, "POST", path, NULL, &r);
    expect_status(&r, 200);
    response_free(&r);

    /* teams */
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/teams", org_a);
    call(a_admin_auth, "POST", path, "{\"name\":\"Legal\"}", &r);
    expect_status(&r, 201);
    assert_string_equal(field(&r, "organizationId"), org_a);
    response_free(&r);
    call(a_admin_auth, "POST", path, "{\"name\":\"Legal\"}", &r);
    assert_error_object(&r, 409, "Conflict");
    response_free(&r);
    call(a_admin_auth, "GET", path, NULL, &r);
    expect_status(&r, 200);
    assert_true(array_has(json_object_get(r.json, "teams"), "name", "Legal"));
    response_free(&r);

    /* it sees its own organization only */
    call(a_admin_auth, "GET", "/admin/v1/organizations", NULL, &r);
    expect_status(&r, 200);
    json_t *orgs = json_object_get(r.json, "organizations");
    assert_int_equal(json_array_size(orgs), 1);
    assert_true(array_has(orgs, "id", org_a));
    response_free(&r);
}

static void another_organization_is_404_like_an_unknown_one(void **state)
{
    (void)state;
    struct response r, unknown;
    char path[256], unknown_path[256];
    /* every organization route, with B's id and with an unknown id */
    const struct {
        const char *method, *suffix, *body;
    } routes[] = {
        {"GET", "clients", NULL},
        {"POST", "clients", "{\"description\":\"intruder\"}"},
        {"GET", "teams", NULL},
        {"POST", "teams", "{\"name\":\"Intruders\"}"},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        snprintf(path, sizeof path, "/admin/v1/organizations/%s/%s", org_b, routes[i].suffix);
        snprintf(unknown_path, sizeof unknown_path, "/admin/v1/organizations/%s/%s", UNKNOWN_ORG,
                 routes[i].suffix);
        call(a_admin_auth, routes[i].method, path, routes[i].body, &r);
        assert_no_org(&r, org_b);
        call(a_admin_auth, routes[i].method, unknown_path, routes[i].body, &unknown);
        assert_no_org(&unknown, UNKNOWN_ORG);
        assert_string_equal(field(&r, "clientSubject"), field(&unknown, "clientSubject"));
        response_free(&r);
        response_free(&unknown);
    }
    /* B's client, by any revoke route: unknown to A's admin, and still working */
    const char *revoke_fmt[] = {"/admin/v1/clients/%s/revoke",
                                "/admin/v1/organizations/%s/clients/%s/revoke"};
    snprintf(path, sizeof path, revoke_fmt[0], b_client.id);
    call(a_admin_auth, "POST", path, NULL, &r);
    assert_error_object(&r, 404, "NotFound");
    response_free(&r);
    const char *orgs[] = {org_a, org_b};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, revoke_fmt[1], orgs[i], b_client.id);
        call(a_admin_auth, "POST", path, NULL, &r);
        assert_error_object(&r, 404, "NotFound");
        response_free(&r);
    }
    /* and B's admin only reaches B */
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/clients", org_a);
    call(b_admin_auth, "GET", path, NULL, &r);
    assert_no_org(&r, org_a);
    response_free(&r);
    assert_true(token_works(&b_client));
    call(operator_auth, "GET", "/admin/v1/organizations", NULL, &r);
    expect_status(&r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "organizations")), 3);
    response_free(&r);
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/clients", org_b);
    call(operator_auth, "GET", path, NULL, &r);
    expect_status(&r, 200);
    assert_false(array_has(json_object_get(r.json, "clients"), "description", "intruder"));
    response_free(&r);
}

static void operator_routes_are_403_for_org_admins(void **state)
{
    (void)state;
    struct response r;
    char path[256];
    call(a_admin_auth, "POST", "/admin/v1/organizations", "{\"name\":\"Mine\"}", &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/admins", org_a);
    call(a_admin_auth, "POST", path, NULL, &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    call(a_admin_auth, "GET", path, NULL, &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/admins/x/revoke", org_a);
    call(a_admin_auth, "POST", path, NULL, &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    /* nothing was created */
    call(operator_auth, "GET", "/admin/v1/organizations", NULL, &r);
    assert_false(array_has(json_object_get(r.json, "organizations"), "name", "Mine"));
    response_free(&r);
}

static void cli_revocation_acts_at_once(void **state)
{
    (void)state;
    char auth[128], id[64], path[256], out[4096], err[4096];
    struct response r;
    org_admin_create(org_b, auth, sizeof auth, id, sizeof id);
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/teams", org_b);
    call(auth, "GET", path, NULL, &r);
    expect_status(&r, 200);
    response_free(&r);
    const char *revoke[] = {"admin", "org-admin", "revoke", id, "--data", data_dir, "--json", NULL};
    json_t *j = run_json(revoke);
    assert_true(json_is_true(json_object_get(j, "revoked")));
    json_decref(j);
    call(auth, "GET", path, NULL, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
    assert_int_equal(run_signet(revoke, out, sizeof out, err, sizeof err), 1);
    assert_non_null(strstr(err, "already revoked"));
    /* an operator key is not an organization admin */
    char op_id[64];
    assert_true(admin_key_create(data_dir, NULL, 0, op_id, sizeof op_id));
    const char *not_org[] = {"admin", "org-admin", "revoke", op_id, "--data", data_dir, NULL};
    assert_int_equal(run_signet(not_org, out, sizeof out, err, sizeof err), 1);
    assert_non_null(strstr(err, "no organization admin"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cli_makes_org_admins_for_self_managed_organizations_only),
        cmocka_unit_test(operator_manages_org_admins_over_http),
        cmocka_unit_test(org_admin_manages_its_own_clients_and_teams),
        cmocka_unit_test(another_organization_is_404_like_an_unknown_one),
        cmocka_unit_test(operator_routes_are_403_for_org_admins),
        cmocka_unit_test(cli_revocation_acts_at_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
