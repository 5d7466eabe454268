#include "pki/signer.h"

#include "core/log.h"
#include "pki/internal.h"
#include "pki/tsa.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKDATE_S 60 /* notBefore a minute early: clocks of relying parties differ */

/* ETSI EN 319 412-5 statements and ETSI EN 319 411 policies. */
#define OID_QC_STATEMENTS "1.3.6.1.5.5.7.1.3"
#define OID_QC_COMPLIANCE "0.4.0.1862.1.1"
#define OID_QC_SSCD       "0.4.0.1862.1.4"
#define OID_QC_TYPE       "0.4.0.1862.1.6"
#define OID_QC_TYPE_ESIGN "0.4.0.1862.1.6.1"
#define OID_QCP_N_QSCD    "0.4.0.194112.1.2"
#define OID_NCP_PLUS      "0.4.0.2042.1.2"

struct pki_signer {
    X509 *cert;
    EVP_PKEY *key;
    X509 *issuer_cert; /* borrowed from the hierarchy, which outlives the signer's use */
    const char *issuer;
};

static const char *const level_ca[] = {"simple-ca", "advanced-ca", "qualified-ca"};

const char *pki_signer_level_ca(enum pki_signer_level level)
{
    return (unsigned)level < sizeof level_ca / sizeof level_ca[0] ? level_ca[level] : NULL;
}

bool pki_signer_level_parse(const char *text, enum pki_signer_level *out)
{
    static const struct {
        const char *name;
        enum pki_signer_level level;
    } names[] = {
        {"SIMPLE", PKI_SIGNER_SIMPLE},          {"ADVANCED", PKI_SIGNER_ADVANCED},
        {"ADVANCED_EU", PKI_SIGNER_ADVANCED},   {"QUALIFIED", PKI_SIGNER_QUALIFIED},
        {"QUALIFIED_EU", PKI_SIGNER_QUALIFIED},
    };
    for (size_t i = 0; text && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(text, names[i].name) == 0) {
            *out = names[i].level;
            return true;
        }
    return false;
}

void pki_signer_free(struct pki_signer *s)
{
    if (!s)
        return;
    X509_free(s->cert);
    EVP_PKEY_free(s->key);
    free(s);
}

/* Checks one optional name part: at most PKI_SIGNER_MAX_NAME bytes of valid UTF-8, no
 * control characters. */
static bool name_part_ok(const char *v)
{
    if (!v)
        return true;
    size_t n = strlen(v);
    if (n == 0 || n > PKI_SIGNER_MAX_NAME)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return false;
    /* UTF8_getc decodes one character; a negative answer means malformed UTF-8. */
    const unsigned char *p = (const unsigned char *)v;
    size_t left = n;
    while (left > 0) {
        unsigned long c = 0;
        int used = UTF8_getc(p, (int)left, &c);
        if (used <= 0)
            return false;
        p += used;
        left -= (size_t)used;
    }
    return true;
}

static bool identity_ok(const struct pki_signer_identity *id, char *err, size_t err_len)
{
    if (!id || !id->common_name || !*id->common_name) {
        snprintf(err, err_len, "the signer needs a name (common name)");
        return false;
    }
    const char *parts[] = {id->given_name, id->surname, id->common_name, id->serial_number};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (!name_part_ok(parts[i])) {
            snprintf(err, err_len,
                     "a signer name part is empty, longer than %d bytes, not UTF-8 or holds "
                     "control characters",
                     PKI_SIGNER_MAX_NAME);
            return false;
        }
    if (id->country && (strlen(id->country) != 2 || id->country[0] < 'A' || id->country[0] > 'Z' ||
                        id->country[1] < 'A' || id->country[1] > 'Z')) {
        snprintf(err, err_len, "the signer's country must be two upper-case letters (ISO 3166)");
        return false;
    }
    return true;
}

static bool add_name(X509_NAME *name, int nid, const char *value)
{
    return !value || X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
                                                (const unsigned char *)value, -1, -1, 0) == 1;
}

static X509_NAME *subject_of(const struct pki_signer_identity *id)
{
    X509_NAME *name = X509_NAME_new();
    if (name && add_name(name, NID_countryName, id->country) &&
        add_name(name, NID_givenName, id->given_name) && add_name(name, NID_surname, id->surname) &&
        add_name(name, NID_commonName, id->common_name) &&
        add_name(name, NID_serialNumber, id->serial_number))
        return name;
    X509_NAME_free(name);
    return NULL;
}

/* Appends to `seq` the DER of a SEQUENCE (held as an ASN1_TYPE) built from `items`. */
static bool push_sequence(STACK_OF(ASN1_TYPE) * seq, STACK_OF(ASN1_TYPE) * items)
{
    unsigned char *der = NULL;
    int n = i2d_ASN1_SEQUENCE_ANY(items, &der);
    ASN1_STRING *str = n > 0 ? ASN1_STRING_type_new(V_ASN1_SEQUENCE) : NULL;
    ASN1_TYPE *t = str ? ASN1_TYPE_new() : NULL;
    bool ok = t && ASN1_STRING_set(str, der, n) == 1;
    if (ok) {
        ASN1_TYPE_set(t, V_ASN1_SEQUENCE, str);
        str = NULL;
        ok = sk_ASN1_TYPE_push(seq, t) > 0;
        if (ok)
            t = NULL;
    }
    ASN1_TYPE_free(t);
    ASN1_STRING_free(str);
    OPENSSL_free(der);
    return ok;
}

static bool push_oid(STACK_OF(ASN1_TYPE) * seq, const char *oid)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_TYPE *t = obj ? ASN1_TYPE_new() : NULL;
    if (!t) {
        ASN1_OBJECT_free(obj);
        return false;
    }
    ASN1_TYPE_set(t, V_ASN1_OBJECT, obj);
    if (sk_ASN1_TYPE_push(seq, t) <= 0) {
        ASN1_TYPE_free(t);
        return false;
    }
    return true;
}

/* One QCStatement { statementId, statementInfo OPTIONAL } with at most one info OID wrapped
 * in a SEQUENCE (QcType), pushed onto `statements`. */
static bool push_statement(STACK_OF(ASN1_TYPE) * statements, const char *id, const char *info)
{
    STACK_OF(ASN1_TYPE) *st = sk_ASN1_TYPE_new_null();
    STACK_OF(ASN1_TYPE) *inner = info ? sk_ASN1_TYPE_new_null() : NULL;
    bool ok = st && push_oid(st, id);
    if (ok && info)
        ok = inner && push_oid(inner, info) && push_sequence(st, inner);
    ok = ok && push_sequence(statements, st);
    sk_ASN1_TYPE_pop_free(inner, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(st, ASN1_TYPE_free);
    return ok;
}

/* The qcStatements extension of a qualified certificate: QcCompliance, QcSSCD, QcType esign. */
static bool add_qc_statements(X509 *x)
{
    STACK_OF(ASN1_TYPE) *statements = sk_ASN1_TYPE_new_null();
    unsigned char *der = NULL;
    int n = 0;
    ASN1_OBJECT *oid = OBJ_txt2obj(OID_QC_STATEMENTS, 1);
    ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext = NULL;
    bool ok = statements && oid && value && push_statement(statements, OID_QC_COMPLIANCE, NULL) &&
              push_statement(statements, OID_QC_SSCD, NULL) &&
              push_statement(statements, OID_QC_TYPE, OID_QC_TYPE_ESIGN);
    if (ok) {
        n = i2d_ASN1_SEQUENCE_ANY(statements, &der);
        ok = n > 0 && ASN1_OCTET_STRING_set(value, der, n) == 1;
    }
    if (ok) {
        ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, value);
        ok = ext && X509_add_ext(x, ext, -1) == 1;
    }
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(value);
    ASN1_OBJECT_free(oid);
    OPENSSL_free(der);
    sk_ASN1_TYPE_pop_free(statements, ASN1_TYPE_free);
    return ok;
}

/* certificatePolicies with one policy OID (no qualifiers). */
static bool add_policy(X509 *x, const char *oid)
{
    CERTIFICATEPOLICIES *pols = sk_POLICYINFO_new_null();
    POLICYINFO *pi = POLICYINFO_new();
    bool ok = pols && pi;
    if (ok) {
        ASN1_OBJECT_free(pi->policyid);
        pi->policyid = OBJ_txt2obj(oid, 1);
        ok = pi->policyid && sk_POLICYINFO_push(pols, pi) > 0;
        if (ok)
            pi = NULL;
    }
    ok = ok && X509_add1_ext_i2d(x, NID_certificate_policies, pols, 0, X509V3_ADD_DEFAULT) == 1;
    POLICYINFO_free(pi);
    sk_POLICYINFO_pop_free(pols, POLICYINFO_free);
    return ok;
}

static bool add_signer_extensions(X509 *x, X509 *issuer, const char *issuer_name,
                                  enum pki_signer_level level, const char *url)
{
    char aia[1600], crl[800];
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    snprintf(aia, sizeof aia, "OCSP;URI:%s/ocsp,caIssuers;URI:%s/pki/%s.der", url, url,
             issuer_name);
    snprintf(crl, sizeof crl, "URI:%s/crl/%s.crl", url, issuer_name);
    bool ok = pki_x509_add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") &&
              pki_x509_add_ext(x, &v3, NID_key_usage, "critical,digitalSignature,nonRepudiation") &&
              /* emailProtection: what NSS (pdfsig, Firefox) and Adobe accept for document
               * signers; id-kp-documentSigning (RFC 9336) for validators that know it. */
              pki_x509_add_ext(x, &v3, NID_ext_key_usage, "emailProtection,1.3.6.1.5.5.7.3.36") &&
              pki_x509_add_ext(x, &v3, NID_subject_key_identifier, "hash") &&
              pki_x509_add_ext(x, &v3, NID_authority_key_identifier, "keyid:always") &&
              pki_x509_add_ext(x, &v3, NID_info_access, aia) &&
              pki_x509_add_ext(x, &v3, NID_crl_distribution_points, crl);
    if (ok && level == PKI_SIGNER_QUALIFIED)
        ok = add_policy(x, OID_QCP_N_QSCD) && add_qc_statements(x);
    else if (ok && level == PKI_SIGNER_ADVANCED)
        ok = add_policy(x, OID_NCP_PLUS);
    return ok;
}

/* The public URL the hierarchy was created with, read back from the issuing CA's CRL
 * distribution point ("URL/crl/root.crl"), so signer certificates always name the same
 * endpoints as their CA. */
static bool hierarchy_url(X509 *issuer, char *out, size_t out_len)
{
    STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(issuer, NID_crl_distribution_points, NULL, NULL);
    bool ok = false;
    for (int i = 0; !ok && i < sk_DIST_POINT_num(dps); i++) {
        DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
        if (!dp->distpoint || dp->distpoint->type != 0)
            continue;
        GENERAL_NAMES *names = dp->distpoint->name.fullname;
        for (int j = 0; !ok && j < sk_GENERAL_NAME_num(names); j++) {
            GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, j);
            if (gn->type != GEN_URI)
                continue;
            const char *uri = (const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier);
            int n = ASN1_STRING_length(gn->d.uniformResourceIdentifier);
            const char *cut = NULL;
            for (int k = n - 5; k >= 0 && !cut; k--)
                if (memcmp(uri + k, "/crl/", 5) == 0)
                    cut = uri + k;
            if (cut && (size_t)(cut - uri) < out_len && memchr(uri, 0, (size_t)n) == NULL) {
                memcpy(out, uri, (size_t)(cut - uri));
                out[cut - uri] = '\0';
                ok = true;
            }
        }
    }
    sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
    return ok;
}

static EVP_PKEY *new_key(enum pki_key_algorithm alg)
{
    return alg == PKI_KEY_RSA_3072 ? EVP_RSA_gen(3072) : EVP_EC_gen("P-256");
}

struct pki_signer *pki_signer_issue(const struct pki_ca *ca, enum pki_signer_level level,
                                    enum pki_key_algorithm alg,
                                    const struct pki_signer_identity *id, const char *public_url,
                                    int64_t now, int64_t validity_s, char *err, size_t err_len)
{
    const char *issuer_name = pki_signer_level_ca(level);
    int idx = issuer_name ? pki_ca_entity_find(issuer_name, strlen(issuer_name)) : -1;
    X509 *issuer = idx >= 0 ? pki_ca_x509(ca, (size_t)idx) : NULL;
    EVP_PKEY *issuer_key = idx >= 0 ? pki_ca_pkey(ca, (size_t)idx) : NULL;
    char url[600];
    if (!issuer || !issuer_key || validity_s <= 0) {
        snprintf(err, err_len, "no certificate authority for this signature level");
        return NULL;
    }
    if (!public_url) {
        if (!hierarchy_url(issuer, url, sizeof url)) {
            snprintf(err, err_len, "the issuing CA names no CRL distribution point");
            return NULL;
        }
        public_url = url;
    }
    if (!identity_ok(id, err, err_len))
        return NULL;

    struct pki_signer *s = calloc(1, sizeof *s);
    X509_NAME *subject = subject_of(id);
    bool ok = s && subject;
    if (ok) {
        s->issuer = issuer_name;
        s->issuer_cert = issuer;
        s->key = new_key(alg);
        s->cert = X509_new();
        ok = s->key && s->cert;
    }
    ok = ok && X509_set_version(s->cert, X509_VERSION_3) == 1 &&
         pki_x509_set_random_serial(s->cert) && X509_set_subject_name(s->cert, subject) == 1 &&
         X509_set_issuer_name(s->cert, X509_get_subject_name(issuer)) == 1 &&
         ASN1_TIME_set(X509_getm_notBefore(s->cert), (time_t)(now - BACKDATE_S)) &&
         ASN1_TIME_set(X509_getm_notAfter(s->cert), (time_t)(now + validity_s)) &&
         X509_set_pubkey(s->cert, s->key) == 1 &&
         add_signer_extensions(s->cert, issuer, issuer_name, level, public_url) &&
         X509_sign(s->cert, issuer_key, EVP_sha384()) > 0;
    X509_NAME_free(subject);
    if (!ok) {
        unsigned long e = ERR_get_error();
        snprintf(err, err_len, "cannot issue the signer certificate: %s",
                 e ? ERR_reason_error_string(e) : "out of memory");
        ERR_clear_error();
        pki_signer_free(s);
        return NULL;
    }
    return s;
}

unsigned char *pki_signer_cert_der(const struct pki_signer *s, size_t *len)
{
    unsigned char *der = NULL;
    int n = s ? i2d_X509(s->cert, &der) : -1;
    if (n <= 0)
        return NULL;
    unsigned char *out = malloc((size_t)n);
    if (out) {
        memcpy(out, der, (size_t)n);
        *len = (size_t)n;
    }
    OPENSSL_free(der);
    return out;
}

const char *pki_signer_issuer(const struct pki_signer *s)
{
    return s ? s->issuer : NULL;
}

bool pki_signer_serial_hex(const struct pki_signer *s, char *out, size_t out_len)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(s->cert), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    bool ok = hex && strlen(hex) < out_len;
    if (ok)
        memcpy(out, hex, strlen(hex) + 1);
    OPENSSL_free(hex);
    BN_free(bn);
    return ok;
}

bool pki_signer_subject(const struct pki_signer *s, char *out, size_t out_len)
{
    BIO *mem = BIO_new(BIO_s_mem());
    bool ok = mem && X509_NAME_print_ex(mem, X509_get_subject_name(s->cert), 0,
                                        XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0;
    char *data = NULL;
    long n = ok ? BIO_get_mem_data(mem, &data) : 0;
    ok = ok && n >= 0 && (size_t)n < out_len;
    if (ok) {
        memcpy(out, data, (size_t)n);
        out[n] = '\0';
    }
    BIO_free(mem);
    return ok;
}

static int64_t time_ms(const ASN1_TIME *t)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return (int64_t)timegm(&tm) * 1000;
}

int64_t pki_signer_not_before_ms(const struct pki_signer *s)
{
    return time_ms(X509_get0_notBefore(s->cert));
}

int64_t pki_signer_not_after_ms(const struct pki_signer *s)
{
    return time_ms(X509_get0_notAfter(s->cert));
}

/* ---- CMS ---- */

/*
 * Signs the signed attributes of si again, without signing-time: OpenSSL adds that attribute
 * whenever it signs, but PAdES baseline forbids it (the time is the PDF's /M). The value
 * signed is the DER of the attributes as a SET OF (sorted, as DER requires), which is what a
 * verifier re-encodes.
 */
static bool resign_without_signing_time(CMS_SignerInfo *si, EVP_PKEY *key)
{
    int idx;
    while ((idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1)) >= 0)
        X509_ATTRIBUTE_free(CMS_signed_delete_attr(si, idx));

    STACK_OF(ASN1_TYPE) *set = sk_ASN1_TYPE_new_null();
    unsigned char *attrs_der = NULL, *sig = NULL;
    size_t sig_len = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = set && md;
    int count = CMS_signed_get_attr_count(si);
    for (int i = 0; ok && i < count; i++) {
        unsigned char *der = NULL;
        int n = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &der);
        ASN1_STRING *str = n > 0 ? ASN1_STRING_type_new(V_ASN1_SEQUENCE) : NULL;
        ASN1_TYPE *t = str ? ASN1_TYPE_new() : NULL;
        ok = t && ASN1_STRING_set(str, der, n) == 1;
        if (ok) {
            ASN1_TYPE_set(t, V_ASN1_SEQUENCE, str);
            str = NULL;
            ok = sk_ASN1_TYPE_push(set, t) > 0;
            if (ok)
                t = NULL;
        }
        ASN1_TYPE_free(t);
        ASN1_STRING_free(str);
        OPENSSL_free(der);
    }
    int attrs_len = ok ? i2d_ASN1_SET_ANY(set, &attrs_der) : -1;
    ok = attrs_len > 0 && EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, key, NULL) == 1 &&
         EVP_DigestSign(md, NULL, &sig_len, attrs_der, (size_t)attrs_len) == 1;
    if (ok) {
        sig = OPENSSL_malloc(sig_len);
        ok = sig && EVP_DigestSign(md, sig, &sig_len, attrs_der, (size_t)attrs_len) == 1 &&
             ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)sig_len) == 1;
    }
    OPENSSL_free(sig);
    OPENSSL_free(attrs_der);
    EVP_MD_CTX_free(md);
    sk_ASN1_TYPE_pop_free(set, ASN1_TYPE_free);
    return ok;
}

/* Adds the RFC 3161 token over the SignerInfo's signature value (B-T). */
static bool add_signature_time_stamp(CMS_SignerInfo *si, const struct pki_tsa *tsa)
{
    ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    unsigned char digest[32];
    unsigned int digest_len = 0;
    size_t token_len = 0;
    if (EVP_Digest(ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value), digest,
                   &digest_len, EVP_sha256(), NULL) != 1)
        return false;
    unsigned char *token = pki_tsa_token(tsa, digest, &token_len);
    bool ok = token && token_len < INT32_MAX &&
              CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE,
                                            token, (int)token_len) == 1;
    free(token);
    return ok;
}

unsigned char *pki_cms_sign(const struct pki_signer *s, const struct pki_ca *ca,
                            const unsigned char digest[32], const struct pki_tsa *tsa, size_t *len,
                            char *err, size_t err_len)
{
    const unsigned int flags = CMS_PARTIAL | CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_CADES;
    unsigned char *out = NULL, *der = NULL;
    int root = pki_ca_entity_find("root", 4);
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
    CMS_SignerInfo *si = cms ? CMS_add1_signer(cms, s->cert, s->key, EVP_sha256(), flags) : NULL;
    bool ok = si != NULL;
    /* The chain a validator needs: issuing CA and root (the signer certificate is added by
     * CMS_add1_signer). */
    ok = ok && CMS_add1_cert(cms, s->issuer_cert) == 1 &&
         (root < 0 || CMS_add1_cert(cms, pki_ca_x509(ca, (size_t)root)) == 1);
    ok = ok &&
         CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                     OBJ_nid2obj(NID_pkcs7_data), -1) == 1 &&
         CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, digest,
                                     32) == 1;
    ok = ok && resign_without_signing_time(si, s->key);
    if (ok && tsa && !add_signature_time_stamp(si, tsa)) {
        snprintf(err, err_len, "the time-stamping unit did not answer");
        goto cleanup;
    }
    int n = ok ? i2d_CMS_ContentInfo(cms, &der) : -1;
    if (n > 0) {
        out = malloc((size_t)n);
        if (out) {
            memcpy(out, der, (size_t)n);
            *len = (size_t)n;
        }
    }
    if (!out) {
        unsigned long e = ERR_get_error();
        snprintf(err, err_len, "cannot build the CMS signature: %s",
                 e ? ERR_reason_error_string(e) : "out of memory");
    }

cleanup:
    ERR_clear_error();
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    return out;
}

unsigned char *pki_cms_signer_cert(const unsigned char *cms, size_t cms_len, size_t *len)
{
    if (!cms || cms_len == 0 || cms_len > INT32_MAX)
        return NULL;
    const unsigned char *p = cms;
    CMS_ContentInfo *ci = d2i_CMS_ContentInfo(NULL, &p, (long)cms_len);
    STACK_OF(CMS_SignerInfo) *sis = ci ? CMS_get0_SignerInfos(ci) : NULL;
    unsigned char *out = NULL, *der = NULL;
    X509 *signer = NULL;
    if (sis && sk_CMS_SignerInfo_num(sis) >= 1 && CMS_set1_signers_certs(ci, NULL, 0) >= 1) {
        CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(sis, 0), NULL, &signer, NULL, NULL);
        int n = signer ? i2d_X509(signer, &der) : -1;
        if (n > 0 && (out = malloc((size_t)n)) != NULL) {
            memcpy(out, der, (size_t)n);
            *len = (size_t)n;
        }
    }
    OPENSSL_free(der);
    CMS_ContentInfo_free(ci);
    ERR_clear_error();
    return out;
}
