#include "srs/connector.h"

#include "core/isotime.h"
#include "core/str.h"
#include "notify/notify.h"
#include "srs/eid.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

bool srs_callback_sign(const unsigned char *secret, size_t secret_len, const void *body, size_t len,
                       char out[SRS_SIGNATURE_LEN])
{
    unsigned char mac[SHA256_LEN];
    if (!crypto_hmac_sha256(secret, secret_len, body, len, mac))
        return false;
    memcpy(out, "sha256=", 7);
    crypto_hex(mac, sizeof mac, out + 7);
    return true;
}

bool srs_callback_verify(const unsigned char *secret, size_t secret_len, const void *body,
                         size_t len, const char *signature)
{
    char expected[SRS_SIGNATURE_LEN];
    if (!signature || strlen(signature) != SRS_SIGNATURE_LEN - 1 ||
        !srs_callback_sign(secret, secret_len, body, len, expected))
        return false;
    char lower[SRS_SIGNATURE_LEN];
    for (size_t i = 0; i < SRS_SIGNATURE_LEN; i++)
        lower[i] = (char)tolower((unsigned char)signature[i]);
    return str_ct_equal(lower, expected, SRS_SIGNATURE_LEN - 1);
}

bool srs_date_parse(const char *s, int64_t *ms)
{
    char iso[32];
    int64_t t = 0;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (size_t i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    snprintf(iso, sizeof iso, "%sT00:00:00Z", s);
    if (!iso_parse_datetime(iso, &t))
        return false;
    /* iso_parse_datetime normalises nothing: a date like 2023-02-30 is rejected there or
     * round-trips differently; compare the formatted form to be sure. */
    char back[ISO_DATETIME_LEN];
    iso_format_datetime(t, false, back);
    if (strncmp(back, s, 10) != 0)
        return false;
    if (ms)
        *ms = t;
    return true;
}

/* ---- the partner result format of Signet's simulators ---- */

static bool field(const json_t *obj, const char *name, char *out, size_t out_len, bool required)
{
    const json_t *v = json_object_get(obj, name);
    if (!v)
        return !required;
    return json_is_string(v) && json_string_length(v) > 0 &&
           str_copy(out, out_len, json_string_value(v));
}

/* An ISO 3166-1 alpha-2 code ("CH"). */
static bool upper_code(const char *s)
{
    size_t n = strlen(s);
    if (n != 2)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isupper((unsigned char)s[i]))
            return false;
    return true;
}

/* The fields every result has (order, result, agent, time; the reason of a rejection).
 * NULL when good, else the bad field's name; *done when nothing more is to be read. */
static const char *parse_head(const json_t *j, struct srs_partner_result *o, bool *done)
{
    const char *result = json_string_value(json_object_get(j, "result"));
    char when[ISO_DATETIME_LEN + 8] = "";
    *done = true;
    if (!json_is_object(j))
        return "(body)";
    if (!field(j, "orderId", o->order_id, sizeof o->order_id, true))
        return "orderId";
    if (!result || (strcmp(result, "APPROVED") != 0 && strcmp(result, "REJECTED") != 0))
        return "result";
    if (!field(j, "agent", o->agent, sizeof o->agent, true))
        return "agent";
    if (!field(j, "identifiedAt", when, sizeof when, true) ||
        !iso_parse_datetime(when, &o->identified_at))
        return "identifiedAt";
    o->approved = strcmp(result, "APPROVED") == 0;
    if (!o->approved)
        return field(j, "reason", o->reason, sizeof o->reason, true) ? NULL : "reason";
    if (!field(j, "mobile", o->mobile, sizeof o->mobile, true) ||
        !notify_recipient_valid(NOTIFY_SMS, o->mobile))
        return "mobile";
    *done = false;
    return NULL;
}

/* Parses body with the head, then (approved) the connector's own part; err names the field. */
static bool parse_with(const void *body, size_t len, struct srs_partner_result *o,
                       const char *(*tail)(const json_t *, struct srs_partner_result *), char *err,
                       size_t err_len)
{
    json_error_t jerr;
    bool done = true;
    memset(o, 0, sizeof *o);
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *bad = parse_head(j, o, &done);
    if (!bad && !done)
        bad = tail(j, o);
    json_decref(j);
    if (bad)
        snprintf(err, err_len, "the partner result has a missing or bad \"%s\"", bad);
    return bad == NULL;
}

/* An approved video result: the person and the ID document checked. */
static const char *video_tail(const json_t *j, struct srs_partner_result *o)
{
    const json_t *person = json_object_get(j, "person");
    const json_t *doc = json_object_get(j, "document");
    o->evidence = SRS_EVIDENCE_DOCUMENT;
    if (!json_is_object(person))
        return "person";
    if (!field(person, "givenName", o->given_name, sizeof o->given_name, true))
        return "person.givenName";
    if (!field(person, "familyName", o->family_name, sizeof o->family_name, true))
        return "person.familyName";
    if (!field(person, "birthDate", o->birth_date, sizeof o->birth_date, true) ||
        !srs_date_parse(o->birth_date, NULL))
        return "person.birthDate";
    if (!field(person, "nationality", o->nationality, sizeof o->nationality, true) ||
        !upper_code(o->nationality))
        return "person.nationality";
    if (!json_is_object(doc))
        return "document";
    if (!field(doc, "type", o->document_type, sizeof o->document_type, true) ||
        (strcmp(o->document_type, "PASSPORT") != 0 && strcmp(o->document_type, "ID_CARD") != 0))
        return "document.type";
    if (!field(doc, "number", o->document_number, sizeof o->document_number, true))
        return "document.number";
    if (!field(doc, "expiryDate", o->document_expiry, sizeof o->document_expiry, true) ||
        !srs_date_parse(o->document_expiry, NULL))
        return "document.expiryDate";
    if (!field(doc, "issuingCountry", o->issuing_country, sizeof o->issuing_country, true) ||
        !upper_code(o->issuing_country))
        return "document.issuingCountry";
    return NULL;
}

bool srs_document_result_parse(const void *body, size_t len, struct srs_partner_result *o,
                               char *err, size_t err_len)
{
    return parse_with(body, len, o, video_tail, err, err_len);
}

bool srs_iban_valid(const char *iban)
{
    size_t n = iban ? strlen(iban) : 0;
    unsigned rem = 0;
    if (n < 15 || n > 34 || !isupper((unsigned char)iban[0]) || !isupper((unsigned char)iban[1]) ||
        !isdigit((unsigned char)iban[2]) || !isdigit((unsigned char)iban[3]))
        return false;
    /* ISO 13616: the first four characters moved to the end, letters as 10..35, mod 97 = 1. */
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)iban[(k + 4) % n];
        if (isdigit(c))
            rem = (rem * 10 + (unsigned)(c - '0')) % 97;
        else if (isupper(c))
            rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
        else
            return false;
    }
    return rem == 1;
}

void srs_bank_reference(const char *order_id, char out[SRS_BANK_REFERENCE_LEN])
{
    char hex[65];
    crypto_sha256_hex(order_id, strlen(order_id), hex);
    snprintf(out, SRS_BANK_REFERENCE_LEN, "SRS-%.4s-%.4s", hex, hex + 4);
    for (char *p = out; *p; p++)
        *p = (char)toupper((unsigned char)*p);
}

/* An approved bank result: the account holder as the bank knows them, and the account that
 * made the reference transfer of this order. */
static const char *bank_tail(const json_t *j, struct srs_partner_result *o)
{
    const json_t *holder = json_object_get(j, "accountHolder");
    const json_t *account = json_object_get(j, "account");
    const json_t *transfer = json_object_get(j, "transfer");
    char expected[SRS_BANK_REFERENCE_LEN], amount[16] = "";
    o->evidence = SRS_EVIDENCE_BANK;
    srs_bank_reference(o->order_id, expected);
    if (!json_is_object(holder))
        return "accountHolder";
    if (!field(holder, "givenName", o->given_name, sizeof o->given_name, true))
        return "accountHolder.givenName";
    if (!field(holder, "familyName", o->family_name, sizeof o->family_name, true))
        return "accountHolder.familyName";
    if (!field(holder, "birthDate", o->birth_date, sizeof o->birth_date, false) ||
        (o->birth_date[0] && !srs_date_parse(o->birth_date, NULL)))
        return "accountHolder.birthDate";
    if (!field(holder, "nationality", o->nationality, sizeof o->nationality, false) ||
        (o->nationality[0] && !upper_code(o->nationality)))
        return "accountHolder.nationality";
    if (!json_is_object(account))
        return "account";
    if (!field(account, "iban", o->iban, sizeof o->iban, true) || !srs_iban_valid(o->iban))
        return "account.iban";
    if (!field(account, "bankName", o->bank_name, sizeof o->bank_name, true))
        return "account.bankName";
    if (!json_is_object(transfer))
        return "transfer";
    if (!field(transfer, "reference", o->reference, sizeof o->reference, true) ||
        strcmp(o->reference, expected) != 0)
        return "transfer.reference";
    if (!field(transfer, "amount", amount, sizeof amount, true) ||
        strcmp(amount, SRS_BANK_AMOUNT) != 0)
        return "transfer.amount";
    if (!field(transfer, "currency", o->currency, sizeof o->currency, true) ||
        (strcmp(o->currency, "CHF") != 0 && strcmp(o->currency, "EUR") != 0))
        return "transfer.currency";
    return NULL;
}

static bool parse_bank_result(const void *body, size_t len, struct srs_partner_result *o, char *err,
                              size_t err_len)
{
    return parse_with(body, len, o, bank_tail, err, err_len);
}

/* ---- video simulator ---- */

static bool video_sim_open(const char *public_url, const char *order_id, char *url, size_t url_len)
{
    int n = snprintf(url, url_len, "%s/srs/sim/video/%s", public_url, order_id);
    return n > 0 && (size_t)n < url_len;
}

/* ---- bank simulator ---- */

static bool bank_sim_open(const char *public_url, const char *order_id, char *url, size_t url_len)
{
    int n = snprintf(url, url_len, "%s/srs/sim/bank/%s", public_url, order_id);
    return n > 0 && (size_t)n < url_len;
}

/* ---- partners connected by configuration ---- */

#define ORDER_URL_MAX 512

bool srs_order_url_valid(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n == 0 || n >= ORDER_URL_MAX ||
        (strncmp(t, "https://", 8) != 0 && strncmp(t, "http://", 7) != 0) || !strstr(t, "{order}"))
        return false;
    for (const char *p = t; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '}')
            return false;
        if (*p == '{') {
            if (strncmp(p, "{order}", 7) == 0)
                p += 6;
            else if (strncmp(p, "{return}", 8) == 0)
                p += 7;
            else
                return false;
        }
    }
    return true;
}

/* Appends s percent-encoded (RFC 3986 unreserved kept) at *pos; false when it does not fit. */
static bool append_encoded(char *url, size_t url_len, size_t *pos, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool plain = isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        size_t need = plain ? 1 : 3;
        if (*pos + need >= url_len)
            return false;
        if (plain) {
            url[(*pos)++] = (char)*p;
        } else {
            url[(*pos)++] = '%';
            url[(*pos)++] = hex[*p >> 4];
            url[(*pos)++] = hex[*p & 15];
        }
    }
    return true;
}

bool srs_connector_open(const struct srs_connector *c, const char *public_url, const char *order_id,
                        const char *return_url, char *url, size_t url_len)
{
    if (!c->order_url)
        return c->open_order(public_url, order_id, url, url_len);
    size_t pos = 0;
    for (const char *p = c->order_url; *p; p++) {
        if (strncmp(p, "{order}", 7) == 0) {
            if (!append_encoded(url, url_len, &pos, order_id))
                return false;
            p += 6;
        } else if (strncmp(p, "{return}", 8) == 0) {
            if (!append_encoded(url, url_len, &pos, return_url ? return_url : ""))
                return false;
            p += 7;
        } else {
            if (pos + 1 >= url_len)
                return false;
            url[pos++] = *p;
        }
    }
    if (url_len == 0)
        return false;
    url[pos] = '\0';
    return true;
}

/* ---- SRS Direct: in person at a registration point (srs/ra.h) ---- */

/* The end customer's page with the reference code to show an RA agent. */
static bool ra_direct_open(const char *public_url, const char *order_id, char *url, size_t url_len)
{
    int n = snprintf(url, url_len, "%s/srs/ra/%s", public_url, order_id);
    return n > 0 && (size_t)n < url_len;
}

static const struct srs_connector connectors[] = {
    {"video-sim", video_sim_open, srs_callback_verify, srs_document_result_parse, NULL, NULL, 0},
    /* The RA agent's app hands in the simulator's result format, HMAC-signed (srs/ra.c). */
    {"ra-direct", ra_direct_open, srs_callback_verify, srs_document_result_parse, NULL, NULL, 0},
    {"bank-sim", bank_sim_open, srs_callback_verify, parse_bank_result, NULL, NULL, 0},
    /* eID (OpenID4VP verifier, srs/eid.h): results come from verified wallet presentations
     * only, never from the callback endpoint. */
    {"eid", srs_eid_open_order, srs_eid_refuse_callback, srs_eid_refuse_result, NULL, NULL, 0},
};

const struct srs_connector *srs_connector_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof connectors / sizeof connectors[0]; i++)
        if (strcmp(connectors[i].name, name) == 0)
            return &connectors[i];
    return NULL;
}
