/* Tests for src/pdf/render.c: page previews as PNG, as the user sees the page. */
#include "pdf/internal.h"

#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct pdf_engine *engine;

static int setup(void **state)
{
    (void)state;
    engine = pdf_engine_new();
    return engine == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    pdf_engine_free(engine);
    engine = NULL;
    return 0;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Checks the PNG signature and the IHDR chunk, and returns the image size from it. */
static void assert_png(const unsigned char *png, size_t len, int *w, int *h)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_non_null(png);
    assert_true(len > 33);
    assert_memory_equal(png, signature, 8);
    assert_int_equal(be32(png + 8), 13);
    assert_memory_equal(png + 12, "IHDR", 4);
    *w = (int)be32(png + 16);
    *h = (int)be32(png + 20);
}

static enum pdf_result render_corpus(const char *name, int page, int width, unsigned char **png,
                                     size_t *png_len)
{
    size_t len;
    unsigned char *data = fixture_corpus(name, &len);
    assert_non_null(data);
    char err[128];
    enum pdf_result r =
        pdf_render_page_png(engine, data, len, page, width, png, png_len, err, sizeof err);
    free(data);
    return r;
}

/* Decodes a PNG with MuPDF into an RGB pixmap (the caller drops it on ctx). */
static fz_pixmap *decode_png(fz_context *ctx, const unsigned char *png, size_t len)
{
    fz_pixmap *pix = NULL;
    fz_buffer *buf = fz_new_buffer_from_copied_data(ctx, png, len);
    fz_image *image = fz_new_image_from_buffer(ctx, buf);
    pix = fz_get_pixmap_from_image(ctx, image, NULL, NULL, NULL, NULL);
    fz_drop_image(ctx, image);
    fz_drop_buffer(ctx, buf);
    return pix;
}

/* Number of dark pixels (all channels below 128) in [x0, x1) x [y0, y1) of the pixmap. */
static int dark_pixels(fz_pixmap *pix, int x0, int y0, int x1, int y1)
{
    int count = 0;
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < pix->h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < pix->w; x++) {
            const unsigned char *p = pix->samples + (size_t)y * pix->stride + (size_t)x * pix->n;
            if (p[0] < 128 && p[1] < 128 && p[2] < 128)
                count++;
        }
    return count;
}

/* An A4 portrait page at 300 px: 300 x round(842 * 300 / 595) = 300 x 425. */
static void a4_page_keeps_its_aspect_ratio(void **state)
{
    (void)state;
    unsigned char *png = NULL;
    size_t len = 0;
    int w = 0, h = 0;
    assert_int_equal(render_corpus("simple-a4.pdf", 0, 300, &png, &len), PDF_OK);
    assert_png(png, len, &w, &h);
    assert_int_equal(w, 300);
    assert_int_equal(h, 425);
    free(png);
}

/* mixed-sizes.pdf: A4, Letter, landscape A4, A4 with /Rotate 90. The rotated page is shown
 * landscape: 842 x 595 points, so 400 x 283 pixels; so is the landscape page. */
static void rotated_page_is_drawn_landscape(void **state)
{
    (void)state;
    unsigned char *png = NULL;
    size_t len = 0;
    int w = 0, h = 0;
    assert_int_equal(render_corpus("mixed-sizes.pdf", 3, 400, &png, &len), PDF_OK);
    assert_png(png, len, &w, &h);
    assert_int_equal(w, 400);
    assert_int_equal(h, 283);
    free(png);
    assert_int_equal(render_corpus("mixed-sizes.pdf", 1, 612, &png, &len), PDF_OK);
    assert_png(png, len, &w, &h);
    assert_int_equal(w, 612); /* Letter: 612 x 792 points at one pixel per point */
    assert_int_equal(h, 792);
    free(png);
}

/* The text of the rotated page runs downwards at x = 695.81..715.05, y = 72..156.06 points
 * (see tags_test.c): in the 842-wide preview it is dark there and nowhere in the top-left. */
static void rotated_page_content_is_where_the_user_sees_it(void **state)
{
    (void)state;
    unsigned char *png = NULL;
    size_t len = 0;
    assert_int_equal(render_corpus("mixed-sizes.pdf", -1, 842, &png, &len), PDF_OK);
    fz_context *ctx = pdf_engine_ctx_new(engine);
    assert_non_null(ctx);
    fz_pixmap *pix = decode_png(ctx, png, len);
    assert_int_equal(pix->w, 842);
    assert_int_equal(pix->h, 595);
    assert_true(dark_pixels(pix, 694, 70, 717, 158) > 50);
    assert_int_equal(dark_pixels(pix, 0, 0, 400, 300), 0);
    fz_drop_pixmap(ctx, pix);
    pdf_engine_ctx_free(ctx);
    free(png);
}

/* Only the visible area is drawn: CropBox [50 100 545 742] with /Rotate 90 is 642 x 495. */
static void crop_box_and_rotation_give_the_size(void **state)
{
    (void)state;
    static const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /CropBox [50 100 545 742]"
        " /Rotate 90 >>",
    };
    size_t len;
    char *pdf = fixture_build(objs, 3, &len);
    unsigned char *png = NULL;
    size_t png_len = 0;
    int w = 0, h = 0;
    assert_int_equal(pdf_render_page_png(engine, pdf, len, 0, 642, &png, &png_len, NULL, 0),
                     PDF_OK);
    assert_png(png, png_len, &w, &h);
    assert_int_equal(w, 642);
    assert_int_equal(h, 495);
    free(png);
    free(pdf);
}

static void width_is_clamped(void **state)
{
    (void)state;
    unsigned char *png = NULL;
    size_t len = 0;
    int w = 0, h = 0;
    assert_int_equal(render_corpus("simple-a4.pdf", 0, 10, &png, &len), PDF_OK);
    assert_png(png, len, &w, &h);
    assert_int_equal(w, PDF_PREVIEW_MIN_WIDTH);
    free(png);
    assert_int_equal(render_corpus("simple-a4.pdf", 0, -5, &png, &len), PDF_OK);
    assert_png(png, len, &w, &h);
    assert_int_equal(w, PDF_PREVIEW_MIN_WIDTH);
    free(png);
    assert_int_equal(render_corpus("simple-a4.pdf", 0, 1000000, &png, &len), PDF_OK);
    assert_png(png, len, &w, &h);
    assert_int_equal(w, PDF_PREVIEW_MAX_WIDTH);
    assert_int_equal(h, 2830); /* 842 * 2000 / 595 */
    free(png);
}

/* A strip 100 wide and 10000 high: the height is capped and the width follows. */
static void very_tall_page_is_capped_in_height(void **state)
{
    (void)state;
    static const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 10000] >>",
    };
    size_t len;
    char *pdf = fixture_build(objs, 3, &len);
    unsigned char *png = NULL;
    size_t png_len = 0;
    int w = 0, h = 0;
    assert_int_equal(pdf_render_page_png(engine, pdf, len, 0, 2000, &png, &png_len, NULL, 0),
                     PDF_OK);
    assert_png(png, png_len, &w, &h);
    assert_int_equal(h, PDF_PREVIEW_MAX_HEIGHT);
    assert_int_equal(w, 30);
    free(png);
    free(pdf);
}

static void negative_page_counts_from_the_end(void **state)
{
    (void)state;
    unsigned char *png = NULL;
    size_t len = 0;
    int w = 0, h = 0;
    /* -2 is the landscape page (index 2): wider than high. */
    assert_int_equal(render_corpus("mixed-sizes.pdf", -2, 300, &png, &len), PDF_OK);
    assert_png(png, len, &w, &h);
    assert_true(w > h);
    free(png);
    assert_int_equal(render_corpus("mixed-sizes.pdf", -4, 300, &png, &len), PDF_OK);
    assert_png(png, len, &w, &h);
    assert_int_equal(h, 425); /* the A4 page 0 */
    free(png);
}

static void page_outside_the_document_is_refused(void **state)
{
    (void)state;
    size_t len;
    unsigned char *data = fixture_corpus("mixed-sizes.pdf", &len);
    assert_non_null(data);
    const int pages[] = {4, -5, INT32_MAX, INT32_MIN};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        unsigned char *png = (unsigned char *)"sentinel";
        size_t png_len = 7;
        char err[128] = "";
        assert_int_equal(
            pdf_render_page_png(engine, data, len, pages[i], 300, &png, &png_len, err, sizeof err),
            PDF_NO_SUCH_PAGE);
        assert_null(png);
        assert_int_equal(png_len, 0);
        assert_string_equal(err, "the PDF has no such page");
    }
    free(data);
}

static void unreadable_files_are_refused_like_inspect(void **state)
{
    (void)state;
    unsigned char *png = NULL;
    size_t len = 0;
    int w = 0, h = 0;
    assert_int_equal(render_corpus("not-a-pdf.pdf", 0, 300, &png, &len), PDF_NOT_PDF);
    assert_null(png);
    assert_int_equal(render_corpus("encrypted-user-password.pdf", 0, 300, &png, &len),
                     PDF_ENCRYPTED_NEEDS_PASSWORD);
    assert_null(png);
    /* Owner-only encryption and repairable damage are drawn. */
    assert_int_equal(render_corpus("encrypted-owner-only.pdf", 0, 300, &png, &len), PDF_OK);
    assert_png(png, len, &w, &h);
    free(png);
    assert_int_equal(render_corpus("truncated.pdf", 0, 300, &png, &len), PDF_OK);
    assert_png(png, len, &w, &h);
    free(png);
    assert_int_equal(pdf_render_page_png(engine, NULL, 0, 0, 300, &png, &len, NULL, 0),
                     PDF_NOT_PDF);
    assert_int_equal(pdf_render_page_png(engine, "x", 1, 0, 300, NULL, &len, NULL, 0),
                     PDF_INVALID_ARGUMENT);
}

/* Garbage in the content stream and an unknown font: MuPDF draws what it can. */
static void broken_content_still_gives_a_preview(void **state)
{
    (void)state;
    static const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>",
        "stream:0 0 m 1e999 ] [ BT /F9 12 Tf (x) Tj ET q q q 10 10 50 50 re f",
    };
    size_t len;
    char *pdf = fixture_build(objs, 4, &len);
    unsigned char *png = NULL;
    size_t png_len = 0;
    int w = 0, h = 0;
    assert_int_equal(pdf_render_page_png(engine, pdf, len, 0, 200, &png, &png_len, NULL, 0),
                     PDF_OK);
    assert_png(png, png_len, &w, &h);
    assert_int_equal(w, 200);
    assert_int_equal(h, 100);
    free(png);
    free(pdf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a4_page_keeps_its_aspect_ratio),
        cmocka_unit_test(rotated_page_is_drawn_landscape),
        cmocka_unit_test(rotated_page_content_is_where_the_user_sees_it),
        cmocka_unit_test(crop_box_and_rotation_give_the_size),
        cmocka_unit_test(width_is_clamped),
        cmocka_unit_test(very_tall_page_is_capped_in_height),
        cmocka_unit_test(negative_page_counts_from_the_end),
        cmocka_unit_test(page_outside_the_document_is_refused),
        cmocka_unit_test(unreadable_files_are_refused_like_inspect),
        cmocka_unit_test(broken_content_still_gives_a_preview),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
