/*
 * Organizations and API client credentials: creating, listing, revoking, and checking a
 * client secret. Secrets are 256-bit random values (base64url, 43 characters) shown once at
 * creation and stored only as SHA-256; checks compare in constant time.
 */
#ifndef SIGNET_AUTH_CREDENTIALS_H
#define SIGNET_AUTH_CREDENTIALS_H

#include "store/store.h"

#include <stdbool.h>

#define AUTH_SECRET_LEN 44 /* 43 characters and the NUL */

/* The Sign API scopes, space-separated, as the contract names them. */
#define AUTH_SIGN_API_SCOPES "sswp:process:create sswp:process:read sswp:process:read:all"

/* Creates an organization of client_type "ORGANIZATION" or "CORPORATE"; out gets its row. */
enum store_status auth_org_create(struct store *s, const char *name, const char *client_type,
                                  struct store_org *out);
/* Scopes a CORPORATE organization's clients get unless read:all is asked for. */
#define AUTH_CORPORATE_DEFAULT_SCOPES "sswp:process:create sswp:process:read"

/* Creates a client of an organization with the given scopes (NULL: the default of the
 * organization's type — all Sign API scopes for ORGANIZATION, AUTH_CORPORATE_DEFAULT_SCOPES
 * for CORPORATE); secret receives the plain secret (shown once). STORE_NOT_FOUND if the
 * organization does not exist. */
enum store_status auth_client_create(struct store *s, const char *organization_id,
                                     const char *scopes, const char *description,
                                     struct store_client *out, char secret[AUTH_SECRET_LEN]);
/* Gives a client a new secret (the old one stops working at once). */
enum store_status auth_client_rotate_secret(struct store *s, const char *client_id,
                                            char secret[AUTH_SECRET_LEN]);
/* True if secret is the client's current secret (constant-time comparison of hashes). */
bool auth_secret_matches(const struct store_client *c, const char *secret);
/* True if every space-separated scope in `scopes` is a known scope name. */
bool auth_scopes_valid(const char *scopes, char *bad, size_t bad_len);

#endif
