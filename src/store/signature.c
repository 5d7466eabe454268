/*
 * Signatures made in a process and the end of its life (migration 0012): document versions,
 * a signer's signature, completion, and the archive job's queries. See store/store.h.
 */
#include "core/str.h"
#include "store/sql.h"

#include <stdlib.h>

static struct store_value opt_text(const char *s)
{
    return s && *s ? SQL_TEXT(s) : SQL_NULL;
}

enum store_status store_document_version_insert(struct store_tx *tx,
                                                const struct store_document_version *v)
{
    return sql_exec(tx,
                    "INSERT INTO document_versions (id, organization_id, process_id, document_id, "
                    "seq, kind, participant_id, blob_hash, size, created_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    (struct store_value[]){SQL_TEXT(v->id), SQL_TEXT(v->organization_id),
                                           SQL_TEXT(v->process_id), SQL_TEXT(v->document_id),
                                           SQL_INT(v->seq), SQL_TEXT(v->kind),
                                           opt_text(v->participant_id), SQL_TEXT(v->blob_hash),
                                           SQL_INT(v->size), SQL_INT(v->created_at)},
                    10, NULL, NULL);
}

static void version_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_document_version *v = elem;
    memset(v, 0, sizeof *v);
    str_copy(v->id, sizeof v->id, store_rows_text(r, i, 0));
    str_copy(v->organization_id, sizeof v->organization_id, store_rows_text(r, i, 1));
    str_copy(v->process_id, sizeof v->process_id, store_rows_text(r, i, 2));
    str_copy(v->document_id, sizeof v->document_id, store_rows_text(r, i, 3));
    v->seq = store_rows_int(r, i, 4);
    str_copy(v->kind, sizeof v->kind, store_rows_text(r, i, 5));
    str_copy(v->participant_id, sizeof v->participant_id, store_rows_text(r, i, 6));
    str_copy(v->blob_hash, sizeof v->blob_hash, store_rows_text(r, i, 7));
    v->size = store_rows_int(r, i, 8);
    v->created_at = store_rows_int(r, i, 9);
}

enum store_status store_document_version_get(struct store_tx *tx, const char *organization_id,
                                             const char *process_id, const char *id,
                                             struct store_document_version *out)
{
    struct store_document_version *found = NULL;
    size_t n = 0;
    enum store_status st = sql_exec_list(
        tx,
        "SELECT id, organization_id, process_id, document_id, seq, kind, participant_id, "
        "blob_hash, size, created_at FROM document_versions "
        "WHERE organization_id = $1 AND process_id = $2 AND id = $3",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id), SQL_TEXT(id)}, 3,
        sizeof *found, version_from_row, (void **)&found, &n);
    if (st == STORE_OK && n == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        *out = found[0];
    free(found);
    return st;
}

enum store_status store_participant_record_signature(struct store_tx *tx,
                                                     const char *organization_id,
                                                     const char *process_id,
                                                     const struct store_participant *x)
{
    int64_t changed = 0;
    enum store_status st = sql_exec(
        tx,
        "UPDATE process_participants SET status = 'SIGNED', signed_at = $4, signature_method = "
        "$5, certificate_name = $6, certificate_match = $7, certificate_issuer = $8, "
        "certificate_serial = $9 WHERE organization_id = $1 AND process_id = $2 AND id = $3 "
        "AND type = 'SIGNER' AND status = 'PENDING'",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id), SQL_TEXT(x->id),
                               SQL_INT(x->signed_at), SQL_TEXT(x->signature_method),
                               opt_text(x->certificate_name), SQL_TEXT(x->certificate_match),
                               SQL_TEXT(x->certificate_issuer), SQL_TEXT(x->certificate_serial)},
        9, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_CONFLICT;
    return st;
}

enum store_status store_process_complete(struct store_tx *tx, const char *organization_id,
                                         const char *id, int64_t now)
{
    int64_t changed = 0;
    enum store_status st =
        sql_exec(tx,
                 "UPDATE processes SET status = 'COMPLETED', ended_at = $3, last_modified_at = $3 "
                 "WHERE organization_id = $1 AND id = $2 AND status = 'PENDING'",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id), SQL_INT(now)}, 3,
                 NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_CONFLICT;
    return st;
}

static void archive_due_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_archive_due *d = elem;
    memset(d, 0, sizeof *d);
    str_copy(d->organization_id, sizeof d->organization_id, store_rows_text(r, i, 0));
    str_copy(d->id, sizeof d->id, store_rows_text(r, i, 1));
    d->ended_at = store_rows_int(r, i, 2);
}

enum store_status store_process_list_archive_due(struct store_tx *tx, int64_t ended_before,
                                                 int64_t limit, struct store_archive_due **out,
                                                 size_t *n)
{
    /* The archive job's system-wide scan (index processes_ended); each process found is then
     * claimed with its organization id in the query. */
    return sql_exec_list(tx,
                         "SELECT organization_id, id, ended_at FROM processes "
                         "WHERE archived_at IS NULL AND ended_at IS NOT NULL AND ended_at <= $1 "
                         "ORDER BY ended_at, id LIMIT $2",
                         (struct store_value[]){SQL_INT(ended_before), SQL_INT(limit)}, 2,
                         sizeof **out, archive_due_from_row, (void **)out, n);
}

enum store_status store_process_mark_archived(struct store_tx *tx, const char *organization_id,
                                              const char *id, int64_t ended_before, int64_t now)
{
    int64_t changed = 0;
    enum store_status st =
        sql_exec(tx,
                 "UPDATE processes SET archived_at = $4 WHERE organization_id = $1 AND id = $2 "
                 "AND archived_at IS NULL AND ended_at IS NOT NULL AND ended_at <= $3",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id),
                                        SQL_INT(ended_before), SQL_INT(now)},
                 4, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_NOT_FOUND;
    return st;
}

static void hash_from_row(const struct store_rows *r, size_t i, void *elem)
{
    char *h = elem;
    str_copy(h, 65, store_rows_text(r, i, 0));
}

enum store_status store_process_blob_hashes(struct store_tx *tx, const char *organization_id,
                                            const char *id, char (**out)[65], size_t *n)
{
    return sql_exec_list(tx,
                         "SELECT blob_hash FROM process_documents WHERE organization_id = $1 "
                         "AND process_id = $2 UNION SELECT blob_hash FROM document_versions "
                         "WHERE organization_id = $1 AND process_id = $2",
                         (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id)}, 2,
                         sizeof **out, hash_from_row, (void **)out, n);
}

enum store_status store_blob_in_use(struct store_tx *tx, const char *hash_hex)
{
    struct store_rows *r = NULL;
    enum store_status st =
        sql_exec(tx,
                 "SELECT 1 FROM process_documents d JOIN processes p ON p.id = d.process_id "
                 "WHERE d.blob_hash = $1 AND p.archived_at IS NULL UNION ALL "
                 "SELECT 1 FROM document_versions v JOIN processes p ON p.id = v.process_id "
                 "WHERE v.blob_hash = $1 AND p.archived_at IS NULL LIMIT 1",
                 (struct store_value[]){SQL_TEXT(hash_hex)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    store_rows_free(r);
    return st;
}
