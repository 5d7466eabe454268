/*
 * The certificate registry on a real store (pki/registry.c, store/certs.c; SQLite in a fresh
 * temporary directory): the hierarchy's root-issued certificates are recorded once, a recorded
 * signer certificate is "good" until revoked and then "revoked" with its time and reason, an
 * unrecorded serial is "unknown", double revocation and double recording conflict, the OCSP
 * answer follows the registry at once, and the CRL cache hands out a new CRL (with a higher
 * number) as soon as the revocation list changes and the same CRL while it does not.
 */
#include "core/isotime.h"
#include "pki/ca.h"
#include "pki/internal.h"
#include "pki/registry.h"
#include "pki/revocation.h"
#include "store/store.h"

#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define URL "https://signet.example"

struct fixture {
    char dir[64];
    struct store *store;
    struct pki_ca *ca;
    int64_t now; /* seconds */
};

static size_t idx(const char *name)
{
    int i = pki_ca_entity_find(name, strlen(name));
    assert_true(i >= 0);
    return (size_t)i;
}

struct rows {
    struct store_pki_entity *e;
};

static enum store_status insert_entities_tx(struct store_tx *tx, void *cls)
{
    struct rows *r = cls;
    enum store_status st = STORE_OK;
    for (size_t i = 0; i < PKI_CA_ENTITIES && st == STORE_OK; i++)
        st = store_pki_insert(tx, &r->e[i]);
    return st;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256] = "";
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/signet_registry_test_XXXXXX");
    if (!mkdtemp(f->dir) || store_open("sqlite", f->dir, &f->store, err, sizeof err) != STORE_OK ||
        store_migrate(f->store) != STORE_OK)
        return -1;
    f->now = time_now_ms() / 1000;
    f->ca = pki_ca_generate(URL, f->now - 60, err, sizeof err);
    if (!f->ca)
        return -1;
    /* The hierarchy's rows as the PKI service writes them (the sealed keys do not matter). */
    struct rows r = {calloc(PKI_CA_ENTITIES, sizeof *r.e)};
    for (size_t i = 0; r.e && i < PKI_CA_ENTITIES; i++) {
        size_t len = 0;
        unsigned char *der = pki_ca_cert_der(f->ca, i, &len);
        if (!der || len > sizeof r.e[i].cert_der)
            return -1;
        snprintf(r.e[i].name, sizeof r.e[i].name, "%s", pki_ca_entity_name(i));
        snprintf(r.e[i].role, sizeof r.e[i].role, "%s", pki_ca_entity_role(i));
        snprintf(r.e[i].issuer, sizeof r.e[i].issuer, "%s", pki_ca_entity_issuer(i));
        r.e[i].position = (int64_t)i;
        memcpy(r.e[i].cert_der, der, len);
        r.e[i].cert_der_len = len;
        r.e[i].key_sealed_len = 1;
        r.e[i].next_serial = 1;
        r.e[i].created_at = f->now * 1000;
        free(der);
    }
    if (!r.e || store_run(f->store, STORE_WRITE, insert_entities_tx, &r) != STORE_OK)
        return -1;
    free(r.e);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    pki_ca_free(f->ca);
    store_close(f->store);
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* A signer-like certificate issued by `issuer`, as DER (OPENSSL_free). */
static unsigned char *issue(const struct fixture *f, const char *issuer, size_t *len)
{
    X509 *ca_cert = pki_ca_x509(f->ca, idx(issuer));
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    assert_true(X509_set_version(x, X509_VERSION_3) == 1);
    assert_true(pki_x509_set_random_serial(x));
    X509_NAME *name = X509_NAME_new();
    assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                           (const unsigned char *)"Grace Hopper", -1, -1, 0) == 1);
    assert_true(X509_set_subject_name(x, name) == 1);
    assert_true(X509_set_issuer_name(x, X509_get_subject_name(ca_cert)) == 1);
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), f->now - 60));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), f->now + 600));
    assert_true(X509_set_pubkey(x, key) == 1);
    assert_true(X509_sign(x, pki_ca_pkey(f->ca, idx(issuer)), EVP_sha384()) > 0);
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    assert_true(n > 0);
    *len = (size_t)n;
    X509_NAME_free(name);
    X509_free(x);
    EVP_PKEY_free(key);
    return der;
}

struct op {
    const char *issuer;
    const unsigned char *der;
    size_t len;
    const char *serial;
    const char *reason;
    struct pki_cert_status status;
    struct store_cert *certs;
    size_t n;
};

static enum store_status record_tx(struct store_tx *tx, void *cls)
{
    struct op *o = cls;
    return pki_registry_record(tx, o->issuer, o->der, o->len, NULL, time_now_ms());
}

static enum store_status status_tx(struct store_tx *tx, void *cls)
{
    struct op *o = cls;
    return pki_registry_status(tx, o->issuer, o->serial, &o->status);
}

static enum store_status revoke_tx(struct store_tx *tx, void *cls)
{
    struct op *o = cls;
    return store_cert_revoke(tx, o->issuer, o->serial, time_now_ms(), o->reason);
}

static enum store_status sync_tx(struct store_tx *tx, void *cls)
{
    (void)cls;
    return pki_registry_sync_hierarchy(tx, time_now_ms());
}

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct op *o = cls;
    free(o->certs);
    o->certs = NULL;
    return store_cert_list(tx, o->issuer, o->reason != NULL, &o->certs, &o->n);
}

static void hierarchy_is_recorded_once(void **state)
{
    struct fixture *f = *state;
    struct op o = {0};
    assert_int_equal(store_run(f->store, STORE_WRITE, sync_tx, NULL), STORE_OK);
    assert_int_equal(store_run(f->store, STORE_WRITE, sync_tx, NULL), STORE_OK);
    assert_int_equal(store_run(f->store, STORE_READ, list_tx, &o), STORE_OK);
    assert_int_equal(o.n, 6); /* three issuing CAs, tsa, ocsp, ra; not the root */
    for (size_t i = 0; i < o.n; i++) {
        assert_string_equal(o.certs[i].issuer, "root");
        assert_string_equal(o.certs[i].organization_id, "");
        assert_int_equal(o.certs[i].revoked_at, 0);
    }
    free(o.certs);
}

static void signer_cert_goes_from_good_to_revoked(void **state)
{
    struct fixture *f = *state;
    size_t len = 0;
    unsigned char *der = issue(f, "qualified-ca", &len);
    struct pki_cert_info info;
    assert_true(pki_cert_info(f->ca, der, len, &info));
    struct op o = {.issuer = "qualified-ca", .der = der, .len = len, .serial = info.serial_hex};
    /* Not recorded yet: unknown. */
    assert_int_equal(store_run(f->store, STORE_READ, status_tx, &o), STORE_OK);
    assert_int_equal(o.status.state, PKI_CERT_UNKNOWN);
    assert_int_equal(store_run(f->store, STORE_WRITE, record_tx, &o), STORE_OK);
    assert_int_equal(store_run(f->store, STORE_WRITE, record_tx, &o), STORE_CONFLICT);
    assert_int_equal(store_run(f->store, STORE_READ, status_tx, &o), STORE_OK);
    assert_int_equal(o.status.state, PKI_CERT_GOOD);
    /* The OCSP answer for the /DSS says good. */
    size_t rlen = 0;
    unsigned char *resp = pki_registry_ocsp_der(f->ca, f->store, der, len, f->now, &rlen);
    assert_non_null(resp);
    const unsigned char *p = resp;
    OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, (long)rlen);
    OCSP_BASICRESP *bs = OCSP_response_get1_basic(r);
    assert_int_equal(OCSP_single_get0_status(OCSP_resp_get0(bs, 0), NULL, NULL, NULL, NULL),
                     V_OCSP_CERTSTATUS_GOOD);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(r);
    free(resp);
    /* Revoked: at once, with its reason; a second revocation conflicts. */
    o.reason = "keyCompromise";
    assert_int_equal(store_run(f->store, STORE_WRITE, revoke_tx, &o), STORE_OK);
    assert_int_equal(store_run(f->store, STORE_WRITE, revoke_tx, &o), STORE_CONFLICT);
    assert_int_equal(store_run(f->store, STORE_READ, status_tx, &o), STORE_OK);
    assert_int_equal(o.status.state, PKI_CERT_REVOKED);
    assert_int_equal(o.status.reason, 1);
    assert_true(o.status.revoked_at >= f->now - 1);
    resp = pki_registry_ocsp_der(f->ca, f->store, der, len, f->now, &rlen);
    p = resp;
    r = d2i_OCSP_RESPONSE(NULL, &p, (long)rlen);
    bs = OCSP_response_get1_basic(r);
    int reason = -1;
    assert_int_equal(OCSP_single_get0_status(OCSP_resp_get0(bs, 0), &reason, NULL, NULL, NULL),
                     V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(r);
    free(resp);
    /* Revoking what was never recorded: not found. */
    o.serial = "0123";
    assert_int_equal(store_run(f->store, STORE_WRITE, revoke_tx, &o), STORE_NOT_FOUND);
    /* The revoked list. */
    o.issuer = "qualified-ca";
    assert_int_equal(store_run(f->store, STORE_READ, list_tx, &o), STORE_OK);
    assert_int_equal(o.n, 1);
    assert_string_equal(o.certs[0].serial_hex, info.serial_hex);
    assert_string_equal(o.certs[0].subject, "CN=Grace Hopper");
    assert_string_equal(o.certs[0].revocation_reason, "keyCompromise");
    free(o.certs);
    OPENSSL_free(der);
}

static int64_t crl_number(const unsigned char *der, size_t len, int *entries)
{
    const unsigned char *p = der;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
    assert_non_null(crl);
    ASN1_INTEGER *n = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
    assert_non_null(n);
    int64_t v = ASN1_INTEGER_get(n);
    int k = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)); /* -1: no list at all */
    *entries = k < 0 ? 0 : k;
    ASN1_INTEGER_free(n);
    X509_CRL_free(crl);
    return v;
}

static void crl_follows_the_revocation_list(void **state)
{
    struct fixture *f = *state;
    struct pki_crl_cache *cache = pki_crl_cache_new();
    enum store_status st = STORE_OK;
    size_t adv = idx("advanced-ca"), l1 = 0, l2 = 0, l3 = 0, len = 0;
    int entries = -1;
    unsigned char *c1 = pki_crl_current(cache, f->ca, f->store, adv, f->now, &l1, &st);
    assert_non_null(c1);
    assert_int_equal(crl_number(c1, l1, &entries), 1);
    assert_int_equal(entries, 0);
    /* Unchanged list, a moment later: the same CRL. */
    unsigned char *c2 = pki_crl_current(cache, f->ca, f->store, adv, f->now + 1, &l2, &st);
    assert_non_null(c2);
    assert_int_equal(l1, l2);
    assert_memory_equal(c1, c2, l1);
    /* A revocation: the next CRL lists it, with the next number. */
    unsigned char *der = issue(f, "advanced-ca", &len);
    struct pki_cert_info info;
    assert_true(pki_cert_info(f->ca, der, len, &info));
    struct op o = {.issuer = "advanced-ca",
                   .der = der,
                   .len = len,
                   .serial = info.serial_hex,
                   .reason = "superseded"};
    assert_int_equal(store_run(f->store, STORE_WRITE, record_tx, &o), STORE_OK);
    assert_int_equal(store_run(f->store, STORE_WRITE, revoke_tx, &o), STORE_OK);
    unsigned char *c3 = pki_crl_current(cache, f->ca, f->store, adv, f->now + 1, &l3, &st);
    assert_non_null(c3);
    assert_int_equal(crl_number(c3, l3, &entries), 2);
    assert_int_equal(entries, 1);
    free(c3);
    /* After the refresh interval, a new CRL even without changes. */
    c3 = pki_crl_current(cache, f->ca, f->store, adv, f->now + PKI_CRL_REFRESH_S + 2, &l3, &st);
    assert_int_equal(crl_number(c3, l3, &entries), 3);
    /* Not a CA: no CRL. */
    assert_null(pki_crl_current(cache, f->ca, f->store, idx("tsa"), f->now, &l3, &st));
    assert_int_equal(st, STORE_NOT_FOUND);
    free(c1);
    free(c2);
    free(c3);
    OPENSSL_free(der);
    pki_crl_cache_free(cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hierarchy_is_recorded_once, setup, teardown),
        cmocka_unit_test_setup_teardown(signer_cert_goes_from_good_to_revoked, setup, teardown),
        cmocka_unit_test_setup_teardown(crl_follows_the_revocation_list, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
