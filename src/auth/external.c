#include "auth/external.h"

#include "auth/keys.h"
#include "core/buf.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/str.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JWKS_MAX       (1024 * 1024)
#define REFETCH_GAP_MS 5000
#define MAX_AGE_MS     60000 /* a JWKS this old is fetched again before use (removed keys) */

struct ring_ref {
    struct auth_keyring *ring;
    int refs; /* under auth_external.lock */
};

struct auth_external {
    char *issuer;
    char *source;
    pthread_mutex_t lock;
    struct ring_ref *ring;
    int64_t last_fetch_ms; /* monotonic; 0 = never */
    int64_t loaded_ms;     /* monotonic time the current ring was fetched */
};

static size_t collect(char *data, size_t size, size_t n, void *cls)
{
    return buf_append(cls, data, size * n) == BUF_OK ? size * n : 0;
}

/* The JWKS document from source (owned), or NULL with err set. */
static json_t *jwks_read(const char *source, char *err, size_t err_len)
{
    json_error_t jerr;
    if (!str_has_prefix(source, "http://") && !str_has_prefix(source, "https://")) {
        json_t *j = json_load_file(source, JSON_REJECT_DUPLICATES, &jerr);
        if (!j)
            snprintf(err, err_len, "cannot read the external JWKS %s: %s", source, jerr.text);
        return j;
    }
    struct buf body;
    long status = 0;
    json_t *j = NULL;
    buf_init(&body, JWKS_MAX);
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, err_len, "cannot start libcurl");
        return NULL;
    }
    curl_easy_setopt(c, CURLOPT_URL, source);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK)
        snprintf(err, err_len, "cannot fetch the external JWKS %s: %s", source,
                 curl_easy_strerror(rc));
    else if (status != 200)
        snprintf(err, err_len, "the external JWKS %s answered HTTP %ld", source, status);
    else if (!(j = json_loadb(body.data ? body.data : "", body.len, JSON_REJECT_DUPLICATES, &jerr)))
        snprintf(err, err_len, "the external JWKS %s is not JSON: %s", source, jerr.text);
    curl_easy_cleanup(c);
    buf_free(&body);
    return j;
}

static void ring_release(struct auth_external *x, struct ring_ref *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&x->lock);
    bool last = --r->refs == 0;
    pthread_mutex_unlock(&x->lock);
    if (last) {
        auth_keyring_free(r->ring);
        free(r);
    }
}

static bool refetch(struct auth_external *x, char *err, size_t err_len)
{
    json_t *doc = jwks_read(x->source, err, err_len);
    struct auth_keyring *ring = doc ? auth_keyring_from_jwks(doc) : NULL;
    json_decref(doc);
    if (doc && !ring)
        snprintf(err, err_len, "the external JWKS %s has no \"keys\" array", x->source);
    struct ring_ref *fresh = ring ? calloc(1, sizeof *fresh) : NULL;
    if (ring && !fresh)
        auth_keyring_free(ring);
    pthread_mutex_lock(&x->lock);
    x->last_fetch_ms = time_mono_us() / 1000;
    struct ring_ref *old = NULL;
    if (fresh) {
        fresh->ring = ring;
        fresh->refs = 1;
        old = x->ring;
        x->ring = fresh;
        x->loaded_ms = x->last_fetch_ms;
    }
    pthread_mutex_unlock(&x->lock);
    ring_release(x, old);
    return fresh != NULL;
}

struct auth_external *auth_external_new(const char *issuer, const char *source, char *err,
                                        size_t err_len)
{
    struct auth_external *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&x->lock, NULL);
    if (!(x->issuer = strdup(issuer)) || !(x->source = strdup(source))) {
        snprintf(err, err_len, "out of memory");
        auth_external_free(x);
        return NULL;
    }
    bool ok = refetch(x, err, err_len);
    x->last_fetch_ms = 0; /* the first unknown kid may fetch again at once */
    if (!ok) {
        if (!str_has_prefix(source, "http://") && !str_has_prefix(source, "https://")) {
            auth_external_free(x);
            return NULL;
        }
        log_warn("external issuer: %s (will retry when a token arrives)", err);
    }
    return x;
}

void auth_external_free(struct auth_external *x)
{
    if (!x)
        return;
    if (x->ring) {
        auth_keyring_free(x->ring->ring);
        free(x->ring);
    }
    pthread_mutex_destroy(&x->lock);
    free(x->issuer);
    free(x->source);
    free(x);
}

const char *auth_external_issuer(const struct auth_external *x)
{
    return x->issuer;
}

enum jwt_result auth_external_verify(struct auth_external *x, const struct jwt *t)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        pthread_mutex_lock(&x->lock);
        int64_t now = time_mono_us() / 1000;
        bool may_fetch = x->last_fetch_ms == 0 || now - x->last_fetch_ms >= REFETCH_GAP_MS;
        /* Keys the issuer has removed must stop verifying even when no new kid shows up: a
         * JWKS older than MAX_AGE_MS is fetched again first (kept if the issuer is down). */
        bool stale = attempt == 0 && x->ring && now - x->loaded_ms >= MAX_AGE_MS && may_fetch;
        if (stale)
            x->last_fetch_ms = now; /* this thread fetches; the others use the old copy */
        pthread_mutex_unlock(&x->lock);
        char err[512];
        if (stale && !refetch(x, err, sizeof err))
            log_warn("external issuer: %s (keeping the keys fetched before)", err);
        pthread_mutex_lock(&x->lock);
        struct ring_ref *r = x->ring;
        if (r)
            r->refs++;
        may_fetch = !stale && (x->last_fetch_ms == 0 ||
                               time_mono_us() / 1000 - x->last_fetch_ms >= REFETCH_GAP_MS);
        pthread_mutex_unlock(&x->lock);
        const struct auth_key *k = r ? auth_keyring_find(r->ring, t->kid) : NULL;
        enum jwt_result res = k ? jwt_verify(t, k->key) : JWT_UNKNOWN_KID;
        ring_release(x, r);
        if (res != JWT_UNKNOWN_KID || attempt == 1 || !may_fetch)
            return res;
        if (!refetch(x, err, sizeof err))
            log_warn("external issuer: %s", err);
    }
    return JWT_UNKNOWN_KID;
}
