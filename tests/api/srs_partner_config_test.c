/*
 * A third-party identification partner connected by configuration only (docs/srs.md
 * "Partners connected by configuration"): an operator catalogue (--srs-methods-file) with a
 * "connectors" entry of type "hmac-webhook" and a method using it:
 *   - the method is offered like any other; choosing it opens an order whose URL is the
 *     partner's template with the order id and the return URL (the registration page)
 *     filled in, percent-encoded;
 *   - callbacks at /srs/partner/v1/{id}/callback: a wrong signature (or one made with the
 *     built-in partners' secret) is 401 and changes nothing; a result signed with the
 *     partner's own secret (read from the environment) in the simulators' format takes the
 *     registration to AWAITING_TERMS;
 *   - a bad "connectors" section stops `signet serve` (exit 2) naming the connector and what
 *     is wrong: unknown type, order URL template without {order}, missing secret.
 */
#include "tenant.h"

#include "core/crypto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FULL           "srs:registration:create srs:registration:read srs:identity:read"
#define PARTNER_SECRET "acme-partner-shared-secret-42"
#define BUILTIN_SECRET "builtin-partner-secret"
#define SECRET_ENV     "SIGNET_TEST_ACME_SECRET"
#define ORDER_URL      "https://partner.example/start?order={order}&return={return}"

static struct server srv;
static char data_dir[256], catalogue[512];
static char org_a[128];
static struct client a_full;

static const char *xs(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The default catalogue plus connectors (a JSON array) and a method ACME_ID using "acme-id",
 * written to path. */
static bool write_catalogue(const char *path, const char *connectors)
{
    const char *src = getenv("SIGNET_SOURCE_DIR");
    char in[512];
    snprintf(in, sizeof in, "%s/web/config/srs-methods.json", src ? src : "..");
    json_t *c = json_load_file(in, 0, NULL);
    json_t *list = json_loads(connectors, 0, NULL);
    json_t *video = json_deep_copy(json_array_get(json_object_get(c, "methods"), 0));
    bool ok = c && list && video;
    if (ok) {
        json_object_set_new(video, "id", json_string("ACME_ID"));
        json_object_set_new(video, "connector", json_string("acme-id"));
        ok = json_array_append(json_object_get(c, "methods"), video) == 0 &&
             json_object_set(c, "connectors", list) == 0 &&
             json_dump_file(c, path, JSON_INDENT(2)) == 0;
    }
    json_decref(video);
    json_decref(list);
    json_decref(c);
    return ok;
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Org A", "CORPORATE", org_a, sizeof org_a);
    tenant_create_client(data_dir, org_a, FULL, &a_full);
    snprintf(catalogue, sizeof catalogue, "%s/partner-methods.json", data_dir);
    if (!write_catalogue(catalogue,
                         "[{\"id\":\"acme-id\",\"type\":\"hmac-webhook\",\"orderUrl\":\"" ORDER_URL
                         "\",\"secretEnv\":\"" SECRET_ENV "\"}]"))
        return -1;
    setenv(SECRET_ENV, PARTNER_SECRET, 1);
    const char *args[] = {"--srs-methods-file", catalogue, "--srs-partner-secret", BUILTIN_SECRET,
                          NULL};
    if (!server_start(&srv, data_dir, args))
        return -1;
    return (a_full.token = tenant_issue_token(&srv, &a_full)) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(a_full.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

static void call_public(const char *method, const char *path, const char *body, struct response *r)
{
    const char *headers[] = {"Content-Type: application/json", NULL};
    assert_true(http(&srv, method, path, body ? headers : NULL, body, body ? strlen(body) : 0, r));
}

static void sign_body(const char *key, const char *body, char out[80])
{
    unsigned char mac[SHA256_LEN];
    assert_true(crypto_hmac_sha256(key, strlen(key), body, strlen(body), mac));
    memcpy(out, "sha256=", 7);
    crypto_hex(mac, sizeof mac, out + 7);
}

static void callback(const char *body, const char *signature, struct response *r)
{
    char sig[160];
    snprintf(sig, sizeof sig, "X-Signet-Signature: %s", signature);
    const char *headers[] = {"Content-Type: application/json", sig, NULL};
    assert_true(
        http(&srv, "POST", "/srs/partner/v1/acme-id/callback", headers, body, strlen(body), r));
}

static const char *status_of(const char *id)
{
    static char status[32];
    char path[256];
    struct response r;
    snprintf(path, sizeof path, "/srs/v1/registrations/%s", id);
    tenant_call(&srv, "GET", path, &a_full, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(status, sizeof status, "%s", xs(r.json, "status"));
    response_free(&r);
    return status;
}

static void a_configured_partner_identifies_through_its_webhook(void **state)
{
    (void)state;
    struct response r;
    /* Offered like any method. */
    tenant_call(&srv, "GET", "/srs/v1/methods?jurisdiction=CH&level=QUALIFIED", &a_full, NULL, NULL,
                &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"ACME_ID\""));
    assert_null(strstr(r.body, "acme-id")); /* the connector stays internal */
    response_free(&r);

    tenant_call(&srv, "POST", "/srs/v1/registrations", &a_full,
                "{\"methods\":[\"ACME_ID\"],\"jurisdiction\":\"CH\",\"level\":\"QUALIFIED\"}", NULL,
                &r);
    if (r.status != 201)
        fail_msg("create: %ld %s", r.status, r.body);
    char id[64], link[256], path[320];
    snprintf(id, sizeof id, "%s", xs(r.json, "id"));
    const char *tail = strstr(xs(r.json, "url"), "/srs/r/");
    assert_non_null(tail);
    snprintf(link, sizeof link, "%s", tail);
    response_free(&r);

    /* The order goes to the partner's template: order id and the way back filled in. */
    snprintf(path, sizeof path, "%s/start", link);
    call_public("POST", path, "{\"method\":\"ACME_ID\"}", &r);
    if (r.status != 200)
        fail_msg("start: %ld %s", r.status, r.body);
    const char *url = xs(r.json, "url");
    const char *prefix = "https://partner.example/start?order=";
    assert_non_null(url);
    assert_memory_equal(url, prefix, strlen(prefix));
    char order[33];
    assert_true(strlen(url) > strlen(prefix) + 32);
    memcpy(order, url + strlen(prefix), 32);
    order[32] = '\0';
    for (size_t i = 0; i < 32; i++)
        assert_non_null(strchr("0123456789abcdef", order[i]));
    const char *ret = strstr(url, "&return=");
    assert_non_null(ret);
    assert_int_equal(ret - url, (long)(strlen(prefix) + 32));
    /* The registration page, percent-encoded. */
    assert_non_null(strstr(ret, "http%3A%2F%2F"));
    const char *token = link + strlen("/srs/r/");
    char encoded_tail[300];
    snprintf(encoded_tail, sizeof encoded_tail, "%%2Fsrs%%2Fr%%2F%s", token);
    assert_non_null(strstr(ret, encoded_tail));
    response_free(&r);
    assert_string_equal(status_of(id), "IN_IDENTIFICATION");

    char body[1024], sig[80];
    snprintf(body, sizeof body,
             "{\"orderId\":\"%s\",\"result\":\"APPROVED\",\"agent\":\"ACME agent 7\","
             "\"identifiedAt\":\"2026-11-23T10:00:00Z\",\"person\":{\"givenName\":\"Lia\","
             "\"familyName\":\"Brunner\",\"birthDate\":\"1990-02-03\",\"nationality\":\"CH\"},"
             "\"document\":{\"type\":\"ID_CARD\",\"number\":\"C7654321\",\"expiryDate\":"
             "\"2031-01-31\",\"issuingCountry\":\"CH\"},\"mobile\":\"+41795550101\"}",
             order);
    /* A wrong signature, and one made with the built-in partners' secret: 401, nothing done. */
    sign_body("not-the-partner-secret", body, sig);
    callback(body, sig, &r);
    assert_int_equal(r.status, 401);
    response_free(&r);
    sign_body(BUILTIN_SECRET, body, sig);
    callback(body, sig, &r);
    assert_int_equal(r.status, 401);
    response_free(&r);
    assert_string_equal(status_of(id), "IN_IDENTIFICATION");

    /* Signed with the partner's own secret: applied. */
    sign_body(PARTNER_SECRET, body, sig);
    callback(body, sig, &r);
    if (r.status != 200)
        fail_msg("callback: %ld %s", r.status, r.body);
    assert_string_equal(xs(r.json, "status"), "AWAITING_TERMS");
    assert_string_equal(xs(r.json, "registrationId"), id);
    response_free(&r);
    assert_string_equal(status_of(id), "AWAITING_TERMS");
}

/* `signet serve` with the catalogue connectors: exit 2 and a message containing expect. */
static void refused_at_start(const char *connectors, const char *expect)
{
    char file[600], dir[256], out[1024], err[2048];
    assert_true(make_data_dir(dir, sizeof dir));
    snprintf(file, sizeof file, "%s/bad-methods.json", dir);
    assert_true(write_catalogue(file, connectors));
    const char *serve[] = {"serve", "--data", dir, "--listen", "127.0.0.1:0", "--srs-methods-file",
                           file,    NULL};
    assert_int_equal(run_signet(serve, out, sizeof out, err, sizeof err), 2);
    if (!strstr(err, expect))
        fail_msg("expected \"%s\" in: %s", expect, err);
    char rm[300];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    sh_run(out, sizeof out, "%s", rm);
}

static void a_bad_connector_stops_the_start(void **state)
{
    (void)state;
    refused_at_start("[{\"id\":\"acme-id\",\"type\":\"smoke-signal\",\"orderUrl\":\"" ORDER_URL
                     "\",\"secretEnv\":\"" SECRET_ENV "\"}]",
                     "connector \"acme-id\" has an unknown \"type\"");
    refused_at_start("[{\"id\":\"acme-id\",\"type\":\"hmac-webhook\",\"orderUrl\":"
                     "\"https://partner.example/start?o={id}\",\"secretEnv\":\"" SECRET_ENV "\"}]",
                     "connector \"acme-id\" needs an \"orderUrl\"");
    refused_at_start("[{\"id\":\"acme-id\",\"type\":\"hmac-webhook\",\"orderUrl\":\"" ORDER_URL
                     "\",\"secretEnv\":\"SIGNET_TEST_UNSET_SECRET\"}]",
                     "connector \"acme-id\": the secret (environment variable "
                     "SIGNET_TEST_UNSET_SECRET) is missing");
    refused_at_start("[{\"id\":\"acme-id\",\"type\":\"hmac-webhook\",\"orderUrl\":\"" ORDER_URL
                     "\"}]",
                     "connector \"acme-id\" needs exactly one of \"secretEnv\" and \"secretFile\"");
    /* A method naming a connector that exists nowhere. */
    refused_at_start("[]", "has a missing or bad \"connector\"");
}

int main(void)
{
    unsetenv("SIGNET_TEST_UNSET_SECRET");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_configured_partner_identifies_through_its_webhook),
        cmocka_unit_test(a_bad_connector_stops_the_start),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
