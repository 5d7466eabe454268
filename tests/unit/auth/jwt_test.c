/* auth/jwt.c and pki/jws.c: ES256 JWT signing and every way verification must reject. */
#include "auth/jwt.h"
#include "core/b64.h"
#include "pki/jws.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define NOW 1800000000
#define ISS "https://signet.example/realms/signet"
#define AUD "signet-sign-api"

static struct jws_key *key, *other;

static int setup(void **state)
{
    (void)state;
    key = jws_key_generate();
    other = jws_key_generate();
    return key && other ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    jws_key_free(key);
    jws_key_free(other);
    return 0;
}

static json_t *claims(int64_t iat, int64_t nbf, int64_t exp)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s}", "iss", ISS, "sub", "client-1",
                     "aud", AUD, "iat", (json_int_t)iat, "nbf", (json_int_t)nbf, "exp",
                     (json_int_t)exp, "scope", "sswp:process:read", "organization_id", "org-1");
}

static char *sign_claims(json_t *c)
{
    char *t = jwt_sign(key, "kid-1", c);
    json_decref(c);
    assert_non_null(t);
    return t;
}

static const struct jwt_expect expect = {.issuer = ISS, .audience = AUD, .now = NOW, .leeway = 0};

/* Parse + verify with `key` + claims, as the middleware does. */
static enum jwt_result check(const char *token, const struct jws_key *k)
{
    struct jwt t;
    enum jwt_result r = jwt_parse(token, &t);
    if (r == JWT_OK)
        r = jwt_verify(&t, k);
    if (r == JWT_OK)
        r = jwt_check_claims(&t, &expect);
    jwt_clear(&t);
    return r;
}

static char *b64u(const char *s)
{
    char *e = b64_encode(s, strlen(s), B64_URL);
    assert_non_null(e);
    return e;
}

/* header.payload.sig from raw JSON texts and raw signature bytes. */
static char *craft(const char *header, const char *payload, const void *sig, size_t sig_len)
{
    char *h = b64u(header), *p = b64u(payload);
    char *s = sig_len ? b64_encode(sig, sig_len, B64_URL) : strdup("");
    size_t n = strlen(h) + strlen(p) + strlen(s) + 3;
    char *out = malloc(n);
    snprintf(out, n, "%s.%s.%s", h, p, s);
    free(h);
    free(p);
    free(s);
    return out;
}

static char *valid_payload(void)
{
    json_t *c = claims(NOW - 10, NOW - 10, NOW + 300);
    char *p = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    return p;
}

static void valid_token_verifies_and_carries_claims(void **state)
{
    (void)state;
    char *t = sign_claims(claims(NOW - 10, NOW - 10, NOW + 300));
    struct jwt j;
    assert_int_equal(jwt_parse(t, &j), JWT_OK);
    assert_string_equal(j.kid, "kid-1");
    assert_string_equal(json_string_value(json_object_get(j.header, "alg")), "ES256");
    assert_int_equal(j.sig_len, 64);
    assert_int_equal(jwt_verify(&j, key), JWT_OK);
    assert_int_equal(jwt_check_claims(&j, &expect), JWT_OK);
    assert_string_equal(jwt_claim_string(&j, "organization_id"), "org-1");
    jwt_clear(&j);
    free(t);
}

static void key_survives_pem_and_jwk_round_trips(void **state)
{
    (void)state;
    char *pem = jws_key_private_pem(key);
    assert_non_null(pem);
    struct jws_key *again = jws_key_from_private_pem(pem, strlen(pem));
    assert_non_null(again);
    unsigned char x[32], y[32];
    assert_true(jws_key_public_xy(key, x, y));
    struct jws_key *pub = jws_key_from_public_xy(x, y);
    assert_non_null(pub);
    assert_false(jws_key_can_sign(pub));
    assert_null(jws_key_private_pem(pub));
    /* signed by the reloaded private key, verified by the public-only key */
    json_t *c = claims(NOW, NOW, NOW + 60);
    char *t2 = jwt_sign(again, "k", c);
    json_decref(c);
    assert_int_equal(check(t2, pub), JWT_OK);
    /* a point not on the curve is refused */
    x[5] ^= 1;
    assert_null(jws_key_from_public_xy(x, y));
    free(t2);
    free(pem);
    jws_key_free(again);
    jws_key_free(pub);
}

static void signature_by_another_key_is_rejected(void **state)
{
    (void)state;
    char *t = sign_claims(claims(NOW, NOW, NOW + 60));
    assert_int_equal(check(t, other), JWT_BAD_SIGNATURE);
    free(t);
}

static void tampered_payload_is_rejected(void **state)
{
    (void)state;
    char *t = sign_claims(claims(NOW, NOW, NOW + 60));
    char *d1 = strchr(t, '.'), *d2 = strchr(d1 + 1, '.');
    /* swap the payload for one granting more scope, keep the signature */
    json_t *c = claims(NOW, NOW, NOW + 60);
    json_object_set_new(c, "scope", json_string("sswp:process:read:all"));
    char *text = json_dumps(c, JSON_COMPACT);
    char *p = b64u(text);
    size_t n = (size_t)(d1 - t) + strlen(p) + strlen(d2) + 2;
    char *forged = malloc(n);
    snprintf(forged, n, "%.*s.%s%s", (int)(d1 - t), t, p, d2);
    assert_int_equal(check(forged, key), JWT_BAD_SIGNATURE);
    /* and one flipped bit in the signature */
    t[strlen(t) - 3] = t[strlen(t) - 3] == 'A' ? 'B' : 'A';
    assert_int_equal(check(t, key), JWT_BAD_SIGNATURE);
    json_decref(c);
    free(text);
    free(p);
    free(forged);
    free(t);
}

static void alg_none_and_hmac_are_rejected(void **state)
{
    (void)state;
    char *payload = valid_payload();
    char *none = craft("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"kid-1\"}", payload, NULL, 0);
    assert_int_equal(check(none, key), JWT_BAD_ALG);
    unsigned char mac[32];
    memset(mac, 7, sizeof mac);
    char *hs = craft("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"kid-1\"}", payload, mac, 32);
    assert_int_equal(check(hs, key), JWT_BAD_ALG);
    char *lower = craft("{\"alg\":\"es256\",\"kid\":\"kid-1\"}", payload, mac, 32);
    assert_int_equal(check(lower, key), JWT_BAD_ALG);
    char *crit = craft("{\"alg\":\"ES256\",\"kid\":\"kid-1\",\"crit\":[\"x\"]}", payload, mac, 32);
    assert_int_equal(check(crit, key), JWT_BAD_ALG);
    char *nokid = craft("{\"alg\":\"ES256\"}", payload, mac, 32);
    assert_int_equal(check(nokid, key), JWT_NO_KID);
    char *noalg = craft("{\"kid\":\"kid-1\"}", payload, mac, 32);
    assert_int_equal(check(noalg, key), JWT_MALFORMED);
    free(payload);
    free(none);
    free(hs);
    free(lower);
    free(crit);
    free(nokid);
    free(noalg);
}

static void wrong_signature_length_is_rejected(void **state)
{
    (void)state;
    char *payload = valid_payload();
    unsigned char sig[65];
    memset(sig, 1, sizeof sig);
    char *t = craft("{\"alg\":\"ES256\",\"kid\":\"kid-1\"}", payload, sig, 65);
    assert_int_equal(check(t, key), JWT_BAD_SIGNATURE);
    free(payload);
    free(t);
}

static void malformed_tokens_are_rejected(void **state)
{
    (void)state;
    char *t = sign_claims(claims(NOW, NOW, NOW + 60));
    struct jwt j;
    const char *bad[] = {"", "abc", "a.b", "a.b.c.d", ".."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(jwt_parse(bad[i], &j), JWT_MALFORMED);
    /* padding and foreign characters are not base64url */
    size_t n = strlen(t);
    char *padded = malloc(n + 2);
    snprintf(padded, n + 2, "%s=", t);
    assert_int_equal(jwt_parse(padded, &j), JWT_MALFORMED);
    char *plus = strdup(t);
    plus[2] = '+';
    assert_int_equal(jwt_parse(plus, &j), JWT_MALFORMED);
    /* a JSON array instead of an object */
    char *arr = craft("[1]", "{}", "xx", 2);
    assert_int_equal(jwt_parse(arr, &j), JWT_MALFORMED);
    char *notjson = craft("{\"alg\":\"ES256\",\"kid\":\"k\"}", "not json", "xx", 2);
    assert_int_equal(jwt_parse(notjson, &j), JWT_MALFORMED);
    assert_null(j.header); /* left empty on failure */
    char *empty_payload = craft("{\"alg\":\"ES256\",\"kid\":\"k\"}", "", "xx", 2);
    assert_int_equal(jwt_parse(empty_payload, &j), JWT_MALFORMED);
    free(empty_payload);
    free(padded);
    free(plus);
    free(arr);
    free(notjson);
    free(t);
}

static void expired_token_is_rejected(void **state)
{
    (void)state;
    char *t = sign_claims(claims(NOW - 600, NOW - 600, NOW - 300));
    assert_int_equal(check(t, key), JWT_EXPIRED);
    free(t);
    t = sign_claims(claims(NOW - 600, NOW - 600, NOW)); /* exp == now: already expired */
    assert_int_equal(check(t, key), JWT_EXPIRED);
    free(t);
    json_t *c = claims(NOW, NOW, NOW + 60);
    json_object_del(c, "exp");
    t = sign_claims(c);
    assert_int_equal(check(t, key), JWT_EXPIRED);
    free(t);
    c = claims(NOW, NOW, NOW + 60);
    json_object_set_new(c, "exp", json_string("tomorrow"));
    t = sign_claims(c);
    assert_int_equal(check(t, key), JWT_BAD_CLAIMS);
    free(t);
}

static void not_yet_valid_token_is_rejected(void **state)
{
    (void)state;
    char *t = sign_claims(claims(NOW, NOW + 60, NOW + 600));
    assert_int_equal(check(t, key), JWT_NOT_YET_VALID);
    free(t);
    t = sign_claims(claims(NOW + 60, NOW, NOW + 600));
    assert_int_equal(check(t, key), JWT_NOT_YET_VALID);
    /* within the leeway it passes */
    struct jwt j;
    assert_int_equal(jwt_parse(t, &j), JWT_OK);
    struct jwt_expect lenient = expect;
    lenient.leeway = 120;
    assert_int_equal(jwt_check_claims(&j, &lenient), JWT_OK);
    jwt_clear(&j);
    free(t);
}

static void wrong_issuer_or_audience_is_rejected(void **state)
{
    (void)state;
    json_t *c = claims(NOW, NOW, NOW + 60);
    json_object_set_new(c, "iss", json_string("https://evil.example/realms/signet"));
    char *t = sign_claims(c);
    assert_int_equal(check(t, key), JWT_BAD_ISSUER);
    free(t);
    c = claims(NOW, NOW, NOW + 60);
    json_object_del(c, "iss");
    t = sign_claims(c);
    assert_int_equal(check(t, key), JWT_BAD_ISSUER);
    free(t);
    c = claims(NOW, NOW, NOW + 60);
    json_object_set_new(c, "aud", json_string("another-api"));
    t = sign_claims(c);
    assert_int_equal(check(t, key), JWT_BAD_AUDIENCE);
    free(t);
    c = claims(NOW, NOW, NOW + 60);
    json_object_del(c, "aud");
    t = sign_claims(c);
    assert_int_equal(check(t, key), JWT_BAD_AUDIENCE);
    free(t);
    /* an audience array containing ours is fine */
    c = claims(NOW, NOW, NOW + 60);
    json_object_set_new(c, "aud", json_pack("[s,s]", "account", AUD));
    t = sign_claims(c);
    assert_int_equal(check(t, key), JWT_OK);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_token_verifies_and_carries_claims),
        cmocka_unit_test(key_survives_pem_and_jwk_round_trips),
        cmocka_unit_test(signature_by_another_key_is_rejected),
        cmocka_unit_test(tampered_payload_is_rejected),
        cmocka_unit_test(alg_none_and_hmac_are_rejected),
        cmocka_unit_test(wrong_signature_length_is_rejected),
        cmocka_unit_test(malformed_tokens_are_rejected),
        cmocka_unit_test(expired_token_is_rejected),
        cmocka_unit_test(not_yet_valid_token_is_rejected),
        cmocka_unit_test(wrong_issuer_or_audience_is_rejected),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
