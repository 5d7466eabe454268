/*
 * SRS handlers (see srs/handlers.h): parse and check the request, call srs/registration.h,
 * answer with the API's JSON or the Error object.
 */
#include "srs/handlers.h"

#include "app.h"
#include "core/config.h"
#include "core/isotime.h"
#include "core/reason.h"
#include "core/str.h"
#include "http/request.h"
#include "http/web.h"
#include "srs/bank_sim.h"
#include "srs/catalogue.h"
#include "srs/connector.h"
#include "srs/http_env.h"
#include "srs/registration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT 50
#define LIST_MAX     200

/* "This link is not valid." with its reason for the pages (core/reason.h), into buf. */
static const char *link_invalid(char *buf, size_t len)
{
    reason_message(buf, len, "link.invalid", NULL, "This link is not valid.");
    return buf;
}

static bool has_scope(const char *scopes, const char *want)
{
    size_t n = strlen(want);
    for (const char *p = scopes; p && *p;) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, want, n) == 0)
            return true;
        p += len;
    }
    return false;
}

/* The token's organization, or answered 403. */
static const char *org_of(struct http_request *req)
{
    if (!req->auth.organization_id[0]) {
        http_reply_error(req, ERR_FORBIDDEN, "The access token is not bound to an organization.");
        return NULL;
    }
    return req->auth.organization_id;
}

static const char *json_text(const json_t *o, const char *key, bool *bad)
{
    const json_t *v = json_object_get(o, key);
    if (v && !json_is_string(v))
        *bad = true;
    return json_string_value(v);
}

/* ---- API ---- */

void srs_handle_methods(struct http_request *req)
{
    char err[256];
    const char *jurisdiction = http_query(req, "jurisdiction");
    const char *level = http_query(req, "level");
    if (jurisdiction && !srs_jurisdiction_valid(jurisdiction)) {
        http_reply_error(req, ERR_VALIDATION, "Parameter 'jurisdiction' must be CH or EU.");
        return;
    }
    if (level && !srs_level_valid(level)) {
        http_reply_error(req, ERR_VALIDATION, "Parameter 'level' must be ADVANCED or QUALIFIED.");
        return;
    }
    const struct srs_catalogue *c = srs_catalogue_get(req->app->cfg, err, sizeof err);
    json_t *j = c ? srs_catalogue_json(c, jurisdiction, level) : NULL;
    if (!j) {
        http_reply_error(req, ERR_INTERNAL, "The methods catalogue is not usable.");
        return;
    }
    http_reply_json(req, 200, j);
}

void srs_handle_registration_create(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct store_srs_registration r;
    char token[SRS_TOKEN_LEN], err[512] = "", url[1200], secret[65];
    bool bad = false;
    const char *org = org_of(req);
    if (!org)
        return;
    const json_t *b = req->json;
    if (!json_is_object(b)) {
        http_reply_error(req, ERR_VALIDATION, "The body must be a JSON object.");
        return;
    }
    struct srs_create_request rq = {
        .methods = json_object_get(b, "methods"),
        .jurisdiction = json_text(b, "jurisdiction", &bad),
        .level = json_text(b, "level", &bad),
        .person = json_object_get(b, "person"),
        .redirect_url = json_text(b, "redirectUrl", &bad),
        .webhook_url = json_text(b, "webhookUrl", &bad),
        .external_identifier = json_text(b, "externalIdentifier", &bad),
    };
    if (bad) {
        http_reply_error(req, ERR_VALIDATION,
                         "Fields 'jurisdiction', 'level', 'redirectUrl', 'webhookUrl' and "
                         "'externalIdentifier' must be strings.");
        return;
    }
    if (!srs_http_env(req, mk, &env))
        return;
    enum srs_result res =
        srs_registration_create(&env, org, req->auth.client_id, &rq, &r, token, err, sizeof err);
    if (res != SRS_R_OK) {
        memset(mk, 0, sizeof mk);
        srs_http_reply_result(req, res, err);
        return;
    }
    snprintf(url, sizeof url, "%s/srs/r/%s", env.public_url, token);
    json_t *j = srs_registration_json(&r, url);
    if (j && r.webhook_url[0] && srs_webhook_secret_hex(&env, r.id, secret))
        json_object_set_new(j, "webhookSecret", json_string(secret)); /* steals */
    memset(mk, 0, sizeof mk);
    store_srs_registration_clear(&r);
    http_reply_json(req, 201, j);
}

void srs_handle_registration_list(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct store_srs_registration *list = NULL;
    size_t n = 0;
    int64_t limit = LIST_DEFAULT;
    const char *org = org_of(req);
    const char *l = http_query(req, "limit");
    if (!org)
        return;
    if (l && !str_to_i64(l, 1, LIST_MAX, &limit)) {
        http_reply_error(req, ERR_VALIDATION, "Parameter 'limit' must be 1 to %d.", LIST_MAX);
        return;
    }
    if (!srs_http_env(req, mk, &env))
        return;
    enum srs_result res = srs_registration_list(&env, org, (size_t)limit, &list, &n);
    memset(mk, 0, sizeof mk);
    if (res != SRS_R_OK) {
        srs_http_reply_result(req, res, NULL);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, srs_registration_json(&list[i], NULL)); /* steals */
        store_srs_registration_clear(&list[i]);
    }
    free(list);
    http_reply_json(req, 200, json_pack("{s:o}", "registrations", a));
}

void srs_handle_registration_get(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct store_srs_registration r;
    const char *org = org_of(req);
    char *id = http_param_dup(req, "registrationId");
    if (!org || !id || !srs_http_env(req, mk, &env)) {
        free(id);
        return;
    }
    enum srs_result res = srs_registration_get(&env, org, id, &r);
    json_t *j = NULL;
    if (res == SRS_R_OK) {
        j = srs_registration_json(&r, NULL);
        /* Identity data only for tokens allowed to read it and only with the person's
         * consent ("identityShared"); every read, and every refusal, is audited. */
        if (r.identity_sealed.data && has_scope(req->auth.scopes, "srs:identity:read")) {
            json_t *claims = NULL;
            res = srs_identity_share(&env, org, id, req->auth.client_id, &claims);
            if (res == SRS_R_OK)
                json_object_update(j, claims);
            else if (res == SRS_R_FORBIDDEN)
                res = SRS_R_OK; /* answered without verified_claims */
            json_decref(claims);
        }
        store_srs_registration_clear(&r);
    }
    memset(mk, 0, sizeof mk);
    free(id);
    if (res != SRS_R_OK) {
        json_decref(j);
        srs_http_reply_result(req, res, NULL);
        return;
    }
    http_reply_json(req, 200, j);
}

void srs_handle_registration_revoke(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct store_srs_registration r;
    char err[128] = "";
    const char *org = org_of(req);
    char *id = http_param_dup(req, "registrationId");
    if (!org || !id || !srs_http_env(req, mk, &env)) {
        free(id);
        return;
    }
    enum srs_result res = srs_registration_revoke(&env, org, id, req->auth.client_id, &r);
    memset(mk, 0, sizeof mk);
    free(id);
    if (res == SRS_R_CONFLICT)
        snprintf(err, sizeof err, "A registration that is %s cannot be revoked.",
                 r.status[0] ? r.status : "in this state");
    if (res != SRS_R_OK) {
        store_srs_registration_clear(&r);
        srs_http_reply_result(req, res, err);
        return;
    }
    json_t *j = srs_registration_json(&r, NULL);
    store_srs_registration_clear(&r);
    http_reply_json(req, 200, j);
}

void srs_handle_evidence(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    unsigned char *cms = NULL;
    size_t len = 0;
    const char *org = org_of(req);
    char *id = http_param_dup(req, "registrationId");
    if (!org || !id || !srs_http_env(req, mk, &env)) {
        free(id);
        return;
    }
    enum srs_result res = srs_evidence_read(&env, org, id, req->auth.client_id, &cms, &len);
    memset(mk, 0, sizeof mk);
    free(id);
    if (res != SRS_R_OK) {
        srs_http_reply_result(
            req, res,
            res == SRS_R_CONFLICT    ? "The registration has no evidence (not identified)."
            : res == SRS_R_FORBIDDEN ? "The person has not consented to share their identity "
                                       "data and evidence with the service provider (consent "
                                       "missing on the terms of use)."
                                     : NULL);
        return;
    }
    http_reply_owned(req, 200, "application/pkcs7-mime; smime-type=signed-data", cms, len);
}

/* ---- partner callback ---- */

void srs_handle_partner_callback(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct store_srs_registration r;
    char err[256] = "";
    char *connector = http_param_dup(req, "connector");
    if (!connector || !srs_http_env(req, mk, &env)) {
        free(connector);
        return;
    }
    enum srs_result res =
        srs_partner_callback(&env, connector, req->body.data, req->body.len,
                             http_header(req, SRS_SIGNATURE_HEADER), &r, err, sizeof err);
    memset(mk, 0, sizeof mk);
    free(connector);
    if (res != SRS_R_OK) {
        srs_http_reply_result(req, res, err);
        return;
    }
    json_t *j = json_pack("{s:s, s:s}", "registrationId", r.id, "status", r.status);
    store_srs_registration_clear(&r);
    http_reply_json(req, 200, j);
}

/* ---- pages ---- */

void srs_handle_link_page(struct http_request *req)
{
    web_reply_embedded(req, "pages/srs-register.html");
}

void srs_handle_terms_page(struct http_request *req)
{
    web_reply_embedded(req, "pages/srs-terms.html");
}

void srs_handle_sim_page(struct http_request *req)
{
    web_reply_embedded(req, "pages/srs-sim.html");
}

/* The localized method list the end customer chooses from. */
static json_t *offered_methods(const struct srs_env *env, const struct store_srs_registration *r)
{
    json_t *ids = json_loads(r->methods, 0, NULL);
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(ids, i, e)
    {
        const struct srs_method *m = srs_catalogue_find(env->catalogue, json_string_value(e));
        if (m)
            json_array_append_new(out, json_pack("{s:s, s:O, s:O}", "id", m->id, "name",
                                                 json_object_get(m->entry, "name"), "description",
                                                 json_object_get(m->entry, "description")));
    }
    json_decref(ids);
    return out;
}

void srs_handle_link_state(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct store_srs_registration r;
    char msg[128];
    char *token = http_param_dup(req, "token");
    if (!token || !srs_http_env(req, mk, &env)) {
        free(token);
        return;
    }
    enum srs_result res = srs_link_get(&env, token, &r);
    memset(mk, 0, sizeof mk);
    free(token);
    if (res != SRS_R_OK) {
        srs_http_reply_result(req, res,
                              res == SRS_R_NOT_FOUND ? link_invalid(msg, sizeof msg) : NULL);
        return;
    }
    json_t *j = json_pack("{s:s, s:o, s:b, s:b}", "status", r.status, "methods",
                          offered_methods(&env, &r), "mobileVerified", r.mobile_verified_at != 0,
                          "termsSent", r.terms_hash[0] != '\0');
    if (r.method[0])
        json_object_set_new(j, "method", json_string(r.method)); /* steals */
    if (r.redirect_url[0] && strcmp(r.status, SRS_ACTIVE) == 0)
        json_object_set_new(j, "redirectUrl", json_string(r.redirect_url)); /* steals */
    store_srs_registration_clear(&r);
    http_reply_json(req, 200, j);
}

void srs_handle_link_start(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    char url[1200], err[256] = "";
    char *token = http_param_dup(req, "token");
    bool bad = false;
    const char *method = json_text(req->json, "method", &bad);
    if (!token || !srs_http_env(req, mk, &env)) {
        free(token);
        return;
    }
    enum srs_result res = srs_link_start(&env, token, method, url, sizeof url, err, sizeof err);
    memset(mk, 0, sizeof mk);
    free(token);
    if (res != SRS_R_OK) {
        srs_http_reply_result(req, res, err);
        return;
    }
    http_reply_json(req, 200, json_pack("{s:s, s:s}", "status", SRS_IN_IDENTIFICATION, "url", url));
}

void srs_handle_link_code(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    char err[256] = "";
    char *token = http_param_dup(req, "token");
    if (!token || !srs_http_env(req, mk, &env)) {
        free(token);
        return;
    }
    enum srs_result res = srs_link_send_code(&env, token, err, sizeof err);
    memset(mk, 0, sizeof mk);
    free(token);
    if (res != SRS_R_OK) {
        srs_http_reply_result(req, res, err);
        return;
    }
    http_reply_json(req, 200, json_pack("{s:b}", "sent", 1));
}

void srs_handle_link_verify(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    char err[256] = "";
    char *token = http_param_dup(req, "token");
    bool bad = false;
    const char *code = json_text(req->json, "code", &bad);
    if (!token || !srs_http_env(req, mk, &env)) {
        free(token);
        return;
    }
    enum srs_result res = srs_link_verify_code(&env, token, code, err, sizeof err);
    memset(mk, 0, sizeof mk);
    free(token);
    if (res != SRS_R_OK) {
        srs_http_reply_result(req, res, err);
        return;
    }
    http_reply_json(req, 200, json_pack("{s:b, s:b}", "mobileVerified", 1, "termsSent", 1));
}

void srs_handle_terms_state(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct store_srs_registration r;
    char version[65], msg[128];
    char *token = http_param_dup(req, "token");
    const char *lang = http_query(req, "lang");
    if (!token || !srs_http_env(req, mk, &env)) {
        free(token);
        return;
    }
    enum srs_result res = srs_terms_get(&env, token, &r);
    memset(mk, 0, sizeof mk);
    free(token);
    if (res != SRS_R_OK && res != SRS_R_CONFLICT) {
        srs_http_reply_result(req, res,
                              res == SRS_R_NOT_FOUND ? link_invalid(msg, sizeof msg) : NULL);
        return;
    }
    const char *text = srs_terms_text(lang, version);
    json_t *j = json_pack("{s:s, s:s, s:s}", "status", r.status, "text", text ? text : "",
                          "versionHash", version);
    /* The consent to share identity data with the service provider (docs/srs.md "Consent"):
     * its text naming the organization, the text's hash, and the current decision. */
    char org_name[256], consent[SRS_CONSENT_TEXT_LEN], consent_hash[65];
    if (srs_organization_name(&env, r.organization_id, org_name, sizeof org_name) &&
        srs_consent_text(lang, org_name, consent, sizeof consent, consent_hash)) {
        json_object_set_new(j, "organizationName", json_string(org_name)); /* steals */
        json_object_set_new(j, "consentText", json_string(consent));       /* steals */
        json_object_set_new(j, "consentHash", json_string(consent_hash));  /* steals */
    }
    json_object_set_new(j, "identityShared", json_boolean(r.consent_given)); /* steals */
    if (r.valid_until) {
        char t[ISO_DATETIME_LEN];
        iso_format_datetime(r.valid_until, false, t);
        json_object_set_new(j, "validUntil", json_string(t)); /* steals */
    }
    if (r.redirect_url[0] && strcmp(r.status, SRS_ACTIVE) == 0)
        json_object_set_new(j, "redirectUrl", json_string(r.redirect_url)); /* steals */
    store_srs_registration_clear(&r);
    http_reply_json(req, 200, j);
}

void srs_handle_terms_accept(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    char err[256] = "";
    char *token = http_param_dup(req, "token");
    bool bad = false;
    const char *version = json_text(req->json, "versionHash", &bad);
    const char *consent_hash = json_text(req->json, "consentHash", &bad);
    const json_t *consent = json_object_get(req->json, "consent");
    if (consent && !json_is_boolean(consent)) {
        free(token);
        http_reply_error(req, ERR_VALIDATION, "Field 'consent' must be true or false.");
        return;
    }
    if (!token || !srs_http_env(req, mk, &env)) {
        free(token);
        return;
    }
    enum srs_result res = srs_terms_accept(&env, token, version, json_is_true(consent),
                                           consent_hash, err, sizeof err);
    memset(mk, 0, sizeof mk);
    free(token);
    if (res != SRS_R_OK) {
        srs_http_reply_result(req, res, err);
        return;
    }
    http_reply_json(
        req, 200,
        json_pack("{s:s, s:b}", "status", SRS_ACTIVE, "identityShared", json_is_true(consent)));
}

void srs_handle_terms_consent(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    char err[256] = "";
    char *token = http_param_dup(req, "token");
    bool bad = false;
    const char *consent_hash = json_text(req->json, "consentHash", &bad);
    const json_t *consent = json_object_get(req->json, "consent");
    if (!json_is_boolean(consent) || bad) {
        free(token);
        http_reply_error(req, ERR_VALIDATION,
                         "Field 'consent' must be true or false ('consentHash' a string).");
        return;
    }
    if (!token || !srs_http_env(req, mk, &env)) {
        free(token);
        return;
    }
    enum srs_result res =
        srs_terms_consent(&env, token, json_is_true(consent), consent_hash, err, sizeof err);
    memset(mk, 0, sizeof mk);
    free(token);
    if (res != SRS_R_OK) {
        srs_http_reply_result(req, res, err);
        return;
    }
    http_reply_json(
        req, 200,
        json_pack("{s:s, s:b}", "status", SRS_ACTIVE, "identityShared", json_is_true(consent)));
}

/* ---- simulators (the partner's side) ---- */

/* The registration of the simulator page's order for connector into *r, with *env; false when
 * answered. The caller zeroes mk and clears *r. */
static bool sim_order(struct http_request *req, const char *connector,
                      unsigned char mk[CRYPTO_KEY_LEN], struct srs_env *env,
                      struct store_srs_registration *r)
{
    char *order = http_param_dup(req, "order");
    memset(r, 0, sizeof *r);
    if (!order || !srs_http_env(req, mk, env)) {
        free(order);
        return false;
    }
    enum srs_result res = srs_order_get(env, order, r);
    free(order);
    if (res == SRS_R_OK && strcmp(r->connector, connector) != 0)
        res = SRS_R_NOT_FOUND;
    if (res != SRS_R_OK) {
        store_srs_registration_clear(r);
        srs_http_reply_result(req, res, res == SRS_R_NOT_FOUND ? "There is no such order." : NULL);
        return false;
    }
    return true;
}

/* Signs a simulator's partner result (steals result; NULL: out of memory) with connector's
 * secret and hands it to the callback path (srs_partner_callback), in-process instead of an
 * HTTP round trip to itself; answers {"status"} or the callback's error. */
static void sim_deliver(struct http_request *req, const struct srs_env *env, const char *connector,
                        json_t *result)
{
    unsigned char secret[256];
    size_t secret_len = 0;
    struct store_srs_registration r = {0};
    char signature[SRS_SIGNATURE_LEN], err[256] = "";
    char *body = result ? json_dumps(result, JSON_COMPACT) : NULL;
    enum srs_result res = SRS_R_UNAVAILABLE;
    json_decref(result);
    if (body && srs_partner_secret(env, connector, secret, sizeof secret, &secret_len) &&
        srs_callback_sign(secret, secret_len, body, strlen(body), signature))
        res = srs_partner_callback(env, connector, body, strlen(body), signature, &r, err,
                                   sizeof err);
    memset(secret, 0, sizeof secret);
    free(body);
    if (res != SRS_R_OK) {
        srs_http_reply_result(req, res, err);
        return;
    }
    json_t *j = json_pack("{s:s}", "status", r.status);
    store_srs_registration_clear(&r);
    http_reply_json(req, 200, j);
}

void srs_handle_sim_state(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct store_srs_registration r;
    bool ok = sim_order(req, "video-sim", mk, &env, &r);
    memset(mk, 0, sizeof mk);
    if (!ok)
        return;
    srs_http_reply_order_state(req, &r);
}

void srs_handle_sim_decide(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    char when[ISO_DATETIME_LEN];
    char *order = http_param_dup(req, "order");
    const json_t *in = req->json;
    const char *decision = json_string_value(json_object_get(in, "decision"));
    const char *agent = json_string_value(json_object_get(in, "agent"));
    if (!order || !srs_http_env(req, mk, &env)) {
        free(order);
        return;
    }
    if (!decision || (strcmp(decision, "APPROVE") != 0 && strcmp(decision, "REJECT") != 0)) {
        memset(mk, 0, sizeof mk);
        free(order);
        http_reply_error(req, ERR_VALIDATION, "Field 'decision' must be APPROVE or REJECT.");
        return;
    }
    /* The simulator partner reports what the agent entered, as a real partner would. */
    iso_format_datetime(time_now_ms(), false, when);
    bool approve = strcmp(decision, "APPROVE") == 0;
    json_t *result = json_pack("{s:s, s:s, s:s, s:s}", "orderId", order, "result",
                               approve ? "APPROVED" : "REJECTED", "identifiedAt", when, "agent",
                               agent ? agent : "");
    const char *copy[] = {"person", "document", "mobile", "reason"};
    for (size_t i = 0; result && i < 4; i++)
        if (json_object_get(in, copy[i]))
            json_object_set(result, copy[i], json_object_get(in, copy[i]));
    sim_deliver(req, &env, "video-sim", result);
    memset(mk, 0, sizeof mk);
    free(order);
}

void srs_handle_bank_sim_page(struct http_request *req)
{
    web_reply_embedded(req, "pages/srs-bank-sim.html");
}

/* The order's registration and its prefill (*prefill owned; NULL: none); false when answered. */
static bool bank_order(struct http_request *req, unsigned char mk[CRYPTO_KEY_LEN],
                       struct srs_env *env, struct store_srs_registration *r, json_t **prefill)
{
    *prefill = NULL;
    if (!sim_order(req, "bank-sim", mk, env, r))
        return false;
    enum srs_result res = srs_order_prefill(env, r, prefill);
    if (res != SRS_R_OK) {
        store_srs_registration_clear(r);
        srs_http_reply_result(req, res, NULL);
        return false;
    }
    return true;
}

void srs_handle_bank_sim_state(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct store_srs_registration r;
    json_t *prefill = NULL;
    bool ok = bank_order(req, mk, &env, &r, &prefill);
    memset(mk, 0, sizeof mk);
    if (!ok)
        return;
    json_t *j = srs_bank_sim_state(&r, prefill);
    json_decref(prefill);
    store_srs_registration_clear(&r);
    http_reply_json(req, 200, j);
}

void srs_handle_bank_sim_confirm(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct store_srs_registration r;
    json_t *prefill = NULL;
    char err[256] = "";
    if (!bank_order(req, mk, &env, &r, &prefill)) {
        memset(mk, 0, sizeof mk);
        return;
    }
    json_t *result = srs_bank_sim_result(&r, prefill, req->json, time_now_ms(), err, sizeof err);
    if (result)
        sim_deliver(req, &env, "bank-sim", result);
    else
        http_reply_error(req, ERR_VALIDATION, "%s", err);
    memset(mk, 0, sizeof mk);
    json_decref(prefill);
    store_srs_registration_clear(&r);
}
