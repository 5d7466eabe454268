/*
 * Private to src/pdf/: the MuPDF side of the engine, shared by the files of src/pdf/, and the
 * visible-signature appearance (appearance.c) used by sign.c. Never include this outside
 * src/pdf/ and its tests (it includes MuPDF).
 *
 * Ownership: pdf_engine_ctx_new returns a cloned context freed by pdf_engine_ctx_free;
 * pdf_engine_open_doc returns a document dropped with pdf_drop_document on the same context;
 * pdf_appearance_create returns an object reference dropped with pdf_drop_obj.
 */
#ifndef SIGNET_PDF_INTERNAL_H
#define SIGNET_PDF_INTERNAL_H

#include "pdf/pdf.h"

#include <mupdf/fitz.h>
#include <mupdf/pdf.h>

/* Clones the engine's base context for one call in one thread; NULL when out of memory. */
fz_context *pdf_engine_ctx_new(struct pdf_engine *engine);
/* Drops a context from pdf_engine_ctx_new. NULL does nothing. */
void pdf_engine_ctx_free(fz_context *ctx);

/*
 * Opens `bytes` as a PDF on `ctx` (the bytes must outlive the document). On PDF_OK `*doc` is
 * open and authenticated (owner-only encryption passes); otherwise `*doc` is NULL, `err`
 * holds the client message and the result is PDF_NOT_PDF, PDF_ENCRYPTED_NEEDS_PASSWORD or
 * PDF_NOMEM. Whether MuPDF repaired the file is read later with pdf_was_repaired.
 */
enum pdf_result pdf_engine_open_doc(fz_context *ctx, const void *bytes, size_t len,
                                    pdf_document **doc, char *err, size_t err_len);

/* Writes a message into err (if err and err_len > 0), always terminated. */
void pdf_engine_set_err(char *err, size_t err_len, const char *msg);
/* Writes the message a caller sees for a failed result (no pages, too many, no memory;
 * anything else gets `broken`) into err. */
void pdf_engine_explain_failure(enum pdf_result result, char *err, size_t err_len,
                                const char *broken);

/*
 * Creates the appearance Form XObject of a visible signature as a new indirect object in doc
 * and returns a reference the caller drops (pdf_drop_obj). box_w x box_h is the size of the
 * box as the user sees it (PDF points); rotation is the page's /Rotate (0/90/180/270; other
 * values are snapped to the nearest quarter turn): the form's /Matrix makes the content
 * upright on the rotated page when the widget /Rect is the box in unrotated user space.
 * Content: a thin border, the stamp's image (if any) on the left, then the lines
 * "Digitally signed by NAME", signed_at, level, note in Helvetica (WinAnsiEncoding), sized so
 * that the longest line fits. An image that cannot be decoded is left out (logged as the
 * client's fault). Throws (fz_throw) on a NULL stamp or name, a non-positive or non-finite
 * box, and when out of memory. See src/pdf/appearance.c.
 */
pdf_obj *pdf_appearance_create(fz_context *ctx, pdf_document *doc, const struct pdf_stamp *stamp,
                               float box_w, float box_h, int rotation);

#endif
