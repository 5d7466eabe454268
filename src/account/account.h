/*
 * Person accounts of signers (docs/accounts.md): global, not bound to an organization (one
 * person signs for many). A person creates an account with e-mail and password, verifies the
 * e-mail by a link and a mobile number by a 6-digit SMS code (both sent through the
 * notification outbox), signs in and out and changes the password. The signer pages then
 * authorize a signer whose invitation went to the account's verified e-mail or mobile without
 * a one-time code (sign/page_account.h). No HTTP, no SQL: account/account_handlers.c calls it.
 *
 * Secrets: only hashes of passwords (core/password.h), session tokens (core/token.h), e-mail
 * link tokens and SMS codes are stored; comparisons are constant-time. Sign-in uses the
 * cockpit's throttle (auth/signin_throttle.h, scope "person:") with one answer for every
 * failure, so nothing tells which e-mails have accounts; creating an account for a taken
 * e-mail answers like a new one and mails the owner instead.
 *
 * Ownership: every pointer argument is borrowed; out structs are the caller's.
 */
#ifndef SIGNET_ACCOUNT_ACCOUNT_H
#define SIGNET_ACCOUNT_ACCOUNT_H

#include "core/token.h"
#include "store/account.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACCOUNT_IDLE_MS             ((int64_t)30 * 60 * 1000) /* a session unused this long ends */
#define ACCOUNT_ABSOLUTE_MS         ((int64_t)12 * 3600 * 1000) /* and any session after this */
#define ACCOUNT_LOCK_FAILURES       5  /* failed sign-ins per e-mail within the throttle window */
#define ACCOUNT_ADDRESS_FAILURES    20 /* failed sign-ins per client address within the same */
#define ACCOUNT_LINK_TTL_MS         ((int64_t)24 * 3600 * 1000) /* e-mail verification link */
#define ACCOUNT_CODE_TTL_MS         ((int64_t)10 * 60 * 1000)   /* SMS code */
#define ACCOUNT_CODE_ATTEMPTS       5                           /* wrong entries before a lock */
#define ACCOUNT_SEND_INTERVAL_MS    ((int64_t)30 * 1000) /* between two messages of a purpose */
#define ACCOUNT_SENDS_PER_HOUR      5                    /* messages per account and purpose */
#define ACCOUNT_CREATES_PER_EMAIL   3  /* creations of one e-mail within the throttle window */
#define ACCOUNT_CREATES_PER_ADDRESS 20 /* creations from one client address within the same */

enum account_result {
    ACCOUNT_OK = 0,
    ACCOUNT_INVALID,       /* bad input; err says which */
    ACCOUNT_SIGNIN_FAILED, /* e-mail or password wrong (one message for both) */
    ACCOUNT_LOCKED,        /* too many failed sign-ins for the e-mail or the address */
    ACCOUNT_NO_SESSION,    /* no, unknown, ended or timed-out session */
    ACCOUNT_CODE_WRONG,    /* wrong code or link; err says more */
    ACCOUNT_CODE_EXPIRED,  /* no valid code or link (expired, used, locked): ask for a new one */
    ACCOUNT_RATE_LIMITED,  /* a message was asked for too soon or too often; err says when */
    ACCOUNT_UNAVAILABLE,   /* the store or the outbox failed; try again */
};

/* Where and in which language messages go: PUBLIC_URL (for links) and a locale. */
struct account_env {
    struct store *store;
    const char *public_url; /* "https://sign.example.com"; links are public_url + path */
    const char *locale;     /* "en-GB" | "de-CH" | "fr-CH" | "it-CH"; NULL: en-GB */
    const char *address;    /* the client's address (creation throttle); may be NULL */
};

/*
 * Creates the account `email` (lowercased) with password and mails a verification link
 * (public_url + "/ui/account?verify=TOKEN", valid ACCOUNT_LINK_TTL_MS). When the e-mail has an
 * account already, nothing is created and its owner is mailed a notice instead; the answer is
 * the same (ACCOUNT_OK). ACCOUNT_INVALID with err: e-mail syntax or password length.
 * ACCOUNT_RATE_LIMITED with err: more than ACCOUNT_CREATES_PER_EMAIL attempts for the e-mail
 * or ACCOUNT_CREATES_PER_ADDRESS from env->address within SIGNIN_THROTTLE_WINDOW_MS (counted
 * by auth/signin_throttle.h in the scope "create:", for taken and free e-mails alike).
 */
enum account_result account_create(const struct account_env *env, const char *email,
                                   const char *password, int64_t now, char *err, size_t err_len);
/* Verifies the e-mail whose link carried token: ACCOUNT_OK, or ACCOUNT_CODE_EXPIRED when the
 * token is unknown, used or expired. *email_out (may be NULL) gets the verified address. */
enum account_result account_verify_email(struct store *s, const char *token, int64_t now,
                                         char email_out[STORE_ACCOUNT_EMAIL_LEN]);

/* A checked session with its account. */
struct account_session {
    struct store_account_session session;
    struct store_account account;
};

/* Signs in with e-mail and password from address (the client's, for the throttle). See
 * cockpit_sign_in for the throttle; on OK token gets the new session's id (for the cookie). */
enum account_result account_sign_in(struct store *s, const char *email, const char *password,
                                    const char *address, int64_t now, char token[TOKEN_LEN],
                                    struct account_session *out, int64_t *retry_after_s);
/* The session of token at now (ACCOUNT_NO_SESSION when unknown, signed out, idle longer than
 * ACCOUNT_IDLE_MS or older than ACCOUNT_ABSOLUTE_MS); marks it used and fills *out. */
enum account_result account_session_get(struct store *s, const char *token, int64_t now,
                                        struct account_session *out);
/* Ends the session (sign-out). */
enum account_result account_sign_out(struct store *s, const struct account_session *a, int64_t now);
/* The CSRF token of a session token, and its check (constant time). */
void account_csrf_token(const char *token, char out[TOKEN_LEN]);
bool account_csrf_valid(const char *token, const char *presented);

/* Mails a new verification link to the signed-in account's e-mail (rate limited:
 * ACCOUNT_RATE_LIMITED with err). ACCOUNT_INVALID when it is verified already. */
enum account_result account_resend_email(const struct account_env *env,
                                         const struct account_session *a, int64_t now, char *err,
                                         size_t err_len);
/* Sets the account's mobile number (E.164, not verified until the code is entered) and sends
 * a 6-digit code to it by SMS (valid ACCOUNT_CODE_TTL_MS; rate limited like the link). */
enum account_result account_mobile_set(const struct account_env *env,
                                       const struct account_session *a, const char *mobile,
                                       int64_t now, char *err, size_t err_len);
/* Checks code against the newest SMS code: OK marks the mobile verified; CODE_WRONG counts an
 * attempt (err says how many are left); CODE_EXPIRED when none is valid or it is locked after
 * ACCOUNT_CODE_ATTEMPTS wrong entries. */
enum account_result account_mobile_verify(struct store *s, const struct account_session *a,
                                          const char *code, int64_t now, char *err, size_t err_len);
/* Changes the password after checking the current one (a wrong one counts against the
 * sign-in throttle: ACCOUNT_SIGNIN_FAILED or ACCOUNT_LOCKED); ends the account's other
 * sessions. ACCOUNT_INVALID with err for a new password of the wrong length. */
enum account_result account_password_change(struct store *s, const struct account_session *a,
                                            const char *current, const char *new_password,
                                            const char *address, int64_t now, char *err,
                                            size_t err_len, int64_t *retry_after_s);

#endif
