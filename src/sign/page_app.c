/*
 * Authenticator-app (TOTP) enrolment and codes on the signer pages (see sign/page_app.h).
 */
#include "sign/page_app.h"

#include "core/b64.h"
#include "core/base32.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/qr.h"
#include "core/rand.h"
#include "core/reason.h"
#include "core/str.h"
#include "core/uuid.h"
#include "sign/process.h"
#include "sign/release.h"
#include "store/totp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The aad that binds a sealed secret to its enrolment. */
static void secret_aad(const char *enrolment_id, char out[STORE_ID_LEN + 16])
{
    snprintf(out, STORE_ID_LEN + 16, "signet-totp:%s", enrolment_id);
}

static bool secret_open(const unsigned char *mk, const struct store_totp_enrolment *e,
                        unsigned char secret[SIGN_PAGE_APP_SECRET_LEN])
{
    char aad[STORE_ID_LEN + 16];
    unsigned char plain[SIGN_PAGE_APP_SECRET_LEN + 16];
    size_t n = 0;
    secret_aad(e->id, aad);
    bool ok = crypto_open(mk, aad, strlen(aad), e->secret_sealed, e->secret_sealed_len, plain,
                          sizeof plain, &n) &&
              n == SIGN_PAGE_APP_SECRET_LEN;
    if (ok)
        memcpy(secret, plain, SIGN_PAGE_APP_SECRET_LEN);
    else /* our bug or a wrong master key, not the signer's fault */
        log_error("totp enrolment %s: the secret cannot be opened with the master key", e->id);
    memset(plain, 0, sizeof plain);
    return ok;
}

static enum store_status audit(struct store_tx *tx, const struct store_ui_session *sess,
                               int64_t now, const char *action, const char *status,
                               const char *const *kv)
{
    json_t *x = json_object();
    for (size_t i = 0; x && kv[i]; i += 2)
        if (json_object_set_new(x, kv[i], json_string(kv[i + 1])) != 0) {
            json_decref(x);
            x = NULL;
        }
    if (!x)
        return STORE_ERROR;
    enum store_status st =
        sign_audit_append(tx, sess->organization_id, sess->process_id, now, action, status, x);
    json_decref(x);
    return st;
}

/* Percent-encoding of s for an otpauth URI's label or query value (RFC 3986 unreserved kept). */
static bool uri_escape(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        char e[4] = {'%', hex[*p >> 4], hex[*p & 15], '\0'};
        if (buf_append(b, keep ? (const char *)p : e, keep ? 1 : 3) != BUF_OK)
            return false;
    }
    return true;
}

/* The answer of an enrolment: secret, uri, qr. NULL when out of memory. */
static json_t *enrolment_json(const unsigned char secret[SIGN_PAGE_APP_SECRET_LEN],
                              const char *account)
{
    char b32[BASE32_LEN(SIGN_PAGE_APP_SECRET_LEN) + 1];
    json_t *out = NULL;
    char *svg = NULL, *svg64 = NULL;
    struct buf uri, data_url;
    buf_init(&uri, 4096);
    buf_init(&data_url, (size_t)1 << 20);
    if (!base32_encode(secret, SIGN_PAGE_APP_SECRET_LEN, b32, sizeof b32))
        goto cleanup;
    /* Key URI format of the authenticator apps: otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…
     * (algorithm, digits and period are the defaults, given anyway for apps that ask). */
    if (buf_append_str(&uri, "otpauth://totp/") != BUF_OK ||
        !uri_escape(&uri, SIGN_PAGE_APP_ISSUER) || buf_append_str(&uri, ":") != BUF_OK ||
        !uri_escape(&uri, account) ||
        buf_appendf(&uri, "?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d", b32,
                    SIGN_PAGE_APP_ISSUER, CRYPTO_TOTP_DIGITS, CRYPTO_TOTP_PERIOD) != BUF_OK)
        goto cleanup;
    svg = qr_svg(uri.data);
    svg64 = svg ? b64_encode(svg, strlen(svg), B64_STD) : NULL;
    if (!svg64 || buf_append_str(&data_url, "data:image/svg+xml;base64,") != BUF_OK ||
        buf_append_str(&data_url, svg64) != BUF_OK)
        goto cleanup;
    out = json_pack("{s:s, s:s, s:s, s:i, s:i}", "secret", b32, "uri", uri.data, "qr",
                    data_url.data, "period", CRYPTO_TOTP_PERIOD, "digits", CRYPTO_TOTP_DIGITS);
cleanup:
    if (uri.data)
        memset(uri.data, 0, uri.len);
    memset(b32, 0, sizeof b32);
    buf_free(&uri);
    buf_free(&data_url);
    free(svg);
    free(svg64);
    return out;
}

/* ---- enrolment ---- */

struct enrol_op {
    const struct sign_page_env *env;
    const struct store_ui_session *sess;
    int64_t now;
    char new_id[STORE_ID_LEN];
    unsigned char new_secret[SIGN_PAGE_APP_SECRET_LEN];
    unsigned char secret[SIGN_PAGE_APP_SECRET_LEN]; /* the enrolment's, in clear */
    char account[600];
    enum sign_page_result res;
    char *err;
    size_t err_len;
};

static enum store_status enrol_tx(struct store_tx *tx, void *cls)
{
    struct enrol_op *op = cls;
    const struct store_ui_session *sess = op->sess;
    struct store_process p;
    struct store_totp_enrolment e;
    memset(&p, 0, sizeof p);
    op->res = SIGN_PAGE_UNAVAILABLE;
    enum store_status st = store_process_get(tx, sess->organization_id, sess->process_id, &p);
    if (st != STORE_OK)
        goto cleanup;
    for (size_t i = 0; i < p.n_participants; i++)
        if (!strcmp(p.participants[i].id, sess->participant_id))
            snprintf(op->account, sizeof op->account, "%s %s", p.participants[i].first_name,
                     p.participants[i].last_name);
    st = store_totp_get(tx, sess->organization_id, sess->participant_id, &e);
    if (st == STORE_OK && e.confirmed_at) {
        op->res = SIGN_PAGE_WRONG_STATE;
        reason_message(op->err, op->err_len, "app.enrolled", NULL,
                       "Your authenticator app is set up already: enter its code.");
        goto cleanup;
    }
    if (st == STORE_OK) { /* started before and not confirmed: the same secret again */
        op->res =
            secret_open(op->env->master_key, &e, op->secret) ? SIGN_PAGE_OK : SIGN_PAGE_UNAVAILABLE;
        goto cleanup;
    }
    if (st != STORE_NOT_FOUND)
        goto cleanup;
    memset(&e, 0, sizeof e);
    str_copy(e.id, sizeof e.id, op->new_id);
    str_copy(e.organization_id, sizeof e.organization_id, sess->organization_id);
    str_copy(e.process_id, sizeof e.process_id, sess->process_id);
    str_copy(e.participant_id, sizeof e.participant_id, sess->participant_id);
    e.created_at = op->now;
    char aad[STORE_ID_LEN + 16];
    secret_aad(e.id, aad);
    if (!crypto_seal(op->env->master_key, aad, strlen(aad), op->new_secret,
                     SIGN_PAGE_APP_SECRET_LEN, e.secret_sealed, sizeof e.secret_sealed,
                     &e.secret_sealed_len)) {
        st = STORE_ERROR;
        goto cleanup;
    }
    st = store_totp_insert(tx, &e);
    if (st == STORE_CONFLICT) /* enrolled at the same moment in another tab: read it again */
        st = STORE_RETRY;
    if (st != STORE_OK)
        goto cleanup;
    st = audit(tx, sess, op->now, "enrolment", "INITIALIZE",
               (const char *const[]){"enrolment_method", "APP", "enrolment_participantId",
                                     sess->participant_id, NULL});
    if (st != STORE_OK)
        goto cleanup;
    memcpy(op->secret, op->new_secret, SIGN_PAGE_APP_SECRET_LEN);
    op->res = SIGN_PAGE_OK;
cleanup:
    store_process_clear(&p);
    memset(&e, 0, sizeof e);
    return st;
}

/* Checks what every APP call needs: authorized session, master key, APP offered, something
 * to sign. */
static enum sign_page_result app_usable(const struct sign_page_env *env,
                                        const struct store_ui_session *sess, int64_t now, char *err,
                                        size_t err_len)
{
    if (!sess->authorized_at)
        return SIGN_PAGE_NOT_AUTHORIZED;
    if (!env->master_key) {
        reason_message(err, err_len, "unavailable", NULL,
                       "The authenticator app cannot be used now; try again.");
        return SIGN_PAGE_UNAVAILABLE;
    }
    unsigned methods = 0;
    bool pending = false;
    enum sign_page_result res = sign_page_methods(env->store, sess, now, &methods, &pending);
    if (res != SIGN_PAGE_OK)
        return res;
    if (!(methods & SIGN_METHOD_APP)) {
        reason_message(err, err_len, "method.unavailable", json_pack("{s:s}", "method", "APP"),
                       "The signature method APP is not available for this process.");
        return SIGN_PAGE_REFUSED;
    }
    if (!pending) {
        reason_message(err, err_len, "state.ended", NULL,
                       "There is nothing to sign: the process or your part of it has ended.");
        return SIGN_PAGE_WRONG_STATE;
    }
    return SIGN_PAGE_OK;
}

enum sign_page_result sign_page_app_enrol(const struct sign_page_env *env,
                                          const struct store_ui_session *sess, int64_t now,
                                          json_t **out, char *err, size_t err_len)
{
    *out = NULL;
    enum sign_page_result res = app_usable(env, sess, now, err, err_len);
    if (res != SIGN_PAGE_OK)
        return res;
    struct enrol_op *op = calloc(1, sizeof *op);
    if (!op)
        return SIGN_PAGE_UNAVAILABLE;
    op->env = env;
    op->sess = sess;
    op->now = now;
    op->err = err;
    op->err_len = err_len;
    res = SIGN_PAGE_UNAVAILABLE;
    if (!uuid_v4(op->new_id) || !rand_bytes(op->new_secret, sizeof op->new_secret))
        goto cleanup;
    enum store_status st = store_run(env->store, STORE_WRITE, enrol_tx, op);
    if (st == STORE_NOT_FOUND) {
        res = SIGN_PAGE_NO_SESSION;
        goto cleanup;
    }
    if (st != STORE_OK)
        goto cleanup;
    res = op->res;
    if (res == SIGN_PAGE_OK) {
        *out = enrolment_json(op->secret, op->account);
        if (!*out)
            res = SIGN_PAGE_UNAVAILABLE;
    }
cleanup:
    if (res == SIGN_PAGE_UNAVAILABLE)
        reason_message(err, err_len, "unavailable", NULL,
                       "The authenticator app cannot be set up now; try again.");
    memset(op, 0, sizeof *op); /* the secrets */
    free(op);
    return res;
}

/* ---- codes ---- */

struct check_op {
    const struct sign_page_env *env;
    const struct store_ui_session *sess;
    const char *code;
    bool confirm; /* enrolment confirmation, else a signing code */
    int64_t now;
    enum sign_page_result res;
    char *err;
    size_t err_len;
};

static enum store_status check_tx(struct store_tx *tx, void *cls)
{
    struct check_op *op = cls;
    const struct store_ui_session *sess = op->sess;
    const char *why = NULL;
    unsigned char secret[SIGN_PAGE_APP_SECRET_LEN];
    struct store_totp_enrolment e;
    int64_t failures = 0;
    op->res = SIGN_PAGE_UNAVAILABLE;
    enum store_status st =
        store_ui_session_app_failures(tx, sess->organization_id, sess->id, &failures);
    if (st != STORE_OK)
        return st;
    st = store_totp_get(tx, sess->organization_id, sess->participant_id, &e);
    if (st == STORE_NOT_FOUND || (st == STORE_OK && !e.confirmed_at && !op->confirm)) {
        op->res = SIGN_PAGE_REFUSED;
        reason_message(op->err, op->err_len, "app.notEnrolled", NULL,
                       "Set up your authenticator app first.");
        return STORE_OK;
    }
    if (st != STORE_OK)
        return st;
    if (e.confirmed_at && op->confirm) {
        op->res = SIGN_PAGE_WRONG_STATE;
        reason_message(op->err, op->err_len, "app.enrolled", NULL,
                       "Your authenticator app is set up already.");
        return STORE_OK;
    }
    if (failures >= SIGN_PAGE_APP_MAX_FAILURES) {
        op->res = SIGN_PAGE_CODE_LOCKED;
        why = "CODE_LOCKED";
        reason_message(op->err, op->err_len, "app.locked",
                       json_pack("{s:i}", "attempts", SIGN_PAGE_APP_MAX_FAILURES),
                       "A wrong app code was entered %d times: the app is locked for this "
                       "session. Open the link again in a new browser session.",
                       SIGN_PAGE_APP_MAX_FAILURES);
        goto record;
    }
    if (!secret_open(op->env->master_key, &e, secret))
        return STORE_ERROR;
    int64_t step = 0;
    enum crypto_totp_result r =
        crypto_totp_verify(secret, sizeof secret, op->now, e.last_step, op->code, &step);
    memset(secret, 0, sizeof secret);
    if (r == CRYPTO_TOTP_OK) {
        st = store_totp_use_step(tx, sess->organization_id, e.id, step, op->now);
        if (st == STORE_CONFLICT) /* the same step used at this moment by another call */
            r = CRYPTO_TOTP_REPLAYED;
        else if (st != STORE_OK)
            return st;
    }
    if (r == CRYPTO_TOTP_REPLAYED) {
        /* The signer typed a code used before (often right after setting up): not counted
         * towards the lock, since it proves nothing new either way. */
        op->res = SIGN_PAGE_CODE_WRONG;
        why = "CODE_REPLAYED";
        reason_message(op->err, op->err_len, "app.replayed", NULL,
                       "This code was used already: wait for the next code in your app.");
        goto record;
    }
    if (r == CRYPTO_TOTP_WRONG) {
        st = store_ui_session_app_failure_add(tx, sess->organization_id, sess->id);
        if (st != STORE_OK)
            return st;
        int64_t left = SIGN_PAGE_APP_MAX_FAILURES - (failures + 1);
        if (left <= 0) {
            op->res = SIGN_PAGE_CODE_LOCKED;
            why = "CODE_LOCKED";
            reason_message(op->err, op->err_len, "app.lockedNow", NULL,
                           "The code is wrong, and the app is now locked for this session.");
        } else {
            op->res = SIGN_PAGE_CODE_WRONG;
            why = "CODE_WRONG";
            reason_message(op->err, op->err_len, "app.wrong",
                           json_pack("{s:I}", "tries", (json_int_t)left),
                           "The code is wrong; %lld more tries. Check that your phone's time is "
                           "right.",
                           (long long)left);
        }
        goto record;
    }
    op->res = SIGN_PAGE_OK;
    if (op->confirm)
        return audit(tx, sess, op->now, "enrolment", "SUCCESS",
                     (const char *const[]){"enrolment_method", "APP", "enrolment_participantId",
                                           sess->participant_id, NULL});
    return STORE_OK;
record:
    return audit(tx, sess, op->now, "sign", "FAIL",
                 (const char *const[]){"sign_signerId", sess->participant_id, "sign_method", "APP",
                                       "sign_failure", why, "sign_appStep",
                                       op->confirm ? "ENROLMENT" : "SIGN", NULL});
}

static enum sign_page_result check_code(const struct sign_page_env *env,
                                        const struct store_ui_session *sess, const char *code,
                                        bool confirm, int64_t now, char *err, size_t err_len)
{
    enum sign_page_result res = app_usable(env, sess, now, err, err_len);
    if (res != SIGN_PAGE_OK)
        return res;
    bool digits = code && strlen(code) == CRYPTO_TOTP_DIGITS;
    for (size_t i = 0; digits && code[i]; i++)
        digits = code[i] >= '0' && code[i] <= '9';
    if (!digits) {
        reason_message(err, err_len, "app.format", json_pack("{s:i}", "digits", CRYPTO_TOTP_DIGITS),
                       "Enter the %d digits your authenticator app shows.", CRYPTO_TOTP_DIGITS);
        return SIGN_PAGE_INVALID;
    }
    struct check_op op = {.env = env,
                          .sess = sess,
                          .code = code,
                          .confirm = confirm,
                          .now = now,
                          .err = err,
                          .err_len = err_len};
    if (store_run(env->store, STORE_WRITE, check_tx, &op) != STORE_OK) {
        reason_message(err, err_len, "unavailable", NULL,
                       "The code cannot be checked now; try again.");
        return SIGN_PAGE_UNAVAILABLE;
    }
    return op.res;
}

enum sign_page_result sign_page_app_confirm(const struct sign_page_env *env,
                                            const struct store_ui_session *sess, const char *code,
                                            int64_t now, char *err, size_t err_len)
{
    return check_code(env, sess, code, true, now, err, err_len);
}

enum sign_page_result sign_page_app_check(const struct sign_page_env *env,
                                          const struct store_ui_session *sess, const char *code,
                                          int64_t now, char *err, size_t err_len)
{
    return check_code(env, sess, code, false, now, err, err_len);
}

struct enrolled_op {
    const struct store_ui_session *sess;
    bool enrolled;
};

static enum store_status enrolled_tx(struct store_tx *tx, void *cls)
{
    struct enrolled_op *op = cls;
    struct store_totp_enrolment e;
    enum store_status st =
        store_totp_get(tx, op->sess->organization_id, op->sess->participant_id, &e);
    op->enrolled = st == STORE_OK && e.confirmed_at != 0;
    memset(&e, 0, sizeof e);
    return st == STORE_NOT_FOUND ? STORE_OK : st;
}

enum sign_page_result sign_page_app_enrolled(struct store *s, const struct store_ui_session *sess,
                                             bool *enrolled)
{
    struct enrolled_op op = {.sess = sess};
    enum store_status st = store_run(s, STORE_READ, enrolled_tx, &op);
    *enrolled = op.enrolled;
    return st == STORE_OK ? SIGN_PAGE_OK : SIGN_PAGE_UNAVAILABLE;
}
