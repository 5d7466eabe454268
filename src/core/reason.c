/*
 * Reasons beside messages (see core/reason.h).
 */
#include "core/reason.h"

#include "core/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool key_valid(const char *k)
{
    size_t n = 0;
    for (; k[n]; n++) {
        char c = k[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  (c == '.' && n > 0);
        if (!ok)
            return false;
    }
    return n > 0 && n < REASON_KEY_MAX;
}

const char *reason_split(const char *msg, char *key, size_t key_len, json_t **params)
{
    if (key_len)
        key[0] = '\0';
    if (params)
        *params = NULL;
    if (!msg || msg[0] != REASON_MARK)
        return msg;
    const char *end = strchr(msg + 1, REASON_MARK);
    if (!end)
        return msg;
    json_t *h = json_loadb(msg + 1, (size_t)(end - msg - 1), JSON_REJECT_DUPLICATES, NULL);
    const char *r = json_string_value(json_object_get(h, "reason"));
    json_t *p = json_object_get(h, "params");
    if (!r || !key_valid(r) || strlen(r) >= key_len || (p && !json_is_object(p))) {
        json_decref(h);
        return msg;
    }
    str_copy(key, key_len, r);
    if (params && p)
        *params = json_incref(p);
    json_decref(h);
    return end + 1;
}

bool reason_tag(char *out, size_t out_len, const char *reason, json_t *params)
{
    if (!out || !out_len) {
        json_decref(params);
        return false;
    }
    char old[REASON_KEY_MAX];
    const char *text = reason_split(out, old, sizeof old, NULL);
    size_t text_len = strlen(text);
    char *header = NULL;
    if (reason && key_valid(reason)) {
        json_t *h = json_pack("{s:s}", "reason", reason);
        if (h && params && json_is_object(params))
            json_object_set(h, "params", params);
        header = h ? json_dumps(h, JSON_COMPACT) : NULL;
        json_decref(h);
    }
    json_decref(params);
    size_t header_len = header ? strlen(header) : 0;
    if (!header || header_len + 3 > out_len) {
        memmove(out, text, text_len + 1); /* the message alone */
        free(header);
        return false;
    }
    size_t room = out_len - header_len - 3; /* two marks and the NUL */
    size_t keep = text_len < room ? text_len : room;
    /* text lies inside out: move it first, then write the header in front */
    memmove(out + header_len + 2, text, keep);
    out[header_len + 2 + keep] = '\0';
    out[0] = REASON_MARK;
    memcpy(out + 1, header, header_len);
    out[header_len + 1] = REASON_MARK;
    free(header);
    str_utf8_repair(out + header_len + 2); /* a cut may split a character */
    return false;
}

bool reason_message(char *out, size_t out_len, const char *reason, json_t *params, const char *fmt,
                    ...)
{
    if (!out || !out_len) {
        json_decref(params);
        return false;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, out_len, fmt, ap);
    va_end(ap);
    str_utf8_repair(out);
    return reason_tag(out, out_len, reason, params);
}
