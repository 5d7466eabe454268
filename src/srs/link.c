/*
 * The end customer's steps of a registration (see srs/registration.h): the link page's
 * method choice, mobile verification by one-time code, the terms of use, and the lookup of an
 * ACTIVE registration for signing.
 */
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/rand.h"
#include "core/reason.h"
#include "core/str.h"
#include "core/embed.h"
#include "notify/notify.h"
#include "srs/catalogue.h"
#include "srs/connector.h"
#include "srs/internal.h"
#include "srs/registration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the end customer's link ---- */

enum srs_result srs_link_get(const struct srs_env *env, const char *token,
                             struct store_srs_registration *out)
{
    char hash[65];
    memset(out, 0, sizeof *out);
    srs_token_hash(token, hash);
    struct srs_get_op op = {
        .column = "link_hash", .value = hash, .r = out, .expire_actor = "end-customer"};
    enum srs_result res = srs_from_store(store_run(env->store, STORE_WRITE, srs_get_tx, &op));
    if (res != SRS_R_OK)
        store_srs_registration_clear(out);
    return res;
}

struct start_op {
    const char *hash, *method, *connector, *order_id;
    struct store_srs_registration *r;
};

static enum store_status start_tx(struct store_tx *tx, void *cls)
{
    struct start_op *op = cls;
    store_srs_registration_clear(op->r);
    int64_t now = time_now_ms();
    enum store_status st = store_srs_get_by(tx, "link_hash", op->hash, op->r);
    if (st == STORE_OK)
        st = srs_expire_if_due(tx, op->r, "end-customer", now);
    if (st != STORE_OK)
        return st;
    if (strcmp(op->r->status, SRS_OPEN) != 0 && strcmp(op->r->status, SRS_IN_IDENTIFICATION) != 0)
        return STORE_CONFLICT;
    str_copy(op->r->method, sizeof op->r->method, op->method);
    str_copy(op->r->connector, sizeof op->r->connector, op->connector);
    str_copy(op->r->order_id, sizeof op->r->order_id, op->order_id);
    return srs_transition(tx, op->r, SRS_IN_IDENTIFICATION, "end-customer", now);
}

static bool offered(const struct store_srs_registration *r, const char *method)
{
    json_t *a = json_loads(r->methods, 0, NULL);
    bool found = false;
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
    {
        if (json_is_string(e) && strcmp(json_string_value(e), method) == 0)
            found = true;
    }
    json_decref(a);
    return found;
}

enum srs_result srs_link_start(const struct srs_env *env, const char *token, const char *method,
                               char *url, size_t url_len, char *err, size_t err_len)
{
    struct store_srs_registration r;
    char hash[65], order[33];
    unsigned char b[16];
    enum srs_result res = srs_link_get(env, token, &r);
    if (res != SRS_R_OK)
        return res;
    const struct srs_method *m = method ? srs_catalogue_find(env->catalogue, method) : NULL;
    const struct srs_connector *c =
        m ? srs_catalogue_connector(env->catalogue, m->connector) : NULL;
    if (!c || !offered(&r, method)) {
        reason_message(err, err_len, "srs.method", NULL, "Choose one of the methods offered: %s.",
                       r.methods);
        res = SRS_R_INVALID;
        goto cleanup;
    }
    if (!rand_bytes(b, sizeof b)) {
        res = SRS_R_UNAVAILABLE;
        goto cleanup;
    }
    crypto_hex(b, sizeof b, order);
    /* Where the customer comes back to Signet from a configured partner: this page. */
    char back[512];
    int n = snprintf(back, sizeof back, "%s/srs/r/%s", env->public_url, token);
    if (n < 0 || (size_t)n >= sizeof back ||
        !srs_connector_open(c, env->public_url, order, back, url, url_len)) {
        reason_message(err, err_len, "srs.partnerDown", NULL,
                       "The identification partner cannot be reached; try again.");
        res = SRS_R_UNAVAILABLE;
        goto cleanup;
    }
    srs_token_hash(token, hash);
    struct start_op op = {hash, m->id, c->name, order, &r};
    res = srs_from_store(store_run(env->store, STORE_WRITE, start_tx, &op));
    if (res == SRS_R_CONFLICT)
        reason_message(err, err_len, "srs.state", json_pack("{s:s}", "status", r.status),
                       "The registration is %s: no identification can be started.", r.status);
cleanup:
    store_srs_registration_clear(&r);
    return res;
}

/* The verified mobile of an identified registration, from its sealed identity. */
static bool identity_mobile(const struct srs_env *env, const struct store_srs_registration *r,
                            char *mobile, size_t mobile_len)
{
    unsigned char dk[CRYPTO_KEY_LEN];
    size_t len = 0;
    unsigned char *plain =
        srs_data_key(env, r, dk) ? srs_unseal(dk, r->id, &r->identity_sealed, &len) : NULL;
    json_t *j = plain ? json_loadb((const char *)plain, len, 0, NULL) : NULL;
    const char *m = json_string_value(json_object_get(
        json_object_get(json_object_get(j, "verified_claims"), "claims"), "phone_number"));
    bool ok = m && str_copy(mobile, mobile_len, m);
    json_decref(j);
    if (plain) {
        memset(plain, 0, len);
        free(plain);
    }
    memset(dk, 0, sizeof dk);
    return ok;
}

static void code_hash(const struct srs_env *env, const char *id, const char *code, char out[65])
{
    char data[128];
    snprintf(data, sizeof data, "%s:%s", id, code);
    if (!srs_key_hex(env, "signet-srs-code-v1", data, out))
        out[0] = '\0';
}

struct code_op {
    const struct srs_env *env;
    const char *column; /* how the registration is found: "link_hash" or "order_id" */
    const char *hash;   /* that column's value */
    const char *actor;  /* of the audit records */
    const char *mobile;
    const char *code; /* send: the new code; verify: the entered one */
    const char *locale;
    char terms_token[SRS_TOKEN_LEN];
    struct store_srs_registration *r;
    enum srs_result res;
};

static enum store_status send_code_tx(struct store_tx *tx, void *cls)
{
    struct code_op *op = cls;
    int64_t now = time_now_ms(), recent = 0;
    store_srs_registration_clear(op->r);
    op->res = SRS_R_OK;
    enum store_status st = store_srs_get_by(tx, op->column, op->hash, op->r);
    if (st == STORE_OK)
        st = srs_expire_if_due(tx, op->r, op->actor, now);
    if (st != STORE_OK)
        return st;
    if (strcmp(op->r->status, SRS_AWAITING_TERMS) != 0 || op->r->mobile_verified_at)
        return STORE_CONFLICT;
    st = store_srs_code_send_add(tx, op->r->mobile_lookup, now - 3600 * 1000, now, &recent);
    if (st != STORE_OK)
        return st;
    if (recent >= SRS_CODES_PER_HOUR) {
        op->res = SRS_R_TOO_MANY;
        return STORE_CONFLICT; /* nothing is written */
    }
    code_hash(op->env, op->r->id, op->code, op->r->code_hash);
    op->r->code_expires_at = now + SRS_CODE_TTL_MS;
    op->r->code_attempts = 0;
    op->r->updated_at = now;
    st = store_srs_update(tx, op->r, op->r->status);
    struct notify_message m = {.kind = NOTIFY_CODE,
                               .channel = NOTIFY_SMS,
                               .organization_id = op->r->organization_id,
                               .to = op->mobile,
                               .locale = op->locale,
                               .code = op->code,
                               .valid_until_ms = op->r->code_expires_at};
    if (st == STORE_OK)
        st = notify_enqueue(tx, &m, now, NULL);
    if (st == STORE_OK)
        st =
            store_srs_audit_add(tx, op->r->organization_id, op->r->id, "CODE_SENT", op->actor, now);
    return st;
}

/* Sends a code for r (found by column = value, read already; cleared here). */
static enum srs_result send_code(const struct srs_env *env, struct store_srs_registration *rp,
                                 const char *column, const char *value, const char *actor,
                                 char *err, size_t err_len)
{
    struct store_srs_registration r = *rp;
    char mobile[32], code[8];
    uint32_t v = 0;
    enum srs_result res = SRS_R_OK;
    if (strcmp(r.status, SRS_AWAITING_TERMS) != 0 || r.mobile_verified_at) {
        reason_message(err, err_len, "srs.state", json_pack("{s:s}", "status", r.status),
                       "The registration is %s: no code is needed now.", r.status);
        res = SRS_R_CONFLICT;
        goto cleanup;
    }
    if (!identity_mobile(env, &r, mobile, sizeof mobile)) {
        res = SRS_R_UNAVAILABLE;
        goto cleanup;
    }
    do {
        if (!rand_bytes(&v, sizeof v)) {
            res = SRS_R_UNAVAILABLE;
            goto cleanup;
        }
    } while (v >= 4294000000u); /* a multiple of 10^6: no modulo bias */
    snprintf(code, sizeof code, "%06u", v % 1000000u);
    struct code_op op = {.env = env,
                         .column = column,
                         .hash = value,
                         .actor = actor,
                         .mobile = mobile,
                         .code = code,
                         .r = &r};
    enum store_status st = store_run(env->store, STORE_WRITE, send_code_tx, &op);
    res = op.res != SRS_R_OK ? op.res : srs_from_store(st);
    if (res == SRS_R_TOO_MANY)
        reason_message(err, err_len, "code.tooMany", NULL,
                       "Too many codes were sent to this number; try again in an hour.");
    else if (res == SRS_R_CONFLICT)
        reason_message(err, err_len, "srs.state", json_pack("{s:s}", "status", r.status),
                       "The registration is %s: no code is needed now.", r.status);
cleanup:
    memset(code, 0, sizeof code);
    store_srs_registration_clear(&r);
    return res;
}

enum srs_result srs_link_send_code(const struct srs_env *env, const char *token, char *err,
                                   size_t err_len)
{
    struct store_srs_registration r;
    char hash[65];
    enum srs_result res = srs_link_get(env, token, &r);
    if (res != SRS_R_OK)
        return res;
    srs_token_hash(token, hash);
    return send_code(env, &r, "link_hash", hash, "end-customer", err, err_len);
}

enum srs_result srs_order_send_code(const struct srs_env *env, const char *order_id,
                                    const char *actor, char *err, size_t err_len)
{
    struct store_srs_registration r;
    enum srs_result res = srs_order_get(env, order_id, &r);
    if (res != SRS_R_OK)
        return res;
    return send_code(env, &r, "order_id", order_id, actor, err, err_len);
}

static enum store_status verify_code_tx(struct store_tx *tx, void *cls)
{
    struct code_op *op = cls;
    int64_t now = time_now_ms();
    char entered[65], terms_hash[65];
    store_srs_registration_clear(op->r);
    op->res = SRS_R_OK;
    enum store_status st = store_srs_get_by(tx, op->column, op->hash, op->r);
    if (st == STORE_OK)
        st = srs_expire_if_due(tx, op->r, op->actor, now);
    if (st != STORE_OK)
        return st;
    if (strcmp(op->r->status, SRS_AWAITING_TERMS) != 0 || op->r->mobile_verified_at)
        return STORE_CONFLICT;
    if (!op->r->code_hash[0] || op->r->code_attempts >= SRS_CODE_MAX_ATTEMPTS) {
        op->res = op->r->code_hash[0] ? SRS_R_TOO_MANY : SRS_R_GONE;
        return STORE_OK;
    }
    if (now > op->r->code_expires_at) {
        op->res = SRS_R_GONE;
        return STORE_OK;
    }
    code_hash(op->env, op->r->id, op->code, entered);
    if (!entered[0] || !str_ct_equal(entered, op->r->code_hash, 64)) {
        op->r->code_attempts++;
        op->r->updated_at = now;
        op->res = op->r->code_attempts >= SRS_CODE_MAX_ATTEMPTS ? SRS_R_TOO_MANY : SRS_R_INVALID;
        return store_srs_update(tx, op->r, op->r->status);
    }
    if (!srs_new_token(op->terms_token, terms_hash))
        return STORE_ERROR;
    op->r->code_hash[0] = '\0';
    op->r->code_expires_at = 0;
    op->r->mobile_verified_at = now;
    str_copy(op->r->terms_hash, sizeof op->r->terms_hash, terms_hash);
    op->r->terms_expires_at = now + SRS_TERMS_LINK_TTL_MS;
    op->r->updated_at = now;
    st = store_srs_update(tx, op->r, op->r->status);
    char link[1200];
    snprintf(link, sizeof link, "%s/srs/terms/%s", op->env->public_url, op->terms_token);
    struct notify_message m = {.kind = NOTIFY_SRS_TERMS,
                               .channel = NOTIFY_SMS,
                               .organization_id = op->r->organization_id,
                               .to = op->mobile,
                               .locale = op->locale,
                               .link = link,
                               .valid_until_ms = op->r->terms_expires_at};
    if (st == STORE_OK)
        st = notify_enqueue(tx, &m, now, NULL);
    if (st == STORE_OK)
        st = store_srs_audit_add(tx, op->r->organization_id, op->r->id, "MOBILE_VERIFIED",
                                 op->actor, now);
    return st;
}

/* Checks a code for r (found by column = value, read already; cleared here). */
static enum srs_result verify_code(const struct srs_env *env, struct store_srs_registration *rp,
                                   const char *column, const char *value, const char *actor,
                                   const char *code, char *err, size_t err_len)
{
    struct store_srs_registration r = *rp;
    char mobile[32];
    enum srs_result res = SRS_R_OK;
    if (strcmp(r.status, SRS_AWAITING_TERMS) != 0 || r.mobile_verified_at) {
        reason_message(err, err_len, "srs.state", json_pack("{s:s}", "status", r.status),
                       "The registration is %s: no code is needed now.", r.status);
        res = SRS_R_CONFLICT;
        goto cleanup;
    }
    if (!code || strlen(code) != 6 || strspn(code, "0123456789") != 6) {
        reason_message(err, err_len, "code.format", json_pack("{s:i}", "digits", 6),
                       "Field 'code' must be the 6 digits sent by SMS.");
        res = SRS_R_INVALID;
        goto cleanup;
    }
    if (!identity_mobile(env, &r, mobile, sizeof mobile)) {
        res = SRS_R_UNAVAILABLE;
        goto cleanup;
    }
    struct code_op op = {.env = env,
                         .column = column,
                         .hash = value,
                         .actor = actor,
                         .mobile = mobile,
                         .code = code,
                         .r = &r};
    enum store_status st = store_run(env->store, STORE_WRITE, verify_code_tx, &op);
    res = st != STORE_OK ? srs_from_store(st) : op.res;
    if (res == SRS_R_INVALID)
        reason_message(err, err_len, "srs.codeWrong", NULL, "The code is wrong.");
    else if (res == SRS_R_TOO_MANY)
        reason_message(err, err_len, "code.tooManyWrong", NULL,
                       "Too many wrong codes: request a new code.");
    else if (res == SRS_R_GONE)
        reason_message(err, err_len, "code.expired", NULL,
                       "The code has expired or none was sent: request a new code.");
    else if (res == SRS_R_CONFLICT)
        reason_message(err, err_len, "srs.state", json_pack("{s:s}", "status", r.status),
                       "The registration is %s: no code is needed now.", r.status);
    memset(op.terms_token, 0, sizeof op.terms_token);
cleanup:
    store_srs_registration_clear(&r);
    return res;
}

enum srs_result srs_link_verify_code(const struct srs_env *env, const char *token, const char *code,
                                     char *err, size_t err_len)
{
    struct store_srs_registration r;
    char hash[65];
    enum srs_result res = srs_link_get(env, token, &r);
    if (res != SRS_R_OK)
        return res;
    srs_token_hash(token, hash);
    return verify_code(env, &r, "link_hash", hash, "end-customer", code, err, err_len);
}

enum srs_result srs_order_verify_code(const struct srs_env *env, const char *order_id,
                                      const char *actor, const char *code, char *err,
                                      size_t err_len)
{
    struct store_srs_registration r;
    enum srs_result res = srs_order_get(env, order_id, &r);
    if (res != SRS_R_OK)
        return res;
    return verify_code(env, &r, "order_id", order_id, actor, code, err, err_len);
}

/* ---- terms of use ---- */

const char *srs_terms_text(const char *locale, char version_hash[65])
{
    char name[64];
    const char *lang = locale && strlen(locale) >= 2 ? locale : "en";
    snprintf(name, sizeof name, "config/srs-terms-%.2s.txt", lang);
    const struct embedded_file *f = embed_find(web_files, name);
    if (!f)
        f = embed_find(web_files, "config/srs-terms-en.txt");
    if (!f)
        return NULL;
    crypto_sha256_hex(f->data, f->size, version_hash);
    return (const char *)f->data;
}

enum srs_result srs_terms_get(const struct srs_env *env, const char *token,
                              struct store_srs_registration *out)
{
    char hash[65];
    memset(out, 0, sizeof *out);
    srs_token_hash(token, hash);
    struct srs_get_op op = {
        .column = "terms_hash", .value = hash, .r = out, .expire_actor = "end-customer"};
    enum srs_result res = srs_from_store(store_run(env->store, STORE_WRITE, srs_get_tx, &op));
    if (res == SRS_R_OK && strcmp(out->status, SRS_AWAITING_TERMS) != 0 &&
        strcmp(out->status, SRS_ACTIVE) != 0)
        res = SRS_R_CONFLICT;
    else if (res == SRS_R_OK && strcmp(out->status, SRS_AWAITING_TERMS) == 0 &&
             time_now_ms() > out->terms_expires_at)
        res = SRS_R_GONE;
    if (res != SRS_R_OK && res != SRS_R_CONFLICT)
        store_srs_registration_clear(out);
    return res;
}

/* ---- consent to share identity data with the service provider ---- */

/* The consent text in each language, around the organization's name (docs/srs.md "Consent");
 * the page shows it beside an unticked checkbox and its hash is recorded with the decision. */
static const struct {
    const char *lang, *before, *after;
} CONSENT[] = {
    {"en", "I consent that ",
     " (the service provider) receives my identity data and the evidence of my identification. "
     "Without this consent, my registration still serves for signing."},
    {"de", "Ich willige ein, dass ",
     " (der Dienstanbieter) meine Identitätsdaten und den Nachweis meiner Identifikation "
     "erhält. Ohne diese Einwilligung kann ich mit meiner Registrierung trotzdem signieren."},
    {"fr", "J’accepte que ",
     " (le fournisseur du service) reçoive mes données d’identité et la preuve de mon "
     "identification. Sans ce consentement, mon enregistrement sert quand même à signer."},
    {"it", "Acconsento che ",
     " (il fornitore del servizio) riceva i miei dati d’identità e la prova della mia "
     "identificazione. Senza questo consenso, la mia registrazione serve comunque per firmare."},
};

#define CONSENT_LANGS (sizeof CONSENT / sizeof CONSENT[0])

bool srs_consent_text(const char *locale, const char *organization_name, char *text,
                      size_t text_len, char hash[65])
{
    size_t k = 0;
    for (size_t i = 0; locale && i < CONSENT_LANGS; i++)
        if (strncmp(locale, CONSENT[i].lang, 2) == 0)
            k = i;
    int n =
        snprintf(text, text_len, "%s%s%s", CONSENT[k].before, organization_name, CONSENT[k].after);
    if (n < 0 || (size_t)n >= text_len)
        return false;
    crypto_sha256_hex((const unsigned char *)text, (size_t)n, hash);
    return true;
}

/* True when hash is the hash of the consent text, in one of the languages, for the name. */
static bool consent_hash_known(const char *organization_name, const char *hash)
{
    char text[SRS_CONSENT_TEXT_LEN], h[65];
    for (size_t i = 0; hash && i < CONSENT_LANGS; i++)
        if (srs_consent_text(CONSENT[i].lang, organization_name, text, sizeof text, h) &&
            strcmp(h, hash) == 0)
            return true;
    return false;
}

struct org_name_op {
    const char *id;
    struct store_org org;
};

static enum store_status org_name_tx(struct store_tx *tx, void *cls)
{
    struct org_name_op *op = cls;
    return store_org_get(tx, op->id, &op->org);
}

bool srs_organization_name(const struct srs_env *env, const char *organization_id, char *name,
                           size_t name_len)
{
    struct org_name_op op = {.id = organization_id};
    return store_run(env->store, STORE_READ, org_name_tx, &op) == STORE_OK &&
           str_copy(name, name_len, op.org.name);
}

/* Records the consent decision on r (read in tx): consent given or not, the hash of the text
 * shown (NULL: none), audited as action by the end customer. INVALID in *res when the hash is
 * not of the consent text for r's organization. */
static enum store_status record_consent(struct store_tx *tx, struct store_srs_registration *r,
                                        bool consent, const char *consent_hash, const char *action,
                                        int64_t now, enum srs_result *res)
{
    struct store_org org;
    enum store_status st = store_org_get(tx, r->organization_id, &org);
    if (st != STORE_OK)
        return st;
    if (consent_hash && !consent_hash_known(org.name, consent_hash)) {
        *res = SRS_R_INVALID;
        return STORE_OK;
    }
    r->consent_given = consent;
    r->consent_at = now;
    str_copy(r->consent_text_hash, sizeof r->consent_text_hash, consent_hash ? consent_hash : "");
    return store_srs_audit_add(tx, r->organization_id, r->id, action, "end-customer", now);
}

struct accept_op {
    const char *hash, *version_hash;
    bool consent;
    const char *consent_hash;
    struct store_srs_registration *r;
    enum srs_result res;
};

static enum store_status accept_tx(struct store_tx *tx, void *cls)
{
    struct accept_op *op = cls;
    int64_t now = time_now_ms();
    store_srs_registration_clear(op->r);
    op->res = SRS_R_OK;
    enum store_status st = store_srs_get_by(tx, "terms_hash", op->hash, op->r);
    if (st == STORE_OK)
        st = srs_expire_if_due(tx, op->r, "end-customer", now);
    if (st != STORE_OK)
        return st;
    if (strcmp(op->r->status, SRS_AWAITING_TERMS) != 0)
        return STORE_CONFLICT;
    if (now > op->r->terms_expires_at) {
        op->res = SRS_R_GONE;
        return STORE_OK;
    }
    /* The link is single-use: its hash is kept (so a second use is recognised) but it no
     * longer leads to an acceptable state once ACTIVE. */
    str_copy(op->r->terms_version_hash, sizeof op->r->terms_version_hash, op->version_hash);
    op->r->terms_accepted_at = now;
    /* The consent decision is recorded with the acceptance, audited right before it. */
    st = record_consent(tx, op->r, op->consent, op->consent_hash,
                        op->consent ? "CONSENT_GIVEN" : "CONSENT_REFUSED", now, &op->res);
    if (st != STORE_OK || op->res != SRS_R_OK)
        return st == STORE_OK ? STORE_CONFLICT : st; /* nothing is written */
    return srs_transition(tx, op->r, SRS_ACTIVE, "end-customer", now);
}

static void consent_invalid(char *err, size_t err_len)
{
    snprintf(err, err_len, "Field 'consentHash' must be the hash of the consent text shown.");
}

enum srs_result srs_terms_accept(const struct srs_env *env, const char *token,
                                 const char *version_hash, bool consent, const char *consent_hash,
                                 char *err, size_t err_len)
{
    struct store_srs_registration r = {0};
    char hash[65], current[65];
    bool known = false;
    const char *langs[] = {"en", "de", "fr", "it"};
    for (size_t i = 0; version_hash && i < 4; i++)
        if (srs_terms_text(langs[i], current) && strcmp(current, version_hash) == 0)
            known = true;
    if (!known) {
        snprintf(err, err_len, "Field 'versionHash' must be the version hash of the terms shown.");
        return SRS_R_INVALID;
    }
    if (consent && !consent_hash) {
        consent_invalid(err, err_len);
        return SRS_R_INVALID;
    }
    srs_token_hash(token, hash);
    struct accept_op op = {hash, version_hash, consent, consent_hash, &r, SRS_R_OK};
    enum store_status st = store_run(env->store, STORE_WRITE, accept_tx, &op);
    enum srs_result res = op.res != SRS_R_OK ? op.res : srs_from_store(st);
    if (res == SRS_R_INVALID)
        consent_invalid(err, err_len);
    else if (res == SRS_R_CONFLICT)
        reason_message(err, err_len, "srs.termsDone", NULL,
                       "The terms were already accepted or can no longer be.");
    else if (res == SRS_R_GONE)
        reason_message(err, err_len, "srs.termsExpired", NULL, "The terms link has expired.");
    store_srs_registration_clear(&r);
    return res;
}

struct consent_op {
    const char *hash, *consent_hash;
    bool consent;
    struct store_srs_registration *r;
    enum srs_result res;
};

static enum store_status consent_tx(struct store_tx *tx, void *cls)
{
    struct consent_op *op = cls;
    int64_t now = time_now_ms();
    store_srs_registration_clear(op->r);
    op->res = SRS_R_OK;
    enum store_status st = store_srs_get_by(tx, "terms_hash", op->hash, op->r);
    if (st == STORE_OK)
        st = srs_expire_if_due(tx, op->r, "end-customer", now);
    if (st != STORE_OK)
        return st;
    if (strcmp(op->r->status, SRS_ACTIVE) != 0)
        return STORE_CONFLICT;
    if (op->consent == op->r->consent_given)
        return STORE_OK; /* unchanged: nothing recorded */
    st = record_consent(tx, op->r, op->consent, op->consent_hash,
                        op->consent ? "CONSENT_GIVEN" : "CONSENT_WITHDRAWN", now, &op->res);
    if (st != STORE_OK || op->res != SRS_R_OK)
        return st == STORE_OK ? STORE_CONFLICT : st;
    op->r->updated_at = now;
    return store_srs_update(tx, op->r, SRS_ACTIVE);
}

enum srs_result srs_terms_consent(const struct srs_env *env, const char *token, bool consent,
                                  const char *consent_hash, char *err, size_t err_len)
{
    struct store_srs_registration r = {0};
    char hash[65];
    if (consent && !consent_hash) {
        consent_invalid(err, err_len);
        return SRS_R_INVALID;
    }
    srs_token_hash(token, hash);
    struct consent_op op = {hash, consent ? consent_hash : NULL, consent, &r, SRS_R_OK};
    enum store_status st = store_run(env->store, STORE_WRITE, consent_tx, &op);
    enum srs_result res = op.res != SRS_R_OK ? op.res : srs_from_store(st);
    if (res == SRS_R_INVALID)
        consent_invalid(err, err_len);
    else if (res == SRS_R_CONFLICT)
        reason_message(err, err_len, "srs.state", json_pack("{s:s}", "status", r.status),
                       "The registration is %s: its consent cannot be changed.",
                       r.status[0] ? r.status : "not active");
    store_srs_registration_clear(&r);
    return res;
}

/* ---- coupling to signing ---- */

struct signer_op {
    const char *organization_id, *lookup, *jurisdiction, *level;
    struct store_srs_registration *r;
};

static enum store_status signer_tx(struct store_tx *tx, void *cls)
{
    struct signer_op *op = cls;
    store_srs_registration_clear(op->r);
    return store_srs_find_active(tx, op->organization_id, op->lookup, op->jurisdiction, op->level,
                                 time_now_ms(), op->r);
}

enum srs_result srs_registration_for_signer(const struct srs_env *env, const char *organization_id,
                                            const char *mobile, const char *jurisdiction,
                                            const char *level, struct srs_signer_identity *out)
{
    struct store_srs_registration r = {0};
    char lookup[65];
    unsigned char dk[CRYPTO_KEY_LEN];
    unsigned char *plain = NULL;
    size_t len = 0;
    json_t *j = NULL;
    if (!mobile || !srs_mobile_lookup(env, mobile, lookup))
        return SRS_R_NOT_FOUND;
    struct signer_op op = {organization_id, lookup, jurisdiction, level, &r};
    enum srs_result res = srs_from_store(store_run(env->store, STORE_READ, signer_tx, &op));
    if (res != SRS_R_OK)
        goto cleanup;
    res = SRS_R_UNAVAILABLE;
    if (srs_data_key(env, &r, dk))
        plain = srs_unseal(dk, r.id, &r.identity_sealed, &len);
    j = plain ? json_loadb((const char *)plain, len, 0, NULL) : NULL;
    const json_t *claims = json_object_get(json_object_get(j, "verified_claims"), "claims");
    const json_t *evidence = json_array_get(
        json_object_get(json_object_get(json_object_get(j, "verified_claims"), "verification"),
                        "evidence"),
        0);
    const char *given = json_string_value(json_object_get(claims, "given_name"));
    const char *family = json_string_value(json_object_get(claims, "family_name"));
    const char *country = json_string_value(json_object_get(
        json_object_get(json_object_get(evidence, "document_details"), "issuer"), "country_code"));
    if (!country) /* bank identification: the account's country */
        country = json_string_value(json_object_get(
            json_object_get(json_object_get(evidence, "record"), "source"), "country_code"));
    memset(out, 0, sizeof *out);
    if (given && family && country && str_copy(out->given_name, sizeof out->given_name, given) &&
        str_copy(out->family_name, sizeof out->family_name, family) &&
        str_copy(out->country, sizeof out->country, country) &&
        str_copy(out->registration_id, sizeof out->registration_id, r.id)) {
        snprintf(out->serial_number, sizeof out->serial_number, "SRS-%s", r.id);
        res = SRS_R_OK;
    }
cleanup:
    json_decref(j);
    if (plain) {
        memset(plain, 0, len);
        free(plain);
    }
    memset(dk, 0, sizeof dk);
    store_srs_registration_clear(&r);
    return res;
}
