/*
 * Shared between the files of src/pki only: OpenSSL objects of the hierarchy. Pointers
 * returned are borrowed from the struct pki_ca and live as long as it does.
 */
#ifndef SIGNET_PKI_INTERNAL_H
#define SIGNET_PKI_INTERNAL_H

#include "pki/ca.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdbool.h>

/* The entity's certificate and key (borrowed); NULL if absent. */
X509 *pki_ca_x509(const struct pki_ca *ca, size_t i);
EVP_PKEY *pki_ca_pkey(const struct pki_ca *ca, size_t i);

/* Sets a positive random 128-bit serial number on x. False on failure. */
bool pki_x509_set_random_serial(X509 *x);
/* Adds the extension nid with OpenSSL's config-string value (e.g. "critical,CA:FALSE") in
 * the context v3. False on failure. */
bool pki_x509_add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value);

#endif
