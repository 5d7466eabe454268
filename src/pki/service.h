/*
 * The PKI as the running server holds it (docs/pki.md): the certificate hierarchy loaded from
 * the store, or created and stored on first start, and the time-stamping unit on it.
 *
 * Private keys are kept in the store only sealed (AES-256-GCM under the master key,
 * core/masterkey.h, aad "signet-pki:NAME"). The hierarchy is written in one transaction; when
 * two processes start on an empty store at once, the second one's insert conflicts and it
 * loads what the first one wrote.
 *
 * Ownership: pki_service_new returns a service freed by pki_service_free (NULL ok) after
 * every thread using it has stopped. pki_service_start runs once, before or while the HTTP
 * server runs: until it has succeeded, pki_service_ca / pki_service_tsa return NULL (so the
 * handlers answer 503). Afterwards the service is immutable and shared by all threads.
 */
#ifndef SIGNET_PKI_SERVICE_H
#define SIGNET_PKI_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct store;
struct pki_service;

struct pki_service *pki_service_new(void);
/* Loads or creates the hierarchy (certificates naming cfg->public_url) and the TSA with
 * cfg->tsa_policy. False with one line in err. */
bool pki_service_start(struct pki_service *svc, const struct config *cfg, struct store *store,
                       char *err, size_t err_len);
/* The hierarchy and the TSA (borrowed), or NULL while not started. */
const struct pki_ca *pki_service_ca(const struct pki_service *svc);
const struct pki_tsa *pki_service_tsa(const struct pki_service *svc);
/* The CRL cache (pki/registry.h, borrowed), or NULL while not started. */
struct pki_crl_cache *pki_service_crl_cache(const struct pki_service *svc);
void pki_service_free(struct pki_service *svc);

#endif
