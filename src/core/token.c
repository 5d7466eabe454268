/*
 * Session tokens, CSRF tokens and 6-digit codes (see core/token.h).
 */
#include "core/token.h"

#include "core/b64.h"
#include "core/crypto.h"
#include "core/rand.h"
#include "core/str.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* base64url of 32 bytes into out. */
static bool b64url32(const unsigned char raw[32], char out[TOKEN_LEN])
{
    char *t = b64_encode(raw, 32, B64_URL);
    bool ok = t && strlen(t) == TOKEN_LEN - 1;
    if (ok)
        str_copy(out, TOKEN_LEN, t);
    if (t) {
        memset(t, 0, strlen(t));
        free(t);
    }
    return ok;
}

bool token_new(char token[TOKEN_LEN], char hash[TOKEN_HASH_LEN])
{
    unsigned char raw[32];
    bool ok = rand_bytes(raw, sizeof raw) && b64url32(raw, token);
    memset(raw, 0, sizeof raw);
    if (ok)
        crypto_sha256_hex(token, strlen(token), hash);
    else
        token[0] = '\0';
    return ok;
}

bool token_looks_valid(const char *s)
{
    if (!s || strlen(s) != TOKEN_LEN - 1)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

void token_csrf(const char *label, const char *token, char out[TOKEN_LEN])
{
    unsigned char md[SHA256_LEN];
    char head[64];
    out[0] = '\0';
    if (!str_copy(head, sizeof head - 1, label))
        return;
    size_t n = strlen(head);
    head[n] = '\n';
    if (!crypto_sha256_two(head, n + 1, token, strlen(token), md) || !b64url32(md, out))
        out[0] = '\0';
    memset(md, 0, sizeof md);
}

bool token_csrf_valid(const char *label, const char *token, const char *presented)
{
    char want[TOKEN_LEN];
    if (!token || !presented)
        return false;
    token_csrf(label, token, want);
    size_t n = strlen(want);
    bool ok = n > 0 && strlen(presented) == n && str_ct_equal(want, presented, n);
    memset(want, 0, sizeof want);
    return ok;
}

bool token_code6(char code[7])
{
    for (int tries = 0; tries < 16; tries++) {
        uint32_t v;
        if (!rand_bytes(&v, sizeof v))
            return false;
        if (v >= 4294000000u) /* 4294 * 10^6: the largest multiple of 10^6 below 2^32 */
            continue;
        v %= 1000000u;
        for (int i = 5; i >= 0; i--) {
            code[i] = (char)('0' + v % 10);
            v /= 10;
        }
        code[6] = '\0';
        return true;
    }
    return false;
}

void token_code_hash(const char *id, const char *code, char out[TOKEN_HASH_LEN])
{
    char b[128]; /* ids are at most 63 characters, codes 6 */
    snprintf(b, sizeof b, "%.63s\n%.60s", id, code);
    crypto_sha256_hex(b, strlen(b), out);
    memset(b, 0, sizeof b);
}

bool token_is_code6(const char *s)
{
    if (!s || strlen(s) != 6)
        return false;
    for (int i = 0; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}
