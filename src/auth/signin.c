/*
 * The password step of a web sign-in (see auth/signin.h).
 */
#include "auth/signin.h"

#include "core/password.h"
#include "core/str.h"

#include <ctype.h>
#include <string.h>

struct lookup_op {
    const struct signin_password *how;
    const struct signin_throttle *keys;
    const char *email;
    int64_t now, locked_until;
    void *holder;
    bool found;
};

static enum store_status lookup_tx(struct store_tx *tx, void *cls)
{
    struct lookup_op *op = cls;
    enum store_status st = signin_throttle_locked(tx, op->keys, op->now, &op->locked_until);
    if (st != STORE_OK)
        return st;
    st = op->how->find(tx, op->email, op->holder);
    op->found = st == STORE_OK;
    return st == STORE_NOT_FOUND ? STORE_OK : st;
}

enum signin_result signin_password_check(struct store *s, const struct signin_password *how,
                                         const char *email, const char *password,
                                         const char *address, int64_t now, void *holder,
                                         struct signin_throttle *keys, int64_t *retry_after_s)
{
    char lower[SIGNIN_EMAIL_MAX];
    size_t cap = how->email_len < sizeof lower ? how->email_len : sizeof lower;
    *retry_after_s = 0;
    /* Anything that is no address is compared as it came: it matches no one. */
    if (!email || !str_copy(lower, cap, email))
        lower[0] = '\0';
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    signin_throttle_init(keys, how->scope, lower, address, how->account_limit, how->address_limit);
    struct lookup_op lk = {.how = how, .keys = keys, .email = lower, .now = now, .holder = holder};
    if (store_run(s, STORE_READ, lookup_tx, &lk) != STORE_OK)
        return SIGNIN_UNAVAILABLE;
    if (lk.locked_until > now) {
        *retry_after_s = (lk.locked_until - now + 999) / 1000;
        return SIGNIN_LOCKED;
    }
    const char *pw = password ? password : "";
    const char *hash = lk.found ? how->password_hash(holder) : NULL;
    bool ok;
    if (hash && strlen(pw) <= PASSWORD_MAX) {
        ok = password_verify(pw, hash);
    } else {
        password_burn(); /* the same work as for an account: timing tells nothing */
        ok = false;
    }
    if (ok)
        return SIGNIN_OK;
    return signin_throttle_fail_run(s, keys, now) == STORE_OK ? SIGNIN_FAILED : SIGNIN_UNAVAILABLE;
}
