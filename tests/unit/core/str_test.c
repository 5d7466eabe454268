/* Tests for src/core/str.c: bounded string helpers. */
#include "core/str.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

static void copy_that_fits_is_whole_and_reports_true(void **state)
{
    (void)state;
    char dst[8];
    memset(dst, 'x', sizeof dst);
    assert_true(str_copy(dst, sizeof dst, "abc"));
    assert_string_equal(dst, "abc");
    assert_true(str_copy(dst, sizeof dst, "1234567"));
    assert_string_equal(dst, "1234567");
    assert_true(str_copy(dst, sizeof dst, ""));
    assert_string_equal(dst, "");
}

static void copy_that_does_not_fit_is_cut_terminated_and_reports_false(void **state)
{
    (void)state;
    char dst[9];
    memset(dst, 'x', sizeof dst);
    assert_false(str_copy(dst, 8, "12345678"));
    assert_string_equal(dst, "1234567");
    assert_int_equal(dst[8], 'x'); /* nothing written past dstsize */
    char one[1] = {'x'};
    assert_false(str_copy(one, 1, "a"));
    assert_int_equal(one[0], '\0');
}

static void ndup_copies_n_bytes_and_terminates(void **state)
{
    (void)state;
    char *p = str_ndup("hello world", 5);
    assert_non_null(p);
    assert_string_equal(p, "hello");
    free(p);
    p = str_ndup("", 0);
    assert_non_null(p);
    assert_string_equal(p, "");
    free(p);
}

static void to_i64_parses_whole_numbers_within_bounds(void **state)
{
    (void)state;
    int64_t v = -1;
    assert_true(str_to_i64("0", 0, 10, &v));
    assert_int_equal(v, 0);
    assert_true(str_to_i64("10", 0, 10, &v));
    assert_int_equal(v, 10);
    assert_true(str_to_i64("-5", -5, 5, &v));
    assert_int_equal(v, -5);
    assert_true(str_to_i64("9223372036854775807", 0, INT64_MAX, &v));
    assert_true(v == INT64_MAX);
    assert_true(str_to_i64("-9223372036854775808", INT64_MIN, 0, &v));
    assert_true(v == INT64_MIN);
}

static void to_i64_rejects_out_of_range_and_non_numbers(void **state)
{
    (void)state;
    static const char *bad[] = {"",
                                "11",
                                "-1",
                                "abc",
                                "1a",
                                "1.0",
                                "0x5",
                                " 5",
                                "5 ",
                                "\t5",
                                "5\n",
                                "1e3",
                                "--1",
                                "- 1",
                                "9223372036854775808",
                                "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 77;
        if (str_to_i64(bad[i], 0, 10, &v))
            fail_msg("'%s' was accepted as %lld", bad[i], (long long)v);
        assert_int_equal(v, 77);
    }
    int64_t v = 77;
    assert_false(str_to_i64(NULL, 0, 10, &v));
    assert_false(str_to_i64("9223372036854775808", 0, INT64_MAX, &v));
    assert_int_equal(v, 77);
}

static void ieq_ignores_ascii_case_only(void **state)
{
    (void)state;
    assert_true(str_ieq("Content-Type", "content-type"));
    assert_true(str_ieq("", ""));
    assert_false(str_ieq("abc", "abcd"));
    assert_false(str_ieq("abc", "abd"));
}

static void has_prefix_matches_leading_text(void **state)
{
    (void)state;
    assert_true(str_has_prefix("sqlite:/tmp/x", "sqlite:"));
    assert_true(str_has_prefix("abc", ""));
    assert_true(str_has_prefix("abc", "abc"));
    assert_false(str_has_prefix("ab", "abc"));
    assert_false(str_has_prefix("Sqlite:", "sqlite:"));
}

static void ct_equal_compares_every_byte(void **state)
{
    (void)state;
    unsigned char a[32], b[32];
    memset(a, 0x5a, sizeof a);
    memcpy(b, a, sizeof b);
    assert_true(str_ct_equal(a, b, sizeof a));
    for (size_t i = 0; i < sizeof a; i++) {
        b[i] ^= 0x01;
        if (str_ct_equal(a, b, sizeof a))
            fail_msg("difference at byte %zu not detected", i);
        b[i] = a[i];
    }
    b[31] = 0x00;
    assert_true(str_ct_equal(a, b, 31));
    assert_true(str_ct_equal(a, b, 0));
}

/* True when s is valid UTF-8 for jansson, i.e. it can go into an Error object's message. */
static bool json_string_ok(const char *s)
{
    json_t *j = json_string(s);
    json_decref(j);
    return j != NULL;
}

static void utf8_repair_keeps_valid_text_and_replaces_cut_characters(void **state)
{
    (void)state;
    /* A message quoting a field name of "é" (2 bytes each) with "%.Ns" for an odd N ends in
     * the first byte of an "é": invalid UTF-8 until repaired, and only that byte changes. */
    char msg[64];
    snprintf(msg, sizeof msg, "Unknown field '%.5s'.", "\xc3\xa9\xc3\xa9\xc3\xa9");
    assert_string_equal(msg, "Unknown field '\xc3\xa9\xc3\xa9\xc3'.");
    assert_false(json_string_ok(msg));
    str_utf8_repair(msg);
    assert_string_equal(msg, "Unknown field '\xc3\xa9\xc3\xa9?'.");
    assert_true(json_string_ok(msg));

    /* Cut inside a 3-byte ("日") and a 4-byte ("😀") character: each stray byte becomes '?'. */
    snprintf(msg, sizeof msg, "'%.4s' '%.3s'", "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80");
    str_utf8_repair(msg);
    assert_string_equal(msg, "'\xe6\x97\xa5?' '?\?\?'"); /* \?: no trigraph */
    assert_true(json_string_ok(msg));

    /* Well-formed text (ASCII, 2-, 3- and 4-byte characters) is left as it is. */
    char ok[] = "Zürcher 日本 😀 ok";
    str_utf8_repair(ok);
    assert_string_equal(ok, "Zürcher 日本 😀 ok");

    /* What jansson refuses besides cut characters: overlong forms, surrogates, > U+10FFFF. */
    char bad[] = "a\xc0\xaf"
                 "b\xed\xa0\x80"
                 "c\xf4\x90\x80\x80"
                 "d\xff";
    str_utf8_repair(bad);
    assert_string_equal(bad, "a??b???c????d?");
    assert_true(json_string_ok(bad));

    char empty[] = "";
    str_utf8_repair(empty);
    assert_string_equal(empty, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_repair_keeps_valid_text_and_replaces_cut_characters),
        cmocka_unit_test(copy_that_fits_is_whole_and_reports_true),
        cmocka_unit_test(copy_that_does_not_fit_is_cut_terminated_and_reports_false),
        cmocka_unit_test(ndup_copies_n_bytes_and_terminates),
        cmocka_unit_test(to_i64_parses_whole_numbers_within_bounds),
        cmocka_unit_test(to_i64_rejects_out_of_range_and_non_numbers),
        cmocka_unit_test(ieq_ignores_ascii_case_only),
        cmocka_unit_test(has_prefix_matches_leading_text),
        cmocka_unit_test(ct_equal_compares_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
