#include "http/api_docs.h"

#include "app.h"
#include "core/config.h"
#include "core/embed.h"
#include "core/log.h"
#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The document changes only with the binary and its configuration: caches may keep it a few
 * minutes. */
#define API_DOCS_CACHE "public, max-age=300"

/* Joins a, b and c into a new string (free()), or NULL without memory. */
static char *join3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

json_t *api_docs_openapi(const char *public_url, const char *realm)
{
    json_t *doc = NULL;
    char *server = NULL, *realm_path = NULL, *token_url = NULL;
    json_t *servers, *flow = NULL;
    json_error_t jerr;
    const struct embedded_file *f = embed_find(web_files, API_DOCS_OPENAPI_FILE);
    if (!f) {
        log_bug("embedded file %s is missing", API_DOCS_OPENAPI_FILE);
        goto cleanup;
    }
    doc = json_loadb((const char *)f->data, f->size, 0, &jerr);
    if (!doc) {
        log_bug("embedded %s is not JSON: line %d: %s", API_DOCS_OPENAPI_FILE, jerr.line,
                jerr.text);
        goto cleanup;
    }
    server = join3(public_url, "/system", "");
    realm_path = join3("/realms/", realm, "/protocol/openid-connect/token");
    token_url = realm_path ? join3(public_url, realm_path, "") : NULL;
    if (!server || !token_url)
        goto fail;
    /* json_pack "s" copies; json_object_set_new steals the array. */
    servers = json_pack("[{s:s, s:s}]", "url", server, "description",
                        "This Signet instance (its configured public URL).");
    if (!servers || json_object_set_new(doc, "servers", servers) != 0)
        goto fail;
    /* "o" borrows: flow stays owned by doc. */
    if (json_unpack(doc, "{s:{s:{s:{s:{s:o}}}}}", "components", "securitySchemes",
                    "SwisscomSignOAuth2", "flows", "clientCredentials", &flow) != 0)
        flow = NULL;
    if (!json_is_object(flow) ||
        json_object_set_new(flow, "tokenUrl", json_string(token_url)) != 0) {
        log_bug("embedded %s has no client-credentials flow", API_DOCS_OPENAPI_FILE);
        goto fail;
    }
    goto cleanup;
fail:
    json_decref(doc);
    doc = NULL;
cleanup:
    free(server);
    free(realm_path);
    free(token_url);
    return doc;
}

void api_docs_handle_json(struct http_request *req)
{
    const struct config *cfg = req->app->cfg;
    json_t *doc = api_docs_openapi(cfg->public_url, cfg->realm);
    if (!doc) {
        http_reply_error(req, ERR_INTERNAL, "The API description is not available.");
        return;
    }
    char *text = json_dumps(doc, JSON_INDENT(2));
    json_decref(doc);
    if (!text) {
        http_reply_error(req, ERR_INTERNAL, "Out of memory.");
        return;
    }
    http_reply_owned_headers(req, 200, "application/json", text, strlen(text),
                             (const char *const[]){"Cache-Control", API_DOCS_CACHE, NULL});
}

/* Answers an embedded file of web/ as is. */
static void reply_file(struct http_request *req, const char *name, const char *content_type,
                       const char *const *headers)
{
    const struct embedded_file *f = embed_find(web_files, name);
    if (!f) {
        log_bug("embedded file %s is missing", name);
        http_reply_error(req, ERR_INTERNAL, "The API documentation page is not available.");
        return;
    }
    void *copy = malloc(f->size ? f->size : 1);
    if (!copy) {
        http_reply_error(req, ERR_INTERNAL, "Out of memory.");
        return;
    }
    memcpy(copy, f->data, f->size);
    http_reply_owned_headers(req, 200, content_type, copy, f->size, headers);
}

void api_docs_handle_html(struct http_request *req)
{
    /* The page loads only its own script, style and document: nothing from elsewhere. */
    static const char *const headers[] = {
        "Cache-Control", API_DOCS_CACHE, "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        NULL};
    reply_file(req, "api/docs.html", "text/html; charset=utf-8", headers);
}

void api_docs_handle_js(struct http_request *req)
{
    reply_file(req, "api/docs.js", "text/javascript; charset=utf-8",
               (const char *const[]){"Cache-Control", API_DOCS_CACHE, NULL});
}

void api_docs_handle_css(struct http_request *req)
{
    reply_file(req, "api/docs.css", "text/css; charset=utf-8",
               (const char *const[]){"Cache-Control", API_DOCS_CACHE, NULL});
}
