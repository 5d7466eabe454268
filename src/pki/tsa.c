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
    X509 *cert;      /* borrowed from the hierarchy */
    EVP_PKEY *key;   /* borrowed */
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
        TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION, "Error during serial number "
                                                              "generation.");
        TS_RESP_CTX_add_failure_info(ctx, TS_INFO_ADD_INFO_NOT_AVAILABLE);
    }
    return ai;
}

bool pki_tsa_respond(const struct pki_tsa *t, const void *query, size_t len,
                     unsigned char **reply, size_t *reply_len)
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
        TS_RESP_CTX_add_md(ctx, EVP_sha512()) != 1 ||
        TS_RESP_CTX_set_accuracy(ctx, 1, 0, 0) != 1 ||
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
