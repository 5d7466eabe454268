/*
 * Store functions of the background jobs (migration 0011) and of the expiry transition.
 *
 * Job leases: a row per job name in scheduled_jobs. store_job_claim takes the lease in the
 * caller's transaction when no live lease exists (and, unless forced, the job is due);
 * store_job_finish gives it back and schedules the next run. Only the holder of the lease can
 * finish it. Claim in a STORE_CLAIM transaction: the job's row is read with
 * SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, so of two nodes claiming at once one gets it
 * and the other moves on (no serialization failure, no wait).
 *
 * Expiry: store_process_list_due is the one query that reads processes of every organization
 * (the expiry job is a system task); everything after it names the organization again.
 * store_process_expire is the claim of one process: a conditional UPDATE that only one
 * transaction can win.
 */
#ifndef SIGNET_STORE_JOBS_H
#define SIGNET_STORE_JOBS_H

#include "store/store.h"

struct store_job {
    char name[64];
    int64_t next_run_at;
    char lease_owner[128]; /* "" : not leased */
    int64_t lease_until;
    char last_owner[128];
    int64_t last_started_at, last_finished_at;
    char last_result[256];
    int64_t runs, items;
};

/* Claims job `name` for owner until lease_until, creating its row on first use. STORE_OK:
 * claimed; STORE_CONFLICT: another owner holds a live lease, or (unless force) the job is not
 * due before now. */
enum store_status store_job_claim(struct store_tx *tx, const char *name, const char *owner,
                                  int64_t now, int64_t lease_until, bool force);
/* Releases owner's lease of `name`, records the run (result text, items done) and schedules
 * the next run at next_run_at. STORE_NOT_FOUND when owner no longer holds the lease. */
enum store_status store_job_finish(struct store_tx *tx, const char *name, const char *owner,
                                   int64_t now, int64_t next_run_at, const char *result,
                                   int64_t items);
/* Every job row by name; *out owned by the caller (free(); never NULL on STORE_OK). */
enum store_status store_job_list(struct store_tx *tx, struct store_job **out, size_t *n);

/* A process that is due to expire. */
struct store_due_process {
    char organization_id[STORE_ID_LEN];
    char id[STORE_ID_LEN];
    char status[16]; /* "CREATED" | "PENDING" */
    int64_t valid_until;
};

/* Processes of every organization still CREATED or PENDING with valid_until <= as_of, oldest
 * valid_until first, at most limit; *out owned by the caller (free(); never NULL on OK). */
enum store_status store_process_list_due(struct store_tx *tx, int64_t as_of, int64_t limit,
                                         struct store_due_process **out, size_t *n);
/* The status and valid_until of organization_id's process id (a light read for lazy
 * expiry). STORE_NOT_FOUND for an unknown id or another organization's. */
enum store_status store_process_state(struct store_tx *tx, const char *organization_id,
                                      const char *id, char status[16], int64_t *valid_until);
/* Moves organization_id's process id from from_status to EXPIRED (last_modified_at = now) if
 * it is still in from_status with valid_until <= as_of. STORE_NOT_FOUND when it is not (it
 * changed, or another transaction expired it first). */
enum store_status store_process_expire(struct store_tx *tx, const char *organization_id,
                                       const char *id, const char *from_status, int64_t as_of,
                                       int64_t now);

#endif
