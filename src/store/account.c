/*
 * Person accounts, their sessions and verifications (migration 0021; see store/account.h).
 */
#include "store/account.h"

#include "core/str.h"
#include "store/sql.h"
#include "store/web_session.h"

#include <string.h>

#define ACCOUNT_COLUMNS                                                                            \
    "id, email, password_hash, email_verified_at, mobile, mobile_verified_at, created_at"

static enum store_status account_query(struct store_tx *tx, const char *sql,
                                       const struct store_value *params, size_t n_params,
                                       struct store_account *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(tx, sql, params, n_params, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
        str_copy(out->email, sizeof out->email, store_rows_text(r, 0, 1));
        str_copy(out->password_hash, sizeof out->password_hash, store_rows_text(r, 0, 2));
        out->email_verified_at = store_rows_int(r, 0, 3);
        str_copy(out->mobile, sizeof out->mobile, store_rows_text(r, 0, 4));
        out->mobile_verified_at = store_rows_int(r, 0, 5);
        out->created_at = store_rows_int(r, 0, 6);
    }
    store_rows_free(r);
    return st;
}

/* A statement that must change exactly one row (else `none`). */
enum store_status store_account_insert(struct store_tx *tx, const struct store_account *a)
{
    return sql_exec(tx,
                    "INSERT INTO accounts (id, email, password_hash, mobile, created_at) "
                    "VALUES ($1, $2, $3, '', $4)",
                    (struct store_value[]){SQL_TEXT(a->id), SQL_TEXT(a->email),
                                           SQL_TEXT(a->password_hash), SQL_INT(a->created_at)},
                    4, NULL, NULL);
}

enum store_status store_account_find_by_email(struct store_tx *tx, const char *email,
                                              struct store_account *out)
{
    return account_query(tx, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE email = $1",
                         (struct store_value[]){SQL_TEXT(email)}, 1, out);
}

enum store_status store_account_get(struct store_tx *tx, const char *id, struct store_account *out)
{
    return account_query(tx, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = $1",
                         (struct store_value[]){SQL_TEXT(id)}, 1, out);
}

enum store_status store_account_verify_email(struct store_tx *tx, const char *id, const char *email,
                                             int64_t now)
{
    return sql_exec_one(
        tx, "UPDATE accounts SET email_verified_at = $3 WHERE id = $1 AND email = $2",
        (struct store_value[]){SQL_TEXT(id), SQL_TEXT(email), SQL_INT(now)}, 3, STORE_NOT_FOUND);
}

enum store_status store_account_set_mobile(struct store_tx *tx, const char *id, const char *mobile)
{
    return sql_exec_one(tx,
                        "UPDATE accounts SET mobile = $2, mobile_verified_at = NULL WHERE id = $1",
                        (struct store_value[]){SQL_TEXT(id), SQL_TEXT(mobile)}, 2, STORE_NOT_FOUND);
}

enum store_status store_account_verify_mobile(struct store_tx *tx, const char *id,
                                              const char *mobile, int64_t now)
{
    return sql_exec_one(
        tx, "UPDATE accounts SET mobile_verified_at = $3 WHERE id = $1 AND mobile = $2",
        (struct store_value[]){SQL_TEXT(id), SQL_TEXT(mobile), SQL_INT(now)}, 3, STORE_NOT_FOUND);
}

enum store_status store_account_set_password(struct store_tx *tx, const char *id,
                                             const char *password_hash)
{
    return sql_exec_one(tx, "UPDATE accounts SET password_hash = $2 WHERE id = $1",
                        (struct store_value[]){SQL_TEXT(id), SQL_TEXT(password_hash)}, 2,
                        STORE_NOT_FOUND);
}

/* ---- Sessions ---- */

enum store_status store_account_session_insert(struct store_tx *tx,
                                               const struct store_account_session *s)
{
    return web_session_insert(tx, &WEB_SESSION_ACCOUNT, s);
}

enum store_status store_account_session_find(struct store_tx *tx, const char *session_hash,
                                             struct store_account_session *out)
{
    return web_session_find(tx, &WEB_SESSION_ACCOUNT, session_hash, out);
}

enum store_status store_account_session_touch(struct store_tx *tx, const char *id, int64_t now)
{
    return web_session_touch(tx, &WEB_SESSION_ACCOUNT, NULL, id, now);
}

enum store_status store_account_session_end(struct store_tx *tx, const char *id, int64_t now)
{
    return web_session_end(tx, &WEB_SESSION_ACCOUNT, NULL, id, now);
}

enum store_status store_account_session_end_others(struct store_tx *tx, const char *account_id,
                                                   const char *keep_id, int64_t now)
{
    return sql_exec(tx,
                    "UPDATE account_sessions SET ended_at = $3 WHERE account_id = $1 AND "
                    "id <> $2 AND ended_at IS NULL",
                    (struct store_value[]){SQL_TEXT(account_id), SQL_TEXT(keep_id ? keep_id : ""),
                                           SQL_INT(now)},
                    3, NULL, NULL);
}

/* ---- Verifications ---- */

#define VERIFICATION_COLUMNS                                                                       \
    "id, account_id, purpose, target, secret_hash, attempts, created_at, expires_at, used_at"

static enum store_status verification_query(struct store_tx *tx, const char *sql,
                                            const struct store_value *params, size_t n,
                                            struct store_account_verification *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(tx, sql, params, n, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
        str_copy(out->account_id, sizeof out->account_id, store_rows_text(r, 0, 1));
        str_copy(out->purpose, sizeof out->purpose, store_rows_text(r, 0, 2));
        str_copy(out->target, sizeof out->target, store_rows_text(r, 0, 3));
        str_copy(out->secret_hash, sizeof out->secret_hash, store_rows_text(r, 0, 4));
        out->attempts = store_rows_int(r, 0, 5);
        out->created_at = store_rows_int(r, 0, 6);
        out->expires_at = store_rows_int(r, 0, 7);
        out->used_at = store_rows_int(r, 0, 8);
    }
    store_rows_free(r);
    return st;
}

enum store_status store_account_verification_insert(struct store_tx *tx,
                                                    const struct store_account_verification *v)
{
    return sql_exec(tx,
                    "INSERT INTO account_verifications (id, account_id, purpose, target, "
                    "secret_hash, attempts, created_at, expires_at) "
                    "VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
                    (struct store_value[]){SQL_TEXT(v->id), SQL_TEXT(v->account_id),
                                           SQL_TEXT(v->purpose), SQL_TEXT(v->target),
                                           SQL_TEXT(v->secret_hash), SQL_INT(v->created_at),
                                           SQL_INT(v->expires_at)},
                    7, NULL, NULL);
}

enum store_status store_account_verification_find(struct store_tx *tx, const char *secret_hash,
                                                  struct store_account_verification *out)
{
    return verification_query(
        tx, "SELECT " VERIFICATION_COLUMNS " FROM account_verifications WHERE secret_hash = $1",
        (struct store_value[]){SQL_TEXT(secret_hash)}, 1, out);
}

enum store_status store_account_verification_newest(struct store_tx *tx, const char *account_id,
                                                    const char *purpose,
                                                    struct store_account_verification *out)
{
    return verification_query(tx,
                              "SELECT " VERIFICATION_COLUMNS " FROM account_verifications "
                              "WHERE account_id = $1 AND purpose = $2 "
                              "ORDER BY created_at DESC, id DESC LIMIT 1",
                              (struct store_value[]){SQL_TEXT(account_id), SQL_TEXT(purpose)}, 2,
                              out);
}

enum store_status store_account_verification_count(struct store_tx *tx, const char *account_id,
                                                   const char *purpose, int64_t since, int64_t *out)
{
    struct store_rows *r = NULL;
    *out = 0;
    enum store_status st =
        sql_exec(tx,
                 "SELECT COUNT(*) FROM account_verifications WHERE "
                 "account_id = $1 AND purpose = $2 AND created_at >= $3",
                 (struct store_value[]){SQL_TEXT(account_id), SQL_TEXT(purpose), SQL_INT(since)}, 3,
                 &r, NULL);
    if (st == STORE_OK && store_rows_count(r) > 0)
        *out = store_rows_int(r, 0, 0);
    store_rows_free(r);
    return st;
}

enum store_status store_account_verification_fail(struct store_tx *tx, const char *id)
{
    return sql_exec_one(tx,
                        "UPDATE account_verifications SET attempts = attempts + 1 WHERE id = $1",
                        (struct store_value[]){SQL_TEXT(id)}, 1, STORE_NOT_FOUND);
}

enum store_status store_account_verification_use(struct store_tx *tx, const char *id, int64_t now)
{
    return sql_exec_one(
        tx, "UPDATE account_verifications SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
        (struct store_value[]){SQL_TEXT(id), SQL_INT(now)}, 2, STORE_CONFLICT);
}
