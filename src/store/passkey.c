/*
 * Passkey credentials and open WebAuthn challenges (migration 0017; see store/passkey.h).
 */
#include "store/passkey.h"

#include "core/str.h"
#include "store/sql.h"

#include <string.h>

/* Copies blob column col of row 0 into dst (exactly want bytes when want, else up to cap). */
static bool blob_into(struct store_rows *r, size_t col, unsigned char *dst, size_t cap, size_t want,
                      size_t *len)
{
    size_t n = 0;
    const void *b = store_rows_blob(r, 0, col, &n);
    if (!b || n > cap || (want && n != want))
        return false;
    memcpy(dst, b, n);
    if (len)
        *len = n;
    return true;
}

enum store_status store_passkey_get(struct store_tx *tx, const char *organization_id,
                                    const char *participant_id, struct store_passkey *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(
        tx,
        "SELECT id, organization_id, process_id, participant_id, credential_id, "
        "public_key, alg, sign_count, user_handle, created_at, last_used_at "
        "FROM passkey_credentials WHERE organization_id = $1 AND participant_id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(participant_id)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st != STORE_OK)
        goto cleanup;
    if (!blob_into(r, 4, out->credential_id, sizeof out->credential_id, 0,
                   &out->credential_id_len) ||
        !blob_into(r, 5, out->public_key, sizeof out->public_key, 0, &out->public_key_len) ||
        !blob_into(r, 8, out->user_handle, sizeof out->user_handle, sizeof out->user_handle,
                   NULL)) {
        st = STORE_ERROR;
        goto cleanup;
    }
    str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
    str_copy(out->organization_id, sizeof out->organization_id, store_rows_text(r, 0, 1));
    str_copy(out->process_id, sizeof out->process_id, store_rows_text(r, 0, 2));
    str_copy(out->participant_id, sizeof out->participant_id, store_rows_text(r, 0, 3));
    out->alg = store_rows_int(r, 0, 6);
    out->sign_count = store_rows_int(r, 0, 7);
    out->created_at = store_rows_int(r, 0, 9);
    out->last_used_at = store_rows_is_null(r, 0, 10) ? 0 : store_rows_int(r, 0, 10);
cleanup:
    store_rows_free(r);
    return st;
}

enum store_status store_passkey_insert(struct store_tx *tx, const struct store_passkey *p)
{
    int64_t changed = 0;
    enum store_status st = sql_exec(
        tx,
        "INSERT INTO passkey_credentials (id, organization_id, process_id, participant_id, "
        "credential_id, public_key, alg, sign_count, user_handle, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (participant_id) DO NOTHING",
        (struct store_value[]){
            SQL_TEXT(p->id), SQL_TEXT(p->organization_id), SQL_TEXT(p->process_id),
            SQL_TEXT(p->participant_id), SQL_BLOB(p->credential_id, p->credential_id_len),
            SQL_BLOB(p->public_key, p->public_key_len), SQL_INT(p->alg), SQL_INT(p->sign_count),
            SQL_BLOB(p->user_handle, sizeof p->user_handle), SQL_INT(p->created_at)},
        10, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_CONFLICT;
    return st;
}

enum store_status store_passkey_use(struct store_tx *tx, const char *organization_id,
                                    const char *id, int64_t old_count, int64_t new_count,
                                    int64_t now)
{
    int64_t changed = 0;
    enum store_status st =
        sql_exec(tx,
                 "UPDATE passkey_credentials SET sign_count = $4, last_used_at = $5 "
                 "WHERE organization_id = $1 AND id = $2 AND sign_count = $3",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id), SQL_INT(old_count),
                                        SQL_INT(new_count), SQL_INT(now)},
                 5, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_CONFLICT;
    return st;
}

enum store_status store_passkey_challenge_put(struct store_tx *tx, const char *organization_id,
                                              const char *session_id, const char *purpose,
                                              const struct store_passkey_challenge *c)
{
    enum store_status st = sql_exec(
        tx,
        "DELETE FROM passkey_challenges WHERE organization_id = $1 AND session_id = $2 "
        "AND purpose = $3",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(session_id), SQL_TEXT(purpose)},
        3, NULL, NULL);
    if (st != STORE_OK)
        return st;
    return sql_exec(tx,
                    "INSERT INTO passkey_challenges (organization_id, session_id, purpose, "
                    "challenge_hash, user_handle, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    (struct store_value[]){
                        SQL_TEXT(organization_id), SQL_TEXT(session_id), SQL_TEXT(purpose),
                        SQL_BLOB(c->challenge_hash, sizeof c->challenge_hash),
                        SQL_BLOB(c->user_handle, sizeof c->user_handle), SQL_INT(c->expires_at)},
                    6, NULL, NULL);
}

enum store_status store_passkey_challenge_take(struct store_tx *tx, const char *organization_id,
                                               const char *session_id, const char *purpose,
                                               struct store_passkey_challenge *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    struct store_value key[] = {SQL_TEXT(organization_id), SQL_TEXT(session_id), SQL_TEXT(purpose)};
    enum store_status st =
        sql_exec(tx,
                 "SELECT challenge_hash, user_handle, expires_at FROM passkey_challenges "
                 "WHERE organization_id = $1 AND session_id = $2 AND purpose = $3",
                 key, 3, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st != STORE_OK)
        goto cleanup;
    if (!blob_into(r, 0, out->challenge_hash, sizeof out->challenge_hash,
                   sizeof out->challenge_hash, NULL) ||
        !blob_into(r, 1, out->user_handle, sizeof out->user_handle, sizeof out->user_handle,
                   NULL)) {
        st = STORE_ERROR;
        goto cleanup;
    }
    out->expires_at = store_rows_int(r, 0, 2);
    int64_t changed = 0;
    /* Single use: whoever deletes the row owns the challenge. */
    st = sql_exec(tx,
                  "DELETE FROM passkey_challenges WHERE organization_id = $1 AND session_id = $2 "
                  "AND purpose = $3",
                  key, 3, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_NOT_FOUND;
cleanup:
    store_rows_free(r);
    if (st != STORE_OK)
        memset(out, 0, sizeof *out);
    return st;
}
