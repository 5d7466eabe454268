/*
 * The admin cockpit's accounts, sign-in, sessions, TOTP and team members (see admin/cockpit.h).
 */
#include "admin/cockpit.h"

#include "auth/org_admin.h"
#include "auth/signin.h"
#include "core/b64.h"
#include "core/base32.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/qr.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/uuid.h"
#include "sign/process.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum cockpit_result from_store(enum store_status st)
{
    switch (st) {
    case STORE_OK:
        return COCKPIT_OK;
    case STORE_NOT_FOUND:
        return COCKPIT_NOT_FOUND;
    case STORE_CONFLICT:
        return COCKPIT_CONFLICT;
    default:
        return COCKPIT_UNAVAILABLE;
    }
}

/* Lowercase copy of an e-mail address; false when it does not fit or is not an address. */
static bool email_normalize(const char *in, char out[STORE_ADMIN_USER_EMAIL_LEN])
{
    if (!in || !str_copy(out, STORE_ADMIN_USER_EMAIL_LEN, in))
        return false;
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return sign_email_valid(out);
}

/* ---- TOTP ---- */

static void totp_aad(const char *user_id, char out[STORE_ID_LEN + 24])
{
    snprintf(out, STORE_ID_LEN + 24, "signet-admin-totp:%s", user_id);
}

static bool totp_seal(const unsigned char *mk, const char *user_id,
                      const unsigned char secret[COCKPIT_TOTP_SECRET_LEN], unsigned char *out,
                      size_t *out_len)
{
    char aad[STORE_ID_LEN + 24];
    totp_aad(user_id, aad);
    return crypto_seal(mk, aad, strlen(aad), secret, COCKPIT_TOTP_SECRET_LEN, out,
                       STORE_ADMIN_USER_SEALED_MAX, out_len);
}

static bool totp_open(const unsigned char *mk, const char *user_id, const unsigned char *sealed,
                      size_t len, unsigned char secret[COCKPIT_TOTP_SECRET_LEN])
{
    char aad[STORE_ID_LEN + 24];
    unsigned char plain[COCKPIT_TOTP_SECRET_LEN + 16];
    size_t n = 0;
    totp_aad(user_id, aad);
    bool ok = crypto_open(mk, aad, strlen(aad), sealed, len, plain, sizeof plain, &n) &&
              n == COCKPIT_TOTP_SECRET_LEN;
    if (ok)
        memcpy(secret, plain, COCKPIT_TOTP_SECRET_LEN);
    else /* our bug or a wrong master key, not the admin's fault */
        log_error("admin account %s: the TOTP secret cannot be opened with the master key",
                  user_id);
    memset(plain, 0, sizeof plain);
    return ok;
}

/* Percent-encoding for the otpauth URI (RFC 3986 unreserved characters kept). */
static bool uri_escape(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool keep = isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        char e[4] = {'%', hex[*p >> 4], hex[*p & 15], '\0'};
        if (buf_append(b, keep ? (const char *)p : e, keep ? 1 : 3) != BUF_OK)
            return false;
    }
    return true;
}

/* base32 secret and otpauth URI (owned by uri, a buf the caller frees) of an enrolment. */
static bool totp_uri(const unsigned char secret[COCKPIT_TOTP_SECRET_LEN], const char *account,
                     char b32[64], struct buf *uri)
{
    return base32_encode(secret, COCKPIT_TOTP_SECRET_LEN, b32, 64) &&
           buf_append_str(uri, "otpauth://totp/") == BUF_OK &&
           uri_escape(uri, COCKPIT_TOTP_ISSUER) && buf_append_str(uri, ":") == BUF_OK &&
           uri_escape(uri, account) &&
           buf_appendf(uri, "?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d", b32,
                       COCKPIT_TOTP_ISSUER, CRYPTO_TOTP_DIGITS, CRYPTO_TOTP_PERIOD) == BUF_OK;
}

/* ---- Accounts ---- */

struct create_op {
    struct store_admin_user *u;
    enum cockpit_result res;
};

static enum store_status create_tx(struct store_tx *tx, void *cls)
{
    struct create_op *op = cls;
    struct store_org org;
    op->res = COCKPIT_UNAVAILABLE;
    enum store_status st = store_org_get(tx, op->u->organization_id, &org);
    if (st == STORE_NOT_FOUND) {
        op->res = COCKPIT_NOT_FOUND;
        return st;
    }
    if (st != STORE_OK)
        return st;
    if (strcmp(org.client_type, "ORGANIZATION") != 0) {
        op->res = COCKPIT_CONFLICT; /* CORPORATE: the operator issues its credentials */
        return STORE_CONFLICT;
    }
    st = store_admin_user_insert(tx, op->u);
    op->res = from_store(st);
    return st;
}

enum cockpit_result cockpit_user_create(struct store *s, const unsigned char *master_key,
                                        const char *organization_id, const char *email,
                                        const char *password, bool totp, int64_t now,
                                        struct store_admin_user *out, char totp_secret[64],
                                        char totp_uri_out[512], char *err, size_t err_len)
{
    unsigned char secret[COCKPIT_TOTP_SECRET_LEN];
    struct buf uri;
    buf_init(&uri, 512);
    enum cockpit_result res = COCKPIT_INVALID;
    memset(out, 0, sizeof *out);
    if (!email_normalize(email, out->email)) {
        str_message(err, err_len, "'%.100s' is not an e-mail address.", email ? email : "");
        goto cleanup;
    }
    size_t plen = password ? strlen(password) : 0;
    if (plen < COCKPIT_PASSWORD_MIN || plen > COCKPIT_PASSWORD_MAX) {
        str_message(err, err_len, "The password must have %d to %d characters.",
                    COCKPIT_PASSWORD_MIN, COCKPIT_PASSWORD_MAX);
        goto cleanup;
    }
    res = COCKPIT_UNAVAILABLE;
    if (!uuid_v4(out->id) || !password_hash(password, out->password_hash))
        goto cleanup;
    str_copy(out->organization_id, sizeof out->organization_id, organization_id);
    out->created_at = now;
    out->totp_last_step = -1;
    if (totp) {
        char b32[64];
        if (!master_key || !rand_bytes(secret, sizeof secret) ||
            !totp_seal(master_key, out->id, secret, out->totp_secret_sealed,
                       &out->totp_secret_sealed_len) ||
            !totp_uri(secret, out->email, b32, &uri) || uri.len >= 512)
            goto cleanup;
        out->totp_confirmed_at = now;
        if (totp_secret)
            str_copy(totp_secret, 64, b32);
        if (totp_uri_out)
            str_copy(totp_uri_out, 512, uri.data);
        memset(b32, 0, sizeof b32);
    }
    struct create_op op = {.u = out};
    store_run(s, STORE_WRITE, create_tx, &op);
    res = op.res;
    if (res == COCKPIT_NOT_FOUND)
        str_message(err, err_len, "No organization with id '%.64s'.", organization_id);
    else if (res == COCKPIT_CONFLICT)
        str_message(err, err_len,
                    "Either '%s' has an account already, or organization '%.64s' is CORPORATE (its "
                    "credentials are issued by the operator, so it has no organization admins).",
                    out->email, organization_id);
cleanup:
    memset(secret, 0, sizeof secret);
    if (uri.data)
        memset(uri.data, 0, uri.len);
    buf_free(&uri);
    return res;
}

/* ---- Sign-in ---- */

static enum store_status find_user(struct store_tx *tx, const char *email, void *holder)
{
    return store_admin_user_find_by_email(tx, email, holder);
}

static const char *user_password_hash(const void *holder)
{
    const struct store_admin_user *u = holder;
    return u->disabled_at ? NULL : u->password_hash;
}

static const struct signin_password SIGNIN = {
    .scope = "", /* the cockpit's keys predate scopes */
    .account_limit = COCKPIT_LOCK_FAILURES,
    .address_limit = COCKPIT_ADDRESS_FAILURES,
    .email_len = STORE_ADMIN_USER_EMAIL_LEN,
    .find = find_user,
    .password_hash = user_password_hash,
};

struct session_op {
    const struct signin_throttle *keys;
    const struct store_admin_user *user;
    int64_t step; /* TOTP step to record; -1: none */
    struct store_admin_session *sess;
    struct store_org *org;
};

static enum store_status session_tx(struct store_tx *tx, void *cls)
{
    struct session_op *op = cls;
    enum store_status st = STORE_OK;
    if (op->step >= 0)
        st = store_admin_user_use_totp_step(tx, op->user->organization_id, op->user->id, op->step);
    if (st == STORE_OK)
        st = store_org_get(tx, op->user->organization_id, op->org);
    if (st == STORE_OK)
        st = signin_throttle_clear(tx, op->keys);
    if (st == STORE_OK)
        st = store_admin_session_insert(tx, op->sess);
    return st;
}

/* Records a failed attempt; returns res, or COCKPIT_UNAVAILABLE when it cannot be recorded. */
static enum cockpit_result failed(struct store *s, const struct signin_throttle *keys, int64_t now,
                                  enum cockpit_result res)
{
    return signin_throttle_fail_run(s, keys, now) == STORE_OK ? res : COCKPIT_UNAVAILABLE;
}

enum cockpit_result cockpit_sign_in(struct store *s, const struct cockpit_signin *in,
                                    char token[COCKPIT_TOKEN_LEN], struct cockpit_session *out,
                                    int64_t *retry_after_s)
{
    struct signin_throttle keys;
    struct store_admin_user user;
    unsigned char secret[COCKPIT_TOTP_SECRET_LEN];
    enum cockpit_result res;
    memset(out, 0, sizeof *out);
    token[0] = '\0';
    switch (signin_password_check(s, &SIGNIN, in->email, in->password, in->address, in->now, &user,
                                  &keys, retry_after_s)) {
    case SIGNIN_OK:
        break;
    case SIGNIN_LOCKED:
        return COCKPIT_LOCKED;
    case SIGNIN_FAILED:
        return COCKPIT_SIGNIN_FAILED;
    default:
        return COCKPIT_UNAVAILABLE;
    }
    int64_t step = -1;
    if (user.totp_secret_sealed_len) {
        if (!in->code || !*in->code)
            return failed(s, &keys, in->now, COCKPIT_CODE_REQUIRED);
        if (!in->master_key || !totp_open(in->master_key, user.id, user.totp_secret_sealed,
                                          user.totp_secret_sealed_len, secret))
            return COCKPIT_UNAVAILABLE;
        enum crypto_totp_result tr = crypto_totp_verify(secret, sizeof secret, in->now,
                                                        user.totp_last_step, in->code, &step);
        memset(secret, 0, sizeof secret);
        if (tr != CRYPTO_TOTP_OK)
            return failed(s, &keys, in->now, COCKPIT_SIGNIN_FAILED);
    }
    res = COCKPIT_UNAVAILABLE;
    if (!token_new(token, out->session.session_hash) || !uuid_v4(out->session.id))
        goto cleanup;
    str_copy(out->session.user_id, sizeof out->session.user_id, user.id);
    str_copy(out->session.organization_id, sizeof out->session.organization_id,
             user.organization_id);
    out->session.created_at = out->session.last_seen_at = in->now;
    out->session.expires_at = in->now + COCKPIT_ABSOLUTE_MS;
    out->user = user;
    struct session_op op = {
        .keys = &keys, .user = &user, .step = step, .sess = &out->session, .org = &out->org};
    enum store_status st = store_run(s, STORE_WRITE, session_tx, &op);
    /* The step was used by a parallel sign-in: the code counts as wrong. */
    res = st == STORE_OK         ? COCKPIT_OK
          : st == STORE_CONFLICT ? failed(s, &keys, in->now, COCKPIT_SIGNIN_FAILED)
                                 : COCKPIT_UNAVAILABLE;
cleanup:
    if (res != COCKPIT_OK)
        memset(token, 0, COCKPIT_TOKEN_LEN);
    return res;
}

/* ---- Sessions ---- */

struct get_op {
    const char *hash;
    int64_t now;
    struct cockpit_session *out;
    bool valid;
};

static enum store_status get_tx(struct store_tx *tx, void *cls)
{
    struct get_op *op = cls;
    struct store_admin_session *sess = &op->out->session;
    op->valid = false;
    enum store_status st = store_admin_session_find(tx, op->hash, sess);
    if (st != STORE_OK)
        return st;
    if (sess->ended_at || op->now >= sess->expires_at ||
        op->now - sess->last_seen_at >= COCKPIT_IDLE_MS)
        return STORE_OK;
    st = store_admin_user_get(tx, sess->organization_id, sess->user_id, &op->out->user);
    if (st == STORE_OK)
        st = store_org_get(tx, sess->organization_id, &op->out->org);
    if (st != STORE_OK || op->out->user.disabled_at)
        return st;
    st = store_admin_session_touch(tx, sess->organization_id, sess->id, op->now);
    op->valid = st == STORE_OK;
    return st;
}

enum cockpit_result cockpit_session_get(struct store *s, const char *token, int64_t now,
                                        struct cockpit_session *out)
{
    memset(out, 0, sizeof *out);
    if (!token || strlen(token) != COCKPIT_TOKEN_LEN - 1)
        return COCKPIT_NO_SESSION;
    char hash[SHA256_HEX_LEN];
    crypto_sha256_hex(token, strlen(token), hash);
    struct get_op op = {.hash = hash, .now = now, .out = out};
    enum store_status st = store_run(s, STORE_WRITE, get_tx, &op);
    if (st == STORE_NOT_FOUND || (st == STORE_OK && !op.valid))
        return COCKPIT_NO_SESSION;
    return st == STORE_OK ? COCKPIT_OK : COCKPIT_UNAVAILABLE;
}

struct end_op {
    const struct cockpit_session *c;
    int64_t now;
};

static enum store_status end_tx(struct store_tx *tx, void *cls)
{
    struct end_op *op = cls;
    return store_admin_session_end(tx, op->c->session.organization_id, op->c->session.id, op->now);
}

enum cockpit_result cockpit_sign_out(struct store *s, const struct cockpit_session *c, int64_t now)
{
    struct end_op op = {.c = c, .now = now};
    enum store_status st = store_run(s, STORE_WRITE, end_tx, &op);
    return st == STORE_OK || st == STORE_NOT_FOUND ? COCKPIT_OK : COCKPIT_UNAVAILABLE;
}

void cockpit_csrf_token(const char *token, char out[COCKPIT_TOKEN_LEN])
{
    token_csrf("signet-admin-csrf", token, out);
}

bool cockpit_csrf_valid(const char *token, const char *presented)
{
    return token_csrf_valid("signet-admin-csrf", token, presented);
}

/* ---- TOTP enrolment of the signed-in admin ---- */

struct pending_op {
    const struct cockpit_session *c;
    const unsigned char *sealed;
    size_t len;
    int64_t now, step;
};

static enum store_status pending_tx(struct store_tx *tx, void *cls)
{
    struct pending_op *op = cls;
    return store_admin_user_set_totp_pending(tx, op->c->user.organization_id, op->c->user.id,
                                             op->sealed, op->len);
}

enum cockpit_result cockpit_totp_enrol(struct store *s, const unsigned char *master_key,
                                       const struct cockpit_session *c, json_t **out)
{
    unsigned char secret[COCKPIT_TOTP_SECRET_LEN], sealed[STORE_ADMIN_USER_SEALED_MAX];
    size_t sealed_len = 0;
    char b32[64] = "";
    char *svg = NULL, *svg64 = NULL;
    struct buf uri, data_url;
    buf_init(&uri, 1024);
    buf_init(&data_url, (size_t)1 << 20);
    enum cockpit_result res = COCKPIT_UNAVAILABLE;
    *out = NULL;
    if (!rand_bytes(secret, sizeof secret) ||
        !totp_seal(master_key, c->user.id, secret, sealed, &sealed_len) ||
        !totp_uri(secret, c->user.email, b32, &uri))
        goto cleanup;
    svg = qr_svg(uri.data);
    svg64 = svg ? b64_encode(svg, strlen(svg), B64_STD) : NULL;
    if (!svg64 || buf_append_str(&data_url, "data:image/svg+xml;base64,") != BUF_OK ||
        buf_append_str(&data_url, svg64) != BUF_OK)
        goto cleanup;
    struct pending_op op = {.c = c, .sealed = sealed, .len = sealed_len};
    res = from_store(store_run(s, STORE_WRITE, pending_tx, &op));
    if (res == COCKPIT_OK) {
        *out = json_pack("{s:s, s:s, s:s, s:i, s:i}", "secret", b32, "uri", uri.data, "qr",
                         data_url.data, "period", CRYPTO_TOTP_PERIOD, "digits", CRYPTO_TOTP_DIGITS);
        if (!*out)
            res = COCKPIT_UNAVAILABLE;
    }
cleanup:
    memset(secret, 0, sizeof secret);
    memset(b32, 0, sizeof b32);
    if (uri.data)
        memset(uri.data, 0, uri.len);
    buf_free(&uri);
    buf_free(&data_url);
    free(svg);
    free(svg64);
    return res;
}

struct confirm_op {
    const struct cockpit_session *c;
    const unsigned char *master_key;
    const char *code;
    int64_t now;
    bool nothing_waiting, wrong;
};

static enum store_status confirm_tx(struct store_tx *tx, void *cls)
{
    struct confirm_op *op = cls;
    struct store_admin_user u;
    unsigned char secret[COCKPIT_TOTP_SECRET_LEN];
    op->nothing_waiting = op->wrong = false;
    enum store_status st =
        store_admin_user_get(tx, op->c->user.organization_id, op->c->user.id, &u);
    if (st != STORE_OK)
        return st;
    if (!u.totp_pending_sealed_len) {
        op->nothing_waiting = true;
        return STORE_CONFLICT;
    }
    if (!totp_open(op->master_key, u.id, u.totp_pending_sealed, u.totp_pending_sealed_len, secret))
        return STORE_ERROR;
    int64_t step = -1;
    enum crypto_totp_result tr =
        crypto_totp_verify(secret, sizeof secret, op->now, -1, op->code, &step);
    memset(secret, 0, sizeof secret);
    if (tr != CRYPTO_TOTP_OK) {
        op->wrong = true;
        return STORE_CONFLICT;
    }
    return store_admin_user_confirm_totp(tx, u.organization_id, u.id, u.totp_pending_sealed,
                                         u.totp_pending_sealed_len, op->now, step);
}

enum cockpit_result cockpit_totp_confirm(struct store *s, const unsigned char *master_key,
                                         const struct cockpit_session *c, const char *code,
                                         int64_t now, char *err, size_t err_len)
{
    struct confirm_op op = {.c = c, .master_key = master_key, .code = code ? code : "", .now = now};
    enum store_status st = store_run(s, STORE_WRITE, confirm_tx, &op);
    if (op.nothing_waiting) {
        str_message(err, err_len, "Start the enrolment first.");
        return COCKPIT_INVALID;
    }
    if (op.wrong) {
        str_message(err, err_len, "The code is not right; enter the code your app shows now.");
        return COCKPIT_INVALID;
    }
    return st == STORE_OK ? COCKPIT_OK : COCKPIT_UNAVAILABLE;
}

/* ---- Team members ---- */

struct member_op {
    struct store_team_member m;
    bool remove;
};

static enum store_status member_tx(struct store_tx *tx, void *cls)
{
    struct member_op *op = cls;
    if (op->remove)
        return store_team_member_remove(tx, op->m.organization_id, op->m.team_id, op->m.email);
    return store_team_member_add(tx, &op->m);
}

static enum cockpit_result member_change(struct store *s, const char *organization_id,
                                         const char *team_id, const char *email, int64_t now,
                                         bool remove, char *err, size_t err_len)
{
    struct member_op op = {.remove = remove};
    if (!email_normalize(email, op.m.email)) {
        str_message(err, err_len, "'%.100s' is not an e-mail address.", email ? email : "");
        return COCKPIT_INVALID;
    }
    if (!str_copy(op.m.team_id, sizeof op.m.team_id, team_id))
        return COCKPIT_NOT_FOUND;
    str_copy(op.m.organization_id, sizeof op.m.organization_id, organization_id);
    op.m.created_at = now;
    return from_store(store_run(s, STORE_WRITE, member_tx, &op));
}

enum cockpit_result cockpit_team_member_add(struct store *s, const char *organization_id,
                                            const char *team_id, const char *email, int64_t now,
                                            char *err, size_t err_len)
{
    return member_change(s, organization_id, team_id, email, now, false, err, err_len);
}

enum cockpit_result cockpit_team_member_remove(struct store *s, const char *organization_id,
                                               const char *team_id, const char *email)
{
    return member_change(s, organization_id, team_id, email, 0, true, NULL, 0);
}

struct members_op {
    const char *org;
    struct store_team_member *m;
    size_t n;
};

static enum store_status members_tx(struct store_tx *tx, void *cls)
{
    struct members_op *op = cls;
    free(op->m);
    op->m = NULL;
    return store_team_member_list(tx, op->org, &op->m, &op->n);
}

enum cockpit_result cockpit_team_list(struct store *s, const char *organization_id, json_t **out)
{
    struct store_team *teams = NULL;
    size_t n = 0;
    struct members_op mo = {.org = organization_id};
    *out = NULL;
    enum store_status st = auth_admin_team_list(s, organization_id, organization_id, &teams, &n);
    if (st == STORE_OK)
        st = store_run(s, STORE_READ, members_tx, &mo);
    json_t *arr = st == STORE_OK ? json_array() : NULL;
    for (size_t i = 0; arr && i < n; i++) {
        char created[ISO_DATETIME_LEN];
        iso_format_datetime(teams[i].created_at, false, created);
        json_t *members = json_array();
        for (size_t k = 0; members && k < mo.n; k++)
            if (!strcmp(mo.m[k].team_id, teams[i].id))
                json_array_append_new(members, json_string(mo.m[k].email));
        json_t *t = members ? json_pack("{s:s, s:s, s:s, s:o}", "id", teams[i].id, "name",
                                        teams[i].name, "created", created, "members", members)
                            : NULL;
        if (!t || json_array_append_new(arr, t) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    free(teams);
    free(mo.m);
    *out = arr;
    return arr ? COCKPIT_OK : from_store(st == STORE_OK ? STORE_ERROR : st);
}
