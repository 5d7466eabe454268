/*
 * Revocation, pure part (pki/revocation.c): serial and reason helpers; OCSP responses about
 * signer certificates (signed by the issuing CA) and hierarchy certificates (signed by the
 * delegated "ocsp" responder) that OpenSSL's OCSP verifier accepts under the root; the
 * responder's answers to requests (good, revoked with time and reason, unknown, nonce echoed,
 * malformedRequest, unauthorized, tryLater); CRLs that verify, carry number, AKI and reasons,
 * and make OpenSSL's chain check with CRLs fail for a listed certificate.
 */
#include "pki/ca.h"
#include "pki/internal.h"
#include "pki/revocation.h"

#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define URL "https://signet.example"
#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

static struct pki_ca *ca, *other;

static int setup(void **state)
{
    (void)state;
    char err[256] = "";
    ca = pki_ca_generate(URL, NOW, err, sizeof err);
    other = pki_ca_generate(URL, NOW, err, sizeof err);
    return ca && other ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pki_ca_free(ca);
    pki_ca_free(other);
    return 0;
}

static size_t idx(const char *name)
{
    int i = pki_ca_entity_find(name, strlen(name));
    assert_true(i >= 0);
    return (size_t)i;
}

/* A short-lived end-entity certificate issued by `issuer` of h, like a signer certificate. */
static X509 *issue_test_cert(const struct pki_ca *h, const char *issuer, const char *cn)
{
    X509 *ca_cert = pki_ca_x509(h, idx(issuer));
    EVP_PKEY *ca_key = pki_ca_pkey(h, idx(issuer));
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    assert_non_null(key);
    assert_non_null(x);
    assert_true(X509_set_version(x, X509_VERSION_3) == 1);
    assert_true(pki_x509_set_random_serial(x));
    assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
                                           -1, 0) == 1);
    assert_true(X509_set_subject_name(x, name) == 1);
    assert_true(X509_set_issuer_name(x, X509_get_subject_name(ca_cert)) == 1);
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), NOW));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), NOW + 600));
    assert_true(X509_set_pubkey(x, key) == 1);
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, ca_cert, x, NULL, NULL, 0);
    assert_true(pki_x509_add_ext(x, &v3, NID_authority_key_identifier, "keyid:always"));
    assert_true(pki_x509_add_ext(x, &v3, NID_key_usage, "critical,digitalSignature"));
    assert_true(X509_sign(x, ca_key, EVP_sha384()) > 0);
    X509_NAME_free(name);
    EVP_PKEY_free(key);
    return x;
}

static unsigned char *der_of(X509 *x, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    assert_true(n > 0);
    *len = (size_t)n;
    return der;
}

static void serial_of(X509 *x, char *out, size_t len)
{
    size_t n = 0;
    unsigned char *der = der_of(x, &n);
    struct pki_cert_info info;
    assert_true(pki_cert_info(ca, der, n, &info));
    OPENSSL_free(der);
    assert_true(strlen(info.serial_hex) < len);
    memcpy(out, info.serial_hex, strlen(info.serial_hex) + 1);
}

/* A trust store with only the root of h. */
static X509_STORE *root_store(const struct pki_ca *h)
{
    X509_STORE *st = X509_STORE_new();
    assert_non_null(st);
    assert_true(X509_STORE_add_cert(st, pki_ca_x509(h, idx("root"))) == 1);
    return st;
}

static OCSP_BASICRESP *basic_of(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
    assert_non_null(resp);
    assert_int_equal(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_SUCCESSFUL);
    OCSP_BASICRESP *bs = OCSP_response_get1_basic(resp);
    assert_non_null(bs);
    OCSP_RESPONSE_free(resp);
    return bs;
}

/* ---- helpers ---- */

static void serials_are_normalized(void **state)
{
    (void)state;
    char out[PKI_SERIAL_HEX_LEN];
    assert_true(pki_serial_normalize("4a:3B:0c", out, sizeof out));
    assert_string_equal(out, "4A3B0C");
    assert_true(pki_serial_normalize("0x00a", out, sizeof out));
    assert_string_equal(out, "0A");
    assert_true(pki_serial_normalize("0001ff", out, sizeof out));
    assert_string_equal(out, "01FF");
    assert_false(pki_serial_normalize("", out, sizeof out));
    assert_false(pki_serial_normalize("00", out, sizeof out));
    assert_false(pki_serial_normalize("12G4", out, sizeof out));
    assert_false(pki_serial_normalize("1234", out, 4));
}

static void reasons_have_rfc5280_names(void **state)
{
    (void)state;
    assert_int_equal(pki_reason_code("keyCompromise"), 1);
    assert_int_equal(pki_reason_code("KEYCOMPROMISE"), 1);
    assert_int_equal(pki_reason_code("unspecified"), 0);
    assert_int_equal(pki_reason_code("aACompromise"), 10);
    assert_int_equal(pki_reason_code("certificateHold"), PKI_REASON_NONE);
    assert_int_equal(pki_reason_code("removeFromCRL"), PKI_REASON_NONE);
    assert_int_equal(pki_reason_code(NULL), PKI_REASON_NONE);
    assert_string_equal(pki_reason_name(5), "cessationOfOperation");
    assert_null(pki_reason_name(6));
    assert_null(pki_reason_name(11));
}

static void cert_info_names_the_issuer(void **state)
{
    (void)state;
    X509 *x = issue_test_cert(ca, "qualified-ca", "Ada Lovelace");
    size_t len = 0;
    unsigned char *der = der_of(x, &len);
    struct pki_cert_info info;
    assert_true(pki_cert_info(ca, der, len, &info));
    assert_int_equal(info.issuer, (int)idx("qualified-ca"));
    assert_string_equal(info.subject, "CN=Ada Lovelace");
    assert_int_equal(info.not_before, NOW);
    assert_int_equal(info.not_after, NOW + 600);
    assert_int_equal(strlen(info.serial_hex), 32);
    assert_true(pki_cert_info(other, der, len, &info));
    assert_int_equal(info.issuer, -1); /* another hierarchy's CA did not sign it */
    assert_false(pki_cert_info(ca, (const unsigned char *)"junk", 4, &info));
    OPENSSL_free(der);
    X509_free(x);
}

/* ---- OCSP responses for the /DSS ---- */

static void signer_cert_response_is_signed_by_its_ca(void **state)
{
    (void)state;
    X509 *x = issue_test_cert(ca, "simple-ca", "Signer");
    size_t len = 0, rlen = 0;
    unsigned char *der = der_of(x, &len);
    struct pki_cert_status good = {.state = PKI_CERT_GOOD, .reason = PKI_REASON_NONE};
    unsigned char *resp = pki_ocsp_response_der(ca, der, len, &good, NOW + 10, &rlen);
    assert_non_null(resp);
    OCSP_BASICRESP *bs = basic_of(resp, rlen);
    X509_STORE *st = root_store(ca);
    assert_int_equal(OCSP_basic_verify(bs, NULL, st, 0), 1);
    /* The signer is the issuing CA itself, named by key hash and included. */
    X509 *signer = NULL;
    assert_int_equal(OCSP_resp_get0_signer(bs, &signer, NULL), 1);
    assert_int_equal(X509_cmp(signer, pki_ca_x509(ca, idx("simple-ca"))), 0);
    const ASN1_OCTET_STRING *key_id = NULL;
    const X509_NAME *by_name = NULL;
    assert_int_equal(OCSP_resp_get0_id(bs, &key_id, &by_name), 1);
    assert_non_null(key_id);
    assert_null(by_name);
    /* CertID with SHA-256; good; thisUpdate now, nextUpdate an hour later. */
    OCSP_CERTID *cid = OCSP_cert_to_id(EVP_sha256(), x, pki_ca_x509(ca, idx("simple-ca")));
    int status = -1, reason = -1;
    ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
    assert_int_equal(OCSP_resp_find_status(bs, cid, &status, &reason, &rev, &thisupd, &nextupd), 1);
    assert_int_equal(status, V_OCSP_CERTSTATUS_GOOD);
    int days = -1, secs = -1;
    assert_int_equal(ASN1_TIME_diff(&days, &secs, thisupd, nextupd), 1);
    assert_int_equal(days * 86400 + secs, PKI_OCSP_VALIDITY_S);
    OCSP_CERTID_free(cid);
    X509_STORE_free(st);
    OCSP_BASICRESP_free(bs);
    free(resp);
    OPENSSL_free(der);
    X509_free(x);
}

static void revoked_response_states_time_and_reason(void **state)
{
    (void)state;
    X509 *x = issue_test_cert(ca, "advanced-ca", "Revoked");
    size_t len = 0, rlen = 0;
    unsigned char *der = der_of(x, &len);
    struct pki_cert_status st = {
        .state = PKI_CERT_REVOKED, .revoked_at = NOW + 5, .reason = 1 /* keyCompromise */};
    unsigned char *resp = pki_ocsp_response_der(ca, der, len, &st, NOW + 10, &rlen);
    assert_non_null(resp);
    OCSP_BASICRESP *bs = basic_of(resp, rlen);
    OCSP_SINGLERESP *single = OCSP_resp_get0(bs, 0);
    int reason = -1;
    ASN1_GENERALIZEDTIME *rev = NULL;
    assert_int_equal(OCSP_single_get0_status(single, &reason, &rev, NULL, NULL),
                     V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
    ASN1_TIME *want = ASN1_TIME_set(NULL, NOW + 5);
    assert_int_equal(ASN1_TIME_compare(rev, want), 0);
    ASN1_TIME_free(want);
    OCSP_BASICRESP_free(bs);
    free(resp);
    /* "unspecified" is left out (RFC 5280 §5.3.1). */
    st.reason = 0;
    resp = pki_ocsp_response_der(ca, der, len, &st, NOW + 10, &rlen);
    bs = basic_of(resp, rlen);
    assert_int_equal(OCSP_single_get0_status(OCSP_resp_get0(bs, 0), &reason, NULL, NULL, NULL),
                     V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(reason, OCSP_REVOKED_STATUS_NOSTATUS);
    OCSP_BASICRESP_free(bs);
    free(resp);
    OPENSSL_free(der);
    X509_free(x);
}

static void hierarchy_cert_response_is_signed_by_the_ocsp_responder(void **state)
{
    (void)state;
    static const char *const names[] = {"qualified-ca", "tsa", "ocsp"};
    for (size_t i = 0; i < 3; i++) {
        size_t len = 0, rlen = 0;
        unsigned char *der = pki_ca_cert_der(ca, idx(names[i]), &len);
        struct pki_cert_status good = {.state = PKI_CERT_GOOD, .reason = PKI_REASON_NONE};
        unsigned char *resp = pki_ocsp_response_der(ca, der, len, &good, NOW, &rlen);
        assert_non_null(resp);
        OCSP_BASICRESP *bs = basic_of(resp, rlen);
        X509_STORE *st = root_store(ca);
        assert_int_equal(OCSP_basic_verify(bs, NULL, st, 0), 1);
        X509 *signer = NULL;
        assert_int_equal(OCSP_resp_get0_signer(bs, &signer, NULL), 1);
        assert_int_equal(X509_cmp(signer, pki_ca_x509(ca, idx("ocsp"))), 0);
        X509_STORE_free(st);
        OCSP_BASICRESP_free(bs);
        free(resp);
        free(der);
    }
}

static void foreign_cert_gets_no_response(void **state)
{
    (void)state;
    X509 *x = issue_test_cert(other, "simple-ca", "Stranger");
    size_t len = 0, rlen = 0;
    unsigned char *der = der_of(x, &len);
    struct pki_cert_status good = {.state = PKI_CERT_GOOD, .reason = PKI_REASON_NONE};
    assert_null(pki_ocsp_response_der(ca, der, len, &good, NOW, &rlen));
    OPENSSL_free(der);
    X509_free(x);
}

/* ---- the responder ---- */

struct fake {
    const char *serial; /* the one serial that is recorded */
    struct pki_cert_status status;
    bool fail;
    size_t calls;
    size_t last_issuer;
};

static bool fake_lookup(void *cls, size_t issuer, const char *serial_hex,
                        struct pki_cert_status *out)
{
    struct fake *f = cls;
    f->calls++;
    f->last_issuer = issuer;
    if (f->fail)
        return false;
    if (f->serial && strcmp(serial_hex, f->serial) == 0)
        *out = f->status;
    else
        *out = (struct pki_cert_status){.state = PKI_CERT_UNKNOWN, .reason = PKI_REASON_NONE};
    return true;
}

/* A DER OCSPRequest for the n certificates (issued by the matching issuers), SHA-1 CertIDs as
 * `openssl ocsp` makes them, with a nonce. */
static unsigned char *make_request(X509 **certs, X509 **issuers, size_t n, const EVP_MD *md,
                                   size_t *len)
{
    OCSP_REQUEST *req = OCSP_REQUEST_new();
    assert_non_null(req);
    for (size_t i = 0; i < n; i++) {
        OCSP_CERTID *cid = OCSP_cert_to_id(md, certs[i], issuers[i]);
        assert_non_null(OCSP_request_add0_id(req, cid));
    }
    assert_int_equal(OCSP_request_add1_nonce(req, NULL, -1), 1);
    unsigned char *der = NULL;
    int l = i2d_OCSP_REQUEST(req, &der);
    assert_true(l > 0);
    *len = (size_t)l;
    OCSP_REQUEST_free(req);
    return der;
}

static OCSP_REQUEST *parse_request(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    OCSP_REQUEST *req = d2i_OCSP_REQUEST(NULL, &p, (long)len);
    assert_non_null(req);
    return req;
}

static void responder_answers_good_revoked_unknown(void **state)
{
    (void)state;
    X509 *x = issue_test_cert(ca, "qualified-ca", "Q Signer");
    X509 *issuer = pki_ca_x509(ca, idx("qualified-ca"));
    char serial[PKI_SERIAL_HEX_LEN];
    serial_of(x, serial, sizeof serial);
    const EVP_MD *mds[] = {EVP_sha1(), EVP_sha256()};
    for (size_t m = 0; m < 2; m++) {
        size_t qlen = 0, rlen = 0;
        unsigned char *q = make_request(&x, &issuer, 1, mds[m], &qlen), *r = NULL;
        struct fake f = {.serial = serial, .status = {.state = PKI_CERT_GOOD}};
        assert_true(pki_ocsp_respond(ca, q, qlen, NOW, fake_lookup, &f, &r, &rlen));
        assert_int_equal(f.calls, 1);
        assert_int_equal(f.last_issuer, idx("qualified-ca"));
        OCSP_BASICRESP *bs = basic_of(r, rlen);
        OCSP_REQUEST *req = parse_request(q, qlen);
        assert_int_equal(OCSP_check_nonce(req, bs), 1);
        X509_STORE *st = root_store(ca);
        assert_int_equal(OCSP_basic_verify(bs, NULL, st, 0), 1);
        OCSP_CERTID *cid = OCSP_cert_to_id(mds[m], x, issuer);
        int status = -1, reason = -1;
        assert_int_equal(OCSP_resp_find_status(bs, cid, &status, &reason, NULL, NULL, NULL), 1);
        assert_int_equal(status, V_OCSP_CERTSTATUS_GOOD);
        OCSP_BASICRESP_free(bs);
        free(r);
        /* Revoked. */
        f.status = (struct pki_cert_status){
            .state = PKI_CERT_REVOKED, .revoked_at = NOW - 60, .reason = 4 /* superseded */};
        assert_true(pki_ocsp_respond(ca, q, qlen, NOW, fake_lookup, &f, &r, &rlen));
        bs = basic_of(r, rlen);
        assert_int_equal(OCSP_resp_find_status(bs, cid, &status, &reason, NULL, NULL, NULL), 1);
        assert_int_equal(status, V_OCSP_CERTSTATUS_REVOKED);
        assert_int_equal(reason, OCSP_REVOKED_STATUS_SUPERSEDED);
        OCSP_BASICRESP_free(bs);
        free(r);
        /* Not recorded: unknown, still signed and verifiable. */
        f.serial = NULL;
        assert_true(pki_ocsp_respond(ca, q, qlen, NOW, fake_lookup, &f, &r, &rlen));
        bs = basic_of(r, rlen);
        assert_int_equal(OCSP_basic_verify(bs, NULL, st, 0), 1);
        assert_int_equal(OCSP_resp_find_status(bs, cid, &status, &reason, NULL, NULL, NULL), 1);
        assert_int_equal(status, V_OCSP_CERTSTATUS_UNKNOWN);
        OCSP_BASICRESP_free(bs);
        free(r);
        OCSP_CERTID_free(cid);
        X509_STORE_free(st);
        OCSP_REQUEST_free(req);
        OPENSSL_free(q);
    }
    X509_free(x);
}

static void responder_reports_errors_as_ocsp_statuses(void **state)
{
    (void)state;
    unsigned char *r = NULL;
    size_t rlen = 0, qlen = 0;
    struct fake f = {0};
    /* Garbage, empty, trailing bytes: malformedRequest, without asking the registry. */
    assert_true(pki_ocsp_respond(ca, "not DER", 7, NOW, fake_lookup, &f, &r, &rlen));
    assert_int_equal(pki_ocsp_response_status(r, rlen), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    free(r);
    assert_true(pki_ocsp_respond(ca, NULL, 0, NOW, fake_lookup, &f, &r, &rlen));
    assert_int_equal(pki_ocsp_response_status(r, rlen), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    free(r);
    X509 *x = issue_test_cert(ca, "simple-ca", "S");
    X509 *issuer = pki_ca_x509(ca, idx("simple-ca"));
    unsigned char *q = make_request(&x, &issuer, 1, EVP_sha1(), &qlen);
    unsigned char *longer = malloc(qlen + 1);
    memcpy(longer, q, qlen);
    longer[qlen] = 0;
    assert_true(pki_ocsp_respond(ca, longer, qlen + 1, NOW, fake_lookup, &f, &r, &rlen));
    assert_int_equal(pki_ocsp_response_status(r, rlen), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    free(r);
    free(longer);
    assert_int_equal(f.calls, 0);
    /* The registry is unavailable: tryLater. */
    f.fail = true;
    assert_true(pki_ocsp_respond(ca, q, qlen, NOW, fake_lookup, &f, &r, &rlen));
    assert_int_equal(pki_ocsp_response_status(r, rlen), OCSP_RESPONSE_STATUS_TRYLATER);
    free(r);
    assert_int_equal(f.calls, 1);
    f.fail = false;
    f.calls = 0;
    OPENSSL_free(q);
    /* Another hierarchy's CA: unauthorized. */
    X509 *y = issue_test_cert(other, "simple-ca", "Stranger");
    X509 *other_issuer = pki_ca_x509(other, idx("simple-ca"));
    q = make_request(&y, &other_issuer, 1, EVP_sha1(), &qlen);
    assert_true(pki_ocsp_respond(ca, q, qlen, NOW, fake_lookup, &f, &r, &rlen));
    assert_int_equal(pki_ocsp_response_status(r, rlen), OCSP_RESPONSE_STATUS_UNAUTHORIZED);
    free(r);
    OPENSSL_free(q);
    /* Two of our CAs in one request: unauthorized (one responder signs one answer). */
    X509 *tsa = pki_ca_x509(ca, idx("tsa"));
    X509 *certs[2] = {x, tsa}, *issuers[2] = {issuer, pki_ca_x509(ca, idx("root"))};
    q = make_request(certs, issuers, 2, EVP_sha1(), &qlen);
    assert_true(pki_ocsp_respond(ca, q, qlen, NOW, fake_lookup, &f, &r, &rlen));
    assert_int_equal(pki_ocsp_response_status(r, rlen), OCSP_RESPONSE_STATUS_UNAUTHORIZED);
    free(r);
    OPENSSL_free(q);
    /* MD5 CertIDs: malformedRequest. */
    q = make_request(&x, &issuer, 1, EVP_md5(), &qlen);
    assert_true(pki_ocsp_respond(ca, q, qlen, NOW, fake_lookup, &f, &r, &rlen));
    assert_int_equal(pki_ocsp_response_status(r, rlen), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    free(r);
    OPENSSL_free(q);
    assert_int_equal(f.calls, 0);
    X509_free(x);
    X509_free(y);
}

/* ---- CRLs ---- */

static X509_CRL *crl_of(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
    assert_non_null(crl);
    return crl;
}

static void crl_lists_revoked_certificates(void **state)
{
    (void)state;
    X509 *a = issue_test_cert(ca, "advanced-ca", "A"), *b = issue_test_cert(ca, "advanced-ca", "B");
    X509 *good = issue_test_cert(ca, "advanced-ca", "Good");
    char sa[PKI_SERIAL_HEX_LEN], sb[PKI_SERIAL_HEX_LEN];
    serial_of(a, sa, sizeof sa);
    serial_of(b, sb, sizeof sb);
    struct pki_revoked list[] = {{sa, NOW + 1, 1}, {sb, NOW + 2, PKI_REASON_NONE}};
    size_t len = 0;
    size_t adv = idx("advanced-ca");
    unsigned char *der = pki_crl_der(ca, adv, list, 2, NOW + 10, NOW + 10 + 3600, 42, &len);
    assert_non_null(der);
    X509_CRL *crl = crl_of(der, len);
    assert_int_equal(X509_CRL_get_version(crl), X509_CRL_VERSION_2);
    assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(pki_ca_x509(ca, adv))), 1);
    assert_int_equal(
        X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(pki_ca_x509(ca, adv))), 0);
    ASN1_INTEGER *number = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
    assert_non_null(number);
    assert_int_equal(ASN1_INTEGER_get(number), 42);
    ASN1_INTEGER_free(number);
    AUTHORITY_KEYID *aki = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL);
    assert_non_null(aki);
    assert_int_equal(
        ASN1_OCTET_STRING_cmp(aki->keyid, X509_get0_subject_key_id(pki_ca_x509(ca, adv))), 0);
    AUTHORITY_KEYID_free(aki);
    assert_int_equal(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 2);
    X509_REVOKED *entry = NULL;
    assert_int_equal(X509_CRL_get0_by_cert(crl, &entry, a), 1);
    ASN1_ENUMERATED *reason = X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, NULL, NULL);
    assert_non_null(reason);
    assert_int_equal(ASN1_ENUMERATED_get(reason), 1);
    ASN1_ENUMERATED_free(reason);
    assert_int_equal(X509_CRL_get0_by_cert(crl, &entry, b), 1);
    assert_null(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, NULL, NULL));
    assert_int_equal(X509_CRL_get0_by_cert(crl, &entry, good), 0);

    /* OpenSSL's chain check with CRLs: the listed certificate fails, the other passes. */
    X509_STORE *st = root_store(ca);
    size_t rlen = 0;
    unsigned char *root_crl = pki_crl_der(ca, idx("root"), NULL, 0, NOW, NOW + 3600, 1, &rlen);
    assert_non_null(root_crl);
    X509_CRL *rc = crl_of(root_crl, rlen);
    assert_int_equal(X509_STORE_add_crl(st, crl), 1);
    assert_int_equal(X509_STORE_add_crl(st, rc), 1);
    X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    STACK_OF(X509) *chain = sk_X509_new_null();
    sk_X509_push(chain, pki_ca_x509(ca, adv));
    X509 *subjects[2] = {a, good};
    int want[2] = {X509_V_ERR_CERT_REVOKED, X509_V_OK};
    for (size_t i = 0; i < 2; i++) {
        X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        assert_int_equal(X509_STORE_CTX_init(ctx, st, subjects[i], chain), 1);
        X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), NOW + 20);
        X509_verify_cert(ctx);
        assert_int_equal(X509_STORE_CTX_get_error(ctx), want[i]);
        X509_STORE_CTX_free(ctx);
    }
    sk_X509_free(chain);
    X509_STORE_free(st);
    X509_CRL_free(rc);
    X509_CRL_free(crl);
    free(root_crl);
    free(der);
    X509_free(a);
    X509_free(b);
    X509_free(good);
}

static void crl_refuses_non_cas_and_bad_serials(void **state)
{
    (void)state;
    size_t len = 0;
    assert_null(pki_crl_der(ca, idx("tsa"), NULL, 0, NOW, NOW + 60, 1, &len));
    assert_null(pki_crl_der(ca, idx("ocsp"), NULL, 0, NOW, NOW + 60, 1, &len));
    assert_null(pki_crl_der(ca, PKI_CA_ENTITIES, NULL, 0, NOW, NOW + 60, 1, &len));
    struct pki_revoked bad = {"XYZ", NOW, PKI_REASON_NONE};
    assert_null(pki_crl_der(ca, idx("simple-ca"), &bad, 1, NOW, NOW + 60, 1, &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(serials_are_normalized),
        cmocka_unit_test(reasons_have_rfc5280_names),
        cmocka_unit_test(cert_info_names_the_issuer),
        cmocka_unit_test(signer_cert_response_is_signed_by_its_ca),
        cmocka_unit_test(revoked_response_states_time_and_reason),
        cmocka_unit_test(hierarchy_cert_response_is_signed_by_the_ocsp_responder),
        cmocka_unit_test(foreign_cert_gets_no_response),
        cmocka_unit_test(responder_answers_good_revoked_unknown),
        cmocka_unit_test(responder_reports_errors_as_ocsp_statuses),
        cmocka_unit_test(crl_lists_revoked_certificates),
        cmocka_unit_test(crl_refuses_non_cas_and_bad_serials),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
