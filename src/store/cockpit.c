/*
 * Admin cockpit accounts, sessions, sign-in throttle and team members (migration 0019; see
 * store/cockpit.h).
 */
#include "store/cockpit.h"

#include "core/str.h"
#include "store/sql.h"
#include "store/web_session.h"

#include <string.h>

#define USER_COLUMNS                                                                               \
    "id, organization_id, email, password_hash, totp_secret_sealed, totp_pending_sealed, "         \
    "totp_confirmed_at, totp_last_step, created_at, disabled_at"

static bool blob_into(const struct store_rows *r, size_t col, unsigned char *out, size_t cap,
                      size_t *len)
{
    *len = 0;
    if (store_rows_is_null(r, 0, col))
        return true;
    size_t n = 0;
    const void *p = store_rows_blob(r, 0, col, &n);
    if (!p || n > cap)
        return false;
    memcpy(out, p, n);
    *len = n;
    return true;
}

static enum store_status user_query(struct store_tx *tx, const char *sql,
                                    const struct store_value *params, size_t n_params,
                                    struct store_admin_user *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(tx, sql, params, n_params, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st != STORE_OK)
        goto cleanup;
    str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
    str_copy(out->organization_id, sizeof out->organization_id, store_rows_text(r, 0, 1));
    str_copy(out->email, sizeof out->email, store_rows_text(r, 0, 2));
    str_copy(out->password_hash, sizeof out->password_hash, store_rows_text(r, 0, 3));
    if (!blob_into(r, 4, out->totp_secret_sealed, sizeof out->totp_secret_sealed,
                   &out->totp_secret_sealed_len) ||
        !blob_into(r, 5, out->totp_pending_sealed, sizeof out->totp_pending_sealed,
                   &out->totp_pending_sealed_len)) {
        st = STORE_ERROR;
        goto cleanup;
    }
    out->totp_confirmed_at = store_rows_int(r, 0, 6);
    out->totp_last_step = store_rows_is_null(r, 0, 7) ? -1 : store_rows_int(r, 0, 7);
    out->created_at = store_rows_int(r, 0, 8);
    out->disabled_at = store_rows_int(r, 0, 9);
cleanup:
    store_rows_free(r);
    return st;
}

enum store_status store_admin_user_insert(struct store_tx *tx, const struct store_admin_user *u)
{
    return sql_exec(
        tx,
        "INSERT INTO admin_users (id, organization_id, email, password_hash, totp_secret_sealed, "
        "totp_confirmed_at, totp_last_step, created_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
        (struct store_value[]){SQL_TEXT(u->id), SQL_TEXT(u->organization_id), SQL_TEXT(u->email),
                               SQL_TEXT(u->password_hash),
                               u->totp_secret_sealed_len
                                   ? SQL_BLOB(u->totp_secret_sealed, u->totp_secret_sealed_len)
                                   : SQL_NULL,
                               u->totp_confirmed_at ? SQL_INT(u->totp_confirmed_at) : SQL_NULL,
                               SQL_INT(u->created_at)},
        7, NULL, NULL);
}

enum store_status store_admin_user_find_by_email(struct store_tx *tx, const char *email,
                                                 struct store_admin_user *out)
{
    return user_query(tx, "SELECT " USER_COLUMNS " FROM admin_users WHERE email = $1",
                      (struct store_value[]){SQL_TEXT(email)}, 1, out);
}

enum store_status store_admin_user_get(struct store_tx *tx, const char *organization_id,
                                       const char *id, struct store_admin_user *out)
{
    return user_query(
        tx, "SELECT " USER_COLUMNS " FROM admin_users WHERE organization_id = $1 AND id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id)}, 2, out);
}

/* An UPDATE that must change exactly one row (else STORE_NOT_FOUND, or `none` when given). */
enum store_status store_admin_user_set_totp_pending(struct store_tx *tx,
                                                    const char *organization_id, const char *id,
                                                    const unsigned char *sealed, size_t len)
{
    return sql_exec_one(
        tx,
        "UPDATE admin_users SET totp_pending_sealed = $3 "
        "WHERE organization_id = $1 AND id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id), SQL_BLOB(sealed, len)}, 3,
        STORE_NOT_FOUND);
}

enum store_status store_admin_user_confirm_totp(struct store_tx *tx, const char *organization_id,
                                                const char *id, const unsigned char *sealed,
                                                size_t len, int64_t now, int64_t step)
{
    return sql_exec_one(
        tx,
        "UPDATE admin_users SET totp_secret_sealed = $3, totp_pending_sealed = NULL, "
        "totp_confirmed_at = $4, totp_last_step = $5 "
        "WHERE organization_id = $1 AND id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id), SQL_BLOB(sealed, len),
                               SQL_INT(now), SQL_INT(step)},
        5, STORE_NOT_FOUND);
}

enum store_status store_admin_user_use_totp_step(struct store_tx *tx, const char *organization_id,
                                                 const char *id, int64_t step)
{
    return sql_exec_one(
        tx,
        "UPDATE admin_users SET totp_last_step = $3 WHERE organization_id = $1 AND "
        "id = $2 AND (totp_last_step IS NULL OR totp_last_step < $3)",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id), SQL_INT(step)}, 3,
        STORE_CONFLICT);
}

/* ---- Sessions ---- */

enum store_status store_admin_session_insert(struct store_tx *tx,
                                             const struct store_admin_session *s)
{
    return web_session_insert(tx, &WEB_SESSION_ADMIN, s);
}

enum store_status store_admin_session_find(struct store_tx *tx, const char *session_hash,
                                           struct store_admin_session *out)
{
    return web_session_find(tx, &WEB_SESSION_ADMIN, session_hash, out);
}

enum store_status store_admin_session_touch(struct store_tx *tx, const char *organization_id,
                                            const char *id, int64_t now)
{
    return web_session_touch(tx, &WEB_SESSION_ADMIN, organization_id, id, now);
}

enum store_status store_admin_session_end(struct store_tx *tx, const char *organization_id,
                                          const char *id, int64_t now)
{
    return web_session_end(tx, &WEB_SESSION_ADMIN, organization_id, id, now);
}

/* ---- Sign-in throttle ---- */

enum store_status store_signin_failures_get(struct store_tx *tx, const char *key,
                                            struct store_signin_failures *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st =
        sql_exec(tx,
                 "SELECT failures, window_start, locked_until FROM admin_signin_failures "
                 "WHERE throttle_key = $1",
                 (struct store_value[]){SQL_TEXT(key)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) > 0) {
        out->failures = store_rows_int(r, 0, 0);
        out->window_start = store_rows_int(r, 0, 1);
        out->locked_until = store_rows_int(r, 0, 2);
    }
    store_rows_free(r);
    return st;
}

enum store_status store_signin_failures_put(struct store_tx *tx, const char *key,
                                            const struct store_signin_failures *f)
{
    return sql_exec(tx,
                    "INSERT INTO admin_signin_failures (throttle_key, failures, window_start, "
                    "locked_until) VALUES ($1, $2, $3, $4) ON CONFLICT (throttle_key) DO UPDATE "
                    "SET failures = $2, window_start = $3, locked_until = $4",
                    (struct store_value[]){SQL_TEXT(key), SQL_INT(f->failures),
                                           SQL_INT(f->window_start), SQL_INT(f->locked_until)},
                    4, NULL, NULL);
}

enum store_status store_signin_failures_clear(struct store_tx *tx, const char *key)
{
    return sql_exec(tx, "DELETE FROM admin_signin_failures WHERE throttle_key = $1",
                    (struct store_value[]){SQL_TEXT(key)}, 1, NULL, NULL);
}

/* ---- Team members ---- */

enum store_status store_team_member_add(struct store_tx *tx, const struct store_team_member *m)
{
    enum store_status st = store_team_exists(tx, m->organization_id, m->team_id);
    if (st != STORE_OK)
        return st;
    int64_t changed = 0;
    st = sql_exec(tx,
                  "INSERT INTO team_members (team_id, organization_id, email, created_at) "
                  "VALUES ($1, $2, $3, $4) ON CONFLICT (team_id, email) DO NOTHING",
                  (struct store_value[]){SQL_TEXT(m->team_id), SQL_TEXT(m->organization_id),
                                         SQL_TEXT(m->email), SQL_INT(m->created_at)},
                  4, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_CONFLICT;
    return st;
}

enum store_status store_team_member_remove(struct store_tx *tx, const char *organization_id,
                                           const char *team_id, const char *email)
{
    return sql_exec_one(
        tx,
        "DELETE FROM team_members WHERE organization_id = $1 AND team_id = $2 AND "
        "email = $3",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(team_id), SQL_TEXT(email)}, 3,
        STORE_NOT_FOUND);
}

static void member_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_team_member *m = elem;
    str_copy(m->team_id, sizeof m->team_id, store_rows_text(r, i, 0));
    str_copy(m->organization_id, sizeof m->organization_id, store_rows_text(r, i, 1));
    str_copy(m->email, sizeof m->email, store_rows_text(r, i, 2));
    m->created_at = store_rows_int(r, i, 3);
}

enum store_status store_team_member_list(struct store_tx *tx, const char *organization_id,
                                         struct store_team_member **out, size_t *n)
{
    return sql_exec_list(tx,
                         "SELECT team_id, organization_id, email, created_at FROM team_members "
                         "WHERE organization_id = $1 ORDER BY team_id, email",
                         (struct store_value[]){SQL_TEXT(organization_id)}, 1, sizeof **out,
                         member_from_row, (void **)out, n);
}
