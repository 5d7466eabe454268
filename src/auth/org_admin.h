/*
 * Who may administer which organization, and the operations of the admin API as plain
 * functions (used by the /admin/v1 handlers, and by the admin web pages later).
 *
 * Two kinds of admin key exist (table admin_keys): operator keys, which manage every
 * organization and the operator functions, and organization-admin keys, bound to one
 * self-managed organization (client type ORGANIZATION), which manage only that organization's
 * API clients and teams. CORPORATE organizations get no organization admins: the operator
 * issues their credentials.
 *
 * Every function taking `scope` acts for a caller: scope NULL is the operator (any
 * organization), otherwise the id of the one organization the caller administers. An
 * organization outside the scope answers STORE_NOT_FOUND, exactly like one that does not
 * exist, so ids cannot be probed; the organization id is part of each store query.
 *
 * Ownership: lists (*out) are owned by the caller (free()); keys and secrets are written to
 * caller buffers and shown once.
 */
#ifndef SIGNET_AUTH_ORG_ADMIN_H
#define SIGNET_AUTH_ORG_ADMIN_H

#include "auth/credentials.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

/* True if a caller of this scope may manage organization_id (NULL scope: always). */
bool auth_admin_may_manage(const char *scope, const char *organization_id);

/*
 * Creates an admin key: an operator key when organization_id is NULL, otherwise an
 * organization admin's key for that organization. description may be NULL. out gets its row,
 * key the plain key (shown once; only its SHA-256 is stored). STORE_NOT_FOUND if the
 * organization does not exist, STORE_CONFLICT if it is CORPORATE (its credentials are issued
 * by the operator), STORE_ERROR if no random bytes or the store fails.
 */
enum store_status auth_admin_key_issue(struct store *s, const char *organization_id,
                                       const char *description, struct store_admin_key *out,
                                       char key[AUTH_SECRET_LEN]);
/* Organization-admin keys of organization_id (NULL: of every organization), oldest first.
 * STORE_NOT_FOUND if organization_id names no organization. */
enum store_status auth_org_admin_list(struct store *s, const char *organization_id,
                                      struct store_admin_key **out, size_t *n);
/* Revokes organization-admin key key_id (of organization_id when not NULL); out gets the
 * revoked row. STORE_NOT_FOUND if there is no such organization-admin key (operator keys are
 * not revoked here), STORE_CONFLICT if already revoked. */
enum store_status auth_org_admin_revoke(struct store *s, const char *organization_id,
                                        const char *key_id, struct store_admin_key *out);

/* The organizations a caller sees: all for the operator, its own for an organization admin. */
enum store_status auth_admin_org_list(struct store *s, const char *scope, struct store_org **out,
                                      size_t *n);
/* API clients of organization_id. STORE_NOT_FOUND if it is unknown or outside scope. */
enum store_status auth_admin_client_list(struct store *s, const char *scope,
                                         const char *organization_id, struct store_client **out,
                                         size_t *n);
/* Creates an API client of organization_id (see auth_client_create); STORE_NOT_FOUND if the
 * organization is unknown or outside scope. */
enum store_status auth_admin_client_create(struct store *s, const char *scope,
                                           const char *organization_id, const char *scopes,
                                           const char *description, struct store_client *out,
                                           char secret[AUTH_SECRET_LEN]);
/* Revokes client_id, which must belong to organization_id when that is not NULL and to the
 * scope; out gets the revoked row. STORE_NOT_FOUND if unknown or outside, STORE_CONFLICT if
 * already revoked. Revocation acts at once, also for tokens already issued. */
enum store_status auth_admin_client_revoke(struct store *s, const char *scope,
                                           const char *organization_id, const char *client_id,
                                           struct store_client *out);
/* Teams of organization_id; STORE_NOT_FOUND if unknown or outside scope. */
enum store_status auth_admin_team_list(struct store *s, const char *scope,
                                       const char *organization_id, struct store_team **out,
                                       size_t *n);
/* Creates team `name` in organization_id; out gets its row. STORE_NOT_FOUND if the
 * organization is unknown or outside scope, STORE_CONFLICT if the name is taken. */
enum store_status auth_admin_team_create(struct store *s, const char *scope,
                                         const char *organization_id, const char *name,
                                         struct store_team *out);

#endif
