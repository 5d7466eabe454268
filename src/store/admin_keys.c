/*
 * Keys of the admin HTTP API (table admin_keys, migrations 0002 and 0009): operator keys
 * (organization_id NULL) and organization-admin keys (bound to one organization). Only the
 * SHA-256 of a key is stored; the plain key never reaches this module. Results are copied into
 * caller-provided structs; lists are owned by the caller (free()).
 */
#include "core/str.h"
#include "store/sql.h"

#include <stdlib.h>

#define ADMIN_KEY_COLUMNS "id, key_hash, description, created_at, revoked_at, organization_id"

static void admin_key_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_admin_key *k = elem;
    str_copy(k->id, sizeof k->id, store_rows_text(r, i, 0));
    str_copy(k->key_hash, sizeof k->key_hash, store_rows_text(r, i, 1));
    str_copy(k->description, sizeof k->description, store_rows_text(r, i, 2));
    k->created_at = store_rows_int(r, i, 3);
    k->revoked_at = store_rows_int(r, i, 4);
    str_copy(k->organization_id, sizeof k->organization_id, store_rows_text(r, i, 5));
}

enum store_status store_admin_key_insert(struct store_tx *tx, const struct store_admin_key *k)
{
    return sql_exec(
        tx,
        "INSERT INTO admin_keys (" ADMIN_KEY_COLUMNS ") "
        "VALUES ($1, $2, $3, $4, NULL, $5)",
        (struct store_value[]){SQL_TEXT(k->id), SQL_TEXT(k->key_hash), SQL_TEXT(k->description),
                               SQL_INT(k->created_at),
                               k->organization_id[0] ? SQL_TEXT(k->organization_id) : SQL_NULL},
        5, NULL, NULL);
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
    return sql_exec_list(tx,
                         "SELECT " ADMIN_KEY_COLUMNS " FROM admin_keys "
                         "WHERE organization_id IS NULL ORDER BY created_at, id",
                         NULL, 0, sizeof **out, admin_key_from_row, (void **)out, n);
}

enum store_status store_org_admin_key_get(struct store_tx *tx, const char *organization_id,
                                          const char *id, struct store_admin_key *out)
{
    struct store_rows *r = NULL;
    enum store_status st =
        sql_exec(tx,
                 "SELECT " ADMIN_KEY_COLUMNS " FROM admin_keys "
                 "WHERE organization_id = $1 AND id = $2",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        admin_key_from_row(r, 0, out);
    store_rows_free(r);
    return st;
}

enum store_status store_org_admin_key_list(struct store_tx *tx, const char *organization_id,
                                           struct store_admin_key **out, size_t *n)
{
    if (organization_id)
        return sql_exec_list(tx,
                             "SELECT " ADMIN_KEY_COLUMNS " FROM admin_keys "
                             "WHERE organization_id = $1 ORDER BY created_at, id",
                             (struct store_value[]){SQL_TEXT(organization_id)}, 1, sizeof **out,
                             admin_key_from_row, (void **)out, n);
    return sql_exec_list(tx,
                         "SELECT " ADMIN_KEY_COLUMNS " FROM admin_keys "
                         "WHERE organization_id IS NOT NULL ORDER BY created_at, id",
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
