/*
 * The PDF side of signature verification (docs/verify.md): lists every signature field of a
 * PDF that holds a signature value, with what the PKI side needs to check it (the /Contents
 * bytes, the signed byte ranges) and what only the PDF knows: the field name, /SubFilter,
 * /Type (Sig or DocTimeStamp), /M, which revision (incremental section) the signature covers,
 * and whether the file goes on after it — and if it does, whether the later updates only add
 * signatures, time stamps, annotations and validation data (/DSS) or change anything else
 * (page content, resources, ...). Also returns the /DSS contents (certificates, OCSP
 * responses, CRLs).
 *
 * The /ByteRange is checked here: four non-negative integers, starting at 0, the gap between
 * the two ranges being exactly the /Contents hex string of this dictionary, the second range
 * inside the file. A signature that fails gets byte_range_ok false and a reason; its other
 * fields are still filled as far as they could be read.
 *
 * Safe on hostile bytes like pdf/pdf.h; no MuPDF type appears here.
 *
 * Ownership: pdf_verify_scan fills a caller-provided struct pdf_verify_info whose arrays and
 * byte buffers it allocates; pdf_verify_info_free releases them (a zeroed struct is fine).
 */
#ifndef SIGNET_PDF_VERIFY_H
#define SIGNET_PDF_VERIFY_H

#include "pdf/pdf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many signatures are listed (more: PDF_INVALID_ARGUMENT, "too many"). */
#define PDF_VERIFY_MAX_SIGNATURES 100
/* At most this many items per /DSS array are returned. */
#define PDF_VERIFY_MAX_DSS_ITEMS 256

struct pdf_blob {
    unsigned char *data; /* owned */
    size_t len;
};

struct pdf_found_signature {
    char field[128];     /* fully qualified field name (UTF-8), "" when it has none */
    char sub_filter[64]; /* e.g. "ETSI.CAdES.detached", "ETSI.RFC3161", "adbe.pkcs7.detached" */
    bool doc_timestamp;  /* /Type /DocTimeStamp (or /SubFilter /ETSI.RFC3161) */
    char m[64];          /* /M as written (PDF date string), "" when absent */
    int64_t m_time;      /* /M in seconds since the epoch, 0 when absent or unreadable */
    int64_t byte_range[4];
    bool byte_range_ok;
    char byte_range_problem[160];
    struct pdf_blob contents; /* /Contents bytes (decoded hex; trailing zero padding kept) */
    int revision;             /* 1-based revision whose end the signature covers; 0: unknown */
    bool covers_whole_file;   /* the second range ends where the file ends */
    bool later_changes;       /* later updates change more than signatures/annotations/DSS */
    char change_note[200];    /* what the later updates do, when the file goes on */
};

struct pdf_verify_info {
    struct pdf_found_signature *sigs; /* owned, n_sigs items, in file order of ByteRange end */
    size_t n_sigs;
    int revisions; /* incremental sections of the file (1: never updated); 0 if repaired */
    bool repaired; /* MuPDF had to repair the structure: revisions unknown */
    struct pdf_blob *dss_certs, *dss_ocsps, *dss_crls; /* owned arrays of owned blobs */
    size_t n_dss_certs, n_dss_ocsps, n_dss_crls;
};

/*
 * Scans the PDF. Results: PDF_OK (zero signatures is PDF_OK with n_sigs 0); PDF_NOT_PDF,
 * PDF_ENCRYPTED_NEEDS_PASSWORD (message in err); PDF_INVALID_ARGUMENT (too many signatures);
 * PDF_NOMEM; PDF_INTERNAL.
 */
enum pdf_result pdf_verify_scan(struct pdf_engine *engine, const void *bytes, size_t len,
                                struct pdf_verify_info *out, char *err, size_t err_len);
void pdf_verify_info_free(struct pdf_verify_info *info);

#endif
