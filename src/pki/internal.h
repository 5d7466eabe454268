/*
 * Shared between the files of src/pki only: OpenSSL objects of the hierarchy. Pointers
 * returned are borrowed from the struct pki_ca and live as long as it does.
 */
#ifndef SIGNET_PKI_INTERNAL_H
#define SIGNET_PKI_INTERNAL_H

#include "pki/ca.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

/* The entity's certificate and key (borrowed); NULL if absent. */
X509 *pki_ca_x509(const struct pki_ca *ca, size_t i);
EVP_PKEY *pki_ca_pkey(const struct pki_ca *ca, size_t i);

#endif
