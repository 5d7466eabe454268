/*
 * Operator keys of the admin HTTP API (table admin_keys, migration 0002). Only the SHA-256 of
 * a key is stored; the plain key never reaches this module. Results are copied into
 * caller-provided structs; lists are owned by the caller (free()).
 */
#include "core/str.h"
#include "store/sql.h"

#include <stdlib.h>

#define ADMIN_KEY_COLUMNS "id, key_hash, description, created_at, revoked_at"

static void admin_key_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_admin_key *k = elem;
    str_copy(k->id, sizeof k->id, store_rows_text(r, i, 0));
    str_copy(k->key_hash, sizeof k->key_hash, store_rows_text(r, i, 1));
    str_copy(k->description, sizeof k->description, store_rows_text(r, i, 2));
    k->created_at = store_rows_int(r, i, 3);
    k->revoked_at = store_rows_int(r, i, 4);
}

enum store_status store_admin_key_insert(struct store_tx *tx, const struct store_admin_key *k)
{
    return sql_exec(tx,
                    "INSERT INTO admin_keys (" ADMIN_KEY_COLUMNS ") "
                    "VALUES ($1, $2, $3, $4, NULL)",
                    (struct store_value[]){SQL_TEXT(k->id), SQL_TEXT(k->key_hash),
                                           SQL_TEXT(k->description), SQL_INT(k->created_at)},
                    4, NULL, NULL);
}

static enum store_status admin_key_one(struct store_tx *tx, const char *sql, const char *arg,
                                       struct store_admin_key *out)
{
    struct store_rows *r = NULL;
    enum store_status st = sql_exec(tx, sql, (struct store_value[]){SQL_TEXT(arg)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        admin_key_from_row(r, 0, out);
    store_rows_free(r);
    return st;
}

enum store_status store_admin_key_get(struct store_tx *tx, const char *id,
                                      struct store_admin_key *out)
{
    return admin_key_one(tx, "SELECT " ADMIN_KEY_COLUMNS " FROM admin_keys WHERE id = $1", id, out);
}

enum store_status store_admin_key_find_by_hash(struct store_tx *tx, const char *key_hash,
                                               struct store_admin_key *out)
{
    return admin_key_one(tx, "SELECT " ADMIN_KEY_COLUMNS " FROM admin_keys WHERE key_hash = $1",
                         key_hash, out);
}

enum store_status store_admin_key_list(struct store_tx *tx, struct store_admin_key **out, size_t *n)
{
    return sql_exec_list(tx, "SELECT " ADMIN_KEY_COLUMNS " FROM admin_keys ORDER BY created_at, id",
                         NULL, 0, sizeof **out, admin_key_from_row, (void **)out, n);
}

enum store_status store_admin_key_revoke(struct store_tx *tx, const char *id, int64_t now)
{
    struct store_admin_key k;
    enum store_status st = store_admin_key_get(tx, id, &k);
    if (st != STORE_OK)
        return st;
    if (k.revoked_at)
        return STORE_CONFLICT;
    return sql_exec(tx, "UPDATE admin_keys SET revoked_at = $2 WHERE id = $1",
                    (struct store_value[]){SQL_TEXT(id), SQL_INT(now)}, 2, NULL, NULL);
}
