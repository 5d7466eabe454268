/* Archiving of ended processes: see sign/archive.h. */
#include "sign/archive.h"

#include "core/isotime.h"
#include "core/log.h"

#include <stdlib.h>
#include <string.h>

#define ARCHIVE_SCAN 100 /* due processes read per scan */

int64_t sign_archive_on(int64_t ended_at, int64_t retention_ms)
{
    return ended_at > 0 ? ended_at + retention_ms : 0;
}

struct scan_op {
    int64_t ended_before, limit;
    struct store_archive_due *due;
    size_t n;
};

static enum store_status scan_tx(struct store_tx *tx, void *cls)
{
    struct scan_op *op = cls;
    free(op->due);
    op->due = NULL;
    op->n = 0;
    return store_process_list_archive_due(tx, op->ended_before, op->limit, &op->due, &op->n);
}

struct archive_op {
    const struct store_archive_due *p;
    int64_t ended_before, now;
    const char *trigger;
    bool archived;
    char (*hashes)[65];
    size_t n_hashes;
};

static enum store_status archive_tx(struct store_tx *tx, void *cls)
{
    struct archive_op *op = cls;
    op->archived = false;
    free(op->hashes);
    op->hashes = NULL;
    op->n_hashes = 0;
    enum store_status st = store_process_mark_archived(tx, op->p->organization_id, op->p->id,
                                                       op->ended_before, op->now);
    if (st == STORE_NOT_FOUND)
        return STORE_OK; /* another node archived it first */
    if (st != STORE_OK)
        return st;
    st = store_process_blob_hashes(tx, op->p->organization_id, op->p->id, &op->hashes,
                                   &op->n_hashes);
    if (st != STORE_OK)
        return st;
    char ended[ISO_DATETIME_LEN];
    iso_format_datetime(op->p->ended_at, false, ended);
    json_t *extras = json_pack("{s:s, s:s, s:s}", "transaction_event", "ARCHIVED",
                               "transaction_endedOn", ended, "transaction_trigger", op->trigger);
    if (!extras)
        return STORE_ERROR;
    st = sign_audit_append(tx, op->p->organization_id, op->p->id, op->now, "transaction", "SUCCESS",
                           extras);
    json_decref(extras);
    if (st == STORE_OK)
        op->archived = true;
    return st;
}

struct in_use_op {
    const char *hash;
    bool in_use;
};

static enum store_status in_use_tx(struct store_tx *tx, void *cls)
{
    struct in_use_op *op = cls;
    enum store_status st = store_blob_in_use(tx, op->hash);
    op->in_use = st == STORE_OK;
    return st == STORE_NOT_FOUND ? STORE_OK : st;
}

/* Deletes the blobs of an archived process that nothing else still needs. */
static void delete_blobs(struct store *s, char (*hashes)[65], size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        struct in_use_op op = {.hash = hashes[i]};
        if (store_run(s, STORE_READ, in_use_tx, &op) != STORE_OK || op.in_use)
            continue;
        enum store_status st = store_blob_delete(s, hashes[i], now - SIGN_ARCHIVE_BLOB_GRACE_MS);
        if (st != STORE_OK && st != STORE_NOT_FOUND && st != STORE_CONFLICT)
            log_warn("archive: blob %.12s… cannot be deleted: %s", hashes[i],
                     store_status_name(st));
    }
}

enum sign_result sign_archive_run(struct store *s, int64_t retention_ms, int64_t as_of,
                                  const char *trigger, size_t max, const atomic_bool *stop,
                                  size_t *n_archived, bool *more)
{
    *n_archived = 0;
    *more = false;
    enum sign_result res = SIGN_OK;
    struct scan_op scan = {.ended_before = as_of - retention_ms};
    for (;;) {
        if (*n_archived >= max || (stop && atomic_load(stop))) {
            *more = true;
            break;
        }
        size_t left = max - *n_archived;
        scan.limit = (int64_t)(left < ARCHIVE_SCAN ? left : ARCHIVE_SCAN);
        enum store_status st = store_run(s, STORE_READ, scan_tx, &scan);
        if (st != STORE_OK) {
            log_error("archive: the scan failed (%s)", store_status_name(st));
            res = SIGN_UNAVAILABLE;
            break;
        }
        size_t claimed = 0;
        for (size_t i = 0; i < scan.n && !(stop && atomic_load(stop)); i++) {
            struct archive_op op = {.p = &scan.due[i],
                                    .ended_before = scan.ended_before,
                                    .now = time_now_ms(),
                                    .trigger = trigger};
            st = store_run(s, STORE_WRITE, archive_tx, &op);
            if (st == STORE_OK && op.archived) {
                (*n_archived)++;
                claimed++;
                delete_blobs(s, op.hashes, op.n_hashes, op.now);
            }
            free(op.hashes);
            if (st != STORE_OK) {
                log_error("archive: process %s cannot be archived: %s", scan.due[i].id,
                          store_status_name(st));
                res = SIGN_UNAVAILABLE;
                break;
            }
        }
        if (res != SIGN_OK || scan.n < (size_t)scan.limit)
            break; /* nothing more is due (or a failure) */
        if (claimed == 0)
            break; /* another node is archiving the same ones */
    }
    free(scan.due);
    return res;
}
