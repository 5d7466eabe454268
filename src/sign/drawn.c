/*
 * The drawn signature's strict checks (see sign/drawn.h).
 */
#include "sign/drawn.h"
#include "core/str.h"

#include "core/b64.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* CRC-32 of PNG (ISO 3309, reflected polynomial 0xEDB88320) over type and data. */
static uint32_t png_crc(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

/* Bit depths PNG allows for each colour type (PNG spec, table 11.1). */
static bool depth_valid(unsigned type, unsigned depth)
{
    switch (type) {
    case 0:
        return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3:
        return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2:
    case 4:
    case 6:
        return depth == 8 || depth == 16;
    default:
        return false;
    }
}

static bool check_png(const unsigned char *d, size_t n, int *width, int *height, char *err,
                      size_t err_len)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n < sizeof sig || memcmp(d, sig, sizeof sig) != 0) {
        str_message(err, err_len, "Field 'image' must be a PNG image.");
        return false;
    }
    size_t at = sizeof sig;
    bool ihdr = false, idat = false, iend = false;
    unsigned color_type = 0;
    while (at < n && !iend) {
        if (n - at < 12) {
            str_message(err, err_len, "Field 'image': the PNG is cut short.");
            return false;
        }
        uint32_t clen = be32(d + at);
        const unsigned char *type = d + at + 4;
        if (clen > 0x7fffffffu || clen > n - at - 12) {
            str_message(err, err_len, "Field 'image': the PNG is cut short.");
            return false;
        }
        const unsigned char *data = type + 4;
        if (png_crc(type, (size_t)clen + 4) != be32(data + clen)) {
            str_message(err, err_len,
                        "Field 'image': the PNG is damaged (a chunk's checksum is wrong).");
            return false;
        }
        if (!ihdr && memcmp(type, "IHDR", 4) != 0) {
            str_message(err, err_len,
                        "Field 'image': the PNG does not start with its header (IHDR).");
            return false;
        }
        if (!memcmp(type, "IHDR", 4)) {
            if (ihdr || clen != 13) {
                str_message(err, err_len, "Field 'image': the PNG's header (IHDR) is not valid.");
                return false;
            }
            uint32_t w = be32(data), h = be32(data + 4);
            unsigned depth = data[8];
            color_type = data[9];
            if (!depth_valid(color_type, depth) || data[10] != 0 || data[11] != 0 || data[12] > 1) {
                str_message(err, err_len, "Field 'image': the PNG's header (IHDR) is not valid.");
                return false;
            }
            if (w < 1 || h < 1 || w > SIGN_DRAWN_MAX_WIDTH || h > SIGN_DRAWN_MAX_HEIGHT) {
                str_message(
                    err, err_len,
                    "Field 'image': the drawing is %lu x %lu pixels; it must be at most %d x %d.",
                    (unsigned long)w, (unsigned long)h, SIGN_DRAWN_MAX_WIDTH,
                    SIGN_DRAWN_MAX_HEIGHT);
                return false;
            }
            *width = (int)w;
            *height = (int)h;
            ihdr = true;
        } else if (!memcmp(type, "IDAT", 4)) {
            idat = true;
        } else if (!memcmp(type, "IEND", 4)) {
            iend = true;
        }
        at += (size_t)clen + 12;
    }
    if (!idat || !iend) {
        str_message(err, err_len, "Field 'image': the PNG is cut short.");
        return false;
    }
    if (at != n) {
        str_message(err, err_len, "Field 'image': the PNG has bytes after its end (IEND).");
        return false;
    }
    if (color_type == 3) {
        /* Palette images need a PLTE; MuPDF's check below would refuse them anyway, but the
         * message here is clearer. Searching again is cheap: the chunks were all checked. */
        bool plte = false;
        for (at = sizeof sig; at < n; at += (size_t)be32(d + at) + 12)
            plte = plte || !memcmp(d + at + 4, "PLTE", 4);
        if (!plte) {
            str_message(err, err_len, "Field 'image': the PNG has a palette type but no palette.");
            return false;
        }
    }
    return true;
}

bool sign_drawn_decode(const char *b64, unsigned char **png, size_t *len, int *width, int *height,
                       char *err, size_t err_len)
{
    *png = NULL;
    *len = 0;
    *width = *height = 0;
    size_t n = b64 ? strlen(b64) : 0;
    /* The base64 of SIGN_DRAWN_MAX_BYTES is 4/3 as long: refuse longer text before decoding. */
    if (n == 0 || n > (SIGN_DRAWN_MAX_BYTES + 2) / 3 * 4) {
        if (n)
            str_message(err, err_len, "Field 'image': the drawing is larger than %d KiB.",
                        SIGN_DRAWN_MAX_BYTES / 1024);
        else
            str_message(err, err_len,
                        "Field 'image' (the drawn signature, a base64 PNG) is empty.");
        return false;
    }
    unsigned char *d = NULL;
    size_t dlen = 0;
    if (!b64_decode(b64, n, B64_STD, &d, &dlen)) {
        str_message(err, err_len, "Field 'image' must be standard base64 (the PNG's bytes).");
        return false;
    }
    if (dlen > SIGN_DRAWN_MAX_BYTES) {
        free(d);
        str_message(err, err_len, "Field 'image': the drawing is larger than %d KiB.",
                    SIGN_DRAWN_MAX_BYTES / 1024);
        return false;
    }
    if (!check_png(d, dlen, width, height, err, err_len)) {
        free(d);
        *width = *height = 0;
        return false;
    }
    *png = d;
    *len = dlen;
    return true;
}
