/*
 * The throttle of failed password sign-ins (admin cockpit, docs/cockpit.md; person accounts,
 * docs/accounts.md), on the table admin_signin_failures (migration 0019). Failures count per
 * account key (SHA-256 of the lowercased e-mail — also for e-mails without an account, so a
 * lock tells nothing about which exist) and per client address, each within a window of
 * SIGNIN_THROTTLE_WINDOW_MS; at its limit a key is locked for the same time. Each user of the
 * throttle has its own scope (a key prefix), so locks of one page do not affect another.
 */
#ifndef SIGNET_AUTH_SIGNIN_THROTTLE_H
#define SIGNET_AUTH_SIGNIN_THROTTLE_H

#include "store/store.h"

#include <stdint.h>

#define SIGNIN_THROTTLE_WINDOW_MS ((int64_t)15 * 60 * 1000) /* window and length of a lock */

/* The two keys of one sign-in attempt and their limits (failures within the window). */
struct signin_throttle {
    char account[96];
    char address[96];
    int64_t account_limit, address_limit;
};

/* Fills *t for scope ("" for the cockpit, whose keys predate scopes; "person:" for accounts),
 * the lowercased e-mail (any text) and the client address (may be NULL). */
void signin_throttle_init(struct signin_throttle *t, const char *scope, const char *email,
                          const char *address, int64_t account_limit, int64_t address_limit);
/* Inside tx: *locked_until (0 when neither key is locked at now). */
enum store_status signin_throttle_locked(struct store_tx *tx, const struct signin_throttle *t,
                                         int64_t now, int64_t *locked_until);
/* Inside tx: counts a failure against both keys, locking those at their limit. */
enum store_status signin_throttle_fail(struct store_tx *tx, const struct signin_throttle *t,
                                       int64_t now);
/* Inside tx: forgets the account key's failures (after a successful sign-in). */
enum store_status signin_throttle_clear(struct store_tx *tx, const struct signin_throttle *t);
/* signin_throttle_fail in its own transaction. */
enum store_status signin_throttle_fail_run(struct store *s, const struct signin_throttle *t,
                                           int64_t now);

#endif
