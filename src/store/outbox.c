/*
 * The notification outbox (migration 0013; see store/outbox.h).
 */
#include "store/outbox.h"

#include "core/str.h"
#include "store/sql.h"

#include <stdio.h>
#include <stdlib.h>

#define OUTBOX_COLUMNS                                                                             \
    "id, organization_id, process_id, participant_id, kind, channel, recipient, subject, body, "   \
    "locale, status, attempts, next_attempt_at, last_error, created_at, sent_at"

static struct store_value opt_text(const char *s)
{
    return s && *s ? SQL_TEXT(s) : SQL_NULL;
}

enum store_status store_outbox_insert(struct store_tx *tx, const struct store_outbox *m)
{
    struct store_value p[] = {
        SQL_TEXT(m->id),
        SQL_TEXT(m->organization_id),
        opt_text(m->process_id),
        opt_text(m->participant_id),
        SQL_TEXT(m->kind),
        SQL_TEXT(m->channel),
        SQL_TEXT(m->recipient),
        SQL_TEXT(m->subject),
        SQL_TEXT(m->body),
        SQL_TEXT(m->locale),
        SQL_TEXT(m->status),
        SQL_INT(m->attempts),
        SQL_INT(m->next_attempt_at),
        opt_text(m->last_error),
        SQL_INT(m->created_at),
        m->sent_at ? SQL_INT(m->sent_at) : SQL_NULL,
    };
    return sql_exec(tx,
                    "INSERT INTO outbox (" OUTBOX_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, "
                    "$8, $9, $10, $11, $12, $13, $14, $15, $16)",
                    p, sizeof p / sizeof p[0], NULL, NULL);
}

static void outbox_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_outbox *m = elem;
    str_copy(m->id, sizeof m->id, store_rows_text(r, i, 0));
    str_copy(m->organization_id, sizeof m->organization_id, store_rows_text(r, i, 1));
    str_copy(m->process_id, sizeof m->process_id, store_rows_text(r, i, 2));
    str_copy(m->participant_id, sizeof m->participant_id, store_rows_text(r, i, 3));
    str_copy(m->kind, sizeof m->kind, store_rows_text(r, i, 4));
    str_copy(m->channel, sizeof m->channel, store_rows_text(r, i, 5));
    str_copy(m->recipient, sizeof m->recipient, store_rows_text(r, i, 6));
    str_copy(m->subject, sizeof m->subject, store_rows_text(r, i, 7));
    str_copy(m->body, sizeof m->body, store_rows_text(r, i, 8));
    str_copy(m->locale, sizeof m->locale, store_rows_text(r, i, 9));
    str_copy(m->status, sizeof m->status, store_rows_text(r, i, 10));
    m->attempts = store_rows_int(r, i, 11);
    m->next_attempt_at = store_rows_int(r, i, 12);
    str_copy(m->last_error, sizeof m->last_error, store_rows_text(r, i, 13));
    m->created_at = store_rows_int(r, i, 14);
    m->sent_at = store_rows_int(r, i, 15);
}

enum store_status store_outbox_get(struct store_tx *tx, const char *organization_id, const char *id,
                                   struct store_outbox *out)
{
    struct store_rows *r = NULL;
    enum store_status st =
        sql_exec(tx, "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE organization_id = $1 AND id = $2",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        outbox_from_row(r, 0, out);
    store_rows_free(r);
    return st;
}

enum store_status store_outbox_claim_next(struct store_tx *tx, int64_t as_of, int64_t lease_until,
                                          struct store_outbox_claimed *out)
{
    /* The system-wide scan (index outbox_due); the claim then names the organization again. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT organization_id, id FROM outbox "
             "WHERE status IN ('QUEUED', 'SENDING') AND next_attempt_at <= $1 "
             "ORDER BY next_attempt_at, id LIMIT 1%s",
             sql_skip_locked(tx));
    struct store_rows *r = NULL;
    enum store_status st = sql_exec(tx, sql, (struct store_value[]){SQL_INT(as_of)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) != 1)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        str_copy(out->organization_id, sizeof out->organization_id, store_rows_text(r, 0, 0));
        str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 1));
    }
    store_rows_free(r);
    r = NULL;
    if (st != STORE_OK)
        return st;
    st = sql_exec(tx,
                  "UPDATE outbox SET status = 'SENDING', next_attempt_at = $3, "
                  "attempts = attempts + 1 WHERE organization_id = $1 AND id = $2 "
                  "RETURNING attempts",
                  (struct store_value[]){SQL_TEXT(out->organization_id), SQL_TEXT(out->id),
                                         SQL_INT(lease_until)},
                  3, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) != 1)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        out->attempts = store_rows_int(r, 0, 0);
    store_rows_free(r);
    return st;
}

enum store_status store_outbox_finish(struct store_tx *tx, const char *organization_id,
                                      const char *id, int64_t attempts, const char *status,
                                      int64_t next_attempt_at, const char *error, int64_t now)
{
    int64_t changed = 0;
    enum store_status st =
        sql_exec(tx,
                 "UPDATE outbox SET status = $4, next_attempt_at = $5, last_error = $6, "
                 "sent_at = CASE WHEN $4 = 'SENT' THEN $7 ELSE sent_at END "
                 "WHERE organization_id = $1 AND id = $2 AND status = 'SENDING' AND attempts = $3",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id), SQL_INT(attempts),
                                        SQL_TEXT(status), SQL_INT(next_attempt_at), opt_text(error),
                                        SQL_INT(now)},
                 7, NULL, &changed);
    if (st != STORE_OK)
        return st;
    return changed == 1 ? STORE_OK : STORE_NOT_FOUND;
}

enum store_status store_outbox_list_recent(struct store_tx *tx, const char *status, int64_t limit,
                                           struct store_outbox **out, size_t *n)
{
    if (status)
        return sql_exec_list(tx,
                             "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE status = $1 "
                             "ORDER BY created_at DESC, id DESC LIMIT $2",
                             (struct store_value[]){SQL_TEXT(status), SQL_INT(limit)}, 2,
                             sizeof **out, outbox_from_row, (void **)out, n);
    return sql_exec_list(tx,
                         "SELECT " OUTBOX_COLUMNS " FROM outbox "
                         "ORDER BY created_at DESC, id DESC LIMIT $1",
                         (struct store_value[]){SQL_INT(limit)}, 1, sizeof **out, outbox_from_row,
                         (void **)out, n);
}

enum store_status store_outbox_list_process(struct store_tx *tx, const char *organization_id,
                                            const char *process_id, struct store_outbox **out,
                                            size_t *n)
{
    return sql_exec_list(tx,
                         "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE organization_id = $1 AND "
                         "process_id = $2 ORDER BY created_at, id",
                         (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id)}, 2,
                         sizeof **out, outbox_from_row, (void **)out, n);
}
