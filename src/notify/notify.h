/*
 * Notifications (issue 6, docs/notify.md): messages to people — invitations, one-time codes,
 * reminders, completion, decline and expiry notices — written into a persistent outbox in the
 * caller's transaction, and delivered afterwards by the "delivery" job with retries and
 * exponential backoff: e-mail over SMTP (libcurl) and SMS over an HTTP gateway, or, when no
 * gateway is configured (the default of `make run`), kept for the dev outbox page /ui/outbox.
 *
 * Callers never send directly: they enqueue inside the transaction that makes the change the
 * message reports, so a message exists exactly when the change does, and a restart loses
 * nothing and sends nothing twice (each message is claimed once by a conditional UPDATE).
 *
 * Templates are per kind and locale (en-GB, de-CH, fr-CH, it-CH; the process's
 * notification.locale, en-GB when none); variables are filled from struct notify_message.
 *
 * Ownership: every pointer in struct notify_message is borrowed for the call.
 */
#ifndef SIGNET_NOTIFY_NOTIFY_H
#define SIGNET_NOTIFY_NOTIFY_H

#include "store/store.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum notify_channel { NOTIFY_EMAIL = 0, NOTIFY_SMS };

enum notify_kind {
    NOTIFY_INVITE = 0,     /* a signer is invited: link */
    NOTIFY_CODE,           /* a one-time code (authorization or SMS signing): code */
    NOTIFY_REMINDER,       /* a signer has not signed yet: link, valid_until */
    NOTIFY_COMPLETED,      /* the process is completed: link (to download) */
    NOTIFY_DECLINED,       /* a signer declined: declined_by, reason */
    NOTIFY_EXPIRED,        /* the process expired */
    NOTIFY_SRS_TERMS,      /* SRS: identity verified, accept the terms of use: link, valid_until */
    NOTIFY_ACCOUNT_VERIFY, /* person account: confirm the e-mail address: link, valid_until */
    NOTIFY_ACCOUNT_EXISTS, /* person account: someone tried to create one for a taken e-mail */
};

struct notify_message {
    enum notify_kind kind;
    enum notify_channel channel;
    const char *organization_id;
    const char *process_id;     /* may be NULL (e.g. admin mail) */
    const char *participant_id; /* the recipient participant; may be NULL */
    const char *to;             /* e-mail address or E.164 mobile */
    const char *locale;         /* "en-GB" | "de-CH" | "fr-CH" | "it-CH"; NULL/"": en-GB */
    const char *recipient_name; /* "Anna Muster"; may be NULL */
    const char *link;           /* URL for invite/reminder/completed; may be NULL */
    const char *code;           /* NOTIFY_CODE: the code in clear (only in the message body) */
    int64_t valid_until_ms;     /* process validUntil, or the code's expiry for NOTIFY_CODE */
    const char *declined_by;    /* NOTIFY_DECLINED */
    const char *reason;         /* NOTIFY_DECLINED: the signer's reason */
    const char *message;        /* the initiator's personal message; may be NULL */
};

/* True when `to` is a recipient notify_enqueue accepts on channel (e-mail: an addr-spec that
 * fits an SMTP envelope; SMS: E.164 with 6 to 15 digits). */
bool notify_recipient_valid(enum notify_channel channel, const char *to);

/*
 * Renders the message with its template and writes it to the outbox inside tx (the caller's
 * transaction), due at once. id_out (may be NULL) receives the outbox id.
 */
enum store_status notify_enqueue(struct store_tx *tx, const struct notify_message *m, int64_t now,
                                 char id_out[STORE_ID_LEN]);

/* ---- Extensions (notify/outbox.c, templates.c, delivery.c) ---- */

struct config;
struct store;

#define NOTIFY_SUBJECT_MAX 512
#define NOTIFY_BODY_MAX    8192

/* Which channels have a gateway, from cfg (smtp-url, sms-url). Called once at start, before
 * threads run (cli/serve.c, admin commands). Until then, or for a channel without a gateway,
 * notify_enqueue stores messages as DEV: kept for the dev outbox page, never sent. */
void notify_configure(const struct config *cfg);
/* True when channel has no gateway (its messages are DEV). */
bool notify_channel_is_dev(enum notify_channel channel);

/* "INVITE", "CODE", …; "EMAIL" | "SMS". */
const char *notify_kind_name(enum notify_kind kind);
const char *notify_channel_name(enum notify_channel channel);
/* The supported locale for locale ("de-CH", "de", "DE_ch" → "de-CH"; unknown/NULL → "en-GB"). */
const char *notify_locale(const char *locale);

/*
 * Renders m with its kind's template in its locale: subject (e-mail only; "" for SMS, at most
 * NOTIFY_SUBJECT_MAX bytes with the NUL) and body (text/plain UTF-8, at most NOTIFY_BODY_MAX
 * bytes with the NUL). False when a field the kind needs is missing (e.g. the code of
 * NOTIFY_CODE, the link of NOTIFY_INVITE) or the text does not fit.
 */
bool notify_render(const struct notify_message *m, char subject[NOTIFY_SUBJECT_MAX],
                   char body[NOTIFY_BODY_MAX]);

/* Backoff before the next attempt after `attempts` failed ones: min(2^attempts × 30 s, 1 h). */
int64_t notify_backoff_ms(int64_t attempts);
/* How long a claimed message stays SENDING before another run may try it again. */
#define NOTIFY_SEND_LEASE_MS ((int64_t)10 * 60 * 1000)

/* What one delivery run did. */
struct notify_delivery_result {
    size_t sent, retried, failed, dev; /* messages per outcome */
    bool more;                         /* more messages are due than max allowed */
};

/*
 * The "delivery" job: claims the messages due at as_of (at most max), sends each over its
 * channel's gateway from cfg and records SENT, QUEUED again with the backoff, or FAILED after
 * cfg->notify_max_attempts; a channel without gateway turns its messages DEV. Checks *stop
 * (may be NULL) between messages. False when the store failed.
 */
bool notify_delivery_run(struct store *s, const struct config *cfg, int64_t as_of, size_t max,
                         const atomic_bool *stop, struct notify_delivery_result *out);

#endif
