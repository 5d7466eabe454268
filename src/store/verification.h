/*
 * Online identification (GwG) of signers (migration 0027; sign/verification.h): which SRS
 * registration identifies a signer of a process, and the decided outcome. Every function
 * takes the organization id and uses it in the query.
 *
 * Ownership: plain values; nothing allocated.
 */
#ifndef SIGNET_STORE_VERIFICATION_H
#define SIGNET_STORE_VERIFICATION_H

#include "store/store.h"

#include <stdint.h>

#define STORE_VERIFICATION_PAYLOAD_MAX 2048

struct store_verification {
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    char participant_id[STORE_ID_LEN];
    char registration_id[STORE_ID_LEN];
    char status[16];                              /* "PENDING" | "VERIFIED" | "REJECTED" */
    int64_t decided_at;                           /* 0 while PENDING */
    char payload[STORE_VERIFICATION_PAYLOAD_MAX]; /* "" while PENDING */
    int64_t created_at;
    char report_document_id[STORE_ID_LEN]; /* "" when none */
};

/* Records v (a new identification: status PENDING), replacing a PENDING one of the same
 * signer; STORE_CONFLICT when the signer's identification is decided already. */
enum store_status store_verification_start(struct store_tx *tx, const struct store_verification *v);
/* The signer's row; STORE_NOT_FOUND when no identification was started. */
enum store_status store_verification_get(struct store_tx *tx, const char *organization_id,
                                         const char *process_id, const char *participant_id,
                                         struct store_verification *out);
/* Decides the PENDING row of registration_id (status, decided_at, payload and
 * report_document_id from v); STORE_CONFLICT when it is no longer PENDING for that
 * registration. */
enum store_status store_verification_decide(struct store_tx *tx,
                                            const struct store_verification *v);
/* Every row of a process (at most cap) into out, *n how many. */
enum store_status store_verification_list(struct store_tx *tx, const char *organization_id,
                                          const char *process_id, struct store_verification *out,
                                          size_t cap, size_t *n);

#endif
