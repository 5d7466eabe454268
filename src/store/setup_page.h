/*
 * Store functions of the setup page (migration 0018, docs/setup-page.md): finding a setup link
 * by the hash of its token, the page's sessions, and the edits the page makes to a CREATED
 * process — its signers, the signature positions of a document and its signature level.
 * Every function that reads tenant data by anything but a secret's hash takes the organization
 * id and uses it in the query. Only hashes of tokens and session ids are stored.
 */
#ifndef SIGNET_STORE_SETUP_PAGE_H
#define SIGNET_STORE_SETUP_PAGE_H

#include "store/store.h"

/* A setup link as stored (store_setup_link) and its revocation time (0: not revoked). */
struct store_setup_link_row {
    struct store_setup_link link;
    int64_t revoked_at;
};

/* A setup-page session (with the settings of its link, copied when read). */
struct store_setup_session {
    char id[STORE_ID_LEN];
    char session_hash[65];
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    char link_id[STORE_ID_LEN];
    int64_t created_at, expires_at;
    /* Read from the link (store_setup_session_find): */
    char client_id[128];
    char language[8];
    char back_url[2049];
    char success_url[2049];
    char mode[16];
    int64_t link_expires_at;
    int64_t link_revoked_at; /* 0: not revoked */
};

/* The setup link whose token hashes to token_hash (any organization: the token is the proof);
 * STORE_NOT_FOUND when none (revoked and expired ones included: the caller checks). */
enum store_status store_setup_link_find(struct store_tx *tx, const char *token_hash,
                                        struct store_setup_link_row *out);

/* Inserts a session (id, session_hash, organization_id, process_id, link_id, created_at,
 * expires_at are used). */
enum store_status store_setup_session_insert(struct store_tx *tx,
                                             const struct store_setup_session *s);
/* The session whose id hashes to session_hash, with its link's settings; STORE_NOT_FOUND when
 * none (expired sessions and revoked links included: the caller checks). */
enum store_status store_setup_session_find(struct store_tx *tx, const char *session_hash,
                                           struct store_setup_session *out);

/*
 * Replaces the invited signers of CREATED process process_id by signers[0..n), in that order
 * (positions 1..n). An entry whose id names a current signer updates that row with the entry's
 * fields; an entry with another id (the caller makes a new UUID and sets status WAITING) is
 * inserted. Current signers not in the list are deleted, with their signature positions.
 * Sets last_modified_at to now. STORE_CONFLICT when the process is not CREATED.
 */
enum store_status store_setup_signers_replace(struct store_tx *tx, const char *organization_id,
                                              const char *process_id,
                                              const struct store_participant *signers, size_t n,
                                              int64_t now);

/* Replaces the signature positions of document document_id of CREATED process process_id by
 * positions[0..n) and sets last_modified_at to now. STORE_CONFLICT when the process is not
 * CREATED, STORE_NOT_FOUND when it has no such document. */
enum store_status store_setup_positions_replace(struct store_tx *tx, const char *organization_id,
                                                const char *process_id, const char *document_id,
                                                const struct store_signature_position *positions,
                                                size_t n, int64_t now);

/* Sets the signature level of CREATED process process_id and last_modified_at to now;
 * STORE_CONFLICT when the process is not CREATED. */
enum store_status store_setup_level_set(struct store_tx *tx, const char *organization_id,
                                        const char *process_id, const char *level, int64_t now);

#endif
