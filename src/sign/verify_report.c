/*
 * sign/verify_report.h: one report from pdf_verify_scan and the pki_verify_* checks.
 *
 * Ownership: see the header; the scan's buffers are freed before returning.
 */
#include "sign/verify_report.h"

#include "core/isotime.h"
#include "pdf/pdf.h"
#include "pdf/verify.h"
#include "pki/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void verify_report_free(struct verify_report *r)
{
    if (!r)
        return;
    free(r->sigs);
    memset(r, 0, sizeof *r);
}

static const char *revocation_name(enum pki_revocation r)
{
    switch (r) {
    case PKI_REVOCATION_GOOD:
        return "good";
    case PKI_REVOCATION_REVOKED:
        return "revoked";
    case PKI_REVOCATION_UNKNOWN:
        return "unknown";
    case PKI_REVOCATION_NOT_CHECKED:
    default:
        return "not checked";
    }
}

static struct pki_bytes *as_bytes(const struct pdf_blob *b, size_t n)
{
    struct pki_bytes *out = calloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; out && i < n; i++) {
        out[i].data = b[i].data;
        out[i].len = b[i].len;
    }
    return out;
}

static void check_one(const struct pki_verify_trust *trust, const unsigned char *pdf,
                      const struct pdf_verify_info *info, const struct pdf_found_signature *f,
                      const struct pki_bytes *certs, const struct pki_bytes *ocsps, int64_t now,
                      struct verify_signature *v)
{
    snprintf(v->field, sizeof v->field, "%s", f->field);
    snprintf(v->sub_filter, sizeof v->sub_filter, "%s", f->sub_filter);
    snprintf(v->change_note, sizeof v->change_note, "%s", f->change_note);
    memcpy(v->byte_range, f->byte_range, sizeof v->byte_range);
    v->doc_timestamp = f->doc_timestamp;
    v->signing_time = f->m_time;
    v->revision = f->revision;
    v->revisions = info->revisions;
    v->covers_whole_file = f->covers_whole_file;
    v->modified_after = f->later_changes;
    v->revocation = revocation_name(PKI_REVOCATION_NOT_CHECKED);
    if (!f->byte_range_ok) {
        snprintf(v->problem, sizeof v->problem, "%s", f->byte_range_problem);
        return;
    }
    struct pki_bytes ranges[2] = {
        {pdf, (size_t)f->byte_range[1]},
        {pdf + f->byte_range[2], (size_t)f->byte_range[3]},
    };
    struct pki_sig_check c;
    if (f->doc_timestamp)
        pki_verify_doc_timestamp(trust, f->contents.data, f->contents.len, ranges, 2, certs,
                                 info->n_dss_certs, now, &c);
    else
        pki_verify_cms(trust, f->contents.data, f->contents.len, ranges, 2, certs,
                       info->n_dss_certs, ocsps, info->n_dss_ocsps, now, &c);
    snprintf(v->signer, sizeof v->signer, "%s", c.common_name);
    snprintf(v->subject, sizeof v->subject, "%s", c.subject);
    snprintf(v->serial, sizeof v->serial, "%s", c.serial);
    snprintf(v->issuer, sizeof v->issuer, "%s", c.issuer_cn);
    if (!f->doc_timestamp)
        snprintf(v->level, sizeof v->level, "%s", c.level);
    v->has_timestamp = c.has_timestamp;
    v->timestamp_ok = c.timestamp_ok;
    v->timestamp_time = c.timestamp_time;
    if (!f->doc_timestamp)
        v->revocation = revocation_name(c.revocation);
    v->valid = c.valid;
    snprintf(v->problem, sizeof v->problem, "%s", c.problem);
    if (v->valid && v->modified_after) {
        v->valid = false;
        snprintf(v->problem, sizeof v->problem, "modified after signing: %s", f->change_note);
    }
}

enum verify_status verify_report_build(struct pdf_engine *engine,
                                       const struct pki_verify_trust *trust, const void *pdf,
                                       size_t len, int64_t now, struct verify_report *out,
                                       char *err, size_t err_len)
{
    struct pdf_verify_info info;
    struct pki_bytes *certs = NULL, *ocsps = NULL;
    enum verify_status st = VERIFY_FAILED;
    memset(out, 0, sizeof *out);
    enum pdf_result r = pdf_verify_scan(engine, pdf, len, &info, err, err_len);
    if (r != PDF_OK)
        return r == PDF_NOMEM || r == PDF_INTERNAL ? VERIFY_FAILED : VERIFY_BAD_INPUT;
    out->file_len = len;
    out->revisions = info.revisions;
    out->dss_certs = info.n_dss_certs;
    out->dss_ocsps = info.n_dss_ocsps;
    out->dss_crls = info.n_dss_crls;
    certs = as_bytes(info.dss_certs, info.n_dss_certs);
    ocsps = as_bytes(info.dss_ocsps, info.n_dss_ocsps);
    out->sigs = calloc(info.n_sigs ? info.n_sigs : 1, sizeof *out->sigs);
    if (!certs || !ocsps || !out->sigs) {
        snprintf(err, err_len, "out of memory while verifying");
        goto cleanup;
    }
    out->n_sigs = info.n_sigs;
    out->valid = info.n_sigs > 0;
    for (size_t i = 0; i < info.n_sigs; i++) {
        check_one(trust, pdf, &info, &info.sigs[i], certs, ocsps, now, &out->sigs[i]);
        out->valid = out->valid && out->sigs[i].valid;
    }
    st = VERIFY_OK;
cleanup:
    if (st != VERIFY_OK)
        verify_report_free(out);
    free(certs);
    free(ocsps);
    pdf_verify_info_free(&info);
    return st;
}

static void iso(int64_t s, char out[ISO_DATETIME_LEN])
{
    iso_format_datetime(s * 1000, false, out);
}

static json_t *time_or_null(int64_t s)
{
    char t[ISO_DATETIME_LEN];
    if (s <= 0)
        return json_null();
    iso(s, t);
    return json_string(t);
}

json_t *verify_report_json(const struct verify_report *r)
{
    json_t *sigs = json_array();
    for (size_t i = 0; sigs && i < r->n_sigs; i++) {
        const struct verify_signature *v = &r->sigs[i];
        /* json_pack "o" steals the references made by time_or_null. */
        json_t *j = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s*, s:o, s:o, s:b, s:b, s:i, s:i, s:b, s:b, "
            "s:s, s:s, s:[I,I,I,I], s:b, s:s, s:s*}",
            "field", v->field, "type", v->doc_timestamp ? "documentTimeStamp" : "signature",
            "subFilter", v->sub_filter, "signer", v->signer, "subject", v->subject, "serial",
            v->serial, "issuer", v->issuer, "level", v->doc_timestamp ? NULL : v->level,
            "signingTime", time_or_null(v->signing_time), "timeStampTime",
            time_or_null(v->timestamp_time), "hasTimeStamp", v->has_timestamp, "timeStampValid",
            v->timestamp_ok, "revision", v->revision, "revisions", v->revisions, "coversWholeFile",
            v->covers_whole_file, "modifiedAfterSigning", v->modified_after, "changes",
            v->covers_whole_file ? "" : v->change_note, "revocation", v->revocation, "byteRange",
            (json_int_t)v->byte_range[0], (json_int_t)v->byte_range[1],
            (json_int_t)v->byte_range[2], (json_int_t)v->byte_range[3], "valid", v->valid, "status",
            v->valid ? "VALID" : "INVALID", "problem", v->valid ? NULL : v->problem);
        if (!j || json_array_append_new(sigs, j) != 0) {
            json_decref(sigs);
            return NULL;
        }
    }
    if (!sigs)
        return NULL;
    return json_pack("{s:b, s:I, s:I, s:i, s:{s:I, s:I, s:I}, s:o}", "valid", r->valid,
                     "signatureCount", (json_int_t)r->n_sigs, "bytes", (json_int_t)r->file_len,
                     "revisions", r->revisions, "dss", "certs", (json_int_t)r->dss_certs, "ocsps",
                     (json_int_t)r->dss_ocsps, "crls", (json_int_t)r->dss_crls, "signatures", sigs);
}

void verify_report_line(const struct verify_report *r, size_t i, char *out, size_t out_len)
{
    const struct verify_signature *v = &r->sigs[i];
    char m[ISO_DATETIME_LEN] = "-", ts[ISO_DATETIME_LEN] = "-", where[160];
    if (v->signing_time > 0)
        iso(v->signing_time, m);
    if (v->timestamp_time > 0)
        iso(v->timestamp_time, ts);
    if (v->covers_whole_file)
        snprintf(where, sizeof where, "covers the whole file");
    else
        snprintf(where, sizeof where, "file changed after it%s",
                 v->modified_after ? " (content modified)" : " (signatures/DSS only)");
    if (v->doc_timestamp)
        snprintf(out, out_len, "%s: document time stamp by %s at %s, revision %d of %d, %s: %s%s%s",
                 v->field[0] ? v->field : "(unnamed)", v->signer[0] ? v->signer : "?", ts,
                 v->revision, v->revisions, where, v->valid ? "VALID" : "INVALID",
                 v->valid ? "" : " — ", v->valid ? "" : v->problem);
    else
        snprintf(out, out_len,
                 "%s: signed by %s (%s), signing time %s, time stamp %s, revision %d of %d, %s, "
                 "revocation %s: %s%s%s",
                 v->field[0] ? v->field : "(unnamed)", v->signer[0] ? v->signer : "?",
                 v->level[0] ? v->level : "?", m, ts, v->revision, v->revisions, where,
                 v->revocation, v->valid ? "VALID" : "INVALID", v->valid ? "" : " — ",
                 v->valid ? "" : v->problem);
}
