/*
 * Store functions of passkey (WebAuthn) credentials and of the open challenges of page
 * sessions (migration 0017, docs/signer-pages.md "Passkey"). Every function takes the
 * organization id and uses it in its query. Only the SHA-256 of a challenge is stored.
 */
#ifndef SIGNET_STORE_PASSKEY_H
#define SIGNET_STORE_PASSKEY_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

#define STORE_PASSKEY_CREDENTIAL_ID_MAX 1023
#define STORE_PASSKEY_PUBLIC_KEY_MAX    1024
#define STORE_PASSKEY_USER_HANDLE_LEN   16

/* A participant's credential (last_used_at 0 before its first assertion). */
struct store_passkey {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    char participant_id[STORE_ID_LEN];
    unsigned char credential_id[STORE_PASSKEY_CREDENTIAL_ID_MAX];
    size_t credential_id_len;
    unsigned char public_key[STORE_PASSKEY_PUBLIC_KEY_MAX]; /* DER SubjectPublicKeyInfo */
    size_t public_key_len;
    int64_t alg;
    int64_t sign_count;
    unsigned char user_handle[STORE_PASSKEY_USER_HANDLE_LEN];
    int64_t created_at;
    int64_t last_used_at;
};

/* An open challenge of a session. */
struct store_passkey_challenge {
    unsigned char challenge_hash[32];
    unsigned char user_handle[STORE_PASSKEY_USER_HANDLE_LEN];
    int64_t expires_at;
};

/* The participant's credential into *out; STORE_NOT_FOUND when it has none. */
enum store_status store_passkey_get(struct store_tx *tx, const char *organization_id,
                                    const char *participant_id, struct store_passkey *out);
/* Inserts p; STORE_CONFLICT when the participant has a credential already. */
enum store_status store_passkey_insert(struct store_tx *tx, const struct store_passkey *p);
/*
 * Records an assertion of credential id at now: sign_count = new_count, only when the stored
 * count is still old_count (so two concurrent assertions cannot both pass one counter value);
 * STORE_CONFLICT when it changed.
 */
enum store_status store_passkey_use(struct store_tx *tx, const char *organization_id,
                                    const char *id, int64_t old_count, int64_t new_count,
                                    int64_t now);

/* Sets the open challenge of session_id for purpose ("REGISTER" | "SIGN"), replacing one
 * that was open. */
enum store_status store_passkey_challenge_put(struct store_tx *tx, const char *organization_id,
                                              const char *session_id, const char *purpose,
                                              const struct store_passkey_challenge *c);
/*
 * Takes (reads and deletes) the open challenge of session_id for purpose into *out:
 * STORE_NOT_FOUND when there is none (never issued, used, or taken at this moment by another
 * call). Expiry is the caller's check (expires_at).
 */
enum store_status store_passkey_challenge_take(struct store_tx *tx, const char *organization_id,
                                               const char *session_id, const char *purpose,
                                               struct store_passkey_challenge *out);

#endif
