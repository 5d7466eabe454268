#include "http/router.h"

#include "core/buf.h"

#include <string.h>

/* Matches path against pattern, filling params on success. */
static bool match_pattern(const char *pattern, const char *path, struct route_params *params)
{
    const char *p = pattern, *s = path;
    params->n = 0;
    while (*p) {
        if (p[0] == '*' && p[1] == '\0') {
            if (params->n >= ROUTE_MAX_PARAMS)
                return false;
            params->p[params->n].name = "*";
            params->p[params->n].name_len = 1;
            params->p[params->n].value = s;
            params->p[params->n].value_len = strlen(s);
            params->n++;
            return true;
        }
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close || params->n >= ROUTE_MAX_PARAMS)
                return false;
            const char *end = strchr(s, '/');
            size_t vlen = end ? (size_t)(end - s) : strlen(s);
            if (vlen == 0)
                return false;
            params->p[params->n].name = p + 1;
            params->p[params->n].name_len = (size_t)(close - p - 1);
            params->p[params->n].value = s;
            params->p[params->n].value_len = vlen;
            params->n++;
            p = close + 1;
            s += vlen;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *s == '\0';
}

/* True if method is one of the entries of the ", "-separated list (whole names only: "PATCH"
 * is not in "PROPPATCH"). */
static bool list_has_method(const char *list, const char *method)
{
    size_t mlen = strlen(method);
    for (const char *p = list; p && *p;) {
        const char *end = strstr(p, ", ");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == mlen && memcmp(p, method, len) == 0)
            return true;
        p = end ? end + 2 : NULL;
    }
    return false;
}

enum router_result router_match(const struct route *table, size_t n, const char *method,
                                const char *path, const struct route **out,
                                struct route_params *params, char *allow, size_t allow_len)
{
    struct route_params tmp;
    bool path_seen = false;
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    struct buf methods;
    buf_init(&methods, allow_len ? allow_len - 1 : 0);
    for (size_t i = 0; i < n; i++) {
        if (!match_pattern(table[i].pattern, path, &tmp))
            continue;
        if (strcmp(table[i].method, want) == 0) {
            *out = &table[i];
            *params = tmp;
            buf_free(&methods);
            return ROUTER_MATCH;
        }
        if (allow && !list_has_method(methods.data, table[i].method)) {
            if (methods.len > 0)
                buf_append_str(&methods, ", ");
            buf_append_str(&methods, table[i].method);
        }
        path_seen = true;
    }
    if (allow && allow_len) {
        allow[0] = '\0';
        if (methods.data) {
            size_t len = methods.len < allow_len - 1 ? methods.len : allow_len - 1;
            memcpy(allow, methods.data, len);
            allow[len] = '\0';
        }
    }
    buf_free(&methods);
    *out = NULL;
    return path_seen ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}

const char *route_param(const struct route_params *params, const char *name, size_t *len)
{
    size_t nlen = strlen(name);
    for (size_t i = 0; i < params->n; i++)
        if (params->p[i].name_len == nlen && memcmp(params->p[i].name, name, nlen) == 0) {
            *len = params->p[i].value_len;
            return params->p[i].value;
        }
    return NULL;
}
