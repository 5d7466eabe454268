/*
 * ES256 (ECDSA P-256 with SHA-256) primitives for JSON Web Signatures (RFC 7515/7518):
 * key generation, PEM import/export of the private key, public key as JWK coordinates,
 * and signing/verifying with the 64-byte JOSE signature form (r || s, each 32 bytes).
 *
 * Ownership: jws_key_generate / jws_key_from_* return a key freed by jws_key_free
 * (jws_key_free(NULL) does nothing). A key is immutable after creation and may be used by
 * several threads at once. jws_key_private_pem returns an owned string (free()).
 */
#ifndef SIGNET_PKI_JWS_H
#define SIGNET_PKI_JWS_H

#include <stdbool.h>
#include <stddef.h>

#define JWS_ES256_SIG_LEN  64
#define JWS_P256_COORD_LEN 32

struct jws_key;

/* A new random P-256 key pair, or NULL on failure. */
struct jws_key *jws_key_generate(void);
/* Loads a P-256 private key from PEM (PKCS#8 or SEC1); NULL if it is not one. */
struct jws_key *jws_key_from_private_pem(const char *pem, size_t len);
/* A public-only P-256 key from its affine coordinates (32 bytes each, big-endian); NULL if
 * the point is not on the curve. */
struct jws_key *jws_key_from_public_xy(const unsigned char x[JWS_P256_COORD_LEN],
                                       const unsigned char y[JWS_P256_COORD_LEN]);
/* PKCS#8 PEM of the private key (owned, NUL-terminated, free()); NULL if public-only. */
char *jws_key_private_pem(const struct jws_key *k);
/* The public point's coordinates (for the JWK "x" and "y"). */
bool jws_key_public_xy(const struct jws_key *k, unsigned char x[JWS_P256_COORD_LEN],
                       unsigned char y[JWS_P256_COORD_LEN]);
/* True if the key holds a private part (can sign). */
bool jws_key_can_sign(const struct jws_key *k);
void jws_key_free(struct jws_key *k);

/* Signs data with ES256; sig receives r || s. False on failure or a public-only key. */
bool jws_es256_sign(const struct jws_key *k, const void *data, size_t len,
                    unsigned char sig[JWS_ES256_SIG_LEN]);
/* True if sig (must be exactly 64 bytes, r || s) is a valid ES256 signature of data. */
bool jws_es256_verify(const struct jws_key *k, const void *data, size_t len,
                      const unsigned char *sig, size_t sig_len);

#endif
