/*
 * The SRS methods catalogue (srs/catalogue.c): the embedded default parses and serves what it
 * says; a bad operator file is refused with the method and field named; filtering by
 * jurisdiction and level; the connector stays internal.
 */
#include "core/embed.h"
#include "srs/catalogue.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define METHOD(extra)                                                                              \
    "{\"methods\":[{\"id\":\"SRS_X\",\"connector\":\"video-sim\","                                 \
    "\"name\":{\"en\":\"a\",\"de\":\"b\",\"fr\":\"c\",\"it\":\"d\"},"                              \
    "\"description\":{\"en\":\"a\",\"de\":\"b\",\"fr\":\"c\",\"it\":\"d\"},"                       \
    "\"jurisdictions\":[\"CH\"],\"levels\":[\"ADVANCED\"],"                                        \
    "\"validity\":{\"duration\":\"P2Y\",\"limitedByDocumentExpiry\":false},"                       \
    "\"requirements\":[\"ID_DOCUMENT\"],\"languages\":[\"de\"]" extra "}]}"

static struct srs_catalogue *parse(const char *text, char *err, size_t err_len)
{
    return srs_catalogue_parse(text, strlen(text), err, err_len);
}

static void embedded_default_serves_video_for_ch_and_eu(void **state)
{
    (void)state;
    char err[256] = "";
    const struct embedded_file *f = embed_find(web_files, "config/srs-methods.json");
    assert_non_null(f);
    struct srs_catalogue *c = srs_catalogue_parse((const char *)f->data, f->size, err, sizeof err);
    assert_non_null(c);
    const struct srs_method *m = srs_catalogue_find(c, "SRS_VIDEO");
    assert_non_null(m);
    assert_string_equal(m->connector, "video-sim");
    assert_int_equal(m->validity.years, 5);
    assert_true(m->limited_by_document);
    assert_true(srs_method_serves(m, "CH", "QUALIFIED"));
    assert_true(srs_method_serves(m, "EU", "ADVANCED"));
    json_t *j = srs_catalogue_json(c, "EU", "QUALIFIED");
    json_t *first = json_array_get(json_object_get(j, "methods"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "id")), "SRS_VIDEO");
    assert_null(json_object_get(first, "connector"));
    json_decref(j);
    srs_catalogue_free(c);
}

static void filter_leaves_out_methods_that_do_not_serve(void **state)
{
    (void)state;
    char err[256] = "";
    struct srs_catalogue *c = parse(METHOD(""), err, sizeof err);
    assert_non_null(c);
    json_t *j = srs_catalogue_json(c, "CH", "QUALIFIED");
    assert_int_equal(json_array_size(json_object_get(j, "methods")), 0);
    json_decref(j);
    j = srs_catalogue_json(c, "CH", NULL);
    assert_int_equal(json_array_size(json_object_get(j, "methods")), 1);
    json_decref(j);
    srs_catalogue_free(c);
}

static void bad_files_name_the_field(void **state)
{
    (void)state;
    char err[256] = "";
    static const struct {
        const char *text, *field;
    } cases[] = {
        {"{\"methods\":[{\"id\":\"A\",\"connector\":\"nobody\"}]}", "\"connector\""},
        {"{\"methods\":[{\"id\":\"A\",\"connector\":\"video-sim\",\"name\":{\"en\":\"a\"}}]}",
         "\"name\""},
        {"{\"methods\":[]}", "non-empty"},
        {"not json", "not JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_null(parse(cases[i].text, err, sizeof err));
        if (!strstr(err, cases[i].field))
            fail_msg("case %zu: expected %s in: %s", i, cases[i].field, err);
    }
    char twice[4096];
    snprintf(twice, sizeof twice, "%s", METHOD(""));
    /* The same method twice. */
    char *end = strrchr(twice, ']');
    const char *entry = strchr(METHOD(""), '[') + 1;
    size_t entry_len = strlen(entry) - 2; /* without "]}" */
    snprintf(end, sizeof twice - (size_t)(end - twice), ",%.*s]}", (int)entry_len, entry);
    assert_null(parse(twice, err, sizeof err));
    assert_non_null(strstr(err, "appears twice"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(embedded_default_serves_video_for_ch_and_eu),
        cmocka_unit_test(filter_leaves_out_methods_that_do_not_serve),
        cmocka_unit_test(bad_files_name_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
