/* Tests for src/pdf/tags.c: placement tags found on the right page, in the contract's space. */
#include "pdf/pdf.h"

#include "fixture.h"

#include <pthread.h>
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

static enum pdf_result find_in_corpus(const char *name, const char *tag, struct pdf_tag_hit *hits,
                                      size_t max, size_t *n)
{
    size_t len;
    unsigned char *data = fixture_corpus(name, &len);
    assert_non_null(data);
    enum pdf_result r = pdf_find_tag(engine, data, len, tag, hits, max, n, NULL, 0);
    free(data);
    return r;
}

static void assert_hit(const struct pdf_tag_hit *hit, int page, double x0, double y0, double x1,
                       double y1, double tolerance)
{
    assert_int_equal(hit->page, page);
    assert_float_equal(hit->x0, x0, tolerance);
    assert_float_equal(hit->y0, y0, tolerance);
    assert_float_equal(hit->x1, x1, tolerance);
    assert_float_equal(hit->y1, y1, tolerance);
}

/* tags.pdf draws \s1\ at (72, 200) and \s2\ at (320, 200), Helvetica 10, on an A4 page
 * without rotation: from the top that is y = 842 - 200 = 642 for the baseline. The expected
 * boxes are those of `mutool draw -F stext`. */
static void tags_are_found_where_the_text_is_drawn(void **state)
{
    (void)state;
    struct pdf_tag_hit hits[4];
    size_t n = 99;
    assert_int_equal(find_in_corpus("tags.pdf", "\\s1\\", hits, 4, &n), PDF_OK);
    assert_int_equal(n, 1);
    assert_hit(&hits[0], 0, 72, 631.25, 88.12, 644.99, 0.05);
    assert_int_equal(find_in_corpus("tags.pdf", "\\s2\\", hits, 4, &n), PDF_OK);
    assert_int_equal(n, 1);
    assert_hit(&hits[0], 0, 320, 631.25, 336.12, 644.99, 0.05);
}

static void missing_tag_gives_no_hit(void **state)
{
    (void)state;
    struct pdf_tag_hit hits[4];
    size_t n = 99;
    assert_int_equal(find_in_corpus("tags.pdf", "\\s3\\", hits, 4, &n), PDF_OK);
    assert_int_equal(n, 0);
    assert_int_equal(find_in_corpus("simple-a4.pdf", "\\s1\\", hits, 4, &n), PDF_OK);
    assert_int_equal(n, 0);
}

static void search_ignores_case(void **state)
{
    (void)state;
    struct pdf_tag_hit hits[4];
    size_t n = 0;
    assert_int_equal(find_in_corpus("tags.pdf", "\\S1\\", hits, 4, &n), PDF_OK);
    assert_int_equal(n, 1);
}

static void more_hits_than_room_are_truncated(void **state)
{
    (void)state;
    struct pdf_tag_hit hits[2];
    size_t n = 0;
    /* "s" occurs many times in the page text. */
    assert_int_equal(find_in_corpus("tags.pdf", "s", hits, 2, &n), PDF_HITS_TRUNCATED);
    assert_int_equal(n, 2);
    assert_int_equal(find_in_corpus("tags.pdf", "\\s1\\", NULL, 0, &n), PDF_HITS_TRUNCATED);
    assert_int_equal(n, 0);
}

/* mixed-sizes.pdf page 4 (index 3) is MediaBox 595 x 842 with /Rotate 90 and "Rotated page"
 * at (72, 700): seen by the user the page is landscape and the text runs downwards at
 * x = 700, starting 72 from the top (`mutool draw -F stext` agrees). */
static void text_on_a_rotated_page_is_in_the_rotated_space(void **state)
{
    (void)state;
    struct pdf_tag_hit hits[4];
    size_t n = 0;
    assert_int_equal(find_in_corpus("mixed-sizes.pdf", "Rotated page", hits, 4, &n), PDF_OK);
    assert_int_equal(n, 1);
    assert_hit(&hits[0], 3, 695.81, 72, 715.05, 156.06, 0.05);
    /* The landscape page (842 x 595) draws its text at y = 700, above the visible area.
     * fz_search_page still finds it (`mutool draw -F stext` leaves it out): the hit lies
     * above the top edge, with a negative y. */
    assert_int_equal(find_in_corpus("mixed-sizes.pdf", "Landscape", hits, 4, &n), PDF_OK);
    assert_int_equal(n, 1);
    assert_int_equal(hits[0].page, 2);
    assert_float_equal(hits[0].x0, 72, 0.05);
    assert_true(hits[0].y0 < 0 && hits[0].y1 < 0);
}

/* CropBox [50 100 545 742] with /Rotate 90: the visible page is 642 wide, 495 high. Text at
 * (100, 200) in user space is at x = 200 - 100 = 100 (the baseline) and y = 100 - 50 = 50
 * from the top, running down. */
static void crop_box_origin_and_rotation_are_applied(void **state)
{
    (void)state;
    static const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /CropBox [50 100 545 742]"
        " /Rotate 90 /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "stream:BT /F1 10 Tf 100 200 Td (\\\\s1\\\\) Tj ET",
    };
    size_t len;
    char *pdf = fixture_build(objs, 5, &len);
    struct pdf_tag_hit hits[2];
    size_t n = 0;
    char err[128];
    assert_int_equal(pdf_find_tag(engine, pdf, len, "\\s1\\", hits, 2, &n, err, sizeof err),
                     PDF_OK);
    assert_int_equal(n, 1);
    assert_int_equal(hits[0].page, 0);
    /* Along x: from below the baseline (descender) to above it (ascender). */
    assert_true(hits[0].x0 > 95 && hits[0].x0 < 100);
    assert_true(hits[0].x1 > 105 && hits[0].x1 < 112);
    /* Along y: the advance of "\s1\" in Helvetica 10 is 16.12. */
    assert_float_equal(hits[0].y0, 50, 0.05);
    assert_float_equal(hits[0].y1, 66.12, 0.05);

    struct pdf_info info;
    assert_int_equal(pdf_inspect(engine, pdf, len, &info, NULL, 0), PDF_OK);
    assert_float_equal(info.pages[0].width, 642, 0.01);
    assert_float_equal(info.pages[0].height, 495, 0.01);
    pdf_info_free(&info);
    free(pdf);
}

/* A match that wraps onto the next line comes as two quads, marked as one hit in hit_mark:
 * it is reported once, with a box covering both lines. */
static void match_over_two_lines_is_one_hit(void **state)
{
    (void)state;
    static const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        " /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "stream:BT /F1 10 Tf 72 700 Td (Please) Tj 0 -20 Td (sign here) Tj ET",
    };
    size_t len;
    char *pdf = fixture_build(objs, 5, &len);
    struct pdf_tag_hit hits[4];
    size_t n = 0;
    assert_int_equal(pdf_find_tag(engine, pdf, len, "please sign", hits, 4, &n, NULL, 0), PDF_OK);
    assert_int_equal(n, 1);
    /* Line one's baseline is 842 - 700 = 142 from the top, line two's 162. */
    assert_true(hits[0].y0 < 142 && hits[0].y1 > 162);
    assert_float_equal(hits[0].x0, 72, 0.05);
    free(pdf);
}

static void unreadable_files_are_refused_like_inspect(void **state)
{
    (void)state;
    struct pdf_tag_hit hits[2];
    size_t n = 99;
    assert_int_equal(find_in_corpus("encrypted-user-password.pdf", "\\s1\\", hits, 2, &n),
                     PDF_ENCRYPTED_NEEDS_PASSWORD);
    assert_int_equal(n, 0);
    assert_int_equal(find_in_corpus("not-a-pdf.pdf", "\\s1\\", hits, 2, &n), PDF_NOT_PDF);
    assert_int_equal(pdf_find_tag(engine, NULL, 0, "x", hits, 2, &n, NULL, 0), PDF_NOT_PDF);
    /* Damaged but repairable files are searched. */
    assert_int_equal(find_in_corpus("truncated.pdf", "Service agreement", hits, 2, &n), PDF_OK);
    assert_int_equal(n, 1);
    assert_int_equal(find_in_corpus("encrypted-owner-only.pdf", "Service", hits, 2, &n), PDF_OK);
    assert_int_equal(n, 1);
}

static void invalid_tags_are_refused(void **state)
{
    (void)state;
    struct pdf_tag_hit hits[2];
    size_t n;
    char longtag[PDF_MAX_TAG_LEN + 2];
    memset(longtag, 'a', sizeof longtag - 1);
    longtag[sizeof longtag - 1] = '\0';
    assert_int_equal(pdf_find_tag(engine, "%PDF-", 5, "", hits, 2, &n, NULL, 0),
                     PDF_INVALID_ARGUMENT);
    assert_int_equal(pdf_find_tag(engine, "%PDF-", 5, NULL, hits, 2, &n, NULL, 0),
                     PDF_INVALID_ARGUMENT);
    assert_int_equal(pdf_find_tag(engine, "%PDF-", 5, longtag, hits, 2, &n, NULL, 0),
                     PDF_INVALID_ARGUMENT);
    assert_int_equal(pdf_find_tag(engine, "%PDF-", 5, "x", NULL, 2, &n, NULL, 0),
                     PDF_INVALID_ARGUMENT);
    assert_int_equal(pdf_find_tag(engine, "%PDF-", 5, "x", hits, 2, NULL, NULL, 0),
                     PDF_INVALID_ARGUMENT);
}

struct worker {
    unsigned char *data;
    size_t len;
    int failures;
};

static void *search_many(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 100; i++) {
        struct pdf_tag_hit hits[2];
        size_t n = 0;
        if (pdf_find_tag(engine, w->data, w->len, "\\s2\\", hits, 2, &n, NULL, 0) != PDF_OK ||
            n != 1 || hits[0].x0 < 319 || hits[0].x0 > 321)
            w->failures++;
    }
    return NULL;
}

static void *inspect_many(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 100; i++) {
        struct pdf_info info;
        if (pdf_inspect(engine, w->data, w->len, &info, NULL, 0) != PDF_OK || info.page_count != 4)
            w->failures++;
        pdf_info_free(&info);
    }
    return NULL;
}

static void searching_and_inspecting_run_in_parallel(void **state)
{
    (void)state;
    struct worker w[2] = {{0}, {0}};
    pthread_t t[2];
    w[0].data = fixture_corpus("tags.pdf", &w[0].len);
    w[1].data = fixture_corpus("linearized.pdf", &w[1].len);
    assert_non_null(w[0].data);
    assert_non_null(w[1].data);
    assert_int_equal(pthread_create(&t[0], NULL, search_many, &w[0]), 0);
    assert_int_equal(pthread_create(&t[1], NULL, inspect_many, &w[1]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(w[0].failures, 0);
    assert_int_equal(w[1].failures, 0);
    free(w[0].data);
    free(w[1].data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tags_are_found_where_the_text_is_drawn),
        cmocka_unit_test(missing_tag_gives_no_hit),
        cmocka_unit_test(search_ignores_case),
        cmocka_unit_test(more_hits_than_room_are_truncated),
        cmocka_unit_test(text_on_a_rotated_page_is_in_the_rotated_space),
        cmocka_unit_test(crop_box_origin_and_rotation_are_applied),
        cmocka_unit_test(match_over_two_lines_is_one_hit),
        cmocka_unit_test(unreadable_files_are_refused_like_inspect),
        cmocka_unit_test(invalid_tags_are_refused),
        cmocka_unit_test(searching_and_inspecting_run_in_parallel),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
