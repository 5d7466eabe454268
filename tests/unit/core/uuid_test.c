/* Tests for src/core/uuid.c: UUID v4 generation and validation. */
#include "core/uuid.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static bool is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void uuid_v4_has_canonical_lowercase_8_4_4_4_12_form(void **state)
{
    (void)state;
    char u[UUID_STR_LEN];
    memset(u, 'x', sizeof u);
    assert_true(uuid_v4(u));
    assert_int_equal(strlen(u), 36);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(u[i], '-');
        else if (!is_lower_hex(u[i]))
            fail_msg("character %d of '%s' is not a lowercase hex digit", i, u);
    }
    assert_true(uuid_is_valid(u));
}

static void uuid_v4_sets_version_4_and_rfc_variant_bits(void **state)
{
    (void)state;
    for (int n = 0; n < 1000; n++) {
        char u[UUID_STR_LEN];
        assert_true(uuid_v4(u));
        assert_int_equal(u[14], '4');
        if (!strchr("89ab", u[19]))
            fail_msg("variant nibble of '%s' is '%c', expected one of 8 9 a b", u, u[19]);
    }
}

static int cmp_uuid(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void uuid_v4_values_are_unique_over_many_calls(void **state)
{
    (void)state;
    enum { N = 10000 };
    char(*all)[UUID_STR_LEN] = calloc(N, sizeof *all);
    assert_non_null(all);
    for (int i = 0; i < N; i++)
        assert_true(uuid_v4(all[i]));
    qsort(all, N, sizeof *all, cmp_uuid);
    for (int i = 1; i < N; i++)
        if (strcmp(all[i - 1], all[i]) == 0)
            fail_msg("duplicate UUID %s", all[i]);
    free(all);
}

static void uuid_v4_random_bits_vary_in_every_position(void **state)
{
    (void)state;
    /* Over 200 UUIDs every random hex position must take more than one value. */
    char first[UUID_STR_LEN], u[UUID_STR_LEN];
    bool varied[36] = {false};
    assert_true(uuid_v4(first));
    for (int n = 0; n < 200; n++) {
        assert_true(uuid_v4(u));
        for (int i = 0; i < 36; i++)
            if (u[i] != first[i])
                varied[i] = true;
    }
    for (int i = 0; i < 36; i++) {
        bool fixed = i == 8 || i == 13 || i == 14 || i == 18 || i == 23;
        if (fixed)
            assert_false(varied[i]);
        else if (!varied[i])
            fail_msg("position %d never changed", i);
    }
}

static void uuid_is_valid_accepts_canonical_uuids_of_any_version_and_case(void **state)
{
    (void)state;
    assert_true(uuid_is_valid("123e4567-e89b-12d3-a456-426614174000"));
    assert_true(uuid_is_valid("00000000-0000-0000-0000-000000000000"));
    assert_true(uuid_is_valid("FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF"));
    assert_true(uuid_is_valid("f47ac10b-58cc-4372-A567-0e02b2c3d479"));
}

static void uuid_is_valid_rejects_malformed_strings(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "123e4567e89b12d3a456426614174000",       /* no dashes */
        "123e4567-e89b-12d3-a456-42661417400",    /* one short */
        "123e4567-e89b-12d3-a456-4266141740000",  /* one long */
        "123e4567-e89b-12d3-a456-42661417400g",   /* non-hex */
        "123e4567-e89b-12d3-a456_426614174000",   /* wrong separator */
        "123e4567-e89b-12d3a-456-426614174000",   /* dash misplaced */
        "{123e4567-e89b-12d3-a456-426614174000}", /* braces */
        " 123e4567-e89b-12d3-a456-42661417400",   /* leading space */
        "123e4567-e89b-12d3-a456-42661417400 ",   /* trailing space */
        "urn:uuid:123e4567-e89b-12d3-a456-426614174000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (uuid_is_valid(bad[i]))
            fail_msg("accepted '%s'", bad[i]);
    assert_false(uuid_is_valid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uuid_v4_has_canonical_lowercase_8_4_4_4_12_form),
        cmocka_unit_test(uuid_v4_sets_version_4_and_rfc_variant_bits),
        cmocka_unit_test(uuid_v4_values_are_unique_over_many_calls),
        cmocka_unit_test(uuid_v4_random_bits_vary_in_every_position),
        cmocka_unit_test(uuid_is_valid_accepts_canonical_uuids_of_any_version_and_case),
        cmocka_unit_test(uuid_is_valid_rejects_malformed_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
