/*
 * Signature verification of a PDF (docs/verify.md): joins the PDF side (pdf/verify.h: fields,
 * byte ranges, revisions, later changes, /DSS) and the PKI side (pki/verify.h: CMS, time
 * stamps, chains, OCSP) into one report, used by `signet verify` and POST /system/api/verify.
 *
 * A signature is VALID when its byte range is sane, its digest and signature verify, its
 * certificate chains to the trust store, its time stamp (if any) verifies, no OCSP response
 * in the /DSS says revoked, and no later update changes anything beyond signatures, document
 * time stamps, annotations and validation data (/DSS): a change of page content (or other
 * document objects) after a signature makes that signature INVALID ("modified after
 * signing"); DSS / time stamp / signature-only updates leave it valid with a note. The
 * report is valid when it has at least one signature and every signature is valid.
 *
 * Ownership: verify_report_build fills a caller-provided struct verify_report whose array
 * it allocates; verify_report_free releases it (a zeroed struct is fine). verify_report_json
 * returns a new jansson reference (json_decref). Inputs are borrowed for the call.
 */
#ifndef SIGNET_SIGN_VERIFY_REPORT_H
#define SIGNET_SIGN_VERIFY_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pdf_engine;
struct pki_verify_trust;

struct verify_signature {
    char field[128];
    bool doc_timestamp;
    char sub_filter[64];
    char signer[256];  /* signer CN (CAdES) or TSA CN (document time stamp) */
    char subject[600]; /* RFC 2253 */
    char serial[80];
    char issuer[256];       /* issuing CA CN */
    char level[16];         /* simple / advanced / qualified / external; "" for time stamps */
    int64_t signing_time;   /* /M, seconds; 0: none */
    int64_t timestamp_time; /* proven time (signature or document time stamp), 0: none */
    bool has_timestamp, timestamp_ok;
    int revision, revisions;
    bool covers_whole_file;
    bool modified_after; /* later updates change content: INVALID */
    char change_note[200];
    const char *revocation; /* "good", "revoked", "unknown", "not checked" (static) */
    int64_t byte_range[4];
    bool valid;
    char problem[300]; /* why not valid */
};

struct verify_report {
    struct verify_signature *sigs; /* owned */
    size_t n_sigs;
    int revisions;
    size_t file_len;
    size_t dss_certs, dss_ocsps, dss_crls;
    bool valid; /* at least one signature, all valid */
};

enum verify_status {
    VERIFY_OK = 0,    /* report filled (possibly with zero signatures) */
    VERIFY_BAD_INPUT, /* not a PDF, encrypted, too many signatures: message in err */
    VERIFY_FAILED     /* out of memory or engine failure: message in err */
};

enum verify_status verify_report_build(struct pdf_engine *engine,
                                       const struct pki_verify_trust *trust, const void *pdf,
                                       size_t len, int64_t now, struct verify_report *out,
                                       char *err, size_t err_len);
void verify_report_free(struct verify_report *r);
/* The report as JSON (docs/verify.md has the fields); NULL without memory. */
json_t *verify_report_json(const struct verify_report *r);
/* One line for people describing signature i (no newline) into out. */
void verify_report_line(const struct verify_report *r, size_t i, char *out, size_t out_len);

#endif
