/*
 * Small crypto helpers on OpenSSL used outside src/pki: hashing, hex, HMAC and AES-256-GCM
 * sealing of small records (keys and personal data at rest).
 */
#ifndef SIGNET_CORE_CRYPTO_H
#define SIGNET_CORE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#define SHA1_LEN 20

/* HMAC-SHA1 (only for HOTP/TOTP, whose RFCs fix it; nothing else should use SHA-1). */
bool crypto_hmac_sha1(const void *key, size_t key_len, const void *data, size_t len,
                      unsigned char out[SHA1_LEN]);

/*
 * HOTP (RFC 4226): HMAC-SHA1 of the 8-byte big-endian counter, dynamic truncation, modulo
 * 10^digits (digits 6..8) into *code. TOTP (RFC 6238) is HOTP of the time step
 * floor(unix seconds / period). False only on a library failure or bad digits.
 */
bool crypto_hotp(const void *key, size_t key_len, uint64_t counter, int digits, uint32_t *code);

#define CRYPTO_TOTP_PERIOD 30 /* seconds per step */
#define CRYPTO_TOTP_DIGITS 6
#define CRYPTO_TOTP_WINDOW 1 /* steps accepted either side of the current one (clock drift) */

/* The TOTP time step of unix_ms (milliseconds since the epoch, >= 0). */
int64_t crypto_totp_step(int64_t unix_ms);

enum crypto_totp_result {
    CRYPTO_TOTP_OK = 0,
    CRYPTO_TOTP_WRONG,    /* no step of the window has this code (or it is not 6 digits) */
    CRYPTO_TOTP_REPLAYED, /* the code is right, but for a step used before */
};

/*
 * Checks a 6-digit TOTP code (entered: exactly 6 ASCII digits) at unix_ms against the steps
 * current - CRYPTO_TOTP_WINDOW .. current + CRYPTO_TOTP_WINDOW. A step <= last_step is never
 * accepted (replay protection: each step at most once; last_step -1 when none was used). On OK
 * *step gets the matched step (the newest acceptable one). Every candidate of the window is
 * computed whatever matches.
 */
enum crypto_totp_result crypto_totp_verify(const void *key, size_t key_len, int64_t unix_ms,
                                           int64_t last_step, const char *entered, int64_t *step);

/*
 * scrypt (RFC 7914) of a password with salt into out (out_len bytes): cost n (a power of two,
 * 2..2^20), block size r and parallelism p (r * p < 2^30). For stored password hashes (the
 * admin cockpit's accounts); memory use is about 128 * n * r bytes. False on bad parameters or
 * a library failure.
 */
bool crypto_scrypt(const void *pass, size_t pass_len, const void *salt, size_t salt_len, uint64_t n,
                   uint32_t r, uint32_t p, unsigned char *out, size_t out_len);

#define CRYPTO_KEY_LEN       32
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
