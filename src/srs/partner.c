/*
 * The partner side of registrations (see srs/registration.h): the callback of an
 * identification partner, applied once, and the identity (verified_claims) and evidence
 * package (canonical JSON signed by the registration authority) it produces, sealed.
 */
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/str.h"
#include "pki/ra.h"
#include "srs/catalogue.h"
#include "srs/connector.h"
#include "srs/internal.h"
#include "srs/registration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NULL for an empty string: json_pack's "s*" then leaves the key out. */
static const char *opt(const char *s)
{
    return s && s[0] ? s : NULL;
}

/* The evidence entry of verified_claims: the document checked (video), or the bank's records of
 * the account that made the reference transfer (bank; the IBAN stays in the evidence package). */
static json_t *claims_evidence(const struct srs_partner_result *p, const char *connector,
                               const char *when)
{
    if (p->evidence == SRS_EVIDENCE_EID) /* an eID credential whose signature was verified */
        return json_pack("{s:s, s:s, s:[{s:s}], s:{s:s, s:s*, s:s*, s:{s:s, s:s*}}}", "type",
                         "electronic_record", "time", when, "check_details", "check_method",
                         "vcrypt", "record", "type", "eid", "personal_number",
                         opt(p->document_number), "expiry_date", opt(p->document_expiry), "source",
                         "name", p->agent, "country_code", opt(p->issuing_country));
    if (p->evidence == SRS_EVIDENCE_BANK) {
        char country[3] = {p->iban[0], p->iban[1], '\0'};
        return json_pack("{s:s, s:s, s:[{s:s, s:s, s:s}], s:{s:s, s:{s:s, s:s}}}", "type",
                         "electronic_record", "time", when, "check_details", "check_method", "data",
                         "organization", p->bank_name, "txn", p->reference, "record", "type",
                         "bank_account", "source", "name", p->bank_name, "country_code", country);
    }
    const char *doc_type = strcmp(p->document_type, "PASSPORT") == 0 ? "passport" : "idcard";
    /* SRS Direct (srs/ra.c): checked in person by an RA agent ("pipp"), else by video. */
    bool in_person = strcmp(connector, "ra-direct") == 0;
    return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:{s:s}}}", "type", "document", "method",
                     in_person ? "pipp" : "vid", "time", when, "document_details", "type", doc_type,
                     "document_number", p->document_number, "expiry_date", p->document_expiry,
                     "issuer", "country_code", p->issuing_country);
}

/* OpenID Connect for Identity Assurance 1.0: verified_claims of a partner result. Claims the
 * partner did not establish (a bank may not know the birth date) are left out. */
static json_t *verified_claims(const struct store_srs_registration *r,
                               const struct srs_partner_result *p)
{
    char when[ISO_DATETIME_LEN];
    iso_format_datetime(p->identified_at, false, when);
    const char *framework = strcmp(r->jurisdiction, "CH") == 0 ? "ch_zertes" : "eidas";
    json_t *nationalities = p->nationality[0] ? json_pack("[s]", p->nationality) : NULL;
    return json_pack(
        "{s:{s:{s:s, s:s, s:s, s:s, s:[o]}, s:{s:s, s:s, s:s*, s:o*, s:s, s:b}}}",
        "verified_claims", "verification", "trust_framework", framework, "assurance_level",
        strcmp(r->level, "QUALIFIED") == 0 ? "qualified" : "advanced", "time", when,
        "verification_process", r->id, "evidence", claims_evidence(p, r->connector, when), "claims",
        "given_name", p->given_name, "family_name", p->family_name, "birthdate", opt(p->birth_date),
        "nationalities", nationalities, "phone_number", p->mobile, "phone_number_verified", 0);
}

/* The evidence package: canonical JSON (sorted keys, compact, UTF-8). Owned. */
static char *evidence_json(const struct store_srs_registration *r,
                           const struct srs_partner_result *p, int64_t now)
{
    char when[ISO_DATETIME_LEN], signed_at[ISO_DATETIME_LEN];
    iso_format_datetime(p->identified_at, false, when);
    iso_format_datetime(now, false, signed_at);
    json_t *e =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
                  "s:{s:s, s:s, s:s*, s:s*}}",
                  "type", "signet-srs-evidence-v1", "registrationId", r->id, "organizationId",
                  r->organization_id, "jurisdiction", r->jurisdiction, "level", r->level, "method",
                  r->method, "connector", r->connector, "orderId", p->order_id, "identifiedAt",
                  when, "agent", p->agent, "mobile", p->mobile, "signedAt", signed_at, "person",
                  "givenName", p->given_name, "familyName", p->family_name, "birthDate",
                  opt(p->birth_date), "nationality", opt(p->nationality));
    if (e && p->evidence == SRS_EVIDENCE_BANK)
        json_object_set_new(e, "account",
                            json_pack("{s:s, s:s, s:s, s:s, s:s}", "iban", p->iban, "bankName",
                                      p->bank_name, "reference", p->reference, "amount",
                                      SRS_BANK_AMOUNT, "currency", p->currency)); /* steals */
    else if (e)
        json_object_set_new(e, "document",
                            json_pack("{s:s, s:s, s:s, s:s}", "type", p->document_type, "number",
                                      p->document_number, "expiryDate", p->document_expiry,
                                      "issuingCountry", p->issuing_country)); /* steals */
    char *text = e ? json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(e);
    return text;
}

/* True when an account of this IBAN serves the jurisdiction: CH (with LI) or EU/EEA. */
static bool account_serves(const char *jurisdiction, const char *iban)
{
    static const char eea[] = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT "
                              "NL NO PL PT RO SE SI SK";
    char cc[3] = {iban[0], iban[1], '\0'}; /* two capitals: srs_iban_valid checked */
    if (strcmp(jurisdiction, "CH") == 0)
        return strcmp(cc, "CH") == 0 || strcmp(cc, "LI") == 0;
    return strstr(eea, cc) != NULL;
}

/* ---- partner callback ---- */

struct callback_op {
    const struct srs_env *env;
    const char *connector;
    const struct srs_partner_result *p;
    const char *digest;
    struct store_srs_registration *r;
    bool replay;
    /* prepared outside the transaction: sealed identity and evidence, lookup, validity */
    struct store_blob_field identity, evidence;
    char lookup[65];
    int64_t valid_until;
};

static enum store_status callback_tx(struct store_tx *tx, void *cls)
{
    struct callback_op *op = cls;
    char actor[64];
    store_srs_registration_clear(op->r);
    op->replay = false;
    enum store_status st = store_srs_get_by(tx, "order_id", op->p->order_id, op->r);
    if (st != STORE_OK)
        return st;
    if (strcmp(op->r->connector, op->connector) != 0)
        return STORE_NOT_FOUND;
    if (op->r->callback_digest[0]) {
        /* Already applied: the same body again is a replay, anything else a conflict. */
        op->replay = strcmp(op->r->callback_digest, op->digest) == 0;
        return op->replay ? STORE_OK : STORE_CONFLICT;
    }
    if (strcmp(op->r->status, SRS_IN_IDENTIFICATION) != 0)
        return STORE_CONFLICT;
    int64_t now = time_now_ms();
    snprintf(actor, sizeof actor, "partner:%s", op->connector);
    str_copy(op->r->callback_digest, sizeof op->r->callback_digest, op->digest);
    if (!op->p->approved) {
        str_copy(op->r->rejection_reason, sizeof op->r->rejection_reason, op->p->reason);
        return srs_transition(tx, op->r, SRS_REJECTED, actor, now);
    }
    /* The blobs stay owned by op (they are written from op->r, then released below). */
    op->r->identity_sealed = op->identity;
    op->r->evidence_sealed = op->evidence;
    str_copy(op->r->mobile_lookup, sizeof op->r->mobile_lookup, op->lookup);
    op->r->identified_at = op->p->identified_at;
    op->r->valid_until = op->valid_until;
    st = srs_transition(tx, op->r, SRS_AWAITING_TERMS, actor, now);
    op->r->identity_sealed = (struct store_blob_field){0};
    op->r->evidence_sealed = (struct store_blob_field){0};
    return st;
}

/* Prepares the sealed identity and evidence of an approved result for r. */
static enum srs_result prepare_identity(const struct srs_env *env,
                                        const struct store_srs_registration *r,
                                        const struct srs_partner_result *p, struct callback_op *op,
                                        char *err, size_t err_len)
{
    unsigned char dk[CRYPTO_KEY_LEN];
    enum srs_result res = SRS_R_UNAVAILABLE;
    char *claims_text = NULL, *evidence = NULL;
    unsigned char *cms = NULL;
    size_t cms_len = 0;
    json_t *claims = NULL;
    int64_t expiry = 0;
    bool document = p->evidence != SRS_EVIDENCE_BANK; /* video, eID: a document's expiry */
    const struct srs_method *m = srs_catalogue_find(env->catalogue, r->method);
    if (!m || (document && !srs_date_parse(p->document_expiry, &expiry))) {
        snprintf(err, err_len, "The registration's method is no longer in the catalogue.");
        return SRS_R_CONFLICT;
    }
    expiry += (int64_t)24 * 3600 * 1000 - 1; /* valid through the expiry day */
    if (document && expiry < p->identified_at) {
        snprintf(err, err_len, "The identity document had expired when it was checked.");
        return SRS_R_INVALID;
    }
    if (!document && !account_serves(r->jurisdiction, p->iban)) {
        snprintf(err, err_len, "The account %.2s… is not held with a bank of jurisdiction %s.",
                 p->iban, r->jurisdiction);
        return SRS_R_INVALID;
    }
    if (!iso_duration_add(p->identified_at, &m->validity, &op->valid_until))
        return SRS_R_UNAVAILABLE;
    if (document && m->limited_by_document && expiry < op->valid_until)
        op->valid_until = expiry;
    if (!env->ca) {
        snprintf(err, err_len, "The registration authority is not ready; try again.");
        return SRS_R_UNAVAILABLE;
    }
    claims = verified_claims(r, p);
    claims_text = claims ? json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    evidence = evidence_json(r, p, time_now_ms());
    if (evidence)
        cms = pki_ra_sign(env->ca, evidence, strlen(evidence), &cms_len, err, err_len);
    if (claims_text && cms && srs_data_key(env, r, dk) &&
        srs_seal(dk, r->id, claims_text, strlen(claims_text), &op->identity) &&
        srs_seal(dk, r->id, cms, cms_len, &op->evidence) &&
        srs_mobile_lookup(env, p->mobile, op->lookup))
        res = SRS_R_OK;
    else
        log_error("srs: registration %s: cannot sign or seal the evidence", r->id);
    memset(dk, 0, sizeof dk);
    json_decref(claims);
    if (claims_text) {
        memset(claims_text, 0, strlen(claims_text));
        free(claims_text);
    }
    if (evidence) {
        memset(evidence, 0, strlen(evidence));
        free(evidence);
    }
    free(cms);
    return res;
}

enum srs_result srs_partner_callback(const struct srs_env *env, const char *connector,
                                     const void *body, size_t len, const char *signature,
                                     struct store_srs_registration *out, char *err, size_t err_len)
{
    unsigned char secret[256];
    size_t secret_len = 0;
    struct srs_partner_result p;
    char digest[65];
    enum srs_result res;
    memset(out, 0, sizeof *out);
    const struct srs_connector *c = srs_catalogue_connector(env->catalogue, connector);
    if (!c) {
        snprintf(err, err_len, "There is no partner connector '%.40s'.", connector);
        return SRS_R_NOT_FOUND;
    }
    bool authentic;
    if (c->secret_len > 0) /* a configured partner's own secret */
        authentic = c->verify_callback(c->secret, c->secret_len, body, len, signature);
    else
        authentic = srs_partner_secret(env, c->name, secret, sizeof secret, &secret_len) &&
                    c->verify_callback(secret, secret_len, body, len, signature);
    memset(secret, 0, sizeof secret);
    if (!authentic) {
        snprintf(err, err_len, "The callback's %s header does not authenticate its body.",
                 SRS_SIGNATURE_HEADER);
        return SRS_R_UNAUTHORIZED;
    }
    if (!c->parse_result(body, len, &p, err, err_len))
        return SRS_R_INVALID;
    crypto_sha256_hex(body, len, digest);
    res = srs_partner_apply(env, c->name, &p, digest, out, err, err_len);
    memset(&p, 0, sizeof p);
    return res;
}

enum srs_result srs_partner_apply(const struct srs_env *env, const char *connector,
                                  const struct srs_partner_result *result, const char *digest,
                                  struct store_srs_registration *out, char *err, size_t err_len)
{
    enum srs_result res;
    struct srs_partner_result p = *result;
    memset(out, 0, sizeof *out);
    struct callback_op op = {
        .env = env, .connector = connector, .p = &p, .digest = digest, .r = out};
    if (p.approved) {
        /* Identity and evidence need the registration (id, data key, method) first. */
        struct store_srs_registration r = {0};
        struct srs_get_op g = {.column = "order_id", .value = p.order_id, .r = &r};
        res = srs_from_store(store_run(env->store, STORE_READ, srs_get_tx, &g));
        if (res == SRS_R_OK && !r.callback_digest[0] &&
            strcmp(r.status, SRS_IN_IDENTIFICATION) == 0)
            res = prepare_identity(env, &r, &p, &op, err, err_len);
        store_srs_registration_clear(&r);
        if (res != SRS_R_OK) {
            if (res == SRS_R_NOT_FOUND)
                snprintf(err, err_len, "There is no open order '%.64s'.", p.order_id);
            goto cleanup;
        }
    }
    res = srs_from_store(store_run(env->store, STORE_WRITE, callback_tx, &op));
    if (res == SRS_R_NOT_FOUND)
        snprintf(err, err_len, "There is no open order '%.64s'.", p.order_id);
    else if (res == SRS_R_CONFLICT)
        snprintf(err, err_len, "The order '%.64s' already has a different result.", p.order_id);
cleanup:
    memset(&p, 0, sizeof p);
    free(op.identity.data);
    free(op.evidence.data);
    if (res != SRS_R_OK)
        store_srs_registration_clear(out);
    return res;
}

enum srs_result srs_order_get(const struct srs_env *env, const char *order_id,
                              struct store_srs_registration *out)
{
    memset(out, 0, sizeof *out);
    struct srs_get_op op = {.column = "order_id", .value = order_id, .r = out};
    enum srs_result res = srs_from_store(store_run(env->store, STORE_READ, srs_get_tx, &op));
    if (res != SRS_R_OK)
        store_srs_registration_clear(out);
    return res;
}

enum srs_result srs_order_prefill(const struct srs_env *env, const struct store_srs_registration *r,
                                  json_t **out)
{
    unsigned char dk[CRYPTO_KEY_LEN];
    unsigned char *plain = NULL;
    size_t len = 0;
    *out = NULL;
    if (!r->prefill_sealed.data)
        return SRS_R_OK;
    if (srs_data_key(env, r, dk))
        plain = srs_unseal(dk, r->id, &r->prefill_sealed, &len);
    memset(dk, 0, sizeof dk);
    if (!plain) {
        log_error("srs: registration %s: the prefill cannot be opened", r->id);
        return SRS_R_UNAVAILABLE;
    }
    *out = json_loadb((const char *)plain, len, 0, NULL);
    memset(plain, 0, len);
    free(plain);
    return *out ? SRS_R_OK : SRS_R_UNAVAILABLE;
}
