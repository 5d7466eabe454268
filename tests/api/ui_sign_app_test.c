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
#include "signer_page.h"

#include "core/base32.h"
#include "core/crypto.h"

#include <ctype.h>
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

/* An ADVANCED process allowing only APP with signers Anna and Beat (signer_page.h). */
static void create_released(struct page_process *p)
{
    page_create_released(&srv, &cl, "ADVANCED", "{\"signatureMethods\":[\"APP\"]}", p);
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
static void enrol(struct page_browser *b, unsigned char secret[20])
{
    json_t *e = NULL;
    assert_int_equal(page_post(&srv, b, "/ui/api/session/app/enrol", "{}", &e), 200);
    const char *b32 = xs(e, "secret");
    assert_non_null(b32);
    assert_int_equal(strlen(b32), 32); /* 160 bits */
    size_t n = 0;
    assert_true(base32_decode(b32, secret, 20, &n));
    assert_int_equal(n, 20);
    json_decref(e);
}

static long with_code(struct page_browser *b, const char *path, const char *method,
                      const char *code)
{
    char body[96];
    if (method)
        snprintf(body, sizeof body, "{\"method\":\"%s\",\"code\":\"%s\"}", method, code);
    else
        snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    return page_post(&srv, b, path, body, NULL);
}

static void enrol_confirm_replay_refused_then_sign_with_app(void **state)
{
    (void)state;
    struct page_process p;
    create_released(&p);
    struct page_browser a = {"", ""};
    page_open(&srv, &a, p.a_path);
    /* Nothing about the app before authorization. */
    json_decref(page_state(&srv, &a));
    assert_int_equal(page_post(&srv, &a, "/ui/api/session/app/enrol", "{}", NULL), 403);
    page_authorize(&srv, &a, data_dir, p.a_id);
    json_t *s = page_state(&srv, &a);
    json_t *methods = json_object_get(s, "methods");
    assert_int_equal(json_array_size(methods), 1);
    assert_string_equal(json_string_value(json_array_get(methods, 0)), "APP");
    assert_false(json_is_true(json_object_get(json_object_get(s, "app"), "enrolled")));
    json_decref(s);
    /* Signing needs the app set up first; CLICK is not allowed here. */
    assert_int_equal(with_code(&a, "/ui/api/session/sign", "APP", "123456"), 409);
    assert_int_equal(page_post(&srv, &a, "/ui/api/session/sign", "{\"method\":\"CLICK\"}", NULL),
                     409);

    json_t *e = NULL;
    assert_int_equal(page_post(&srv, &a, "/ui/api/session/app/enrol", "{}", &e), 200);
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
    assert_int_equal(page_post(&srv, &a, "/ui/api/session/app/enrol", "{}", &again), 200);
    assert_string_equal(xs(again, "secret"), secret32);
    json_decref(again);

    /* The secret is stored sealed (48 bytes: nonce, 20 bytes, tag), not in clear. */
    char out[512], hex[41], q[256];
    crypto_hex(secret, sizeof secret, hex);
    snprintf(q, sizeof q,
             "SELECT length(secret_sealed) FROM totp_enrolments WHERE participant_id = '%s'",
             p.a_id);
    assert_true(test_sql(data_dir, q, out, sizeof out));
    assert_string_equal(out, "48\n");
    /* The sealed bytes are not the secret (in hex, as the dump shows BLOBs). */
    char *dump = test_db_dump(data_dir);
    assert_non_null(dump);
    assert_non_null(strstr(dump, "totp_enrolments"));
    assert_null(strstr(dump, secret32));
    for (char *c = dump; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    assert_null(strstr(dump, hex));
    free(dump);
    assert_null(strstr(out, secret32));
    json_decref(e);

    /* Confirm with the current code: the enrolment is set up. */
    int64_t t = step_now();
    char code[7], next[7];
    app_code(secret, sizeof secret, t, code);
    app_code(secret, sizeof secret, t + 1, next);
    assert_int_equal(with_code(&a, "/ui/api/session/app/confirm", NULL, "12345"), 400);
    assert_int_equal(with_code(&a, "/ui/api/session/app/confirm", NULL, code), 200);
    s = page_state(&srv, &a);
    assert_true(json_is_true(json_object_get(json_object_get(s, "app"), "enrolled")));
    json_decref(s);
    assert_int_equal(page_post(&srv, &a, "/ui/api/session/app/enrol", "{}", NULL),
                     409); /* not shown again */
    assert_int_equal(with_code(&a, "/ui/api/session/app/confirm", NULL, next), 409);
    assert_int_equal(page_records(&srv, &cl, p.id, "enrolment", "SUCCESS", NULL, NULL), 1);

    /* The confirming code cannot sign: its step was used. */
    assert_int_equal(with_code(&a, "/ui/api/session/sign", "APP", code), 400);
    assert_int_equal(page_records(&srv, &cl, p.id, "sign", "FAIL", "sign_failure", "CODE_REPLAYED"),
                     1);
    json_t *signer = page_process_signer(&srv, &cl, p.id, "crm-a");
    assert_string_equal(xs(signer, "status"), "PENDING");
    json_decref(signer);

    /* The next step's code (within the ±1 window) signs. */
    assert_int_equal(with_code(&a, "/ui/api/session/sign", "APP", next), 200);
    signer = page_process_signer(&srv, &cl, p.id, "crm-a");
    assert_string_equal(xs(signer, "status"), "SIGNED");
    assert_string_equal(xs(signer, "certificateName"), "Anna Muster");
    assert_string_equal(xs(signer, "certificateMatch"), "MATCH");
    json_decref(signer);
    assert_int_equal(page_records(&srv, &cl, p.id, "sign", "SUCCESS", "sign_method", "APP"), 1);
    s = page_state(&srv, &a);
    assert_string_equal(xs(s, "state"), "SIGNED");
    json_decref(s);
    /* Nothing more to enrol for. */
    assert_int_equal(with_code(&a, "/ui/api/session/sign", "APP", next), 409);
}

static void five_wrong_app_codes_lock_app_for_the_session(void **state)
{
    (void)state;
    struct page_process p;
    create_released(&p);
    struct page_browser b = {"", ""};
    page_open(&srv, &b, p.b_path);
    page_authorize(&srv, &b, data_dir, p.b_id); /* e-mail only: APP needs no mobile */
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
    json_t *signer = page_process_signer(&srv, &cl, p.id, "crm-b");
    assert_string_equal(xs(signer, "status"), "PENDING");
    json_decref(signer);
    assert_int_equal(page_records(&srv, &cl, p.id, "sign", "FAIL", "sign_failure", "CODE_WRONG"),
                     4);
    assert_int_equal(page_records(&srv, &cl, p.id, "sign", "FAIL", "sign_failure", "CODE_LOCKED"),
                     2);

    /* Another session of the same signer (after authorizing again) is not locked, and the
     * enrolment carries over: the app is set up. */
    struct page_browser b2 = {"", ""};
    page_open(&srv, &b2, p.b_path);
    page_authorize(&srv, &b2, data_dir, p.b_id);
    json_t *s = page_state(&srv, &b2);
    assert_true(json_is_true(json_object_get(json_object_get(s, "app"), "enrolled")));
    json_decref(s);
    assert_int_equal(with_code(&b2, "/ui/api/session/sign", "APP", next), 200);
    signer = page_process_signer(&srv, &cl, p.id, "crm-b");
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
