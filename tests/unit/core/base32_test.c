/* Tests for src/core/base32.c: RFC 4648 section 10 vectors, case, spaces, bad input. */
#include "core/base32.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static const struct {
    const char *plain, *encoded;
} rfc4648[] = {{"", ""},
               {"f", "MY"},
               {"fo", "MZXQ"},
               {"foo", "MZXW6"},
               {"foob", "MZXW6YQ"},
               {"fooba", "MZXW6YTB"},
               {"foobar", "MZXW6YTBOI"}};

static void encodes_rfc4648_vectors_without_padding(void **state)
{
    (void)state;
    char out[40];
    for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        assert_true(base32_encode(rfc4648[i].plain, strlen(rfc4648[i].plain), out, sizeof out));
        assert_string_equal(out, rfc4648[i].encoded);
        assert_int_equal(strlen(out), BASE32_LEN(strlen(rfc4648[i].plain)));
    }
    /* A 160-bit TOTP secret is 32 characters. */
    unsigned char key[20];
    memset(key, 0xff, sizeof key);
    assert_true(base32_encode(key, sizeof key, out, 33));
    assert_string_equal(out, "77777777777777777777777777777777");
    assert_false(base32_encode(key, sizeof key, out, 32));
}

static void decodes_with_padding_lower_case_and_spaces(void **state)
{
    (void)state;
    unsigned char out[32];
    size_t n;
    for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        assert_true(base32_decode(rfc4648[i].encoded, out, sizeof out, &n));
        assert_int_equal(n, strlen(rfc4648[i].plain));
        assert_memory_equal(out, rfc4648[i].plain, n);
    }
    assert_true(base32_decode("mzxw 6ytb oi======", out, sizeof out, &n));
    assert_int_equal(n, 6);
    assert_memory_equal(out, "foobar", 6);
}

static void rejects_bad_characters_trailing_bits_and_small_buffers(void **state)
{
    (void)state;
    unsigned char out[8];
    size_t n;
    assert_false(base32_decode("MZXW1", out, sizeof out, &n)); /* 1 is not in the alphabet */
    assert_false(base32_decode("MZ=XW", out, sizeof out, &n)); /* data after padding */
    assert_false(base32_decode("MZ7", out, sizeof out, &n));   /* a dangling character */
    assert_true(base32_decode("MY", out, sizeof out, &n));     /* "f": its 2 spare bits are 0 */
    assert_int_equal(n, 1);
    assert_false(base32_decode("M7", out, sizeof out, &n)); /* non-zero trailing bits */
    assert_false(base32_decode("MZXW6YTBOI", out, 5, &n));  /* 6 bytes into 5 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encodes_rfc4648_vectors_without_padding),
        cmocka_unit_test(decodes_with_padding_lower_case_and_spaces),
        cmocka_unit_test(rejects_bad_characters_trailing_bits_and_small_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
