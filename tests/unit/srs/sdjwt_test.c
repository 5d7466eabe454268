/*
 * SD-JWT VC presentations (srs/sdjwt.c), built here with the library's ES256 and base64url:
 * a valid one gives the disclosed claims (object and array-element disclosures, a decoy digest
 * ignored, no _sd/_sd_alg/cnf left); refused: a repeated or unreferenced disclosure, another
 * _sd_alg, no KB-JWT, a KB-JWT by another key or too old, a vct not asked for, an issuer JWT of
 * another typ or with a changed payload.
 */
#include "auth/keys.h"
#include "core/b64.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "pki/jws.h"
#include "srs/sdjwt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define AUD   "redirect_uri:https://signet.example/srs/openid4vp/response"
#define NONCE "n-0S6_WzA2Mj"

static struct jws_key *issuer, *holder, *other;
static struct auth_keyring *ring;
static char issuer_kid[64];

static char *b64u(const void *d, size_t n)
{
    char *s = b64_encode(d, n, B64_URL);
    assert_non_null(s);
    return s;
}

static char *b64u_json(json_t *v)
{
    char *t = json_dumps(v, JSON_COMPACT);
    char *s = b64u(t, strlen(t));
    free(t);
    json_decref(v);
    return s;
}

/* header.payload.signature (ES256 by key); header and payload stolen. */
static char *sign(json_t *header, json_t *payload, const struct jws_key *key)
{
    char *h = b64u_json(header), *p = b64u_json(payload), in[16384], *out = malloc(20000);
    unsigned char sig[JWS_ES256_SIG_LEN];
    snprintf(in, sizeof in, "%s.%s", h, p);
    assert_true(jws_es256_sign(key, in, strlen(in), sig));
    char *s = b64u(sig, sizeof sig);
    snprintf(out, 20000, "%s.%s", in, s);
    free(h);
    free(p);
    free(s);
    return out;
}

static void digest_of(const char *d, char out[64])
{
    unsigned char h[SHA256_LEN];
    crypto_sha256(d, strlen(d), h);
    char *s = b64u(h, sizeof h);
    snprintf(out, 64, "%s", s);
    free(s);
}

static int setup(void **state)
{
    (void)state;
    issuer = jws_key_generate();
    holder = jws_key_generate();
    other = jws_key_generate();
    json_t *jwks = json_pack("{s:[o]}", "keys", auth_key_jwk(issuer, issuer_kid));
    ring = auth_keyring_from_jwks(jwks);
    json_decref(jwks);
    return issuer && holder && other && ring ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    jws_key_free(issuer);
    jws_key_free(holder);
    jws_key_free(other);
    auth_keyring_free(ring);
    return 0;
}

/* What a test changes in the credential it builds. */
struct variant {
    const char *typ, *vct, *sd_alg;
    bool repeat_disclosure, foreign_disclosure, no_kb, kb_by_other, kb_old, change_payload;
};

/* An SD-JWT VC presentation: given_name/family_name/birthdate as disclosures, nationalities
 * with one array-element disclosure, a decoy digest; owned. */
static char *presentation(const struct variant *v)
{
    char *d[4], dg[4][64], decoy[64], *out = malloc(65536);
    d[0] = b64u_json(json_pack("[s,s,s]", "salt0", "given_name", "Zora"));
    d[1] = b64u_json(json_pack("[s,s,s]", "salt1", "family_name", "Quellmatt"));
    d[2] = b64u_json(json_pack("[s,s,s]", "salt2", "birthdate", "1985-04-12"));
    d[3] = b64u_json(json_pack("[s,s]", "salt3", "CH"));
    for (size_t i = 0; i < 4; i++)
        digest_of(d[i], dg[i]);
    digest_of("decoy", decoy);
    char hkid[64];
    json_t *hjwk = auth_key_jwk(holder, hkid);
    int64_t now = time_now_ms() / 1000;
    json_t *payload = json_pack("{s:s, s:I, s:I, s:s, s:{s:o}, s:s, s:[s,s,s,s], s:[{s:s}]}", "iss",
                                "https://issuer.example", "iat", (json_int_t)now, "exp",
                                (json_int_t)(now + 3600), "vct", v->vct ? v->vct : "urn:eudi:pid:1",
                                "cnf", "jwk", hjwk, "_sd_alg", v->sd_alg ? v->sd_alg : "sha-256",
                                "_sd", dg[0], dg[1], dg[2], decoy, "nationalities", "...", dg[3]);
    char *jwt = sign(json_pack("{s:s, s:s, s:s}", "alg", "ES256", "typ",
                               v->typ ? v->typ : "dc+sd-jwt", "kid", issuer_kid),
                     payload, issuer);
    if (v->change_payload) {
        /* Another payload under the original signature. */
        char *dot1 = strchr(jwt, '.'), *dot2 = strchr(dot1 + 1, '.');
        char *p2 = b64u_json(json_pack("{s:s}", "iss", "https://forger.example"));
        char rebuilt[16384];
        snprintf(rebuilt, sizeof rebuilt, "%.*s.%s%s", (int)(dot1 - jwt), jwt, p2, dot2);
        snprintf(jwt, 20000, "%s", rebuilt);
        free(p2);
    }
    int n = snprintf(out, 65536, "%s~%s~%s~%s~%s~", jwt, d[0], d[1], d[2], d[3]);
    if (v->repeat_disclosure)
        n += snprintf(out + n, 65536 - (size_t)n, "%s~", d[1]);
    if (v->foreign_disclosure) {
        char *f = b64u_json(json_pack("[s,s,s]", "saltX", "document_number", "X1"));
        n += snprintf(out + n, 65536 - (size_t)n, "%s~", f);
        free(f);
    }
    if (!v->no_kb) {
        char sd_hash[64];
        digest_of(out, sd_hash);
        char *kb = sign(json_pack("{s:s, s:s}", "alg", "ES256", "typ", "kb+jwt"),
                        json_pack("{s:I, s:s, s:s, s:s}", "iat",
                                  (json_int_t)(v->kb_old ? now - 3600 : now), "aud", AUD, "nonce",
                                  NONCE, "sd_hash", sd_hash),
                        v->kb_by_other ? other : holder);
        snprintf(out + n, 65536 - (size_t)n, "%s", kb);
        free(kb);
    }
    for (size_t i = 0; i < 4; i++)
        free(d[i]);
    free(jwt);
    return out;
}

static enum sdjwt_result verify(const struct variant *v, json_t **claims)
{
    static const char *const vct[] = {"urn:eudi:pid:1"};
    char nonce_hash[SHA256_HEX_LEN];
    crypto_sha256_hex(NONCE, strlen(NONCE), nonce_hash);
    struct sdjwt_expect e = {.issuers = ring,
                             .vct_values = vct,
                             .n_vct = 1,
                             .audience = AUD,
                             .nonce_hash = nonce_hash,
                             .now = time_now_ms() / 1000,
                             .leeway = 60,
                             .kb_max_age = 300};
    char *p = presentation(v);
    json_t *c = NULL;
    enum sdjwt_result r = sdjwt_verify(p, strlen(p), &e, &c, NULL);
    free(p);
    if (claims)
        *claims = c;
    else
        json_decref(c);
    return r;
}

static void valid_presentation_gives_the_disclosed_claims(void **state)
{
    (void)state;
    json_t *c = NULL;
    struct variant v = {0};
    assert_int_equal(verify(&v, &c), SDJWT_OK);
    assert_string_equal(json_string_value(json_object_get(c, "given_name")), "Zora");
    assert_string_equal(json_string_value(json_object_get(c, "family_name")), "Quellmatt");
    assert_string_equal(json_string_value(json_object_get(c, "birthdate")), "1985-04-12");
    json_t *nat = json_object_get(c, "nationalities");
    assert_int_equal(json_array_size(nat), 1);
    assert_string_equal(json_string_value(json_array_get(nat, 0)), "CH");
    assert_null(json_object_get(c, "_sd"));
    assert_null(json_object_get(c, "_sd_alg"));
    assert_null(json_object_get(c, "cnf"));
    json_decref(c);
}

static void disclosures_must_each_be_referenced_once(void **state)
{
    (void)state;
    assert_int_equal(verify(&(struct variant){.repeat_disclosure = true}, NULL),
                     SDJWT_BAD_DISCLOSURE);
    assert_int_equal(verify(&(struct variant){.foreign_disclosure = true}, NULL),
                     SDJWT_BAD_DISCLOSURE);
    assert_int_equal(verify(&(struct variant){.sd_alg = "sha-512"}, NULL), SDJWT_BAD_DISCLOSURE);
}

static void key_binding_is_required_and_checked(void **state)
{
    (void)state;
    assert_int_equal(verify(&(struct variant){.no_kb = true}, NULL), SDJWT_MALFORMED);
    assert_int_equal(verify(&(struct variant){.kb_by_other = true}, NULL), SDJWT_BAD_KB_SIGNATURE);
    assert_int_equal(verify(&(struct variant){.kb_old = true}, NULL), SDJWT_BAD_KB_TIME);
}

static void issuer_jwt_type_vct_and_signature_are_checked(void **state)
{
    (void)state;
    assert_int_equal(verify(&(struct variant){.typ = "JWT"}, NULL), SDJWT_MALFORMED);
    assert_int_equal(verify(&(struct variant){.vct = "urn:other:1"}, NULL), SDJWT_BAD_VCT);
    assert_int_equal(verify(&(struct variant){.change_payload = true}, NULL),
                     SDJWT_BAD_ISSUER_SIGNATURE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_presentation_gives_the_disclosed_claims),
        cmocka_unit_test(disclosures_must_each_be_referenced_once),
        cmocka_unit_test(key_binding_is_required_and_checked),
        cmocka_unit_test(issuer_jwt_type_vct_and_signature_are_checked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
