/*
 * pdf_inspect: what Signet needs to know about an uploaded PDF before it accepts it — page
 * count, each page's visible size and rotation, encryption, existing signature fields, PDF
 * version and whether MuPDF had to repair the file.
 *
 * Ownership: fills the caller's struct pdf_info; its page array is malloc'ed here and freed by
 * pdf_info_free. The MuPDF context and document live only during the call.
 */
#include "pdf/internal.h"

#include "core/log.h"

#include <stdlib.h>
#include <string.h>

/* Bounds for walking the AcroForm field tree of a hostile file (cycles, huge arrays). */
#define FIELD_MAX_DEPTH  32
#define FIELD_MAX_VISITS 100000

void pdf_info_free(struct pdf_info *info)
{
    if (info == NULL)
        return;
    free(info->pages);
    memset(info, 0, sizeof *info);
}

/* /Rotate snapped to 0, 90, 180 or 270 as MuPDF does (nearest quarter turn, modulo 360). */
static int normalise_rotation(int rotate)
{
    long long r = ((long long)rotate % 360 + 360) % 360;
    return (int)(((r + 45) / 90 * 90) % 360);
}

/* Reads one page's geometry without loading its content: the page object's boxes only. */
static void read_page(fz_context *ctx, pdf_document *doc, int index, struct pdf_page_info *pi)
{
    pdf_obj *page = pdf_lookup_page_obj(ctx, doc, index);
    fz_rect box;
    fz_matrix ctm;

    /* box: CropBox intersected with MediaBox in PDF user space (MuPDF falls back to Letter for
     * a missing MediaBox); ctm: from there to the displayed, top-left, y-down page space. */
    pdf_page_obj_transform(ctx, page, &box, &ctm);
    fz_rect shown = fz_transform_rect(box, ctm);
    pi->width = (double)shown.x1 - (double)shown.x0;
    pi->height = (double)shown.y1 - (double)shown.y0;
    pi->box_x0 = box.x0;
    pi->box_y0 = box.y0;
    pi->box_x1 = box.x1;
    pi->box_y1 = box.y1;
    pi->rotation =
        normalise_rotation(pdf_to_int(ctx, pdf_dict_get_inheritable(ctx, page, PDF_NAME(Rotate))));
}

struct field_walk {
    size_t visits;
    size_t signature_fields;
    size_t signed_fields;
};

static bool has_field_kids(fz_context *ctx, pdf_obj *kids)
{
    int n = pdf_array_len(ctx, kids);
    for (int i = 0; i < n; i++)
        if (pdf_dict_get(ctx, pdf_array_get(ctx, kids, i), PDF_NAME(T)) != NULL)
            return true;
    return false;
}

/* Counts terminal fields of type /Sig below `field`; ft is the inherited field type. */
static void walk_field(fz_context *ctx, pdf_obj *field, pdf_obj *ft, int depth,
                       struct field_walk *w)
{
    if (depth > FIELD_MAX_DEPTH || w->visits >= FIELD_MAX_VISITS || !pdf_is_dict(ctx, field))
        return;
    w->visits++;
    pdf_obj *own_ft = pdf_dict_get(ctx, field, PDF_NAME(FT));
    if (own_ft != NULL)
        ft = own_ft;
    pdf_obj *kids = pdf_dict_get(ctx, field, PDF_NAME(Kids));
    if (has_field_kids(ctx, kids)) {
        int n = pdf_array_len(ctx, kids);
        for (int i = 0; i < n && w->visits < FIELD_MAX_VISITS; i++)
            walk_field(ctx, pdf_array_get(ctx, kids, i), ft, depth + 1, w);
        return;
    }
    /* A terminal field (its kids, if any, are only widget annotations). */
    if (pdf_name_eq(ctx, ft, PDF_NAME(Sig))) {
        w->signature_fields++;
        if (pdf_is_dict(ctx, pdf_dict_get(ctx, field, PDF_NAME(V))))
            w->signed_fields++;
    }
}

static void count_signature_fields(fz_context *ctx, pdf_document *doc, struct pdf_info *out)
{
    pdf_obj *form = pdf_dict_getp(ctx, pdf_trailer(ctx, doc), "Root/AcroForm");
    pdf_obj *fields = pdf_dict_get(ctx, form, PDF_NAME(Fields));
    struct field_walk w = {0};
    int n = pdf_array_len(ctx, fields);
    for (int i = 0; i < n && w.visits < FIELD_MAX_VISITS; i++)
        walk_field(ctx, pdf_array_get(ctx, fields, i), NULL, 0, &w);
    out->signature_fields = w.signature_fields;
    out->signed_fields = w.signed_fields;
}

/* Fills *out from an open document. On a result other than OK/DAMAGED, *out may hold a
 * partial page array: the caller frees it. */
static enum pdf_result read_info(fz_context *ctx, pdf_document *doc, struct pdf_info *out,
                                 char *err, size_t err_len)
{
    volatile enum pdf_result result = PDF_OK;
    volatile int count = 0;

    fz_try(ctx)
    {
        count = pdf_count_pages(ctx, doc);
        if (count <= 0) {
            result = PDF_NO_PAGES;
        } else if (count > PDF_MAX_PAGES) {
            result = PDF_TOO_MANY_PAGES;
        } else {
            out->pages = calloc((size_t)count, sizeof *out->pages);
            if (out->pages == NULL)
                fz_throw(ctx, FZ_ERROR_MEMORY, "page array");
            for (int i = 0; i < count; i++) {
                read_page(ctx, doc, i, &out->pages[i]);
                out->page_count = (size_t)i + 1;
            }
            out->version = pdf_version(ctx, doc);
            out->encrypted = pdf_dict_get(ctx, pdf_trailer(ctx, doc), PDF_NAME(Encrypt)) != NULL;
            count_signature_fields(ctx, doc, out);
            /* Asked last: MuPDF may repair lazily, when a broken object is first touched. */
            out->needs_repair = pdf_was_repaired(ctx, doc) != 0;
            if (out->needs_repair)
                result = PDF_DAMAGED;
        }
    }
    fz_catch(ctx)
    {
        if (fz_caught(ctx) == FZ_ERROR_MEMORY) {
            result = PDF_NOMEM;
        } else {
            log_client_fault("pdf: cannot read document structure: %s", fz_caught_message(ctx));
            result = PDF_NOT_PDF;
        }
    }

    if (result != PDF_OK && result != PDF_DAMAGED)
        pdf_engine_explain_failure(result, err, err_len,
                                   "the PDF's structure is broken and cannot be read");
    return result;
}

enum pdf_result pdf_inspect(struct pdf_engine *engine, const void *bytes, size_t len,
                            struct pdf_info *out, char *err, size_t err_len)
{
    enum pdf_result result;
    fz_context *ctx = NULL;
    pdf_document *doc = NULL;

    if (err != NULL && err_len > 0)
        err[0] = '\0';
    if (out == NULL)
        return PDF_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (engine == NULL || (bytes == NULL && len > 0)) {
        log_bug("pdf_inspect: invalid arguments");
        pdf_engine_set_err(err, err_len, "internal error");
        return PDF_INVALID_ARGUMENT;
    }

    ctx = pdf_engine_ctx_new(engine);
    if (ctx == NULL) {
        pdf_engine_set_err(err, err_len, "out of memory while reading the PDF");
        result = PDF_NOMEM;
        goto cleanup;
    }
    result = pdf_engine_open_doc(ctx, bytes, len, &doc, err, err_len);
    if (result != PDF_OK)
        goto cleanup;
    result = read_info(ctx, doc, out, err, err_len);

cleanup:
    if (result != PDF_OK && result != PDF_DAMAGED)
        pdf_info_free(out);
    if (doc != NULL)
        pdf_drop_document(ctx, doc);
    pdf_engine_ctx_free(ctx);
    return result;
}
