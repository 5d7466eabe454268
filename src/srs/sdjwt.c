/*
 * SD-JWT VC presentations (see srs/sdjwt.h). The crypto is pki/jws.h (OpenSSL), base64url
 * core/b64.h, SHA-256 core/crypto.h; this file only follows the format.
 */
#include "srs/sdjwt.h"

#include "auth/keys.h"
#include "core/b64.h"
#include "core/crypto.h"
#include "core/str.h"
#include "pki/jws.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DISCLOSURES 64
#define MAX_DEPTH       8

/* A compact JWS split and decoded. */
struct jws_parts {
    json_t *header, *payload; /* owned */
    const char *input;        /* "header.payload" (borrowed) */
    size_t input_len;
    unsigned char *sig; /* owned */
    size_t sig_len;
};

static void parts_clear(struct jws_parts *p)
{
    json_decref(p->header);
    json_decref(p->payload);
    free(p->sig);
    memset(p, 0, sizeof *p);
}

/* base64url text of len chars → JSON value (any type), or NULL. */
static json_t *decode_json(const char *s, size_t len)
{
    unsigned char *raw = NULL;
    size_t raw_len = 0;
    if (!len || !b64url_alphabet(s, len) || !b64_decode(s, len, B64_URL, &raw, &raw_len))
        return NULL;
    json_t *v = json_loadb((const char *)raw, raw_len, JSON_REJECT_DUPLICATES, NULL);
    free(raw);
    return v;
}

/* Splits an ES256 compact JWS of len chars whose header typ is typ. */
static bool parse_jws(const char *s, size_t len, const char *typ, struct jws_parts *out)
{
    memset(out, 0, sizeof *out);
    const char *d1 = memchr(s, '.', len);
    const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - s)) : NULL;
    if (!d1 || !d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - s)))
        return false;
    size_t sl = len - (size_t)(d2 + 1 - s);
    out->header = decode_json(s, (size_t)(d1 - s));
    out->payload = decode_json(d1 + 1, (size_t)(d2 - d1 - 1));
    const char *alg = json_string_value(json_object_get(out->header, "alg"));
    const char *t = json_string_value(json_object_get(out->header, "typ"));
    if (!json_is_object(out->header) || !json_is_object(out->payload) || !alg ||
        strcmp(alg, "ES256") != 0 || json_object_get(out->header, "crit") || !t ||
        strcmp(t, typ) != 0 || !sl || !b64url_alphabet(d2 + 1, sl) ||
        !b64_decode(d2 + 1, sl, B64_URL, &out->sig, &out->sig_len)) {
        parts_clear(out);
        return false;
    }
    out->input = s;
    out->input_len = (size_t)(d2 - s);
    return true;
}

/* base64url(SHA-256(data)) into out (44 bytes). */
static bool b64_sha256(const void *data, size_t len, char out[48])
{
    unsigned char h[SHA256_LEN];
    crypto_sha256(data, len, h);
    char *enc = b64_encode(h, sizeof h, B64_URL);
    bool ok = enc && str_copy(out, 48, enc);
    free(enc);
    return ok;
}

struct disclosure {
    char digest[48];
    json_t *array; /* owned: [salt, name, value] or [salt, value] */
    bool used;
};

static struct disclosure *find_disclosure(struct disclosure *d, size_t n, const char *digest)
{
    for (size_t i = 0; digest && i < n; i++)
        if (strcmp(d[i].digest, digest) == 0)
            return &d[i];
    return NULL;
}

/* Replaces digests in v by what they disclose, recursively (RFC 9901 section 7.1). */
static bool process(json_t *v, struct disclosure *d, size_t n, int depth)
{
    if (depth > MAX_DEPTH)
        return false;
    if (json_is_object(v)) {
        json_t *sd = json_object_get(v, "_sd");
        if (sd) {
            json_incref(sd);
            json_object_del(v, "_sd");
            size_t i;
            json_t *digest;
            bool ok = json_is_array(sd);
            json_array_foreach(sd, i, digest)
            {
                if (!ok || !json_is_string(digest)) {
                    ok = false;
                    break;
                }
                struct disclosure *x = find_disclosure(d, n, json_string_value(digest));
                if (!x)
                    continue; /* a decoy digest, or a claim not disclosed */
                const char *name = json_string_value(json_array_get(x->array, 1));
                if (x->used || json_array_size(x->array) != 3 || !name ||
                    strcmp(name, "_sd") == 0 || strcmp(name, "...") == 0 ||
                    json_object_get(v, name)) {
                    ok = false;
                    break;
                }
                x->used = true;
                json_object_set(v, name, json_array_get(x->array, 2));
            }
            json_decref(sd);
            if (!ok)
                return false;
        }
        const char *key;
        json_t *child;
        json_object_foreach(v, key, child) if (!process(child, d, n, depth + 1)) return false;
        return true;
    }
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v);) {
            json_t *e = json_array_get(v, i);
            json_t *dots = json_is_object(e) ? json_object_get(e, "...") : NULL;
            if (dots) {
                struct disclosure *x = json_object_size(e) == 1 && json_is_string(dots)
                                           ? find_disclosure(d, n, json_string_value(dots))
                                           : NULL;
                if (json_object_size(e) != 1 || !json_is_string(dots) ||
                    (x && (x->used || json_array_size(x->array) != 2)))
                    return false;
                if (!x) {
                    json_array_remove(v, i); /* not disclosed */
                    continue;
                }
                x->used = true;
                json_array_set(v, i, json_array_get(x->array, 1));
            }
            if (!process(json_array_get(v, i), d, n, depth + 1))
                return false;
            i++;
        }
    }
    return true;
}

/* The public key of a JWK {"kty":"EC","crv":"P-256","x","y"} (owned) or NULL. */
static struct jws_key *holder_key(const json_t *jwk)
{
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    const char *x = json_string_value(json_object_get(jwk, "x"));
    const char *y = json_string_value(json_object_get(jwk, "y"));
    unsigned char *xb = NULL, *yb = NULL;
    size_t xl = 0, yl = 0;
    struct jws_key *k = NULL;
    if (kty && crv && x && y && strcmp(kty, "EC") == 0 && strcmp(crv, "P-256") == 0 &&
        b64_decode(x, strlen(x), B64_URL, &xb, &xl) && xl == JWS_P256_COORD_LEN &&
        b64_decode(y, strlen(y), B64_URL, &yb, &yl) && yl == JWS_P256_COORD_LEN)
        k = jws_key_from_public_xy(xb, yb);
    free(xb);
    free(yb);
    return k;
}

static bool int_claim(const json_t *o, const char *name, int64_t *out)
{
    const json_t *v = json_object_get(o, name);
    if (json_is_integer(v))
        *out = (int64_t)json_integer_value(v);
    else if (json_is_real(v))
        *out = (int64_t)json_real_value(v);
    else
        return false;
    return true;
}

/* Credential claims and the accepted vct. */
static enum sdjwt_result check_credential(const json_t *p, const struct sdjwt_expect *e)
{
    int64_t t = 0;
    if (!int_claim(p, "exp", &t) || t + e->leeway < e->now)
        return SDJWT_EXPIRED;
    if ((json_object_get(p, "nbf") && (!int_claim(p, "nbf", &t) || t - e->leeway > e->now)) ||
        (json_object_get(p, "iat") && (!int_claim(p, "iat", &t) || t - e->leeway > e->now)))
        return SDJWT_NOT_YET_VALID;
    const char *vct = json_string_value(json_object_get(p, "vct"));
    for (size_t i = 0; vct && i < e->n_vct; i++)
        if (strcmp(vct, e->vct_values[i]) == 0)
            return SDJWT_OK;
    return SDJWT_BAD_VCT;
}

/* The KB-JWT's claims against the request and the presented SD-JWT. */
static enum sdjwt_result check_kb(const json_t *kb, const struct sdjwt_expect *e,
                                  const char *sd_hash)
{
    int64_t iat = 0;
    const char *aud = json_string_value(json_object_get(kb, "aud"));
    const char *nonce = json_string_value(json_object_get(kb, "nonce"));
    const char *hash = json_string_value(json_object_get(kb, "sd_hash"));
    char nonce_hash[SHA256_HEX_LEN];
    if (!int_claim(kb, "iat", &iat) || iat - e->leeway > e->now ||
        iat + e->kb_max_age + e->leeway < e->now)
        return SDJWT_BAD_KB_TIME;
    if (!nonce)
        return SDJWT_BAD_NONCE;
    crypto_sha256_hex(nonce, strlen(nonce), nonce_hash);
    if (strlen(e->nonce_hash) != SHA256_HEX_LEN - 1 ||
        !str_ct_equal(nonce_hash, e->nonce_hash, SHA256_HEX_LEN - 1))
        return SDJWT_BAD_NONCE;
    if (!aud || strcmp(aud, e->audience) != 0)
        return SDJWT_BAD_AUDIENCE;
    if (!hash || strcmp(hash, sd_hash) != 0)
        return SDJWT_BAD_SD_HASH;
    return SDJWT_OK;
}

enum sdjwt_result sdjwt_verify(const char *s, size_t len, const struct sdjwt_expect *e,
                               json_t **claims_out, char *kid_out)
{
    struct disclosure d[MAX_DISCLOSURES];
    size_t n = 0;
    struct jws_parts iss = {0}, kb = {0};
    struct jws_key *holder = NULL;
    char sd_hash[48];
    enum sdjwt_result res = SDJWT_MALFORMED;
    *claims_out = NULL;
    memset(d, 0, sizeof d);
    if (!s || len == 0 || len > SDJWT_MAX_LEN || memchr(s, '\0', len))
        return SDJWT_MALFORMED;
    /* "<JWT>~<D1>~…~<Dn>~<KB-JWT>": the KB-JWT follows the last '~'. */
    const char *first = memchr(s, '~', len);
    const char *last = first;
    for (const char *p = first; p; p = memchr(p + 1, '~', len - (size_t)(p + 1 - s)))
        last = p;
    if (!first || last + 1 == s + len)
        goto cleanup; /* no KB-JWT: key binding is required */
    if (!parse_jws(s, (size_t)(first - s), "dc+sd-jwt", &iss))
        goto cleanup;
    const char *kid = json_string_value(json_object_get(iss.header, "kid"));
    const struct auth_key *ik = auth_keyring_find(e->issuers, kid);
    if (!ik) {
        res = SDJWT_UNKNOWN_ISSUER;
        goto cleanup;
    }
    if (!jws_es256_verify(ik->key, iss.input, iss.input_len, iss.sig, iss.sig_len)) {
        res = SDJWT_BAD_ISSUER_SIGNATURE;
        goto cleanup;
    }
    res = SDJWT_BAD_DISCLOSURE;
    const char *alg = json_string_value(json_object_get(iss.payload, "_sd_alg"));
    if (json_object_get(iss.payload, "_sd_alg") && (!alg || strcmp(alg, "sha-256") != 0))
        goto cleanup;
    for (const char *p = first + 1; p <= last;) {
        const char *end = memchr(p, '~', (size_t)(last - p) + 1);
        size_t dl = (size_t)(end - p);
        if (dl == 0 || n == MAX_DISCLOSURES)
            goto cleanup;
        d[n].array = decode_json(p, dl);
        if (!json_is_array(d[n].array) ||
            (json_array_size(d[n].array) != 3 && json_array_size(d[n].array) != 2) ||
            !json_is_string(json_array_get(d[n].array, 0)) ||
            (json_array_size(d[n].array) == 3 && !json_is_string(json_array_get(d[n].array, 1))) ||
            !b64_sha256(p, dl, d[n].digest) || find_disclosure(d, n, d[n].digest)) {
            n++;
            goto cleanup;
        }
        n++;
        p = end + 1;
    }
    json_object_del(iss.payload, "_sd_alg");
    if (!process(iss.payload, d, n, 0))
        goto cleanup;
    for (size_t i = 0; i < n; i++)
        if (!d[i].used)
            goto cleanup; /* changed, or not part of this credential */
    res = check_credential(iss.payload, e);
    if (res != SDJWT_OK)
        goto cleanup;
    res = SDJWT_BAD_HOLDER_KEY;
    holder = holder_key(json_object_get(json_object_get(iss.payload, "cnf"), "jwk"));
    if (!holder)
        goto cleanup;
    res = SDJWT_MALFORMED;
    if (!parse_jws(last + 1, len - (size_t)(last + 1 - s), "kb+jwt", &kb))
        goto cleanup;
    res = SDJWT_BAD_KB_SIGNATURE;
    if (!jws_es256_verify(holder, kb.input, kb.input_len, kb.sig, kb.sig_len))
        goto cleanup;
    res = SDJWT_MALFORMED;
    if (!b64_sha256(s, (size_t)(last + 1 - s), sd_hash))
        goto cleanup;
    res = check_kb(kb.payload, e, sd_hash);
    if (res != SDJWT_OK)
        goto cleanup;
    if (kid_out)
        str_copy(kid_out, 64, kid);
    json_object_del(iss.payload, "cnf");
    *claims_out = json_incref(iss.payload);
cleanup:
    for (size_t i = 0; i < n; i++)
        json_decref(d[i].array);
    parts_clear(&iss);
    parts_clear(&kb);
    jws_key_free(holder);
    return res;
}

const char *sdjwt_result_message(enum sdjwt_result r)
{
    switch (r) {
    case SDJWT_OK:
        return "The presentation is valid.";
    case SDJWT_MALFORMED:
        return "The presentation is not an SD-JWT VC with a key binding JWT (ES256).";
    case SDJWT_UNKNOWN_ISSUER:
        return "The credential's issuer is not a trusted eID issuer.";
    case SDJWT_BAD_ISSUER_SIGNATURE:
        return "The credential's issuer signature does not verify.";
    case SDJWT_BAD_DISCLOSURE:
        return "A disclosure of the credential is malformed, changed or not part of it.";
    case SDJWT_EXPIRED:
        return "The credential has expired.";
    case SDJWT_NOT_YET_VALID:
        return "The credential is not valid yet.";
    case SDJWT_BAD_VCT:
        return "The credential is not of an accepted identity credential type (vct).";
    case SDJWT_BAD_HOLDER_KEY:
        return "The credential has no usable holder key (cnf.jwk, EC P-256).";
    case SDJWT_BAD_KB_SIGNATURE:
        return "The key binding JWT is not signed by the credential's holder key.";
    case SDJWT_BAD_NONCE:
        return "The key binding JWT's nonce is not the one of this request.";
    case SDJWT_BAD_AUDIENCE:
        return "The key binding JWT's audience is not this verifier.";
    case SDJWT_BAD_SD_HASH:
        return "The key binding JWT's sd_hash does not match the presented credential.";
    case SDJWT_BAD_KB_TIME:
        return "The key binding JWT's issue time is missing, too old or in the future.";
    }
    return "The presentation is not valid.";
}
