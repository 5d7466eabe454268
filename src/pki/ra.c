#include "pki/ra.h"

#include "pki/internal.h"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned char *pki_ra_sign(const struct pki_ca *ca, const void *data, size_t len, size_t *out_len,
                           char *err, size_t err_len)
{
    unsigned char *out = NULL;
    unsigned char *der = NULL;
    CMS_ContentInfo *cms = NULL;
    BIO *in = NULL;
    int ra = pki_ca_entity_find("ra", 2);
    X509 *cert = ra >= 0 ? pki_ca_x509(ca, (size_t)ra) : NULL;
    EVP_PKEY *key = ra >= 0 ? pki_ca_pkey(ca, (size_t)ra) : NULL;
    *out_len = 0;
    if (!cert || !key || len > (size_t)INT32_MAX) {
        snprintf(err, err_len, "the registration authority's key is not available");
        goto cleanup;
    }
    in = BIO_new_mem_buf(data, (int)len);
    /* CMS_PARTIAL: the signer is added with SHA-256 explicitly before the content. */
    cms = in ? CMS_sign(NULL, NULL, NULL, NULL, CMS_BINARY | CMS_PARTIAL) : NULL;
    if (!cms || !CMS_add1_signer(cms, cert, key, EVP_sha256(), CMS_BINARY) ||
        CMS_final(cms, in, NULL, CMS_BINARY) != 1) {
        unsigned long e = ERR_get_error();
        snprintf(err, err_len, "cannot sign the evidence: %s",
                 e ? ERR_reason_error_string(e) : "unknown error");
        goto cleanup;
    }
    int n = i2d_CMS_ContentInfo(cms, &der);
    if (n <= 0) {
        snprintf(err, err_len, "cannot encode the signed evidence");
        goto cleanup;
    }
    out = malloc((size_t)n);
    if (!out) {
        snprintf(err, err_len, "out of memory");
        goto cleanup;
    }
    memcpy(out, der, (size_t)n);
    *out_len = (size_t)n;
cleanup:
    ERR_clear_error();
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    return out;
}
