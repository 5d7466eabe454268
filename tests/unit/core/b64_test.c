/* Tests for src/core/b64.c: RFC 4648 vectors, round trips and strict decoding. */
#include "core/b64.h"
#include "core/rand.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct vector {
    const char *plain, *std, *url;
};

/* RFC 4648 section 10; base64url drops the padding. */
static const struct vector rfc4648[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

static void expect_decode(const char *in, enum b64_variant v, const void *want, size_t want_len)
{
    unsigned char *out = NULL;
    size_t out_len = 12345;
    if (!b64_decode(in, strlen(in), v, &out, &out_len))
        fail_msg("decoding '%s' (%s) failed", in, v == B64_STD ? "std" : "url");
    assert_int_equal(out_len, want_len);
    assert_memory_equal(out, want, want_len);
    assert_int_equal(out[out_len], '\0');
    assert_int_equal(b64_decoded_size(in, strlen(in), v), want_len);
    free(out);
}

static void expect_reject(const char *in, size_t len, enum b64_variant v)
{
    unsigned char *out = (unsigned char *)"sentinel";
    size_t out_len = 777;
    if (b64_decode(in, len, v, &out, &out_len))
        fail_msg("decoding '%.*s' (%s) succeeded, expected rejection", (int)len, in,
                 v == B64_STD ? "std" : "url");
    assert_string_equal((const char *)out, "sentinel");
    assert_int_equal(out_len, 777);
    assert_int_equal(b64_decoded_size(in, len, v), 0);
}

static void encode_matches_rfc4648_vectors_in_both_variants(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        const struct vector *t = &rfc4648[i];
        char *s = b64_encode(t->plain, strlen(t->plain), B64_STD);
        assert_non_null(s);
        assert_string_equal(s, t->std);
        free(s);
        s = b64_encode(t->plain, strlen(t->plain), B64_URL);
        assert_non_null(s);
        assert_string_equal(s, t->url);
        free(s);
    }
}

static void decode_matches_rfc4648_vectors_in_both_variants(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        const struct vector *t = &rfc4648[i];
        expect_decode(t->std, B64_STD, t->plain, strlen(t->plain));
        expect_decode(t->url, B64_URL, t->plain, strlen(t->plain));
    }
}

static void url_variant_accepts_input_with_padding_too(void **state)
{
    (void)state;
    expect_decode("Zg==", B64_URL, "f", 1);
    expect_decode("Zm8=", B64_URL, "fo", 2);
    expect_decode("Zm9vYg==", B64_URL, "foob", 4);
}

static void variants_use_their_own_alphabet_for_62_and_63(void **state)
{
    (void)state;
    static const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
    char *s = b64_encode(bytes, sizeof bytes, B64_STD);
    assert_string_equal(s, "+/+/");
    free(s);
    s = b64_encode(bytes, sizeof bytes, B64_URL);
    assert_string_equal(s, "-_-_");
    free(s);
    expect_decode("+/+/", B64_STD, bytes, sizeof bytes);
    expect_decode("-_-_", B64_URL, bytes, sizeof bytes);
    expect_reject("-_-_", 4, B64_STD);
    expect_reject("+/+/", 4, B64_URL);
}

static void random_data_of_every_length_up_to_1000_round_trips(void **state)
{
    (void)state;
    unsigned char data[1000];
    assert_true(rand_bytes(data, sizeof data));
    for (size_t len = 0; len <= sizeof data; len++) {
        for (int v = B64_STD; v <= B64_URL; v++) {
            char *s = b64_encode(data, len, (enum b64_variant)v);
            assert_non_null(s);
            size_t slen = strlen(s);
            size_t want = v == B64_STD ? (len + 2) / 3 * 4 : (len * 4 + 2) / 3;
            if (slen != want)
                fail_msg("length %zu: encoded to %zu characters, expected %zu", len, slen, want);
            unsigned char *out = NULL;
            size_t out_len = 0;
            assert_true(b64_decode(s, slen, (enum b64_variant)v, &out, &out_len));
            assert_int_equal(out_len, len);
            if (len)
                assert_memory_equal(out, data, len);
            assert_int_equal(b64_decoded_size(s, slen, (enum b64_variant)v), len);
            free(out);
            free(s);
        }
    }
}

static void decode_uses_only_len_characters_of_the_input(void **state)
{
    (void)state;
    unsigned char *out = NULL;
    size_t out_len = 0;
    assert_true(b64_decode("Zm9vYmFy!!!", 8, B64_STD, &out, &out_len));
    assert_int_equal(out_len, 6);
    assert_memory_equal(out, "foobar", 6);
    free(out);
}

static void decode_rejects_characters_outside_the_alphabet(void **state)
{
    (void)state;
    expect_reject("Zm9v!mFy", 8, B64_STD);
    expect_reject("Zm9v*mFy", 8, B64_URL);
    expect_reject("Zm9vYmF\x80", 8, B64_STD);
    expect_reject("Zm=vYmFy", 8, B64_STD);  /* padding in the middle */
    expect_reject("Zg==Zm9v", 8, B64_STD);  /* data after padding */
    expect_reject("Zm9v\0mFy", 8, B64_STD); /* embedded NUL */
}

static void decode_rejects_whitespace_anywhere(void **state)
{
    (void)state;
    static const char *bad[] = {" Zm9v", "Zm9v ", "Zm 9v", "Zm9v\n", "Zm9v\r\nYmFy", "\tZm9v"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_reject(bad[i], strlen(bad[i]), B64_STD);
        expect_reject(bad[i], strlen(bad[i]), B64_URL);
    }
}

static void decode_rejects_wrong_padding(void **state)
{
    (void)state;
    expect_reject("Zg=", 3, B64_STD);
    expect_reject("Zg===", 5, B64_STD);
    expect_reject("Zm8==", 5, B64_STD);
    expect_reject("Zm9v=", 5, B64_STD);
    expect_reject("Zm9v====", 8, B64_STD);
    expect_reject("Z===", 4, B64_STD);
    expect_reject("====", 4, B64_STD);
    expect_reject("=", 1, B64_STD);
    expect_reject("Zg=", 3, B64_URL);
    expect_reject("Zm8==", 5, B64_URL);
    expect_reject("Zg===", 5, B64_URL);
    expect_reject("====", 4, B64_URL);
}

static void standard_variant_requires_padding(void **state)
{
    (void)state;
    expect_reject("Zg", 2, B64_STD);
    expect_reject("Zm8", 3, B64_STD);
    expect_reject("Zm9vYg", 6, B64_STD);
}

static void decode_rejects_non_zero_trailing_bits(void **state)
{
    (void)state;
    /* "Zg==" is canonical for "f"; "Zh==" carries a stray bit in the unused part. */
    expect_reject("Zh==", 4, B64_STD);
    expect_reject("Zh", 2, B64_URL);
    expect_reject("Zm9=", 4, B64_STD);
    expect_reject("Zm9", 3, B64_URL);
    expect_decode("Zm8=", B64_STD, "fo", 2);
}

static void decode_rejects_a_single_character_remainder(void **state)
{
    (void)state;
    expect_reject("Z", 1, B64_URL);
    expect_reject("Zm9vY", 5, B64_URL);
    expect_reject("Zm9vY", 5, B64_STD);
    expect_reject("Zm9vY===", 8, B64_STD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encode_matches_rfc4648_vectors_in_both_variants),
        cmocka_unit_test(decode_matches_rfc4648_vectors_in_both_variants),
        cmocka_unit_test(url_variant_accepts_input_with_padding_too),
        cmocka_unit_test(variants_use_their_own_alphabet_for_62_and_63),
        cmocka_unit_test(random_data_of_every_length_up_to_1000_round_trips),
        cmocka_unit_test(decode_uses_only_len_characters_of_the_input),
        cmocka_unit_test(decode_rejects_characters_outside_the_alphabet),
        cmocka_unit_test(decode_rejects_whitespace_anywhere),
        cmocka_unit_test(decode_rejects_wrong_padding),
        cmocka_unit_test(standard_variant_requires_padding),
        cmocka_unit_test(decode_rejects_non_zero_trailing_bits),
        cmocka_unit_test(decode_rejects_a_single_character_remainder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
