/*
 * Store functions of the notification outbox (migration 0013; notify/notify.h, docs/notify.md).
 *
 * Tenant functions take the organization id and filter on it. Two reads are system tasks that
 * see every organization: store_outbox_claim_next (the delivery job's scan; the message claimed
 * is then read with its organization id) and store_outbox_list_recent (the developer's
 * /ui/outbox page, only served when no gateway is configured).
 *
 * A message is claimed by store_outbox_claim_next under a row lock (FOR UPDATE SKIP LOCKED on
 * PostgreSQL; SQLite's single writer elsewhere): nodes delivering at once take different
 * messages. The claim increments attempts, and the attempts value identifies the claim, so a
 * sender whose lease ran out (and whose message was claimed again) cannot finish it.
 */
#ifndef SIGNET_STORE_OUTBOX_H
#define SIGNET_STORE_OUTBOX_H

#include "store/store.h"

#define STORE_OUTBOX_RECIPIENT_LEN 320
#define STORE_OUTBOX_SUBJECT_LEN   512
#define STORE_OUTBOX_BODY_LEN      8192
#define STORE_OUTBOX_ERROR_LEN     256

struct store_outbox {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];     /* "": none */
    char participant_id[STORE_ID_LEN]; /* "": none */
    char kind[16];                     /* "INVITE", "CODE", … */
    char channel[8];                   /* "EMAIL" | "SMS" */
    char recipient[STORE_OUTBOX_RECIPIENT_LEN];
    char subject[STORE_OUTBOX_SUBJECT_LEN]; /* "" for SMS */
    char body[STORE_OUTBOX_BODY_LEN];
    char locale[8];
    char status[12]; /* QUEUED | SENDING | SENT | FAILED | DEV */
    int64_t attempts;
    int64_t next_attempt_at;                 /* QUEUED: due; SENDING: end of the claim's lease */
    char last_error[STORE_OUTBOX_ERROR_LEN]; /* "": none; never personal data */
    int64_t created_at;
    int64_t sent_at; /* 0: not sent */
};

/* A message the delivery job claimed. */
struct store_outbox_claimed {
    char organization_id[STORE_ID_LEN];
    char id[STORE_ID_LEN];
    int64_t attempts; /* with this claim; identifies it to store_outbox_finish */
};

/* Inserts a message (every field as given). STORE_CONFLICT for a duplicate id. */
enum store_status store_outbox_insert(struct store_tx *tx, const struct store_outbox *m);
/* organization_id's message id; STORE_NOT_FOUND for an unknown id or another organization's. */
enum store_status store_outbox_get(struct store_tx *tx, const char *organization_id, const char *id,
                                   struct store_outbox *out);
/* Claims the message due first at as_of (of any organization: the delivery job is a system
 * task): QUEUED, or SENDING with its lease run out. It becomes SENDING until lease_until with
 * attempts + 1. STORE_NOT_FOUND when no message is due. Call it in a STORE_CLAIM transaction:
 * on PostgreSQL the message is picked with SELECT … FOR UPDATE SKIP LOCKED, so nodes claiming
 * at once take different messages. */
enum store_status store_outbox_claim_next(struct store_tx *tx, int64_t as_of, int64_t lease_until,
                                          struct store_outbox_claimed *out);
/* Ends the claim `attempts` of a SENDING message: status SENT (sent_at = now), QUEUED (due at
 * next_attempt_at), FAILED or DEV, with error ("" or NULL: none). STORE_NOT_FOUND when the
 * claim is no longer this one. */
enum store_status store_outbox_finish(struct store_tx *tx, const char *organization_id,
                                      const char *id, int64_t attempts, const char *status,
                                      int64_t next_attempt_at, const char *error, int64_t now);
/* System listing for the dev outbox page: the newest messages of every organization with the
 * given status (NULL: any), at most limit; *out owned by the caller (free(); never NULL on OK). */
enum store_status store_outbox_list_recent(struct store_tx *tx, const char *status, int64_t limit,
                                           struct store_outbox **out, size_t *n);
/* organization_id's messages of process_id, oldest first; *out owned (free()). */
enum store_status store_outbox_list_process(struct store_tx *tx, const char *organization_id,
                                            const char *process_id, struct store_outbox **out,
                                            size_t *n);

#endif
