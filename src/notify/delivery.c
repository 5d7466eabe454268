/*
 * The "delivery" job (see notify/notify.h): claims due outbox messages one by one with a
 * conditional UPDATE, sends each outside any transaction, then records the outcome under the
 * same claim. A run that dies between claim and outcome leaves the message SENDING until its
 * lease (NOTIFY_SEND_LEASE_MS) ends; the next run takes it again (it may then be sent twice,
 * which at-least-once delivery accepts; never lost).
 */
#include "notify/notify.h"

#include "core/config.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/str.h"
#include "notify/transport.h"
#include "store/outbox.h"

#include <stdlib.h>
#include <string.h>

#define BACKOFF_BASE_MS ((int64_t)30 * 1000)
#define BACKOFF_MAX_MS  ((int64_t)60 * 60 * 1000)

int64_t notify_backoff_ms(int64_t attempts)
{
    if (attempts < 0)
        attempts = 0;
    if (attempts >= 7) /* 2^7 × 30 s > 1 h: no overflow for large counts */
        return BACKOFF_MAX_MS;
    int64_t d = BACKOFF_BASE_MS << attempts;
    return d < BACKOFF_MAX_MS ? d : BACKOFF_MAX_MS;
}

struct claim_op {
    const struct config *cfg;
    int64_t as_of;
    struct store_outbox_claimed claimed;
    bool dev; /* its channel has no gateway: recorded DEV in the claim's transaction */
    struct store_outbox *msg;
};

static bool channel_has_gateway(const struct config *cfg, const char *channel)
{
    return !strcmp(channel, "SMS") ? cfg->sms_url[0] != '\0' : cfg->smtp_url[0] != '\0';
}

static enum store_status claim_tx(struct store_tx *tx, void *cls)
{
    struct claim_op *op = cls;
    op->dev = false;
    enum store_status st =
        store_outbox_claim_next(tx, op->as_of, op->as_of + NOTIFY_SEND_LEASE_MS, &op->claimed);
    if (st == STORE_OK)
        st = store_outbox_get(tx, op->claimed.organization_id, op->claimed.id, op->msg);
    if (st == STORE_OK && !channel_has_gateway(op->cfg, op->msg->channel)) {
        /* Queued while a gateway was configured and none is now: keep it for the dev outbox
         * rather than retrying a send that cannot happen. */
        op->dev = true;
        st = store_outbox_finish(tx, op->claimed.organization_id, op->claimed.id,
                                 op->claimed.attempts, "DEV", op->as_of,
                                 "no gateway configured for this channel", time_now_ms());
    }
    return st;
}

struct finish_op {
    const struct store_outbox *msg;
    int64_t attempts;
    const char *status;
    int64_t next;
    const char *error;
};

static enum store_status finish_tx(struct store_tx *tx, void *cls)
{
    struct finish_op *op = cls;
    return store_outbox_finish(tx, op->msg->organization_id, op->msg->id, op->attempts, op->status,
                               op->next, op->error, time_now_ms());
}

bool notify_delivery_run(struct store *s, const struct config *cfg, int64_t as_of, size_t max,
                         const atomic_bool *stop, struct notify_delivery_result *out)
{
    memset(out, 0, sizeof *out);
    struct store_outbox *msg = calloc(1, sizeof *msg);
    bool ok = true;
    if (!msg)
        return false;
    for (size_t i = 0;; i++) {
        if (i == max || (stop && atomic_load(stop))) {
            out->more = true; /* maybe: the next run finds out */
            break;
        }
        struct claim_op claim = {.cfg = cfg, .as_of = as_of, .msg = msg};
        enum store_status st = store_run(s, STORE_CLAIM, claim_tx, &claim);
        if (st == STORE_NOT_FOUND)
            break; /* nothing (more) due */
        if (st != STORE_OK) {
            log_error("notify: a message cannot be claimed: %s", store_status_name(st));
            ok = false;
            break;
        }
        if (claim.dev) {
            out->dev++;
            continue;
        }
        char err[STORE_OUTBOX_ERROR_LEN] = "";
        bool sent = !strcmp(msg->channel, "SMS")
                        ? notify_sms_send(cfg, msg->recipient, msg->body, err, sizeof err)
                        : notify_smtp_send(cfg, msg->recipient, msg->subject, msg->body, msg->id,
                                           err, sizeof err);
        struct finish_op fin = {.msg = msg, .attempts = claim.claimed.attempts};
        if (sent) {
            fin.status = "SENT";
            fin.next = as_of;
            out->sent++;
        } else if (claim.claimed.attempts >= cfg->notify_max_attempts) {
            fin.status = "FAILED";
            fin.next = as_of;
            fin.error = err;
            out->failed++;
            log_warn("notify: %s message %s given up after %lld attempts: %s", msg->channel,
                     msg->id, (long long)claim.claimed.attempts, err);
        } else {
            fin.status = "QUEUED";
            fin.next = as_of + notify_backoff_ms(claim.claimed.attempts);
            fin.error = err;
            out->retried++;
            log_info("notify: %s message %s attempt %lld failed, retried later: %s", msg->channel,
                     msg->id, (long long)claim.claimed.attempts, err);
        }
        st = store_run(s, STORE_WRITE, finish_tx, &fin);
        if (st == STORE_NOT_FOUND)
            log_warn("notify: message %s took longer than its lease; it may be sent again",
                     msg->id);
        else if (st != STORE_OK) {
            log_error("notify: the outcome of message %s cannot be recorded: %s", msg->id,
                      store_status_name(st));
            ok = false;
            break;
        }
    }
    free(msg);
    return ok;
}
