/*
 * The admin HTTP API (/admin/v1/...): organizations, their API clients and teams, and the
 * organization admins, protected by its own credential, the admin key. Admin keys are 256-bit
 * random values (base64url, 43 characters) shown once at creation and stored only as SHA-256;
 * a presented key is looked up by its hash and the hashes compared in constant time.
 *
 * An operator key may do everything. An organization admin's key (auth/org_admin.h) may list,
 * create and revoke the API clients and list and create the teams of its own organization
 * only: another organization's id answers 404 like an unknown one, and the operator-only
 * routes (creating organizations, managing organization admins) answer 403.
 *
 * Ownership: nothing returned here is heap-allocated; handlers answer through http/request.h.
 */
#ifndef SIGNET_AUTH_ADMIN_API_H
#define SIGNET_AUTH_ADMIN_API_H

#include "auth/credentials.h"
#include "store/store.h"

#include <stdbool.h>

struct http_request;

/* Creates an admin key with an optional description (may be NULL); out gets its row and key
 * the plain key (shown once). STORE_ERROR if no random bytes or the store fails. */
enum store_status auth_admin_key_create(struct store *s, const char *description,
                                        struct store_admin_key *out, char key[AUTH_SECRET_LEN]);

/*
 * The AUTH_ADMIN authenticator (struct app.authenticate_admin): accepts
 * "Authorization: Bearer <admin key>" of an active key and sets req->auth.client_id to
 * "admin:KEY_ID" (operator) or "org-admin:KEY_ID" with req->auth.organization_id set to the
 * organization an organization admin's key is bound to. On failure it answers 401 with
 * `WWW-Authenticate: Bearer realm="signet-admin"` (plus error="invalid_token" when a key was
 * presented) and returns false; a store failure answers 503.
 */
bool auth_admin_authenticate(struct http_request *req);

/* Route handlers (AUTH_ADMIN; see http/routes.c for methods and paths). */
void admin_handle_org_list(struct http_request *req);
void admin_handle_org_create(struct http_request *req);
void admin_handle_client_list(struct http_request *req);
void admin_handle_client_create(struct http_request *req);
void admin_handle_client_revoke(struct http_request *req);
void admin_handle_team_list(struct http_request *req);
void admin_handle_team_create(struct http_request *req);
void admin_handle_org_admin_list(struct http_request *req);
void admin_handle_org_admin_create(struct http_request *req);
void admin_handle_org_admin_revoke(struct http_request *req);

#endif
