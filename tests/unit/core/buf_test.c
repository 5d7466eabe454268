/* Tests for src/core/buf.c: the growable buffer with a hard limit. */
#include "core/buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void append_concatenates_and_keeps_a_terminating_nul(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1024);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_append(&b, "abc", 3), BUF_OK);
    assert_int_equal(buf_append_str(&b, "def"), BUF_OK);
    assert_int_equal(buf_append(&b, "ghiXXX", 3), BUF_OK);
    assert_int_equal(b.len, 9);
    assert_string_equal(b.data, "abcdefghi");
    assert_true(b.cap > b.len);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void append_of_zero_bytes_gives_an_empty_string(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 16);
    assert_int_equal(buf_append(&b, NULL, 0), BUF_OK);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

static void append_keeps_binary_data_with_embedded_nuls(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 64);
    static const char bin[] = {'a', '\0', 'b', '\0'};
    assert_int_equal(buf_append(&b, bin, sizeof bin), BUF_OK);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, bin, 4);
    assert_int_equal(b.data[4], '\0');
    buf_free(&b);
}

static void buffer_grows_across_many_appends(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 20);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(buf_append(&b, "0123456789", 10), BUF_OK);
    assert_int_equal(b.len, 100000);
    assert_int_equal(strlen(b.data), 100000);
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] != (char)('0' + i % 10))
            fail_msg("byte %zu is '%c'", i, b.data[i]);
    buf_free(&b);
}

static void appendf_formats_and_appends(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1024);
    assert_int_equal(buf_appendf(&b, "%s=%d", "n", 42), BUF_OK);
    assert_int_equal(buf_appendf(&b, ";%05.1f;%c", 3.14159, 'x'), BUF_OK);
    assert_int_equal(buf_appendf(&b, "%s", ""), BUF_OK);
    assert_string_equal(b.data, "n=42;003.1;x");
    assert_int_equal(b.len, strlen("n=42;003.1;x"));
    buf_free(&b);
}

static void appendf_output_longer_than_the_initial_capacity_is_complete(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 100000);
    char big[5001];
    memset(big, 'q', 5000);
    big[5000] = '\0';
    assert_int_equal(buf_appendf(&b, "<%s>", big), BUF_OK);
    assert_int_equal(b.len, 5002);
    assert_int_equal(b.data[0], '<');
    assert_int_equal(b.data[5001], '>');
    assert_int_equal(b.data[5002], '\0');
    buf_free(&b);
}

static void append_up_to_the_limit_succeeds(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_append(&b, "0123456789", 10), BUF_OK);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    assert_int_equal(buf_append(&b, "", 0), BUF_OK);
    buf_free(&b);
}

static void append_past_the_limit_fails_and_leaves_content_intact(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_append_str(&b, "hello"), BUF_OK);
    assert_int_equal(buf_append_str(&b, "world!"), BUF_TOO_LARGE);
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "hello");
    assert_int_equal(buf_appendf(&b, "%d", 123456), BUF_TOO_LARGE);
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "hello");
    assert_int_equal(buf_append(&b, "x", SIZE_MAX), BUF_TOO_LARGE);
    assert_string_equal(b.data, "hello");
    /* What still fits is accepted. */
    assert_int_equal(buf_appendf(&b, "%s", "12345"), BUF_OK);
    assert_string_equal(b.data, "hello12345");
    assert_int_equal(buf_append(&b, "x", 1), BUF_TOO_LARGE);
    assert_string_equal(b.data, "hello12345");
    buf_free(&b);
}

static void a_zero_limit_buffer_accepts_nothing(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_append(&b, "a", 1), BUF_TOO_LARGE);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

static void a_buffer_without_practical_limit_still_grows(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, SIZE_MAX);
    assert_int_equal(buf_append_str(&b, "abc"), BUF_OK);
    assert_string_equal(b.data, "abc");
    for (int i = 0; i < 100; i++)
        assert_int_equal(buf_append_str(&b, "0123456789"), BUF_OK);
    assert_int_equal(b.len, 1003);
    buf_free(&b);
}

static void reset_empties_but_keeps_the_buffer_usable(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 32);
    assert_int_equal(buf_append_str(&b, "something"), BUF_OK);
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(buf_append_str(&b, "other"), BUF_OK);
    assert_string_equal(b.data, "other");
    buf_free(&b);
}

static void steal_hands_over_the_data_and_empties_the_buffer(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 64);
    assert_int_equal(buf_appendf(&b, "id=%d", 7), BUF_OK);
    size_t len = 0;
    char *s = buf_steal(&b, &len);
    assert_non_null(s);
    assert_string_equal(s, "id=7");
    assert_int_equal(len, 4);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    /* The buffer can be reused after a steal; the stolen data is unaffected. */
    assert_int_equal(buf_append_str(&b, "new"), BUF_OK);
    assert_string_equal(b.data, "new");
    assert_string_equal(s, "id=7");
    free(s);
    buf_free(&b);
}

static void steal_of_an_empty_buffer_returns_an_empty_string(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 64);
    size_t len = 99;
    char *s = buf_steal(&b, &len);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    free(s);
    s = buf_steal(&b, NULL);
    assert_non_null(s);
    free(s);
}

static void free_twice_is_harmless(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 64);
    assert_int_equal(buf_append_str(&b, "x"), BUF_OK);
    buf_free(&b);
    buf_free(&b);
    assert_null(b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(append_concatenates_and_keeps_a_terminating_nul),
        cmocka_unit_test(append_of_zero_bytes_gives_an_empty_string),
        cmocka_unit_test(append_keeps_binary_data_with_embedded_nuls),
        cmocka_unit_test(buffer_grows_across_many_appends),
        cmocka_unit_test(appendf_formats_and_appends),
        cmocka_unit_test(appendf_output_longer_than_the_initial_capacity_is_complete),
        cmocka_unit_test(append_up_to_the_limit_succeeds),
        cmocka_unit_test(append_past_the_limit_fails_and_leaves_content_intact),
        cmocka_unit_test(a_zero_limit_buffer_accepts_nothing),
        cmocka_unit_test(a_buffer_without_practical_limit_still_grows),
        cmocka_unit_test(reset_empties_but_keeps_the_buffer_usable),
        cmocka_unit_test(steal_hands_over_the_data_and_empties_the_buffer),
        cmocka_unit_test(steal_of_an_empty_buffer_returns_an_empty_string),
        cmocka_unit_test(free_twice_is_harmless),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
