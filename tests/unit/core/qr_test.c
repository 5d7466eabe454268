/* Tests for src/core/qr.c: the SVG of a QR code. */
#include "core/qr.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void an_otpauth_uri_becomes_a_standalone_svg(void **state)
{
    (void)state;
    char *svg = qr_svg("otpauth://totp/Signet:Anna%20Muster?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                       "&issuer=Signet&algorithm=SHA1&digits=6&period=30");
    assert_non_null(svg);
    assert_true(!strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39));
    /* 123 bytes in byte mode at level M need version 8 (7-M holds 122): 49 modules plus 2 x 4
     * of quiet zone. */
    assert_non_null(strstr(svg, "viewBox=\"0 0 57 57\""));
    /* The top-left finder pattern's first row is a run of 7 dark modules at the quiet zone. */
    assert_non_null(strstr(svg, "M4 4h7v1h-7z"));
    assert_non_null(strstr(svg, "</svg>"));
    free(svg);
}

static void text_too_long_for_any_qr_code_gives_null(void **state)
{
    (void)state;
    size_t n = 8000; /* version 40-L holds at most 2953 bytes */
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'a', n);
    big[n] = '\0';
    assert_null(qr_svg(big));
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_otpauth_uri_becomes_a_standalone_svg),
        cmocka_unit_test(text_too_long_for_any_qr_code_gives_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
