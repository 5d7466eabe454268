/*
 * TOTP enrolments and wrong app codes per session (migration 0016; see store/totp.h).
 */
#include "store/totp.h"

#include "core/str.h"
#include "store/sql.h"

#include <string.h>

enum store_status store_totp_get(struct store_tx *tx, const char *organization_id,
                                 const char *participant_id, struct store_totp_enrolment *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(
        tx,
        "SELECT id, organization_id, process_id, participant_id, secret_sealed, created_at, "
        "confirmed_at, last_step FROM totp_enrolments "
        "WHERE organization_id = $1 AND participant_id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(participant_id)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        size_t len = 0;
        const void *sealed = store_rows_blob(r, 0, 4, &len);
        if (!sealed || len > sizeof out->secret_sealed) {
            st = STORE_ERROR;
            goto cleanup;
        }
        str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
        str_copy(out->organization_id, sizeof out->organization_id, store_rows_text(r, 0, 1));
        str_copy(out->process_id, sizeof out->process_id, store_rows_text(r, 0, 2));
        str_copy(out->participant_id, sizeof out->participant_id, store_rows_text(r, 0, 3));
        memcpy(out->secret_sealed, sealed, len);
        out->secret_sealed_len = len;
        out->created_at = store_rows_int(r, 0, 5);
        out->confirmed_at = store_rows_int(r, 0, 6);
        out->last_step = store_rows_is_null(r, 0, 7) ? -1 : store_rows_int(r, 0, 7);
    }
cleanup:
    store_rows_free(r);
    return st;
}

enum store_status store_totp_insert(struct store_tx *tx, const struct store_totp_enrolment *e)
{
    int64_t changed = 0;
    enum store_status st =
        sql_exec(tx,
                 "INSERT INTO totp_enrolments (id, organization_id, process_id, participant_id, "
                 "secret_sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6) "
                 "ON CONFLICT (participant_id) DO NOTHING",
                 (struct store_value[]){SQL_TEXT(e->id), SQL_TEXT(e->organization_id),
                                        SQL_TEXT(e->process_id), SQL_TEXT(e->participant_id),
                                        SQL_BLOB(e->secret_sealed, e->secret_sealed_len),
                                        SQL_INT(e->created_at)},
                 6, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_CONFLICT;
    return st;
}

enum store_status store_totp_use_step(struct store_tx *tx, const char *organization_id,
                                      const char *id, int64_t step, int64_t now)
{
    int64_t changed = 0;
    enum store_status st = sql_exec(tx,
                                    "UPDATE totp_enrolments SET last_step = $3, "
                                    "confirmed_at = COALESCE(confirmed_at, $4) "
                                    "WHERE organization_id = $1 AND id = $2 "
                                    "AND (last_step IS NULL OR last_step < $3)",
                                    (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id),
                                                           SQL_INT(step), SQL_INT(now)},
                                    4, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_CONFLICT;
    return st;
}

enum store_status store_ui_session_app_failures(struct store_tx *tx, const char *organization_id,
                                                const char *session_id, int64_t *n)
{
    struct store_rows *r = NULL;
    *n = 0;
    enum store_status st = sql_exec(
        tx, "SELECT app_failures FROM ui_sessions WHERE organization_id = $1 AND id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(session_id)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        *n = store_rows_int(r, 0, 0);
    store_rows_free(r);
    return st;
}

enum store_status store_ui_session_app_failure_add(struct store_tx *tx, const char *organization_id,
                                                   const char *session_id)
{
    return sql_exec(tx,
                    "UPDATE ui_sessions SET app_failures = app_failures + 1 "
                    "WHERE organization_id = $1 AND id = $2",
                    (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(session_id)}, 2,
                    NULL, NULL);
}
