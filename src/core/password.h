/*
 * Password hashes of people who sign in with a password (admin cockpit, docs/cockpit.md, and
 * person accounts, docs/accounts.md): "scrypt$N$r$p$SALT$HASH" (salt and hash in lowercase
 * hex). Each hash carries its parameters, so new hashes can use higher ones while old ones
 * still verify. Nothing is allocated; out buffers are the caller's.
 */
#ifndef SIGNET_CORE_PASSWORD_H
#define SIGNET_CORE_PASSWORD_H

#include <stdbool.h>

/* scrypt parameters of new password hashes (stored with each hash, so they can be raised). */
#define PASSWORD_SCRYPT_N   32768 /* 2^15 */
#define PASSWORD_SCRYPT_R   8
#define PASSWORD_SCRYPT_P   1
#define PASSWORD_SALT_LEN   16
#define PASSWORD_HASH_LEN   32
#define PASSWORD_MIN        12 /* characters (bytes of UTF-8) */
#define PASSWORD_MAX        1024
#define PASSWORD_STORED_LEN 256 /* a stored hash and its NUL */

/* "scrypt$N$r$p$SALT$HASH" of password with a new random salt into out; false on failure. */
bool password_hash(const char *password, char out[PASSWORD_STORED_LEN]);
/* True when password matches a stored hash (its own parameters; constant-time comparison). A
 * malformed stored value never matches. */
bool password_verify(const char *password, const char *stored);
/* The scrypt work of one password_verify without any account: called for unknown sign-in
 * names, so the time taken does not tell whether an account exists. */
void password_burn(void);

#endif
