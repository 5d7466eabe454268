/*
 * The password step of a web sign-in, shared by the admin cockpit (admin/cockpit.c), person
 * accounts (account/account.c) and RA agents (srs/ra.c): the e-mail lowercased, the throttle
 * (auth/signin_throttle.h) checked and the holder looked up in one read transaction, the
 * password verified (with the same work when there is no holder, so timing tells nothing) and a
 * failure recorded. Creating the session stays with each module: its transaction clears the
 * throttle keys this step returns.
 */
#ifndef SIGNET_AUTH_SIGNIN_H
#define SIGNET_AUTH_SIGNIN_H

#include "auth/signin_throttle.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

#define SIGNIN_EMAIL_MAX 256 /* the largest email_len below */

/* How one kind of account signs in with a password (a static constant of its module). */
struct signin_password {
    const char *scope; /* the throttle scope (signin_throttle_init) */
    int64_t account_limit, address_limit;
    size_t email_len; /* the holder's e-mail buffer (at most SIGNIN_EMAIL_MAX): a longer e-mail
                         is compared as "" and matches no one */
    /* Inside tx: the holder of the lowercased e-mail into holder; STORE_NOT_FOUND when none. */
    enum store_status (*find)(struct store_tx *tx, const char *email, void *holder);
    /* The holder's password hash, or NULL when the holder may not sign in (disabled). */
    const char *(*password_hash)(const void *holder);
};

enum signin_result {
    SIGNIN_OK = 0,
    SIGNIN_LOCKED,     /* the e-mail or the address is locked: *retry_after_s set */
    SIGNIN_FAILED,     /* no such holder, disabled, or wrong password (failure recorded) */
    SIGNIN_UNAVAILABLE /* store failure */
};

/* Checks email (any text, may be NULL) and password (may be NULL) from address (may be NULL)
 * at now. On SIGNIN_OK *holder (the module's record, filled by how->find) is the one who signs
 * in. *keys is set in every case, for signin_throttle_clear in the session transaction or
 * signin_throttle_fail_run on a later failed step (a TOTP code). *retry_after_s is 0 unless
 * SIGNIN_LOCKED. */
enum signin_result signin_password_check(struct store *s, const struct signin_password *how,
                                         const char *email, const char *password,
                                         const char *address, int64_t now, void *holder,
                                         struct signin_throttle *keys, int64_t *retry_after_s);

#endif
