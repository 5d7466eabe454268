/* Tests for src/http/spool.c: large JSON request bodies kept in a nameless file and parsed
 * from it exactly as json_loadb parses the same bytes in memory. */
#include "http/spool.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/signet-spool-test-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return rmdir(dir); /* fails if a spool file was left behind */
}

static size_t entries_in_dir(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* Spools text in pieces of `piece` bytes and parses it; checks the result against json_loadb
 * of the same bytes: equal values, or the same error text, line and column. */
static void assert_parses_like_json_loadb(const char *text, size_t len, size_t piece)
{
    struct http_spool *s = http_spool_new(dir, len + 1);
    assert_non_null(s);
    for (size_t off = 0; off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;
        assert_int_equal(http_spool_append(s, text + off, n), HTTP_SPOOL_OK);
    }
    assert_int_equal(http_spool_len(s), len);
    json_error_t want_err, got_err;
    bool read_failed = true;
    json_t *want = json_loadb(text, len, JSON_REJECT_DUPLICATES, &want_err);
    json_t *got = http_spool_load_json(s, JSON_REJECT_DUPLICATES, &got_err, &read_failed);
    assert_false(read_failed);
    if (want) {
        assert_non_null(got);
        assert_true(json_equal(want, got));
    } else {
        assert_null(got);
        assert_string_equal(got_err.text, want_err.text);
        assert_int_equal(got_err.line, want_err.line);
        assert_int_equal(got_err.column, want_err.column);
        assert_int_equal(got_err.position, want_err.position);
    }
    json_decref(want);
    json_decref(got);
    http_spool_free(s);
}

/* {"name":"<n letters>","pad":[1,2]} followed by ws bytes of whitespace, into a new string. */
static char *big_document(size_t n, size_t ws, size_t *len)
{
    const char *head = "{\"name\":\"", *tail = "\",\"pad\":[1,2]}";
    *len = strlen(head) + n + strlen(tail) + ws;
    char *t = malloc(*len + 1);
    assert_non_null(t);
    char *p = t;
    memcpy(p, head, strlen(head));
    p += strlen(head);
    for (size_t i = 0; i < n; i++)
        *p++ = (char)('a' + i % 26);
    memcpy(p, tail, strlen(tail));
    p += strlen(tail);
    memset(p, ' ', ws);
    t[*len] = '\0';
    return t;
}

static void a_large_document_parses_to_the_same_value(void **state)
{
    (void)state;
    size_t len;
    /* 3 MiB: crosses the 64 KiB read chunk and jansson's 1 KiB reads many times, with a
     * string that spans them. */
    char *t = big_document((size_t)3 * 1024 * 1024, 100, &len);
    assert_parses_like_json_loadb(t, len, 4096);
    assert_parses_like_json_loadb(t, len, 65536 + 7);
    free(t);
    assert_int_equal(entries_in_dir(), 0);
}

static void malformed_documents_give_the_same_error_as_in_memory(void **state)
{
    (void)state;
    size_t len;
    char *t = big_document((size_t)2 * 1024 * 1024, 70000, &len);
    t[len - 1] = ']'; /* trailing garbage after the whitespace */
    assert_parses_like_json_loadb(t, len, 1000);
    t[len - 1] = ' ';
    t[len / 2] = '\n'; /* a control character inside the string */
    assert_parses_like_json_loadb(t, len, 1000);
    free(t);
    const char *cases[] = {
        "{\"name\": ",         /* premature end */
        "{\"a\":1,\"a\":2}",   /* duplicate key */
        "   ",                 /* whitespace only */
        "{\"a\":\"\\u0000\"}", /* NUL escape */
        "[1,2]\n\n  {",        /* garbage after the document, on line 3 */
        "{\"a\":\"caf\xc3\"}", /* invalid UTF-8 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_parses_like_json_loadb(cases[i], strlen(cases[i]), 3);
    /* a NUL byte in the body itself */
    assert_parses_like_json_loadb("{\"a\":1}\0", 8, 8);
    /* an empty spool: what the server never parses, but the same as json_loadb */
    assert_parses_like_json_loadb("", 0, 1);
}

static void appending_past_the_limit_is_too_large(void **state)
{
    (void)state;
    struct http_spool *s = http_spool_new(dir, 10);
    assert_non_null(s);
    assert_int_equal(http_spool_append(s, "0123456789", 10), HTTP_SPOOL_OK);
    assert_int_equal(http_spool_append(s, "x", 1), HTTP_SPOOL_TOO_LARGE);
    assert_int_equal(http_spool_len(s), 10);
    http_spool_free(s);
    s = http_spool_new(dir, 10);
    assert_non_null(s);
    assert_int_equal(http_spool_append(s, "0123456789A", 11), HTTP_SPOOL_TOO_LARGE);
    assert_int_equal(http_spool_len(s), 0);
    http_spool_free(s);
}

static void the_file_has_no_name_in_the_directory(void **state)
{
    (void)state;
    struct http_spool *s = http_spool_new(dir, 100);
    assert_non_null(s);
    assert_int_equal(http_spool_append(s, "{}", 2), HTTP_SPOOL_OK);
    assert_int_equal(entries_in_dir(), 0);
    http_spool_free(s);
    http_spool_free(NULL);
}

static void a_missing_directory_gives_no_spool(void **state)
{
    (void)state;
    char missing[128];
    snprintf(missing, sizeof missing, "%s/does-not-exist", dir);
    assert_null(http_spool_new(missing, 100));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_large_document_parses_to_the_same_value),
        cmocka_unit_test(malformed_documents_give_the_same_error_as_in_memory),
        cmocka_unit_test(appending_past_the_limit_is_too_large),
        cmocka_unit_test(the_file_has_no_name_in_the_directory),
        cmocka_unit_test(a_missing_directory_gives_no_spool),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
