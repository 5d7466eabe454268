#include "pki/jws.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <stdlib.h>
#include <string.h>

struct jws_key {
    EVP_PKEY *pkey;
    bool has_private;
};

static bool is_p256(EVP_PKEY *pkey)
{
    char group[64];
    size_t len = 0;
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
        return false;
    if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                        &len))
        return false;
    return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

static struct jws_key *wrap(EVP_PKEY *pkey, bool has_private)
{
    struct jws_key *k = calloc(1, sizeof *k);
    if (!k) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    k->pkey = pkey;
    k->has_private = has_private;
    return k;
}

struct jws_key *jws_key_generate(void)
{
    EVP_PKEY *pkey = EVP_EC_gen("P-256");
    return pkey ? wrap(pkey, true) : NULL;
}

struct jws_key *jws_key_from_private_pem(const char *pem, size_t len)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio)
        return NULL;
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!pkey)
        return NULL;
    if (!is_p256(pkey)) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return wrap(pkey, true);
}

struct jws_key *jws_key_from_public_xy(const unsigned char x[JWS_P256_COORD_LEN],
                                       const unsigned char y[JWS_P256_COORD_LEN])
{
    unsigned char point[1 + 2 * JWS_P256_COORD_LEN];
    struct jws_key *k = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    point[0] = 0x04; /* uncompressed */
    memcpy(point + 1, x, JWS_P256_COORD_LEN);
    memcpy(point + 1 + JWS_P256_COORD_LEN, y, JWS_P256_COORD_LEN);
    bld = OSSL_PARAM_BLD_new();
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point))
        goto cleanup;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        goto cleanup;
    /* fromdata does not check that the point lies on the curve: do it here. */
    EVP_PKEY_CTX_free(ctx);
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (!ctx || EVP_PKEY_public_check(ctx) != 1)
        goto cleanup;
    k = wrap(pkey, false);
    pkey = NULL;
cleanup:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return k;
}

char *jws_key_private_pem(const struct jws_key *k)
{
    if (!k || !k->has_private)
        return NULL;
    BIO *bio = BIO_new(BIO_s_mem());
    char *out = NULL;
    if (!bio)
        return NULL;
    if (PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL) == 1) {
        char *data = NULL;
        long n = BIO_get_mem_data(bio, &data);
        if (n > 0 && (out = malloc((size_t)n + 1)) != NULL) {
            memcpy(out, data, (size_t)n);
            out[n] = '\0';
        }
    }
    BIO_free(bio);
    return out;
}

bool jws_key_public_xy(const struct jws_key *k, unsigned char x[JWS_P256_COORD_LEN],
                       unsigned char y[JWS_P256_COORD_LEN])
{
    BIGNUM *bx = NULL, *by = NULL;
    bool ok = EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &bx) == 1 &&
              EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &by) == 1 &&
              BN_bn2binpad(bx, x, JWS_P256_COORD_LEN) == JWS_P256_COORD_LEN &&
              BN_bn2binpad(by, y, JWS_P256_COORD_LEN) == JWS_P256_COORD_LEN;
    BN_free(bx);
    BN_free(by);
    return ok;
}

bool jws_key_can_sign(const struct jws_key *k)
{
    return k && k->has_private;
}

void jws_key_free(struct jws_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

bool jws_es256_sign(const struct jws_key *k, const void *data, size_t len,
                    unsigned char sig[JWS_ES256_SIG_LEN])
{
    bool ok = false;
    unsigned char der[128];
    size_t der_len = sizeof der;
    ECDSA_SIG *es = NULL;
    if (!k || !k->has_private)
        return false;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k->pkey) != 1 ||
        EVP_DigestSign(md, der, &der_len, data, len) != 1)
        goto cleanup;
    /* OpenSSL produces DER (SEQUENCE of two INTEGERs); JOSE wants fixed-width r || s. */
    const unsigned char *p = der;
    es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (!es)
        goto cleanup;
    const BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG_get0(es, &r, &s);
    ok = BN_bn2binpad(r, sig, 32) == 32 && BN_bn2binpad(s, sig + 32, 32) == 32;
cleanup:
    ECDSA_SIG_free(es);
    EVP_MD_CTX_free(md);
    return ok;
}

bool jws_es256_verify(const struct jws_key *k, const void *data, size_t len,
                      const unsigned char *sig, size_t sig_len)
{
    bool ok = false;
    unsigned char *der = NULL;
    ECDSA_SIG *es = NULL;
    BIGNUM *r = NULL, *s = NULL;
    EVP_MD_CTX *md = NULL;
    if (!k || !sig || sig_len != JWS_ES256_SIG_LEN)
        return false;
    es = ECDSA_SIG_new();
    r = BN_bin2bn(sig, 32, NULL);
    s = BN_bin2bn(sig + 32, 32, NULL);
    if (!es || !r || !s || ECDSA_SIG_set0(es, r, s) != 1)
        goto cleanup;
    r = s = NULL; /* owned by es now */
    int der_len = i2d_ECDSA_SIG(es, &der);
    if (der_len <= 0)
        goto cleanup;
    md = EVP_MD_CTX_new();
    if (!md || EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k->pkey) != 1)
        goto cleanup;
    ok = EVP_DigestVerify(md, der, (size_t)der_len, data, len) == 1;
cleanup:
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return ok;
}
