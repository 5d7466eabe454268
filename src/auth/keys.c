#include "auth/keys.h"

#include "core/b64.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/str.h"
#include "pki/jws.h"

#include <stdlib.h>
#include <string.h>

json_t *auth_key_jwk(const struct jws_key *key, char kid_out[64])
{
    unsigned char x[JWS_P256_COORD_LEN], y[JWS_P256_COORD_LEN], digest[SHA256_LEN];
    char *x64 = NULL, *y64 = NULL, *thumb = NULL, *kid = NULL;
    json_t *jwk = NULL;
    if (!jws_key_public_xy(key, x, y))
        return NULL;
    x64 = b64_encode(x, sizeof x, B64_URL);
    y64 = b64_encode(y, sizeof y, B64_URL);
    if (!x64 || !y64)
        goto cleanup;
    /* RFC 7638: required members only, lexicographic order, no whitespace. */
    json_t *canon =
        json_pack("{s:s, s:s, s:s, s:s}", "crv", "P-256", "kty", "EC", "x", x64, "y", y64);
    thumb = canon ? json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(canon);
    if (!thumb)
        goto cleanup;
    crypto_sha256(thumb, strlen(thumb), digest);
    kid = b64_encode(digest, sizeof digest, B64_URL);
    if (!kid)
        goto cleanup;
    str_copy(kid_out, 64, kid);
    jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x", x64,
                    "y", y64, "kid", kid, "alg", "ES256", "use", "sig");
cleanup:
    free(x64);
    free(y64);
    free(thumb);
    free(kid);
    return jwk;
}

/* Builds a store row for a fresh key (not yet inserted). */
static bool new_key_row(const unsigned char mk[CRYPTO_KEY_LEN], struct store_jwt_key *row)
{
    bool ok = false;
    char *pem = NULL, *jwk_text = NULL;
    json_t *jwk = NULL;
    struct jws_key *key = jws_key_generate();
    memset(row, 0, sizeof *row);
    if (!key)
        goto cleanup;
    jwk = auth_key_jwk(key, row->kid);
    pem = jws_key_private_pem(key);
    jwk_text = jwk ? json_dumps(jwk, JSON_COMPACT) : NULL;
    if (!jwk_text || !pem || !str_copy(row->public_jwk, sizeof row->public_jwk, jwk_text))
        goto cleanup;
    if (!crypto_seal(mk, row->kid, strlen(row->kid), pem, strlen(pem), row->private_sealed,
                     sizeof row->private_sealed, &row->private_sealed_len))
        goto cleanup;
    row->created_at = row->activated_at = time_now_ms();
    row->current = true;
    ok = true;
cleanup:
    if (pem) {
        memset(pem, 0, strlen(pem));
        free(pem);
    }
    free(jwk_text);
    json_decref(jwk);
    jws_key_free(key);
    return ok;
}

static enum store_status insert_tx(struct store_tx *tx, void *cls)
{
    return store_jwt_key_insert(tx, cls);
}

enum store_status auth_keys_rotate(struct store *s, const unsigned char mk[CRYPTO_KEY_LEN],
                                   struct store_jwt_key *out)
{
    struct store_jwt_key *row = calloc(1, sizeof *row);
    if (!row)
        return STORE_ERROR;
    enum store_status st = STORE_ERROR;
    if (!new_key_row(mk, row))
        log_bug("cannot create a signing key");
    else
        st = store_run(s, STORE_WRITE, insert_tx, row);
    if (st == STORE_OK && out)
        *out = *row;
    free(row);
    return st;
}

static enum store_status ensure_tx(struct store_tx *tx, void *cls)
{
    char kid[64];
    enum store_status st = store_jwt_key_current_kid(tx, kid);
    if (st == STORE_NOT_FOUND)
        return store_jwt_key_insert(tx, cls);
    return st;
}

enum store_status auth_keys_ensure(struct store *s, const unsigned char mk[CRYPTO_KEY_LEN])
{
    struct store_jwt_key *row = calloc(1, sizeof *row);
    if (!row)
        return STORE_ERROR;
    enum store_status st = STORE_ERROR;
    if (!new_key_row(mk, row))
        log_bug("cannot create a signing key");
    else
        st = store_run(s, STORE_WRITE, ensure_tx, row);
    free(row);
    return st;
}

struct list_ctx {
    struct store_jwt_key *rows;
    size_t n;
};

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct list_ctx *l = cls;
    free(l->rows); /* a retried transaction starts over */
    l->rows = NULL;
    return store_jwt_key_list(tx, &l->rows, &l->n);
}

/* The public key from a stored JWK. */
static struct jws_key *key_from_jwk(json_t *jwk)
{
    const char *x64 = json_string_value(json_object_get(jwk, "x"));
    const char *y64 = json_string_value(json_object_get(jwk, "y"));
    unsigned char *x = NULL, *y = NULL;
    size_t xl = 0, yl = 0;
    struct jws_key *k = NULL;
    if (x64 && y64 && b64_decode(x64, strlen(x64), B64_URL, &x, &xl) &&
        b64_decode(y64, strlen(y64), B64_URL, &y, &yl) && xl == JWS_P256_COORD_LEN &&
        yl == JWS_P256_COORD_LEN)
        k = jws_key_from_public_xy(x, y);
    free(x);
    free(y);
    return k;
}

static struct jws_key *unseal_private(const unsigned char mk[CRYPTO_KEY_LEN],
                                      const struct store_jwt_key *row)
{
    unsigned char pem[1024];
    size_t len = 0;
    struct jws_key *k = NULL;
    if (crypto_open(mk, row->kid, strlen(row->kid), row->private_sealed, row->private_sealed_len,
                    pem, sizeof pem, &len))
        k = jws_key_from_private_pem((const char *)pem, len);
    memset(pem, 0, sizeof pem);
    return k;
}

enum store_status auth_keyring_load(struct store *s, const unsigned char mk[CRYPTO_KEY_LEN],
                                    struct auth_keyring **out)
{
    struct list_ctx l = {0};
    struct auth_keyring *r = NULL;
    *out = NULL;
    enum store_status st = store_run(s, STORE_READ, list_tx, &l);
    if (st != STORE_OK)
        goto cleanup;
    st = STORE_ERROR;
    r = calloc(1, sizeof *r);
    if (!r || !(r->keys = calloc(l.n ? l.n : 1, sizeof *r->keys)))
        goto cleanup;
    for (size_t i = 0; i < l.n; i++) {
        const struct store_jwt_key *row = &l.rows[i];
        if (row->retired_at)
            continue;
        struct auth_key *k = &r->keys[r->n];
        json_t *jwk = json_loads(row->public_jwk, 0, NULL);
        k->key = row->current ? unseal_private(mk, row) : key_from_jwk(jwk);
        if (!k->key || !jwk) {
            log_error("signing key %s cannot be loaded (%s); is the master key the one it was "
                      "sealed with?",
                      row->kid, row->current ? "private" : "public");
            json_decref(jwk);
            jws_key_free(k->key);
            k->key = NULL;
            continue;
        }
        str_copy(k->kid, sizeof k->kid, row->kid);
        k->jwk = jwk;
        k->current = row->current;
        k->created_at = row->created_at;
        r->n++;
    }
    r->loaded_ms = time_mono_us() / 1000;
    *out = r;
    r = NULL;
    st = STORE_OK;
cleanup:
    auth_keyring_free(r);
    free(l.rows);
    return st;
}

struct auth_keyring *auth_keyring_from_jwks(json_t *jwks)
{
    json_t *keys = json_object_get(jwks, "keys");
    if (!json_is_array(keys))
        return NULL;
    struct auth_keyring *r = calloc(1, sizeof *r);
    if (!r || !(r->keys = calloc(json_array_size(keys) + 1, sizeof *r->keys))) {
        free(r);
        return NULL;
    }
    size_t i;
    json_t *jwk;
    json_array_foreach(keys, i, jwk)
    {
        const char *kty = json_string_value(json_object_get(jwk, "kty"));
        const char *crv = json_string_value(json_object_get(jwk, "crv"));
        const char *kid = json_string_value(json_object_get(jwk, "kid"));
        const char *use = json_string_value(json_object_get(jwk, "use"));
        const char *alg = json_string_value(json_object_get(jwk, "alg"));
        if (!kty || strcmp(kty, "EC") || !crv || strcmp(crv, "P-256") || !kid || !*kid ||
            (use && strcmp(use, "sig")) || (alg && strcmp(alg, "ES256")))
            continue;
        struct auth_key *k = &r->keys[r->n];
        if (!str_copy(k->kid, sizeof k->kid, kid) || !(k->key = key_from_jwk(jwk)))
            continue;
        k->jwk = json_incref(jwk);
        r->n++;
    }
    r->loaded_ms = time_mono_us() / 1000;
    return r;
}

const struct auth_key *auth_keyring_find(const struct auth_keyring *r, const char *kid)
{
    for (size_t i = 0; r && kid && i < r->n; i++)
        if (strcmp(r->keys[i].kid, kid) == 0)
            return &r->keys[i];
    return NULL;
}

const struct auth_key *auth_keyring_current(const struct auth_keyring *r)
{
    for (size_t i = 0; r && i < r->n; i++)
        if (r->keys[i].current)
            return &r->keys[i];
    return NULL;
}

json_t *auth_keyring_jwks(const struct auth_keyring *r)
{
    json_t *keys = json_array();
    for (size_t i = 0; r && keys && i < r->n; i++)
        json_array_append(keys, r->keys[i].jwk);
    return json_pack("{s:o}", "keys", keys); /* "o" steals keys */
}

void auth_keyring_free(struct auth_keyring *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        jws_key_free(r->keys[i].key);
        json_decref(r->keys[i].jwk);
    }
    free(r->keys);
    free(r);
}
