#include "core/b64.h"

#include <limits.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Value of a base64 digit in the variant's alphabet, or -1. */
static int digit_value(unsigned char c, enum b64_variant v)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (v == B64_STD)
        return c == '+' ? 62 : c == '/' ? 63 : -1;
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

/* Validates s and returns the number of data characters (without padding), or SIZE_MAX. */
static size_t validate(const char *s, size_t len, enum b64_variant v)
{
    size_t pad = 0;
    while (pad < 2 && len - pad > 0 && s[len - pad - 1] == '=')
        pad++;
    size_t data = len - pad;
    if (v == B64_STD || pad > 0) {
        if (len % 4 != 0)
            return SIZE_MAX;
    }
    if (data % 4 == 1)
        return SIZE_MAX;
    for (size_t i = 0; i < data; i++)
        if (digit_value((unsigned char)s[i], v) < 0)
            return SIZE_MAX;
    /* The bits after the last whole byte must be zero (canonical encoding). */
    if (data % 4 != 0) {
        int last = digit_value((unsigned char)s[data - 1], v);
        int mask = data % 4 == 2 ? 0x0f : 0x03;
        if (last & mask)
            return SIZE_MAX;
    }
    return data;
}

size_t b64_decoded_size(const char *s, size_t len, enum b64_variant v)
{
    size_t data = validate(s, len, v);
    if (data == SIZE_MAX)
        return 0;
    return data / 4 * 3 + (data % 4 ? data % 4 - 1 : 0);
}

char *b64_encode(const void *data, size_t len, enum b64_variant v)
{
    if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
        return NULL;
    size_t outcap = (len + 2) / 3 * 4 + 1;
    char *out = malloc(outcap);
    if (!out)
        return NULL;
    const unsigned char *in = data;
    size_t o = 0;
    /* EVP_EncodeBlock takes an int length: encode in chunks that are multiples of 3. */
    const size_t chunk = 3u * 1024 * 1024;
    while (len > 0) {
        size_t n = len > chunk ? chunk : len;
        o += (size_t)EVP_EncodeBlock((unsigned char *)out + o, in, (int)n);
        in += n;
        len -= n;
    }
    out[o] = '\0';
    if (v == B64_URL) {
        while (o > 0 && out[o - 1] == '=')
            out[--o] = '\0';
        for (size_t i = 0; i < o; i++)
            out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    }
    return out;
}

bool b64_decode(const char *s, size_t len, enum b64_variant v, unsigned char **out, size_t *out_len)
{
    size_t data = validate(s, len, v);
    if (data == SIZE_MAX)
        return false;
    size_t size = data / 4 * 3 + (data % 4 ? data % 4 - 1 : 0);
    unsigned char *dst = malloc(size + 3);
    if (!dst)
        return false;
    /* Decode whole quads in int-sized chunks; translate base64url to the standard alphabet
     * one chunk at a time so a large input is never copied whole. */
    const size_t chunk = 4u * 1024 * 1024;
    unsigned char tmp[4096 + 4];
    size_t i = 0, o = 0;
    while (i < data) {
        size_t n = data - i;
        if (n > chunk)
            n = chunk;
        size_t whole = n - n % 4;
        if (whole == 0)
            break;
        if (v == B64_URL) {
            size_t done = 0;
            while (done < whole) {
                size_t m = whole - done > 4096 ? 4096 : whole - done;
                for (size_t k = 0; k < m; k++) {
                    char c = s[i + done + k];
                    tmp[k] = (unsigned char)(c == '-' ? '+' : c == '_' ? '/' : c);
                }
                EVP_DecodeBlock(dst + o, tmp, (int)m);
                o += m / 4 * 3;
                done += m;
            }
        } else {
            EVP_DecodeBlock(dst + o, (const unsigned char *)s + i, (int)whole);
            o += whole / 4 * 3;
        }
        i += whole;
    }
    if (i < data) { /* a final partial quad: pad it to four characters */
        size_t rest = data - i;
        for (size_t k = 0; k < 4; k++) {
            char c = k < rest ? s[i + k] : '=';
            tmp[k] = (unsigned char)(c == '-' ? '+' : c == '_' ? '/' : c);
        }
        unsigned char last[3];
        EVP_DecodeBlock(last, tmp, 4);
        memcpy(dst + o, last, rest - 1);
        o += rest - 1;
    }
    if (o != size) {
        free(dst);
        return false;
    }
    dst[size] = '\0';
    *out = dst;
    *out_len = size;
    return true;
}

bool b64url_alphabet(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}
