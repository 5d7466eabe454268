/*
 * Background jobs: a table of job kinds, a pass that runs the due ones, and a scheduler thread
 * started by `signet serve` (and stopped before the store closes).
 *
 * Several nodes may share one database. Before a node runs a job it claims the job's lease in
 * a transaction (store/jobs.h: scheduled_jobs), so a job runs on one node at a time and about
 * once per interval cluster-wide; the work items are then claimed one by one by the job itself
 * (e.g. a conditional UPDATE per process), so even overlapping runs never do an item twice.
 * The scheduler's state lives in the store and survives restarts.
 *
 * Adding a job: write `int (*run)(…)` in its domain module, add a
 * line to the table in jobs/scheduler.c; nothing else changes.
 *
 * Ownership: jobs_scheduler_start returns a scheduler freed by jobs_scheduler_stop.
 */
#ifndef SIGNET_JOBS_JOBS_H
#define SIGNET_JOBS_JOBS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct config;

/* How long a claimed lease lasts; a node that dies mid-run blocks the job at most this long. */
#define JOBS_LEASE_MS ((int64_t)5 * 60 * 1000)
/* Work items one run of a job may do; more are left for the next run. */
#define JOBS_MAX_ITEMS 1000

/* What one run of a job did. */
struct jobs_outcome {
    bool ok;
    int64_t items; /* items done (e.g. processes expired) */
    bool more;     /* work remains: run again soon */
    char summary[200];
};

struct jobs_kind {
    const char *name;
    const char *what; /* one line for `signet admin jobs list` */
    /* Runs the job as of as_of (the time it treats as "now"; normally the clock), checking
     * *stop (may be NULL) between its transactions. trigger: "scheduler" or "admin". */
    void (*run)(struct store *s, const struct config *cfg, int64_t as_of, const char *trigger,
                const atomic_bool *stop, struct jobs_outcome *out);
};

/* The job kinds, ending with a NULL name. */
extern const struct jobs_kind jobs_kinds[];
/* The kind called name, or NULL. */
const struct jobs_kind *jobs_find(const char *name);

/* A name for this node in leases: "HOST/PID/RANDOM". */
void jobs_node_name(char *out, size_t out_len);

/* Result of one job in a pass. */
enum jobs_run_result {
    JOBS_RAN = 0, /* claimed and run */
    JOBS_NOT_DUE, /* not due, or another node holds its lease */
    JOBS_FAILED,  /* the store failed */
};

/*
 * Claims job k for owner (unless another node holds a live lease, or, without force, it is not
 * due at now), runs it as of as_of and finishes it, scheduling the next run interval_ms later
 * (at once when it left work). out (may be NULL) receives what the run did.
 */
enum jobs_run_result jobs_run_one(struct store *s, const struct config *cfg,
                                  const struct jobs_kind *k, const char *owner, int64_t now,
                                  int64_t as_of, int64_t interval_ms, bool force,
                                  const char *trigger, const atomic_bool *stop,
                                  struct jobs_outcome *out);

/* Runs every due job once (jobs_run_one without force); *more: some job left work. */
void jobs_run_pass(struct store *s, const struct config *cfg, const char *owner,
                   int64_t interval_ms, const atomic_bool *stop, bool *more);

struct jobs_scheduler;
/* Runs one pass at once, every job whose lease is free whether due or not (so that work left
 * while no node ran is done before serving), then
 * starts a thread that runs a pass every interval_ms until stopped. cfg (the jobs' settings)
 * is borrowed until jobs_scheduler_stop. NULL on failure. */
struct jobs_scheduler *jobs_scheduler_start(struct store *s, const struct config *cfg,
                                            int64_t interval_ms);
/* Stops the thread (it finishes the transaction it is in) and frees it. NULL ok. */
void jobs_scheduler_stop(struct jobs_scheduler *js);

#endif
