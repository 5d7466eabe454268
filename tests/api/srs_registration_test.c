/*
 * Smart Registration Service (issue 7, docs/srs.md), seen from outside:
 *   - the methods catalogue, filtered by jurisdiction and level, from the embedded config;
 *   - registrations: create/get/list/revoke with the srs:* scopes, organization from the
 *     token, another organization's registration is 404, Error objects on bad input;
 *   - the whole video flow over HTTP: method choice, the simulator agent approves, SMS code,
 *     terms link by SMS, acceptance → ACTIVE; identity as verified_claims only with
 *     srs:identity:read (each read audited); the evidence package verifies with
 *     `openssl cms -verify` under the root and the database holds no clear name;
 *   - partner callbacks: forged → 401, replayed → same answer without a second transition,
 *     a different result for a decided order → 409; a rejection → REJECTED;
 *   - bank identification (bank-sim): the simulated bank's page shows the reference transfer,
 *     a wrong bank login is refused, the confirmed transfer leads to ACTIVE with an
 *     "electronic_record" in verified_claims and the account in the evidence; the bank's
 *     callbacks are authenticated, idempotent, checked (reference, account's country); a name
 *     mismatch or a cancel → REJECTED;
 *   - one-time codes: wrong codes counted, 5 wrong → a new code is needed;
 *   - webhooks: each status change is POSTed with an HMAC signature by the srs-webhooks job,
 *     a refused delivery is retried;
 *   - a PKI stored before the registration authority existed gets its "ra" at the next start;
 *   - coupling to signing: the ACTIVE registration is found by the verified mobile number for
 *     its organization, jurisdiction and level only (srs_registration_for_signer, library).
 */
#include "tenant.h"

#include "core/config.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/masterkey.h"
#include "srs/registration.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define FULL     "srs:registration:create srs:registration:read srs:identity:read"
#define NO_ID    "srs:registration:create srs:registration:read"
#define SECRET   "test-partner-secret"
#define MOBILE   "+41791112233"
#define MOBILE2  "+41794445566" /* the bank tests' (codes are capped per number and hour) */
#define MOBILE3  "+41797778899" /* the consent test's */
#define REG_PATH "/srs/v1/registrations"

static struct server srv;
static char data_dir[256];
static char org_a[128], org_b[128];
static struct client a_full, a_noid, a_read, a_sign, b_full;

static const char *xs(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Org A", "CORPORATE", org_a, sizeof org_a);
    tenant_create_org(data_dir, "Org B", "CORPORATE", org_b, sizeof org_b);
    tenant_create_client(data_dir, org_a, FULL, &a_full);
    tenant_create_client(data_dir, org_a, NO_ID, &a_noid);
    tenant_create_client(data_dir, org_a, "srs:registration:read", &a_read);
    tenant_create_client(data_dir, org_a, "sswp:process:create", &a_sign);
    tenant_create_client(data_dir, org_b, FULL, &b_full);
    const char *args[] = {"--srs-partner-secret", SECRET, "--job-interval", "0", NULL};
    if (!server_start(&srv, data_dir, args))
        return -1;
    struct client *all[] = {&a_full, &a_noid, &a_read, &a_sign, &b_full};
    for (size_t i = 0; i < 5; i++)
        if (!(all[i]->token = tenant_issue_token(&srv, all[i])))
            return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    struct client *all[] = {&a_full, &a_noid, &a_read, &a_sign, &b_full};
    for (size_t i = 0; i < 5; i++)
        free(all[i]->token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* A JSON request without a token (end customer's pages, simulator). */
static void call_public(const char *method, const char *path, const char *body, struct response *r)
{
    const char *headers[] = {"Content-Type: application/json", NULL};
    assert_true(http(&srv, method, path, body ? headers : NULL, body, body ? strlen(body) : 0, r));
}

/* POSTs a partner callback body to connector with a signature header value (NULL: none). */
static void callback_to(const char *connector, const char *body, const char *signature,
                        struct response *r)
{
    char sig[160], path[128];
    snprintf(sig, sizeof sig, "X-Signet-Signature: %s", signature ? signature : "");
    snprintf(path, sizeof path, "/srs/partner/v1/%s/callback", connector);
    const char *headers[] = {"Content-Type: application/json", signature ? sig : NULL, NULL};
    assert_true(http(&srv, "POST", path, headers, body, strlen(body), r));
}

static void callback(const char *body, const char *signature, struct response *r)
{
    callback_to("video-sim", body, signature, r);
}

static void sign_body(const char *key, const char *body, char out[80])
{
    unsigned char mac[SHA256_LEN];
    assert_true(crypto_hmac_sha256(key, strlen(key), body, strlen(body), mac));
    memcpy(out, "sha256=", 7);
    crypto_hex(mac, sizeof mac, out + 7);
}

static void sql(const char *statement, char *out, size_t out_len)
{
    assert_true(test_sql(data_dir, statement, out, out_len));
}

static int64_t sql_count(const char *fmt, const char *arg)
{
    char q[512], out[64];
    snprintf(q, sizeof q, fmt, arg);
    sql(q, out, sizeof out);
    return strtoll(out, NULL, 10);
}

/* POSTs an authentic callback body to connector twice (the second a replay): both answer 200
 * with status, and registration id went to status once (one audit record). */
static void callback_applied_once(const char *connector, const char *body, const char *id,
                                  const char *status)
{
    char sig[80], q[256];
    struct response r;
    sign_body(SECRET, body, sig);
    for (int i = 0; i < 2; i++) {
        callback_to(connector, body, sig, &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(xs(r.json, "status"), status);
        response_free(&r);
    }
    snprintf(q, sizeof q,
             "SELECT COUNT(*) FROM srs_audit WHERE registration_id = '%%s' AND action = "
             "'STATUS:%s'",
             status);
    assert_int_equal(sql_count(q, id), 1);
}

struct reg {
    char id[64];
    char link[256]; /* /srs/r/{token} */
    char secret[80];
};

/* Creates a registration offering method in jurisdiction CH or EU at level (ADVANCED or
 * QUALIFIED); extra: more fields of the body (",\"person\":…") or NULL. */
static void create_for(const struct client *c, const char *method, const char *jurisdiction,
                       const char *level, const char *extra, struct reg *out)
{
    char body[1024];
    struct response r;
    snprintf(body, sizeof body,
             "{\"methods\":[\"%s\"],\"jurisdiction\":\"%s\",\"level\":\"%s\","
             "\"externalIdentifier\":\"crm-42\"%s}",
             method, jurisdiction, level, extra ? extra : "");
    tenant_call(&srv, "POST", REG_PATH, c, body, NULL, &r);
    if (r.status != 201)
        fail_msg("create: %ld %s", r.status, r.body);
    assert_string_equal(xs(r.json, "status"), "OPEN");
    assert_string_equal(xs(r.json, "jurisdiction"), jurisdiction);
    assert_string_equal(xs(r.json, "level"), level);
    assert_string_equal(xs(r.json, "externalIdentifier"), "crm-42");
    const char *url = xs(r.json, "url");
    assert_non_null(url);
    const char *tail = strstr(url, "/srs/r/");
    assert_non_null(tail);
    assert_true(strlen(tail) - 7 >= 43); /* 256-bit token in base64url */
    snprintf(out->id, sizeof out->id, "%s", xs(r.json, "id"));
    snprintf(out->link, sizeof out->link, "%s", tail);
    snprintf(out->secret, sizeof out->secret, "%s",
             xs(r.json, "webhookSecret") ? xs(r.json, "webhookSecret") : "");
    response_free(&r);
}

static void create(const struct client *c, const char *extra, struct reg *out)
{
    create_for(c, "SRS_VIDEO", "CH", "QUALIFIED", extra, out);
}

static json_t *get_reg(const struct client *c, const char *id, long status)
{
    char path[256];
    struct response r;
    snprintf(path, sizeof path, REG_PATH "/%s", id);
    tenant_call(&srv, "GET", path, c, NULL, NULL, &r);
    assert_int_equal(r.status, status);
    json_t *j = json_incref(r.json);
    response_free(&r);
    return j;
}

/* Chooses method on the end customer's page: the simulator's order path (sim_prefix…). */
static void start_method(const struct reg *g, const char *method, const char *sim_prefix,
                         char *order_path, size_t len)
{
    char path[320], body[96];
    struct response r;
    snprintf(path, sizeof path, "%s/start", g->link);
    snprintf(body, sizeof body, "{\"method\":\"%s\"}", method);
    call_public("POST", path, body, &r);
    if (r.status != 200)
        fail_msg("start %s: %ld %s", method, r.status, r.body);
    const char *tail = strstr(xs(r.json, "url"), sim_prefix);
    assert_non_null(tail);
    snprintf(order_path, len, "%s", tail);
    response_free(&r);
}

/* Chooses the video method on the end customer's page: the simulator's order path. */
static void start_video(const struct reg *g, char *order_path, size_t len)
{
    char path[320];
    struct response r;
    snprintf(path, sizeof path, "%s/state", g->link);
    call_public("GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *m = json_array_get(json_object_get(r.json, "methods"), 0);
    assert_string_equal(xs(m, "id"), "SRS_VIDEO");
    assert_string_equal(xs(json_object_get(m, "name"), "de"), "Video-Identifikation");
    response_free(&r);
    start_method(g, "SRS_VIDEO", "/srs/sim/video/", order_path, len);
}

#define APPROVAL                                                                                   \
    "{\"decision\":\"APPROVE\",\"agent\":\"Agent Smith\",\"person\":{\"givenName\":\"Zora\","      \
    "\"familyName\":\"Quellmatt\",\"birthDate\":\"1985-04-12\",\"nationality\":\"CH\"},"           \
    "\"document\":{\"type\":\"PASSPORT\",\"number\":\"X1234567\",\"expiryDate\":\"2029-06-30\","   \
    "\"issuingCountry\":\"CH\"},\"mobile\":\"" MOBILE "\"}"

/* POSTs body to the simulator's order_path + "/" + action (decide, confirm). */
static void sim_answer(const char *order_path, const char *action, const char *body, long status,
                       const char *expect)
{
    char path[320];
    struct response r;
    snprintf(path, sizeof path, "%s/%s", order_path, action);
    call_public("POST", path, body, &r);
    if (r.status != status)
        fail_msg("%s: %ld %s", action, r.status, r.body);
    if (expect)
        assert_string_equal(xs(r.json, "status"), expect);
    response_free(&r);
}

static void decide(const char *order_path, const char *body, long status, const char *expect)
{
    sim_answer(order_path, "decide", body, status, expect);
}

/* The newest SMS to mobile of a kind, its body into out. */
static void newest_sms_to(const char *mobile, const char *kind, char *out, size_t len)
{
    char q[256];
    snprintf(q, sizeof q,
             "SELECT body FROM outbox WHERE recipient = '%s' AND kind = '%s' "
             "ORDER BY created_at DESC, %s DESC LIMIT 1",
             mobile, kind, test_sql_insert_order());
    sql(q, out, len);
    assert_true(out[0] != '\0');
}

static void newest_sms(const char *kind, char *out, size_t len)
{
    newest_sms_to(MOBILE, kind, out, len);
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

/* Asks for a code on the end customer's page; the code of the SMS to mobile into code. */
static void send_code(const struct reg *g, const char *mobile, char code[7])
{
    char path[320], sms[2048];
    struct response r;
    snprintf(path, sizeof path, "%s/code", g->link);
    call_public("POST", path, NULL, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    newest_sms_to(mobile, "CODE", sms, sizeof sms);
    code_from(sms, code);
}

/* The terms link (/srs/terms/{token}) of the newest SMS to mobile. */
static void terms_link(const char *mobile, char *out, size_t len)
{
    char sms[2048];
    newest_sms_to(mobile, "SRS_TERMS", sms, sizeof sms);
    const char *t = strstr(sms, "/srs/terms/");
    assert_non_null(t);
    snprintf(out, len, "%.*s", (int)strcspn(t, " \n"), t);
    assert_true(strlen(out) - strlen("/srs/terms/") >= 43);
}

/* The evidence package of registration id (read with srs:identity:read), saved as name in the
 * data directory, verified with `openssl cms -verify` under the root: its JSON (owned). */
static json_t *verified_evidence(const char *id, const char *name)
{
    char path[400], file[512], out[8192];
    struct response r;
    snprintf(path, sizeof path, REG_PATH "/%s/evidence", id);
    tenant_call(&srv, "GET", path, &a_full, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(file, sizeof file, "%s/%s", data_dir, name);
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(r.body, 1, r.body_len, f), r.body_len);
    fclose(f);
    response_free(&r);
    int rc = sh_run(out, sizeof out,
                    "cd '%s' && curl -sf %s/pki/root.pem -o root.pem && openssl cms -verify "
                    "-inform DER -in '%s' -CAfile root.pem 2>/dev/null",
                    data_dir, srv.base, name);
    assert_int_equal(rc, 0);
    json_t *ev = json_loads(out, 0, NULL);
    assert_non_null(ev);
    return ev;
}

/* ---- catalogue ---- */

static void catalogue_lists_methods_by_jurisdiction_and_level(void **state)
{
    (void)state;
    struct response r;
    tenant_call(&srv, "GET", "/srs/v1/methods?jurisdiction=CH&level=QUALIFIED", &a_read, NULL, NULL,
                &r);
    assert_int_equal(r.status, 200);
    json_t *m = json_array_get(json_object_get(r.json, "methods"), 0);
    assert_string_equal(xs(m, "id"), "SRS_VIDEO");
    const char *langs[] = {"en", "de", "fr", "it"};
    for (size_t i = 0; i < 4; i++) {
        assert_non_null(xs(json_object_get(m, "name"), langs[i]));
        assert_non_null(xs(json_object_get(m, "description"), langs[i]));
    }
    assert_string_equal(xs(json_object_get(m, "validity"), "duration"), "P5Y");
    assert_true(
        json_is_true(json_object_get(json_object_get(m, "validity"), "limitedByDocumentExpiry")));
    assert_true(json_array_size(json_object_get(m, "requirements")) > 0);
    assert_null(json_object_get(m, "connector")); /* internal */
    response_free(&r);

    tenant_call(&srv, "GET", "/srs/v1/methods?jurisdiction=US", &a_read, NULL, NULL, &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    tenant_call(&srv, "GET", "/srs/v1/methods", NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    response_free(&r);
}

/* ---- registrations API ---- */

static void registrations_need_scopes_and_stay_in_their_organization(void **state)
{
    (void)state;
    struct response r;
    struct reg g;
    tenant_call(&srv, "POST", REG_PATH, &a_read,
                "{\"methods\":[\"SRS_VIDEO\"],\"jurisdiction\":\"CH\",\"level\":\"QUALIFIED\"}",
                NULL, &r);
    assert_int_equal(r.status, 403);
    response_free(&r);
    tenant_call(&srv, "GET", REG_PATH, &a_sign, NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    response_free(&r);

    tenant_call(&srv, "POST", REG_PATH, &a_full,
                "{\"methods\":[\"SRS_NOSUCH\"],\"jurisdiction\":\"CH\",\"level\":\"QUALIFIED\"}",
                NULL, &r);
    assert_error_object(&r, 400, "Validation");
    assert_non_null(strstr(xs(r.json, "message"), "methods[0]"));
    response_free(&r);
    tenant_call(&srv, "POST", REG_PATH, &a_full,
                "{\"methods\":[\"SRS_VIDEO\"],\"jurisdiction\":\"US\",\"level\":\"QUALIFIED\"}",
                NULL, &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);

    create(&a_full, NULL, &g);
    json_t *j = get_reg(&a_read, g.id, 200);
    assert_string_equal(xs(j, "status"), "OPEN");
    assert_null(json_object_get(j, "url")); /* the link only once */
    json_decref(j);
    j = get_reg(&b_full, g.id, 404);
    json_decref(j);

    tenant_call(&srv, "GET", REG_PATH, &a_read, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    bool found = false;
    json_t *list = json_object_get(r.json, "registrations");
    for (size_t i = 0; i < json_array_size(list); i++)
        found = found || !strcmp(xs(json_array_get(list, i), "id"), g.id);
    assert_true(found);
    response_free(&r);
    tenant_call(&srv, "GET", REG_PATH, &b_full, NULL, NULL, &r);
    list = json_object_get(r.json, "registrations");
    for (size_t i = 0; i < json_array_size(list); i++)
        assert_string_not_equal(xs(json_array_get(list, i), "id"), g.id);
    response_free(&r);

    char path[400];
    snprintf(path, sizeof path, REG_PATH "/%s/revoke", g.id);
    tenant_call(&srv, "POST", path, &b_full, NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    response_free(&r);
    tenant_call(&srv, "POST", path, &a_full, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(xs(r.json, "status"), "REVOKED");
    response_free(&r);
    tenant_call(&srv, "POST", path, &a_full, NULL, NULL, &r);
    assert_error_object(&r, 409, "Conflict");
    response_free(&r);
    /* A revoked registration's link no longer starts an identification. */
    snprintf(path, sizeof path, "%s/start", g.link);
    call_public("POST", path, "{\"method\":\"SRS_VIDEO\"}", &r);
    assert_int_equal(r.status, 409);
    response_free(&r);
}

/* ---- the whole flow ---- */

static void video_flow_reaches_active_with_signed_encrypted_evidence(void **state)
{
    (void)state;
    struct reg g;
    char order[256], code[7], path[512], out[8192];
    struct response r;
    create(&a_full, ",\"person\":{\"givenName\":\"Zora\",\"familyName\":\"Quellmatt\"}", &g);
    start_video(&g, order, sizeof order);
    json_t *j = get_reg(&a_read, g.id, 200);
    assert_string_equal(xs(j, "status"), "IN_IDENTIFICATION");
    assert_string_equal(xs(j, "method"), "SRS_VIDEO");
    json_decref(j);

    decide(order, APPROVAL, 200, "AWAITING_TERMS");
    j = get_reg(&a_noid, g.id, 200);
    assert_string_equal(xs(j, "status"), "AWAITING_TERMS");
    assert_null(json_object_get(j, "verified_claims"));
    /* Valid 5 years, but not beyond the passport's expiry (2029-06-30). */
    assert_string_equal(xs(j, "validUntil"), "2029-06-30T23:59:59Z");
    json_decref(j);
    assert_int_equal(sql_count("SELECT COUNT(*) FROM srs_audit WHERE registration_id = '%s' "
                               "AND action = 'IDENTITY_READ'",
                               g.id),
                     0);
    /* Before the person's consent (terms page): no identity data, the refusal audited. */
    j = get_reg(&a_full, g.id, 200);
    assert_null(json_object_get(j, "verified_claims"));
    assert_true(json_is_false(json_object_get(j, "identityShared")));
    json_decref(j);
    assert_int_equal(sql_count("SELECT COUNT(*) FROM srs_audit WHERE registration_id = '%s' "
                               "AND action = 'IDENTITY_READ_REFUSED'",
                               g.id),
                     1);

    /* Mobile verification: a wrong code, then the right one. */
    send_code(&g, MOBILE, code);
    snprintf(path, sizeof path, "%s/verify", g.link);
    char wrong[16];
    snprintf(wrong, sizeof wrong, "%06d", ((int)strtol(code, NULL, 10) + 1) % 1000000);
    char body[256];
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", wrong);
    call_public("POST", path, body, &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    call_public("POST", path, body, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    call_public("POST", path, body, &r); /* single use */
    assert_int_equal(r.status, 409);
    response_free(&r);

    /* The terms link arrives by SMS; accepting it records the version hash. */
    char terms[256];
    terms_link(MOBILE, terms, sizeof terms);
    snprintf(path, sizeof path, "%s/state?lang=de", terms);
    call_public("GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(xs(r.json, "text"), "Nutzungsbedingungen"));
    char version[80];
    snprintf(version, sizeof version, "%s", xs(r.json, "versionHash"));
    char consent_hash[80]; /* consent by default: identity data is read afterwards */
    snprintf(consent_hash, sizeof consent_hash, "%s", xs(r.json, "consentHash"));
    response_free(&r);
    snprintf(path, sizeof path, "%s/accept", terms);
    call_public("POST", path, "{\"versionHash\":\"0000\"}", &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    snprintf(body, sizeof body, "{\"versionHash\":\"%s\",\"consent\":true,\"consentHash\":\"%s\"}",
             version, consent_hash);
    call_public("POST", path, body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(xs(r.json, "status"), "ACTIVE");
    response_free(&r);
    call_public("POST", path, body, &r); /* single use */
    assert_int_equal(r.status, 409);
    response_free(&r);

    j = get_reg(&a_noid, g.id, 200);
    assert_string_equal(xs(j, "status"), "ACTIVE");
    assert_string_equal(xs(j, "termsVersionHash"), version);
    assert_non_null(xs(j, "termsAcceptedAt"));
    assert_non_null(xs(j, "mobileVerifiedAt"));
    json_decref(j);
    /* The consent was given with the acceptance: the identity data, the read audited. */
    j = get_reg(&a_full, g.id, 200);
    assert_true(json_is_true(json_object_get(j, "identityShared")));
    assert_string_equal(xs(j, "consentTextHash"), consent_hash);
    assert_string_equal(xs(j, "consentDecidedAt"), xs(j, "termsAcceptedAt"));
    json_t *vc = json_object_get(j, "verified_claims");
    assert_non_null(vc);
    json_t *claims = json_object_get(vc, "claims");
    assert_string_equal(xs(claims, "family_name"), "Quellmatt");
    assert_string_equal(xs(claims, "birthdate"), "1985-04-12");
    assert_string_equal(xs(json_object_get(vc, "verification"), "trust_framework"), "ch_zertes");
    json_decref(j);
    assert_int_equal(sql_count("SELECT COUNT(*) FROM srs_audit WHERE registration_id = '%s' "
                               "AND action = 'IDENTITY_READ'",
                               g.id),
                     1);
    assert_int_equal(sql_count("SELECT COUNT(*) FROM srs_audit WHERE registration_id = '%s' "
                               "AND action = 'CONSENT_GIVEN'",
                               g.id),
                     1);

    /* The evidence: CMS signed by the RA, verifiable under the root. */
    snprintf(path, sizeof path, REG_PATH "/%s/evidence", g.id);
    tenant_call(&srv, "GET", path, &a_noid, NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    response_free(&r);
    json_t *ev = verified_evidence(g.id, "evidence.der");
    assert_string_equal(xs(ev, "registrationId"), g.id);
    assert_string_equal(xs(ev, "agent"), "Agent Smith");
    assert_string_equal(xs(ev, "method"), "SRS_VIDEO");
    assert_string_equal(xs(json_object_get(ev, "person"), "familyName"), "Quellmatt");
    assert_string_equal(xs(json_object_get(ev, "document"), "number"), "X1234567");
    json_decref(ev);
    /* Canonical: the signed bytes are the sorted, compact serialisation. */
    int rc = sh_run(out, sizeof out,
                    "cd '%s' && openssl cms -verify -inform DER -in evidence.der -CAfile root.pem "
                    "2>/dev/null | head -c 40",
                    data_dir);
    assert_int_equal(rc, 0);
    assert_true(strncmp(out, "{\"agent\":\"Agent Smith\",\"connector\":", 35) == 0);
    rc = sh_run(out, sizeof out,
                "cd '%s' && openssl cms -cmsout -print -inform DER -in evidence.der | "
                "grep -c 'Signet Registration Authority'",
                data_dir);
    assert_int_equal(rc, 0);
    assert_true(strtol(out, NULL, 10) >= 1);
    assert_int_equal(sql_count("SELECT COUNT(*) FROM srs_audit WHERE registration_id = '%s' "
                               "AND action = 'EVIDENCE_READ'",
                               g.id),
                     1);

    /* Signing finds the registration by the verified mobile, for its scope only. */
    struct config cfg = {.data_dir = data_dir, .master_key_file = (char *)""};
    unsigned char mk[CRYPTO_KEY_LEN];
    struct store *st = NULL;
    assert_true(masterkey_load(&cfg, mk, out, sizeof out));
    char dsn[1024];
    assert_true(test_store_for(data_dir, dsn, sizeof dsn)); /* SQLite, or the server's schema */
    assert_int_equal(store_open(dsn, data_dir, &st, out, sizeof out), STORE_OK);
    struct srs_env env = {.store = st, .cfg = &cfg, .master_key = mk};
    struct srs_signer_identity id;
    assert_int_equal(srs_registration_for_signer(&env, org_a, MOBILE, "CH", "QUALIFIED", &id),
                     SRS_R_OK);
    assert_string_equal(id.given_name, "Zora");
    assert_string_equal(id.family_name, "Quellmatt");
    assert_string_equal(id.country, "CH");
    assert_string_equal(id.registration_id, g.id);
    assert_true(strncmp(id.serial_number, "SRS-", 4) == 0);
    assert_int_equal(srs_registration_for_signer(&env, org_a, MOBILE, "EU", "QUALIFIED", &id),
                     SRS_R_NOT_FOUND);
    assert_int_equal(srs_registration_for_signer(&env, org_b, MOBILE, "CH", "QUALIFIED", &id),
                     SRS_R_NOT_FOUND);
    assert_int_equal(
        srs_registration_for_signer(&env, org_a, "+41790000000", "CH", "QUALIFIED", &id),
        SRS_R_NOT_FOUND);
    store_close(st);

    /* No clear personal data in the database. */
    assert_false(test_db_holds(data_dir, "Quellmatt"));
    assert_false(test_db_holds(data_dir, "X1234567"));
    assert_false(test_db_holds(data_dir, "1985-04-12"));
}

/* ---- partner callbacks ---- */

static void callbacks_are_authenticated_and_idempotent(void **state)
{
    (void)state;
    struct reg g;
    char order[256], body[1024], sig[80];
    struct response r;
    create(&a_full, NULL, &g);
    start_video(&g, order, sizeof order);
    const char *order_id = order + strlen("/srs/sim/video/");
    snprintf(body, sizeof body,
             "{\"orderId\":\"%s\",\"result\":\"REJECTED\",\"agent\":\"Agent B\","
             "\"identifiedAt\":\"2026-01-01T10:00:00Z\",\"reason\":\"document not readable\"}",
             order_id);

    callback(body, NULL, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
    sign_body("wrong-secret", body, sig);
    callback(body, sig, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);

    callback_applied_once("video-sim", body, g.id, "REJECTED");
    json_t *j = get_reg(&a_full, g.id, 200);
    assert_string_equal(xs(j, "status"), "REJECTED");
    assert_string_equal(xs(j, "rejectionReason"), "document not readable");
    json_decref(j);

    /* A different result for the decided order (even authentic) changes nothing. */
    char other[1024];
    snprintf(other, sizeof other,
             "{\"orderId\":\"%s\",\"result\":\"REJECTED\",\"agent\":\"Agent B\","
             "\"identifiedAt\":\"2026-01-01T10:00:00Z\",\"reason\":\"other\"}",
             order_id);
    sign_body(SECRET, other, sig);
    callback(other, sig, &r);
    assert_error_object(&r, 409, "Conflict");
    response_free(&r);
    /* An unknown order. */
    snprintf(other, sizeof other,
             "{\"orderId\":\"00000000000000000000000000000000\",\"result\":\"REJECTED\","
             "\"agent\":\"A\",\"identifiedAt\":\"2026-01-01T10:00:00Z\",\"reason\":\"x\"}");
    sign_body(SECRET, other, sig);
    callback(other, sig, &r);
    assert_int_equal(r.status, 404);
    response_free(&r);
}

/* ---- bank identification ---- */

#define IBAN_CH "CH9300762011623852957"
#define BANK_PERSON                                                                                \
    ",\"person\":{\"givenName\":\"Lio\",\"familyName\":\"Brunnhalde\","                            \
    "\"iban\":\"CH93 0076 2011 6238 5295 7\",\"mobile\":\"" MOBILE2 "\"}"
/* What the account holder enters on the simulated bank's page (given name as a parameter). */
#define BANK_CONFIRM(given)                                                                        \
    "{\"action\":\"CONFIRM\",\"login\":\"simbank\",\"password\":\"simbank-test\","                 \
    "\"accountHolder\":{\"givenName\":\"" given "\",\"familyName\":\"Brunnhalde\","                \
    "\"birthDate\":\"1990-02-03\"},\"iban\":\"ch93 0076 2011 6238 5295 7\",\"mobile\":\"" MOBILE2  \
    "\"}"

/* The simulated bank's page state of order_path (owned). */
static json_t *bank_state(const char *order_path)
{
    char path[320];
    struct response r;
    snprintf(path, sizeof path, "%s/state", order_path);
    call_public("GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_incref(r.json);
    response_free(&r);
    return j;
}

/* The mobile code and the terms of use of an identified registration: ACTIVE, with the
 * person's consent to share identity data or not; the terms link into terms_out. */
static void finish_registration_consent(const struct reg *g, const char *mobile, bool consent,
                                        char terms_out[256])
{
    char code[7], path[512], body[256], terms[256], version[80];
    struct response r;
    send_code(g, mobile, code);
    snprintf(path, sizeof path, "%s/verify", g->link);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    call_public("POST", path, body, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    terms_link(mobile, terms, sizeof terms);
    snprintf(path, sizeof path, "%s/state?lang=en", terms);
    call_public("GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(version, sizeof version, "%s", xs(r.json, "versionHash"));
    char consent_hash[80]; /* consent by default: identity data is read afterwards */
    snprintf(consent_hash, sizeof consent_hash, "%s", xs(r.json, "consentHash"));
    response_free(&r);
    snprintf(path, sizeof path, "%s/accept", terms);
    snprintf(body, sizeof body, "{\"versionHash\":\"%s\",\"consent\":%s,\"consentHash\":\"%s\"}",
             version, consent ? "true" : "false", consent_hash);
    call_public("POST", path, body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(xs(r.json, "status"), "ACTIVE");
    response_free(&r);
    snprintf(terms_out, 256, "%s", terms);
}

/* The same, with consent: the default of the tests that read identity data afterwards. */
static void finish_registration(const struct reg *g, const char *mobile)
{
    char terms[256];
    finish_registration_consent(g, mobile, true, terms);
}

/* The answer's status of a GET of registration id + suffix by client c. */
static long get_status(const struct client *c, const char *id, const char *suffix, char *msg,
                       size_t msg_len)
{
    char path[256];
    struct response r;
    snprintf(path, sizeof path, REG_PATH "/%s%s", id, suffix);
    tenant_call(&srv, "GET", path, c, NULL, NULL, &r);
    long status = r.status;
    if (msg)
        snprintf(msg, msg_len, "%s",
                 r.json ? (xs(r.json, "message") ? xs(r.json, "message") : "") : "");
    response_free(&r);
    return status;
}

static int64_t audits(const char *id, const char *action)
{
    char q[512], out[64];
    snprintf(q, sizeof q,
             "SELECT COUNT(*) FROM srs_audit WHERE registration_id = '%s' AND action = '%s'", id,
             action);
    sql(q, out, sizeof out);
    return strtoll(out, NULL, 10);
}

/* Identity data reaches the service provider only with the person's consent, decided on the
 * terms page beside the acceptance (docs/srs.md "Consent"); it can be given later and
 * withdrawn; signing is not affected. */
static void identity_needs_the_persons_consent(void **state)
{
    (void)state;
    struct reg g;
    char order[256], terms[256], path[400], msg[512], hash[80], body[256];
    struct response r;
    create(&a_full, NULL, &g);
    start_video(&g, order, sizeof order);
    char approval[1024];
    snprintf(approval, sizeof approval, "%s", APPROVAL);
    char *m = strstr(approval, MOBILE);
    assert_non_null(m);
    memcpy(m, MOBILE3, strlen(MOBILE3)); /* same length */
    decide(order, approval, 200, "AWAITING_TERMS");

    /* The terms page names the organization in the consent text and gives its hash. */
    char code[7];
    send_code(&g, MOBILE3, code);
    snprintf(path, sizeof path, "%s/verify", g.link);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    call_public("POST", path, body, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    terms_link(MOBILE3, terms, sizeof terms);
    snprintf(path, sizeof path, "%s/state?lang=fr", terms);
    call_public("GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(xs(r.json, "consentText"), "J’accepte que Org A (le fournisseur"));
    assert_non_null(strstr(xs(r.json, "consentText"), "sert quand même à signer"));
    assert_int_equal(strlen(xs(r.json, "consentHash")), 64);
    assert_true(json_is_false(json_object_get(r.json, "identityShared")));
    char version[80];
    snprintf(version, sizeof version, "%s", xs(r.json, "versionHash"));
    snprintf(hash, sizeof hash, "%s", xs(r.json, "consentHash"));
    response_free(&r);
    /* Consent needs the hash of the text shown. */
    snprintf(path, sizeof path, "%s/accept", terms);
    snprintf(body, sizeof body, "{\"versionHash\":\"%s\",\"consent\":true}", version);
    call_public("POST", path, body, &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    snprintf(body, sizeof body,
             "{\"versionHash\":\"%s\",\"consent\":true,\"consentHash\":\"%064d\"}", version, 0);
    call_public("POST", path, body, &r);
    assert_error_object(&r, 400, "Validation");
    assert_non_null(strstr(xs(r.json, "message"), "consentHash"));
    response_free(&r);
    /* Accepted without the consent: ACTIVE, the decision recorded with the text's hash. */
    snprintf(body, sizeof body, "{\"versionHash\":\"%s\",\"consent\":false,\"consentHash\":\"%s\"}",
             version, hash);
    call_public("POST", path, body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(xs(r.json, "status"), "ACTIVE");
    assert_true(json_is_false(json_object_get(r.json, "identityShared")));
    response_free(&r);

    json_t *j = get_reg(&a_full, g.id, 200);
    assert_string_equal(xs(j, "status"), "ACTIVE");
    assert_true(json_is_false(json_object_get(j, "identityShared")));
    assert_null(json_object_get(j, "verified_claims"));
    assert_string_equal(xs(j, "consentTextHash"), hash);
    assert_string_equal(xs(j, "consentDecidedAt"), xs(j, "termsAcceptedAt"));
    json_decref(j);
    assert_int_equal(get_status(&a_full, g.id, "/evidence", msg, sizeof msg), 403);
    assert_non_null(strstr(msg, "not consented"));
    assert_int_equal(get_status(&a_full, g.id, "/export", msg, sizeof msg), 403);
    assert_non_null(strstr(msg, "not consented"));
    assert_int_equal(audits(g.id, "CONSENT_REFUSED"), 1);
    assert_int_equal(audits(g.id, "IDENTITY_READ_REFUSED"), 1);
    assert_int_equal(audits(g.id, "EVIDENCE_READ_REFUSED"), 1);
    assert_int_equal(audits(g.id, "EXPORT_REFUSED"), 1);
    assert_int_equal(
        audits(g.id, "IDENTITY_READ") + audits(g.id, "EVIDENCE_READ") + audits(g.id, "EXPORT"), 0);

    /* Given later with the same link: as if given at the acceptance. */
    snprintf(path, sizeof path, "%s/consent", terms);
    call_public("POST", path, "{\"consent\":true}", &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    snprintf(body, sizeof body, "{\"consent\":true,\"consentHash\":\"%s\"}", hash);
    call_public("POST", path, body, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "identityShared")));
    response_free(&r);
    j = get_reg(&a_full, g.id, 200);
    assert_true(json_is_true(json_object_get(j, "identityShared")));
    assert_string_equal(
        xs(json_object_get(json_object_get(j, "verified_claims"), "claims"), "family_name"),
        "Quellmatt");
    json_decref(j);
    assert_int_equal(get_status(&a_full, g.id, "/evidence", NULL, 0), 200);
    snprintf(path, sizeof path, REG_PATH "/%s/export", g.id);
    tenant_call(&srv, "GET", path, &a_full, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *consent =
        json_object_get(json_object_get(json_array_get(json_object_get(r.json, "registrations"), 0),
                                        "termsAcceptance"),
                        "consent");
    assert_true(json_is_true(json_object_get(consent, "given")));
    assert_string_equal(xs(consent, "textHash"), hash);
    response_free(&r);
    assert_int_equal(audits(g.id, "CONSENT_GIVEN"), 1);

    /* Withdrawn: no identity data any more; the registration stays ACTIVE for signing. */
    snprintf(path, sizeof path, "%s/consent", terms);
    call_public("POST", path, "{\"consent\":false}", &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    snprintf(path, sizeof path, "%s/state?lang=en", terms);
    call_public("GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_false(json_object_get(r.json, "identityShared")));
    response_free(&r);
    j = get_reg(&a_full, g.id, 200);
    assert_string_equal(xs(j, "status"), "ACTIVE");
    assert_true(json_is_false(json_object_get(j, "identityShared")));
    assert_null(json_object_get(j, "verified_claims"));
    json_decref(j);
    assert_int_equal(get_status(&a_full, g.id, "/evidence", NULL, 0), 403);
    assert_int_equal(get_status(&a_full, g.id, "/export", NULL, 0), 403);
    assert_int_equal(audits(g.id, "CONSENT_WITHDRAWN"), 1);
}

static void bank_flow_reaches_active_with_the_bank_record(void **state)
{
    (void)state;
    struct reg g;
    char order[256], reference[32];
    struct response r;
    tenant_call(&srv, "GET", "/srs/v1/methods?jurisdiction=CH&level=ADVANCED", &a_read, NULL, NULL,
                &r);
    json_t *m = NULL, *entry;
    size_t i;
    json_array_foreach(json_object_get(r.json, "methods"), i, entry)
    {
        if (!strcmp(xs(entry, "id"), "SRS_BANK"))
            m = entry;
    }
    assert_non_null(m);
    assert_string_equal(xs(json_object_get(m, "name"), "fr"), "Identification bancaire");
    assert_false(
        json_is_true(json_object_get(json_object_get(m, "validity"), "limitedByDocumentExpiry")));
    response_free(&r);

    create_for(&a_full, "SRS_BANK", "CH", "ADVANCED", BANK_PERSON, &g);
    start_method(&g, "SRS_BANK", "/srs/sim/bank/", order, sizeof order);
    /* The simulated bank shows the transfer to make and the registration's holder and IBAN. */
    json_t *s = bank_state(order);
    json_t *transfer = json_object_get(s, "transfer");
    assert_string_equal(xs(transfer, "amount"), "0.10");
    assert_string_equal(xs(transfer, "currency"), "CHF");
    assert_int_equal(strlen(xs(transfer, "reference")), 13);
    assert_true(strncmp(xs(transfer, "reference"), "SRS-", 4) == 0);
    snprintf(reference, sizeof reference, "%s", xs(transfer, "reference"));
    assert_string_equal(xs(json_object_get(s, "prefill"), "iban"), "CH93 0076 2011 6238 5295 7");
    assert_string_equal(xs(json_object_get(s, "prefill"), "familyName"), "Brunnhalde");
    json_decref(s);

    /* A wrong bank login reports nothing. */
    sim_answer(order, "confirm",
               "{\"action\":\"CONFIRM\",\"login\":\"simbank\",\"password\":\"guess\","
               "\"accountHolder\":{\"givenName\":\"Lio\",\"familyName\":\"Brunnhalde\"},"
               "\"iban\":\"" IBAN_CH "\",\"mobile\":\"" MOBILE2 "\"}",
               400, NULL);
    json_t *j = get_reg(&a_read, g.id, 200);
    assert_string_equal(xs(j, "status"), "IN_IDENTIFICATION");
    json_decref(j);

    sim_answer(order, "confirm", BANK_CONFIRM("lio"), 200, "AWAITING_TERMS");
    j = get_reg(&a_full, g.id, 200);
    /* Valid 2 years from the identification (no document to limit it). */
    const char *identified = xs(j, "identifiedAt"), *valid = xs(j, "validUntil");
    assert_string_equal(valid + 4, identified + 4);
    assert_int_equal(strtol(valid, NULL, 10) - strtol(identified, NULL, 10), 2);
    assert_null(json_object_get(j, "verified_claims")); /* before the person's consent */
    json_decref(j);

    finish_registration(&g, MOBILE2);
    j = get_reg(&a_full, g.id, 200);
    assert_string_equal(xs(j, "status"), "ACTIVE");
    json_t *verification = json_object_get(json_object_get(j, "verified_claims"), "verification");
    json_t *claims = json_object_get(json_object_get(j, "verified_claims"), "claims");
    json_t *ev = json_array_get(json_object_get(verification, "evidence"), 0);
    assert_string_equal(xs(verification, "assurance_level"), "advanced");
    assert_string_equal(xs(ev, "type"), "electronic_record");
    assert_null(json_object_get(ev, "document_details"));
    assert_string_equal(xs(json_object_get(ev, "record"), "type"), "bank_account");
    assert_string_equal(
        xs(json_object_get(json_object_get(ev, "record"), "source"), "country_code"), "CH");
    assert_string_equal(xs(json_array_get(json_object_get(ev, "check_details"), 0), "txn"),
                        reference);
    assert_string_equal(xs(claims, "given_name"), "lio"); /* as the bank knows the holder */
    assert_string_equal(xs(claims, "birthdate"), "1990-02-03");
    assert_null(json_object_get(claims, "nationalities")); /* the bank did not say */
    assert_string_equal(xs(claims, "phone_number"), MOBILE2);
    json_decref(j);

    /* The evidence package names the account and the transfer, signed by the RA. */
    json_t *e = verified_evidence(g.id, "bank-evidence.der");
    assert_string_equal(xs(e, "method"), "SRS_BANK");
    assert_string_equal(xs(e, "connector"), "bank-sim");
    assert_string_equal(xs(json_object_get(e, "account"), "iban"), IBAN_CH);
    assert_string_equal(xs(json_object_get(e, "account"), "reference"), reference);
    assert_null(json_object_get(e, "document"));
    json_decref(e);

    /* No clear IBAN or name in the database (prefill and identity are sealed). */
    assert_false(test_db_holds(data_dir, IBAN_CH));
    assert_false(test_db_holds(data_dir, "Brunnhalde"));
}

/* An approved bank result for order_id as a real bank would post it (iban, reference). */
static void bank_result(char *out, size_t len, const char *order_id, const char *iban,
                        const char *reference)
{
    snprintf(out, len,
             "{\"orderId\":\"%s\",\"result\":\"APPROVED\",\"agent\":\"Bank Z\","
             "\"identifiedAt\":\"2026-01-01T10:00:00Z\",\"accountHolder\":{\"givenName\":\"Ida\","
             "\"familyName\":\"Zeller\"},\"account\":{\"iban\":\"%s\",\"bankName\":\"Bank Z\"},"
             "\"transfer\":{\"reference\":\"%s\",\"amount\":\"0.10\",\"currency\":\"CHF\"},"
             "\"mobile\":\"" MOBILE2 "\"}",
             order_id, iban, reference);
}

static void bank_callbacks_are_authenticated_checked_and_idempotent(void **state)
{
    (void)state;
    struct reg g;
    char order[256], body[1024], other[1024], sig[80], reference[32];
    struct response r;
    create_for(&a_full, "SRS_BANK", "CH", "ADVANCED", NULL, &g);
    start_method(&g, "SRS_BANK", "/srs/sim/bank/", order, sizeof order);
    const char *order_id = order + strlen("/srs/sim/bank/");
    json_t *s = bank_state(order);
    snprintf(reference, sizeof reference, "%s", xs(json_object_get(s, "transfer"), "reference"));
    json_decref(s);

    bank_result(body, sizeof body, order_id, IBAN_CH, reference);
    callback_to("bank-sim", body, NULL, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
    sign_body("forged-secret", body, sig);
    callback_to("bank-sim", body, sig, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
    /* The video connector does not accept the bank's order. */
    sign_body(SECRET, body, sig);
    callback_to("video-sim", body, sig, &r);
    assert_int_equal(r.status, 400); /* not a video result */
    response_free(&r);

    /* Another order's reference, or an account outside the jurisdiction, is refused. */
    bank_result(other, sizeof other, order_id, IBAN_CH, "SRS-0000-0000");
    sign_body(SECRET, other, sig);
    callback_to("bank-sim", other, sig, &r);
    assert_error_object(&r, 400, "Validation");
    assert_non_null(strstr(xs(r.json, "message"), "transfer.reference"));
    response_free(&r);
    bank_result(other, sizeof other, order_id, "DE89370400440532013000", reference);
    sign_body(SECRET, other, sig);
    callback_to("bank-sim", other, sig, &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);

    callback_applied_once("bank-sim", body, g.id, "AWAITING_TERMS");
    /* A different result for the decided order (even authentic) changes nothing. */
    bank_result(other, sizeof other, order_id, "LI21088100002324013AA", reference);
    sign_body(SECRET, other, sig);
    callback_to("bank-sim", other, sig, &r);
    assert_error_object(&r, 409, "Conflict");
    response_free(&r);
    s = bank_state(order);
    assert_true(json_is_true(json_object_get(s, "decided")));
    json_decref(s);
}

static void bank_rejections_end_the_registration(void **state)
{
    (void)state;
    struct reg g, h;
    char order[256];
    struct response r;
    /* The bank's holder is not the person of the registration. */
    create_for(&a_full, "SRS_BANK", "CH", "ADVANCED", BANK_PERSON, &g);
    start_method(&g, "SRS_BANK", "/srs/sim/bank/", order, sizeof order);
    sim_answer(order, "confirm", BANK_CONFIRM("Mara"), 200, "REJECTED");
    json_t *j = get_reg(&a_read, g.id, 200);
    assert_string_equal(xs(j, "status"), "REJECTED");
    assert_non_null(strstr(xs(j, "rejectionReason"), "does not match"));
    json_decref(j);
    sim_answer(order, "confirm", BANK_CONFIRM("Lio"), 409, NULL);

    /* The person cancels at the bank (an EU registration: the transfer is in EUR). */
    create_for(&a_full, "SRS_BANK", "EU", "ADVANCED", NULL, &h);
    start_method(&h, "SRS_BANK", "/srs/sim/bank/", order, sizeof order);
    json_t *s = bank_state(order);
    assert_string_equal(xs(json_object_get(s, "transfer"), "currency"), "EUR");
    json_decref(s);
    sim_answer(order, "confirm", "{\"action\":\"CANCEL\"}", 200, "REJECTED");
    j = get_reg(&a_read, h.id, 200);
    assert_non_null(strstr(xs(j, "rejectionReason"), "cancelled"));
    json_decref(j);

    /* The default catalogue offers the bank method for ADVANCED only (docs/srs.md). */
    tenant_call(&srv, "POST", REG_PATH, &a_full,
                "{\"methods\":[\"SRS_BANK\"],\"jurisdiction\":\"CH\",\"level\":\"QUALIFIED\"}",
                NULL, &r);
    assert_error_object(&r, 400, "Validation");
    assert_non_null(strstr(xs(r.json, "message"), "does not serve"));
    response_free(&r);
}

static void wrong_codes_are_limited(void **state)
{
    (void)state;
    struct reg g;
    char order[256], path[400], sms[2048], code[7];
    struct response r;
    create(&a_full, NULL, &g);
    start_video(&g, order, sizeof order);
    decide(order, APPROVAL, 200, "AWAITING_TERMS");
    snprintf(path, sizeof path, "%s/verify", g.link);
    call_public("POST", path, "{\"code\":\"123456\"}", &r);
    assert_int_equal(r.status, 410); /* no code sent yet */
    response_free(&r);
    snprintf(path, sizeof path, "%s/code", g.link);
    call_public("POST", path, NULL, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    newest_sms("CODE", sms, sizeof sms);
    code_from(sms, code);
    snprintf(path, sizeof path, "%s/verify", g.link);
    char wrong[32];
    snprintf(wrong, sizeof wrong, "{\"code\":\"%06d\"}",
             ((int)strtol(code, NULL, 10) + 7) % 1000000);
    for (int i = 0; i < 4; i++) {
        call_public("POST", path, wrong, &r);
        assert_int_equal(r.status, 400);
        response_free(&r);
    }
    call_public("POST", path, wrong, &r);
    assert_int_equal(r.status, 429);
    response_free(&r);
    char right[32];
    snprintf(right, sizeof right, "{\"code\":\"%s\"}", code);
    call_public("POST", path, right, &r); /* the right code no longer counts */
    assert_int_equal(r.status, 429);
    response_free(&r);
}

/* ---- webhooks ---- */

struct sink {
    pid_t pid;
    int port;
    char out[300];
};

/* tests/api/notify_sinks.py as an HTTP receiver that refuses its first request. */
static void sink_start(struct sink *k)
{
    char script[512];
    int p[2];
    snprintf(k->out, sizeof k->out, "%s/webhook-sink.jsonl", data_dir);
    snprintf(script, sizeof script, "%s/tests/api/notify_sinks.py", getenv("SIGNET_SOURCE_DIR"));
    assert_int_equal(pipe(p), 0);
    k->pid = fork();
    if (k->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(p[1], STDOUT_FILENO);
        close(p[0]);
        close(p[1]);
        execlp("python3", "python3", script, "http", k->out, "--refuse-first", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    /* The sink prints its port once it listens: reading it is the synchronisation. */
    FILE *f = fdopen(p[0], "r");
    char line[32] = "";
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    k->port = (int)strtol(line, NULL, 10);
    assert_true(k->port > 0);
}

static void run_webhooks(int64_t at_ms)
{
    char now[ISO_DATETIME_LEN], out[4096], err[4096];
    iso_format_datetime(at_ms, false, now);
    const char *args[] = {"admin", "jobs", "run", "srs-webhooks", "--json", "--data", data_dir,
                          "--now", now,    NULL};
    int rc = run_signet(args, out, sizeof out, err, sizeof err);
    if (rc != 0)
        fail_msg("signet admin jobs run srs-webhooks exited %d: %s %s", rc, out, err);
}

static void status_changes_reach_the_webhook_signed(void **state)
{
    (void)state;
    struct sink k = {0};
    struct reg g;
    char extra[256], order[256];
    sink_start(&k);
    snprintf(extra, sizeof extra, ",\"webhookUrl\":\"http://127.0.0.1:%d/hook\"", k.port);
    create(&a_full, extra, &g);
    assert_int_equal(strlen(g.secret), 64);
    start_video(&g, order, sizeof order);
    decide(order, APPROVAL, 200, "AWAITING_TERMS");
    int64_t now = time_now_ms() + 1000;       /* --now has whole seconds */
    run_webhooks(now);                        /* the first POST is refused */
    run_webhooks(now + (int64_t)3600 * 1000); /* its retry is due */
    kill(k.pid, SIGTERM);
    waitpid(k.pid, NULL, 0);

    FILE *f = fopen(k.out, "r");
    assert_non_null(f);
    char line[8192];
    int seen_open = 0, seen_ident = 0, seen_terms = 0, records = 0;
    while (fgets(line, sizeof line, f)) {
        json_t *rec = json_loads(line, 0, NULL);
        assert_non_null(rec);
        records++;
        const char *body = xs(rec, "body");
        const char *sig = xs(json_object_get(rec, "headers"), "X-Signet-Signature");
        char expected[80];
        sign_body(g.secret, body, expected);
        assert_non_null(sig);
        assert_string_equal(sig, expected);
        json_t *b = json_loads(body, 0, NULL);
        assert_string_equal(xs(b, "registrationId"), g.id);
        assert_string_equal(xs(b, "externalIdentifier"), "crm-42");
        assert_null(json_object_get(b, "verified_claims")); /* no personal data */
        const char *status = xs(b, "status");
        seen_open += !strcmp(status, "OPEN");
        seen_ident += !strcmp(status, "IN_IDENTIFICATION");
        seen_terms += !strcmp(status, "AWAITING_TERMS");
        json_decref(b);
        json_decref(rec);
    }
    fclose(f);
    assert_int_equal(records, 4); /* three changes, one of them twice (refused, then sent) */
    assert_int_equal(seen_open + seen_ident + seen_terms, 4);
    assert_true(seen_open >= 1 && seen_ident >= 1 && seen_terms >= 1);
    assert_int_equal(sql_count("SELECT COUNT(*) FROM srs_webhooks WHERE registration_id = '%s' "
                               "AND status = 'SENT'",
                               g.id),
                     3);
}

/* ---- an operator's catalogue ---- */

static void operator_catalogue_replaces_the_default(void **state)
{
    (void)state;
    char dir[256], file[320], out[256];
    struct server s2;
    struct response r;
    assert_true(make_data_dir(dir, sizeof dir));
    snprintf(file, sizeof file, "%s/methods.json", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs("{\"methods\":[{\"id\":\"SRS_VIDEO_EU\",\"connector\":\"video-sim\","
          "\"name\":{\"en\":\"Video\",\"de\":\"Video\",\"fr\":\"Vidéo\",\"it\":\"Video\"},"
          "\"description\":{\"en\":\"d\",\"de\":\"d\",\"fr\":\"d\",\"it\":\"d\"},"
          "\"jurisdictions\":[\"EU\"],\"levels\":[\"ADVANCED\"],"
          "\"validity\":{\"duration\":\"P2Y\",\"limitedByDocumentExpiry\":true},"
          "\"requirements\":[\"ID_DOCUMENT\"],\"languages\":[\"en\"]}]}",
          f);
    fclose(f);
    struct client c = {0};
    char org[128];
    tenant_create_org(dir, "Org C", "CORPORATE", org, sizeof org);
    tenant_create_client(dir, org, FULL, &c);
    const char *args[] = {"--srs-methods-file", file, NULL};
    assert_true(server_start(&s2, dir, args));
    c.token = tenant_issue_token(&s2, &c);
    assert_non_null(c.token);
    tenant_call(&s2, "GET", "/srs/v1/methods?jurisdiction=EU", &c, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *m = json_object_get(r.json, "methods");
    assert_int_equal(json_array_size(m), 1);
    assert_string_equal(xs(json_array_get(m, 0), "id"), "SRS_VIDEO_EU");
    response_free(&r);
    tenant_call(&s2, "GET", "/srs/v1/methods?jurisdiction=CH", &c, NULL, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "methods")), 0);
    response_free(&r);
    tenant_call(&s2, "POST", REG_PATH, &c,
                "{\"methods\":[\"SRS_VIDEO_EU\"],\"jurisdiction\":\"CH\",\"level\":\"ADVANCED\"}",
                NULL, &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    free(c.token);
    assert_int_equal(server_stop(&s2, true), 0);

    /* A bad file stops the start, naming the field. */
    f = fopen(file, "w");
    assert_non_null(f);
    fputs("{\"methods\":[{\"id\":\"X\",\"connector\":\"nobody\"}]}", f);
    fclose(f);
    const char *serve[] = {"serve", "--data", dir, "--listen", "127.0.0.1:0", "--srs-methods-file",
                           file,    NULL};
    char err[1024];
    assert_int_equal(run_signet(serve, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "\"connector\""));
    sh_run(NULL, 0, "rm -rf '%s'", dir);
}

/* ---- the RA entity added to an older PKI ---- */

static void older_pki_gets_its_registration_authority(void **state)
{
    (void)state;
    char dir[256], out[4096];
    struct server s2;
    assert_true(make_data_dir(dir, sizeof dir));
    assert_true(server_start(&s2, dir, NULL));
    assert_int_equal(server_stop(&s2, true), 0);
    /* As a store written before "ra" existed. */
    assert_true(test_sql(dir,
                         "DELETE FROM pki_entities WHERE name = 'ra'; "
                         "SELECT COUNT(*) FROM pki_entities",
                         out, sizeof out));
    assert_string_equal(out, "6\n");
    assert_true(server_start(&s2, dir, NULL));
    int rc = sh_run(out, sizeof out,
                    "cd '%s' && curl -sf %s/pki/root.pem -o root.pem && curl -sf %s/pki/ra.pem "
                    "-o ra.pem && openssl verify -CAfile root.pem ra.pem && openssl x509 -in "
                    "ra.pem -noout -subject",
                    dir, s2.base, s2.base);
    assert_int_equal(server_stop(&s2, false), 0);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "Signet Registration Authority"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue_lists_methods_by_jurisdiction_and_level),
        cmocka_unit_test(registrations_need_scopes_and_stay_in_their_organization),
        cmocka_unit_test(video_flow_reaches_active_with_signed_encrypted_evidence),
        cmocka_unit_test(callbacks_are_authenticated_and_idempotent),
        cmocka_unit_test(bank_flow_reaches_active_with_the_bank_record),
        cmocka_unit_test(bank_callbacks_are_authenticated_checked_and_idempotent),
        cmocka_unit_test(bank_rejections_end_the_registration),
        cmocka_unit_test(wrong_codes_are_limited),
        cmocka_unit_test(identity_needs_the_persons_consent),
        cmocka_unit_test(status_changes_reach_the_webhook_signed),
        cmocka_unit_test(operator_catalogue_replaces_the_default),
        cmocka_unit_test(older_pki_gets_its_registration_authority),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
