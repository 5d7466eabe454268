/*
 * The token endpoint's abuse limits and an external issuer reached over HTTP, seen from
 * outside:
 *  - server A trusts server B as external issuer by B's issuer URL and B's JWKS URL: B's
 *    tokens work at A; after B's key is rotated with the CLI, a token under the new kid makes
 *    A fetch the JWKS again; once B's old key is retired, a token under it is refused; tokens
 *    of an untrusted issuer, or claiming B's issuer with another key, are refused.
 *    A's organizations must carry the ids B's tokens name, so B serves the same store (as two
 *    nodes of one installation would); A still learns B's keys only from B's JWKS URL.
 *  - the per-client limit is its own bucket: one client gets 429 + Retry-After while another
 *    client from the same address still gets tokens;
 *  - failed client authentications are logged (server stderr) with the client id but never
 *    the secret.
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

#define CERTS_PATH    "/realms/signet/protocol/openid-connect/certs"
#define USERINFO_PATH "/realms/signet/protocol/openid-connect/userinfo"
#define ALL_SCOPES    "sswp:process:create sswp:process:read sswp:process:read:all"

/* Servers a test starts; stopped by teardown even when the test fails. */
static struct server a, b, c;

static int teardown(void **state)
{
    (void)state;
    /* a and b share b's data directory: remove it once, last. Each must exit cleanly. */
    int failed = 0;
    if (a.pid > 0)
        failed |= server_stop(&a, true) != 0;
    if (c.pid > 0)
        failed |= server_stop(&c, false) != 0;
    if (b.pid > 0)
        failed |= server_stop(&b, false) != 0;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    return failed ? -1 : 0;
}

/* GET userinfo at s with token; the status. */
static long userinfo(const struct server *s, const char *token, struct response *r)
{
    char auth[9000];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    const char *h[] = {auth, NULL};
    assert_true(http(s, "GET", USERINFO_PATH, h, NULL, 0, r));
    return r->status;
}

static void expect_refused(const struct server *s, const char *token)
{
    struct response r;
    char www[512];
    if (userinfo(s, token, &r) != 401)
        fprintf(stderr, "expected 401, got %ld: %s\n", r.status, r.body);
    assert_error_object(&r, 401, "Unauthorized");
    assert_true(response_header(&r, "WWW-Authenticate", www, sizeof www));
    assert_non_null(strstr(www, "error=\"invalid_token\""));
    response_free(&r);
}

static void expect_accepted(const struct server *s, const char *token, const char *org,
                            const char *client_id)
{
    struct response r;
    if (userinfo(s, token, &r) != 200)
        fprintf(stderr, "expected 200, got %ld: %s\n", r.status, r.body);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "organization_id")), org);
    assert_string_equal(json_string_value(json_object_get(r.json, "client_id")), client_id);
    response_free(&r);
}

/* The kid of the store's current signing key (`signet admin jwk list`). */
static void current_kid(const char *dir, char *kid, size_t kid_len)
{
    const char *args[] = {"admin", "jwk", "list", "--data", dir, "--json", NULL};
    json_t *j = run_json(args);
    size_t i;
    json_t *k;
    kid[0] = '\0';
    json_array_foreach(j, i, k)
    {
        if (json_is_true(json_object_get(k, "current")))
            snprintf(kid, kid_len, "%s", json_string_value(json_object_get(k, "kid")));
    }
    json_decref(j);
    assert_true(kid[0] != '\0');
}

static void external_issuer_jwks_is_fetched_over_http(void **state)
{
    (void)state;
    char dir[256], org[64], issuer[256], jwks[256], old_kid[128], new_kid[128];
    struct client cl = {.token = NULL};
    assert_true(make_data_dir(dir, sizeof dir));
    tenant_create_org(dir, "Partner", "ORGANIZATION", org, sizeof org);
    tenant_create_client(dir, org, ALL_SCOPES, &cl);
    assert_true(server_start(&b, dir, NULL));
    snprintf(issuer, sizeof issuer, "%s/realms/signet", b.base);
    snprintf(jwks, sizeof jwks, "%s%s", b.base, CERTS_PATH);
    const char *trust_b[] = {"--external-issuer", issuer, "--external-jwks", jwks, NULL};
    assert_true(server_start(&a, dir, trust_b));
    current_kid(dir, old_kid, sizeof old_kid);

    /* B's token at A: checked with the key from B's JWKS URL */
    char *t1 = tenant_issue_token(&b, &cl);
    char *t_old = tenant_issue_token(&b, &cl); /* shown to A only after its key is gone */
    assert_non_null(t1);
    assert_non_null(t_old);
    expect_accepted(&a, t1, org, cl.id);

    /* B's operator rotates and retires the old key */
    const char *rotate[] = {"admin", "jwk", "rotate", "--data", dir, "--json", NULL};
    json_decref(run_json(rotate));
    current_kid(dir, new_kid, sizeof new_kid);
    assert_string_not_equal(new_kid, old_kid);
    const char *retire[] = {"admin", "jwk", "retire", old_kid, "--data", dir, "--json", NULL};
    json_decref(run_json(retire));
    struct response r;
    assert_true(http(&b, "GET", CERTS_PATH, NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, old_kid));
    assert_non_null(strstr(r.body, new_kid));
    response_free(&r);

    /* a token under the new kid: A fetches B's JWKS again and accepts it */
    char *t2 = tenant_issue_token(&b, &cl);
    assert_non_null(t2);
    expect_accepted(&a, t2, org, cl.id);
    /* the old key is gone from B's JWKS, so from A's copy too */
    expect_refused(&a, t_old);

    /* an issuer A does not trust */
    char cdir[256], corg[64];
    struct client ccl = {.token = NULL};
    assert_true(make_data_dir(cdir, sizeof cdir));
    tenant_create_org(cdir, "Stranger", "ORGANIZATION", corg, sizeof corg);
    tenant_create_client(cdir, corg, ALL_SCOPES, &ccl);
    assert_true(server_start(&c, cdir, NULL));
    char *t3 = tenant_issue_token(&c, &ccl);
    assert_non_null(t3);
    expect_refused(&a, t3);
    assert_int_equal(server_stop(&c, true), 0);
    /* the same stranger claiming to be B: its key is not in B's JWKS */
    const char *pose_as_b[] = {"--public-url", b.base, NULL};
    assert_true(server_start(&c, cdir, pose_as_b));
    char *t4 = tenant_issue_token(&c, &ccl);
    assert_non_null(t4);
    expect_refused(&a, t4);
    /* B's genuine token still works */
    expect_accepted(&a, t2, org, cl.id);
    free(t1);
    free(t_old);
    free(t2);
    free(t3);
    free(t4);
}

/* ---- token endpoint limits and logging ---- */

static void per_client_limit_is_separate_from_the_per_address_limit(void **state)
{
    (void)state;
    char dir[256], org[64];
    struct client one = {.token = NULL}, two = {.token = NULL};
    assert_true(make_data_dir(dir, sizeof dir));
    tenant_create_org(dir, "Acme", "ORGANIZATION", org, sizeof org);
    tenant_create_client(dir, org, ALL_SCOPES, &one);
    tenant_create_client(dir, org, ALL_SCOPES, &two);
    const char *limits[] = {"--token-rate",
                            "1000",
                            "--token-burst",
                            "1000",
                            "--token-client-rate",
                            "1",
                            "--token-client-burst",
                            "2",
                            NULL};
    assert_true(server_start(&b, dir, limits));
    /* client one spends its burst (2) and is then held back; the refill is 1 per second, so
     * the 429 comes within a few requests however slow the machine is */
    char body[512];
    snprintf(body, sizeof body, "grant_type=client_credentials&client_id=%s&client_secret=%s",
             one.id, one.secret);
    const char *h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    struct response r;
    int ok = 0;
    bool limited = false;
    for (int i = 0; i < 50 && !limited; i++) {
        assert_true(http(&b, "POST", TOKEN_PATH, h, body, strlen(body), &r));
        if (r.status == 200) {
            ok++;
        } else {
            assert_int_equal(r.status, 429);
            assert_string_equal(json_string_value(json_object_get(r.json, "error")), "slow_down");
            assert_non_null(
                strstr(json_string_value(json_object_get(r.json, "error_description")), "client"));
            char retry[16];
            assert_true(response_header(&r, "Retry-After", retry, sizeof retry));
            assert_string_equal(retry, "1");
            limited = true;
        }
        response_free(&r);
    }
    assert_true(limited);
    assert_true(ok >= 2);
    /* the same address, another client: its own bucket is full */
    char *t = tenant_issue_token(&b, &two);
    assert_non_null(t);
    free(t);
}

/* The whole file at path, owned. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap);
    assert_non_null(buf);
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 1024) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

static void failed_client_authentication_is_logged_without_the_secret(void **state)
{
    (void)state;
    char dir[256], org[64], log_path[300];
    struct client good = {.token = NULL}, revoked = {.token = NULL};
    assert_true(make_data_dir(dir, sizeof dir));
    tenant_create_org(dir, "Acme", "ORGANIZATION", org, sizeof org);
    tenant_create_client(dir, org, ALL_SCOPES, &good);
    tenant_create_client(dir, org, ALL_SCOPES, &revoked);
    const char *rev[] = {"admin", "client", "revoke", revoked.id, "--data", dir, NULL};
    char out[1024], err[1024];
    assert_int_equal(run_signet(rev, out, sizeof out, err, sizeof err), 0);
    snprintf(log_path, sizeof log_path, "%s/server.log", dir);
    /* everything the server logs, at the most talkative level */
    const char *debug[] = {"--log-level", "debug", NULL};
    assert_true(server_start_log(&b, dir, debug, log_path));

    const char *wrong = "Wr0ngSecretThatMustNeverBeLogged-aaaaaaaaaa";
    const char *h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    char body[1024], basic_hdr[1024], pair[512];
    struct response r;
    /* client_secret_post with a wrong secret */
    snprintf(body, sizeof body, "grant_type=client_credentials&client_id=%s&client_secret=%s",
             good.id, wrong);
    assert_true(http(&b, "POST", TOKEN_PATH, h, body, strlen(body), &r));
    assert_int_equal(r.status, 401);
    response_free(&r);
    /* the right secret of a revoked client */
    snprintf(body, sizeof body, "grant_type=client_credentials&client_id=%s&client_secret=%s",
             revoked.id, revoked.secret);
    assert_true(http(&b, "POST", TOKEN_PATH, h, body, strlen(body), &r));
    assert_int_equal(r.status, 401);
    response_free(&r);
    /* client_secret_basic with a wrong secret, and an unknown client */
    snprintf(pair, sizeof pair, "%s:%s", good.id, wrong);
    char *enc = b64_std((const unsigned char *)pair, strlen(pair));
    snprintf(basic_hdr, sizeof basic_hdr, "Authorization: Basic %s", enc);
    const char *hb[] = {h[0], basic_hdr, NULL};
    assert_true(http(&b, "POST", TOKEN_PATH, hb, "grant_type=client_credentials", 29, &r));
    assert_int_equal(r.status, 401);
    response_free(&r);
    snprintf(body, sizeof body,
             "grant_type=client_credentials&client_id=nobody-here&client_secret=%s", wrong);
    assert_true(http(&b, "POST", TOKEN_PATH, h, body, strlen(body), &r));
    assert_int_equal(r.status, 401);
    response_free(&r);
    /* and a success, whose secret must not be logged either */
    char *t = tenant_issue_token(&b, &good);
    assert_non_null(t);
    free(t);

    char *log = slurp(log_path);
    /* the failures are there, by client id ... */
    assert_non_null(strstr(log, "client authentication failed"));
    assert_non_null(strstr(log, good.id));
    assert_non_null(strstr(log, revoked.id));
    assert_non_null(strstr(log, "nobody-here"));
    /* ... the secrets are not, in any form */
    if (strstr(log, wrong) || strstr(log, revoked.secret) || strstr(log, good.secret) ||
        strstr(log, enc))
        fprintf(stderr, "the server log holds a secret:\n%s\n", log);
    assert_null(strstr(log, wrong));
    assert_null(strstr(log, revoked.secret));
    assert_null(strstr(log, good.secret));
    assert_null(strstr(log, enc));
    free(enc);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(external_issuer_jwks_is_fetched_over_http, teardown),
        cmocka_unit_test_teardown(per_client_limit_is_separate_from_the_per_address_limit,
                                  teardown),
        cmocka_unit_test_teardown(failed_client_authentication_is_logged_without_the_secret,
                                  teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
