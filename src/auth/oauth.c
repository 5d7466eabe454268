#include "auth/oauth.h"

#include "app.h"
#include "auth/credentials.h"
#include "auth/external.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "core/b64.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/masterkey.h"
#include "core/str.h"
#include "core/uuid.h"
#include "http/form.h"
#include "http/request.h"
#include "pki/jws.h"
#include "store/store.h"

#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORM_MAX           16384 /* largest token request body we read */
#define KEYRING_MAX_AGE_MS 60000 /* reload keys at least this often (retirements) */
#define KEYRING_MIN_GAP_MS 1000  /* at most one reload per second on unknown kids */
#define CACHE_SLOTS        1024
#define LIMIT_SLOTS        1024

/* ---- key ring, shared by threads, swapped on reload ---- */

struct ring_ref {
    struct auth_keyring *ring;
    int refs; /* under oauth.lock */
};

/* Who a verified token says the caller is. */
struct principal {
    char client_id[128];
    char organization_id[UUID_STR_LEN];
    char scopes[1024];
    int64_t exp; /* seconds */
    bool external;
};

struct cache_slot {
    bool used;
    unsigned char hash[SHA256_LEN];
    struct principal p;
};

struct bucket {
    char key[160];
    double tokens;
    int64_t last_us;
};

struct limiter {
    pthread_mutex_t lock;
    struct bucket slots[LIMIT_SLOTS];
};

struct oauth {
    const struct config *cfg;
    struct store *store;
    unsigned char mk[CRYPTO_KEY_LEN];
    pthread_mutex_t lock; /* ring and reload times */
    struct ring_ref *ring;
    int64_t last_reload_ms;
    pthread_mutex_t cache_lock;
    struct cache_slot cache[CACHE_SLOTS];
    struct limiter by_client, by_address;
    struct auth_external *external; /* NULL unless configured */
};

static int64_t mono_ms(void)
{
    return time_mono_us() / 1000;
}

static struct ring_ref *ring_acquire(struct oauth *o)
{
    pthread_mutex_lock(&o->lock);
    struct ring_ref *r = o->ring;
    if (r)
        r->refs++;
    pthread_mutex_unlock(&o->lock);
    return r;
}

static void ring_release(struct oauth *o, struct ring_ref *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&o->lock);
    bool last = --r->refs == 0;
    pthread_mutex_unlock(&o->lock);
    if (last) {
        auth_keyring_free(r->ring);
        free(r);
    }
}

/* Loads the keys from the store and makes them the current ring. */
static bool ring_reload(struct oauth *o)
{
    struct auth_keyring *ring = NULL;
    if (auth_keyring_load(o->store, o->mk, &ring) != STORE_OK)
        return false;
    struct ring_ref *fresh = calloc(1, sizeof *fresh);
    if (!fresh) {
        auth_keyring_free(ring);
        return false;
    }
    fresh->ring = ring;
    fresh->refs = 1;
    pthread_mutex_lock(&o->lock);
    struct ring_ref *old = o->ring;
    o->ring = fresh;
    o->last_reload_ms = mono_ms();
    pthread_mutex_unlock(&o->lock);
    ring_release(o, old);
    return true;
}

static enum store_status current_kid_tx(struct store_tx *tx, void *cls)
{
    return store_jwt_key_current_kid(tx, cls);
}

/* Reloads when the store's current key is another one than ours (rotation by the CLI) or
 * the ring is old; returns a reference to release. */
static struct ring_ref *ring_fresh(struct oauth *o)
{
    char kid[64] = "";
    struct ring_ref *r = ring_acquire(o);
    const struct auth_key *cur = r ? auth_keyring_current(r->ring) : NULL;
    bool stale = !r || mono_ms() - r->ring->loaded_ms > KEYRING_MAX_AGE_MS;
    if (!stale && store_run(o->store, STORE_READ, current_kid_tx, kid) == STORE_OK)
        stale = !cur || strcmp(cur->kid, kid) != 0;
    if (stale) {
        ring_release(o, r);
        ring_reload(o);
        r = ring_acquire(o);
    }
    return r;
}

/* ---- rate limits: token buckets ---- */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Takes one token from key's bucket; false (and *retry_after seconds) when empty. The
 * per-client limiter has its own rate and burst when configured (token-client-rate/-burst). */
static bool limit_take(struct oauth *o, struct limiter *l, const char *key, int64_t *retry_after)
{
    const struct config *cfg = o->cfg;
    bool per_client = l == &o->by_client;
    double rate =
        (double)(per_client && cfg->token_client_rate ? cfg->token_client_rate : cfg->token_rate);
    double burst = (double)(per_client && cfg->token_client_burst ? cfg->token_client_burst
                                                                  : cfg->token_burst);
    int64_t now = time_mono_us();
    bool ok;
    pthread_mutex_lock(&l->lock);
    struct bucket *b = &l->slots[fnv1a(key) % LIMIT_SLOTS];
    if (strcmp(b->key, key) != 0) {
        str_copy(b->key, sizeof b->key, key);
        b->tokens = burst;
        b->last_us = now;
    }
    b->tokens += (double)(now - b->last_us) / 1e6 * rate;
    if (b->tokens > burst)
        b->tokens = burst;
    b->last_us = now;
    ok = b->tokens >= 1.0;
    if (ok) {
        b->tokens -= 1.0;
    } else {
        int64_t wait = (int64_t)((1.0 - b->tokens) / rate + 0.999);
        *retry_after = wait < 1 ? 1 : wait;
    }
    pthread_mutex_unlock(&l->lock);
    return ok;
}

/* ---- lifecycle ---- */

struct oauth *auth_oauth_new(const struct config *cfg, struct store *store, char *err,
                             size_t err_len)
{
    struct oauth *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    o->cfg = cfg;
    o->store = store;
    pthread_mutex_init(&o->lock, NULL);
    pthread_mutex_init(&o->cache_lock, NULL);
    pthread_mutex_init(&o->by_client.lock, NULL);
    pthread_mutex_init(&o->by_address.lock, NULL);
    if (!masterkey_load(cfg, o->mk, err, err_len))
        goto fail;
    if (auth_keys_ensure(store, o->mk) != STORE_OK) {
        snprintf(err, err_len, "cannot create the token signing key in the store");
        goto fail;
    }
    if (!ring_reload(o) || !auth_keyring_current(o->ring->ring)) {
        snprintf(err, err_len, "cannot load the token signing key (wrong master key?)");
        goto fail;
    }
    if (cfg->external_issuer && cfg->external_issuer[0]) {
        if (!cfg->external_jwks || !cfg->external_jwks[0]) {
            snprintf(err, err_len, "external-issuer needs external-jwks (a file or a URL)");
            goto fail;
        }
        o->external = auth_external_new(cfg->external_issuer, cfg->external_jwks, err, err_len);
        if (!o->external)
            goto fail;
    }
    return o;
fail:
    auth_oauth_free(o);
    return NULL;
}

void auth_oauth_free(struct oauth *o)
{
    if (!o)
        return;
    if (o->ring) {
        auth_keyring_free(o->ring->ring);
        free(o->ring);
    }
    memset(o->mk, 0, sizeof o->mk);
    auth_external_free(o->external);
    pthread_mutex_destroy(&o->lock);
    pthread_mutex_destroy(&o->cache_lock);
    pthread_mutex_destroy(&o->by_client.lock);
    pthread_mutex_destroy(&o->by_address.lock);
    free(o);
}

/* ---- helpers shared by the handlers ---- */

static void issuer_url(const struct oauth *o, char *out, size_t len)
{
    snprintf(out, len, "%s/realms/%s", o->cfg->public_url, o->cfg->realm);
}

/* The state, and the realm check every endpoint makes; false when it answered. */
static struct oauth *realm_state(struct http_request *req)
{
    struct oauth *o = req->app->auth;
    if (!o) {
        log_bug("OAuth state not initialised");
        http_reply_error(req, ERR_INTERNAL, "The token service is not available.");
        return NULL;
    }
    size_t len = 0;
    const char *realm = route_param(&req->params, "realm", &len);
    if (!realm || len != strlen(o->cfg->realm) || memcmp(realm, o->cfg->realm, len) != 0) {
        http_reply_error(req, ERR_NOT_FOUND,
                         "There is no realm '%.*s'; this server's realm is "
                         "'%s'.",
                         (int)(len > 100 ? 100 : len), realm ? realm : "", o->cfg->realm);
        return NULL;
    }
    return o;
}

/* Client ids come from the caller: log them only as printable ASCII. */
static void loggable(const char *s, char *out, size_t len)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < len; i++)
        out[i] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"') ? s[i] : '?';
    out[i] = '\0';
}

static bool has_scope(const char *scopes, const char *want, size_t want_len)
{
    const char *p = scopes;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if ((size_t)(e - p) == want_len && want_len && memcmp(p, want, want_len) == 0)
            return true;
        p = e;
    }
    return false;
}

/* ---- token endpoint ---- */

struct form {
    char *grant_type, *client_id, *client_secret, *scope;
};

static void form_clear(struct form *f)
{
    free(f->grant_type);
    free(f->client_id);
    if (f->client_secret) {
        memset(f->client_secret, 0, strlen(f->client_secret));
        free(f->client_secret);
    }
    free(f->scope);
    memset(f, 0, sizeof *f);
}

enum form_result { FORM_OK, FORM_MALFORMED, FORM_DUPLICATE };

static enum form_result form_parse(const char *body, size_t len, struct form *f, char *bad,
                                   size_t bad_len)
{
    static const char *const names[] = {"grant_type", "client_id", "client_secret", "scope"};
    char **slots[] = {&f->grant_type, &f->client_id, &f->client_secret, &f->scope};
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && body[end] != '&')
            end++;
        const char *eq = memchr(body + i, '=', end - i);
        if (end > i) {
            size_t name_len = eq ? (size_t)(eq - (body + i)) : end - i;
            char *name = http_form_decode(body + i, name_len);
            char *value = eq ? http_form_decode(eq + 1, (size_t)(body + end - eq - 1)) : strdup("");
            if (!name || !value) {
                free(name);
                free(value);
                return FORM_MALFORMED;
            }
            bool taken = false;
            for (size_t k = 0; k < 4; k++) {
                if (strcmp(name, names[k]) != 0)
                    continue;
                if (*slots[k]) {
                    str_copy(bad, bad_len, names[k]);
                    free(name);
                    free(value);
                    return FORM_DUPLICATE;
                }
                *slots[k] = value;
                taken = true;
            }
            if (!taken)
                free(value); /* RFC 6749 §3.2: unknown parameters are ignored */
            free(name);
        }
        i = end + 1;
    }
    return FORM_OK;
}

static void token_error_h(struct http_request *req, unsigned status, const char *error,
                          const char *const *extra, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* RFC 6749 §5.2 error answer; extra: more headers (NULL-terminated pairs) or NULL. */
static void token_error_h(struct http_request *req, unsigned status, const char *error,
                          const char *const *extra, const char *fmt, ...)
{
    char desc[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof desc, fmt, ap);
    va_end(ap);
    const char *headers[10] = {"Cache-Control", "no-store", "Pragma", "no-cache"};
    size_t n = 4;
    for (const char *const *h = extra; h && h[0] && n + 2 < 10; h += 2) {
        headers[n++] = h[0];
        headers[n++] = h[1];
    }
    headers[n] = NULL;
    http_reply_json_headers(
        req, status, json_pack("{s:s, s:s}", "error", error, "error_description", desc), headers);
}

#define token_error(req, status, error, ...) token_error_h(req, status, error, NULL, __VA_ARGS__)

/* The Basic credentials of an Authorization header (RFC 6749 §2.3.1: both parts are
 * form-urlencoded before base64). Returns false when the header is not Basic at all;
 * *malformed when it is Basic but unusable. */
static bool basic_credentials(const char *hdr, char **id, char **secret, bool *malformed)
{
    *id = *secret = NULL;
    *malformed = false;
    if (!hdr || strncasecmp(hdr, "Basic ", 6) != 0)
        return false;
    const char *p = hdr + 6;
    while (*p == ' ')
        p++;
    size_t len = strlen(p);
    while (len > 0 && p[len - 1] == ' ')
        len--;
    unsigned char *raw = NULL;
    size_t raw_len = 0;
    if (len == 0 || len > 4096 || !b64_decode(p, len, B64_STD, &raw, &raw_len)) {
        *malformed = true;
        return true;
    }
    const unsigned char *colon = memchr(raw, ':', raw_len);
    if (colon && !memchr(raw, '\0', raw_len)) {
        *id = http_form_decode((const char *)raw, (size_t)(colon - raw));
        *secret = http_form_decode((const char *)colon + 1, raw_len - (size_t)(colon - raw) - 1);
    }
    memset(raw, 0, raw_len);
    free(raw);
    if (!*id || !*secret || !**id) {
        free(*id);
        free(*secret);
        *id = *secret = NULL;
        *malformed = true;
    }
    return true;
}

struct client_ctx {
    const char *id;
    struct store_client client;
    struct store_org org;
};

static enum store_status client_tx(struct store_tx *tx, void *cls)
{
    struct client_ctx *c = cls;
    enum store_status st = store_client_get(tx, c->id, &c->client);
    if (st == STORE_OK)
        st = store_org_get(tx, c->client.organization_id, &c->org);
    return st;
}

/* The per-request revocation check: one indexed lookup. */
static enum store_status client_only_tx(struct store_tx *tx, void *cls)
{
    struct client_ctx *c = cls;
    return store_client_get(tx, c->id, &c->client);
}

static enum store_status org_tx(struct store_tx *tx, void *cls)
{
    struct client_ctx *c = cls;
    return store_org_get(tx, c->client.organization_id, &c->org);
}

/* Grants the requested scopes (all of the client's when requested is NULL) into out;
 * false and *bad names the first one the client does not hold. */
static bool grant_scopes(const char *client_scopes, const char *requested, char *out,
                         size_t out_len, char *bad, size_t bad_len)
{
    const char *src = requested ? requested : client_scopes;
    out[0] = '\0';
    size_t used = 0;
    const char *p = src;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        size_t n = (size_t)(e - p);
        if (n == 0)
            break;
        if (!has_scope(client_scopes, p, n)) {
            snprintf(bad, bad_len, "%.*s", (int)(n > 100 ? 100 : n), p);
            return false;
        }
        if (!has_scope(out, p, n) && used + n + 2 <= out_len) {
            if (used)
                out[used++] = ' ';
            memcpy(out + used, p, n);
            used += n;
            out[used] = '\0';
        }
        p = e;
    }
    return true;
}

static bool scope_syntax_ok(const char *s)
{
    /* RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), space-separated */
    bool any = false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == ' ')
            continue;
        if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
            return false;
        any = true;
    }
    return any;
}

void oauth_handle_token(struct http_request *req)
{
    struct oauth *o = realm_state(req);
    struct form f = {0};
    char *basic_id = NULL, *basic_secret = NULL;
    struct client_ctx cc;
    char addr[64], who[130], bad[128], granted[1024], issuer[512], jti[UUID_STR_LEN];
    char retry[24];
    int64_t retry_after = 0;
    json_t *claims = NULL;
    char *token = NULL;
    struct ring_ref *ring = NULL;
    if (!o)
        return;
    const char *basic_hdr[] = {"WWW-Authenticate", NULL, NULL};
    char challenge[160];
    snprintf(challenge, sizeof challenge, "Basic realm=\"%s\"", o->cfg->realm);
    basic_hdr[1] = challenge;

    http_client_address(req, addr, sizeof addr);
    if (!limit_take(o, &o->by_address, addr, &retry_after)) {
        snprintf(retry, sizeof retry, "%lld", (long long)retry_after);
        log_warn("token request: rate limit reached for address %s", addr);
        token_error_h(req, 429, "slow_down", (const char *const[]){"Retry-After", retry, NULL},
                      "Too many token requests from this address; retry in %lld s.",
                      (long long)retry_after);
        goto cleanup;
    }
    if (req->body.len > FORM_MAX) {
        token_error(req, 400, "invalid_request", "The request body is too large.");
        goto cleanup;
    }
    enum form_result fr =
        form_parse(req->body.data ? req->body.data : "", req->body.len, &f, bad, sizeof bad);
    if (fr != FORM_OK) {
        if (fr == FORM_DUPLICATE)
            token_error(req, 400, "invalid_request", "The parameter %s is repeated.", bad);
        else
            token_error(req, 400, "invalid_request",
                        "The body is not valid application/x-www-form-urlencoded.");
        goto cleanup;
    }
    /* Client authentication: exactly one method (RFC 6749 §2.3). */
    bool malformed = false;
    bool used_basic =
        basic_credentials(http_header(req, "Authorization"), &basic_id, &basic_secret, &malformed);
    if (used_basic && f.client_secret) {
        token_error(req, 400, "invalid_request",
                    "Use one client authentication method: HTTP Basic or client_secret in the "
                    "body, not both.");
        goto cleanup;
    }
    if (used_basic && malformed) {
        log_warn("token request: malformed HTTP Basic credentials from %s", addr);
        token_error_h(req, 401, "invalid_client", basic_hdr,
                      "The HTTP Basic credentials are malformed: base64 of "
                      "urlencoded(client_id):urlencoded(client_secret).");
        goto cleanup;
    }
    if (used_basic && f.client_id && strcmp(f.client_id, basic_id) != 0) {
        token_error(req, 400, "invalid_request",
                    "client_id in the body differs from the HTTP Basic client id.");
        goto cleanup;
    }
    const char *client_id = used_basic ? basic_id : f.client_id;
    const char *secret = used_basic ? basic_secret : f.client_secret;
    if (!client_id || !*client_id || !secret) {
        token_error(req, 401, "invalid_client",
                    "Client authentication is required: HTTP Basic, or client_id and "
                    "client_secret in the body.");
        goto cleanup;
    }
    loggable(client_id, who, sizeof who);
    memset(&cc, 0, sizeof cc);
    cc.id = client_id;
    enum store_status st = strlen(client_id) < STORE_ID_LEN
                               ? store_run(o->store, STORE_READ, client_tx, &cc)
                               : STORE_NOT_FOUND;
    if (st != STORE_OK && st != STORE_NOT_FOUND) {
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The client store is unavailable; retry.");
        goto cleanup;
    }
    const char *reason = st == STORE_NOT_FOUND                      ? "unknown client"
                         : cc.client.revoked_at                     ? "revoked client"
                         : !auth_secret_matches(&cc.client, secret) ? "wrong secret"
                                                                    : NULL;
    if (reason) {
        log_warn("token request: client authentication failed for client_id \"%s\" from %s "
                 "(%s)",
                 who, addr, reason);
        token_error_h(req, 401, "invalid_client", used_basic ? basic_hdr : NULL,
                      "Client authentication failed: unknown client, revoked client or wrong "
                      "secret.");
        goto cleanup;
    }
    if (!limit_take(o, &o->by_client, cc.client.id, &retry_after)) {
        snprintf(retry, sizeof retry, "%lld", (long long)retry_after);
        log_warn("token request: rate limit reached for client_id \"%s\"", who);
        token_error_h(req, 429, "slow_down", (const char *const[]){"Retry-After", retry, NULL},
                      "Too many token requests for this client; retry in %lld s.",
                      (long long)retry_after);
        goto cleanup;
    }
    if (!f.grant_type || !*f.grant_type) {
        token_error(req, 400, "invalid_request", "The parameter grant_type is required.");
        goto cleanup;
    }
    if (strcmp(f.grant_type, "client_credentials") != 0) {
        token_error(req, 400, "unsupported_grant_type",
                    "Only grant_type=client_credentials is supported.");
        goto cleanup;
    }
    if (!cc.client.scopes[0]) {
        token_error(req, 400, "unauthorized_client",
                    "This client holds no scope and may not obtain tokens.");
        goto cleanup;
    }
    if (f.scope && !scope_syntax_ok(f.scope)) {
        token_error(req, 400, "invalid_scope",
                    "The scope parameter must be space-separated scope names.");
        goto cleanup;
    }
    if (!grant_scopes(cc.client.scopes, f.scope, granted, sizeof granted, bad, sizeof bad)) {
        token_error(req, 400, "invalid_scope", "The scope '%s' is not granted to this client.",
                    bad);
        goto cleanup;
    }
    ring = ring_fresh(o);
    const struct auth_key *key = ring ? auth_keyring_current(ring->ring) : NULL;
    if (!key || !uuid_v4(jti)) {
        log_bug("no current signing key");
        http_reply_error(req, ERR_INTERNAL, "No signing key is available.");
        goto cleanup;
    }
    int64_t now = time_now_ms() / 1000;
    issuer_url(o, issuer, sizeof issuer);
    claims = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s}", "iss", issuer,
                       "sub", cc.client.id, "aud", o->cfg->token_audience, "scope", granted,
                       "organization_id", cc.client.organization_id, "iat", (json_int_t)now, "nbf",
                       (json_int_t)now, "exp", (json_int_t)(now + o->cfg->token_ttl), "jti", jti,
                       "azp", cc.client.id, "client_id", cc.client.id);
    token = claims ? jwt_sign(key->key, key->kid, claims) : NULL;
    if (!token) {
        log_bug("cannot sign an access token");
        http_reply_error(req, ERR_INTERNAL, "The access token could not be signed.");
        goto cleanup;
    }
    log_info("token issued to client_id \"%s\" (organization %s, scope \"%s\")", who,
             cc.client.organization_id, granted);
    http_reply_json_headers(
        req, 200,
        json_pack("{s:s, s:s, s:I, s:s}", "access_token", token, "token_type", "Bearer",
                  "expires_in", (json_int_t)o->cfg->token_ttl, "scope", granted),
        (const char *const[]){"Cache-Control", "no-store", "Pragma", "no-cache", NULL});
cleanup:
    ring_release(o, ring);
    json_decref(claims);
    free(token);
    form_clear(&f);
    free(basic_id);
    if (basic_secret) {
        memset(basic_secret, 0, strlen(basic_secret));
        free(basic_secret);
    }
}

/* ---- JWKS and discovery ---- */

void oauth_handle_certs(struct http_request *req)
{
    struct oauth *o = realm_state(req);
    if (!o)
        return;
    ring_reload(o); /* rare requests: always show what the store holds */
    struct ring_ref *r = ring_acquire(o);
    json_t *jwks = auth_keyring_jwks(r ? r->ring : NULL);
    ring_release(o, r);
    http_reply_json_headers(req, 200, jwks,
                            (const char *const[]){"Cache-Control", "public, max-age=60", NULL});
}

void oauth_handle_discovery(struct http_request *req)
{
    struct oauth *o = realm_state(req);
    if (!o)
        return;
    char issuer[512], token[600], certs[600], userinfo[600];
    issuer_url(o, issuer, sizeof issuer);
    snprintf(token, sizeof token, "%s/protocol/openid-connect/token", issuer);
    snprintf(certs, sizeof certs, "%s/protocol/openid-connect/certs", issuer);
    snprintf(userinfo, sizeof userinfo, "%s/protocol/openid-connect/userinfo", issuer);
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:[s], s:[s,s], s:[s], s:[s], s:[s], s:[s], s:[s,s,s],"
        " s:[s,s,s,s,s,s,s,s,s,s,s]}",
        "issuer", issuer, "token_endpoint", token, "jwks_uri", certs, "userinfo_endpoint", userinfo,
        "grant_types_supported", "client_credentials", "token_endpoint_auth_methods_supported",
        "client_secret_basic", "client_secret_post", "id_token_signing_alg_values_supported",
        "ES256", "response_types_supported", "token", "subject_types_supported", "public",
        "access_token_signing_alg_values_supported", "ES256", "scopes_supported",
        "sswp:process:create", "sswp:process:read", "sswp:process:read:all", "claims_supported",
        "iss", "sub", "aud", "exp", "iat", "nbf", "jti", "scope", "organization_id", "client_id",
        "azp");
    http_reply_json_headers(req, 200, doc,
                            (const char *const[]){"Cache-Control", "public, max-age=300", NULL});
}

/* ---- bearer tokens ---- */

static bool cache_get(struct oauth *o, const unsigned char hash[SHA256_LEN], int64_t now,
                      struct principal *out)
{
    bool hit = false;
    struct cache_slot *s = &o->cache[(hash[0] | (hash[1] << 8)) % CACHE_SLOTS];
    pthread_mutex_lock(&o->cache_lock);
    if (s->used && memcmp(s->hash, hash, SHA256_LEN) == 0) {
        if (s->p.exp > now) {
            *out = s->p;
            hit = true;
        } else {
            s->used = false;
        }
    }
    pthread_mutex_unlock(&o->cache_lock);
    return hit;
}

static void cache_put(struct oauth *o, const unsigned char hash[SHA256_LEN],
                      const struct principal *p)
{
    struct cache_slot *s = &o->cache[(hash[0] | (hash[1] << 8)) % CACHE_SLOTS];
    pthread_mutex_lock(&o->cache_lock);
    s->used = true;
    memcpy(s->hash, hash, SHA256_LEN);
    s->p = *p;
    pthread_mutex_unlock(&o->cache_lock);
}

/* Full check of a token not in the cache. */
static enum jwt_result verify_token(struct oauth *o, const char *token, int64_t now,
                                    struct principal *p)
{
    struct jwt t;
    char issuer[512];
    struct ring_ref *r = NULL;
    enum jwt_result res = jwt_parse(token, &t);
    if (res != JWT_OK)
        return res;
    const char *iss = jwt_claim_string(&t, "iss");
    bool external = o->external && iss && strcmp(iss, auth_external_issuer(o->external)) == 0;
    if (external) {
        res = auth_external_verify(o->external, &t);
        if (res != JWT_OK)
            goto cleanup;
        str_copy(issuer, sizeof issuer, iss);
        goto claims;
    }
    r = ring_acquire(o);
    const struct auth_key *k = r ? auth_keyring_find(r->ring, t.kid) : NULL;
    bool old = r && mono_ms() - r->ring->loaded_ms > KEYRING_MAX_AGE_MS;
    if (!k || old) {
        /* Unknown kid: perhaps rotated by the CLI since we loaded. Bounded reload rate. */
        pthread_mutex_lock(&o->lock);
        bool may = mono_ms() - o->last_reload_ms >= KEYRING_MIN_GAP_MS;
        pthread_mutex_unlock(&o->lock);
        if (may || old) {
            ring_release(o, r);
            ring_reload(o);
            r = ring_acquire(o);
            k = r ? auth_keyring_find(r->ring, t.kid) : NULL;
        }
    }
    res = k ? jwt_verify(&t, k->key) : JWT_UNKNOWN_KID;
    if (res != JWT_OK)
        goto cleanup;
    issuer_url(o, issuer, sizeof issuer);
claims:;
    struct jwt_expect e = {
        .issuer = issuer, .audience = o->cfg->token_audience, .now = now, .leeway = 0};
    res = jwt_check_claims(&t, &e);
    if (res != JWT_OK)
        goto cleanup;
    const char *cid = jwt_claim_string(&t, "client_id");
    if (!cid)
        cid = jwt_claim_string(&t, "azp");
    if (!cid)
        cid = jwt_claim_string(&t, "sub");
    const char *org = jwt_claim_string(&t, "organization_id");
    const char *scope = jwt_claim_string(&t, "scope");
    int64_t exp = (int64_t)json_integer_value(json_object_get(t.claims, "exp"));
    memset(p, 0, sizeof *p);
    if (!cid || !org || !str_copy(p->client_id, sizeof p->client_id, cid) ||
        !str_copy(p->organization_id, sizeof p->organization_id, org) ||
        !str_copy(p->scopes, sizeof p->scopes, scope ? scope : "")) {
        res = JWT_BAD_CLAIMS;
        goto cleanup;
    }
    p->exp = exp;
    p->external = external;
cleanup:
    ring_release(o, r);
    jwt_clear(&t);
    return res;
}

static void bearer_fail(struct http_request *req, const char *desc)
{
    char challenge[400];
    struct oauth *o = req->app->auth;
    snprintf(challenge, sizeof challenge,
             "Bearer realm=\"%s\", error=\"invalid_token\", error_description=\"%s\"",
             o->cfg->realm, desc);
    const char *h[] = {"WWW-Authenticate", challenge, NULL};
    http_reply_error_headers(req, ERR_UNAUTHORIZED, h, "%s Obtain a new access token.", desc);
}

bool auth_oauth_authenticate(struct http_request *req)
{
    struct oauth *o = req->app->auth;
    if (!o) {
        log_bug("bearer authentication without OAuth state");
        http_reply_error(req, ERR_INTERNAL, "Authentication is not available.");
        return false;
    }
    const char *hdr = http_header(req, "Authorization");
    if (!hdr || strncasecmp(hdr, "Bearer ", 7) != 0) {
        char challenge[160];
        snprintf(challenge, sizeof challenge, "Bearer realm=\"%s\"", o->cfg->realm);
        const char *h[] = {"WWW-Authenticate", challenge, NULL};
        http_reply_error_headers(req, ERR_UNAUTHORIZED, h,
                                 "An access token is required: send Authorization: Bearer TOKEN "
                                 "(from the token endpoint /realms/%s/protocol/openid-connect/"
                                 "token).",
                                 o->cfg->realm);
        return false;
    }
    const char *token = hdr + 7;
    while (*token == ' ')
        token++;
    size_t len = strnlen(token, JWT_MAX_LEN + 1);
    if (len == 0 || len > JWT_MAX_LEN) {
        bearer_fail(req, jwt_result_message(JWT_MALFORMED));
        return false;
    }
    unsigned char hash[SHA256_LEN];
    crypto_sha256(token, len, hash);
    int64_t now = time_now_ms() / 1000;
    struct principal p;
    if (!cache_get(o, hash, now, &p)) {
        enum jwt_result res = verify_token(o, token, now, &p);
        if (res != JWT_OK) {
            log_client_fault("request %s: bearer token rejected: %s", req->id,
                             jwt_result_message(res));
            bearer_fail(req, jwt_result_message(res));
            return false;
        }
        cache_put(o, hash, &p);
    }
    /* Revocation acts at once: the client is looked up on every request. An external
     * issuer's clients are not ours: their organization must exist instead. */
    struct client_ctx cc = {.id = p.client_id};
    if (p.external) {
        str_copy(cc.client.organization_id, sizeof cc.client.organization_id, p.organization_id);
        enum store_status st = store_run(o->store, STORE_READ, org_tx, &cc);
        if (st != STORE_OK && st != STORE_NOT_FOUND) {
            http_reply_error(req, ERR_STORE_UNAVAILABLE, "The store is unavailable; retry.");
            return false;
        }
        if (st == STORE_NOT_FOUND) {
            bearer_fail(req, "The token's organization_id names no organization here.");
            return false;
        }
        goto scope;
    }
    enum store_status st = store_run(o->store, STORE_READ, client_only_tx, &cc);
    if (st != STORE_OK && st != STORE_NOT_FOUND) {
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The client store is unavailable; retry.");
        return false;
    }
    if (st == STORE_NOT_FOUND || cc.client.revoked_at ||
        strcmp(cc.client.organization_id, p.organization_id) != 0) {
        char who[130];
        loggable(p.client_id, who, sizeof who);
        log_warn("request %s: bearer token of revoked or unknown client_id \"%s\"", req->id, who);
        bearer_fail(req, "The token's client is revoked or unknown.");
        return false;
    }
scope:;
    const char *need = req->route ? req->route->scope : NULL;
    if (need && !has_scope(p.scopes, need, strlen(need))) {
        char challenge[400];
        snprintf(challenge, sizeof challenge,
                 "Bearer realm=\"%s\", error=\"insufficient_scope\", scope=\"%s\"", o->cfg->realm,
                 need);
        const char *h[] = {"WWW-Authenticate", challenge, NULL};
        http_reply_error_headers(req, ERR_FORBIDDEN, h,
                                 "The access token lacks the scope %s that this operation needs.",
                                 need);
        return false;
    }
    req->auth.authenticated = true;
    str_copy(req->auth.client_id, sizeof req->auth.client_id, p.client_id);
    str_copy(req->auth.organization_id, sizeof req->auth.organization_id, p.organization_id);
    free(req->auth.scopes);
    req->auth.scopes = strdup(p.scopes);
    if (!req->auth.scopes) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return false;
    }
    return true;
}

void oauth_handle_userinfo(struct http_request *req)
{
    if (!realm_state(req))
        return;
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s, s:s, s:s}", "sub", req->auth.client_id, "client_id",
                              req->auth.client_id, "organization_id", req->auth.organization_id,
                              "scope", req->auth.scopes ? req->auth.scopes : ""));
}
