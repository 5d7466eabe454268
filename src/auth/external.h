/*
 * An external OAuth issuer whose ES256 access tokens are accepted too (config
 * external-issuer and external-jwks). Its JWKS is read from a file or fetched over HTTP(S)
 * with libcurl, kept in memory, and read again when a token names an unknown kid (at most
 * once every few seconds, so forged kids cannot make us hammer the issuer) and when the copy
 * is older than a minute (so keys the issuer removed stop verifying).
 *
 * Ownership: auth_external_new returns state freed by auth_external_free (NULL ok). Safe for
 * concurrent use by the HTTP threads.
 */
#ifndef SIGNET_AUTH_EXTERNAL_H
#define SIGNET_AUTH_EXTERNAL_H

#include "auth/jwt.h"

#include <stdbool.h>
#include <stddef.h>

struct auth_external;

/* source: a file path or an http(s):// URL. A first load that fails is an error for a file
 * (a configuration mistake) but only a warning for a URL (the issuer may be down). */
struct auth_external *auth_external_new(const char *issuer, const char *source, char *err,
                                        size_t err_len);
void auth_external_free(struct auth_external *x);
const char *auth_external_issuer(const struct auth_external *x);
/* Checks the signature of a parsed token with the issuer's key named by its kid. */
enum jwt_result auth_external_verify(struct auth_external *x, const struct jwt *t);

#endif
