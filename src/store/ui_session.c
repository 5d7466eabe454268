/*
 * Signer-page sessions, codes, views and declines (migration 0014; see store/ui_session.h).
 */
#include "store/ui_session.h"

#include "core/str.h"
#include "store/sql.h"

#include <stdlib.h>

static struct store_value opt_text(const char *s)
{
    return s && *s ? SQL_TEXT(s) : SQL_NULL;
}

/* Runs a query expected to return at most one row; STORE_NOT_FOUND when it returns none. */
static enum store_status one_row(struct store_tx *tx, const char *sql,
                                 const struct store_value *params, size_t n,
                                 struct store_rows **rows)
{
    enum store_status st = sql_exec(tx, sql, params, n, rows, NULL);
    if (st == STORE_OK && store_rows_count(*rows) == 0)
        st = STORE_NOT_FOUND;
    return st;
}

enum store_status store_participant_link_find(struct store_tx *tx, const char *token_hash,
                                              struct store_participant_link *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st =
        one_row(tx,
                "SELECT id, organization_id, process_id, participant_id, token_salt, "
                "token_hash, language, back_url, success_url, scope, mode, created_at, "
                "updated_at FROM participant_links WHERE token_hash = $1",
                (struct store_value[]){SQL_TEXT(token_hash)}, 1, &r);
    if (st == STORE_OK) {
        str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
        str_copy(out->organization_id, sizeof out->organization_id, store_rows_text(r, 0, 1));
        str_copy(out->process_id, sizeof out->process_id, store_rows_text(r, 0, 2));
        str_copy(out->participant_id, sizeof out->participant_id, store_rows_text(r, 0, 3));
        str_copy(out->token_salt, sizeof out->token_salt, store_rows_text(r, 0, 4));
        str_copy(out->token_hash, sizeof out->token_hash, store_rows_text(r, 0, 5));
        str_copy(out->language, sizeof out->language, store_rows_text(r, 0, 6));
        str_copy(out->back_url, sizeof out->back_url, store_rows_text(r, 0, 7));
        str_copy(out->success_url, sizeof out->success_url, store_rows_text(r, 0, 8));
        str_copy(out->scope, sizeof out->scope, store_rows_text(r, 0, 9));
        str_copy(out->mode, sizeof out->mode, store_rows_text(r, 0, 10));
        out->created_at = store_rows_int(r, 0, 11);
        out->updated_at = store_rows_int(r, 0, 12);
    }
    store_rows_free(r);
    return st;
}

enum store_status store_open_link_find(struct store_tx *tx, const char *token_hash,
                                       struct store_open_link *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st =
        one_row(tx,
                "SELECT id, organization_id, process_id, participant_id, client_id, token_hash, "
                "language, back_url, success_url, scope, mode, created_at, expires_at "
                "FROM participant_open_links WHERE token_hash = $1",
                (struct store_value[]){SQL_TEXT(token_hash)}, 1, &r);
    if (st == STORE_OK) {
        str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
        str_copy(out->organization_id, sizeof out->organization_id, store_rows_text(r, 0, 1));
        str_copy(out->process_id, sizeof out->process_id, store_rows_text(r, 0, 2));
        str_copy(out->participant_id, sizeof out->participant_id, store_rows_text(r, 0, 3));
        str_copy(out->client_id, sizeof out->client_id, store_rows_text(r, 0, 4));
        str_copy(out->token_hash, sizeof out->token_hash, store_rows_text(r, 0, 5));
        str_copy(out->language, sizeof out->language, store_rows_text(r, 0, 6));
        str_copy(out->back_url, sizeof out->back_url, store_rows_text(r, 0, 7));
        str_copy(out->success_url, sizeof out->success_url, store_rows_text(r, 0, 8));
        str_copy(out->scope, sizeof out->scope, store_rows_text(r, 0, 9));
        str_copy(out->mode, sizeof out->mode, store_rows_text(r, 0, 10));
        out->created_at = store_rows_int(r, 0, 11);
        out->expires_at = store_rows_int(r, 0, 12);
    }
    store_rows_free(r);
    return st;
}

enum store_status store_open_code_redeem(struct store_tx *tx, const char *organization_id,
                                         const char *process_id, const char *participant_id,
                                         const char *code_hash, int64_t now)
{
    int64_t changed = 0;
    enum store_status st = sql_exec(
        tx,
        "UPDATE participant_open_codes SET redeemed_at = $5 WHERE organization_id = $1 "
        "AND process_id = $2 AND participant_id = $3 AND code_hash = $4 "
        "AND redeemed_at IS NULL AND expires_at > $5",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id),
                               SQL_TEXT(participant_id), SQL_TEXT(code_hash), SQL_INT(now)},
        5, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_NOT_FOUND;
    return st;
}

enum store_status store_ui_session_insert(struct store_tx *tx, const struct store_ui_session *s)
{
    return sql_exec(
        tx,
        "INSERT INTO ui_sessions (id, session_hash, organization_id, process_id, participant_id, "
        "link_kind, link_id, language, back_url, success_url, mode, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        (struct store_value[]){SQL_TEXT(s->id), SQL_TEXT(s->session_hash),
                               SQL_TEXT(s->organization_id), SQL_TEXT(s->process_id),
                               SQL_TEXT(s->participant_id), SQL_TEXT(s->link_kind),
                               SQL_TEXT(s->link_id), opt_text(s->language), opt_text(s->back_url),
                               opt_text(s->success_url), opt_text(s->mode), SQL_INT(s->created_at),
                               SQL_INT(s->expires_at)},
        13, NULL, NULL);
}

enum store_status store_ui_session_find(struct store_tx *tx, const char *session_hash,
                                        struct store_ui_session *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = one_row(
        tx,
        "SELECT id, session_hash, organization_id, process_id, participant_id, link_kind, "
        "link_id, language, back_url, success_url, mode, created_at, expires_at, authorized_at, "
        "authorized_by FROM ui_sessions WHERE session_hash = $1",
        (struct store_value[]){SQL_TEXT(session_hash)}, 1, &r);
    if (st == STORE_OK) {
        str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
        str_copy(out->session_hash, sizeof out->session_hash, store_rows_text(r, 0, 1));
        str_copy(out->organization_id, sizeof out->organization_id, store_rows_text(r, 0, 2));
        str_copy(out->process_id, sizeof out->process_id, store_rows_text(r, 0, 3));
        str_copy(out->participant_id, sizeof out->participant_id, store_rows_text(r, 0, 4));
        str_copy(out->link_kind, sizeof out->link_kind, store_rows_text(r, 0, 5));
        str_copy(out->link_id, sizeof out->link_id, store_rows_text(r, 0, 6));
        str_copy(out->language, sizeof out->language, store_rows_text(r, 0, 7));
        str_copy(out->back_url, sizeof out->back_url, store_rows_text(r, 0, 8));
        str_copy(out->success_url, sizeof out->success_url, store_rows_text(r, 0, 9));
        str_copy(out->mode, sizeof out->mode, store_rows_text(r, 0, 10));
        out->created_at = store_rows_int(r, 0, 11);
        out->expires_at = store_rows_int(r, 0, 12);
        out->authorized_at = store_rows_int(r, 0, 13);
        str_copy(out->authorized_by, sizeof out->authorized_by, store_rows_text(r, 0, 14));
    }
    store_rows_free(r);
    return st;
}

enum store_status store_ui_session_authorize(struct store_tx *tx, const char *organization_id,
                                             const char *id, int64_t now, const char *by)
{
    int64_t changed = 0;
    enum store_status st = sql_exec(
        tx,
        "UPDATE ui_sessions SET authorized_at = $3, authorized_by = $4 "
        "WHERE organization_id = $1 AND id = $2",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id), SQL_INT(now), SQL_TEXT(by)},
        4, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_NOT_FOUND;
    return st;
}

enum store_status store_ui_code_insert(struct store_tx *tx, const struct store_ui_code *c)
{
    return sql_exec(
        tx,
        "INSERT INTO ui_codes (id, organization_id, process_id, participant_id, session_id, "
        "purpose, channel, code_hash, created_at, expires_at, attempts) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0)",
        (struct store_value[]){SQL_TEXT(c->id), SQL_TEXT(c->organization_id),
                               SQL_TEXT(c->process_id), SQL_TEXT(c->participant_id),
                               SQL_TEXT(c->session_id), SQL_TEXT(c->purpose), SQL_TEXT(c->channel),
                               SQL_TEXT(c->code_hash), SQL_INT(c->created_at),
                               SQL_INT(c->expires_at)},
        10, NULL, NULL);
}

enum store_status store_ui_code_latest(struct store_tx *tx, const char *organization_id,
                                       const char *session_id, const char *purpose,
                                       struct store_ui_code *out)
{
    struct store_rows *r = NULL;
    memset(out, 0, sizeof *out);
    enum store_status st = one_row(
        tx,
        "SELECT id, organization_id, process_id, participant_id, session_id, purpose, channel, "
        "code_hash, created_at, expires_at, attempts, used_at FROM ui_codes "
        "WHERE organization_id = $1 AND session_id = $2 AND purpose = $3 "
        "ORDER BY created_at DESC, id DESC LIMIT 1",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(session_id), SQL_TEXT(purpose)},
        3, &r);
    if (st == STORE_OK) {
        str_copy(out->id, sizeof out->id, store_rows_text(r, 0, 0));
        str_copy(out->organization_id, sizeof out->organization_id, store_rows_text(r, 0, 1));
        str_copy(out->process_id, sizeof out->process_id, store_rows_text(r, 0, 2));
        str_copy(out->participant_id, sizeof out->participant_id, store_rows_text(r, 0, 3));
        str_copy(out->session_id, sizeof out->session_id, store_rows_text(r, 0, 4));
        str_copy(out->purpose, sizeof out->purpose, store_rows_text(r, 0, 5));
        str_copy(out->channel, sizeof out->channel, store_rows_text(r, 0, 6));
        str_copy(out->code_hash, sizeof out->code_hash, store_rows_text(r, 0, 7));
        out->created_at = store_rows_int(r, 0, 8);
        out->expires_at = store_rows_int(r, 0, 9);
        out->attempts = store_rows_int(r, 0, 10);
        out->used_at = store_rows_int(r, 0, 11);
    }
    store_rows_free(r);
    return st;
}

enum store_status store_ui_code_count_since(struct store_tx *tx, const char *organization_id,
                                            const char *process_id, const char *participant_id,
                                            const char *purpose, int64_t since, int64_t *n)
{
    struct store_rows *r = NULL;
    *n = 0;
    enum store_status st =
        one_row(tx,
                "SELECT COUNT(*) FROM ui_codes WHERE organization_id = $1 AND process_id = $2 "
                "AND participant_id = $3 AND purpose = $4 AND created_at >= $5",
                (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id),
                                       SQL_TEXT(participant_id), SQL_TEXT(purpose), SQL_INT(since)},
                5, &r);
    if (st == STORE_OK)
        *n = store_rows_int(r, 0, 0);
    store_rows_free(r);
    return st;
}

enum store_status store_ui_code_add_attempt(struct store_tx *tx, const char *organization_id,
                                            const char *id)
{
    return sql_exec(tx,
                    "UPDATE ui_codes SET attempts = attempts + 1 "
                    "WHERE organization_id = $1 AND id = $2",
                    (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id)}, 2, NULL, NULL);
}

enum store_status store_ui_code_use(struct store_tx *tx, const char *organization_id,
                                    const char *id, int64_t now)
{
    int64_t changed = 0;
    enum store_status st =
        sql_exec(tx,
                 "UPDATE ui_codes SET used_at = $3 WHERE organization_id = $1 AND id = $2 "
                 "AND used_at IS NULL",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(id), SQL_INT(now)}, 3,
                 NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_CONFLICT;
    return st;
}

enum store_status store_ui_view_mark(struct store_tx *tx, const char *organization_id,
                                     const char *session_id, const char *document_id, int64_t now)
{
    int64_t changed = 0;
    enum store_status st = sql_exec(
        tx,
        "INSERT INTO ui_session_views (session_id, organization_id, document_id, viewed_at) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (session_id, document_id) DO NOTHING",
        (struct store_value[]){SQL_TEXT(session_id), SQL_TEXT(organization_id),
                               SQL_TEXT(document_id), SQL_INT(now)},
        4, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_CONFLICT;
    return st;
}

enum store_status store_participant_decline(struct store_tx *tx, const char *organization_id,
                                            const char *process_id, const char *participant_id,
                                            int64_t now, const char *reason)
{
    int64_t changed = 0;
    enum store_status st =
        sql_exec(tx,
                 "UPDATE process_participants SET status = 'DECLINED', declined_at = $4, "
                 "decline_reason = $5 WHERE organization_id = $1 AND process_id = $2 AND id = $3 "
                 "AND type = 'SIGNER' AND status = 'PENDING'",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id),
                                        SQL_TEXT(participant_id), SQL_INT(now), SQL_TEXT(reason)},
                 5, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = STORE_CONFLICT;
    return st;
}
