/*
 * Notices to the participants of a signing process (issue 6, docs/notify.md "Who writes
 * messages today"): invitations, reminders, completion, decline and expiry notices, queued in
 * the outbox (notify/notify.h) inside the caller's transaction, in the release's locale, with
 * one audit record per message: action "email" or "sms", status INITIALIZE, extras
 * {action}_type (INVITE, REMINDER, COMPLETED, DECLINED, EXPIRED), {action}_outboxId,
 * {action}_participantId (never the link or the text).
 *
 * What the release's notification settings allow (sign-api-v2 NotificationSettings): nothing
 * without a locale (an empty release body); suppress ALL stops every kind; INVITE stops the
 * invitations, COMPLETION the completion notices. Reminders, decline and expiry notices are
 * neither, so only ALL stops them ("ALL – notifies the participant at all relevant stages").
 *
 * Who gets what:
 *   - INVITE: every signer (sign/release.c);
 *   - REMINDER: a PENDING signer (sign/reminders.c);
 *   - COMPLETED: every signer and a PERSON initiator ("sent to all participants");
 *   - DECLINED: every other signer and a PERSON initiator — the process cannot complete any
 *     more; a NON_PERSON initiator has no address: the integrator sees the signer's status
 *     DECLINED and the audit record "decline";
 *   - EXPIRED: the signers still PENDING.
 * A message goes by e-mail when the participant has a usable address, else by SMS to its
 * mobile; a participant with neither gets none. Nothing here knows HTTP or SQL.
 *
 * Ownership: every pointer is borrowed for the call.
 */
#ifndef SIGNET_SIGN_NOTICES_H
#define SIGNET_SIGN_NOTICES_H

#include "core/crypto.h"
#include "notify/notify.h"
#include "store/release.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

/* True when the release's settings allow messages of kind (see above). */
bool sign_notice_allowed(const struct store_release *rel, enum notify_kind kind);

/* One message to one participant. */
struct sign_notice {
    enum notify_kind kind;
    const struct store_process *process;
    const struct store_release *release;
    const struct store_participant *to;
    const char *link;        /* the participant's URL; may be NULL (not for INVITE/REMINDER) */
    const char *declined_by; /* NOTIFY_DECLINED */
    const char *reason;      /* NOTIFY_DECLINED; may be NULL */
    const char *slots;       /* NOTIFY_REMINDER: the slots it answers (audit); may be NULL */
    int64_t now;
};

/*
 * Queues n (e-mail, else SMS; nothing when the participant has neither) with its audit record
 * inside tx. Does not check sign_notice_allowed. *queued (may be NULL) tells whether a message
 * was queued.
 */
enum store_status sign_notice_queue(struct store_tx *tx, const struct sign_notice *n, bool *queued);

/* The participant URL PUBLIC_URL/ui/sign/{token} of link l, derived with link_key (owned
 * string, free() after wiping it: the link is a credential); NULL when it cannot be derived. */
char *sign_notice_link_url(const unsigned char link_key[CRYPTO_KEY_LEN], const char *public_url,
                           const struct store_participant_link *l);

/*
 * The completion notices of organization_id's process id (just completed in tx) to every
 * signer and a PERSON initiator, unless suppressed. link_key and public_url (both may be
 * NULL): with them each message carries the participant's URL, where the signed file is.
 */
enum store_status sign_notices_completed(struct store_tx *tx, const char *organization_id,
                                         const char *id, const unsigned char *link_key,
                                         const char *public_url, int64_t now);

/* The decline notices of process id after signer participant_id declined with reason: to
 * every other signer that has not declined and a PERSON initiator, unless suppressed. */
enum store_status sign_notices_declined(struct store_tx *tx, const char *organization_id,
                                        const char *id, const char *participant_id,
                                        const char *reason, int64_t now);

/* The expiry notices of process id (just expired in tx) to its PENDING signers, unless
 * suppressed or never released. */
enum store_status sign_notices_expired(struct store_tx *tx, const char *organization_id,
                                       const char *id, int64_t now);

#endif
