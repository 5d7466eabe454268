/*
 * The PKI and the RFC 3161 time-stamping unit, seen from outside: every CA certificate is
 * served as PEM and DER, the chain verifies with the openssl tool, the TSA certificate has the
 * critical timeStamping-only extended key usage, time-stamp replies verify against the root,
 * serial numbers differ, a malformed query gets a rejection, a wrong media type a 415, the
 * hierarchy survives a restart (loaded, not recreated), two servers starting at once on an
 * empty store agree on one hierarchy, and the private keys are not in the database in clear.
 */
#include "harness.h"

#include <pthread.h>
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

static const char *const names[] = {"root", "simple-ca", "advanced-ca", "qualified-ca",
                                    "tsa",  "ocsp",      "ra"};
#define N_NAMES (sizeof names / sizeof names[0])

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

static unsigned char *read_file(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", work, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *d = malloc(1 << 20);
    assert_non_null(d);
    *len = fread(d, 1, 1 << 20, f);
    fclose(f);
    return d;
}

/* GETs /pki/FILE from s, expects 200 with content type ct, and saves it as work/save_as. */
static void fetch_from(const struct server *s, const char *file, const char *ct,
                       const char *save_as)
{
    char path[128], got_ct[128] = "";
    struct response r = {0};
    snprintf(path, sizeof path, "/pki/%s", file);
    assert_true(http(s, "GET", path, NULL, NULL, 0, &r));
    if (r.status != 200)
        fprintf(stderr, "GET %s: %ld %s\n", path, r.status, r.body);
    assert_int_equal(r.status, 200);
    assert_true(response_header(&r, "Content-Type", got_ct, sizeof got_ct));
    assert_string_equal(got_ct, ct);
    write_file(save_as, r.body, r.body_len);
    response_free(&r);
}

static void fetch(const char *file, const char *ct)
{
    fetch_from(&srv, file, ct, file);
}

static void fetch_all(void)
{
    char file[64];
    for (size_t i = 0; i < N_NAMES; i++) {
        snprintf(file, sizeof file, "%s.pem", names[i]);
        fetch(file, "application/x-pem-file");
        snprintf(file, sizeof file, "%s.der", names[i]);
        fetch(file, "application/pkix-cert");
    }
    fetch("chain.pem", "application/x-pem-file");
}

/* POSTs work/query to /tsa and saves the reply as work/reply. */
static void stamp(const char *query, const char *reply)
{
    static const char *const ct[] = {"Content-Type: application/timestamp-query", NULL};
    size_t len = 0;
    unsigned char *q = read_file(query, &len);
    struct response r = {0};
    char got_ct[128] = "";
    assert_true(http(&srv, "POST", "/tsa", ct, q, len, &r));
    assert_int_equal(r.status, 200);
    assert_true(response_header(&r, "Content-Type", got_ct, sizeof got_ct));
    assert_string_equal(got_ct, "application/timestamp-reply");
    write_file(reply, r.body, r.body_len);
    response_free(&r);
    free(q);
}

/* Makes a query over a small file with digest md ("sha256", …) and certReq. */
static void make_query(const char *md, const char *out)
{
    write_file("data.txt", "Signet time-stamp test\n", 23);
    assert_int_equal(sh_run(NULL, 0,
                            "cd %s && openssl ts -query -data data.txt -%s -cert -out %s "
                            "2>/dev/null",
                            work, md, out),
                     0);
}

/* The "Serial number:" line of a reply's text form into serial. */
static void reply_serial(const char *reply, char *serial, size_t len)
{
    char text[8192];
    assert_int_equal(sh_run(text, sizeof text,
                            "cd %s && openssl ts -reply -in %s -text 2>/dev/null", work, reply),
                     0);
    const char *p = strstr(text, "Serial number: ");
    assert_non_null(p);
    p += strlen("Serial number: ");
    size_t n = strcspn(p, "\n");
    assert_true(n > 2 && n < len);
    memcpy(serial, p, n);
    serial[n] = '\0';
}

/* ---- setup ---- */

static int setup(void **state)
{
    (void)state;
    snprintf(work, sizeof work, "/tmp/signet-pki-files-XXXXXX");
    if (!mkdtemp(work))
        return -1;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    return server_start(&srv, data_dir, NULL) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", work);
    if (system(cmd) != 0)
        return -1;
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* ---- tests ---- */

static void every_certificate_is_served_as_pem_and_der(void **state)
{
    (void)state;
    fetch_all();
    for (size_t i = 0; i < N_NAMES; i++) {
        /* The DER and the PEM are the same certificate. */
        assert_int_equal(sh_run(NULL, 0,
                                "cd %s && openssl x509 -inform DER -in %s.der -outform PEM "
                                "| cmp -s - %s.pem",
                                work, names[i], names[i]),
                         0);
    }
    char out[4096];
    assert_int_equal(
        sh_run(out, sizeof out, "cd %s && grep -c 'BEGIN CERTIFICATE' chain.pem", work), 0);
    assert_int_equal(strtol(out, NULL, 10), 4); /* root and the three issuing CAs */
    struct response r = {0};
    assert_true(http(&srv, "GET", "/pki/nope.pem", NULL, NULL, 0, &r));
    assert_error_object(&r, 404, "NotFound");
    response_free(&r);
    assert_true(http(&srv, "GET", "/pki/chain.der", NULL, NULL, 0, &r));
    assert_error_object(&r, 404, "NotFound");
    response_free(&r);
}

static void chain_verifies_with_the_openssl_tool(void **state)
{
    (void)state;
    char out[4096];
    fetch_all();
    int rc =
        sh_run(out, sizeof out,
               "cd %s && openssl verify -CAfile root.pem -untrusted chain.pem tsa.pem ocsp.pem "
               "simple-ca.pem advanced-ca.pem qualified-ca.pem 2>&1",
               work);
    if (rc != 0)
        fprintf(stderr, "openssl verify: %s\n", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "tsa.pem: OK"));
    assert_non_null(strstr(out, "qualified-ca.pem: OK"));
    /* The issuing CAs: names, pathlen 0, AIA and CRL distribution point under the base URL. */
    static const char *const cas[][2] = {{"simple-ca", "Signet Simple CA"},
                                         {"advanced-ca", "Signet Advanced CA"},
                                         {"qualified-ca", "Signet Qualified CA"}};
    char want[300];
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(sh_run(out, sizeof out,
                                "cd %s && openssl x509 -in %s.pem -noout -subject -text", work,
                                cas[i][0]),
                         0);
        assert_non_null(strstr(out, cas[i][1]));
        assert_non_null(strstr(out, "CA:TRUE, pathlen:0"));
        assert_non_null(strstr(out, "Certificate Sign, CRL Sign"));
        snprintf(want, sizeof want, "OCSP - URI:%s/ocsp", srv.base);
        assert_non_null(strstr(out, want));
        snprintf(want, sizeof want, "CA Issuers - URI:%s/pki/root.der", srv.base);
        assert_non_null(strstr(out, want));
        snprintf(want, sizeof want, "URI:%s/crl/root.crl", srv.base);
        assert_non_null(strstr(out, want));
    }
    assert_int_equal(
        sh_run(out, sizeof out, "cd %s && openssl x509 -in root.pem -noout -text", work), 0);
    assert_non_null(strstr(out, "X509v3 Basic Constraints: critical\n                CA:TRUE"));
    assert_non_null(strstr(out, "X509v3 Key Usage: critical\n                Certificate Sign, "
                                "CRL Sign"));
    assert_int_equal(
        sh_run(out, sizeof out, "cd %s && openssl x509 -in ocsp.pem -noout -text", work), 0);
    assert_non_null(strstr(out, "OCSP Signing"));
    assert_non_null(strstr(out, "OCSP No Check"));
}

static void tsa_certificate_has_critical_timestamping_only(void **state)
{
    (void)state;
    char out[8192];
    fetch("tsa.pem", "application/x-pem-file");
    assert_int_equal(
        sh_run(out, sizeof out, "cd %s && openssl x509 -in tsa.pem -noout -text", work), 0);
    assert_non_null(
        strstr(out, "X509v3 Extended Key Usage: critical\n                Time Stamping\n"));
    assert_non_null(strstr(out, "X509v3 Key Usage: critical\n                Digital Signature, "
                                "Non Repudiation\n"));
    assert_non_null(strstr(out, "CA:FALSE"));
}

static void timestamp_reply_verifies_against_the_root(void **state)
{
    (void)state;
    static const char *const mds[] = {"sha256", "sha384", "sha512"};
    char out[8192];
    fetch("root.pem", "application/x-pem-file");
    fetch("tsa.pem", "application/x-pem-file");
    for (size_t i = 0; i < 3; i++) {
        make_query(mds[i], "q.tsq");
        stamp("q.tsq", "r.tsr");
        int rc = sh_run(out, sizeof out,
                        "cd %s && openssl ts -verify -in r.tsr -queryfile q.tsq -CAfile root.pem "
                        "-untrusted tsa.pem 2>&1",
                        work);
        if (rc != 0 || !strstr(out, "Verification: OK"))
            fprintf(stderr, "%s: openssl ts -verify: %s\n", mds[i], out);
        assert_non_null(strstr(out, "Verification: OK"));
        assert_int_equal(
            sh_run(out, sizeof out, "cd %s && openssl ts -reply -in r.tsr -text 2>/dev/null", work),
            0);
        assert_non_null(strstr(out, "Status: Granted."));
        assert_non_null(
            strstr(out, "Policy OID: 2.25.336782241598815905160109094009071991440.1.1"));
        assert_non_null(strstr(out, "Accuracy: 0x01 seconds"));
        assert_non_null(strstr(out, "Ordering: no"));
    }
}

static void two_replies_have_different_serials(void **state)
{
    (void)state;
    char a[128], b[128];
    make_query("sha256", "q.tsq");
    stamp("q.tsq", "r1.tsr");
    stamp("q.tsq", "r2.tsr");
    reply_serial("r1.tsr", a, sizeof a);
    reply_serial("r2.tsr", b, sizeof b);
    assert_string_not_equal(a, b);
}

static void malformed_query_gets_a_rejection(void **state)
{
    (void)state;
    char out[8192];
    write_file("garbage.tsq", "this is not a TimeStampReq", 26);
    stamp("garbage.tsq", "g.tsr");
    assert_int_equal(
        sh_run(out, sizeof out, "cd %s && openssl ts -reply -in g.tsr -text 2>/dev/null", work), 0);
    assert_non_null(strstr(out, "Status: Rejected"));
    assert_non_null(strstr(out, "wrong format"));
    /* MD5 is not among the accepted digests: a rejection naming the algorithm. */
    assert_int_equal(sh_run(NULL, 0,
                            "cd %s && openssl ts -query -data data.txt -md5 -out md5.tsq "
                            "2>/dev/null",
                            work),
                     0);
    stamp("md5.tsq", "m.tsr");
    assert_int_equal(
        sh_run(out, sizeof out, "cd %s && openssl ts -reply -in m.tsr -text 2>/dev/null", work), 0);
    assert_non_null(strstr(out, "Status: Rejected"));
}

static void wrong_media_type_is_415(void **state)
{
    (void)state;
    static const char *const ct[] = {"Content-Type: application/octet-stream", NULL};
    struct response r = {0};
    assert_true(http(&srv, "POST", "/tsa", ct, "xyz", 3, &r));
    assert_error_object(&r, 415, "UnsupportedMediaType");
    response_free(&r);
}

static void private_keys_are_not_stored_in_clear(void **state)
{
    (void)state;
    char out[65536], q[256];
    char *dump = test_db_dump(data_dir);
    assert_non_null(dump);
    assert_non_null(strstr(dump, "pki_entities"));
    assert_null(strstr(dump, "PRIVATE KEY"));
    free(dump);
    assert_true(test_sql(data_dir, "SELECT count(*) FROM pki_entities", out, sizeof out));
    assert_int_equal(strtol(out, NULL, 10), (long)N_NAMES);
    /* No stored key blob parses as a private key (DER or PEM). */
    for (size_t i = 0; i < N_NAMES; i++) {
        snprintf(q, sizeof q, "SELECT %s FROM pki_entities WHERE name = '%s'",
                 test_on_postgres() ? "encode(key_sealed, 'hex')" : "hex(key_sealed)", names[i]);
        assert_true(test_sql(data_dir, q, out, sizeof out));
        assert_int_equal(sh_run(NULL, 0, "printf '%%s' '%.*s' | xxd -r -p > %s/sealed.bin",
                                (int)strcspn(out, "\n"), out, work),
                         0);
        assert_int_not_equal(sh_run(NULL, 0,
                                    "openssl pkey -inform DER -in %s/sealed.bin -noout "
                                    ">/dev/null 2>&1",
                                    work),
                             0);
    }
}

static void restart_loads_the_same_hierarchy(void **state)
{
    (void)state;
    size_t len1 = 0, len2 = 0, tlen1 = 0, tlen2 = 0;
    fetch("root.der", "application/pkix-cert");
    fetch("tsa.der", "application/pkix-cert");
    unsigned char *root1 = read_file("root.der", &len1);
    unsigned char *tsa1 = read_file("tsa.der", &tlen1);
    assert_int_equal(server_stop(&srv, true), 0);
    assert_true(server_start(&srv, data_dir, NULL));
    fetch("root.der", "application/pkix-cert");
    fetch("tsa.der", "application/pkix-cert");
    unsigned char *root2 = read_file("root.der", &len2);
    unsigned char *tsa2 = read_file("tsa.der", &tlen2);
    assert_int_equal(len1, len2);
    assert_memory_equal(root1, root2, len1);
    assert_int_equal(tlen1, tlen2);
    assert_memory_equal(tsa1, tsa2, tlen1);
    free(root1);
    free(root2);
    free(tsa1);
    free(tsa2);
    /* The reloaded TSA still stamps, verifiably. */
    char out[4096];
    fetch("root.pem", "application/x-pem-file");
    fetch("tsa.pem", "application/x-pem-file");
    make_query("sha256", "q.tsq");
    stamp("q.tsq", "r.tsr");
    sh_run(out, sizeof out,
           "cd %s && openssl ts -verify -in r.tsr -queryfile q.tsq -CAfile root.pem -untrusted "
           "tsa.pem 2>&1",
           work);
    assert_non_null(strstr(out, "Verification: OK"));
}

struct race {
    struct server s;
    const char *dir;
    bool ok;
};

static void *start_one(void *cls)
{
    struct race *r = cls;
    r->ok = server_start(&r->s, r->dir, NULL);
    return NULL;
}

static void two_servers_starting_at_once_agree_on_one_root(void **state)
{
    (void)state;
    char dir[256];
    assert_true(make_data_dir(dir, sizeof dir));
    /* The database exists and is migrated (as after an upgrade): the two servers race on
     * creating the PKI, not on SQLite's first open, which this test does not cover. */
    const char *migrate[] = {"admin", "org", "list", "--data", dir, "--log-level", "error", NULL};
    char out[4096], err[4096];
    assert_int_equal(run_signet(migrate, out, sizeof out, err, sizeof err), 0);
    struct race r[2] = {{.dir = dir}, {.dir = dir}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, start_one, &r[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    bool ok = r[0].ok && r[1].ok;
    if (ok) {
        fetch_from(&r[0].s, "root.der", "application/pkix-cert", "race0.der");
        fetch_from(&r[1].s, "root.der", "application/pkix-cert", "race1.der");
    }
    if (r[1].ok)
        server_stop(&r[1].s, true);
    if (r[0].ok)
        server_stop(&r[0].s, false);
    assert_true(ok);
    size_t a_len = 0, b_len = 0;
    unsigned char *a = read_file("race0.der", &a_len);
    unsigned char *b = read_file("race1.der", &b_len);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_certificate_is_served_as_pem_and_der),
        cmocka_unit_test(chain_verifies_with_the_openssl_tool),
        cmocka_unit_test(tsa_certificate_has_critical_timestamping_only),
        cmocka_unit_test(timestamp_reply_verifies_against_the_root),
        cmocka_unit_test(two_replies_have_different_serials),
        cmocka_unit_test(malformed_query_gets_a_rejection),
        cmocka_unit_test(wrong_media_type_is_415),
        cmocka_unit_test(private_keys_are_not_stored_in_clear),
        cmocka_unit_test(restart_loads_the_same_hierarchy),
        cmocka_unit_test(two_servers_starting_at_once_agree_on_one_root),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
