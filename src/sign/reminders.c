/*
 * Reminders of signing processes: which slots are due, and the job (see sign/reminders.h).
 */
#include "sign/reminders.h"

#include "core/isotime.h"
#include "core/log.h"
#include "core/str.h"
#include "notify/notify.h"
#include "sign/notices.h"
#include "store/release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The duration text[0..len) in milliseconds; false when it is not a fixed duration. */
static bool duration_ms(const char *text, size_t len, int64_t *ms)
{
    char buf[64];
    struct iso_duration d;
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    return iso_parse_duration(buf, &d) && iso_duration_fixed_ms(&d, ms) && *ms > 0;
}

static bool was_sent(const char *participant_id, const char *slot,
                     const struct store_reminder_send *sent, size_t n_sent)
{
    for (size_t i = 0; i < n_sent; i++)
        if (!strcmp(sent[i].participant_id, participant_id) && !strcmp(sent[i].slot, slot))
            return true;
    return false;
}

static void add(struct sign_reminder_due *out, const char *slot, int64_t due_at)
{
    for (size_t i = 0; i < out->n; i++)
        if (!strcmp(out->slot[i], slot))
            return; /* the same offset twice (P1D and PT24H) is one slot */
    if (out->n == SIGN_REMINDER_SLOTS_MAX)
        return;
    str_copy(out->slot[out->n], sizeof out->slot[out->n], slot);
    out->due_at[out->n++] = due_at;
}

void sign_reminder_due_slots(const struct store_release *rel, int64_t valid_until,
                             const char *participant_id, const struct store_reminder_send *sent,
                             size_t n_sent, int64_t as_of, struct sign_reminder_due *out)
{
    out->n = 0;
    if (as_of >= valid_until)
        return;
    int64_t ms;
    char slot[STORE_REMINDER_SLOT_LEN];
    if (rel->reminder_interval[0] &&
        duration_ms(rel->reminder_interval, strlen(rel->reminder_interval), &ms)) {
        /* Every interval after the release, or after the previous interval reminder. */
        size_t count = 0;
        int64_t last = rel->released_at;
        for (size_t i = 0; i < n_sent; i++)
            if (!strcmp(sent[i].participant_id, participant_id) &&
                str_has_prefix(sent[i].slot, "interval-")) {
                count++;
                if (sent[i].sent_at > last)
                    last = sent[i].sent_at;
            }
        int64_t due = last + ms;
        snprintf(slot, sizeof slot, "interval-%zu", count + 1);
        if (due <= as_of && due < valid_until && !was_sent(participant_id, slot, sent, n_sent))
            add(out, slot, due);
    }
    /* Each beforeExpiry offset ("P5D P1D": the store keeps them separated by spaces). */
    const char *t = rel->reminder_before_expiry;
    while (*t) {
        size_t len = strcspn(t, " ,");
        if (len && duration_ms(t, len, &ms)) {
            int64_t due = valid_until - ms;
            snprintf(slot, sizeof slot, "before-%lld", (long long)ms);
            if (due > rel->released_at && due <= as_of &&
                !was_sent(participant_id, slot, sent, n_sent))
                add(out, slot, due);
        }
        t += len;
        t += strspn(t, " ,");
    }
}

/* ---- The job ---- */

struct process_op {
    const unsigned char *key;
    const char *public_url;
    const char *org_id, *id;
    int64_t as_of, now;
    size_t budget; /* messages this transaction may queue */
    size_t sent;   /* messages it queued */
};

static bool someone_declined(const struct store_process *p)
{
    for (size_t i = 0; i < p->n_participants; i++)
        if (!strcmp(p->participants[i].type, "SIGNER") &&
            !strcmp(p->participants[i].status, "DECLINED"))
            return true;
    return false;
}

/* Remind one signer x of its due slots; *queued whether a message went out. */
static enum store_status remind(struct store_tx *tx, struct process_op *op,
                                const struct store_process *p, const struct store_release *rel,
                                const struct store_participant *x,
                                const struct store_participant_link *links, size_t n_links,
                                const struct store_reminder_send *sent, size_t n_sent, bool *queued)
{
    *queued = false;
    struct sign_reminder_due due;
    sign_reminder_due_slots(rel, p->valid_until, x->id, sent, n_sent, op->as_of, &due);
    if (!due.n)
        return STORE_OK;
    if (!notify_recipient_valid(NOTIFY_EMAIL, x->email) &&
        !notify_recipient_valid(NOTIFY_SMS, x->mobile))
        return STORE_OK; /* nothing to send to (as for the invitation) */
    const struct store_participant_link *l = NULL;
    for (size_t k = 0; k < n_links && !l; k++)
        if (!strcmp(links[k].participant_id, x->id))
            l = &links[k];
    if (!l)
        return STORE_OK;
    /* Claim the slots; another node or an earlier run may have recorded some. */
    char slots[SIGN_REMINDER_SLOTS_MAX * STORE_REMINDER_SLOT_LEN] = "";
    size_t claimed = 0;
    for (size_t i = 0; i < due.n; i++) {
        struct store_reminder_send r = {.due_at = due.due_at[i], .sent_at = op->as_of};
        str_copy(r.organization_id, sizeof r.organization_id, op->org_id);
        str_copy(r.process_id, sizeof r.process_id, op->id);
        str_copy(r.participant_id, sizeof r.participant_id, x->id);
        str_copy(r.slot, sizeof r.slot, due.slot[i]);
        enum store_status st = store_reminder_send_insert(tx, &r);
        if (st == STORE_CONFLICT)
            continue;
        if (st != STORE_OK)
            return st;
        size_t used = strlen(slots);
        snprintf(slots + used, sizeof slots - used, "%s%s", used ? "," : "", due.slot[i]);
        claimed++;
    }
    if (!claimed)
        return STORE_OK;
    char *url = sign_notice_link_url(op->key, op->public_url, l);
    if (!url) {
        log_error("reminders: the link of participant %s of process %s cannot be derived (did "
                  "the master key change?)",
                  x->id, op->id);
        return STORE_ERROR;
    }
    struct sign_notice n = {.kind = NOTIFY_REMINDER,
                            .process = p,
                            .release = rel,
                            .to = x,
                            .link = url,
                            .slots = slots,
                            .now = op->now};
    enum store_status st = sign_notice_queue(tx, &n, queued);
    memset(url, 0, strlen(url));
    free(url);
    return st;
}

static enum store_status process_tx(struct store_tx *tx, void *cls)
{
    struct process_op *op = cls;
    struct store_process p;
    struct store_release rel;
    struct store_participant_link *links = NULL;
    struct store_reminder_send *sent = NULL;
    size_t n_links = 0, n_sent = 0;
    memset(&p, 0, sizeof p);
    op->sent = 0;
    enum store_status st = store_process_get(tx, op->org_id, op->id, &p);
    if (st == STORE_OK)
        st = store_release_get(tx, op->org_id, op->id, &rel);
    if (st == STORE_NOT_FOUND) {
        st = STORE_OK; /* gone meanwhile */
        goto cleanup;
    }
    /* Read again in the writing transaction: the process may have ended meanwhile. */
    if (st != STORE_OK || strcmp(p.status, "PENDING") != 0 || p.valid_until <= op->as_of ||
        !sign_notice_allowed(&rel, NOTIFY_REMINDER) || someone_declined(&p))
        goto cleanup;
    st = store_participant_link_list(tx, op->org_id, op->id, &links, &n_links);
    if (st == STORE_OK)
        st = store_reminder_sends_list(tx, op->org_id, op->id, &sent, &n_sent);
    for (size_t i = 0; st == STORE_OK && i < p.n_participants && op->sent < op->budget; i++) {
        const struct store_participant *x = &p.participants[i];
        if (strcmp(x->type, "SIGNER") != 0 || strcmp(x->status, "PENDING") != 0)
            continue;
        bool queued = false;
        st = remind(tx, op, &p, &rel, x, links, n_links, sent, n_sent, &queued);
        op->sent += queued ? 1 : 0;
    }
cleanup:
    free(links);
    free(sent);
    store_process_clear(&p);
    return st;
}

struct list_op {
    int64_t as_of;
    const char *after;
    struct store_reminder_candidate *c;
    size_t n;
};

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct list_op *op = cls;
    free(op->c);
    op->c = NULL;
    op->n = 0;
    return store_reminder_candidates(tx, op->as_of, op->after, SIGN_REMINDERS_BATCH, &op->c,
                                     &op->n);
}

enum sign_result sign_reminders_run(struct store *s, const unsigned char link_key[CRYPTO_KEY_LEN],
                                    const char *public_url, int64_t as_of, size_t max,
                                    const atomic_bool *stop, size_t *n_sent, bool *more)
{
    *n_sent = 0;
    *more = false;
    enum sign_result res = SIGN_OK;
    char after[STORE_ID_LEN] = "";
    for (;;) {
        struct list_op l = {.as_of = as_of, .after = after};
        enum store_status st = store_run(s, STORE_READ, list_tx, &l);
        if (st != STORE_OK) {
            free(l.c);
            log_error("reminders: the processes cannot be listed (%s)", store_status_name(st));
            return SIGN_UNAVAILABLE;
        }
        for (size_t i = 0; i < l.n; i++) {
            if (*n_sent >= max || (stop && atomic_load(stop))) {
                *more = true;
                free(l.c);
                return res;
            }
            struct process_op op = {.key = link_key,
                                    .public_url = public_url,
                                    .org_id = l.c[i].organization_id,
                                    .id = l.c[i].id,
                                    .as_of = as_of,
                                    .now = time_now_ms(),
                                    .budget = max - *n_sent};
            st = store_run(s, STORE_WRITE, process_tx, &op);
            if (st != STORE_OK) {
                /* Nothing of it was written; the next run tries again. The others go on. */
                log_error("reminders: process %s failed (%s)", l.c[i].id, store_status_name(st));
                res = SIGN_UNAVAILABLE;
                continue;
            }
            *n_sent += op.sent;
            if (*n_sent >= max)
                *more = true; /* possibly: the next run finds out */
        }
        size_t found = l.n;
        if (found)
            str_copy(after, sizeof after, l.c[found - 1].id);
        free(l.c);
        if (found < SIGN_REMINDERS_BATCH)
            return res;
    }
}
