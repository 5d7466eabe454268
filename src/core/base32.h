/*
 * Base32 (RFC 4648 section 6, alphabet A-Z2-7) as authenticator apps use it for TOTP secrets:
 * encoded without padding; decoding accepts upper or lower case, optional '=' padding and
 * ignores spaces (people type secrets in groups), and rejects anything else.
 */
#ifndef SIGNET_CORE_BASE32_H
#define SIGNET_CORE_BASE32_H

#include <stdbool.h>
#include <stddef.h>

/* Characters base32_encode writes for len bytes, without the NUL. */
#define BASE32_LEN(len) (((len)*8 + 4) / 5)

/* Encodes len bytes into out (out_cap >= BASE32_LEN(len) + 1, NUL-terminated); false when
 * out is too small. */
bool base32_encode(const void *data, size_t len, char *out, size_t out_cap);
/* Decodes s into out (at most out_cap bytes), *out_len the bytes written; false on a character
 * outside the alphabet, non-zero trailing bits, or out too small. */
bool base32_decode(const char *s, unsigned char *out, size_t out_cap, size_t *out_len);

#endif
