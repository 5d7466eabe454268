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
#include "signer_page.h"

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

/* An ADVANCED process allowing only PASSKEY with signers Anna and Beat (signer_page.h). */
static void create_released(struct page_process *p)
{
    page_create_released(&srv, &cl, "ADVANCED", "{\"signatureMethods\":[\"PASSKEY\"]}", p);
}

/* The public URL's origin and host (the server's default: http://127.0.0.1:PORT). */
static void relying_party(char origin[64], char rp[64])
{
    snprintf(origin, 64, "http://127.0.0.1:%d", srv.port);
    snprintf(rp, 64, "127.0.0.1");
}

/* Asks for options of purpose; the decoded challenge into challenge (32 bytes). Returns the
 * status; *out the answer when not NULL. */
static long options(struct page_browser *b, const char *purpose, unsigned char challenge[32],
                    json_t **out)
{
    char body[64];
    snprintf(body, sizeof body, "{\"purpose\":\"%s\"}", purpose);
    json_t *o = NULL;
    long st = page_post(&srv, b, "/ui/api/session/passkey/options", body, &o);
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
static long register_with(struct page_browser *b, struct authenticator *a,
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
    long st = page_post(&srv, b, "/ui/api/session/passkey/register", text, NULL);
    free(text);
    json_decref(o);
    free(id);
    free(cd);
    free(att);
    authenticator_response_free(&r);
    return st;
}

/* Signs with the authenticator's assertion for challenge. */
static long sign_with(struct page_browser *b, struct authenticator *a,
                      const unsigned char challenge[32])
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
    long st = page_post(&srv, b, "/ui/api/session/sign", text, NULL);
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
    struct page_process p;
    create_released(&p);
    struct page_browser b = {"", ""};
    page_open(&srv, &b, p.a_path);
    unsigned char ch[32], old[32];
    json_decref(page_state(&srv, &b));
    assert_int_equal(options(&b, "REGISTER", ch, NULL), 403); /* not authorized yet */
    page_authorize(&srv, &b, data_dir, p.a_id);
    json_t *s = page_state(&srv, &b);
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
    assert_int_equal(
        page_records(&srv, &cl, p.id, "enrolment", "SUCCESS", "enrolment_method", "PASSKEY"), 1);
    assert_int_equal(
        page_records(&srv, &cl, p.id, "sign", "FAIL", "sign_failure", "PASSKEY_WRONG_ORIGIN"), 1);
    assert_int_equal(
        page_records(&srv, &cl, p.id, "sign", "FAIL", "sign_failure", "PASSKEY_USER_NOT_VERIFIED"),
        1);
    s = page_state(&srv, &b);
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
    assert_int_equal(
        page_records(&srv, &cl, p.id, "sign", "FAIL", "sign_failure", "PASSKEY_BAD_SIGNATURE"), 1);
    assert_int_equal(
        page_records(&srv, &cl, p.id, "sign", "FAIL", "sign_failure", "PASSKEY_WRONG_CHALLENGE"),
        1);
    assert_int_equal(
        page_records(&srv, &cl, p.id, "sign", "FAIL", "sign_failure", "PASSKEY_COUNTER_REGRESSION"),
        1);
    json_t *signer = page_process_signer(&srv, &cl, p.id, "crm-a");
    assert_string_equal(xs(signer, "status"), "PENDING");
    json_decref(signer);

    assert_int_equal(options(&b, "SIGN", ch, NULL), 200);
    assert_int_equal(sign_with(&b, &a, ch), 200); /* counter 6 */
    signer = page_process_signer(&srv, &cl, p.id, "crm-a");
    assert_string_equal(xs(signer, "status"), "SIGNED");
    assert_string_equal(xs(signer, "certificateName"), "Anna Muster");
    assert_string_equal(xs(signer, "certificateMatch"), "MATCH");
    json_decref(signer);
    assert_int_equal(page_records(&srv, &cl, p.id, "sign", "SUCCESS", "sign_method", "PASSKEY"), 1);
    char out[256], q[256];
    snprintf(q, sizeof q,
             "SELECT alg, sign_count FROM passkey_credentials WHERE participant_id = '%s'", p.a_id);
    assert_true(test_sql(data_dir, q, out, sizeof out));
    assert_non_null(strstr(out, "-7|6"));
    authenticator_free(&a);
}

static void register_and_sign_with_rs256_passkey(void **state)
{
    (void)state;
    struct page_process p;
    create_released(&p);
    struct page_browser b = {"", ""};
    page_open(&srv, &b, p.b_path);
    page_authorize(&srv, &b, data_dir, p.b_id);
    char origin[64], rp[64];
    relying_party(origin, rp);
    unsigned char ch[32];
    struct authenticator a;
    assert_true(authenticator_init(&a, -257, rp, origin));
    a.fmt = "packed"; /* self attestation */
    assert_int_equal(options(&b, "REGISTER", ch, NULL), 200);
    assert_int_equal(register_with(&b, &a, ch), 200);
    /* Another signer's session cannot use this signer's passkey: it has none of its own. */
    struct page_browser other = {"", ""};
    page_open(&srv, &other, p.a_path);
    page_authorize(&srv, &other, data_dir, p.a_id);
    assert_int_equal(options(&other, "SIGN", ch, NULL), 409);
    assert_int_equal(options(&b, "SIGN", ch, NULL), 200);
    assert_int_equal(sign_with(&b, &a, ch), 200);
    json_t *signer = page_process_signer(&srv, &cl, p.id, "crm-b");
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
