/*
 * Base32 (see core/base32.h).
 */
#include "core/base32.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

bool base32_encode(const void *data, size_t len, char *out, size_t out_cap)
{
    const unsigned char *p = data;
    if (out_cap < BASE32_LEN(len) + 1)
        return false;
    size_t n = 0;
    unsigned buf = 0, bits = 0;
    for (size_t i = 0; i < len; i++) {
        buf = (buf << 8) | p[i];
        bits += 8;
        while (bits >= 5) {
            out[n++] = alphabet[(buf >> (bits - 5)) & 31];
            bits -= 5;
        }
        buf &= (1u << bits) - 1; /* keep only the bits not written yet */
    }
    if (bits)
        out[n++] = alphabet[(buf << (5 - bits)) & 31];
    out[n] = '\0';
    return true;
}

static int value_of(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

bool base32_decode(const char *s, unsigned char *out, size_t out_cap, size_t *out_len)
{
    size_t n = 0;
    unsigned buf = 0, bits = 0;
    bool padding = false;
    *out_len = 0;
    for (; *s; s++) {
        if (*s == ' ')
            continue;
        if (*s == '=') {
            padding = true;
            continue;
        }
        int v = value_of(*s);
        if (v < 0 || padding) /* nothing but padding may follow padding */
            return false;
        buf = (buf << 5) | (unsigned)v;
        bits += 5;
        if (bits >= 8) {
            if (n >= out_cap)
                return false;
            out[n++] = (unsigned char)(buf >> (bits - 8));
            bits -= 8;
            buf &= (1u << bits) - 1;
        }
    }
    if (bits >= 5 || (buf & ((1u << bits) - 1)) != 0)
        return false; /* a dangling character, or bits that encode nothing */
    *out_len = n;
    return true;
}
