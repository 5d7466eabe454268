/*
 * pki/verify.h on OpenSSL: CMS signer info checked step by step (so the report can say which
 * part failed), X509_verify_cert for chains, TS_RESP_verify_token for time stamps,
 * OCSP_basic_verify + the single response for revocation.
 *
 * Ownership: OpenSSL objects live only during a call, except the trust's X509_STORE.
 */
#include "pki/verify.h"

#include "pki/internal.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/ts.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pki_verify_trust {
    X509_STORE *store;
};

void pki_verify_trust_free(struct pki_verify_trust *t)
{
    if (!t)
        return;
    X509_STORE_free(t->store);
    free(t);
}

static struct pki_verify_trust *trust_new(void)
{
    struct pki_verify_trust *t = calloc(1, sizeof *t);
    if (t && !(t->store = X509_STORE_new())) {
        free(t);
        t = NULL;
    }
    return t;
}

struct pki_verify_trust *pki_verify_trust_from_ca(const struct pki_ca *ca)
{
    int root = pki_ca_entity_find("root", 4);
    X509 *x = root >= 0 ? pki_ca_x509(ca, (size_t)root) : NULL;
    struct pki_verify_trust *t = x ? trust_new() : NULL;
    if (t && X509_STORE_add_cert(t->store, x) != 1) {
        pki_verify_trust_free(t);
        t = NULL;
    }
    return t;
}

struct pki_verify_trust *pki_verify_trust_from_pem(const char *pem, size_t len, char *err,
                                                   size_t err_len)
{
    struct pki_verify_trust *t = trust_new();
    BIO *bio = t && len <= INT32_MAX ? BIO_new_mem_buf(pem, (int)len) : NULL;
    size_t n = 0;
    X509 *x = NULL;
    while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (X509_STORE_add_cert(t->store, x) == 1)
            n++;
        X509_free(x);
    }
    ERR_clear_error();
    BIO_free(bio);
    if (n == 0) {
        snprintf(err, err_len, "the trust file holds no PEM certificate");
        pki_verify_trust_free(t);
        return NULL;
    }
    return t;
}

/* ---------------------------------------------------------------------------------------- */

static void set_problem(char *dst, size_t len, const char *msg)
{
    if (dst[0] != '\0' || len == 0)
        return;
    size_t n = strlen(msg);
    if (n >= len)
        n = len - 1;
    memcpy(dst, msg, n);
    dst[n] = '\0';
}

static int64_t asn1_time_to_epoch(const ASN1_TIME *t)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return (int64_t)timegm(&tm);
}

static void name_entry(const X509_NAME *name, int nid, char *out, size_t out_len)
{
    out[0] = '\0';
    int idx = name ? X509_NAME_get_index_by_NID(name, nid, -1) : -1;
    const ASN1_STRING *s =
        idx >= 0 ? X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)) : NULL;
    unsigned char *utf8 = NULL;
    int n = s ? ASN1_STRING_to_UTF8(&utf8, s) : -1;
    if (n >= 0)
        snprintf(out, out_len, "%.*s", n, (const char *)utf8);
    OPENSSL_free(utf8);
}

static void describe_cert(X509 *x, struct pki_sig_check *out)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (b && X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0) {
        char *p = NULL;
        long n = BIO_get_mem_data(b, &p);
        snprintf(out->subject, sizeof out->subject, "%.*s", (int)n, p);
    }
    BIO_free(b);
    name_entry(X509_get_subject_name(x), NID_commonName, out->common_name, sizeof out->common_name);
    name_entry(X509_get_issuer_name(x), NID_commonName, out->issuer_cn, sizeof out->issuer_cn);
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    if (hex)
        snprintf(out->serial, sizeof out->serial, "%s", hex);
    OPENSSL_free(hex);
    BN_free(bn);
}

/* A stack of the DER certificates (unparseable ones are skipped); NULL without memory. */
static STACK_OF(X509) * certs_from(const struct pki_bytes *items, size_t n)
{
    STACK_OF(X509) *sk = sk_X509_new_null();
    for (size_t i = 0; sk && i < n; i++) {
        const unsigned char *p = items[i].data;
        X509 *x = items[i].len <= INT32_MAX ? d2i_X509(NULL, &p, (long)items[i].len) : NULL;
        if (x && !sk_X509_push(sk, x))
            X509_free(x);
    }
    ERR_clear_error();
    return sk;
}

static void add_all(STACK_OF(X509) * dst, STACK_OF(X509) * src)
{
    for (int i = 0; src && i < sk_X509_num(src); i++) {
        X509 *x = sk_X509_value(src, i);
        if (X509_up_ref(x) == 1 && !sk_X509_push(dst, x))
            X509_free(x);
    }
}

/* The concatenation of the ranges (owned); NULL without memory. */
static unsigned char *concat(const struct pki_bytes *ranges, size_t n, size_t *len)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += ranges[i].len;
    unsigned char *buf = malloc(total ? total : 1);
    if (!buf)
        return NULL;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(buf + at, ranges[i].data, ranges[i].len);
        at += ranges[i].len;
    }
    *len = total;
    return buf;
}

/* Verifies x up to the trust store at time `at` (0: now), with untrusted intermediates.
 * On success the verified chain (owned) goes to *chain_out when non-NULL. */
static bool verify_chain(const struct pki_verify_trust *t, X509 *x, STACK_OF(X509) * untrusted,
                         int64_t at, STACK_OF(X509) * *chain_out, char *problem, size_t problem_len)
{
    X509_STORE_CTX *sc = X509_STORE_CTX_new();
    bool ok = sc && X509_STORE_CTX_init(sc, t->store, x, untrusted) == 1;
    if (ok) {
        X509_STORE_CTX_set_purpose(sc, X509_PURPOSE_ANY);
        if (at > 0)
            X509_STORE_CTX_set_time(sc, 0, (time_t)at);
        ok = X509_verify_cert(sc) == 1;
        if (!ok) {
            int e = X509_STORE_CTX_get_error(sc);
            bool untrusted_root = e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                                  e == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
                                  e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
                                  e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT;
            snprintf(problem, problem_len, "%s%s", untrusted_root ? "untrusted: " : "",
                     X509_verify_cert_error_string(e));
        } else if (chain_out)
            *chain_out = X509_STORE_CTX_get1_chain(sc);
    } else
        snprintf(problem, problem_len, "the certificate chain could not be checked");
    X509_STORE_CTX_free(sc);
    ERR_clear_error();
    return ok;
}

static void level_from_chain(STACK_OF(X509) * chain, char *out, size_t out_len)
{
    char cn[256] = "";
    if (chain && sk_X509_num(chain) >= 2)
        name_entry(X509_get_subject_name(sk_X509_value(chain, 1)), NID_commonName, cn, sizeof cn);
    const char *level = !strcmp(cn, "Signet Simple CA")      ? "simple"
                        : !strcmp(cn, "Signet Advanced CA")  ? "advanced"
                        : !strcmp(cn, "Signet Qualified CA") ? "qualified"
                                                             : "external";
    snprintf(out, out_len, "%s", level);
}

/*
 * Verifies a time stamp token over data; fills *time, the TSA's names and problem. The TSA
 * chain is checked at `now` against the trust store.
 */
static bool verify_token(const struct pki_verify_trust *t, PKCS7 *token, const unsigned char *data,
                         size_t len, STACK_OF(X509) * extra, int64_t *time_out, X509 **tsa_out,
                         char *problem, size_t problem_len)
{
    bool ok = false;
    TS_VERIFY_CTX *vc = TS_VERIFY_CTX_new();
    BIO *bio = len <= INT32_MAX ? BIO_new_mem_buf(data, (int)len) : NULL;
    STACK_OF(X509) *certs = sk_X509_new_null();
    TS_TST_INFO *info = PKCS7_to_TS_TST_INFO(token);
    if (!vc || !bio || !certs || !info) {
        snprintf(problem, problem_len, "the time stamp token cannot be read");
        goto cleanup;
    }
    add_all(certs, extra);
    if (X509_STORE_up_ref(t->store) != 1)
        goto cleanup;
    /* The context owns what it is given: store reference, data BIO, certificates. */
    TS_VERIFY_CTX_set_store(vc, t->store);
    TS_VERIFY_CTX_set_data(vc, bio);
    bio = NULL;
    TS_VERIFY_CTS_set_certs(vc, certs);
    certs = NULL;
    TS_VERIFY_CTX_set_flags(vc, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA);
    ok = TS_RESP_verify_token(vc, token) == 1;
    if (!ok) {
        unsigned long e = ERR_peek_last_error();
        char reason[160];
        ERR_error_string_n(e, reason, sizeof reason);
        const char *r = ERR_reason_error_string(e);
        if (ERR_GET_REASON(e) == TS_R_MESSAGE_IMPRINT_MISMATCH)
            snprintf(problem, problem_len, "the time stamp does not cover these bytes");
        else if (ERR_GET_REASON(e) == TS_R_CERTIFICATE_VERIFY_ERROR)
            snprintf(problem, problem_len,
                     "untrusted: the time-stamping authority does not "
                     "chain to the trust store");
        else
            snprintf(problem, problem_len, "the time stamp does not verify (%s)", r ? r : reason);
    }
    *time_out = asn1_time_to_epoch(TS_TST_INFO_get_time(info));
    if (tsa_out) {
        /* The signer of the token: the certificate in it matching the SignerInfo. */
        STACK_OF(PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info(token);
        PKCS7_SIGNER_INFO *si =
            sis && sk_PKCS7_SIGNER_INFO_num(sis) == 1 ? sk_PKCS7_SIGNER_INFO_value(sis, 0) : NULL;
        X509 *x = si ? PKCS7_cert_from_signer_info(token, si) : NULL;
        if (x && X509_up_ref(x) == 1)
            *tsa_out = x;
    }
cleanup:
    ERR_clear_error();
    TS_TST_INFO_free(info);
    sk_X509_pop_free(certs, X509_free);
    BIO_free(bio);
    TS_VERIFY_CTX_free(vc);
    return ok;
}

/* Finds the revocation status of x (issued by issuer) in the OCSP responses. */
static void check_revocation(const struct pki_verify_trust *t, X509 *x, X509 *issuer,
                             const struct pki_bytes *ocsps, size_t n, STACK_OF(X509) * certs,
                             struct pki_sig_check *out)
{
    for (size_t i = 0; i < n && out->revocation == PKI_REVOCATION_NOT_CHECKED; i++) {
        const unsigned char *p = ocsps[i].data;
        OCSP_RESPONSE *resp =
            ocsps[i].len <= INT32_MAX ? d2i_OCSP_RESPONSE(NULL, &p, (long)ocsps[i].len) : NULL;
        OCSP_BASICRESP *bs = resp && OCSP_response_status(resp) == OCSP_RESPONSE_STATUS_SUCCESSFUL
                                 ? OCSP_response_get1_basic(resp)
                                 : NULL;
        if (bs && OCSP_basic_verify(bs, certs, t->store, 0) == 1) {
            for (int k = 0; k < OCSP_resp_count(bs); k++) {
                OCSP_SINGLERESP *single = OCSP_resp_get0(bs, k);
                const OCSP_CERTID *cid = OCSP_SINGLERESP_get0_id(single);
                ASN1_OBJECT *md_obj = NULL;
                if (OCSP_id_get0_info(NULL, &md_obj, NULL, NULL, (OCSP_CERTID *)cid) != 1)
                    continue;
                const EVP_MD *md = EVP_get_digestbyobj(md_obj);
                OCSP_CERTID *ours = md ? OCSP_cert_to_id(md, x, issuer) : NULL;
                bool match = ours && OCSP_id_cmp(ours, cid) == 0;
                OCSP_CERTID_free(ours);
                if (!match)
                    continue;
                int reason = 0;
                ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
                int st = OCSP_single_get0_status(single, &reason, &rev, &thisupd, &nextupd);
                if (st == V_OCSP_CERTSTATUS_GOOD)
                    out->revocation = PKI_REVOCATION_GOOD;
                else if (st == V_OCSP_CERTSTATUS_REVOKED) {
                    out->revocation = PKI_REVOCATION_REVOKED;
                    out->revoked_at = asn1_time_to_epoch(rev);
                } else
                    out->revocation = PKI_REVOCATION_UNKNOWN;
                break;
            }
        }
        OCSP_BASICRESP_free(bs);
        OCSP_RESPONSE_free(resp);
    }
    ERR_clear_error();
}

/* The DER length of the TLV at p (trailing padding after it is ignored), or 0. */
static size_t der_length(const unsigned char *p, size_t n)
{
    long len = 0;
    int tag = 0, cls = 0;
    const unsigned char *q = p;
    if (n > INT32_MAX)
        n = INT32_MAX;
    int r = ASN1_get_object(&q, &len, &tag, &cls, (long)n);
    ERR_clear_error();
    if (r & 0x80 || r == 0x21) /* error, or indefinite length */
        return 0;
    size_t total = (size_t)(q - p) + (size_t)len;
    return total <= n ? total : 0;
}

bool pki_verify_cms(const struct pki_verify_trust *t, const unsigned char *der, size_t der_len,
                    const struct pki_bytes *ranges, size_t n_ranges,
                    const struct pki_bytes *dss_certs, size_t n_certs,
                    const struct pki_bytes *dss_ocsps, size_t n_ocsps, int64_t now,
                    struct pki_sig_check *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->level, sizeof out->level, "external");
    CMS_ContentInfo *cms = NULL;
    STACK_OF(X509) *extra = certs_from(dss_certs, n_certs), *untrusted = NULL, *cms_certs = NULL,
                   *chain = NULL;
    unsigned char *data = NULL;
    PKCS7 *token = NULL;
    X509 *signer = NULL;
    size_t data_len = 0;

    size_t len = der_length(der, der_len);
    const unsigned char *p = der;
    cms = len ? d2i_CMS_ContentInfo(NULL, &p, (long)len) : NULL;
    if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        set_problem(out->problem, sizeof out->problem, "the signature is not a CMS SignedData");
        goto cleanup;
    }
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    if (!sis || sk_CMS_SignerInfo_num(sis) != 1) {
        set_problem(out->problem, sizeof out->problem,
                    "the signature does not hold exactly one signer");
        goto cleanup;
    }
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
    out->parsed = true;

    /* The signer certificate: from the CMS or the /DSS. */
    cms_certs = CMS_get1_certs(cms);
    untrusted = sk_X509_new_null();
    if (!untrusted)
        goto cleanup;
    add_all(untrusted, cms_certs);
    add_all(untrusted, extra);
    for (int i = 0; i < sk_X509_num(untrusted) && !signer; i++)
        if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(untrusted, i)) == 0)
            signer = sk_X509_value(untrusted, i);
    if (!signer) {
        set_problem(out->problem, sizeof out->problem,
                    "the signer certificate is neither in the signature nor in the /DSS");
        goto cleanup;
    }
    describe_cert(signer, out);
    CMS_SignerInfo_set1_signer_cert(si, signer);

    /* Digest of the signed bytes against the message-digest attribute. */
    X509_ALGOR *dig_alg = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig_alg, NULL);
    const ASN1_OBJECT *dig_obj = NULL;
    if (dig_alg)
        X509_ALGOR_get0(&dig_obj, NULL, NULL, dig_alg);
    const EVP_MD *md = dig_obj ? EVP_get_digestbyobj(dig_obj) : NULL;
    ASN1_OCTET_STRING *claimed = CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
    data = concat(ranges, n_ranges, &data_len);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (!md || !claimed || !data ||
        EVP_Digest(data, data_len, digest, &digest_len, md, NULL) != 1) {
        set_problem(out->problem, sizeof out->problem,
                    "the signature has no usable message digest");
    } else if ((unsigned)ASN1_STRING_length(claimed) != digest_len ||
               memcmp(ASN1_STRING_get0_data(claimed), digest, digest_len) != 0) {
        set_problem(out->problem, sizeof out->problem,
                    "the signed bytes were modified (digest mismatch)");
    } else
        out->digest_ok = true;

    /* Signature over the signed attributes. */
    out->signature_ok = CMS_SignerInfo_verify(si) == 1;
    ERR_clear_error();
    if (!out->signature_ok)
        set_problem(out->problem, sizeof out->problem,
                    "the signature value does not verify with the signer's key");

    /* Signature time stamp: imprint over the signature value. */
    ASN1_STRING *tst = CMS_unsigned_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_id_smime_aa_timeStampToken), -3, V_ASN1_SEQUENCE);
    if (tst) {
        out->has_timestamp = true;
        const unsigned char *tp = ASN1_STRING_get0_data(tst);
        token = d2i_PKCS7(NULL, &tp, ASN1_STRING_length(tst));
        ASN1_OCTET_STRING *sigval = CMS_SignerInfo_get0_signature(si);
        X509 *tsa = NULL;
        if (!token)
            snprintf(out->timestamp_problem, sizeof out->timestamp_problem,
                     "the signature time stamp cannot be read");
        else
            out->timestamp_ok =
                verify_token(t, token, ASN1_STRING_get0_data(sigval),
                             (size_t)ASN1_STRING_length(sigval), untrusted, &out->timestamp_time,
                             &tsa, out->timestamp_problem, sizeof out->timestamp_problem);
        if (tsa) {
            name_entry(X509_get_subject_name(tsa), NID_commonName, out->tsa_cn, sizeof out->tsa_cn);
            X509_free(tsa);
        }
        if (!out->timestamp_ok) {
            char msg[300];
            snprintf(msg, sizeof msg, "signature time stamp: %s", out->timestamp_problem);
            set_problem(out->problem, sizeof out->problem, msg);
        }
    }

    /* Chain, at the time the time stamp proves (else now). */
    char chain_problem[200] = "";
    int64_t at = out->timestamp_ok && out->timestamp_time > 0 ? out->timestamp_time : now;
    out->chain_ok =
        verify_chain(t, signer, untrusted, at, &chain, chain_problem, sizeof chain_problem);
    if (out->chain_ok)
        level_from_chain(chain, out->level, sizeof out->level);
    else {
        char msg[300];
        snprintf(msg, sizeof msg, "signer certificate: %s", chain_problem);
        if (strncmp(chain_problem, "untrusted", 9) == 0)
            snprintf(msg, sizeof msg,
                     "untrusted: the signer certificate does not chain to the "
                     "trust store (%s)",
                     chain_problem + 11);
        set_problem(out->problem, sizeof out->problem, msg);
    }

    /* Revocation from the /DSS OCSP responses. */
    if (chain && sk_X509_num(chain) >= 2) {
        check_revocation(t, signer, sk_X509_value(chain, 1), dss_ocsps, n_ocsps, untrusted, out);
        if (out->revocation == PKI_REVOCATION_REVOKED)
            set_problem(out->problem, sizeof out->problem,
                        "the signer certificate is revoked (OCSP response in the /DSS)");
    }

    out->valid = out->digest_ok && out->signature_ok && out->chain_ok &&
                 (!out->has_timestamp || out->timestamp_ok) &&
                 out->revocation != PKI_REVOCATION_REVOKED;

cleanup:
    ERR_clear_error();
    free(data);
    PKCS7_free(token);
    sk_X509_pop_free(chain, X509_free);
    sk_X509_pop_free(untrusted, X509_free);
    sk_X509_pop_free(cms_certs, X509_free);
    sk_X509_pop_free(extra, X509_free);
    CMS_ContentInfo_free(cms);
    return out->valid;
}

bool pki_verify_doc_timestamp(const struct pki_verify_trust *t, const unsigned char *der,
                              size_t der_len, const struct pki_bytes *ranges, size_t n_ranges,
                              const struct pki_bytes *dss_certs, size_t n_certs, int64_t now,
                              struct pki_sig_check *out)
{
    (void)now;
    memset(out, 0, sizeof *out);
    snprintf(out->level, sizeof out->level, "external");
    STACK_OF(X509) *extra = certs_from(dss_certs, n_certs);
    unsigned char *data = NULL;
    size_t data_len = 0;
    X509 *tsa = NULL;
    size_t len = der_length(der, der_len);
    const unsigned char *p = der;
    PKCS7 *token = len ? d2i_PKCS7(NULL, &p, (long)len) : NULL;
    TS_TST_INFO *info = token ? PKCS7_to_TS_TST_INFO(token) : NULL;
    if (!info) {
        set_problem(out->problem, sizeof out->problem,
                    "the document time stamp is not an RFC 3161 token");
        goto cleanup;
    }
    out->parsed = true;
    out->has_timestamp = true;
    data = concat(ranges, n_ranges, &data_len);
    if (!data)
        goto cleanup;
    out->timestamp_ok = verify_token(t, token, data, data_len, extra, &out->timestamp_time, &tsa,
                                     out->timestamp_problem, sizeof out->timestamp_problem);
    if (tsa) {
        describe_cert(tsa, out);
        snprintf(out->tsa_cn, sizeof out->tsa_cn, "%s", out->common_name);
    }
    out->digest_ok = strstr(out->timestamp_problem, "does not cover") == NULL;
    out->chain_ok = strncmp(out->timestamp_problem, "untrusted", 9) != 0;
    out->signature_ok = out->timestamp_ok;
    if (out->timestamp_ok) {
        out->digest_ok = out->chain_ok = true;
    } else if (strstr(out->timestamp_problem, "does not cover"))
        set_problem(out->problem, sizeof out->problem,
                    "the signed bytes were modified (time stamp imprint mismatch)");
    else
        set_problem(out->problem, sizeof out->problem, out->timestamp_problem);
    out->valid = out->timestamp_ok;

cleanup:
    ERR_clear_error();
    X509_free(tsa);
    free(data);
    TS_TST_INFO_free(info);
    PKCS7_free(token);
    sk_X509_pop_free(extra, X509_free);
    return out->valid;
}
