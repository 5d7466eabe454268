#include "pki/revocation.h"

#include "pki/ca.h"
#include "pki/internal.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DER (1 << 20) /* no request or certificate of ours comes near this */

static const char *const reason_names[] = {
    "unspecified",          /* 0 */
    "keyCompromise",        /* 1 */
    "cACompromise",         /* 2 */
    "affiliationChanged",   /* 3 */
    "superseded",           /* 4 */
    "cessationOfOperation", /* 5 */
    NULL,                   /* 6 certificateHold: not offered */
    NULL,                   /* 7 unused */
    NULL,                   /* 8 removeFromCRL: not offered */
    "privilegeWithdrawn",   /* 9 */
    "aACompromise",         /* 10 */
};
#define N_REASONS (sizeof reason_names / sizeof reason_names[0])

int pki_reason_code(const char *name)
{
    for (size_t i = 0; name && i < N_REASONS; i++)
        if (reason_names[i] && strcasecmp(reason_names[i], name) == 0)
            return (int)i;
    return PKI_REASON_NONE;
}

const char *pki_reason_name(int code)
{
    return code >= 0 && (size_t)code < N_REASONS ? reason_names[code] : NULL;
}

bool pki_serial_normalize(const char *in, char *out, size_t out_len)
{
    char digits[2 * PKI_SERIAL_HEX_LEN];
    size_t n = 0;
    if (!in || out_len < 3)
        return false;
    if (in[0] == '0' && (in[1] == 'x' || in[1] == 'X'))
        in += 2;
    for (const char *p = in; *p; p++) {
        if (*p == ':')
            continue;
        if (!isxdigit((unsigned char)*p) || n + 1 >= sizeof digits)
            return false;
        if (n == 0 && *p == '0')
            continue; /* leading zero */
        digits[n++] = (char)toupper((unsigned char)*p);
    }
    if (n == 0)
        return false;
    size_t pad = n % 2, total = n + pad;
    if (total + 1 > out_len)
        return false;
    if (pad)
        out[0] = '0';
    memcpy(out + pad, digits, n);
    out[total] = '\0';
    return true;
}

/* The serial of an ASN1_INTEGER in normalized hex; false if negative, zero or too long. */
static bool serial_hex_of(const ASN1_INTEGER *ai, char *out, size_t out_len)
{
    BIGNUM *bn = ai ? ASN1_INTEGER_to_BN(ai, NULL) : NULL;
    char *hex = bn && !BN_is_negative(bn) && !BN_is_zero(bn) ? BN_bn2hex(bn) : NULL;
    bool ok = hex && pki_serial_normalize(hex, out, out_len);
    OPENSSL_free(hex);
    BN_free(bn);
    return ok;
}

static ASN1_INTEGER *serial_from_hex(const char *hex)
{
    BIGNUM *bn = NULL;
    char norm[PKI_SERIAL_HEX_LEN];
    if (!pki_serial_normalize(hex, norm, sizeof norm) || !BN_hex2bn(&bn, norm))
        return NULL;
    ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);
    BN_free(bn);
    return ai;
}

static bool is_ca_entity(size_t i)
{
    const char *role = pki_ca_entity_role(i);
    return role && (strcmp(role, "root") == 0 || strcmp(role, "issuing") == 0);
}

/* The CA of ca that issued x (its entity index), or -1. */
static int find_issuer(const struct pki_ca *ca, X509 *x)
{
    for (size_t i = 0; ca && i < PKI_CA_ENTITIES; i++) {
        X509 *c = pki_ca_x509(ca, i);
        if (!c || !is_ca_entity(i) || X509_check_issued(c, x) != X509_V_OK)
            continue;
        if (X509_verify(x, X509_get0_pubkey(c)) == 1)
            return (int)i;
        ERR_clear_error();
    }
    return -1;
}

/* Who signs responses about certificates of CA `issuer`: the issuing CA itself, or for the
 * root the delegated responder "ocsp". */
static int responder_of(size_t issuer)
{
    const char *role = pki_ca_entity_role(issuer);
    if (role && strcmp(role, "root") == 0)
        return pki_ca_entity_find("ocsp", 4);
    return (int)issuer;
}

/* ECDSA-SHA384 for P-384 keys, SHA-256 for P-256. */
static const EVP_MD *digest_for(EVP_PKEY *k)
{
    return EVP_PKEY_get_bits(k) > 256 ? EVP_sha384() : EVP_sha256();
}

bool pki_cert_info(const struct pki_ca *ca, const unsigned char *der, size_t len,
                   struct pki_cert_info *out)
{
    if (!der || len == 0 || len > MAX_DER)
        return false;
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    bool ok = false;
    memset(out, 0, sizeof *out);
    BIO *bio = NULL;
    if (!x || !serial_hex_of(X509_get0_serialNumber(x), out->serial_hex, sizeof out->serial_hex))
        goto cleanup;
    struct tm tm;
    if (ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm) != 1)
        goto cleanup;
    out->not_before = (int64_t)timegm(&tm);
    if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
        goto cleanup;
    out->not_after = (int64_t)timegm(&tm);
    bio = BIO_new(BIO_s_mem());
    if (!bio || X509_NAME_print_ex(bio, X509_get_subject_name(x), 0,
                                   XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
        goto cleanup;
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    size_t copy = n > 0 ? (size_t)n : 0;
    if (copy >= sizeof out->subject)
        copy = sizeof out->subject - 1;
    if (copy)
        memcpy(out->subject, data, copy);
    out->subject[copy] = '\0';
    out->issuer = find_issuer(ca, x);
    ok = true;
cleanup:
    ERR_clear_error();
    BIO_free(bio);
    X509_free(x);
    return ok;
}

/* ---- OCSP ---- */

static bool encode_response(OCSP_RESPONSE *resp, unsigned char **out, size_t *out_len)
{
    unsigned char *der = NULL;
    int n = resp ? i2d_OCSP_RESPONSE(resp, &der) : -1;
    if (n <= 0)
        return false;
    *out = malloc((size_t)n);
    if (*out) {
        memcpy(*out, der, (size_t)n);
        *out_len = (size_t)n;
    }
    OPENSSL_free(der);
    return *out != NULL;
}

/* An unsigned error response (status other than successful). */
static bool error_response(int status, unsigned char **out, size_t *out_len)
{
    OCSP_RESPONSE *resp = OCSP_response_create(status, NULL);
    bool ok = encode_response(resp, out, out_len);
    OCSP_RESPONSE_free(resp);
    return ok;
}

/* Adds one SingleResponse for cid (copied) with status st at now to bs. */
static bool add_single(OCSP_BASICRESP *bs, OCSP_CERTID *cid, const struct pki_cert_status *st,
                       int64_t now)
{
    ASN1_TIME *this_upd = ASN1_TIME_set(NULL, (time_t)now);
    ASN1_TIME *next_upd = ASN1_TIME_set(NULL, (time_t)(now + PKI_OCSP_VALIDITY_S));
    ASN1_TIME *rev = NULL;
    int status = V_OCSP_CERTSTATUS_UNKNOWN, reason = OCSP_REVOKED_STATUS_NOSTATUS;
    if (st->state == PKI_CERT_GOOD)
        status = V_OCSP_CERTSTATUS_GOOD;
    else if (st->state == PKI_CERT_REVOKED) {
        status = V_OCSP_CERTSTATUS_REVOKED;
        rev = ASN1_TIME_set(NULL, (time_t)st->revoked_at);
        /* RFC 5280 §5.3.1: leave the reason out rather than say "unspecified". */
        if (st->reason > 0 && pki_reason_name(st->reason))
            reason = st->reason;
    }
    bool ok = this_upd && next_upd && (status != V_OCSP_CERTSTATUS_REVOKED || rev) &&
              OCSP_basic_add1_status(bs, cid, status, reason, rev, this_upd, next_upd) != NULL;
    ASN1_TIME_free(this_upd);
    ASN1_TIME_free(next_upd);
    ASN1_TIME_free(rev);
    return ok;
}

/* Signs bs as the responder for CA `issuer` and encodes a successful response. */
static bool sign_and_encode(const struct pki_ca *ca, size_t issuer, OCSP_BASICRESP *bs,
                            unsigned char **out, size_t *out_len)
{
    int signer = responder_of(issuer);
    X509 *cert = signer >= 0 ? pki_ca_x509(ca, (size_t)signer) : NULL;
    EVP_PKEY *key = signer >= 0 ? pki_ca_pkey(ca, (size_t)signer) : NULL;
    if (!cert || !key)
        return false;
    if (OCSP_basic_sign(bs, cert, key, digest_for(key), NULL, OCSP_RESPID_KEY) != 1)
        return false;
    OCSP_RESPONSE *resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
    bool ok = encode_response(resp, out, out_len);
    OCSP_RESPONSE_free(resp);
    return ok;
}

unsigned char *pki_ocsp_response_der(const struct pki_ca *ca, const unsigned char *cert_der,
                                     size_t cert_len, const struct pki_cert_status *status,
                                     int64_t now, size_t *out_len)
{
    unsigned char *out = NULL;
    OCSP_BASICRESP *bs = NULL;
    OCSP_CERTID *cid = NULL;
    X509 *x = NULL;
    if (!ca || !cert_der || cert_len == 0 || cert_len > MAX_DER || !status)
        return NULL;
    const unsigned char *p = cert_der;
    x = d2i_X509(NULL, &p, (long)cert_len);
    int issuer = x ? find_issuer(ca, x) : -1;
    if (issuer < 0)
        goto cleanup;
    cid = OCSP_cert_to_id(EVP_sha256(), x, pki_ca_x509(ca, (size_t)issuer));
    bs = OCSP_BASICRESP_new();
    if (!cid || !bs || !add_single(bs, cid, status, now))
        goto cleanup;
    size_t len = 0;
    if (sign_and_encode(ca, (size_t)issuer, bs, &out, &len))
        *out_len = len;
cleanup:
    ERR_clear_error();
    OCSP_CERTID_free(cid);
    OCSP_BASICRESP_free(bs);
    X509_free(x);
    return out;
}

/* The CA of ca matching the issuer hashes of cid (computed with cid's hash), or -1; *md_ok
 * false when the hash algorithm is not one we accept. */
static int issuer_of_certid(const struct pki_ca *ca, OCSP_CERTID *cid, bool *md_ok)
{
    ASN1_OBJECT *md_obj = NULL;
    *md_ok = false;
    if (OCSP_id_get0_info(NULL, &md_obj, NULL, NULL, cid) != 1 || !md_obj)
        return -1;
    int nid = OBJ_obj2nid(md_obj);
    if (nid != NID_sha1 && nid != NID_sha256 && nid != NID_sha384 && nid != NID_sha512)
        return -1;
    *md_ok = true;
    const EVP_MD *md = EVP_get_digestbynid(nid);
    for (size_t i = 0; md && i < PKI_CA_ENTITIES; i++) {
        X509 *c = pki_ca_x509(ca, i);
        if (!c || !is_ca_entity(i))
            continue;
        OCSP_CERTID *ours = OCSP_cert_to_id(md, NULL, c);
        bool same = ours && OCSP_id_issuer_cmp(cid, ours) == 0;
        OCSP_CERTID_free(ours);
        if (same)
            return (int)i;
    }
    return -1;
}

bool pki_ocsp_respond(const struct pki_ca *ca, const void *req_der, size_t len, int64_t now,
                      pki_status_lookup lookup, void *cls, unsigned char **out, size_t *out_len)
{
    OCSP_REQUEST *req = NULL;
    OCSP_BASICRESP *bs = NULL;
    int issuer = -1, error = -1;
    bool ok = false;
    *out = NULL;
    *out_len = 0;
    if (req_der && len > 0 && len <= MAX_DER) {
        const unsigned char *p = req_der;
        req = d2i_OCSP_REQUEST(NULL, &p, (long)len);
        if (req && p != (const unsigned char *)req_der + len) {
            OCSP_REQUEST_free(req); /* trailing bytes */
            req = NULL;
        }
    }
    int n = req ? OCSP_request_onereq_count(req) : 0;
    if (n <= 0 || n > PKI_OCSP_MAX_IDS) {
        error = OCSP_RESPONSE_STATUS_MALFORMEDREQUEST;
        goto answer;
    }
    /* Every CertID must name the same CA of ours: one responder signs the whole answer. */
    for (int i = 0; i < n && error < 0; i++) {
        bool md_ok = false;
        int this_issuer =
            issuer_of_certid(ca, OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, i)), &md_ok);
        if (!md_ok)
            error = OCSP_RESPONSE_STATUS_MALFORMEDREQUEST;
        else if (this_issuer < 0 || (issuer >= 0 && this_issuer != issuer))
            error = OCSP_RESPONSE_STATUS_UNAUTHORIZED;
        issuer = this_issuer;
    }
    if (error >= 0)
        goto answer;
    bs = OCSP_BASICRESP_new();
    if (!bs)
        goto cleanup;
    for (int i = 0; i < n && error < 0; i++) {
        OCSP_CERTID *cid = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, i));
        ASN1_INTEGER *serial = NULL;
        char hex[PKI_SERIAL_HEX_LEN];
        struct pki_cert_status st = {.state = PKI_CERT_UNKNOWN, .reason = PKI_REASON_NONE};
        OCSP_id_get0_info(NULL, NULL, NULL, &serial, cid);
        /* A serial we could never have issued (zero, negative, too long) is simply unknown. */
        if (serial_hex_of(serial, hex, sizeof hex) && !lookup(cls, (size_t)issuer, hex, &st))
            error = OCSP_RESPONSE_STATUS_TRYLATER;
        else if (!add_single(bs, cid, &st, now))
            goto cleanup;
    }
    if (error >= 0)
        goto answer;
    if (OCSP_copy_nonce(bs, req) <= 0)
        goto cleanup;
    ok = sign_and_encode(ca, (size_t)issuer, bs, out, out_len);
    goto cleanup;
answer:
    ok = error_response(error, out, out_len);
cleanup:
    ERR_clear_error();
    OCSP_BASICRESP_free(bs);
    OCSP_REQUEST_free(req);
    return ok;
}

unsigned char *pki_ocsp_error_der(int status, size_t *out_len)
{
    unsigned char *out = NULL;
    size_t len = 0;
    if (status <= OCSP_RESPONSE_STATUS_SUCCESSFUL || status > OCSP_RESPONSE_STATUS_UNAUTHORIZED ||
        status == 4 || !error_response(status, &out, &len))
        return NULL;
    *out_len = len;
    return out;
}

int pki_ocsp_response_status(const unsigned char *der, size_t len)
{
    if (!der || len == 0 || len > MAX_DER)
        return -1;
    const unsigned char *p = der;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
    int st = resp ? OCSP_response_status(resp) : -1;
    OCSP_RESPONSE_free(resp);
    ERR_clear_error();
    return st;
}

/* ---- CRLs ---- */

static bool add_entry(X509_CRL *crl, const struct pki_revoked *e)
{
    X509_REVOKED *rev = X509_REVOKED_new();
    ASN1_INTEGER *serial = serial_from_hex(e->serial_hex);
    ASN1_TIME *when = ASN1_TIME_set(NULL, (time_t)e->revoked_at);
    ASN1_ENUMERATED *reason = NULL;
    bool ok = rev && serial && when && X509_REVOKED_set_serialNumber(rev, serial) == 1 &&
              X509_REVOKED_set_revocationDate(rev, when) == 1;
    if (ok && e->reason > 0 && pki_reason_name(e->reason)) {
        reason = ASN1_ENUMERATED_new();
        ok = reason && ASN1_ENUMERATED_set(reason, e->reason) == 1 &&
             X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason, 0, 0) == 1;
    }
    if (ok)
        ok = X509_CRL_add0_revoked(crl, rev) == 1;
    if (ok)
        rev = NULL; /* the CRL owns it */
    ASN1_ENUMERATED_free(reason);
    ASN1_TIME_free(when);
    ASN1_INTEGER_free(serial);
    X509_REVOKED_free(rev);
    return ok;
}

unsigned char *pki_crl_der(const struct pki_ca *ca, size_t issuer, const struct pki_revoked *list,
                           size_t n, int64_t now, int64_t next_update, int64_t crl_number,
                           size_t *out_len)
{
    X509 *cert = pki_ca_x509(ca, issuer);
    EVP_PKEY *key = pki_ca_pkey(ca, issuer);
    X509_CRL *crl = NULL;
    ASN1_TIME *t1 = NULL, *t2 = NULL;
    ASN1_INTEGER *number = NULL;
    X509_EXTENSION *aki = NULL;
    unsigned char *der = NULL, *out = NULL;
    if (!cert || !key || !is_ca_entity(issuer) || crl_number < 0 || (n && !list))
        return NULL;
    crl = X509_CRL_new();
    t1 = ASN1_TIME_set(NULL, (time_t)now);
    t2 = ASN1_TIME_set(NULL, (time_t)next_update);
    number = ASN1_INTEGER_new();
    bool ok = crl && t1 && t2 && number && X509_CRL_set_version(crl, X509_CRL_VERSION_2) == 1 &&
              X509_CRL_set_issuer_name(crl, X509_get_subject_name(cert)) == 1 &&
              X509_CRL_set1_lastUpdate(crl, t1) == 1 && X509_CRL_set1_nextUpdate(crl, t2) == 1 &&
              ASN1_INTEGER_set_int64(number, crl_number) == 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = add_entry(crl, &list[i]);
    if (ok) {
        X509V3_CTX v3;
        X509V3_set_ctx(&v3, cert, NULL, NULL, crl, 0);
        aki = X509V3_EXT_nconf_nid(NULL, &v3, NID_authority_key_identifier, "keyid:always");
        ok = aki && X509_CRL_add_ext(crl, aki, -1) == 1 &&
             X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0) == 1 &&
             X509_CRL_sort(crl) == 1 && X509_CRL_sign(crl, key, EVP_sha384()) > 0;
    }
    int len = ok ? i2d_X509_CRL(crl, &der) : -1;
    if (len > 0) {
        out = malloc((size_t)len);
        if (out) {
            memcpy(out, der, (size_t)len);
            *out_len = (size_t)len;
        }
    }
    ERR_clear_error();
    OPENSSL_free(der);
    X509_EXTENSION_free(aki);
    ASN1_INTEGER_free(number);
    ASN1_TIME_free(t1);
    ASN1_TIME_free(t2);
    X509_CRL_free(crl);
    return out;
}
