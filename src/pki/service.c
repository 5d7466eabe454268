#include "pki/service.h"

#include "core/config.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/masterkey.h"
#include "core/str.h"
#include "pki/ca.h"
#include "pki/internal.h"
#include "pki/registry.h"
#include "pki/tsa.h"
#include "store/store.h"

#include <openssl/crypto.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AAD_PREFIX "signet-pki:"

struct pki_service {
    struct pki_ca *ca;
    struct pki_tsa *tsa;
    struct pki_crl_cache *crl_cache; /* CRLs served under /crl/ (pki/registry.h) */
    atomic_bool ready;               /* set (release) once ca and tsa are complete */
};

struct pki_service *pki_service_new(void)
{
    struct pki_service *svc = calloc(1, sizeof *svc);
    if (svc) {
        atomic_init(&svc->ready, false);
        svc->crl_cache = pki_crl_cache_new();
        if (!svc->crl_cache) {
            free(svc);
            svc = NULL;
        }
    }
    return svc;
}

void pki_service_free(struct pki_service *svc)
{
    if (!svc)
        return;
    pki_tsa_free(svc->tsa);
    pki_crl_cache_free(svc->crl_cache);
    pki_ca_free(svc->ca);
    free(svc);
}

const struct pki_ca *pki_service_ca(const struct pki_service *svc)
{
    return svc && atomic_load_explicit(&svc->ready, memory_order_acquire) ? svc->ca : NULL;
}

const struct pki_tsa *pki_service_tsa(const struct pki_service *svc)
{
    return svc && atomic_load_explicit(&svc->ready, memory_order_acquire) ? svc->tsa : NULL;
}

struct pki_crl_cache *pki_service_crl_cache(const struct pki_service *svc)
{
    return svc && atomic_load_explicit(&svc->ready, memory_order_acquire) ? svc->crl_cache : NULL;
}

static enum store_status sync_registry_tx(struct store_tx *tx, void *cls)
{
    (void)cls;
    return pki_registry_sync_hierarchy(tx, time_now_ms());
}

static void make_aad(const char *name, char *aad, size_t aad_len)
{
    snprintf(aad, aad_len, AAD_PREFIX "%s", name);
}

/* ---- transactions ---- */

struct rows_ctx {
    struct store_pki_entity *rows;
    size_t n;
};

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct rows_ctx *c = cls;
    free(c->rows); /* a retried transaction starts over */
    c->rows = NULL;
    c->n = 0;
    return store_pki_list(tx, &c->rows, &c->n);
}

static enum store_status insert_all_tx(struct store_tx *tx, void *cls)
{
    struct rows_ctx *c = cls;
    struct store_pki_entity *existing = NULL;
    size_t n = 0;
    enum store_status st = store_pki_list(tx, &existing, &n);
    free(existing);
    if (st != STORE_OK)
        return st;
    if (n > 0)
        return STORE_CONFLICT; /* another process was first */
    for (size_t i = 0; i < c->n && st == STORE_OK; i++)
        st = store_pki_insert(tx, &c->rows[i]);
    return st;
}

/* ---- creating and loading ---- */

static bool seal_row(const struct pki_ca *ca, const unsigned char mk[CRYPTO_KEY_LEN],
                     int64_t now_ms, size_t i, struct store_pki_entity *e, char *err,
                     size_t err_len);

/* Fills rows (PKI_CA_ENTITIES of them) from a new hierarchy, keys sealed under mk. */
static bool seal_rows(const struct pki_ca *ca, const unsigned char mk[CRYPTO_KEY_LEN],
                      int64_t now_ms, struct store_pki_entity *rows, char *err, size_t err_len)
{
    for (size_t i = 0; i < PKI_CA_ENTITIES; i++)
        if (!seal_row(ca, mk, now_ms, i, &rows[i], err, err_len))
            return false;
    return true;
}

/* Fills e from entity i of ca, its key sealed under mk. */
static bool seal_row(const struct pki_ca *ca, const unsigned char mk[CRYPTO_KEY_LEN],
                     int64_t now_ms, size_t i, struct store_pki_entity *e, char *err,
                     size_t err_len)
{
    {
        char aad[64];
        size_t cert_len = 0, key_len = 0;
        unsigned char *cert = pki_ca_cert_der(ca, i, &cert_len);
        unsigned char *key = pki_ca_key_der(ca, i, &key_len);
        str_copy(e->name, sizeof e->name, pki_ca_entity_name(i));
        str_copy(e->role, sizeof e->role, pki_ca_entity_role(i));
        str_copy(e->issuer, sizeof e->issuer, pki_ca_entity_issuer(i));
        e->position = (int64_t)i;
        e->next_serial = 1;
        e->created_at = now_ms;
        make_aad(e->name, aad, sizeof aad);
        bool ok = cert && key && cert_len <= sizeof e->cert_der &&
                  crypto_seal(mk, aad, strlen(aad), key, key_len, e->key_sealed,
                              sizeof e->key_sealed, &e->key_sealed_len);
        if (ok)
            memcpy(e->cert_der, cert, cert_len);
        e->cert_der_len = ok ? cert_len : 0;
        free(cert);
        pki_secret_free(key, key_len);
        if (!ok) {
            snprintf(err, err_len, "cannot seal the %s key for the store", e->name);
            return false;
        }
    }
    return true;
}

/* Inserts the rows of c (entities added to an older hierarchy); a conflict means another
 * process added them first. */
static enum store_status insert_some_tx(struct store_tx *tx, void *cls)
{
    struct rows_ctx *c = cls;
    enum store_status st = STORE_OK;
    for (size_t i = 0; i < c->n && st == STORE_OK; i++)
        st = store_pki_insert(tx, &c->rows[i]);
    return st;
}

/*
 * A hierarchy stored before some entity existed (e.g. "ra", added with the registration
 * service): issues the missing entities under the stored root and stores them. Returns the
 * completed hierarchy, or NULL with err (STORE_CONFLICT from another process: *retry).
 */
static struct pki_ca *add_missing(struct pki_ca *ca, const struct config *cfg, struct store *store,
                                  const unsigned char mk[CRYPTO_KEY_LEN], bool *retry, char *err,
                                  size_t err_len)
{
    bool present[PKI_CA_ENTITIES];
    struct rows_ctx add = {0};
    *retry = false;
    for (size_t i = 0; i < PKI_CA_ENTITIES; i++)
        present[i] = pki_ca_x509(ca, i) != NULL;
    int64_t now_ms = time_now_ms();
    if (!pki_ca_fill_missing(ca, cfg->public_url, now_ms / 1000, err, err_len))
        goto fail;
    add.rows = calloc(PKI_CA_ENTITIES, sizeof *add.rows);
    if (!add.rows) {
        snprintf(err, err_len, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < PKI_CA_ENTITIES; i++)
        if (!present[i] && !seal_row(ca, mk, now_ms, i, &add.rows[add.n++], err, err_len))
            goto fail;
    enum store_status st = store_run(store, STORE_WRITE, insert_some_tx, &add);
    if (st != STORE_OK) {
        *retry = st == STORE_CONFLICT;
        snprintf(err, err_len, "cannot store the added PKI entities (%s)", store_status_name(st));
        goto fail;
    }
    free(add.rows);
    if (pki_ca_check(ca, err, err_len)) {
        log_info("PKI: %zu entities added to the stored hierarchy", add.n);
        return ca;
    }
    pki_ca_free(ca);
    return NULL;
fail:
    free(add.rows);
    pki_ca_free(ca);
    return NULL;
}

/* A hierarchy from stored rows, keys opened under mk; NULL with a message in err. */
static struct pki_ca *open_rows(const struct store_pki_entity *rows, size_t n,
                                const unsigned char mk[CRYPTO_KEY_LEN], char *err, size_t err_len)
{
    struct pki_ca *ca = pki_ca_new();
    unsigned char key[1024];
    if (!ca) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char aad[64];
        size_t key_len = 0;
        make_aad(rows[i].name, aad, sizeof aad);
        if (!crypto_open(mk, aad, strlen(aad), rows[i].key_sealed, rows[i].key_sealed_len, key,
                         sizeof key, &key_len)) {
            snprintf(err, err_len,
                     "the stored %s key cannot be opened: is this the master key the PKI was "
                     "created with?",
                     rows[i].name);
            goto fail;
        }
        bool added =
            pki_ca_add(ca, rows[i].name, rows[i].cert_der, rows[i].cert_der_len, key, key_len);
        OPENSSL_cleanse(key, sizeof key);
        if (!added) {
            snprintf(err, err_len, "the stored %s certificate or key is unusable", rows[i].name);
            goto fail;
        }
    }
    /* An incomplete hierarchy is completed (and then checked) by add_missing. */
    if (n < PKI_CA_ENTITIES || pki_ca_check(ca, err, err_len))
        return ca;
fail:
    OPENSSL_cleanse(key, sizeof key);
    pki_ca_free(ca);
    return NULL;
}

bool pki_service_start(struct pki_service *svc, const struct config *cfg, struct store *store,
                       char *err, size_t err_len)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct rows_ctx loaded = {0}, fresh = {0};
    struct pki_ca *ca = NULL, *created = NULL;
    bool ok = false;
    if (!masterkey_load(cfg, mk, err, err_len))
        goto cleanup;
    /* Two rounds at most: load; or create, and on a conflict load what the winner wrote. */
    for (int round = 0; round < 2 && !ca; round++) {
        enum store_status st = store_run(store, STORE_READ, list_tx, &loaded);
        if (st != STORE_OK) {
            snprintf(err, err_len, "cannot read the PKI from the store (%s)",
                     store_status_name(st));
            goto cleanup;
        }
        if (loaded.n > 0) {
            if (loaded.n > PKI_CA_ENTITIES) {
                snprintf(err, err_len, "the store holds %zu PKI entities, expected %d", loaded.n,
                         PKI_CA_ENTITIES);
                goto cleanup;
            }
            ca = open_rows(loaded.rows, loaded.n, mk, err, err_len);
            if (!ca)
                goto cleanup;
            if (loaded.n < PKI_CA_ENTITIES) {
                bool retry = false;
                ca = add_missing(ca, cfg, store, mk, &retry, err, err_len);
                if (!ca && retry && round == 0)
                    continue; /* another process added them: load again */
                if (!ca)
                    goto cleanup;
            }
            log_info("PKI loaded from the store");
            break;
        }
        int64_t now_ms = time_now_ms();
        created = cfg->pki_root_cert && *cfg->pki_root_cert
                      ? pki_ca_generate_under(cfg->public_url, now_ms / 1000, cfg->pki_root_cert,
                                              cfg->pki_root_key, err, err_len)
                      : pki_ca_generate(cfg->public_url, now_ms / 1000, err, err_len);
        if (!created)
            goto cleanup;
        fresh.rows = calloc(PKI_CA_ENTITIES, sizeof *fresh.rows);
        fresh.n = PKI_CA_ENTITIES;
        if (!fresh.rows) {
            snprintf(err, err_len, "out of memory");
            goto cleanup;
        }
        if (!seal_rows(created, mk, now_ms, fresh.rows, err, err_len))
            goto cleanup;
        st = store_run(store, STORE_WRITE, insert_all_tx, &fresh);
        if (st == STORE_OK) {
            ca = created;
            created = NULL;
            log_info("PKI created: root, issuing CAs, TSA and OCSP responder (docs/pki.md)");
        } else if (st != STORE_CONFLICT) {
            snprintf(err, err_len, "cannot store the new PKI (%s)", store_status_name(st));
            goto cleanup;
        }
        pki_ca_free(created);
        created = NULL;
        free(fresh.rows);
        fresh.rows = NULL;
    }
    if (!ca) {
        snprintf(err, err_len, "the PKI could neither be created nor loaded");
        goto cleanup;
    }
    /* The certificates the root issued go into the registry, so they can be revoked. */
    enum store_status sync = store_run(store, STORE_WRITE, sync_registry_tx, NULL);
    if (sync != STORE_OK) {
        snprintf(err, err_len, "cannot record the PKI certificates in the registry (%s)",
                 store_status_name(sync));
        goto cleanup;
    }
    svc->tsa = pki_tsa_new(ca, cfg->tsa_policy, err, err_len);
    if (!svc->tsa)
        goto cleanup;
    svc->ca = ca;
    ca = NULL;
    atomic_store_explicit(&svc->ready, true, memory_order_release);
    ok = true;
cleanup:
    OPENSSL_cleanse(mk, sizeof mk);
    pki_ca_free(ca);
    pki_ca_free(created);
    free(loaded.rows);
    free(fresh.rows);
    return ok;
}
