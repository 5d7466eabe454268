/*
 * The SRS methods catalogue (srs/catalogue.c): the embedded default parses and serves what it
 * says; a bad operator file is refused with the method and field named; filtering by
 * jurisdiction and level; the connector stays internal; partners connected by configuration
 * ("connectors": order URL template, own secret) and their checks.
 */
#include "core/embed.h"
#include "srs/catalogue.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define METHOD(extra)                                                                              \
    "{\"methods\":[{\"id\":\"SRS_X\",\"connector\":\"video-sim\","                                 \
    "\"name\":{\"en\":\"a\",\"de\":\"b\",\"fr\":\"c\",\"it\":\"d\"},"                              \
    "\"description\":{\"en\":\"a\",\"de\":\"b\",\"fr\":\"c\",\"it\":\"d\"},"                       \
    "\"jurisdictions\":[\"CH\"],\"levels\":[\"ADVANCED\"],"                                        \
    "\"validity\":{\"duration\":\"P2Y\",\"limitedByDocumentExpiry\":false},"                       \
    "\"requirements\":[\"ID_DOCUMENT\"],\"languages\":[\"de\"]" extra "}]}"

static struct srs_catalogue *parse(const char *text, char *err, size_t err_len)
{
    return srs_catalogue_parse(text, strlen(text), err, err_len);
}

static void embedded_default_serves_video_for_ch_and_eu(void **state)
{
    (void)state;
    char err[256] = "";
    const struct embedded_file *f = embed_find(web_files, "config/srs-methods.json");
    assert_non_null(f);
    struct srs_catalogue *c = srs_catalogue_parse((const char *)f->data, f->size, err, sizeof err);
    assert_non_null(c);
    const struct srs_method *m = srs_catalogue_find(c, "SRS_VIDEO");
    assert_non_null(m);
    assert_string_equal(m->connector, "video-sim");
    assert_int_equal(m->validity.years, 5);
    assert_true(m->limited_by_document);
    assert_true(srs_method_serves(m, "CH", "QUALIFIED"));
    assert_true(srs_method_serves(m, "EU", "ADVANCED"));
    json_t *j = srs_catalogue_json(c, "EU", "QUALIFIED");
    json_t *first = json_array_get(json_object_get(j, "methods"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "id")), "SRS_VIDEO");
    assert_null(json_object_get(first, "connector"));
    json_decref(j);
    srs_catalogue_free(c);
}

static void filter_leaves_out_methods_that_do_not_serve(void **state)
{
    (void)state;
    char err[256] = "";
    struct srs_catalogue *c = parse(METHOD(""), err, sizeof err);
    assert_non_null(c);
    json_t *j = srs_catalogue_json(c, "CH", "QUALIFIED");
    assert_int_equal(json_array_size(json_object_get(j, "methods")), 0);
    json_decref(j);
    j = srs_catalogue_json(c, "CH", NULL);
    assert_int_equal(json_array_size(json_object_get(j, "methods")), 1);
    json_decref(j);
    srs_catalogue_free(c);
}

static void bad_files_name_the_field(void **state)
{
    (void)state;
    char err[256] = "";
    static const struct {
        const char *text, *field;
    } cases[] = {
        {"{\"methods\":[{\"id\":\"A\",\"connector\":\"nobody\"}]}", "\"connector\""},
        {"{\"methods\":[{\"id\":\"A\",\"connector\":\"video-sim\",\"name\":{\"en\":\"a\"}}]}",
         "\"name\""},
        {"{\"methods\":[]}", "non-empty"},
        {"not json", "not JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_null(parse(cases[i].text, err, sizeof err));
        if (!strstr(err, cases[i].field))
            fail_msg("case %zu: expected %s in: %s", i, cases[i].field, err);
    }
    char twice[4096];
    snprintf(twice, sizeof twice, "%s", METHOD(""));
    /* The same method twice. */
    char *end = strrchr(twice, ']');
    const char *entry = strchr(METHOD(""), '[') + 1;
    size_t entry_len = strlen(entry) - 2; /* without "]}" */
    snprintf(end, sizeof twice - (size_t)(end - twice), ",%.*s]}", (int)entry_len, entry);
    assert_null(parse(twice, err, sizeof err));
    assert_non_null(strstr(err, "appears twice"));
}

/* The embedded default with its "signing" section changed by edit, parsed (NULL: refused,
 * err says why). */
static struct srs_catalogue *default_with(void (*edit)(json_t *signing), char *err, size_t err_len)
{
    const struct embedded_file *f = embed_find(web_files, "config/srs-methods.json");
    assert_non_null(f);
    json_t *root = json_loadb((const char *)f->data, f->size, 0, NULL);
    assert_non_null(root);
    if (edit)
        edit(json_object_get(root, "signing"));
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    struct srs_catalogue *c = parse(text, err, err_len);
    free(text);
    return c;
}

static void needs(const struct srs_catalogue *c, const char *org, const char *level,
                  const char *want_jurisdiction, const char *want_level)
{
    const char *j = NULL, *l = NULL;
    bool need = srs_catalogue_signing_needs(c, org, level, &j, &l);
    if (!want_jurisdiction) {
        assert_false(need);
        return;
    }
    assert_true(need);
    assert_string_equal(j, want_jurisdiction);
    assert_string_equal(l, want_level);
}

static void org_a_advanced(json_t *signing)
{
    json_object_set_new(json_object_get(signing, "organizations"), "org-a",
                        json_pack("{s:s}", "ADVANCED_EU", "REQUIRED"));
}

static void qualified_none(json_t *signing)
{
    json_object_set_new(json_object_get(json_object_get(signing, "levels"), "QUALIFIED"),
                        "registration", json_string("NONE"));
}

static void org_qualified_none(json_t *signing)
{
    json_object_set_new(json_object_get(signing, "organizations"), "org-a",
                        json_pack("{s:s}", "QUALIFIED", "NONE"));
}

static void unknown_level(json_t *signing)
{
    json_object_set_new(json_object_get(signing, "levels"), "SIMPLE",
                        json_pack("{s:s, s:s, s:s}", "jurisdiction", "CH", "level", "ADVANCED",
                                  "registration", "NONE"));
}

static void no_levels(json_t *signing)
{
    json_object_del(signing, "levels");
}

static void signing_needs_come_from_the_file(void **state)
{
    (void)state;
    char err[256] = "";
    struct srs_catalogue *c = default_with(NULL, err, sizeof err);
    assert_non_null(c);
    needs(c, "any", "QUALIFIED", "CH", "QUALIFIED");
    needs(c, "any", "QUALIFIED_EU", "EU", "QUALIFIED");
    needs(c, "any", "ADVANCED", NULL, NULL);
    needs(c, "any", "SIMPLE", NULL, NULL);
    srs_catalogue_free(c);

    /* One organization's ADVANCED_EU needs one; the others' does not. */
    c = default_with(org_a_advanced, err, sizeof err);
    assert_non_null(c);
    needs(c, "org-a", "ADVANCED_EU", "EU", "ADVANCED");
    needs(c, "org-a", "ADVANCED", NULL, NULL);
    needs(c, "org-b", "ADVANCED_EU", NULL, NULL);
    srs_catalogue_free(c);

    /* A file without the section: qualified levels need one all the same. */
    c = parse(METHOD(""), err, sizeof err);
    assert_non_null(c);
    needs(c, "any", "QUALIFIED", "CH", "QUALIFIED");
    needs(c, "any", "ADVANCED", NULL, NULL);
    srs_catalogue_free(c);
}

static void bad_signing_sections_are_refused(void **state)
{
    (void)state;
    char err[256] = "";
    static const struct {
        void (*edit)(json_t *);
        const char *says;
    } cases[] = {
        {qualified_none, "QUALIFIED must have"},
        {org_qualified_none, "REQUIRED for qualified"},
        {unknown_level, "SIMPLE"},
        {no_levels, "\"levels\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        assert_null(default_with(cases[i].edit, err, sizeof err));
        if (!strstr(err, cases[i].says))
            fail_msg("case %zu: expected %s in: %s", i, cases[i].says, err);
    }
    /* A level whose registration no method serves. */
    char text[4096];
    const char *base = METHOD("");
    snprintf(text, sizeof text,
             "%.*s,\"signing\":{\"levels\":{\"QUALIFIED\":{\"jurisdiction\":\"CH\",\"level\":"
             "\"QUALIFIED\",\"registration\":\"REQUIRED\"}}}}",
             (int)strlen(base) - 1, base); /* without its closing brace */
    assert_null(parse(text, err, sizeof err));
    assert_non_null(strstr(err, "no method serves CH QUALIFIED"));
}

/* METHOD("") using connector "acme", with connectors (a JSON array); a string to free. */
static char *with_connectors(const char *connectors)
{
    json_t *c = json_loads(METHOD(""), 0, NULL);
    json_object_set_new(json_array_get(json_object_get(c, "methods"), 0), "connector",
                        json_string("acme"));
    json_object_set_new(c, "connectors", json_loads(connectors, 0, NULL));
    char *text = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    assert_non_null(text);
    return text;
}

static void configured_partners_open_orders_from_their_template(void **state)
{
    (void)state;
    char err[256] = "", path[] = "/tmp/signet-partner-secret-XXXXXX", url[256];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("0123456789abcdef-secret\n", f);
    fclose(f);
    char connectors[512];
    snprintf(connectors, sizeof connectors,
             "[{\"id\":\"acme\",\"type\":\"hmac-webhook\",\"secretFile\":\"%s\",\"orderUrl\":"
             "\"https://p.example/go/{order}?back={return}\"}]",
             path);
    char *text = with_connectors(connectors);
    struct srs_catalogue *c = parse(text, err, sizeof err);
    free(text);
    if (!c)
        fail_msg("%s", err);
    const struct srs_connector *k = srs_catalogue_connector(c, "acme");
    assert_non_null(k);
    assert_string_equal(k->name, "acme");
    assert_int_equal(k->secret_len, 23); /* the file's newline dropped */
    assert_memory_equal(k->secret, "0123456789abcdef-secret", 23);
    assert_true(
        srs_connector_open(k, "http://signet", "ab12", "http://h:8/srs/r/a b", url, sizeof url));
    assert_string_equal(url, "https://p.example/go/ab12?back=http%3A%2F%2Fh%3A8%2Fsrs%2Fr%2Fa%20b");
    assert_false(srs_connector_open(k, "http://signet", "ab12", "http://h/x", url, 30));
    /* The built-in ones are still there; unknown names are not. */
    assert_non_null(srs_catalogue_connector(c, "video-sim"));
    assert_null(srs_catalogue_connector(c, "acme2"));
    srs_catalogue_free(c);

    /* Bad entries: each refused with the connector named. */
    const char *bad[][2] = {
        {"[{\"id\":\"acme\",\"type\":\"hmac\",\"secretFile\":\"%s\",\"orderUrl\":"
         "\"https://p/{order}\"}]",
         "unknown \"type\""},
        {"[{\"id\":\"acme\",\"type\":\"hmac-webhook\",\"secretFile\":\"%s\",\"orderUrl\":"
         "\"https://p/{orders}\"}]",
         "\"orderUrl\""},
        {"[{\"id\":\"acme\",\"type\":\"hmac-webhook\",\"secretFile\":\"%s\",\"orderUrl\":"
         "\"ftp://p/{order}\"}]",
         "\"orderUrl\""},
        {"[{\"id\":\"acme\",\"type\":\"hmac-webhook\",\"secretFile\":\"%s\",\"orderUrl\":"
         "\"https://p/?a={order}}\"}]",
         "\"orderUrl\""},
        {"[{\"id\":\"acme\",\"type\":\"hmac-webhook\",\"secretFile\":\"%s/none\",\"orderUrl\":"
         "\"https://p/{order}\"}]",
         "the secret (file"},
        {"[{\"id\":\"video-sim\",\"type\":\"hmac-webhook\",\"secretFile\":\"%s\",\"orderUrl\":"
         "\"https://p/{order}\"}]",
         "connector 1 needs an \"id\""},
        {"[{\"id\":\"acme\",\"type\":\"hmac-webhook\",\"secretFile\":\"%s\",\"orderUrl\":"
         "\"https://p/{order}\"},{\"id\":\"acme\",\"type\":\"hmac-webhook\",\"secretEnv\":\"X\","
         "\"orderUrl\":\"https://p/{order}\"}]",
         "connector 2 needs an \"id\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(connectors, sizeof connectors, bad[i][0], path);
        text = with_connectors(connectors);
        err[0] = '\0';
        c = parse(text, err, sizeof err);
        free(text);
        assert_null(c);
        if (!strstr(err, bad[i][1]))
            fail_msg("case %zu: expected \"%s\" in: %s", i, bad[i][1], err);
    }
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(embedded_default_serves_video_for_ch_and_eu),
        cmocka_unit_test(filter_leaves_out_methods_that_do_not_serve),
        cmocka_unit_test(bad_files_name_the_field),
        cmocka_unit_test(signing_needs_come_from_the_file),
        cmocka_unit_test(bad_signing_sections_are_refused),
        cmocka_unit_test(configured_partners_open_orders_from_their_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
