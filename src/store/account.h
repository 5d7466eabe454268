/*
 * Store functions of person accounts (migration 0021, docs/accounts.md): signers' accounts
 * (global, not bound to an organization), their browser sessions and the verifications of
 * their e-mail address and mobile number waiting. Only hashes of passwords, session ids,
 * verification tokens and codes are stored.
 */
#ifndef SIGNET_STORE_ACCOUNT_H
#define SIGNET_STORE_ACCOUNT_H

#include "store/store.h"

#define STORE_ACCOUNT_EMAIL_LEN  255 /* 254 characters (RFC 5321 path limit) and the NUL */
#define STORE_ACCOUNT_MOBILE_LEN 17  /* "+" and at most 15 digits, and the NUL */

/* A person's account (texts "" and times 0 when absent). */
struct store_account {
    char id[STORE_ID_LEN];
    char email[STORE_ACCOUNT_EMAIL_LEN]; /* lowercase */
    char password_hash[256];             /* "scrypt$N$r$p$SALT$HASH" */
    int64_t email_verified_at;
    char mobile[STORE_ACCOUNT_MOBILE_LEN]; /* E.164 or "" */
    int64_t mobile_verified_at;
    int64_t created_at;
};

/* STORE_CONFLICT if the e-mail address has an account. */
enum store_status store_account_insert(struct store_tx *tx, const struct store_account *a);
/* The account of the (lowercase) e-mail; STORE_NOT_FOUND when none. */
enum store_status store_account_find_by_email(struct store_tx *tx, const char *email,
                                              struct store_account *out);
/* The account id; STORE_NOT_FOUND when none. */
enum store_status store_account_get(struct store_tx *tx, const char *id, struct store_account *out);
/* Marks the e-mail verified at now, if it is still email. STORE_NOT_FOUND otherwise. */
enum store_status store_account_verify_email(struct store_tx *tx, const char *id, const char *email,
                                             int64_t now);
/* Sets the mobile number (not verified). STORE_NOT_FOUND when unknown. */
enum store_status store_account_set_mobile(struct store_tx *tx, const char *id, const char *mobile);
/* Marks the mobile verified at now, if it is still mobile. STORE_NOT_FOUND otherwise. */
enum store_status store_account_verify_mobile(struct store_tx *tx, const char *id,
                                              const char *mobile, int64_t now);
/* Replaces the password hash. STORE_NOT_FOUND when unknown. */
enum store_status store_account_set_password(struct store_tx *tx, const char *id,
                                             const char *password_hash);

/* A signed-in browser session of an account. */
struct store_account_session {
    char id[STORE_ID_LEN];
    char session_hash[65];
    char account_id[STORE_ID_LEN];
    int64_t created_at, last_seen_at, expires_at;
    int64_t ended_at; /* 0 while not signed out */
};

enum store_status store_account_session_insert(struct store_tx *tx,
                                               const struct store_account_session *s);
/* The session whose id hashes to session_hash (ended and expired ones included: the caller
 * checks). STORE_NOT_FOUND when none. */
enum store_status store_account_session_find(struct store_tx *tx, const char *session_hash,
                                             struct store_account_session *out);
/* Sets last_seen_at to now. */
enum store_status store_account_session_touch(struct store_tx *tx, const char *id, int64_t now);
/* Ends the session at now; STORE_NOT_FOUND when unknown or already ended. */
enum store_status store_account_session_end(struct store_tx *tx, const char *id, int64_t now);
/* Ends every session of the account but keep_id (may be NULL: all) at now. */
enum store_status store_account_session_end_others(struct store_tx *tx, const char *account_id,
                                                   const char *keep_id, int64_t now);

/* A verification waiting (purpose "EMAIL" or "MOBILE"). */
struct store_account_verification {
    char id[STORE_ID_LEN];
    char account_id[STORE_ID_LEN];
    char purpose[8];
    char target[STORE_ACCOUNT_EMAIL_LEN];
    char secret_hash[65];
    int64_t attempts;
    int64_t created_at, expires_at;
    int64_t used_at; /* 0 while unused */
};

enum store_status store_account_verification_insert(struct store_tx *tx,
                                                    const struct store_account_verification *v);
/* The verification whose secret hashes to secret_hash; STORE_NOT_FOUND when none. */
enum store_status store_account_verification_find(struct store_tx *tx, const char *secret_hash,
                                                  struct store_account_verification *out);
/* The account's newest verification of purpose; STORE_NOT_FOUND when none. */
enum store_status store_account_verification_newest(struct store_tx *tx, const char *account_id,
                                                    const char *purpose,
                                                    struct store_account_verification *out);
/* How many verifications of purpose the account was sent since `since`. */
enum store_status store_account_verification_count(struct store_tx *tx, const char *account_id,
                                                   const char *purpose, int64_t since,
                                                   int64_t *out);
/* Counts one wrong entry. */
enum store_status store_account_verification_fail(struct store_tx *tx, const char *id);
/* Marks it used at now; STORE_CONFLICT when it was used already. */
enum store_status store_account_verification_use(struct store_tx *tx, const char *id, int64_t now);

#endif
