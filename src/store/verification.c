/*
 * Online identification (GwG) of signers (migration 0027; see store/verification.h).
 */
#include "store/verification.h"

#include "core/str.h"
#include "store/sql.h"

#include <string.h>

#define COLUMNS                                                                                    \
    "organization_id, process_id, participant_id, registration_id, status, decided_at, "           \
    "payload, created_at, report_document_id"

static void from_row(const struct store_rows *r, size_t i, struct store_verification *v)
{
    memset(v, 0, sizeof *v);
    str_copy(v->organization_id, sizeof v->organization_id, store_rows_text(r, i, 0));
    str_copy(v->process_id, sizeof v->process_id, store_rows_text(r, i, 1));
    str_copy(v->participant_id, sizeof v->participant_id, store_rows_text(r, i, 2));
    str_copy(v->registration_id, sizeof v->registration_id, store_rows_text(r, i, 3));
    str_copy(v->status, sizeof v->status, store_rows_text(r, i, 4));
    v->decided_at = store_rows_is_null(r, i, 5) ? 0 : store_rows_int(r, i, 5);
    str_copy(v->payload, sizeof v->payload, store_rows_text(r, i, 6));
    v->created_at = store_rows_int(r, i, 7);
    str_copy(v->report_document_id, sizeof v->report_document_id, store_rows_text(r, i, 8));
}

enum store_status store_verification_start(struct store_tx *tx, const struct store_verification *v)
{
    int64_t changes = 0;
    enum store_status st =
        sql_exec(tx,
                 "UPDATE signer_verifications SET registration_id = $4, created_at = $5 "
                 "WHERE organization_id = $1 AND process_id = $2 AND participant_id = $3 "
                 "AND status = 'PENDING'",
                 (struct store_value[]){SQL_TEXT(v->organization_id), SQL_TEXT(v->process_id),
                                        SQL_TEXT(v->participant_id), SQL_TEXT(v->registration_id),
                                        SQL_INT(v->created_at)},
                 5, NULL, &changes);
    if (st != STORE_OK || changes == 1)
        return st;
    return sql_exec(tx,
                    "INSERT INTO signer_verifications (" COLUMNS
                    ") VALUES ($1, $2, $3, $4, 'PENDING', NULL, NULL, $5, NULL)",
                    (struct store_value[]){SQL_TEXT(v->organization_id), SQL_TEXT(v->process_id),
                                           SQL_TEXT(v->participant_id),
                                           SQL_TEXT(v->registration_id), SQL_INT(v->created_at)},
                    5, NULL, NULL);
}

enum store_status store_verification_get(struct store_tx *tx, const char *organization_id,
                                         const char *process_id, const char *participant_id,
                                         struct store_verification *out)
{
    struct store_rows *r = NULL;
    enum store_status st =
        sql_exec(tx,
                 "SELECT " COLUMNS " FROM signer_verifications "
                 "WHERE organization_id = $1 AND process_id = $2 AND participant_id = $3",
                 (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id),
                                        SQL_TEXT(participant_id)},
                 3, &r, NULL);
    if (st == STORE_OK && store_rows_count(r) == 0)
        st = STORE_NOT_FOUND;
    if (st == STORE_OK)
        from_row(r, 0, out);
    store_rows_free(r);
    return st;
}

enum store_status store_verification_decide(struct store_tx *tx, const struct store_verification *v)
{
    return sql_exec_one(
        tx,
        "UPDATE signer_verifications SET status = $5, decided_at = $6, payload = $7, "
        "report_document_id = $8 "
        "WHERE organization_id = $1 AND process_id = $2 AND participant_id = $3 "
        "AND registration_id = $4 AND status = 'PENDING'",
        (struct store_value[]){SQL_TEXT(v->organization_id), SQL_TEXT(v->process_id),
                               SQL_TEXT(v->participant_id), SQL_TEXT(v->registration_id),
                               SQL_TEXT(v->status), SQL_INT(v->decided_at), SQL_TEXT(v->payload),
                               v->report_document_id[0] ? SQL_TEXT(v->report_document_id)
                                                        : SQL_NULL},
        8, STORE_CONFLICT);
}

enum store_status store_verification_list(struct store_tx *tx, const char *organization_id,
                                          const char *process_id, struct store_verification *out,
                                          size_t cap, size_t *n)
{
    struct store_rows *r = NULL;
    *n = 0;
    enum store_status st = sql_exec(
        tx,
        "SELECT " COLUMNS " FROM signer_verifications "
        "WHERE organization_id = $1 AND process_id = $2 ORDER BY participant_id",
        (struct store_value[]){SQL_TEXT(organization_id), SQL_TEXT(process_id)}, 2, &r, NULL);
    for (size_t i = 0; st == STORE_OK && i < store_rows_count(r) && *n < cap; i++)
        from_row(r, i, &out[(*n)++]);
    store_rows_free(r);
    return st;
}
