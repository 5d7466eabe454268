/*
 * Registrations (see srs/registration.h): the status machine, the keys and sealing shared by
 * the module (srs/internal.h), the service provider's operations and the webhook queued with
 * each status change. The partner side is srs/partner.c, the end customer's srs/link.c.
 */
#include "srs/registration.h"

#include "core/b64.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/uuid.h"
#include "srs/catalogue.h"
#include "srs/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- status machine ---- */

static const struct {
    const char *from, *to;
} transitions[] = {
    {SRS_OPEN, SRS_IN_IDENTIFICATION},
    {SRS_IN_IDENTIFICATION, SRS_IN_IDENTIFICATION}, /* another method chosen, new order */
    {SRS_IN_IDENTIFICATION, SRS_AWAITING_TERMS},
    {SRS_IN_IDENTIFICATION, SRS_REJECTED},
    {SRS_AWAITING_TERMS, SRS_ACTIVE},
    {SRS_OPEN, SRS_EXPIRED},
    {SRS_IN_IDENTIFICATION, SRS_EXPIRED},
    {SRS_AWAITING_TERMS, SRS_EXPIRED},
    {SRS_ACTIVE, SRS_EXPIRED},
    {SRS_OPEN, SRS_REVOKED},
    {SRS_IN_IDENTIFICATION, SRS_REVOKED},
    {SRS_AWAITING_TERMS, SRS_REVOKED},
    {SRS_ACTIVE, SRS_REVOKED},
};

bool srs_status_allows(const char *from, const char *to)
{
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
        if (strcmp(transitions[i].from, from) == 0 && strcmp(transitions[i].to, to) == 0)
            return true;
    return false;
}

/* ---- keys ---- */

/* A key derived from the master key for one purpose. */
static bool derive(const struct srs_env *env, const char *purpose, unsigned char out[SHA256_LEN])
{
    return env->master_key &&
           crypto_hmac_sha256(env->master_key, CRYPTO_KEY_LEN, purpose, strlen(purpose), out);
}

bool srs_key_hex(const struct srs_env *env, const char *purpose, const char *data, char out[65])
{
    unsigned char k[SHA256_LEN], mac[SHA256_LEN];
    bool ok = derive(env, purpose, k) && crypto_hmac_sha256(k, sizeof k, data, strlen(data), mac);
    if (ok)
        crypto_hex(mac, sizeof mac, out);
    memset(k, 0, sizeof k);
    return ok;
}

bool srs_mobile_lookup(const struct srs_env *env, const char *mobile, char out[65])
{
    return srs_key_hex(env, "signet-srs-mobile-v1", mobile, out);
}

bool srs_webhook_secret_hex(const struct srs_env *env, const char *registration_id, char out[65])
{
    return srs_key_hex(env, "signet-srs-webhook-v1", registration_id, out);
}

bool srs_partner_secret(const struct srs_env *env, const char *connector, unsigned char *out,
                        size_t out_cap, size_t *len)
{
    const char *configured = env->cfg ? env->cfg->srs_partner_secret : NULL;
    /* SRS Direct's results come from inside the server (srs/ra.c): its key is always derived,
     * so the secret shared with outside partners cannot make in-person results. */
    if (configured && configured[0] && strcmp(connector, "ra-direct") != 0) {
        size_t n = strlen(configured);
        if (n > out_cap)
            return false;
        memcpy(out, configured, n);
        *len = n;
        return true;
    }
    char purpose[96];
    snprintf(purpose, sizeof purpose, "signet-srs-partner-v1:%s", connector);
    if (out_cap < SHA256_LEN || !derive(env, purpose, out))
        return false;
    *len = SHA256_LEN;
    return true;
}

/* Seals plain with key under aad (the record id) into a new blob. */
bool srs_seal(const unsigned char key[CRYPTO_KEY_LEN], const char *aad, const void *plain,
              size_t len, struct store_blob_field *out)
{
    out->data = malloc(len + CRYPTO_SEAL_OVERHEAD);
    if (!out->data || !crypto_seal(key, aad, strlen(aad), plain, len, out->data,
                                   len + CRYPTO_SEAL_OVERHEAD, &out->len)) {
        free(out->data);
        out->data = NULL;
        out->len = 0;
        return false;
    }
    return true;
}

/* Opens a sealed blob into a new buffer (NUL-terminated for text; owned). */
unsigned char *srs_unseal(const unsigned char key[CRYPTO_KEY_LEN], const char *aad,
                          const struct store_blob_field *b, size_t *len)
{
    if (!b->data || b->len < CRYPTO_SEAL_OVERHEAD)
        return NULL;
    unsigned char *p = malloc(b->len - CRYPTO_SEAL_OVERHEAD + 1);
    if (!p || !crypto_open(key, aad, strlen(aad), b->data, b->len, p, b->len, len)) {
        free(p);
        return NULL;
    }
    p[*len] = '\0';
    return p;
}

/* The record's data key, unwrapped with the key-encryption key. */
bool srs_data_key(const struct srs_env *env, const struct store_srs_registration *r,
                  unsigned char dk[CRYPTO_KEY_LEN])
{
    unsigned char kek[SHA256_LEN];
    size_t len = 0;
    unsigned char *k = derive(env, "signet-srs-kek-v1", kek)
                           ? srs_unseal(kek, r->id, &r->data_key_wrapped, &len)
                           : NULL;
    bool ok = k && len == CRYPTO_KEY_LEN;
    if (ok)
        memcpy(dk, k, CRYPTO_KEY_LEN);
    if (k) {
        memset(k, 0, len);
        free(k);
    }
    memset(kek, 0, sizeof kek);
    return ok;
}

static bool new_data_key(const struct srs_env *env, struct store_srs_registration *r,
                         unsigned char dk[CRYPTO_KEY_LEN])
{
    unsigned char kek[SHA256_LEN];
    bool ok = rand_bytes(dk, CRYPTO_KEY_LEN) && derive(env, "signet-srs-kek-v1", kek) &&
              srs_seal(kek, r->id, dk, CRYPTO_KEY_LEN, &r->data_key_wrapped);
    memset(kek, 0, sizeof kek);
    return ok;
}

bool srs_new_token(char token[SRS_TOKEN_LEN], char hash[65])
{
    unsigned char b[32];
    if (!rand_bytes(b, sizeof b))
        return false;
    char *t = b64_encode(b, sizeof b, B64_URL);
    bool ok = t && str_copy(token, SRS_TOKEN_LEN, t);
    free(t);
    if (ok)
        crypto_sha256_hex(token, strlen(token), hash);
    return ok;
}

void srs_token_hash(const char *token, char hash[65])
{
    crypto_sha256_hex(token, strlen(token), hash);
}

/* ---- webhooks and audit inside a transaction ---- */

static enum store_status webhook_enqueue(struct store_tx *tx,
                                         const struct store_srs_registration *r, int64_t now);

/* Moves r to status `to` (from its current status), with audit and webhook. */
enum store_status srs_transition(struct store_tx *tx, struct store_srs_registration *r,
                                 const char *to, const char *actor, int64_t now)
{
    char from[sizeof r->status], action[48];
    if (!srs_status_allows(r->status, to))
        return STORE_CONFLICT;
    str_copy(from, sizeof from, r->status);
    str_copy(r->status, sizeof r->status, to);
    r->updated_at = now;
    enum store_status st = store_srs_update(tx, r, from);
    snprintf(action, sizeof action, "STATUS:%s", to);
    if (st == STORE_OK)
        st = store_srs_audit_add(tx, r->organization_id, r->id, action, actor, now);
    if (st == STORE_OK && strcmp(from, to) != 0)
        st = webhook_enqueue(tx, r, now);
    return st;
}

enum srs_result srs_from_store(enum store_status st)
{
    switch (st) {
    case STORE_OK:
        return SRS_R_OK;
    case STORE_NOT_FOUND:
        return SRS_R_NOT_FOUND;
    case STORE_CONFLICT:
        return SRS_R_CONFLICT;
    default:
        return SRS_R_UNAVAILABLE;
    }
}

/* ---- create ---- */

static bool url_ok(const char *u)
{
    return !u || ((str_has_prefix(u, "https://") || str_has_prefix(u, "http://")) &&
                  strlen(u) < 1000 && !strpbrk(u, " \t\r\n\"<>"));
}

struct create_op {
    struct store_srs_registration *r;
    const char *actor;
};

static enum store_status create_tx(struct store_tx *tx, void *cls)
{
    struct create_op *op = cls;
    enum store_status st = store_srs_insert(tx, op->r);
    if (st == STORE_OK)
        st = store_srs_audit_add(tx, op->r->organization_id, op->r->id, "CREATED", op->actor,
                                 op->r->created_at);
    if (st == STORE_OK)
        st = webhook_enqueue(tx, op->r, op->r->created_at);
    return st;
}

enum srs_result srs_registration_create(const struct srs_env *env, const char *organization_id,
                                        const char *actor, const struct srs_create_request *rq,
                                        struct store_srs_registration *r, char token[SRS_TOKEN_LEN],
                                        char *err, size_t err_len)
{
    unsigned char dk[CRYPTO_KEY_LEN];
    enum srs_result res = SRS_R_INVALID;
    char *methods = NULL, *prefill = NULL;
    memset(r, 0, sizeof *r);
    if (!srs_jurisdiction_valid(rq->jurisdiction)) {
        snprintf(err, err_len, "Field 'jurisdiction' must be \"CH\" or \"EU\".");
        return res;
    }
    if (!srs_level_valid(rq->level)) {
        snprintf(err, err_len, "Field 'level' must be \"ADVANCED\" or \"QUALIFIED\".");
        return res;
    }
    if (!json_is_array(rq->methods) || json_array_size(rq->methods) == 0 ||
        json_array_size(rq->methods) > 8) {
        snprintf(err, err_len, "Field 'methods' must be an array of 1 to 8 method ids.");
        return res;
    }
    size_t i;
    const json_t *m;
    json_array_foreach(rq->methods, i, m)
    {
        const struct srs_method *method = srs_catalogue_find(env->catalogue, json_string_value(m));
        if (!method) {
            snprintf(err, err_len,
                     "Field 'methods[%zu]' is not a method of the catalogue "
                     "(GET /srs/v1/methods).",
                     i);
            return res;
        }
        if (!srs_method_serves(method, rq->jurisdiction, rq->level)) {
            snprintf(err, err_len, "Method %s does not serve jurisdiction %s at level %s.",
                     method->id, rq->jurisdiction, rq->level);
            return res;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(json_string_value(json_array_get(rq->methods, j)), method->id) == 0) {
                snprintf(err, err_len, "Field 'methods' names %s twice.", method->id);
                return res;
            }
    }
    if (!url_ok(rq->redirect_url) || !url_ok(rq->webhook_url)) {
        snprintf(err, err_len, "Fields 'redirectUrl' and 'webhookUrl' must be http(s) URLs.");
        return res;
    }
    if (rq->external_identifier && strlen(rq->external_identifier) > 255) {
        snprintf(err, err_len, "Field 'externalIdentifier' is longer than 255 characters.");
        return res;
    }
    if (rq->person && !json_is_object(rq->person)) {
        snprintf(err, err_len, "Field 'person' must be an object.");
        return res;
    }
    res = SRS_R_UNAVAILABLE;
    methods = json_dumps(rq->methods, JSON_COMPACT);
    prefill = rq->person ? json_dumps(rq->person, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (!methods || strlen(methods) >= sizeof r->methods || (rq->person && !prefill) ||
        (prefill && strlen(prefill) > 4096)) {
        res = SRS_R_INVALID;
        snprintf(err, err_len, "Fields 'methods' or 'person' are too large.");
        goto cleanup;
    }
    int64_t now = time_now_ms();
    if (!uuid_v4(r->id) || !srs_new_token(token, r->link_hash) || !new_data_key(env, r, dk) ||
        (prefill && !srs_seal(dk, r->id, prefill, strlen(prefill), &r->prefill_sealed))) {
        snprintf(err, err_len, "Cannot create the registration's keys.");
        goto cleanup;
    }
    str_copy(r->organization_id, sizeof r->organization_id, organization_id);
    str_copy(r->status, sizeof r->status, SRS_OPEN);
    str_copy(r->jurisdiction, sizeof r->jurisdiction, rq->jurisdiction);
    str_copy(r->level, sizeof r->level, rq->level);
    str_copy(r->methods, sizeof r->methods, methods);
    str_copy(r->external_identifier, sizeof r->external_identifier,
             rq->external_identifier ? rq->external_identifier : "");
    str_copy(r->redirect_url, sizeof r->redirect_url, rq->redirect_url ? rq->redirect_url : "");
    str_copy(r->webhook_url, sizeof r->webhook_url, rq->webhook_url ? rq->webhook_url : "");
    r->created_at = r->updated_at = now;
    r->link_expires_at = now + SRS_LINK_TTL_MS;
    struct create_op op = {r, actor && actor[0] ? actor : "api"};
    res = srs_from_store(store_run(env->store, STORE_WRITE, create_tx, &op));
    if (res != SRS_R_OK)
        snprintf(err, err_len, "The registration could not be stored; try again.");
cleanup:
    memset(dk, 0, sizeof dk);
    free(methods);
    if (prefill) {
        memset(prefill, 0, strlen(prefill));
        free(prefill);
    }
    if (res != SRS_R_OK)
        store_srs_registration_clear(r);
    return res;
}

/* ---- reads ---- */

/* A registration past its link expiry (not yet identified) or validity is EXPIRED. */
enum store_status srs_expire_if_due(struct store_tx *tx, struct store_srs_registration *r,
                                    const char *actor, int64_t now)
{
    bool due =
        ((strcmp(r->status, SRS_OPEN) == 0 || strcmp(r->status, SRS_IN_IDENTIFICATION) == 0 ||
          strcmp(r->status, SRS_AWAITING_TERMS) == 0) &&
         now > r->link_expires_at) ||
        (strcmp(r->status, SRS_ACTIVE) == 0 && r->valid_until && now > r->valid_until);
    return due ? srs_transition(tx, r, SRS_EXPIRED, actor, now) : STORE_OK;
}

enum store_status srs_get_tx(struct store_tx *tx, void *cls)
{
    struct srs_get_op *op = cls;
    store_srs_registration_clear(op->r);
    enum store_status st = op->column ? store_srs_get_by(tx, op->column, op->value, op->r)
                                      : store_srs_get(tx, op->organization_id, op->id, op->r);
    if (st == STORE_OK && op->expire_actor)
        st = srs_expire_if_due(tx, op->r, op->expire_actor, time_now_ms());
    return st;
}

enum srs_result srs_registration_get(const struct srs_env *env, const char *organization_id,
                                     const char *id, struct store_srs_registration *out)
{
    memset(out, 0, sizeof *out);
    struct srs_get_op op = {
        .organization_id = organization_id, .id = id, .r = out, .expire_actor = "system"};
    enum srs_result res = srs_from_store(store_run(env->store, STORE_WRITE, srs_get_tx, &op));
    if (res != SRS_R_OK)
        store_srs_registration_clear(out);
    return res;
}

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct srs_get_op *op = cls;
    for (size_t i = 0; i < op->n; i++)
        store_srs_registration_clear(&op->list[i]);
    free(op->list);
    op->list = NULL;
    op->n = 0;
    enum store_status st = store_srs_list(tx, op->organization_id, op->limit, &op->list, &op->n);
    int64_t now = time_now_ms();
    for (size_t i = 0; st == STORE_OK && i < op->n; i++)
        st = srs_expire_if_due(tx, &op->list[i], "system", now);
    return st;
}

enum srs_result srs_registration_list(const struct srs_env *env, const char *organization_id,
                                      size_t limit, struct store_srs_registration **out, size_t *n)
{
    struct srs_get_op op = {.organization_id = organization_id, .limit = limit};
    enum srs_result res = srs_from_store(store_run(env->store, STORE_WRITE, list_tx, &op));
    if (res != SRS_R_OK) {
        for (size_t i = 0; i < op.n; i++)
            store_srs_registration_clear(&op.list[i]);
        free(op.list);
        op.list = NULL;
        op.n = 0;
    }
    *out = op.list;
    *n = op.n;
    return res;
}

struct revoke_op {
    const char *organization_id, *id, *actor;
    struct store_srs_registration *r;
};

static enum store_status revoke_tx(struct store_tx *tx, void *cls)
{
    struct revoke_op *op = cls;
    store_srs_registration_clear(op->r);
    int64_t now = time_now_ms();
    enum store_status st = store_srs_get(tx, op->organization_id, op->id, op->r);
    if (st == STORE_OK)
        st = srs_expire_if_due(tx, op->r, "system", now);
    if (st == STORE_OK && !srs_status_allows(op->r->status, SRS_REVOKED))
        return STORE_CONFLICT;
    if (st == STORE_OK) {
        op->r->revoked_at = now;
        st = srs_transition(tx, op->r, SRS_REVOKED, op->actor, now);
    }
    return st;
}

enum srs_result srs_registration_revoke(const struct srs_env *env, const char *organization_id,
                                        const char *id, const char *actor,
                                        struct store_srs_registration *out)
{
    memset(out, 0, sizeof *out);
    struct revoke_op op = {organization_id, id, actor, out};
    enum srs_result res = srs_from_store(store_run(env->store, STORE_WRITE, revoke_tx, &op));
    if (res == SRS_R_CONFLICT) {
        /* Report the status that forbids it. */
        store_srs_registration_clear(out);
        if (srs_registration_get(env, organization_id, id, out) != SRS_R_OK)
            memset(out, 0, sizeof *out);
        return SRS_R_CONFLICT;
    }
    if (res != SRS_R_OK)
        store_srs_registration_clear(out);
    return res;
}

static void set_time(json_t *o, const char *key, int64_t ms)
{
    char t[ISO_DATETIME_LEN];
    if (!ms)
        return;
    iso_format_datetime(ms, false, t);
    json_object_set_new(o, key, json_string(t)); /* steals */
}

static void set_text(json_t *o, const char *key, const char *s)
{
    if (s && s[0])
        json_object_set_new(o, key, json_string(s)); /* steals */
}

json_t *srs_registration_json(const struct store_srs_registration *r, const char *url)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_t *methods = json_loads(r->methods, 0, NULL);
    set_text(o, "id", r->id);
    set_text(o, "status", r->status);
    set_text(o, "jurisdiction", r->jurisdiction);
    set_text(o, "level", r->level);
    json_object_set_new(o, "methods", methods ? methods : json_array());
    set_text(o, "method", r->method);
    set_text(o, "url", url);
    set_text(o, "externalIdentifier", r->external_identifier);
    set_text(o, "redirectUrl", r->redirect_url);
    set_text(o, "webhookUrl", r->webhook_url);
    set_text(o, "rejectionReason", r->rejection_reason);
    set_time(o, "createdAt", r->created_at);
    set_time(o, "updatedAt", r->updated_at);
    set_time(o, "linkExpiresAt", r->link_expires_at);
    set_time(o, "identifiedAt", r->identified_at);
    set_time(o, "mobileVerifiedAt", r->mobile_verified_at);
    set_time(o, "termsAcceptedAt", r->terms_accepted_at);
    set_time(o, "validUntil", r->valid_until);
    set_time(o, "revokedAt", r->revoked_at);
    if (r->terms_version_hash[0])
        set_text(o, "termsVersionHash", r->terms_version_hash);
    /* The person's consent to share identity data and evidence (docs/srs.md "Consent"). */
    json_object_set_new(o, "identityShared", json_boolean(r->consent_given)); /* steals */
    set_time(o, "consentDecidedAt", r->consent_at);
    set_text(o, "consentTextHash", r->consent_text_hash);
    /* Its data key destroyed (srs/retention.h): only this metadata is left. */
    if (r->data_key_wrapped.data && r->data_key_wrapped.len == 0)
        json_object_set_new(o, "personalDataDeleted", json_true()); /* steals */
    return o;
}

/* ---- identity and evidence ---- */

struct read_op {
    const char *organization_id, *id, *actor, *action;
    struct store_srs_registration *r;
    bool gone;          /* its personal data ended (retention or deletion: srs/retention.h) */
    bool needs_consent; /* a read for the service provider */
    bool refused;       /* … without the person's consent: audited as action_REFUSED */
};

static enum store_status read_tx(struct store_tx *tx, void *cls)
{
    struct read_op *op = cls;
    store_srs_registration_clear(op->r);
    enum store_status st = store_srs_get(tx, op->organization_id, op->id, op->r);
    /* A destroyed data key is empty: nothing can be read any more (410). */
    op->gone = st == STORE_OK && op->r->data_key_wrapped.len == 0;
    if (st == STORE_OK && !op->r->identity_sealed.data)
        return STORE_CONFLICT;
    op->refused = st == STORE_OK && op->needs_consent && !op->r->consent_given;
    char action[48];
    snprintf(action, sizeof action, "%s%s", op->action, op->refused ? "_REFUSED" : "");
    if (st == STORE_OK)
        st = store_srs_audit_add(tx, op->organization_id, op->id, action, op->actor, time_now_ms());
    return st;
}

/* Reads r (identified) with the audit record of action; *plain the opened column. */
static enum srs_result read_sealed(const struct srs_env *env, const char *organization_id,
                                   const char *id, const char *actor, const char *action,
                                   bool evidence, bool needs_consent, unsigned char **plain,
                                   size_t *len)
{
    struct store_srs_registration r = {0};
    unsigned char dk[CRYPTO_KEY_LEN];
    struct read_op op = {organization_id, id, actor, action, &r, false, needs_consent, false};
    *plain = NULL;
    enum srs_result res = srs_from_store(store_run(env->store, STORE_WRITE, read_tx, &op));
    if (res == SRS_R_CONFLICT && op.gone)
        res = SRS_R_GONE;
    if (res == SRS_R_OK && op.refused)
        res = SRS_R_FORBIDDEN;
    if (res == SRS_R_OK) {
        if (srs_data_key(env, &r, dk))
            *plain = srs_unseal(dk, r.id, evidence ? &r.evidence_sealed : &r.identity_sealed, len);
        if (!*plain) {
            log_error("srs: registration %s: sealed data cannot be opened", r.id);
            res = SRS_R_UNAVAILABLE;
        }
    }
    memset(dk, 0, sizeof dk);
    store_srs_registration_clear(&r);
    return res;
}

static enum srs_result identity_read(const struct srs_env *env, const char *organization_id,
                                     const char *id, const char *actor, bool needs_consent,
                                     json_t **out)
{
    unsigned char *plain = NULL;
    size_t len = 0;
    *out = NULL;
    enum srs_result res = read_sealed(env, organization_id, id, actor, "IDENTITY_READ", false,
                                      needs_consent, &plain, &len);
    if (res == SRS_R_OK) {
        *out = json_loadb((const char *)plain, len, 0, NULL);
        if (!*out)
            res = SRS_R_UNAVAILABLE;
        memset(plain, 0, len);
    }
    free(plain);
    return res;
}

enum srs_result srs_identity_read(const struct srs_env *env, const char *organization_id,
                                  const char *id, const char *actor, json_t **out)
{
    return identity_read(env, organization_id, id, actor, false, out);
}

enum srs_result srs_identity_share(const struct srs_env *env, const char *organization_id,
                                   const char *id, const char *actor, json_t **out)
{
    return identity_read(env, organization_id, id, actor, true, out);
}

enum srs_result srs_evidence_read(const struct srs_env *env, const char *organization_id,
                                  const char *id, const char *actor, unsigned char **out,
                                  size_t *len)
{
    return read_sealed(env, organization_id, id, actor, "EVIDENCE_READ", true, true, out, len);
}

/* ---- webhooks ---- */

static enum store_status webhook_enqueue(struct store_tx *tx,
                                         const struct store_srs_registration *r, int64_t now)
{
    struct store_srs_webhook w = {0};
    char at[ISO_DATETIME_LEN];
    if (!r->webhook_url[0])
        return STORE_OK;
    iso_format_datetime(now, true, at);
    if (!uuid_v4(w.id))
        return STORE_ERROR;
    /* No personal data: the service provider reads the registration with its token. */
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", w.id, "type", "registration.status",
                             "registrationId", r->id, "status", r->status, "occurredAt", at);
    if (body && r->external_identifier[0])
        json_object_set_new(body, "externalIdentifier",
                            json_string(r->external_identifier)); /* steals */
    w.body = body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(body);
    if (!w.body)
        return STORE_ERROR;
    str_copy(w.organization_id, sizeof w.organization_id, r->organization_id);
    str_copy(w.registration_id, sizeof w.registration_id, r->id);
    str_copy(w.url, sizeof w.url, r->webhook_url);
    w.next_attempt_at = now;
    w.created_at = now;
    enum store_status st = store_srs_webhook_insert(tx, &w);
    free(w.body);
    return st;
}
