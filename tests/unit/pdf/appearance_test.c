/*
 * Tests for src/pdf/appearance.c: the visible signature is drawn upright inside the box the
 * user placed, on pages with any /Rotate. The test stamps a signature widget as sign.c does
 * (widget /Rect = the box mapped back to unrotated user space, /AP /N = the appearance), saves
 * the file and reads it back: MuPDF's text extraction for the text (in the contract's page
 * space) and pdf_render_page_png for the pixels.
 */
#include "pdf/internal.h"

#include "fixture.h"

#include <math.h>
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

struct box {
    double x, y, w, h; /* contract's page space: top-left origin, y down */
};

/* An empty A4 page (595 x 842 unrotated) with the given /Rotate. */
static char *blank_page(int rotate, size_t *len)
{
    char page[160];
    snprintf(page, sizeof page,
             "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate %d >>", rotate);
    const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        page,
    };
    return fixture_build(objs, 3, len);
}

/* Test-only stamping: adds a signature widget showing `stamp` in `box` on page 0 and returns
 * the rewritten file (malloc'ed). Mirrors what sign.c does for a visible signature. */
static unsigned char *stamp_page(const void *pdf, size_t len, const struct pdf_stamp *stamp,
                                 struct box box, size_t *out_len)
{
    fz_context *ctx = pdf_engine_ctx_new(engine);
    assert_non_null(ctx);
    pdf_document *doc = NULL;
    assert_int_equal(pdf_engine_open_doc(ctx, pdf, len, &doc, NULL, 0), PDF_OK);
    fz_buffer *volatile saved = NULL;
    fz_output *volatile out = NULL;
    pdf_obj *volatile ap = NULL;
    pdf_obj *volatile widget = NULL;
    unsigned char *result = NULL;

    fz_try(ctx)
    {
        pdf_obj *page = pdf_lookup_page_obj(ctx, doc, 0);
        fz_rect mediabox;
        fz_matrix ctm;
        pdf_page_obj_transform(ctx, page, &mediabox, &ctm);
        fz_rect want = fz_make_rect((float)box.x, (float)box.y, (float)(box.x + box.w),
                                    (float)(box.y + box.h));
        fz_rect rect = fz_transform_rect(want, fz_invert_matrix(ctm));
        int rotation = pdf_to_int(ctx, pdf_dict_get_inheritable(ctx, page, PDF_NAME(Rotate)));

        ap = pdf_appearance_create(ctx, doc, stamp, (float)box.w, (float)box.h, rotation);
        widget = pdf_add_new_dict(ctx, doc, 8);
        pdf_dict_put(ctx, widget, PDF_NAME(Type), PDF_NAME(Annot));
        pdf_dict_put(ctx, widget, PDF_NAME(Subtype), PDF_NAME(Widget));
        pdf_dict_put(ctx, widget, PDF_NAME(FT), PDF_NAME(Sig));
        pdf_dict_put_text_string(ctx, widget, PDF_NAME(T), "Signature1");
        pdf_dict_put_int(ctx, widget, PDF_NAME(F), 132);
        pdf_dict_put_rect(ctx, widget, PDF_NAME(Rect), rect);
        pdf_dict_put(ctx, widget, PDF_NAME(P), page);
        /* A value, as sign.c gives: MuPDF draws its own "SIGN" placeholder over unsigned
         * signature widgets instead of their /AP. */
        pdf_obj *v = pdf_dict_put_dict(ctx, widget, PDF_NAME(V), 2);
        pdf_dict_put(ctx, v, PDF_NAME(Type), PDF_NAME(Sig));
        pdf_dict_put(ctx, v, PDF_NAME(Filter), PDF_NAME(Adobe_PPKLite));
        pdf_obj *apd = pdf_dict_put_dict(ctx, widget, PDF_NAME(AP), 1);
        pdf_dict_put(ctx, apd, PDF_NAME(N), ap);
        pdf_obj *annots = pdf_dict_put_array(ctx, page, PDF_NAME(Annots), 1);
        pdf_array_push(ctx, annots, widget);

        saved = fz_new_buffer(ctx, 4096);
        out = fz_new_output_with_buffer(ctx, saved);
        pdf_write_document(ctx, doc, out, &pdf_default_write_options);
        fz_close_output(ctx, out);
        unsigned char *data = NULL;
        size_t n = fz_buffer_storage(ctx, saved, &data);
        result = malloc(n);
        if (result != NULL) {
            memcpy(result, data, n);
            *out_len = n;
        }
    }
    fz_always(ctx)
    {
        fz_drop_output(ctx, out);
        fz_drop_buffer(ctx, saved);
        pdf_drop_obj(ctx, widget);
        pdf_drop_obj(ctx, ap);
    }
    fz_catch(ctx)
    {
        fail_msg("stamping failed: %s", fz_caught_message(ctx));
    }
    pdf_drop_document(ctx, doc);
    pdf_engine_ctx_free(ctx);
    assert_non_null(result);
    return result;
}

/* Finds `text` exactly once on page 0, annotations included, and returns its box in the
 * contract's page space. (pdf_find_tag reads the page content only, not annotations: MuPDF's
 * fz_search_page leaves widgets out, so earlier signatures never match a placement tag.) */
static struct pdf_tag_hit find_once(const void *pdf, size_t len, const char *text)
{
    enum { MAX_QUADS = 16 };
    fz_context *ctx = pdf_engine_ctx_new(engine);
    assert_non_null(ctx);
    pdf_document *doc = NULL;
    assert_int_equal(pdf_engine_open_doc(ctx, pdf, len, &doc, NULL, 0), PDF_OK);
    fz_page *volatile page = NULL;
    fz_stext_page *volatile stext = NULL;
    fz_device *volatile dev = NULL;
    int hit_mark[MAX_QUADS] = {0};
    fz_quad quads[MAX_QUADS];
    volatile int found = 0;
    fz_try(ctx)
    {
        page = fz_load_page(ctx, (fz_document *)doc, 0);
        stext = fz_new_stext_page(ctx, fz_bound_page(ctx, page));
        dev = fz_new_stext_device(ctx, stext, NULL);
        fz_run_page(ctx, page, dev, fz_identity, NULL);
        fz_close_device(ctx, dev);
        found = fz_search_stext_page(ctx, stext, text, hit_mark, quads, MAX_QUADS);
    }
    fz_always(ctx)
    {
        fz_drop_device(ctx, dev);
        fz_drop_stext_page(ctx, stext);
        fz_drop_page(ctx, page);
    }
    fz_catch(ctx)
    {
        fail_msg("text extraction failed: %s", fz_caught_message(ctx));
    }
    pdf_drop_document(ctx, doc);
    pdf_engine_ctx_free(ctx);

    int hits = 0;
    struct pdf_tag_hit hit = {0};
    for (int i = 0; i < found && i < MAX_QUADS; i++) {
        fz_rect r = fz_rect_from_quad(quads[i]);
        if (i == 0 || hit_mark[i]) {
            hits++;
            hit = (struct pdf_tag_hit){.x0 = r.x0, .y0 = r.y0, .x1 = r.x1, .y1 = r.y1};
        } else {
            hit.x0 = fmin(hit.x0, r.x0);
            hit.y0 = fmin(hit.y0, r.y0);
            hit.x1 = fmax(hit.x1, r.x1);
            hit.y1 = fmax(hit.y1, r.y1);
        }
    }
    if (hits != 1)
        fail_msg("'%s': expected one hit, got %d", text, hits);
    return hit;
}

static void assert_inside(struct pdf_tag_hit hit, struct box box, const char *what)
{
    /* Glyph boxes reach a little beyond the drawn ink: half a point of tolerance. */
    if (hit.x0 < box.x - 0.5 || hit.y0 < box.y - 0.5 || hit.x1 > box.x + box.w + 0.5 ||
        hit.y1 > box.y + box.h + 0.5)
        fail_msg("%s at (%.1f, %.1f)-(%.1f, %.1f) is outside the box (%.1f, %.1f)-(%.1f, %.1f)",
                 what, hit.x0, hit.y0, hit.x1, hit.y1, box.x, box.y, box.x + box.w, box.y + box.h);
}

static const struct pdf_stamp jane = {
    .name = "Jane Doe",
    .signed_at = "2026-11-23 14:05 UTC",
    .level = "Advanced electronic signature",
    .note = "Digitally signed with Signet",
};

/* On every /Rotate the lines are inside the box, run left to right as the user sees the page
 * (wider than high) and come in order from top to bottom. */
static void text_is_upright_inside_the_box_on_every_rotation(void **state)
{
    (void)state;
    const int rotations[] = {0, 90, 180, 270, -90};
    const struct box box = {.x = 100, .y = 150, .w = 220, .h = 70};
    for (size_t i = 0; i < sizeof rotations / sizeof rotations[0]; i++) {
        size_t len, stamped_len = 0;
        char *pdf = blank_page(rotations[i], &len);
        unsigned char *stamped = stamp_page(pdf, len, &jane, box, &stamped_len);

        struct pdf_tag_hit name = find_once(stamped, stamped_len, "Digitally signed by Jane Doe");
        struct pdf_tag_hit date = find_once(stamped, stamped_len, "2026-11-23 14:05 UTC");
        struct pdf_tag_hit level = find_once(stamped, stamped_len, "Advanced electronic signature");
        struct pdf_tag_hit note = find_once(stamped, stamped_len, "with Signet");
        assert_inside(name, box, "name");
        assert_inside(date, box, "date");
        assert_inside(level, box, "level");
        assert_inside(note, box, "note");
        if (!(name.x1 - name.x0 > 4 * (name.y1 - name.y0)))
            fail_msg("rotate %d: the name line is not horizontal: %.1f x %.1f", rotations[i],
                     name.x1 - name.x0, name.y1 - name.y0);
        /* Top to bottom; MuPDF's glyph boxes (ascender to descender) are taller than the
         * 1.2 line spacing, so compare the tops. */
        assert_true(name.y0 + 5 < date.y0 && date.y0 + 5 < level.y0 && level.y0 + 5 < note.y0);
        /* Left-aligned; the font is as large as fits: the longest line (the level) nearly
         * fills the width, or the four lines nearly fill the height. */
        assert_float_equal(name.x0, date.x0, 0.5);
        assert_float_equal(name.x0, level.x0, 0.5);
        if (!(level.x1 - level.x0 > 0.85 * box.w || note.y1 - name.y0 > 0.85 * box.h))
            fail_msg("rotate %d: text too small: %.1f wide, %.1f high", rotations[i],
                     level.x1 - level.x0, note.y1 - name.y0);
        free(stamped);
        free(pdf);
    }
}

/* The preview of a stamped /Rotate 90 page (842 px for 842 points) has ink inside the box
 * (border and text) and none elsewhere. */
static void rendered_stamp_stays_in_its_box(void **state)
{
    (void)state;
    const struct box box = {.x = 500, .y = 300, .w = 200, .h = 60};
    size_t len, stamped_len = 0;
    char *pdf = blank_page(90, &len);
    unsigned char *stamped = stamp_page(pdf, len, &jane, box, &stamped_len);
    unsigned char *png = NULL;
    size_t png_len = 0;
    assert_int_equal(
        pdf_render_page_png(engine, stamped, stamped_len, 0, 842, &png, &png_len, NULL, 0), PDF_OK);

    fz_context *ctx = pdf_engine_ctx_new(engine);
    fz_buffer *buf = fz_new_buffer_from_copied_data(ctx, png, png_len);
    fz_image *image = fz_new_image_from_buffer(ctx, buf);
    fz_pixmap *pix = fz_get_pixmap_from_image(ctx, image, NULL, NULL, NULL, NULL);
    assert_int_equal(pix->w, 842);
    assert_int_equal(pix->h, 595);
    int inside = 0, outside = 0;
    for (int y = 0; y < pix->h; y++)
        for (int x = 0; x < pix->w; x++) {
            const unsigned char *p = pix->samples + (size_t)y * pix->stride + (size_t)x * pix->n;
            if (p[0] > 200 && p[1] > 200 && p[2] > 200)
                continue;
            if (x >= box.x - 1 && x <= box.x + box.w + 1 && y >= box.y - 1 &&
                y <= box.y + box.h + 1)
                inside++;
            else
                outside++;
        }
    assert_true(inside > 300);
    assert_int_equal(outside, 0);
    fz_drop_pixmap(ctx, pix);
    fz_drop_image(ctx, image);
    fz_drop_buffer(ctx, buf);
    pdf_engine_ctx_free(ctx);
    free(png);
    free(stamped);
    free(pdf);
}

/* A 40 x 20 pure red PNG made with MuPDF (malloc'ed). */
static unsigned char *red_png(size_t *len)
{
    fz_context *ctx = pdf_engine_ctx_new(engine);
    fz_pixmap *pix = fz_new_pixmap(ctx, fz_device_rgb(ctx), 40, 20, NULL, 0);
    for (int y = 0; y < pix->h; y++)
        for (int x = 0; x < pix->w; x++) {
            unsigned char *p = pix->samples + (size_t)y * pix->stride + (size_t)x * pix->n;
            p[0] = 255;
            p[1] = 0;
            p[2] = 0;
        }
    fz_buffer *buf = fz_new_buffer_from_pixmap_as_png(ctx, pix, fz_default_color_params);
    unsigned char *data = NULL;
    *len = fz_buffer_storage(ctx, buf, &data);
    unsigned char *copy = malloc(*len);
    assert_non_null(copy);
    memcpy(copy, data, *len);
    fz_drop_buffer(ctx, buf);
    fz_drop_pixmap(ctx, pix);
    pdf_engine_ctx_free(ctx);
    return copy;
}

/* The drawn signature sits in the left part of the box, upright (wider than high, as the
 * image), with the text to its right. */
static void image_is_drawn_on_the_left(void **state)
{
    (void)state;
    const int rotations[] = {0, 90};
    const struct box box = {.x = 100, .y = 100, .w = 300, .h = 80};
    size_t image_len = 0;
    unsigned char *image = red_png(&image_len);
    struct pdf_stamp stamp = jane;
    stamp.image = image;
    stamp.image_len = image_len;
    for (size_t i = 0; i < 2; i++) {
        size_t len, stamped_len = 0;
        char *pdf = blank_page(rotations[i], &len);
        unsigned char *stamped = stamp_page(pdf, len, &stamp, box, &stamped_len);
        unsigned char *png = NULL;
        size_t png_len = 0;
        int width = rotations[i] == 0 ? 595 : 842;
        assert_int_equal(
            pdf_render_page_png(engine, stamped, stamped_len, 0, width, &png, &png_len, NULL, 0),
            PDF_OK);
        fz_context *ctx = pdf_engine_ctx_new(engine);
        fz_buffer *buf = fz_new_buffer_from_copied_data(ctx, png, png_len);
        fz_image *img = fz_new_image_from_buffer(ctx, buf);
        fz_pixmap *pix = fz_get_pixmap_from_image(ctx, img, NULL, NULL, NULL, NULL);
        int rx0 = pix->w, ry0 = pix->h, rx1 = -1, ry1 = -1;
        for (int y = 0; y < pix->h; y++)
            for (int x = 0; x < pix->w; x++) {
                const unsigned char *p =
                    pix->samples + (size_t)y * pix->stride + (size_t)x * pix->n;
                if (p[0] > 200 && p[1] < 60 && p[2] < 60) {
                    rx0 = x < rx0 ? x : rx0;
                    ry0 = y < ry0 ? y : ry0;
                    rx1 = x > rx1 ? x : rx1;
                    ry1 = y > ry1 ? y : ry1;
                }
            }
        if (rx1 < 0)
            fail_msg("rotate %d: no red pixel", rotations[i]);
        /* Within the box's left 40 %, twice as wide as high like the image. */
        assert_true(rx0 >= box.x && rx1 <= box.x + 0.4 * box.w + 8);
        assert_true(ry0 >= box.y && ry1 <= box.y + box.h);
        assert_float_equal((double)(rx1 - rx0 + 1) / (ry1 - ry0 + 1), 2.0, 0.15);
        struct pdf_tag_hit name = find_once(stamped, stamped_len, "Digitally signed by Jane");
        assert_true(name.x0 > rx1);
        assert_inside(name, box, "name");
        fz_drop_pixmap(ctx, pix);
        fz_drop_image(ctx, img);
        fz_drop_buffer(ctx, buf);
        pdf_engine_ctx_free(ctx);
        free(png);
        free(stamped);
        free(pdf);
    }
    free(image);
}

/* ( ) \ are escaped in the content stream; Latin-1 letters stay, Latin Extended-A letters lose
 * their accents, other scripts become '?'. */
static void names_are_escaped_and_mapped_to_winansi(void **state)
{
    (void)state;
    const struct box box = {.x = 50, .y = 50, .w = 450, .h = 80};
    struct pdf_stamp stamp = {
        .name = "O'Brien (Jr.) \\ M\xc3\xbcller \xc5\x81ukasz Dvo\xc5\x99\xc3\xa1k "
                "\xe5\xb1\xb1\xe7\x94\xb0",
        .signed_at = "a)b(c\\",
        .level = NULL,
        .note = NULL,
    };
    size_t len, stamped_len = 0;
    char *pdf = blank_page(0, &len);
    unsigned char *stamped = stamp_page(pdf, len, &stamp, box, &stamped_len);
    assert_inside(find_once(stamped, stamped_len, "by O'Brien (Jr.) \\ M\xc3\xbcller"), box,
                  "name");
    assert_inside(find_once(stamped, stamped_len, "Lukasz Dvor\xc3\xa1k ??"), box, "name");
    assert_inside(find_once(stamped, stamped_len, "a)b(c\\"), box, "date");
    free(stamped);
    free(pdf);
}

/* A long name shrinks the font until the line fits; the text still lies in the box. */
static void long_name_is_fitted_to_the_box(void **state)
{
    (void)state;
    const struct box box = {.x = 60, .y = 60, .w = 150, .h = 40};
    struct pdf_stamp stamp = jane;
    stamp.name = "Maximiliane Alexandra Theodora von und zu Hohenzollern-Sigmaringen";
    size_t len, stamped_len = 0;
    char *pdf = blank_page(0, &len);
    unsigned char *stamped = stamp_page(pdf, len, &stamp, box, &stamped_len);
    struct pdf_tag_hit hit = find_once(stamped, stamped_len, "Hohenzollern-Sigmaringen");
    assert_inside(hit, box, "end of the name");
    assert_inside(find_once(stamped, stamped_len, "with Signet"), box, "note");
    free(stamped);
    free(pdf);
}

/* A name longer than a line holds (120 bytes) is cut with an ellipsis. */
static void overlong_name_is_cut_with_an_ellipsis(void **state)
{
    (void)state;
    char name[301];
    for (size_t i = 0; i < 300; i++)
        name[i] = (char)('a' + i % 26);
    name[300] = '\0';
    struct pdf_stamp stamp = jane;
    stamp.name = name;
    const struct box box = {.x = 40, .y = 40, .w = 500, .h = 120};
    size_t len, stamped_len = 0;
    char *pdf = blank_page(0, &len);
    unsigned char *stamped = stamp_page(pdf, len, &stamp, box, &stamped_len);
    /* Whichever layout is chosen, the line ends in one ellipsis inside the box. */
    assert_inside(find_once(stamped, stamped_len, "\xe2\x80\xa6"), box, "ellipsis");
    free(stamped);
    free(pdf);
}

/* Images that are not PNG/JPEG, or broken ones, are left out; the text is still drawn. */
static void bad_image_is_left_out(void **state)
{
    (void)state;
    const unsigned char gif[] = "GIF89a\x01\x00\x01\x00";
    const unsigned char broken_png[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\xff\xff\xff\xff";
    const struct box box = {.x = 50, .y = 50, .w = 200, .h = 60};
    const unsigned char *images[] = {gif, broken_png};
    const size_t lens[] = {sizeof gif - 1, sizeof broken_png - 1};
    for (size_t i = 0; i < 2; i++) {
        struct pdf_stamp stamp = jane;
        stamp.image = images[i];
        stamp.image_len = lens[i];
        size_t len, stamped_len = 0;
        char *pdf = blank_page(0, &len);
        unsigned char *stamped = stamp_page(pdf, len, &stamp, box, &stamped_len);
        struct pdf_tag_hit hit = find_once(stamped, stamped_len, "Digitally signed by Jane");
        /* No image: the text starts at the left margin. */
        assert_true(hit.x0 < box.x + 8);
        free(stamped);
        free(pdf);
    }
}

static void invalid_arguments_throw(void **state)
{
    (void)state;
    fz_context *ctx = pdf_engine_ctx_new(engine);
    pdf_document *doc = pdf_create_document(ctx);
    struct pdf_stamp nameless = jane;
    nameless.name = NULL;
    const struct {
        const struct pdf_stamp *stamp;
        float w, h;
    } cases[] = {
        {NULL, 100, 50},  {&nameless, 100, 50},     {&jane, 0, 50},
        {&jane, 100, -1}, {&jane, 100, (float)NAN}, {&jane, (float)INFINITY, 50},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        volatile bool thrown = false;
        pdf_obj *volatile ap = NULL;
        fz_try(ctx)
        {
            ap = pdf_appearance_create(ctx, doc, cases[i].stamp, cases[i].w, cases[i].h, 0);
        }
        fz_catch(ctx)
        {
            thrown = true;
        }
        pdf_drop_obj(ctx, ap);
        if (!thrown)
            fail_msg("case %zu: no error", i);
    }
    pdf_drop_document(ctx, doc);
    pdf_engine_ctx_free(ctx);
}

/* The form's /Matrix is the plain quarter turn, without negative zeros. */
static void matrix_turns_by_the_rotation(void **state)
{
    (void)state;
    fz_context *ctx = pdf_engine_ctx_new(engine);
    pdf_document *doc = pdf_create_document(ctx);
    const int rotations[] = {0, 90, 180, 270, 450, -90};
    const float expect[][4] = {{1, 0, 0, 1},  {0, 1, -1, 0}, {-1, 0, 0, -1},
                               {0, -1, 1, 0}, {0, 1, -1, 0}, {0, -1, 1, 0}};
    for (size_t i = 0; i < sizeof rotations / sizeof rotations[0]; i++) {
        pdf_obj *ap = pdf_appearance_create(ctx, doc, &jane, 100, 40, rotations[i]);
        fz_matrix m = pdf_dict_get_matrix(ctx, ap, PDF_NAME(Matrix));
        assert_float_equal(m.a, expect[i][0], 1e-6);
        assert_float_equal(m.b, expect[i][1], 1e-6);
        assert_float_equal(m.c, expect[i][2], 1e-6);
        assert_float_equal(m.d, expect[i][3], 1e-6);
        fz_rect bbox = pdf_dict_get_rect(ctx, ap, PDF_NAME(BBox));
        assert_float_equal(bbox.x1, 100, 1e-6);
        assert_float_equal(bbox.y1, 40, 1e-6);
        assert_true(pdf_is_indirect(ctx, ap));
        pdf_drop_obj(ctx, ap);
    }
    pdf_drop_document(ctx, doc);
    pdf_engine_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_is_upright_inside_the_box_on_every_rotation),
        cmocka_unit_test(rendered_stamp_stays_in_its_box),
        cmocka_unit_test(image_is_drawn_on_the_left),
        cmocka_unit_test(names_are_escaped_and_mapped_to_winansi),
        cmocka_unit_test(long_name_is_fitted_to_the_box),
        cmocka_unit_test(overlong_name_is_cut_with_an_ellipsis),
        cmocka_unit_test(bad_image_is_left_out),
        cmocka_unit_test(invalid_arguments_throw),
        cmocka_unit_test(matrix_turns_by_the_rotation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
