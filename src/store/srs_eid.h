/*
 * eID presentation requests of the Smart Registration Service (migration 0024, docs/srs.md
 * "eID"): created when the end customer asks for the QR code, found by the hash of the
 * request_uri token (the wallet fetches the request) or of the state (the wallet answers),
 * and marked used once, when a presentation is accepted.
 *
 * Ownership: a struct store_srs_eid_request filled by a get owns mobile_sealed.data; release
 * it with store_srs_eid_request_clear. Insert borrows it.
 */
#ifndef SIGNET_STORE_SRS_EID_H
#define SIGNET_STORE_SRS_EID_H

#include "store/srs.h"

#include <stdint.h>

struct store_srs_eid_request {
    char id[STORE_ID_LEN];
    char registration_id[STORE_ID_LEN];
    char order_id[65];
    char request_hash[65];
    char state_hash[65];
    char nonce_hash[65];
    struct store_blob_field mobile_sealed;
    int64_t created_at;
    int64_t expires_at;
    int64_t used_at; /* 0: not used */
};

/* Frees the blob of q (not q itself). NULL ok. */
void store_srs_eid_request_clear(struct store_srs_eid_request *q);
enum store_status store_srs_eid_insert(struct store_tx *tx, const struct store_srs_eid_request *q);
/* By column "request_hash" or "state_hash" (no other); STORE_NOT_FOUND when unknown. */
enum store_status store_srs_eid_get_by(struct store_tx *tx, const char *column, const char *value,
                                       struct store_srs_eid_request *out);
/* Marks a request used at now; STORE_CONFLICT when it already was. */
enum store_status store_srs_eid_mark_used(struct store_tx *tx, const char *id, int64_t now);

#endif
