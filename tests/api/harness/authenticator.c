/*
 * A software WebAuthn authenticator for tests (see authenticator.h).
 */
#include "authenticator.h"

#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *authenticator_b64url(const unsigned char *data, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (!out)
        return NULL;
    int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (char *p = out; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    return out;
}

long authenticator_b64url_decode(const char *s, unsigned char *out, size_t cap)
{
    size_t len = strlen(s);
    char *t = malloc(len + 4);
    unsigned char *buf = malloc(len + 4);
    long res = -1;
    if (!t || !buf)
        goto cleanup;
    for (size_t i = 0; i < len; i++)
        t[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    size_t pad = (4 - len % 4) % 4;
    memset(t + len, '=', pad);
    t[len + pad] = '\0';
    int n = EVP_DecodeBlock(buf, (unsigned char *)t, (int)(len + pad));
    if (n < 0)
        goto cleanup;
    n -= (int)pad;
    if ((size_t)n > cap)
        goto cleanup;
    memcpy(out, buf, (size_t)n);
    res = n;
cleanup:
    free(t);
    free(buf);
    return res;
}

bool authenticator_init(struct authenticator *a, int alg, const char *rp_id, const char *origin)
{
    memset(a, 0, sizeof *a);
    a->alg = alg;
    a->key = alg == -7 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
    snprintf(a->rp_id, sizeof a->rp_id, "%s", rp_id);
    snprintf(a->origin, sizeof a->origin, "%s", origin);
    a->flags = AUTH_FLAG_UP | AUTH_FLAG_UV;
    a->fmt = "none";
    return a->key && RAND_bytes(a->cred_id, sizeof a->cred_id) == 1;
}

void authenticator_free(struct authenticator *a)
{
    EVP_PKEY_free(a->key);
    a->key = NULL;
}

void authenticator_response_free(struct authenticator_response *r)
{
    free(r->client_data);
    free(r->attestation_object);
    free(r->auth_data);
    free(r->signature);
    memset(r, 0, sizeof *r);
}

static bool client_data(const struct authenticator *a, const char *type,
                        const unsigned char *challenge, size_t len,
                        struct authenticator_response *out)
{
    char *c = authenticator_b64url(challenge, len);
    if (!c)
        return false;
    size_t cap = strlen(c) + strlen(a->origin) + 128;
    out->client_data = malloc(cap);
    int n = out->client_data ? snprintf((char *)out->client_data, cap,
                                        "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\","
                                        "\"crossOrigin\":false}",
                                        a->type ? a->type : type, c, a->origin)
                             : -1;
    free(c);
    if (n < 0 || (size_t)n >= cap)
        return false;
    out->client_data_len = (size_t)n;
    return true;
}

static bool bn_bytes(EVP_PKEY *k, const char *name, unsigned char *out, int pad, size_t *len)
{
    BIGNUM *bn = NULL;
    if (EVP_PKEY_get_bn_param(k, name, &bn) != 1)
        return false;
    int n = pad ? BN_bn2binpad(bn, out, pad) : BN_bn2bin(bn, out);
    BN_free(bn);
    if (n <= 0)
        return false;
    *len = (size_t)n;
    return true;
}

static bool map_add(cbor_item_t *m, cbor_item_t *k, cbor_item_t *v)
{
    return k && v &&
           cbor_map_add(m, (struct cbor_pair){.key = cbor_move(k), .value = cbor_move(v)});
}

/* COSE_Key of the public key, serialized (owned). */
static unsigned char *cose_key(const struct authenticator *a, size_t *len)
{
    unsigned char x[600], y[32];
    size_t xl = 0, yl = 0;
    unsigned char *buf = NULL;
    size_t cap = 0;
    cbor_item_t *m = cbor_new_definite_map(a->alg == -7 ? 5 : 4);
    bool ok = m != NULL;
    if (a->alg == -7) {
        ok = ok && bn_bytes(a->key, OSSL_PKEY_PARAM_EC_PUB_X, x, 32, &xl) &&
             bn_bytes(a->key, OSSL_PKEY_PARAM_EC_PUB_Y, y, 32, &yl) &&
             map_add(m, cbor_build_uint8(1), cbor_build_uint8(2)) &&
             map_add(m, cbor_build_uint8(3), cbor_build_negint8(6)) &&
             map_add(m, cbor_build_negint8(0), cbor_build_uint8(1)) &&
             map_add(m, cbor_build_negint8(1), cbor_build_bytestring(x, xl)) &&
             map_add(m, cbor_build_negint8(2), cbor_build_bytestring(y, yl));
    } else {
        ok = ok && bn_bytes(a->key, OSSL_PKEY_PARAM_RSA_N, x, 0, &xl) &&
             bn_bytes(a->key, OSSL_PKEY_PARAM_RSA_E, y, 0, &yl) &&
             map_add(m, cbor_build_uint8(1), cbor_build_uint8(3)) &&
             map_add(m, cbor_build_uint8(3), cbor_build_negint16(256)) &&
             map_add(m, cbor_build_negint8(0), cbor_build_bytestring(x, xl)) &&
             map_add(m, cbor_build_negint8(1), cbor_build_bytestring(y, yl));
    }
    *len = ok ? cbor_serialize_alloc(m, &buf, &cap) : 0;
    if (m)
        cbor_decref(&m);
    if (!*len) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* rpIdHash || flags || signCount [|| attested credential data]. */
static unsigned char *auth_data(const struct authenticator *a, bool attested, size_t *len)
{
    size_t key_len = 0;
    unsigned char *key = attested ? cose_key(a, &key_len) : NULL;
    if (attested && !key)
        return NULL;
    size_t n = 37 + (attested ? 16 + 2 + sizeof a->cred_id + key_len : 0);
    unsigned char *ad = calloc(1, n);
    if (!ad) {
        free(key);
        return NULL;
    }
    unsigned int hl = 0;
    EVP_Digest(a->rp_id, strlen(a->rp_id), ad, &hl, EVP_sha256(), NULL);
    ad[32] = (unsigned char)(a->flags | (attested ? 0x40 : 0));
    ad[33] = (unsigned char)(a->counter >> 24);
    ad[34] = (unsigned char)(a->counter >> 16);
    ad[35] = (unsigned char)(a->counter >> 8);
    ad[36] = (unsigned char)a->counter;
    if (attested) { /* AAGUID all zero, as with attestation "none" */
        ad[53] = 0;
        ad[54] = (unsigned char)sizeof a->cred_id;
        memcpy(ad + 55, a->cred_id, sizeof a->cred_id);
        memcpy(ad + 55 + sizeof a->cred_id, key, key_len);
    }
    free(key);
    *len = n;
    return ad;
}

/* The signature over ad || SHA-256(cd) (owned). */
static unsigned char *sign(const struct authenticator *a, const unsigned char *ad, size_t ad_len,
                           const unsigned char *cd, size_t cd_len, size_t *len)
{
    unsigned char h[32];
    unsigned int hl = 0;
    EVP_Digest(cd, cd_len, h, &hl, EVP_sha256(), NULL);
    unsigned char *msg = malloc(ad_len + 32), *sig = NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t n = 0;
    bool ok = msg && md;
    if (ok) {
        memcpy(msg, ad, ad_len);
        memcpy(msg + ad_len, h, 32);
        ok = EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, a->key) == 1 &&
             EVP_DigestSign(md, NULL, &n, msg, ad_len + 32) == 1 && (sig = malloc(n)) &&
             EVP_DigestSign(md, sig, &n, msg, ad_len + 32) == 1;
    }
    if (ok && a->bad_signature)
        sig[n / 2] ^= 0x01;
    free(msg);
    EVP_MD_CTX_free(md);
    if (!ok) {
        free(sig);
        return NULL;
    }
    *len = n;
    return sig;
}

bool authenticator_create(struct authenticator *a, const unsigned char *challenge, size_t len,
                          struct authenticator_response *out)
{
    memset(out, 0, sizeof *out);
    size_t ad_len = 0, sig_len = 0, cap = 0;
    unsigned char *ad = NULL, *sig = NULL;
    cbor_item_t *att = NULL, *stmt = NULL;
    bool ok = client_data(a, "webauthn.create", challenge, len, out) &&
              (ad = auth_data(a, true, &ad_len)) != NULL;
    bool packed = ok && !strcmp(a->fmt, "packed");
    if (packed)
        ok = (sig = sign(a, ad, ad_len, out->client_data, out->client_data_len, &sig_len)) != NULL;
    if (ok) {
        stmt = cbor_new_definite_map(packed ? 2 : 0);
        att = cbor_new_definite_map(3);
        ok = stmt && att;
    }
    if (ok && packed)
        ok = map_add(stmt, cbor_build_string("alg"),
                     a->alg == -7 ? cbor_build_negint8(6) : cbor_build_negint16(256)) &&
             map_add(stmt, cbor_build_string("sig"), cbor_build_bytestring(sig, sig_len));
    if (ok) {
        ok = map_add(att, cbor_build_string("fmt"), cbor_build_string(a->fmt)) &&
             map_add(att, cbor_build_string("attStmt"), stmt) &&
             map_add(att, cbor_build_string("authData"), cbor_build_bytestring(ad, ad_len));
        stmt = NULL; /* moved into att */
    }
    if (ok) {
        out->attestation_object_len = cbor_serialize_alloc(att, &out->attestation_object, &cap);
        ok = out->attestation_object_len > 0;
    }
    if (stmt)
        cbor_decref(&stmt);
    if (att)
        cbor_decref(&att);
    free(ad);
    free(sig);
    if (!ok)
        authenticator_response_free(out);
    return ok;
}

bool authenticator_get(struct authenticator *a, const unsigned char *challenge, size_t len,
                       struct authenticator_response *out)
{
    memset(out, 0, sizeof *out);
    if (!a->keep_counter)
        a->counter++;
    bool ok = client_data(a, "webauthn.get", challenge, len, out) &&
              (out->auth_data = auth_data(a, false, &out->auth_data_len)) != NULL &&
              (out->signature = sign(a, out->auth_data, out->auth_data_len, out->client_data,
                                     out->client_data_len, &out->signature_len)) != NULL;
    if (!ok)
        authenticator_response_free(out);
    return ok;
}
