/*
 * The token endpoint's signing keys: creating (rotating) them in the store, sealed under the
 * master key, and loading them into an immutable key ring for signing and verifying.
 * kid is the RFC 7638 JWK thumbprint (base64url SHA-256) of the public key.
 *
 * Ownership: auth_keyring_load returns a ring freed by auth_keyring_free (NULL ok); entries
 * and their keys belong to the ring. auth_keyring_jwks returns a new JSON reference.
 */
#ifndef SIGNET_AUTH_KEYS_H
#define SIGNET_AUTH_KEYS_H

#include "core/crypto.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct jws_key;

struct auth_key {
    char kid[64];
    struct jws_key *key; /* private for the current key, else public only */
    json_t *jwk;         /* the public JWK */
    bool current;
    int64_t created_at;
};

struct auth_keyring {
    struct auth_key *keys; /* non-retired keys, newest first */
    size_t n;
    int64_t loaded_ms; /* monotonic clock, for reload decisions */
};

/* Makes a new key and makes it current (older keys keep verifying). out may be NULL. */
enum store_status auth_keys_rotate(struct store *s, const unsigned char mk[CRYPTO_KEY_LEN],
                                   struct store_jwt_key *out);
/* Creates a current key if there is none (first start). */
enum store_status auth_keys_ensure(struct store *s, const unsigned char mk[CRYPTO_KEY_LEN]);
/* Loads the non-retired keys; the current key's private part is unsealed with mk. */
enum store_status auth_keyring_load(struct store *s, const unsigned char mk[CRYPTO_KEY_LEN],
                                    struct auth_keyring **out);
const struct auth_key *auth_keyring_find(const struct auth_keyring *r, const char *kid);
/* The key that signs new tokens, or NULL. */
const struct auth_key *auth_keyring_current(const struct auth_keyring *r);
/* {"keys":[…]} of every key in the ring. */
json_t *auth_keyring_jwks(const struct auth_keyring *r);
void auth_keyring_free(struct auth_keyring *r);

/* A ring of the EC P-256 signature keys with a kid in a JWKS document ({"keys":[…]}); other
 * keys are skipped. NULL if jwks is not a JWKS or out of memory. Never has a current key. */
struct auth_keyring *auth_keyring_from_jwks(json_t *jwks);

/* The public JWK of key (kty, crv, x, y, kid, alg, use); kid_out (64) gets the thumbprint. */
json_t *auth_key_jwk(const struct jws_key *key, char kid_out[64]);

#endif
