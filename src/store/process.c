/*
 * Signing processes, their participants, properties and audit records (migration 0004).
 * The organization id is a parameter of every query that reads tenant data: another
 * organization's rows are never read, so they answer STORE_NOT_FOUND like unknown ids.
 * store_process_get fills memory owned by the caller (store_process_clear).
 */
#include "core/str.h"
#include "store/sql.h"

#include <stdio.h>
#include <stdlib.h>

void store_process_clear(struct store_process *p)
{
    if (!p)
        return;
    free(p->payload);
    free(p->personal_message);
    free(p->participants);
    p->payload = NULL;
    p->personal_message = NULL;
    p->participants = NULL;
    p->n_participants = 0;
}

/* "" is stored as NULL so that optional fields read back as absent. */
static struct store_value opt_text(const char *s)
{
    return s && *s ? SQL_TEXT(s) : SQL_NULL;
}

static enum store_status insert_participant(struct store_tx *tx, const struct store_process *p,
                                            const struct store_participant *x)
{
    return sql_exec(
        tx,
        "INSERT INTO process_participants (id, organization_id, process_id, position, type, "
        "external_identifier, first_name, last_name, name, email, mobile, role, "
        "resident_permit, status) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        (struct store_value[]){
            SQL_TEXT(x->id), SQL_TEXT(p->organization_id), SQL_TEXT(p->id), SQL_INT(x->position),
            SQL_TEXT(x->type), opt_text(x->external_identifier), opt_text(x->first_name),
            opt_text(x->last_name), opt_text(x->name), opt_text(x->email), opt_text(x->mobile),
            opt_text(x->role), x->resident_permit < 0 ? SQL_NULL : SQL_INT(x->resident_permit),
            opt_text(x->status)},
        14, NULL, NULL);
}

enum store_status store_process_insert(struct store_tx *tx, const struct store_process *p)
{
    enum store_status st = sql_exec(
        tx,
        "INSERT INTO processes (id, organization_id, client_id, status, signature_level, "
        "authorization_kind, team_id, partner_id, payload, personal_message, "
        "valid_until, created_at, last_modified_at, idempotency_key) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        (struct store_value[]){
            SQL_TEXT(p->id), SQL_TEXT(p->organization_id), SQL_TEXT(p->client_id),
            SQL_TEXT(p->status), SQL_TEXT(p->signature_level), SQL_TEXT(p->authorization),
            opt_text(p->team_id), opt_text(p->partner_id),
            p->payload ? SQL_TEXT(p->payload) : SQL_NULL,
            p->personal_message ? SQL_TEXT(p->personal_message) : SQL_NULL, SQL_INT(p->valid_until),
            SQL_INT(p->created_at), SQL_INT(p->last_modified_at), opt_text(p->idempotency_key)},
        14, NULL, NULL);
    for (size_t i = 0; st == STORE_OK && i < p->n_participants; i++)
        st = insert_participant(tx, p, &p->participants[i]);
    for (size_t i = 0; st == STORE_OK && i < p->n_properties; i++)
        st = sql_exec(tx,
                      "INSERT INTO process_properties (organization_id, process_id, position, "
                      "key, value) VALUES ($1, $2, $3, $4, $5)",
                      (struct store_value[]){SQL_TEXT(p->organization_id), SQL_TEXT(p->id),
                                             SQL_INT(i), SQL_TEXT(p->properties[i].key),
                                             SQL_TEXT(p->properties[i].value)},
                      5, NULL, NULL);
    return st;
}

static void participant_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_participant *x = elem;
    str_copy(x->id, sizeof x->id, store_rows_text(r, i, 0));
    x->position = store_rows_int(r, i, 1);
    str_copy(x->type, sizeof x->type, store_rows_text(r, i, 2));
    str_copy(x->external_identifier, sizeof x->external_identifier, store_rows_text(r, i, 3));
    str_copy(x->first_name, sizeof x->first_name, store_rows_text(r, i, 4));
    str_copy(x->last_name, sizeof x->last_name, store_rows_text(r, i, 5));
    str_copy(x->name, sizeof x->name, store_rows_text(r, i, 6));
    str_copy(x->email, sizeof x->email, store_rows_text(r, i, 7));
    str_copy(x->mobile, sizeof x->mobile, store_rows_text(r, i, 8));
    str_copy(x->role, sizeof x->role, store_rows_text(r, i, 9));
    x->resident_permit = store_rows_is_null(r, i, 10) ? -1 : (int)store_rows_int(r, i, 10);
    str_copy(x->status, sizeof x->status, store_rows_text(r, i, 11));
    x->signed_at = store_rows_int(r, i, 12);
    str_copy(x->signature_method, sizeof x->signature_method, store_rows_text(r, i, 13));
    str_copy(x->certificate_name, sizeof x->certificate_name, store_rows_text(r, i, 14));
    str_copy(x->certificate_match, sizeof x->certificate_match, store_rows_text(r, i, 15));
    str_copy(x->certificate_issuer, sizeof x->certificate_issuer, store_rows_text(r, i, 16));
    str_copy(x->certificate_serial, sizeof x->certificate_serial, store_rows_text(r, i, 17));
}

static void property_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_property *x = elem;
    str_copy(x->key, sizeof x->key, store_rows_text(r, i, 0));
    str_copy(x->value, sizeof x->value, store_rows_text(r, i, 1));
}

enum store_status store_process_get(struct store_tx *tx, const char *organization_id,
                                    const char *id, struct store_process *out)
{
    struct store_rows *r = NULL;
    struct store_property *props = NULL;
    size_t n_props = 0;
    store_process_clear(out);
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(
        tx,
        "SELECT id, organization_id, client_id, status, signature_level, authorization_kind, "
        "team_id, partner_id, payload, personal_message, valid_until, created_at, "
        "last_modified_at, idempotency_key, ended_at, archived_at "
        "FROM processes WHERE organization_id = $1 AND id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id)}, 2, &r, NULL);
    if (st != STORE_OK)
        goto cleanup;
    if (store_rows_count(r) == 0) {
        st = STORE_NOT_FOUND;
        goto cleanup;
    }
    str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
    str_copy(out->organization_id, sizeof out->organization_id, store_rows_text(r, 0, 1));
    str_copy(out->client_id, sizeof out->client_id, store_rows_text(r, 0, 2));
    str_copy(out->status, sizeof out->status, store_rows_text(r, 0, 3));
    str_copy(out->signature_level, sizeof out->signature_level, store_rows_text(r, 0, 4));
    str_copy(out->authorization, sizeof out->authorization, store_rows_text(r, 0, 5));
    str_copy(out->team_id, sizeof out->team_id, store_rows_text(r, 0, 6));
    str_copy(out->partner_id, sizeof out->partner_id, store_rows_text(r, 0, 7));
    out->payload = store_rows_take_text(r, 0, 8);
    out->personal_message = store_rows_take_text(r, 0, 9);
    out->valid_until = store_rows_int(r, 0, 10);
    out->created_at = store_rows_int(r, 0, 11);
    out->last_modified_at = store_rows_int(r, 0, 12);
    str_copy(out->idempotency_key, sizeof out->idempotency_key, store_rows_text(r, 0, 13));
    out->ended_at = store_rows_int(r, 0, 14);
    out->archived_at = store_rows_int(r, 0, 15);
    st = sql_exec_list(tx,
                       "SELECT id, position, type, external_identifier, first_name, last_name, "
                       "name, email, mobile, role, resident_permit, status, signed_at, "
                       "signature_method, certificate_name, certificate_match, "
                       "certificate_issuer, certificate_serial "
                       "FROM process_participants WHERE organization_id = $1 AND process_id = $2 "
                       "ORDER BY position",
                       (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id)}, 2,
                       sizeof *out->participants, participant_from_row, (void **)&out->participants,
                       &out->n_participants);
    if (st != STORE_OK)
        goto cleanup;
    st = sql_exec_list(tx,
                       "SELECT key, value FROM process_properties "
                       "WHERE organization_id = $1 AND process_id = $2 ORDER BY position",
                       (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id)}, 2,
                       sizeof *props, property_from_row, (void **)&props, &n_props);
    if (st != STORE_OK)
        goto cleanup;
    if (n_props > STORE_PROCESS_MAX_PROPERTIES)
        n_props = STORE_PROCESS_MAX_PROPERTIES; /* cannot happen: create allows 8 */
    if (n_props)
        memcpy(out->properties, props, n_props * sizeof *props);
    out->n_properties = n_props;
cleanup:
    free(props);
    store_rows_free(r);
    return st;
}

enum store_status store_process_find_by_idempotency_key(struct store_tx *tx,
                                                        const char *organization_id,
                                                        const char *key, char id_out[STORE_ID_LEN])
{
    struct store_rows *r = NULL;
    enum store_status st =
        sql_exec(tx, "SELECT id FROM processes WHERE organization_id = $1 AND idempotency_key = $2",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(key)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        str_copy(id_out, STORE_ID_LEN, store_rows_text(r, 0, 0));
    store_rows_free(r);
    return st;
}

enum store_status store_team_exists(struct store_tx *tx, const char *organization_id,
                                    const char *team_id)
{
    struct store_rows *r = NULL;
    enum store_status st =
        sql_exec(tx, "SELECT 1 FROM teams WHERE organization_id = $1 AND id = $2",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(team_id)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    store_rows_free(r);
    return st;
}

#define AUDIT_COLUMNS                                                                              \
    "id, organization_id, process_id, seq, created_at, action, status, extras, prev_hash, hash"

static void audit_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_audit_record *a = elem;
    str_copy(a->id, sizeof a->id, store_rows_text(r, i, 0));
    str_copy(a->organization_id, sizeof a->organization_id, store_rows_text(r, i, 1));
    str_copy(a->process_id, sizeof a->process_id, store_rows_text(r, i, 2));
    a->seq = store_rows_int(r, i, 3);
    a->created_at = store_rows_int(r, i, 4);
    str_copy(a->action, sizeof a->action, store_rows_text(r, i, 5));
    str_copy(a->status, sizeof a->status, store_rows_text(r, i, 6));
    str_copy(a->extras, sizeof a->extras, store_rows_text(r, i, 7));
    str_copy(a->prev_hash, sizeof a->prev_hash, store_rows_text(r, i, 8));
    str_copy(a->hash, sizeof a->hash, store_rows_text(r, i, 9));
}

enum store_status store_audit_insert(struct store_tx *tx, const struct store_audit_record *a)
{
    /* The id is new, so a conflict is UNIQUE(process_id, seq): a concurrent transaction appended
     * this seq first. PostgreSQL may report that as a unique violation rather than a
     * serialization failure (the seq was found with ORDER BY … LIMIT 1, not read by key): run
     * the transaction again, as for a serialization failure. */
    enum store_status st = sql_exec(
        tx,
        "INSERT INTO process_audit_records (" AUDIT_COLUMNS ") "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        (struct store_value[]){SQL_TEXT(a->id), SQL_TEXT(a->organization_id),
                               SQL_TEXT(a->process_id), SQL_INT(a->seq), SQL_INT(a->created_at),
                               SQL_TEXT(a->action), SQL_TEXT(a->status), SQL_TEXT(a->extras),
                               SQL_TEXT(a->prev_hash), SQL_TEXT(a->hash)},
        10, NULL, NULL);
    return st == STORE_CONFLICT ? STORE_RETRY : st;
}

enum store_status store_audit_last(struct store_tx *tx, const char *organization_id,
                                   const char *process_id, struct store_audit_record *out)
{
    struct store_rows *r = NULL;
    enum store_status st = sql_exec(
        tx,
        "SELECT " AUDIT_COLUMNS " FROM process_audit_records "
        "WHERE organization_id = $1 AND process_id = $2 "
        "ORDER BY seq DESC LIMIT 1",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        audit_from_row(r, 0, out);
    store_rows_free(r);
    return st;
}

enum store_status store_audit_list(struct store_tx *tx, const char *organization_id,
                                   const char *process_id, struct store_audit_record **out,
                                   size_t *n)
{
    return sql_exec_list(tx,
                         "SELECT " AUDIT_COLUMNS " FROM process_audit_records "
                         "WHERE organization_id = $1 AND process_id = $2 ORDER BY seq DESC",
                         (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id)}, 2,
                         sizeof **out, audit_from_row, (void **)out, n);
}

/* ---- Process list ---- */

void store_process_list_free(struct store_process *p, size_t n)
{
    if (!p)
        return;
    for (size_t i = 0; i < n; i++)
        store_process_clear(&p[i]);
    free(p);
}

static void id_from_row(const struct store_rows *r, size_t i, void *elem)
{
    str_copy(elem, STORE_ID_LEN, store_rows_text(r, i, 0));
}

/* The WHERE clause of a list query: fixed text with $n placeholders for the filters present
 * (the values are parameters, never part of the SQL). */
#define LIST_MAX_PARAMS 9

struct list_sql {
    char where[1024];
    struct store_value params[LIST_MAX_PARAMS];
    size_t n;
};

static void list_where_add(struct list_sql *l, const char *column_op, struct store_value v)
{
    size_t used = strlen(l->where);
    l->params[l->n] = v;
    l->n++;
    snprintf(l->where + used, sizeof l->where - used, " AND %s $%zu", column_op, l->n);
}

enum store_status store_process_list(struct store_tx *tx, const char *organization_id,
                                     const struct store_process_query *q,
                                     struct store_process **out, size_t *n, int64_t *total)
{
    struct store_rows *r = NULL;
    char(*ids)[STORE_ID_LEN] = NULL;
    size_t n_ids = 0;
    char sql[1536];
    char search_pattern[1040] = "";
    *out = NULL;
    *n = 0;
    *total = 0;
    if (q->search && *q->search) {
        size_t k = 0;
        search_pattern[k++] = '%';
        for (const char *c = q->search; *c && k < sizeof search_pattern - 2; c++)
            search_pattern[k++] = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
        search_pattern[k++] = '%';
        search_pattern[k] = '\0';
    }
    struct list_sql l = {
        .where = "organization_id = $1", .params = {SQL_TEXT(organization_id)}, .n = 1};
    if (q->status && !strcmp(q->status, "EXPIRED")) {
        /* Past valid_until counts as EXPIRED even before the expiry job marks it. */
        list_where_add(&l,
                       "(status = 'EXPIRED' OR (status IN ('CREATED', 'PENDING') AND "
                       "valid_until <=",
                       SQL_INT(q->now));
        size_t used = strlen(l.where);
        snprintf(l.where + used, sizeof l.where - used, "))");
    } else if (q->status) {
        list_where_add(&l, "status =", SQL_TEXT(q->status));
        if (!strcmp(q->status, "CREATED") || !strcmp(q->status, "PENDING"))
            list_where_add(&l, "valid_until >", SQL_INT(q->now));
    }
    if (q->team_id)
        list_where_add(&l, "team_id =", SQL_TEXT(q->team_id));
    if (q->valid_until_range) {
        list_where_add(&l, "valid_until >=", SQL_INT(q->valid_from));
        list_where_add(&l, "valid_until <=", SQL_INT(q->valid_to));
    }
    if (q->search && *q->search) {
        /* Two parameters: the exact text, and a LIKE pattern of its lowercase (the caller
         * passes no wildcards: '%' and '_' in it match themselves only by accident). */
        l.params[l.n] = SQL_TEXT(q->search);
        l.params[l.n + 1] = (struct store_value){
            .type = SV_TEXT, .p = search_pattern, .len = strlen(search_pattern)};
        l.n += 2;
        size_t used = strlen(l.where);
        snprintf(l.where + used, sizeof l.where - used,
                 " AND (id = $%zu OR EXISTS (SELECT 1 FROM process_participants pp WHERE "
                 "pp.organization_id = $1 AND pp.process_id = processes.id AND "
                 "(pp.external_identifier = $%zu OR LOWER(pp.name) LIKE $%zu OR "
                 "LOWER(pp.first_name) LIKE $%zu OR LOWER(pp.last_name) LIKE $%zu OR "
                 "LOWER(pp.email) LIKE $%zu)) OR EXISTS (SELECT 1 FROM process_documents pd "
                 "WHERE pd.organization_id = $1 AND pd.process_id = processes.id AND "
                 "(pd.external_identifier = $%zu OR LOWER(pd.name) LIKE $%zu)))",
                 l.n - 1, l.n - 1, l.n, l.n, l.n, l.n, l.n - 1, l.n);
    }
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM processes WHERE %s", l.where);
    enum store_status st = sql_exec(tx, sql, l.params, l.n, &r, NULL);
    if (st != STORE_OK)
        goto cleanup;
    *total = store_rows_count(r) ? store_rows_int(r, 0, 0) : 0;
    /* LIMIT/OFFSET as parameters: the same text on SQLite and PostgreSQL. The id breaks ties
     * between equal creation times so that pages never overlap. */
    struct store_value params[LIST_MAX_PARAMS + 2];
    memcpy(params, l.params, l.n * sizeof *params);
    params[l.n] = SQL_INT(q->limit);
    params[l.n + 1] = SQL_INT(q->offset);
    const char *dir = q->ascending ? "ASC" : "DESC";
    snprintf(sql, sizeof sql,
             "SELECT id FROM processes WHERE %s ORDER BY created_at %s, id %s LIMIT $%zu "
             "OFFSET $%zu",
             l.where, dir, dir, l.n + 1, l.n + 2);
    st = sql_exec_list(tx, sql, params, l.n + 2, sizeof *ids, id_from_row, (void **)&ids, &n_ids);
    if (st != STORE_OK || n_ids == 0)
        goto cleanup;
    *out = calloc(n_ids, sizeof **out);
    if (!*out) {
        st = STORE_ERROR;
        goto cleanup;
    }
    *n = n_ids;
    for (size_t i = 0; i < n_ids && st == STORE_OK; i++)
        st = store_process_get(tx, organization_id, ids[i], &(*out)[i]);
cleanup:
    free(ids);
    store_rows_free(r);
    return st;
}

/* ---- Setup links ---- */

enum store_status store_setup_link_insert(struct store_tx *tx, const struct store_setup_link *k)
{
    enum store_status st =
        sql_exec(tx,
                 "UPDATE process_setup_links SET revoked_at = $3 "
                 "WHERE organization_id = $1 AND process_id = $2 AND revoked_at IS NULL",
                 (struct store_value[]){SQL_TEXT(k->organization_id), SQL_TEXT(k->process_id),
                                        SQL_INT(k->created_at)},
                 3, NULL, NULL);
    if (st != STORE_OK)
        return st;
    return sql_exec(
        tx,
        "INSERT INTO process_setup_links (id, organization_id, process_id, client_id, "
        "token_hash, language, back_url, success_url, scope, mode, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        (struct store_value[]){SQL_TEXT(k->id), SQL_TEXT(k->organization_id),
                               SQL_TEXT(k->process_id), SQL_TEXT(k->client_id),
                               SQL_TEXT(k->token_hash), opt_text(k->language),
                               opt_text(k->back_url), opt_text(k->success_url), opt_text(k->scope),
                               SQL_TEXT(k->mode), SQL_INT(k->created_at), SQL_INT(k->expires_at)},
        12, NULL, NULL);
}
