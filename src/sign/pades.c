#include "sign/pades.h"

#include "core/crypto.h"
#include "core/log.h"
#include "pdf/sign.h"
#include "pdf/verify.h"
#include "pki/ca.h"
#include "pki/revocation.h"
#include "pki/tsa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool pades_level_parse(const char *text, enum pades_level *out)
{
    static const char *const names[] = {"B-B", "B-T", "B-LT", "B-LTA"};
    for (size_t i = 0; text && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = (enum pades_level)i;
            return true;
        }
    return false;
}

const char *pades_level_name(enum pades_level level)
{
    static const char *const names[] = {"B-B", "B-T", "B-LT", "B-LTA"};
    return (unsigned)level < 4 ? names[level] : "?";
}

void pades_result_free(struct pades_result *r)
{
    if (!r)
        return;
    free(r->pdf);
    memset(r, 0, sizeof *r);
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *level_text(enum pki_signer_level level)
{
    switch (level) {
    case PKI_SIGNER_QUALIFIED:
        return "Qualified electronic signature";
    case PKI_SIGNER_ADVANCED:
        return "Advanced electronic signature";
    case PKI_SIGNER_SIMPLE:
        break;
    }
    return "Simple electronic signature";
}

/* Hashes the two byte ranges of a prepared signature. */
static bool hash_ranges(const struct pdf_prepared *p, unsigned char digest[SHA256_LEN])
{
    const int64_t *br = p->byte_range;
    if (br[0] != 0 || br[1] < 0 || br[2] < br[1] || br[3] < 0 || (size_t)(br[2] + br[3]) > p->len)
        return false;
    return crypto_sha256_two(p->data, (size_t)br[1], p->data + br[2], (size_t)br[3], digest);
}

static enum pades_status pdf_failure(enum pdf_result r)
{
    return r == PDF_NOMEM || r == PDF_INTERNAL ? PADES_FAILED : PADES_BAD_INPUT;
}

/* Certificates and revocation data for the /DSS (B-LT): the new signer's chain, the TSA, and
 * the signer certificates of every earlier CAdES signature in the file. */
#define LTV_MAX_CERTS (4 + PDF_VERIFY_MAX_SIGNATURES)

struct ltv {
    struct pdf_der certs[LTV_MAX_CERTS];
    unsigned char *cert_mem[LTV_MAX_CERTS];
    size_t n_certs;
    struct pdf_der ocsps[LTV_MAX_CERTS];
    unsigned char *ocsp_mem[LTV_MAX_CERTS];
    size_t n_ocsps;
    struct pdf_der crls[8];
    unsigned char **crl_mem;
    size_t *crl_lens;
    size_t n_crls;
};

static void ltv_free(struct ltv *l)
{
    for (size_t i = 0; i < l->n_certs; i++)
        free(l->cert_mem[i]);
    for (size_t i = 0; i < l->n_ocsps; i++)
        free(l->ocsp_mem[i]);
    for (size_t i = 0; l->crl_mem && i < l->n_crls; i++)
        free(l->crl_mem[i]);
    free(l->crl_mem);
    free(l->crl_lens);
}

/* Takes der over (freed on failure or when it is already listed). */
static bool ltv_add_cert(struct ltv *l, unsigned char *der, size_t len)
{
    if (!der)
        return false;
    for (size_t i = 0; i < l->n_certs; i++)
        if (l->certs[i].len == len && memcmp(l->certs[i].data, der, len) == 0) {
            free(der);
            return true;
        }
    if (l->n_certs >= LTV_MAX_CERTS) {
        free(der);
        return false;
    }
    l->cert_mem[l->n_certs] = der;
    l->certs[l->n_certs].data = der;
    l->certs[l->n_certs].len = len;
    l->n_certs++;
    return true;
}

/* The signer certificates of the CAdES signatures already in pdf (ours and others'). */
static void ltv_add_earlier_signers(struct ltv *l, struct pdf_engine *engine, const void *pdf,
                                    size_t len)
{
    struct pdf_verify_info info;
    memset(&info, 0, sizeof info);
    char err[200];
    enum pdf_result r = pdf_verify_scan(engine, pdf, len, &info, err, sizeof err);
    for (size_t i = 0; r == PDF_OK && i < info.n_sigs; i++) {
        if (info.sigs[i].doc_timestamp)
            continue;
        size_t n = 0;
        unsigned char *der =
            pki_cms_signer_cert(info.sigs[i].contents.data, info.sigs[i].contents.len, &n);
        if (der)
            ltv_add_cert(l, der, n);
    }
    pdf_verify_info_free(&info);
}

static bool ltv_collect(struct ltv *l, struct pdf_engine *engine, const void *pdf, size_t len,
                        const struct pki_ca *ca, const char *issuer,
                        const unsigned char *signer_der, size_t signer_len,
                        const struct pades_hooks *hooks)
{
    const char *chain[] = {issuer, "tsa", "root"};
    unsigned char *copy = malloc(signer_len);
    if (!copy)
        return false;
    memcpy(copy, signer_der, signer_len);
    if (!ltv_add_cert(l, copy, signer_len))
        return false;
    size_t root_at = 0;
    for (size_t i = 0; i < sizeof chain / sizeof chain[0]; i++) {
        size_t n = 0;
        int idx = pki_ca_entity_find(chain[i], strlen(chain[i]));
        unsigned char *der = idx < 0 ? NULL : pki_ca_cert_der(ca, (size_t)idx, &n);
        root_at = l->n_certs;
        if (!ltv_add_cert(l, der, n))
            return false;
    }
    ltv_add_earlier_signers(l, engine, pdf, len);
    /* OCSP responses for every certificate our hierarchy issued, except the root (the trust
     * anchor): signers (new and earlier), the issuing CA, the TSA. */
    for (size_t i = 0; hooks && hooks->ocsp_response && i < l->n_certs; i++) {
        struct pki_cert_info ci;
        if (i == root_at || !pki_cert_info(ca, l->certs[i].data, l->certs[i].len, &ci) ||
            ci.issuer < 0)
            continue; /* the root itself, or another tool's certificate */
        size_t n = 0;
        unsigned char *resp =
            hooks->ocsp_response(hooks->arg, l->certs[i].data, l->certs[i].len, &n);
        if (!resp)
            continue;
        l->ocsp_mem[l->n_ocsps] = resp;
        l->ocsps[l->n_ocsps].data = resp;
        l->ocsps[l->n_ocsps].len = n;
        l->n_ocsps++;
    }
    if (hooks && hooks->crls &&
        hooks->crls(hooks->arg, issuer, &l->crl_mem, &l->crl_lens, &l->n_crls)) {
        if (l->n_crls > sizeof l->crls / sizeof l->crls[0]) {
            for (size_t i = 0; i < l->n_crls; i++)
                free(l->crl_mem[i]);
            l->n_crls = 0;
        }
        for (size_t i = 0; i < l->n_crls; i++) {
            l->crls[i].data = l->crl_mem[i];
            l->crls[i].len = l->crl_lens[i];
        }
    }
    return true;
}

enum pades_status pades_timestamp(struct pdf_engine *engine, const struct pki_tsa *tsa,
                                  const void *pdf, size_t len, int64_t now, unsigned char **out,
                                  size_t *out_len, char *err, size_t err_len)
{
    struct pdf_prepared prep;
    struct pdf_sign_request req;
    unsigned char digest[SHA256_LEN];
    size_t token_len = 0;
    unsigned char *token = NULL;
    enum pades_status status = PADES_FAILED;
    memset(&req, 0, sizeof req);
    req.kind = PDF_SIG_DOC_TIMESTAMP;
    req.signing_time = now;
    *out = NULL;
    enum pdf_result r = pdf_sign_prepare(engine, pdf, len, &req, &prep, err, err_len);
    if (r != PDF_OK)
        return pdf_failure(r);
    if (!hash_ranges(&prep, digest) || !(token = pki_tsa_token(tsa, digest, &token_len)) ||
        !pdf_sign_fill(&prep, token, token_len)) {
        snprintf(err, err_len, "the document time stamp could not be made");
        goto cleanup;
    }
    *out = prep.data;
    *out_len = prep.len;
    prep.data = NULL;
    status = PADES_OK;

cleanup:
    free(token);
    pdf_prepared_free(&prep);
    return status;
}

/* Rewrites a repaired, unsigned file once (pdf/sign.h); *owned holds the new bytes. */
static enum pades_status ready_for_update(struct pdf_engine *engine, const void **pdf, size_t *len,
                                          unsigned char **owned, char *err, size_t err_len)
{
    struct pdf_info info;
    enum pdf_result r = pdf_inspect(engine, *pdf, *len, &info, err, err_len);
    if (r == PDF_OK) {
        pdf_info_free(&info);
        return PADES_OK;
    }
    if (r != PDF_DAMAGED)
        return pdf_failure(r);
    pdf_info_free(&info);
    size_t n = 0;
    r = pdf_rewrite(engine, *pdf, *len, owned, &n, err, err_len);
    if (r != PDF_OK)
        return pdf_failure(r);
    *pdf = *owned;
    *len = n;
    return PADES_OK;
}

struct pki_signer *pades_signer_issue(const struct pki_ca *ca, const struct pades_hooks *hooks,
                                      const struct pades_request *req, char issuer[32],
                                      char serial[80], char subject[600], enum pades_status *status,
                                      char *err, size_t err_len)
{
    *status = PADES_FAILED;
    int64_t validity =
        req->cert_validity_s > 0 ? req->cert_validity_s : PADES_CERT_VALIDITY_DEFAULT;
    struct pki_signer *signer = pki_signer_issue(ca, req->level, req->key, &req->identity, NULL,
                                                 req->now, validity, err, err_len);
    unsigned char *cert_der = NULL;
    size_t cert_len = 0;
    if (!signer) {
        *status = PADES_BAD_INPUT;
        goto cleanup;
    }
    cert_der = pki_signer_cert_der(signer, &cert_len);
    if (!cert_der || !pki_signer_serial_hex(signer, serial, 80) ||
        !pki_signer_subject(signer, subject, 600)) {
        snprintf(err, err_len, "cannot read the signer certificate");
        goto fail;
    }
    snprintf(issuer, 32, "%s", pki_signer_issuer(signer));
    if (hooks && hooks->on_certificate) {
        struct pades_certificate c = {
            .issuer = issuer,
            .serial = serial,
            .subject = subject,
            .der = cert_der,
            .der_len = cert_len,
            .not_before_ms = pki_signer_not_before_ms(signer),
            .not_after_ms = pki_signer_not_after_ms(signer),
        };
        if (!hooks->on_certificate(hooks->arg, &c, err, err_len))
            goto fail;
    }
    *status = PADES_OK;
    goto cleanup;
fail:
    pki_signer_free(signer);
    signer = NULL;
cleanup:
    free(cert_der);
    return signer;
}

enum pades_status pades_sign(struct pdf_engine *engine, const struct pki_ca *ca,
                             const struct pki_tsa *tsa, const struct pades_hooks *hooks,
                             const struct pades_request *req, const void *pdf, size_t len,
                             struct pades_result *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    struct pki_signer *signer = NULL;
    struct pdf_prepared prep;
    struct ltv ltv;
    unsigned char *rewritten = NULL, *cms = NULL, *cert_der = NULL, *with_dss = NULL;
    size_t cms_len = 0, cert_len = 0, dss_len = 0;
    unsigned char digest[SHA256_LEN];
    enum pades_status status = PADES_FAILED;
    memset(&prep, 0, sizeof prep);
    memset(&ltv, 0, sizeof ltv);
    if (req->pades != PADES_B_B && !tsa) {
        snprintf(err, err_len, "no time-stamping unit for %s", pades_level_name(req->pades));
        return PADES_FAILED;
    }

    int64_t t0 = now_us();
    status = ready_for_update(engine, &pdf, &len, &rewritten, err, err_len);
    if (status != PADES_OK)
        goto cleanup;
    status = PADES_FAILED;

    int64_t t1 = now_us();
    const struct pki_signer *use = req->signer;
    if (use) {
        if (!pki_signer_serial_hex(use, out->serial, sizeof out->serial) ||
            !pki_signer_subject(use, out->subject, sizeof out->subject)) {
            snprintf(err, err_len, "cannot read the signer certificate");
            goto cleanup;
        }
        snprintf(out->issuer, sizeof out->issuer, "%s", pki_signer_issuer(use));
    } else {
        signer = pades_signer_issue(ca, hooks, req, out->issuer, out->serial, out->subject, &status,
                                    err, err_len);
        if (!signer)
            goto cleanup;
        use = signer;
    }
    cert_der = pki_signer_cert_der(use, &cert_len);
    if (!cert_der) {
        snprintf(err, err_len, "cannot read the signer certificate");
        goto cleanup;
    }
    out->timing.certificate_us = now_us() - t1;

    char when[40];
    time_t tt = (time_t)req->now;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    struct pdf_stamp stamp = {
        .name = req->identity.common_name,
        .signed_at = when,
        .level = level_text(req->level),
        .note = "Digitally signed with Signet",
        .image = req->image,
        .image_len = req->image_len,
    };
    struct pdf_sign_request sreq = {
        .kind = PDF_SIG_CADES,
        .visible = req->visible,
        .page = req->page,
        .x = req->x,
        .y = req->y,
        .w = req->w,
        .h = req->h,
        .stamp = req->visible ? &stamp : NULL,
        .name = req->identity.common_name,
        .reason = req->reason,
        .location = req->location,
        .signing_time = req->now,
    };
    int64_t t2 = now_us();
    enum pdf_result r = pdf_sign_prepare(engine, pdf, len, &sreq, &prep, err, err_len);
    if (r != PDF_OK) {
        status = pdf_failure(r);
        goto cleanup;
    }
    out->timing.pdf_us = now_us() - t2 + (t1 - t0);

    int64_t t3 = now_us();
    if (!hash_ranges(&prep, digest)) {
        snprintf(err, err_len, "the signature byte ranges are inconsistent");
        goto cleanup;
    }
    out->timing.hash_us = now_us() - t3;

    int64_t t4 = now_us();
    cms =
        pki_cms_sign(use, ca, digest, req->pades == PADES_B_B ? NULL : tsa, &cms_len, err, err_len);
    if (!cms)
        goto cleanup;
    if (!pdf_sign_fill(&prep, cms, cms_len)) {
        snprintf(err, err_len, "the CMS signature (%zu bytes) does not fit its placeholder",
                 cms_len);
        goto cleanup;
    }
    out->timing.cms_us = now_us() - t4;
    snprintf(out->field_name, sizeof out->field_name, "%s", prep.field_name);
    out->pdf = prep.data;
    out->len = prep.len;
    prep.data = NULL;

    if (req->pades >= PADES_B_LT) {
        int64_t t5 = now_us();
        if (!ltv_collect(&ltv, engine, out->pdf, out->len, ca, out->issuer, cert_der, cert_len,
                         hooks)) {
            snprintf(err, err_len, "cannot collect the validation data");
            goto cleanup;
        }
        r = pdf_add_dss(engine, out->pdf, out->len, ltv.certs, ltv.n_certs, ltv.ocsps, ltv.n_ocsps,
                        ltv.crls, ltv.n_crls, &with_dss, &dss_len, err, err_len);
        if (r != PDF_OK)
            goto cleanup;
        free(out->pdf);
        out->pdf = with_dss;
        out->len = dss_len;
        with_dss = NULL;
        if (req->pades == PADES_B_LTA) {
            unsigned char *stamped = NULL;
            size_t stamped_len = 0;
            if (pades_timestamp(engine, tsa, out->pdf, out->len, req->now, &stamped, &stamped_len,
                                err, err_len) != PADES_OK)
                goto cleanup;
            free(out->pdf);
            out->pdf = stamped;
            out->len = stamped_len;
        }
        out->timing.ltv_us = now_us() - t5;
    }
    status = PADES_OK;

cleanup:
    if (status != PADES_OK) {
        if (status == PADES_FAILED)
            log_bug("pades: signing failed: %s", err);
        pades_result_free(out);
    }
    ltv_free(&ltv);
    free(with_dss);
    free(cms);
    free(cert_der);
    free(rewritten);
    pdf_prepared_free(&prep);
    pki_signer_free(signer); /* destroys the private key */
    return status;
}
