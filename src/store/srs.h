/*
 * Store functions of the Smart Registration Service (migration 0020, docs/srs.md):
 * registrations, their audit records and the per-number count of one-time codes. Every
 * function that reads or changes a registration on behalf of an organization takes its id
 * and uses it in the query; lookups by a secret (link, order, terms token hash) are the
 * entry points of unauthenticated pages and partner callbacks.
 *
 * Ownership: a struct store_srs_registration filled by a get owns its blobs (sealed data);
 * release them with store_srs_registration_clear. Insert/update borrow them.
 */
#ifndef SIGNET_STORE_SRS_H
#define SIGNET_STORE_SRS_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_blob_field {
    unsigned char *data; /* NULL: the column is NULL */
    size_t len;
};

struct store_rows;
/* For the store's SQL code (store/srs.c, store/ra.c): a copy of cell (row, col) into *out
 * (data owned, free(); NULL for a NULL cell); false when out of memory. */
bool store_blob_field_copy(const struct store_rows *r, size_t row, size_t col,
                           struct store_blob_field *out);

struct store_srs_registration {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char status[24];
    char jurisdiction[8];
    char level[16];
    char methods[512]; /* JSON array text */
    char method[32];   /* "" until chosen */
    char external_identifier[256];
    char redirect_url[1024];
    char webhook_url[1024];
    char link_hash[65];
    struct store_blob_field data_key_wrapped;
    struct store_blob_field prefill_sealed;
    char connector[32];
    char order_id[65];
    char callback_digest[65];
    struct store_blob_field identity_sealed;
    struct store_blob_field evidence_sealed;
    char mobile_lookup[65];
    char rejection_reason[256];
    char code_hash[65];
    int64_t code_expires_at;
    int64_t code_attempts;
    int64_t mobile_verified_at;
    char terms_hash[65];
    int64_t terms_expires_at;
    char terms_version_hash[65];
    int64_t terms_accepted_at;
    int64_t identified_at;
    int64_t valid_until;
    int64_t link_expires_at;
    int64_t created_at;
    int64_t updated_at;
    int64_t revoked_at;
    /* The consent to share identity data and evidence with the service provider (migration
     * 0028): consent_at 0 = never decided (no consent); else the last decision's time, whether
     * it was given, and the SHA-256 (hex) of the exact consent text shown (empty for a
     * withdrawal, which shows no text). */
    bool consent_given;
    int64_t consent_at;
    char consent_text_hash[65];
};

/* Frees the blobs of r (not r itself). NULL ok. */
void store_srs_registration_clear(struct store_srs_registration *r);

enum store_status store_srs_insert(struct store_tx *tx, const struct store_srs_registration *r);
/* One registration of an organization; STORE_NOT_FOUND when unknown or another's. */
enum store_status store_srs_get(struct store_tx *tx, const char *organization_id, const char *id,
                                struct store_srs_registration *out);
/* By a secret's hash: column "link_hash", "order_id" or "terms_hash" (no other). */
enum store_status store_srs_get_by(struct store_tx *tx, const char *column, const char *value,
                                   struct store_srs_registration *out);
/* An organization's registrations, newest first, at most limit; *out owned (free the array
 * after store_srs_registration_clear on each element). */
enum store_status store_srs_list(struct store_tx *tx, const char *organization_id, size_t limit,
                                 struct store_srs_registration **out, size_t *n);
/* Writes every mutable column of r, only if the stored status is still expected_status:
 * STORE_CONFLICT otherwise (a concurrent change won). */
enum store_status store_srs_update(struct store_tx *tx, const struct store_srs_registration *r,
                                   const char *expected_status);
/* The newest ACTIVE registration for a mobile lookup of an organization with jurisdiction and
 * level whose valid_until is after now. */
enum store_status store_srs_find_active(struct store_tx *tx, const char *organization_id,
                                        const char *mobile_lookup, const char *jurisdiction,
                                        const char *level, int64_t now,
                                        struct store_srs_registration *out);

/* Appends an audit record. */
enum store_status store_srs_audit_add(struct store_tx *tx, const char *organization_id,
                                      const char *registration_id, const char *action,
                                      const char *actor, int64_t now);
/* How many audit records of a registration have this action. */
enum store_status store_srs_audit_count(struct store_tx *tx, const char *organization_id,
                                        const char *registration_id, const char *action,
                                        int64_t *count);

/* Records one code sent to mobile_lookup at now; *recent gets how many were sent since
 * `since` before this one. */
enum store_status store_srs_code_send_add(struct store_tx *tx, const char *mobile_lookup,
                                          int64_t since, int64_t now, int64_t *recent);

/* ---- webhooks (srs_webhooks) ---- */

struct store_srs_webhook {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char registration_id[STORE_ID_LEN];
    char url[1024];
    char *body; /* owned (free()) when filled by a claim */
    char status[16];
    int64_t attempts;
    int64_t next_attempt_at;
    int64_t created_at;
};

/* Queues a webhook (status QUEUED, due at w->next_attempt_at). */
enum store_status store_srs_webhook_insert(struct store_tx *tx, const struct store_srs_webhook *w);
/* Claims the oldest due webhook (QUEUED due at as_of, or SENDING whose lease ended before
 * lease_before): SENDING, attempts + 1. STORE_NOT_FOUND when none is due. out->body owned. */
enum store_status store_srs_webhook_claim(struct store_tx *tx, int64_t as_of, int64_t lease_before,
                                          struct store_srs_webhook *out);
/* Finishes an attempt: status SENT, FAILED, or QUEUED again at next_attempt_at. */
enum store_status store_srs_webhook_finish(struct store_tx *tx, const char *id, const char *status,
                                           int64_t next_attempt_at, const char *last_error);

#endif
