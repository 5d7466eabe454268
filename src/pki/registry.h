/*
 * The certificate registry and revocation as the server and the CLI use them (docs/pki.md,
 * "Revocation"): recording issued certificates in the store (table pki_certificates), reading
 * a certificate's status, revoking, and the CRLs and OCSP answers built from it with
 * pki/revocation.h.
 *
 * For the signer (pki/signer.c): inside the store transaction that issues a signer
 * certificate, call pki_registry_record(tx, "qualified-ca", der, len, organization_id, now_ms);
 * for the /DSS of a B-LT signature, pki_registry_ocsp_der(ca, store, der, len, now_s, &len)
 * (status read from the registry) or, right after issuing, pki_ocsp_response_der with a
 * "good" status (pki/revocation.h).
 *
 * Ownership: bytes returned are owned (free()). struct pki_crl_cache (one per process, held
 * by the PKI service) is freed with pki_crl_cache_free and may be used by several threads at
 * once.
 */
#ifndef SIGNET_PKI_REGISTRY_H
#define SIGNET_PKI_REGISTRY_H

#include "pki/revocation.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pki_ca;

/* Records a certificate (DER) issued by the entity named issuer ("simple-ca", …) for
 * organization_id (NULL or "": none) at now_ms, inside tx. STORE_CONFLICT if its serial is
 * already recorded for that issuer; STORE_ERROR (logged) if the DER is not a certificate. */
enum store_status pki_registry_record(struct store_tx *tx, const char *issuer,
                                      const unsigned char *der, size_t len,
                                      const char *organization_id, int64_t now_ms);

/* Records the hierarchy's certificates issued by the root (issuing CAs, tsa, ocsp; read from
 * pki_entities) that are not recorded yet, so that they can be revoked. Idempotent; the PKI
 * service runs it at start, `signet admin cert` before it acts. */
enum store_status pki_registry_sync_hierarchy(struct store_tx *tx, int64_t now_ms);

/* The status of the certificate of `issuer` with serial serial_hex (normalized, see
 * pki_serial_normalize): good, revoked (time in seconds, reason) or unknown (not recorded). */
enum store_status pki_registry_status(struct store_tx *tx, const char *issuer,
                                      const char *serial_hex, struct pki_cert_status *out);

/* An OCSP response (pki_ocsp_response_der) about a certificate of ours with the status the
 * registry holds now (unknown if not recorded). NULL on failure (store or encoding; logged). */
unsigned char *pki_registry_ocsp_der(const struct pki_ca *ca, struct store *store,
                                     const unsigned char *cert_der, size_t cert_len, int64_t now,
                                     size_t *out_len);

/* Answers an OCSPRequest (pki_ocsp_respond) with statuses from the registry. */
bool pki_registry_ocsp_respond(const struct pki_ca *ca, struct store *store, const void *req,
                               size_t len, int64_t now, unsigned char **out, size_t *out_len);

/*
 * CRLs. pki_crl_current returns the current CRL of CA `issuer` (entity index of the root or an
 * issuing CA) as DER: the cached one when the issuer's revocations are unchanged and it is
 * younger than PKI_CRL_REFRESH_S, else a new one (next CRL number from the store, thisUpdate
 * now, nextUpdate now + PKI_CRL_VALIDITY_S). Every call reads the revocation list, so a
 * revocation appears in the very next CRL. NULL with *st set on failure (STORE_NOT_FOUND: not
 * a CA).
 */
#define PKI_CRL_REFRESH_S 300

struct pki_crl_cache;
struct pki_crl_cache *pki_crl_cache_new(void);
void pki_crl_cache_free(struct pki_crl_cache *c);
unsigned char *pki_crl_current(struct pki_crl_cache *c, const struct pki_ca *ca,
                               struct store *store, size_t issuer, int64_t now, size_t *out_len,
                               enum store_status *st);

#endif
