/* Tests for src/pdf/image.c: pdf_image_check decodes a drawn signature as the appearance
 * will. PNGs come from MuPDF (a good one) or are damaged here. */
#include "pdf/internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct pdf_engine *engine;

static int setup(void **state)
{
    (void)state;
    engine = pdf_engine_new();
    return engine ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pdf_engine_free(engine);
    return 0;
}

/* A w x h RGB PNG made with MuPDF (malloc'ed). */
static unsigned char *make_png(int w, int h, size_t *len)
{
    fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
    assert_non_null(ctx);
    fz_pixmap *pix = fz_new_pixmap(ctx, fz_device_rgb(ctx), w, h, NULL, 0);
    fz_clear_pixmap_with_value(ctx, pix, 0x40);
    fz_buffer *buf = fz_new_buffer_from_pixmap_as_png(ctx, pix, fz_default_color_params);
    unsigned char *data = NULL;
    *len = fz_buffer_storage(ctx, buf, &data);
    unsigned char *out = malloc(*len);
    assert_non_null(out);
    memcpy(out, data, *len);
    fz_drop_buffer(ctx, buf);
    fz_drop_pixmap(ctx, pix);
    fz_drop_context(ctx);
    return out;
}

static void a_good_png_passes_with_its_size(void **state)
{
    (void)state;
    size_t len = 0;
    unsigned char *png = make_png(300, 100, &len);
    int w = 0, h = 0;
    char err[200] = "";
    assert_int_equal(pdf_image_check(engine, png, len, 4096, 2048, &w, &h, err, sizeof err),
                     PDF_OK);
    assert_int_equal(w, 300);
    assert_int_equal(h, 100);
    free(png);
}

static void a_png_larger_than_the_limits_is_refused_before_decoding(void **state)
{
    (void)state;
    size_t len = 0;
    unsigned char *png = make_png(300, 100, &len);
    int w = 1, h = 1;
    char err[200] = "";
    assert_int_equal(pdf_image_check(engine, png, len, 299, 2048, &w, &h, err, sizeof err),
                     PDF_NOT_PDF);
    assert_string_equal(err, "The image is too large.");
    assert_int_equal(w, 0);
    assert_int_equal(h, 0);
    free(png);
}

static void damaged_pixel_data_is_refused(void **state)
{
    (void)state;
    size_t len = 0;
    unsigned char *png = make_png(300, 100, &len);
    /* Overwrite the compressed data after the zlib header of the first IDAT with junk:
     * the header still reads, the pixels do not inflate. */
    unsigned char *idat = memmem(png, len, "IDAT", 4);
    assert_non_null(idat);
    for (unsigned char *p = idat + 6; p < idat + 40 && p < png + len; p++)
        *p = 0xff;
    int w = 0, h = 0;
    char err[200] = "";
    assert_int_equal(pdf_image_check(engine, png, len, 4096, 2048, &w, &h, err, sizeof err),
                     PDF_NOT_PDF);
    assert_string_equal(err, "The image cannot be decoded.");
    /* (A PNG cut short inside its pixel data is decoded by MuPDF with the rest as zeros: the
     * structure check of sign/drawn.c refuses those before this runs.) */
    free(png);
    static const unsigned char text[] = "not an image at all";
    assert_int_equal(
        pdf_image_check(engine, text, sizeof text, 4096, 2048, &w, &h, err, sizeof err),
        PDF_NOT_PDF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_png_passes_with_its_size),
        cmocka_unit_test(a_png_larger_than_the_limits_is_refused_before_decoding),
        cmocka_unit_test(damaged_pixel_data_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
