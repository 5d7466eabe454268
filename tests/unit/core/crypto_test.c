/* Tests for src/core/crypto.c: SHA-256, HMAC-SHA256, HOTP/TOTP and AES-256-GCM sealing. */
#include "core/crypto.h"
#include "core/rand.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void hex_of(const unsigned char *md, char out[SHA256_HEX_LEN])
{
    crypto_hex(md, SHA256_LEN, out);
}

static void sha256_matches_known_vectors(void **state)
{
    (void)state;
    char hex[SHA256_HEX_LEN];
    crypto_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    crypto_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    unsigned char md[SHA256_LEN];
    crypto_sha256("abc", 3, md);
    assert_int_equal(md[0], 0xba);
    assert_int_equal(md[31], 0xad);
}

static void hex_is_lowercase_and_terminated(void **state)
{
    (void)state;
    static const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff};
    char out[9];
    memset(out, 'x', sizeof out);
    crypto_hex(bytes, sizeof bytes, out);
    assert_string_equal(out, "000fa5ff");
    crypto_hex(bytes, 0, out);
    assert_string_equal(out, "");
}

static void hmac_sha256_matches_rfc4231_case_1(void **state)
{
    (void)state;
    unsigned char key[20], md[SHA256_LEN];
    char hex[SHA256_HEX_LEN];
    memset(key, 0x0b, sizeof key);
    assert_true(crypto_hmac_sha256(key, sizeof key, "Hi There", 8, md));
    hex_of(md, hex);
    assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

static void hmac_sha256_matches_rfc4231_case_2(void **state)
{
    (void)state;
    unsigned char md[SHA256_LEN];
    char hex[SHA256_HEX_LEN];
    const char *data = "what do ya want for nothing?";
    assert_true(crypto_hmac_sha256("Jefe", 4, data, strlen(data), md));
    hex_of(md, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void hmac_sha256_hashes_keys_longer_than_a_block_rfc4231_case_6(void **state)
{
    (void)state;
    unsigned char key[131], md[SHA256_LEN];
    char hex[SHA256_HEX_LEN];
    memset(key, 0xaa, sizeof key);
    const char *data = "Test Using Larger Than Block-Size Key - Hash Key First";
    assert_true(crypto_hmac_sha256(key, sizeof key, data, strlen(data), md));
    hex_of(md, hex);
    assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

struct sealed {
    unsigned char key[CRYPTO_KEY_LEN];
    unsigned char out[256];
    size_t len;
};

static const char plain[] = "Evidence: Jane Example, born 1990-01-01, passport X1234567";
static const char aad[] = "registration:3f1c";

static void seal_sample(struct sealed *s)
{
    assert_true(rand_bytes(s->key, sizeof s->key));
    assert_true(crypto_seal(s->key, aad, strlen(aad), plain, strlen(plain), s->out, sizeof s->out,
                            &s->len));
    assert_int_equal(s->len, strlen(plain) + CRYPTO_SEAL_OVERHEAD);
}

static void seal_then_open_returns_the_plaintext(void **state)
{
    (void)state;
    struct sealed s;
    seal_sample(&s);
    /* The plaintext does not appear in the sealed record. */
    assert_null(memmem(s.out, s.len, "Jane", 4));
    unsigned char back[256];
    size_t back_len = 0;
    assert_true(crypto_open(s.key, aad, strlen(aad), s.out, s.len, back, sizeof back, &back_len));
    assert_int_equal(back_len, strlen(plain));
    assert_memory_equal(back, plain, back_len);
}

static void sealing_twice_uses_a_fresh_nonce(void **state)
{
    (void)state;
    unsigned char key[CRYPTO_KEY_LEN] = {1, 2, 3};
    unsigned char a[128], b[128];
    size_t alen = 0, blen = 0;
    assert_true(crypto_seal(key, NULL, 0, "same", 4, a, sizeof a, &alen));
    assert_true(crypto_seal(key, NULL, 0, "same", 4, b, sizeof b, &blen));
    assert_int_equal(alen, blen);
    assert_memory_not_equal(a, b, 12);
    assert_memory_not_equal(a + 12, b + 12, alen - 12);
}

static void empty_plaintext_and_no_aad_round_trip(void **state)
{
    (void)state;
    unsigned char key[CRYPTO_KEY_LEN] = {9};
    unsigned char sealed[64], back[16];
    size_t slen = 0, blen = 99;
    assert_true(crypto_seal(key, NULL, 0, "", 0, sealed, sizeof sealed, &slen));
    assert_int_equal(slen, CRYPTO_SEAL_OVERHEAD);
    assert_true(crypto_open(key, NULL, 0, sealed, slen, back, sizeof back, &blen));
    assert_int_equal(blen, 0);
}

static void open_fails_when_any_byte_is_tampered(void **state)
{
    (void)state;
    struct sealed s;
    seal_sample(&s);
    unsigned char back[256];
    size_t back_len;
    for (size_t i = 0; i < s.len; i++) {
        s.out[i] ^= 0x80;
        if (crypto_open(s.key, aad, strlen(aad), s.out, s.len, back, sizeof back, &back_len))
            fail_msg("tampered byte %zu of %zu was not detected", i, s.len);
        s.out[i] ^= 0x80;
    }
    assert_true(crypto_open(s.key, aad, strlen(aad), s.out, s.len, back, sizeof back, &back_len));
}

static void open_fails_on_truncated_records(void **state)
{
    (void)state;
    struct sealed s;
    seal_sample(&s);
    unsigned char back[256];
    size_t back_len;
    assert_false(
        crypto_open(s.key, aad, strlen(aad), s.out, s.len - 1, back, sizeof back, &back_len));
    assert_false(crypto_open(s.key, aad, strlen(aad), s.out, CRYPTO_SEAL_OVERHEAD - 1, back,
                             sizeof back, &back_len));
    assert_false(crypto_open(s.key, aad, strlen(aad), s.out, 0, back, sizeof back, &back_len));
}

static void open_fails_with_the_wrong_aad(void **state)
{
    (void)state;
    struct sealed s;
    seal_sample(&s);
    unsigned char back[256];
    size_t back_len;
    assert_false(crypto_open(s.key, "registration:3f1d", strlen(aad), s.out, s.len, back,
                             sizeof back, &back_len));
    assert_false(crypto_open(s.key, NULL, 0, s.out, s.len, back, sizeof back, &back_len));
    assert_false(
        crypto_open(s.key, aad, strlen(aad) - 1, s.out, s.len, back, sizeof back, &back_len));
}

static void open_fails_with_the_wrong_key(void **state)
{
    (void)state;
    struct sealed s;
    seal_sample(&s);
    unsigned char back[256];
    size_t back_len;
    unsigned char other[CRYPTO_KEY_LEN];
    memcpy(other, s.key, sizeof other);
    other[CRYPTO_KEY_LEN - 1] ^= 0x01;
    assert_false(crypto_open(other, aad, strlen(aad), s.out, s.len, back, sizeof back, &back_len));
}

static void seal_and_open_refuse_output_buffers_that_are_too_small(void **state)
{
    (void)state;
    struct sealed s;
    seal_sample(&s);
    unsigned char out[256];
    size_t len;
    assert_false(crypto_seal(s.key, NULL, 0, plain, strlen(plain), out,
                             strlen(plain) + CRYPTO_SEAL_OVERHEAD - 1, &len));
    assert_false(crypto_open(s.key, aad, strlen(aad), s.out, s.len, out, strlen(plain) - 1, &len));
}

/* RFC 4226 Appendix D: HOTP of the ASCII secret "12345678901234567890", counters 0..9. */
static void hotp_matches_rfc4226_appendix_d(void **state)
{
    (void)state;
    static const uint32_t want[] = {755224, 287082, 359152, 969429, 338314,
                                    254676, 287922, 162583, 399871, 520489};
    for (uint64_t c = 0; c < 10; c++) {
        uint32_t code = 0;
        assert_true(crypto_hotp("12345678901234567890", 20, c, 6, &code));
        assert_int_equal(code, want[c]);
    }
    uint32_t code;
    assert_false(crypto_hotp("12345678901234567890", 20, 0, 5, &code));
}

/* RFC 6238 Appendix B, the SHA1 rows (8 digits). */
static void totp_matches_rfc6238_appendix_b(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        uint32_t code;
    } rows[] = {{59, 94287082},         {1111111109, 7081804},  {1111111111, 14050471},
                {1234567890, 89005924}, {2000000000, 69279037}, {20000000000, 65353130}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint32_t code = 0;
        int64_t step = crypto_totp_step(rows[i].t * 1000);
        assert_true(crypto_hotp("12345678901234567890", 20, (uint64_t)step, 8, &code));
        assert_int_equal(code, rows[i].code);
    }
    assert_int_equal(crypto_totp_step(29999), 0);
    assert_int_equal(crypto_totp_step(30000), 1);
}

static void totp_accepts_one_step_either_side_and_never_a_step_twice(void **state)
{
    (void)state;
    const char *key = "12345678901234567890";
    int64_t step = -1;
    /* At 59 s (step 1): steps 0, 1, 2 are 755224, 287082, 359152 (HOTP counters). */
    assert_int_equal(crypto_totp_verify(key, 20, 59000, -1, "755224", &step), CRYPTO_TOTP_OK);
    assert_int_equal(step, 0);
    assert_int_equal(crypto_totp_verify(key, 20, 59000, -1, "287082", &step), CRYPTO_TOTP_OK);
    assert_int_equal(step, 1);
    assert_int_equal(crypto_totp_verify(key, 20, 59000, -1, "359152", &step), CRYPTO_TOTP_OK);
    assert_int_equal(step, 2);
    /* Two steps away is outside the window. */
    assert_int_equal(crypto_totp_verify(key, 20, 59000, -1, "969429", &step), CRYPTO_TOTP_WRONG);
    /* Step 1 was used: its code is refused as a replay, and so is an older step's. */
    assert_int_equal(crypto_totp_verify(key, 20, 59000, 1, "287082", &step), CRYPTO_TOTP_REPLAYED);
    assert_int_equal(crypto_totp_verify(key, 20, 59000, 1, "755224", &step), CRYPTO_TOTP_REPLAYED);
    assert_int_equal(crypto_totp_verify(key, 20, 59000, 1, "359152", &step), CRYPTO_TOTP_OK);
    assert_int_equal(step, 2);
    /* Not six digits. */
    assert_int_equal(crypto_totp_verify(key, 20, 59000, -1, "28708", &step), CRYPTO_TOTP_WRONG);
    assert_int_equal(crypto_totp_verify(key, 20, 59000, -1, "2870820", &step), CRYPTO_TOTP_WRONG);
    assert_int_equal(crypto_totp_verify(key, 20, 59000, -1, "28708a", &step), CRYPTO_TOTP_WRONG);
    assert_int_equal(crypto_totp_verify(key, 20, 59000, -1, NULL, &step), CRYPTO_TOTP_WRONG);
}

/* RFC 7914 section 12, the third and fourth vectors (N = 2^14 is close to what the admin
 * cockpit uses). */
static void scrypt_matches_rfc7914_vectors(void **state)
{
    (void)state;
    unsigned char out[64];
    char hex[129];
    assert_true(crypto_scrypt("password", 8, "NaCl", 4, 1024, 8, 16, out, sizeof out));
    crypto_hex(out, sizeof out, hex);
    assert_string_equal(hex, "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                             "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
    assert_true(
        crypto_scrypt("pleaseletmein", 13, "SodiumChloride", 14, 16384, 8, 1, out, sizeof out));
    crypto_hex(out, sizeof out, hex);
    assert_string_equal(hex, "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
                             "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
    /* N must be a power of two; 2^15 with r = 8 needs more than OpenSSL's default 32 MiB. */
    assert_false(crypto_scrypt("x", 1, "salt", 4, 1000, 8, 1, out, 32));
    assert_true(crypto_scrypt("x", 1, "salt", 4, 32768, 8, 1, out, 32));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_matches_known_vectors),
        cmocka_unit_test(scrypt_matches_rfc7914_vectors),
        cmocka_unit_test(hotp_matches_rfc4226_appendix_d),
        cmocka_unit_test(totp_matches_rfc6238_appendix_b),
        cmocka_unit_test(totp_accepts_one_step_either_side_and_never_a_step_twice),
        cmocka_unit_test(hex_is_lowercase_and_terminated),
        cmocka_unit_test(hmac_sha256_matches_rfc4231_case_1),
        cmocka_unit_test(hmac_sha256_matches_rfc4231_case_2),
        cmocka_unit_test(hmac_sha256_hashes_keys_longer_than_a_block_rfc4231_case_6),
        cmocka_unit_test(seal_then_open_returns_the_plaintext),
        cmocka_unit_test(sealing_twice_uses_a_fresh_nonce),
        cmocka_unit_test(empty_plaintext_and_no_aad_round_trip),
        cmocka_unit_test(open_fails_when_any_byte_is_tampered),
        cmocka_unit_test(open_fails_on_truncated_records),
        cmocka_unit_test(open_fails_with_the_wrong_aad),
        cmocka_unit_test(open_fails_with_the_wrong_key),
        cmocka_unit_test(seal_and_open_refuse_output_buffers_that_are_too_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
