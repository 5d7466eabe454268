/*
 * The certificate registry (table pki_certificates) and CRL numbers (pki_crl_numbers),
 * migration 0010. Rows are read into caller-provided structs; lists are owned by the caller
 * (free()). The DER is read only by store_cert_get_der, so lists stay small.
 */
#include "core/str.h"
#include "store/sql.h"

#include <stdlib.h>

#define CERT_COLUMNS                                                                               \
    "issuer, serial, subject, not_before, not_after, organization_id, created_at, revoked_at, "    \
    "revocation_reason"

static struct store_value opt_text(const char *s)
{
    return s && *s ? SQL_TEXT(s) : SQL_NULL;
}

static void cert_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_cert *c = elem;
    str_copy(c->issuer, sizeof c->issuer, store_rows_text(r, i, 0));
    str_copy(c->serial_hex, sizeof c->serial_hex, store_rows_text(r, i, 1));
    str_copy(c->subject, sizeof c->subject, store_rows_text(r, i, 2));
    c->not_before = store_rows_int(r, i, 3);
    c->not_after = store_rows_int(r, i, 4);
    str_copy(c->organization_id, sizeof c->organization_id, store_rows_text(r, i, 5));
    c->created_at = store_rows_int(r, i, 6);
    c->revoked_at = store_rows_int(r, i, 7);
    str_copy(c->revocation_reason, sizeof c->revocation_reason, store_rows_text(r, i, 8));
}

enum store_status store_cert_insert(struct store_tx *tx, const struct store_cert *c,
                                    const unsigned char *der, size_t len)
{
    return sql_exec(tx,
                    "INSERT INTO pki_certificates (issuer, serial, subject, not_before, not_after, "
                    "cert_der, organization_id, created_at, revoked_at, revocation_reason) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    (struct store_value[]){SQL_TEXT(c->issuer), SQL_TEXT(c->serial_hex),
                                           SQL_TEXT(c->subject), SQL_INT(c->not_before),
                                           SQL_INT(c->not_after), SQL_BLOB(der, len),
                                           opt_text(c->organization_id), SQL_INT(c->created_at),
                                           c->revoked_at ? SQL_INT(c->revoked_at) : SQL_NULL,
                                           opt_text(c->revocation_reason)},
                    10, NULL, NULL);
}

enum store_status store_cert_get_by_serial(struct store_tx *tx, const char *issuer,
                                           const char *serial_hex, struct store_cert *out)
{
    struct store_rows *r = NULL;
    enum store_status st = sql_exec(
        tx, "SELECT " CERT_COLUMNS " FROM pki_certificates WHERE issuer = $1 AND serial = $2",
        (struct store_value[]){SQL_TEXT(issuer), SQL_TEXT(serial_hex)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        cert_from_row(r, 0, out);
    store_rows_free(r);
    return st;
}

enum store_status store_cert_get_der(struct store_tx *tx, const char *issuer,
                                     const char *serial_hex, unsigned char **der, size_t *len)
{
    struct store_rows *r = NULL;
    *der = NULL;
    *len = 0;
    enum store_status st =
        sql_exec(tx, "SELECT cert_der FROM pki_certificates WHERE issuer = $1 AND serial = $2",
                 (struct store_value[]){SQL_TEXT(issuer), SQL_TEXT(serial_hex)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        size_t n = 0;
        const void *p = store_rows_blob(r, 0, 0, &n);
        *der = malloc(n ? n : 1);
        if (!*der)
            st = STORE_ERROR;
        else {
            if (n)
                memcpy(*der, p, n);
            *len = n;
        }
    }
    store_rows_free(r);
    return st;
}

enum store_status store_cert_revoke(struct store_tx *tx, const char *issuer, const char *serial_hex,
                                    int64_t now, const char *reason)
{
    struct store_cert c;
    enum store_status st = store_cert_get_by_serial(tx, issuer, serial_hex, &c);
    if (st != STORE_OK)
        return st;
    if (c.revoked_at)
        return STORE_CONFLICT;
    return sql_exec(tx,
                    "UPDATE pki_certificates SET revoked_at = $3, revocation_reason = $4 "
                    "WHERE issuer = $1 AND serial = $2 AND revoked_at IS NULL",
                    (struct store_value[]){SQL_TEXT(issuer), SQL_TEXT(serial_hex), SQL_INT(now),
                                           SQL_TEXT(reason)},
                    4, NULL, NULL);
}

enum store_status store_cert_list(struct store_tx *tx, const char *issuer, bool revoked_only,
                                  struct store_cert **out, size_t *n)
{
    /* Four fixed statements rather than one built at run time. */
    static const char *const sql[2][2] = {
        {"SELECT " CERT_COLUMNS " FROM pki_certificates ORDER BY created_at, issuer, serial",
         "SELECT " CERT_COLUMNS " FROM pki_certificates WHERE revoked_at IS NOT NULL "
         "ORDER BY revoked_at, issuer, serial"},
        {"SELECT " CERT_COLUMNS " FROM pki_certificates WHERE issuer = $1 "
         "ORDER BY created_at, serial",
         "SELECT " CERT_COLUMNS " FROM pki_certificates WHERE issuer = $1 "
         "AND revoked_at IS NOT NULL ORDER BY revoked_at, serial"},
    };
    struct store_value param = SQL_TEXT(issuer);
    return sql_exec_list(tx, sql[issuer != NULL][revoked_only], issuer ? &param : NULL,
                         issuer ? 1 : 0, sizeof **out, cert_from_row, (void **)out, n);
}

enum store_status store_cert_list_revoked(struct store_tx *tx, const char *issuer,
                                          struct store_cert **out, size_t *n)
{
    return store_cert_list(tx, issuer, true, out, n);
}

enum store_status store_crl_next_number(struct store_tx *tx, const char *issuer, int64_t *number)
{
    struct store_rows *r = NULL;
    enum store_status st =
        sql_exec(tx,
                 "INSERT INTO pki_crl_numbers (issuer, last_number) VALUES ($1, 1) "
                 "ON CONFLICT (issuer) DO UPDATE SET last_number = pki_crl_numbers.last_number + 1 "
                 "RETURNING last_number",
                 (struct store_value[]){SQL_TEXT(issuer)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_ERROR;
    if (st == STORE_OK)
        *number = store_rows_int(r, 0, 0);
    store_rows_free(r);
    return st;
}
