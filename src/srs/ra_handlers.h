/*
 * HTTP handlers of SRS Direct (docs/ra.md): the RA agents' app /ui/ra with its JSON API under
 * /ui/ra/api/ (cookie session, X-CSRF-Token on every POST but the sign-in, the contract's
 * Error object), and the end customer's page /srs/ra/{order} with the reference code.
 * Domain logic: srs/ra.h.
 */
#ifndef SIGNET_SRS_RA_HANDLERS_H
#define SIGNET_SRS_RA_HANDLERS_H

struct http_request;

#define RA_COOKIE "signet_ra"

void ra_handle_page(struct http_request *req);
void ra_handle_login(struct http_request *req);
void ra_handle_logout(struct http_request *req);
void ra_handle_session(struct http_request *req);
void ra_handle_point_pick(struct http_request *req);
void ra_handle_point_create(struct http_request *req);
void ra_handle_agent_create(struct http_request *req);
void ra_handle_case_open(struct http_request *req);
void ra_handle_case_get(struct http_request *req);
void ra_handle_case_pending(struct http_request *req);
void ra_handle_case_document(struct http_request *req);
void ra_handle_case_photo(struct http_request *req);
void ra_handle_case_photo_get(struct http_request *req);
void ra_handle_case_submit(struct http_request *req);
void ra_handle_case_approve(struct http_request *req);
void ra_handle_case_code(struct http_request *req);
void ra_handle_case_verify(struct http_request *req);
void ra_handle_visit_page(struct http_request *req);
void ra_handle_visit_state(struct http_request *req);

#endif
