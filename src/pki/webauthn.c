/*
 * WebAuthn registration and assertion verification (see pki/webauthn.h).
 */
#include "pki/webauthn.h"

#include "core/b64.h"
#include "core/crypto.h"
#include "core/str.h"

#include <cbor.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FLAG_UP 0x01
#define FLAG_UV 0x04
#define FLAG_AT 0x40
#define FLAG_ED 0x80

#define AUTH_DATA_MIN 37 /* rpIdHash 32, flags 1, signCount 4 */

/* COSE (RFC 9053) labels and values used here. */
#define COSE_KTY      1
#define COSE_ALG      3
#define COSE_KTY_EC2  2
#define COSE_KTY_RSA  3
#define COSE_EC2_CRV  (-1)
#define COSE_EC2_X    (-2)
#define COSE_EC2_Y    (-3)
#define COSE_RSA_N    (-1)
#define COSE_RSA_E    (-2)
#define COSE_CRV_P256 1

const char *webauthn_result_name(enum webauthn_result r)
{
    switch (r) {
    case WEBAUTHN_OK:
        return "OK";
    case WEBAUTHN_MALFORMED:
        return "PASSKEY_MALFORMED";
    case WEBAUTHN_WRONG_TYPE:
        return "PASSKEY_WRONG_TYPE";
    case WEBAUTHN_WRONG_CHALLENGE:
        return "PASSKEY_WRONG_CHALLENGE";
    case WEBAUTHN_WRONG_ORIGIN:
        return "PASSKEY_WRONG_ORIGIN";
    case WEBAUTHN_WRONG_RP:
        return "PASSKEY_WRONG_RP";
    case WEBAUTHN_USER_NOT_PRESENT:
        return "PASSKEY_USER_NOT_PRESENT";
    case WEBAUTHN_USER_NOT_VERIFIED:
        return "PASSKEY_USER_NOT_VERIFIED";
    case WEBAUTHN_UNSUPPORTED_KEY:
        return "PASSKEY_UNSUPPORTED_KEY";
    case WEBAUTHN_UNSUPPORTED_ATTESTATION:
        return "PASSKEY_UNSUPPORTED_ATTESTATION";
    case WEBAUTHN_BAD_SIGNATURE:
        return "PASSKEY_BAD_SIGNATURE";
    case WEBAUTHN_COUNTER_REGRESSION:
        return "PASSKEY_COUNTER_REGRESSION";
    case WEBAUTHN_ERROR:
        break;
    }
    return "PASSKEY_ERROR";
}

/* ---- clientDataJSON (§5.8.1) ---- */

static enum webauthn_result check_client_data(const struct webauthn_expected *x, const char *type,
                                              const unsigned char *cd, size_t cd_len)
{
    enum webauthn_result res = WEBAUTHN_MALFORMED;
    unsigned char *challenge = NULL;
    size_t challenge_len = 0;
    if (!cd || cd_len == 0 || cd_len > WEBAUTHN_INPUT_MAX)
        return WEBAUTHN_MALFORMED;
    json_t *o = json_loadb((const char *)cd, cd_len, JSON_REJECT_DUPLICATES, NULL);
    const char *t = json_string_value(json_object_get(o, "type"));
    const char *c = json_string_value(json_object_get(o, "challenge"));
    const char *origin = json_string_value(json_object_get(o, "origin"));
    if (!json_is_object(o) || !t || !c || !origin)
        goto cleanup;
    if (strcmp(t, type) != 0) {
        res = WEBAUTHN_WRONG_TYPE;
        goto cleanup;
    }
    /* The browser encodes the challenge base64url without padding (§5.8.1). */
    if (!b64_decode(c, strlen(c), B64_URL, &challenge, &challenge_len)) {
        res = WEBAUTHN_WRONG_CHALLENGE;
        goto cleanup;
    }
    unsigned char h[SHA256_LEN];
    crypto_sha256(challenge, challenge_len, h);
    if (!str_ct_equal(h, x->challenge_sha256, sizeof h)) {
        res = WEBAUTHN_WRONG_CHALLENGE;
        goto cleanup;
    }
    if (strcmp(origin, x->origin) != 0) {
        res = WEBAUTHN_WRONG_ORIGIN;
        goto cleanup;
    }
    /* tokenBinding "present" would need the TLS connection's token binding, which no current
     * browser sends any more; a response that claims one is refused rather than half-checked. */
    json_t *tb = json_object_get(o, "tokenBinding");
    const char *tb_status = json_string_value(json_object_get(tb, "status"));
    if (tb_status && !strcmp(tb_status, "present"))
        goto cleanup;
    res = WEBAUTHN_OK;
cleanup:
    free(challenge);
    json_decref(o);
    return res;
}

/* ---- authenticator data (§6.1) ---- */

struct auth_data {
    unsigned char flags;
    uint32_t sign_count;
    const unsigned char *cred_id; /* attested credential data, registration only */
    size_t cred_id_len;
    const unsigned char *cose_key;
    size_t cose_key_len;
};

static enum webauthn_result check_auth_data(const struct webauthn_expected *x,
                                            const unsigned char *ad, size_t len, bool attested,
                                            struct auth_data *out)
{
    memset(out, 0, sizeof *out);
    if (!ad || len < AUTH_DATA_MIN || len > WEBAUTHN_INPUT_MAX)
        return WEBAUTHN_MALFORMED;
    unsigned char rp_hash[SHA256_LEN];
    crypto_sha256(x->rp_id, strlen(x->rp_id), rp_hash);
    out->flags = ad[32];
    out->sign_count =
        (uint32_t)ad[33] << 24 | (uint32_t)ad[34] << 16 | (uint32_t)ad[35] << 8 | (uint32_t)ad[36];
    if (attested) {
        if (!(out->flags & FLAG_AT) || len < AUTH_DATA_MIN + 18)
            return WEBAUTHN_MALFORMED;
        size_t id_len = (size_t)ad[53] << 8 | ad[54];
        size_t off = AUTH_DATA_MIN + 18;
        if (id_len == 0 || id_len > WEBAUTHN_CREDENTIAL_ID_MAX || len - off < id_len + 1)
            return WEBAUTHN_MALFORMED;
        out->cred_id = ad + off;
        out->cred_id_len = id_len;
        off += id_len;
        /* The COSE key is one CBOR item; its length tells where extensions would start. */
        struct cbor_load_result lr;
        cbor_item_t *key = cbor_load(ad + off, len - off, &lr);
        if (!key)
            return WEBAUTHN_MALFORMED;
        cbor_decref(&key);
        out->cose_key = ad + off;
        out->cose_key_len = lr.read;
        off += lr.read;
        /* Only extension data (ED) may follow; without ED the data must end here. */
        if (off != len && !(out->flags & FLAG_ED))
            return WEBAUTHN_MALFORMED;
    } else if (out->flags & FLAG_AT) {
        return WEBAUTHN_MALFORMED; /* assertions carry no attested credential data */
    }
    if (!str_ct_equal(rp_hash, ad, sizeof rp_hash))
        return WEBAUTHN_WRONG_RP;
    if (!(out->flags & FLAG_UP))
        return WEBAUTHN_USER_NOT_PRESENT;
    if (!(out->flags & FLAG_UV))
        return WEBAUTHN_USER_NOT_VERIFIED;
    return WEBAUTHN_OK;
}

/* ---- CBOR helpers ---- */

/* The integer value of it (NULL: false). */
static bool cbor_int_value(const cbor_item_t *it, int64_t *out)
{
    if (!it)
        return false;
    if (cbor_isa_uint(it)) {
        uint64_t v = cbor_get_int(it);
        if (v > INT64_MAX)
            return false;
        *out = (int64_t)v;
        return true;
    }
    if (cbor_isa_negint(it)) {
        uint64_t v = cbor_get_int(it); /* the value is -1 - v */
        if (v > INT64_MAX)
            return false;
        *out = -1 - (int64_t)v;
        return true;
    }
    return false;
}

/* The value of integer label `label` in map m, NULL when absent. */
static cbor_item_t *map_get_int(const cbor_item_t *m, int64_t label)
{
    struct cbor_pair *p = cbor_map_handle(m);
    for (size_t i = 0; i < cbor_map_size(m); i++) {
        int64_t k = 0;
        if (cbor_int_value(p[i].key, &k) && k == label)
            return p[i].value;
    }
    return NULL;
}

/* The value of text key `key` in map m, NULL when absent. */
static cbor_item_t *map_get_text(const cbor_item_t *m, const char *key)
{
    struct cbor_pair *p = cbor_map_handle(m);
    size_t klen = strlen(key);
    for (size_t i = 0; i < cbor_map_size(m); i++)
        if (cbor_isa_string(p[i].key) && cbor_string_is_definite(p[i].key) &&
            cbor_string_length(p[i].key) == klen &&
            !memcmp(cbor_string_handle(p[i].key), key, klen))
            return p[i].value;
    return NULL;
}

static bool bytes_of(const cbor_item_t *it, const unsigned char **data, size_t *len)
{
    if (!it || !cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it))
        return false;
    *data = cbor_bytestring_handle(it);
    *len = cbor_bytestring_length(it);
    return true;
}

/* ---- COSE key → EVP_PKEY → SPKI ---- */

static EVP_PKEY *pkey_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1)
        if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
            pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

/* The key of a COSE_Key map; *alg its algorithm. UNSUPPORTED_KEY for anything but ES256 on
 * P-256 or RS256 with 2048..4096 bits. */
static enum webauthn_result cose_to_pkey(const unsigned char *cose, size_t cose_len, int *alg,
                                         EVP_PKEY **out)
{
    enum webauthn_result res = WEBAUTHN_MALFORMED;
    struct cbor_load_result lr;
    cbor_item_t *m = cbor_load(cose, cose_len, &lr);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *n = NULL, *e = NULL;
    *out = NULL;
    int64_t kty = 0, a = 0;
    if (!bld) {
        res = WEBAUTHN_ERROR;
        goto cleanup;
    }
    if (!m || !cbor_isa_map(m) || !cbor_map_is_definite(m) ||
        !cbor_int_value(map_get_int(m, COSE_KTY), &kty) ||
        !cbor_int_value(map_get_int(m, COSE_ALG), &a))
        goto cleanup;
    res = WEBAUTHN_UNSUPPORTED_KEY;
    if (kty == COSE_KTY_EC2 && a == WEBAUTHN_ALG_ES256) {
        int64_t crv = 0;
        const unsigned char *xb = NULL, *yb = NULL;
        size_t xl = 0, yl = 0;
        if (!cbor_int_value(map_get_int(m, COSE_EC2_CRV), &crv) || crv != COSE_CRV_P256)
            goto cleanup;
        if (!bytes_of(map_get_int(m, COSE_EC2_X), &xb, &xl) ||
            !bytes_of(map_get_int(m, COSE_EC2_Y), &yb, &yl) || xl != 32 || yl != 32) {
            res = WEBAUTHN_MALFORMED;
            goto cleanup;
        }
        unsigned char point[65];
        point[0] = 0x04; /* uncompressed SEC1 point */
        memcpy(point + 1, xb, 32);
        memcpy(point + 33, yb, 32);
        if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
            !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point)) {
            res = WEBAUTHN_ERROR;
            goto cleanup;
        }
        *out = pkey_from_params("EC", bld);
    } else if (kty == COSE_KTY_RSA && a == WEBAUTHN_ALG_RS256) {
        const unsigned char *nb = NULL, *eb = NULL;
        size_t nl = 0, el = 0;
        if (!bytes_of(map_get_int(m, COSE_RSA_N), &nb, &nl) ||
            !bytes_of(map_get_int(m, COSE_RSA_E), &eb, &el) || nl == 0 || el == 0 || el > 8) {
            res = WEBAUTHN_MALFORMED;
            goto cleanup;
        }
        n = BN_bin2bn(nb, (int)nl, NULL);
        e = BN_bin2bn(eb, (int)el, NULL);
        if (!n || !e || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)) {
            res = WEBAUTHN_ERROR;
            goto cleanup;
        }
        int bits = BN_num_bits(n);
        if (bits < 2048 || bits > 4096)
            goto cleanup;
        *out = pkey_from_params("RSA", bld);
    } else {
        goto cleanup;
    }
    if (!*out) {
        res = WEBAUTHN_MALFORMED; /* not a point on the curve, or a broken RSA key */
        goto cleanup;
    }
    /* EVP_PKEY_fromdata does not check that the point is on the curve: do. */
    EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL);
    int ok = check ? EVP_PKEY_public_check(check) : -1;
    EVP_PKEY_CTX_free(check);
    if (ok != 1) {
        EVP_PKEY_free(*out);
        *out = NULL;
        res = WEBAUTHN_MALFORMED;
        goto cleanup;
    }
    *alg = (int)a;
    res = WEBAUTHN_OK;
cleanup:
    BN_free(n);
    BN_free(e);
    OSSL_PARAM_BLD_free(bld);
    if (m)
        cbor_decref(&m);
    return res;
}

/* Verifies signature over auth_data || SHA-256(client_data) with pkey and alg. */
static enum webauthn_result verify_signature(EVP_PKEY *pkey, int alg, const unsigned char *ad,
                                             size_t ad_len, const unsigned char *cd, size_t cd_len,
                                             const unsigned char *sig, size_t sig_len)
{
    int type = EVP_PKEY_get_base_id(pkey);
    if (!((alg == WEBAUTHN_ALG_ES256 && type == EVP_PKEY_EC) ||
          (alg == WEBAUTHN_ALG_RS256 && type == EVP_PKEY_RSA)))
        return WEBAUTHN_UNSUPPORTED_KEY;
    if (!sig || sig_len == 0 || sig_len > 1024)
        return WEBAUTHN_BAD_SIGNATURE;
    unsigned char cd_hash[SHA256_LEN];
    crypto_sha256(cd, cd_len, cd_hash);
    enum webauthn_result res = WEBAUTHN_ERROR;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    if (!md || EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pkey) != 1)
        goto cleanup;
    if (alg == WEBAUTHN_ALG_RS256 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
        goto cleanup;
    if (EVP_DigestVerifyUpdate(md, ad, ad_len) != 1 ||
        EVP_DigestVerifyUpdate(md, cd_hash, sizeof cd_hash) != 1)
        goto cleanup;
    res = EVP_DigestVerifyFinal(md, sig, sig_len) == 1 ? WEBAUTHN_OK : WEBAUTHN_BAD_SIGNATURE;
cleanup:
    EVP_MD_CTX_free(md);
    return res;
}

/* ---- attestation statement (§8.2 packed self attestation, §8.7 none) ---- */

static enum webauthn_result check_attestation(const cbor_item_t *att, const unsigned char *ad,
                                              size_t ad_len, const unsigned char *cd, size_t cd_len,
                                              EVP_PKEY *pkey, int alg)
{
    const cbor_item_t *fmt = map_get_text(att, "fmt");
    const cbor_item_t *stmt = map_get_text(att, "attStmt");
    if (!fmt || !cbor_isa_string(fmt) || !cbor_string_is_definite(fmt) || !stmt ||
        !cbor_isa_map(stmt) || !cbor_map_is_definite(stmt))
        return WEBAUTHN_MALFORMED;
    size_t fl = cbor_string_length(fmt);
    const unsigned char *f = cbor_string_handle(fmt);
    if (fl == 4 && !memcmp(f, "none", 4))
        return cbor_map_size(stmt) == 0 ? WEBAUTHN_OK : WEBAUTHN_MALFORMED;
    if (fl == 6 && !memcmp(f, "packed", 6)) {
        /* Only self attestation: signed by the credential's own key. A certificate (x5c)
         * would be a vendor's attestation, which Signet does not ask for nor judge. */
        int64_t a = 0;
        const unsigned char *sig = NULL;
        size_t sig_len = 0;
        if (map_get_text(stmt, "x5c") || map_get_text(stmt, "ecdaaKeyId"))
            return WEBAUTHN_UNSUPPORTED_ATTESTATION;
        if (!cbor_int_value(map_get_text(stmt, "alg"), &a) ||
            !bytes_of(map_get_text(stmt, "sig"), &sig, &sig_len))
            return WEBAUTHN_MALFORMED;
        if (a != alg)
            return WEBAUTHN_UNSUPPORTED_ATTESTATION;
        return verify_signature(pkey, alg, ad, ad_len, cd, cd_len, sig, sig_len);
    }
    return WEBAUTHN_UNSUPPORTED_ATTESTATION;
}

enum webauthn_result
webauthn_verify_registration(const struct webauthn_expected *x, const unsigned char *client_data,
                             size_t client_data_len, const unsigned char *attestation_object,
                             size_t attestation_object_len, struct webauthn_credential *out)
{
    memset(out, 0, sizeof *out);
    cbor_item_t *att = NULL;
    EVP_PKEY *pkey = NULL;
    unsigned char *der = NULL;
    enum webauthn_result res =
        check_client_data(x, "webauthn.create", client_data, client_data_len);
    if (res != WEBAUTHN_OK)
        return res;
    res = WEBAUTHN_MALFORMED;
    if (!attestation_object || attestation_object_len == 0 ||
        attestation_object_len > WEBAUTHN_INPUT_MAX)
        goto cleanup;
    struct cbor_load_result lr;
    att = cbor_load(attestation_object, attestation_object_len, &lr);
    if (!att || lr.read != attestation_object_len || !cbor_isa_map(att) ||
        !cbor_map_is_definite(att))
        goto cleanup;
    const unsigned char *ad = NULL;
    size_t ad_len = 0;
    if (!bytes_of(map_get_text(att, "authData"), &ad, &ad_len))
        goto cleanup;
    struct auth_data parsed;
    res = check_auth_data(x, ad, ad_len, true, &parsed);
    if (res != WEBAUTHN_OK)
        goto cleanup;
    int alg = 0;
    res = cose_to_pkey(parsed.cose_key, parsed.cose_key_len, &alg, &pkey);
    if (res != WEBAUTHN_OK)
        goto cleanup;
    res = check_attestation(att, ad, ad_len, client_data, client_data_len, pkey, alg);
    if (res != WEBAUTHN_OK)
        goto cleanup;
    int der_len = i2d_PUBKEY(pkey, &der);
    if (der_len <= 0 || (size_t)der_len > sizeof out->public_key) {
        res = der_len <= 0 ? WEBAUTHN_ERROR : WEBAUTHN_UNSUPPORTED_KEY;
        goto cleanup;
    }
    memcpy(out->id, parsed.cred_id, parsed.cred_id_len);
    out->id_len = parsed.cred_id_len;
    memcpy(out->public_key, der, (size_t)der_len);
    out->public_key_len = (size_t)der_len;
    out->alg = alg;
    out->sign_count = parsed.sign_count;
cleanup:
    OPENSSL_free(der);
    EVP_PKEY_free(pkey);
    if (att)
        cbor_decref(&att);
    if (res != WEBAUTHN_OK)
        memset(out, 0, sizeof *out);
    return res;
}

enum webauthn_result webauthn_verify_assertion(const struct webauthn_expected *x,
                                               const struct webauthn_credential *cred,
                                               const unsigned char *client_data,
                                               size_t client_data_len,
                                               const unsigned char *auth_data, size_t auth_data_len,
                                               const unsigned char *signature, size_t signature_len,
                                               uint32_t *sign_count)
{
    *sign_count = 0;
    enum webauthn_result res = check_client_data(x, "webauthn.get", client_data, client_data_len);
    if (res != WEBAUTHN_OK)
        return res;
    struct auth_data parsed;
    res = check_auth_data(x, auth_data, auth_data_len, false, &parsed);
    if (res != WEBAUTHN_OK)
        return res;
    const unsigned char *p = cred->public_key;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)cred->public_key_len);
    if (!pkey)
        return WEBAUTHN_ERROR; /* we stored it: our bug, not the signer's */
    res = verify_signature(pkey, cred->alg, auth_data, auth_data_len, client_data, client_data_len,
                           signature, signature_len);
    EVP_PKEY_free(pkey);
    if (res != WEBAUTHN_OK)
        return res;
    /* §7.2 step 21: a counter that does not grow means two authenticators share the key. */
    *sign_count = parsed.sign_count;
    if ((parsed.sign_count != 0 || cred->sign_count != 0) && parsed.sign_count <= cred->sign_count)
        return WEBAUTHN_COUNTER_REGRESSION;
    return WEBAUTHN_OK;
}
