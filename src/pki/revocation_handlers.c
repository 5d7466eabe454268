#include "pki/revocation_handlers.h"

#include "app.h"
#include "core/b64.h"
#include "core/isotime.h"
#include "http/request.h"
#include "pki/ca.h"
#include "pki/registry.h"
#include "pki/service.h"

#include <stdlib.h>
#include <string.h>

#define OCSP_RESPONSE_TYPE "application/ocsp-response"
#define OCSP_TRY_LATER     3
#define OCSP_MALFORMED     1
#define MAX_GET_REQUEST    4096 /* characters of base64 in a GET URL */

/* Relying parties must come back for every check: a revocation shows at once. */
static const char *const no_cache[] = {"Cache-Control", "no-cache", NULL};

static void reply_ocsp_error(struct http_request *req, int status)
{
    size_t len = 0;
    unsigned char *der = pki_ocsp_error_der(status, &len);
    if (!der) {
        http_reply_error(req, ERR_INTERNAL, "The OCSP response could not be encoded.");
        return;
    }
    http_reply_owned(req, 200, OCSP_RESPONSE_TYPE, der, len);
}

static void answer(struct http_request *req, const void *ocsp_req, size_t len,
                   const char *const *headers)
{
    const struct pki_ca *ca = pki_service_ca(req->app->pki);
    unsigned char *out = NULL;
    size_t out_len = 0;
    if (!ca) {
        reply_ocsp_error(req, OCSP_TRY_LATER);
        return;
    }
    /* RFC 6960 §2.3: errors are OCSP responses too (malformedRequest, unauthorized, …), so
     * the HTTP status is 200 whenever a response could be made. */
    if (!pki_registry_ocsp_respond(ca, req->app->store, ocsp_req, len, time_now_ms() / 1000, &out,
                                   &out_len)) {
        http_reply_error(req, ERR_INTERNAL, "The OCSP response could not be made.");
        return;
    }
    http_reply_owned_headers(req, 200, OCSP_RESPONSE_TYPE, out, out_len, headers);
}

void pki_handle_ocsp_post(struct http_request *req)
{
    answer(req, req->body.data, req->body.len, NULL);
}

/* RFC 6960 appendix A.1: GET {url}/{url-encoding of base-64 encoding of the DER request}. The
 * server has already undone the URL encoding (so the request may contain '/'). base64url and
 * missing padding are accepted too. */
void pki_handle_ocsp_get(struct http_request *req)
{
    size_t len = 0;
    const char *enc = route_param(&req->params, "*", &len);
    char *b64 = NULL;
    unsigned char *der = NULL;
    size_t der_len = 0;
    if (!enc || len == 0 || len > MAX_GET_REQUEST) {
        reply_ocsp_error(req, OCSP_MALFORMED);
        return;
    }
    b64 = malloc(len + 4);
    if (!b64) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = enc[i];
        b64[n++] = c == '-' ? '+' : c == '_' ? '/' : c == ' ' ? '+' : c;
    }
    while (n % 4)
        b64[n++] = '=';
    b64[n] = '\0';
    if (!b64_decode(b64, n, B64_STD, &der, &der_len))
        reply_ocsp_error(req, OCSP_MALFORMED);
    else
        answer(req, der, der_len, no_cache);
    free(b64);
    free(der);
}

void pki_handle_crl_get(struct http_request *req)
{
    const struct pki_ca *ca = pki_service_ca(req->app->pki);
    struct pki_crl_cache *cache = pki_service_crl_cache(req->app->pki);
    size_t file_len = 0, len = 0;
    const char *file = route_param(&req->params, "file", &file_len);
    if (!ca || !cache) {
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The PKI is not ready yet; try again.");
        return;
    }
    int i = -1;
    if (file && file_len > 4 && memcmp(file + file_len - 4, ".crl", 4) == 0)
        i = pki_ca_entity_find(file, file_len - 4);
    const char *role = i >= 0 ? pki_ca_entity_role((size_t)i) : NULL;
    if (!role || (strcmp(role, "root") != 0 && strcmp(role, "issuing") != 0)) {
        http_reply_error(req, ERR_NOT_FOUND,
                         "No CRL at %s. Use /crl/NAME.crl with NAME one of root, simple-ca, "
                         "advanced-ca, qualified-ca.",
                         req->path);
        return;
    }
    enum store_status st = STORE_OK;
    unsigned char *der =
        pki_crl_current(cache, ca, req->app->store, (size_t)i, time_now_ms() / 1000, &len, &st);
    if (!der) {
        if (st == STORE_ERROR)
            http_reply_error(req, ERR_INTERNAL, "The CRL could not be made.");
        else
            http_reply_error(req, ERR_STORE_UNAVAILABLE,
                             "The revocation list cannot be read now; try again.");
        return;
    }
    http_reply_owned_headers(req, 200, "application/pkix-crl", der, len, no_cache);
}
