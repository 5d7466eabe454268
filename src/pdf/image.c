/*
 * Checks a drawn-signature image the way the appearance will use it (pdf_image_check in
 * pdf/pdf.h): MuPDF loads it and decodes every pixel, so that an image that would be left out
 * of the visible box, or make the signing fail, is refused before anything is signed.
 */
#include "pdf/internal.h"

#include "core/log.h"

enum pdf_result pdf_image_check(struct pdf_engine *engine, const void *bytes, size_t len,
                                int max_width, int max_height, int *width, int *height, char *err,
                                size_t err_len)
{
    volatile enum pdf_result res = PDF_NOT_PDF;
    fz_buffer *volatile buf = NULL;
    fz_image *volatile image = NULL;
    fz_pixmap *volatile pix = NULL;
    volatile int w = 0, h = 0;

    *width = *height = 0;
    if (!engine || !bytes || len == 0 || max_width <= 0 || max_height <= 0)
        return PDF_INVALID_ARGUMENT;
    fz_context *ctx = pdf_engine_ctx_new(engine);
    if (!ctx) {
        pdf_engine_set_err(err, err_len, "The image cannot be checked now; try again.");
        return PDF_INTERNAL;
    }
    fz_try(ctx)
    {
        buf = fz_new_buffer_from_copied_data(ctx, bytes, len);
        image = fz_new_image_from_buffer(ctx, buf);
        w = image->w;
        h = image->h;
        /* The size is checked before decoding, so a huge image is never inflated. */
        if (w <= 0 || h <= 0 || w > max_width || h > max_height)
            fz_throw(ctx, FZ_ERROR_GENERIC, "image of %d x %d pixels", w, h);
        pix = fz_get_pixmap_from_image(ctx, image, NULL, NULL, NULL, NULL);
        if (pix->w != w || pix->h != h)
            fz_throw(ctx, FZ_ERROR_GENERIC, "decoded to %d x %d pixels", pix->w, pix->h);
        res = PDF_OK;
    }
    fz_always(ctx)
    {
        fz_drop_pixmap(ctx, pix);
        fz_drop_image(ctx, image);
        fz_drop_buffer(ctx, buf);
    }
    fz_catch(ctx)
    {
        if (fz_caught(ctx) == FZ_ERROR_MEMORY) {
            res = PDF_NOMEM;
            pdf_engine_set_err(err, err_len, "Not enough memory to check the image.");
        } else {
            log_client_fault("pdf: drawn signature refused: %s", fz_caught_message(ctx));
            res = PDF_NOT_PDF;
            if (w > max_width || h > max_height)
                pdf_engine_set_err(err, err_len, "The image is too large.");
            else
                pdf_engine_set_err(err, err_len, "The image cannot be decoded.");
        }
    }
    pdf_engine_ctx_free(ctx);
    if (res == PDF_OK) {
        *width = w;
        *height = h;
    }
    return res;
}
