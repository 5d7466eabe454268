/*
 * The built-in OAuth 2.0 authorization server and the bearer-token middleware.
 *
 * Endpoints (http/routes.c), all under /realms/{realm} where realm must be cfg->realm:
 *   POST …/protocol/openid-connect/token   client-credentials grant (RFC 6749 §4.4), client
 *        authentication client_secret_basic or client_secret_post, rate-limited per client
 *        and per source address;
 *   GET  …/protocol/openid-connect/certs   JWKS of every non-retired signing key;
 *   GET  …/.well-known/openid-configuration   discovery;
 *   GET  …/protocol/openid-connect/userinfo   who the bearer token says the caller is.
 *
 * auth_oauth_authenticate is the app's AUTH_BEARER hook: it checks an ES256 access token
 * (ours, or an external issuer's when configured), its time, issuer and audience claims,
 * that its client still exists and is not revoked (on every request), and the route's scope.
 * Verified tokens are cached by SHA-256 until they expire, so repeated requests skip the
 * signature check but never the revocation check.
 *
 * Ownership: auth_oauth_new returns state freed by auth_oauth_free (NULL ok), after the HTTP
 * server has stopped. cfg and store are borrowed and must outlive it.
 */
#ifndef SIGNET_AUTH_OAUTH_H
#define SIGNET_AUTH_OAUTH_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct store;
struct http_request;
struct oauth;

/* Loads the master key, creates the first signing key if there is none and loads the keys.
 * On failure writes one line to err and returns NULL. */
struct oauth *auth_oauth_new(const struct config *cfg, struct store *store, char *err,
                             size_t err_len);
void auth_oauth_free(struct oauth *o);

/* The AUTH_BEARER hook (struct app's authenticate): fills req->auth or answers 401/403. */
bool auth_oauth_authenticate(struct http_request *req);

void oauth_handle_token(struct http_request *req);
void oauth_handle_certs(struct http_request *req);
void oauth_handle_discovery(struct http_request *req);
void oauth_handle_userinfo(struct http_request *req);

#endif
