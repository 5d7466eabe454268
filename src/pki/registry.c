#include "pki/registry.h"

#include "core/crypto.h"
#include "core/log.h"
#include "core/str.h"
#include "pki/ca.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- recording ---- */

enum store_status pki_registry_record(struct store_tx *tx, const char *issuer,
                                      const unsigned char *der, size_t len,
                                      const char *organization_id, int64_t now_ms)
{
    struct pki_cert_info info;
    struct store_cert c;
    memset(&c, 0, sizeof c);
    if (!issuer || !pki_cert_info(NULL, der, len, &info)) {
        log_bug("the certificate to record for %s does not parse", issuer ? issuer : "(null)");
        return STORE_ERROR;
    }
    str_copy(c.issuer, sizeof c.issuer, issuer);
    str_copy(c.serial_hex, sizeof c.serial_hex, info.serial_hex);
    str_copy(c.subject, sizeof c.subject, info.subject);
    c.not_before = info.not_before * 1000;
    c.not_after = info.not_after * 1000;
    str_copy(c.organization_id, sizeof c.organization_id, organization_id ? organization_id : "");
    c.created_at = now_ms;
    return store_cert_insert(tx, &c, der, len);
}

enum store_status pki_registry_sync_hierarchy(struct store_tx *tx, int64_t now_ms)
{
    struct store_pki_entity *rows = NULL;
    size_t n = 0;
    enum store_status st = store_pki_list(tx, &rows, &n);
    for (size_t i = 0; st == STORE_OK && i < n; i++) {
        struct pki_cert_info info;
        struct store_cert existing;
        if (strcmp(rows[i].name, rows[i].issuer) == 0)
            continue; /* the root: not issued by anyone */
        if (!pki_cert_info(NULL, rows[i].cert_der, rows[i].cert_der_len, &info)) {
            log_bug("the stored %s certificate does not parse", rows[i].name);
            st = STORE_ERROR;
            break;
        }
        st = store_cert_get_by_serial(tx, rows[i].issuer, info.serial_hex, &existing);
        if (st == STORE_NOT_FOUND)
            st = pki_registry_record(tx, rows[i].issuer, rows[i].cert_der, rows[i].cert_der_len,
                                     NULL, now_ms);
    }
    free(rows);
    return st;
}

enum store_status pki_registry_status(struct store_tx *tx, const char *issuer,
                                      const char *serial_hex, struct pki_cert_status *out)
{
    struct store_cert c;
    enum store_status st = store_cert_get_by_serial(tx, issuer, serial_hex, &c);
    out->state = PKI_CERT_UNKNOWN;
    out->revoked_at = 0;
    out->reason = PKI_REASON_NONE;
    if (st == STORE_NOT_FOUND)
        return STORE_OK;
    if (st != STORE_OK)
        return st;
    if (c.revoked_at) {
        out->state = PKI_CERT_REVOKED;
        out->revoked_at = c.revoked_at / 1000;
        out->reason = pki_reason_code(c.revocation_reason);
    } else
        out->state = PKI_CERT_GOOD;
    return STORE_OK;
}

/* ---- OCSP ---- */

struct status_ctx {
    const char *issuer;
    const char *serial_hex;
    struct pki_cert_status *out;
};

static enum store_status status_tx(struct store_tx *tx, void *cls)
{
    struct status_ctx *c = cls;
    return pki_registry_status(tx, c->issuer, c->serial_hex, c->out);
}

static bool store_lookup(void *cls, size_t issuer, const char *serial_hex,
                         struct pki_cert_status *out)
{
    struct status_ctx c = {pki_ca_entity_name(issuer), serial_hex, out};
    enum store_status st = store_run(cls, STORE_READ, status_tx, &c);
    if (st != STORE_OK)
        log_warn("OCSP: cannot read the status of %s serial %s (%s)", c.issuer, serial_hex,
                 store_status_name(st));
    return st == STORE_OK;
}

bool pki_registry_ocsp_respond(const struct pki_ca *ca, struct store *store, const void *req,
                               size_t len, int64_t now, unsigned char **out, size_t *out_len)
{
    return pki_ocsp_respond(ca, req, len, now, store_lookup, store, out, out_len);
}

unsigned char *pki_registry_ocsp_der(const struct pki_ca *ca, struct store *store,
                                     const unsigned char *cert_der, size_t cert_len, int64_t now,
                                     size_t *out_len)
{
    struct pki_cert_info info;
    struct pki_cert_status status;
    if (!pki_cert_info(ca, cert_der, cert_len, &info) || info.issuer < 0) {
        log_bug("OCSP: the certificate is not one of ours");
        return NULL;
    }
    if (!store_lookup(store, (size_t)info.issuer, info.serial_hex, &status))
        return NULL;
    return pki_ocsp_response_der(ca, cert_der, cert_len, &status, now, out_len);
}

/* ---- CRLs ---- */

struct crl_entry {
    unsigned char *der;
    size_t len;
    int64_t this_update;                   /* seconds */
    unsigned char fingerprint[SHA256_LEN]; /* of the revocation list it was made from */
};

struct pki_crl_cache {
    pthread_mutex_t lock;
    struct crl_entry e[PKI_CA_ENTITIES];
};

struct pki_crl_cache *pki_crl_cache_new(void)
{
    struct pki_crl_cache *c = calloc(1, sizeof *c);
    if (c && pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        c = NULL;
    }
    return c;
}

void pki_crl_cache_free(struct pki_crl_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < PKI_CA_ENTITIES; i++)
        free(c->e[i].der);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* SHA-256 over the revocation list, as the CRL would state it. */
static void fingerprint(const struct store_cert *rows, size_t n, unsigned char out[SHA256_LEN])
{
    size_t cap = n * (STORE_CERT_SERIAL_LEN + 64) + 1, used = 0;
    char *text = malloc(cap);
    if (!text) {
        memset(out, 0, SHA256_LEN); /* never equal to a real fingerprint's use: rebuilt */
        return;
    }
    text[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(text + used, cap - used, "%s %lld %s\n", rows[i].serial_hex,
                         (long long)(rows[i].revoked_at / 1000), rows[i].revocation_reason);
        if (w > 0 && (size_t)w < cap - used)
            used += (size_t)w;
    }
    crypto_sha256(text, used, out);
    free(text);
}

struct revoked_ctx {
    const char *issuer;
    struct store_cert *rows;
    size_t n;
    bool number; /* also hand out the next CRL number */
    int64_t crl_number;
};

static enum store_status revoked_tx(struct store_tx *tx, void *cls)
{
    struct revoked_ctx *c = cls;
    free(c->rows); /* a retried transaction starts over */
    c->rows = NULL;
    c->n = 0;
    enum store_status st = STORE_OK;
    if (c->number)
        st = store_crl_next_number(tx, c->issuer, &c->crl_number);
    if (st == STORE_OK)
        st = store_cert_list_revoked(tx, c->issuer, &c->rows, &c->n);
    return st;
}

static unsigned char *copy_bytes(const unsigned char *src, size_t len, size_t *out_len)
{
    unsigned char *out = malloc(len ? len : 1);
    if (out) {
        memcpy(out, src, len);
        *out_len = len;
    }
    return out;
}

static unsigned char *build_crl(const struct pki_ca *ca, size_t issuer, const struct revoked_ctx *r,
                                int64_t now, size_t *len)
{
    struct pki_revoked *list = calloc(r->n ? r->n : 1, sizeof *list);
    unsigned char *der = NULL;
    if (!list)
        return NULL;
    for (size_t i = 0; i < r->n; i++) {
        list[i].serial_hex = r->rows[i].serial_hex;
        list[i].revoked_at = r->rows[i].revoked_at / 1000;
        list[i].reason = pki_reason_code(r->rows[i].revocation_reason);
    }
    der = pki_crl_der(ca, issuer, list, r->n, now, now + PKI_CRL_VALIDITY_S, r->crl_number, len);
    free(list);
    return der;
}

unsigned char *pki_crl_current(struct pki_crl_cache *c, const struct pki_ca *ca,
                               struct store *store, size_t issuer, int64_t now, size_t *out_len,
                               enum store_status *st)
{
    const char *role = pki_ca_entity_role(issuer);
    struct revoked_ctx r = {.issuer = pki_ca_entity_name(issuer)};
    unsigned char fp[SHA256_LEN], *out = NULL;
    if (!c || !ca || !role || (strcmp(role, "root") != 0 && strcmp(role, "issuing") != 0)) {
        *st = STORE_NOT_FOUND;
        return NULL;
    }
    /* Under the lock from the read on: a CRL with a higher number never lists less. */
    pthread_mutex_lock(&c->lock);
    struct crl_entry *e = &c->e[issuer];
    *st = store_run(store, STORE_READ, revoked_tx, &r);
    if (*st != STORE_OK)
        goto cleanup;
    fingerprint(r.rows, r.n, fp);
    if (e->der && memcmp(fp, e->fingerprint, SHA256_LEN) == 0 && now >= e->this_update &&
        now - e->this_update < PKI_CRL_REFRESH_S) {
        out = copy_bytes(e->der, e->len, out_len);
        if (!out)
            *st = STORE_ERROR;
        goto cleanup;
    }
    /* The number and the list in one write transaction: another process cannot revoke in
     * between and publish a higher-numbered CRL without it. */
    r.number = true;
    *st = store_run(store, STORE_WRITE, revoked_tx, &r);
    if (*st != STORE_OK)
        goto cleanup;
    fingerprint(r.rows, r.n, fp);
    size_t len = 0;
    unsigned char *der = build_crl(ca, issuer, &r, now, &len);
    if (!der) {
        log_bug("cannot build the CRL of %s", r.issuer);
        *st = STORE_ERROR;
        goto cleanup;
    }
    free(e->der);
    e->der = der;
    e->len = len;
    e->this_update = now;
    memcpy(e->fingerprint, fp, SHA256_LEN);
    out = copy_bytes(der, len, out_len);
    if (!out)
        *st = STORE_ERROR;
cleanup:
    pthread_mutex_unlock(&c->lock);
    free(r.rows);
    return out;
}
