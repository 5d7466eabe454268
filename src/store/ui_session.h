/*
 * Store functions of the signer pages (migration 0014, docs/signer-pages.md): finding a
 * participant link by the hash of its token, redeeming an Open Request's one-time code, page
 * sessions, their one-time codes, the documents a session viewed, and a signer's decline.
 * Every function that reads tenant data by anything but a secret's hash takes the organization
 * id and uses it in the query. Only hashes of tokens, session ids and codes are stored.
 */
#ifndef SIGNET_STORE_UI_SESSION_H
#define SIGNET_STORE_UI_SESSION_H

#include "store/release.h"
#include "store/store.h"

/* A page session (texts "" when absent; authorized_at 0 before authorization). */
struct store_ui_session {
    char id[STORE_ID_LEN];
    char session_hash[65];
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    char participant_id[STORE_ID_LEN];
    char link_kind[8]; /* "SIGN" | "OPEN" */
    char link_id[STORE_ID_LEN];
    char language[8];
    char back_url[2049];
    char success_url[2049];
    char mode[16];
    int64_t created_at, expires_at;
    int64_t authorized_at;
    char authorized_by[16]; /* "CODE" | "OPEN_CODE"; "" before */
};

/* A one-time code of a session. */
struct store_ui_code {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    char participant_id[STORE_ID_LEN];
    char session_id[STORE_ID_LEN];
    char purpose[16]; /* "AUTHORIZE" | "SIGN" */
    char channel[8];  /* "SMS" | "EMAIL" */
    char code_hash[65];
    int64_t created_at, expires_at;
    int64_t attempts;
    int64_t used_at; /* 0: not used */
};

/* The permanent link whose token hashes to token_hash (any organization: the token is the
 * proof); STORE_NOT_FOUND when none. */
enum store_status store_participant_link_find(struct store_tx *tx, const char *token_hash,
                                              struct store_participant_link *out);
/* The time-limited open link whose token hashes to token_hash; STORE_NOT_FOUND when none
 * (expired ones included: the caller checks expires_at). */
enum store_status store_open_link_find(struct store_tx *tx, const char *token_hash,
                                       struct store_open_link *out);
/* Redeems the Open Request code hashing to code_hash of (organization, process, participant)
 * at now: STORE_OK once; STORE_NOT_FOUND when unknown, another participant's, expired or
 * redeemed before. */
enum store_status store_open_code_redeem(struct store_tx *tx, const char *organization_id,
                                         const char *process_id, const char *participant_id,
                                         const char *code_hash, int64_t now);

enum store_status store_ui_session_insert(struct store_tx *tx, const struct store_ui_session *s);
/* The session whose id hashes to session_hash; STORE_NOT_FOUND when none (expired ones
 * included: the caller checks expires_at). */
enum store_status store_ui_session_find(struct store_tx *tx, const char *session_hash,
                                        struct store_ui_session *out);
/* Marks the session authorized at now by `by`; STORE_NOT_FOUND when unknown. */
enum store_status store_ui_session_authorize(struct store_tx *tx, const char *organization_id,
                                             const char *id, int64_t now, const char *by);

enum store_status store_ui_code_insert(struct store_tx *tx, const struct store_ui_code *c);
/* The newest code of the session for purpose; STORE_NOT_FOUND when none. */
enum store_status store_ui_code_latest(struct store_tx *tx, const char *organization_id,
                                       const char *session_id, const char *purpose,
                                       struct store_ui_code *out);
/* Number of codes for purpose issued to the participant of the process at or after since. */
enum store_status store_ui_code_count_since(struct store_tx *tx, const char *organization_id,
                                            const char *process_id, const char *participant_id,
                                            const char *purpose, int64_t since, int64_t *n);
/* One more wrong attempt on code id. */
enum store_status store_ui_code_add_attempt(struct store_tx *tx, const char *organization_id,
                                            const char *id);
/* Marks code id used at now if it is not used yet; STORE_CONFLICT when it was. */
enum store_status store_ui_code_use(struct store_tx *tx, const char *organization_id,
                                    const char *id, int64_t now);

/* Records that the session viewed the document at now: STORE_OK the first time, STORE_CONFLICT
 * when it had viewed it before. */
enum store_status store_ui_view_mark(struct store_tx *tx, const char *organization_id,
                                     const char *session_id, const char *document_id, int64_t now);

/* A PENDING signer of the process declines at now with reason (status DECLINED, declined_at,
 * decline_reason); STORE_CONFLICT when it is not a PENDING signer. */
enum store_status store_participant_decline(struct store_tx *tx, const char *organization_id,
                                            const char *process_id, const char *participant_id,
                                            int64_t now, const char *reason);

#endif
