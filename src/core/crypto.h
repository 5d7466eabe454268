/*
 * Small crypto helpers on OpenSSL used outside src/pki: hashing, hex, HMAC and AES-256-GCM
 * sealing of small records (keys and personal data at rest).
 */
#ifndef SIGNET_CORE_CRYPTO_H
#define SIGNET_CORE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#define SHA256_LEN     32
#define SHA256_HEX_LEN 65

void crypto_sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);
void crypto_sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN]);
/* SHA-256 of the concatenation of two byte ranges (a PDF signature's /ByteRange) without
 * copying them. False only on a library failure. */
bool crypto_sha256_two(const void *a, size_t a_len, const void *b, size_t b_len,
                       unsigned char out[SHA256_LEN]);
/* Lowercase hex of len bytes into out (2*len+1 bytes). */
void crypto_hex(const void *data, size_t len, char *out);
/* HMAC-SHA256. */
bool crypto_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                        unsigned char out[SHA256_LEN]);

#define CRYPTO_KEY_LEN  32
#define CRYPTO_SEAL_OVERHEAD (12 + 16) /* nonce + tag */

/* AES-256-GCM with a random nonce: out gets nonce || ciphertext || tag, out_cap must be at
 * least len + CRYPTO_SEAL_OVERHEAD. aad (may be NULL) binds the record to its context. */
bool crypto_seal(const unsigned char key[CRYPTO_KEY_LEN], const void *aad, size_t aad_len,
                 const void *plain, size_t len, unsigned char *out, size_t out_cap,
                 size_t *out_len);
/* Reverses crypto_seal; false if the record was altered, the key or aad is wrong. */
bool crypto_open(const unsigned char key[CRYPTO_KEY_LEN], const void *aad, size_t aad_len,
                 const void *sealed, size_t len, unsigned char *out, size_t out_cap,
                 size_t *out_len);

#endif
