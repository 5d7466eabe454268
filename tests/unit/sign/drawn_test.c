/* Tests for src/sign/drawn.c: the drawn signature's base64 and PNG structure checks. The PNGs
 * are built here chunk by chunk (CRC-32 computed here), so each defect stands alone. */
#include "sign/drawn.h"

#include "core/b64.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct png {
    unsigned char d[1024];
    size_t n;
};

static void put(struct png *p, const void *b, size_t n)
{
    assert_true(p->n + n <= sizeof p->d);
    memcpy(p->d + p->n, b, n);
    p->n += n;
}

static void put32(struct png *p, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    put(p, x, 4);
}

static uint32_t crc(const unsigned char *b, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= b[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? (c >> 1) ^ 0xedb88320u : c >> 1;
    }
    return c ^ 0xffffffffu;
}

static void chunk(struct png *p, const char *type, const unsigned char *data, size_t n)
{
    put32(p, (uint32_t)n);
    size_t at = p->n;
    put(p, type, 4);
    if (n)
        put(p, data, n);
    put32(p, crc(p->d + at, n + 4));
}

static void signature(struct png *p)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    put(p, sig, 8);
}

static void ihdr(struct png *p, uint32_t w, uint32_t h, unsigned depth, unsigned type)
{
    unsigned char d[13] = {(unsigned char)(w >> 24),
                           (unsigned char)(w >> 16),
                           (unsigned char)(w >> 8),
                           (unsigned char)w,
                           (unsigned char)(h >> 24),
                           (unsigned char)(h >> 16),
                           (unsigned char)(h >> 8),
                           (unsigned char)h,
                           (unsigned char)depth,
                           (unsigned char)type,
                           0,
                           0,
                           0};
    chunk(p, "IHDR", d, 13);
}

/* A 1 x 1 grey pixel: zlib header, one stored block (filter byte 0, value 0x80), Adler-32. */
static void idat(struct png *p)
{
    static const unsigned char z[] = {0x78, 0x01, 0x01, 0x02, 0x00, 0xfd, 0xff,
                                      0x00, 0x80, 0x00, 0x82, 0x00, 0x81};
    chunk(p, "IDAT", z, sizeof z);
}

static struct png valid(void)
{
    struct png p = {.n = 0};
    signature(&p);
    ihdr(&p, 1, 1, 8, 0);
    idat(&p);
    chunk(&p, "IEND", NULL, 0);
    return p;
}

/* sign_drawn_decode on the base64 of p; the message must contain `says` when refused. */
static bool decode(const struct png *p, const char *says)
{
    char *b64 = b64_encode(p->d, p->n, B64_STD);
    assert_non_null(b64);
    unsigned char *out = NULL;
    size_t len = 0;
    int w = 0, h = 0;
    char err[256] = "";
    bool ok = sign_drawn_decode(b64, &out, &len, &w, &h, err, sizeof err);
    free(b64);
    if (ok) {
        assert_int_equal(len, p->n);
        assert_memory_equal(out, p->d, len);
        assert_true(w > 0 && h > 0);
    } else {
        assert_null(out);
        if (says && !strstr(err, says))
            fail_msg("expected a message with '%s', got '%s'", says, err);
    }
    free(out);
    return ok;
}

static void a_valid_png_is_decoded_with_its_size(void **state)
{
    (void)state;
    struct png p = valid();
    char *b64 = b64_encode(p.d, p.n, B64_STD);
    unsigned char *out = NULL;
    size_t len = 0;
    int w = 0, h = 0;
    char err[256] = "";
    assert_true(sign_drawn_decode(b64, &out, &len, &w, &h, err, sizeof err));
    assert_int_equal(w, 1);
    assert_int_equal(h, 1);
    free(out);
    free(b64);
}

static void text_that_is_not_plain_base64_is_refused(void **state)
{
    (void)state;
    const char *bad[] = {"", "not base64!",
                         "iVBORw0K GgoAAAA=", "data:image/png;base64,iVBORw0KGgo=", "iVBORw0KGgo"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned char *out = (unsigned char *)"x";
        size_t len = 1;
        int w = 1, h = 1;
        char err[256] = "";
        assert_false(sign_drawn_decode(bad[i], &out, &len, &w, &h, err, sizeof err));
        assert_null(out);
        assert_non_null(strstr(err, "'image'"));
    }
    unsigned char *out = NULL;
    size_t len = 0;
    int w = 0, h = 0;
    char err[256] = "";
    assert_false(sign_drawn_decode(NULL, &out, &len, &w, &h, err, sizeof err));
}

static void defects_of_the_png_structure_are_named(void **state)
{
    (void)state;
    struct png p = {.n = 0};
    put(&p, "\xff\xd8\xff\xe0", 4); /* JPEG */
    assert_false(decode(&p, "must be a PNG"));

    p = valid();
    p.d[p.n - 20] ^= 1; /* a byte of IDAT's data */
    assert_false(decode(&p, "checksum"));

    p = valid();
    p.n -= 6; /* IEND cut */
    assert_false(decode(&p, "cut short"));

    p = valid();
    put(&p, "junk", 4);
    assert_false(decode(&p, "after its end"));

    p = (struct png){.n = 0};
    signature(&p);
    idat(&p);
    ihdr(&p, 1, 1, 8, 0);
    chunk(&p, "IEND", NULL, 0);
    assert_false(decode(&p, "IHDR"));

    p = (struct png){.n = 0};
    signature(&p);
    ihdr(&p, 1, 1, 8, 0);
    chunk(&p, "IEND", NULL, 0);
    assert_false(decode(&p, "cut short")); /* no IDAT */

    p = (struct png){.n = 0};
    signature(&p);
    ihdr(&p, 1, 1, 3, 2); /* RGB needs 8 or 16 bits */
    idat(&p);
    chunk(&p, "IEND", NULL, 0);
    assert_false(decode(&p, "header (IHDR) is not valid"));

    p = (struct png){.n = 0};
    signature(&p);
    ihdr(&p, 1, 1, 8, 3); /* palette type without PLTE */
    idat(&p);
    chunk(&p, "IEND", NULL, 0);
    assert_false(decode(&p, "no palette"));
}

static void sizes_outside_the_limits_are_refused(void **state)
{
    (void)state;
    const uint32_t sizes[][2] = {{0, 1},
                                 {1, 0},
                                 {SIGN_DRAWN_MAX_WIDTH + 1, 1},
                                 {1, SIGN_DRAWN_MAX_HEIGHT + 1},
                                 {0x80000000u, 1}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct png p = {.n = 0};
        signature(&p);
        ihdr(&p, sizes[i][0], sizes[i][1], 8, 0);
        idat(&p);
        chunk(&p, "IEND", NULL, 0);
        assert_false(decode(&p, "pixels"));
    }
    struct png p = {.n = 0};
    signature(&p);
    ihdr(&p, SIGN_DRAWN_MAX_WIDTH, SIGN_DRAWN_MAX_HEIGHT, 8, 0);
    idat(&p);
    chunk(&p, "IEND", NULL, 0);
    assert_true(decode(&p, NULL)); /* the structure is fine; the pixels are pdf_image_check's */

    /* More than SIGN_DRAWN_MAX_BYTES, refused before or after decoding. */
    size_t n = SIGN_DRAWN_MAX_BYTES + 3;
    unsigned char *big = calloc(1, n);
    assert_non_null(big);
    char *b64 = b64_encode(big, n, B64_STD);
    free(big);
    unsigned char *out = NULL;
    size_t len = 0;
    int w = 0, h = 0;
    char err[256] = "";
    assert_false(sign_drawn_decode(b64, &out, &len, &w, &h, err, sizeof err));
    assert_non_null(strstr(err, "256 KiB"));
    free(b64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_valid_png_is_decoded_with_its_size),
        cmocka_unit_test(text_that_is_not_plain_base64_is_refused),
        cmocka_unit_test(defects_of_the_png_structure_are_named),
        cmocka_unit_test(sizes_outside_the_limits_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
