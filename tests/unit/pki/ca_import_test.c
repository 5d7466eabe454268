/*
 * Creating the hierarchy under an operator's existing root (pki_ca_generate_under, the
 * --pki-root-cert / --pki-root-key options): the root is kept as given and signs the issuing
 * CAs; a key that does not match, a certificate that is no CA, or unreadable files are refused
 * with a message.
 */
#include "pki/ca.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define URL "https://signet.example"

static char dir[64];
static int64_t now;

static void add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, &v3, nid, value);
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

/* A self-signed certificate for key; ca: with CA:TRUE and keyCertSign. */
static X509 *self_signed(EVP_PKEY *key, bool ca, int years)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)"Operator Root", -1,
                               -1, 0);
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 42);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, n);
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(now - 3600));
    ASN1_TIME_adj(X509_getm_notAfter(x), (time_t)now, years * 365, 0);
    X509_set_pubkey(x, key);
    if (ca) {
        add_ext(x, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(x, NID_basic_constraints, "critical,CA:FALSE");
    }
    assert_true(X509_sign(x, key, EVP_sha384()) > 0);
    X509_NAME_free(n);
    return x;
}

static void write_pem(const char *name, X509 *cert, EVP_PKEY *key)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    if (cert)
        PEM_write_X509(f, cert);
    else
        PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    fclose(f);
}

static const char *path_of(const char *name)
{
    static char paths[4][128];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 128, "%s/%s", dir, name);
    return p;
}

static int setup(void **state)
{
    (void)state;
    now = (int64_t)time(NULL);
    snprintf(dir, sizeof dir, "/tmp/signet-ca-import-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    EVP_PKEY *key = EVP_EC_gen("P-384"), *other = EVP_EC_gen("P-384");
    X509 *root = self_signed(key, true, 25), *leaf = self_signed(key, false, 25),
         *short_lived = self_signed(key, true, 2);
    write_pem("root.pem", root, NULL);
    write_pem("root.key", NULL, key);
    write_pem("other.key", NULL, other);
    write_pem("leaf.pem", leaf, NULL);
    write_pem("short.pem", short_lived, NULL);
    X509_free(root);
    X509_free(leaf);
    X509_free(short_lived);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"root.pem", "root.key", "other.key", "leaf.pem", "short.pem"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unlink(path_of(names[i]));
    rmdir(dir);
    return 0;
}

static void hierarchy_under_the_operators_root(void **state)
{
    (void)state;
    char err[256] = "";
    struct pki_ca *ca =
        pki_ca_generate_under(URL, now, path_of("root.pem"), path_of("root.key"), err, sizeof err);
    if (!ca)
        fprintf(stderr, "%s\n", err);
    assert_non_null(ca);
    assert_true(pki_ca_check(ca, err, sizeof err));
    /* The root is the operator's, unchanged. */
    size_t len = 0;
    char *pem = pki_ca_cert_pem(ca, 0, &len);
    FILE *f = fopen(path_of("root.pem"), "r");
    char given[4096];
    size_t n = fread(given, 1, sizeof given - 1, f);
    fclose(f);
    given[n] = '\0';
    assert_string_equal(pem, given);
    free(pem);
    pki_ca_free(ca);
}

static void refusals(void **state)
{
    (void)state;
    char err[256];
    err[0] = '\0';
    assert_null(pki_ca_generate_under(URL, now, path_of("root.pem"), path_of("other.key"), err,
                                      sizeof err));
    assert_non_null(strstr(err, "does not belong"));
    assert_null(
        pki_ca_generate_under(URL, now, path_of("leaf.pem"), path_of("root.key"), err, sizeof err));
    assert_non_null(strstr(err, "not a CA"));
    assert_null(pki_ca_generate_under(URL, now, path_of("short.pem"), path_of("root.key"), err,
                                      sizeof err));
    assert_non_null(strstr(err, "ten years"));
    assert_null(pki_ca_generate_under(URL, now, path_of("missing.pem"), path_of("root.key"), err,
                                      sizeof err));
    assert_non_null(strstr(err, "cannot read"));
    assert_null(pki_ca_generate_under(URL, now, path_of("root.pem"), "", err, sizeof err));
    assert_non_null(strstr(err, "private key"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hierarchy_under_the_operators_root),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
