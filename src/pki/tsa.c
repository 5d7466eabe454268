#include "pki/tsa.h"

#include "core/log.h"
#include "pki/internal.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pki_tsa {
    X509 *cert;          /* borrowed from the hierarchy */
    EVP_PKEY *key;       /* borrowed */
    ASN1_OBJECT *policy; /* owned */
};

struct pki_tsa *pki_tsa_new(const struct pki_ca *ca, const char *policy_oid, char *err,
                            size_t err_len)
{
    int i = pki_ca_entity_find("tsa", 3);
    X509 *cert = pki_ca_x509(ca, (size_t)i);
    EVP_PKEY *key = pki_ca_pkey(ca, (size_t)i);
    if (!cert || !key) {
        snprintf(err, err_len, "the hierarchy has no time-stamping certificate");
        return NULL;
    }
    ASN1_OBJECT *policy = OBJ_txt2obj(policy_oid, 1); /* 1: numeric form only */
    if (!policy) {
        ERR_clear_error();
        snprintf(err, err_len, "the TSA policy \"%s\" is not a dotted-decimal OID", policy_oid);
        return NULL;
    }
    struct pki_tsa *t = calloc(1, sizeof *t);
    if (!t) {
        ASN1_OBJECT_free(policy);
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    t->cert = cert;
    t->key = key;
    t->policy = policy;
    return t;
}

void pki_tsa_free(struct pki_tsa *t)
{
    if (!t)
        return;
    ASN1_OBJECT_free(t->policy);
    free(t);
}

/* TS_RESP_CTX serial callback: a positive random 128-bit number (unique with overwhelming
 * probability, and no counter to share between threads or nodes). */
static ASN1_INTEGER *random_serial(TS_RESP_CTX *ctx, void *data)
{
    (void)data;
    unsigned char b[16];
    ASN1_INTEGER *ai = NULL;
    BIGNUM *bn = NULL;
    if (RAND_bytes(b, sizeof b) == 1) {
        b[0] &= 0x7f;
        b[0] |= 0x40;
        bn = BN_bin2bn(b, sizeof b, NULL);
        ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    }
    BN_free(bn);
    if (!ai) {
        TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION,
                                    "Error during serial number "
                                    "generation.");
        TS_RESP_CTX_add_failure_info(ctx, TS_INFO_ADD_INFO_NOT_AVAILABLE);
    }
    return ai;
}

bool pki_tsa_respond(const struct pki_tsa *t, const void *query, size_t len, unsigned char **reply,
                     size_t *reply_len)
{
    bool ok = false;
    TS_RESP_CTX *ctx = NULL;
    BIO *in = NULL;
    TS_RESP *resp = NULL;
    unsigned char *der = NULL;
    if (len > INT32_MAX)
        goto cleanup;
    ctx = TS_RESP_CTX_new();
    in = BIO_new_mem_buf(query ? query : "", (int)(query ? len : 0));
    if (!ctx || !in)
        goto cleanup;
    if (TS_RESP_CTX_set_signer_cert(ctx, t->cert) != 1 ||
        TS_RESP_CTX_set_signer_key(ctx, t->key) != 1 ||
        TS_RESP_CTX_set_signer_digest(ctx, EVP_sha256()) != 1 ||
        TS_RESP_CTX_set_ess_cert_id_digest(ctx, EVP_sha256()) != 1 ||
        TS_RESP_CTX_set_def_policy(ctx, t->policy) != 1 ||
        TS_RESP_CTX_add_md(ctx, EVP_sha256()) != 1 || TS_RESP_CTX_add_md(ctx, EVP_sha384()) != 1 ||
        TS_RESP_CTX_add_md(ctx, EVP_sha512()) != 1 || TS_RESP_CTX_set_accuracy(ctx, 1, 0, 0) != 1 ||
        TS_RESP_CTX_set_clock_precision_digits(ctx, 0) != 1) {
        log_bug("cannot set up the time-stamp response context");
        goto cleanup;
    }
    TS_RESP_CTX_set_serial_cb(ctx, random_serial, NULL);
    TS_RESP_CTX_add_flags(ctx, TS_TSA_NAME); /* TSTInfo names the TSA (its subject) */
    /* Malformed queries come back as a response with status rejection, not as NULL. */
    resp = TS_RESP_create_response(ctx, in);
    if (!resp) {
        log_bug("cannot create a time-stamp response");
        goto cleanup;
    }
    int n = i2d_TS_RESP(resp, &der);
    if (n <= 0)
        goto cleanup;
    *reply = malloc((size_t)n);
    if (!*reply)
        goto cleanup;
    memcpy(*reply, der, (size_t)n);
    *reply_len = (size_t)n;
    ok = true;
cleanup:
    ERR_clear_error();
    OPENSSL_free(der);
    TS_RESP_free(resp);
    BIO_free(in);
    TS_RESP_CTX_free(ctx);
    return ok;
}

/* A DER TimeStampReq for a SHA-256 digest, with certReq and a 64-bit random nonce. */
static unsigned char *token_query(const unsigned char digest[32], int *len)
{
    unsigned char *der = NULL;
    unsigned char nonce_bytes[8];
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *imprint = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    BIGNUM *bn = NULL;
    ASN1_INTEGER *nonce = NULL;
    bool ok = req && imprint && alg && RAND_bytes(nonce_bytes, sizeof nonce_bytes) == 1;
    ok = ok && X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) == 1 &&
         TS_MSG_IMPRINT_set_algo(imprint, alg) == 1 &&
         TS_MSG_IMPRINT_set_msg(imprint, (unsigned char *)digest, 32) == 1 &&
         TS_REQ_set_version(req, 1) == 1 && TS_REQ_set_msg_imprint(req, imprint) == 1 &&
         TS_REQ_set_cert_req(req, 1) == 1;
    if (ok) {
        bn = BN_bin2bn(nonce_bytes, sizeof nonce_bytes, NULL);
        nonce = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
        ok = nonce && TS_REQ_set_nonce(req, nonce) == 1;
    }
    if (ok) {
        *len = i2d_TS_REQ(req, &der);
        if (*len <= 0)
            der = NULL;
    }
    ASN1_INTEGER_free(nonce);
    BN_free(bn);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(imprint);
    TS_REQ_free(req);
    return der;
}

unsigned char *pki_tsa_token(const struct pki_tsa *t, const unsigned char digest[32], size_t *len)
{
    unsigned char *out = NULL, *reply = NULL;
    size_t reply_len = 0;
    TS_RESP *resp = NULL;
    int query_len = 0;
    unsigned char *query = token_query(digest, &query_len);
    if (!query || !pki_tsa_respond(t, query, (size_t)query_len, &reply, &reply_len))
        goto cleanup;
    const unsigned char *p = reply;
    resp = d2i_TS_RESP(NULL, &p, (long)reply_len);
    PKCS7 *token = resp ? TS_RESP_get_token(resp) : NULL;
    TS_STATUS_INFO *status = resp ? TS_RESP_get_status_info(resp) : NULL;
    if (!token || !status || ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(status)) != 0) {
        log_bug("tsa: the in-process time-stamp request was not granted");
        goto cleanup;
    }
    unsigned char *der = NULL;
    int n = i2d_PKCS7(token, &der);
    if (n <= 0)
        goto cleanup;
    out = malloc((size_t)n);
    if (out) {
        memcpy(out, der, (size_t)n);
        *len = (size_t)n;
    }
    OPENSSL_free(der);

cleanup:
    if (!out)
        ERR_clear_error();
    TS_RESP_free(resp);
    free(reply);
    OPENSSL_free(query);
    return out;
}
