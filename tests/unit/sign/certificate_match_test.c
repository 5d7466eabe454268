/*
 * certificateMatch (sign/signing.c sign_certificate_match): the declared "firstName lastName"
 * against the certificate's common name (for a registered signer: the name the
 * identification found), tolerant of letter case, spacing and hyphens, and of Latin
 * diacritics, with umlauts matching both their plain and their German/ICAO spelling; anything
 * else is a MISMATCH.
 */
#include "sign/signing.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void same_name_apart_from_case_and_spacing_matches(void **state)
{
    (void)state;
    assert_string_equal(sign_certificate_match("Anna", "Muster", "Anna Muster"), "MATCH");
    assert_string_equal(sign_certificate_match("anna", "MUSTER", "Anna Muster"), "MATCH");
    assert_string_equal(sign_certificate_match(" Anna ", "Muster", "Anna   Muster"), "MATCH");
    assert_string_equal(sign_certificate_match("Hans-Peter", "Muster", "HANS PETER MUSTER"),
                        "MATCH");
}

static void diacritics_and_umlaut_spellings_match(void **state)
{
    (void)state;
    /* Registered from the passport with diacritics, declared without, and the reverse. */
    assert_string_equal(sign_certificate_match("Zoe", "Muller", "Zoé Müller"), "MATCH");
    assert_string_equal(sign_certificate_match("Zoe", "Mueller", "Zoé Müller"), "MATCH");
    assert_string_equal(sign_certificate_match("Zoé", "MÜLLER", "zoe mueller"), "MATCH");
    assert_string_equal(sign_certificate_match("Francois", "Gross", "François Groß"), "MATCH");
    assert_string_equal(sign_certificate_match("Lukas", "Dvorak", "Lukáš Dvořák"), "MATCH");
    assert_string_equal(sign_certificate_match("Soren", "Oelund", "Søren Ølund"), "MISMATCH");
    assert_string_equal(sign_certificate_match("Soren", "Olund", "Søren Ølund"), "MATCH");
}

static void a_different_name_is_a_mismatch(void **state)
{
    (void)state;
    assert_string_equal(sign_certificate_match("Anna", "Muster", "Anna Maria Muster"), "MISMATCH");
    assert_string_equal(sign_certificate_match("Anna", "Muster", "Anna Mustermann"), "MISMATCH");
    assert_string_equal(sign_certificate_match("Anna", "Muster", "Muster Anna"), "MISMATCH");
    /* ue is not u: "Mueller" and "Muller" are two spellings of Müller, not of each other. */
    assert_string_equal(sign_certificate_match("Zoe", "Mueller", "Zoe Muller"), "MISMATCH");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_name_apart_from_case_and_spacing_matches),
        cmocka_unit_test(diacritics_and_umlaut_spellings_match),
        cmocka_unit_test(a_different_name_is_a_mismatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
