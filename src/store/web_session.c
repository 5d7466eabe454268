/*
 * The web sign-in session tables (see store/web_session.h).
 */
#include "store/web_session.h"

#include "core/str.h"
#include "store/account.h"
#include "store/cockpit.h"
#include "store/ra.h"
#include "store/sql.h"

#include <stdio.h>
#include <string.h>

#define FIELD(type, f) offsetof(type, f)
#define TIMES(type)                                                                                \
    .created_at = FIELD(type, created_at), .last_seen_at = FIELD(type, last_seen_at),              \
    .expires_at = FIELD(type, expires_at), .ended_at = FIELD(type, ended_at)

const struct web_session_table WEB_SESSION_ADMIN = {
    .table = "admin_sessions",
    .owner = {"user_id", "organization_id"},
    .scope = "organization_id",
    .size = sizeof(struct store_admin_session),
    .id = FIELD(struct store_admin_session, id),
    .hash = FIELD(struct store_admin_session, session_hash),
    .owner_at = {FIELD(struct store_admin_session, user_id),
                 FIELD(struct store_admin_session, organization_id)},
    .owner_len = {STORE_ID_LEN, STORE_ID_LEN},
    TIMES(struct store_admin_session),
};

const struct web_session_table WEB_SESSION_ACCOUNT = {
    .table = "account_sessions",
    .owner = {"account_id", NULL},
    .size = sizeof(struct store_account_session),
    .id = FIELD(struct store_account_session, id),
    .hash = FIELD(struct store_account_session, session_hash),
    .owner_at = {FIELD(struct store_account_session, account_id), 0},
    .owner_len = {STORE_ID_LEN, 0},
    TIMES(struct store_account_session),
};

const struct web_session_table WEB_SESSION_RA = {
    .table = "ra_sessions",
    .owner = {"agent_id", "point_id"},
    .size = sizeof(struct store_ra_session),
    .id = FIELD(struct store_ra_session, id),
    .hash = FIELD(struct store_ra_session, session_hash),
    .owner_at = {FIELD(struct store_ra_session, agent_id),
                 FIELD(struct store_ra_session, point_id)},
    .owner_len = {STORE_ID_LEN, STORE_ID_LEN},
    TIMES(struct store_ra_session),
};

static const char *text_at(const void *s, size_t at)
{
    return (const char *)s + at;
}

static int64_t int_at(const void *s, size_t at)
{
    int64_t v;
    memcpy(&v, (const char *)s + at, sizeof v);
    return v;
}

static void set_int(void *s, size_t at, int64_t v)
{
    memcpy((char *)s + at, &v, sizeof v);
}

/* "owner1" or "owner1, owner2" */
static const char *owners(const struct web_session_table *t, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s", t->owner[0], t->owner[1] ? ", " : "",
             t->owner[1] ? t->owner[1] : "");
    return buf;
}

enum store_status web_session_insert(struct store_tx *tx, const struct web_session_table *t,
                                     const void *s)
{
    char sql[512], cols[64];
    size_t n_owner = t->owner[1] ? 2 : 1;
    /* id, session_hash, owners, created_at, last_seen_at, expires_at */
    snprintf(sql, sizeof sql,
             "INSERT INTO %s (id, session_hash, %s, created_at, last_seen_at, expires_at) "
             "VALUES ($1, $2, $3, $4, $5, $6%s)",
             t->table, owners(t, cols, sizeof cols), n_owner == 2 ? ", $7" : "");
    struct store_value v[7];
    size_t n = 0;
    v[n++] = SQL_TEXT(text_at(s, t->id));
    v[n++] = SQL_TEXT(text_at(s, t->hash));
    for (size_t i = 0; i < n_owner; i++)
        v[n++] = SQL_TEXT(text_at(s, t->owner_at[i]));
    v[n++] = SQL_INT(int_at(s, t->created_at));
    v[n++] = SQL_INT(int_at(s, t->last_seen_at));
    v[n++] = SQL_INT(int_at(s, t->expires_at));
    return sql_exec(tx, sql, v, n, NULL, NULL);
}

enum store_status web_session_find(struct store_tx *tx, const struct web_session_table *t,
                                   const char *session_hash, void *out)
{
    char sql[512], cols[64];
    struct store_rows *r = NULL;
    size_t n_owner = t->owner[1] ? 2 : 1;
    memset(out, 0, t->size);
    snprintf(sql, sizeof sql,
             "SELECT id, session_hash, %s, created_at, last_seen_at, expires_at, ended_at "
             "FROM %s WHERE session_hash = $1",
             owners(t, cols, sizeof cols), t->table);
    enum store_status st =
        sql_exec(tx, sql, (struct store_value[]){SQL_TEXT(session_hash)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        char *o = out;
        str_copy(o + t->id, STORE_ID_LEN, store_rows_text(r, 0, 0));
        str_copy(o + t->hash, 65, store_rows_text(r, 0, 1));
        for (size_t i = 0; i < n_owner; i++)
            str_copy(o + t->owner_at[i], t->owner_len[i], store_rows_text(r, 0, 2 + i));
        set_int(out, t->created_at, store_rows_int(r, 0, 2 + n_owner));
        set_int(out, t->last_seen_at, store_rows_int(r, 0, 3 + n_owner));
        set_int(out, t->expires_at, store_rows_int(r, 0, 4 + n_owner));
        set_int(out, t->ended_at, store_rows_int(r, 0, 5 + n_owner));
    }
    store_rows_free(r);
    return st;
}

/* UPDATE t SET column = $1 WHERE id = $2 [AND scope = $3] [extra]: exactly one row. */
static enum store_status set_one(struct store_tx *tx, const struct web_session_table *t,
                                 const char *column, const char *extra, const char *scope_value,
                                 const char *id, int64_t now)
{
    char sql[512];
    snprintf(sql, sizeof sql, "UPDATE %s SET %s = $1 WHERE id = $2%s%s%s%s", t->table, column,
             t->scope ? " AND " : "", t->scope ? t->scope : "", t->scope ? " = $3" : "", extra);
    struct store_value v[3] = {SQL_INT(now), SQL_TEXT(id), SQL_TEXT(scope_value)};
    return sql_exec_one(tx, sql, v, t->scope ? 3 : 2, STORE_NOT_FOUND);
}

enum store_status web_session_touch(struct store_tx *tx, const struct web_session_table *t,
                                    const char *scope_value, const char *id, int64_t now)
{
    return set_one(tx, t, "last_seen_at", "", scope_value, id, now);
}

enum store_status web_session_end(struct store_tx *tx, const struct web_session_table *t,
                                  const char *scope_value, const char *id, int64_t now)
{
    return set_one(tx, t, "ended_at", " AND ended_at IS NULL", scope_value, id, now);
}
