/*
 * Signet's own description of the Sign API (docs/sign-api.md, "API description"): the
 * OpenAPI 3.1 document web/api/openapi.json and a page that renders it, all compiled into
 * the binary (core/embed.h) and listed in http/routes.c. Public, no token.
 *
 *   GET /system/api-docs       the OpenAPI document (application/json), with `servers` set to
 *                              PUBLIC_URL/system and the token URL to this instance's realm
 *   GET /system/api-docs.html  the documentation page (text/html)
 *   GET /system/api-docs.js    its ES module (text/javascript)
 *   GET /system/api-docs.css   its style sheet (text/css)
 *
 * Nothing the handlers allocate outlives the call (the answer owns its bytes).
 */
#ifndef SIGNET_HTTP_API_DOCS_H
#define SIGNET_HTTP_API_DOCS_H

#include <jansson.h>

struct http_request;

/* Embedded name of the OpenAPI document (relative to web/). */
#define API_DOCS_OPENAPI_FILE "api/openapi.json"

/*
 * The embedded OpenAPI document with this instance's URLs: servers[0].url = public_url +
 * "/system", the client-credentials tokenUrl = public_url + "/realms/" + realm +
 * "/protocol/openid-connect/token". Returns a new reference, or NULL when the embedded file is
 * missing or not JSON (a build fault) or memory runs out.
 */
json_t *api_docs_openapi(const char *public_url, const char *realm);

void api_docs_handle_json(struct http_request *req);
void api_docs_handle_html(struct http_request *req);
void api_docs_handle_js(struct http_request *req);
void api_docs_handle_css(struct http_request *req);

#endif
