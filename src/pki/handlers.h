/*
 * HTTP handlers of the PKI (docs/pki.md): GET /pki/{file} serves the CA certificates
 * (NAME.pem, NAME.der for root, simple-ca, advanced-ca, qualified-ca, tsa, ocsp, and
 * chain.pem with every CA), POST /tsa answers RFC 3161 time-stamp queries. Both answer 503
 * while the PKI is not started (app->pki, pki/service.h).
 */
#ifndef SIGNET_PKI_HANDLERS_H
#define SIGNET_PKI_HANDLERS_H

struct http_request;

void pki_handle_cert_get(struct http_request *req);
void pki_handle_tsa(struct http_request *req);

#endif
