/*
 * SRS Direct (docs/ra.md), seen from outside:
 *   - RA agents and registration points made with `signet admin ra-agent|ra-point`, a random
 *     initial password printed once;
 *   - agent sign-in: one answer for a wrong password and an unknown e-mail, the strict
 *     HttpOnly cookie, CSRF on POSTs, a lock after 5 failures (also for the right password);
 *   - a registration identified at a point: the customer's page shows a reference code, the
 *     agent opens it, a wrong MRZ check digit is refused naming "mrz", an MRZ that disagrees
 *     with the typed number names "document.number", an expired document is refused, the
 *     photo must be JPEG/PNG; submitted → AWAITING_TERMS with RA-signed evidence naming the
 *     agent; the person's SMS code entered on the agent's side → terms by SMS → ACTIVE;
 *   - four eyes at a point that demands it: the case waits; an AGENT cannot approve, the
 *     supervisor who identified cannot approve their own; a second supervisor can;
 *   - audit records name agents by id; the database holds no name or document number in clear.
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

#define FULL     "srs:registration:create srs:registration:read srs:identity:read"
#define API      "/ui/ra/api"
#define PASSWORD "correct horse battery"
#define MOBILE   "+41795550011"
#define MOBILE2  "+41795550022"

/* A Swiss ID card (TD1) and passport (TD3) of Anna Lea Müller, born 1985-04-12, valid to
 * 2031-06-30, with correct ICAO 9303 check digits (tests/unit/srs/mrz_test.c). */
#define ID_MRZ                                                                                     \
    "IDCHEE1234567<4<<<<<<<<<<<<<<<\\n8504124F3106305CHE<<<<<<<<<<<2\\nMUELLER<<ANNA<LEA<<<<<<<<<" \
    "<<<<"
#define ID_MRZ_BAD_DIGIT                                                                           \
    "IDCHEE1234567<5<<<<<<<<<<<<<<<\\n8504124F3106305CHE<<<<<<<<<<<2\\nMUELLER<<ANNA<LEA<<<<<<<<<" \
    "<<<<"
#define PASS_MRZ                                                                                   \
    "P<CHEMUELLER<<ANNA<LEA<<<<<<<<<<<<<<<<<<<<<<\\nX1234567<7CHE8504124F3106305<<<<<<<<<<<<<<<6"

static struct server srv;
static char data_dir[256];
static char org_a[128];
static struct client a_full;
static char point_open[64], point_four[64];
static char agent1_id[64], super1_id[64], super2_id[64], agent2_password[64];

struct browser {
    char cookie[128];
    char csrf[100];
};

static const char *xs(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static json_t *cli(const char *const *args)
{
    return run_json(args);
}

static void make_point(const char *name, bool four_eyes, char out[64])
{
    const char *args[] = {"admin",
                          "ra-point",
                          "create",
                          "--name",
                          name,
                          "--data",
                          data_dir,
                          "--log-level",
                          "error",
                          "--json",
                          four_eyes ? "--four-eyes" : NULL,
                          NULL};
    json_t *j = cli(args);
    snprintf(out, 64, "%s", xs(j, "id"));
    json_decref(j);
}

static void make_agent(const char *email, const char *role, const char *point, char id[64],
                       char initial[64])
{
    char pwfile[300];
    snprintf(pwfile, sizeof pwfile, "%s/pw.txt", data_dir);
    FILE *f = fopen(pwfile, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", PASSWORD);
    fclose(f);
    const char *args[20] = {"admin", "ra-agent", "create", "--email",     email,   "--role",
                            role,    "--data",   data_dir, "--log-level", "error", "--json"};
    size_t n = 12;
    if (point) {
        args[n++] = "--point";
        args[n++] = point;
    }
    if (!initial) {
        args[n++] = "--password-file";
        args[n++] = pwfile;
    }
    args[n] = NULL;
    json_t *j = cli(args);
    if (id)
        snprintf(id, 64, "%s", xs(j, "id"));
    if (initial) {
        assert_non_null(xs(j, "initial_password"));
        snprintf(initial, 64, "%s", xs(j, "initial_password"));
    } else {
        assert_null(json_object_get(j, "initial_password"));
    }
    json_decref(j);
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Org A", "CORPORATE", org_a, sizeof org_a);
    tenant_create_client(data_dir, org_a, FULL, &a_full);
    make_point("Zurich main station", false, point_open);
    make_point("Bern four eyes", true, point_four);
    make_agent("agent1@ra.example", "AGENT", NULL, agent1_id, NULL);
    make_agent("agent2@ra.example", "AGENT", NULL, NULL, agent2_password);
    make_agent("super1@ra.example", "SUPERVISOR", point_four, super1_id, NULL);
    make_agent("super2@ra.example", "SUPERVISOR", NULL, super2_id, NULL);
    make_agent("locked@ra.example", "AGENT", NULL, NULL, NULL);
    make_agent("admin@ra.example", "ADMIN", NULL, NULL, NULL);
    const char *args[] = {"--srs-partner-secret", "test-partner-secret", "--job-interval", "0",
                          NULL};
    if (!server_start(&srv, data_dir, args))
        return -1;
    return (a_full.token = tenant_issue_token(&srv, &a_full)) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(a_full.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

static void expect_status(const struct response *r, long status)
{
    if (r->status != status)
        fail_msg("expected status %ld, got %ld: %s", status, r->status, r->body);
}

/* A request as the app makes it (cookie and CSRF header of b; either may be missing). */
static void call_as(const struct browser *b, bool with_csrf, const char *method, const char *path,
                    const char *content_type, const void *body, size_t len, struct response *r)
{
    char cookie[160], csrf[140], type[80];
    const char *h[4];
    size_t n = 0;
    snprintf(type, sizeof type, "Content-Type: %s", content_type);
    h[n++] = type;
    if (b && b->cookie[0]) {
        snprintf(cookie, sizeof cookie, "Cookie: %s", b->cookie);
        h[n++] = cookie;
    }
    if (b && with_csrf) {
        snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", b->csrf);
        h[n++] = csrf;
    }
    h[n] = NULL;
    assert_true(http(&srv, method, path, h, body, len, r));
}

static void call(const struct browser *b, const char *method, const char *path, const char *body,
                 struct response *r)
{
    call_as(b, true, method, path, "application/json", body, body ? strlen(body) : 0, r);
}

static void sign_in(const char *email, const char *password, long status, struct browser *b,
                    struct response *out)
{
    char body[512];
    struct response r;
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    call(NULL, "POST", API "/login", body, &r);
    expect_status(&r, status);
    if (status == 200 && b) {
        char set_cookie[256];
        assert_true(response_header(&r, "Set-Cookie", set_cookie, sizeof set_cookie));
        size_t n = strcspn(set_cookie, ";");
        assert_true(n < sizeof b->cookie);
        memcpy(b->cookie, set_cookie, n);
        b->cookie[n] = '\0';
        snprintf(b->csrf, sizeof b->csrf, "%s", xs(r.json, "csrfToken"));
    }
    if (out)
        *out = r;
    else
        response_free(&r);
}

static void pick_point(const struct browser *b, const char *point, long status)
{
    char body[128];
    struct response r;
    snprintf(body, sizeof body, "{\"pointId\":\"%s\"}", point);
    call(b, "POST", API "/point", body, &r);
    expect_status(&r, status);
    response_free(&r);
}

static void sql(const char *statement, char *out, size_t out_len)
{
    assert_true(test_sql(data_dir, statement, out, out_len));
}

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

/* A registration offering SRS_DIRECT whose customer chose it: reference code into ref. */
static void registration_at_point(char id[64], char ref[16])
{
    struct response r;
    char path[400];
    tenant_call(&srv, "POST", "/srs/v1/registrations", &a_full,
                "{\"methods\":[\"SRS_DIRECT\"],\"jurisdiction\":\"CH\",\"level\":\"QUALIFIED\"}",
                NULL, &r);
    expect_status(&r, 201);
    snprintf(id, 64, "%s", xs(r.json, "id"));
    const char *link = strstr(xs(r.json, "url"), "/srs/r/");
    snprintf(path, sizeof path, "%s/start", link);
    response_free(&r);
    call(NULL, "POST", path, "{\"method\":\"SRS_DIRECT\"}", &r);
    expect_status(&r, 200);
    const char *visit = strstr(xs(r.json, "url"), "/srs/ra/");
    assert_non_null(visit);
    snprintf(path, sizeof path, "%s/state", visit);
    response_free(&r);
    /* The customer's page: the code to show at the point (the same on every visit). */
    call(NULL, "GET", path, NULL, &r);
    expect_status(&r, 200);
    snprintf(ref, 16, "%s", xs(r.json, "reference"));
    assert_int_equal(strlen(ref), 11);
    assert_int_equal(ref[5], '-');
    assert_non_null(strstr(xs(r.json, "qr"), "<svg"));
    response_free(&r);
    call(NULL, "GET", path, NULL, &r);
    assert_string_equal(xs(r.json, "reference"), ref);
    response_free(&r);
}

static json_t *get_registration(const char *id)
{
    char path[128];
    struct response r;
    snprintf(path, sizeof path, "/srs/v1/registrations/%s", id);
    tenant_call(&srv, "GET", path, &a_full, NULL, NULL, &r);
    expect_status(&r, 200);
    json_t *j = json_incref(r.json);
    response_free(&r);
    return j;
}

/* Opens the case of ref; its id into case_id. */
static void open_case(const struct browser *b, const char *ref, char case_id[64])
{
    char body[96];
    struct response r;
    snprintf(body, sizeof body, "{\"reference\":\"%s\"}", ref);
    call(b, "POST", API "/cases", body, &r);
    expect_status(&r, 200);
    assert_string_equal(xs(r.json, "status"), "OPEN");
    snprintf(case_id, 64, "%s", xs(r.json, "id"));
    response_free(&r);
}

static void document(const struct browser *b, const char *case_id, const char *type,
                     const char *number, const char *expiry, const char *mrz, long status,
                     const char *field)
{
    char path[160], body[1024];
    struct response r;
    snprintf(path, sizeof path, API "/cases/%s/document", case_id);
    snprintf(body, sizeof body,
             "{\"document\":{\"type\":\"%s\",\"number\":\"%s\",\"issuingCountry\":\"CH\","
             "\"expiryDate\":\"%s\"},\"person\":{\"givenName\":\"Anna Lea\","
             "\"familyName\":\"Müller\",\"birthDate\":\"1985-04-12\",\"nationality\":\"CH\"},"
             "\"mrz\":\"%s\"}",
             type, number, expiry, mrz);
    call(b, "POST", path, body, &r);
    expect_status(&r, status);
    if (field) {
        assert_error_object(&r, status, "Validation");
        const char *msg = xs(r.json, "message");
        if (!strstr(msg, field))
            fail_msg("expected the field %s in: %s", field, msg);
    }
    response_free(&r);
}

static void photo(const struct browser *b, const char *case_id, bool jpeg, long status)
{
    unsigned char img[200];
    char path[160];
    struct response r;
    memset(img, 0x41, sizeof img);
    if (jpeg) {
        img[0] = 0xff, img[1] = 0xd8, img[2] = 0xff, img[3] = 0xe0;
        img[198] = 0xff, img[199] = 0xd9;
    }
    snprintf(path, sizeof path, API "/cases/%s/photo", case_id);
    call_as(b, true, "POST", path, jpeg ? "image/jpeg" : "text/plain", img, sizeof img, &r);
    expect_status(&r, status);
    response_free(&r);
}

static void submit(const struct browser *b, const char *case_id, const char *mobile, long status,
                   const char *case_status)
{
    char path[160], body[96];
    struct response r;
    snprintf(path, sizeof path, API "/cases/%s/submit", case_id);
    snprintf(body, sizeof body, "{\"mobile\":\"%s\"}", mobile);
    call(b, "POST", path, body, &r);
    expect_status(&r, status);
    if (case_status)
        assert_string_equal(xs(r.json, "status"), case_status);
    response_free(&r);
}

/* The evidence package (DER CMS with the JSON encapsulated) holds needle. */
static bool evidence_holds(const char *id, const char *needle)
{
    char path[128];
    struct response r;
    snprintf(path, sizeof path, "/srs/v1/registrations/%s/evidence", id);
    tenant_call(&srv, "GET", path, &a_full, NULL, NULL, &r);
    expect_status(&r, 200);
    bool found = memmem(r.body, r.body_len, needle, strlen(needle)) != NULL;
    response_free(&r);
    return found;
}

/* The person of case_id (agent's device b) confirms the mobile with the SMS code, then accepts
 * the terms from the SMS link with the consent to share identity data (docs/srs.md
 * "Consent"): ACTIVE, the identity data and evidence readable by the service provider. */
static void person_accepts_terms(const struct browser *b, const char *case_id, const char *mobile)
{
    char path[512], sms[2048], code[7], body[256], terms[256], version[80], consent_hash[80];
    struct response r;
    snprintf(path, sizeof path, API "/cases/%s/code", case_id);
    call(b, "POST", path, NULL, &r);
    expect_status(&r, 200);
    response_free(&r);
    newest_sms_to(mobile, "CODE", sms, sizeof sms);
    code_from(sms, code);
    snprintf(path, sizeof path, API "/cases/%s/verify", case_id);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    call(b, "POST", path, body, &r);
    expect_status(&r, 200);
    response_free(&r);
    newest_sms_to(mobile, "SRS_TERMS", sms, sizeof sms);
    const char *t = strstr(sms, "/srs/terms/");
    assert_non_null(t);
    snprintf(terms, sizeof terms, "%.*s", (int)strcspn(t, " \n"), t);
    snprintf(path, sizeof path, "%s/state?lang=en", terms);
    call(NULL, "GET", path, NULL, &r);
    expect_status(&r, 200);
    snprintf(version, sizeof version, "%s", xs(r.json, "versionHash"));
    snprintf(consent_hash, sizeof consent_hash, "%s", xs(r.json, "consentHash"));
    response_free(&r);
    snprintf(path, sizeof path, "%s/accept", terms);
    snprintf(body, sizeof body, "{\"versionHash\":\"%s\",\"consent\":true,\"consentHash\":\"%s\"}",
             version, consent_hash);
    call(NULL, "POST", path, body, &r);
    expect_status(&r, 200);
    response_free(&r);
}

/* ---- tests ---- */

static void catalogue_offers_srs_direct(void **state)
{
    (void)state;
    struct response r;
    tenant_call(&srv, "GET", "/srs/v1/methods?jurisdiction=EU&level=ADVANCED", &a_full, NULL, NULL,
                &r);
    expect_status(&r, 200);
    bool found = false;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(r.json, "methods"), i, m)
    {
        if (strcmp(xs(m, "id"), "SRS_DIRECT") == 0) {
            found = true;
            const char *langs[] = {"en", "de", "fr", "it"};
            for (size_t k = 0; k < 4; k++)
                assert_non_null(xs(json_object_get(m, "name"), langs[k]));
        }
    }
    assert_true(found);
    response_free(&r);
}

static void agent_sign_in_session_and_csrf(void **state)
{
    (void)state;
    struct browser b = {0}, b2 = {0};
    struct response r, wrong, unknown;
    sign_in("agent1@ra.example", "wrong password!", 401, NULL, &wrong);
    sign_in("nobody@ra.example", PASSWORD, 401, NULL, &unknown);
    assert_string_equal(xs(wrong.json, "message"), xs(unknown.json, "message"));
    response_free(&wrong);
    response_free(&unknown);
    sign_in("AGENT1@ra.example", PASSWORD, 200, &b, &r);
    char set_cookie[256];
    assert_true(response_header(&r, "Set-Cookie", set_cookie, sizeof set_cookie));
    assert_non_null(strstr(set_cookie, "HttpOnly"));
    assert_non_null(strstr(set_cookie, "SameSite=Strict"));
    assert_non_null(strstr(set_cookie, "Path=/ui/ra"));
    assert_string_equal(xs(json_object_get(r.json, "agent"), "role"), "AGENT");
    assert_true(json_is_null(json_object_get(r.json, "point")));
    assert_int_equal(json_array_size(json_object_get(r.json, "points")), 2);
    response_free(&r);
    /* The initial password printed by the CLI works. */
    sign_in("agent2@ra.example", agent2_password, 200, &b2, NULL);
    /* CSRF: a POST without the header, or with another session's, is refused. */
    char body[128];
    snprintf(body, sizeof body, "{\"pointId\":\"%s\"}", point_open);
    call_as(&b, false, "POST", API "/point", "application/json", body, strlen(body), &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    snprintf(b.csrf, sizeof b.csrf, "%s", b2.csrf);
    call(&b, "POST", API "/point", body, &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    /* Without a cookie there is no session. */
    call(NULL, "GET", API "/session", NULL, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
    /* An agent bound to a point cannot pick another. */
    struct browser s1 = {0};
    sign_in("super1@ra.example", PASSWORD, 200, &s1, &r);
    assert_string_equal(xs(json_object_get(r.json, "point"), "id"), point_four);
    response_free(&r);
    pick_point(&s1, point_open, 403);
    /* Sign-out ends the session. */
    call(&b2, "POST", API "/logout", NULL, &r);
    expect_status(&r, 200);
    response_free(&r);
    call(&b2, "GET", API "/session", NULL, &r);
    expect_status(&r, 401);
    response_free(&r);
}

static void admin_creates_points_and_agents(void **state)
{
    (void)state;
    struct browser adm = {0}, ag = {0}, fresh = {0};
    struct response r;
    sign_in("admin@ra.example", PASSWORD, 200, &adm, NULL);
    call(&adm, "POST", API "/points", "{\"name\":\"Geneva airport\",\"fourEyes\":true}", &r);
    expect_status(&r, 201);
    assert_true(json_is_true(json_object_get(r.json, "fourEyes")));
    response_free(&r);
    call(&adm, "POST", API "/points", "{\"name\":\"Geneva airport\"}", &r);
    assert_error_object(&r, 409, "Conflict");
    response_free(&r);
    call(&adm, "POST", API "/agents", "{\"email\":\"new@ra.example\",\"role\":\"AGENT\"}", &r);
    expect_status(&r, 201);
    char initial[64];
    snprintf(initial, sizeof initial, "%s", xs(r.json, "initialPassword"));
    assert_int_equal(strlen(initial), 43);
    response_free(&r);
    sign_in("new@ra.example", initial, 200, &fresh, NULL);
    call(&adm, "POST", API "/agents", "{\"email\":\"x@ra.example\",\"role\":\"BOSS\"}", &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    /* An ADMIN identifies nobody; an AGENT manages nothing. */
    pick_point(&adm, point_open, 200);
    call(&adm, "POST", API "/cases", "{\"reference\":\"ABCDE-FGHJK\"}", &r);
    expect_status(&r, 404); /* no such code; a real one would be 403 */
    response_free(&r);
    sign_in("agent1@ra.example", PASSWORD, 200, &ag, NULL);
    call(&ag, "POST", API "/agents", "{\"email\":\"y@ra.example\",\"role\":\"AGENT\"}", &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    call(&ag, "POST", API "/points", "{\"name\":\"Mine\"}", &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
}

static void agent_lockout_after_five_failures(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++)
        sign_in("locked@ra.example", "not the password", 401, NULL, NULL);
    struct response r;
    sign_in("locked@ra.example", PASSWORD, 429, NULL, &r);
    char after[32];
    assert_true(response_header(&r, "Retry-After", after, sizeof after));
    assert_true(strtol(after, NULL, 10) > 0);
    response_free(&r);
    /* Other agents still sign in. */
    sign_in("agent2@ra.example", agent2_password, 200, NULL, NULL);
}

static void registration_at_a_point_becomes_active(void **state)
{
    (void)state;
    struct browser b = {0};
    struct response r;
    char reg_id[64], ref[16], case_id[64], path[400], typed[16], sms[2048], code[7];
    registration_at_point(reg_id, ref);
    sign_in("agent1@ra.example", PASSWORD, 200, &b, NULL);
    /* A case needs a point first. */
    snprintf(path, sizeof path, "{\"reference\":\"%s\"}", ref);
    call(&b, "POST", API "/cases", path, &r);
    assert_error_object(&r, 409, "Conflict");
    response_free(&r);
    pick_point(&b, point_open, 200);
    call(&b, "POST", API "/cases", "{\"reference\":\"ZZZZZ-ZZZZZ\"}", &r);
    expect_status(&r, 404);
    response_free(&r);
    /* Typed as people do: lower case, no dash. */
    snprintf(typed, sizeof typed, "%.5s%s", ref, ref + 6);
    for (char *p = typed; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    open_case(&b, typed, case_id);
    /* The registration waits for the agent's result. */
    json_t *reg = get_registration(reg_id);
    assert_string_equal(xs(reg, "status"), "IN_IDENTIFICATION");
    json_decref(reg);

    /* Submitting before the document and photo is refused. */
    submit(&b, case_id, MOBILE, 409, NULL);
    /* A wrong check digit in the MRZ: the field named. */
    document(&b, case_id, "ID_CARD", "E1234567", "2031-06-30", ID_MRZ_BAD_DIGIT, 400, "'mrz'");
    /* An MRZ that disagrees with the typed number. */
    document(&b, case_id, "ID_CARD", "E1234576", "2031-06-30", ID_MRZ, 400, "document.number");
    /* The typed expiry disagrees with the zone; an expired one is refused before. */
    document(&b, case_id, "ID_CARD", "E1234567", "2031-06-29", ID_MRZ, 400, "document.expiryDate");
    document(&b, case_id, "ID_CARD", "E1234567", "2020-01-31", ID_MRZ, 400, "expired");
    /* A passport's data with an ID card's zone. */
    document(&b, case_id, "PASSPORT", "E1234567", "2031-06-30", ID_MRZ, 400, "document.type");
    document(&b, case_id, "ID_CARD", "E1234567", "2031-06-30", ID_MRZ, 200, NULL);
    photo(&b, case_id, false, 400);
    photo(&b, case_id, true, 200);
    /* Another agent does not see the case. */
    struct browser b2 = {0};
    sign_in("agent2@ra.example", agent2_password, 200, &b2, NULL);
    snprintf(path, sizeof path, API "/cases/%s", case_id);
    call(&b2, "GET", path, NULL, &r);
    expect_status(&r, 404);
    response_free(&r);
    call(&b, "GET", path, NULL, &r);
    expect_status(&r, 200);
    assert_string_equal(xs(json_object_get(r.json, "document"), "number"), "E1234567");
    assert_true(json_is_true(json_object_get(r.json, "hasPhoto")));
    response_free(&r);
    snprintf(path, sizeof path, API "/cases/%s/photo", case_id);
    call(&b, "GET", path, NULL, &r);
    expect_status(&r, 200);
    assert_int_equal(r.body_len, 200);
    assert_int_equal((unsigned char)r.body[0], 0xff);
    response_free(&r);

    submit(&b, case_id, "0791234567", 400, NULL);
    submit(&b, case_id, MOBILE, 200, "DONE");
    reg = get_registration(reg_id);
    assert_string_equal(xs(reg, "status"), "AWAITING_TERMS");
    assert_string_equal(xs(reg, "method"), "SRS_DIRECT");
    json_decref(reg);
    /* No identity data for the service provider before the person's consent. */
    snprintf(path, sizeof path, "/srs/v1/registrations/%s/evidence", reg_id);
    tenant_call(&srv, "GET", path, &a_full, NULL, NULL, &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    char needle[128];

    /* The person's SMS code, entered on the agent's device. */
    snprintf(path, sizeof path, API "/cases/%s/verify", case_id);
    call(&b, "POST", path, "{\"code\":\"000000\"}", &r);
    expect_status(&r, 410); /* none sent yet */
    response_free(&r);
    snprintf(path, sizeof path, API "/cases/%s/code", case_id);
    call(&b, "POST", path, NULL, &r);
    expect_status(&r, 200);
    response_free(&r);
    newest_sms_to(MOBILE, "CODE", sms, sizeof sms);
    code_from(sms, code);
    snprintf(path, sizeof path, API "/cases/%s/verify", case_id);
    snprintf(needle, sizeof needle, "{\"code\":\"%s\"}", code);
    call(&b2, "POST", path, needle, &r); /* another agent's device: not theirs */
    expect_status(&r, 404);
    response_free(&r);
    call(&b, "POST", path, needle, &r);
    expect_status(&r, 200);
    response_free(&r);
    /* The terms of use by SMS, accepted on the person's phone → ACTIVE. */
    newest_sms_to(MOBILE, "SRS_TERMS", sms, sizeof sms);
    const char *t = strstr(sms, "/srs/terms/");
    assert_non_null(t);
    char terms[256], version[80], body[256];
    snprintf(terms, sizeof terms, "%.*s", (int)strcspn(t, " \n"), t);
    snprintf(path, sizeof path, "%s/state?lang=en", terms);
    call(NULL, "GET", path, NULL, &r);
    expect_status(&r, 200);
    snprintf(version, sizeof version, "%s", xs(r.json, "versionHash"));
    char consent_hash[80]; /* consent by default: identity data is read afterwards */
    snprintf(consent_hash, sizeof consent_hash, "%s", xs(r.json, "consentHash"));
    response_free(&r);
    snprintf(path, sizeof path, "%s/accept", terms);
    snprintf(body, sizeof body, "{\"versionHash\":\"%s\",\"consent\":true,\"consentHash\":\"%s\"}",
             version, consent_hash);
    call(NULL, "POST", path, body, &r);
    expect_status(&r, 200);
    response_free(&r);
    reg = get_registration(reg_id);
    assert_string_equal(xs(reg, "status"), "ACTIVE");
    json_decref(reg);
    /* The same evidence as a partner's, the agent as verifier. */
    snprintf(needle, sizeof needle, "\"agent\":\"ra-agent:%s\"", agent1_id);
    assert_true(evidence_holds(reg_id, needle));
    assert_true(evidence_holds(reg_id, "\"connector\":\"ra-direct\""));
    assert_true(evidence_holds(reg_id, "\"number\":\"E1234567\""));
    /* The identity: a document checked. */
    snprintf(path, sizeof path, "/srs/v1/registrations/%s", reg_id);
    tenant_call(&srv, "GET", path, &a_full, NULL, NULL, &r);
    json_t *ev = json_array_get(
        json_object_get(json_object_get(json_object_get(r.json, "verified_claims"), "verification"),
                        "evidence"),
        0);
    assert_string_equal(xs(ev, "type"), "document");
    assert_string_equal(xs(ev, "method"), "pipp"); /* physical in-person proofing */
    response_free(&r);

    /* The reference code is used up for other agents; its agent finds the case again. */
    snprintf(body, sizeof body, "{\"reference\":\"%s\"}", ref);
    pick_point(&b2, point_open, 200);
    call(&b2, "POST", API "/cases", body, &r);
    assert_error_object(&r, 409, "Conflict");
    response_free(&r);
    call(&b, "POST", API "/cases", body, &r);
    expect_status(&r, 200);
    assert_string_equal(xs(r.json, "status"), "DONE");
    assert_true(
        json_is_true(json_object_get(json_object_get(r.json, "registration"), "mobileVerified")));
    response_free(&r);
}

static void outside_partners_cannot_forge_in_person_results(void **state)
{
    (void)state;
    char reg_id[64], ref[16], order[64], body[1024], cmd[1400], mac[256], sig[300];
    struct response r;
    registration_at_point(reg_id, ref);
    json_t *reg = get_registration(reg_id);
    assert_string_equal(xs(reg, "status"), "IN_IDENTIFICATION");
    json_decref(reg);
    /* The order id is on the customer's page URL; the case table knows it by reference. */
    snprintf(cmd, sizeof cmd, "SELECT order_id FROM ra_cases WHERE reference = '%.5s%s'", ref,
             ref + 6);
    sql(cmd, order, sizeof order);
    order[strcspn(order, "\n")] = '\0';
    snprintf(body, sizeof body,
             "{\"orderId\":\"%s\",\"result\":\"APPROVED\",\"agent\":\"ra-agent:forged\","
             "\"identifiedAt\":\"2026-11-23T10:00:00Z\",\"person\":{\"givenName\":\"Eve\","
             "\"familyName\":\"Forger\",\"birthDate\":\"1980-01-01\",\"nationality\":\"CH\"},"
             "\"document\":{\"type\":\"PASSPORT\",\"number\":\"F1\",\"expiryDate\":\"2031-01-01\","
             "\"issuingCountry\":\"CH\"},\"mobile\":\"+41790000000\"}",
             order);
    /* Signed with the secret shared with outside partners (--srs-partner-secret). */
    snprintf(cmd, sizeof cmd,
             "printf '%%s' '%s' | openssl dgst -sha256 -hmac test-partner-secret -r | cut -c1-64",
             body);
    assert_int_equal(sh_run(mac, sizeof mac, "%s", cmd), 0);
    mac[strcspn(mac, "\n")] = '\0';
    assert_int_equal(strlen(mac), 64);
    snprintf(sig, sizeof sig, "X-Signet-Signature: sha256=%s", mac);
    const char *h[] = {"Content-Type: application/json", sig, NULL};
    assert_true(
        http(&srv, "POST", "/srs/partner/v1/ra-direct/callback", h, body, strlen(body), &r));
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
    reg = get_registration(reg_id);
    assert_string_equal(xs(reg, "status"), "IN_IDENTIFICATION");
    json_decref(reg);
}

static void four_eyes_needs_a_second_supervisor(void **state)
{
    (void)state;
    struct browser s1 = {0}, s2 = {0}, a1 = {0};
    struct response r;
    char reg_id[64], ref[16], case_id[64], path[200], needle[200];
    registration_at_point(reg_id, ref);
    sign_in("super1@ra.example", PASSWORD, 200, &s1, NULL); /* bound to the four-eyes point */
    open_case(&s1, ref, case_id);
    document(&s1, case_id, "PASSPORT", "X1234567", "2031-06-30", PASS_MRZ, 200, NULL);
    photo(&s1, case_id, true, 200);
    submit(&s1, case_id, MOBILE2, 200, "AWAITING_APPROVAL");
    json_t *reg = get_registration(reg_id);
    assert_string_equal(xs(reg, "status"), "IN_IDENTIFICATION");
    json_decref(reg);
    snprintf(path, sizeof path, API "/cases/%s/approve", case_id);
    /* The supervisor who identified cannot approve their own identification. */
    call(&s1, "POST", path, NULL, &r);
    assert_error_object(&r, 403, "Forbidden");
    assert_non_null(strstr(xs(r.json, "message"), "cannot approve"));
    response_free(&r);
    /* An AGENT cannot approve. */
    sign_in("agent1@ra.example", PASSWORD, 200, &a1, NULL);
    pick_point(&a1, point_four, 200);
    call(&a1, "POST", path, NULL, &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    /* A second supervisor at the point sees it waiting, with the data and photo, and approves. */
    sign_in("super2@ra.example", PASSWORD, 200, &s2, NULL);
    call(&s2, "POST", path, NULL, &r);
    expect_status(&r, 404); /* not at the point yet */
    response_free(&r);
    pick_point(&s2, point_four, 200);
    call(&s2, "GET", API "/cases/pending", NULL, &r);
    expect_status(&r, 200);
    json_t *first = json_array_get(json_object_get(r.json, "cases"), 0);
    assert_non_null(first);
    assert_string_equal(xs(first, "id"), case_id);
    response_free(&r);
    snprintf(needle, sizeof needle, API "/cases/%s", case_id);
    call(&s2, "GET", needle, NULL, &r);
    expect_status(&r, 200);
    assert_string_equal(xs(json_object_get(r.json, "document"), "type"), "PASSPORT");
    response_free(&r);
    call(&s2, "POST", path, NULL, &r);
    expect_status(&r, 200);
    assert_string_equal(xs(r.json, "status"), "DONE");
    assert_string_equal(xs(r.json, "approverId"), super2_id);
    response_free(&r);
    reg = get_registration(reg_id);
    assert_string_equal(xs(reg, "status"), "AWAITING_TERMS");
    json_decref(reg);
    person_accepts_terms(&s1, case_id, MOBILE2); /* with consent */
    snprintf(needle, sizeof needle, "\"agent\":\"ra-agent:%s approved-by:%s\"", super1_id,
             super2_id);
    assert_true(evidence_holds(reg_id, needle));
    /* Approving again changes nothing. */
    call(&s2, "POST", path, NULL, &r);
    expect_status(&r, 409);
    response_free(&r);
}

static void audit_names_agents_and_no_personal_data_in_clear(void **state)
{
    (void)state;
    char out[256], q[256];
    snprintf(q, sizeof q,
             "SELECT COUNT(*) FROM ra_audit WHERE agent_id = '%s' AND action = 'CASE_APPROVED'",
             super2_id);
    sql(q, out, sizeof out);
    assert_int_equal(strtol(out, NULL, 10), 1);
    snprintf(q, sizeof q,
             "SELECT COUNT(*) FROM ra_audit WHERE agent_id = '%s' AND action = 'CASE_SUBMITTED'",
             agent1_id);
    sql(q, out, sizeof out);
    assert_int_equal(strtol(out, NULL, 10), 1);
    assert_false(test_db_holds(data_dir, "Müller"));
    assert_false(test_db_holds(data_dir, "E1234567"));
    assert_false(test_db_holds(data_dir, "X1234567"));
    assert_false(test_db_holds(data_dir, "MUELLER"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue_offers_srs_direct),
        cmocka_unit_test(agent_sign_in_session_and_csrf),
        cmocka_unit_test(admin_creates_points_and_agents),
        cmocka_unit_test(agent_lockout_after_five_failures),
        cmocka_unit_test(registration_at_a_point_becomes_active),
        cmocka_unit_test(outside_partners_cannot_forge_in_person_results),
        cmocka_unit_test(four_eyes_needs_a_second_supervisor),
        cmocka_unit_test(audit_names_agents_and_no_personal_data_in_clear),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
