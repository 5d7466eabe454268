/*
 * ICAO 9303 machine-readable zones (srs/mrz.c): the specimen zones of Doc 9303 part 5 (TD1)
 * and part 4 (TD3) parse with every check digit right; a changed character in any checked
 * field is refused naming that check digit; the fields are compared with typed data, naming
 * the typed field that disagrees.
 */
#include "srs/mrz.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* ICAO Doc 9303 specimens (Utopia, Anna Maria Eriksson). */
static const char td1_specimen[] = "I<UTOD231458907<<<<<<<<<<<<<<<\n"
                                   "7408122F1204159UTO<<<<<<<<<<<6\n"
                                   "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
static const char td3_specimen[] = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                                   "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
/* Swiss test documents built with the same rules. */
static const char ch_id[] = "IDCHEE1234567<4<<<<<<<<<<<<<<<\n"
                            "8504124F3106305CHE<<<<<<<<<<<2\n"
                            "MUELLER<<ANNA<LEA<<<<<<<<<<<<<";
static const char ch_passport[] = "P<CHEMUELLER<<ANNA<LEA<<<<<<<<<<<<<<<<<<<<<<\n"
                                  "X1234567<7CHE8504124F3106305<<<<<<<<<<<<<<<6";

static void check_digit_follows_icao_weights(void **state)
{
    (void)state;
    assert_int_equal(mrz_check_digit("D23145890", 9), 7);
    assert_int_equal(mrz_check_digit("L898902C3", 9), 6);
    assert_int_equal(mrz_check_digit("740812", 6), 2);
    assert_int_equal(mrz_check_digit("120415", 6), 9);
    assert_int_equal(mrz_check_digit("<<<", 3), 0);
    assert_int_equal(mrz_check_digit("a", 1), -1);
}

static void td1_specimen_parses(void **state)
{
    (void)state;
    struct mrz m;
    char err[256] = "";
    assert_true(mrz_parse(td1_specimen, &m, err, sizeof err));
    assert_int_equal(m.format, MRZ_TD1);
    assert_string_equal(m.document_code, "I");
    assert_string_equal(m.issuing_state, "UTO");
    assert_string_equal(m.document_number, "D23145890");
    assert_string_equal(m.birth_date, "740812");
    assert_string_equal(m.expiry_date, "120415");
    assert_string_equal(m.nationality, "UTO");
    assert_int_equal(m.sex, 'F');
    assert_string_equal(m.family_name, "ERIKSSON");
    assert_string_equal(m.given_names, "ANNA MARIA");
}

static void td3_specimen_parses(void **state)
{
    (void)state;
    struct mrz m;
    char err[256] = "";
    assert_true(mrz_parse(td3_specimen, &m, err, sizeof err));
    assert_int_equal(m.format, MRZ_TD3);
    assert_string_equal(m.document_code, "P");
    assert_string_equal(m.document_number, "L898902C3");
    assert_string_equal(m.birth_date, "740812");
    assert_string_equal(m.expiry_date, "120415");
    assert_string_equal(m.family_name, "ERIKSSON");
    assert_string_equal(m.given_names, "ANNA MARIA");
    /* CRLF line ends and a final newline, as pasted from a reader, are fine too. */
    assert_true(mrz_parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\r\n"
                          "L898902C36UTO7408122F1204159ZE184226B<<<<<10\r\n",
                          &m, err, sizeof err));
}

/* The zone with character `pos` of line `line` replaced by c must fail naming reason. */
static void expect_refused(const char *zone, size_t line, size_t pos, char c, const char *reason)
{
    char copy[200], err[256] = "";
    struct mrz m;
    strcpy(copy, zone);
    char *p = copy;
    for (size_t i = 0; i < line; i++)
        p = strchr(p, '\n') + 1;
    p[pos] = c;
    assert_false(mrz_parse(copy, &m, err, sizeof err));
    if (strncmp(err, reason, strlen(reason)) != 0)
        fail_msg("changing line %zu position %zu: expected %s, got \"%s\"", line, pos, reason, err);
}

static void corrupted_td1_digits_are_named(void **state)
{
    (void)state;
    expect_refused(td1_specimen, 0, 14, '8', "mrz.documentNumber"); /* its check digit */
    expect_refused(td1_specimen, 0, 6, '3', "mrz.documentNumber");  /* the number itself */
    expect_refused(td1_specimen, 1, 6, '3', "mrz.birthDate");
    expect_refused(td1_specimen, 1, 3, '9', "mrz.birthDate");
    expect_refused(td1_specimen, 1, 14, '0', "mrz.expiryDate");
    expect_refused(td1_specimen, 1, 29, '5', "mrz.composite");
    expect_refused(td1_specimen, 1, 20, 'X', "mrz.composite"); /* optional data 2 */
    expect_refused(td1_specimen, 1, 2, 'x', "mrz.format");
}

static void corrupted_td3_digits_are_named(void **state)
{
    (void)state;
    expect_refused(td3_specimen, 1, 9, '5', "mrz.documentNumber");
    expect_refused(td3_specimen, 1, 0, 'M', "mrz.documentNumber");
    expect_refused(td3_specimen, 1, 19, '1', "mrz.birthDate");
    expect_refused(td3_specimen, 1, 27, '8', "mrz.expiryDate");
    expect_refused(td3_specimen, 1, 42, '2', "mrz.personalNumber");
    expect_refused(td3_specimen, 1, 30, '9', "mrz.personalNumber");
    expect_refused(td3_specimen, 1, 43, '1', "mrz.composite");
    expect_refused(td3_specimen, 0, 0, 'I', "mrz.format");
}

static void wrong_shapes_are_refused(void **state)
{
    (void)state;
    struct mrz m;
    char err[256] = "";
    assert_false(mrz_parse("", &m, err, sizeof err));
    assert_false(mrz_parse(NULL, &m, err, sizeof err));
    /* a TD3 line missing a character */
    assert_false(mrz_parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                           "L898902C36UTO7408122F1204159ZE184226B<<<<10",
                           &m, err, sizeof err));
    assert_true(strncmp(err, "mrz.format", 10) == 0);
    /* two TD1 lines only */
    assert_false(mrz_parse("I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6", &m,
                           err, sizeof err));
}

static void typed_fields_are_cross_checked(void **state)
{
    (void)state;
    struct mrz id, pass;
    char err[256] = "";
    const char *field = NULL;
    assert_true(mrz_parse(ch_id, &id, err, sizeof err));
    assert_true(mrz_parse(ch_passport, &pass, err, sizeof err));
    struct mrz_typed t = {.document_type = "ID_CARD",
                          .document_number = "e1234567",
                          .issuing_country = "CH",
                          .expiry_date = "2031-06-30",
                          .family_name = "Müller",
                          .given_name = "Anna Lea",
                          .birth_date = "1985-04-12",
                          .nationality = "CH"};
    assert_true(mrz_cross_check(&id, &t, &field));
    assert_false(mrz_cross_check(&pass, &t, &field)); /* an ID card's data, a passport's zone */
    assert_string_equal(field, "document.type");
    t.document_type = "PASSPORT";
    t.document_number = "X1234567";
    assert_true(mrz_cross_check(&pass, &t, &field));
    struct {
        const char **slot, *value, *field;
    } wrong[] = {
        {&t.document_number, "X1234568", "document.number"},
        {&t.issuing_country, "DE", "document.issuingCountry"},
        {&t.expiry_date, "2031-06-29", "document.expiryDate"},
        {&t.birth_date, "1985-12-04", "person.birthDate"},
        {&t.nationality, "AT", "person.nationality"},
        {&t.family_name, "Meier", "person.familyName"},
        {&t.given_name, "Anna", "person.givenName"},
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        const char *keep = *wrong[i].slot;
        *wrong[i].slot = wrong[i].value;
        field = NULL;
        assert_false(mrz_cross_check(&pass, &t, &field));
        assert_non_null(field);
        assert_string_equal(field, wrong[i].field);
        *wrong[i].slot = keep;
    }
    /* typed as the zone writes it */
    t.family_name = "MUELLER";
    assert_true(mrz_cross_check(&pass, &t, &field));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_digit_follows_icao_weights),
        cmocka_unit_test(td1_specimen_parses),
        cmocka_unit_test(td3_specimen_parses),
        cmocka_unit_test(corrupted_td1_digits_are_named),
        cmocka_unit_test(corrupted_td3_digits_are_named),
        cmocka_unit_test(wrong_shapes_are_refused),
        cmocka_unit_test(typed_fields_are_cross_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
