/*
 * The certificate hierarchy in memory (docs/pki.md): the root CA, the issuing CAs "Signet
 * Simple CA", "Signet Advanced CA", "Signet Qualified CA", the time-stamping unit ("tsa") and
 * the OCSP responder ("ocsp"), each with its certificate and private key. Pure: no I/O; the
 * service (pki/service.h) seals the keys and keeps them in the store.
 *
 * Entities are named as in URLs: "root", "simple-ca", "advanced-ca", "qualified-ca", "tsa",
 * "ocsp", and "ra", the registration authority that signs SRS evidence (P-256, 5 years). Root and
 * issuing CAs have ECDSA P-384 keys, the TSA and OCSP responder P-256; all certificates are signed
 * with ECDSA-SHA384 by their issuer (the root).
 *
 * Ownership: pki_ca_generate / pki_ca_new return a hierarchy freed by pki_ca_free
 * (pki_ca_free(NULL) does nothing). Once complete it is immutable and may be read by several
 * threads at once. Functions returning bytes or strings return owned memory (free());
 * pki_ca_key_der returns secret bytes to be released with pki_secret_free.
 */
#ifndef SIGNET_PKI_CA_H
#define SIGNET_PKI_CA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKI_CA_ENTITIES 7 /* root, three issuing CAs, tsa, ocsp, ra */

struct pki_ca;

/*
 * Creates a fresh hierarchy: keys and certificates valid from `now` (seconds since the
 * epoch); the root for 20 years, the issuing CAs and the TSA for 10, the OCSP responder for
 * 5. public_url (http(s), no trailing slash, no ',', ';', quotes or spaces) goes into the
 * Authority Information Access and CRL distribution points. NULL on failure with one line
 * in err.
 */
struct pki_ca *pki_ca_generate(const char *public_url, int64_t now, char *err, size_t err_len);
/* The same under an existing root: the root certificate and its private key come from the PEM
 * files cert_pem and key_pem (unencrypted key), e.g. an operator's offline root; everything
 * else is generated and issued by it. NULL with one line in err when a file cannot be read,
 * the key does not match, the certificate is no CA, or it does not outlive the issuing CAs. */
struct pki_ca *pki_ca_generate_under(const char *public_url, int64_t now, const char *cert_pem,
                                     const char *key_pem, char *err, size_t err_len);
/* An empty hierarchy to load stored entities into with pki_ca_add; NULL without memory. */
struct pki_ca *pki_ca_new(void);
/* Adds an entity from its certificate (DER) and private key (PKCS#8 DER). False if name is
 * unknown or already present, or the certificate or key does not parse or they do not match. */
bool pki_ca_add(struct pki_ca *ca, const char *name, const unsigned char *cert_der, size_t cert_len,
                const unsigned char *key_der, size_t key_len);
/* True when every entity is present and each certificate verifies under its issuer's key;
 * otherwise false with one line in err. */
bool pki_ca_check(const struct pki_ca *ca, char *err, size_t err_len);
void pki_ca_free(struct pki_ca *ca);
/* Issues the entities ca lacks under its root (which must be present), valid from now: how a
 * hierarchy stored before an entity existed (e.g. "ra") gets it. False with one line in err. */
bool pki_ca_fill_missing(struct pki_ca *ca, const char *public_url, int64_t now, char *err,
                         size_t err_len);

/* The fixed entity list, in position order (i < PKI_CA_ENTITIES): name, role ("root",
 * "issuing", "tsa", "ocsp") and issuer name. NULL for i out of range. */
const char *pki_ca_entity_name(size_t i);
const char *pki_ca_entity_role(size_t i);
const char *pki_ca_entity_issuer(size_t i);
/* Index of the entity named name (its length is name_len), or -1. */
int pki_ca_entity_find(const char *name, size_t name_len);

/* The entity's certificate as DER or PEM (owned, free()); NULL if absent or on failure. */
unsigned char *pki_ca_cert_der(const struct pki_ca *ca, size_t i, size_t *len);
char *pki_ca_cert_pem(const struct pki_ca *ca, size_t i, size_t *len);
/* PEM of every CA certificate (root first, then the issuing CAs); owned, free(). */
char *pki_ca_chain_pem(const struct pki_ca *ca, size_t *len);
/* The entity's private key as PKCS#8 DER (owned secret: pki_secret_free). */
unsigned char *pki_ca_key_der(const struct pki_ca *ca, size_t i, size_t *len);
/* Overwrites len bytes of p with zeros and frees it. NULL ok. */
void pki_secret_free(void *p, size_t len);

#endif
