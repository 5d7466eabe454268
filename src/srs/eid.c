/*
 * The eID method as an OpenID4VP verifier (see srs/eid.h).
 */
#include "srs/eid.h"

#include "auth/keys.h"
#include "core/b64.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/qr.h"
#include "core/str.h"
#include "core/uuid.h"
#include "notify/notify.h"
#include "srs/connector.h"
#include "srs/internal.h"
#include "srs/sdjwt.h"
#include "store/srs_eid.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CREDENTIAL_ID "identity" /* the DCQL credential query's id, the vp_token's key */
#define LEEWAY_S      60
#define KB_MAX_AGE_S  300

/* The identity credential types accepted: the EU PID in SD-JWT VC (ARF, PID rulebook). */
static const char *const vct_values[] = {"urn:eudi:pid:1", "urn:eu.europa.ec.eudi:pid:1"};

bool srs_eid_open_order(const char *public_url, const char *order_id, char *url, size_t url_len)
{
    int n = snprintf(url, url_len, "%s/srs/eid/%s", public_url, order_id);
    return n > 0 && (size_t)n < url_len;
}

bool srs_eid_refuse_callback(const unsigned char *secret, size_t secret_len, const void *body,
                             size_t len, const char *signature)
{
    (void)secret, (void)secret_len, (void)body, (void)len, (void)signature;
    return false; /* an eID result is a wallet's presentation, verified by srs_eid_response */
}

bool srs_eid_refuse_result(const void *body, size_t len, struct srs_partner_result *out, char *err,
                           size_t err_len)
{
    (void)body, (void)len;
    memset(out, 0, sizeof *out);
    snprintf(err, err_len, "eID results come only from a wallet's presentation");
    return false;
}

/* "redirect_uri:<response_uri>": the client_id of an unsigned request (OpenID4VP 1.0, 5.9). */
static bool client_id(const struct srs_env *env, char *out, size_t len)
{
    int n = snprintf(out, len, "redirect_uri:%s%s", env->public_url, SRS_EID_RESPONSE_PATH);
    return n > 0 && (size_t)n < len;
}

/* Percent-encoding of s (RFC 3986 unreserved kept) into out. */
static bool url_encode(const char *s, char *out, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool keep = isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
        if (n + (keep ? 1 : 3) >= len)
            return false;
        if (keep) {
            out[n++] = (char)c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
    return true;
}

/* state and nonce of a request token: HMACs under keys from the master key (never stored). */
static bool derived(const struct srs_env *env, const char *token, char state[65], char nonce[65])
{
    return srs_key_hex(env, "signet-srs-eid-state-v1", token, state) &&
           srs_key_hex(env, "signet-srs-eid-nonce-v1", token, nonce);
}

enum srs_result srs_eid_order_get(const struct srs_env *env, const char *order_id,
                                  struct store_srs_registration *out)
{
    enum srs_result res = srs_order_get(env, order_id, out);
    if (res == SRS_R_OK && strcmp(out->connector, SRS_EID_CONNECTOR) != 0) {
        store_srs_registration_clear(out);
        res = SRS_R_NOT_FOUND;
    }
    return res;
}

static enum store_status insert_tx(struct store_tx *tx, void *cls)
{
    return store_srs_eid_insert(tx, cls);
}

enum srs_result srs_eid_request_create(const struct srs_env *env, const char *order_id,
                                       const char *mobile, struct srs_eid_presentation *out,
                                       char *err, size_t err_len)
{
    struct store_srs_registration r;
    struct store_srs_eid_request q = {0};
    unsigned char dk[CRYPTO_KEY_LEN];
    char token[SRS_TOKEN_LEN], state[65], nonce[65], cid[600], e1[1600], e2[700];
    memset(out, 0, sizeof *out);
    if (!mobile || !notify_recipient_valid(NOTIFY_SMS, mobile)) {
        snprintf(err, err_len, "Enter your mobile number in international format (+41…).");
        return SRS_R_INVALID;
    }
    enum srs_result res = srs_eid_order_get(env, order_id, &r);
    if (res != SRS_R_OK) {
        snprintf(err, err_len, "There is no such eID identification.");
        return res;
    }
    if (strcmp(r.status, SRS_IN_IDENTIFICATION) != 0 || r.callback_digest[0]) {
        snprintf(err, err_len, "This identification is finished (registration %s).", r.status);
        res = SRS_R_CONFLICT;
        goto cleanup;
    }
    res = SRS_R_UNAVAILABLE;
    int64_t now = time_now_ms();
    if (!srs_new_token(token, q.request_hash) || !derived(env, token, state, nonce) ||
        !uuid_v4(q.id) || !srs_data_key(env, &r, dk) ||
        !srs_seal(dk, r.id, mobile, strlen(mobile), &q.mobile_sealed))
        goto cleanup;
    str_copy(q.registration_id, sizeof q.registration_id, r.id);
    str_copy(q.order_id, sizeof q.order_id, r.order_id);
    crypto_sha256_hex(state, strlen(state), q.state_hash);
    crypto_sha256_hex(nonce, strlen(nonce), q.nonce_hash);
    q.created_at = now;
    q.expires_at = now + SRS_EID_REQUEST_TTL_MS;
    res = srs_from_store(store_run(env->store, STORE_WRITE, insert_tx, &q));
    if (res != SRS_R_OK)
        goto cleanup;
    res = SRS_R_UNAVAILABLE;
    int n = snprintf(out->request_uri, sizeof out->request_uri, "%s%s%s", env->public_url,
                     SRS_EID_REQUEST_PATH, token);
    if (n < 0 || (size_t)n >= sizeof out->request_uri || !client_id(env, cid, sizeof cid) ||
        !url_encode(cid, e1, sizeof e1) || !url_encode(out->request_uri, e2, sizeof e2))
        goto cleanup;
    n = snprintf(out->deep_link, sizeof out->deep_link, "openid4vp://?client_id=%s&request_uri=%s",
                 e1, e2);
    if (n < 0 || (size_t)n >= sizeof out->deep_link || !(out->qr_svg = qr_svg(out->deep_link)))
        goto cleanup;
    out->expires_at = q.expires_at;
    res = SRS_R_OK;
cleanup:
    memset(dk, 0, sizeof dk);
    memset(token, 0, sizeof token);
    store_srs_eid_request_clear(&q);
    store_srs_registration_clear(&r);
    if (res == SRS_R_UNAVAILABLE)
        log_error("srs: eID order: cannot create a presentation request");
    return res;
}

struct get_op {
    const char *column, *value;
    struct store_srs_eid_request *q;
};

static enum store_status get_tx(struct store_tx *tx, void *cls)
{
    struct get_op *op = cls;
    store_srs_eid_request_clear(op->q);
    return store_srs_eid_get_by(tx, op->column, op->value, op->q);
}

static enum store_status mark_tx(struct store_tx *tx, void *cls)
{
    const struct store_srs_eid_request *q = cls;
    return store_srs_eid_mark_used(tx, q->id, time_now_ms());
}

/* The request object's claims (OpenID4VP 1.0 with DCQL). New reference. */
static json_t *request_claims(const struct srs_env *env, const char *state, const char *nonce,
                              int64_t expires_at)
{
    char cid[600], response_uri[600];
    snprintf(response_uri, sizeof response_uri, "%s%s", env->public_url, SRS_EID_RESPONSE_PATH);
    if (!client_id(env, cid, sizeof cid))
        return NULL;
    json_t *vct = json_array();
    for (size_t i = 0; vct && i < sizeof vct_values / sizeof vct_values[0]; i++)
        json_array_append_new(vct, json_string(vct_values[i]));
    /* Name and birth date are needed; nationality and the document's number, expiry and
     * issuing country are asked for and used when the credential has them. */
    static const char *const ids[] = {"gn", "fn", "bd", "nat", "dn", "exp", "ic"};
    static const char *const paths[] = {"given_name",     "family_name",     "birthdate",
                                        "nationalities",  "document_number", "date_of_expiry",
                                        "issuing_country"};
    json_t *claims = json_array();
    for (size_t i = 0; claims && i < 7; i++)
        json_array_append_new(claims, json_pack("{s:s, s:[s]}", "id", ids[i], "path", paths[i]));
    json_t *sets = json_pack("[[s,s,s,s,s,s,s], [s,s,s,s], [s,s,s]]", "gn", "fn", "bd", "nat", "dn",
                             "exp", "ic", "gn", "fn", "bd", "nat", "gn", "fn", "bd");
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, "
                     "s:{s:[{s:s, s:s, s:{s:o}, s:o, s:o}]}, s:{s:{s:{s:[s], s:[s]}}}}",
                     "response_type", "vp_token", "response_mode", "direct_post", "client_id", cid,
                     "response_uri", response_uri, "nonce", nonce, "state", state, "iat",
                     (json_int_t)(time_now_ms() / 1000), "exp", (json_int_t)(expires_at / 1000),
                     "dcql_query", "credentials", "id", CREDENTIAL_ID, "format", "dc+sd-jwt",
                     "meta", "vct_values", vct, "claims", claims, "claim_sets", sets,
                     "client_metadata", "vp_formats_supported", "dc+sd-jwt", "sd-jwt_alg_values",
                     "ES256", "kb-jwt_alg_values", "ES256");
}

static char *b64url_json(const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT);
    char *enc = text ? b64_encode(text, strlen(text), B64_URL) : NULL;
    free(text);
    return enc;
}

enum srs_result srs_eid_request_object(const struct srs_env *env, const char *token, char **out,
                                       char *err, size_t err_len)
{
    struct store_srs_eid_request q = {0};
    char hash[65], state[65], nonce[65];
    char *h64 = NULL, *p64 = NULL;
    json_t *header = NULL, *claims = NULL;
    *out = NULL;
    srs_token_hash(token, hash);
    struct get_op op = {"request_hash", hash, &q};
    enum srs_result res = srs_from_store(store_run(env->store, STORE_READ, get_tx, &op));
    if (res == SRS_R_NOT_FOUND)
        snprintf(err, err_len, "There is no such presentation request.");
    if (res != SRS_R_OK)
        goto cleanup;
    if (q.used_at || q.expires_at < time_now_ms()) {
        snprintf(err, err_len, "This presentation request is %s; scan the new QR code.",
                 q.used_at ? "answered" : "expired");
        res = SRS_R_GONE;
        goto cleanup;
    }
    res = SRS_R_UNAVAILABLE;
    /* Unsigned (JAR "none"): the redirect_uri client_id prefix allows no signature. */
    header = json_pack("{s:s, s:s}", "alg", "none", "typ", "oauth-authz-req+jwt");
    claims =
        derived(env, token, state, nonce) ? request_claims(env, state, nonce, q.expires_at) : NULL;
    h64 = header ? b64url_json(header) : NULL;
    p64 = claims ? b64url_json(claims) : NULL;
    if (!h64 || !p64)
        goto cleanup;
    size_t hl = strlen(h64), pl = strlen(p64);
    *out = malloc(hl + pl + 3);
    if (!*out)
        goto cleanup;
    memcpy(*out, h64, hl);
    (*out)[hl] = '.';
    memcpy(*out + hl + 1, p64, pl);
    memcpy(*out + hl + 1 + pl, ".", 2);
    res = SRS_R_OK;
cleanup:
    json_decref(header);
    json_decref(claims);
    free(h64);
    free(p64);
    store_srs_eid_request_clear(&q);
    return res;
}

/* A string claim under one of two names, copied; false when absent, empty or too long. */
static bool claim(const json_t *c, const char *a, const char *b, char *out, size_t len)
{
    const char *v = json_string_value(json_object_get(c, a));
    if (!v && b)
        v = json_string_value(json_object_get(c, b));
    return v && *v && str_copy(out, len, v);
}

static bool country_code(const char *s)
{
    return strlen(s) == 2 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]);
}

/* The disclosed claims as a partner result (evidence electronic_record). */
static bool result_of(const json_t *c, const char *kid, struct srs_partner_result *p, char *err,
                      size_t err_len)
{
    memset(p, 0, sizeof *p);
    p->evidence = SRS_EVIDENCE_EID;
    p->approved = true;
    p->identified_at = time_now_ms();
    str_copy(p->document_type, sizeof p->document_type, "EID");
    if (!claim(c, "given_name", NULL, p->given_name, sizeof p->given_name) ||
        !claim(c, "family_name", NULL, p->family_name, sizeof p->family_name) ||
        !claim(c, "birthdate", "birth_date", p->birth_date, sizeof p->birth_date) ||
        !srs_date_parse(p->birth_date, NULL)) {
        snprintf(err, err_len,
                 "The credential must disclose given_name, family_name and the "
                 "birth date (birthdate or birth_date, YYYY-MM-DD).");
        return false;
    }
    const json_t *nats = json_object_get(c, "nationalities");
    if (!claim(c, "nationality", NULL, p->nationality, sizeof p->nationality) &&
        json_is_string(json_array_get(nats, 0)))
        str_copy(p->nationality, sizeof p->nationality, json_string_value(json_array_get(nats, 0)));
    if (!country_code(p->nationality))
        p->nationality[0] = '\0';
    if (!claim(c, "issuing_country", NULL, p->issuing_country, sizeof p->issuing_country) ||
        !country_code(p->issuing_country))
        str_copy(p->issuing_country, sizeof p->issuing_country, p->nationality);
    if (!claim(c, "document_number", "personal_administrative_number", p->document_number,
               sizeof p->document_number))
        p->document_number[0] = '\0';
    /* The document's expiry when the credential states it, else the credential's own. */
    if (!claim(c, "date_of_expiry", "expiry_date", p->document_expiry, sizeof p->document_expiry) ||
        !srs_date_parse(p->document_expiry, NULL)) {
        char when[ISO_DATETIME_LEN];
        json_int_t exp = json_integer_value(json_object_get(c, "exp"));
        iso_format_datetime((int64_t)exp * 1000, false, when);
        memcpy(p->document_expiry, when, 10);
        p->document_expiry[10] = '\0';
    }
    if (!claim(c, "iss", NULL, p->agent, sizeof p->agent))
        snprintf(p->agent, sizeof p->agent, "eID issuer key %.60s", kid);
    return true;
}

/* The trusted issuer keys of the configuration (owned), or NULL (logged). */
static struct auth_keyring *trusted_issuers(const struct srs_env *env)
{
    const char *path = env->cfg ? env->cfg->srs_eid_issuers : NULL;
    json_error_t jerr;
    if (!path || !path[0]) {
        log_error("srs: an eID presentation arrived but --srs-eid-issuers is not set");
        return NULL;
    }
    json_t *jwks = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    struct auth_keyring *ring = jwks ? auth_keyring_from_jwks(jwks) : NULL;
    json_decref(jwks);
    if (!ring)
        log_error("srs: --srs-eid-issuers %s is not a JWKS (%s)", path, jerr.text);
    return ring;
}

/* The one presentation in vp_token {"identity": ["<SD-JWT>"]} (borrowed from j), or NULL. */
static const char *presentation_of(const json_t *j)
{
    const json_t *list = json_object_get(j, CREDENTIAL_ID);
    if (!json_is_object(j) || json_object_size(j) != 1 || !json_is_array(list) ||
        json_array_size(list) != 1)
        return NULL;
    return json_string_value(json_array_get(list, 0));
}

enum srs_result srs_eid_response(const struct srs_env *env, const char *vp_token, const char *state,
                                 struct store_srs_registration *out, char *err, size_t err_len)
{
    struct store_srs_eid_request q = {0};
    struct store_srs_registration r = {0};
    struct srs_partner_result p;
    struct auth_keyring *issuers = NULL;
    json_t *vp = NULL, *claims = NULL;
    unsigned char dk[CRYPTO_KEY_LEN];
    unsigned char *mobile = NULL;
    size_t mobile_len = 0;
    char hash[65], cid[600], kid[64] = "", digest[65];
    enum srs_result res = SRS_R_INVALID;
    memset(out, 0, sizeof *out);
    memset(&p, 0, sizeof p);
    if (!state || !*state || strlen(state) > 256) {
        snprintf(err, err_len, "The response has no state.");
        return SRS_R_INVALID;
    }
    crypto_sha256_hex(state, strlen(state), hash);
    struct get_op op = {"state_hash", hash, &q};
    res = srs_from_store(store_run(env->store, STORE_READ, get_tx, &op));
    if (res == SRS_R_NOT_FOUND)
        snprintf(err, err_len, "There is no presentation request with this state.");
    if (res != SRS_R_OK)
        goto cleanup;
    if (q.used_at) {
        snprintf(err, err_len,
                 "This presentation request was already answered: a response is "
                 "accepted once.");
        res = SRS_R_CONFLICT;
        goto cleanup;
    }
    if (q.expires_at < time_now_ms()) {
        snprintf(err, err_len, "This presentation request has expired; scan the new QR code.");
        res = SRS_R_GONE;
        goto cleanup;
    }
    res = srs_eid_order_get(env, q.order_id, &r);
    if (res == SRS_R_OK && (strcmp(r.id, q.registration_id) != 0 ||
                            strcmp(r.status, SRS_IN_IDENTIFICATION) != 0 || r.callback_digest[0]))
        res = SRS_R_CONFLICT;
    if (res != SRS_R_OK) {
        snprintf(err, err_len, "The registration no longer waits for this identification.");
        res = SRS_R_CONFLICT;
        goto cleanup;
    }
    res = SRS_R_INVALID;
    vp = vp_token ? json_loads(vp_token, JSON_REJECT_DUPLICATES, NULL) : NULL;
    const char *presentation = presentation_of(vp);
    if (!presentation) {
        snprintf(err, err_len,
                 "vp_token must be the JSON object {\"%s\": [\"<SD-JWT VC presentation>\"]}.",
                 CREDENTIAL_ID);
        goto cleanup;
    }
    issuers = trusted_issuers(env);
    if (!client_id(env, cid, sizeof cid)) {
        res = SRS_R_UNAVAILABLE;
        goto cleanup;
    }
    struct sdjwt_expect e = {.issuers = issuers,
                             .vct_values = vct_values,
                             .n_vct = sizeof vct_values / sizeof vct_values[0],
                             .audience = cid,
                             .nonce_hash = q.nonce_hash,
                             .now = time_now_ms() / 1000,
                             .leeway = LEEWAY_S,
                             .kb_max_age = KB_MAX_AGE_S};
    enum sdjwt_result v = sdjwt_verify(presentation, strlen(presentation), &e, &claims, kid);
    if (v != SDJWT_OK) {
        snprintf(err, err_len, "%s", sdjwt_result_message(v));
        goto cleanup;
    }
    if (!result_of(claims, kid, &p, err, err_len))
        goto cleanup;
    str_copy(p.order_id, sizeof p.order_id, q.order_id);
    res = SRS_R_UNAVAILABLE;
    if (!srs_data_key(env, &r, dk) ||
        !(mobile = srs_unseal(dk, r.id, &q.mobile_sealed, &mobile_len)) ||
        !str_copy(p.mobile, sizeof p.mobile, (const char *)mobile))
        goto cleanup;
    /* Once only, before the result is applied: two concurrent answers cannot both count. */
    res = srs_from_store(store_run(env->store, STORE_WRITE, mark_tx, &q));
    if (res == SRS_R_CONFLICT)
        snprintf(err, err_len,
                 "This presentation request was already answered: a response is "
                 "accepted once.");
    if (res != SRS_R_OK)
        goto cleanup;
    crypto_sha256_hex(presentation, strlen(presentation), digest);
    res = srs_partner_apply(env, SRS_EID_CONNECTOR, &p, digest, out, err, err_len);
cleanup:
    memset(dk, 0, sizeof dk);
    if (mobile) {
        memset(mobile, 0, mobile_len);
        free(mobile);
    }
    memset(&p, 0, sizeof p);
    json_decref(vp);
    json_decref(claims);
    auth_keyring_free(issuers);
    store_srs_eid_request_clear(&q);
    store_srs_registration_clear(&r);
    return res;
}
