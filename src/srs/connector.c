#include "srs/connector.h"

#include "core/isotime.h"
#include "core/str.h"
#include "notify/notify.h"

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

static bool parse_result(const void *body, size_t len, struct srs_partner_result *o, char *err,
                         size_t err_len)
{
    json_error_t jerr;
    const char *bad = NULL;
    memset(o, 0, sizeof *o);
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    const json_t *person = json_object_get(j, "person");
    const json_t *doc = json_object_get(j, "document");
    const char *result = json_string_value(json_object_get(j, "result"));
    char when[ISO_DATETIME_LEN + 8] = "";
    if (!json_is_object(j))
        bad = "(body)";
    else if (!field(j, "orderId", o->order_id, sizeof o->order_id, true))
        bad = "orderId";
    else if (!result || (strcmp(result, "APPROVED") != 0 && strcmp(result, "REJECTED") != 0))
        bad = "result";
    else if (!field(j, "agent", o->agent, sizeof o->agent, true))
        bad = "agent";
    else if (!field(j, "identifiedAt", when, sizeof when, true) ||
             !iso_parse_datetime(when, &o->identified_at))
        bad = "identifiedAt";
    if (bad)
        goto done;
    o->approved = strcmp(result, "APPROVED") == 0;
    if (!o->approved) {
        if (!field(j, "reason", o->reason, sizeof o->reason, true))
            bad = "reason";
        goto done;
    }
    if (!json_is_object(person))
        bad = "person";
    else if (!field(person, "givenName", o->given_name, sizeof o->given_name, true))
        bad = "person.givenName";
    else if (!field(person, "familyName", o->family_name, sizeof o->family_name, true))
        bad = "person.familyName";
    else if (!field(person, "birthDate", o->birth_date, sizeof o->birth_date, true) ||
             !srs_date_parse(o->birth_date, NULL))
        bad = "person.birthDate";
    else if (!field(person, "nationality", o->nationality, sizeof o->nationality, true) ||
             !upper_code(o->nationality))
        bad = "person.nationality";
    else if (!json_is_object(doc))
        bad = "document";
    else if (!field(doc, "type", o->document_type, sizeof o->document_type, true) ||
             (strcmp(o->document_type, "PASSPORT") != 0 &&
              strcmp(o->document_type, "ID_CARD") != 0))
        bad = "document.type";
    else if (!field(doc, "number", o->document_number, sizeof o->document_number, true))
        bad = "document.number";
    else if (!field(doc, "expiryDate", o->document_expiry, sizeof o->document_expiry, true) ||
             !srs_date_parse(o->document_expiry, NULL))
        bad = "document.expiryDate";
    else if (!field(doc, "issuingCountry", o->issuing_country, sizeof o->issuing_country, true) ||
             !upper_code(o->issuing_country))
        bad = "document.issuingCountry";
    else if (!field(j, "mobile", o->mobile, sizeof o->mobile, true) ||
             !notify_recipient_valid(NOTIFY_SMS, o->mobile))
        bad = "mobile";
done:
    json_decref(j);
    if (bad)
        snprintf(err, err_len, "the partner result has a missing or bad \"%s\"", bad);
    return bad == NULL;
}

/* ---- video simulator ---- */

static bool video_sim_open(const char *public_url, const char *order_id, char *url, size_t url_len)
{
    int n = snprintf(url, url_len, "%s/srs/sim/video/%s", public_url, order_id);
    return n > 0 && (size_t)n < url_len;
}

static const struct srs_connector connectors[] = {
    {"video-sim", video_sim_open, srs_callback_verify, parse_result},
};

const struct srs_connector *srs_connector_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof connectors / sizeof connectors[0]; i++)
        if (strcmp(connectors[i].name, name) == 0)
            return &connectors[i];
    return NULL;
}
