/* Tests for src/pdf/position.c: is a signature box on the visible page? (pure, no MuPDF) */
#include "pdf/pdf.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Three pages: A4 portrait, A4 with /Rotate 90 (842 x 595 as seen), Letter. */
static struct pdf_page_info pages[] = {
    {.width = 595, .height = 842, .rotation = 0},
    {.width = 842, .height = 595, .rotation = 90},
    {.width = 612, .height = 792, .rotation = 0},
};
static const struct pdf_info info = {.page_count = 3, .pages = pages, .version = 17};

static void box_inside_the_page_is_ok(void **state)
{
    (void)state;
    int resolved = -1;
    assert_int_equal(pdf_position_visible(&info, 0, 150, 300, 200, 60, &resolved), PDF_POSITION_OK);
    assert_int_equal(resolved, 0);
    /* Touching every edge is still inside. */
    assert_int_equal(pdf_position_visible(&info, 0, 0, 0, 595, 842, NULL), PDF_POSITION_OK);
}

static void negative_page_counts_from_the_end(void **state)
{
    (void)state;
    int resolved = -1;
    assert_int_equal(pdf_position_visible(&info, -1, 10, 10, 10, 10, &resolved), PDF_POSITION_OK);
    assert_int_equal(resolved, 2);
    assert_int_equal(pdf_position_visible(&info, -3, 10, 10, 10, 10, &resolved), PDF_POSITION_OK);
    assert_int_equal(resolved, 0);
}

static void pages_beyond_either_end_do_not_exist(void **state)
{
    (void)state;
    int resolved = 42;
    assert_int_equal(pdf_position_visible(&info, 3, 10, 10, 10, 10, &resolved),
                     PDF_POSITION_NO_SUCH_PAGE);
    assert_int_equal(pdf_position_visible(&info, -4, 10, 10, 10, 10, &resolved),
                     PDF_POSITION_NO_SUCH_PAGE);
    assert_int_equal(pdf_position_visible(&info, INT32_MIN, 10, 10, 10, 10, &resolved),
                     PDF_POSITION_NO_SUCH_PAGE);
    assert_int_equal(pdf_position_visible(&info, INT32_MAX, 10, 10, 10, 10, &resolved),
                     PDF_POSITION_NO_SUCH_PAGE);
    assert_int_equal(resolved, 42); /* untouched */
    static const struct pdf_info empty = {0};
    assert_int_equal(pdf_position_visible(&empty, 0, 10, 10, 10, 10, NULL),
                     PDF_POSITION_NO_SUCH_PAGE);
    assert_int_equal(pdf_position_visible(&empty, -1, 10, 10, 10, 10, NULL),
                     PDF_POSITION_NO_SUCH_PAGE);
}

static void box_reaching_past_an_edge_is_outside(void **state)
{
    (void)state;
    int resolved = -1;
    assert_int_equal(pdf_position_visible(&info, 0, 500, 300, 100, 60, &resolved),
                     PDF_POSITION_OUTSIDE);
    assert_int_equal(resolved, 0);
    assert_int_equal(pdf_position_visible(&info, 0, 10, 800, 100, 60, NULL), PDF_POSITION_OUTSIDE);
    assert_int_equal(pdf_position_visible(&info, 0, 595.01, 0, 1, 1, NULL), PDF_POSITION_OUTSIDE);
}

static void rotated_page_uses_the_size_as_seen(void **state)
{
    (void)state;
    /* x = 700 fits only on the landscape view of the rotated page; y = 700 only unrotated. */
    assert_int_equal(pdf_position_visible(&info, 1, 700, 100, 100, 50, NULL), PDF_POSITION_OK);
    assert_int_equal(pdf_position_visible(&info, 1, 100, 700, 100, 50, NULL), PDF_POSITION_OUTSIDE);
    assert_int_equal(pdf_position_visible(&info, 0, 700, 100, 100, 50, NULL), PDF_POSITION_OUTSIDE);
}

static void nonsense_numbers_are_invalid(void **state)
{
    (void)state;
    assert_int_equal(pdf_position_visible(NULL, 0, 1, 1, 1, 1, NULL), PDF_POSITION_INVALID);
    assert_int_equal(pdf_position_visible(&info, 0, -1, 1, 1, 1, NULL), PDF_POSITION_INVALID);
    assert_int_equal(pdf_position_visible(&info, 0, 1, -1, 1, 1, NULL), PDF_POSITION_INVALID);
    assert_int_equal(pdf_position_visible(&info, 0, 1, 1, 0, 1, NULL), PDF_POSITION_INVALID);
    assert_int_equal(pdf_position_visible(&info, 0, 1, 1, 1, -5, NULL), PDF_POSITION_INVALID);
    assert_int_equal(pdf_position_visible(&info, 0, NAN, 1, 1, 1, NULL), PDF_POSITION_INVALID);
    assert_int_equal(pdf_position_visible(&info, 0, 1, 1, INFINITY, 1, NULL), PDF_POSITION_INVALID);
    /* Huge but finite: the sum overflows to infinity, which is outside. */
    assert_int_equal(pdf_position_visible(&info, 0, 1e308, 1, 1e308, 1, NULL),
                     PDF_POSITION_OUTSIDE);
    static const struct pdf_info broken = {.page_count = 2, .pages = NULL};
    assert_int_equal(pdf_position_visible(&broken, 0, 1, 1, 1, 1, NULL), PDF_POSITION_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(box_inside_the_page_is_ok),
        cmocka_unit_test(negative_page_counts_from_the_end),
        cmocka_unit_test(pages_beyond_either_end_do_not_exist),
        cmocka_unit_test(box_reaching_past_an_edge_is_outside),
        cmocka_unit_test(rotated_page_uses_the_size_as_seen),
        cmocka_unit_test(nonsense_numbers_are_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
