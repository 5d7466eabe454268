/*
 * Revocation seen from outside, with the openssl tool as the relying party: a certificate
 * recorded in the registry (issued here with the stored CA key, exactly as the signer does)
 * is "good" at POST /ocsp and verifies under the root; after `signet admin cert revoke` (run
 * while the server runs) it is "revoked" with time and reason, and the issuer's CRL lists it
 * (`openssl crl`, `openssl verify -crl_check` fails); a serial Signet did not record is
 * "unknown"; the GET form (RFC 6960 appendix A, percent-encoded base64, and raw) answers the
 * same; a garbage body gets an OCSP malformedRequest; the status of the issuing CAs comes from
 * the root's delegated responder and a revoked issuing CA is on the root CRL.
 *
 * This test links the library to issue certificates (api_pki_revocation_test is in
 * API_TESTS_WITH_LIB): the shipped server has no unauthenticated way to issue one.
 */
#include "harness.h"

#include "core/config.h"
#include "core/isotime.h"
#include "pki/ca.h"
#include "pki/internal.h"
#include "pki/registry.h"
#include "pki/service.h"
#include "store/store.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static struct server srv;
static char data_dir[256];
static char work[256]; /* files for the openssl tool */
static struct pki_service *pki;
static struct store *store;

/* ---- helpers ---- */

static void write_file(const char *name, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", work, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* GETs path, expects 200 with content type ct, saves the body as work/save_as. */
static void fetch(const char *path, const char *ct, const char *save_as)
{
    char got[128] = "";
    struct response r = {0};
    assert_true(http(&srv, "GET", path, NULL, NULL, 0, &r));
    if (r.status != 200)
        fprintf(stderr, "GET %s: %ld %s\n", path, r.status, r.body);
    assert_int_equal(r.status, 200);
    assert_true(response_header(&r, "Content-Type", got, sizeof got));
    assert_string_equal(got, ct);
    write_file(save_as, r.body, r.body_len);
    response_free(&r);
}

static void fetch_certs(void)
{
    static const char *const names[] = {"root", "simple-ca", "advanced-ca", "qualified-ca", "tsa"};
    char path[64], file[64];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "/pki/%s.pem", names[i]);
        snprintf(file, sizeof file, "%s.pem", names[i]);
        fetch(path, "application/x-pem-file", file);
    }
}

struct record_ctx {
    const char *issuer;
    const unsigned char *der;
    size_t len;
};

static enum store_status record_tx(struct store_tx *tx, void *cls)
{
    struct record_ctx *r = cls;
    return pki_registry_record(tx, r->issuer, r->der, r->len, NULL, time_now_ms());
}

/* Issues a short-lived certificate with the stored key of CA `issuer`, like a signer
 * certificate; records it in the registry when `record`; saves it as work/file (PEM) and its
 * serial (as openssl prints it) into serial. */
static void issue(const char *issuer, bool record, const char *file, char *serial,
                  size_t serial_len)
{
    const struct pki_ca *ca = pki_service_ca(pki);
    int i = pki_ca_entity_find(issuer, strlen(issuer));
    assert_true(i >= 0);
    X509 *ca_cert = pki_ca_x509(ca, (size_t)i);
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    int64_t now = time_now_ms() / 1000;
    assert_true(X509_set_version(x, X509_VERSION_3) == 1);
    assert_true(pki_x509_set_random_serial(x));
    assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                           (const unsigned char *)"Revocation Test", -1, -1,
                                           0) == 1);
    assert_true(X509_set_subject_name(x, name) == 1);
    assert_true(X509_set_issuer_name(x, X509_get_subject_name(ca_cert)) == 1);
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(now - 60)));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(now + 600)));
    assert_true(X509_set_pubkey(x, key) == 1);
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, ca_cert, x, NULL, NULL, 0);
    assert_true(pki_x509_add_ext(x, &v3, NID_authority_key_identifier, "keyid:always"));
    assert_true(pki_x509_add_ext(x, &v3, NID_key_usage, "critical,digitalSignature"));
    assert_true(X509_sign(x, pki_ca_pkey(ca, (size_t)i), EVP_sha384()) > 0);
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    assert_true(n > 0);
    if (record) {
        struct record_ctx r = {issuer, der, (size_t)n};
        assert_int_equal(store_run(store, STORE_WRITE, record_tx, &r), STORE_OK);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/%s", work, file);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_X509(f, x), 1);
    fclose(f);
    char out[256];
    assert_int_equal(sh_run(out, sizeof out, "openssl x509 -in %s -noout -serial", path), 0);
    assert_true(strncmp(out, "serial=", 7) == 0);
    out[strcspn(out, "\n")] = '\0';
    assert_true(strlen(out + 7) < serial_len);
    memcpy(serial, out + 7, strlen(out + 7) + 1);
    OPENSSL_free(der);
    X509_NAME_free(name);
    X509_free(x);
    EVP_PKEY_free(key);
}

/* Asks /ocsp (POST, by the openssl tool) about work/cert issued by work/issuer; output into
 * out; the exit status of openssl. */
static int ocsp_query(const char *issuer, const char *cert, char *out, size_t len)
{
    return sh_run(out, len,
                  "cd %s && openssl ocsp -issuer %s -cert %s -url %s/ocsp -CAfile root.pem "
                  "-resp_text 2>&1",
                  work, issuer, cert, srv.base);
}

static void assert_ocsp_status(const char *issuer, const char *cert, const char *status)
{
    char out[16384], want[128];
    int rc = ocsp_query(issuer, cert, out, sizeof out);
    snprintf(want, sizeof want, "%s: %s", cert, status);
    if (rc != 0 || !strstr(out, want) || !strstr(out, "Response verify OK"))
        fprintf(stderr, "openssl ocsp (%d):\n%s\n", rc, out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "Response verify OK"));
    assert_non_null(strstr(out, "OCSP Response Status: successful (0x0)"));
    assert_non_null(strstr(out, want));
    assert_non_null(strstr(out, "Next Update:"));
}

static void admin_revoke(const char *issuer, const char *serial, const char *reason)
{
    char out[4096] = "", err[4096] = "";
    const char *args[] = {"admin",    "cert", "revoke",   "--data", data_dir, "--issuer", issuer,
                          "--serial", serial, "--reason", reason,   "--json", NULL};
    int rc = run_signet(args, out, sizeof out, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "signet admin cert revoke: %s%s\n", out, err);
    assert_int_equal(rc, 0);
    json_error_t jerr;
    json_t *j = json_loads(out, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "serial")), serial);
    assert_string_equal(json_string_value(json_object_get(j, "reason")), reason);
    assert_true(json_is_string(json_object_get(j, "revoked")));
    json_decref(j);
}

/* Percent-encodes everything but unreserved characters (RFC 3986). */
static void percent_encode(const char *in, char *out, size_t out_len)
{
    size_t n = 0;
    for (const char *p = in; *p && n + 4 < out_len; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c))
            out[n++] = (char)c;
        else
            n += (size_t)snprintf(out + n, out_len - n, "%%%02X", c);
    }
    out[n] = '\0';
}

/* ---- setup ---- */

static int setup(void **state)
{
    (void)state;
    char err[512] = "";
    snprintf(work, sizeof work, "/tmp/signet-revocation-XXXXXX");
    if (!mkdtemp(work) || !make_data_dir(data_dir, sizeof data_dir) ||
        !server_start(&srv, data_dir, NULL))
        return -1;
    /* The same store and master key as the server, opened beside it (as `signet admin`). */
    struct config cfg;
    char *argv[] = {"--data", data_dir, NULL};
    const char *pos[1];
    size_t npos = 0;
    if (config_load(&cfg, 2, argv, NULL, pos, 0, &npos, err, sizeof err) != CONFIG_OK ||
        store_open(cfg.store, cfg.data_dir, &store, err, sizeof err) != STORE_OK ||
        store_migrate(store) != STORE_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    pki = pki_service_new();
    bool ok = pki && pki_service_start(pki, &cfg, store, err, sizeof err);
    if (!ok)
        fprintf(stderr, "setup: %s\n", err);
    config_free(&cfg);
    return ok ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    pki_service_free(pki);
    store_close(store);
    snprintf(cmd, sizeof cmd, "rm -rf %s", work);
    if (system(cmd) != 0)
        return -1;
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* ---- tests ---- */

static void recorded_certificate_is_good_then_revoked(void **state)
{
    (void)state;
    char serial[128], out[16384];
    fetch_certs();
    issue("simple-ca", true, "signer.pem", serial, sizeof serial);
    assert_ocsp_status("simple-ca.pem", "signer.pem", "good");
    /* The CRL before: signed by simple-ca, verifies under the chain, does not list it. */
    fetch("/crl/simple-ca.crl", "application/pkix-crl", "simple-ca.crl");
    assert_int_equal(sh_run(out, sizeof out,
                            "cd %s && openssl crl -inform DER -in simple-ca.crl -CAfile root.pem "
                            "-noout 2>&1; cat root.pem simple-ca.pem > chain2.pem; openssl crl "
                            "-inform DER -in simple-ca.crl -CAfile chain2.pem -noout 2>&1",
                            work),
                     0);
    assert_non_null(strstr(out, "verify OK"));
    assert_int_equal(sh_run(out, sizeof out,
                            "cd %s && openssl crl -inform DER -in simple-ca.crl "
                            "-text -noout",
                            work),
                     0);
    assert_null(strstr(out, serial));
    assert_non_null(strstr(out, "X509v3 CRL Number"));
    assert_non_null(strstr(out, "X509v3 Authority Key Identifier"));
    assert_non_null(strstr(out, "Next Update:"));

    /* Revoked with the CLI while the server runs: OCSP says so at once. */
    admin_revoke("simple-ca", serial, "keyCompromise");
    assert_ocsp_status("simple-ca.pem", "signer.pem", "revoked");
    assert_int_equal(ocsp_query("simple-ca.pem", "signer.pem", out, sizeof out), 0);
    assert_non_null(strstr(out, "Reason: keyCompromise"));
    assert_non_null(strstr(out, "Revocation Time:"));

    /* And the next CRL lists it, with the reason; openssl verify -crl_check refuses it. */
    fetch("/crl/simple-ca.crl", "application/pkix-crl", "simple-ca.crl");
    fetch("/crl/root.crl", "application/pkix-crl", "root.crl");
    assert_int_equal(sh_run(out, sizeof out,
                            "cd %s && openssl crl -inform DER -in simple-ca.crl "
                            "-text -noout",
                            work),
                     0);
    char want[160];
    snprintf(want, sizeof want, "Serial Number: %s", serial);
    assert_non_null(strstr(out, want));
    assert_non_null(strstr(out, "Key Compromise"));
    assert_int_equal(sh_run(NULL, 0,
                            "cd %s && openssl crl -inform DER -in simple-ca.crl -out "
                            "simple-ca.crl.pem && openssl crl -inform DER -in root.crl "
                            "-out root.crl.pem",
                            work),
                     0);
    int rc = sh_run(out, sizeof out,
                    "cd %s && openssl verify -crl_check -CAfile root.pem -untrusted simple-ca.pem "
                    "-CRLfile simple-ca.crl.pem signer.pem 2>&1",
                    work);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(out, "certificate revoked"));

    /* A second revocation is refused. */
    char err[4096] = "";
    const char *again[] = {"admin",    "cert",      "revoke",   "--data", data_dir,
                           "--issuer", "simple-ca", "--serial", serial,   NULL};
    assert_int_equal(run_signet(again, out, sizeof out, err, sizeof err), 1);
    assert_non_null(strstr(err, "already revoked"));
}

static void good_certificate_passes_crl_check(void **state)
{
    (void)state;
    char serial[128], out[8192];
    fetch_certs();
    issue("qualified-ca", true, "q.pem", serial, sizeof serial);
    fetch("/crl/qualified-ca.crl", "application/pkix-crl", "qualified-ca.crl");
    fetch("/crl/root.crl", "application/pkix-crl", "root.crl");
    int rc =
        sh_run(out, sizeof out,
               "cd %s && openssl crl -inform DER -in qualified-ca.crl -out q.crl.pem && "
               "openssl crl -inform DER -in root.crl -out r.crl.pem && cat q.crl.pem r.crl.pem "
               "> crls.pem && openssl verify -crl_check_all -CAfile root.pem -untrusted "
               "qualified-ca.pem -CRLfile crls.pem q.pem 2>&1",
               work);
    if (rc != 0)
        fprintf(stderr, "openssl verify: %s\n", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "q.pem: OK"));
}

static void unrecorded_serial_is_unknown(void **state)
{
    (void)state;
    char serial[128];
    fetch_certs();
    issue("advanced-ca", false, "stray.pem", serial, sizeof serial);
    assert_ocsp_status("advanced-ca.pem", "stray.pem", "unknown");
}

static void get_form_answers_too(void **state)
{
    (void)state;
    char serial[128], out[16384], b64[4096], enc[8192], path[8300];
    fetch_certs();
    issue("qualified-ca", true, "get.pem", serial, sizeof serial);
    /* Find a request whose base64 has '/' or '+' (different nonces give different bytes), so
     * the percent-encoding matters. */
    for (int i = 0; i < 50; i++) {
        assert_int_equal(sh_run(NULL, 0,
                                "cd %s && openssl ocsp -issuer qualified-ca.pem -cert "
                                "get.pem -reqout get.req 2>/dev/null",
                                work),
                         0);
        assert_int_equal(sh_run(b64, sizeof b64, "cd %s && openssl base64 -A -in get.req", work),
                         0);
        if (strpbrk(b64, "/+"))
            break;
    }
    b64[strcspn(b64, "\n")] = '\0';
    /* Percent-encoded, as RFC 6960 appendix A says, and raw (as many clients send it). */
    for (int form = 0; form < 2; form++) {
        if (form == 0)
            percent_encode(b64, enc, sizeof enc);
        else
            snprintf(enc, sizeof enc, "%s", b64);
        snprintf(path, sizeof path, "/ocsp/%s", enc);
        fetch(path, "application/ocsp-response", "get.resp");
        int rc = sh_run(out, sizeof out,
                        "cd %s && openssl ocsp -respin get.resp -no_nonce -issuer qualified-ca.pem "
                        "-cert get.pem -CAfile root.pem -resp_text 2>&1",
                        work);
        if (rc != 0 || !strstr(out, "get.pem: good"))
            fprintf(stderr, "GET form %d (%s):\n%s\n", form, path, out);
        assert_int_equal(rc, 0);
        assert_non_null(strstr(out, "Response verify OK"));
        assert_non_null(strstr(out, "get.pem: good"));
    }
}

static void malformed_requests_get_malformed_request(void **state)
{
    (void)state;
    static const char *const ct[] = {"Content-Type: application/ocsp-request", NULL};
    char out[4096], got[128];
    struct response r = {0};
    assert_true(http(&srv, "POST", "/ocsp", ct, "this is not an OCSP request", 27, &r));
    assert_int_equal(r.status, 200);
    assert_true(response_header(&r, "Content-Type", got, sizeof got));
    assert_string_equal(got, "application/ocsp-response");
    write_file("bad.resp", r.body, r.body_len);
    response_free(&r);
    sh_run(out, sizeof out, "cd %s && openssl ocsp -respin bad.resp -resp_text -noverify 2>&1",
           work);
    if (!strstr(out, "Responder Error: malformedrequest (1)"))
        fprintf(stderr, "POST garbage: %s\n", out);
    assert_non_null(strstr(out, "Responder Error: malformedrequest (1)"));
    /* GET with something that is not base64, and with base64 of garbage. */
    static const char *const paths[] = {"/ocsp/%21%21%21%21", "/ocsp/Z2FyYmFnZQ%3D%3D"};
    for (size_t i = 0; i < 2; i++) {
        fetch(paths[i], "application/ocsp-response", "bad.resp");
        sh_run(out, sizeof out, "cd %s && openssl ocsp -respin bad.resp -resp_text -noverify 2>&1",
               work);
        assert_non_null(strstr(out, "Responder Error: malformedrequest (1)"));
    }
    /* Another media type is an HTTP error, like /tsa. */
    static const char *const wrong[] = {"Content-Type: application/octet-stream", NULL};
    assert_true(http(&srv, "POST", "/ocsp", wrong, "xyz", 3, &r));
    assert_error_object(&r, 415, "UnsupportedMediaType");
    response_free(&r);
    /* CRLs exist for the four CAs only. */
    static const char *const missing[] = {"/crl/tsa.crl", "/crl/ocsp.crl", "/crl/root.der",
                                          "/crl/nope.crl"};
    for (size_t i = 0; i < 4; i++) {
        assert_true(http(&srv, "GET", missing[i], NULL, NULL, 0, &r));
        assert_error_object(&r, 404, "NotFound");
        response_free(&r);
    }
}

static void issuing_ca_status_comes_from_the_root_responder(void **state)
{
    (void)state;
    char out[16384], serial[128];
    fetch_certs();
    fetch("/pki/ocsp.pem", "application/x-pem-file", "ocsp.pem");
    assert_ocsp_status("root.pem", "qualified-ca.pem", "good");
    assert_ocsp_status("root.pem", "tsa.pem", "good");
    assert_ocsp_status("root.pem", "ocsp.pem", "good");
    /* Signed by the delegated responder "ocsp". */
    assert_int_equal(ocsp_query("root.pem", "qualified-ca.pem", out, sizeof out), 0);
    assert_non_null(strstr(out, "Signet OCSP Responder"));
    /* Revoke the Advanced CA: the root responder says so, the root CRL lists it. */
    assert_int_equal(sh_run(serial, sizeof serial,
                            "cd %s && openssl x509 -in advanced-ca.pem "
                            "-noout -serial | cut -d= -f2 | tr -d '\\n'",
                            work),
                     0);
    admin_revoke("root", serial, "cessationOfOperation");
    assert_ocsp_status("root.pem", "advanced-ca.pem", "revoked");
    fetch("/crl/root.crl", "application/pkix-crl", "root.crl");
    assert_int_equal(sh_run(out, sizeof out,
                            "cd %s && openssl crl -inform DER -in root.crl -text "
                            "-noout -CAfile root.pem 2>&1",
                            work),
                     0);
    assert_non_null(strstr(out, "verify OK"));
    assert_non_null(strstr(out, serial));
    assert_non_null(strstr(out, "Cessation Of Operation"));
    /* The CLI lists it among the revoked certificates. */
    char err[2048] = "";
    const char *list[] = {"admin", "cert", "list", "--revoked", "--data", data_dir, "--json", NULL};
    assert_int_equal(run_signet(list, out, sizeof out, err, sizeof err), 0);
    json_error_t jerr;
    json_t *arr = json_loads(out, 0, &jerr);
    assert_true(json_is_array(arr));
    bool found = false;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *c = json_array_get(arr, i);
        if (!strcmp(json_string_value(json_object_get(c, "serial")), serial)) {
            found = true;
            assert_string_equal(json_string_value(json_object_get(c, "issuer")), "root");
            assert_string_equal(json_string_value(json_object_get(c, "reason")),
                                "cessationOfOperation");
        }
    }
    assert_true(found);
    json_decref(arr);
}

static void bad_cli_input_is_refused(void **state)
{
    (void)state;
    char out[2048], err[2048];
    const char *bad_issuer[] = {"admin",    "cert", "revoke",   "--data", data_dir,
                                "--issuer", "tsa",  "--serial", "01",     NULL};
    assert_int_equal(run_signet(bad_issuer, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "--issuer"));
    const char *bad_serial[] = {"admin",    "cert",      "revoke",   "--data", data_dir,
                                "--issuer", "simple-ca", "--serial", "xyz",    NULL};
    assert_int_equal(run_signet(bad_serial, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "--serial"));
    const char *bad_reason[] = {"admin",  "cert",     "revoke",          "--data",
                                data_dir, "--issuer", "simple-ca",       "--serial",
                                "01",     "--reason", "certificateHold", NULL};
    assert_int_equal(run_signet(bad_reason, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "--reason"));
    const char *unknown[] = {"admin",    "cert",      "revoke",   "--data",           data_dir,
                             "--issuer", "simple-ca", "--serial", "0123456789ABCDEF", NULL};
    assert_int_equal(run_signet(unknown, out, sizeof out, err, sizeof err), 1);
    assert_non_null(strstr(err, "issued no certificate"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recorded_certificate_is_good_then_revoked),
        cmocka_unit_test(good_certificate_passes_crl_check),
        cmocka_unit_test(unrecorded_serial_is_unknown),
        cmocka_unit_test(get_form_answers_too),
        cmocka_unit_test(malformed_requests_get_malformed_request),
        cmocka_unit_test(bad_cli_input_is_refused),
        /* Last: it revokes the Advanced CA. */
        cmocka_unit_test(issuing_ca_status_comes_from_the_root_responder),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
