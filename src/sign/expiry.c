/*
 * Expiry of signing processes: the transition with its audit record, lazy expiry on requests
 * and the background job's batches (see sign/expiry.h).
 */
#include "sign/expiry.h"

#include "core/isotime.h"
#include "core/log.h"
#include "core/uuid.h"
#include "sign/notices.h"
#include "store/jobs.h"

#include <stdlib.h>
#include <string.h>

bool sign_expiry_due(const char *status, int64_t valid_until, int64_t now)
{
    return (!strcmp(status, "CREATED") || !strcmp(status, "PENDING")) && valid_until <= now;
}

enum store_status sign_expire_in_tx(struct store_tx *tx, const char *organization_id,
                                    const char *id, const char *from_status, int64_t valid_until,
                                    int64_t as_of, int64_t now, const char *trigger, bool *expired)
{
    *expired = false;
    /* The claim: only one transaction turns this row from from_status into EXPIRED. */
    enum store_status st = store_process_expire(tx, organization_id, id, from_status, as_of, now);
    if (st == STORE_NOT_FOUND)
        return STORE_OK; /* not due any more, or someone else expired it first */
    if (st != STORE_OK)
        return st;
    char until[ISO_DATETIME_LEN];
    iso_format_datetime(valid_until, false, until);
    json_t *extras = json_pack("{s:s, s:s, s:s, s:s}", "transaction_event", "EXPIRED",
                               "transaction_previousStatus", from_status, "transaction_validUntil",
                               until, "transaction_trigger", trigger);
    if (!extras)
        return STORE_ERROR;
    st = sign_audit_append(tx, organization_id, id, now, "transaction", "ABORT", extras);
    json_decref(extras);
    /* The pending signers are told, in the transaction of the transition (every trigger). */
    if (st == STORE_OK)
        st = sign_notices_expired(tx, organization_id, id, now);
    if (st == STORE_OK)
        *expired = true;
    return st;
}

/* ---- Lazy expiry ---- */

struct touch_op {
    const char *org_id;
    const char *id;
    int64_t now;
    char status[16];
    int64_t valid_until;
    bool expired;
};

static enum store_status touch_read_tx(struct store_tx *tx, void *cls)
{
    struct touch_op *op = cls;
    return store_process_state(tx, op->org_id, op->id, op->status, &op->valid_until);
}

static enum store_status touch_write_tx(struct store_tx *tx, void *cls)
{
    struct touch_op *op = cls;
    /* Read again: the state may have changed since the read transaction. */
    enum store_status st =
        store_process_state(tx, op->org_id, op->id, op->status, &op->valid_until);
    if (st != STORE_OK || !sign_expiry_due(op->status, op->valid_until, op->now))
        return st;
    return sign_expire_in_tx(tx, op->org_id, op->id, op->status, op->valid_until, op->now, op->now,
                             "request", &op->expired);
}

enum sign_result sign_expiry_touch(struct store *s, const char *organization_id, const char *id,
                                   int64_t now)
{
    if (!uuid_is_valid(id))
        return SIGN_NOT_FOUND;
    struct touch_op op = {.org_id = organization_id, .id = id, .now = now};
    enum store_status st = store_run(s, STORE_READ, touch_read_tx, &op);
    if (st == STORE_OK && sign_expiry_due(op.status, op.valid_until, now))
        st = store_run(s, STORE_WRITE, touch_write_tx, &op);
    if (st == STORE_OK)
        return SIGN_OK;
    return st == STORE_NOT_FOUND ? SIGN_NOT_FOUND : SIGN_UNAVAILABLE;
}

struct listed_op {
    const char *org_id;
    const struct store_process *p;
    size_t n;
    int64_t now;
    size_t expired;
};

static enum store_status listed_tx(struct store_tx *tx, void *cls)
{
    struct listed_op *op = cls;
    op->expired = 0;
    for (size_t i = 0; i < op->n; i++) {
        const struct store_process *p = &op->p[i];
        if (!sign_expiry_due(p->status, p->valid_until, op->now))
            continue;
        bool done = false;
        enum store_status st = sign_expire_in_tx(tx, op->org_id, p->id, p->status, p->valid_until,
                                                 op->now, op->now, "request", &done);
        if (st != STORE_OK)
            return st;
        op->expired += done ? 1 : 0;
    }
    return STORE_OK;
}

enum sign_result sign_expiry_expire_listed(struct store *s, const char *organization_id,
                                           const struct store_process *p, size_t n, int64_t now,
                                           size_t *n_expired)
{
    struct listed_op op = {.org_id = organization_id, .p = p, .n = n, .now = now};
    *n_expired = 0;
    enum store_status st = store_run(s, STORE_WRITE, listed_tx, &op);
    if (st != STORE_OK)
        return SIGN_UNAVAILABLE;
    *n_expired = op.expired;
    return SIGN_OK;
}

/* ---- The job ---- */

struct batch_op {
    int64_t as_of, now;
    int64_t limit;
    const char *trigger;
    struct store_due_process *due;
    size_t n_due;
    size_t expired;
};

static enum store_status batch_tx(struct store_tx *tx, void *cls)
{
    struct batch_op *op = cls;
    free(op->due); /* an earlier attempt's */
    op->due = NULL;
    op->n_due = 0;
    op->expired = 0;
    enum store_status st = store_process_list_due(tx, op->as_of, op->limit, &op->due, &op->n_due);
    for (size_t i = 0; st == STORE_OK && i < op->n_due; i++) {
        const struct store_due_process *d = &op->due[i];
        bool done = false;
        st = sign_expire_in_tx(tx, d->organization_id, d->id, d->status, d->valid_until, op->as_of,
                               op->now, op->trigger, &done);
        op->expired += done ? 1 : 0;
    }
    return st;
}

enum sign_result sign_expiry_run(struct store *s, int64_t as_of, const char *trigger, size_t max,
                                 const atomic_bool *stop, size_t *n_expired, bool *more)
{
    *n_expired = 0;
    *more = false;
    enum sign_result res = SIGN_OK;
    for (;;) {
        if (*n_expired >= max || (stop && atomic_load(stop))) {
            *more = true; /* possibly: the next run finds out */
            break;
        }
        size_t left = max - *n_expired;
        struct batch_op op = {.as_of = as_of,
                              .now = time_now_ms(),
                              .limit =
                                  (int64_t)(left < SIGN_EXPIRY_BATCH ? left : SIGN_EXPIRY_BATCH),
                              .trigger = trigger};
        enum store_status st = store_run(s, STORE_WRITE, batch_tx, &op);
        size_t found = op.n_due;
        free(op.due);
        if (st != STORE_OK) {
            log_error("expiry: a batch failed (%s); %zu processes expired before it",
                      store_status_name(st), *n_expired);
            res = SIGN_UNAVAILABLE;
            break;
        }
        *n_expired += op.expired;
        if (found < (size_t)op.limit)
            break; /* nothing more is due */
    }
    return res;
}
