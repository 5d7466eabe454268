#include "http/web.h"

#include "core/crypto.h"
#include "core/embed.h"
#include "core/log.h"
#include "http/request.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WEB_NAME_MAX 256

static const struct {
    const char *ext;
    const char *type;
} content_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".pdf", "application/pdf"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
};

const char *web_content_type(const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++) {
        size_t elen = strlen(content_types[i].ext);
        if (len > elen && strcasecmp(name + len - elen, content_types[i].ext) == 0)
            return content_types[i].type;
    }
    return "application/octet-stream";
}

void web_etag_compute(const void *data, size_t len, char out[WEB_ETAG_LEN])
{
    unsigned char digest[SHA256_LEN];
    char hex[SHA256_HEX_LEN];
    crypto_sha256(data, len, digest);
    crypto_hex(digest, 16, hex);
    out[0] = '"';
    memcpy(out + 1, hex, 32);
    out[33] = '"';
    out[34] = '\0';
}

bool web_etag_matches(const char *header, const char *etag)
{
    if (!header)
        return false;
    /* The opaque part of etag (without the quotes) is what weak comparison compares. */
    size_t elen = strlen(etag);
    if (elen < 2)
        return false;
    const char *opaque = etag + 1;
    size_t olen = elen - 2;
    const char *p = header;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '\0')
            return false;
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (*p != '"') {
            /* Not an entity tag: skip to the next list member. */
            const char *comma = strchr(p, ',');
            if (!comma)
                return false;
            p = comma;
            continue;
        }
        const char *close = strchr(p + 1, '"');
        if (!close)
            return false;
        if ((size_t)(close - p - 1) == olen && memcmp(p + 1, opaque, olen) == 0)
            return true;
        p = close + 1;
    }
}

bool web_embedded_name(const char *folder, const char *tail, size_t tail_len, const char *suffix,
                       char *out, size_t out_len)
{
    if (tail_len == 0)
        return false;
    /* Every segment must be a plain name. The lookup is by exact name in the embedded table,
     * so "../x" could never reach a file outside it; refusing it keeps the rule obvious. */
    for (size_t i = 0; i <= tail_len;) {
        size_t j = i;
        while (j < tail_len && tail[j] != '/')
            j++;
        size_t seg = j - i;
        if (seg == 0 || (seg == 1 && tail[i] == '.') ||
            (seg == 2 && tail[i] == '.' && tail[i + 1] == '.'))
            return false;
        if (memchr(tail + i, '\0', seg) || memchr(tail + i, '\\', seg))
            return false;
        i = j + 1;
    }
    size_t flen = strlen(folder), slen = strlen(suffix);
    if (flen + 1 + tail_len + slen + 1 > out_len)
        return false;
    memcpy(out, folder, flen);
    out[flen] = '/';
    memcpy(out + flen + 1, tail, tail_len);
    memcpy(out + flen + 1 + tail_len, suffix, slen);
    out[flen + 1 + tail_len + slen] = '\0';
    return true;
}

/* ETags of web_files, by index, computed once for the process. */
static pthread_once_t etags_once = PTHREAD_ONCE_INIT;
static char (*etags)[WEB_ETAG_LEN];

static void etags_init(void)
{
    size_t n = 0;
    while (web_files[n].name)
        n++;
    etags = calloc(n ? n : 1, sizeof *etags);
    if (!etags) {
        log_bug("no memory for the ETags of %zu web files", n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        web_etag_compute(web_files[i].data, web_files[i].size, etags[i]);
}

/* Answers with the embedded file (or 304 when the client holds this version). */
static void reply_file(struct http_request *req, const struct embedded_file *f)
{
    pthread_once(&etags_once, etags_init);
    if (!etags) {
        http_reply_error(req, ERR_INTERNAL, "The page could not be served.");
        return;
    }
    const char *etag = etags[f - web_files];
    bool not_modified = web_etag_matches(http_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH), etag);
    /* The embedded data lives as long as the process: no copy. */
    struct MHD_Response *r =
        not_modified
            ? MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT)
            : MHD_create_response_from_buffer(f->size, (void *)f->data, MHD_RESPMEM_PERSISTENT);
    if (!r) {
        log_bug("cannot create a response for %s", f->name);
        return;
    }
    if (!not_modified)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, web_content_type(f->name));
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(r, "Content-Security-Policy", WEB_CSP);
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    req->bytes_out = not_modified ? 0 : f->size;
    http_reply_response(req, not_modified ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, r);
}

void web_reply_embedded(struct http_request *req, const char *name)
{
    const struct embedded_file *f = name ? embed_find(web_files, name) : NULL;
    if (!f) {
        http_reply_error(req, ERR_NOT_FOUND, "There is no page or file at %s.", req->path);
        return;
    }
    reply_file(req, f);
}

/* Serves folder/tail+suffix from the embedded web files, or 404. */
static void serve(struct http_request *req, const char *folder, const char *tail, size_t tail_len,
                  const char *suffix)
{
    char name[WEB_NAME_MAX];
    bool ok = web_embedded_name(folder, tail, tail_len, suffix, name, sizeof name);
    web_reply_embedded(req, ok ? name : NULL);
}

void web_handle_static(struct http_request *req)
{
    size_t len = 0;
    const char *tail = route_param(&req->params, "*", &len);
    serve(req, "static", tail ? tail : "", tail ? len : 0, "");
}

void web_handle_page(struct http_request *req)
{
    /* The page's name is the path after "/ui/" (routes list each page explicitly). */
    const char *path = req->path ? req->path : "";
    const char *tail = strncmp(path, "/ui/", 4) == 0 ? path + 4 : "";
    serve(req, "pages", tail, strlen(tail), ".html");
}
