/*
 * Registrations of the Smart Registration Service (migration 0020; see store/srs.h).
 */
#include "store/srs.h"

#include "core/str.h"
#include "core/uuid.h"
#include "store/sql.h"

#include <stdlib.h>
#include <string.h>

#define SRS_COLUMNS                                                                                \
    "id, organization_id, status, jurisdiction, level, methods, method, external_identifier, "     \
    "redirect_url, webhook_url, link_hash, data_key_wrapped, prefill_sealed, connector, "          \
    "order_id, callback_digest, identity_sealed, evidence_sealed, mobile_lookup, "                 \
    "rejection_reason, code_hash, code_expires_at, code_attempts, mobile_verified_at, "            \
    "terms_hash, terms_expires_at, terms_version_hash, terms_accepted_at, identified_at, "         \
    "valid_until, link_expires_at, created_at, updated_at, revoked_at, consent_given, "            \
    "consent_at, consent_text_hash"

void store_srs_registration_clear(struct store_srs_registration *r)
{
    if (!r)
        return;
    struct store_blob_field *b[] = {&r->data_key_wrapped, &r->prefill_sealed, &r->identity_sealed,
                                    &r->evidence_sealed};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) {
        free(b[i]->data);
        b[i]->data = NULL;
        b[i]->len = 0;
    }
}

static struct store_value text_or_null(const char *s)
{
    return s && s[0] ? SQL_TEXT(s) : SQL_NULL;
}

static struct store_value blob_or_null(const struct store_blob_field *b)
{
    return b->data ? SQL_BLOB(b->data, b->len) : SQL_NULL;
}

static struct store_value int_or_null(int64_t v)
{
    return v ? SQL_INT(v) : SQL_NULL;
}

bool store_blob_field_copy(const struct store_rows *r, size_t row, size_t col,
                           struct store_blob_field *out)
{
    out->data = NULL;
    out->len = 0;
    if (store_rows_is_null(r, row, col))
        return true;
    size_t len = 0;
    const void *p = store_rows_blob(r, row, col, &len);
    out->data = malloc(len ? len : 1);
    if (!out->data)
        return false;
    if (len)
        memcpy(out->data, p, len);
    out->len = len;
    return true;
}

static bool fill_row(const struct store_rows *r, size_t row, struct store_srs_registration *o)
{
    memset(o, 0, sizeof *o);
    size_t c = 0;
    str_copy(o->id, sizeof o->id, store_rows_text(r, row, c++));
    str_copy(o->organization_id, sizeof o->organization_id, store_rows_text(r, row, c++));
    str_copy(o->status, sizeof o->status, store_rows_text(r, row, c++));
    str_copy(o->jurisdiction, sizeof o->jurisdiction, store_rows_text(r, row, c++));
    str_copy(o->level, sizeof o->level, store_rows_text(r, row, c++));
    str_copy(o->methods, sizeof o->methods, store_rows_text(r, row, c++));
    str_copy(o->method, sizeof o->method, store_rows_text(r, row, c++));
    str_copy(o->external_identifier, sizeof o->external_identifier, store_rows_text(r, row, c++));
    str_copy(o->redirect_url, sizeof o->redirect_url, store_rows_text(r, row, c++));
    str_copy(o->webhook_url, sizeof o->webhook_url, store_rows_text(r, row, c++));
    str_copy(o->link_hash, sizeof o->link_hash, store_rows_text(r, row, c++));
    bool ok = store_blob_field_copy(r, row, c++, &o->data_key_wrapped);
    ok = ok && store_blob_field_copy(r, row, c++, &o->prefill_sealed);
    str_copy(o->connector, sizeof o->connector, store_rows_text(r, row, c++));
    str_copy(o->order_id, sizeof o->order_id, store_rows_text(r, row, c++));
    str_copy(o->callback_digest, sizeof o->callback_digest, store_rows_text(r, row, c++));
    ok = ok && store_blob_field_copy(r, row, c++, &o->identity_sealed);
    ok = ok && store_blob_field_copy(r, row, c++, &o->evidence_sealed);
    str_copy(o->mobile_lookup, sizeof o->mobile_lookup, store_rows_text(r, row, c++));
    str_copy(o->rejection_reason, sizeof o->rejection_reason, store_rows_text(r, row, c++));
    str_copy(o->code_hash, sizeof o->code_hash, store_rows_text(r, row, c++));
    o->code_expires_at = store_rows_int(r, row, c++);
    o->code_attempts = store_rows_int(r, row, c++);
    o->mobile_verified_at = store_rows_int(r, row, c++);
    str_copy(o->terms_hash, sizeof o->terms_hash, store_rows_text(r, row, c++));
    o->terms_expires_at = store_rows_int(r, row, c++);
    str_copy(o->terms_version_hash, sizeof o->terms_version_hash, store_rows_text(r, row, c++));
    o->terms_accepted_at = store_rows_int(r, row, c++);
    o->identified_at = store_rows_int(r, row, c++);
    o->valid_until = store_rows_int(r, row, c++);
    o->link_expires_at = store_rows_int(r, row, c++);
    o->created_at = store_rows_int(r, row, c++);
    o->updated_at = store_rows_int(r, row, c++);
    o->revoked_at = store_rows_int(r, row, c++);
    o->consent_given = store_rows_int(r, row, c++) == 1;
    o->consent_at = store_rows_int(r, row, c++);
    str_copy(o->consent_text_hash, sizeof o->consent_text_hash, store_rows_text(r, row, c++));
    if (!ok)
        store_srs_registration_clear(o);
    return ok;
}

enum store_status store_srs_insert(struct store_tx *tx, const struct store_srs_registration *r)
{
    return sql_exec(
        tx,
        "INSERT INTO srs_registrations (id, organization_id, status, jurisdiction, "
        "level, methods, external_identifier, redirect_url, webhook_url, link_hash, "
        "data_key_wrapped, prefill_sealed, link_expires_at, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        (struct store_value[]){SQL_TEXT(r->id), SQL_TEXT(r->organization_id), SQL_TEXT(r->status),
                               SQL_TEXT(r->jurisdiction), SQL_TEXT(r->level), SQL_TEXT(r->methods),
                               text_or_null(r->external_identifier), text_or_null(r->redirect_url),
                               text_or_null(r->webhook_url), SQL_TEXT(r->link_hash),
                               blob_or_null(&r->data_key_wrapped), blob_or_null(&r->prefill_sealed),
                               SQL_INT(r->link_expires_at), SQL_INT(r->created_at),
                               SQL_INT(r->updated_at)},
        15, NULL, NULL);
}

static enum store_status get_one(struct store_tx *tx, const char *sql,
                                 const struct store_value *params, size_t n,
                                 struct store_srs_registration *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(tx, sql, params, n, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK && !fill_row(r, 0, out))
        st = STORE_ERROR;
    store_rows_free(r);
    return st;
}

enum store_status store_srs_get(struct store_tx *tx, const char *organization_id, const char *id,
                                struct store_srs_registration *out)
{
    return get_one(
        tx, "SELECT " SRS_COLUMNS " FROM srs_registrations WHERE organization_id = $1 AND id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id)}, 2, out);
}

enum store_status store_srs_get_by(struct store_tx *tx, const char *column, const char *value,
                                   struct store_srs_registration *out)
{
    const char *sql = NULL;
    if (strcmp(column, "link_hash") == 0)
        sql = "SELECT " SRS_COLUMNS " FROM srs_registrations WHERE link_hash = $1";
    else if (strcmp(column, "order_id") == 0)
        sql = "SELECT " SRS_COLUMNS " FROM srs_registrations WHERE order_id = $1";
    else if (strcmp(column, "terms_hash") == 0)
        sql = "SELECT " SRS_COLUMNS " FROM srs_registrations WHERE terms_hash = $1";
    if (!sql) {
        memset(out, 0, sizeof *out);
        return STORE_ERROR;
    }
    return get_one(tx, sql, (struct store_value[]){SQL_TEXT(value)}, 1, out);
}

enum store_status store_srs_list(struct store_tx *tx, const char *organization_id, size_t limit,
                                 struct store_srs_registration **out, size_t *n)
{
    struct store_rows *r = NULL;
    *out = NULL;
    *n = 0;
    enum store_status st =
        sql_exec(tx,
                 "SELECT " SRS_COLUMNS " FROM srs_registrations WHERE organization_id = $1 "
                 "ORDER BY created_at DESC, id LIMIT $2",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_INT(limit)}, 2, &r, NULL);
    if (st != STORE_OK)
        goto cleanup;
    size_t count = store_rows_count(r);
    *out = calloc(count ? count : 1, sizeof **out);
    if (!*out) {
        st = STORE_ERROR;
        goto cleanup;
    }
    for (size_t i = 0; i < count; i++) {
        if (!fill_row(r, i, &(*out)[i])) {
            for (size_t j = 0; j < i; j++)
                store_srs_registration_clear(&(*out)[j]);
            free(*out);
            *out = NULL;
            st = STORE_ERROR;
            goto cleanup;
        }
    }
    *n = count;
cleanup:
    store_rows_free(r);
    return st;
}

enum store_status store_srs_update(struct store_tx *tx, const struct store_srs_registration *r,
                                   const char *expected_status)
{
    int64_t changed = 0;
    enum store_status st = sql_exec(
        tx,
        "UPDATE srs_registrations SET status = $3, method = $4, connector = $5, order_id = $6, "
        "callback_digest = $7, identity_sealed = $8, evidence_sealed = $9, mobile_lookup = $10, "
        "rejection_reason = $11, code_hash = $12, code_expires_at = $13, code_attempts = $14, "
        "mobile_verified_at = $15, terms_hash = $16, terms_expires_at = $17, "
        "terms_version_hash = $18, terms_accepted_at = $19, identified_at = $20, "
        "valid_until = $21, updated_at = $22, revoked_at = $23, consent_given = $25, "
        "consent_at = $26, consent_text_hash = $27 "
        "WHERE organization_id = $1 AND id = $2 AND status = $24",
        (struct store_value[]){SQL_TEXT(r->organization_id),
                               SQL_TEXT(r->id),
                               SQL_TEXT(r->status),
                               text_or_null(r->method),
                               text_or_null(r->connector),
                               text_or_null(r->order_id),
                               text_or_null(r->callback_digest),
                               blob_or_null(&r->identity_sealed),
                               blob_or_null(&r->evidence_sealed),
                               text_or_null(r->mobile_lookup),
                               text_or_null(r->rejection_reason),
                               text_or_null(r->code_hash),
                               int_or_null(r->code_expires_at),
                               SQL_INT(r->code_attempts),
                               int_or_null(r->mobile_verified_at),
                               text_or_null(r->terms_hash),
                               int_or_null(r->terms_expires_at),
                               text_or_null(r->terms_version_hash),
                               int_or_null(r->terms_accepted_at),
                               int_or_null(r->identified_at),
                               int_or_null(r->valid_until),
                               SQL_INT(r->updated_at),
                               int_or_null(r->revoked_at),
                               SQL_TEXT(expected_status),
                               r->consent_at ? SQL_INT(r->consent_given ? 1 : 0) : SQL_NULL,
                               int_or_null(r->consent_at),
                               text_or_null(r->consent_text_hash)},
        27, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_CONFLICT;
    return st;
}

enum store_status store_srs_find_active(struct store_tx *tx, const char *organization_id,
                                        const char *mobile_lookup, const char *jurisdiction,
                                        const char *level, int64_t now,
                                        struct store_srs_registration *out)
{
    return get_one(tx,
                   "SELECT " SRS_COLUMNS " FROM srs_registrations WHERE organization_id = $1 "
                   "AND mobile_lookup = $2 AND jurisdiction = $3 AND level = $4 "
                   "AND status = 'ACTIVE' AND valid_until > $5 ORDER BY identified_at DESC LIMIT 1",
                   (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(mobile_lookup),
                                          SQL_TEXT(jurisdiction), SQL_TEXT(level), SQL_INT(now)},
                   5, out);
}

enum store_status store_srs_audit_add(struct store_tx *tx, const char *organization_id,
                                      const char *registration_id, const char *action,
                                      const char *actor, int64_t now)
{
    char id[UUID_STR_LEN];
    if (!uuid_v4(id))
        return STORE_ERROR;
    return sql_exec(
        tx,
        "INSERT INTO srs_audit (id, organization_id, registration_id, action, actor, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        (struct store_value[]){((struct store_value){.type = SV_TEXT, .p = id, .len = strlen(id)}),
                               SQL_TEXT(organization_id), SQL_TEXT(registration_id),
                               SQL_TEXT(action), SQL_TEXT(actor), SQL_INT(now)},
        6, NULL, NULL);
}

enum store_status store_srs_audit_count(struct store_tx *tx, const char *organization_id,
                                        const char *registration_id, const char *action,
                                        int64_t *count)
{
    struct store_rows *r = NULL;
    enum store_status st =
        sql_exec(tx,
                 "SELECT COUNT(*) FROM srs_audit WHERE organization_id = $1 "
                 "AND registration_id = $2 AND action = $3",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(registration_id),
                                        SQL_TEXT(action)},
                 3, &r, NULL);
    *count = st == STORE_OK ? store_rows_int(r, 0, 0) : 0;
    store_rows_free(r);
    return st;
}

enum store_status store_srs_code_send_add(struct store_tx *tx, const char *mobile_lookup,
                                          int64_t since, int64_t now, int64_t *recent)
{
    struct store_rows *r = NULL;
    char id[UUID_STR_LEN];
    enum store_status st = sql_exec(
        tx, "SELECT COUNT(*) FROM srs_code_sends WHERE mobile_lookup = $1 AND sent_at >= $2",
        (struct store_value[]){SQL_TEXT(mobile_lookup), SQL_INT(since)}, 2, &r, NULL);
    *recent = st == STORE_OK ? store_rows_int(r, 0, 0) : 0;
    store_rows_free(r);
    if (st == STORE_OK && !uuid_v4(id))
        st = STORE_ERROR;
    if (st == STORE_OK)
        st = sql_exec(tx,
                      "INSERT INTO srs_code_sends (id, mobile_lookup, sent_at) VALUES ($1, $2, $3)",
                      (struct store_value[]){
                          ((struct store_value){.type = SV_TEXT, .p = id, .len = strlen(id)}),
                          SQL_TEXT(mobile_lookup), SQL_INT(now)},
                      3, NULL, NULL);
    return st;
}

enum store_status store_srs_webhook_insert(struct store_tx *tx, const struct store_srs_webhook *w)
{
    return sql_exec(tx,
                    "INSERT INTO srs_webhooks (id, organization_id, registration_id, url, body, "
                    "status, attempts, next_attempt_at, created_at) "
                    "VALUES ($1, $2, $3, $4, $5, 'QUEUED', 0, $6, $7)",
                    (struct store_value[]){SQL_TEXT(w->id), SQL_TEXT(w->organization_id),
                                           SQL_TEXT(w->registration_id), SQL_TEXT(w->url),
                                           SQL_TEXT(w->body), SQL_INT(w->next_attempt_at),
                                           SQL_INT(w->created_at)},
                    7, NULL, NULL);
}

enum store_status store_srs_webhook_claim(struct store_tx *tx, int64_t as_of, int64_t lease_before,
                                          struct store_srs_webhook *out)
{
    struct store_rows *r = NULL;
    int64_t changed = 0;
    memset(out, 0, sizeof *out);
    enum store_status st =
        sql_exec(tx,
                 "SELECT id, organization_id, registration_id, url, body, status, attempts, "
                 "next_attempt_at, created_at FROM srs_webhooks WHERE (status = 'QUEUED' AND "
                 "next_attempt_at <= $1) OR (status = 'SENDING' AND next_attempt_at <= $2) "
                 "ORDER BY next_attempt_at, id LIMIT 1",
                 (struct store_value[]){SQL_INT(as_of), SQL_INT(lease_before)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st != STORE_OK)
        goto cleanup;
    str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
    str_copy(out->organization_id, sizeof out->organization_id, store_rows_text(r, 0, 1));
    str_copy(out->registration_id, sizeof out->registration_id, store_rows_text(r, 0, 2));
    str_copy(out->url, sizeof out->url, store_rows_text(r, 0, 3));
    out->body = store_rows_take_text(r, 0, 4);
    out->attempts = store_rows_int(r, 0, 6) + 1;
    out->created_at = store_rows_int(r, 0, 8);
    str_copy(out->status, sizeof out->status, "SENDING");
    /* The lease: a claim that is never finished is taken again after it (next_attempt_at). */
    out->next_attempt_at = as_of;
    st = sql_exec(tx,
                  "UPDATE srs_webhooks SET status = 'SENDING', attempts = $2, "
                  "next_attempt_at = $3 WHERE id = $1 AND status = $4 AND attempts = $5",
                  (struct store_value[]){SQL_TEXT(out->id), SQL_INT(out->attempts), SQL_INT(as_of),
                                         SQL_TEXT(store_rows_text(r, 0, 5)),
                                         SQL_INT(out->attempts - 1)},
                  5, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_RETRY;
cleanup:
    if (st != STORE_OK) {
        free(out->body);
        out->body = NULL;
    }
    store_rows_free(r);
    return st;
}

enum store_status store_srs_webhook_finish(struct store_tx *tx, const char *id, const char *status,
                                           int64_t next_attempt_at, const char *last_error)
{
    return sql_exec(tx,
                    "UPDATE srs_webhooks SET status = $2, next_attempt_at = $3, last_error = $4 "
                    "WHERE id = $1 AND status = 'SENDING'",
                    (struct store_value[]){SQL_TEXT(id), SQL_TEXT(status), SQL_INT(next_attempt_at),
                                           text_or_null(last_error)},
                    4, NULL, NULL);
}
