/*
 * Person accounts: creation, verification of e-mail and mobile, sign-in, sessions and
 * password change (see account/account.h).
 */
#include "account/account.h"

#include "auth/signin.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/password.h"
#include "core/reason.h"
#include "core/str.h"
#include "core/uuid.h"
#include "notify/notify.h"
#include "sign/process.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define CSRF_LABEL     "signet-account-csrf"
#define THROTTLE_SCOPE "person:"

/* Lowercase copy of an e-mail address; false when it does not fit or is not an address. */
static bool email_normalize(const char *in, char out[STORE_ACCOUNT_EMAIL_LEN])
{
    if (!in || !str_copy(out, STORE_ACCOUNT_EMAIL_LEN, in))
        return false;
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return sign_email_valid(out) && notify_recipient_valid(NOTIFY_EMAIL, out);
}

static bool password_length_ok(const char *password, char *err, size_t err_len)
{
    size_t n = password ? strlen(password) : 0;
    if (n >= PASSWORD_MIN && n <= PASSWORD_MAX)
        return true;
    return reason_message(err, err_len, "account.passwordLength",
                          json_pack("{s:i, s:i}", "min", PASSWORD_MIN, "max", PASSWORD_MAX),
                          "The password must have %d to %d characters.", PASSWORD_MIN,
                          PASSWORD_MAX);
}

/* ---- Sending verifications ---- */

struct send_op {
    const struct account_env *env;
    const struct store_account *account;
    const char *purpose; /* "EMAIL" | "MOBILE" */
    const char *target;  /* where it goes */
    int64_t now;
    char secret[TOKEN_LEN]; /* the link token or the code, in clear for the message only */
    struct store_account_verification v;
    enum account_result res;
    char *err;
    size_t err_len;
};

/* Inside tx: checks the rate limits, stores the verification and enqueues its message. */
static enum store_status send_in_tx(struct store_tx *tx, struct send_op *op)
{
    struct store_account_verification last;
    enum store_status st =
        store_account_verification_newest(tx, op->account->id, op->purpose, &last);
    if (st != STORE_OK && st != STORE_NOT_FOUND)
        return st;
    if (st == STORE_OK && op->now - last.created_at < ACCOUNT_SEND_INTERVAL_MS) {
        long long wait = (ACCOUNT_SEND_INTERVAL_MS - (op->now - last.created_at)) / 1000 + 1;
        op->res = ACCOUNT_RATE_LIMITED;
        reason_message(op->err, op->err_len, "account.sendTooSoon",
                       json_pack("{s:I}", "seconds", (json_int_t)wait),
                       "A message was sent a moment ago; wait %lld seconds before asking again.",
                       wait);
        return STORE_OK;
    }
    int64_t n = 0;
    st = store_account_verification_count(tx, op->account->id, op->purpose,
                                          op->now - (int64_t)3600 * 1000, &n);
    if (st != STORE_OK)
        return st;
    if (n >= ACCOUNT_SENDS_PER_HOUR) {
        op->res = ACCOUNT_RATE_LIMITED;
        reason_message(op->err, op->err_len, "account.sendTooMany", NULL,
                       "Too many messages were asked for; try again in an hour.");
        return STORE_OK;
    }
    bool mobile = !strcmp(op->purpose, "MOBILE");
    struct store_account_verification *v = &op->v;
    memset(v, 0, sizeof *v);
    if (!uuid_v4(v->id))
        return STORE_ERROR;
    if (mobile) {
        if (!token_code6(op->secret))
            return STORE_ERROR;
        token_code_hash(op->account->id, op->secret, v->secret_hash);
    } else if (!token_new(op->secret, v->secret_hash)) {
        return STORE_ERROR;
    }
    str_copy(v->account_id, sizeof v->account_id, op->account->id);
    str_copy(v->purpose, sizeof v->purpose, op->purpose);
    str_copy(v->target, sizeof v->target, op->target);
    v->created_at = op->now;
    v->expires_at = op->now + (mobile ? ACCOUNT_CODE_TTL_MS : ACCOUNT_LINK_TTL_MS);
    st = store_account_verification_insert(tx, v);
    if (st != STORE_OK)
        return st;
    struct buf link;
    buf_init(&link, 4096);
    if (!mobile &&
        buf_appendf(&link, "%s/ui/account?verify=%s",
                    op->env->public_url ? op->env->public_url : "", op->secret) != BUF_OK) {
        buf_free(&link);
        return STORE_ERROR;
    }
    struct notify_message m = {
        .kind = mobile ? NOTIFY_CODE : NOTIFY_ACCOUNT_VERIFY,
        .channel = mobile ? NOTIFY_SMS : NOTIFY_EMAIL,
        .organization_id = "", /* accounts belong to no organization */
        .to = op->target,
        .locale = op->env->locale,
        .link = mobile ? NULL : link.data,
        .code = mobile ? op->secret : NULL,
        .valid_until_ms = v->expires_at,
    };
    st = notify_enqueue(tx, &m, op->now, NULL);
    buf_free(&link);
    if (st == STORE_OK)
        op->res = ACCOUNT_OK;
    return st;
}

/* ---- Creating an account ---- */

struct create_op {
    struct send_op send;
    struct store_account account;
    struct signin_throttle keys;
};

static enum store_status create_tx(struct store_tx *tx, void *cls)
{
    struct create_op *op = cls;
    op->send.res = ACCOUNT_UNAVAILABLE;
    int64_t until = 0;
    enum store_status st = signin_throttle_locked(tx, &op->keys, op->send.now, &until);
    if (st != STORE_OK)
        return st;
    if (until) {
        long long minutes = (until - op->send.now + 59999) / 60000;
        op->send.res = ACCOUNT_RATE_LIMITED;
        reason_message(op->send.err, op->send.err_len, "account.createTooOften",
                       json_pack("{s:I}", "minutes", (json_int_t)minutes),
                       "Too many accounts were asked for; try again in %lld minutes.", minutes);
        return STORE_OK;
    }
    /* Every attempt counts, for a taken e-mail as for a free one. */
    st = signin_throttle_fail(tx, &op->keys, op->send.now);
    if (st != STORE_OK)
        return st;
    struct store_account existing;
    st = store_account_find_by_email(tx, op->account.email, &existing);
    if (st == STORE_OK) {
        /* Taken: the owner learns that someone tried; the caller learns nothing. One notice
         * per interval, so the form cannot be used to flood the owner's mailbox. */
        op->send.account = &existing;
        struct store_account_verification last;
        st = store_account_verification_newest(tx, existing.id, "EXISTS", &last);
        if (st == STORE_OK && op->send.now - last.created_at < ACCOUNT_SEND_INTERVAL_MS * 10) {
            op->send.res = ACCOUNT_OK;
            return STORE_OK;
        }
        if (st != STORE_OK && st != STORE_NOT_FOUND)
            return st;
        struct store_account_verification v = {.created_at = op->send.now,
                                               .expires_at = op->send.now};
        if (!uuid_v4(v.id))
            return STORE_ERROR;
        str_copy(v.account_id, sizeof v.account_id, existing.id);
        str_copy(v.purpose, sizeof v.purpose, "EXISTS");
        str_copy(v.target, sizeof v.target, existing.email);
        crypto_sha256_hex(v.id, strlen(v.id), v.secret_hash); /* no secret: a record only */
        st = store_account_verification_insert(tx, &v);
        struct buf link;
        buf_init(&link, 4096);
        if (st == STORE_OK &&
            buf_appendf(&link, "%s/ui/account",
                        op->send.env->public_url ? op->send.env->public_url : "") != BUF_OK)
            st = STORE_ERROR;
        if (st == STORE_OK) {
            struct notify_message m = {.kind = NOTIFY_ACCOUNT_EXISTS,
                                       .channel = NOTIFY_EMAIL,
                                       .organization_id = "",
                                       .to = existing.email,
                                       .locale = op->send.env->locale,
                                       .link = link.data};
            st = notify_enqueue(tx, &m, op->send.now, NULL);
        }
        buf_free(&link);
        if (st == STORE_OK)
            op->send.res = ACCOUNT_OK;
        return st;
    }
    if (st != STORE_NOT_FOUND)
        return st;
    st = store_account_insert(tx, &op->account);
    if (st != STORE_OK)
        return st;
    op->send.account = &op->account;
    return send_in_tx(tx, &op->send);
}

enum account_result account_create(const struct account_env *env, const char *email,
                                   const char *password, int64_t now, char *err, size_t err_len)
{
    struct create_op op;
    memset(&op, 0, sizeof op);
    if (!email_normalize(email, op.account.email)) {
        reason_message(err, err_len, "account.emailInvalid", NULL,
                       "'%.100s' is not an e-mail address.", email ? email : "");
        return ACCOUNT_INVALID;
    }
    if (!password_length_ok(password, err, err_len))
        return ACCOUNT_INVALID;
    if (!uuid_v4(op.account.id) || !password_hash(password, op.account.password_hash))
        return ACCOUNT_UNAVAILABLE;
    op.account.created_at = now;
    signin_throttle_init(&op.keys, "create:", op.account.email, env->address,
                         ACCOUNT_CREATES_PER_EMAIL, ACCOUNT_CREATES_PER_ADDRESS);
    op.send = (struct send_op){.env = env,
                               .purpose = "EMAIL",
                               .target = op.account.email,
                               .now = now,
                               .err = err,
                               .err_len = err_len};
    enum store_status st = store_run(env->store, STORE_WRITE, create_tx, &op);
    memset(op.send.secret, 0, sizeof op.send.secret);
    /* A parallel creation of the same e-mail: as for a taken one, nothing to tell. */
    if (st == STORE_CONFLICT)
        return ACCOUNT_OK;
    return st == STORE_OK ? op.send.res : ACCOUNT_UNAVAILABLE;
}

struct verify_op {
    char hash[TOKEN_HASH_LEN];
    int64_t now;
    char email[STORE_ACCOUNT_EMAIL_LEN];
    enum account_result res;
};

static enum store_status verify_email_tx(struct store_tx *tx, void *cls)
{
    struct verify_op *op = cls;
    struct store_account_verification v;
    op->res = ACCOUNT_CODE_EXPIRED;
    enum store_status st = store_account_verification_find(tx, op->hash, &v);
    if (st == STORE_NOT_FOUND)
        return STORE_OK;
    if (st != STORE_OK)
        return st;
    /* The hash was looked up, so it matches; the compare is for the purpose's sake. */
    if (strcmp(v.purpose, "EMAIL") != 0 || v.used_at || v.expires_at <= op->now)
        return STORE_OK;
    st = store_account_verification_use(tx, v.id, op->now);
    if (st == STORE_CONFLICT)
        return STORE_OK;
    if (st == STORE_OK)
        st = store_account_verify_email(tx, v.account_id, v.target, op->now);
    if (st == STORE_NOT_FOUND) /* the account's e-mail is no longer that address */
        return STORE_OK;
    if (st == STORE_OK) {
        str_copy(op->email, sizeof op->email, v.target);
        op->res = ACCOUNT_OK;
    }
    return st;
}

enum account_result account_verify_email(struct store *s, const char *token, int64_t now,
                                         char email_out[STORE_ACCOUNT_EMAIL_LEN])
{
    if (email_out)
        email_out[0] = '\0';
    if (!token_looks_valid(token))
        return ACCOUNT_CODE_EXPIRED;
    struct verify_op op = {.now = now};
    crypto_sha256_hex(token, strlen(token), op.hash);
    if (store_run(s, STORE_WRITE, verify_email_tx, &op) != STORE_OK)
        return ACCOUNT_UNAVAILABLE;
    if (op.res == ACCOUNT_OK && email_out)
        str_copy(email_out, STORE_ACCOUNT_EMAIL_LEN, op.email);
    return op.res;
}

/* ---- Sign-in and sessions ---- */

static enum store_status find_account(struct store_tx *tx, const char *email, void *holder)
{
    return store_account_find_by_email(tx, email, holder);
}

static const char *account_password_hash(const void *holder)
{
    return ((const struct store_account *)holder)->password_hash;
}

static enum account_result from_signin(enum signin_result r)
{
    return r == SIGNIN_OK       ? ACCOUNT_OK
           : r == SIGNIN_LOCKED ? ACCOUNT_LOCKED
           : r == SIGNIN_FAILED ? ACCOUNT_SIGNIN_FAILED
                                : ACCOUNT_UNAVAILABLE;
}

static const struct signin_password SIGNIN = {
    .scope = THROTTLE_SCOPE,
    .account_limit = ACCOUNT_LOCK_FAILURES,
    .address_limit = ACCOUNT_ADDRESS_FAILURES,
    .email_len = STORE_ACCOUNT_EMAIL_LEN,
    .find = find_account,
    .password_hash = account_password_hash,
};

struct signin_op {
    const struct signin_throttle *keys;
    struct store_account_session *sess;
};

static enum store_status signin_tx(struct store_tx *tx, void *cls)
{
    struct signin_op *op = cls;
    enum store_status st = signin_throttle_clear(tx, op->keys);
    return st == STORE_OK ? store_account_session_insert(tx, op->sess) : st;
}

enum account_result account_sign_in(struct store *s, const char *email, const char *password,
                                    const char *address, int64_t now, char token[TOKEN_LEN],
                                    struct account_session *out, int64_t *retry_after_s)
{
    struct signin_throttle keys;
    struct store_account account;
    memset(out, 0, sizeof *out);
    token[0] = '\0';
    enum account_result res = from_signin(signin_password_check(
        s, &SIGNIN, email, password, address, now, &account, &keys, retry_after_s));
    if (res != ACCOUNT_OK)
        return res;
    struct store_account_session *sess = &out->session;
    if (!token_new(token, sess->session_hash) || !uuid_v4(sess->id)) {
        memset(token, 0, TOKEN_LEN);
        return ACCOUNT_UNAVAILABLE;
    }
    str_copy(sess->account_id, sizeof sess->account_id, account.id);
    sess->created_at = sess->last_seen_at = now;
    sess->expires_at = now + ACCOUNT_ABSOLUTE_MS;
    out->account = account;
    struct signin_op op = {.keys = &keys, .sess = sess};
    if (store_run(s, STORE_WRITE, signin_tx, &op) != STORE_OK) {
        memset(token, 0, TOKEN_LEN);
        return ACCOUNT_UNAVAILABLE;
    }
    return ACCOUNT_OK;
}

struct get_op {
    char hash[TOKEN_HASH_LEN];
    int64_t now;
    struct account_session *out;
    bool valid;
};

static enum store_status get_tx(struct store_tx *tx, void *cls)
{
    struct get_op *op = cls;
    struct store_account_session *sess = &op->out->session;
    op->valid = false;
    enum store_status st = store_account_session_find(tx, op->hash, sess);
    if (st != STORE_OK)
        return st;
    if (sess->ended_at || op->now >= sess->expires_at ||
        op->now - sess->last_seen_at >= ACCOUNT_IDLE_MS)
        return STORE_OK;
    st = store_account_get(tx, sess->account_id, &op->out->account);
    if (st == STORE_OK)
        st = store_account_session_touch(tx, sess->id, op->now);
    op->valid = st == STORE_OK;
    return st;
}

enum account_result account_session_get(struct store *s, const char *token, int64_t now,
                                        struct account_session *out)
{
    memset(out, 0, sizeof *out);
    if (!token_looks_valid(token))
        return ACCOUNT_NO_SESSION;
    struct get_op op = {.now = now, .out = out};
    crypto_sha256_hex(token, strlen(token), op.hash);
    enum store_status st = store_run(s, STORE_WRITE, get_tx, &op);
    if (st == STORE_NOT_FOUND || (st == STORE_OK && !op.valid)) {
        memset(out, 0, sizeof *out);
        return ACCOUNT_NO_SESSION;
    }
    return st == STORE_OK ? ACCOUNT_OK : ACCOUNT_UNAVAILABLE;
}

struct end_op {
    const struct account_session *a;
    int64_t now;
};

static enum store_status end_tx(struct store_tx *tx, void *cls)
{
    struct end_op *op = cls;
    enum store_status st = store_account_session_end(tx, op->a->session.id, op->now);
    return st == STORE_NOT_FOUND ? STORE_OK : st; /* ended already */
}

enum account_result account_sign_out(struct store *s, const struct account_session *a, int64_t now)
{
    struct end_op op = {.a = a, .now = now};
    return store_run(s, STORE_WRITE, end_tx, &op) == STORE_OK ? ACCOUNT_OK : ACCOUNT_UNAVAILABLE;
}

void account_csrf_token(const char *token, char out[TOKEN_LEN])
{
    token_csrf(CSRF_LABEL, token, out);
}

bool account_csrf_valid(const char *token, const char *presented)
{
    return token_csrf_valid(CSRF_LABEL, token, presented);
}

/* ---- E-mail link again, mobile number ---- */

static enum store_status send_tx(struct store_tx *tx, void *cls)
{
    struct send_op *op = cls;
    op->res = ACCOUNT_UNAVAILABLE;
    return send_in_tx(tx, op);
}

enum account_result account_resend_email(const struct account_env *env,
                                         const struct account_session *a, int64_t now, char *err,
                                         size_t err_len)
{
    if (a->account.email_verified_at) {
        reason_message(err, err_len, "account.emailVerifiedAlready", NULL,
                       "Your e-mail address is verified already.");
        return ACCOUNT_INVALID;
    }
    struct send_op op = {.env = env,
                         .account = &a->account,
                         .purpose = "EMAIL",
                         .target = a->account.email,
                         .now = now,
                         .err = err,
                         .err_len = err_len};
    enum store_status st = store_run(env->store, STORE_WRITE, send_tx, &op);
    memset(op.secret, 0, sizeof op.secret);
    return st == STORE_OK ? op.res : ACCOUNT_UNAVAILABLE;
}

static enum store_status mobile_tx(struct store_tx *tx, void *cls)
{
    struct send_op *op = cls;
    op->res = ACCOUNT_UNAVAILABLE;
    enum store_status st = send_in_tx(tx, op);
    if (st == STORE_OK && op->res == ACCOUNT_OK && strcmp(op->account->mobile, op->target) != 0)
        st = store_account_set_mobile(tx, op->account->id, op->target);
    return st;
}

enum account_result account_mobile_set(const struct account_env *env,
                                       const struct account_session *a, const char *mobile,
                                       int64_t now, char *err, size_t err_len)
{
    if (!mobile || !sign_mobile_valid(mobile) || !notify_recipient_valid(NOTIFY_SMS, mobile) ||
        strlen(mobile) >= STORE_ACCOUNT_MOBILE_LEN) {
        reason_message(err, err_len, "account.mobileInvalid", NULL,
                       "Enter the mobile number in international form: + and the country code, "
                       "e.g. +41791234567.");
        return ACCOUNT_INVALID;
    }
    struct send_op op = {.env = env,
                         .account = &a->account,
                         .purpose = "MOBILE",
                         .target = mobile,
                         .now = now,
                         .err = err,
                         .err_len = err_len};
    enum store_status st = store_run(env->store, STORE_WRITE, mobile_tx, &op);
    memset(op.secret, 0, sizeof op.secret);
    return st == STORE_OK ? op.res : ACCOUNT_UNAVAILABLE;
}

struct code_op {
    const struct account_session *a;
    const char *code;
    int64_t now;
    enum account_result res;
    char *err;
    size_t err_len;
};

static enum store_status mobile_verify_tx(struct store_tx *tx, void *cls)
{
    struct code_op *op = cls;
    struct store_account_verification v;
    op->res = ACCOUNT_CODE_EXPIRED;
    enum store_status st = store_account_verification_newest(tx, op->a->account.id, "MOBILE", &v);
    if (st == STORE_NOT_FOUND || (st == STORE_OK && (v.used_at || v.expires_at <= op->now ||
                                                     v.attempts >= ACCOUNT_CODE_ATTEMPTS))) {
        reason_message(op->err, op->err_len, "account.codeExpired", NULL,
                       "There is no valid code: ask for a new one.");
        return STORE_OK;
    }
    if (st != STORE_OK)
        return st;
    char h[TOKEN_HASH_LEN];
    token_code_hash(op->a->account.id, op->code, h);
    if (!str_ct_equal(h, v.secret_hash, TOKEN_HASH_LEN - 1)) {
        st = store_account_verification_fail(tx, v.id);
        long long left = ACCOUNT_CODE_ATTEMPTS - (v.attempts + 1);
        if (left > 0) {
            op->res = ACCOUNT_CODE_WRONG;
            reason_message(op->err, op->err_len, "account.codeWrong",
                           json_pack("{s:I}", "tries", (json_int_t)left),
                           "The code is wrong; %lld more tries.", left);
        } else {
            reason_message(op->err, op->err_len, "account.codeLockedNow", NULL,
                           "The code is wrong and now locked: ask for a new one.");
        }
        return st;
    }
    st = store_account_verification_use(tx, v.id, op->now);
    if (st == STORE_CONFLICT) {
        reason_message(op->err, op->err_len, "account.codeExpired", NULL,
                       "The code was used already: ask for a new one.");
        return STORE_OK;
    }
    if (st == STORE_OK)
        st = store_account_verify_mobile(tx, op->a->account.id, v.target, op->now);
    if (st == STORE_OK)
        op->res = ACCOUNT_OK;
    return st;
}

enum account_result account_mobile_verify(struct store *s, const struct account_session *a,
                                          const char *code, int64_t now, char *err, size_t err_len)
{
    if (!token_is_code6(code)) {
        reason_message(err, err_len, "account.codeFormat", NULL, "Enter the 6 digits of the code.");
        return ACCOUNT_INVALID;
    }
    struct code_op op = {.a = a, .code = code, .now = now, .err = err, .err_len = err_len};
    enum store_status st = store_run(s, STORE_WRITE, mobile_verify_tx, &op);
    if (st == STORE_NOT_FOUND) { /* the number was changed meanwhile */
        reason_message(err, err_len, "account.codeExpired", NULL,
                       "There is no valid code: ask for a new one.");
        return ACCOUNT_CODE_EXPIRED;
    }
    return st == STORE_OK ? op.res : ACCOUNT_UNAVAILABLE;
}

/* ---- Password change ---- */

struct password_op {
    const struct account_session *a;
    const char *hash;
    int64_t now;
};

static enum store_status password_tx(struct store_tx *tx, void *cls)
{
    struct password_op *op = cls;
    enum store_status st = store_account_set_password(tx, op->a->account.id, op->hash);
    if (st == STORE_OK)
        st = store_account_session_end_others(tx, op->a->account.id, op->a->session.id, op->now);
    return st;
}

enum account_result account_password_change(struct store *s, const struct account_session *a,
                                            const char *current, const char *new_password,
                                            const char *address, int64_t now, char *err,
                                            size_t err_len, int64_t *retry_after_s)
{
    struct signin_throttle keys;
    char hash[PASSWORD_STORED_LEN];
    *retry_after_s = 0;
    if (!password_length_ok(new_password, err, err_len))
        return ACCOUNT_INVALID;
    /* The current password is checked as a sign-in of the account's e-mail is. */
    struct store_account account;
    enum account_result res = from_signin(signin_password_check(
        s, &SIGNIN, a->account.email, current, address, now, &account, &keys, retry_after_s));
    if (res != ACCOUNT_OK)
        return res;
    if (!password_hash(new_password, hash))
        return ACCOUNT_UNAVAILABLE;
    struct password_op op = {.a = a, .hash = hash, .now = now};
    return store_run(s, STORE_WRITE, password_tx, &op) == STORE_OK ? ACCOUNT_OK
                                                                   : ACCOUNT_UNAVAILABLE;
}
