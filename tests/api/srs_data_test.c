/*
 * SRS personal data: export, deletion and retention (docs/srs.md "Retention", "Export and
 * deletion"), seen from outside:
 *   - export: one JSON document with the person's registrations (same organization and verified
 *     mobile), their verified_claims, prefill, terms acceptance, audit trail and the signed
 *     evidence package, which verifies with `openssl cms -verify` under Signet's root; only with
 *     srs:identity:read and in the organization; every export and identity read is audited
 *     (who, which registration, what for) and shows in the trail;
 *   - deletion: refused while a registration of the person is in use (ACTIVE) or inside its
 *     retention (409 with the date it ends), done outside it for all of the person's
 *     registrations (data key destroyed): identity, evidence and export are then 410 Gone, the
 *     registration keeps its metadata, a repeated deletion is 200;
 *   - retention: `signet admin jobs run srs-retention --now …` ends the data of registrations
 *     past the jurisdiction's period (CH: 11 years from the end), not before; an ACTIVE one
 *     past validUntil is expired and counted from validUntil; the job is idempotent.
 * Times in the past are made by moving a registration's stored times (the service's clock
 * cannot be moved); the job is run with --now instead.
 */
#include "tenant.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define READ_ID  "srs:registration:create srs:registration:read srs:identity:read"
#define WITH_DEL READ_ID " srs:identity:delete"
#define SECRET   "test-partner-secret"
#define REG_PATH "/srs/v1/registrations"
#define YEAR_MS  ((int64_t)365 * 24 * 3600 * 1000)
#define DAY_MS   ((int64_t)24 * 3600 * 1000)

static struct server srv;
static char data_dir[256];
static char org_a[128], org_b[128];
static struct client a_read, a_del, a_noid, b_full;

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
    tenant_create_client(data_dir, org_a, READ_ID, &a_read);
    tenant_create_client(data_dir, org_a, WITH_DEL, &a_del);
    tenant_create_client(data_dir, org_a, "srs:registration:create srs:registration:read", &a_noid);
    tenant_create_client(data_dir, org_b, WITH_DEL, &b_full);
    const char *args[] = {"--srs-partner-secret", SECRET, "--job-interval", "0", NULL};
    if (!server_start(&srv, data_dir, args))
        return -1;
    struct client *all[] = {&a_read, &a_del, &a_noid, &b_full};
    for (size_t i = 0; i < 4; i++)
        if (!(all[i]->token = tenant_issue_token(&srv, all[i])))
            return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    struct client *all[] = {&a_read, &a_del, &a_noid, &b_full};
    for (size_t i = 0; i < 4; i++)
        free(all[i]->token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

static void call_public(const char *method, const char *path, const char *body, struct response *r)
{
    const char *headers[] = {"Content-Type: application/json", NULL};
    assert_true(http(&srv, method, path, body ? headers : NULL, body, body ? strlen(body) : 0, r));
}

/* One statement on the test's database (SQLite or PostgreSQL: test_sql). */
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

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void iso(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- a registration up to ACTIVE (video simulator) ---- */

#define APPROVAL_FMT                                                                               \
    "{\"decision\":\"APPROVE\",\"agent\":\"Agent Smith\",\"person\":{\"givenName\":\"Zora\","      \
    "\"familyName\":\"Quellmatt\",\"birthDate\":\"1985-04-12\",\"nationality\":\"CH\"},"           \
    "\"document\":{\"type\":\"PASSPORT\",\"number\":\"X1234567\",\"expiryDate\":\"2029-06-30\","   \
    "\"issuingCountry\":\"CH\"},\"mobile\":\"%s\"}"

static void newest_sms_to(const char *mobile, const char *kind, char *out, size_t len)
{
    char q[320];
    snprintf(q, sizeof q,
             "SELECT body FROM outbox WHERE recipient = '%s' AND kind = '%s' "
             "ORDER BY created_at DESC, %s DESC LIMIT 1",
             mobile, kind, test_sql_insert_order());
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

/* A registration of org A (jurisdiction CH or EU) for mobile, ACTIVE; its id into id. */
static void register_active(const char *jurisdiction, const char *mobile, char id[64])
{
    char body[1024], path[512], link[256], order[256], sms[2048], code[7], terms[256];
    char version[80];
    struct response r;
    snprintf(body, sizeof body,
             "{\"methods\":[\"SRS_VIDEO\"],\"jurisdiction\":\"%s\",\"level\":\"QUALIFIED\","
             "\"externalIdentifier\":\"crm-7\",\"person\":{\"givenName\":\"Zora\"}}",
             jurisdiction);
    tenant_call(&srv, "POST", REG_PATH, &a_read, body, NULL, &r);
    if (r.status != 201)
        fail_msg("create: %ld %s", r.status, r.body);
    snprintf(id, 64, "%s", xs(r.json, "id"));
    snprintf(link, sizeof link, "%s", strstr(xs(r.json, "url"), "/srs/r/"));
    response_free(&r);
    snprintf(path, sizeof path, "%s/start", link);
    call_public("POST", path, "{\"method\":\"SRS_VIDEO\"}", &r);
    assert_int_equal(r.status, 200);
    snprintf(order, sizeof order, "%s", strstr(xs(r.json, "url"), "/srs/sim/video/"));
    response_free(&r);
    snprintf(path, sizeof path, "%s/decide", order);
    snprintf(body, sizeof body, APPROVAL_FMT, mobile);
    call_public("POST", path, body, &r);
    if (r.status != 200)
        fail_msg("decide: %ld %s", r.status, r.body);
    response_free(&r);
    snprintf(path, sizeof path, "%s/code", link);
    call_public("POST", path, NULL, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    newest_sms_to(mobile, "CODE", sms, sizeof sms);
    code_from(sms, code);
    snprintf(path, sizeof path, "%s/verify", link);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    call_public("POST", path, body, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    newest_sms_to(mobile, "SRS_TERMS", sms, sizeof sms);
    const char *t = strstr(sms, "/srs/terms/");
    assert_non_null(t);
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
}

static void revoke(const char *id)
{
    char path[256];
    struct response r;
    snprintf(path, sizeof path, REG_PATH "/%s/revoke", id);
    tenant_call(&srv, "POST", path, &a_read, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
}

/* Moves a registration's stored times years back, as if it had been made and ended then. */
static void age(const char *id, int years)
{
    char q[512], out[64];
    long long d = (long long)years * YEAR_MS;
    snprintf(q, sizeof q,
             "UPDATE srs_registrations SET identified_at = identified_at - %lld, "
             "revoked_at = revoked_at - %lld, updated_at = updated_at - %lld, "
             "created_at = created_at - %lld, valid_until = valid_until - %lld, "
             "terms_accepted_at = terms_accepted_at - %lld WHERE id = '%s'",
             d, d, d, d, d, d, id);
    sql(q, out, sizeof out);
}

static long call(const struct client *c, const char *method, const char *id, const char *tail,
                 struct response *r)
{
    char path[256];
    snprintf(path, sizeof path, REG_PATH "/%s%s", id, tail);
    tenant_call(&srv, method, path, c, NULL, NULL, r);
    return r->status;
}

static long status_of(const struct client *c, const char *method, const char *id, const char *tail)
{
    struct response r;
    long s = call(c, method, id, tail, &r);
    response_free(&r);
    return s;
}

/* The number of audit entries of an export's registration with action (and actor). */
static int trail_count(const json_t *reg, const char *action, const char *actor)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(reg, "audit"), i, e)
    {
        if (!strcmp(xs(e, "action"), action) && (!actor || !strcmp(xs(e, "actor"), actor)))
            n++;
    }
    return n;
}

static void run_retention(int64_t at_ms, int64_t *items)
{
    char now[32], out[4096], err[4096];
    iso(at_ms, now);
    const char *args[] = {"admin", "jobs", "run", "srs-retention", "--json", "--data", data_dir,
                          "--now", now,    NULL};
    int rc = run_signet(args, out, sizeof out, err, sizeof err);
    if (rc != 0)
        fail_msg("signet admin jobs run srs-retention exited %d: %s %s", rc, out, err);
    json_t *j = json_loads(out, 0, NULL);
    json_t *job = json_array_get(j, 0);
    assert_string_equal(xs(job, "name"), "srs-retention");
    assert_string_equal(xs(job, "state"), "ran");
    *items = json_integer_value(json_object_get(job, "items"));
    json_decref(j);
}

/* ---- export ---- */

static void export_holds_the_persons_data_signed_and_audited(void **state)
{
    (void)state;
    char ch[64], eu[64], other[64], out[8192], file[512];
    struct response r;
    register_active("CH", "+41791000001", ch);
    register_active("EU", "+41791000001", eu);
    register_active("CH", "+41791000002", other); /* another person */

    assert_int_equal(status_of(&a_noid, "GET", ch, "/export"), 403); /* no srs:identity:read */
    assert_int_equal(status_of(&b_full, "GET", ch, "/export"), 404); /* another organization */
    assert_int_equal(status_of(&a_read, "GET", "nope", "/export"), 404);
    /* An identity read first: it shows in the trail. */
    assert_int_equal(status_of(&a_read, "GET", ch, ""), 200);

    assert_int_equal(call(&a_read, "GET", ch, "/export", &r), 200);
    assert_string_equal(xs(r.json, "type"), "signet-srs-export-v1");
    assert_string_equal(xs(r.json, "organizationId"), org_a);
    json_t *regs = json_object_get(r.json, "registrations");
    assert_int_equal(json_array_size(regs), 2); /* both of the person's, not the other's */
    assert_string_equal(xs(json_array_get(regs, 0), "id"), ch);
    assert_string_equal(xs(json_array_get(regs, 1), "id"), eu);
    size_t i;
    json_t *g;
    json_array_foreach(regs, i, g)
    {
        json_t *claims = json_object_get(json_object_get(g, "verified_claims"), "claims");
        assert_string_equal(xs(claims, "family_name"), "Quellmatt");
        assert_string_equal(xs(claims, "phone_number"), "+41791000001");
        assert_string_equal(xs(json_object_get(g, "person"), "givenName"), "Zora");
        json_t *terms = json_object_get(g, "termsAcceptance");
        assert_int_equal(strlen(xs(terms, "versionHash")), 64);
        assert_non_null(xs(terms, "acceptedAt"));
        assert_string_equal(xs(json_object_get(g, "evidence"), "encoding"), "base64");
        /* Who read it and why: this export, and for the CH one the identity read. */
        assert_int_equal(trail_count(g, "EXPORT", a_read.id), 1);
        assert_int_equal(trail_count(g, "STATUS:ACTIVE", NULL), 1);
    }
    assert_int_equal(trail_count(json_array_get(regs, 0), "IDENTITY_READ", a_read.id), 1);

    /* The evidence package verifies under Signet's root and names the registration. */
    snprintf(file, sizeof file, "%s/export-evidence.b64", data_dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs(xs(json_object_get(json_array_get(regs, 0), "evidence"), "data"), f);
    fclose(f);
    response_free(&r);
    int rc = sh_run(out, sizeof out,
                    "cd '%s' && curl -sf %s/pki/root.pem -o root.pem && openssl base64 -d -A "
                    "-in export-evidence.b64 -out export-evidence.der && openssl cms -verify "
                    "-inform DER -in export-evidence.der -CAfile root.pem 2>/dev/null",
                    data_dir, srv.base);
    assert_int_equal(rc, 0);
    json_t *ev = json_loads(out, 0, NULL);
    assert_non_null(ev);
    assert_string_equal(xs(ev, "type"), "signet-srs-evidence-v1");
    assert_string_equal(xs(ev, "registrationId"), ch);
    json_decref(ev);

    /* Every export is audited, in the store too. */
    assert_int_equal(status_of(&a_read, "GET", eu, "/export"), 200);
    assert_int_equal(sql_count("SELECT COUNT(*) FROM srs_audit WHERE registration_id = '%s' "
                               "AND action = 'EXPORT'",
                               ch),
                     2);
    assert_int_equal(sql_count("SELECT COUNT(*) FROM srs_audit WHERE registration_id = '%s' "
                               "AND action = 'EXPORT'",
                               other),
                     0);
}

/* ---- deletion ---- */

static void deletion_waits_for_the_end_of_use_and_retention(void **state)
{
    (void)state;
    char first[64], second[64], year[8];
    struct response r;
    register_active("CH", "+41791000003", first);
    register_active("CH", "+41791000003", second);

    assert_int_equal(status_of(&a_read, "DELETE", first, "/personal-data"), 403); /* scope */
    assert_int_equal(status_of(&b_full, "DELETE", first, "/personal-data"), 404);
    assert_int_equal(call(&a_del, "DELETE", first, "/personal-data", &r), 409);
    assert_non_null(strstr(xs(r.json, "message"), "revoke it first"));
    response_free(&r);

    /* Revoked now: inside the 11 years of CH, which end 11 years from today. */
    revoke(first);
    assert_int_equal(call(&a_del, "DELETE", first, "/personal-data", &r), 409);
    assert_non_null(strstr(xs(r.json, "message"), "retention"));
    char end[32];
    iso(now_ms() + 11 * YEAR_MS, end);
    snprintf(year, sizeof year, "%.4s-", end);
    assert_non_null(strstr(xs(r.json, "message"), year));
    response_free(&r);

    /* The operator's CLI refuses the same (exit 3, the reason on stderr). */
    char out[65536], err[4096];
    const char *del[] = {"admin", "srs",    "delete", "--registration",
                         first,   "--data", data_dir, NULL};
    assert_int_equal(run_signet(del, out, sizeof out, err, sizeof err), 3);
    assert_non_null(strstr(err, "inside its retention until"));

    /* Ended 12 years ago, but the person's other registration is still in use. */
    age(first, 12);
    assert_int_equal(call(&a_del, "DELETE", first, "/personal-data", &r), 409);
    assert_non_null(strstr(xs(r.json, "message"), second));
    response_free(&r);
    revoke(second);
    age(second, 12);
    /* The operator's export before: both registrations, the export audited as the operator. */
    const char *exp[] = {"admin", "srs",    "export", "--registration",
                         second,  "--data", data_dir, NULL};
    assert_int_equal(run_signet(exp, out, sizeof out, err, sizeof err), 0);
    json_t *doc = json_loads(out, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(json_array_size(json_object_get(doc, "registrations")), 2);
    assert_int_equal(trail_count(json_array_get(json_object_get(doc, "registrations"), 1), "EXPORT",
                                 "operator:cli"),
                     1);
    json_decref(doc);
    assert_int_equal(call(&a_del, "DELETE", first, "/personal-data", &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "deleted")), 2);
    response_free(&r);

    /* Nothing personal can be read any more; the metadata stays. */
    const char *ids[] = {first, second};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(call(&a_read, "GET", ids[i], "", &r), 200);
        assert_string_equal(xs(r.json, "status"), "REVOKED");
        assert_true(json_is_true(json_object_get(r.json, "personalDataDeleted")));
        assert_null(json_object_get(r.json, "verified_claims"));
        assert_null(json_object_get(r.json, "externalIdentifier"));
        response_free(&r);
        assert_int_equal(status_of(&a_read, "GET", ids[i], "/evidence"), 410);
        assert_int_equal(status_of(&a_read, "GET", ids[i], "/export"), 410);
        assert_int_equal(sql_count("SELECT COUNT(*) FROM srs_registrations WHERE id = '%s' AND "
                                   "length(data_key_wrapped) = 0 AND evidence_sealed IS NULL AND "
                                   "identity_sealed IS NULL AND mobile_lookup IS NULL AND "
                                   "data_ended_by = 'REQUEST'",
                                   ids[i]),
                         1);
        assert_int_equal(sql_count("SELECT COUNT(*) FROM srs_audit WHERE registration_id = '%s' "
                                   "AND action = 'DATA_DELETED'",
                                   ids[i]),
                         1);
    }
    /* Deleting again changes nothing. */
    assert_int_equal(call(&a_del, "DELETE", second, "/personal-data", &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "deleted")), 0);
    assert_int_equal(json_integer_value(json_object_get(r.json, "alreadyDeleted")), 1);
    response_free(&r);
}

/* ---- retention ---- */

static void retention_job_ends_the_data_after_the_period(void **state)
{
    (void)state;
    char revoked[64], active[64];
    int64_t items = 0, now = now_ms();
    register_active("CH", "+41791000004", revoked);
    register_active("CH", "+41791000005", active); /* valid until the document's 2029-06-30 */
    revoke(revoked);

    /* A year later: kept. */
    run_retention(now + YEAR_MS, &items);
    assert_int_equal(status_of(&a_read, "GET", revoked, "/evidence"), 200);

    /* 11 years and 5 days after the revocation: its data key is destroyed. */
    run_retention(now + 11 * YEAR_MS + 5 * DAY_MS, &items);
    assert_true(items >= 1);
    assert_int_equal(status_of(&a_read, "GET", revoked, "/evidence"), 410);
    assert_int_equal(status_of(&a_read, "GET", revoked, "/export"), 410);
    assert_int_equal(sql_count("SELECT COUNT(*) FROM srs_registrations WHERE id = '%s' AND "
                               "length(data_key_wrapped) = 0 AND data_ended_by = 'RETENTION'",
                               revoked),
                     1);
    assert_int_equal(sql_count("SELECT COUNT(*) FROM srs_audit WHERE registration_id = '%s' AND "
                               "action = 'RETENTION_ENDED' AND actor = 'system'",
                               revoked),
                     1);
    /* The ACTIVE one ended at its validUntil (2029-06-30): kept until 2040-06-30. */
    assert_int_equal(status_of(&a_read, "GET", active, "/evidence"), 200);

    /* Again: nothing more to do for the revoked one. */
    run_retention(now + 11 * YEAR_MS + 5 * DAY_MS, &items);
    assert_int_equal(sql_count("SELECT COUNT(*) FROM srs_audit WHERE registration_id = '%s' AND "
                               "action = 'RETENTION_ENDED'",
                               revoked),
                     1);

    /* 16 years on (after 2040-06-30) the ACTIVE one is expired and its data ended. */
    run_retention(now + 16 * YEAR_MS, &items);
    assert_true(items >= 1);
    struct response r;
    assert_int_equal(call(&a_read, "GET", active, "", &r), 200);
    assert_string_equal(xs(r.json, "status"), "EXPIRED");
    assert_true(json_is_true(json_object_get(r.json, "personalDataDeleted")));
    response_free(&r);
    assert_int_equal(status_of(&a_read, "GET", active, "/evidence"), 410);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(export_holds_the_persons_data_signed_and_audited),
        cmocka_unit_test(deletion_waits_for_the_end_of_use_and_retention),
        cmocka_unit_test(retention_job_ends_the_data_after_the_period),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
