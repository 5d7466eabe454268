/*
 * The registration status machine (srs/registration.c srs_status_allows): the forward path,
 * the end states, and what revocation and expiry may interrupt.
 */
#include "srs/registration.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void forward_path_is_allowed(void **state)
{
    (void)state;
    assert_true(srs_status_allows(SRS_OPEN, SRS_IN_IDENTIFICATION));
    assert_true(srs_status_allows(SRS_IN_IDENTIFICATION, SRS_AWAITING_TERMS));
    assert_true(srs_status_allows(SRS_IN_IDENTIFICATION, SRS_REJECTED));
    assert_true(srs_status_allows(SRS_AWAITING_TERMS, SRS_ACTIVE));
}

static void no_shortcuts(void **state)
{
    (void)state;
    assert_false(srs_status_allows(SRS_OPEN, SRS_ACTIVE));
    assert_false(srs_status_allows(SRS_OPEN, SRS_AWAITING_TERMS));
    assert_false(srs_status_allows(SRS_IN_IDENTIFICATION, SRS_ACTIVE));
    assert_false(srs_status_allows(SRS_AWAITING_TERMS, SRS_REJECTED));
}

static void end_states_stay(void **state)
{
    (void)state;
    const char *ends[] = {SRS_REJECTED, SRS_EXPIRED, SRS_REVOKED};
    const char *all[] = {SRS_OPEN,     SRS_IN_IDENTIFICATION, SRS_AWAITING_TERMS, SRS_ACTIVE,
                         SRS_REJECTED, SRS_EXPIRED,           SRS_REVOKED};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 7; j++)
            assert_false(srs_status_allows(ends[i], all[j]));
}

static void revocation_and_expiry_interrupt_live_states(void **state)
{
    (void)state;
    const char *live[] = {SRS_OPEN, SRS_IN_IDENTIFICATION, SRS_AWAITING_TERMS, SRS_ACTIVE};
    for (size_t i = 0; i < 4; i++) {
        assert_true(srs_status_allows(live[i], SRS_REVOKED));
        assert_true(srs_status_allows(live[i], SRS_EXPIRED));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(forward_path_is_allowed),
        cmocka_unit_test(no_shortcuts),
        cmocka_unit_test(end_states_stay),
        cmocka_unit_test(revocation_and_expiry_interrupt_live_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
