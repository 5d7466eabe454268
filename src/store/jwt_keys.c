/* Signing keys of the token endpoint (table jwt_keys, migration 0003). */
#include "core/str.h"
#include "store/sql.h"

#include <stdlib.h>

#define KEY_COLUMNS                                                                                \
    "kid, private_sealed, public_jwk, created_at, is_current, activated_at, retired_at"

static void key_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_jwt_key *k = elem;
    size_t len = 0;
    const void *sealed = store_rows_blob(r, i, 1, &len);
    str_copy(k->kid, sizeof k->kid, store_rows_text(r, i, 0));
    if (len > sizeof k->private_sealed)
        len = 0; /* cannot be ours: leave it empty, opening it fails */
    if (len)
        memcpy(k->private_sealed, sealed, len);
    k->private_sealed_len = len;
    str_copy(k->public_jwk, sizeof k->public_jwk, store_rows_text(r, i, 2));
    k->created_at = store_rows_int(r, i, 3);
    k->current = store_rows_int(r, i, 4) != 0;
    k->activated_at = store_rows_int(r, i, 5);
    k->retired_at = store_rows_int(r, i, 6);
}

enum store_status store_jwt_key_insert(struct store_tx *tx, const struct store_jwt_key *k)
{
    enum store_status st;
    if (k->current) {
        st = sql_exec(tx, "UPDATE jwt_keys SET is_current = 0 WHERE is_current <> 0", NULL, 0, NULL,
                      NULL);
        if (st != STORE_OK)
            return st;
    }
    return sql_exec(
        tx, "INSERT INTO jwt_keys (" KEY_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        (struct store_value[]){SQL_TEXT(k->kid), SQL_BLOB(k->private_sealed, k->private_sealed_len),
                               SQL_TEXT(k->public_jwk), SQL_INT(k->created_at),
                               SQL_BOOL(k->current),
                               k->activated_at ? SQL_INT(k->activated_at) : SQL_NULL},
        6, NULL, NULL);
}

enum store_status store_jwt_key_list(struct store_tx *tx, struct store_jwt_key **out, size_t *n)
{
    return sql_exec_list(tx, "SELECT " KEY_COLUMNS " FROM jwt_keys ORDER BY created_at DESC, kid",
                         NULL, 0, sizeof **out, key_from_row, (void **)out, n);
}

enum store_status store_jwt_key_current_kid(struct store_tx *tx, char kid[64])
{
    struct store_rows *r = NULL;
    enum store_status st =
        sql_exec(tx, "SELECT kid FROM jwt_keys WHERE is_current <> 0 AND retired_at IS NULL", NULL,
                 0, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        str_copy(kid, 64, store_rows_text(r, 0, 0));
    store_rows_free(r);
    return st;
}

enum store_status store_jwt_key_retire(struct store_tx *tx, const char *kid, int64_t now)
{
    struct store_rows *r = NULL;
    enum store_status st =
        sql_exec(tx, "SELECT is_current, retired_at FROM jwt_keys WHERE kid = $1",
                 (struct store_value[]){SQL_TEXT(kid)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK && (store_rows_int(r, 0, 0) != 0 || !store_rows_is_null(r, 0, 1)))
        st = STORE_CONFLICT;
    store_rows_free(r);
    if (st != STORE_OK)
        return st;
    return sql_exec(tx, "UPDATE jwt_keys SET retired_at = $2 WHERE kid = $1",
                    (struct store_value[]){SQL_TEXT(kid), SQL_INT(now)}, 2, NULL, NULL);
}
