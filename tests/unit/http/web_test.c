/* Tests for src/http/web.c: media types, ETags and If-None-Match, names of embedded files. */
#include "core/embed.h"
#include "http/web.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void content_type_follows_the_extension(void **state)
{
    (void)state;
    assert_string_equal(web_content_type("pages/verify.html"), "text/html; charset=utf-8");
    assert_string_equal(web_content_type("static/signet.css"), "text/css; charset=utf-8");
    assert_string_equal(web_content_type("static/ui.js"), "text/javascript; charset=utf-8");
    assert_string_equal(web_content_type("static/i18n/en.json"), "application/json");
    assert_string_equal(web_content_type("static/logo.svg"), "image/svg+xml");
    assert_string_equal(web_content_type("static/logo.PNG"), "image/png");
    assert_string_equal(web_content_type("samples/sample.pdf"), "application/pdf");
    assert_string_equal(web_content_type("static/README"), "application/octet-stream");
    assert_string_equal(web_content_type(".js"), "application/octet-stream");
    assert_string_equal(web_content_type("static/x.jsx"), "application/octet-stream");
}

static void every_served_file_has_a_known_media_type(void **state)
{
    (void)state;
    size_t served = 0;
    for (const struct embedded_file *f = web_files; f->name; f++) {
        if (strncmp(f->name, "static/", 7) != 0 && strncmp(f->name, "pages/", 6) != 0)
            continue;
        served++;
        if (strcmp(web_content_type(f->name), "application/octet-stream") == 0)
            fail_msg("web/%s would be served as application/octet-stream: add its extension "
                     "to http/web.c",
                     f->name);
    }
    assert_true(served > 0);
    assert_non_null(embed_find(web_files, "pages/verify.html"));
}

static void etag_is_a_strong_quoted_hash_of_the_content(void **state)
{
    (void)state;
    char a[WEB_ETAG_LEN], b[WEB_ETAG_LEN], c[WEB_ETAG_LEN];
    web_etag_compute("abc", 3, a);
    web_etag_compute("abc", 3, b);
    web_etag_compute("abd", 3, c);
    assert_int_equal(strlen(a), WEB_ETAG_LEN - 1);
    assert_int_equal(a[0], '"');
    assert_int_equal(a[WEB_ETAG_LEN - 2], '"');
    /* SHA-256("abc") starts ba7816bf8f01cfea414140de5dae2223. */
    assert_string_equal(a, "\"ba7816bf8f01cfea414140de5dae2223\"");
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
}

static void if_none_match_uses_weak_comparison_over_a_list(void **state)
{
    (void)state;
    const char *etag = "\"0123abcd\"";
    assert_true(web_etag_matches("\"0123abcd\"", etag));
    assert_true(web_etag_matches("W/\"0123abcd\"", etag));
    assert_true(web_etag_matches("\"ffff\", \"0123abcd\"", etag));
    assert_true(web_etag_matches("\"ffff\",W/\"0123abcd\"", etag));
    assert_true(web_etag_matches("*", etag));
    assert_false(web_etag_matches(NULL, etag));
    assert_false(web_etag_matches("", etag));
    assert_false(web_etag_matches("\"0123abc\"", etag));
    assert_false(web_etag_matches("\"0123abcde\"", etag));
    assert_false(web_etag_matches("0123abcd", etag));
    assert_false(web_etag_matches("\"0123abcd", etag));
    assert_false(web_etag_matches("\"ffff\", junk", etag));
}

static void embedded_name_refuses_traversal_and_empty_segments(void **state)
{
    (void)state;
    char out[64];
    assert_true(web_embedded_name("static", "signet.css", 10, "", out, sizeof out));
    assert_string_equal(out, "static/signet.css");
    assert_true(web_embedded_name("static", "i18n/de.json", 12, "", out, sizeof out));
    assert_string_equal(out, "static/i18n/de.json");
    assert_true(web_embedded_name("pages", "verify", 6, ".html", out, sizeof out));
    assert_string_equal(out, "pages/verify.html");
    /* The tail is used by length: "verifyX" cut at 6 is "verify". */
    assert_true(web_embedded_name("pages", "verifyX", 6, ".html", out, sizeof out));
    assert_string_equal(out, "pages/verify.html");

    static const char *bad[] = {
        "",         "..",  "../samples/sample.pdf", "a/../b", "./a", "a//b", "a/", "/a", "a/./b",
        "a\\..\\b", "a/.."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (web_embedded_name("static", bad[i], strlen(bad[i]), "", out, sizeof out))
            fail_msg("'%s' was accepted as '%s'", bad[i], out);
    char tiny[13]; /* "static/a.css" and its NUL, exactly */
    assert_false(web_embedded_name("static", "signet.css", 10, "", tiny, sizeof tiny));
    assert_true(web_embedded_name("static", "a.css", 5, "", tiny, sizeof tiny));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(content_type_follows_the_extension),
        cmocka_unit_test(every_served_file_has_a_known_media_type),
        cmocka_unit_test(etag_is_a_strong_quoted_hash_of_the_content),
        cmocka_unit_test(if_none_match_uses_weak_comparison_over_a_list),
        cmocka_unit_test(embedded_name_refuses_traversal_and_empty_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
