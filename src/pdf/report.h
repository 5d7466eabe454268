/*
 * A plain text report as a one-page (A4) PDF, drawn with MuPDF: a title and lines in
 * Helvetica (WinAnsiEncoding; characters outside Latin-1 become '?'), top to bottom, with
 * the lower quarter of the page left free for signatures. Used for the identification report
 * of a signer's online identification (sign/verification.h).
 *
 * Ownership: *out is malloc'ed (free()); the inputs are borrowed for the call.
 */
#ifndef SIGNET_PDF_REPORT_H
#define SIGNET_PDF_REPORT_H

#include "pdf/pdf.h"

#include <stddef.h>

#define PDF_REPORT_MAX_LINES 40

/* PDF_OK with the file in *out / *out_len; PDF_INVALID_ARGUMENT for more than
 * PDF_REPORT_MAX_LINES lines, PDF_NOMEM when out of memory. */
enum pdf_result pdf_text_report(struct pdf_engine *engine, const char *title,
                                const char *const *lines, size_t n, unsigned char **out,
                                size_t *out_len);

#endif
