/*
 * pdf_render_page_png: a page preview for the web pages, drawn by MuPDF as the user sees the
 * page (/Rotate applied, visible area only, annotations and widgets included) on a white
 * background and encoded as PNG.
 *
 * Ownership: the PNG is malloc'ed here and handed to the caller (free()); the MuPDF context,
 * document, page and pixmap live only during the call.
 */
#include "pdf/internal.h"

#include "core/log.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Which page: zero-based, negative from the end; -1 when outside [-count, count). */
static int resolve_page(int page, int count)
{
    long long p = page;
    if (p < 0)
        p += count;
    return p >= 0 && p < count ? (int)p : -1;
}

/* Pixel size of the preview of a page of w x h points asked at `width_px`: width clamped to
 * [PDF_PREVIEW_MIN_WIDTH, PDF_PREVIEW_MAX_WIDTH]; height from the aspect ratio, at least 1 and
 * at most PDF_PREVIEW_MAX_HEIGHT (a very tall page is then drawn narrower). */
static void preview_size(double w, double h, int width_px, int *out_w, int *out_h)
{
    double pw = width_px;
    if (pw < PDF_PREVIEW_MIN_WIDTH)
        pw = PDF_PREVIEW_MIN_WIDTH;
    if (pw > PDF_PREVIEW_MAX_WIDTH)
        pw = PDF_PREVIEW_MAX_WIDTH;
    double ph = h * pw / w;
    if (ph > PDF_PREVIEW_MAX_HEIGHT) {
        ph = PDF_PREVIEW_MAX_HEIGHT;
        pw = w * ph / h;
    }
    *out_w = pw < 1 ? 1 : (int)lround(pw);
    *out_h = ph < 1 ? 1 : (int)lround(ph);
}

/* Renders page `index` of `doc` into a PNG in an fz_buffer (throws on failure). */
static fz_buffer *render_png(fz_context *ctx, pdf_document *doc, int index, int width_px)
{
    fz_page *page = NULL;
    fz_pixmap *pix = NULL;
    fz_buffer *png = NULL;

    fz_var(page);
    fz_var(pix);
    fz_var(png);
    fz_try(ctx)
    {
        page = fz_load_page(ctx, (fz_document *)doc, index);
        /* The page as displayed: /Rotate, CropBox and /UserUnit applied, origin top-left. */
        fz_rect bounds = fz_bound_page(ctx, page);
        double w = (double)bounds.x1 - (double)bounds.x0;
        double h = (double)bounds.y1 - (double)bounds.y0;
        if (!(w >= 1 && h >= 1 && isfinite(w) && isfinite(h)))
            fz_throw(ctx, FZ_ERROR_GENERIC, "page has no usable size");
        int pw = 0;
        int ph = 0;
        preview_size(w, h, width_px, &pw, &ph);
        /* Scaled separately along x and y so that the pixmap is exactly pw x ph (MuPDF rounds
         * the transformed bounds outwards with a small tolerance). */
        fz_matrix ctm =
            fz_pre_translate(fz_scale((float)(pw / w), (float)(ph / h)), -bounds.x0, -bounds.y0);
        /* No alpha: MuPDF clears the pixmap to white before drawing. */
        pix = fz_new_pixmap_from_page(ctx, page, ctm, fz_device_rgb(ctx), 0);
        png = fz_new_buffer_from_pixmap_as_png(ctx, pix, fz_default_color_params);
    }
    fz_always(ctx)
    {
        fz_drop_pixmap(ctx, pix);
        fz_drop_page(ctx, page);
    }
    fz_catch(ctx)
    {
        fz_rethrow(ctx);
    }
    return png;
}

/* Renders page `page` (negative: from the end) of an open document into *png (malloc'ed). */
static enum pdf_result render_doc(fz_context *ctx, pdf_document *doc, int page, int width_px,
                                  unsigned char **png, size_t *png_len, char *err, size_t err_len)
{
    volatile enum pdf_result result = PDF_OK;
    fz_buffer *volatile buffer = NULL;

    fz_try(ctx)
    {
        int count = pdf_count_pages(ctx, doc);
        int index = resolve_page(page, count);
        if (count <= 0)
            result = PDF_NO_PAGES;
        else if (count > PDF_MAX_PAGES)
            result = PDF_TOO_MANY_PAGES;
        else if (index < 0)
            result = PDF_NO_SUCH_PAGE;
        else
            buffer = render_png(ctx, doc, index, width_px);
    }
    fz_catch(ctx)
    {
        if (fz_caught(ctx) == FZ_ERROR_MEMORY) {
            result = PDF_NOMEM;
        } else {
            log_client_fault("pdf: cannot render page %d: %s", page, fz_caught_message(ctx));
            result = PDF_NOT_PDF;
        }
    }

    if (result == PDF_OK) {
        unsigned char *data = NULL;
        size_t len = fz_buffer_storage(ctx, buffer, &data);
        *png = malloc(len > 0 ? len : 1);
        if (*png == NULL) {
            result = PDF_NOMEM;
        } else {
            memcpy(*png, data, len);
            *png_len = len;
        }
    }
    fz_drop_buffer(ctx, buffer);

    if (result == PDF_NO_SUCH_PAGE)
        pdf_engine_set_err(err, err_len, "the PDF has no such page");
    else if (result != PDF_OK)
        pdf_engine_explain_failure(result, err, err_len, "the page cannot be drawn");
    return result;
}

enum pdf_result pdf_render_page_png(struct pdf_engine *engine, const void *bytes, size_t len,
                                    int page, int width_px, unsigned char **png, size_t *png_len,
                                    char *err, size_t err_len)
{
    enum pdf_result result;
    fz_context *ctx = NULL;
    pdf_document *doc = NULL;

    if (err != NULL && err_len > 0)
        err[0] = '\0';
    if (png != NULL)
        *png = NULL;
    if (png_len != NULL)
        *png_len = 0;
    if (engine == NULL || png == NULL || png_len == NULL || (bytes == NULL && len > 0)) {
        log_bug("pdf_render_page_png: invalid arguments");
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
    result = render_doc(ctx, doc, page, width_px, png, png_len, err, err_len);

cleanup:
    if (doc != NULL)
        pdf_drop_document(ctx, doc);
    pdf_engine_ctx_free(ctx);
    return result;
}
