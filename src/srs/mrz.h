/*
 * Machine-readable zones of identity documents (ICAO Doc 9303): TD1 (ID cards, 3 lines of 30
 * characters) and TD3 (passports, 2 lines of 44). mrz_parse checks every check digit (weights
 * 7, 3, 1; '<' = 0, digits as such, A–Z = 10–35) and splits the zone into its fields;
 * mrz_cross_check compares them with what an RA agent typed (docs/srs.md, "SRS Direct").
 *
 * Pure functions: no allocation; out structs are the caller's.
 */
#ifndef SIGNET_SRS_MRZ_H
#define SIGNET_SRS_MRZ_H

#include <stdbool.h>
#include <stddef.h>

enum mrz_format { MRZ_TD1 = 1, MRZ_TD3 = 3 };

/* The fields of a zone; dates as in the zone (YYMMDD), names with '<' turned into spaces. */
struct mrz {
    enum mrz_format format;
    char document_code[3];    /* "P", "I", "ID", "IR"… ('<' removed) */
    char issuing_state[4];    /* ICAO 3-letter code ("CHE", "D", "UTO": '<' removed) */
    char document_number[32]; /* '<' removed; TD1 long numbers joined with the optional field */
    char birth_date[7];       /* YYMMDD */
    char sex;                 /* 'M', 'F' or '<' */
    char expiry_date[7];      /* YYMMDD */
    char nationality[4];      /* ICAO 3-letter code */
    char family_name[128];    /* primary identifier */
    char given_names[128];    /* secondary identifier */
};

/* The check digit of s[0..n) ('<' and unknown characters count 0), or -1 for a character that
 * is not [0-9A-Z<]. */
int mrz_check_digit(const char *s, size_t n);

/*
 * Parses a zone: text is the lines joined by '\n' (also "\r\n"; surrounding spaces and a final
 * newline are ignored). False with err naming the first problem — "mrz.format" (line count or
 * length, a character outside [0-9A-Z<]) or the check digit that is wrong:
 * "mrz.documentNumber", "mrz.birthDate", "mrz.expiryDate", "mrz.personalNumber",
 * "mrz.composite" — followed by ": " and a sentence.
 */
bool mrz_parse(const char *text, struct mrz *out, char *err, size_t err_len);

/* What the agent typed (borrowed strings; dates YYYY-MM-DD, countries ISO 3166-1 alpha-2). */
struct mrz_typed {
    const char *document_type; /* PASSPORT | ID_CARD */
    const char *document_number;
    const char *issuing_country;
    const char *expiry_date;
    const char *family_name;
    const char *given_name;
    const char *birth_date;
    const char *nationality;
};

/* The ICAO 3-letter code of an ISO 3166-1 alpha-2 country ("CH" → "CHE", "DE" → "D"), NULL
 * for a code not in the table (the countries of CH and EU registrations and their neighbours). */
const char *mrz_country_alpha3(const char *alpha2);

/*
 * Compares a parsed zone with the typed fields; false with field the name of the typed field
 * that disagrees ("document.type", "document.number", "document.issuingCountry",
 * "document.expiryDate", "person.birthDate", "person.nationality", "person.familyName",
 * "person.givenName"). Names are compared as the zone writes them (upper case, letters
 * transliterated by the issuer, so only A–Z of the typed name are compared, and a zone
 * truncated by its length matches a longer typed name).
 */
bool mrz_cross_check(const struct mrz *m, const struct mrz_typed *t, const char **field);

#endif
