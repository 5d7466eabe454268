/*
 * Throttle of failed sign-ins (see auth/signin_throttle.h).
 */
#include "auth/signin_throttle.h"

#include "core/crypto.h"
#include "store/cockpit.h"

#include <stdio.h>
#include <string.h>

void signin_throttle_init(struct signin_throttle *t, const char *scope, const char *email,
                          const char *address, int64_t account_limit, int64_t address_limit)
{
    char h[SHA256_HEX_LEN];
    crypto_sha256_hex(email ? email : "", email ? strlen(email) : 0, h);
    snprintf(t->account, sizeof t->account, "%.16saccount:%s", scope, h);
    snprintf(t->address, sizeof t->address, "%.16saddress:%.60s", scope, address ? address : "");
    t->account_limit = account_limit;
    t->address_limit = address_limit;
}

enum store_status signin_throttle_locked(struct store_tx *tx, const struct signin_throttle *t,
                                         int64_t now, int64_t *locked_until)
{
    struct store_signin_failures a, b;
    *locked_until = 0;
    enum store_status st = store_signin_failures_get(tx, t->account, &a);
    if (st == STORE_OK)
        st = store_signin_failures_get(tx, t->address, &b);
    if (st != STORE_OK)
        return st;
    int64_t until = a.locked_until > b.locked_until ? a.locked_until : b.locked_until;
    if (until > now)
        *locked_until = until;
    return STORE_OK;
}

static enum store_status count_failure(struct store_tx *tx, const char *key, int64_t limit,
                                       int64_t now)
{
    struct store_signin_failures f;
    enum store_status st = store_signin_failures_get(tx, key, &f);
    if (st != STORE_OK)
        return st;
    if (f.failures == 0 || now - f.window_start >= SIGNIN_THROTTLE_WINDOW_MS)
        f = (struct store_signin_failures){.failures = 0, .window_start = now};
    f.failures++;
    if (f.failures >= limit && f.locked_until <= now)
        f.locked_until = now + SIGNIN_THROTTLE_WINDOW_MS;
    return store_signin_failures_put(tx, key, &f);
}

enum store_status signin_throttle_fail(struct store_tx *tx, const struct signin_throttle *t,
                                       int64_t now)
{
    enum store_status st = count_failure(tx, t->account, t->account_limit, now);
    return st == STORE_OK ? count_failure(tx, t->address, t->address_limit, now) : st;
}

enum store_status signin_throttle_clear(struct store_tx *tx, const struct signin_throttle *t)
{
    return store_signin_failures_clear(tx, t->account);
}

struct fail_op {
    const struct signin_throttle *t;
    int64_t now;
};

static enum store_status fail_tx(struct store_tx *tx, void *cls)
{
    struct fail_op *op = cls;
    return signin_throttle_fail(tx, op->t, op->now);
}

enum store_status signin_throttle_fail_run(struct store *s, const struct signin_throttle *t,
                                           int64_t now)
{
    struct fail_op op = {.t = t, .now = now};
    return store_run(s, STORE_WRITE, fail_tx, &op);
}
