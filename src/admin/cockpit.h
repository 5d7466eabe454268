/*
 * The admin cockpit's domain logic (docs/cockpit.md): accounts of organization admins with
 * scrypt password hashes and optional TOTP, sign-in with a throttle of failed attempts per
 * account and per address, browser sessions with idle and absolute timeouts, the CSRF token of
 * a session, TOTP enrolment of the signed-in admin, and team members. No HTTP, no SQL, no
 * OpenSSL: the handlers (admin/cockpit_handlers.c) and the CLI (cli/admin_org_user.c) call it.
 *
 * Every operation on tenant data takes the organization from the session (never from the
 * request). Secrets written to caller buffers (session tokens, TOTP secrets) are shown once;
 * only hashes of passwords and session ids are stored, TOTP secrets only sealed with the
 * master key.
 */
#ifndef SIGNET_ADMIN_COCKPIT_H
#define SIGNET_ADMIN_COCKPIT_H

#include "auth/signin_throttle.h"
#include "core/password.h"
#include "core/token.h"
#include "store/cockpit.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Password length limits: core/password.h's (scrypt hashes made there). */
#define COCKPIT_PASSWORD_MIN PASSWORD_MIN
#define COCKPIT_PASSWORD_MAX PASSWORD_MAX

#define COCKPIT_TOKEN_LEN        TOKEN_LEN                   /* core/token.h */
#define COCKPIT_IDLE_MS          ((int64_t)30 * 60 * 1000)   /* a session unused this long ends */
#define COCKPIT_ABSOLUTE_MS      ((int64_t)12 * 3600 * 1000) /* and any session after this */
#define COCKPIT_LOCK_FAILURES    5  /* failed sign-ins per account within COCKPIT_LOCK_MS */
#define COCKPIT_ADDRESS_FAILURES 20 /* failed sign-ins per client address within the same */
#define COCKPIT_LOCK_MS          SIGNIN_THROTTLE_WINDOW_MS /* window and length of a lock */
#define COCKPIT_TOTP_SECRET_LEN  20
#define COCKPIT_TOTP_ISSUER      "Signet"

enum cockpit_result {
    COCKPIT_OK = 0,
    COCKPIT_INVALID,       /* bad input; err says which */
    COCKPIT_SIGNIN_FAILED, /* e-mail, password or code wrong (one message for all) */
    COCKPIT_CODE_REQUIRED, /* the account has TOTP: send the code as well */
    COCKPIT_LOCKED,        /* too many failed sign-ins for the account or the address */
    COCKPIT_NO_SESSION,    /* no, unknown, ended or timed-out session */
    COCKPIT_NOT_FOUND,     /* no such organization, team or member (in the session's org) */
    COCKPIT_CONFLICT,      /* taken, already there, or not allowed for this organization */
    COCKPIT_UNAVAILABLE,   /* the store or the master key failed; try again */
};

/*
 * Creates the account `email` (lowercased) of organization_id with password. With totp,
 * enrols an authenticator app at once (sealed with master_key, which must then be given):
 * totp_secret gets its base32 secret and totp_uri the otpauth:// URI (both shown once; may be
 * NULL without totp). COCKPIT_INVALID (err says why: e-mail syntax, password length),
 * COCKPIT_NOT_FOUND (no such organization), COCKPIT_CONFLICT (CORPORATE organization, or the
 * e-mail has an account already).
 */
enum cockpit_result cockpit_user_create(struct store *s, const unsigned char *master_key,
                                        const char *organization_id, const char *email,
                                        const char *password, bool totp, int64_t now,
                                        struct store_admin_user *out, char totp_secret[64],
                                        char totp_uri[512], char *err, size_t err_len);

/* A sign-in attempt. */
struct cockpit_signin {
    const char *email, *password;
    const char *code;    /* TOTP code; NULL or "" when not given */
    const char *address; /* the client's address, for the per-address throttle */
    int64_t now;
    const unsigned char *master_key; /* opens TOTP secrets */
};

/* A checked session with its account and organization. */
struct cockpit_session {
    struct store_admin_session session;
    struct store_admin_user user;
    struct store_org org;
};

/*
 * Signs in: refuses while the account's e-mail or the address is locked (COCKPIT_LOCKED,
 * *retry_after_s the seconds left), checks the password (also for unknown e-mails, so the
 * time taken does not tell them apart), then the TOTP code when the account has one. A
 * failure counts against the e-mail and the address and locks them at their limits. On OK a
 * new session is stored and token gets its id (for the cookie; only its hash is stored) and
 * *out the session.
 */
enum cockpit_result cockpit_sign_in(struct store *s, const struct cockpit_signin *in,
                                    char token[COCKPIT_TOKEN_LEN], struct cockpit_session *out,
                                    int64_t *retry_after_s);
/* Looks up the session of token at now: COCKPIT_NO_SESSION when unknown, signed out, idle
 * longer than COCKPIT_IDLE_MS, older than COCKPIT_ABSOLUTE_MS or its account disabled;
 * otherwise marks it used and fills *out. */
enum cockpit_result cockpit_session_get(struct store *s, const char *token, int64_t now,
                                        struct cockpit_session *out);
/* Ends the session (sign-out); the cookie's id is useless afterwards. */
enum cockpit_result cockpit_sign_out(struct store *s, const struct cockpit_session *c, int64_t now);
/* The CSRF token of a session token (base64url SHA-256 of a label and the token). */
void cockpit_csrf_token(const char *token, char out[COCKPIT_TOKEN_LEN]);
/* True when presented is the session's CSRF token (constant time). */
bool cockpit_csrf_valid(const char *token, const char *presented);

/* Starts (or restarts) the signed-in admin's TOTP enrolment: a new secret, sealed, waiting for
 * confirmation. *out (new reference): secret (base32), uri (otpauth://), qr (data: URL of an
 * SVG), period, digits. */
enum cockpit_result cockpit_totp_enrol(struct store *s, const unsigned char *master_key,
                                       const struct cockpit_session *c, json_t **out);
/* Confirms the waiting enrolment with a current code: from then on sign-in needs codes.
 * COCKPIT_INVALID with err when the code is wrong or nothing waits. */
enum cockpit_result cockpit_totp_confirm(struct store *s, const unsigned char *master_key,
                                         const struct cockpit_session *c, const char *code,
                                         int64_t now, char *err, size_t err_len);

/* Adds email (lowercased, validated) to team_id of the session's organization. */
enum cockpit_result cockpit_team_member_add(struct store *s, const char *organization_id,
                                            const char *team_id, const char *email, int64_t now,
                                            char *err, size_t err_len);
enum cockpit_result cockpit_team_member_remove(struct store *s, const char *organization_id,
                                               const char *team_id, const char *email);
/* The organization's teams with their members: [{id, name, created, members:[email…]}]. */
enum cockpit_result cockpit_team_list(struct store *s, const char *organization_id, json_t **out);

#endif
