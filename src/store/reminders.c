/*
 * Sent reminder slots (migration 0015; see store/reminders.h).
 */
#include "store/reminders.h"

#include "core/str.h"
#include "store/sql.h"

static void candidate_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_reminder_candidate *c = elem;
    str_copy(c->organization_id, sizeof c->organization_id, store_rows_text(r, i, 0));
    str_copy(c->id, sizeof c->id, store_rows_text(r, i, 1));
}

enum store_status store_reminder_candidates(struct store_tx *tx, int64_t as_of,
                                            const char *after_id, int64_t limit,
                                            struct store_reminder_candidate **out, size_t *n)
{
    struct store_value p[] = {SQL_INT(as_of), SQL_TEXT(after_id ? after_id : ""), SQL_INT(limit)};
    return sql_exec_list(tx,
                         "SELECT p.organization_id, p.id FROM processes p JOIN process_release r "
                         "ON r.process_id = p.id AND r.organization_id = p.organization_id "
                         "WHERE p.status = 'PENDING' AND p.valid_until > $1 AND r.notify <> 0 "
                         "AND (COALESCE(r.reminder_interval, '') <> '' OR "
                         "r.reminder_before_expiry <> '') AND p.id > $2 ORDER BY p.id LIMIT $3",
                         p, sizeof p / sizeof p[0], sizeof **out, candidate_from_row, (void **)out,
                         n);
}

static void send_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_reminder_send *s = elem;
    str_copy(s->organization_id, sizeof s->organization_id, store_rows_text(r, i, 0));
    str_copy(s->process_id, sizeof s->process_id, store_rows_text(r, i, 1));
    str_copy(s->participant_id, sizeof s->participant_id, store_rows_text(r, i, 2));
    str_copy(s->slot, sizeof s->slot, store_rows_text(r, i, 3));
    s->due_at = store_rows_int(r, i, 4);
    s->sent_at = store_rows_int(r, i, 5);
}

enum store_status store_reminder_sends_list(struct store_tx *tx, const char *organization_id,
                                            const char *process_id,
                                            struct store_reminder_send **out, size_t *n)
{
    struct store_value p[] = {SQL_TEXT(organization_id), SQL_TEXT(process_id)};
    return sql_exec_list(tx,
                         "SELECT organization_id, process_id, participant_id, slot, due_at, "
                         "sent_at FROM reminder_sends WHERE organization_id = $1 AND "
                         "process_id = $2",
                         p, 2, sizeof **out, send_from_row, (void **)out, n);
}

enum store_status store_reminder_send_insert(struct store_tx *tx,
                                             const struct store_reminder_send *r)
{
    struct store_value p[] = {SQL_TEXT(r->organization_id), SQL_TEXT(r->process_id),
                              SQL_TEXT(r->participant_id),  SQL_TEXT(r->slot),
                              SQL_INT(r->due_at),           SQL_INT(r->sent_at)};
    int64_t changes = 0;
    enum store_status st =
        sql_exec(tx,
                 "INSERT INTO reminder_sends (organization_id, process_id, participant_id, slot, "
                 "due_at, sent_at) VALUES ($1, $2, $3, $4, $5, $6) "
                 "ON CONFLICT (process_id, participant_id, slot) DO NOTHING",
                 p, sizeof p / sizeof p[0], NULL, &changes);
    if (st == STORE_OK && changes == 0)
        st = STORE_CONFLICT;
    return st;
}
