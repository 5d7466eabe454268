/*
 * The eID method (SRS_EID, docs/srs.md "eID"): Signet as an OpenID4VP 1.0 verifier of an
 * SD-JWT VC identity credential (srs/sdjwt.h).
 *
 * The end customer's eID page (/srs/eid/{order}) takes the mobile number and creates a
 * presentation request: a request_uri token (256-bit) from which the state and the nonce are
 * derived with keys from the master key; only their SHA-256 is stored (srs_eid_requests).
 * The page shows the deep link openid4vp://?client_id=…&request_uri=… as QR code. The wallet
 * fetches the request object (an unsigned JWT, alg "none", as the client_id prefix
 * "redirect_uri:" requires) with response_type vp_token, response_mode direct_post, the
 * response_uri, nonce, state and a DCQL query for a dc+sd-jwt identity credential, and posts
 * vp_token and state to the response_uri. A valid presentation becomes a partner result
 * (srs_partner_apply, evidence "electronic_record"), then the registration continues with the
 * mobile number's SMS code and the terms as with every method.
 *
 * Ownership: outputs are documented per function.
 */
#ifndef SIGNET_SRS_EID_H
#define SIGNET_SRS_EID_H

#include "srs/registration.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SRS_EID_CONNECTOR      "eid"
#define SRS_EID_REQUEST_TTL_MS ((int64_t)10 * 60 * 1000)
#define SRS_EID_RESPONSE_PATH  "/srs/openid4vp/response"
#define SRS_EID_REQUEST_PATH   "/srs/openid4vp/request/"

/* Connector functions (srs/connector.c): the order's page is /srs/eid/{order}; callbacks
 * and results from the partner endpoint are always refused (false, err says why). */
bool srs_eid_open_order(const char *public_url, const char *order_id, char *url, size_t url_len);
bool srs_eid_refuse_callback(const unsigned char *secret, size_t secret_len, const void *body,
                             size_t len, const char *signature);
bool srs_eid_refuse_result(const void *body, size_t len, struct srs_partner_result *out, char *err,
                           size_t err_len);

/* A presentation request as the page shows it. */
struct srs_eid_presentation {
    char request_uri[512];
    char deep_link[1536];
    char *qr_svg; /* owned (free()): the deep link as QR code, SVG text */
    int64_t expires_at;
};

/* The registration of an eID order (NOT_FOUND when the order is not an eID one). */
enum srs_result srs_eid_order_get(const struct srs_env *env, const char *order_id,
                                  struct store_srs_registration *out);
/* Creates a presentation request for order_id with the mobile number the customer gave (to be
 * confirmed by SMS code after the identification). */
enum srs_result srs_eid_request_create(const struct srs_env *env, const char *order_id,
                                       const char *mobile, struct srs_eid_presentation *out,
                                       char *err, size_t err_len);
/* The request object (JWT text, owned) of a request_uri token; GONE when expired or used. */
enum srs_result srs_eid_request_object(const struct srs_env *env, const char *token, char **out,
                                       char *err, size_t err_len);
/* The wallet's direct_post: vp_token (JSON text) and state. Verifies the presentation against
 * the trusted issuers (--srs-eid-issuers) and applies it; *out the registration afterwards.
 * INVALID (err: what is wrong) for a refused presentation, CONFLICT for a request already
 * answered, GONE for an expired one, NOT_FOUND for an unknown state. */
enum srs_result srs_eid_response(const struct srs_env *env, const char *vp_token, const char *state,
                                 struct store_srs_registration *out, char *err, size_t err_len);

#endif
