/*
 * Secrets of browser sessions and verifications (admin cockpit, person accounts): session
 * tokens of 256 random bits in base64url whose SHA-256 (hex) is what gets stored, CSRF tokens
 * derived from a session token and a label (no storage, cannot be made without the cookie),
 * and uniformly drawn 6-digit codes. Out buffers are the caller's; nothing is allocated that
 * outlives a call.
 */
#ifndef SIGNET_CORE_TOKEN_H
#define SIGNET_CORE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_LEN      44 /* base64url of 32 bytes (43 characters) and the NUL */
#define TOKEN_HASH_LEN 65 /* SHA-256 in hex and the NUL */

/* A new random token and the SHA-256 hex of it; false when randomness failed. */
bool token_new(char token[TOKEN_LEN], char hash[TOKEN_HASH_LEN]);
/* True when s is exactly a token's shape (43 characters of the base64url alphabet). */
bool token_looks_valid(const char *s);
/* The CSRF token of session token `token` under label: base64url SHA-256(label "\n" token). */
void token_csrf(const char *label, const char *token, char out[TOKEN_LEN]);
/* True when presented (may be NULL) is that CSRF token (constant-time comparison). */
bool token_csrf_valid(const char *label, const char *token, const char *presented);
/* Six decimal digits, uniformly drawn; false when randomness failed. */
bool token_code6(char code[7]);
/* The stored form of a code bound to an owner id (a session, an account): SHA-256 hex of
 * id "\n" code. */
void token_code_hash(const char *id, const char *code, char out[TOKEN_HASH_LEN]);
/* True when s is six decimal digits. */
bool token_is_code6(const char *s);

#endif
