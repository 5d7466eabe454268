#include "srs/webhook.h"

#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/masterkey.h"
#include "notify/notify.h"
#include "srs/connector.h"
#include "srs/registration.h"
#include "store/srs.h"

#include <curl/curl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEBHOOK_TIMEOUT_S 10

struct claim_op {
    int64_t as_of;
    struct store_srs_webhook w;
};

static enum store_status claim_tx(struct store_tx *tx, void *cls)
{
    struct claim_op *op = cls;
    free(op->w.body);
    op->w.body = NULL;
    return store_srs_webhook_claim(tx, op->as_of, op->as_of - NOTIFY_SEND_LEASE_MS, &op->w);
}

struct finish_op {
    const char *id, *status, *error;
    int64_t next;
};

static enum store_status finish_tx(struct store_tx *tx, void *cls)
{
    struct finish_op *op = cls;
    return store_srs_webhook_finish(tx, op->id, op->status, op->next, op->error);
}

static size_t discard(char *p, size_t size, size_t n, void *cls)
{
    (void)p;
    (void)cls;
    return size * n;
}

/* POSTs body to url with the signature header; false with a transport error in err. */
static bool post(const char *url, const char *body, const char *signature, char *err,
                 size_t err_len)
{
    char sig_header[128];
    long status = 0;
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    snprintf(sig_header, sizeof sig_header, "%s: %s", SRS_SIGNATURE_HEADER, signature);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = h ? curl_slist_append(h, sig_header) : NULL;
    bool ok = false;
    if (!c || !h) {
        snprintf(err, err_len, "out of memory");
        goto cleanup;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)WEBHOOK_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        snprintf(err, err_len, "webhook: %s", curl_easy_strerror(rc));
        goto cleanup;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    ok = status >= 200 && status < 300;
    if (!ok)
        snprintf(err, err_len, "webhook: HTTP %ld", status);
cleanup:
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return ok;
}

void srs_webhooks_run(struct store *s, const struct config *cfg, int64_t as_of, const char *trigger,
                      const atomic_bool *stop, struct jobs_outcome *out)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    char err[200];
    size_t sent = 0, retried = 0, failed = 0;
    (void)trigger;
    out->ok = masterkey_load(cfg, mk, err, sizeof err);
    if (!out->ok) {
        snprintf(out->summary, sizeof out->summary, "%s", err);
        return;
    }
    struct srs_env env = {.store = s, .cfg = cfg, .master_key = mk};
    for (size_t i = 0; i < JOBS_MAX_ITEMS; i++) {
        if (stop && atomic_load(stop))
            break;
        struct claim_op c = {.as_of = as_of};
        enum store_status st = store_run(s, STORE_WRITE, claim_tx, &c);
        if (st == STORE_NOT_FOUND)
            break;
        if (st != STORE_OK) {
            out->ok = false;
            break;
        }
        char key[65], signature[SRS_SIGNATURE_LEN];
        err[0] = '\0';
        bool ok = srs_webhook_secret_hex(&env, c.w.registration_id, key) &&
                  srs_callback_sign((const unsigned char *)key, 64, c.w.body, strlen(c.w.body),
                                    signature) &&
                  post(c.w.url, c.w.body, signature, err, sizeof err);
        struct finish_op f = {.id = c.w.id, .error = ok ? NULL : err};
        if (ok) {
            f.status = "SENT";
            f.next = as_of;
            sent++;
        } else if (c.w.attempts >= cfg->notify_max_attempts) {
            f.status = "FAILED";
            f.next = as_of;
            failed++;
        } else {
            f.status = "QUEUED";
            f.next = as_of + notify_backoff_ms(c.w.attempts);
            retried++;
        }
        free(c.w.body);
        if (store_run(s, STORE_WRITE, finish_tx, &f) != STORE_OK) {
            out->ok = false;
            break;
        }
        out->items++;
    }
    memset(mk, 0, sizeof mk);
    snprintf(out->summary, sizeof out->summary, "%s: %zu sent, %zu to retry, %zu failed",
             out->ok ? "ok" : "failed", sent, retried, failed);
}
