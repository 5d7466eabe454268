/*
 * Setup-page links, sessions and process edits (migration 0018; see store/setup_page.h).
 */
#include "store/setup_page.h"

#include "core/str.h"
#include "store/sql.h"

#include <stdlib.h>

static struct store_value opt_text(const char *s)
{
    return s && *s ? SQL_TEXT(s) : SQL_NULL;
}

/* STORE_OK when organization_id's process_id is CREATED, STORE_CONFLICT when it is in another
 * state, STORE_NOT_FOUND when unknown. */
static enum store_status require_created(struct store_tx *tx, const char *organization_id,
                                         const char *process_id)
{
    struct store_rows *r = NULL;
    enum store_status st = sql_exec(
        tx, "SELECT status FROM processes WHERE organization_id = $1 AND id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id)}, 2, &r, NULL);
    if (st == STORE_OK) {
        if (store_rows_count(r) == 0)
            st = STORE_NOT_FOUND;
        else if (strcmp(store_rows_text(r, 0, 0), "CREATED") != 0)
            st = STORE_CONFLICT;
    }
    store_rows_free(r);
    return st;
}

static enum store_status touch(struct store_tx *tx, const char *organization_id,
                               const char *process_id, int64_t now)
{
    return sql_exec(
        tx,
        "UPDATE processes SET last_modified_at = $3 WHERE organization_id = $1 AND "
        "id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id), SQL_INT(now)}, 3,
        NULL, NULL);
}

enum store_status store_setup_link_find(struct store_tx *tx, const char *token_hash,
                                        struct store_setup_link_row *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(
        tx,
        "SELECT id, organization_id, process_id, client_id, token_hash, language, back_url, "
        "success_url, scope, mode, created_at, expires_at, revoked_at "
        "FROM process_setup_links WHERE token_hash = $1",
        (struct store_value[]){SQL_TEXT(token_hash)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        struct store_setup_link *k = &out->link;
        str_copy(k->id, sizeof k->id, store_rows_text(r, 0, 0));
        str_copy(k->organization_id, sizeof k->organization_id, store_rows_text(r, 0, 1));
        str_copy(k->process_id, sizeof k->process_id, store_rows_text(r, 0, 2));
        str_copy(k->client_id, sizeof k->client_id, store_rows_text(r, 0, 3));
        str_copy(k->token_hash, sizeof k->token_hash, store_rows_text(r, 0, 4));
        str_copy(k->language, sizeof k->language, store_rows_text(r, 0, 5));
        str_copy(k->back_url, sizeof k->back_url, store_rows_text(r, 0, 6));
        str_copy(k->success_url, sizeof k->success_url, store_rows_text(r, 0, 7));
        str_copy(k->scope, sizeof k->scope, store_rows_text(r, 0, 8));
        str_copy(k->mode, sizeof k->mode, store_rows_text(r, 0, 9));
        k->created_at = store_rows_int(r, 0, 10);
        k->expires_at = store_rows_int(r, 0, 11);
        out->revoked_at = store_rows_int(r, 0, 12);
    }
    store_rows_free(r);
    return st;
}

enum store_status store_setup_session_insert(struct store_tx *tx,
                                             const struct store_setup_session *s)
{
    return sql_exec(tx,
                    "INSERT INTO setup_sessions (id, session_hash, organization_id, process_id, "
                    "link_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    (struct store_value[]){SQL_TEXT(s->id), SQL_TEXT(s->session_hash),
                                           SQL_TEXT(s->organization_id), SQL_TEXT(s->process_id),
                                           SQL_TEXT(s->link_id), SQL_INT(s->created_at),
                                           SQL_INT(s->expires_at)},
                    7, NULL, NULL);
}

enum store_status store_setup_session_find(struct store_tx *tx, const char *session_hash,
                                           struct store_setup_session *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(
        tx,
        "SELECT s.id, s.session_hash, s.organization_id, s.process_id, s.link_id, s.created_at, "
        "s.expires_at, l.client_id, l.language, l.back_url, l.success_url, l.mode, "
        "l.expires_at, l.revoked_at FROM setup_sessions s JOIN process_setup_links l "
        "ON l.id = s.link_id AND l.organization_id = s.organization_id "
        "WHERE s.session_hash = $1",
        (struct store_value[]){SQL_TEXT(session_hash)}, 1, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
        str_copy(out->session_hash, sizeof out->session_hash, store_rows_text(r, 0, 1));
        str_copy(out->organization_id, sizeof out->organization_id, store_rows_text(r, 0, 2));
        str_copy(out->process_id, sizeof out->process_id, store_rows_text(r, 0, 3));
        str_copy(out->link_id, sizeof out->link_id, store_rows_text(r, 0, 4));
        out->created_at = store_rows_int(r, 0, 5);
        out->expires_at = store_rows_int(r, 0, 6);
        str_copy(out->client_id, sizeof out->client_id, store_rows_text(r, 0, 7));
        str_copy(out->language, sizeof out->language, store_rows_text(r, 0, 8));
        str_copy(out->back_url, sizeof out->back_url, store_rows_text(r, 0, 9));
        str_copy(out->success_url, sizeof out->success_url, store_rows_text(r, 0, 10));
        str_copy(out->mode, sizeof out->mode, store_rows_text(r, 0, 11));
        out->link_expires_at = store_rows_int(r, 0, 12);
        out->link_revoked_at = store_rows_int(r, 0, 13);
    }
    store_rows_free(r);
    return st;
}

enum store_status store_setup_signers_replace(struct store_tx *tx, const char *organization_id,
                                              const char *process_id,
                                              const struct store_participant *signers, size_t n,
                                              int64_t now)
{
    enum store_status st = require_created(tx, organization_id, process_id);
    if (st != STORE_OK)
        return st;
    /* Park the current signers at negative positions, so that renumbering never collides with
     * UNIQUE (process_id, position); the ones still parked at the end were removed. */
    st = sql_exec(tx,
                  "UPDATE process_participants SET position = -position "
                  "WHERE organization_id = $1 AND process_id = $2 AND type = 'SIGNER'",
                  (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id)}, 2, NULL,
                  NULL);
    for (size_t i = 0; st == STORE_OK && i < n; i++) {
        const struct store_participant *x = &signers[i];
        int64_t changed = 0;
        st = sql_exec(
            tx,
            "UPDATE process_participants SET position = $4, first_name = $5, last_name = $6, "
            "email = $7, mobile = $8 WHERE organization_id = $1 AND process_id = $2 AND id = $3 "
            "AND type = 'SIGNER'",
            (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id), SQL_TEXT(x->id),
                                   SQL_INT(i + 1), opt_text(x->first_name), opt_text(x->last_name),
                                   opt_text(x->email), opt_text(x->mobile)},
            8, NULL, &changed);
        if (st != STORE_OK || changed == 1)
            continue;
        st = sql_exec(
            tx,
            "INSERT INTO process_participants (id, organization_id, process_id, position, type, "
            "external_identifier, first_name, last_name, name, email, mobile, role, "
            "resident_permit, status) "
            "VALUES ($1, $2, $3, $4, 'SIGNER', $5, $6, $7, NULL, $8, $9, $10, $11, $12)",
            (struct store_value[]){SQL_TEXT(x->id), SQL_TEXT(organization_id), SQL_TEXT(process_id),
                                   SQL_INT(i + 1), opt_text(x->external_identifier),
                                   opt_text(x->first_name), opt_text(x->last_name),
                                   opt_text(x->email), opt_text(x->mobile), opt_text(x->role),
                                   x->resident_permit < 0 ? SQL_NULL : SQL_INT(x->resident_permit),
                                   opt_text(x->status)},
            12, NULL, NULL);
    }
    if (st == STORE_OK)
        st = sql_exec(tx,
                      "DELETE FROM document_signature_positions WHERE organization_id = $1 AND "
                      "process_id = $2 AND participant_id IN (SELECT id FROM "
                      "process_participants WHERE organization_id = $1 AND process_id = $2 AND "
                      "type = 'SIGNER' AND position < 0)",
                      (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id)}, 2,
                      NULL, NULL);
    if (st == STORE_OK)
        st = sql_exec(tx,
                      "DELETE FROM process_participants WHERE organization_id = $1 AND "
                      "process_id = $2 AND type = 'SIGNER' AND position < 0",
                      (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id)}, 2,
                      NULL, NULL);
    if (st == STORE_OK)
        st = touch(tx, organization_id, process_id, now);
    return st;
}

enum store_status store_setup_positions_replace(struct store_tx *tx, const char *organization_id,
                                                const char *process_id, const char *document_id,
                                                const struct store_signature_position *positions,
                                                size_t n, int64_t now)
{
    enum store_status st = require_created(tx, organization_id, process_id);
    if (st != STORE_OK)
        return st;
    struct store_rows *r = NULL;
    st = sql_exec(tx,
                  "SELECT id FROM process_documents WHERE organization_id = $1 AND "
                  "process_id = $2 AND id = $3",
                  (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id),
                                         SQL_TEXT(document_id)},
                  3, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    store_rows_free(r);
    if (st == STORE_OK)
        st = sql_exec(tx,
                      "DELETE FROM document_signature_positions WHERE organization_id = $1 AND "
                      "process_id = $2 AND document_id = $3",
                      (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id),
                                             SQL_TEXT(document_id)},
                      3, NULL, NULL);
    for (size_t i = 0; st == STORE_OK && i < n; i++) {
        const struct store_signature_position *p = &positions[i];
        st = sql_exec(
            tx,
            "INSERT INTO document_signature_positions (organization_id, process_id, document_id, "
            "position, participant_id, signer, locator, requested_page, page, x, y, offset_x, "
            "offset_y, sticker_provider) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            (struct store_value[]){
                SQL_TEXT(organization_id), SQL_TEXT(process_id), SQL_TEXT(document_id), SQL_INT(i),
                SQL_TEXT(p->participant_id), SQL_TEXT(p->signer), SQL_TEXT(p->locator),
                p->has_requested_page ? SQL_INT(p->requested_page) : SQL_NULL, SQL_INT(p->page),
                SQL_INT(p->x), SQL_INT(p->y), SQL_INT(p->offset_x), SQL_INT(p->offset_y),
                SQL_TEXT(p->sticker_provider)},
            14, NULL, NULL);
    }
    if (st == STORE_OK)
        st = touch(tx, organization_id, process_id, now);
    return st;
}

enum store_status store_setup_level_set(struct store_tx *tx, const char *organization_id,
                                        const char *process_id, const char *level, int64_t now)
{
    enum store_status st = require_created(tx, organization_id, process_id);
    if (st != STORE_OK)
        return st;
    return sql_exec(tx,
                    "UPDATE processes SET signature_level = $3, last_modified_at = $4 "
                    "WHERE organization_id = $1 AND id = $2",
                    (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id),
                                           SQL_TEXT(level), SQL_INT(now)},
                    4, NULL, NULL);
}
