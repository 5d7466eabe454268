/*
 * The signature method PASSKEY on the signer pages (docs/signer-pages.md "Passkey",
 * sign/page_passkey.h), driven over HTTP against the real binary like the page would (cookie,
 * X-CSRF-Token). The test plays browser and authenticator with the software authenticator of
 * tests/api/harness/authenticator.c (fresh P-256 / RSA keys, CBOR attestation objects):
 *   - a CORPORATE tenant's process allowing only PASSKEY offers it; signing before
 *     registration is refused; the creation options (rp id = the public URL's host, ES256 and
 *     RS256, attestation none, user verification required, a 32-byte challenge);
 *   - a registration for another origin is refused and uses up its challenge (single use);
 *     the right one registers (ES256), a second registration is refused;
 *   - assertions: bad signature, another origin, a replayed (used) challenge, a counter that
 *     does not grow (audit PASSKEY_COUNTER_REGRESSION) are refused; the right one signs:
 *     SIGNED with certificateName and certificateMatch MATCH, the counter stored;
 *   - an RS256 passkey registers and signs too.
 */
#include "tenant.h"

#include "authenticator.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* An ADVANCED process allowing only PASSKEY, with signers Anna (crm-a, mobile) and Beat (crm-b,
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
    tenant_call(&srv, "POST", path, &cl, "{\"signatureMethods\":[\"PASSKEY\"]}", NULL, &r);
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

/* The public URL's origin and host (the server's default: http://127.0.0.1:PORT). */
static void relying_party(char origin[64], char rp[64])
{
    snprintf(origin, 64, "http://127.0.0.1:%d", srv.port);
    snprintf(rp, 64, "127.0.0.1");
}

/* Asks for options of purpose; the decoded challenge into challenge (32 bytes). Returns the
 * status; *out the answer when not NULL. */
static long options(struct browser *b, const char *purpose, unsigned char challenge[32],
                    json_t **out)
{
    char body[64];
    snprintf(body, sizeof body, "{\"purpose\":\"%s\"}", purpose);
    json_t *o = NULL;
    long st = post(b, "/ui/api/session/passkey/options", body, &o);
    if (st == 200) {
        const char *c = xs(json_object_get(o, "publicKey"), "challenge");
        assert_non_null(c);
        assert_int_equal(authenticator_b64url_decode(c, challenge, 32), 32);
    }
    if (out)
        *out = o;
    else
        json_decref(o);
    return st;
}

/* POSTs the authenticator's registration answer for challenge. */
static long register_with(struct browser *b, struct authenticator *a,
                          const unsigned char challenge[32])
{
    struct authenticator_response r;
    assert_true(authenticator_create(a, challenge, 32, &r));
    char *id = authenticator_b64url(a->cred_id, sizeof a->cred_id);
    char *cd = authenticator_b64url(r.client_data, r.client_data_len);
    char *att = authenticator_b64url(r.attestation_object, r.attestation_object_len);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "type", "public-key", "clientDataJSON",
                          cd, "attestationObject", att);
    char *text = json_dumps(o, JSON_COMPACT);
    long st = post(b, "/ui/api/session/passkey/register", text, NULL);
    free(text);
    json_decref(o);
    free(id);
    free(cd);
    free(att);
    authenticator_response_free(&r);
    return st;
}

/* Signs with the authenticator's assertion for challenge. */
static long sign_with(struct browser *b, struct authenticator *a, const unsigned char challenge[32])
{
    struct authenticator_response r;
    assert_true(authenticator_get(a, challenge, 32, &r));
    char *id = authenticator_b64url(a->cred_id, sizeof a->cred_id);
    char *cd = authenticator_b64url(r.client_data, r.client_data_len);
    char *ad = authenticator_b64url(r.auth_data, r.auth_data_len);
    char *sig = authenticator_b64url(r.signature, r.signature_len);
    json_t *o = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "method", "PASSKEY", "passkey", "id", id,
                          "clientDataJSON", cd, "authenticatorData", ad, "signature", sig);
    char *text = json_dumps(o, JSON_COMPACT);
    long st = post(b, "/ui/api/session/sign", text, NULL);
    free(text);
    json_decref(o);
    free(id);
    free(cd);
    free(ad);
    free(sig);
    authenticator_response_free(&r);
    return st;
}

static void register_and_sign_with_es256_passkey(void **state)
{
    (void)state;
    struct proc p;
    create_released(&p);
    struct browser b = {"", ""};
    open_link(&b, p.a_path);
    unsigned char ch[32], old[32];
    json_decref(session_state(&b));
    assert_int_equal(options(&b, "REGISTER", ch, NULL), 403); /* not authorized yet */
    authorize(&b, p.a_id);
    json_t *s = session_state(&b);
    json_t *methods = json_object_get(s, "methods");
    assert_int_equal(json_array_size(methods), 1);
    assert_string_equal(json_string_value(json_array_get(methods, 0)), "PASSKEY");
    assert_true(json_is_false(json_object_get(json_object_get(s, "passkey"), "registered")));
    json_decref(s);
    assert_int_equal(options(&b, "SIGN", ch, NULL), 409); /* nothing registered */

    char origin[64], rp[64];
    relying_party(origin, rp);
    json_t *o = NULL;
    assert_int_equal(options(&b, "REGISTER", ch, &o), 200);
    json_t *pk = json_object_get(o, "publicKey");
    assert_string_equal(xs(json_object_get(pk, "rp"), "id"), rp);
    assert_string_equal(xs(json_object_get(pk, "rp"), "name"), "Signet");
    assert_string_equal(xs(json_object_get(pk, "user"), "displayName"), "Anna Muster");
    assert_string_equal(xs(pk, "attestation"), "none");
    assert_string_equal(xs(json_object_get(pk, "authenticatorSelection"), "userVerification"),
                        "required");
    json_t *params = json_object_get(pk, "pubKeyCredParams");
    assert_int_equal(json_array_size(params), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(params, 0), "alg")), -7);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(params, 1), "alg")), -257);
    json_decref(o);

    struct authenticator a;
    assert_true(authenticator_init(&a, -7, rp, "http://evil.example"));
    a.counter = 5;
    assert_int_equal(register_with(&b, &a, ch), 400); /* another origin */
    snprintf(a.origin, sizeof a.origin, "%s", origin);
    assert_int_equal(register_with(&b, &a, ch), 410); /* the challenge was used up */
    assert_int_equal(options(&b, "REGISTER", ch, NULL), 200);
    a.flags = AUTH_FLAG_UP;
    assert_int_equal(register_with(&b, &a, ch), 400); /* no user verification */
    a.flags = AUTH_FLAG_UP | AUTH_FLAG_UV;
    assert_int_equal(options(&b, "REGISTER", ch, NULL), 200);
    assert_int_equal(register_with(&b, &a, ch), 200);
    assert_int_equal(records(&p, "enrolment", "SUCCESS", "enrolment_method", "PASSKEY"), 1);
    assert_int_equal(records(&p, "sign", "FAIL", "sign_failure", "PASSKEY_WRONG_ORIGIN"), 1);
    assert_int_equal(records(&p, "sign", "FAIL", "sign_failure", "PASSKEY_USER_NOT_VERIFIED"), 1);
    s = session_state(&b);
    assert_true(json_is_true(json_object_get(json_object_get(s, "passkey"), "registered")));
    json_decref(s);
    assert_int_equal(options(&b, "REGISTER", ch, NULL), 409); /* one passkey per signer */

    /* Signing: allowCredentials names the registered credential. */
    assert_int_equal(options(&b, "SIGN", ch, &o), 200);
    pk = json_object_get(o, "publicKey");
    assert_string_equal(xs(pk, "rpId"), rp);
    assert_string_equal(xs(pk, "userVerification"), "required");
    char *id = authenticator_b64url(a.cred_id, sizeof a.cred_id);
    assert_string_equal(xs(json_array_get(json_object_get(pk, "allowCredentials"), 0), "id"), id);
    free(id);
    json_decref(o);
    a.bad_signature = true;
    assert_int_equal(sign_with(&b, &a, ch), 400);
    a.bad_signature = false;
    memcpy(old, ch, sizeof old);
    assert_int_equal(options(&b, "SIGN", ch, NULL), 200);
    assert_int_equal(sign_with(&b, &a, old), 400); /* an older challenge: not the open one */
    assert_int_equal(sign_with(&b, &a, ch), 410);  /* the open one was used by that try */
    /* The stored counter is 5 (from the registration): 5 again is a clone's. */
    assert_int_equal(options(&b, "SIGN", ch, NULL), 200);
    a.keep_counter = true;
    a.counter = 5;
    assert_int_equal(sign_with(&b, &a, ch), 409);
    a.keep_counter = false;
    assert_int_equal(records(&p, "sign", "FAIL", "sign_failure", "PASSKEY_BAD_SIGNATURE"), 1);
    assert_int_equal(records(&p, "sign", "FAIL", "sign_failure", "PASSKEY_WRONG_CHALLENGE"), 1);
    assert_int_equal(records(&p, "sign", "FAIL", "sign_failure", "PASSKEY_COUNTER_REGRESSION"), 1);
    json_t *signer = process_signer(&p, "crm-a");
    assert_string_equal(xs(signer, "status"), "PENDING");
    json_decref(signer);

    assert_int_equal(options(&b, "SIGN", ch, NULL), 200);
    assert_int_equal(sign_with(&b, &a, ch), 200); /* counter 6 */
    signer = process_signer(&p, "crm-a");
    assert_string_equal(xs(signer, "status"), "SIGNED");
    assert_string_equal(xs(signer, "certificateName"), "Anna Muster");
    assert_string_equal(xs(signer, "certificateMatch"), "MATCH");
    json_decref(signer);
    assert_int_equal(records(&p, "sign", "SUCCESS", "sign_method", "PASSKEY"), 1);
    char out[256];
    assert_int_equal(sh_run(out, sizeof out,
                            "sqlite3 '%s/signet.db' \"SELECT alg, sign_count FROM "
                            "passkey_credentials WHERE participant_id = '%s'\"",
                            data_dir, p.a_id),
                     0);
    assert_non_null(strstr(out, "-7|6"));
    authenticator_free(&a);
}

static void register_and_sign_with_rs256_passkey(void **state)
{
    (void)state;
    struct proc p;
    create_released(&p);
    struct browser b = {"", ""};
    open_link(&b, p.b_path);
    authorize(&b, p.b_id);
    char origin[64], rp[64];
    relying_party(origin, rp);
    unsigned char ch[32];
    struct authenticator a;
    assert_true(authenticator_init(&a, -257, rp, origin));
    a.fmt = "packed"; /* self attestation */
    assert_int_equal(options(&b, "REGISTER", ch, NULL), 200);
    assert_int_equal(register_with(&b, &a, ch), 200);
    /* Another signer's session cannot use this signer's passkey: it has none of its own. */
    struct browser other = {"", ""};
    open_link(&other, p.a_path);
    authorize(&other, p.a_id);
    assert_int_equal(options(&other, "SIGN", ch, NULL), 409);
    assert_int_equal(options(&b, "SIGN", ch, NULL), 200);
    assert_int_equal(sign_with(&b, &a, ch), 200);
    json_t *signer = process_signer(&p, "crm-b");
    assert_string_equal(xs(signer, "status"), "SIGNED");
    assert_string_equal(xs(signer, "certificateMatch"), "MATCH");
    json_decref(signer);
    authenticator_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(register_and_sign_with_es256_passkey),
        cmocka_unit_test(register_and_sign_with_rs256_passkey),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
