/*
 * Documents attached to a process and their signature positions (migration 0006). The
 * organization id is a parameter of every query: another organization's documents answer
 * STORE_NOT_FOUND like unknown ones. The PDF bytes are in the blob store (blob_hash).
 */
#include "core/str.h"
#include "store/sql.h"

#include <stdlib.h>

void store_document_clear(struct store_document *d)
{
    if (!d)
        return;
    free(d->positions);
    d->positions = NULL;
    d->n_positions = 0;
}

void store_document_list_free(struct store_document *docs, size_t n)
{
    for (size_t i = 0; docs && i < n; i++)
        store_document_clear(&docs[i]);
    free(docs);
}

enum store_status store_document_count(struct store_tx *tx, const char *organization_id,
                                       const char *process_id, int64_t *n)
{
    struct store_rows *r = NULL;
    enum store_status st = sql_exec(
        tx, "SELECT COUNT(*) FROM process_documents WHERE organization_id = $1 AND process_id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id)}, 2, &r, NULL);
    *n = st == STORE_OK && store_rows_count(r) ? store_rows_int(r, 0, 0) : 0;
    store_rows_free(r);
    return st;
}

enum store_status store_document_external_id_taken(struct store_tx *tx, const char *organization_id,
                                                   const char *process_id,
                                                   const char *external_identifier)
{
    struct store_rows *r = NULL;
    enum store_status st =
        sql_exec(tx,
                 "SELECT 1 FROM process_documents WHERE organization_id = $1 "
                 "AND process_id = $2 AND external_identifier = $3",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id),
                                        SQL_TEXT(external_identifier)},
                 3, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    store_rows_free(r);
    return st;
}

static struct store_value opt_text(const char *s)
{
    return s && *s ? SQL_TEXT(s) : SQL_NULL;
}

enum store_status store_document_insert(struct store_tx *tx, const struct store_document *d)
{
    enum store_status st =
        sql_exec(tx,
                 "INSERT INTO process_documents (id, organization_id, process_id, position, name, "
                 "external_identifier, content_type, blob_hash, size, page_count, needs_repair, "
                 "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                 (struct store_value[]){
                     SQL_TEXT(d->id), SQL_TEXT(d->organization_id), SQL_TEXT(d->process_id),
                     SQL_INT(d->position), SQL_TEXT(d->name), opt_text(d->external_identifier),
                     SQL_TEXT(d->content_type), SQL_TEXT(d->blob_hash), SQL_INT(d->size),
                     SQL_INT(d->page_count), SQL_BOOL(d->needs_repair), SQL_INT(d->created_at)},
                 12, NULL, NULL);
    for (size_t i = 0; st == STORE_OK && i < d->n_positions; i++) {
        const struct store_signature_position *p = &d->positions[i];
        st = sql_exec(
            tx,
            "INSERT INTO document_signature_positions (organization_id, process_id, document_id, "
            "position, participant_id, signer, locator, requested_page, page, x, y, offset_x, "
            "offset_y, sticker_provider) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            (struct store_value[]){
                SQL_TEXT(d->organization_id), SQL_TEXT(d->process_id), SQL_TEXT(d->id), SQL_INT(i),
                SQL_TEXT(p->participant_id), SQL_TEXT(p->signer), SQL_TEXT(p->locator),
                p->has_requested_page ? SQL_INT(p->requested_page) : SQL_NULL, SQL_INT(p->page),
                SQL_INT(p->x), SQL_INT(p->y), SQL_INT(p->offset_x), SQL_INT(p->offset_y),
                SQL_TEXT(p->sticker_provider)},
            14, NULL, NULL);
    }
    if (st != STORE_OK)
        return st;
    int64_t changed = 0;
    st = sql_exec(tx,
                  "UPDATE processes SET last_modified_at = $3 WHERE organization_id = $1 AND "
                  "id = $2",
                  (struct store_value[]){SQL_TEXT(d->organization_id), SQL_TEXT(d->process_id),
                                         SQL_INT(d->created_at)},
                  3, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_NOT_FOUND;
    return st;
}

/* A document with its newest version (LEFT JOIN: NULLs while unsigned). */
#define DOCUMENT_COLUMNS                                                                           \
    "d.id, d.organization_id, d.process_id, d.position, d.name, d.external_identifier, "           \
    "d.content_type, d.blob_hash, d.size, d.page_count, d.needs_repair, d.created_at, v.id, "      \
    "v.seq, v.kind, v.participant_id, v.blob_hash, v.size, v.created_at"
#define DOCUMENT_FROM                                                                              \
    " FROM process_documents d LEFT JOIN document_versions v ON v.organization_id = "              \
    "d.organization_id AND v.document_id = d.id AND v.seq = (SELECT MAX(w.seq) FROM "              \
    "document_versions w WHERE w.organization_id = d.organization_id AND w.document_id = d.id) "

static void document_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_document *d = elem;
    memset(d, 0, sizeof *d);
    str_copy(d->id, sizeof d->id, store_rows_text(r, i, 0));
    str_copy(d->organization_id, sizeof d->organization_id, store_rows_text(r, i, 1));
    str_copy(d->process_id, sizeof d->process_id, store_rows_text(r, i, 2));
    d->position = store_rows_int(r, i, 3);
    str_copy(d->name, sizeof d->name, store_rows_text(r, i, 4));
    str_copy(d->external_identifier, sizeof d->external_identifier, store_rows_text(r, i, 5));
    str_copy(d->content_type, sizeof d->content_type, store_rows_text(r, i, 6));
    str_copy(d->blob_hash, sizeof d->blob_hash, store_rows_text(r, i, 7));
    d->size = store_rows_int(r, i, 8);
    d->page_count = store_rows_int(r, i, 9);
    d->needs_repair = store_rows_int(r, i, 10) != 0;
    d->created_at = store_rows_int(r, i, 11);
    if (store_rows_is_null(r, i, 12))
        return;
    struct store_document_version *v = &d->last;
    str_copy(v->id, sizeof v->id, store_rows_text(r, i, 12));
    str_copy(v->organization_id, sizeof v->organization_id, d->organization_id);
    str_copy(v->process_id, sizeof v->process_id, d->process_id);
    str_copy(v->document_id, sizeof v->document_id, d->id);
    v->seq = store_rows_int(r, i, 13);
    str_copy(v->kind, sizeof v->kind, store_rows_text(r, i, 14));
    str_copy(v->participant_id, sizeof v->participant_id, store_rows_text(r, i, 15));
    str_copy(v->blob_hash, sizeof v->blob_hash, store_rows_text(r, i, 16));
    v->size = store_rows_int(r, i, 17);
    v->created_at = store_rows_int(r, i, 18);
}

#define POSITION_COLUMNS                                                                           \
    "document_id, participant_id, signer, locator, requested_page, page, x, y, offset_x, "         \
    "offset_y, sticker_provider"

/* Column 0 (document_id) is matched by the caller. */
static void position_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_signature_position *p = elem;
    memset(p, 0, sizeof *p);
    str_copy(p->participant_id, sizeof p->participant_id, store_rows_text(r, i, 1));
    str_copy(p->signer, sizeof p->signer, store_rows_text(r, i, 2));
    str_copy(p->locator, sizeof p->locator, store_rows_text(r, i, 3));
    p->has_requested_page = !store_rows_is_null(r, i, 4);
    p->requested_page = store_rows_int(r, i, 4);
    p->page = store_rows_int(r, i, 5);
    p->x = store_rows_int(r, i, 6);
    p->y = store_rows_int(r, i, 7);
    p->offset_x = store_rows_int(r, i, 8);
    p->offset_y = store_rows_int(r, i, 9);
    str_copy(p->sticker_provider, sizeof p->sticker_provider, store_rows_text(r, i, 10));
}

/* Reads the positions of the documents docs[0..n) (all of one process) and hands each its own
 * in position order. */
static enum store_status attach_positions(struct store_tx *tx, const char *organization_id,
                                          const char *process_id, const char *document_id,
                                          struct store_document *docs, size_t n)
{
    struct store_rows *r = NULL;
    enum store_status st;
    if (document_id)
        st = sql_exec(tx,
                      "SELECT " POSITION_COLUMNS " FROM document_signature_positions "
                      "WHERE organization_id = $1 AND process_id = $2 AND document_id = $3 "
                      "ORDER BY position",
                      (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id),
                                             SQL_TEXT(document_id)},
                      3, &r, NULL);
    else
        st = sql_exec(tx,
                      "SELECT " POSITION_COLUMNS " FROM document_signature_positions "
                      "WHERE organization_id = $1 AND process_id = $2 "
                      "ORDER BY document_id, position",
                      (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id)}, 2,
                      &r, NULL);
    if (st != STORE_OK)
        goto cleanup;
    size_t rows = store_rows_count(r);
    for (size_t d = 0; d < n; d++) {
        size_t count = 0;
        for (size_t i = 0; i < rows; i++)
            if (!strcmp(store_rows_text(r, i, 0), docs[d].id))
                count++;
        if (!count)
            continue;
        docs[d].positions = calloc(count, sizeof *docs[d].positions);
        if (!docs[d].positions) {
            st = STORE_ERROR;
            goto cleanup;
        }
        for (size_t i = 0; i < rows; i++)
            if (!strcmp(store_rows_text(r, i, 0), docs[d].id))
                position_from_row(r, i, &docs[d].positions[docs[d].n_positions++]);
    }
cleanup:
    store_rows_free(r);
    return st;
}

enum store_status store_document_get(struct store_tx *tx, const char *organization_id,
                                     const char *process_id, const char *ref,
                                     struct store_document *out)
{
    struct store_document *found = NULL;
    size_t n = 0;
    store_document_clear(out);
    memset(out, 0, sizeof *out);
    /* The id wins over an externalIdentifier that happens to equal another file's id. */
    enum store_status st = sql_exec_list(
        tx,
        "SELECT " DOCUMENT_COLUMNS DOCUMENT_FROM
        "WHERE d.organization_id = $1 AND d.process_id = $2 AND (d.id = $3 OR "
        "d.external_identifier = $3) ORDER BY CASE WHEN d.id = $3 THEN 0 ELSE 1 END LIMIT 1",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id), SQL_TEXT(ref)}, 3,
        sizeof *found, document_from_row, (void **)&found, &n);
    if (st != STORE_OK)
        goto cleanup;
    if (n == 0) {
        st = STORE_NOT_FOUND;
        goto cleanup;
    }
    *out = found[0];
    st = attach_positions(tx, organization_id, process_id, out->id, out, 1);
cleanup:
    free(found);
    return st;
}

enum store_status store_document_list(struct store_tx *tx, const char *organization_id,
                                      const char *process_id, struct store_document **out,
                                      size_t *n)
{
    *out = NULL;
    *n = 0;
    struct store_document *docs = NULL;
    size_t count = 0;
    enum store_status st =
        sql_exec_list(tx,
                      "SELECT " DOCUMENT_COLUMNS DOCUMENT_FROM
                      "WHERE d.organization_id = $1 AND d.process_id = $2 ORDER BY d.position",
                      (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id)}, 2,
                      sizeof *docs, document_from_row, (void **)&docs, &count);
    if (st != STORE_OK)
        return st;
    st = attach_positions(tx, organization_id, process_id, NULL, docs, count);
    if (st != STORE_OK) {
        store_document_list_free(docs, count);
        return st;
    }
    *out = docs;
    *n = count;
    return STORE_OK;
}
