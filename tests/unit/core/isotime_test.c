/* Tests for src/core/isotime.c: ISO 8601 date-times and durations. */
#include "core/isotime.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define HOUR_MS (3600LL * 1000)
#define DAY_MS  (24 * HOUR_MS)

static int64_t parse_ok(const char *s)
{
    int64_t ms = -777;
    if (!iso_parse_datetime(s, &ms))
        fail_msg("'%s' was rejected", s);
    return ms;
}

static void parse_bad(const char *s)
{
    int64_t ms = -777;
    if (iso_parse_datetime(s, &ms))
        fail_msg("'%s' was accepted (as %lld ms)", s, (long long)ms);
    assert_int_equal(ms, -777);
}

static void utc_date_times_parse_to_epoch_milliseconds(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("2000-01-01T00:00:00Z"), 946684800000LL);
    assert_int_equal(parse_ok("2024-01-01T00:00:00Z"), 1704067200000LL);
    assert_int_equal(parse_ok("2024-01-01t00:00:01z"), 1704067201000LL);
    assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -1000);
}

static void positive_and_negative_offsets_convert_to_utc(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-06-15T12:30:45+02:00"), parse_ok("2024-06-15T10:30:45Z"));
    assert_int_equal(parse_ok("2024-06-15T12:00:00-05:30"), parse_ok("2024-06-15T17:30:00Z"));
    assert_int_equal(parse_ok("2024-01-01T01:00:00+01:00"), 1704067200000LL);
    assert_int_equal(parse_ok("2023-12-31T23:00:00-01:00"), 1704067200000LL);
    assert_int_equal(parse_ok("2024-01-01T00:00:00+00:00"), 1704067200000LL);
}

static void fractions_give_milliseconds_and_extra_digits_are_truncated(void **state)
{
    (void)state;
    int64_t base = 1704067200000LL;
    assert_int_equal(parse_ok("2024-01-01T00:00:00.5Z"), base + 500);
    assert_int_equal(parse_ok("2024-01-01T00:00:00.05Z"), base + 50);
    assert_int_equal(parse_ok("2024-01-01T00:00:00.123Z"), base + 123);
    assert_int_equal(parse_ok("2024-01-01T00:00:00.123999Z"), base + 123);
    assert_int_equal(parse_ok("2024-01-01T00:00:00,250Z"), base + 250);
    assert_int_equal(parse_ok("2024-01-01T02:00:00.750+02:00"), base + 750);
    assert_int_equal(parse_ok("1969-12-31T23:59:59.999Z"), -1);
}

static void leap_day_exists_only_in_leap_years(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-02-29T12:00:00Z"), 1709208000000LL);
    assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), 951782400000LL);
    parse_bad("2023-02-29T12:00:00Z");
    parse_bad("1900-02-29T00:00:00Z");
    parse_bad("2024-02-30T00:00:00Z");
}

static void impossible_fields_are_rejected(void **state)
{
    (void)state;
    parse_bad("2024-00-10T00:00:00Z");
    parse_bad("2024-13-10T00:00:00Z");
    parse_bad("2024-04-31T00:00:00Z");
    parse_bad("2024-04-00T00:00:00Z");
    parse_bad("2024-04-10T24:00:00Z");
    parse_bad("2024-04-10T23:60:00Z");
    parse_bad("2024-04-10T23:59:60Z");
    parse_bad("2024-04-10T10:00:00+24:00");
    parse_bad("2024-04-10T10:00:00+01:60");
}

static void missing_offset_is_rejected(void **state)
{
    (void)state;
    parse_bad("2024-06-15T12:30:45");
    parse_bad("2024-06-15T12:30:45.123");
    parse_bad("2024-06-15T12:30:45+02");
    parse_bad("2024-06-15T12:30:45+0200");
}

static void trailing_garbage_and_malformed_text_are_rejected(void **state)
{
    (void)state;
    parse_bad("2024-06-15T12:30:45Zx");
    parse_bad("2024-06-15T12:30:45Z ");
    parse_bad("2024-06-15T12:30:45+02:00:00");
    parse_bad("2024-06-15T12:30:45.Z");
    parse_bad("2024-06-15 12:30:45Z");
    parse_bad("2024-06-15");
    parse_bad("24-06-15T12:30:45Z");
    parse_bad("2024-6-15T12:30:45Z");
    parse_bad(" 2024-06-15T12:30:45Z");
    parse_bad("");
    parse_bad("2024-06-15T12:30");
    int64_t ms;
    assert_false(iso_parse_datetime(NULL, &ms));
}

static void format_writes_utc_with_and_without_milliseconds(void **state)
{
    (void)state;
    char out[ISO_DATETIME_LEN];
    iso_format_datetime(0, false, out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    iso_format_datetime(1709208000123LL, true, out);
    assert_string_equal(out, "2024-02-29T12:00:00.123Z");
    iso_format_datetime(1709208000123LL, false, out);
    assert_string_equal(out, "2024-02-29T12:00:00Z");
    iso_format_datetime(-1, true, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
    iso_format_datetime(253402300799999LL, true, out);
    assert_string_equal(out, "9999-12-31T23:59:59.999Z");
}

static void format_then_parse_round_trips(void **state)
{
    (void)state;
    static const int64_t values[] = {0,
                                     1,
                                     -1,
                                     999,
                                     86399999,
                                     86400000,
                                     951782400000LL,
                                     1709208000123LL,
                                     4102444799999LL,
                                     -2208988800000LL,
                                     253402300799999LL};
    char out[ISO_DATETIME_LEN];
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        iso_format_datetime(values[i], true, out);
        int64_t back = parse_ok(out);
        if (back != values[i])
            fail_msg("%lld -> '%s' -> %lld", (long long)values[i], out, (long long)back);
    }
    /* Every day across several years, at an odd time of day. */
    for (int64_t ms = 946684800000LL + 12345678; ms < 1893456000000LL; ms += DAY_MS + 1001) {
        iso_format_datetime(ms, true, out);
        assert_int_equal(parse_ok(out), ms);
        iso_format_datetime(ms, false, out);
        assert_int_equal(parse_ok(out), ms - ms % 1000);
    }
}

static struct iso_duration dur_ok(const char *s)
{
    struct iso_duration d;
    if (!iso_parse_duration(s, &d))
        fail_msg("duration '%s' was rejected", s);
    return d;
}

static void assert_duration(const char *s, int64_t y, int64_t mo, int64_t w, int64_t d, int64_t h,
                            int64_t mi, int64_t ms)
{
    struct iso_duration got = dur_ok(s);
    if (got.years != y || got.months != mo || got.weeks != w || got.days != d || got.hours != h ||
        got.minutes != mi || got.millis != ms)
        fail_msg("'%s' parsed as Y%lld M%lld W%lld D%lld H%lld Min%lld ms%lld", s,
                 (long long)got.years, (long long)got.months, (long long)got.weeks,
                 (long long)got.days, (long long)got.hours, (long long)got.minutes,
                 (long long)got.millis);
}

static void durations_parse_into_their_parts(void **state)
{
    (void)state;
    assert_duration("P30D", 0, 0, 0, 30, 0, 0, 0);
    assert_duration("PT12H", 0, 0, 0, 0, 12, 0, 0);
    assert_duration("P1DT2H", 0, 0, 0, 1, 2, 0, 0);
    assert_duration("P2W", 0, 0, 2, 0, 0, 0, 0);
    assert_duration("P1Y2M", 1, 2, 0, 0, 0, 0, 0);
    assert_duration("PT0.5S", 0, 0, 0, 0, 0, 0, 500);
    assert_duration("PT1.25S", 0, 0, 0, 0, 0, 0, 1250);
    assert_duration("PT90S", 0, 0, 0, 0, 0, 0, 90000);
    assert_duration("PT5M", 0, 0, 0, 0, 0, 5, 0);
    assert_duration("P1M", 0, 1, 0, 0, 0, 0, 0);
    assert_duration("P1Y2M3DT4H5M6S", 1, 2, 0, 3, 4, 5, 6000);
    assert_duration("P0D", 0, 0, 0, 0, 0, 0, 0);
}

static void malformed_durations_are_rejected(void **state)
{
    (void)state;
    static const char *bad[] = {"",      "P",     "PT",    "P1DT",    "PT1D",        "P1H",
                                "-P1D",  "P1M1Y", "P1D1D", "PT1S1H",  "P1",          "PD",
                                "P1.5D", "PT.5S", "PT1.H", "PT1.5H",  "1D",          "P1DTT1H",
                                "P-1D",  "P1D ",  " P1D",  "PT1HT1M", "P1234567890D"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct iso_duration d;
        if (iso_parse_duration(bad[i], &d))
            fail_msg("duration '%s' was accepted", bad[i]);
    }
    struct iso_duration d;
    assert_false(iso_parse_duration(NULL, &d));
}

static int64_t add_ok(const char *from, const char *dur)
{
    struct iso_duration d = dur_ok(dur);
    int64_t out = 0;
    if (!iso_duration_add(parse_ok(from), &d, &out))
        fail_msg("%s + %s failed", from, dur);
    return out;
}

static void adding_months_clamps_to_the_end_of_shorter_months(void **state)
{
    (void)state;
    assert_int_equal(add_ok("2024-01-31T10:00:00Z", "P1M"), parse_ok("2024-02-29T10:00:00Z"));
    assert_int_equal(add_ok("2023-01-31T10:00:00Z", "P1M"), parse_ok("2023-02-28T10:00:00Z"));
    assert_int_equal(add_ok("2024-03-31T00:00:00Z", "P1M"), parse_ok("2024-04-30T00:00:00Z"));
    assert_int_equal(add_ok("2024-12-31T23:59:59.999Z", "P2M"),
                     parse_ok("2025-02-28T23:59:59.999Z"));
    assert_int_equal(add_ok("2024-02-29T08:00:00Z", "P1Y"), parse_ok("2025-02-28T08:00:00Z"));
    assert_int_equal(add_ok("2024-02-29T08:00:00Z", "P4Y"), parse_ok("2028-02-29T08:00:00Z"));
    assert_int_equal(add_ok("2024-11-15T00:00:00Z", "P1Y2M"), parse_ok("2026-01-15T00:00:00Z"));
}

static void adding_fixed_parts_adds_exact_time(void **state)
{
    (void)state;
    int64_t from = parse_ok("2024-02-28T23:00:00Z");
    assert_int_equal(add_ok("2024-02-28T23:00:00Z", "P1DT2H"), from + 26 * HOUR_MS);
    assert_int_equal(add_ok("2024-02-28T23:00:00Z", "P30D"), parse_ok("2024-03-29T23:00:00Z"));
    assert_int_equal(add_ok("2024-02-28T23:00:00Z", "P2W"), from + 14 * DAY_MS);
    assert_int_equal(add_ok("2024-02-28T23:00:00Z", "PT0.5S"), from + 500);
    assert_int_equal(add_ok("2024-01-31T12:00:00Z", "P1M1D"), parse_ok("2024-03-01T12:00:00Z"));
}

static void adding_to_a_time_before_the_epoch_works(void **state)
{
    (void)state;
    assert_int_equal(add_ok("1969-12-31T00:00:00Z", "P1D"), 0);
    assert_int_equal(add_ok("1969-12-31T12:00:00Z", "PT12H"), 0);
    assert_int_equal(add_ok("1969-01-31T00:00:00Z", "P1M"), parse_ok("1969-02-28T00:00:00Z"));
}

static void adding_to_a_time_before_year_0_fails_instead_of_misreading_the_month(void **state)
{
    (void)state;
    /* 0000-01-01 minus 30 days is in December of year -1, outside what we represent. */
    int64_t before_year_0 = parse_ok("0000-01-01T00:00:00Z") - 30 * DAY_MS;
    struct iso_duration d = dur_ok("P0D");
    int64_t out = 0;
    assert_false(iso_duration_add(before_year_0, &d, &out));
    d = dur_ok("P1M");
    assert_false(iso_duration_add(before_year_0 - 300 * DAY_MS, &d, &out));
    /* Year 0 itself still works. */
    assert_true(iso_duration_add(parse_ok("0000-01-31T00:00:00Z"), &d, &out));
    assert_int_equal(out, parse_ok("0000-02-29T00:00:00Z"));
}

static void adding_beyond_year_9999_fails(void **state)
{
    (void)state;
    struct iso_duration d = dur_ok("P10000Y");
    int64_t out = 0;
    assert_false(iso_duration_add(parse_ok("2024-01-01T00:00:00Z"), &d, &out));
}

static void fixed_length_is_known_only_without_years_and_months(void **state)
{
    (void)state;
    struct iso_duration d;
    int64_t ms = -1;
    d = dur_ok("P1DT2H");
    assert_true(iso_duration_fixed_ms(&d, &ms));
    assert_int_equal(ms, 26 * HOUR_MS);
    d = dur_ok("P2W");
    assert_true(iso_duration_fixed_ms(&d, &ms));
    assert_int_equal(ms, 14 * DAY_MS);
    d = dur_ok("PT0.5S");
    assert_true(iso_duration_fixed_ms(&d, &ms));
    assert_int_equal(ms, 500);
    d = dur_ok("P1W1DT1H1M1.001S");
    assert_true(iso_duration_fixed_ms(&d, &ms));
    assert_int_equal(ms, 8 * DAY_MS + HOUR_MS + 60000 + 1001);
    ms = -1;
    d = dur_ok("P1M");
    assert_false(iso_duration_fixed_ms(&d, &ms));
    d = dur_ok("P1Y");
    assert_false(iso_duration_fixed_ms(&d, &ms));
    d = dur_ok("P1Y2M");
    assert_false(iso_duration_fixed_ms(&d, &ms));
    assert_int_equal(ms, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utc_date_times_parse_to_epoch_milliseconds),
        cmocka_unit_test(positive_and_negative_offsets_convert_to_utc),
        cmocka_unit_test(fractions_give_milliseconds_and_extra_digits_are_truncated),
        cmocka_unit_test(leap_day_exists_only_in_leap_years),
        cmocka_unit_test(impossible_fields_are_rejected),
        cmocka_unit_test(missing_offset_is_rejected),
        cmocka_unit_test(trailing_garbage_and_malformed_text_are_rejected),
        cmocka_unit_test(format_writes_utc_with_and_without_milliseconds),
        cmocka_unit_test(format_then_parse_round_trips),
        cmocka_unit_test(durations_parse_into_their_parts),
        cmocka_unit_test(malformed_durations_are_rejected),
        cmocka_unit_test(adding_months_clamps_to_the_end_of_shorter_months),
        cmocka_unit_test(adding_fixed_parts_adds_exact_time),
        cmocka_unit_test(adding_to_a_time_before_the_epoch_works),
        cmocka_unit_test(adding_to_a_time_before_year_0_fails_instead_of_misreading_the_month),
        cmocka_unit_test(adding_beyond_year_9999_fails),
        cmocka_unit_test(fixed_length_is_known_only_without_years_and_months),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
