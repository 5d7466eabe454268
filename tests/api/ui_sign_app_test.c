/*
 * The signature method APP on the signer pages (docs/signer-pages.md, sign/page_app.h), driven
 * over HTTP against the real binary like the page would (cookie, X-CSRF-Token). The test plays
 * the authenticator app: it decodes the base32 secret the enrolment shows and computes the
 * TOTP codes itself (RFC 6238 with core/crypto.h's HOTP, which tests/unit/core/crypto_test.c
 * checks against the RFC's vectors).
 *   - a process that allows APP offers it; signing before enrolment is refused;
 *   - the enrolment shows a secret, an otpauth URI and a QR code (SVG), the same again until it
 *     is confirmed; the secret is stored sealed, never in clear;
 *   - the first valid code confirms it; that code is refused when used again (replay), the next
 *     step's code signs: SIGNED with certificateName and certificateMatch MATCH;
 *   - 5 wrong codes lock APP for the session (even the right code), audit "sign" FAIL records.
 */
#include "tenant.h"

#include "core/base32.h"
#include "core/crypto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define ALL_SCOPES "sswp:process:create sswp:process:read sswp:process:read:all"

static struct server srv;
static char data_dir[256];
static char org_a[128];
static struct client cl;

struct browser {
    char cookie[128];
    char csrf[128];
};

struct proc {
    char id[64];
    char a_id[64], b_id[64];
    char a_path[256], b_path[256];
};

static const char *xs(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Org A", "CORPORATE", org_a, sizeof org_a);
    tenant_create_client(data_dir, org_a, ALL_SCOPES, &cl);
    if (!server_start(&srv, data_dir, NULL))
        return -1;
    cl.token = tenant_issue_token(&srv, &cl);
    return cl.token ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(cl.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* An ADVANCED process allowing only APP, with signers Anna (crm-a, mobile) and Beat (crm-b,
 * e-mail only), one document with a box for each, released. */
static void create_released(struct proc *p)
{
    memset(p, 0, sizeof *p);
    const char *body =
        "{\"signatureLevel\":\"ADVANCED\",\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
        "\"invitees\":{\"signers\":["
        "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-a\",\"firstName\":\"Anna\","
        "\"lastName\":\"Muster\",\"email\":\"anna@example.com\",\"mobile\":\"+41791234567\"},"
        "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-b\",\"firstName\":\"Beat\","
        "\"lastName\":\"Beispiel\",\"email\":\"beat@example.com\"}]}}";
    struct response r;
    tenant_call(&srv, "POST", PROCESS_PATH, &cl, body, NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(p->id, sizeof p->id, "%s", xs(r.json, "id"));
    json_t *signers = json_object_get(json_object_get(r.json, "invitees"), "signers");
    for (size_t i = 0; i < json_array_size(signers); i++) {
        json_t *s = json_array_get(signers, i);
        char *dst = !strcmp(xs(s, "externalIdentifier"), "crm-a") ? p->a_id : p->b_id;
        snprintf(dst, 64, "%s", xs(s, "identification"));
    }
    response_free(&r);

    size_t len;
    unsigned char *data = corpus("simple-a4.pdf", &len);
    char *enc = b64_std(data, len);
    free(data);
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:o}", "name", "Offer.pdf", "contentType", "application/pdf", "content",
        enc, "signaturePositions",
        json_loads("[{\"signer\":\"crm-a\",\"pageNumber\":0,\"positionX\":60,\"positionY\":600},"
                   "{\"signer\":\"crm-b\",\"pageNumber\":0,\"positionX\":300,\"positionY\":600}]",
                   0, NULL));
    free(enc);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/attach", p->id);
    tenant_call(&srv, "POST", path, &cl, text, NULL, &r);
    free(text);
    assert_int_equal(r.status, 201);
    response_free(&r);

    snprintf(path, sizeof path, PROCESS_PATH "/%s/release", p->id);
    tenant_call(&srv, "POST", path, &cl, "{\"signatureMethods\":[\"APP\"]}", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *parts = json_object_get(r.json, "participants");
    for (size_t i = 0; i < json_array_size(parts); i++) {
        json_t *x = json_array_get(parts, i);
        const char *url = xs(x, "url");
        const char *tail = url ? strstr(url, "/ui/sign/") : NULL;
        if (tail && !strcmp(xs(x, "id"), p->a_id))
            snprintf(p->a_path, sizeof p->a_path, "%s", tail);
        if (tail && !strcmp(xs(x, "id"), p->b_id))
            snprintf(p->b_path, sizeof p->b_path, "%s", tail);
    }
    response_free(&r);
    assert_true(p->a_path[0] && p->b_path[0]);
}

static void open_link(struct browser *b, const char *path)
{
    struct response r;
    assert_true(http(&srv, "GET", path, NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    char set[512];
    assert_true(response_header(&r, "Set-Cookie", set, sizeof set));
    const char *v = strstr(set, "signet_sign=") + strlen("signet_sign=");
    size_t n = strcspn(v, ";");
    assert_true(n < sizeof b->cookie);
    memcpy(b->cookie, v, n);
    b->cookie[n] = '\0';
    response_free(&r);
}

static void call(const struct browser *b, const char *method, const char *path, const char *body,
                 struct response *r)
{
    char cookie_hdr[200], csrf_hdr[200];
    snprintf(cookie_hdr, sizeof cookie_hdr, "Cookie: signet_sign=%s", b->cookie);
    snprintf(csrf_hdr, sizeof csrf_hdr, "X-CSRF-Token: %s", b->csrf);
    const char *hdrs[] = {cookie_hdr, csrf_hdr, body ? "Content-Type: application/json" : NULL,
                          NULL};
    assert_true(http(&srv, method, path, hdrs, body, body ? strlen(body) : 0, r));
}

static json_t *session_state(struct browser *b)
{
    struct response r;
    call(b, "GET", "/ui/api/session", NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(b->csrf, sizeof b->csrf, "%s", xs(r.json, "csrfToken"));
    json_t *s = json_incref(r.json);
    response_free(&r);
    return s;
}

/* POSTs body; the answer's JSON into *out when out is not NULL. Returns the status. */
static long post(struct browser *b, const char *path, const char *body, json_t **out)
{
    struct response r;
    call(b, "POST", path, body, &r);
    long st = r.status;
    if (st >= 400)
        assert_non_null(json_object_get(r.json, "message")); /* the Error object */
    if (out)
        *out = json_incref(r.json);
    response_free(&r);
    return st;
}

/* Authorizes the session with the one-time code from the outbox. */
static void authorize(struct browser *b, const char *pid)
{
    json_decref(session_state(b));
    assert_int_equal(post(b, "/ui/api/session/code", "{\"purpose\":\"AUTHORIZE\"}", NULL), 200);
    char out[4096], body[64];
    int rc = sh_run(out, sizeof out,
                    "sqlite3 '%s/signet.db' \"SELECT body FROM outbox WHERE participant_id = '%s' "
                    "AND kind = 'CODE' ORDER BY created_at DESC, rowid DESC LIMIT 1\"",
                    data_dir, pid);
    assert_int_equal(rc, 0);
    const char *p = out;
    while (*p && strspn(p, "0123456789") != 6)
        p += strspn(p, "0123456789") ? strspn(p, "0123456789") : 1;
    assert_true(*p);
    snprintf(body, sizeof body, "{\"code\":\"%.6s\"}", p);
    assert_int_equal(post(b, "/ui/api/session/authorize", body, NULL), 200);
}

/* The app: the TOTP code of secret at time step `step`. */
static void app_code(const unsigned char *secret, size_t len, int64_t step, char out[7])
{
    uint32_t code = 0;
    assert_true(crypto_hotp(secret, len, (uint64_t)step, 6, &code));
    snprintf(out, 7, "%06u", (unsigned)code);
}

static int64_t step_now(void)
{
    return crypto_totp_step((int64_t)time(NULL) * 1000);
}

/* Enrols the session's signer: the secret the page shows, decoded, into secret. */
static void enrol(struct browser *b, unsigned char secret[20])
{
    json_t *e = NULL;
    assert_int_equal(post(b, "/ui/api/session/app/enrol", "{}", &e), 200);
    const char *b32 = xs(e, "secret");
    assert_non_null(b32);
    assert_int_equal(strlen(b32), 32); /* 160 bits */
    size_t n = 0;
    assert_true(base32_decode(b32, secret, 20, &n));
    assert_int_equal(n, 20);
    json_decref(e);
}

static long with_code(struct browser *b, const char *path, const char *method, const char *code)
{
    char body[96];
    if (method)
        snprintf(body, sizeof body, "{\"method\":\"%s\",\"code\":\"%s\"}", method, code);
    else
        snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    return post(b, path, body, NULL);
}

static json_t *process_signer(const struct proc *p, const char *ext)
{
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s", p->id);
    struct response r;
    tenant_call(&srv, "GET", path, &cl, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *found = NULL;
    json_t *signers = json_object_get(json_object_get(r.json, "invitees"), "signers");
    for (size_t i = 0; i < json_array_size(signers); i++)
        if (!strcmp(xs(json_array_get(signers, i), "externalIdentifier"), ext))
            found = json_incref(json_array_get(signers, i));
    response_free(&r);
    assert_non_null(found);
    return found;
}

/* Audit records of action/status whose extras have key = value (key NULL: all). */
static int records(const struct proc *p, const char *action, const char *status, const char *key,
                   const char *value)
{
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/record", p->id);
    struct response r;
    tenant_call(&srv, "GET", path, &cl, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    int n = 0;
    json_t *recs = json_object_get(r.json, "records");
    for (size_t i = 0; i < json_array_size(recs); i++) {
        json_t *x = json_array_get(recs, i);
        if (strcmp(xs(x, "action"), action) != 0 || strcmp(xs(x, "status"), status) != 0)
            continue;
        if (key) {
            /* extras travel as a list of {key, value} or an object, depending on the record */
            char *dump = json_dumps(x, JSON_COMPACT);
            char want[256];
            snprintf(want, sizeof want, "\"%s\"", value);
            bool hit = dump && strstr(dump, key) && strstr(dump, want);
            free(dump);
            if (!hit)
                continue;
        }
        n++;
    }
    response_free(&r);
    return n;
}

static void enrol_confirm_replay_refused_then_sign_with_app(void **state)
{
    (void)state;
    struct proc p;
    create_released(&p);
    struct browser a = {"", ""};
    open_link(&a, p.a_path);
    /* Nothing about the app before authorization. */
    json_decref(session_state(&a));
    assert_int_equal(post(&a, "/ui/api/session/app/enrol", "{}", NULL), 403);
    authorize(&a, p.a_id);
    json_t *s = session_state(&a);
    json_t *methods = json_object_get(s, "methods");
    assert_int_equal(json_array_size(methods), 1);
    assert_string_equal(json_string_value(json_array_get(methods, 0)), "APP");
    assert_false(json_is_true(json_object_get(json_object_get(s, "app"), "enrolled")));
    json_decref(s);
    /* Signing needs the app set up first; CLICK is not allowed here. */
    assert_int_equal(with_code(&a, "/ui/api/session/sign", "APP", "123456"), 409);
    assert_int_equal(post(&a, "/ui/api/session/sign", "{\"method\":\"CLICK\"}", NULL), 409);

    json_t *e = NULL;
    assert_int_equal(post(&a, "/ui/api/session/app/enrol", "{}", &e), 200);
    const char *secret32 = xs(e, "secret"), *uri = xs(e, "uri"), *qr = xs(e, "qr");
    assert_non_null(secret32);
    assert_non_null(uri);
    assert_non_null(qr);
    char want[256];
    snprintf(want, sizeof want, "otpauth://totp/Signet:Anna%%20Muster?secret=%s&issuer=Signet",
             secret32);
    assert_true(!strncmp(uri, want, strlen(want)));
    assert_true(!strncmp(qr, "data:image/svg+xml;base64,", 26));
    unsigned char secret[20];
    size_t n = 0;
    assert_true(base32_decode(secret32, secret, sizeof secret, &n));
    assert_int_equal(n, 20);
    /* Until confirmed, the same secret is shown again (the phone may have scanned it). */
    json_t *again = NULL;
    assert_int_equal(post(&a, "/ui/api/session/app/enrol", "{}", &again), 200);
    assert_string_equal(xs(again, "secret"), secret32);
    json_decref(again);

    /* The secret is stored sealed (48 bytes: nonce, 20 bytes, tag), not in clear. */
    char out[512], hex[41];
    crypto_hex(secret, sizeof secret, hex);
    assert_int_equal(sh_run(out, sizeof out,
                            "sqlite3 '%s/signet.db' \"SELECT length(secret_sealed), "
                            "lower(hex(secret_sealed)) FROM totp_enrolments WHERE "
                            "participant_id = '%s'\"",
                            data_dir, p.a_id),
                     0);
    assert_true(!strncmp(out, "48|", 3));
    assert_null(strstr(out, hex));
    assert_null(strstr(out, secret32));
    json_decref(e);

    /* Confirm with the current code: the enrolment is set up. */
    int64_t t = step_now();
    char code[7], next[7];
    app_code(secret, sizeof secret, t, code);
    app_code(secret, sizeof secret, t + 1, next);
    assert_int_equal(with_code(&a, "/ui/api/session/app/confirm", NULL, "12345"), 400);
    assert_int_equal(with_code(&a, "/ui/api/session/app/confirm", NULL, code), 200);
    s = session_state(&a);
    assert_true(json_is_true(json_object_get(json_object_get(s, "app"), "enrolled")));
    json_decref(s);
    assert_int_equal(post(&a, "/ui/api/session/app/enrol", "{}", NULL), 409); /* not shown again */
    assert_int_equal(with_code(&a, "/ui/api/session/app/confirm", NULL, next), 409);
    assert_int_equal(records(&p, "enrolment", "SUCCESS", NULL, NULL), 1);

    /* The confirming code cannot sign: its step was used. */
    assert_int_equal(with_code(&a, "/ui/api/session/sign", "APP", code), 400);
    assert_int_equal(records(&p, "sign", "FAIL", "sign_failure", "CODE_REPLAYED"), 1);
    json_t *signer = process_signer(&p, "crm-a");
    assert_string_equal(xs(signer, "status"), "PENDING");
    json_decref(signer);

    /* The next step's code (within the ±1 window) signs. */
    assert_int_equal(with_code(&a, "/ui/api/session/sign", "APP", next), 200);
    signer = process_signer(&p, "crm-a");
    assert_string_equal(xs(signer, "status"), "SIGNED");
    assert_string_equal(xs(signer, "certificateName"), "Anna Muster");
    assert_string_equal(xs(signer, "certificateMatch"), "MATCH");
    json_decref(signer);
    assert_int_equal(records(&p, "sign", "SUCCESS", "sign_method", "APP"), 1);
    s = session_state(&a);
    assert_string_equal(xs(s, "state"), "SIGNED");
    json_decref(s);
    /* Nothing more to enrol for. */
    assert_int_equal(with_code(&a, "/ui/api/session/sign", "APP", next), 409);
}

static void five_wrong_app_codes_lock_app_for_the_session(void **state)
{
    (void)state;
    struct proc p;
    create_released(&p);
    struct browser b = {"", ""};
    open_link(&b, p.b_path);
    authorize(&b, p.b_id); /* e-mail only: APP needs no mobile */
    unsigned char secret[20];
    enrol(&b, secret);
    int64_t t = step_now();
    char code[7], next[7], wrong[7];
    app_code(secret, sizeof secret, t, code);
    app_code(secret, sizeof secret, t + 1, next);
    assert_int_equal(with_code(&b, "/ui/api/session/app/confirm", NULL, code), 200);
    /* A code that no step of the window (t-1 .. t+2, as the clock may move on) has. */
    for (uint32_t v = 0;; v++) {
        snprintf(wrong, sizeof wrong, "%06u", (unsigned)v);
        bool used = false;
        for (int64_t d = -1; d <= 2; d++) {
            char c[7];
            app_code(secret, sizeof secret, t + d, c);
            used = used || !strcmp(c, wrong);
        }
        if (!used)
            break;
    }
    for (int i = 0; i < 4; i++)
        assert_int_equal(with_code(&b, "/ui/api/session/sign", "APP", wrong), 400);
    assert_int_equal(with_code(&b, "/ui/api/session/sign", "APP", wrong), 409); /* locked now */
    assert_int_equal(with_code(&b, "/ui/api/session/sign", "APP", next), 409);  /* even right */
    json_t *signer = process_signer(&p, "crm-b");
    assert_string_equal(xs(signer, "status"), "PENDING");
    json_decref(signer);
    assert_int_equal(records(&p, "sign", "FAIL", "sign_failure", "CODE_WRONG"), 4);
    assert_int_equal(records(&p, "sign", "FAIL", "sign_failure", "CODE_LOCKED"), 2);

    /* Another session of the same signer (after authorizing again) is not locked, and the
     * enrolment carries over: the app is set up. */
    struct browser b2 = {"", ""};
    open_link(&b2, p.b_path);
    authorize(&b2, p.b_id);
    json_t *s = session_state(&b2);
    assert_true(json_is_true(json_object_get(json_object_get(s, "app"), "enrolled")));
    json_decref(s);
    assert_int_equal(with_code(&b2, "/ui/api/session/sign", "APP", next), 200);
    signer = process_signer(&p, "crm-b");
    assert_string_equal(xs(signer, "status"), "SIGNED");
    assert_string_equal(xs(signer, "certificateMatch"), "MATCH");
    json_decref(signer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(enrol_confirm_replay_refused_then_sign_with_app),
        cmocka_unit_test(five_wrong_app_codes_lock_app_for_the_session),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
