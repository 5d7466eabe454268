/*
 * Retention of SRS personal data (srs/retention.c): the catalogue's "retention" section is
 * checked (both jurisdictions, an ISO 8601 duration, "from" END or IDENTIFICATION) and has a
 * default; when a registration ended for each status; when its retention ends counted from
 * the end or from the identification (never before the end); one never identified ends with
 * its end.
 */
#include "core/embed.h"
#include "core/isotime.h"
#include "srs/catalogue.h"
#include "srs/retention.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define METHODS                                                                                    \
    "\"methods\":[{\"id\":\"SRS_X\",\"connector\":\"video-sim\","                                  \
    "\"name\":{\"en\":\"a\",\"de\":\"b\",\"fr\":\"c\",\"it\":\"d\"},"                              \
    "\"description\":{\"en\":\"a\",\"de\":\"b\",\"fr\":\"c\",\"it\":\"d\"},"                       \
    "\"jurisdictions\":[\"CH\",\"EU\"],\"levels\":[\"QUALIFIED\"],"                                \
    "\"validity\":{\"duration\":\"P2Y\",\"limitedByDocumentExpiry\":false},"                       \
    "\"requirements\":[\"ID_DOCUMENT\"],\"languages\":[\"de\"]}]"

static struct srs_catalogue *parse(const char *text, char *err, size_t err_len)
{
    err[0] = '\0';
    return srs_catalogue_parse(text, strlen(text), err, err_len);
}

static int64_t at(const char *iso)
{
    int64_t ms = 0;
    assert_true(iso_parse_datetime(iso, &ms));
    return ms;
}

static void the_section_is_checked_and_has_a_default(void **state)
{
    (void)state;
    char err[256];
    struct srs_retention_rule rule;
    struct srs_catalogue *c = parse("{" METHODS "}", err, sizeof err);
    assert_non_null(c);
    assert_true(srs_retention_rule(c, "CH", &rule));
    assert_string_equal(rule.text, "P11Y");
    assert_false(rule.from_identification);
    assert_true(srs_retention_rule(c, "EU", &rule));
    assert_string_equal(rule.text, "P10Y");
    assert_false(srs_retention_rule(c, "US", &rule));
    srs_catalogue_free(c);

    c = parse("{" METHODS ",\"retention\":{\"CH\":{\"duration\":\"P7Y\",\"from\":"
              "\"IDENTIFICATION\"},\"EU\":{\"duration\":\"P30D\",\"from\":\"END\"}}}",
              err, sizeof err);
    assert_non_null(c);
    assert_true(srs_retention_rule(c, "CH", &rule));
    assert_true(rule.from_identification);
    assert_int_equal(rule.duration.years, 7);
    srs_catalogue_free(c);

    const char *bad[][2] = {
        {"{\"CH\":{\"duration\":\"P11Y\",\"from\":\"END\"}}", "retention EU"},
        {"{\"CH\":{\"duration\":\"11 years\",\"from\":\"END\"},\"EU\":{\"duration\":\"P1Y\","
         "\"from\":\"END\"}}",
         "\"duration\""},
        {"{\"CH\":{\"duration\":\"P1Y\",\"from\":\"START\"},\"EU\":{\"duration\":\"P1Y\","
         "\"from\":\"END\"}}",
         "\"from\""},
        {"{\"CH\":{\"duration\":\"P1Y\",\"from\":\"END\"},\"EU\":{\"duration\":\"P1Y\","
         "\"from\":\"END\"},\"US\":{\"duration\":\"P1Y\",\"from\":\"END\"}}",
         "\"US\""},
        {"[]", "must be an object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "{" METHODS ",\"retention\":%s}", bad[i][0]);
        c = parse(text, err, sizeof err);
        if (c || !strstr(err, bad[i][1]))
            fail_msg("retention %s: expected an error naming %s, got '%s'", bad[i][0], bad[i][1],
                     err);
    }
}

static struct store_srs_lifecycle reg(const char *status)
{
    struct store_srs_lifecycle l;
    memset(&l, 0, sizeof l);
    snprintf(l.status, sizeof l.status, "%s", status);
    l.created_at = at("2026-01-01T00:00:00Z");
    l.link_expires_at = at("2026-01-15T00:00:00Z");
    l.identified_at = at("2026-01-02T00:00:00Z");
    l.terms_accepted_at = at("2026-01-03T00:00:00Z");
    l.valid_until = at("2031-01-02T00:00:00Z");
    l.updated_at = at("2026-06-01T00:00:00Z");
    return l;
}

static void a_registration_ends_by_its_status(void **state)
{
    (void)state;
    int64_t now = at("2027-01-01T00:00:00Z");
    struct store_srs_lifecycle l = reg("REVOKED");
    l.revoked_at = at("2026-05-01T00:00:00Z");
    assert_true(srs_registration_end(&l, now) == l.revoked_at);
    l = reg("REJECTED");
    assert_true(srs_registration_end(&l, now) == l.updated_at);
    l = reg("ACTIVE");
    assert_true(srs_registration_end(&l, now) == 0); /* in use */
    assert_true(srs_registration_end(&l, at("2032-01-01T00:00:00Z")) == l.valid_until);
    /* EXPIRED written lazily long after: it ended when it became due. */
    l = reg("EXPIRED");
    l.updated_at = at("2033-01-01T00:00:00Z");
    assert_true(srs_registration_end(&l, now) == l.valid_until);
    l.terms_accepted_at = 0; /* expired before ACTIVE: with its link */
    assert_true(srs_registration_end(&l, now) == l.link_expires_at);
    l = reg("AWAITING_TERMS");
    assert_true(srs_registration_end(&l, at("2026-01-10T00:00:00Z")) == 0);
    assert_true(srs_registration_end(&l, now) == l.link_expires_at);
}

static void retention_counts_from_the_end_or_the_identification(void **state)
{
    (void)state;
    struct srs_retention_rule from_end = {.duration = {.years = 11}};
    struct srs_retention_rule from_id = {.duration = {.years = 2}, .from_identification = true};
    int64_t now = at("2050-01-01T00:00:00Z");
    struct store_srs_lifecycle l = reg("REVOKED");
    l.revoked_at = at("2026-05-01T00:00:00Z");
    assert_true(srs_retention_end(&l, &from_end, now) == at("2037-05-01T00:00:00Z"));
    assert_true(srs_retention_end(&l, &from_id, now) == at("2028-01-02T00:00:00Z"));
    /* From the identification, but never before the registration ended. */
    from_id.duration.years = 0;
    from_id.duration.days = 1;
    assert_true(srs_retention_end(&l, &from_id, now) == l.revoked_at);
    /* In use: no end yet. */
    l = reg("ACTIVE");
    assert_true(srs_retention_end(&l, &from_end, at("2027-01-01T00:00:00Z")) == 0);
    assert_true(srs_retention_end(&l, &from_end, now) == at("2042-01-02T00:00:00Z"));
    /* Never identified: nothing to keep after its end. */
    l = reg("EXPIRED");
    l.identified_at = l.terms_accepted_at = 0;
    assert_true(srs_retention_end(&l, &from_end, now) == l.link_expires_at);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_section_is_checked_and_has_a_default),
        cmocka_unit_test(a_registration_ends_by_its_status),
        cmocka_unit_test(retention_counts_from_the_end_or_the_identification),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
