/*
 * The bank-identification simulator (see srs/bank_sim.h): the simulated bank's page state and
 * the result it reports, in the partner result format of srs/connector.c.
 */
#include "srs/bank_sim.h"

#include "core/isotime.h"
#include "core/str.h"
#include "notify/notify.h"
#include "srs/connector.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *text(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static const char *currency_of(const struct store_srs_registration *r)
{
    return strcmp(r->jurisdiction, "CH") == 0 ? "CHF" : "EUR";
}

/* The IBAN as typed (spaces, lower case) in electronic format; false when it is none. */
static bool iban_normalize(const char *in, char out[35])
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ' ')
            continue;
        if (n >= 34)
            return false;
        out[n++] = (char)toupper((unsigned char)*p);
    }
    out[n] = '\0';
    return srs_iban_valid(out);
}

json_t *srs_bank_sim_state(const struct store_srs_registration *r, const json_t *prefill)
{
    char reference[SRS_BANK_REFERENCE_LEN];
    srs_bank_reference(r->order_id, reference);
    return json_pack("{s:s, s:s, s:s, s:b, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}, "
                     "s:{s:s, s:s}}",
                     "status", r->status, "jurisdiction", r->jurisdiction, "level", r->level,
                     "decided", r->callback_digest[0] != '\0', "bank", SRS_BANK_SIM_NAME,
                     "transfer", "amount", SRS_BANK_AMOUNT, "currency", currency_of(r), "reference",
                     reference, "beneficiary", "Signet Smart Registration", "prefill", "givenName",
                     text(prefill, "givenName"), "familyName", text(prefill, "familyName"), "iban",
                     text(prefill, "iban"), "mobile", text(prefill, "mobile"), "testLogin", "user",
                     SRS_BANK_SIM_USER, "password", SRS_BANK_SIM_PASSWORD);
}

/* The holder's name differs from the registration's prefill (ASCII case aside). */
static bool name_mismatch(const json_t *prefill, const char *given, const char *family)
{
    const char *want_given = text(prefill, "givenName"), *want_family = text(prefill, "familyName");
    return (want_given[0] && !str_ieq(want_given, given)) ||
           (want_family[0] && !str_ieq(want_family, family));
}

json_t *srs_bank_sim_result(const struct store_srs_registration *r, const json_t *prefill,
                            const json_t *in, int64_t now, char *err, size_t err_len)
{
    char when[ISO_DATETIME_LEN], reference[SRS_BANK_REFERENCE_LEN], iban[35];
    const char *action = text(in, "action");
    const json_t *holder = json_object_get(in, "accountHolder");
    const char *given = text(holder, "givenName"), *family = text(holder, "familyName");
    const char *birth = text(holder, "birthDate"), *mobile = text(in, "mobile");
    iso_format_datetime(now, false, when);
    srs_bank_reference(r->order_id, reference);
    json_t *result = json_pack("{s:s, s:s, s:s}", "orderId", r->order_id, "agent",
                               SRS_BANK_SIM_NAME, "identifiedAt", when);
    if (strcmp(action, "CANCEL") == 0) {
        json_object_set_new(result, "result", json_string("REJECTED")); /* steals */
        json_object_set_new(result, "reason",
                            json_string("The account holder cancelled the reference transfer."));
        return result;
    }
    if (strcmp(action, "CONFIRM") != 0)
        snprintf(err, err_len, "Field 'action' must be CONFIRM or CANCEL.");
    else if (strcmp(text(in, "login"), SRS_BANK_SIM_USER) != 0 ||
             strcmp(text(in, "password"), SRS_BANK_SIM_PASSWORD) != 0)
        snprintf(err, err_len, "The bank login or password is wrong.");
    else if (!given[0] || !family[0])
        snprintf(err, err_len, "Enter the account holder's given and family name.");
    else if (birth[0] && !srs_date_parse(birth, NULL))
        snprintf(err, err_len, "Field 'accountHolder.birthDate' must be a date (YYYY-MM-DD).");
    else if (!iban_normalize(text(in, "iban"), iban))
        snprintf(err, err_len, "Field 'iban' is not a valid IBAN.");
    else if (!notify_recipient_valid(NOTIFY_SMS, mobile))
        snprintf(err, err_len, "Field 'mobile' must be a mobile number in E.164 (+41…).");
    else if (name_mismatch(prefill, given, family)) {
        /* The bank sees another holder than the person to register: it reports a rejection. */
        json_object_set_new(result, "result", json_string("REJECTED")); /* steals */
        json_object_set_new(result, "reason",
                            json_string("The account holder's name does not match the "
                                        "registration."));
        return result;
    } else {
        json_object_set_new(result, "result", json_string("APPROVED")); /* steals */
        json_object_set_new(result, "mobile", json_string(mobile));
        json_object_set_new(result, "accountHolder",
                            json_pack("{s:s, s:s, s:s*}", "givenName", given, "familyName", family,
                                      "birthDate", birth[0] ? birth : NULL));
        json_object_set_new(result, "account",
                            json_pack("{s:s, s:s}", "iban", iban, "bankName", SRS_BANK_SIM_NAME));
        json_object_set_new(result, "transfer",
                            json_pack("{s:s, s:s, s:s}", "reference", reference, "amount",
                                      SRS_BANK_AMOUNT, "currency", currency_of(r)));
        return result;
    }
    json_decref(result);
    return NULL;
}
