#include "pki/handlers.h"

#include "app.h"
#include "http/request.h"
#include "pki/ca.h"
#include "pki/service.h"
#include "pki/tsa.h"

#include <stdlib.h>
#include <string.h>

static const char *const cache_headers[] = {"Cache-Control", "public, max-age=3600", NULL};

void pki_handle_cert_get(struct http_request *req)
{
    const struct pki_ca *ca = pki_service_ca(req->app->pki);
    size_t len = 0, file_len = 0;
    const char *file = route_param(&req->params, "file", &file_len);
    if (!ca) {
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The PKI is not ready yet; try again.");
        return;
    }
    const char *dot = file ? memchr(file, '.', file_len) : NULL;
    size_t name_len = dot ? (size_t)(dot - file) : 0;
    const char *ext = dot ? dot + 1 : "";
    size_t ext_len = dot ? file_len - name_len - 1 : 0;
    bool pem = ext_len == 3 && memcmp(ext, "pem", 3) == 0;
    bool der = ext_len == 3 && memcmp(ext, "der", 3) == 0;
    int i = dot ? pki_ca_entity_find(file, name_len) : -1;
    void *body = NULL;
    if (pem && name_len == 5 && memcmp(file, "chain", 5) == 0)
        body = pki_ca_chain_pem(ca, &len);
    else if (i >= 0 && pem)
        body = pki_ca_cert_pem(ca, (size_t)i, &len);
    else if (i >= 0 && der)
        body = pki_ca_cert_der(ca, (size_t)i, &len);
    else {
        http_reply_error(req, ERR_NOT_FOUND,
                         "No certificate at %s. Use /pki/NAME.pem or /pki/NAME.der with NAME one "
                         "of root, simple-ca, advanced-ca, qualified-ca, tsa, ocsp, or "
                         "/pki/chain.pem.",
                         req->path);
        return;
    }
    if (!body) {
        http_reply_error(req, ERR_INTERNAL, "The certificate could not be encoded.");
        return;
    }
    http_reply_owned_headers(req, 200, pem ? "application/x-pem-file" : "application/pkix-cert",
                             body, len, cache_headers);
}

void pki_handle_tsa(struct http_request *req)
{
    const struct pki_tsa *tsa = pki_service_tsa(req->app->pki);
    unsigned char *reply = NULL;
    size_t reply_len = 0;
    if (!tsa) {
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The time-stamping unit is not ready yet; "
                                                     "try again.");
        return;
    }
    /* RFC 3161 §2.4.2: every query, even a malformed one, gets a TimeStampResp (a rejection
     * carries the reason), so the HTTP status is 200. */
    if (!pki_tsa_respond(tsa, req->body.data, req->body.len, &reply, &reply_len)) {
        http_reply_error(req, ERR_INTERNAL, "The time stamp could not be made.");
        return;
    }
    http_reply_owned(req, 200, "application/timestamp-reply", reply, reply_len);
}
