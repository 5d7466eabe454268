/*
 * Export of one person's SRS data (see srs/export.h).
 */
#include "srs/export.h"

#include "core/b64.h"
#include "core/isotime.h"
#include "core/log.h"
#include "srs/internal.h"
#include "store/srs_data.h"

#include <stdlib.h>
#include <string.h>

#define PERSON_MAX 200
#define AUDIT_MAX  1000

struct export_op {
    const char *organization_id, *id, *actor;
    int64_t now;
    bool for_provider; /* the service provider's export: only with the person's consent */
    bool refused;      /* … the addressed registration has none: EXPORT_REFUSED audited */
    int64_t data_ended_at;
    struct store_srs_registration *regs;
    size_t n;
    json_t *audits; /* one array per registration, same order */
};

static void regs_free(struct export_op *op)
{
    for (size_t i = 0; i < op->n; i++)
        store_srs_registration_clear(&op->regs[i]);
    free(op->regs);
    op->regs = NULL;
    op->n = 0;
    json_decref(op->audits);
    op->audits = NULL;
}

static json_t *time_json(int64_t ms)
{
    char t[ISO_DATETIME_LEN];
    iso_format_datetime(ms, true, t);
    return json_string(t);
}

/* Reads one registration fully, audits the export, then adds its audit trail. */
static enum store_status read_one(struct store_tx *tx, struct export_op *op, const char *id)
{
    struct store_srs_audit_entry *a = NULL;
    size_t na = 0;
    struct store_srs_registration *r = &op->regs[op->n];
    enum store_status st = store_srs_get(tx, op->organization_id, id, r);
    if (st != STORE_OK)
        return st;
    op->n++;
    st = store_srs_audit_add(tx, op->organization_id, id, "EXPORT", op->actor, op->now);
    if (st == STORE_OK)
        st = store_srs_audit_list(tx, op->organization_id, id, AUDIT_MAX, &a, &na);
    json_t *arr = json_array();
    for (size_t i = 0; st == STORE_OK && i < na; i++) {
        json_t *e = json_pack("{s:s, s:s}", "action", a[i].action, "actor", a[i].actor);
        json_object_set_new(e, "at", time_json(a[i].created_at)); /* steals */
        json_array_append_new(arr, e);                            /* steals */
    }
    json_array_append_new(op->audits, arr); /* steals */
    free(a);
    return st;
}

static enum store_status export_tx(struct store_tx *tx, void *cls)
{
    struct export_op *op = cls;
    struct store_srs_lifecycle one, *list = NULL;
    size_t n = 0;
    regs_free(op);
    op->audits = json_array();
    if (!op->audits)
        return STORE_ERROR;
    enum store_status st = store_srs_lifecycle_get(tx, op->organization_id, op->id, &one);
    if (st != STORE_OK)
        return st;
    op->data_ended_at = one.data_ended_at;
    if (one.data_ended_at)
        return STORE_OK;
    op->refused = false;
    if (op->for_provider) {
        struct store_srs_registration r;
        st = store_srs_get(tx, op->organization_id, op->id, &r);
        op->refused = st == STORE_OK && !r.consent_given;
        store_srs_registration_clear(&r);
        if (op->refused)
            return store_srs_audit_add(tx, op->organization_id, op->id, "EXPORT_REFUSED", op->actor,
                                       op->now);
        if (st != STORE_OK)
            return st;
    }
    if (one.mobile_lookup[0])
        st = store_srs_person_list(tx, op->organization_id, one.mobile_lookup, PERSON_MAX, &list,
                                   &n);
    if (st != STORE_OK)
        return st;
    op->regs = calloc(n ? n : 1, sizeof *op->regs);
    if (!op->regs)
        st = STORE_ERROR;
    if (st == STORE_OK && !list)
        st = read_one(tx, op, one.id);
    for (size_t i = 0; st == STORE_OK && i < n; i++)
        st = read_one(tx, op, list[i].id);
    free(list);
    return st;
}

/* Opens blob b of r with dk: the text parsed as JSON (as_json) or the bytes as base64. */
static json_t *opened(const unsigned char dk[CRYPTO_KEY_LEN],
                      const struct store_srs_registration *r, const struct store_blob_field *b,
                      bool as_json, bool *ok)
{
    size_t len = 0;
    if (!b->data)
        return NULL;
    unsigned char *plain = srs_unseal(dk, r->id, b, &len);
    json_t *v = NULL;
    if (plain) {
        if (as_json) {
            v = json_loadb((const char *)plain, len, 0, NULL);
        } else {
            char *s = b64_encode(plain, len, B64_STD);
            v = s ? json_string(s) : NULL;
            free(s);
        }
        memset(plain, 0, len);
        free(plain);
    }
    if (!v)
        *ok = false;
    return v;
}

/* One registration of the export. NULL when its data does not open. */
static json_t *registration_entry(const struct srs_env *env, const struct store_srs_registration *r,
                                  json_t *audit, bool for_provider)
{
    unsigned char dk[CRYPTO_KEY_LEN];
    bool ok = srs_data_key(env, r, dk);
    /* Another registration of the person without consent: no identity data, no evidence. */
    bool shared = !for_provider || r->consent_given;
    json_t *e = srs_registration_json(r, NULL);
    if (!e)
        ok = false;
    if (ok) {
        json_t *identity = shared ? opened(dk, r, &r->identity_sealed, true, &ok) : NULL;
        if (identity)
            json_object_update(e, identity); /* {"verified_claims": …} */
        json_decref(identity);
        json_t *prefill = opened(dk, r, &r->prefill_sealed, true, &ok);
        if (prefill)
            json_object_set_new(e, "person", prefill); /* steals */
        json_t *cms = shared ? opened(dk, r, &r->evidence_sealed, false, &ok) : NULL;
        if (cms)
            json_object_set_new(e, "evidence",
                                json_pack("{s:s, s:s, s:o}", "contentType",
                                          "application/pkcs7-mime; smime-type=signed-data",
                                          "encoding", "base64", "data", cms)); /* steal */
    }
    memset(dk, 0, sizeof dk);
    if (ok && r->terms_accepted_at) {
        json_t *t = json_pack("{s:s}", "versionHash", r->terms_version_hash);
        json_object_set_new(t, "acceptedAt", time_json(r->terms_accepted_at));
        if (r->consent_at) { /* the consent decision: docs/srs.md "Consent" */
            json_t *c = json_pack("{s:b}", "given", r->consent_given);
            json_object_set_new(c, "decidedAt", time_json(r->consent_at));
            if (r->consent_text_hash[0])
                json_object_set_new(c, "textHash", json_string(r->consent_text_hash));
            json_object_set_new(t, "consent", c); /* steals */
        }
        json_object_set_new(e, "termsAcceptance", t); /* steals */
    }
    if (ok)
        json_object_set(e, "audit", audit);
    if (!ok) {
        log_error("srs: registration %s: sealed data cannot be opened for an export", r->id);
        json_decref(e);
        return NULL;
    }
    return e;
}

enum srs_result srs_person_export(const struct srs_env *env, const char *organization_id,
                                  const char *id, const char *actor, bool for_provider, int64_t now,
                                  json_t **out, int64_t *data_ended_at)
{
    struct export_op op = {.organization_id = organization_id,
                           .id = id,
                           .actor = actor,
                           .now = now,
                           .for_provider = for_provider};
    *out = NULL;
    *data_ended_at = 0;
    enum srs_result res = srs_from_store(store_run(env->store, STORE_WRITE, export_tx, &op));
    if (res == SRS_R_OK && op.data_ended_at) {
        *data_ended_at = op.data_ended_at;
        res = SRS_R_GONE;
    } else if (res == SRS_R_OK && op.refused) {
        res = SRS_R_FORBIDDEN;
    }
    json_t *regs = res == SRS_R_OK ? json_array() : NULL;
    for (size_t i = 0; regs && i < op.n; i++) {
        json_t *e =
            registration_entry(env, &op.regs[i], json_array_get(op.audits, i), for_provider);
        if (!e) {
            res = SRS_R_UNAVAILABLE;
            break;
        }
        json_array_append_new(regs, e); /* steals */
    }
    if (res == SRS_R_OK) {
        *out = json_pack("{s:s, s:s, s:s}", "type", "signet-srs-export-v1", "organizationId",
                         organization_id, "registrationId", id);
        if (*out) {
            json_object_set_new(*out, "exportedAt", time_json(now));
            json_object_set_new(*out, "registrations", regs); /* steals */
            regs = NULL;
        } else {
            res = SRS_R_UNAVAILABLE;
        }
    }
    json_decref(regs);
    regs_free(&op);
    return res;
}
