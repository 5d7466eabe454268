/*
 * The certificate hierarchy (pki/ca.c) and the time-stamping unit (pki/tsa.c) in memory:
 * profiles of every certificate, round trip through DER export and re-import, refusal of
 * bad input, and a time stamp that OpenSSL's verifier accepts under the generated root.
 */
#include "pki/ca.h"
#include "pki/tsa.h"

#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define URL   "https://signet.example"
#define NOW   1767225600 /* 2026-01-01T00:00:00Z */
#define TSA_POLICY "2.25.336782241598815905160109094009071991440.1.1"

static struct pki_ca *ca;

static int setup(void **state)
{
    (void)state;
    char err[256] = "";
    ca = pki_ca_generate(URL, NOW, err, sizeof err);
    return ca ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pki_ca_free(ca);
    return 0;
}

static X509 *cert_of(const char *name)
{
    int i = pki_ca_entity_find(name, strlen(name));
    assert_true(i >= 0);
    size_t len = 0;
    unsigned char *der = pki_ca_cert_der(ca, (size_t)i, &len);
    assert_non_null(der);
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    free(der);
    assert_non_null(x);
    return x;
}

static bool has_critical(X509 *x, int nid)
{
    int loc = X509_get_ext_by_NID(x, nid, -1);
    return loc >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x, loc)) == 1;
}

static void entity_table_names_every_entity(void **state)
{
    (void)state;
    assert_string_equal(pki_ca_entity_name(0), "root");
    assert_string_equal(pki_ca_entity_role(1), "issuing");
    assert_string_equal(pki_ca_entity_issuer(4), "root");
    assert_int_equal(pki_ca_entity_find("qualified-ca", 12), 3);
    assert_int_equal(pki_ca_entity_find("qualified-c", 11), -1);
    assert_null(pki_ca_entity_name(PKI_CA_ENTITIES));
}

static void root_is_a_self_signed_ca_for_twenty_years(void **state)
{
    (void)state;
    X509 *root = cert_of("root");
    assert_int_equal(X509_check_ca(root), 1);
    assert_true(has_critical(root, NID_basic_constraints));
    assert_true(has_critical(root, NID_key_usage));
    assert_int_equal(X509_get_key_usage(root), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
    assert_non_null(X509_get0_subject_key_id(root));
    assert_int_equal(X509_verify(root, X509_get0_pubkey(root)), 1);
    int days = 0, secs = 0;
    assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(root),
                                    X509_get0_notAfter(root)),
                     1);
    assert_int_equal(days, 20 * 365);
    X509_free(root);
}

static void issuing_cas_have_pathlen_zero_aia_and_crl(void **state)
{
    (void)state;
    static const char *const cas[] = {"simple-ca", "advanced-ca", "qualified-ca"};
    X509 *root = cert_of("root");
    for (size_t i = 0; i < 3; i++) {
        X509 *x = cert_of(cas[i]);
        assert_int_equal(X509_check_ca(x), 1);
        assert_int_equal(X509_get_pathlen(x), 0);
        assert_true(has_critical(x, NID_key_usage));
        assert_int_equal(X509_verify(x, X509_get0_pubkey(root)), 1);
        assert_int_equal(X509_check_issued(root, x), X509_V_OK);
        AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
        assert_non_null(aia);
        assert_int_equal(sk_ACCESS_DESCRIPTION_num(aia), 2);
        ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, 1);
        assert_int_equal(OBJ_obj2nid(ad->method), NID_ad_ca_issuers);
        assert_string_equal((const char *)ASN1_STRING_get0_data(ad->location->d.ia5),
                            URL "/pki/root.der");
        AUTHORITY_INFO_ACCESS_free(aia);
        assert_true(X509_get_ext_by_NID(x, NID_crl_distribution_points, -1) >= 0);
        X509_free(x);
    }
    X509_free(root);
}

static void tsa_has_critical_timestamping_only(void **state)
{
    (void)state;
    X509 *x = cert_of("tsa");
    assert_int_equal(X509_check_ca(x), 0);
    assert_true(has_critical(x, NID_ext_key_usage));
    assert_int_equal(X509_get_extended_key_usage(x), XKU_TIMESTAMP);
    assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION);
    assert_int_equal(X509_check_purpose(x, X509_PURPOSE_TIMESTAMP_SIGN, 0), 1);
    X509_free(x);
    X509 *o = cert_of("ocsp");
    assert_int_equal(X509_get_extended_key_usage(o), XKU_OCSP_SIGN);
    assert_true(X509_get_ext_by_NID(o, NID_id_pkix_OCSP_noCheck, -1) >= 0);
    X509_free(o);
}

static void export_and_reimport_round_trips(void **state)
{
    (void)state;
    char err[256] = "";
    struct pki_ca *copy = pki_ca_new();
    assert_non_null(copy);
    assert_false(pki_ca_check(copy, err, sizeof err));
    for (size_t i = 0; i < PKI_CA_ENTITIES; i++) {
        size_t cl = 0, kl = 0, cl2 = 0;
        unsigned char *c = pki_ca_cert_der(ca, i, &cl);
        unsigned char *k = pki_ca_key_der(ca, i, &kl);
        assert_non_null(c);
        assert_non_null(k);
        assert_true(pki_ca_add(copy, pki_ca_entity_name(i), c, cl, k, kl));
        assert_false(pki_ca_add(copy, pki_ca_entity_name(i), c, cl, k, kl)); /* twice */
        unsigned char *c2 = pki_ca_cert_der(copy, i, &cl2);
        assert_int_equal(cl, cl2);
        assert_memory_equal(c, c2, cl);
        free(c);
        free(c2);
        pki_secret_free(k, kl);
    }
    assert_true(pki_ca_check(copy, err, sizeof err));
    size_t len = 0;
    char *chain = pki_ca_chain_pem(copy, &len);
    assert_non_null(chain);
    size_t n = 0;
    for (const char *p = chain; (p = strstr(p, "BEGIN CERTIFICATE")); p++)
        n++;
    assert_int_equal(n, 4);
    free(chain);
    pki_ca_free(copy);
}

static void mismatched_key_or_garbage_is_refused(void **state)
{
    (void)state;
    struct pki_ca *copy = pki_ca_new();
    size_t cl = 0, kl = 0;
    unsigned char *c = pki_ca_cert_der(ca, 0, &cl);
    unsigned char *k = pki_ca_key_der(ca, 1, &kl); /* simple-ca's key, root's certificate */
    assert_false(pki_ca_add(copy, "root", c, cl, k, kl));
    assert_false(pki_ca_add(copy, "root", (const unsigned char *)"xx", 2, k, kl));
    assert_false(pki_ca_add(copy, "nobody", c, cl, k, kl));
    free(c);
    pki_secret_free(k, kl);
    pki_ca_free(copy);
}

static void bad_public_urls_are_refused(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(pki_ca_generate("ftp://x", NOW, err, sizeof err));
    assert_null(pki_ca_generate("https://x/", NOW, err, sizeof err));
    assert_null(pki_ca_generate("https://x,OCSP;URI:http://evil", NOW, err, sizeof err));
    assert_non_null(strstr(err, "public URL"));
}

/* A TimeStampReq over data with SHA-256 and certReq, DER into *out. */
static int make_query(const char *data, unsigned char **out)
{
    unsigned char md[32];
    EVP_Digest(data, strlen(data), md, NULL, EVP_sha256(), NULL);
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL);
    TS_MSG_IMPRINT_set_algo(mi, alg);
    TS_MSG_IMPRINT_set_msg(mi, md, sizeof md);
    TS_REQ_set_version(req, 1);
    TS_REQ_set_msg_imprint(req, mi);
    TS_REQ_set_cert_req(req, 1);
    int n = i2d_TS_REQ(req, out);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(mi);
    TS_REQ_free(req);
    return n;
}

static void time_stamp_verifies_under_the_root(void **state)
{
    (void)state;
    char err[256] = "";
    struct pki_tsa *tsa = pki_tsa_new(ca, TSA_POLICY, err, sizeof err);
    assert_non_null(tsa);
    unsigned char *q = NULL, *reply = NULL;
    size_t reply_len = 0;
    int qn = make_query("hello", &q);
    assert_true(qn > 0);
    assert_true(pki_tsa_respond(tsa, q, (size_t)qn, &reply, &reply_len));
    const unsigned char *p = reply;
    TS_RESP *resp = d2i_TS_RESP(NULL, &p, (long)reply_len);
    assert_non_null(resp);
    assert_int_equal(ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp))),
                     TS_STATUS_GRANTED);
    /* Verify: data, signature, and the chain to the root. */
    X509_STORE *store = X509_STORE_new();
    X509 *root = cert_of("root");
    X509_STORE_add_cert(store, root);
    p = q;
    TS_REQ *req = d2i_TS_REQ(NULL, &p, qn);
    TS_VERIFY_CTX *vctx = TS_REQ_to_TS_VERIFY_CTX(req, NULL);
    TS_VERIFY_CTX_set_store(vctx, store); /* takes the store */
    assert_int_equal(TS_RESP_verify_response(vctx, resp), 1);
    TS_TST_INFO *info = TS_RESP_get_tst_info(resp);
    char oid[128];
    OBJ_obj2txt(oid, sizeof oid, TS_TST_INFO_get_policy_id(info), 1);
    assert_string_equal(oid, TSA_POLICY);
    assert_int_equal(TS_TST_INFO_get_ordering(info), 0);
    assert_int_equal(ASN1_INTEGER_get(TS_ACCURACY_get_seconds(TS_TST_INFO_get_accuracy(info))),
                     1);
    TS_VERIFY_CTX_free(vctx);
    TS_REQ_free(req);
    TS_RESP_free(resp);
    X509_free(root);
    free(reply);
    /* Garbage: still a reply, with status rejection. */
    assert_true(pki_tsa_respond(tsa, "junk", 4, &reply, &reply_len));
    p = reply;
    resp = d2i_TS_RESP(NULL, &p, (long)reply_len);
    assert_non_null(resp);
    assert_int_equal(ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp))),
                     TS_STATUS_REJECTION);
    TS_RESP_free(resp);
    free(reply);
    OPENSSL_free(q);
    pki_tsa_free(tsa);
    assert_null(pki_tsa_new(ca, "not-an-oid", err, sizeof err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(entity_table_names_every_entity),
        cmocka_unit_test(root_is_a_self_signed_ca_for_twenty_years),
        cmocka_unit_test(issuing_cas_have_pathlen_zero_aia_and_crl),
        cmocka_unit_test(tsa_has_critical_timestamping_only),
        cmocka_unit_test(export_and_reimport_round_trips),
        cmocka_unit_test(mismatched_key_or_garbage_is_refused),
        cmocka_unit_test(bad_public_urls_are_refused),
        cmocka_unit_test(time_stamp_verifies_under_the_root),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
