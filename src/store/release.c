/*
 * Release settings, participant links, open links and one-time codes (migration 0008). The
 * organization id is a parameter of every query: another organization's rows answer
 * STORE_NOT_FOUND like unknown ones.
 */
#include "store/release.h"

#include "core/str.h"
#include "store/sql.h"

#include <stdlib.h>

/* "" is stored as NULL so that optional fields read back as absent. */
static struct store_value opt_text(const char *s)
{
    return s && *s ? SQL_TEXT(s) : SQL_NULL;
}

enum store_status store_release_insert(struct store_tx *tx, const struct store_release *r)
{
    int64_t changed = 0;
    enum store_status st =
        sql_exec(tx,
                 "UPDATE processes SET status = 'PENDING', valid_until = $3, "
                 "last_modified_at = $4 WHERE organization_id = $1 AND id = $2 "
                 "AND status = 'CREATED'",
                 (struct store_value[]){SQL_TEXT(r->organization_id), SQL_TEXT(r->process_id),
                                        SQL_INT(r->valid_until), SQL_INT(r->released_at)},
                 4, NULL, &changed);
    if (st != STORE_OK)
        return st;
    if (changed != 1)
        return STORE_CONFLICT;
    /* Released: the signers are invited now (SignerStatus WAITING → PENDING). */
    st = sql_exec(tx,
                  "UPDATE process_participants SET status = 'PENDING' "
                  "WHERE organization_id = $1 AND process_id = $2 AND type = 'SIGNER' "
                  "AND status = 'WAITING'",
                  (struct store_value[]){SQL_TEXT(r->organization_id), SQL_TEXT(r->process_id)}, 2,
                  NULL, NULL);
    if (st != STORE_OK)
        return st;
    return sql_exec(
        tx,
        "INSERT INTO process_release (process_id, organization_id, client_id, released_at, "
        "valid_until, notify, locale, suppress, reminder_interval, reminder_before_expiry, "
        "signature_methods) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        (struct store_value[]){SQL_TEXT(r->process_id), SQL_TEXT(r->organization_id),
                               SQL_TEXT(r->client_id), SQL_INT(r->released_at),
                               SQL_INT(r->valid_until), SQL_BOOL(r->notify), opt_text(r->locale),
                               SQL_TEXT(r->suppress), opt_text(r->reminder_interval),
                               SQL_TEXT(r->reminder_before_expiry), SQL_TEXT(r->signature_methods)},
        11, NULL, NULL);
}

enum store_status store_release_get(struct store_tx *tx, const char *organization_id,
                                    const char *process_id, struct store_release *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = sql_exec(
        tx,
        "SELECT process_id, organization_id, client_id, released_at, valid_until, notify, "
        "locale, suppress, reminder_interval, reminder_before_expiry, signature_methods "
        "FROM process_release WHERE organization_id = $1 AND process_id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id)}, 2, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK) {
        str_copy(out->process_id, sizeof out->process_id, store_rows_text(r, 0, 0));
        str_copy(out->organization_id, sizeof out->organization_id, store_rows_text(r, 0, 1));
        str_copy(out->client_id, sizeof out->client_id, store_rows_text(r, 0, 2));
        out->released_at = store_rows_int(r, 0, 3);
        out->valid_until = store_rows_int(r, 0, 4);
        out->notify = store_rows_int(r, 0, 5) != 0;
        str_copy(out->locale, sizeof out->locale, store_rows_text(r, 0, 6));
        str_copy(out->suppress, sizeof out->suppress, store_rows_text(r, 0, 7));
        str_copy(out->reminder_interval, sizeof out->reminder_interval, store_rows_text(r, 0, 8));
        str_copy(out->reminder_before_expiry, sizeof out->reminder_before_expiry,
                 store_rows_text(r, 0, 9));
        str_copy(out->signature_methods, sizeof out->signature_methods, store_rows_text(r, 0, 10));
    }
    store_rows_free(r);
    return st;
}

enum store_status store_participant_link_insert(struct store_tx *tx,
                                                const struct store_participant_link *l)
{
    return sql_exec(
        tx,
        "INSERT INTO participant_links (id, organization_id, process_id, participant_id, "
        "token_salt, token_hash, language, back_url, success_url, scope, mode, created_at, "
        "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        (struct store_value[]){
            SQL_TEXT(l->id), SQL_TEXT(l->organization_id), SQL_TEXT(l->process_id),
            SQL_TEXT(l->participant_id), SQL_TEXT(l->token_salt), SQL_TEXT(l->token_hash),
            opt_text(l->language), opt_text(l->back_url), opt_text(l->success_url),
            opt_text(l->scope), opt_text(l->mode), SQL_INT(l->created_at), SQL_INT(l->updated_at)},
        13, NULL, NULL);
}

static void link_from_row(const struct store_rows *r, size_t i, void *elem)
{
    struct store_participant_link *l = elem;
    memset(l, 0, sizeof *l);
    str_copy(l->id, sizeof l->id, store_rows_text(r, i, 0));
    str_copy(l->organization_id, sizeof l->organization_id, store_rows_text(r, i, 1));
    str_copy(l->process_id, sizeof l->process_id, store_rows_text(r, i, 2));
    str_copy(l->participant_id, sizeof l->participant_id, store_rows_text(r, i, 3));
    str_copy(l->token_salt, sizeof l->token_salt, store_rows_text(r, i, 4));
    str_copy(l->token_hash, sizeof l->token_hash, store_rows_text(r, i, 5));
    str_copy(l->language, sizeof l->language, store_rows_text(r, i, 6));
    str_copy(l->back_url, sizeof l->back_url, store_rows_text(r, i, 7));
    str_copy(l->success_url, sizeof l->success_url, store_rows_text(r, i, 8));
    str_copy(l->scope, sizeof l->scope, store_rows_text(r, i, 9));
    str_copy(l->mode, sizeof l->mode, store_rows_text(r, i, 10));
    l->created_at = store_rows_int(r, i, 11);
    l->updated_at = store_rows_int(r, i, 12);
}

enum store_status store_participant_link_list(struct store_tx *tx, const char *organization_id,
                                              const char *process_id,
                                              struct store_participant_link **out, size_t *n)
{
    return sql_exec_list(
        tx,
        "SELECT id, organization_id, process_id, participant_id, token_salt, token_hash, "
        "language, back_url, success_url, scope, mode, created_at, updated_at "
        "FROM participant_links WHERE organization_id = $1 AND process_id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id)}, 2, sizeof **out,
        link_from_row, (void **)out, n);
}

enum store_status store_participant_link_save_settings(struct store_tx *tx,
                                                       const struct store_participant_link *l)
{
    int64_t changed = 0;
    enum store_status st = sql_exec(
        tx,
        "UPDATE participant_links SET language = $4, back_url = $5, success_url = $6, "
        "scope = $7, mode = $8, updated_at = $9 "
        "WHERE organization_id = $1 AND process_id = $2 AND participant_id = $3",
        (struct store_value[]){SQL_TEXT(l->organization_id), SQL_TEXT(l->process_id),
                               SQL_TEXT(l->participant_id), opt_text(l->language),
                               opt_text(l->back_url), opt_text(l->success_url), opt_text(l->scope),
                               opt_text(l->mode), SQL_INT(l->updated_at)},
        9, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_NOT_FOUND;
    return st;
}

enum store_status store_open_link_insert(struct store_tx *tx, const struct store_open_link *l)
{
    return sql_exec(
        tx,
        "INSERT INTO participant_open_links (id, organization_id, process_id, participant_id, "
        "client_id, token_hash, language, back_url, success_url, scope, mode, created_at, "
        "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        (struct store_value[]){
            SQL_TEXT(l->id), SQL_TEXT(l->organization_id), SQL_TEXT(l->process_id),
            SQL_TEXT(l->participant_id), SQL_TEXT(l->client_id), SQL_TEXT(l->token_hash),
            opt_text(l->language), opt_text(l->back_url), opt_text(l->success_url),
            opt_text(l->scope), SQL_TEXT(l->mode), SQL_INT(l->created_at), SQL_INT(l->expires_at)},
        13, NULL, NULL);
}

enum store_status store_open_code_insert(struct store_tx *tx, const struct store_open_code *c)
{
    return sql_exec(
        tx,
        "INSERT INTO participant_open_codes (id, organization_id, process_id, participant_id, "
        "code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        (struct store_value[]){SQL_TEXT(c->id), SQL_TEXT(c->organization_id),
                               SQL_TEXT(c->process_id), SQL_TEXT(c->participant_id),
                               SQL_TEXT(c->code_hash), SQL_INT(c->created_at),
                               SQL_INT(c->expires_at)},
        7, NULL, NULL);
}
