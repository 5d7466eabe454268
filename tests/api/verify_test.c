/*
 * Signature verification (issue 5, docs/verify.md): PDFs signed with `signet sign` against a
 * running server — B-T, B-LT, B-LTA, up to three signers — are VALID for `signet verify`
 * (exit 0, JSON fields right) and for POST /system/api/verify. Negative cases: a flipped byte
 * inside a signed range; a hand-written incremental update that changes the page content; an
 * OCSP response saying "revoked" added to the /DSS by hand; a CMS from a throwaway foreign
 * CA patched into the placeholder (untrusted; valid with --trust of that CA); an unsigned PDF
 * and a non-PDF (exit 1). HTTP: 413 for an oversize body, 400 for bytes that are not a PDF.
 */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

static struct server srv;
static char work[256];

static int sh(char *out, size_t out_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int sh(char *out, size_t out_len, const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = 0;
    if (out && out_len) {
        n = fread(out, 1, out_len - 1, p);
        out[n] = '\0';
    }
    char sink[4096];
    while (fread(sink, 1, sizeof sink, p) > 0)
        ;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *d = malloc((size_t)n + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    d[n] = 0;
    *len = (size_t)n;
    return d;
}

static void spit(const char *path, const void *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(d, 1, n, f), n);
    fclose(f);
}

static const char *corpus_path(const char *name)
{
    static char path[512];
    const char *dir = getenv("SIGNET_CORPUS");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "../shared/pdf-corpus", name);
    return path;
}

static const char *bin(void)
{
    const char *b = getenv("SIGNET_BIN");
    return b ? b : "./signet";
}

static const char *wpath(const char *name)
{
    static char path[2][512];
    static int which;
    which ^= 1;
    snprintf(path[which], sizeof path[which], "%s/%s", work, name);
    return path[which];
}

static int setup(void **state)
{
    (void)state;
    snprintf(work, sizeof work, "/tmp/signet-verify-XXXXXX");
    if (!mkdtemp(work) || !server_start(&srv, NULL, NULL))
        return -1;
    char out[256];
    return sh(out, sizeof out, "cd %s && curl -sf %s/pki/simple-ca.pem -o simple-ca.pem", work,
              srv.base);
}

static int teardown(void **state)
{
    (void)state;
    server_stop(&srv, false);
    char out[16];
    sh(out, sizeof out, "rm -rf %s", work);
    return 0;
}

/* signet sign in → work/out; stdout (JSON) into json. */
static int sign(const char *in, const char *out, const char *extra, char *json, size_t len)
{
    int rc = sh(json, len, "%s sign '%s' '%s/%s' --data '%s' --json %s 2>%s/sign.err", bin(), in,
                work, out, srv.data_dir, extra, work);
    if (rc != 0) {
        char err[1024];
        sh(err, sizeof err, "cat %s/sign.err", work);
        fprintf(stderr, "signet sign %s: %s\n", in, err);
    }
    return rc;
}

/* signet verify work/file --json [extra]; the parsed report into *report (NULL when the
 * output is no JSON); returns the exit code. */
static int verify(const char *file, const char *extra, json_t **report)
{
    static char out[65536];
    int rc = sh(out, sizeof out, "%s verify '%s/%s' --json --data '%s' %s 2>%s/verify.err", bin(),
                work, file, srv.data_dir, extra ? extra : "", work);
    json_error_t e;
    *report = json_loads(out, 0, &e);
    return rc;
}

static json_t *sig_at(json_t *report, size_t i)
{
    json_t *s = json_array_get(json_object_get(report, "signatures"), i);
    assert_non_null(s);
    return s;
}

static const char *str(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

static void assert_valid_sig(json_t *s, const char *type, const char *signer, const char *level)
{
    if (!json_is_true(json_object_get(s, "valid")))
        fprintf(stderr, "not valid: %s\n", str(s, "problem"));
    assert_true(json_is_true(json_object_get(s, "valid")));
    assert_string_equal(str(s, "status"), "VALID");
    assert_string_equal(str(s, "type"), type);
    assert_string_equal(str(s, "signer"), signer);
    if (level)
        assert_string_equal(str(s, "level"), level);
    assert_true(json_is_string(json_object_get(s, "timeStampTime")));
    assert_false(json_is_true(json_object_get(s, "modifiedAfterSigning")));
}

/* The ByteRange of the idx-th signature dictionary in file order. */
static void byte_range(const unsigned char *d, size_t n, size_t idx, long long br[4])
{
    const unsigned char *p = d;
    for (size_t i = 0; i <= idx; i++) {
        p = memmem(p, n - (size_t)(p - d), "/ByteRange", 10);
        assert_non_null(p);
        p += 10;
    }
    const char *q = (const char *)p;
    while (*q == ' ' || *q == '[')
        q++;
    char *end = NULL;
    for (int i = 0; i < 4; i++) {
        br[i] = strtoll(q, &end, 10);
        q = end;
    }
}

/* The value after the last occurrence of key (e.g. "startxref", "/Size") as a number. */
static long long last_number(const unsigned char *d, size_t n, const char *key)
{
    const unsigned char *p = d, *last = NULL;
    while ((p = memmem(p, n - (size_t)(p - d), key, strlen(key))) != NULL) {
        last = p;
        p += strlen(key);
    }
    assert_non_null(last);
    const char *q = (const char *)last + strlen(key);
    while (*q == ' ' || *q == '\r' || *q == '\n')
        q++;
    return strtoll(q, NULL, 10);
}

struct new_obj {
    int num;
    const unsigned char *body; /* what goes between "N 0 obj\n" and "\nendobj" */
    size_t len;
};

/* Appends an incremental update (objects, classic xref table, trailer with /Prev) to work/file
 * — a file whose last section is a classic xref table, as signet writes simple-a4.pdf. */
static void append_update(const char *file, const struct new_obj *objs, size_t n_objs)
{
    size_t n = 0;
    unsigned char *d = slurp(wpath(file), &n);
    long long prev = last_number(d, n, "startxref");
    long long size = last_number(d, n, "/Size");
    long long root = last_number(d, n, "/Root");
    size_t cap = n + 65536;
    for (size_t i = 0; i < n_objs; i++)
        cap += objs[i].len;
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    memcpy(out, d, n);
    size_t at = n;
    long long offs[8];
    assert_true(n_objs <= 8);
    for (size_t i = 0; i < n_objs; i++) {
        at += (size_t)snprintf((char *)out + at, cap - at, "\n");
        offs[i] = (long long)at;
        at += (size_t)snprintf((char *)out + at, cap - at, "%d 0 obj\n", objs[i].num);
        memcpy(out + at, objs[i].body, objs[i].len);
        at += objs[i].len;
        at += (size_t)snprintf((char *)out + at, cap - at, "\nendobj\n");
        if (objs[i].num + 1 > size)
            size = objs[i].num + 1;
    }
    long long xref = (long long)at;
    at += (size_t)snprintf((char *)out + at, cap - at, "xref\n0 1\n0000000000 65535 f \n");
    for (size_t i = 0; i < n_objs; i++)
        at += (size_t)snprintf((char *)out + at, cap - at, "%d 1\n%010lld 00000 n \n", objs[i].num,
                               offs[i]);
    at +=
        (size_t)snprintf((char *)out + at, cap - at,
                         "trailer\n<</Size %lld/Root %lld 0 R/Prev %lld>>\nstartxref\n%lld\n%%%%EOF"
                         "\n",
                         size, root, prev, xref);
    spit(wpath(file), out, at);
    free(out);
    free(d);
}

/* 1-3 signers on simple-a4: B-T visible, B-LT, B-LTA; valid after every step. */
static void test_three_signers_valid(void **state)
{
    (void)state;
    char json[2048];
    json_t *r = NULL;
    assert_int_equal(sign(corpus_path("simple-a4.pdf"), "v1.pdf",
                          "--name 'Anna Muster' --pades B-T --page 0 --x 50 --y 50", json,
                          sizeof json),
                     0);
    assert_int_equal(verify("v1.pdf", NULL, &r), 0);
    assert_non_null(r);
    assert_true(json_is_true(json_object_get(r, "valid")));
    assert_int_equal(json_integer_value(json_object_get(r, "signatureCount")), 1);
    json_t *s = sig_at(r, 0);
    assert_valid_sig(s, "signature", "Anna Muster", "simple");
    assert_true(json_is_true(json_object_get(s, "coversWholeFile")));
    assert_string_equal(str(s, "subFilter"), "ETSI.CAdES.detached");
    assert_string_equal(str(s, "issuer"), "Signet Simple CA");
    assert_int_equal(json_integer_value(json_object_get(s, "revision")), 2);
    assert_string_equal(str(s, "revocation"), "not checked");
    json_decref(r);

    assert_int_equal(sign(wpath("v1.pdf"), "v2.pdf",
                          "--name 'Bruno Beispiel' --level ADVANCED --pades B-LT", json,
                          sizeof json),
                     0);
    assert_int_equal(verify("v2.pdf", NULL, &r), 0);
    assert_int_equal(json_integer_value(json_object_get(r, "signatureCount")), 2);
    s = sig_at(r, 0);
    assert_valid_sig(s, "signature", "Anna Muster", "simple");
    assert_false(json_is_true(json_object_get(s, "coversWholeFile")));
    s = sig_at(r, 1);
    assert_valid_sig(s, "signature", "Bruno Beispiel", "advanced");
    /* B-LT: the /DSS update follows the signature; valid, with a note. */
    assert_false(json_is_true(json_object_get(s, "coversWholeFile")));
    assert_non_null(strstr(str(s, "changes"), "only add signatures"));
    assert_string_equal(str(s, "revocation"), "good");
    assert_true(json_integer_value(json_object_get(json_object_get(r, "dss"), "ocsps")) >= 1);
    json_decref(r);

    assert_int_equal(sign(wpath("v2.pdf"), "v3.pdf",
                          "--name 'Chloé Exemple' --level QUALIFIED --pades B-LTA", json,
                          sizeof json),
                     0);
    assert_int_equal(verify("v3.pdf", NULL, &r), 0);
    assert_true(json_is_true(json_object_get(r, "valid")));
    assert_int_equal(json_integer_value(json_object_get(r, "signatureCount")), 4);
    assert_valid_sig(sig_at(r, 0), "signature", "Anna Muster", "simple");
    assert_valid_sig(sig_at(r, 1), "signature", "Bruno Beispiel", "advanced");
    s = sig_at(r, 2);
    assert_valid_sig(s, "signature", "Chloé Exemple", "qualified");
    /* Only the DSS and the document time stamp came after it: valid, with a note. */
    assert_false(json_is_true(json_object_get(s, "coversWholeFile")));
    assert_non_null(strstr(str(s, "changes"), "only add signatures"));
    s = sig_at(r, 3);
    assert_valid_sig(s, "documentTimeStamp", "Signet Time-Stamping Authority", NULL);
    assert_string_equal(str(s, "subFilter"), "ETSI.RFC3161");
    assert_true(json_is_true(json_object_get(s, "coversWholeFile")));
    json_decref(r);

    /* The text form: one line per signature, exit 0. */
    char out[8192];
    assert_int_equal(sh(out, sizeof out, "%s verify '%s' --data '%s' 2>/dev/null", bin(),
                        wpath("v3.pdf"), srv.data_dir),
                     0);
    assert_non_null(strstr(out, "signed by Anna Muster (simple)"));
    assert_non_null(strstr(out, "file changed after it"));
    assert_non_null(strstr(out, "covers the whole file"));
    assert_null(strstr(out, "INVALID"));
}

static void test_xref_stream_two_signers_valid(void **state)
{
    (void)state;
    char json[2048];
    json_t *r = NULL;
    assert_int_equal(
        sign(corpus_path("xref-stream.pdf"), "x1.pdf", "--name 'Anna Muster'", json, sizeof json),
        0);
    assert_int_equal(
        sign(wpath("x1.pdf"), "x2.pdf", "--name 'Bruno Beispiel' --pades B-LTA", json, sizeof json),
        0);
    assert_int_equal(verify("x2.pdf", NULL, &r), 0);
    assert_int_equal(json_integer_value(json_object_get(r, "signatureCount")), 3);
    assert_valid_sig(sig_at(r, 0), "signature", "Anna Muster", "simple");
    assert_valid_sig(sig_at(r, 1), "signature", "Bruno Beispiel", "simple");
    json_decref(r);
}

static void test_flipped_byte_is_invalid(void **state)
{
    (void)state;
    char json[2048];
    json_t *r = NULL;
    assert_int_equal(
        sign(corpus_path("simple-a4.pdf"), "flip.pdf", "--name 'Anna Muster'", json, sizeof json),
        0);
    size_t n = 0;
    unsigned char *d = slurp(wpath("flip.pdf"), &n);
    long long br[4];
    byte_range(d, n, 0, br);
    /* Inside a content stream's data of the first range: the file still parses. */
    unsigned char *stream = memmem(d, (size_t)br[1], "stream\n", 7);
    assert_non_null(stream);
    stream[8] ^= 0x01;
    spit(wpath("flip.pdf"), d, n);
    free(d);
    assert_int_equal(verify("flip.pdf", NULL, &r), 1);
    assert_non_null(r);
    assert_false(json_is_true(json_object_get(r, "valid")));
    json_t *s = sig_at(r, 0);
    assert_string_equal(str(s, "status"), "INVALID");
    assert_non_null(strstr(str(s, "problem"), "digest mismatch"));
    json_decref(r);
}

static void test_page_content_changed_after_signing_is_invalid(void **state)
{
    (void)state;
    char json[2048];
    json_t *r = NULL;
    assert_int_equal(
        sign(corpus_path("simple-a4.pdf"), "mod.pdf", "--name 'Anna Muster'", json, sizeof json),
        0);
    size_t n = 0;
    unsigned char *d = slurp(wpath("mod.pdf"), &n);
    unsigned char *c = memmem(d, n, "/Contents ", 10);
    while (c && !(c[10] >= '0' && c[10] <= '9'))
        c = memmem(c + 10, n - (size_t)(c + 10 - d), "/Contents ", 10);
    assert_non_null(c);
    int content_num = (int)strtol((const char *)c + 10, NULL, 10);
    free(d);
    static const char body[] = "<</Length 42>>\nstream\n0 0 1 rg 100 100 300 300 re f BT ET    "
                               "\nendstream";
    struct new_obj obj = {content_num, (const unsigned char *)body, sizeof body - 1};
    append_update("mod.pdf", &obj, 1);
    assert_int_equal(verify("mod.pdf", NULL, &r), 1);
    assert_non_null(r);
    json_t *s = sig_at(r, 0);
    assert_string_equal(str(s, "status"), "INVALID");
    assert_false(json_is_true(json_object_get(s, "coversWholeFile")));
    assert_true(json_is_true(json_object_get(s, "modifiedAfterSigning")));
    assert_non_null(strstr(str(s, "problem"), "modified after signing"));
    assert_non_null(strstr(str(s, "changes"), "page content changed"));
    assert_int_equal(json_integer_value(json_object_get(r, "revisions")), 3);
    assert_int_equal(json_integer_value(json_object_get(s, "revision")), 2);
    json_decref(r);
    /* The text form says so too. */
    char out[4096];
    assert_int_equal(sh(out, sizeof out, "%s verify '%s' --data '%s' 2>/dev/null", bin(),
                        wpath("mod.pdf"), srv.data_dir),
                     1);
    assert_non_null(strstr(out, "file changed after it (content modified)"));
}

static void test_revoked_in_dss_is_invalid(void **state)
{
    (void)state;
    char json[2048], out[4096];
    json_t *r = NULL;
    assert_int_equal(
        sign(corpus_path("simple-a4.pdf"), "rev.pdf", "--name 'Anna Muster'", json, sizeof json),
        0);
    json_error_t e;
    json_t *j = json_loads(json, 0, &e);
    assert_non_null(j);
    char serial[128], issuer[64];
    snprintf(serial, sizeof serial, "%s", str(j, "serial"));
    snprintf(issuer, sizeof issuer, "%s", str(j, "issuer"));
    json_decref(j);
    assert_string_equal(issuer, "simple-ca");
    /* Without revocation data: valid, revocation not checked. */
    assert_int_equal(verify("rev.pdf", NULL, &r), 0);
    assert_string_equal(str(sig_at(r, 0), "revocation"), "not checked");
    json_decref(r);

    assert_int_equal(sh(out, sizeof out,
                        "%s admin cert revoke --issuer %s --serial %s --reason keyCompromise "
                        "--data '%s' 2>&1",
                        bin(), issuer, serial, srv.data_dir),
                     0);
    assert_int_equal(sh(out, sizeof out,
                        "cd %s && openssl ocsp -issuer simple-ca.pem -serial 0x%s -url %s/ocsp "
                        "-respout ocsp.der -noverify 2>&1",
                        work, serial, srv.base),
                     0);
    assert_non_null(strstr(out, "revoked"));

    /* A /DSS holding that response, appended by hand: OCSP stream, DSS, catalog. */
    size_t n = 0, ocsp_len = 0;
    unsigned char *d = slurp(wpath("rev.pdf"), &n);
    unsigned char *ocsp = slurp(wpath("ocsp.der"), &ocsp_len);
    int size = (int)last_number(d, n, "/Size");
    int root = (int)last_number(d, n, "/Root");
    char marker[32];
    snprintf(marker, sizeof marker, "\n%d 0 obj", root);
    const unsigned char *cat = NULL, *p = d;
    while ((p = memmem(p, n - (size_t)(p - d), marker, strlen(marker))) != NULL)
        cat = p++;
    assert_non_null(cat);
    const unsigned char *open = memmem(cat, n - (size_t)(cat - d), "<<", 2);
    const unsigned char *end = memmem(cat, n - (size_t)(cat - d), "endobj", 6);
    assert_true(open && end && open < end);
    char catalog[1024];
    snprintf(catalog, sizeof catalog, "<</DSS %d 0 R %.*s", size + 1, (int)(end - open - 2),
             (const char *)open + 2);
    char dss[64];
    snprintf(dss, sizeof dss, "<</OCSPs [%d 0 R]>>", size);
    unsigned char *stream = malloc(ocsp_len + 128);
    assert_non_null(stream);
    int head = snprintf((char *)stream, 128, "<</Length %zu>>\nstream\n", ocsp_len);
    memcpy(stream + head, ocsp, ocsp_len);
    memcpy(stream + (size_t)head + ocsp_len, "\nendstream", 10);
    struct new_obj objs[3] = {
        {size, stream, (size_t)head + ocsp_len + 10},
        {size + 1, (const unsigned char *)dss, strlen(dss)},
        {root, (const unsigned char *)catalog, strlen(catalog)},
    };
    free(d);
    append_update("rev.pdf", objs, 3);
    free(stream);
    free(ocsp);

    assert_int_equal(verify("rev.pdf", NULL, &r), 1);
    assert_non_null(r);
    json_t *s = sig_at(r, 0);
    assert_string_equal(str(s, "status"), "INVALID");
    assert_string_equal(str(s, "revocation"), "revoked");
    assert_non_null(strstr(str(s, "problem"), "revoked"));
    /* The DSS-only update itself is not a content change. */
    assert_false(json_is_true(json_object_get(s, "modifiedAfterSigning")));
    json_decref(r);
}

static void test_foreign_key_is_untrusted(void **state)
{
    (void)state;
    char json[2048], out[4096];
    json_t *r = NULL;
    assert_int_equal(sign(corpus_path("simple-a4.pdf"), "foreign.pdf",
                          "--name 'Mallory' --pades B-B", json, sizeof json),
                     0);
    size_t n = 0;
    unsigned char *d = slurp(wpath("foreign.pdf"), &n);
    long long br[4];
    byte_range(d, n, 0, br);
    FILE *f = fopen(wpath("foreign.bin"), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(d, 1, (size_t)br[1], f), (size_t)br[1]);
    assert_int_equal(fwrite(d + br[2], 1, (size_t)br[3], f), (size_t)br[3]);
    fclose(f);
    assert_int_equal(
        sh(out, sizeof out,
           "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
           "-keyout fca.key -out fca.pem -subj '/CN=Foreign CA' -days 2 2>&1 && "
           "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout fs.key "
           "-out fs.csr -subj '/CN=Mallory' 2>&1 && "
           "openssl x509 -req -in fs.csr -CA fca.pem -CAkey fca.key -CAcreateserial -out fs.pem "
           "-days 1 2>&1 && "
           "openssl cms -sign -binary -in foreign.bin -signer fs.pem -inkey fs.key -certfile "
           "fca.pem -md sha256 -outform DER -out foreign.der 2>&1",
           work),
        0);
    size_t der_len = 0;
    unsigned char *der = slurp(wpath("foreign.der"), &der_len);
    size_t hex_len = (size_t)(br[2] - br[1] - 2);
    assert_true(der_len * 2 <= hex_len);
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < der_len; i++) {
        d[br[1] + 1 + 2 * i] = (unsigned char)digits[der[i] >> 4];
        d[br[1] + 2 + 2 * i] = (unsigned char)digits[der[i] & 15];
    }
    spit(wpath("foreign.pdf"), d, n);
    free(der);
    free(d);

    assert_int_equal(verify("foreign.pdf", NULL, &r), 1);
    assert_non_null(r);
    json_t *s = sig_at(r, 0);
    assert_string_equal(str(s, "status"), "INVALID");
    assert_string_equal(str(s, "signer"), "Mallory");
    assert_non_null(strstr(str(s, "problem"), "untrusted"));
    json_decref(r);

    /* Trusting that CA explicitly: valid, level external. */
    char extra[600];
    snprintf(extra, sizeof extra, "--trust '%s'", wpath("fca.pem"));
    assert_int_equal(verify("foreign.pdf", extra, &r), 0);
    s = sig_at(r, 0);
    assert_true(json_is_true(json_object_get(s, "valid")));
    assert_string_equal(str(s, "level"), "external");
    assert_false(json_is_true(json_object_get(s, "hasTimeStamp")));
    json_decref(r);
}

static void test_unsigned_and_not_pdf_exit_1(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(sh(out, sizeof out, "%s verify '%s' --data '%s' 2>&1", bin(),
                        corpus_path("simple-a4.pdf"), srv.data_dir),
                     1);
    assert_non_null(strstr(out, "holds no signature"));
    assert_int_equal(sh(out, sizeof out, "%s verify '%s' --data '%s' 2>&1", bin(),
                        corpus_path("not-a-pdf.pdf"), srv.data_dir),
                     1);
    assert_int_equal(sh(out, sizeof out, "%s verify 2>&1", bin()), 2);
}

static void test_http_verify(void **state)
{
    (void)state;
    char json[2048];
    assert_int_equal(sign(corpus_path("tags.pdf"), "h1.pdf", "--name 'Anna Muster' --pades B-LT",
                          json, sizeof json),
                     0);
    size_t n = 0;
    unsigned char *d = slurp(wpath("h1.pdf"), &n);
    const char *const pdf_headers[] = {"Content-Type: application/pdf", NULL};
    struct response res;
    assert_true(http(&srv, "POST", "/system/api/verify", pdf_headers, d, n, &res));
    assert_int_equal(res.status, 200);
    assert_non_null(res.json);
    assert_true(json_is_true(json_object_get(res.json, "valid")));
    assert_int_equal(json_integer_value(json_object_get(res.json, "signatureCount")), 1);
    assert_valid_sig(sig_at(res.json, 0), "signature", "Anna Muster", "simple");
    response_free(&res);

    /* A flipped byte: 200 with an invalid report. */
    long long br[4];
    byte_range(d, n, 0, br);
    unsigned char *stream = memmem(d, (size_t)br[1], "stream\n", 7);
    assert_non_null(stream);
    stream[8] ^= 0x01;
    assert_true(http(&srv, "POST", "/system/api/verify", pdf_headers, d, n, &res));
    assert_int_equal(res.status, 200);
    assert_false(json_is_true(json_object_get(res.json, "valid")));
    assert_string_equal(str(sig_at(res.json, 0), "status"), "INVALID");
    response_free(&res);
    free(d);

    /* Unsigned PDF: 200, valid false, no signatures. */
    d = slurp(corpus_path("simple-a4.pdf"), &n);
    assert_true(http(&srv, "POST", "/system/api/verify", pdf_headers, d, n, &res));
    assert_int_equal(res.status, 200);
    assert_false(json_is_true(json_object_get(res.json, "valid")));
    assert_int_equal(json_integer_value(json_object_get(res.json, "signatureCount")), 0);
    response_free(&res);
    free(d);

    /* Not a PDF: 400 Error object. */
    static const char junk[] = "this is not a PDF at all";
    assert_true(http(&srv, "POST", "/system/api/verify", pdf_headers, junk, sizeof junk - 1, &res));
    assert_error_object(&res, 400, "BadRequest");
    response_free(&res);

    /* Wrong content type: 415. */
    const char *const json_headers[] = {"Content-Type: application/json", NULL};
    assert_true(http(&srv, "POST", "/system/api/verify", json_headers, "{}", 2, &res));
    assert_error_object(&res, 415, "UnsupportedMediaType");
    response_free(&res);

    /* Over the body limit (the default max-body, 60 MiB): 413, before the body is sent when
     * the client asks with Expect: 100-continue (as curl does for large bodies). */
    size_t big = (size_t)62914560 + 1;
    unsigned char *huge = calloc(big, 1);
    assert_non_null(huge);
    memcpy(huge, "%PDF-1.7\n", 9);
    const char *const expect_headers[] = {"Content-Type: application/pdf", "Expect: 100-continue",
                                          NULL};
    assert_true(http(&srv, "POST", "/system/api/verify", expect_headers, huge, big, &res));
    assert_error_object(&res, 413, "PayloadTooLarge");
    response_free(&res);
    free(huge);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_signers_valid),
        cmocka_unit_test(test_xref_stream_two_signers_valid),
        cmocka_unit_test(test_flipped_byte_is_invalid),
        cmocka_unit_test(test_page_content_changed_after_signing_is_invalid),
        cmocka_unit_test(test_revoked_in_dss_is_invalid),
        cmocka_unit_test(test_foreign_key_is_untrusted),
        cmocka_unit_test(test_unsigned_and_not_pdf_exit_1),
        cmocka_unit_test(test_http_verify),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
