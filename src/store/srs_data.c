/*
 * Retention, export and deletion of SRS personal data (migration 0026; see store/srs_data.h).
 */
#include "store/srs_data.h"

#include "core/str.h"
#include "store/sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIFECYCLE_COLUMNS                                                                          \
    "id, organization_id, status, jurisdiction, mobile_lookup, identified_at, "                    \
    "terms_accepted_at, valid_until, link_expires_at, revoked_at, created_at, updated_at, "        \
    "data_ended_at, data_ended_by"

static void fill_lifecycle(const struct store_rows *r, size_t row, struct store_srs_lifecycle *o)
{
    size_t c = 0;
    memset(o, 0, sizeof *o);
    str_copy(o->id, sizeof o->id, store_rows_text(r, row, c++));
    str_copy(o->organization_id, sizeof o->organization_id, store_rows_text(r, row, c++));
    str_copy(o->status, sizeof o->status, store_rows_text(r, row, c++));
    str_copy(o->jurisdiction, sizeof o->jurisdiction, store_rows_text(r, row, c++));
    str_copy(o->mobile_lookup, sizeof o->mobile_lookup, store_rows_text(r, row, c++));
    o->identified_at = store_rows_int(r, row, c++);
    o->terms_accepted_at = store_rows_int(r, row, c++);
    o->valid_until = store_rows_int(r, row, c++);
    o->link_expires_at = store_rows_int(r, row, c++);
    o->revoked_at = store_rows_int(r, row, c++);
    o->created_at = store_rows_int(r, row, c++);
    o->updated_at = store_rows_int(r, row, c++);
    o->data_ended_at = store_rows_int(r, row, c++);
    str_copy(o->data_ended_by, sizeof o->data_ended_by, store_rows_text(r, row, c++));
}

static void lifecycle_elem(const struct store_rows *r, size_t row, void *elem)
{
    fill_lifecycle(r, row, elem);
}

static enum store_status get_one(struct store_tx *tx, const char *sql,
                                 const struct store_value *params, size_t n,
                                 struct store_srs_lifecycle *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(tx, sql, params, n, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        fill_lifecycle(r, 0, out);
    store_rows_free(r);
    return st;
}

enum store_status store_srs_owner(struct store_tx *tx, const char *id, char *out)
{
    struct store_rows *r = NULL;
    out[0] = '\0';
    enum store_status st =
        sql_exec(tx, "SELECT organization_id FROM srs_registrations WHERE id = $1",
                 (struct store_value[]){SQL_TEXT(id)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        str_copy(out, STORE_ID_LEN, store_rows_text(r, 0, 0));
    store_rows_free(r);
    return st;
}

enum store_status store_srs_lifecycle_get(struct store_tx *tx, const char *organization_id,
                                          const char *id, struct store_srs_lifecycle *out)
{
    return get_one(tx,
                   "SELECT " LIFECYCLE_COLUMNS
                   " FROM srs_registrations WHERE organization_id = $1 AND id = $2",
                   (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id)}, 2, out);
}

enum store_status store_srs_retention_next(struct store_tx *tx, const char *jurisdiction,
                                           int64_t identified_created_before, int64_t as_of,
                                           int64_t after_created, const char *after_id,
                                           struct store_srs_lifecycle *out)
{
    char sql[900];
    /* A superset of the registrations past retention: one ends no earlier than it was
     * created, and the caller checks each candidate exactly (srs/retention.c). */
    snprintf(sql, sizeof sql,
             "SELECT " LIFECYCLE_COLUMNS " FROM srs_registrations "
             "WHERE jurisdiction = $1 AND data_ended_at IS NULL "
             "AND ((identified_at IS NOT NULL AND created_at <= $2) OR (identified_at IS NULL "
             "AND (status IN ('REJECTED', 'EXPIRED', 'REVOKED') OR link_expires_at < $3))) "
             "AND (created_at > $4 OR (created_at = $4 AND id > $5)) "
             "ORDER BY created_at, id LIMIT 1%s",
             sql_skip_locked(tx));
    return get_one(tx, sql,
                   (struct store_value[]){SQL_TEXT(jurisdiction),
                                          SQL_INT(identified_created_before), SQL_INT(as_of),
                                          SQL_INT(after_created), SQL_TEXT(after_id)},
                   5, out);
}

enum store_status store_srs_person_list(struct store_tx *tx, const char *organization_id,
                                        const char *mobile_lookup, size_t limit,
                                        struct store_srs_lifecycle **out, size_t *n)
{
    return sql_exec_list(
        tx,
        "SELECT " LIFECYCLE_COLUMNS " FROM srs_registrations WHERE organization_id = $1 "
        "AND mobile_lookup = $2 ORDER BY created_at, id LIMIT $3",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(mobile_lookup), SQL_INT(limit)},
        3, sizeof **out, lifecycle_elem, (void **)out, n);
}

enum store_status store_srs_data_destroy(struct store_tx *tx, const char *organization_id,
                                         const char *id, const char *by, int64_t now)
{
    static const unsigned char none[1] = {0};
    int64_t changed = 0;
    /* The empty key: the column is NOT NULL, and no key opens the sealed data any more. */
    enum store_status st =
        sql_exec(tx,
                 "UPDATE srs_registrations SET data_key_wrapped = $3, prefill_sealed = NULL, "
                 "identity_sealed = NULL, evidence_sealed = NULL, mobile_lookup = NULL, "
                 "external_identifier = NULL, rejection_reason = NULL, code_hash = NULL, "
                 "code_expires_at = NULL, data_ended_at = $4, data_ended_by = $5 "
                 "WHERE organization_id = $1 AND id = $2 AND data_ended_at IS NULL",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id), SQL_BLOB(none, 0),
                                        SQL_INT(now), SQL_TEXT(by)},
                 5, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_CONFLICT;
    return st;
}

static void audit_elem(const struct store_rows *r, size_t row, void *elem)
{
    struct store_srs_audit_entry *e = elem;
    str_copy(e->action, sizeof e->action, store_rows_text(r, row, 0));
    str_copy(e->actor, sizeof e->actor, store_rows_text(r, row, 1));
    e->created_at = store_rows_int(r, row, 2);
}

enum store_status store_srs_audit_list(struct store_tx *tx, const char *organization_id,
                                       const char *registration_id, size_t limit,
                                       struct store_srs_audit_entry **out, size_t *n)
{
    return sql_exec_list(tx,
                         "SELECT action, actor, created_at FROM srs_audit WHERE organization_id = "
                         "$1 AND registration_id = $2 ORDER BY created_at, id LIMIT $3",
                         (struct store_value[]){SQL_TEXT(organization_id),
                                                SQL_TEXT(registration_id), SQL_INT(limit)},
                         3, sizeof **out, audit_elem, (void **)out, n);
}
