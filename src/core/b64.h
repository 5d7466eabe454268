/*
 * Base64 (RFC 4648) on OpenSSL's EVP block codec, with strict validation: invalid
 * characters, whitespace, bad padding or non-zero trailing bits are rejected.
 * B64_STD requires padding; B64_URL (base64url) accepts input with or without padding and
 * encodes without it (as JWTs do).
 */
#ifndef SIGNET_CORE_B64_H
#define SIGNET_CORE_B64_H

#include <stdbool.h>
#include <stddef.h>

enum b64_variant { B64_STD, B64_URL };

/* Returns an owned NUL-terminated string (free()), or NULL when out of memory. */
char *b64_encode(const void *data, size_t len, enum b64_variant v);
/* Decodes len characters of s. On success *out is owned by the caller (free(); NUL-terminated
 * for convenience, not counted in *out_len). Returns false on invalid input or no memory. */
bool b64_decode(const char *s, size_t len, enum b64_variant v, unsigned char **out,
                size_t *out_len);
/* Whether all len characters of s are of the base64url alphabet (A-Z a-z 0-9 - _, no padding):
 * a JWS/JWT segment before decoding. True for len 0. */
bool b64url_alphabet(const char *s, size_t len);
/* Exact decoded size of a valid input of len characters (padding counted), 0 if impossible. */
size_t b64_decoded_size(const char *s, size_t len, enum b64_variant v);

#endif
