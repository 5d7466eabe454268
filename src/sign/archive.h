/*
 * Archiving of ended processes (sign-api-v2: Process.archiveOn / archivedOn — "Files are only
 * available until the process has been archived"; getFile answers 410 afterwards).
 *
 * A process that became COMPLETED or EXPIRED at ended_at is due for archiving at
 * archiveOn = ended_at + retention (config `retention`, default P90D). The "archive" job
 * claims each due process with a conditional UPDATE (archived_at, so only one node does it),
 * appends an audit record (action "transaction", status SUCCESS, extras transaction_event
 * ARCHIVED, transaction_trigger) in the same transaction, and afterwards deletes the blobs of
 * its documents and signed versions that no process still holding its files names (blobs are
 * shared by content). A blob written in the last SIGN_ARCHIVE_BLOB_GRACE_MS is kept: an
 * attach of the same bytes may be about to name it. The process, its participants, its audit
 * trail and the documents' metadata stay. Nothing here knows HTTP or SQL.
 */
#ifndef SIGNET_SIGN_ARCHIVE_H
#define SIGNET_SIGN_ARCHIVE_H

#include "sign/process.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIGN_ARCHIVE_BLOB_GRACE_MS ((int64_t)3600 * 1000)

/* archiveOn of a process that ended at ended_at (0 while it runs: 0). */
int64_t sign_archive_on(int64_t ended_at, int64_t retention_ms);

/*
 * The archive job: archives up to max processes (of every organization) whose archiveOn is at
 * or before as_of, one transaction each, checking *stop (may be NULL) between them.
 * *n_archived: how many it archived; *more: due processes remain.
 */
enum sign_result sign_archive_run(struct store *s, int64_t retention_ms, int64_t as_of,
                                  const char *trigger, size_t max, const atomic_bool *stop,
                                  size_t *n_archived, bool *more);

#endif
