/*
 * SRS Direct: registration points, RA agents, sessions, cases and audit (migration 0025; see
 * store/ra.h).
 */
#include "store/ra.h"

#include "core/str.h"
#include "core/uuid.h"
#include "store/sql.h"
#include "store/web_session.h"

#include <stdlib.h>
#include <string.h>

static struct store_value blob_or_null(const struct store_blob_field *b)
{
    return b->data ? SQL_BLOB(b->data, b->len) : SQL_NULL;
}

/* An UPDATE that must change exactly one row (else STORE_NOT_FOUND). */
/* ---- points ---- */

#define POINT_COLUMNS "id, name, address, four_eyes, created_at, disabled_at"

static void point_fill(const struct store_rows *r, size_t row, void *elem)
{
    struct store_ra_point *p = elem;
    memset(p, 0, sizeof *p);
    str_copy(p->id, sizeof p->id, store_rows_text(r, row, 0));
    str_copy(p->name, sizeof p->name, store_rows_text(r, row, 1));
    str_copy(p->address, sizeof p->address, store_rows_text(r, row, 2));
    p->four_eyes = store_rows_int(r, row, 3) != 0;
    p->created_at = store_rows_int(r, row, 4);
    p->disabled_at = store_rows_int(r, row, 5);
}

enum store_status store_ra_point_insert(struct store_tx *tx, const struct store_ra_point *p)
{
    return sql_exec(tx,
                    "INSERT INTO ra_points (id, name, address, four_eyes, created_at) "
                    "VALUES ($1, $2, $3, $4, $5)",
                    (struct store_value[]){SQL_TEXT(p->id), SQL_TEXT(p->name), SQL_TEXT(p->address),
                                           SQL_BOOL(p->four_eyes), SQL_INT(p->created_at)},
                    5, NULL, NULL);
}

enum store_status store_ra_point_get(struct store_tx *tx, const char *id,
                                     struct store_ra_point *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(tx, "SELECT " POINT_COLUMNS " FROM ra_points WHERE id = $1",
                                    (struct store_value[]){SQL_TEXT(id)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        point_fill(r, 0, out);
    store_rows_free(r);
    return st;
}

enum store_status store_ra_point_list(struct store_tx *tx, struct store_ra_point **out, size_t *n)
{
    return sql_exec_list(tx, "SELECT " POINT_COLUMNS " FROM ra_points ORDER BY name", NULL, 0,
                         sizeof **out, point_fill, (void **)out, n);
}

/* ---- agents ---- */

#define AGENT_COLUMNS "id, email, role, password_hash, point_id, created_at, disabled_at"

static enum store_status agent_query(struct store_tx *tx, const char *sql, const char *value,
                                     struct store_ra_agent *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(tx, sql, (struct store_value[]){SQL_TEXT(value)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
        str_copy(out->email, sizeof out->email, store_rows_text(r, 0, 1));
        str_copy(out->role, sizeof out->role, store_rows_text(r, 0, 2));
        str_copy(out->password_hash, sizeof out->password_hash, store_rows_text(r, 0, 3));
        str_copy(out->point_id, sizeof out->point_id, store_rows_text(r, 0, 4));
        out->created_at = store_rows_int(r, 0, 5);
        out->disabled_at = store_rows_int(r, 0, 6);
    }
    store_rows_free(r);
    return st;
}

enum store_status store_ra_agent_insert(struct store_tx *tx, const struct store_ra_agent *a)
{
    return sql_exec(tx,
                    "INSERT INTO ra_agents (id, email, role, password_hash, point_id, created_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6)",
                    (struct store_value[]){SQL_TEXT(a->id), SQL_TEXT(a->email), SQL_TEXT(a->role),
                                           SQL_TEXT(a->password_hash), SQL_TEXT(a->point_id),
                                           SQL_INT(a->created_at)},
                    6, NULL, NULL);
}

enum store_status store_ra_agent_find_by_email(struct store_tx *tx, const char *email,
                                               struct store_ra_agent *out)
{
    return agent_query(tx, "SELECT " AGENT_COLUMNS " FROM ra_agents WHERE email = $1", email, out);
}

enum store_status store_ra_agent_get(struct store_tx *tx, const char *id,
                                     struct store_ra_agent *out)
{
    return agent_query(tx, "SELECT " AGENT_COLUMNS " FROM ra_agents WHERE id = $1", id, out);
}

/* ---- sessions ---- */

enum store_status store_ra_session_insert(struct store_tx *tx, const struct store_ra_session *s)
{
    return web_session_insert(tx, &WEB_SESSION_RA, s);
}

enum store_status store_ra_session_find(struct store_tx *tx, const char *session_hash,
                                        struct store_ra_session *out)
{
    return web_session_find(tx, &WEB_SESSION_RA, session_hash, out);
}

enum store_status store_ra_session_update(struct store_tx *tx, const struct store_ra_session *s)
{
    return sql_exec_one(
        tx, "UPDATE ra_sessions SET last_seen_at = $2, point_id = $3 WHERE id = $1",
        (struct store_value[]){SQL_TEXT(s->id), SQL_INT(s->last_seen_at), SQL_TEXT(s->point_id)}, 3,
        STORE_NOT_FOUND);
}

enum store_status store_ra_session_end(struct store_tx *tx, const char *id, int64_t now)
{
    return web_session_end(tx, &WEB_SESSION_RA, NULL, id, now);
}

/* ---- cases ---- */

#define CASE_COLUMNS                                                                               \
    "id, reference, order_id, registration_id, status, point_id, agent_id, approver_id, "          \
    "four_eyes, created_at, updated_at, photo_type"

static void case_fill(const struct store_rows *r, size_t row, void *elem)
{
    struct store_ra_case *c = elem;
    memset(c, 0, sizeof *c);
    str_copy(c->id, sizeof c->id, store_rows_text(r, row, 0));
    str_copy(c->reference, sizeof c->reference, store_rows_text(r, row, 1));
    str_copy(c->order_id, sizeof c->order_id, store_rows_text(r, row, 2));
    str_copy(c->registration_id, sizeof c->registration_id, store_rows_text(r, row, 3));
    str_copy(c->status, sizeof c->status, store_rows_text(r, row, 4));
    str_copy(c->point_id, sizeof c->point_id, store_rows_text(r, row, 5));
    str_copy(c->agent_id, sizeof c->agent_id, store_rows_text(r, row, 6));
    str_copy(c->approver_id, sizeof c->approver_id, store_rows_text(r, row, 7));
    c->four_eyes = store_rows_int(r, row, 8) != 0;
    c->created_at = store_rows_int(r, row, 9);
    c->updated_at = store_rows_int(r, row, 10);
    str_copy(c->photo_type, sizeof c->photo_type, store_rows_text(r, row, 11));
}

enum store_status store_ra_case_insert(struct store_tx *tx, const struct store_ra_case *c)
{
    return sql_exec(tx,
                    "INSERT INTO ra_cases (id, reference, order_id, registration_id, status, "
                    "four_eyes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    (struct store_value[]){SQL_TEXT(c->id), SQL_TEXT(c->reference),
                                           SQL_TEXT(c->order_id), SQL_TEXT(c->registration_id),
                                           SQL_TEXT(c->status), SQL_BOOL(c->four_eyes),
                                           SQL_INT(c->created_at), SQL_INT(c->updated_at)},
                    8, NULL, NULL);
}

enum store_status store_ra_case_get_by(struct store_tx *tx, const char *column, const char *value,
                                       struct store_ra_case *out)
{
    const char *sql;
    if (strcmp(column, "id") == 0)
        sql = "SELECT " CASE_COLUMNS ", data_sealed, photo_sealed FROM ra_cases WHERE id = $1";
    else if (strcmp(column, "reference") == 0)
        sql = "SELECT " CASE_COLUMNS ", data_sealed, photo_sealed FROM ra_cases "
              "WHERE reference = $1";
    else if (strcmp(column, "order_id") == 0)
        sql = "SELECT " CASE_COLUMNS ", data_sealed, photo_sealed FROM ra_cases "
              "WHERE order_id = $1";
    else
        return STORE_ERROR;
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(tx, sql, (struct store_value[]){SQL_TEXT(value)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        case_fill(r, 0, out);
        if (!store_blob_field_copy(r, 0, 12, &out->data_sealed) ||
            !store_blob_field_copy(r, 0, 13, &out->photo_sealed)) {
            store_ra_case_clear(out);
            st = STORE_ERROR;
        }
    }
    store_rows_free(r);
    return st;
}

enum store_status store_ra_case_update(struct store_tx *tx, const struct store_ra_case *c)
{
    return sql_exec_one(tx,
                        "UPDATE ra_cases SET status = $2, point_id = $3, agent_id = $4, "
                        "approver_id = $5, four_eyes = $6, data_sealed = $7, photo_sealed = $8, "
                        "photo_type = $9, updated_at = $10 WHERE id = $1",
                        (struct store_value[]){
                            SQL_TEXT(c->id), SQL_TEXT(c->status), SQL_TEXT(c->point_id),
                            SQL_TEXT(c->agent_id), SQL_TEXT(c->approver_id), SQL_BOOL(c->four_eyes),
                            blob_or_null(&c->data_sealed), blob_or_null(&c->photo_sealed),
                            SQL_TEXT(c->photo_type), SQL_INT(c->updated_at)},
                        10, STORE_NOT_FOUND);
}

enum store_status store_ra_case_list(struct store_tx *tx, const char *status, const char *point_id,
                                     struct store_ra_case **out, size_t *n)
{
    return sql_exec_list(tx,
                         "SELECT " CASE_COLUMNS " FROM ra_cases WHERE status = $1 AND "
                         "($2 = '' OR point_id = $2) ORDER BY updated_at LIMIT 200",
                         (struct store_value[]){SQL_TEXT(status), SQL_TEXT(point_id)}, 2,
                         sizeof **out, case_fill, (void **)out, n);
}

void store_ra_case_clear(struct store_ra_case *c)
{
    if (!c)
        return;
    free(c->data_sealed.data);
    free(c->photo_sealed.data);
    c->data_sealed = (struct store_blob_field){0};
    c->photo_sealed = (struct store_blob_field){0};
}

enum store_status store_ra_audit_add(struct store_tx *tx, const char *agent_id, const char *action,
                                     const char *subject, int64_t now)
{
    char buf[UUID_STR_LEN];
    const char *id = buf;
    if (!uuid_v4(buf))
        return STORE_ERROR;
    return sql_exec(tx,
                    "INSERT INTO ra_audit (id, agent_id, action, subject, created_at) "
                    "VALUES ($1, $2, $3, $4, $5)",
                    (struct store_value[]){SQL_TEXT(id), SQL_TEXT(agent_id), SQL_TEXT(action),
                                           SQL_TEXT(subject ? subject : ""), SQL_INT(now)},
                    5, NULL, NULL);
}
