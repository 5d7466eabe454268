/* Organizations and API clients. */
#include "core/str.h"
#include "store/sql.h"

#include <stdlib.h>

static void org_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_org *o = elem;
    str_copy(o->id, sizeof o->id, store_rows_text(r, i, 0));
    str_copy(o->name, sizeof o->name, store_rows_text(r, i, 1));
    str_copy(o->client_type, sizeof o->client_type, store_rows_text(r, i, 2));
    o->created_at = store_rows_int(r, i, 3);
}

enum store_status store_org_insert(struct store_tx *tx, const struct store_org *org)
{
    return sql_exec(tx,
                    "INSERT INTO organizations (id, name, client_type, created_at) "
                    "VALUES ($1, $2, $3, $4)",
                    (struct store_value[]){SQL_TEXT(org->id), SQL_TEXT(org->name),
                                           SQL_TEXT(org->client_type), SQL_INT(org->created_at)},
                    4, NULL, NULL);
}

static enum store_status org_one(struct store_tx *tx, const char *sql, const char *arg,
                                 struct store_org *out)
{
    struct store_rows *r = NULL;
    enum store_status st = sql_exec(tx, sql, (struct store_value[]){SQL_TEXT(arg)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        org_from_row(r, 0, out);
    store_rows_free(r);
    return st;
}

enum store_status store_org_get(struct store_tx *tx, const char *id, struct store_org *out)
{
    return org_one(tx, "SELECT id, name, client_type, created_at FROM organizations WHERE id = $1",
                   id, out);
}

enum store_status store_org_find_by_name(struct store_tx *tx, const char *name,
                                         struct store_org *out)
{
    return org_one(tx,
                   "SELECT id, name, client_type, created_at FROM organizations WHERE name = $1 "
                   "ORDER BY created_at LIMIT 1",
                   name, out);
}

enum store_status store_org_list(struct store_tx *tx, struct store_org **out, size_t *n)
{
    return sql_exec_list(
        tx, "SELECT id, name, client_type, created_at FROM organizations ORDER BY created_at, id",
        NULL, 0, sizeof **out, org_from_row, (void **)out, n);
}

#define CLIENT_COLUMNS                                                                             \
    "id, organization_id, secret_hash, scopes, description, created_at, revoked_at"

static void client_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_client *c = elem;
    str_copy(c->id, sizeof c->id, store_rows_text(r, i, 0));
    str_copy(c->organization_id, sizeof c->organization_id, store_rows_text(r, i, 1));
    str_copy(c->secret_hash, sizeof c->secret_hash, store_rows_text(r, i, 2));
    str_copy(c->scopes, sizeof c->scopes, store_rows_text(r, i, 3));
    str_copy(c->description, sizeof c->description, store_rows_text(r, i, 4));
    c->created_at = store_rows_int(r, i, 5);
    c->revoked_at = store_rows_int(r, i, 6);
}

enum store_status store_client_insert(struct store_tx *tx, const struct store_client *c)
{
    return sql_exec(tx,
                    "INSERT INTO api_clients (" CLIENT_COLUMNS ") "
                    "VALUES ($1, $2, $3, $4, $5, $6, NULL)",
                    (struct store_value[]){SQL_TEXT(c->id), SQL_TEXT(c->organization_id),
                                           SQL_TEXT(c->secret_hash), SQL_TEXT(c->scopes),
                                           SQL_TEXT(c->description), SQL_INT(c->created_at)},
                    6, NULL, NULL);
}

enum store_status store_client_get(struct store_tx *tx, const char *id, struct store_client *out)
{
    struct store_rows *r = NULL;
    enum store_status st = sql_exec(tx, "SELECT " CLIENT_COLUMNS " FROM api_clients WHERE id = $1",
                                    (struct store_value[]){SQL_TEXT(id)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        client_from_row(r, 0, out);
    store_rows_free(r);
    return st;
}

enum store_status store_client_get_in_org(struct store_tx *tx, const char *organization_id,
                                          const char *id, struct store_client *out)
{
    struct store_rows *r = NULL;
    enum store_status st = sql_exec(
        tx, "SELECT " CLIENT_COLUMNS " FROM api_clients WHERE organization_id = $1 AND id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        client_from_row(r, 0, out);
    store_rows_free(r);
    return st;
}

enum store_status store_client_list(struct store_tx *tx, const char *organization_id,
                                    struct store_client **out, size_t *n)
{
    if (organization_id)
        return sql_exec_list(tx,
                             "SELECT " CLIENT_COLUMNS
                             " FROM api_clients WHERE organization_id = $1 "
                             "ORDER BY created_at, id",
                             (struct store_value[]){SQL_TEXT(organization_id)}, 1, sizeof **out,
                             client_from_row, (void **)out, n);
    return sql_exec_list(tx, "SELECT " CLIENT_COLUMNS " FROM api_clients ORDER BY created_at, id",
                         NULL, 0, sizeof **out, client_from_row, (void **)out, n);
}

enum store_status store_client_revoke(struct store_tx *tx, const char *id, int64_t now)
{
    struct store_client c;
    enum store_status st = store_client_get(tx, id, &c);
    if (st != STORE_OK)
        return st;
    if (c.revoked_at)
        return STORE_CONFLICT;
    return sql_exec(tx, "UPDATE api_clients SET revoked_at = $2 WHERE id = $1",
                    (struct store_value[]){SQL_TEXT(id), SQL_INT(now)}, 2, NULL, NULL);
}

enum store_status store_client_set_secret(struct store_tx *tx, const char *id,
                                          const char *secret_hash)
{
    int64_t changes = 0;
    enum store_status st =
        sql_exec(tx, "UPDATE api_clients SET secret_hash = $2 WHERE id = $1",
                 (struct store_value[]){SQL_TEXT(id), SQL_TEXT(secret_hash)}, 2, NULL, &changes);
    return st == STORE_OK && changes == 0 ? STORE_NOT_FOUND : st;
}

enum store_status store_team_insert(struct store_tx *tx, const struct store_team *t)
{
    return sql_exec(tx,
                    "INSERT INTO teams (id, organization_id, name, created_at) "
                    "VALUES ($1, $2, $3, $4)",
                    (struct store_value[]){SQL_TEXT(t->id), SQL_TEXT(t->organization_id),
                                           SQL_TEXT(t->name), SQL_INT(t->created_at)},
                    4, NULL, NULL);
}

static void team_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_team *t = elem;
    str_copy(t->id, sizeof t->id, store_rows_text(r, i, 0));
    str_copy(t->organization_id, sizeof t->organization_id, store_rows_text(r, i, 1));
    str_copy(t->name, sizeof t->name, store_rows_text(r, i, 2));
    t->created_at = store_rows_int(r, i, 3);
}

enum store_status store_team_list(struct store_tx *tx, const char *organization_id,
                                  struct store_team **out, size_t *n)
{
    return sql_exec_list(tx,
                         "SELECT id, organization_id, name, created_at FROM teams "
                         "WHERE organization_id = $1 ORDER BY created_at, id",
                         (struct store_value[]){SQL_TEXT(organization_id)}, 1, sizeof **out,
                         team_from_row, (void **)out, n);
}
