/*
 * ICAO 9303 machine-readable zones (see srs/mrz.h).
 */
#include "srs/mrz.h"

#include "core/str.h"

#include <stdio.h>
#include <string.h>

#define TD1_LINES 3
#define TD1_LEN   30
#define TD3_LINES 2
#define TD3_LEN   44

static int char_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    if (c == '<')
        return 0;
    return -1;
}

int mrz_check_digit(const char *s, size_t n)
{
    static const int weights[3] = {7, 3, 1};
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = char_value(s[i]);
        if (v < 0)
            return -1;
        sum += v * weights[i % 3];
    }
    return sum % 10;
}

/* True when c is the check digit of s[0..n). */
static bool digit_ok(const char *s, size_t n, char c)
{
    return c >= '0' && c <= '9' && mrz_check_digit(s, n) == c - '0';
}

/* s[0..n) without '<' fillers at the end (and inner '<' kept as given) into out. */
static void field_copy(char *out, size_t cap, const char *s, size_t n, bool strip_all)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        if (s[i] == '<' && strip_all)
            continue;
        out[k++] = s[i];
    }
    while (k > 0 && out[k - 1] == '<')
        k--;
    out[k] = '\0';
}

/* The name area "PRIMARY<<SECONDARY<NAMES" into family and given names (spaces for '<'). */
static void names_split(const char *s, size_t n, struct mrz *out)
{
    char area[64];
    field_copy(area, sizeof area, s, n, false);
    char *sep = strstr(area, "<<");
    const char *given = "";
    if (sep) {
        *sep = '\0';
        given = sep + 2;
    }
    str_copy(out->family_name, sizeof out->family_name, area);
    str_copy(out->given_names, sizeof out->given_names, given);
    for (char *p = out->family_name; *p; p++)
        if (*p == '<')
            *p = ' ';
    for (char *p = out->given_names; *p; p++)
        if (*p == '<')
            *p = ' ';
}

static bool fail(char *err, size_t err_len, const char *reason, const char *sentence)
{
    snprintf(err, err_len, "%s: %s", reason, sentence);
    return false;
}

/* Splits text into at most 3 lines of at most 44 characters; false on anything else. */
static size_t split_lines(const char *text, char lines[3][TD3_LEN + 1], size_t *lens)
{
    size_t count = 0, k = 0;
    const char *p = text;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    for (; *p; p++) {
        if (*p == '\r')
            continue;
        if (*p == '\n') {
            if (count >= 3)
                return 0;
            lens[count++] = k;
            k = 0;
            continue;
        }
        if (*p == ' ' || *p == '\t')
            continue; /* a copied zone may carry spaces at the ends of its lines */
        if (count >= 3 || k >= TD3_LEN)
            return 0;
        lines[count][k++] = *p;
        lines[count][k] = '\0';
    }
    if (k > 0) {
        if (count >= 3)
            return 0;
        lens[count++] = k;
    }
    return count;
}

static bool parse_td3(char l[3][TD3_LEN + 1], struct mrz *out, char *err, size_t err_len)
{
    const char *a = l[0], *b = l[1];
    out->format = MRZ_TD3;
    if (a[0] != 'P')
        return fail(err, err_len, "mrz.format", "A passport's zone starts with P.");
    if (!digit_ok(b, 9, b[9]))
        return fail(err, err_len, "mrz.documentNumber",
                    "The check digit of the document number is wrong.");
    if (!digit_ok(b + 13, 6, b[19]))
        return fail(err, err_len, "mrz.birthDate", "The check digit of the birth date is wrong.");
    if (!digit_ok(b + 21, 6, b[27]))
        return fail(err, err_len, "mrz.expiryDate", "The check digit of the expiry date is wrong.");
    /* The personal number's check digit may be '<' when the field is empty. */
    bool empty = strspn(b + 28, "<") >= 14;
    if (!(empty && (b[42] == '<' || b[42] == '0')) && !digit_ok(b + 28, 14, b[42]))
        return fail(err, err_len, "mrz.personalNumber",
                    "The check digit of the personal number is wrong.");
    char composite[64];
    memcpy(composite, b, 10);
    memcpy(composite + 10, b + 13, 7);
    memcpy(composite + 17, b + 21, 22);
    if (!digit_ok(composite, 39, b[43]))
        return fail(err, err_len, "mrz.composite", "The composite check digit is wrong.");
    field_copy(out->document_code, sizeof out->document_code, a, 2, true);
    field_copy(out->issuing_state, sizeof out->issuing_state, a + 2, 3, true);
    names_split(a + 5, 39, out);
    field_copy(out->document_number, sizeof out->document_number, b, 9, true);
    field_copy(out->nationality, sizeof out->nationality, b + 10, 3, true);
    memcpy(out->birth_date, b + 13, 6);
    out->sex = b[20];
    memcpy(out->expiry_date, b + 21, 6);
    return true;
}

static bool parse_td1(char l[3][TD3_LEN + 1], struct mrz *out, char *err, size_t err_len)
{
    const char *a = l[0], *b = l[1], *c = l[2];
    out->format = MRZ_TD1;
    if (a[0] != 'I' && a[0] != 'A' && a[0] != 'C')
        return fail(err, err_len, "mrz.format", "An ID card's zone starts with I, A or C.");
    if (a[14] == '<' && a[15] != '<') {
        /* A number longer than 9 characters: the rest and its check digit open the optional
         * data, ended by '<'; the check digit covers the whole number. */
        const char *end = memchr(a + 15, '<', 15);
        size_t rest = end ? (size_t)(end - (a + 15)) : 15;
        char number[32];
        if (rest < 2)
            return fail(err, err_len, "mrz.documentNumber",
                        "The check digit of the document number is wrong.");
        memcpy(number, a + 5, 9);
        memcpy(number + 9, a + 15, rest - 1);
        if (!digit_ok(number, 9 + rest - 1, a[15 + rest - 1]))
            return fail(err, err_len, "mrz.documentNumber",
                        "The check digit of the document number is wrong.");
        field_copy(out->document_number, sizeof out->document_number, number, 9 + rest - 1, true);
    } else {
        if (!digit_ok(a + 5, 9, a[14]))
            return fail(err, err_len, "mrz.documentNumber",
                        "The check digit of the document number is wrong.");
        field_copy(out->document_number, sizeof out->document_number, a + 5, 9, true);
    }
    if (!digit_ok(b, 6, b[6]))
        return fail(err, err_len, "mrz.birthDate", "The check digit of the birth date is wrong.");
    if (!digit_ok(b + 8, 6, b[14]))
        return fail(err, err_len, "mrz.expiryDate", "The check digit of the expiry date is wrong.");
    char composite[64];
    memcpy(composite, a + 5, 25);
    memcpy(composite + 25, b, 7);
    memcpy(composite + 32, b + 8, 7);
    memcpy(composite + 39, b + 18, 11);
    if (!digit_ok(composite, 50, b[29]))
        return fail(err, err_len, "mrz.composite", "The composite check digit is wrong.");
    field_copy(out->document_code, sizeof out->document_code, a, 2, true);
    field_copy(out->issuing_state, sizeof out->issuing_state, a + 2, 3, true);
    memcpy(out->birth_date, b, 6);
    out->sex = b[7];
    memcpy(out->expiry_date, b + 8, 6);
    field_copy(out->nationality, sizeof out->nationality, b + 15, 3, true);
    names_split(c, 30, out);
    return true;
}

bool mrz_parse(const char *text, struct mrz *out, char *err, size_t err_len)
{
    char lines[3][TD3_LEN + 1] = {{0}};
    size_t lens[3] = {0};
    memset(out, 0, sizeof *out);
    size_t n = text ? split_lines(text, lines, lens) : 0;
    bool td1 = n == TD1_LINES && lens[0] == TD1_LEN && lens[1] == TD1_LEN && lens[2] == TD1_LEN;
    bool td3 = n == TD3_LINES && lens[0] == TD3_LEN && lens[1] == TD3_LEN;
    if (!td1 && !td3)
        return fail(err, err_len, "mrz.format",
                    "The zone must be 3 lines of 30 characters (ID card) or 2 lines of 44 "
                    "(passport).");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < lens[i]; k++)
            if (char_value(lines[i][k]) < 0)
                return fail(err, err_len, "mrz.format",
                            "The zone may only hold digits, capital letters A-Z and '<'.");
    return td1 ? parse_td1(lines, out, err, err_len) : parse_td3(lines, out, err, err_len);
}

/* ---- comparison with the typed fields ---- */

static const struct {
    const char *a2, *a3;
} countries[] = {
    {"AT", "AUT"}, {"BE", "BEL"}, {"BG", "BGR"}, {"CH", "CHE"}, {"CY", "CYP"}, {"CZ", "CZE"},
    {"DE", "D"},   {"DK", "DNK"}, {"EE", "EST"}, {"ES", "ESP"}, {"FI", "FIN"}, {"FR", "FRA"},
    {"GB", "GBR"}, {"GR", "GRC"}, {"HR", "HRV"}, {"HU", "HUN"}, {"IE", "IRL"}, {"IS", "ISL"},
    {"IT", "ITA"}, {"LI", "LIE"}, {"LT", "LTU"}, {"LU", "LUX"}, {"LV", "LVA"}, {"MC", "MCO"},
    {"MT", "MLT"}, {"NL", "NLD"}, {"NO", "NOR"}, {"PL", "POL"}, {"PT", "PRT"}, {"RO", "ROU"},
    {"SE", "SWE"}, {"SI", "SVN"}, {"SK", "SVK"}, {"SM", "SMR"}, {"US", "USA"}, {"VA", "VAT"},
};

const char *mrz_country_alpha3(const char *alpha2)
{
    for (size_t i = 0; alpha2 && i < sizeof countries / sizeof countries[0]; i++)
        if (strcmp(countries[i].a2, alpha2) == 0)
            return countries[i].a3;
    return NULL;
}

/* "YYYY-MM-DD" as the zone's "YYMMDD". */
static bool date_matches(const char *typed, const char *zone)
{
    if (!typed || strlen(typed) != 10)
        return false;
    char yymmdd[7] = {typed[2], typed[3], typed[5], typed[6], typed[8], typed[9], '\0'};
    return strcmp(yymmdd, zone) == 0;
}

/* The letters A–Z of a typed name, upper case; ä/ö/ü become AE/OE/UE (expand) or A/O/U, other
 * Latin-1 letters their base letter; everything else dropped. */
static void name_letters(const char *s, bool expand, char *out, size_t cap)
{
    static const char *latin1 = "AAAAAAACEEEEIIIIDNOOOOO/OUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; p && *p && k + 2 < cap; p++) {
        unsigned c = *p;
        if (c == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
            unsigned cp = 0xC0 + (p[1] - 0x80);
            p++;
            bool umlaut =
                cp == 0xC4 || cp == 0xD6 || cp == 0xDC || cp == 0xE4 || cp == 0xF6 || cp == 0xFC;
            char base = latin1[cp - 0xC0];
            if (base >= 'a' && base <= 'z')
                base = (char)(base - 'a' + 'A');
            if (base < 'A' || base > 'Z')
                continue;
            out[k++] = base;
            if (umlaut && expand)
                out[k++] = 'E';
            continue;
        }
        if (c >= 'a' && c <= 'z')
            out[k++] = (char)(c - 'a' + 'A');
        else if (c >= 'A' && c <= 'Z')
            out[k++] = (char)c;
    }
    out[k] = '\0';
}

/* True when the zone's name (spaces between parts) matches the typed one. */
static bool name_matches(const char *zone, const char *typed)
{
    char z[128], t[256];
    name_letters(zone, false, z, sizeof z);
    if (!z[0])
        return false;
    for (int expand = 0; expand < 2; expand++) {
        name_letters(typed, expand != 0, t, sizeof t);
        /* A long name is cut by the zone's length: the zone then holds its beginning. */
        if (strcmp(z, t) == 0 || (strlen(z) >= 10 && strncmp(z, t, strlen(z)) == 0))
            return true;
    }
    return false;
}

bool mrz_cross_check(const struct mrz *m, const struct mrz_typed *t, const char **field)
{
    char number[64];
    const char *issuer = mrz_country_alpha3(t->issuing_country);
    const char *nationality = mrz_country_alpha3(t->nationality);
    bool passport = t->document_type && strcmp(t->document_type, "PASSPORT") == 0;
    field_copy(number, sizeof number, t->document_number ? t->document_number : "",
               t->document_number ? strlen(t->document_number) : 0, false);
    for (char *p = number; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    if (passport != (m->format == MRZ_TD3))
        *field = "document.type";
    else if (strcmp(number, m->document_number) != 0)
        *field = "document.number";
    else if (!issuer || strcmp(issuer, m->issuing_state) != 0)
        *field = "document.issuingCountry";
    else if (!date_matches(t->expiry_date, m->expiry_date))
        *field = "document.expiryDate";
    else if (!date_matches(t->birth_date, m->birth_date))
        *field = "person.birthDate";
    else if (!nationality || strcmp(nationality, m->nationality) != 0)
        *field = "person.nationality";
    else if (!name_matches(m->family_name, t->family_name))
        *field = "person.familyName";
    else if (!name_matches(m->given_names, t->given_name))
        *field = "person.givenName";
    else
        return true;
    return false;
}
