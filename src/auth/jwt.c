#include "auth/jwt.h"

#include "core/b64.h"
#include "core/str.h"
#include "pki/jws.h"

#include <stdlib.h>
#include <string.h>

static char *b64url_json(json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT);
    if (!text)
        return NULL;
    char *enc = b64_encode(text, strlen(text), B64_URL);
    free(text);
    return enc;
}

char *jwt_sign(const struct jws_key *key, const char *kid, json_t *claims)
{
    char *out = NULL, *h64 = NULL, *p64 = NULL, *s64 = NULL, *input = NULL;
    json_t *header = json_pack("{s:s, s:s, s:s}", "alg", "ES256", "typ", "JWT", "kid", kid);
    unsigned char sig[JWS_ES256_SIG_LEN];
    if (!header)
        goto cleanup;
    h64 = b64url_json(header);
    p64 = b64url_json(claims);
    if (!h64 || !p64)
        goto cleanup;
    size_t hl = strlen(h64), pl = strlen(p64);
    input = malloc(hl + 1 + pl + 1);
    if (!input)
        goto cleanup;
    memcpy(input, h64, hl);
    input[hl] = '.';
    memcpy(input + hl + 1, p64, pl + 1);
    if (!jws_es256_sign(key, input, hl + 1 + pl, sig))
        goto cleanup;
    s64 = b64_encode(sig, sizeof sig, B64_URL);
    if (!s64)
        goto cleanup;
    size_t sl = strlen(s64);
    out = malloc(hl + pl + sl + 3);
    if (!out)
        goto cleanup;
    memcpy(out, input, hl + 1 + pl);
    out[hl + 1 + pl] = '.';
    memcpy(out + hl + pl + 2, s64, sl + 1);
cleanup:
    json_decref(header);
    free(h64);
    free(p64);
    free(s64);
    free(input);
    return out;
}

static json_t *decode_object(const char *s, size_t len)
{
    unsigned char *raw = NULL;
    size_t raw_len = 0;
    if (len == 0 || !b64_decode(s, len, B64_URL, &raw, &raw_len))
        return NULL;
    json_t *v = json_loadb((const char *)raw, raw_len, JSON_REJECT_DUPLICATES, NULL);
    free(raw);
    if (v && !json_is_object(v)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

enum jwt_result jwt_parse(const char *token, struct jwt *out)
{
    memset(out, 0, sizeof *out);
    enum jwt_result res = JWT_MALFORMED;
    size_t len = token ? strnlen(token, JWT_MAX_LEN + 1) : 0;
    if (len == 0 || len > JWT_MAX_LEN)
        return JWT_MALFORMED;
    const char *d1 = memchr(token, '.', len);
    const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token)) : NULL;
    if (!d1 || !d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token)))
        return JWT_MALFORMED;
    size_t hl = (size_t)(d1 - token), pl = (size_t)(d2 - d1 - 1),
           sl = len - (size_t)(d2 + 1 - token);
    /* base64url without padding only: a token is one canonical string. */
    if (!b64url_alphabet(token, hl) || !b64url_alphabet(d1 + 1, pl) || !b64url_alphabet(d2 + 1, sl))
        return JWT_MALFORMED;
    out->header = decode_object(token, hl);
    if (!out->header)
        goto fail;
    const char *alg = json_string_value(json_object_get(out->header, "alg"));
    if (!alg) {
        res = JWT_MALFORMED;
        goto fail;
    }
    if (strcmp(alg, "ES256") != 0 || json_object_get(out->header, "crit")) {
        res = JWT_BAD_ALG;
        goto fail;
    }
    out->kid = json_string_value(json_object_get(out->header, "kid"));
    if (!out->kid || !*out->kid) {
        res = JWT_NO_KID;
        goto fail;
    }
    res = JWT_MALFORMED;
    out->claims = decode_object(d1 + 1, pl);
    if (!out->claims)
        goto fail;
    if (sl == 0 || !b64_decode(d2 + 1, sl, B64_URL, &out->sig, &out->sig_len))
        goto fail;
    out->signing_input = str_ndup(token, (size_t)(d2 - token));
    if (!out->signing_input)
        goto fail;
    out->signing_input_len = (size_t)(d2 - token);
    return JWT_OK;
fail:
    jwt_clear(out);
    return res;
}

enum jwt_result jwt_verify(const struct jwt *t, const struct jws_key *key)
{
    if (!key)
        return JWT_UNKNOWN_KID;
    return jws_es256_verify(key, t->signing_input, t->signing_input_len, t->sig, t->sig_len)
               ? JWT_OK
               : JWT_BAD_SIGNATURE;
}

static bool numeric_date(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d < -9.2e18 || d > 9.2e18)
            return false;
        *out = (int64_t)d;
        return true;
    }
    return false;
}

enum jwt_result jwt_check_claims(const struct jwt *t, const struct jwt_expect *e)
{
    int64_t exp, nbf, iat;
    json_t *v = json_object_get(t->claims, "exp");
    if (!v || !numeric_date(v, &exp))
        return v ? JWT_BAD_CLAIMS : JWT_EXPIRED;
    if (exp <= e->now - e->leeway)
        return JWT_EXPIRED;
    v = json_object_get(t->claims, "nbf");
    if (v && !numeric_date(v, &nbf))
        return JWT_BAD_CLAIMS;
    if (v && nbf > e->now + e->leeway)
        return JWT_NOT_YET_VALID;
    v = json_object_get(t->claims, "iat");
    if (v && !numeric_date(v, &iat))
        return JWT_BAD_CLAIMS;
    if (v && iat > e->now + e->leeway)
        return JWT_NOT_YET_VALID;
    const char *iss = jwt_claim_string(t, "iss");
    if (!iss || !e->issuer || strcmp(iss, e->issuer) != 0)
        return JWT_BAD_ISSUER;
    json_t *aud = json_object_get(t->claims, "aud");
    bool aud_ok = false;
    if (json_is_string(aud)) {
        aud_ok = e->audience && strcmp(json_string_value(aud), e->audience) == 0;
    } else if (json_is_array(aud)) {
        size_t i;
        json_t *a;
        json_array_foreach(aud, i, a) if (json_is_string(a) && e->audience &&
                                          strcmp(json_string_value(a), e->audience) == 0) aud_ok =
            true;
    }
    return aud_ok ? JWT_OK : JWT_BAD_AUDIENCE;
}

const char *jwt_claim_string(const struct jwt *t, const char *name)
{
    return json_string_value(json_object_get(t->claims, name));
}

void jwt_clear(struct jwt *t)
{
    if (!t)
        return;
    json_decref(t->header);
    json_decref(t->claims);
    free(t->signing_input);
    free(t->sig);
    memset(t, 0, sizeof *t);
}

const char *jwt_result_message(enum jwt_result r)
{
    switch (r) {
    case JWT_OK:
        return "The token is valid.";
    case JWT_MALFORMED:
        return "The token is not a well-formed JWT.";
    case JWT_BAD_ALG:
        return "The token's signature algorithm is not accepted; only ES256 is.";
    case JWT_NO_KID:
        return "The token's header names no key (kid).";
    case JWT_UNKNOWN_KID:
        return "The token was signed with an unknown key.";
    case JWT_BAD_SIGNATURE:
        return "The token's signature is invalid.";
    case JWT_EXPIRED:
        return "The token has expired.";
    case JWT_NOT_YET_VALID:
        return "The token is not valid yet.";
    case JWT_BAD_ISSUER:
        return "The token was issued by another issuer.";
    case JWT_BAD_AUDIENCE:
        return "The token is not meant for this API (audience).";
    case JWT_BAD_CLAIMS:
        return "The token's claims are incomplete or malformed.";
    }
    return "The token is invalid.";
}
