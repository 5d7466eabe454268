/* Tests for src/core/reason.c: a reason and its params travel in front of a message and come
 * apart again; a message without one is left alone. */
#include "core/reason.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void message_with_reason_and_params_splits_back(void **state)
{
    (void)state;
    char buf[256], key[REASON_KEY_MAX];
    json_t *params = NULL;
    assert_false(reason_message(buf, sizeof buf, "code.wrong", json_pack("{s:i}", "tries", 3),
                                "The code is wrong; %d more tries.", 3));
    const char *text = reason_split(buf, key, sizeof key, &params);
    assert_string_equal(text, "The code is wrong; 3 more tries.");
    assert_string_equal(key, "code.wrong");
    assert_int_equal(json_integer_value(json_object_get(params, "tries")), 3);
    json_decref(params);
}

static void plain_message_has_no_reason(void **state)
{
    (void)state;
    char buf[64], key[REASON_KEY_MAX];
    json_t *params = (json_t *)1;
    reason_message(buf, sizeof buf, NULL, NULL, "Plain %s.", "text");
    assert_string_equal(reason_split(buf, key, sizeof key, &params), "Plain text.");
    assert_string_equal(key, "");
    assert_null(params);
    assert_string_equal(buf, "Plain text.");
}

static void tag_replaces_an_earlier_reason_and_keeps_the_text(void **state)
{
    (void)state;
    char buf[128], key[REASON_KEY_MAX];
    reason_message(buf, sizeof buf, "first", NULL, "Field 'image': the PNG is cut short.");
    reason_tag(buf, sizeof buf, "drawing.invalid", NULL);
    json_t *params = NULL;
    assert_string_equal(reason_split(buf, key, sizeof key, &params),
                        "Field 'image': the PNG is cut short.");
    assert_string_equal(key, "drawing.invalid");
    assert_null(params);
}

static void text_is_cut_to_fit_behind_the_header(void **state)
{
    (void)state;
    char buf[40], key[REASON_KEY_MAX];
    reason_message(buf, sizeof buf, "x.y", NULL, "%s", "0123456789012345678901234567890123456789");
    const char *text = reason_split(buf, key, sizeof key, NULL);
    assert_string_equal(key, "x.y");
    assert_true(strlen(text) > 0);
    assert_int_equal(strncmp(text, "0123", 4), 0);
    assert_true(strlen(buf) < sizeof buf);
}

static void header_that_does_not_fit_leaves_the_message_alone(void **state)
{
    (void)state;
    char buf[16], key[REASON_KEY_MAX];
    reason_message(buf, sizeof buf, "code.wrong", json_pack("{s:i}", "tries", 3), "Wrong.");
    assert_string_equal(buf, "Wrong.");
    assert_string_equal(reason_split(buf, key, sizeof key, NULL), "Wrong.");
    assert_string_equal(key, "");
}

static void malformed_headers_and_bad_keys_are_text(void **state)
{
    (void)state;
    char key[REASON_KEY_MAX];
    const char *a = "\x1e{\"reason\":\"ok\"";
    assert_ptr_equal(reason_split(a, key, sizeof key, NULL), a); /* no closing mark */
    const char *b = "\x1e{\"reason\":\"no spaces\"}\x1eText";
    assert_ptr_equal(reason_split(b, key, sizeof key, NULL), b);
    const char *c = "\x1e{\"reason\":\"k\",\"params\":[1]}\x1eText";
    assert_ptr_equal(reason_split(c, key, sizeof key, NULL), c);
    assert_string_equal(key, "");
    char buf[64];
    reason_message(buf, sizeof buf, "bad key!", NULL, "Text.");
    assert_string_equal(buf, "Text.");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(message_with_reason_and_params_splits_back),
        cmocka_unit_test(plain_message_has_no_reason),
        cmocka_unit_test(tag_replaces_an_earlier_reason_and_keeps_the_text),
        cmocka_unit_test(text_is_cut_to_fit_behind_the_header),
        cmocka_unit_test(header_that_does_not_fit_leaves_the_message_alone),
        cmocka_unit_test(malformed_headers_and_bad_keys_are_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
