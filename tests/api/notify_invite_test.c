/*
 * Invitations on release (sign/release.c → notify/notify.h), seen from outside:
 *   - a release with notification.locale queues one invitation per signer in that locale: by
 *     e-mail when the signer has an address, else by SMS to the mobile; the message carries
 *     the participant URL the release answered; an audit record "email"/"sms" INITIALIZE;
 *   - suppress INVITE (or ALL) and a release without notification queue nothing;
 *   - with no gateway configured the messages wait in the dev outbox (status DEV).
 */
#include "tenant.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define ALL_SCOPES "sswp:process:create sswp:process:read sswp:process:read:all"

static struct server srv;
static char data_dir[256];
static char org_a[128];
static struct client a_full;

static const char *xs(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void op(const char *method, const char *pid, const char *suffix, const char *body,
               struct response *r)
{
    char path[512];
    snprintf(path, sizeof path, PROCESS_PATH "/%s%s", pid, suffix);
    tenant_call(&srv, method, path, &a_full, body, NULL, r);
}

/* A released process with signers crm-1 (e-mail) and crm-2 (mobile only); release body as
 * given. The participant URLs of the answer into url1/url2. */
static void released(const char *release_body, char *pid, size_t pid_len, char *url1, char *url2,
                     size_t url_len)
{
    static const char body[] =
        "{\"signatureLevel\":\"SIMPLE\",\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
        "\"invitees\":{\"personalMessage\":\"Bitte bis Freitag.\",\"signers\":["
        "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-1\",\"firstName\":\"Anna\","
        "\"lastName\":\"Muster\",\"email\":\"anna@example.com\"},"
        "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-2\",\"firstName\":\"Beat\","
        "\"lastName\":\"Beispiel\",\"mobile\":\"+41791234567\"}]}}";
    static const char both[] =
        "[{\"signer\":\"crm-1\",\"locator\":\"COORDINATES\",\"pageNumber\":0,"
        "\"positionX\":60,\"positionY\":600},"
        "{\"signer\":\"crm-2\",\"locator\":\"COORDINATES\",\"pageNumber\":0,"
        "\"positionX\":300,\"positionY\":600}]";
    struct response r;
    tenant_call(&srv, "POST", PROCESS_PATH, &a_full, body, NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(pid, pid_len, "%s", xs(r.json, "id"));
    response_free(&r);
    char *att = tenant_attach_body("simple-a4.pdf", "contract", both);
    op("POST", pid, "/attach", att, &r);
    free(att);
    assert_int_equal(r.status, 201);
    response_free(&r);
    op("POST", pid, "/release", release_body, &r);
    assert_int_equal(r.status, 200);
    json_t *parts = json_object_get(r.json, "participants");
    url1[0] = url2[0] = '\0';
    for (size_t i = 0; i < json_array_size(parts); i++) {
        json_t *p = json_array_get(parts, i);
        const char *ext = xs(p, "externalIdentifier");
        const char *url = xs(p, "url");
        if (ext && url && !strcmp(ext, "crm-1"))
            snprintf(url1, url_len, "%s", url);
        if (ext && url && !strcmp(ext, "crm-2"))
            snprintf(url2, url_len, "%s", url);
    }
    response_free(&r);
}

/* The outbox rows of pid as "kind|channel|recipient|locale|status" lines (by recipient). */
static void outbox_rows(const char *pid, char *out, size_t out_len)
{
    char q[512];
    snprintf(q, sizeof q,
             "SELECT kind || '|' || channel || '|' || recipient || '|' || locale || '|' || status "
             "FROM outbox WHERE process_id = '%s' ORDER BY recipient",
             pid);
    assert_true(test_sql(data_dir, q, out, out_len));
}

static void body_contains(const char *pid, const char *recipient, const char *needle)
{
    char out[8192];
    char q[512];
    snprintf(
        q, sizeof q,
        "SELECT subject || ' ' || body FROM outbox WHERE process_id = '%s' AND recipient = '%s'",
        pid, recipient);
    assert_true(test_sql(data_dir, q, out, sizeof out));
    if (!strstr(out, needle))
        fprintf(stderr, "message to %s lacks '%s':\n%s\n", recipient, needle, out);
    assert_non_null(strstr(out, needle));
}

static size_t count_records(const char *pid, const char *action)
{
    struct response r;
    op("GET", pid, "/record", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *recs = json_object_get(r.json, "records");
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(recs); i++) {
        json_t *rec = json_array_get(recs, i);
        if (!strcmp(xs(rec, "action"), action)) {
            assert_string_equal(xs(rec, "status"), "INITIALIZE");
            char key[32];
            snprintf(key, sizeof key, "%s_type", action);
            assert_string_equal(xs(json_object_get(rec, "extras"), key), "INVITE");
            n++;
        }
    }
    response_free(&r);
    return n;
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Acme", "ORGANIZATION", org_a, sizeof org_a);
    tenant_create_client(data_dir, org_a, ALL_SCOPES, &a_full);
    const char *args[] = {"--job-interval", "0", NULL};
    if (!server_start(&srv, data_dir, args))
        return -1;
    a_full.token = tenant_issue_token(&srv, &a_full);
    return a_full.token ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(a_full.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

static void release_with_locale_invites_every_signer(void **state)
{
    (void)state;
    char pid[64], url1[512], url2[512], out[4096];
    released("{\"notification\":{\"locale\":\"de-CH\"}}", pid, sizeof pid, url1, url2, sizeof url1);
    assert_true(url1[0] && url2[0]);
    outbox_rows(pid, out, sizeof out);
    assert_string_equal(out, "INVITE|SMS|+41791234567|de-CH|DEV\n"
                             "INVITE|EMAIL|anna@example.com|de-CH|DEV\n");
    /* Each message carries that signer's own URL, and the personal message. */
    body_contains(pid, "anna@example.com", url1);
    body_contains(pid, "anna@example.com", "Bitte bis Freitag.");
    body_contains(pid, "+41791234567", url2);
    assert_int_equal(count_records(pid, "email"), 1);
    assert_int_equal(count_records(pid, "sms"), 1);
    /* A second release (208) invites nobody again. */
    struct response r;
    op("POST", pid, "/release", "{\"notification\":{\"locale\":\"de-CH\"}}", &r);
    assert_int_equal(r.status, 208);
    response_free(&r);
    outbox_rows(pid, out, sizeof out);
    assert_int_equal(strlen(out), strlen("INVITE|SMS|+41791234567|de-CH|DEV\n"
                                         "INVITE|EMAIL|anna@example.com|de-CH|DEV\n"));
}

static void suppressed_or_silent_releases_invite_nobody(void **state)
{
    (void)state;
    char pid[64], url1[512], url2[512], out[4096];
    released("{\"notification\":{\"locale\":\"fr-CH\",\"suppress\":[\"INVITE\"]}}", pid, sizeof pid,
             url1, url2, sizeof url1);
    outbox_rows(pid, out, sizeof out);
    assert_string_equal(out, "");
    assert_int_equal(count_records(pid, "email"), 0);
    released("{\"notification\":{\"locale\":\"it-CH\",\"suppress\":[\"ALL\"]}}", pid, sizeof pid,
             url1, url2, sizeof url1);
    outbox_rows(pid, out, sizeof out);
    assert_string_equal(out, "");
    released("{}", pid, sizeof pid, url1, url2, sizeof url1);
    outbox_rows(pid, out, sizeof out);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(release_with_locale_invites_every_signer),
        cmocka_unit_test(suppressed_or_silent_releases_invite_nobody),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
