/*
 * bench_sign: PAdES signing throughput and where the time goes (bench/sign/run.sh).
 *
 *   bench_sign rate  PDF SECONDS THREADS LEVEL   signatures per second on one file, THREADS
 *                                                 threads signing it over and over
 *   bench_sign once  PDF LEVEL                   one signature: time per step, peak RSS
 *   bench_sign make  OUT.pdf MEGABYTES           writes a valid one-page PDF padded to size
 *
 * It uses the same code as the server and `signet sign` (sign/pades.h) with a hierarchy
 * generated in memory (no store): B-T time stamps come from the in-process TSA.
 */
#include "pdf/pdf.h"
#include "pki/ca.h"
#include "pki/tsa.h"
#include "sign/pades.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define TSA_POLICY "2.25.336782241598815905160109094009071991440.1.1"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned char *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *d = malloc((size_t)n);
    if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
        free(d);
        d = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return d;
}

/* A one-page PDF whose content stream is padded with comment lines to about `mb` MB. */
static int make_pdf(const char *path, long mb)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return 1;
    long off[5];
    size_t pad_lines = (size_t)mb * 1024 * 1024 / 64;
    const char *draw = "0.2 0.4 0.8 RG 4 w 72 72 m 523 770 l S\n";
    size_t length = strlen(draw) + pad_lines * 64;
    fprintf(f, "%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n");
    off[1] = ftell(f);
    fprintf(f, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    off[2] = ftell(f);
    fprintf(f, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
    off[3] = ftell(f);
    fprintf(f, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               ">>\nendobj\n");
    off[4] = ftell(f);
    fprintf(f, "4 0 obj\n<< /Length %zu >>\nstream\n%s", length, draw);
    char line[65];
    memset(line, 'x', 64);
    line[0] = '%';
    line[63] = '\n';
    for (size_t i = 0; i < pad_lines; i++)
        fwrite(line, 1, 64, f);
    fprintf(f, "\nendstream\nendobj\n");
    long xref = ftell(f);
    fprintf(f, "xref\n0 5\n0000000000 65535 f \n");
    for (int i = 1; i < 5; i++)
        fprintf(f, "%010ld 00000 n \n", off[i]);
    fprintf(f, "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", xref);
    return fclose(f) == 0 ? 0 : 1;
}

struct shared {
    struct pdf_engine *engine;
    struct pki_ca *ca;
    struct pki_tsa *tsa;
    const unsigned char *pdf;
    size_t len;
    enum pades_level level;
    double until;
    atomic_long done;
    atomic_long failed;
    atomic_llong cert_us, pdf_us, hash_us, cms_us;
};

static void fill(struct pades_request *req, enum pades_level level)
{
    memset(req, 0, sizeof *req);
    req->pades = level;
    req->level = PKI_SIGNER_QUALIFIED;
    req->key = PKI_KEY_EC_P256;
    req->identity.common_name = "Anna Muster";
    req->identity.given_name = "Anna";
    req->identity.surname = "Muster";
    req->visible = true;
    req->x = 50;
    req->y = 50;
    req->w = 180;
    req->h = 60;
    req->now = (int64_t)time(NULL);
}

static void *worker(void *arg)
{
    struct shared *s = arg;
    struct pades_request req;
    fill(&req, s->level);
    char err[256];
    while (now_s() < s->until) {
        struct pades_result res;
        if (pades_sign(s->engine, s->ca, s->tsa, NULL, &req, s->pdf, s->len, &res, err,
                       sizeof err) != PADES_OK) {
            atomic_fetch_add(&s->failed, 1);
            continue;
        }
        atomic_fetch_add(&s->done, 1);
        atomic_fetch_add(&s->cert_us, res.timing.certificate_us);
        atomic_fetch_add(&s->pdf_us, res.timing.pdf_us);
        atomic_fetch_add(&s->hash_us, res.timing.hash_us);
        atomic_fetch_add(&s->cms_us, res.timing.cms_us);
        pades_result_free(&res);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "make"))
        return make_pdf(argv[2], strtol(argv[3], NULL, 10));
    bool rate = argc == 6 && !strcmp(argv[1], "rate");
    bool once = argc == 4 && !strcmp(argv[1], "once");
    if (!rate && !once) {
        fprintf(stderr, "usage: bench_sign rate PDF SECONDS THREADS LEVEL | once PDF LEVEL | "
                        "make OUT MB\n");
        return 2;
    }
    struct shared s;
    memset(&s, 0, sizeof s);
    char err[256];
    s.pdf = load(argv[2], &s.len);
    if (!s.pdf || !pades_level_parse(argv[rate ? 5 : 3], &s.level)) {
        fprintf(stderr, "cannot read %s or bad level\n", argv[2]);
        return 1;
    }
    s.engine = pdf_engine_new();
    s.ca = pki_ca_generate("http://127.0.0.1:8080", (int64_t)time(NULL), err, sizeof err);
    s.tsa = s.ca ? pki_tsa_new(s.ca, TSA_POLICY, err, sizeof err) : NULL;
    if (!s.engine || !s.tsa) {
        fprintf(stderr, "setup: %s\n", err);
        return 1;
    }
    if (once) {
        struct pades_request req;
        struct pades_result res;
        fill(&req, s.level);
        double t0 = now_s();
        if (pades_sign(s.engine, s.ca, s.tsa, NULL, &req, s.pdf, s.len, &res, err, sizeof err) !=
            PADES_OK) {
            fprintf(stderr, "sign: %s\n", err);
            return 1;
        }
        double t = now_s() - t0;
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("%.1f MB in %.3f s: certificate %.1f ms, pdf %.1f ms, hash %.1f ms, cms+tsa "
               "%.1f ms, ltv %.1f ms; peak RSS %.1f MB (%.2fx the file)\n",
               (double)s.len / 1048576.0, t, (double)res.timing.certificate_us / 1000.0,
               (double)res.timing.pdf_us / 1000.0, (double)res.timing.hash_us / 1000.0,
               (double)res.timing.cms_us / 1000.0, (double)res.timing.ltv_us / 1000.0,
               (double)ru.ru_maxrss / 1024.0, (double)ru.ru_maxrss * 1024.0 / (double)s.len);
        pades_result_free(&res);
    } else {
        int threads = (int)strtol(argv[4], NULL, 10);
        pthread_t tid[64];
        if (threads < 1 || threads > 64)
            return 2;
        double t0 = now_s();
        s.until = t0 + strtod(argv[3], NULL);
        for (int i = 0; i < threads; i++)
            pthread_create(&tid[i], NULL, worker, &s);
        for (int i = 0; i < threads; i++)
            pthread_join(tid[i], NULL);
        double t = now_s() - t0;
        long n = atomic_load(&s.done);
        double per = n ? 1000.0 / (double)n : 0;
        printf("%ld signatures in %.1f s with %d threads: %.0f/s (%ld failed); per signature "
               "(thread time): certificate %.2f ms, pdf %.2f ms, hash %.2f ms, cms+tsa %.2f ms\n",
               n, t, threads, (double)n / t, atomic_load(&s.failed),
               (double)atomic_load(&s.cert_us) * per / 1e6,
               (double)atomic_load(&s.pdf_us) * per / 1e6,
               (double)atomic_load(&s.hash_us) * per / 1e6,
               (double)atomic_load(&s.cms_us) * per / 1e6);
    }
    pki_tsa_free(s.tsa);
    pki_ca_free(s.ca);
    pdf_engine_free(s.engine);
    free((void *)s.pdf);
    return 0;
}
