/*
 * On-demand signer certificates and the PAdES CMS (pki/signer.h): the certificate profile per
 * level (policies, qcStatements, key usage, EKU, subject, validity, AIA/CRL URLs of the
 * hierarchy), refused identities, and the CMS attributes baseline B-B/B-T require (no
 * signing-time, signing-certificate-v2, message digest, time stamp only for B-T).
 */
#include "pki/ca.h"
#include "pki/signer.h"
#include "pki/tsa.h"

#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define URL    "http://signet.example:8443"
#define POLICY "2.25.336782241598815905160109094009071991440.1.1"

static struct pki_ca *ca;
static struct pki_tsa *tsa;
static int64_t now;

static int setup(void **state)
{
    (void)state;
    char err[256];
    now = (int64_t)time(NULL);
    ca = pki_ca_generate(URL, now, err, sizeof err);
    tsa = ca ? pki_tsa_new(ca, POLICY, err, sizeof err) : NULL;
    return tsa ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pki_tsa_free(tsa);
    pki_ca_free(ca);
    return 0;
}

static X509 *issue(enum pki_signer_level level, struct pki_signer **out)
{
    struct pki_signer_identity id = {.given_name = "Anna",
                                     .surname = "Müller",
                                     .common_name = "Anna Müller",
                                     .serial_number = "IDCCH-4F2A",
                                     .country = "CH"};
    char err[256];
    struct pki_signer *s =
        pki_signer_issue(ca, level, PKI_KEY_EC_P256, &id, NULL, now, 600, err, sizeof err);
    assert_non_null(s);
    size_t len = 0;
    unsigned char *der = pki_signer_cert_der(s, &len);
    assert_non_null(der);
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    free(der);
    assert_non_null(x);
    *out = s;
    return x;
}

static bool has_policy(X509 *x, const char *oid)
{
    CERTIFICATEPOLICIES *pols = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
    bool found = false;
    for (int i = 0; i < sk_POLICYINFO_num(pols); i++) {
        char text[80];
        OBJ_obj2txt(text, sizeof text, sk_POLICYINFO_value(pols, i)->policyid, 1);
        found = found || strcmp(text, oid) == 0;
    }
    sk_POLICYINFO_pop_free(pols, POLICYINFO_free);
    return found;
}

static bool has_extension(X509 *x, const char *oid)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    int at = X509_get_ext_by_OBJ(x, obj, -1);
    ASN1_OBJECT_free(obj);
    return at >= 0;
}

static void qualified_profile(void **state)
{
    (void)state;
    struct pki_signer *s = NULL;
    X509 *x = issue(PKI_SIGNER_QUALIFIED, &s);
    assert_string_equal(pki_signer_issuer(s), "qualified-ca");
    assert_true(has_policy(x, "0.4.0.194112.1.2"));
    assert_true(has_extension(x, "1.3.6.1.5.5.7.1.3")); /* qcStatements */
    /* Key usage exactly digitalSignature + nonRepudiation, critical; EKU emailProtection. */
    assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION);
    int ku = X509_get_ext_by_NID(x, NID_key_usage, -1);
    assert_true(X509_EXTENSION_get_critical(X509_get_ext(x, ku)));
    assert_true(X509_get_extended_key_usage(x) & XKU_SMIME);
    /* Subject parts. */
    char cn[128], sn[128], serial[64], c[8];
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_get_text_by_NID(name, NID_commonName, cn, sizeof cn);
    X509_NAME_get_text_by_NID(name, NID_surname, sn, sizeof sn);
    X509_NAME_get_text_by_NID(name, NID_serialNumber, serial, sizeof serial);
    X509_NAME_get_text_by_NID(name, NID_countryName, c, sizeof c);
    assert_string_equal(serial, "IDCCH-4F2A");
    assert_string_equal(c, "CH");
    /* Minutes of validity, starting a minute early. */
    int64_t nb = pki_signer_not_before_ms(s) / 1000, na = pki_signer_not_after_ms(s) / 1000;
    assert_int_equal(nb, now - 60);
    assert_int_equal(na, now + 600);
    /* The OCSP URL is the hierarchy's. */
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
    assert_non_null(aia);
    ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, 0);
    assert_string_equal(
        (const char *)ASN1_STRING_get0_data(ad->location->d.uniformResourceIdentifier),
        URL "/ocsp");
    AUTHORITY_INFO_ACCESS_free(aia);
    /* Issued by the Qualified CA. */
    int idx = pki_ca_entity_find("qualified-ca", 12);
    size_t len = 0;
    unsigned char *ca_der = pki_ca_cert_der(ca, (size_t)idx, &len);
    const unsigned char *p = ca_der;
    X509 *issuer = d2i_X509(NULL, &p, (long)len);
    assert_int_equal(X509_verify(x, X509_get0_pubkey(issuer)), 1);
    X509_free(issuer);
    free(ca_der);
    X509_free(x);
    pki_signer_free(s);
}

static void advanced_and_simple_profiles(void **state)
{
    (void)state;
    struct pki_signer *s = NULL;
    X509 *x = issue(PKI_SIGNER_ADVANCED, &s);
    assert_string_equal(pki_signer_issuer(s), "advanced-ca");
    assert_true(has_policy(x, "0.4.0.2042.1.2"));
    assert_false(has_extension(x, "1.3.6.1.5.5.7.1.3"));
    X509_free(x);
    pki_signer_free(s);
    x = issue(PKI_SIGNER_SIMPLE, &s);
    assert_string_equal(pki_signer_issuer(s), "simple-ca");
    assert_false(has_extension(x, "2.5.29.32"));
    assert_false(has_extension(x, "1.3.6.1.5.5.7.1.3"));
    X509_free(x);
    pki_signer_free(s);
}

static void refused_identities(void **state)
{
    (void)state;
    char err[256];
    struct pki_signer_identity bad[] = {
        {.common_name = NULL},
        {.common_name = ""},
        {.common_name = "A\nB"},
        {.common_name = "\xff\xfe"},
        {.common_name = "Anna", .country = "Swiss"},
        {.common_name = "Anna", .country = "ch"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_null(pki_signer_issue(ca, PKI_SIGNER_SIMPLE, PKI_KEY_EC_P256, &bad[i], NULL, now,
                                     600, err, sizeof err));
        assert_true(strlen(err) > 0);
    }
    char long_name[PKI_SIGNER_MAX_NAME + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    struct pki_signer_identity too_long = {.common_name = long_name};
    assert_null(pki_signer_issue(ca, PKI_SIGNER_SIMPLE, PKI_KEY_EC_P256, &too_long, NULL, now, 600,
                                 err, sizeof err));
}

static CMS_SignerInfo *only_signer(CMS_ContentInfo *cms)
{
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    assert_int_equal(sk_CMS_SignerInfo_num(sis), 1);
    return sk_CMS_SignerInfo_value(sis, 0);
}

static void cms_attributes(void **state)
{
    (void)state;
    struct pki_signer *s = NULL;
    X509 *x = issue(PKI_SIGNER_ADVANCED, &s);
    unsigned char digest[32];
    memset(digest, 0x5a, sizeof digest);
    char err[256];
    for (int with_tsa = 0; with_tsa < 2; with_tsa++) {
        size_t len = 0;
        unsigned char *der =
            pki_cms_sign(s, ca, digest, with_tsa ? tsa : NULL, &len, err, sizeof err);
        assert_non_null(der);
        const unsigned char *p = der;
        CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
        assert_non_null(cms);
        assert_int_equal(CMS_is_detached(cms), 1);
        CMS_SignerInfo *si = only_signer(cms);
        assert_true(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) < 0);
        assert_true(CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1) >= 0);
        assert_true(CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) >= 0);
        int md = CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, -1);
        ASN1_OCTET_STRING *v =
            X509_ATTRIBUTE_get0_data(CMS_signed_get_attr(si, md), 0, V_ASN1_OCTET_STRING, NULL);
        assert_int_equal(ASN1_STRING_length(v), 32);
        assert_memory_equal(ASN1_STRING_get0_data(v), digest, 32);
        bool stamped = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1) >= 0;
        assert_int_equal(stamped, with_tsa);
        /* The signature verifies over the signed attributes (OpenSSL re-encodes them). */
        assert_true(CMS_set1_signers_certs(cms, NULL, 0) >= 1);
        assert_int_equal(CMS_SignerInfo_verify(si), 1);
        /* Signer, issuing CA and root travel with it. */
        STACK_OF(X509) *certs = CMS_get1_certs(cms);
        assert_int_equal(sk_X509_num(certs), 3);
        sk_X509_pop_free(certs, X509_free);
        CMS_ContentInfo_free(cms);
        free(der);
    }
    X509_free(x);
    pki_signer_free(s);
}

static void rsa_key(void **state)
{
    (void)state;
    struct pki_signer_identity id = {.common_name = "Anna"};
    char err[256];
    struct pki_signer *s = pki_signer_issue(ca, PKI_SIGNER_SIMPLE, PKI_KEY_RSA_3072, &id, NULL, now,
                                            600, err, sizeof err);
    assert_non_null(s);
    size_t len = 0;
    unsigned char *der = pki_signer_cert_der(s, &len);
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    assert_int_equal(EVP_PKEY_get_bits(X509_get0_pubkey(x)), 3072);
    X509_free(x);
    free(der);
    pki_signer_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qualified_profile),
        cmocka_unit_test(advanced_and_simple_profiles),
        cmocka_unit_test(refused_identities),
        cmocka_unit_test(cms_attributes),
        cmocka_unit_test(rsa_key),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
