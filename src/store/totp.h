/*
 * Store functions of authenticator-app (TOTP) enrolments (migration 0016, docs/signer-pages.md)
 * and of the per-session count of wrong app codes. Every function takes the organization id and
 * uses it in its query. The secret is stored only sealed (core/crypto.h crypto_seal).
 */
#ifndef SIGNET_STORE_TOTP_H
#define SIGNET_STORE_TOTP_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

#define STORE_TOTP_SEALED_MAX 128

/* An enrolment (confirmed_at 0 before the first valid code; last_step -1 before any use). */
struct store_totp_enrolment {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    char participant_id[STORE_ID_LEN];
    unsigned char secret_sealed[STORE_TOTP_SEALED_MAX];
    size_t secret_sealed_len;
    int64_t created_at;
    int64_t confirmed_at;
    int64_t last_step;
};

/* The participant's enrolment into *out; STORE_NOT_FOUND when it has none. */
enum store_status store_totp_get(struct store_tx *tx, const char *organization_id,
                                 const char *participant_id, struct store_totp_enrolment *out);
/* Inserts e (confirmed_at and last_step as given); STORE_CONFLICT when the participant has one. */
enum store_status store_totp_insert(struct store_tx *tx, const struct store_totp_enrolment *e);
/*
 * Records that step was accepted for enrolment id at now: last_step = step, and confirmed_at =
 * now when it was not confirmed. Only when step is newer than the stored last_step, so two
 * concurrent uses of one step cannot both succeed: STORE_CONFLICT when it is not.
 */
enum store_status store_totp_use_step(struct store_tx *tx, const char *organization_id,
                                      const char *id, int64_t step, int64_t now);

/* The number of wrong app codes entered in session session_id into *n. */
enum store_status store_ui_session_app_failures(struct store_tx *tx, const char *organization_id,
                                                const char *session_id, int64_t *n);
/* One more wrong app code in session session_id. */
enum store_status store_ui_session_app_failure_add(struct store_tx *tx, const char *organization_id,
                                                   const char *session_id);

#endif
