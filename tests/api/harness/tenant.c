#include "tenant.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

json_t *run_json(const char *const *args)
{
    char out[8192] = "", err[8192] = "";
    int rc = run_signet(args, out, sizeof out, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "signet failed (%d): %s\n", rc, err);
    assert_int_equal(rc, 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    return j;
}

void tenant_create_org(const char *data_dir, const char *name, const char *type, char *id,
                       size_t id_len)
{
    const char *args[] = {"admin",  "org",    "create",      "--name", name,     "--type", type,
                          "--data", data_dir, "--log-level", "error",  "--json", NULL};
    json_t *j = run_json(args);
    snprintf(id, id_len, "%s", json_string_value(json_object_get(j, "id")));
    json_decref(j);
}

void tenant_create_client(const char *data_dir, const char *org, const char *scopes,
                          struct client *c)
{
    const char *args[] = {"admin",  "client", "create",      "--org", org,      "--scopes", scopes,
                          "--data", data_dir, "--log-level", "error", "--json", NULL};
    json_t *j = run_json(args);
    snprintf(c->id, sizeof c->id, "%s", json_string_value(json_object_get(j, "client_id")));
    snprintf(c->secret, sizeof c->secret, "%s",
             json_string_value(json_object_get(j, "client_secret")));
    json_decref(j);
}

char *tenant_issue_token(const struct server *s, const struct client *c)
{
    char body[1024];
    struct response r;
    snprintf(body, sizeof body, "grant_type=client_credentials&client_id=%s&client_secret=%s",
             c->id, c->secret);
    const char *h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    if (!http(s, "POST", TOKEN_PATH, h, body, strlen(body), &r) || r.status != 200) {
        fprintf(stderr, "token request failed: %ld %s\n", r.status, r.body ? r.body : "");
        response_free(&r);
        return NULL;
    }
    char *t = strdup(json_string_value(json_object_get(r.json, "access_token")));
    response_free(&r);
    return t;
}

void tenant_call(const struct server *s, const char *method, const char *path,
                 const struct client *c, const char *body, const char *idem_key, struct response *r)
{
    char auth[4096], idem[512];
    const char *h[4] = {NULL, NULL, NULL, NULL};
    size_t n = 0;
    if (c) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
        h[n++] = auth;
    }
    if (body)
        h[n++] = "Content-Type: application/json";
    if (idem_key) {
        snprintf(idem, sizeof idem, "Idempotency-Key: %s", idem_key);
        h[n++] = idem;
    }
    assert_true(http(s, method, path, h, body, body ? strlen(body) : 0, r));
}

/* Standard base64 with padding (the test links no Signet code). Owned string. */
char *b64_std(const unsigned char *d, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc((n + 2) / 3 * 4 + 1);
    assert_non_null(out);
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0) |
                     (i + 2 < n ? d[i + 2] : 0);
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        out[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? a[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

/* Reads a corpus file; *len its size. */
unsigned char *corpus(const char *name, size_t *len)
{
    const char *dir = getenv("SIGNET_CORPUS");
    assert_non_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc((size_t)n + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return data;
}

char *tenant_attach_body(const char *pdf, const char *ext_id, const char *positions)
{
    size_t len;
    unsigned char *data = corpus(pdf, &len);
    char *enc = b64_std(data, len);
    free(data);
    assert_non_null(enc);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", "Offer.pdf", "contentType",
                          "application/pdf", "content", enc, "externalIdentifier", ext_id,
                          "signaturePositions", json_loads(positions, 0, NULL));
    free(enc);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    assert_non_null(text);
    return text;
}
