/*
 * Store functions of the admin cockpit (migration 0019, docs/cockpit.md): organization admins'
 * accounts, their browser sessions, the throttle of failed sign-ins, and team members. Every
 * function that reads tenant data by anything but a unique sign-in name or a secret's hash
 * takes the organization id and uses it in the query. Only hashes of session ids and of
 * passwords are stored; TOTP secrets only sealed with the master key.
 */
#ifndef SIGNET_STORE_COCKPIT_H
#define SIGNET_STORE_COCKPIT_H

#include "store/store.h"

#define STORE_ADMIN_USER_EMAIL_LEN  255 /* 254 characters (RFC 5321 path limit) and the NUL */
#define STORE_ADMIN_USER_SEALED_MAX 128

/* An organization admin's account (texts "" and times 0 when absent). */
struct store_admin_user {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char email[STORE_ADMIN_USER_EMAIL_LEN]; /* lowercase */
    char password_hash[256];                /* "scrypt$N$r$p$SALT$HASH" */
    unsigned char totp_secret_sealed[STORE_ADMIN_USER_SEALED_MAX];
    size_t totp_secret_sealed_len; /* 0: no confirmed enrolment */
    unsigned char totp_pending_sealed[STORE_ADMIN_USER_SEALED_MAX];
    size_t totp_pending_sealed_len; /* 0: no enrolment waiting for confirmation */
    int64_t totp_confirmed_at;
    int64_t totp_last_step; /* -1: no code accepted yet */
    int64_t created_at;
    int64_t disabled_at;
};

/* STORE_CONFLICT if the e-mail address is taken (in any organization). */
enum store_status store_admin_user_insert(struct store_tx *tx, const struct store_admin_user *u);
/* The account whose (lowercase) e-mail is email, of any organization: the sign-in name.
 * STORE_NOT_FOUND when none. */
enum store_status store_admin_user_find_by_email(struct store_tx *tx, const char *email,
                                                 struct store_admin_user *out);
/* The account id of organization_id; STORE_NOT_FOUND otherwise. */
enum store_status store_admin_user_get(struct store_tx *tx, const char *organization_id,
                                       const char *id, struct store_admin_user *out);
/* Sets (replaces) the enrolment waiting for confirmation. STORE_NOT_FOUND when unknown. */
enum store_status store_admin_user_set_totp_pending(struct store_tx *tx,
                                                    const char *organization_id, const char *id,
                                                    const unsigned char *sealed, size_t len);
/* Makes `sealed` the confirmed secret at now with step as the last accepted step, and drops
 * the pending one. STORE_NOT_FOUND when unknown. */
enum store_status store_admin_user_confirm_totp(struct store_tx *tx, const char *organization_id,
                                                const char *id, const unsigned char *sealed,
                                                size_t len, int64_t now, int64_t step);
/* Records step as the last accepted TOTP step if it is newer than the stored one; STORE_CONFLICT
 * when it is not (the code was used in the meantime). */
enum store_status store_admin_user_use_totp_step(struct store_tx *tx, const char *organization_id,
                                                 const char *id, int64_t step);

/* A signed-in browser session. */
struct store_admin_session {
    char id[STORE_ID_LEN];
    char session_hash[65];
    char user_id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    int64_t created_at, last_seen_at, expires_at;
    int64_t ended_at; /* 0 while not signed out */
};

enum store_status store_admin_session_insert(struct store_tx *tx,
                                             const struct store_admin_session *s);
/* The session whose id hashes to session_hash (ended and expired ones included: the caller
 * checks). STORE_NOT_FOUND when none. */
enum store_status store_admin_session_find(struct store_tx *tx, const char *session_hash,
                                           struct store_admin_session *out);
/* Sets last_seen_at to now. */
enum store_status store_admin_session_touch(struct store_tx *tx, const char *organization_id,
                                            const char *id, int64_t now);
/* Ends the session at now (sign-out); STORE_NOT_FOUND when unknown or already ended. */
enum store_status store_admin_session_end(struct store_tx *tx, const char *organization_id,
                                          const char *id, int64_t now);

/* Failed sign-ins under one throttle key. */
struct store_signin_failures {
    int64_t failures;
    int64_t window_start;
    int64_t locked_until; /* 0: not locked */
};

/* The key's counters; all 0 when the key has none (STORE_OK). */
enum store_status store_signin_failures_get(struct store_tx *tx, const char *key,
                                            struct store_signin_failures *out);
/* Writes the key's counters (insert or replace). */
enum store_status store_signin_failures_put(struct store_tx *tx, const char *key,
                                            const struct store_signin_failures *f);
/* Forgets the key's failures (after a successful sign-in). */
enum store_status store_signin_failures_clear(struct store_tx *tx, const char *key);

/* A member of a team. */
struct store_team_member {
    char team_id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char email[STORE_ADMIN_USER_EMAIL_LEN];
    int64_t created_at;
};

/* Adds a member; STORE_NOT_FOUND if the organization has no such team, STORE_CONFLICT if the
 * address is a member already. */
enum store_status store_team_member_add(struct store_tx *tx, const struct store_team_member *m);
/* Removes a member; STORE_NOT_FOUND if the team (of that organization) has no such member. */
enum store_status store_team_member_remove(struct store_tx *tx, const char *organization_id,
                                           const char *team_id, const char *email);
/* Members of every team of organization_id, by team then e-mail; *out owned (free()). */
enum store_status store_team_member_list(struct store_tx *tx, const char *organization_id,
                                         struct store_team_member **out, size_t *n);

#endif
