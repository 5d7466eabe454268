/*
 * The eID method SRS_EID (docs/srs.md "eID"): Signet as an OpenID4VP verifier, driven by the
 * wallet simulator the tests ship (tests/tools/wallet_sim.mjs, node's crypto): a test issuer
 * (its JWKS given to `signet serve --srs-eid-issuers`) issues an SD-JWT VC identity credential
 * and the wallet presents it with a KB-JWT to the request_uri the eID page hands out.
 *   - the request object: unsigned (alg none), vp_token / direct_post, client_id with the
 *     redirect_uri prefix, DCQL for a dc+sd-jwt credential; state and nonce not stored in clear;
 *   - a valid presentation: AWAITING_TERMS with verified_claims (evidence electronic_record)
 *     from the disclosed claims, then SMS code and terms → ACTIVE;
 *   - refused with an Error object, the registration still waiting: wrong nonce, wrong
 *     audience, bad sd_hash, tampered disclosure, unknown issuer, expired credential; a replayed
 *     response (409); no state / unknown state; eID results via the partner callback (401).
 */
#include "tenant.h"

#include "core/b64.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FULL     "srs:registration:create srs:registration:read srs:identity:read"
#define MOBILE   "+41791239876"
#define REG_PATH "/srs/v1/registrations"

static struct server srv;
static char data_dir[256];
static char org[128];
static struct client cl;

static const char *xs(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static const char *source_dir(void)
{
    const char *s = getenv("SIGNET_SOURCE_DIR");
    return s ? s : ".";
}

static int setup(void **state)
{
    (void)state;
    char out[512], jwks[512];
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    /* The test issuer's key pair: the public JWKS is Signet's trusted issuer list. */
    if (sh_run(out, sizeof out, "node '%s/tests/tools/wallet_sim.mjs' issuer '%s'", source_dir(),
               data_dir) != 0)
        return -1;
    snprintf(jwks, sizeof jwks, "%s/issuer.jwks.json", data_dir);
    tenant_create_org(data_dir, "Org eID", "CORPORATE", org, sizeof org);
    tenant_create_client(data_dir, org, FULL, &cl);
    const char *args[] = {"--srs-eid-issuers", jwks, "--job-interval", "0", NULL};
    if (!server_start(&srv, data_dir, args))
        return -1;
    return (cl.token = tenant_issue_token(&srv, &cl)) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(cl.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

static void call_public(const char *method, const char *path, const char *body, struct response *r)
{
    const char *headers[] = {"Content-Type: application/json", NULL};
    assert_true(http(&srv, method, path, body ? headers : NULL, body, body ? strlen(body) : 0, r));
}

struct eid {
    char id[64];
    char link[256];  /* /srs/r/{token} */
    char order[128]; /* /srs/eid/{order} */
    char request_uri[512];
};

/* A registration for SRS_EID, the method chosen, the QR code asked for with MOBILE. */
static void start(struct eid *g)
{
    char path[320];
    struct response r;
    tenant_call(&srv, "POST", REG_PATH, &cl,
                "{\"methods\":[\"SRS_EID\"],\"jurisdiction\":\"CH\",\"level\":\"QUALIFIED\"}", NULL,
                &r);
    assert_int_equal(r.status, 201);
    snprintf(g->id, sizeof g->id, "%s", xs(r.json, "id"));
    snprintf(g->link, sizeof g->link, "%s", strstr(xs(r.json, "url"), "/srs/r/"));
    response_free(&r);
    snprintf(path, sizeof path, "%s/start", g->link);
    call_public("POST", path, "{\"method\":\"SRS_EID\"}", &r);
    assert_int_equal(r.status, 200);
    const char *tail = strstr(xs(r.json, "url"), "/srs/eid/");
    assert_non_null(tail);
    snprintf(g->order, sizeof g->order, "%s", tail);
    response_free(&r);
    snprintf(path, sizeof path, "%s/request", g->order);
    call_public("POST", path, "{\"mobile\":\"" MOBILE "\"}", &r);
    assert_int_equal(r.status, 200);
    const char *uri = xs(r.json, "requestUri");
    assert_non_null(uri);
    assert_non_null(strstr(uri, "/srs/openid4vp/request/"));
    assert_true(strncmp(xs(r.json, "deepLink"), "openid4vp://?client_id=redirect_uri%3Ahttp", 42) ==
                0);
    assert_non_null(strstr(xs(r.json, "deepLink"), "&request_uri=http"));
    assert_true(strncmp(xs(r.json, "qrCode"), "data:image/svg+xml;base64,", 26) == 0);
    snprintf(g->request_uri, sizeof g->request_uri, "%s", uri);
    response_free(&r);
}

/* The wallet simulator answers the request for kase; its answer's status and body. */
static json_t *wallet(const struct eid *g, const char *kase)
{
    char out[4096];
    int rc = sh_run(out, sizeof out, "node '%s/tests/tools/wallet_sim.mjs' present '%s' '%s' '%s'",
                    source_dir(), data_dir, g->request_uri, kase);
    if (rc != 0)
        fail_msg("wallet_sim %s: exit %d: %s", kase, rc, out);
    json_t *j = json_loads(out, 0, NULL);
    if (!j)
        fail_msg("wallet_sim %s: not JSON: %s", kase, out);
    return j;
}

static json_t *get_reg(const char *id, const char *suffix)
{
    char path[256];
    struct response r;
    snprintf(path, sizeof path, REG_PATH "/%s%s", id, suffix);
    tenant_call(&srv, "GET", path, &cl, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_incref(r.json);
    response_free(&r);
    return j;
}

static void sql(const char *statement, char *out, size_t out_len)
{
    assert_true(test_sql(data_dir, statement, out, out_len));
}

static void newest_sms(const char *kind, char *out, size_t len)
{
    char q[320];
    snprintf(q, sizeof q,
             "SELECT body FROM outbox WHERE recipient = '%s' AND kind = '%s' "
             "ORDER BY created_at DESC, %s DESC LIMIT 1",
             MOBILE, kind, test_sql_insert_order());
    sql(q, out, len);
    assert_true(out[0] != '\0');
}

static void code_from(const char *text, char code[7])
{
    for (const char *p = text; *p; p++) {
        size_t n = strspn(p, "0123456789");
        if (n == 6) {
            memcpy(code, p, 6);
            code[6] = '\0';
            return;
        }
        if (n)
            p += n - 1;
    }
    fail_msg("no code in: %s", text);
}

/* ---- tests ---- */

static void request_object_is_an_openid4vp_dcql_request(void **state)
{
    (void)state;
    struct eid g;
    struct response r;
    char out[256], q[256];
    start(&g);
    const char *path = strstr(g.request_uri, "/srs/openid4vp/request/");
    assert_true(http(&srv, "GET", path, NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "application/oauth-authz-req+jwt"));
    const char *d1 = strchr(r.body, '.');
    assert_non_null(d1);
    const char *d2 = strchr(d1 + 1, '.');
    assert_non_null(d2);
    assert_int_equal(d2[1], '\0'); /* unsigned: empty signature */
    unsigned char *raw = NULL;
    size_t raw_len = 0;
    assert_true(b64_decode(r.body, (size_t)(d1 - r.body), B64_URL, &raw, &raw_len));
    json_t *h = json_loadb((const char *)raw, raw_len, 0, NULL);
    free(raw);
    assert_string_equal(xs(h, "alg"), "none");
    json_decref(h);
    assert_true(b64_decode(d1 + 1, (size_t)(d2 - d1 - 1), B64_URL, &raw, &raw_len));
    json_t *p = json_loadb((const char *)raw, raw_len, 0, NULL);
    free(raw);
    response_free(&r);
    assert_string_equal(xs(p, "response_type"), "vp_token");
    assert_string_equal(xs(p, "response_mode"), "direct_post");
    char want[256];
    snprintf(want, sizeof want, "redirect_uri:%s/srs/openid4vp/response", srv.base);
    assert_string_equal(xs(p, "client_id"), want);
    assert_string_equal(xs(p, "response_uri"), want + strlen("redirect_uri:"));
    json_t *c = json_array_get(json_object_get(json_object_get(p, "dcql_query"), "credentials"), 0);
    assert_string_equal(xs(c, "format"), "dc+sd-jwt");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(c, "meta"), "vct_values"), 0)),
                        "urn:eudi:pid:1");
    assert_true(json_array_size(json_object_get(c, "claims")) >= 3);
    /* Neither the nonce nor the state is stored, only their hashes. */
    assert_true(strlen(xs(p, "nonce")) >= 32 && strlen(xs(p, "state")) >= 32);
    snprintf(q, sizeof q,
             "SELECT COUNT(*) FROM srs_eid_requests WHERE nonce_hash = '%s' OR state_hash = '%s'",
             xs(p, "nonce"), xs(p, "state"));
    sql(q, out, sizeof out);
    assert_string_equal(out, "0\n");
    json_decref(p);
    /* The partner callback endpoint takes no eID results. */
    const char *headers[] = {"Content-Type: application/json", "X-Signet-Signature: sha256=00",
                             NULL};
    assert_true(http(&srv, "POST", "/srs/partner/v1/eid/callback", headers, "{}", 2, &r));
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
}

static void presentation_identifies_and_registration_becomes_active(void **state)
{
    (void)state;
    struct eid g;
    struct response r;
    char path[512], sms[2048], code[7], body[256], version[80];
    start(&g);
    json_t *a = wallet(&g, "ok");
    assert_int_equal(json_integer_value(json_object_get(a, "status")), 200);
    json_decref(a);
    json_t *reg = get_reg(g.id, "");
    assert_string_equal(xs(reg, "status"), "AWAITING_TERMS");
    assert_string_equal(xs(reg, "method"), "SRS_EID");
    assert_non_null(strstr(xs(reg, "validUntil"), "2031-03-31"));       /* the document's expiry */
    assert_false(json_is_true(json_object_get(reg, "identityShared"))); /* no consent yet */
    assert_null(json_object_get(reg, "verified_claims"));
    json_decref(reg);
    /* Then the same steps as every method: SMS code to the given number, terms → ACTIVE. */
    snprintf(path, sizeof path, "%s/code", g.link);
    call_public("POST", path, NULL, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    newest_sms("CODE", sms, sizeof sms);
    code_from(sms, code);
    snprintf(path, sizeof path, "%s/verify", g.link);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    call_public("POST", path, body, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    newest_sms("SRS_TERMS", sms, sizeof sms);
    const char *t = strstr(sms, "/srs/terms/");
    assert_non_null(t);
    char terms[256];
    snprintf(terms, sizeof terms, "%.*s", (int)strcspn(t, " \n"), t);
    snprintf(path, sizeof path, "%s/state?lang=en", terms);
    call_public("GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(version, sizeof version, "%s", xs(r.json, "versionHash"));
    char consent_hash[80]; /* consent by default: identity data is read afterwards */
    snprintf(consent_hash, sizeof consent_hash, "%s", xs(r.json, "consentHash"));
    response_free(&r);
    snprintf(path, sizeof path, "%s/accept", terms);
    snprintf(body, sizeof body, "{\"versionHash\":\"%s\",\"consent\":true,\"consentHash\":\"%s\"}",
             version, consent_hash);
    call_public("POST", path, body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(xs(r.json, "status"), "ACTIVE");
    response_free(&r);
    /* With the person's consent: the identity from the disclosed claims. */
    reg = get_reg(g.id, "");
    json_t *vc = json_object_get(reg, "verified_claims");
    json_t *claims = json_object_get(vc, "claims");
    assert_string_equal(xs(claims, "given_name"), "Zora");
    assert_string_equal(xs(claims, "family_name"), "Quellmatt");
    assert_string_equal(xs(claims, "birthdate"), "1985-04-12");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(claims, "nationalities"), 0)), "CH");
    assert_string_equal(xs(claims, "phone_number"), MOBILE);
    json_t *ev =
        json_array_get(json_object_get(json_object_get(vc, "verification"), "evidence"), 0);
    assert_string_equal(xs(ev, "type"), "electronic_record");
    json_t *record = json_object_get(ev, "record");
    assert_string_equal(xs(record, "personal_number"), "E1234567");
    assert_string_equal(xs(json_object_get(record, "source"), "name"),
                        "https://eid-issuer.test.example");
    json_decref(reg);
    /* The page's state says the order is decided. */
    snprintf(path, sizeof path, "%s/state", g.order);
    call_public("GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "decided")));
    response_free(&r);
}

/* A refused presentation: the Error object says why; the registration still waits. */
static void refused(const char *kase, long status, const char *name, const char *message_part)
{
    struct eid g;
    start(&g);
    json_t *a = wallet(&g, kase);
    json_t *body = json_object_get(a, "body");
    if (json_integer_value(json_object_get(a, "status")) != status || !xs(body, "message") ||
        !strstr(xs(body, "message"), message_part))
        fail_msg("%s: expected %ld with \"%s\", got %s", kase, status, message_part,
                 json_dumps(a, JSON_COMPACT));
    assert_string_equal(xs(body, "name"), name);
    assert_non_null(xs(body, "id"));
    json_decref(a);
    json_t *reg = get_reg(g.id, "");
    assert_string_equal(xs(reg, "status"),
                        strcmp(kase, "replay") == 0 ? "AWAITING_TERMS" : "IN_IDENTIFICATION");
    json_decref(reg);
}

static void wrong_nonce_is_refused(void **state)
{
    (void)state;
    refused("wrong-nonce", 400, "Validation", "nonce");
}

static void wrong_audience_is_refused(void **state)
{
    (void)state;
    refused("wrong-aud", 400, "Validation", "audience");
}

static void bad_sd_hash_is_refused(void **state)
{
    (void)state;
    refused("bad-sd-hash", 400, "Validation", "sd_hash");
}

static void tampered_disclosure_is_refused(void **state)
{
    (void)state;
    refused("tampered-disclosure", 400, "Validation", "disclosure");
}

static void unknown_issuer_is_refused(void **state)
{
    (void)state;
    refused("unknown-issuer", 400, "Validation", "not a trusted eID issuer");
}

static void expired_credential_is_refused(void **state)
{
    (void)state;
    refused("expired", 400, "Validation", "expired");
}

static void replayed_response_is_refused(void **state)
{
    (void)state;
    refused("replay", 409, "Conflict", "already answered");
}

static void responses_without_a_known_state_are_refused(void **state)
{
    (void)state;
    struct response r;
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    const char *none = "vp_token=%7B%7D";
    assert_true(http(&srv, "POST", "/srs/openid4vp/response", headers, none, strlen(none), &r));
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    const char *unknown = "vp_token=%7B%7D&state=abc";
    assert_true(
        http(&srv, "POST", "/srs/openid4vp/response", headers, unknown, strlen(unknown), &r));
    assert_error_object(&r, 404, "NotFound");
    response_free(&r);
    assert_true(http(&srv, "GET", "/srs/openid4vp/request/nope", NULL, NULL, 0, &r));
    assert_error_object(&r, 404, "NotFound");
    response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_object_is_an_openid4vp_dcql_request),
        cmocka_unit_test(presentation_identifies_and_registration_becomes_active),
        cmocka_unit_test(wrong_nonce_is_refused),
        cmocka_unit_test(wrong_audience_is_refused),
        cmocka_unit_test(bad_sd_hash_is_refused),
        cmocka_unit_test(tampered_disclosure_is_refused),
        cmocka_unit_test(unknown_issuer_is_refused),
        cmocka_unit_test(expired_credential_is_refused),
        cmocka_unit_test(replayed_response_is_refused),
        cmocka_unit_test(responses_without_a_known_state_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
