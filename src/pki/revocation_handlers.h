/*
 * HTTP handlers of revocation (docs/pki.md, "Revocation"): the OCSP responder (RFC 6960,
 * POST /ocsp with application/ocsp-request and GET /ocsp/{base64 request}, appendix A) and
 * the CRLs GET /crl/{root,simple-ca,advanced-ca,qualified-ca}.crl. Statuses come from the
 * certificate registry in app->store (pki/registry.h). While the PKI is not started, OCSP
 * answers tryLater and /crl/ 503.
 */
#ifndef SIGNET_PKI_REVOCATION_HANDLERS_H
#define SIGNET_PKI_REVOCATION_HANDLERS_H

struct http_request;

void pki_handle_ocsp_post(struct http_request *req);
void pki_handle_ocsp_get(struct http_request *req);
void pki_handle_crl_get(struct http_request *req);

#endif
