/*
 * Expiry of signing processes (sign-api-v2: Process.validUntil — "After this point in time,
 * the system automatically transitions the process status to EXPIRED").
 *
 * A process that is CREATED or PENDING becomes EXPIRED once validUntil has passed. The
 * transition is made in two ways that share one function (sign_expire_in_tx):
 *   - by the "expiry" background job (jobs/jobs.h), which scans every organization;
 *   - lazily, by any request that reads or changes the process (sign_expiry_touch), so that
 *     answers are right between job runs.
 * Each transition is claimed with a conditional UPDATE (only one transaction on one node can
 * win it) and appends one audit record: action "transaction", status "ABORT", extras
 * transaction_event EXPIRED, transaction_previousStatus, transaction_validUntil,
 * transaction_trigger ("scheduler" | "request" | "admin"). Signer statuses are left as they
 * are. In the same transaction the signers still PENDING get an EXPIRED notice (sign/notices.h)
 * when the release asked for notifications. Nothing here knows HTTP or SQL.
 */
#ifndef SIGNET_SIGN_EXPIRY_H
#define SIGNET_SIGN_EXPIRY_H

#include "sign/process.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Processes expired per transaction by the job. */
#define SIGN_EXPIRY_BATCH 100

/* True when a process in `status` with valid_until is due to expire at now. */
bool sign_expiry_due(const char *status, int64_t valid_until, int64_t now);

/*
 * Inside tx: expires organization_id's process id if it is still from_status and due at
 * as_of (the transition and its audit record, written at now). *expired tells whether this
 * call made the transition (false: it was not due, or another transaction won).
 */
enum store_status sign_expire_in_tx(struct store_tx *tx, const char *organization_id,
                                    const char *id, const char *from_status, int64_t valid_until,
                                    int64_t as_of, int64_t now, const char *trigger, bool *expired);

/*
 * Lazy expiry of one process before a request uses it: a light read, and only when the
 * process is due at now a write transaction that expires it (trigger "request").
 * SIGN_NOT_FOUND for an unknown process (or another organization's, or an id that is not a
 * UUID); SIGN_UNAVAILABLE when the store fails.
 */
enum sign_result sign_expiry_touch(struct store *s, const char *organization_id, const char *id,
                                   int64_t now);

/* Expires, in one write transaction, those of organization_id's processes in p[0..n) that are
 * due at now (the list's lazy expiry of one page). *n_expired: how many it expired. */
enum sign_result sign_expiry_expire_listed(struct store *s, const char *organization_id,
                                           const struct store_process *p, size_t n, int64_t now,
                                           size_t *n_expired);

/*
 * The expiry job: expires up to max processes of every organization that are due at as_of,
 * SIGN_EXPIRY_BATCH per transaction, checking *stop (may be NULL) between transactions.
 * *n_expired: how many it expired; *more: due processes remain (max reached or stopped).
 */
enum sign_result sign_expiry_run(struct store *s, int64_t as_of, const char *trigger, size_t max,
                                 const atomic_bool *stop, size_t *n_expired, bool *more);

#endif
