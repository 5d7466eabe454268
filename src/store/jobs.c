/*
 * Job leases and the expiry transition (migration 0011; see store/jobs.h).
 */
#include "store/jobs.h"

#include "core/str.h"
#include "store/sql.h"

#include <stdio.h>
#include <stdlib.h>

enum store_status store_job_claim(struct store_tx *tx, const char *name, const char *owner,
                                  int64_t now, int64_t lease_until, bool force)
{
    enum store_status st = sql_exec(tx,
                                    "INSERT INTO scheduled_jobs (name, next_run_at, runs, items) "
                                    "VALUES ($1, 0, 0, 0) ON CONFLICT (name) DO NOTHING",
                                    (struct store_value[]){SQL_TEXT(name)}, 1, NULL, NULL);
    if (st != STORE_OK)
        return st;
    /* The row is locked while it is claimed; a node claiming at the same moment skips it. */
    char sql[320];
    snprintf(sql, sizeof sql,
             "SELECT name FROM scheduled_jobs WHERE name = $1 "
             "AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until <= $2) "
             "AND ($3 = 1 OR next_run_at <= $2)%s",
             sql_skip_locked(tx));
    struct store_rows *r = NULL;
    st = sql_exec(tx, sql, (struct store_value[]){SQL_TEXT(name), SQL_INT(now), SQL_BOOL(force)}, 3,
                  &r, NULL);
    size_t found = st == STORE_OK ? store_rows_count(r) : 0;
    store_rows_free(r);
    if (st != STORE_OK)
        return st;
    if (found != 1)
        return STORE_CONFLICT;
    /* The lease condition again: where rows are not locked (SQLite), the UPDATE decides. */
    int64_t changed = 0;
    st = sql_exec(
        tx,
        "UPDATE scheduled_jobs SET lease_owner = $2, lease_until = $3, "
        "last_started_at = $4 WHERE name = $1 "
        "AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until <= $4)",
        (struct store_value[]){SQL_TEXT(name), SQL_TEXT(owner), SQL_INT(lease_until), SQL_INT(now)},
        4, NULL, &changed);
    if (st != STORE_OK)
        return st;
    return changed == 1 ? STORE_OK : STORE_CONFLICT;
}

enum store_status store_job_finish(struct store_tx *tx, const char *name, const char *owner,
                                   int64_t now, int64_t next_run_at, const char *result,
                                   int64_t items)
{
    int64_t changed = 0;
    enum store_status st =
        sql_exec(tx,
                 "UPDATE scheduled_jobs SET lease_owner = NULL, lease_until = NULL, "
                 "last_owner = $2, last_finished_at = $3, next_run_at = $4, last_result = $5, "
                 "runs = runs + 1, items = items + $6 WHERE name = $1 AND lease_owner = $2",
                 (struct store_value[]){SQL_TEXT(name), SQL_TEXT(owner), SQL_INT(now),
                                        SQL_INT(next_run_at), SQL_TEXT(result), SQL_INT(items)},
                 6, NULL, &changed);
    if (st != STORE_OK)
        return st;
    return changed == 1 ? STORE_OK : STORE_NOT_FOUND;
}

static void job_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_job *j = elem;
    str_copy(j->name, sizeof j->name, store_rows_text(r, i, 0));
    j->next_run_at = store_rows_int(r, i, 1);
    str_copy(j->lease_owner, sizeof j->lease_owner, store_rows_text(r, i, 2));
    j->lease_until = store_rows_int(r, i, 3);
    str_copy(j->last_owner, sizeof j->last_owner, store_rows_text(r, i, 4));
    j->last_started_at = store_rows_int(r, i, 5);
    j->last_finished_at = store_rows_int(r, i, 6);
    str_copy(j->last_result, sizeof j->last_result, store_rows_text(r, i, 7));
    j->runs = store_rows_int(r, i, 8);
    j->items = store_rows_int(r, i, 9);
}

enum store_status store_job_list(struct store_tx *tx, struct store_job **out, size_t *n)
{
    return sql_exec_list(tx,
                         "SELECT name, next_run_at, lease_owner, lease_until, last_owner, "
                         "last_started_at, last_finished_at, last_result, runs, items "
                         "FROM scheduled_jobs ORDER BY name",
                         NULL, 0, sizeof **out, job_from_row, (void **)out, n);
}

static void due_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_due_process *d = elem;
    str_copy(d->organization_id, sizeof d->organization_id, store_rows_text(r, i, 0));
    str_copy(d->id, sizeof d->id, store_rows_text(r, i, 1));
    str_copy(d->status, sizeof d->status, store_rows_text(r, i, 2));
    d->valid_until = store_rows_int(r, i, 3);
}

enum store_status store_process_list_due(struct store_tx *tx, int64_t as_of, int64_t limit,
                                         struct store_due_process **out, size_t *n)
{
    /* The expiry job's system-wide scan (index processes_due); each process found is then
     * expired with its organization id in the query. */
    return sql_exec_list(tx,
                         "SELECT organization_id, id, status, valid_until FROM processes "
                         "WHERE status IN ('CREATED', 'PENDING') AND valid_until <= $1 "
                         "ORDER BY valid_until, id LIMIT $2",
                         (struct store_value[]){SQL_INT(as_of), SQL_INT(limit)}, 2, sizeof **out,
                         due_from_row, (void **)out, n);
}

enum store_status store_process_state(struct store_tx *tx, const char *organization_id,
                                      const char *id, char status[16], int64_t *valid_until)
{
    struct store_rows *r = NULL;
    enum store_status st = sql_exec(
        tx, "SELECT status, valid_until FROM processes WHERE organization_id = $1 AND id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        str_copy(status, 16, store_rows_text(r, 0, 0));
        *valid_until = store_rows_int(r, 0, 1);
    }
    store_rows_free(r);
    return st;
}

enum store_status store_process_expire(struct store_tx *tx, const char *organization_id,
                                       const char *id, const char *from_status, int64_t as_of,
                                       int64_t now)
{
    int64_t changed = 0;
    enum store_status st =
        sql_exec(tx,
                 "UPDATE processes SET status = 'EXPIRED', last_modified_at = $5, ended_at = $5 "
                 "WHERE organization_id = $1 AND id = $2 AND status = $3 AND valid_until <= $4",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id),
                                        SQL_TEXT(from_status), SQL_INT(as_of), SQL_INT(now)},
                 5, NULL, &changed);
    if (st != STORE_OK)
        return st;
    return changed == 1 ? STORE_OK : STORE_NOT_FOUND;
}
