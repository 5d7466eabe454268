/* The store side of a PAdES signature: see sign/pades_hooks.h. */
#include "sign/pades_hooks.h"

#include "pki/ca.h"
#include "pki/registry.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct record_op {
    const struct sign_pades_env *env;
    const struct pades_certificate *cert;
};

static enum store_status record_tx(struct store_tx *tx, void *cls)
{
    const struct record_op *r = cls;
    return pki_registry_record(tx, r->cert->issuer, r->cert->der, r->cert->der_len,
                               r->env->organization_id, r->cert->not_before_ms);
}

static bool on_certificate(void *arg, const struct pades_certificate *cert, char *err,
                           size_t err_len)
{
    const struct sign_pades_env *env = arg;
    struct record_op r = {env, cert};
    if (store_run(env->store, STORE_WRITE, record_tx, &r) != STORE_OK) {
        snprintf(err, err_len, "the certificate could not be recorded in the registry");
        return false;
    }
    return true;
}

static unsigned char *ocsp_response(void *arg, const unsigned char *der, size_t len,
                                    size_t *out_len)
{
    const struct sign_pades_env *env = arg;
    return pki_registry_ocsp_der(env->ca, env->store, der, len, (int64_t)time(NULL), out_len);
}

static bool crls(void *arg, const char *issuer, unsigned char ***items, size_t **lens, size_t *n)
{
    const struct sign_pades_env *env = arg;
    const char *names[2] = {"root", issuer};
    *items = calloc(2, sizeof **items);
    *lens = calloc(2, sizeof **lens);
    *n = 0;
    for (size_t i = 0; *items && *lens && i < 2; i++) {
        enum store_status st = STORE_OK;
        int idx = pki_ca_entity_find(names[i], strlen(names[i]));
        unsigned char *der = idx < 0 ? NULL
                                     : pki_crl_current(env->crls, env->ca, env->store, (size_t)idx,
                                                       (int64_t)time(NULL), &(*lens)[*n], &st);
        if (der)
            (*items)[(*n)++] = der;
    }
    if (*n == 0) {
        free(*items);
        free(*lens);
        *items = NULL;
        *lens = NULL;
        return false;
    }
    return true;
}

void sign_pades_hooks_init(struct sign_pades_env *env, struct pades_hooks *hooks)
{
    hooks->arg = env;
    hooks->on_certificate = on_certificate;
    hooks->ocsp_response = ocsp_response;
    hooks->crls = crls;
}
