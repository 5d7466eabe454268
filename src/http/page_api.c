/*
 * Browser page API helpers (see http/page_api.h).
 */
#include "http/page_api.h"

#include "app.h"
#include "core/config.h"

#include <string.h>

void http_cookie_get(struct http_request *req, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);
    out[0] = '\0';
    const char *h = http_header(req, "Cookie");
    for (const char *p = h; p && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nlen && !strncmp(p, name, nlen) && p[nlen] == '=' && len - nlen - 1 < cap) {
            memcpy(out, p + nlen + 1, len - nlen - 1);
            out[len - nlen - 1] = '\0';
        }
        p = end ? end + 1 : p + len;
    }
}

bool http_public_https(struct http_request *req)
{
    const char *u = req->app->cfg->public_url;
    return u && !strncmp(u, "https://", 8);
}

const char *http_body_string(struct http_request *req, const char *name)
{
    return json_string_value(json_object_get(req->json, name));
}

bool http_body_string_fields(struct http_request *req, const char *const *names, size_t max_len)
{
    if (req->json && !json_is_object(req->json)) {
        http_reply_error(req, ERR_VALIDATION, "The request body must be a JSON object.");
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach(req->json, key, v)
    {
        size_t i = 0;
        while (names[i] && strcmp(names[i], key) != 0)
            i++;
        if (!names[i]) {
            http_reply_error(req, ERR_VALIDATION, "Unknown field '%.100s'.", key);
            return false;
        }
        if (!json_is_null(v) && (!json_is_string(v) || json_string_length(v) > max_len ||
                                 strlen(json_string_value(v)) != json_string_length(v))) {
            http_reply_error(req, ERR_VALIDATION,
                             "Field '%s' must be a string of at most %zu characters.", key,
                             max_len);
            return false;
        }
    }
    return true;
}
