/*
 * Passkey (WebAuthn) registration and signing on the signer pages (see sign/page_passkey.h).
 */
#include "sign/page_passkey.h"

#include "core/b64.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/reason.h"
#include "core/str.h"
#include "core/uuid.h"
#include "pki/webauthn.h"
#include "sign/process.h"
#include "sign/release.h"
#include "store/passkey.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(STORE_PASSKEY_CREDENTIAL_ID_MAX == WEBAUTHN_CREDENTIAL_ID_MAX, "credential id");
_Static_assert(STORE_PASSKEY_PUBLIC_KEY_MAX == WEBAUTHN_PUBLIC_KEY_MAX, "public key");

#define ORIGIN_MAX 512

/* The relying party of public_url ("scheme://host[:port][/path]"): origin (without the path)
 * and rp id (the host, without the port). False when the URL has no host. */
static bool relying_party(const char *public_url, char origin[ORIGIN_MAX], char rp_id[ORIGIN_MAX])
{
    const char *sep = public_url ? strstr(public_url, "://") : NULL;
    if (!sep)
        return false;
    const char *host = sep + 3;
    size_t origin_len = (size_t)(host - public_url) + strcspn(host, "/?#");
    size_t host_len = strcspn(host, "/?#");
    if (host_len == 0 || origin_len >= ORIGIN_MAX)
        return false;
    memcpy(origin, public_url, origin_len);
    origin[origin_len] = '\0';
    /* The port goes; an IPv6 literal keeps its brackets' content colons. */
    size_t rp_len = host_len;
    if (host[0] == '[') {
        const char *close = memchr(host, ']', host_len);
        if (!close)
            return false;
        rp_len = (size_t)(close - host) + 1;
    } else {
        const char *colon = memchr(host, ':', host_len);
        if (colon)
            rp_len = (size_t)(colon - host);
    }
    memcpy(rp_id, host, rp_len);
    rp_id[rp_len] = '\0';
    for (char *p = rp_id; *p; p++) /* hosts compare case-insensitively; rpIdHash is of lower case */
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return true;
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

static enum store_status audit_fail(struct store_tx *tx, const struct store_ui_session *sess,
                                    int64_t now, const char *why, bool registering)
{
    return audit(tx, sess, now, "sign", "FAIL",
                 (const char *const[]){"sign_signerId", sess->participant_id, "sign_method",
                                       "PASSKEY", "sign_failure", why, "sign_passkeyStep",
                                       registering ? "REGISTER" : "SIGN", NULL});
}

/* What the signer reads when a response does not verify. */
static const char *result_message(enum webauthn_result r)
{
    switch (r) {
    case WEBAUTHN_WRONG_ORIGIN:
    case WEBAUTHN_WRONG_RP:
        return "The passkey answer was made for another website.";
    case WEBAUTHN_WRONG_CHALLENGE:
    case WEBAUTHN_WRONG_TYPE:
        return "The passkey answer does not belong to this request; try again.";
    case WEBAUTHN_USER_NOT_PRESENT:
    case WEBAUTHN_USER_NOT_VERIFIED:
        return "The passkey must verify you (PIN, fingerprint or face); try again.";
    case WEBAUTHN_UNSUPPORTED_KEY:
        return "This passkey uses a key type Signet does not accept (ES256 or RS256 needed).";
    case WEBAUTHN_UNSUPPORTED_ATTESTATION:
        return "This passkey's attestation format is not accepted.";
    case WEBAUTHN_BAD_SIGNATURE:
        return "The passkey's signature is not valid.";
    case WEBAUTHN_COUNTER_REGRESSION:
        return "This passkey's signature counter went back, so it may have been copied: it is "
               "refused. Ask the sender of the document for help.";
    default:
        break;
    }
    return "The passkey answer cannot be read; try again.";
}

/* The reason (core/reason.h) of result_message(r). */
static const char *result_reason(enum webauthn_result r)
{
    switch (r) {
    case WEBAUTHN_WRONG_ORIGIN:
    case WEBAUTHN_WRONG_RP:
        return "passkey.otherSite";
    case WEBAUTHN_WRONG_CHALLENGE:
    case WEBAUTHN_WRONG_TYPE:
        return "passkey.wrongRequest";
    case WEBAUTHN_USER_NOT_PRESENT:
    case WEBAUTHN_USER_NOT_VERIFIED:
        return "passkey.notVerified";
    case WEBAUTHN_COUNTER_REGRESSION:
        return "passkey.copied";
    case WEBAUTHN_UNSUPPORTED_KEY:
    case WEBAUTHN_UNSUPPORTED_ATTESTATION:
        return "passkey.notAccepted";
    case WEBAUTHN_BAD_SIGNATURE:
        return "passkey.badSignature";
    default:
        break;
    }
    return "passkey.unreadable";
}

/* Decodes base64url member key of o into *out (owned). */
static bool member_bytes(const json_t *o, const char *key, unsigned char **out, size_t *len)
{
    const char *s = json_string_value(json_object_get(o, key));
    *out = NULL;
    *len = 0;
    return s && strlen(s) <= (size_t)WEBAUTHN_INPUT_MAX * 2 &&
           b64_decode(s, strlen(s), B64_URL, out, len);
}

/* Checks what every PASSKEY call needs: authorized session, a public URL, PASSKEY offered,
 * something to sign. */
static enum sign_page_result passkey_usable(const struct sign_page_env *env,
                                            const struct store_ui_session *sess, int64_t now,
                                            char *err, size_t err_len)
{
    if (!sess->authorized_at)
        return SIGN_PAGE_NOT_AUTHORIZED;
    unsigned methods = 0;
    bool pending = false;
    enum sign_page_result res = sign_page_methods(env->store, sess, now, &methods, &pending);
    if (res != SIGN_PAGE_OK)
        return res;
    if (!(methods & SIGN_METHOD_PASSKEY)) {
        reason_message(err, err_len, "method.unavailable", json_pack("{s:s}", "method", "PASSKEY"),
                       "The signature method PASSKEY is not available for this process.");
        return SIGN_PAGE_REFUSED;
    }
    if (!pending) {
        reason_message(err, err_len, "state.ended", NULL,
                       "There is nothing to sign: the process or your part of it has ended.");
        return SIGN_PAGE_WRONG_STATE;
    }
    return SIGN_PAGE_OK;
}

/* ---- options ---- */

struct options_op {
    const struct store_ui_session *sess;
    bool registering;
    struct store_passkey_challenge ch;
    struct store_passkey cred; /* SIGN: the participant's credential */
    char name[600];
    enum sign_page_result res;
    char *err;
    size_t err_len;
};

static enum store_status options_tx(struct store_tx *tx, void *cls)
{
    struct options_op *op = cls;
    const struct store_ui_session *sess = op->sess;
    struct store_process p;
    memset(&p, 0, sizeof p);
    op->res = SIGN_PAGE_UNAVAILABLE;
    enum store_status st = store_process_get(tx, sess->organization_id, sess->process_id, &p);
    if (st != STORE_OK)
        goto cleanup;
    for (size_t i = 0; i < p.n_participants; i++)
        if (!strcmp(p.participants[i].id, sess->participant_id))
            snprintf(op->name, sizeof op->name, "%s %s", p.participants[i].first_name,
                     p.participants[i].last_name);
    st = store_passkey_get(tx, sess->organization_id, sess->participant_id, &op->cred);
    if (st != STORE_OK && st != STORE_NOT_FOUND)
        goto cleanup;
    bool have = st == STORE_OK;
    st = STORE_OK;
    if (op->registering && have) {
        op->res = SIGN_PAGE_WRONG_STATE;
        reason_message(op->err, op->err_len, "passkey.registered", NULL,
                       "Your passkey is registered already: sign with it.");
        goto cleanup;
    }
    if (!op->registering && !have) {
        op->res = SIGN_PAGE_REFUSED;
        reason_message(op->err, op->err_len, "passkey.notRegistered", NULL,
                       "Register a passkey first.");
        goto cleanup;
    }
    st = store_passkey_challenge_put(tx, sess->organization_id, sess->id,
                                     op->registering ? "REGISTER" : "SIGN", &op->ch);
    if (st == STORE_OK)
        op->res = SIGN_PAGE_OK;
cleanup:
    store_process_clear(&p);
    return st;
}

static json_t *b64url_json(const void *data, size_t len)
{
    char *s = b64_encode(data, len, B64_URL);
    json_t *j = s ? json_string(s) : NULL;
    free(s);
    return j;
}

static json_t *options_json(const struct options_op *op, const unsigned char *challenge,
                            const char *rp_id)
{
    json_t *pk = NULL;
    if (op->registering)
        pk = json_pack("{s:o, s:{s:s, s:s}, s:{s:o, s:s, s:s}, s:[{s:s, s:i}, {s:s, s:i}], "
                       "s:I, s:s, s:{s:s, s:s, s:b}, s:[]}",
                       "challenge", b64url_json(challenge, WEBAUTHN_CHALLENGE_LEN), "rp", "id",
                       rp_id, "name", SIGN_PAGE_PASSKEY_RP_NAME, "user", "id",
                       b64url_json(op->ch.user_handle, sizeof op->ch.user_handle), "name", op->name,
                       "displayName", op->name, "pubKeyCredParams", "type", "public-key", "alg",
                       WEBAUTHN_ALG_ES256, "type", "public-key", "alg", WEBAUTHN_ALG_RS256,
                       "timeout", (json_int_t)SIGN_PAGE_PASSKEY_TTL_MS, "attestation", "none",
                       "authenticatorSelection", "userVerification", "required", "residentKey",
                       "discouraged", "requireResidentKey", false, "excludeCredentials");
    else
        pk = json_pack("{s:o, s:s, s:[{s:s, s:o}], s:s, s:I}", "challenge",
                       b64url_json(challenge, WEBAUTHN_CHALLENGE_LEN), "rpId", rp_id,
                       "allowCredentials", "type", "public-key", "id",
                       b64url_json(op->cred.credential_id, op->cred.credential_id_len),
                       "userVerification", "required", "timeout",
                       (json_int_t)SIGN_PAGE_PASSKEY_TTL_MS);
    return pk ? json_pack("{s:o}", "publicKey", pk) : NULL;
}

enum sign_page_result sign_page_passkey_options(const struct sign_page_env *env,
                                                const struct store_ui_session *sess,
                                                const char *purpose, int64_t now, json_t **out,
                                                char *err, size_t err_len)
{
    *out = NULL;
    char origin[ORIGIN_MAX], rp_id[ORIGIN_MAX];
    unsigned char challenge[WEBAUTHN_CHALLENGE_LEN];
    bool registering = purpose && !strcmp(purpose, "REGISTER");
    if (!registering && (!purpose || strcmp(purpose, "SIGN") != 0)) {
        str_message(err, err_len, "Field 'purpose' must be REGISTER or SIGN.");
        return SIGN_PAGE_INVALID;
    }
    enum sign_page_result res = passkey_usable(env, sess, now, err, err_len);
    if (res != SIGN_PAGE_OK)
        return res;
    struct options_op *op = calloc(1, sizeof *op);
    if (!op)
        return SIGN_PAGE_UNAVAILABLE;
    op->sess = sess;
    op->registering = registering;
    op->err = err;
    op->err_len = err_len;
    res = SIGN_PAGE_UNAVAILABLE;
    if (!relying_party(env->public_url, origin, rp_id)) {
        log_error("passkey: the public URL '%s' has no host",
                  env->public_url ? env->public_url : "");
        goto cleanup;
    }
    if (!rand_bytes(challenge, sizeof challenge) ||
        !rand_bytes(op->ch.user_handle, sizeof op->ch.user_handle))
        goto cleanup;
    crypto_sha256(challenge, sizeof challenge, op->ch.challenge_hash);
    op->ch.expires_at = now + SIGN_PAGE_PASSKEY_TTL_MS;
    enum store_status st = store_run(env->store, STORE_WRITE, options_tx, op);
    if (st == STORE_NOT_FOUND) {
        res = SIGN_PAGE_NO_SESSION;
        goto cleanup;
    }
    if (st != STORE_OK)
        goto cleanup;
    res = op->res;
    if (res == SIGN_PAGE_OK) {
        *out = options_json(op, challenge, rp_id);
        if (!*out)
            res = SIGN_PAGE_UNAVAILABLE;
    }
cleanup:
    if (res == SIGN_PAGE_UNAVAILABLE)
        reason_message(err, err_len, "unavailable", NULL,
                       "Passkeys cannot be used now; try again.");
    memset(challenge, 0, sizeof challenge);
    free(op);
    return res;
}

/* ---- responses ---- */

struct response_op {
    const struct sign_page_env *env;
    const struct store_ui_session *sess;
    bool registering;
    int64_t now;
    struct webauthn_expected x;
    /* the browser's response, decoded */
    unsigned char *id, *client_data, *second, *signature, *user_handle;
    size_t id_len, client_data_len, second_len, signature_len, user_handle_len;
    struct store_passkey cred;
    struct webauthn_credential wc;
    char new_id[STORE_ID_LEN];
    enum sign_page_result res;
    char *err;
    size_t err_len;
};

/* Takes the open challenge into op->x and sets *open; when there is none or it expired,
 * *open stays false and op->res and the message say so. */
static enum store_status take_challenge(struct store_tx *tx, struct response_op *op,
                                        struct store_passkey_challenge *ch, bool *open)
{
    *open = false;
    enum store_status st = store_passkey_challenge_take(tx, op->sess->organization_id, op->sess->id,
                                                        op->registering ? "REGISTER" : "SIGN", ch);
    if (st != STORE_OK && st != STORE_NOT_FOUND)
        return st;
    if (st == STORE_NOT_FOUND || ch->expires_at < op->now) {
        op->res = SIGN_PAGE_CODE_EXPIRED;
        reason_message(op->err, op->err_len, "passkey.expired", NULL,
                       "The passkey request has expired or was used; start again.");
        return STORE_OK;
    }
    memcpy(op->x.challenge_sha256, ch->challenge_hash, sizeof op->x.challenge_sha256);
    *open = true;
    return STORE_OK;
}

static enum store_status register_tx(struct store_tx *tx, void *cls)
{
    struct response_op *op = cls;
    const struct store_ui_session *sess = op->sess;
    struct store_passkey_challenge ch;
    bool open = false;
    op->res = SIGN_PAGE_UNAVAILABLE;
    enum store_status st = take_challenge(tx, op, &ch, &open);
    if (st != STORE_OK || !open)
        return st;
    st = store_passkey_get(tx, sess->organization_id, sess->participant_id, &op->cred);
    if (st == STORE_OK) {
        op->res = SIGN_PAGE_WRONG_STATE;
        reason_message(op->err, op->err_len, "passkey.registered", NULL,
                       "Your passkey is registered already: sign with it.");
        return STORE_OK;
    }
    if (st != STORE_NOT_FOUND)
        return st;
    enum webauthn_result r = webauthn_verify_registration(
        &op->x, op->client_data, op->client_data_len, op->second, op->second_len, &op->wc);
    if (r == WEBAUTHN_OK && (op->wc.id_len != op->id_len || memcmp(op->wc.id, op->id, op->id_len)))
        r = WEBAUTHN_MALFORMED; /* the response's id is not the credential it attests */
    if (r == WEBAUTHN_ERROR)
        return STORE_ERROR;
    if (r != WEBAUTHN_OK) {
        op->res = SIGN_PAGE_INVALID;
        reason_message(op->err, op->err_len, result_reason(r), NULL, "%s", result_message(r));
        return audit_fail(tx, sess, op->now, webauthn_result_name(r), true);
    }
    struct store_passkey *c = &op->cred;
    memset(c, 0, sizeof *c);
    str_copy(c->id, sizeof c->id, op->new_id);
    str_copy(c->organization_id, sizeof c->organization_id, sess->organization_id);
    str_copy(c->process_id, sizeof c->process_id, sess->process_id);
    str_copy(c->participant_id, sizeof c->participant_id, sess->participant_id);
    memcpy(c->credential_id, op->wc.id, op->wc.id_len);
    c->credential_id_len = op->wc.id_len;
    memcpy(c->public_key, op->wc.public_key, op->wc.public_key_len);
    c->public_key_len = op->wc.public_key_len;
    c->alg = op->wc.alg;
    c->sign_count = op->wc.sign_count;
    memcpy(c->user_handle, ch.user_handle, sizeof c->user_handle);
    c->created_at = op->now;
    st = store_passkey_insert(tx, c);
    if (st == STORE_CONFLICT) /* registered at this moment in another tab */
        st = STORE_RETRY;
    if (st != STORE_OK)
        return st;
    op->res = SIGN_PAGE_OK;
    return audit(tx, sess, op->now, "enrolment", "SUCCESS",
                 (const char *const[]){"enrolment_method", "PASSKEY", "enrolment_participantId",
                                       sess->participant_id, "enrolment_passkeyAlgorithm",
                                       c->alg == WEBAUTHN_ALG_ES256 ? "ES256" : "RS256", NULL});
}

static enum store_status assert_tx(struct store_tx *tx, void *cls)
{
    struct response_op *op = cls;
    const struct store_ui_session *sess = op->sess;
    struct store_passkey_challenge ch;
    bool open = false;
    op->res = SIGN_PAGE_UNAVAILABLE;
    enum store_status st = take_challenge(tx, op, &ch, &open);
    if (st != STORE_OK || !open)
        return st;
    st = store_passkey_get(tx, sess->organization_id, sess->participant_id, &op->cred);
    if (st == STORE_NOT_FOUND) {
        op->res = SIGN_PAGE_REFUSED;
        reason_message(op->err, op->err_len, "passkey.notRegistered", NULL,
                       "Register a passkey first.");
        return STORE_OK;
    }
    if (st != STORE_OK)
        return st;
    const struct store_passkey *c = &op->cred;
    if (op->id_len != c->credential_id_len || memcmp(op->id, c->credential_id, op->id_len) ||
        (op->user_handle_len && (op->user_handle_len != sizeof c->user_handle ||
                                 memcmp(op->user_handle, c->user_handle, sizeof c->user_handle)))) {
        op->res = SIGN_PAGE_INVALID;
        reason_message(op->err, op->err_len, "passkey.unknown", NULL,
                       "This is not the passkey you registered here.");
        return audit_fail(tx, sess, op->now, "PASSKEY_UNKNOWN_CREDENTIAL", false);
    }
    memset(&op->wc, 0, sizeof op->wc);
    memcpy(op->wc.public_key, c->public_key, c->public_key_len);
    op->wc.public_key_len = c->public_key_len;
    op->wc.alg = (int)c->alg;
    op->wc.sign_count = (uint32_t)c->sign_count;
    uint32_t count = 0;
    enum webauthn_result r =
        webauthn_verify_assertion(&op->x, &op->wc, op->client_data, op->client_data_len, op->second,
                                  op->second_len, op->signature, op->signature_len, &count);
    if (r == WEBAUTHN_ERROR)
        return STORE_ERROR;
    if (r != WEBAUTHN_OK) {
        if (r == WEBAUTHN_COUNTER_REGRESSION)
            log_warn("passkey %s of participant %s: signature counter %lld not above %lld "
                     "(cloned authenticator?): refused",
                     c->id, sess->participant_id, (long long)count, (long long)c->sign_count);
        op->res = r == WEBAUTHN_COUNTER_REGRESSION ? SIGN_PAGE_REFUSED : SIGN_PAGE_INVALID;
        reason_message(op->err, op->err_len, result_reason(r), NULL, "%s", result_message(r));
        return audit_fail(tx, sess, op->now, webauthn_result_name(r), false);
    }
    st =
        store_passkey_use(tx, sess->organization_id, c->id, c->sign_count, (int64_t)count, op->now);
    if (st == STORE_CONFLICT) /* another assertion moved the counter: check again */
        return STORE_RETRY;
    if (st == STORE_OK)
        op->res = SIGN_PAGE_OK;
    return st;
}

static enum sign_page_result check_response(const struct sign_page_env *env,
                                            const struct store_ui_session *sess, const json_t *body,
                                            bool registering, int64_t now, char *err,
                                            size_t err_len)
{
    char origin[ORIGIN_MAX], rp_id[ORIGIN_MAX];
    enum sign_page_result res = passkey_usable(env, sess, now, err, err_len);
    if (res != SIGN_PAGE_OK)
        return res;
    struct response_op *op = calloc(1, sizeof *op);
    if (!op)
        return SIGN_PAGE_UNAVAILABLE;
    op->env = env;
    op->sess = sess;
    op->registering = registering;
    op->now = now;
    op->err = err;
    op->err_len = err_len;
    res = SIGN_PAGE_UNAVAILABLE;
    if (!relying_party(env->public_url, origin, rp_id))
        goto cleanup;
    op->x.origin = origin;
    op->x.rp_id = rp_id;
    bool ok = member_bytes(body, "id", &op->id, &op->id_len) &&
              member_bytes(body, "clientDataJSON", &op->client_data, &op->client_data_len);
    if (registering)
        ok = ok && member_bytes(body, "attestationObject", &op->second, &op->second_len);
    else
        ok = ok && member_bytes(body, "authenticatorData", &op->second, &op->second_len) &&
             member_bytes(body, "signature", &op->signature, &op->signature_len) &&
             (!json_is_string(json_object_get(body, "userHandle")) ||
              !json_string_length(json_object_get(body, "userHandle")) ||
              member_bytes(body, "userHandle", &op->user_handle, &op->user_handle_len));
    if (!ok) {
        res = SIGN_PAGE_INVALID;
        str_message(err, err_len,
                    registering
                        ? "The passkey answer needs id, clientDataJSON and attestationObject "
                          "(base64url)."
                        : "The passkey answer needs id, clientDataJSON, authenticatorData and "
                          "signature (base64url).");
        goto cleanup;
    }
    if (registering && !uuid_v4(op->new_id))
        goto cleanup;
    enum store_status st =
        store_run(env->store, STORE_WRITE, registering ? register_tx : assert_tx, op);
    if (st == STORE_NOT_FOUND) {
        res = SIGN_PAGE_NO_SESSION;
        goto cleanup;
    }
    if (st == STORE_OK)
        res = op->res;
cleanup:
    if (res == SIGN_PAGE_UNAVAILABLE)
        reason_message(err, err_len, "unavailable", NULL,
                       "The passkey cannot be checked now; try again.");
    free(op->id);
    free(op->client_data);
    free(op->second);
    free(op->signature);
    free(op->user_handle);
    free(op);
    return res;
}

enum sign_page_result sign_page_passkey_register(const struct sign_page_env *env,
                                                 const struct store_ui_session *sess,
                                                 const json_t *credential, int64_t now, char *err,
                                                 size_t err_len)
{
    return check_response(env, sess, credential, true, now, err, err_len);
}

enum sign_page_result sign_page_passkey_check(const struct sign_page_env *env,
                                              const struct store_ui_session *sess,
                                              const json_t *assertion, int64_t now, char *err,
                                              size_t err_len)
{
    return check_response(env, sess, assertion, false, now, err, err_len);
}

struct registered_op {
    const struct store_ui_session *sess;
    struct store_passkey cred;
    bool registered;
};

static enum store_status registered_tx(struct store_tx *tx, void *cls)
{
    struct registered_op *op = cls;
    enum store_status st =
        store_passkey_get(tx, op->sess->organization_id, op->sess->participant_id, &op->cred);
    op->registered = st == STORE_OK;
    return st == STORE_NOT_FOUND ? STORE_OK : st;
}

enum sign_page_result
sign_page_passkey_registered(struct store *s, const struct store_ui_session *sess, bool *registered)
{
    struct registered_op *op = calloc(1, sizeof *op);
    *registered = false;
    if (!op)
        return SIGN_PAGE_UNAVAILABLE;
    op->sess = sess;
    enum store_status st = store_run(s, STORE_READ, registered_tx, op);
    *registered = op->registered;
    free(op);
    return st == STORE_OK ? SIGN_PAGE_OK : SIGN_PAGE_UNAVAILABLE;
}
