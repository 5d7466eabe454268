/*
 * The store side of a PAdES signature (sign/pades.h hooks), shared by `signet sign` and the
 * signing step of a process (sign/signing.h): the issued certificate is recorded in the
 * certificate registry (pki/registry.h) in its own transaction before it signs, so OCSP and
 * CRLs know it even if the rest fails; B-LT gets OCSP responses and the current CRLs from the
 * instance's PKI.
 *
 * Ownership: the env is borrowed by the hooks for as long as they are used.
 */
#ifndef SIGNET_SIGN_PADES_HOOKS_H
#define SIGNET_SIGN_PADES_HOOKS_H

#include "sign/pades.h"

struct store;
struct pki_ca;
struct pki_crl_cache;

struct sign_pades_env {
    struct store *store;
    const struct pki_ca *ca;
    struct pki_crl_cache *crls;
    const char *organization_id; /* recorded with the certificate; NULL: an operator's own */
};

/* Points hooks at env. */
void sign_pades_hooks_init(struct sign_pades_env *env, struct pades_hooks *hooks);

#endif
