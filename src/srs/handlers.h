/*
 * HTTP handlers of the Smart Registration Service (docs/srs.md), listed in http/routes.c:
 * the service providers' API under /srs/v1 (bearer tokens with srs:* scopes, organization from
 * the token), the partners' callbacks under /srs/partner/v1 (HMAC-authenticated), the end
 * customer's pages /srs/r/{token} and /srs/terms/{token} with their JSON calls, and the
 * simulators' pages /srs/sim/video/{order} and /srs/sim/bank/{order}.
 */
#ifndef SIGNET_SRS_HANDLERS_H
#define SIGNET_SRS_HANDLERS_H

struct http_request;

void srs_handle_methods(struct http_request *req);
void srs_handle_registration_create(struct http_request *req);
void srs_handle_registration_list(struct http_request *req);
void srs_handle_registration_get(struct http_request *req);
void srs_handle_registration_revoke(struct http_request *req);
void srs_handle_evidence(struct http_request *req);

void srs_handle_partner_callback(struct http_request *req);

void srs_handle_link_page(struct http_request *req);
void srs_handle_link_state(struct http_request *req);
void srs_handle_link_start(struct http_request *req);
void srs_handle_link_code(struct http_request *req);
void srs_handle_link_verify(struct http_request *req);

void srs_handle_terms_page(struct http_request *req);
void srs_handle_terms_state(struct http_request *req);
void srs_handle_terms_accept(struct http_request *req);
/* POST /srs/terms/{token}/consent: withdraw ({"consent": false}) or give later the consent of
 * an ACTIVE registration (docs/srs.md "Consent"). */
void srs_handle_terms_consent(struct http_request *req);

void srs_handle_sim_page(struct http_request *req);
void srs_handle_sim_state(struct http_request *req);
void srs_handle_sim_decide(struct http_request *req);

void srs_handle_bank_sim_page(struct http_request *req);
void srs_handle_bank_sim_state(struct http_request *req);
void srs_handle_bank_sim_confirm(struct http_request *req);

#endif
