/*
 * HTTP handlers of the eID method (srs/eid.h, docs/srs.md "eID"), listed in http/routes.c:
 *   GET  /srs/eid/{order}                  the end customer's eID page
 *   GET  /srs/eid/{order}/state            {status, jurisdiction, level, decided}
 *   POST /srs/eid/{order}/request          {mobile} → {requestUri, deepLink, qrCode, expiresAt}
 *   GET  /srs/openid4vp/request/{token}    the request object (application/oauth-authz-req+jwt)
 *   POST /srs/openid4vp/response           the wallet's direct_post (vp_token, state)
 * Errors are the API's Error object.
 */
#ifndef SIGNET_SRS_EID_HANDLERS_H
#define SIGNET_SRS_EID_HANDLERS_H

struct http_request;

void srs_handle_eid_page(struct http_request *req);
void srs_handle_eid_state(struct http_request *req);
void srs_handle_eid_request(struct http_request *req);
void srs_handle_eid_request_object(struct http_request *req);
void srs_handle_eid_response(struct http_request *req);

#endif
