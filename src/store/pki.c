/* The certificate hierarchy's entities (table pki_entities, migration 0007). */
#include "core/str.h"
#include "store/sql.h"

#include <stdlib.h>

#define PKI_COLUMNS "name, role, issuer, position, cert_der, key_sealed, next_serial, created_at"

static void copy_blob(const struct store_rows *r, size_t i, size_t col, unsigned char *dst,
                      size_t cap, size_t *len_out)
{
    size_t len = 0;
    const void *src = store_rows_blob(r, i, col, &len);
    if (len > cap)
        len = 0; /* cannot be ours: leave it empty, parsing or opening it fails */
    if (len)
        memcpy(dst, src, len);
    *len_out = len;
}

static void entity_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_pki_entity *e = elem;
    str_copy(e->name, sizeof e->name, store_rows_text(r, i, 0));
    str_copy(e->role, sizeof e->role, store_rows_text(r, i, 1));
    str_copy(e->issuer, sizeof e->issuer, store_rows_text(r, i, 2));
    e->position = store_rows_int(r, i, 3);
    copy_blob(r, i, 4, e->cert_der, sizeof e->cert_der, &e->cert_der_len);
    copy_blob(r, i, 5, e->key_sealed, sizeof e->key_sealed, &e->key_sealed_len);
    e->next_serial = store_rows_int(r, i, 6);
    e->created_at = store_rows_int(r, i, 7);
}

enum store_status store_pki_insert(struct store_tx *tx, const struct store_pki_entity *e)
{
    return sql_exec(
        tx, "INSERT INTO pki_entities (" PKI_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        (struct store_value[]){SQL_TEXT(e->name), SQL_TEXT(e->role), SQL_TEXT(e->issuer),
                               SQL_INT(e->position), SQL_BLOB(e->cert_der, e->cert_der_len),
                               SQL_BLOB(e->key_sealed, e->key_sealed_len), SQL_INT(e->next_serial),
                               SQL_INT(e->created_at)},
        8, NULL, NULL);
}

enum store_status store_pki_list(struct store_tx *tx, struct store_pki_entity **out, size_t *n)
{
    return sql_exec_list(tx, "SELECT " PKI_COLUMNS " FROM pki_entities ORDER BY position, name",
                         NULL, 0, sizeof **out, entity_from_row, (void **)out, n);
}

enum store_status store_pki_next_serial(struct store_tx *tx, const char *name, int64_t *serial)
{
    struct store_rows *r = NULL;
    enum store_status st =
        sql_exec(tx,
                 "UPDATE pki_entities SET next_serial = next_serial + 1 WHERE name = $1 "
                 "RETURNING next_serial - 1",
                 (struct store_value[]){SQL_TEXT(name)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        *serial = store_rows_int(r, 0, 0);
    store_rows_free(r);
    return st;
}
