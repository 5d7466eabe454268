/*
 * The registration authority's signature (docs/srs.md): CMS SignedData (RFC 5652) over an
 * evidence package, made with the "ra" entity of the hierarchy (pki/ca.h), the content
 * encapsulated so that the package alone proves what was signed. Verifiable with
 * `openssl cms -verify -inform DER -CAfile root.pem`.
 *
 * Ownership: returned bytes are owned by the caller (free()).
 */
#ifndef SIGNET_PKI_RA_H
#define SIGNET_PKI_RA_H

#include <stddef.h>

struct pki_ca;

/* DER of a CMS SignedData over data (len bytes), signed by the RA key with SHA-256, the RA
 * certificate included. NULL with one line in err on failure. */
unsigned char *pki_ra_sign(const struct pki_ca *ca, const void *data, size_t len, size_t *out_len,
                           char *err, size_t err_len);

#endif
