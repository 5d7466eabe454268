/*
 * Reminders of a signing process (sign-api-v2 ReminderSettings: "Automatic reminder
 * configuration for pending participants"; docs/notify.md).
 *
 * A process released with notifications (a locale) and notification.reminder owes each of
 * its PENDING signers a REMINDER
 *   - every reminder.interval: the first one interval after the release, each next one
 *     interval after the previous one was sent (slot "interval-N");
 *   - at each reminder.beforeExpiry offset before validUntil (slot "before-MS", MS the offset in
 *     milliseconds), unless that point lies at or before the release (the invitation has just
 *     been sent then);
 * while the process is PENDING before validUntil, the signer PENDING and no signer has
 * declined (the process cannot complete any more; sign/notices.h tells the others). Several
 * slots due in one run (e.g. after downtime) give one message, not a burst; a slot missed
 * while no node ran is not sent late more than once. Suppress ALL stops reminders (the release
 * refuses reminders with it anyway); INVITE and COMPLETION do not.
 *
 * The "reminders" job (jobs/jobs.h) runs as of a time (normally the clock; `signet admin jobs
 * run reminders --now …`). Each slot is recorded in the store (store/reminders.h) in the
 * transaction that queues its message, under a unique key, so two nodes or a run after a
 * restart never send a slot twice, and nothing is lost: a slot not yet recorded is sent by the
 * next run. Nothing here knows HTTP or SQL.
 */
#ifndef SIGNET_SIGN_REMINDERS_H
#define SIGNET_SIGN_REMINDERS_H

#include "core/crypto.h"
#include "sign/process.h"
#include "store/reminders.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_release;

/* Processes looked at per read transaction of the job. */
#define SIGN_REMINDERS_BATCH 100
/* Slots one signer can owe at once: the interval and every beforeExpiry offset. */
#define SIGN_REMINDER_SLOTS_MAX 11

/* The slots a signer owes at as_of. */
struct sign_reminder_due {
    size_t n;
    char slot[SIGN_REMINDER_SLOTS_MAX][STORE_REMINDER_SLOT_LEN];
    int64_t due_at[SIGN_REMINDER_SLOTS_MAX];
};

/*
 * The slots participant_id owes at as_of under rel (its reminder settings; valid_until is
 * the process's), given every slot sent for the process in sent[0..n_sent). Pure.
 */
void sign_reminder_due_slots(const struct store_release *rel, int64_t valid_until,
                             const char *participant_id, const struct store_reminder_send *sent,
                             size_t n_sent, int64_t as_of, struct sign_reminder_due *out);

/*
 * The reminders job: queues the reminders due at as_of of every organization's processes, up
 * to max messages, one transaction per process, checking *stop (may be NULL) between them.
 * Each message carries the signer's participant URL (PUBLIC_URL/ui/sign/{token}, derived with
 * link_key as on release). *n_sent: messages queued; *more: the run stopped before looking at
 * every process.
 */
enum sign_result sign_reminders_run(struct store *s, const unsigned char link_key[CRYPTO_KEY_LEN],
                                    const char *public_url, int64_t as_of, size_t max,
                                    const atomic_bool *stop, size_t *n_sent, bool *more);

#endif
