/*
 * The job table, job runs with leases in the store, and the scheduler thread (see
 * jobs/jobs.h).
 */
#include "jobs/jobs.h"

#include "core/isotime.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/masterkey.h"
#include "notify/notify.h"
#include "sign/archive.h"
#include "sign/expiry.h"
#include "sign/release.h"
#include "sign/reminders.h"
#include "srs/retention.h"
#include "srs/webhook.h"
#include "store/jobs.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- The jobs ---- */

static void run_expiry(struct store *s, const struct config *cfg, int64_t as_of,
                       const char *trigger, const atomic_bool *stop, struct jobs_outcome *out)
{
    (void)cfg;
    size_t n = 0;
    bool more = false;
    out->ok = sign_expiry_run(s, as_of, trigger, JOBS_MAX_ITEMS, stop, &n, &more) == SIGN_OK;
    out->items = (int64_t)n;
    out->more = more;
    snprintf(out->summary, sizeof out->summary, "%s: %zu process%s expired%s",
             out->ok ? "ok" : "failed", n, n == 1 ? "" : "es", more ? " (more due)" : "");
}

static void run_archive(struct store *s, const struct config *cfg, int64_t as_of,
                        const char *trigger, const atomic_bool *stop, struct jobs_outcome *out)
{
    size_t n = 0;
    bool more = false;
    out->ok = sign_archive_run(s, cfg->retention_ms, as_of, trigger, JOBS_MAX_ITEMS, stop, &n,
                               &more) == SIGN_OK;
    out->items = (int64_t)n;
    out->more = more;
    snprintf(out->summary, sizeof out->summary, "%s: %zu process%s archived%s",
             out->ok ? "ok" : "failed", n, n == 1 ? "" : "es", more ? " (more due)" : "");
}

static void run_delivery(struct store *s, const struct config *cfg, int64_t as_of,
                         const char *trigger, const atomic_bool *stop, struct jobs_outcome *out)
{
    (void)trigger;
    struct notify_delivery_result r;
    out->ok = notify_delivery_run(s, cfg, as_of, JOBS_MAX_ITEMS, stop, &r);
    out->items = (int64_t)(r.sent + r.retried + r.failed + r.dev);
    out->more = r.more;
    snprintf(out->summary, sizeof out->summary,
             "%s: %zu sent, %zu to retry, %zu failed, %zu kept for the dev outbox%s",
             out->ok ? "ok" : "failed", r.sent, r.retried, r.failed, r.dev,
             r.more ? " (more due)" : "");
}

static void run_reminders(struct store *s, const struct config *cfg, int64_t as_of,
                          const char *trigger, const atomic_bool *stop, struct jobs_outcome *out)
{
    (void)trigger;
    unsigned char mk[CRYPTO_KEY_LEN], key[CRYPTO_KEY_LEN];
    char err[256] = "";
    size_t n = 0;
    bool more = false;
    /* The reminders carry the participant URLs, derived like the release's. */
    out->ok = masterkey_load(cfg, mk, err, sizeof err) && sign_link_key_derive(mk, key);
    memset(mk, 0, sizeof mk);
    if (!out->ok)
        log_error("reminders: the participant-link key cannot be loaded: %s", err);
    else
        out->ok = sign_reminders_run(s, key, cfg->public_url, as_of, JOBS_MAX_ITEMS, stop, &n,
                                     &more) == SIGN_OK;
    memset(key, 0, sizeof key);
    out->items = (int64_t)n;
    out->more = more;
    snprintf(out->summary, sizeof out->summary, "%s: %zu reminder%s queued%s",
             out->ok ? "ok" : "failed", n, n == 1 ? "" : "s", more ? " (more due)" : "");
}

const struct jobs_kind jobs_kinds[] = {
    {"expiry", "processes past validUntil become EXPIRED (with an audit record)", run_expiry},
    {"archive", "files of processes ended longer than the retention ago are deleted (410)",
     run_archive},
    {"reminders",
     "pending signers are reminded (reminder.interval, reminder.beforeExpiry), each slot once",
     run_reminders},
    /* Before delivery: one pass queues the reminders, then sends them. */
    {"delivery", "notifications in the outbox are sent (SMTP, SMS gateway), with retries",
     run_delivery},
    {"srs-webhooks", "SRS status webhooks are POSTed to service providers (HMAC), with retries",
     srs_webhooks_run},
    {"srs-retention", "SRS personal data past its jurisdiction's retention: data key destroyed",
     srs_retention_run},
    {NULL, NULL, NULL},
};

const struct jobs_kind *jobs_find(const char *name)
{
    for (const struct jobs_kind *k = jobs_kinds; name && k->name; k++)
        if (!strcmp(k->name, name))
            return k;
    return NULL;
}

void jobs_node_name(char *out, size_t out_len)
{
    char host[64] = "";
    unsigned char r[4] = {0};
    if (gethostname(host, sizeof host) != 0)
        str_copy(host, sizeof host, "node");
    host[sizeof host - 1] = '\0';
    (void)rand_bytes(r, sizeof r);
    snprintf(out, out_len, "%s/%ld/%02x%02x%02x%02x", host, (long)getpid(), r[0], r[1], r[2], r[3]);
}

/* ---- One run ---- */

struct claim_op {
    const char *name, *owner;
    int64_t now, until, next;
    bool force;
    const struct jobs_outcome *out;
};

static enum store_status claim_tx(struct store_tx *tx, void *cls)
{
    struct claim_op *op = cls;
    return store_job_claim(tx, op->name, op->owner, op->now, op->until, op->force);
}

static enum store_status finish_tx(struct store_tx *tx, void *cls)
{
    struct claim_op *op = cls;
    return store_job_finish(tx, op->name, op->owner, op->now, op->next, op->out->summary,
                            op->out->items);
}

enum jobs_run_result jobs_run_one(struct store *s, const struct config *cfg,
                                  const struct jobs_kind *k, const char *owner, int64_t now,
                                  int64_t as_of, int64_t interval_ms, bool force,
                                  const char *trigger, const atomic_bool *stop,
                                  struct jobs_outcome *out)
{
    struct jobs_outcome local;
    if (!out)
        out = &local;
    memset(out, 0, sizeof *out);
    struct claim_op op = {.name = k->name,
                          .owner = owner,
                          .now = now,
                          .until = now + JOBS_LEASE_MS,
                          .force = force,
                          .out = out};
    enum store_status st = store_run(s, STORE_CLAIM, claim_tx, &op);
    if (st == STORE_CONFLICT)
        return JOBS_NOT_DUE;
    if (st != STORE_OK) {
        log_error("jobs: %s cannot be claimed: %s", k->name, store_status_name(st));
        return JOBS_FAILED;
    }
    k->run(s, cfg, as_of, trigger, stop, out);
    op.now = time_now_ms();
    op.next = out->more ? op.now : op.now + interval_ms;
    st = store_run(s, STORE_WRITE, finish_tx, &op);
    if (st == STORE_NOT_FOUND)
        log_warn("jobs: %s ran longer than its lease; another node may have run it too (its "
                 "items are claimed one by one, so none was done twice)",
                 k->name);
    else if (st != STORE_OK)
        log_error("jobs: %s cannot be finished: %s", k->name, store_status_name(st));
    if (out->items > 0 || !out->ok)
        log_info("jobs: %s %s", k->name, out->summary);
    return out->ok ? JOBS_RAN : JOBS_FAILED;
}

/* One pass; force: run every job whose lease is free, due or not (the first pass at start). */
static void run_pass(struct store *s, const struct config *cfg, const char *owner,
                     int64_t interval_ms, bool force, const atomic_bool *stop, bool *more)
{
    *more = false;
    for (const struct jobs_kind *k = jobs_kinds; k->name; k++) {
        if (stop && atomic_load(stop))
            return;
        struct jobs_outcome out;
        int64_t now = time_now_ms();
        if (jobs_run_one(s, cfg, k, owner, now, now, interval_ms, force, "scheduler", stop, &out) ==
                JOBS_RAN &&
            out.more)
            *more = true;
    }
}

void jobs_run_pass(struct store *s, const struct config *cfg, const char *owner,
                   int64_t interval_ms, const atomic_bool *stop, bool *more)
{
    run_pass(s, cfg, owner, interval_ms, false, stop, more);
}

/* ---- The scheduler thread ---- */

struct jobs_scheduler {
    struct store *store;
    const struct config *cfg;
    int64_t interval_ms;
    char owner[128];
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_bool stop;
};

static void *scheduler_main(void *arg)
{
    struct jobs_scheduler *js = arg;
    bool more = false;
    for (;;) {
        /* Wait an interval (or not at all when work was left), unless told to stop. */
        pthread_mutex_lock(&js->lock);
        if (!more && !atomic_load(&js->stop)) {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_sec += (time_t)(js->interval_ms / 1000);
            until.tv_nsec += (long)(js->interval_ms % 1000) * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            while (!atomic_load(&js->stop)) {
                int rc = pthread_cond_timedwait(&js->wake, &js->lock, &until);
                if (rc == ETIMEDOUT)
                    break;
            }
        }
        pthread_mutex_unlock(&js->lock);
        if (atomic_load(&js->stop))
            break;
        jobs_run_pass(js->store, js->cfg, js->owner, js->interval_ms, &js->stop, &more);
    }
    return NULL; /* the thread's store connection closes as it exits */
}

struct jobs_scheduler *jobs_scheduler_start(struct store *s, const struct config *cfg,
                                            int64_t interval_ms)
{
    struct jobs_scheduler *js = calloc(1, sizeof *js);
    if (!js)
        return NULL;
    js->store = s;
    js->cfg = cfg;
    js->interval_ms = interval_ms > 0 ? interval_ms : 1000;
    atomic_init(&js->stop, false);
    jobs_node_name(js->owner, sizeof js->owner);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&js->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&js->lock, NULL);
    /* The first pass now, before serving, due or not (unless another node holds a lease):
     * work left while no node ran (a restart after downtime) is done before the first
     * request, up to JOBS_MAX_ITEMS per job. */
    bool more = false;
    run_pass(s, cfg, js->owner, js->interval_ms, true, NULL, &more);
    if (pthread_create(&js->thread, NULL, scheduler_main, js) != 0) {
        log_error("jobs: the scheduler thread cannot be started");
        pthread_cond_destroy(&js->wake);
        pthread_mutex_destroy(&js->lock);
        free(js);
        return NULL;
    }
    log_info("jobs: scheduler started as %s, a pass every %lld ms", js->owner,
             (long long)js->interval_ms);
    return js;
}

void jobs_scheduler_stop(struct jobs_scheduler *js)
{
    if (!js)
        return;
    pthread_mutex_lock(&js->lock);
    atomic_store(&js->stop, true);
    pthread_cond_signal(&js->wake);
    pthread_mutex_unlock(&js->lock);
    pthread_join(js->thread, NULL);
    pthread_cond_destroy(&js->wake);
    pthread_mutex_destroy(&js->lock);
    free(js);
}
