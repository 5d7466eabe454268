/*
 * eID presentation requests (migration 0024; see store/srs_eid.h).
 */
#include "store/srs_eid.h"

#include "core/str.h"
#include "store/sql.h"

#include <stdlib.h>
#include <string.h>

#define EID_COLUMNS                                                                                \
    "id, registration_id, order_id, request_hash, state_hash, nonce_hash, mobile_sealed, "         \
    "created_at, expires_at, used_at"

void store_srs_eid_request_clear(struct store_srs_eid_request *q)
{
    if (!q)
        return;
    free(q->mobile_sealed.data);
    q->mobile_sealed.data = NULL;
    q->mobile_sealed.len = 0;
}

enum store_status store_srs_eid_insert(struct store_tx *tx, const struct store_srs_eid_request *q)
{
    return sql_exec(tx,
                    "INSERT INTO srs_eid_requests (" EID_COLUMNS ") "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)",
                    (struct store_value[]){SQL_TEXT(q->id), SQL_TEXT(q->registration_id),
                                           SQL_TEXT(q->order_id), SQL_TEXT(q->request_hash),
                                           SQL_TEXT(q->state_hash), SQL_TEXT(q->nonce_hash),
                                           SQL_BLOB(q->mobile_sealed.data, q->mobile_sealed.len),
                                           SQL_INT(q->created_at), SQL_INT(q->expires_at)},
                    9, NULL, NULL);
}

enum store_status store_srs_eid_get_by(struct store_tx *tx, const char *column, const char *value,
                                       struct store_srs_eid_request *out)
{
    const char *sql;
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    if (strcmp(column, "request_hash") == 0)
        sql = "SELECT " EID_COLUMNS " FROM srs_eid_requests WHERE request_hash = $1";
    else if (strcmp(column, "state_hash") == 0)
        sql = "SELECT " EID_COLUMNS " FROM srs_eid_requests WHERE state_hash = $1";
    else
        return STORE_ERROR;
    enum store_status st = sql_exec(tx, sql, (struct store_value[]){SQL_TEXT(value)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
        str_copy(out->registration_id, sizeof out->registration_id, store_rows_text(r, 0, 1));
        str_copy(out->order_id, sizeof out->order_id, store_rows_text(r, 0, 2));
        str_copy(out->request_hash, sizeof out->request_hash, store_rows_text(r, 0, 3));
        str_copy(out->state_hash, sizeof out->state_hash, store_rows_text(r, 0, 4));
        str_copy(out->nonce_hash, sizeof out->nonce_hash, store_rows_text(r, 0, 5));
        size_t len = 0;
        const void *b = store_rows_blob(r, 0, 6, &len);
        out->mobile_sealed.data = len ? malloc(len) : NULL;
        if (len && !out->mobile_sealed.data)
            st = STORE_ERROR;
        else if (len) {
            memcpy(out->mobile_sealed.data, b, len);
            out->mobile_sealed.len = len;
        }
        out->created_at = store_rows_int(r, 0, 7);
        out->expires_at = store_rows_int(r, 0, 8);
        out->used_at = store_rows_int(r, 0, 9);
    }
    store_rows_free(r);
    return st;
}

enum store_status store_srs_eid_mark_used(struct store_tx *tx, const char *id, int64_t now)
{
    int64_t changes = 0;
    enum store_status st =
        sql_exec(tx, "UPDATE srs_eid_requests SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
                 (struct store_value[]){SQL_TEXT(id), SQL_INT(now)}, 2, NULL, &changes);
    if (st == STORE_OK && changes == 0)
        st = STORE_CONFLICT;
    return st;
}
