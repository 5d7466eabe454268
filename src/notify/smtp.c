/*
 * E-mail over SMTP with libcurl (see notify/transport.h): the RFC 5322 message and its
 * submission (smtp:// with STARTTLS required unless smtp-starttls is false, or smtps://).
 */
#include "notify/transport.h"

#include "core/config.h"
#include "core/str.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SMTP_MESSAGE_MAX (64 * 1024)

bool notify_address_of(const char *from, char *out, size_t out_len)
{
    const char *lt = strrchr(from, '<');
    const char *start = lt ? lt + 1 : from;
    const char *end = lt ? strchr(start, '>') : start + strlen(start);
    while (!lt && *start == ' ')
        start++;
    while (!lt && end > start && end[-1] == ' ')
        end--;
    if (!end || end <= start || (size_t)(end - start) >= out_len)
        return false;
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
    return strchr(out, '@') != NULL && !strpbrk(out, " <>\r\n");
}

static bool is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80 || (unsigned char)*s < 0x20)
            return false;
    return true;
}

/* Appends s as RFC 2047 B encoded-words, each at most 75 characters and never splitting a
 * UTF-8 character, folded with CRLF SP. */
static bool append_encoded_words(struct buf *b, const char *s)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s), i = 0;
    bool first = true;
    while (i < n) {
        /* 45 bytes of text give 60 base64 characters: with "=?UTF-8?B?" and "?=", 72. */
        size_t take = n - i < 45 ? n - i : 45;
        while (take > 0 && i + take < n && ((unsigned char)s[i + take] & 0xC0) == 0x80)
            take--;
        if (take == 0)
            return false;
        if (buf_append_str(b, first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?") != BUF_OK)
            return false;
        first = false;
        const unsigned char *p = (const unsigned char *)s + i;
        for (size_t k = 0; k < take; k += 3) {
            unsigned v = (unsigned)p[k] << 16;
            if (k + 1 < take)
                v |= (unsigned)p[k + 1] << 8;
            if (k + 2 < take)
                v |= p[k + 2];
            char q[4] = {b64[(v >> 18) & 63], b64[(v >> 12) & 63],
                         k + 1 < take ? b64[(v >> 6) & 63] : '=', k + 2 < take ? b64[v & 63] : '='};
            if (buf_append(b, q, 4) != BUF_OK)
                return false;
        }
        if (buf_append_str(b, "?=") != BUF_OK)
            return false;
        i += take;
    }
    return true;
}

/* Appends body as quoted-printable (RFC 2045) with CRLF line ends and lines of at most 76. */
static bool append_quoted_printable(struct buf *b, const char *body)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)body; *p; p++) {
        if (*p == '\r')
            continue;
        if (*p == '\n') {
            if (buf_append_str(b, "\r\n") != BUF_OK)
                return false;
            col = 0;
            continue;
        }
        char enc[3];
        size_t len = 1;
        bool at_eol = p[1] == '\0' || p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
        /* A "." that starts a line is encoded too, so no relay ever alters the line. */
        if ((*p >= 33 && *p <= 126 && *p != '=' && !(col == 0 && *p == '.')) ||
            ((*p == ' ' || *p == '\t') && !at_eol)) {
            enc[0] = (char)*p;
        } else {
            enc[0] = '=';
            enc[1] = hex[*p >> 4];
            enc[2] = hex[*p & 15];
            len = 3;
        }
        if (col + len > 75) { /* soft line break: "=" ends the line at 76 */
            if (buf_append_str(b, "=\r\n") != BUF_OK)
                return false;
            col = 0;
            if (enc[0] == '.' && len == 1) {
                memcpy(enc, "=2E", 3);
                len = 3;
            }
        }
        if (buf_append(b, enc, len) != BUF_OK)
            return false;
        col += len;
    }
    /* The message ends with a line end (the body's own, or this one). */
    return col == 0 || buf_append_str(b, "\r\n") == BUF_OK;
}

/* Appends the From header value: a non-ASCII display name is encoded. */
static bool append_from(struct buf *b, const char *from, const char *addr)
{
    const char *lt = strrchr(from, '<');
    if (!lt)
        return buf_append_str(b, addr) == BUF_OK;
    char name[256];
    size_t n = (size_t)(lt - from);
    while (n > 0 && from[n - 1] == ' ')
        n--;
    if (n == 0)
        return buf_appendf(b, "<%s>", addr) == BUF_OK;
    if (n >= sizeof name)
        return false;
    memcpy(name, from, n);
    name[n] = '\0';
    if (is_ascii(name))
        return buf_appendf(b, "%s <%s>", name, addr) == BUF_OK;
    return append_encoded_words(b, name) && buf_appendf(b, " <%s>", addr) == BUF_OK;
}

bool notify_smtp_message(const char *from, const char *to, const char *subject, const char *body,
                         int64_t now_ms, const char *message_id, struct buf *out)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char addr[320];
    if (!notify_address_of(from, addr, sizeof addr) || strpbrk(to, "\r\n<>") ||
        strpbrk(subject, "\r\n"))
        return false;
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return false;
    const char *domain = strchr(addr, '@') + 1;
    buf_init(out, SMTP_MESSAGE_MAX);
    bool ok = buf_appendf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
                          tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                          tm.tm_sec) == BUF_OK &&
              buf_appendf(out, "Message-ID: <%s@%s>\r\nFrom: ", message_id, domain) == BUF_OK &&
              append_from(out, from, addr) &&
              buf_appendf(out, "\r\nTo: <%s>\r\nSubject: ", to) == BUF_OK;
    if (ok)
        ok = is_ascii(subject) && strlen(subject) < 900 ? buf_append_str(out, subject) == BUF_OK
                                                        : append_encoded_words(out, subject);
    ok = ok &&
         buf_append_str(out, "\r\nMIME-Version: 1.0\r\n"
                             "Content-Type: text/plain; charset=UTF-8\r\n"
                             "Content-Transfer-Encoding: quoted-printable\r\n"
                             "Auto-Submitted: auto-generated\r\n\r\n") == BUF_OK &&
         append_quoted_printable(out, body);
    if (!ok)
        buf_free(out);
    return ok;
}

struct upload {
    const char *data;
    size_t len, pos;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *userp)
{
    struct upload *u = userp;
    size_t room = size * nmemb, left = u->len - u->pos;
    size_t n = left < room ? left : room;
    memcpy(dst, u->data + u->pos, n);
    u->pos += n;
    return n;
}

bool notify_smtp_send(const struct config *cfg, const char *to, const char *subject,
                      const char *body, const char *message_id, char *err, size_t err_len)
{
    bool ok = false;
    struct buf msg = {0};
    struct curl_slist *rcpt = NULL;
    CURL *c = NULL;
    char from_addr[320], mail_from[330], rcpt_to[340];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (!notify_address_of(cfg->smtp_from, from_addr, sizeof from_addr) ||
        !notify_smtp_message(cfg->smtp_from, to, subject, body,
                             (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, message_id,
                             &msg)) {
        snprintf(err, err_len, "SMTP: the message could not be built");
        return false;
    }
    snprintf(mail_from, sizeof mail_from, "<%s>", from_addr);
    snprintf(rcpt_to, sizeof rcpt_to, "<%s>", to);
    rcpt = curl_slist_append(NULL, rcpt_to);
    c = curl_easy_init();
    if (!rcpt || !c) {
        snprintf(err, err_len, "SMTP: out of memory");
        goto cleanup;
    }
    struct upload up = {msg.data, msg.len, 0};
    bool implicit_tls = str_has_prefix(cfg->smtp_url, "smtps://");
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_USE_SSL,
                     implicit_tls || cfg->smtp_starttls ? (long)CURLUSESSL_ALL
                                                        : (long)CURLUSESSL_NONE);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    if (cfg->smtp_user[0]) {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
    }
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        /* curl's generic text and the reply code only: its error buffer may quote addresses. */
        if (code)
            snprintf(err, err_len, "SMTP: %s (server reply %ld)", curl_easy_strerror(rc), code);
        else
            snprintf(err, err_len, "SMTP: %s", curl_easy_strerror(rc));
        goto cleanup;
    }
    ok = true;
cleanup:
    curl_easy_cleanup(c);
    curl_slist_free_all(rcpt);
    buf_free(&msg);
    return ok;
}
