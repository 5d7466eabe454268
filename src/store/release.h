/*
 * Store functions of the release and open operations (migration 0008): the release settings,
 * the participants' permanent links, the time-limited open links and the one-time codes.
 * Every function takes the caller's organization id and uses it in the query itself. Only
 * hashes of tokens and codes are stored (see sign/release.h).
 */
#ifndef SIGNET_STORE_RELEASE_H
#define SIGNET_STORE_RELEASE_H

#include "store/store.h"

#define STORE_LIST_TEXT_LEN 256 /* comma-separated contract names */

/* The settings of a release request ("" for absent texts). */
struct store_release {
    char process_id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char client_id[128];
    int64_t released_at, valid_until;
    bool notify;
    char locale[8];
    char suppress[STORE_LIST_TEXT_LEN];
    char reminder_interval[64];
    char reminder_before_expiry[STORE_LIST_TEXT_LEN];
    char signature_methods[STORE_LIST_TEXT_LEN];
};

/* A participant's permanent link and the open settings saved for it (lifecycle PERMANENT). */
struct store_participant_link {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    char participant_id[STORE_ID_LEN];
    char token_salt[33]; /* 16 random bytes, hex: input of the token's HMAC, not a secret */
    char token_hash[65];
    char language[8];
    char back_url[2049];
    char success_url[2049];
    char scope[2049];
    char mode[16];
    int64_t created_at, updated_at;
};

/* A time-limited open link (lifecycle TEMPORARY). */
struct store_open_link {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    char participant_id[STORE_ID_LEN];
    char client_id[128];
    char token_hash[65];
    char language[8];
    char back_url[2049];
    char success_url[2049];
    char scope[2049];
    char mode[16];
    int64_t created_at, expires_at;
};

/* A one-time code of an open request with skipAuthorization. */
struct store_open_code {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    char participant_id[STORE_ID_LEN];
    char code_hash[65];
    int64_t created_at, expires_at;
};

/* Moves the process from CREATED to PENDING with the new validUntil and last_modified_at =
 * r->released_at, its signers from WAITING to PENDING, and inserts *r. STORE_CONFLICT when the
 * process is not CREATED (or was released already); STORE_NOT_FOUND when unknown to the
 * organization. */
enum store_status store_release_insert(struct store_tx *tx, const struct store_release *r);
/* The release settings of a process; STORE_NOT_FOUND when it was never released. */
enum store_status store_release_get(struct store_tx *tx, const char *organization_id,
                                    const char *process_id, struct store_release *out);

/* STORE_CONFLICT when the participant has a link already (or the token hash is taken). */
enum store_status store_participant_link_insert(struct store_tx *tx,
                                                const struct store_participant_link *l);
/* The process's links, in no particular order; *out owned by the caller (free(); never NULL
 * on STORE_OK). */
enum store_status store_participant_link_list(struct store_tx *tx, const char *organization_id,
                                              const char *process_id,
                                              struct store_participant_link **out, size_t *n);
/* Saves language, back_url, success_url, scope and mode of l (lifecycle PERMANENT) on the
 * existing link of (organization, process, participant); STORE_NOT_FOUND when none. */
enum store_status store_participant_link_save_settings(struct store_tx *tx,
                                                       const struct store_participant_link *l);

enum store_status store_open_link_insert(struct store_tx *tx, const struct store_open_link *l);
enum store_status store_open_code_insert(struct store_tx *tx, const struct store_open_code *c);

#endif
