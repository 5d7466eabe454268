/*
 * WebAuthn verification (src/pki/webauthn.c) against answers of a software authenticator
 * (tests/api/harness/authenticator.c: fresh P-256 and RSA-2048 keys, authData, clientDataJSON,
 * CBOR attestation objects and signatures made here): registration and assertion with ES256
 * and RS256, packed self-attestation, and each check failing on its own — wrong origin, type,
 * challenge, rp id, UP or UV missing, bad signature, counter regression, other formats.
 */
#include "pki/webauthn.h"

#include "authenticator.h"
#include "core/crypto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define RP     "signet.example"
#define ORIGIN "https://signet.example"

static const unsigned char challenge[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                            12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                            23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static struct webauthn_expected expected(void)
{
    struct webauthn_expected x = {.rp_id = RP, .origin = ORIGIN};
    crypto_sha256(challenge, sizeof challenge, x.challenge_sha256);
    return x;
}

static enum webauthn_result do_register(struct authenticator *a, struct webauthn_credential *c)
{
    struct authenticator_response r;
    assert_true(authenticator_create(a, challenge, sizeof challenge, &r));
    struct webauthn_expected x = expected();
    enum webauthn_result res = webauthn_verify_registration(
        &x, r.client_data, r.client_data_len, r.attestation_object, r.attestation_object_len, c);
    authenticator_response_free(&r);
    return res;
}

static enum webauthn_result do_assert(struct authenticator *a, const struct webauthn_credential *c,
                                      uint32_t *count)
{
    struct authenticator_response r;
    assert_true(authenticator_get(a, challenge, sizeof challenge, &r));
    struct webauthn_expected x = expected();
    enum webauthn_result res =
        webauthn_verify_assertion(&x, c, r.client_data, r.client_data_len, r.auth_data,
                                  r.auth_data_len, r.signature, r.signature_len, count);
    authenticator_response_free(&r);
    return res;
}

/* Registers a fresh credential of alg; *c the credential. */
static void registered(struct authenticator *a, int alg, struct webauthn_credential *c)
{
    assert_true(authenticator_init(a, alg, RP, ORIGIN));
    assert_int_equal(do_register(a, c), WEBAUTHN_OK);
}

static void test_registration_and_assertion(int alg)
{
    struct authenticator a;
    struct webauthn_credential c;
    registered(&a, alg, &c);
    assert_int_equal(c.alg, alg);
    assert_int_equal(c.id_len, sizeof a.cred_id);
    assert_memory_equal(c.id, a.cred_id, sizeof a.cred_id);
    assert_true(c.public_key_len > 0);
    assert_int_equal(c.sign_count, 0);
    uint32_t count = 0;
    assert_int_equal(do_assert(&a, &c, &count), WEBAUTHN_OK);
    assert_int_equal(count, 1);
    c.sign_count = count;
    assert_int_equal(do_assert(&a, &c, &count), WEBAUTHN_OK);
    assert_int_equal(count, 2);
    authenticator_free(&a);
}

static void es256_registers_and_signs(void **state)
{
    (void)state;
    test_registration_and_assertion(WEBAUTHN_ALG_ES256);
}

static void rs256_registers_and_signs(void **state)
{
    (void)state;
    test_registration_and_assertion(WEBAUTHN_ALG_RS256);
}

static void packed_self_attestation_is_accepted(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        struct authenticator a;
        struct webauthn_credential c;
        assert_true(
            authenticator_init(&a, i ? WEBAUTHN_ALG_RS256 : WEBAUTHN_ALG_ES256, RP, ORIGIN));
        a.fmt = "packed";
        assert_int_equal(do_register(&a, &c), WEBAUTHN_OK);
        a.bad_signature = true; /* the self-attestation signature is checked */
        assert_int_equal(do_register(&a, &c), WEBAUTHN_BAD_SIGNATURE);
        authenticator_free(&a);
    }
}

static void other_attestation_formats_are_refused(void **state)
{
    (void)state;
    struct authenticator a;
    struct webauthn_credential c;
    assert_true(authenticator_init(&a, WEBAUTHN_ALG_ES256, RP, ORIGIN));
    a.fmt = "fido-u2f";
    assert_int_equal(do_register(&a, &c), WEBAUTHN_UNSUPPORTED_ATTESTATION);
    authenticator_free(&a);
}

/* Each wrong field fails registration and assertion with its own result. */
static void wrong_fields_are_refused(void **state)
{
    (void)state;
    struct authenticator a;
    struct webauthn_credential c;
    uint32_t count = 0;
    registered(&a, WEBAUTHN_ALG_ES256, &c);

    snprintf(a.origin, sizeof a.origin, "https://evil.example");
    assert_int_equal(do_register(&a, &c), WEBAUTHN_WRONG_ORIGIN);
    authenticator_free(&a);
    registered(&a, WEBAUTHN_ALG_ES256, &c);
    snprintf(a.origin, sizeof a.origin, "http://signet.example"); /* scheme matters */
    assert_int_equal(do_assert(&a, &c, &count), WEBAUTHN_WRONG_ORIGIN);
    authenticator_free(&a);

    registered(&a, WEBAUTHN_ALG_ES256, &c);
    snprintf(a.rp_id, sizeof a.rp_id, "evil.example");
    assert_int_equal(do_assert(&a, &c, &count), WEBAUTHN_WRONG_RP);
    assert_int_equal(do_register(&a, &c), WEBAUTHN_WRONG_RP);
    authenticator_free(&a);

    registered(&a, WEBAUTHN_ALG_ES256, &c);
    a.type = "webauthn.create"; /* a registration answer replayed as an assertion */
    assert_int_equal(do_assert(&a, &c, &count), WEBAUTHN_WRONG_TYPE);
    a.type = "webauthn.get";
    assert_int_equal(do_register(&a, &c), WEBAUTHN_WRONG_TYPE);
    authenticator_free(&a);

    registered(&a, WEBAUTHN_ALG_ES256, &c);
    a.flags = AUTH_FLAG_UP; /* no user verification */
    assert_int_equal(do_assert(&a, &c, &count), WEBAUTHN_USER_NOT_VERIFIED);
    assert_int_equal(do_register(&a, &c), WEBAUTHN_USER_NOT_VERIFIED);
    a.flags = AUTH_FLAG_UV; /* no user presence */
    assert_int_equal(do_assert(&a, &c, &count), WEBAUTHN_USER_NOT_PRESENT);
    authenticator_free(&a);
}

static void wrong_challenge_is_refused(void **state)
{
    (void)state;
    struct authenticator a;
    struct webauthn_credential c;
    registered(&a, WEBAUTHN_ALG_ES256, &c);
    unsigned char other[32];
    memcpy(other, challenge, sizeof other);
    other[0] ^= 0xff;
    struct webauthn_expected x = expected();
    struct authenticator_response r;
    assert_true(authenticator_create(&a, other, sizeof other, &r));
    assert_int_equal(webauthn_verify_registration(&x, r.client_data, r.client_data_len,
                                                  r.attestation_object, r.attestation_object_len,
                                                  &c),
                     WEBAUTHN_WRONG_CHALLENGE);
    authenticator_response_free(&r);
    authenticator_free(&a);
    registered(&a, WEBAUTHN_ALG_ES256, &c);
    uint32_t count = 0;
    assert_true(authenticator_get(&a, other, sizeof other, &r));
    assert_int_equal(webauthn_verify_assertion(&x, &c, r.client_data, r.client_data_len,
                                               r.auth_data, r.auth_data_len, r.signature,
                                               r.signature_len, &count),
                     WEBAUTHN_WRONG_CHALLENGE);
    authenticator_response_free(&r);
    authenticator_free(&a);
}

static void bad_signature_and_other_key_are_refused(void **state)
{
    (void)state;
    struct authenticator a, b;
    struct webauthn_credential c, cb;
    uint32_t count = 0;
    for (int i = 0; i < 2; i++) {
        int alg = i ? WEBAUTHN_ALG_RS256 : WEBAUTHN_ALG_ES256;
        registered(&a, alg, &c);
        a.bad_signature = true;
        assert_int_equal(do_assert(&a, &c, &count), WEBAUTHN_BAD_SIGNATURE);
        a.bad_signature = false;
        /* Signed by another authenticator's key for the same credential. */
        registered(&b, alg, &cb);
        assert_int_equal(do_assert(&b, &c, &count), WEBAUTHN_BAD_SIGNATURE);
        authenticator_free(&a);
        authenticator_free(&b);
    }
}

static void counter_must_grow(void **state)
{
    (void)state;
    struct authenticator a;
    struct webauthn_credential c;
    uint32_t count = 0;
    registered(&a, WEBAUTHN_ALG_ES256, &c);
    a.counter = 10;
    assert_int_equal(do_assert(&a, &c, &count), WEBAUTHN_OK);
    assert_int_equal(count, 11);
    c.sign_count = count;
    a.keep_counter = true; /* the same value again */
    assert_int_equal(do_assert(&a, &c, &count), WEBAUTHN_COUNTER_REGRESSION);
    a.counter = 5; /* going back: a clone */
    assert_int_equal(do_assert(&a, &c, &count), WEBAUTHN_COUNTER_REGRESSION);
    assert_int_equal(count, 5);
    /* Authenticators without a counter send 0 always: accepted while the stored one is 0. */
    a.counter = 0;
    c.sign_count = 0;
    assert_int_equal(do_assert(&a, &c, &count), WEBAUTHN_OK);
    assert_int_equal(do_assert(&a, &c, &count), WEBAUTHN_OK);
    authenticator_free(&a);
}

static void malformed_input_is_refused(void **state)
{
    (void)state;
    struct authenticator a;
    struct webauthn_credential c;
    registered(&a, WEBAUTHN_ALG_ES256, &c);
    struct authenticator_response r;
    assert_true(authenticator_create(&a, challenge, sizeof challenge, &r));
    struct webauthn_expected x = expected();
    /* Truncated CBOR, not JSON, a short authData. */
    assert_int_equal(webauthn_verify_registration(&x, r.client_data, r.client_data_len,
                                                  r.attestation_object,
                                                  r.attestation_object_len - 5, &c),
                     WEBAUTHN_MALFORMED);
    assert_int_equal(webauthn_verify_registration(&x, (const unsigned char *)"nope", 4,
                                                  r.attestation_object, r.attestation_object_len,
                                                  &c),
                     WEBAUTHN_MALFORMED);
    authenticator_response_free(&r);
    authenticator_free(&a);
    registered(&a, WEBAUTHN_ALG_ES256, &c);
    assert_true(authenticator_get(&a, challenge, sizeof challenge, &r));
    uint32_t count = 0;
    assert_int_equal(webauthn_verify_assertion(&x, &c, r.client_data, r.client_data_len,
                                               r.auth_data, 20, r.signature, r.signature_len,
                                               &count),
                     WEBAUTHN_MALFORMED);
    authenticator_response_free(&r);
    authenticator_free(&a);
    assert_string_equal(webauthn_result_name(WEBAUTHN_COUNTER_REGRESSION),
                        "PASSKEY_COUNTER_REGRESSION");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(es256_registers_and_signs),
        cmocka_unit_test(rs256_registers_and_signs),
        cmocka_unit_test(packed_self_attestation_is_accepted),
        cmocka_unit_test(other_attestation_formats_are_refused),
        cmocka_unit_test(wrong_fields_are_refused),
        cmocka_unit_test(wrong_challenge_is_refused),
        cmocka_unit_test(bad_signature_and_other_key_are_refused),
        cmocka_unit_test(counter_must_grow),
        cmocka_unit_test(malformed_input_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
