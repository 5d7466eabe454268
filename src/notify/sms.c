/*
 * SMS over an HTTP gateway with libcurl (see notify/transport.h): POST sms-url with the body
 * template filled in, the configured authentication header, and success on a 2xx answer.
 */
#include "notify/transport.h"

#include "core/config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#define SMS_BODY_MAX (16 * 1024)

/* Appends s JSON-escaped (without quotes); UTF-8 passes through. */
static bool append_json_escaped(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        enum buf_result r;
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            r = buf_append(b, e, 2);
        } else if (*p == '\n') {
            r = buf_append_str(b, "\\n");
        } else if (*p < 0x20 || *p == 0x7f) {
            char e[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            r = buf_append(b, e, 6);
        } else {
            r = buf_append(b, p, 1);
        }
        if (r != BUF_OK)
            return false;
    }
    return true;
}

bool notify_sms_body(const char *tmpl, const char *to, const char *text, struct buf *out)
{
    buf_init(out, SMS_BODY_MAX);
    const char *p = tmpl;
    bool ok = true;
    while (ok && *p) {
        if (!strncmp(p, "{to}", 4)) {
            ok = append_json_escaped(out, to);
            p += 4;
        } else if (!strncmp(p, "{text}", 6)) {
            ok = append_json_escaped(out, text);
            p += 6;
        } else {
            ok = buf_append(out, p, 1) == BUF_OK;
            p++;
        }
    }
    /* An empty template still yields a (NUL-terminated) body. */
    ok = ok && buf_reserve(out, 1) == BUF_OK;
    if (ok)
        out->data[out->len] = '\0';
    else
        buf_free(out);
    return ok;
}

static size_t discard_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
    (void)ptr;
    (void)userp;
    return size * nmemb;
}

bool notify_sms_send(const struct config *cfg, const char *to, const char *text, char *err,
                     size_t err_len)
{
    bool ok = false;
    struct buf body = {0};
    struct curl_slist *headers = NULL;
    CURL *c = NULL;
    if (!notify_sms_body(cfg->sms_body_template, to, text, &body)) {
        snprintf(err, err_len, "SMS: the request body could not be built");
        return false;
    }
    headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (headers && cfg->sms_auth_header[0]) {
        struct curl_slist *h = curl_slist_append(headers, cfg->sms_auth_header);
        if (!h) {
            curl_slist_free_all(headers);
            headers = NULL;
        } else {
            headers = h;
        }
    }
    c = curl_easy_init();
    if (!headers || !c) {
        snprintf(err, err_len, "SMS: out of memory");
        goto cleanup;
    }
    curl_easy_setopt(c, CURLOPT_URL, cfg->sms_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
        snprintf(err, err_len, "SMS gateway: %s", curl_easy_strerror(rc));
        goto cleanup;
    }
    if (status < 200 || status > 299) {
        snprintf(err, err_len, "SMS gateway: HTTP status %ld", status);
        goto cleanup;
    }
    ok = true;
cleanup:
    curl_easy_cleanup(c);
    curl_slist_free_all(headers);
    buf_free(&body);
    return ok;
}
