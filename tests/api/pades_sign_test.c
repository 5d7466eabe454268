/*
 * PAdES signatures judged by independent validators (issue 5): every signable PDF of the
 * corpus signed by 1, 2 and 3 sequential signers with `signet sign` against a running server
 * (so the certificates' OCSP URLs answer) — B-T, then B-LT, then B-LTA. After each signer:
 * pdfsig (an NSS database trusting only our root) says "Signature is Valid." and "Certificate
 * is Trusted." for every CAdES signature, qpdf --check passes, `openssl cms -verify` accepts
 * each extracted CMS over its byte ranges, `openssl ts -verify` accepts each signature time
 * stamp (over the signature value) and the document time stamp (over its byte ranges).
 * Negative cases: a flipped byte inside a signed range (pdfsig: not valid), a certificate
 * revoked after signing (pdfsig with OCSP: revoked), an encrypted PDF refused.
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
#include <unistd.h>

#include <cmocka.h>

static struct server srv;
static char work[256];

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

static int setup(void **state)
{
    (void)state;
    snprintf(work, sizeof work, "/tmp/signet-pades-XXXXXX");
    if (!mkdtemp(work) || !server_start(&srv, NULL, NULL))
        return -1;
    char out[256];
    /* An NSS database that trusts only our root, for pdfsig. */
    return sh_run(out, sizeof out,
                  "cd %s && curl -sf %s/pki/root.pem -o root.pem && curl -sf %s/pki/chain.pem -o "
                  "chain.pem && curl -sf %s/pki/tsa.pem -o tsa.pem && mkdir nss && certutil -N -d "
                  "sql:nss --empty-password && certutil -A -n signet-root -t CT,C,C -i root.pem -d "
                  "sql:nss",
                  work, srv.base, srv.base, srv.base);
}

static int teardown(void **state)
{
    (void)state;
    server_stop(&srv, false);
    char out[16];
    sh_run(out, sizeof out, "rm -rf %s", work);
    return 0;
}

/* Signs in → out with `signet sign`; extra are more arguments (a shell fragment). Returns the
 * exit code; stdout (JSON) into out_json. */
static int sign(const char *in, const char *out, const char *extra, char *out_json, size_t len)
{
    const char *bin = getenv("SIGNET_BIN");
    return sh_run(out_json, len, "%s sign '%s' '%s/%s' --data '%s' --json %s 2>%s/sign.err",
                  bin ? bin : "./signet", in, work, out, srv.data_dir, extra, work);
}

struct sig {
    long long br[4];
    unsigned char *der; /* the /Contents, trimmed to its DER length */
    size_t der_len;
    bool doc_timestamp;
};

/* DER length of the TLV at p (within n bytes), or 0. */
static size_t der_total(const unsigned char *p, size_t n)
{
    if (n < 2 || p[0] != 0x30)
        return 0;
    if (p[1] < 0x80)
        return 2 + (size_t)p[1];
    size_t k = p[1] & 0x7f, len = 0;
    if (k == 0 || k > 4 || n < 2 + k)
        return 0;
    for (size_t i = 0; i < k; i++)
        len = (len << 8) | p[2 + i];
    return 2 + k + len <= n ? 2 + k + len : 0;
}

static int hexval(unsigned char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Finds every signature dictionary (by its /ByteRange) in the file. */
static size_t find_signatures(const unsigned char *d, size_t n, struct sig *sigs, size_t max)
{
    size_t count = 0;
    const unsigned char *p = d;
    while (count < max && (p = memmem(p, n - (size_t)(p - d), "/ByteRange", 10)) != NULL) {
        struct sig *s = &sigs[count];
        const char *q = (const char *)p + 10;
        while (*q == ' ' || *q == '[')
            q++;
        char *end = NULL;
        for (int i = 0; i < 4; i++) {
            s->br[i] = strtoll(q, &end, 10);
            q = end;
        }
        size_t hex_at = (size_t)s->br[1] + 1, hex_len = (size_t)(s->br[2] - s->br[1] - 2);
        unsigned char *raw = malloc(hex_len / 2 + 1);
        assert_non_null(raw);
        for (size_t i = 0; i + 1 < hex_len; i += 2)
            raw[i / 2] = (unsigned char)(hexval(d[hex_at + i]) << 4 | hexval(d[hex_at + i + 1]));
        s->der = raw;
        s->der_len = der_total(raw, hex_len / 2);
        assert_true(s->der_len > 0);
        /* The dictionary holding this /ByteRange: look back for its /Type. */
        const unsigned char *dict = p;
        while (dict > d && !(dict[0] == '<' && dict[1] == '<'))
            dict--;
        s->doc_timestamp = memmem(dict, (size_t)(p - dict) + 200, "DocTimeStamp", 12) != NULL;
        count++;
        p += 10;
    }
    return count;
}

/* Writes the signed bytes of s (both ranges) and its DER into work/NAME.bin / NAME.der. */
static void extract(const unsigned char *d, const struct sig *s, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.bin", work, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(d, 1, (size_t)s->br[1], f), (size_t)s->br[1]);
    assert_int_equal(fwrite(d + s->br[2], 1, (size_t)s->br[3], f), (size_t)s->br[3]);
    fclose(f);
    snprintf(path, sizeof path, "%s/%s.der", work, name);
    spit(path, s->der, s->der_len);
}

static size_t count_lines(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* The signature time stamp of CMS work/NAME.der: the token into NAME.tst and the signature
 * value it stamps into NAME.sigval, located with `openssl asn1parse`: the OCTET STRING right
 * before the unsigned attributes [1] is the signature value (for ECDSA its content is a DER
 * SEQUENCE, so -strparse writes exactly those bytes); the SEQUENCE two lines after the
 * timeStampToken OID (OID, SET, SEQUENCE) is the token. */
static void extract_signature_time_stamp(const char *name)
{
    char out[256];
    assert_int_equal(
        sh_run(out, sizeof out,
               "cd %s && openssl asn1parse -inform DER -in %s.der > %s.asn && "
               "sigoff=$(grep -B1 'cont \\[ 1 \\]' %s.asn | head -1 | cut -d: -f1 | tr -d ' ') && "
               "openssl asn1parse -inform DER -in %s.der -strparse $sigoff -noout -out %s.sigval "
               ">/dev/null 2>&1 && grep -A2 'id-smime-aa-timeStampToken' %s.asn | tail -1",
               work, name, name, name, name, name, name),
        0);
    long off = -1, hl = 0, l = 0;
    const char *p = out;
    off = strtol(p, NULL, 10);
    const char *h = strstr(p, "hl=");
    const char *ll = h ? strstr(h, " l=") : NULL;
    assert_non_null(ll);
    hl = strtol(h + 3, NULL, 10);
    l = strtol(ll + 3, NULL, 10);
    assert_non_null(strstr(out, "SEQUENCE"));
    char path[512];
    snprintf(path, sizeof path, "%s/%s.der", work, name);
    size_t n = 0;
    unsigned char *d = slurp(path, &n);
    assert_true(off > 0 && (size_t)(off + hl + l) <= n);
    snprintf(path, sizeof path, "%s/%s.tst", work, name);
    spit(path, d + off, (size_t)(hl + l));
    free(d);
}

/* Every check of the issue on work/FILE, which must hold `expect_cades` CAdES signatures and
 * `expect_ts` document time stamps. */
static void validate(const char *file, size_t expect_cades, size_t expect_ts)
{
    char out[16384], path[512];
    snprintf(path, sizeof path, "%s/%s", work, file);
    sh_run(out, sizeof out, "pdfsig -nssdir sql:%s/nss '%s' 2>&1", work, path);
    if (count_lines(out, "Signature is Valid.") != expect_cades ||
        count_lines(out, "Certificate is Trusted.") != expect_cades)
        fprintf(stderr, "pdfsig %s:\n%s\n", file, out);
    assert_int_equal(count_lines(out, "Signature is Valid."), expect_cades);
    assert_int_equal(count_lines(out, "Certificate is Trusted."), expect_cades);
    assert_int_equal(sh_run(out, sizeof out, "qpdf --check '%s' 2>&1", path), 0);

    size_t n = 0;
    unsigned char *d = slurp(path, &n);
    struct sig sigs[8];
    memset(sigs, 0, sizeof sigs);
    size_t count = find_signatures(d, n, sigs, 8);
    assert_int_equal(count, expect_cades + expect_ts);
    size_t ts = 0;
    for (size_t i = 0; i < count; i++) {
        char name[32];
        snprintf(name, sizeof name, "sig%zu", i);
        extract(d, &sigs[i], name);
        if (sigs[i].doc_timestamp) {
            ts++;
            assert_int_equal(sh_run(out, sizeof out,
                                    "cd %s && openssl ts -verify -token_in -in %s.der -data %s.bin "
                                    "-CAfile root.pem -untrusted tsa.pem 2>&1",
                                    work, name, name),
                             0);
        } else {
            if (sh_run(
                    out, sizeof out,
                    "cd %s && openssl cms -verify -binary -inform DER -in %s.der -content %s.bin "
                    "-CAfile chain.pem -purpose any -out /dev/null 2>&1",
                    work, name, name) != 0)
                fprintf(stderr, "cms -verify %s of %s: %s\n", name, file, out);
            assert_int_equal(sh_run(out, sizeof out,
                                    "cd %s && openssl cms -verify -binary -inform DER -in %s.der "
                                    "-content %s.bin -CAfile chain.pem -purpose any -out /dev/null "
                                    "2>&1",
                                    work, name, name),
                             0);
            extract_signature_time_stamp(name);
            assert_int_equal(sh_run(out, sizeof out,
                                    "cd %s && openssl ts -verify -token_in -in %s.tst -data "
                                    "%s.sigval -CAfile root.pem -untrusted tsa.pem 2>&1",
                                    work, name, name),
                             0);
        }
        free(sigs[i].der);
    }
    assert_int_equal(ts, expect_ts);
    free(d);
}

/* 1, 2 and 3 signers on one corpus file: B-T visible, B-LT invisible, B-LTA. */
static void three_signers(const char *corpus_name, const char *first_placement)
{
    char json[2048], a[64], b[64], c[64];
    snprintf(a, sizeof a, "%s.1.pdf", corpus_name);
    snprintf(b, sizeof b, "%s.2.pdf", corpus_name);
    snprintf(c, sizeof c, "%s.3.pdf", corpus_name);
    char extra[256];
    snprintf(extra, sizeof extra, "--name 'Anna Muster' --pades B-T %s", first_placement);
    if (sign(corpus_path(corpus_name), a, extra, json, sizeof json) != 0) {
        char err[1024];
        sh_run(err, sizeof err, "cat %s/sign.err", work);
        fprintf(stderr, "signing %s: %s\n", corpus_name, err);
        fail();
    }
    validate(a, 1, 0);
    char in[512];
    snprintf(in, sizeof in, "%s/%s", work, a);
    assert_int_equal(
        sign(in, b, "--name 'Bruno Beispiel' --level ADVANCED --pades B-LT", json, sizeof json), 0);
    validate(b, 2, 0);
    /* B-LT: the /DSS holds revocation data for the earlier signer too. */
    char report[8192];
    const char *bin = getenv("SIGNET_BIN");
    assert_int_equal(sh_run(report, sizeof report, "%s verify '%s/%s' --data '%s' 2>/dev/null",
                            bin ? bin : "./signet", work, b, srv.data_dir),
                     0);
    assert_null(strstr(report, "not checked"));
    assert_int_equal(count_lines(report, "revocation good"), 2);
    snprintf(in, sizeof in, "%s/%s", work, b);
    assert_int_equal(
        sign(in, c, "--name 'Chloé Exemple' --level QUALIFIED --pades B-LTA", json, sizeof json),
        0);
    validate(c, 3, 1);
}

static void test_simple_a4(void **state)
{
    (void)state;
    three_signers("simple-a4.pdf", "--page 0 --x 50 --y 50");
}

static void test_xref_stream(void **state)
{
    (void)state;
    three_signers("xref-stream.pdf", "--page -1 --x 10 --y 10");
}

static void test_incremental(void **state)
{
    (void)state;
    three_signers("incremental.pdf", "");
}

static void test_linearized(void **state)
{
    (void)state;
    three_signers("linearized.pdf", "--page 0 --x 100 --y 600");
}

static void test_mixed_sizes(void **state)
{
    (void)state;
    three_signers("mixed-sizes.pdf", "--page 1 --x 20 --y 20");
}

static void test_tags(void **state)
{
    (void)state;
    /* The corpus README: tags.pdf carries the placement tags \s1\ and \s2\. */
    three_signers("tags.pdf", "--tag '\\s1\\'");
}

/* An RSA-3072 signer key (--key rsa3072): pdfsig and openssl cms accept it too. */
static void test_rsa_signer(void **state)
{
    (void)state;
    char json[2048], out[8192], path[512];
    assert_int_equal(sign(corpus_path("simple-a4.pdf"), "rsa.pdf",
                          "--name 'Anna Muster' --key rsa3072 --level ADVANCED", json, sizeof json),
                     0);
    snprintf(path, sizeof path, "%s/rsa.pdf", work);
    sh_run(out, sizeof out, "pdfsig -nssdir sql:%s/nss '%s' 2>&1", work, path);
    assert_int_equal(count_lines(out, "Signature is Valid."), 1);
    assert_int_equal(count_lines(out, "Certificate is Trusted."), 1);
    size_t n = 0;
    unsigned char *d = slurp(path, &n);
    struct sig sigs[2];
    assert_int_equal(find_signatures(d, n, sigs, 2), 1);
    extract(d, &sigs[0], "rsa");
    free(sigs[0].der);
    free(d);
    assert_int_equal(sh_run(out, sizeof out,
                            "cd %s && openssl cms -verify -binary -inform DER -in rsa.der "
                            "-content rsa.bin -CAfile chain.pem -purpose any -out /dev/null 2>&1",
                            work),
                     0);
}

static void test_owner_encrypted_refused(void **state)
{
    (void)state;
    char json[512], err[1024];
    assert_int_not_equal(
        sign(corpus_path("encrypted-owner-only.pdf"), "enc.pdf", "--name X", json, sizeof json), 0);
    sh_run(err, sizeof err, "cat %s/sign.err", work);
    assert_non_null(strstr(err, "encrypted"));
}

static void test_not_a_pdf_refused(void **state)
{
    (void)state;
    char json[512];
    assert_int_not_equal(sign(corpus_path("not-a-pdf.pdf"), "x.pdf", "--name X", json, sizeof json),
                         0);
}

static void test_flipped_byte_is_invalid(void **state)
{
    (void)state;
    char json[2048], out[8192], path[512];
    assert_int_equal(
        sign(corpus_path("simple-a4.pdf"), "flip.pdf", "--name 'Anna Muster'", json, sizeof json),
        0);
    snprintf(path, sizeof path, "%s/flip.pdf", work);
    size_t n = 0;
    unsigned char *d = slurp(path, &n);
    struct sig sigs[2];
    assert_int_equal(find_signatures(d, n, sigs, 2), 1);
    free(sigs[0].der);
    d[sigs[0].br[1] / 2] ^= 0x01; /* inside the first signed range */
    spit(path, d, n);
    free(d);
    sh_run(out, sizeof out, "pdfsig -nssdir sql:%s/nss '%s' 2>&1", work, path);
    assert_null(strstr(out, "Signature is Valid."));
    assert_non_null(strstr(out, "Digest Mismatch"));
}

static void test_revoked_certificate_is_reported(void **state)
{
    (void)state;
    char json[2048], out[8192], path[512];
    assert_int_equal(
        sign(corpus_path("simple-a4.pdf"), "rev.pdf", "--name 'Anna Muster'", json, sizeof json),
        0);
    json_error_t e;
    json_t *j = json_loads(json, 0, &e);
    assert_non_null(j);
    const char *serial = json_string_value(json_object_get(j, "serial"));
    const char *issuer = json_string_value(json_object_get(j, "issuer"));
    assert_non_null(serial);
    const char *bin = getenv("SIGNET_BIN");
    assert_int_equal(sh_run(out, sizeof out,
                            "%s admin cert revoke --issuer %s --serial %s --reason keyCompromise "
                            "--data '%s' 2>&1",
                            bin ? bin : "./signet", issuer, serial, srv.data_dir),
                     0);
    json_decref(j);
    snprintf(path, sizeof path, "%s/rev.pdf", work);
    sh_run(out, sizeof out, "pdfsig -nssdir sql:%s/nss '%s' 2>&1", work, path);
    assert_non_null(strstr(out, "Signature is Valid."));
    assert_non_null(strstr(out, "Certificate has been Revoked."));
}

/* A signature made by another tool (a CMS from the openssl command, foreign CA, trusted in the
 * NSS database too) stays valid after Signet signs the file again. */
static void test_foreign_signature_stays_valid(void **state)
{
    (void)state;
    char json[2048], out[16384], path[512];
    assert_int_equal(sign(corpus_path("simple-a4.pdf"), "foreign.pdf", "--name X --pades B-B", json,
                          sizeof json),
                     0);
    assert_int_equal(
        sh_run(out, sizeof out,
               "cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout fk.pem -out froot.pem "
               "-subj '/CN=Foreign Root' -days 2 -addext 'basicConstraints=critical,CA:TRUE' "
               "-addext 'keyUsage=critical,keyCertSign' >/dev/null 2>&1 && openssl req -newkey "
               "rsa:2048 -nodes -keyout lk.pem -out l.csr -subj '/CN=Foreign Signer' >/dev/null "
               "2>&1 && printf 'keyUsage=critical,digitalSignature,nonRepudiation\n"
               "extendedKeyUsage=emailProtection\n' > ext && openssl x509 -req -in l.csr -CA "
               "froot.pem -CAkey fk.pem -CAcreateserial -out leaf.pem -days 2 -extfile ext "
               ">/dev/null 2>&1 && certutil -A -n foreign -t CT,C,C -i froot.pem -d sql:nss",
               work),
        0);
    /* Replace Signet's CMS by the foreign one over the same byte ranges. */
    snprintf(path, sizeof path, "%s/foreign.pdf", work);
    size_t n = 0;
    unsigned char *d = slurp(path, &n);
    struct sig sigs[2];
    assert_int_equal(find_signatures(d, n, sigs, 2), 1);
    extract(d, &sigs[0], "foreign");
    free(sigs[0].der);
    assert_int_equal(sh_run(out, sizeof out,
                            "cd %s && openssl cms -sign -binary -in foreign.bin -signer leaf.pem "
                            "-inkey lk.pem -certfile froot.pem -outform DER -out foreign.cms "
                            "-nosmimecap 2>&1",
                            work),
                     0);
    snprintf(path, sizeof path, "%s/foreign.cms", work);
    size_t cms_len = 0;
    unsigned char *cms = slurp(path, &cms_len);
    size_t at = (size_t)sigs[0].br[1] + 1;
    assert_true(2 * cms_len < (size_t)(sigs[0].br[2] - sigs[0].br[1] - 2));
    memset(d + at, '0', (size_t)(sigs[0].br[2] - sigs[0].br[1] - 2));
    for (size_t i = 0; i < cms_len; i++) {
        static const char hex[] = "0123456789ABCDEF";
        d[at + 2 * i] = (unsigned char)hex[cms[i] >> 4];
        d[at + 2 * i + 1] = (unsigned char)hex[cms[i] & 15];
    }
    free(cms);
    snprintf(path, sizeof path, "%s/foreign.pdf", work);
    spit(path, d, n);
    free(d);
    sh_run(out, sizeof out, "pdfsig -nssdir sql:%s/nss -no-ocsp '%s' 2>&1", work, path);
    assert_non_null(strstr(out, "Foreign Signer"));
    assert_int_equal(count_lines(out, "Signature is Valid."), 1);
    assert_int_equal(
        sign(path, "foreign2.pdf", "--name 'Anna Muster' --pades B-LT", json, sizeof json), 0);
    snprintf(path, sizeof path, "%s/foreign2.pdf", work);
    sh_run(out, sizeof out, "pdfsig -nssdir sql:%s/nss -no-ocsp '%s' 2>&1", work, path);
    /* Both signatures intact; ours chains to our root (the foreign chain's trust is NSS's
     * business: poppler 22.12 misreports some foreign chains, docs/pades.md). */
    assert_int_equal(count_lines(out, "Signature is Valid."), 2);
    assert_true(count_lines(out, "Certificate is Trusted.") >= 1);
    assert_int_equal(sh_run(out, sizeof out, "qpdf --check '%s' 2>&1", path), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_a4),
        cmocka_unit_test(test_xref_stream),
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_linearized),
        cmocka_unit_test(test_mixed_sizes),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_rsa_signer),
        cmocka_unit_test(test_owner_encrypted_refused),
        cmocka_unit_test(test_not_a_pdf_refused),
        cmocka_unit_test(test_flipped_byte_is_invalid),
        cmocka_unit_test(test_revoked_certificate_is_reported),
        cmocka_unit_test(test_foreign_signature_stays_valid),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
