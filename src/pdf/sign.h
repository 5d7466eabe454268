/*
 * Incremental signing of PDFs with MuPDF (docs/pdf.md, "Signing"; facts in
 * ../shared/notes/pades.md). This module writes the PDF side of a PAdES signature; the CMS
 * and time stamps come from src/pki, and src/sign/pades.c puts the two together:
 *
 *   1. pdf_sign_prepare: appends an incremental update holding a signature field (visible at a
 *      position, or invisible), its widget with an appearance, and a signature dictionary
 *      whose /Contents is a zero-filled placeholder; fills in the real /ByteRange and reports
 *      where the placeholder is.
 *   2. The caller hashes the two byte ranges, builds the CMS (or, for a document time stamp,
 *      an RFC 3161 token) and calls pdf_sign_fill to write it into the placeholder.
 *   3. pdf_add_dss appends the /DSS (certificates, OCSP responses, CRLs) for B-LT; a
 *      document time stamp for B-LTA is step 1-2 again with PDF_SIG_DOC_TIMESTAMP.
 *
 * Every earlier revision stays byte for byte at the start of the output, so earlier
 * signatures stay valid. A document that MuPDF had to repair cannot be updated incrementally:
 * pdf_rewrite saves it whole once (only allowed while it holds no signature). Encrypted
 * documents are refused.
 *
 * Ownership: outputs are malloc'ed and owned by the caller (pdf_prepared_free / free()).
 * Inputs are only read during the call. Thread-safety as in pdf/pdf.h.
 */
#ifndef SIGNET_PDF_SIGN_H
#define SIGNET_PDF_SIGN_H

#include "pdf/pdf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for the CMS (bytes; the file holds twice as many hex digits). A P-256 signature with
 * chain and time stamp needs about 6 KB, RSA-3072 about 8 KB. */
#define PDF_SIGN_CONTENTS_DEFAULT 16384
#define PDF_SIGN_CONTENTS_MAX     65536

enum pdf_sig_kind {
    PDF_SIG_CADES = 0,     /* /Type /Sig, /SubFilter /ETSI.CAdES.detached */
    PDF_SIG_DOC_TIMESTAMP, /* /Type /DocTimeStamp, /SubFilter /ETSI.RFC3161 */
};

struct pdf_stamp; /* pdf/pdf.h: what the visible signature shows */

struct pdf_sign_request {
    enum pdf_sig_kind kind;
    /* Visible signature: the box in the contract's page space (pdf/pdf.h: zero-based page,
     * negative counts from the end, top-left origin, y down). Invisible when !visible. */
    bool visible;
    int page;
    double x, y, w, h;
    const struct pdf_stamp *stamp; /* appearance of a visible signature; may be NULL */
    const char *name;              /* /Name (signer), may be NULL */
    const char *reason;            /* /Reason, may be NULL */
    const char *location;          /* /Location, may be NULL */
    int64_t signing_time;          /* /M, seconds since the epoch */
    size_t contents_size;          /* placeholder bytes; 0: PDF_SIGN_CONTENTS_DEFAULT */
};

struct pdf_prepared {
    unsigned char *data; /* the whole new file (owned) */
    size_t len;
    int64_t byte_range[4]; /* [0, a, b, c]: signed bytes are [0, a) and [b, b + c) */
    size_t contents_at;    /* offset of the first hex digit inside /Contents <...> */
    size_t contents_size;  /* bytes that fit (hex digits / 2) */
    char field_name[64];   /* the signature field's /T */
};

/*
 * Step 1 (see above). Results: PDF_OK; the refusals of pdf_inspect; PDF_DAMAGED when the
 * file needs pdf_rewrite first; PDF_INVALID_ARGUMENT (bad request, box outside the page:
 * message in err); PDF_NOMEM; PDF_INTERNAL.
 */
enum pdf_result pdf_sign_prepare(struct pdf_engine *engine, const void *bytes, size_t len,
                                 const struct pdf_sign_request *req, struct pdf_prepared *out,
                                 char *err, size_t err_len);
/* Step 2: writes der as hex into the placeholder. False if it does not fit. */
bool pdf_sign_fill(struct pdf_prepared *p, const unsigned char *der, size_t der_len);
/* Frees p->data and zeroes *p. NULL ok. */
void pdf_prepared_free(struct pdf_prepared *p);

struct pdf_der {
    const unsigned char *data;
    size_t len;
};

/*
 * Appends an incremental update with the document security store: /DSS << /Certs [...]
 * /OCSPs [...] /CRLs [...] >> (streams of DER), merged with a /DSS the file already has.
 * *out (owned, free()) holds the whole new file.
 */
enum pdf_result pdf_add_dss(struct pdf_engine *engine, const void *bytes, size_t len,
                            const struct pdf_der *certs, size_t n_certs,
                            const struct pdf_der *ocsps, size_t n_ocsps, const struct pdf_der *crls,
                            size_t n_crls, unsigned char **out, size_t *out_len, char *err,
                            size_t err_len);

/* Saves a repaired (PDF_DAMAGED) document whole, so it can then be signed incrementally.
 * Refused (PDF_INVALID_ARGUMENT) when it already holds a signature. */
enum pdf_result pdf_rewrite(struct pdf_engine *engine, const void *bytes, size_t len,
                            unsigned char **out, size_t *out_len, char *err, size_t err_len);

#endif
