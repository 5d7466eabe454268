/*
 * A software WebAuthn authenticator for tests (tests/unit/pki/webauthn_test.c,
 * tests/api/ui_sign_passkey_test.c): makes an ES256 (P-256) or RS256 (RSA-2048) key with
 * OpenSSL and answers registration and assertion requests as a browser and an authenticator
 * would — clientDataJSON, authenticator data, the attestation object (CBOR via libcbor, fmt
 * "none" or "packed" self-attestation) and signatures. The fields after `counter` are what the
 * next answer uses; tests change them to make wrong answers.
 *
 * Ownership: authenticator_free releases the key; responses are freed with
 * authenticator_response_free.
 */
#ifndef SIGNET_TESTS_AUTHENTICATOR_H
#define SIGNET_TESTS_AUTHENTICATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_FLAG_UP 0x01
#define AUTH_FLAG_UV 0x04

struct authenticator {
    void *key; /* EVP_PKEY */
    int alg;   /* -7 ES256 | -257 RS256 */
    unsigned char cred_id[32];
    uint32_t counter; /* signCount of the next answer (registration: as is; assertion: +1 first) */
    char rp_id[256];  /* hashed into rpIdHash */
    char origin[256];
    const char *type;    /* clientDataJSON type; NULL: the right one */
    unsigned char flags; /* AUTH_FLAG_UP | AUTH_FLAG_UV by default */
    const char *fmt;     /* "none" (default) or "packed" (self attestation) */
    bool bad_signature;  /* spoil the signature */
    bool keep_counter;   /* assertion: do not advance the counter */
};

struct authenticator_response {
    unsigned char *client_data;
    size_t client_data_len;
    unsigned char *attestation_object; /* registration */
    size_t attestation_object_len;
    unsigned char *auth_data; /* assertion */
    size_t auth_data_len;
    unsigned char *signature; /* assertion */
    size_t signature_len;
};

/* A new credential with a fresh key of alg for rp_id and origin. */
bool authenticator_init(struct authenticator *a, int alg, const char *rp_id, const char *origin);
void authenticator_free(struct authenticator *a);
/* The answer to navigator.credentials.create with challenge. */
bool authenticator_create(struct authenticator *a, const unsigned char *challenge, size_t len,
                          struct authenticator_response *out);
/* The answer to navigator.credentials.get with challenge. */
bool authenticator_get(struct authenticator *a, const unsigned char *challenge, size_t len,
                       struct authenticator_response *out);
void authenticator_response_free(struct authenticator_response *r);
/* base64url without padding of data (owned, free()). */
char *authenticator_b64url(const unsigned char *data, size_t len);
/* Decodes base64url s into out (at most cap bytes); the length, or -1. */
long authenticator_b64url_decode(const char *s, unsigned char *out, size_t cap);

#endif
