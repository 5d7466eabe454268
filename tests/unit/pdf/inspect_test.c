/* Tests for src/pdf/inspect.c (and engine.c): every corpus file, built edge cases, threads. */
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

/* Inspects a corpus file; fails the test if it cannot be read. */
static enum pdf_result inspect_corpus(const char *name, struct pdf_info *info, char *err,
                                      size_t err_len)
{
    size_t len;
    unsigned char *data = fixture_corpus(name, &len);
    assert_non_null(data);
    enum pdf_result r = pdf_inspect(engine, data, len, info, err, err_len);
    free(data);
    return r;
}

static void assert_page(const struct pdf_info *info, size_t i, double w, double h, int rot)
{
    assert_true(i < info->page_count);
    assert_float_equal(info->pages[i].width, w, 0.01);
    assert_float_equal(info->pages[i].height, h, 0.01);
    assert_int_equal(info->pages[i].rotation, rot);
}

static void assert_four_mixed_pages(const struct pdf_info *info)
{
    assert_int_equal(info->page_count, 4);
    assert_page(info, 0, 595, 842, 0);
    assert_page(info, 1, 612, 792, 0);
    assert_page(info, 2, 842, 595, 0);
    /* MediaBox 595 x 842 with /Rotate 90: shown landscape, the box itself is unrotated. */
    assert_page(info, 3, 842, 595, 90);
    assert_float_equal(info->pages[3].box_x1 - info->pages[3].box_x0, 595, 0.01);
    assert_float_equal(info->pages[3].box_y1 - info->pages[3].box_y0, 842, 0.01);
}

static void simple_a4_is_one_plain_a4_page(void **state)
{
    (void)state;
    struct pdf_info info;
    char err[128];
    assert_int_equal(inspect_corpus("simple-a4.pdf", &info, err, sizeof err), PDF_OK);
    assert_int_equal(info.page_count, 1);
    assert_page(&info, 0, 595, 842, 0);
    assert_int_equal(info.version, 17);
    assert_false(info.encrypted);
    assert_false(info.needs_repair);
    assert_int_equal(info.signature_fields, 0);
    assert_int_equal(info.signed_fields, 0);
    assert_string_equal(err, "");
    pdf_info_free(&info);
    assert_null(info.pages);
    assert_int_equal(info.page_count, 0);
    pdf_info_free(&info); /* twice is harmless */
    pdf_info_free(NULL);
}

static void mixed_sizes_report_each_size_and_the_rotated_page(void **state)
{
    (void)state;
    struct pdf_info info;
    assert_int_equal(inspect_corpus("mixed-sizes.pdf", &info, NULL, 0), PDF_OK);
    assert_four_mixed_pages(&info);
    assert_false(info.needs_repair);
    pdf_info_free(&info);
}

static void xref_stream_and_linearized_files_read_like_the_original(void **state)
{
    (void)state;
    static const char *const names[] = {"xref-stream.pdf", "linearized.pdf"};
    for (size_t i = 0; i < 2; i++) {
        struct pdf_info info;
        enum pdf_result r = inspect_corpus(names[i], &info, NULL, 0);
        if (r != PDF_OK)
            fail_msg("%s: expected PDF_OK, got %s", names[i], pdf_result_name(r));
        assert_four_mixed_pages(&info);
        assert_false(info.needs_repair);
        pdf_info_free(&info);
    }
}

static void incremental_update_is_ok(void **state)
{
    (void)state;
    struct pdf_info info;
    assert_int_equal(inspect_corpus("incremental.pdf", &info, NULL, 0), PDF_OK);
    assert_int_equal(info.page_count, 1);
    assert_page(&info, 0, 595, 842, 0);
    assert_false(info.needs_repair);
    pdf_info_free(&info);
}

static void owner_only_encryption_opens_and_is_reported(void **state)
{
    (void)state;
    struct pdf_info info;
    assert_int_equal(inspect_corpus("encrypted-owner-only.pdf", &info, NULL, 0), PDF_OK);
    assert_true(info.encrypted);
    assert_int_equal(info.page_count, 1);
    assert_page(&info, 0, 595, 842, 0);
    pdf_info_free(&info);
}

static void user_password_is_refused_with_a_message(void **state)
{
    (void)state;
    struct pdf_info info;
    char err[128];
    assert_int_equal(inspect_corpus("encrypted-user-password.pdf", &info, err, sizeof err),
                     PDF_ENCRYPTED_NEEDS_PASSWORD);
    assert_null(info.pages);
    assert_int_equal(info.page_count, 0);
    assert_non_null(strstr(err, "password"));
}

static void truncated_file_is_damaged_and_needs_repair(void **state)
{
    (void)state;
    struct pdf_info info;
    char err[128];
    /* The first 600 bytes hold every object but not the xref: MuPDF rebuilds it. */
    assert_int_equal(inspect_corpus("truncated.pdf", &info, err, sizeof err), PDF_DAMAGED);
    assert_true(info.needs_repair);
    assert_int_equal(info.page_count, 1);
    assert_page(&info, 0, 595, 842, 0);
    pdf_info_free(&info);
}

static void text_file_is_not_a_pdf(void **state)
{
    (void)state;
    struct pdf_info info;
    char err[128];
    assert_int_equal(inspect_corpus("not-a-pdf.pdf", &info, err, sizeof err), PDF_NOT_PDF);
    assert_null(info.pages);
    assert_true(strlen(err) > 0);
}

static void empty_and_random_buffers_are_not_pdf(void **state)
{
    (void)state;
    struct pdf_info info;
    unsigned char random[4096];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof random; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        random[i] = (unsigned char)x;
    }
    assert_int_equal(pdf_inspect(engine, NULL, 0, &info, NULL, 0), PDF_NOT_PDF);
    assert_int_equal(pdf_inspect(engine, "", 0, &info, NULL, 0), PDF_NOT_PDF);
    assert_int_equal(pdf_inspect(engine, random, sizeof random, &info, NULL, 0), PDF_NOT_PDF);
    /* A header followed by garbage gets past our check and into MuPDF's repair. */
    memcpy(random, "%PDF-1.7\n", 9);
    assert_int_equal(pdf_inspect(engine, random, sizeof random, &info, NULL, 0), PDF_NOT_PDF);
    assert_int_equal(pdf_inspect(engine, "%PDF-", 5, &info, NULL, 0), PDF_NOT_PDF);
    assert_null(info.pages);
}

static void every_prefix_of_a_valid_file_is_handled(void **state)
{
    (void)state;
    size_t len;
    unsigned char *data = fixture_corpus("xref-stream.pdf", &len);
    assert_non_null(data);
    for (size_t cut = 0; cut <= len; cut += 7) {
        struct pdf_info info;
        enum pdf_result r = pdf_inspect(engine, data, cut, &info, NULL, 0);
        assert_true(r == PDF_OK || r == PDF_DAMAGED || r == PDF_NOT_PDF || r == PDF_NO_PAGES);
        if (r == PDF_OK || r == PDF_DAMAGED)
            assert_true(info.page_count >= 1);
        pdf_info_free(&info);
    }
    free(data);
}

static void invalid_arguments_are_refused(void **state)
{
    (void)state;
    struct pdf_info info;
    assert_int_equal(pdf_inspect(engine, "x", 1, NULL, NULL, 0), PDF_INVALID_ARGUMENT);
    assert_int_equal(pdf_inspect(NULL, "x", 1, &info, NULL, 0), PDF_INVALID_ARGUMENT);
    assert_int_equal(pdf_inspect(engine, NULL, 10, &info, NULL, 0), PDF_INVALID_ARGUMENT);
    pdf_engine_free(NULL);
}

/* A page whose CropBox starts away from the origin and /Rotate written as -90. */
static void crop_box_and_negative_rotation_give_the_visible_size(void **state)
{
    (void)state;
    static const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 /Rotate 180 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /CropBox [50 100 545 742]"
        " /Rotate -90 >>",
        /* Inherits /Rotate 180 from the page tree; CropBox beyond the MediaBox is clipped. */
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /CropBox [-10 -10 200 600] >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Rotate 450 >>",
    };
    size_t len;
    char *pdf = fixture_build(objs, 5, &len);
    struct pdf_info info;
    assert_int_equal(pdf_inspect(engine, pdf, len, &info, NULL, 0), PDF_OK);
    assert_int_equal(info.page_count, 3);
    assert_page(&info, 0, 642, 495, 270);
    assert_float_equal(info.pages[0].box_x0, 50, 0.01);
    assert_float_equal(info.pages[0].box_y0, 100, 0.01);
    assert_float_equal(info.pages[0].box_x1, 545, 0.01);
    assert_float_equal(info.pages[0].box_y1, 742, 0.01);
    assert_page(&info, 1, 200, 300, 180);
    assert_page(&info, 2, 100, 200, 90);
    assert_false(info.needs_repair);
    pdf_info_free(&info);
    free(pdf);
}

static void signature_fields_are_counted_and_signed_ones_told_apart(void **state)
{
    (void)state;
    static const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R"
        " /AcroForm << /Fields [4 0 R 6 0 R 7 0 R 9 0 R] /SigFlags 3 >> >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R 6 0 R] >>",
        "<< /FT /Sig /T (signed) /V 5 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0]"
        " /P 3 0 R /F 132 >>",
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached"
        " /ByteRange [0 10 20 10] /Contents <3000> >>",
        "<< /FT /Sig /T (empty) /Type /Annot /Subtype /Widget /Rect [10 10 100 50] /P 3 0 R >>",
        /* A parent field carrying /FT with one child field: the child is the signature field. */
        "<< /FT /Sig /T (parent) /Kids [8 0 R] >>",
        "<< /T (child) /Parent 7 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] >>",
        "<< /FT /Tx /T (name) /V (Alice) >>",
    };
    size_t len;
    char *pdf = fixture_build(objs, 9, &len);
    struct pdf_info info;
    assert_int_equal(pdf_inspect(engine, pdf, len, &info, NULL, 0), PDF_OK);
    assert_int_equal(info.signature_fields, 3);
    assert_int_equal(info.signed_fields, 1);
    pdf_info_free(&info);
    free(pdf);
}

static void field_tree_with_a_cycle_terminates(void **state)
{
    (void)state;
    static const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] >> >>",
        "<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        "<< /T (a) /FT /Sig /Kids [4 0 R 3 0 R] >>",
        "<< /T (b) /Kids [3 0 R 4 0 R] >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    };
    size_t len;
    char *pdf = fixture_build(objs, 5, &len);
    struct pdf_info info;
    assert_int_equal(pdf_inspect(engine, pdf, len, &info, NULL, 0), PDF_OK);
    assert_int_equal(info.signature_fields, 0);
    pdf_info_free(&info);
    free(pdf);
}

static void page_count_limits_are_enforced(void **state)
{
    (void)state;
    const char *objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 20000 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    };
    size_t len;
    char err[128];
    struct pdf_info info;
    char *pdf = fixture_build(objs, 3, &len);
    assert_int_equal(pdf_inspect(engine, pdf, len, &info, err, sizeof err), PDF_TOO_MANY_PAGES);
    assert_null(info.pages);
    assert_non_null(strstr(err, "10000"));
    free(pdf);

    objs[1] = "<< /Type /Pages /Kids [] /Count 0 >>";
    pdf = fixture_build(objs, 3, &len);
    assert_int_equal(pdf_inspect(engine, pdf, len, &info, NULL, 0), PDF_NO_PAGES);
    free(pdf);

    /* /Count lies: five pages announced, one present. */
    objs[1] = "<< /Type /Pages /Kids [3 0 R] /Count 5 >>";
    pdf = fixture_build(objs, 3, &len);
    enum pdf_result r = pdf_inspect(engine, pdf, len, &info, err, sizeof err);
    if (r != PDF_NOT_PDF)
        fail_msg("lying /Count: expected PDF_NOT_PDF, got %s", pdf_result_name(r));
    assert_null(info.pages);
    free(pdf);
}

struct worker {
    unsigned char *data;
    size_t len;
    int failures;
};

static void *inspect_many(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 200; i++) {
        struct pdf_info info;
        enum pdf_result r = pdf_inspect(engine, w->data, w->len, &info, NULL, 0);
        if (r != PDF_OK || info.page_count != 4 || info.pages[3].rotation != 90)
            w->failures++;
        pdf_info_free(&info);
    }
    return NULL;
}

static void two_threads_inspect_at_once(void **state)
{
    (void)state;
    struct worker w[2] = {{0}, {0}};
    pthread_t t[2];
    w[0].data = fixture_corpus("mixed-sizes.pdf", &w[0].len);
    w[1].data = fixture_corpus("xref-stream.pdf", &w[1].len);
    assert_non_null(w[0].data);
    assert_non_null(w[1].data);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, inspect_many, &w[i]), 0);
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
        cmocka_unit_test(simple_a4_is_one_plain_a4_page),
        cmocka_unit_test(mixed_sizes_report_each_size_and_the_rotated_page),
        cmocka_unit_test(xref_stream_and_linearized_files_read_like_the_original),
        cmocka_unit_test(incremental_update_is_ok),
        cmocka_unit_test(owner_only_encryption_opens_and_is_reported),
        cmocka_unit_test(user_password_is_refused_with_a_message),
        cmocka_unit_test(truncated_file_is_damaged_and_needs_repair),
        cmocka_unit_test(text_file_is_not_a_pdf),
        cmocka_unit_test(empty_and_random_buffers_are_not_pdf),
        cmocka_unit_test(every_prefix_of_a_valid_file_is_handled),
        cmocka_unit_test(invalid_arguments_are_refused),
        cmocka_unit_test(crop_box_and_negative_rotation_give_the_visible_size),
        cmocka_unit_test(signature_fields_are_counted_and_signed_ones_told_apart),
        cmocka_unit_test(field_tree_with_a_cycle_terminates),
        cmocka_unit_test(page_count_limits_are_enforced),
        cmocka_unit_test(two_threads_inspect_at_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
