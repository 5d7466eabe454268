/*
 * Store functions of the reminders job (migration 0015; sign/reminders.h, docs/notify.md).
 *
 * store_reminder_candidates is a system scan that sees every organization (the job is a
 * system task); everything after it names the organization again. A reminder slot is claimed
 * by store_reminder_send_insert, an INSERT … ON CONFLICT DO NOTHING on (process, participant,
 * slot) that only one transaction can win, so a slot is sent once by one node, also across
 * restarts.
 */
#ifndef SIGNET_STORE_REMINDERS_H
#define SIGNET_STORE_REMINDERS_H

#include "store/store.h"

#define STORE_REMINDER_SLOT_LEN 48

/* A process that may owe reminders. */
struct store_reminder_candidate {
    char organization_id[STORE_ID_LEN];
    char id[STORE_ID_LEN];
};

/* A reminder slot that was sent. */
struct store_reminder_send {
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    char participant_id[STORE_ID_LEN];
    char slot[STORE_REMINDER_SLOT_LEN]; /* "interval-N" | "before-MS" */
    int64_t due_at, sent_at;
};

/* System scan: processes of every organization that are PENDING with valid_until > as_of,
 * released with notifications (a locale) and a reminder interval or beforeExpiry list, with
 * id > after_id ("" : from the start), by id, at most limit; *out owned by the caller (free();
 * never NULL on OK). */
enum store_status store_reminder_candidates(struct store_tx *tx, int64_t as_of,
                                            const char *after_id, int64_t limit,
                                            struct store_reminder_candidate **out, size_t *n);
/* organization_id's sent slots of process_id (every participant), in no particular order;
 * *out owned by the caller (free(); never NULL on OK). */
enum store_status store_reminder_sends_list(struct store_tx *tx, const char *organization_id,
                                            const char *process_id,
                                            struct store_reminder_send **out, size_t *n);
/* Records slot r as sent. STORE_CONFLICT when it was recorded before (by another node or an
 * earlier run): nothing is written then. */
enum store_status store_reminder_send_insert(struct store_tx *tx,
                                             const struct store_reminder_send *r);

#endif
