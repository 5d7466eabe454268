/*
 * The OAuth 2.0 token endpoint, JWKS, discovery and the bearer middleware, seen from outside:
 * both client authentication methods, every RFC 6749 §5.2 error, scope narrowing, forged
 * tokens (another key, alg none, HS256, tampered payload, unknown kid), revocation of a client
 * while its token is still valid, key rotation, and the token endpoint's rate limit.
 * Forged signatures are made with the openssl command-line tool.
 */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define TOKEN_PATH     "/realms/signet/protocol/openid-connect/token"
#define CERTS_PATH     "/realms/signet/protocol/openid-connect/certs"
#define USERINFO_PATH  "/realms/signet/protocol/openid-connect/userinfo"
#define DISCOVERY_PATH "/realms/signet/.well-known/openid-configuration"
#define ALL_SCOPES     "sswp:process:create sswp:process:read sswp:process:read:all"

struct client {
    char id[128];
    char secret[128];
};

static struct server srv;
static char data_dir[256];
static char org_id[128];
static struct client full, reader, doomed, scopeless;
/* A second server some tests start; stopped by teardown_aux even when the test fails. */
static struct server aux;

/* ---- helpers ---- */

static json_t *run_json(const char *const *args)
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

static void create_client(const char *scopes, struct client *c)
{
    const char *args[] = {"admin",  "client", "create",      "--org", org_id,   "--scopes", scopes,
                          "--data", data_dir, "--log-level", "error", "--json", NULL};
    json_t *j = run_json(args);
    snprintf(c->id, sizeof c->id, "%s", json_string_value(json_object_get(j, "client_id")));
    snprintf(c->secret, sizeof c->secret, "%s",
             json_string_value(json_object_get(j, "client_secret")));
    json_decref(j);
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    const char *org[] = {"admin",  "org",         "create", "--name", "Acme", "--data",
                         data_dir, "--log-level", "error",  "--json", NULL};
    json_t *j = run_json(org);
    snprintf(org_id, sizeof org_id, "%s", json_string_value(json_object_get(j, "id")));
    json_decref(j);
    create_client(ALL_SCOPES, &full);
    create_client("sswp:process:read", &reader);
    create_client(ALL_SCOPES, &doomed);
    /* The CLI refuses clients without scopes; one may still exist in the store (older data,
     * other tooling): make one directly in the database. */
    create_client("sswp:process:read", &scopeless);
    char q[256];
    snprintf(q, sizeof q, "UPDATE api_clients SET scopes = '' WHERE id = '%s'", scopeless.id);
    if (!test_sql(data_dir, q, NULL, 0))
        return -1;
    return server_start(&srv, data_dir, NULL) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

static int teardown_aux(void **state)
{
    (void)state;
    if (aux.pid > 0)
        server_stop(&aux, false);
    aux.pid = 0;
    return 0;
}

static const char *const form_ct[] = {"Content-Type: application/x-www-form-urlencoded", NULL};

static void post_form(const struct server *s, const char *path, const char *auth, const char *body,
                      struct response *r)
{
    char auth_hdr[1024];
    const char *headers[3] = {form_ct[0], NULL, NULL};
    if (auth) {
        snprintf(auth_hdr, sizeof auth_hdr, "Authorization: %s", auth);
        headers[1] = auth_hdr;
    }
    assert_true(http(s, "POST", path, headers, body, strlen(body), r));
}

static void get_bearer(const char *path, const char *token, struct response *r)
{
    char auth_hdr[9000];
    snprintf(auth_hdr, sizeof auth_hdr, "Authorization: Bearer %s", token);
    const char *headers[] = {auth_hdr, NULL};
    assert_true(http(&srv, "GET", path, headers, NULL, 0, r));
}

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64 without padding; url: base64url, else standard with padding. Owned result. */
static char *b64(const unsigned char *d, size_t n, bool url)
{
    const char *a =
        url ? b64url_alphabet : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc(n * 4 / 3 + 8), *o = out;
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
        *o++ = a[v >> 18];
        *o++ = a[(v >> 12) & 63];
        *o++ = a[(v >> 6) & 63];
        *o++ = a[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0);
        *o++ = a[v >> 18];
        *o++ = a[(v >> 12) & 63];
        if (i + 1 < n)
            *o++ = a[(v >> 6) & 63];
        if (!url) {
            if (i + 1 >= n)
                *o++ = '=';
            *o++ = '=';
        }
    }
    *o = '\0';
    return out;
}

static char *b64url_str(const char *s)
{
    return b64((const unsigned char *)s, strlen(s), true);
}

static char *b64url_decode(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        const char *p = strchr(b64url_alphabet, s[i]);
        assert_non_null(p);
        acc = acc << 6 | (unsigned)(p - b64url_alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[n] = '\0';
    return out;
}

/* Percent-encodes everything but unreserved characters (form-urlencoded). */
static void urlencode(const char *s, char *out, size_t len)
{
    size_t n = 0;
    for (; *s && n + 4 < len; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~')
            out[n++] = (char)c;
        else
            n += (size_t)snprintf(out + n, len - n, "%%%02X", c);
    }
    out[n] = '\0';
}

static void basic_auth(const struct client *c, const char *secret, char *out, size_t len)
{
    char id_enc[400], secret_enc[400], both[900];
    urlencode(c->id, id_enc, sizeof id_enc);
    urlencode(secret, secret_enc, sizeof secret_enc);
    snprintf(both, sizeof both, "%s:%s", id_enc, secret_enc);
    char *enc = b64((const unsigned char *)both, strlen(both), false);
    snprintf(out, len, "Basic %s", enc);
    free(enc);
}

/* A token for c by client_secret_post; scope may be NULL. Owned result. */
static char *issue_token(const struct client *c, const char *scope)
{
    char body[1024], scope_enc[400];
    struct response r;
    if (scope) {
        urlencode(scope, scope_enc, sizeof scope_enc);
        snprintf(body, sizeof body,
                 "grant_type=client_credentials&client_id=%s&client_secret=%s&scope=%s", c->id,
                 c->secret, scope_enc);
    } else {
        snprintf(body, sizeof body, "grant_type=client_credentials&client_id=%s&client_secret=%s",
                 c->id, c->secret);
    }
    post_form(&srv, TOKEN_PATH, NULL, body, &r);
    if (r.status != 200)
        fprintf(stderr, "token request failed: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 200);
    char *t = strdup(json_string_value(json_object_get(r.json, "access_token")));
    response_free(&r);
    return t;
}

/* Part i (0 header, 1 payload) of a token, decoded and parsed. */
static json_t *token_part(const char *token, int i)
{
    const char *start = token;
    for (int k = 0; k < i; k++)
        start = strchr(start, '.') + 1;
    const char *end = strchr(start, '.');
    char *raw = b64url_decode(start, (size_t)(end - start));
    json_t *j = json_loads(raw, 0, NULL);
    free(raw);
    assert_non_null(j);
    return j;
}

static void assert_token_error(const struct response *r, long status, const char *error)
{
    if (r->status != status)
        fprintf(stderr, "expected %ld %s, got %ld: %s\n", status, error, r->status, r->body);
    assert_int_equal(r->status, status);
    assert_non_null(r->json);
    assert_string_equal(json_string_value(json_object_get(r->json, "error")), error);
    assert_true(json_is_string(json_object_get(r->json, "error_description")));
    char cc[64];
    assert_true(response_header(r, "Cache-Control", cc, sizeof cc));
    assert_string_equal(cc, "no-store");
}

/* 401 Error object with a Bearer invalid_token challenge whose description mentions what. */
static void assert_invalid_token(const struct response *r, const char *what)
{
    assert_error_object(r, 401, "Unauthorized");
    char www[512];
    assert_true(response_header(r, "WWW-Authenticate", www, sizeof www));
    assert_non_null(strstr(www, "Bearer "));
    assert_non_null(strstr(www, "error=\"invalid_token\""));
    if (!strstr(www, what))
        fprintf(stderr, "challenge '%s' does not mention '%s'\n", www, what);
    assert_non_null(strstr(www, what));
}

static char *current_kid(void)
{
    struct response r;
    assert_true(http(&srv, "GET", CERTS_PATH, NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    json_t *keys = json_object_get(r.json, "keys");
    char *kid = strdup(json_string_value(json_object_get(json_array_get(keys, 0), "kid")));
    response_free(&r);
    return kid;
}

/* ES256 signature r||s of input with the P-256 key in key_pem (a fresh one when NULL), via
 * the openssl tool. */
static void openssl_es256_with(const char *key_pem, const char *input, unsigned char sig[64])
{
    char dir[] = "/tmp/signet-forge-XXXXXX", cmd[2048], path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/in", dir);
    FILE *f = fopen(path, "w");
    fputs(input, f);
    fclose(f);
    if (key_pem)
        snprintf(cmd, sizeof cmd, "openssl dgst -sha256 -sign %s -out %s/sig %s/in", key_pem, dir,
                 dir);
    else
        snprintf(cmd, sizeof cmd,
                 "openssl ecparam -name prime256v1 -genkey -noout -out %s/k.pem && "
                 "openssl dgst -sha256 -sign %s/k.pem -out %s/sig %s/in",
                 dir, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    unsigned char der[128];
    snprintf(path, sizeof path, "%s/sig", dir);
    f = fopen(path, "rb");
    size_t n = fread(der, 1, sizeof der, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    /* DER: 30 len 02 rlen r 02 slen s, integers possibly with a leading 00 */
    assert_true(n > 8 && der[0] == 0x30 && der[2] == 0x02);
    size_t p = 2;
    for (int k = 0; k < 2; k++) {
        assert_int_equal(der[p], 0x02);
        size_t len = der[p + 1];
        const unsigned char *v = der + p + 2;
        while (len > 32) {
            v++;
            len--;
        }
        memset(sig + 32 * k, 0, 32);
        memcpy(sig + 32 * k + (32 - len), v, len);
        p += 2 + der[p + 1];
    }
}

static void openssl_es256(const char *input, unsigned char sig[64])
{
    openssl_es256_with(NULL, input, sig);
}

/* header(JSON text).payload(b64url segment).signature(b64url of sig) */
static char *assemble(const char *header_json, const char *payload_seg, const unsigned char *sig,
                      size_t sig_len)
{
    char *h = b64url_str(header_json);
    char *s = sig_len ? b64(sig, sig_len, true) : strdup("");
    size_t n = strlen(h) + strlen(payload_seg) + strlen(s) + 3;
    char *out = malloc(n);
    snprintf(out, n, "%s.%s.%s", h, payload_seg, s);
    free(h);
    free(s);
    return out;
}

static char *payload_segment(const char *token)
{
    const char *a = strchr(token, '.') + 1, *b = strchr(a, '.');
    char *seg = malloc((size_t)(b - a) + 1);
    memcpy(seg, a, (size_t)(b - a));
    seg[b - a] = '\0';
    return seg;
}

/* ---- discovery and JWKS ---- */

static void discovery_describes_the_realm(void **state)
{
    (void)state;
    struct response r;
    char want[256];
    assert_true(http(&srv, "GET", DISCOVERY_PATH, NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    snprintf(want, sizeof want, "%s/realms/signet", srv.base);
    assert_string_equal(json_string_value(json_object_get(r.json, "issuer")), want);
    snprintf(want, sizeof want, "%s%s", srv.base, TOKEN_PATH);
    assert_string_equal(json_string_value(json_object_get(r.json, "token_endpoint")), want);
    snprintf(want, sizeof want, "%s%s", srv.base, CERTS_PATH);
    assert_string_equal(json_string_value(json_object_get(r.json, "jwks_uri")), want);
    json_t *grants = json_object_get(r.json, "grant_types_supported");
    assert_int_equal(json_array_size(grants), 1);
    assert_string_equal(json_string_value(json_array_get(grants, 0)), "client_credentials");
    json_t *methods = json_object_get(r.json, "token_endpoint_auth_methods_supported");
    assert_int_equal(json_array_size(methods), 2);
    assert_string_equal(json_string_value(json_array_get(methods, 0)), "client_secret_basic");
    assert_string_equal(json_string_value(json_array_get(methods, 1)), "client_secret_post");
    json_t *algs = json_object_get(r.json, "id_token_signing_alg_values_supported");
    assert_string_equal(json_string_value(json_array_get(algs, 0)), "ES256");
    response_free(&r);
}

static void jwks_publishes_the_p256_signing_key(void **state)
{
    (void)state;
    struct response r;
    assert_true(http(&srv, "GET", CERTS_PATH, NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    json_t *keys = json_object_get(r.json, "keys");
    assert_int_equal(json_array_size(keys), 1);
    json_t *k = json_array_get(keys, 0);
    assert_string_equal(json_string_value(json_object_get(k, "kty")), "EC");
    assert_string_equal(json_string_value(json_object_get(k, "crv")), "P-256");
    assert_string_equal(json_string_value(json_object_get(k, "alg")), "ES256");
    assert_string_equal(json_string_value(json_object_get(k, "use")), "sig");
    assert_int_equal(strlen(json_string_value(json_object_get(k, "x"))), 43);
    assert_int_equal(strlen(json_string_value(json_object_get(k, "y"))), 43);
    assert_int_equal(strlen(json_string_value(json_object_get(k, "kid"))), 43);
    assert_null(json_object_get(k, "d")); /* never the private part */
    response_free(&r);
}

static void other_realm_is_404(void **state)
{
    (void)state;
    struct response r;
    post_form(&srv, "/realms/other/protocol/openid-connect/token", NULL,
              "grant_type=client_credentials", &r);
    assert_error_object(&r, 404, "NotFound");
    response_free(&r);
    assert_true(
        http(&srv, "GET", "/realms/other/.well-known/openid-configuration", NULL, NULL, 0, &r));
    assert_error_object(&r, 404, "NotFound");
    response_free(&r);
}

/* ---- issuing ---- */

static void client_secret_post_issues_an_es256_token(void **state)
{
    (void)state;
    char body[512];
    struct response r;
    snprintf(body, sizeof body, "grant_type=client_credentials&client_id=%s&client_secret=%s",
             full.id, full.secret);
    post_form(&srv, TOKEN_PATH, NULL, body, &r);
    assert_int_equal(r.status, 200);
    char hv[64];
    assert_true(response_header(&r, "Cache-Control", hv, sizeof hv));
    assert_string_equal(hv, "no-store");
    assert_true(response_header(&r, "Pragma", hv, sizeof hv));
    assert_string_equal(hv, "no-cache");
    assert_string_equal(json_string_value(json_object_get(r.json, "token_type")), "Bearer");
    assert_int_equal(json_integer_value(json_object_get(r.json, "expires_in")), 300);
    assert_string_equal(json_string_value(json_object_get(r.json, "scope")), ALL_SCOPES);
    const char *token = json_string_value(json_object_get(r.json, "access_token"));
    json_t *h = token_part(token, 0), *c = token_part(token, 1);
    char *kid = current_kid();
    assert_string_equal(json_string_value(json_object_get(h, "alg")), "ES256");
    assert_string_equal(json_string_value(json_object_get(h, "kid")), kid);
    char iss[256];
    snprintf(iss, sizeof iss, "%s/realms/signet", srv.base);
    assert_string_equal(json_string_value(json_object_get(c, "iss")), iss);
    assert_string_equal(json_string_value(json_object_get(c, "sub")), full.id);
    assert_string_equal(json_string_value(json_object_get(c, "client_id")), full.id);
    assert_string_equal(json_string_value(json_object_get(c, "azp")), full.id);
    assert_string_equal(json_string_value(json_object_get(c, "aud")), "signet-sign-api");
    assert_string_equal(json_string_value(json_object_get(c, "organization_id")), org_id);
    assert_string_equal(json_string_value(json_object_get(c, "scope")), ALL_SCOPES);
    assert_int_equal(strlen(json_string_value(json_object_get(c, "jti"))), 36);
    json_int_t iat = json_integer_value(json_object_get(c, "iat"));
    assert_int_equal(json_integer_value(json_object_get(c, "exp")) - iat, 300);
    assert_int_equal(json_integer_value(json_object_get(c, "nbf")), iat);
    free(kid);
    json_decref(h);
    json_decref(c);
    response_free(&r);
}

static void client_secret_basic_issues_a_token(void **state)
{
    (void)state;
    char auth[1024];
    struct response r;
    basic_auth(&full, full.secret, auth, sizeof auth);
    post_form(&srv, TOKEN_PATH, auth, "grant_type=client_credentials", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "token_type")), "Bearer");
    response_free(&r);
}

static void token_works_at_userinfo(void **state)
{
    (void)state;
    char *t = issue_token(&full, NULL);
    struct response r;
    get_bearer(USERINFO_PATH, t, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "sub")), full.id);
    assert_string_equal(json_string_value(json_object_get(r.json, "client_id")), full.id);
    assert_string_equal(json_string_value(json_object_get(r.json, "organization_id")), org_id);
    assert_string_equal(json_string_value(json_object_get(r.json, "scope")), ALL_SCOPES);
    response_free(&r);
    get_bearer(USERINFO_PATH, t, &r); /* second time: from the verified-token cache */
    assert_int_equal(r.status, 200);
    response_free(&r);
    free(t);
}

static void scope_parameter_narrows_the_grant(void **state)
{
    (void)state;
    char *t = issue_token(&full, "sswp:process:read sswp:process:read");
    json_t *c = token_part(t, 1);
    assert_string_equal(json_string_value(json_object_get(c, "scope")), "sswp:process:read");
    struct response r;
    get_bearer(USERINFO_PATH, t, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "scope")), "sswp:process:read");
    response_free(&r);
    json_decref(c);
    free(t);
}

/* ---- RFC 6749 §5.2 errors ---- */

static void wrong_secret_is_invalid_client(void **state)
{
    (void)state;
    char body[512], auth[1024], www[128];
    struct response r;
    snprintf(body, sizeof body, "grant_type=client_credentials&client_id=%s&client_secret=nope",
             full.id);
    post_form(&srv, TOKEN_PATH, NULL, body, &r);
    assert_token_error(&r, 401, "invalid_client");
    assert_false(response_header(&r, "WWW-Authenticate", www, sizeof www));
    response_free(&r);
    /* with Basic the answer carries a Basic challenge */
    basic_auth(&full, "nope", auth, sizeof auth);
    post_form(&srv, TOKEN_PATH, auth, "grant_type=client_credentials", &r);
    assert_token_error(&r, 401, "invalid_client");
    assert_true(response_header(&r, "WWW-Authenticate", www, sizeof www));
    assert_non_null(strstr(www, "Basic"));
    response_free(&r);
    /* malformed Basic credentials */
    post_form(&srv, TOKEN_PATH, "Basic !!!", "grant_type=client_credentials", &r);
    assert_token_error(&r, 401, "invalid_client");
    assert_true(response_header(&r, "WWW-Authenticate", www, sizeof www));
    response_free(&r);
}

static void unknown_or_missing_client_is_invalid_client(void **state)
{
    (void)state;
    struct response r;
    post_form(&srv, TOKEN_PATH, NULL,
              "grant_type=client_credentials&client_id=ghost&client_secret=boo", &r);
    assert_token_error(&r, 401, "invalid_client");
    response_free(&r);
    post_form(&srv, TOKEN_PATH, NULL, "grant_type=client_credentials", &r);
    assert_token_error(&r, 401, "invalid_client");
    response_free(&r);
}

static void malformed_requests_are_invalid_request(void **state)
{
    (void)state;
    char body[512], auth[1024];
    struct response r;
    /* no grant_type */
    snprintf(body, sizeof body, "client_id=%s&client_secret=%s", full.id, full.secret);
    post_form(&srv, TOKEN_PATH, NULL, body, &r);
    assert_token_error(&r, 400, "invalid_request");
    response_free(&r);
    /* a parameter twice */
    snprintf(body, sizeof body,
             "grant_type=client_credentials&grant_type=client_credentials&client_id=%s&"
             "client_secret=%s",
             full.id, full.secret);
    post_form(&srv, TOKEN_PATH, NULL, body, &r);
    assert_token_error(&r, 400, "invalid_request");
    response_free(&r);
    /* two authentication methods */
    basic_auth(&full, full.secret, auth, sizeof auth);
    snprintf(body, sizeof body, "grant_type=client_credentials&client_secret=%s", full.secret);
    post_form(&srv, TOKEN_PATH, auth, body, &r);
    assert_token_error(&r, 400, "invalid_request");
    response_free(&r);
    /* broken percent-encoding */
    snprintf(body, sizeof body, "grant_type=client%%2&client_id=%s&client_secret=%s", full.id,
             full.secret);
    post_form(&srv, TOKEN_PATH, NULL, body, &r);
    assert_token_error(&r, 400, "invalid_request");
    response_free(&r);
}

static void percent_encoded_parameters_are_decoded(void **state)
{
    (void)state;
    char body[512];
    struct response r;
    snprintf(body, sizeof body,
             "grant%%5Ftype=client%%5Fcredentials&client_id=%s&client_secret=%s&"
             "scope=sswp%%3Aprocess%%3Aread+sswp:process:create",
             full.id, full.secret);
    post_form(&srv, TOKEN_PATH, NULL, body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "scope")),
                        "sswp:process:read sswp:process:create");
    response_free(&r);
}

static void other_grant_type_is_unsupported(void **state)
{
    (void)state;
    char body[512];
    struct response r;
    snprintf(body, sizeof body,
             "grant_type=password&username=a&password=b&client_id=%s&client_secret=%s", full.id,
             full.secret);
    post_form(&srv, TOKEN_PATH, NULL, body, &r);
    assert_token_error(&r, 400, "unsupported_grant_type");
    response_free(&r);
}

static void scope_not_granted_is_invalid_scope(void **state)
{
    (void)state;
    char body[512];
    struct response r;
    snprintf(body, sizeof body,
             "grant_type=client_credentials&client_id=%s&client_secret=%s&"
             "scope=sswp%%3Aprocess%%3Acreate",
             reader.id, reader.secret);
    post_form(&srv, TOKEN_PATH, NULL, body, &r);
    assert_token_error(&r, 400, "invalid_scope");
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "error_description")),
                           "sswp:process:create"));
    response_free(&r);
}

static void client_without_scopes_is_unauthorized_client(void **state)
{
    (void)state;
    char body[512];
    struct response r;
    snprintf(body, sizeof body, "grant_type=client_credentials&client_id=%s&client_secret=%s",
             scopeless.id, scopeless.secret);
    post_form(&srv, TOKEN_PATH, NULL, body, &r);
    assert_token_error(&r, 400, "unauthorized_client");
    response_free(&r);
}

/* ---- bearer middleware ---- */

static void missing_token_gets_a_bare_challenge(void **state)
{
    (void)state;
    struct response r;
    char www[256];
    assert_true(http(&srv, "GET", USERINFO_PATH, NULL, NULL, 0, &r));
    assert_error_object(&r, 401, "Unauthorized");
    assert_true(response_header(&r, "WWW-Authenticate", www, sizeof www));
    assert_string_equal(www, "Bearer realm=\"signet\"");
    response_free(&r);
    get_bearer(USERINFO_PATH, "not-a-jwt", &r);
    assert_invalid_token(&r, "well-formed");
    response_free(&r);
}

static void token_signed_by_another_key_is_rejected(void **state)
{
    (void)state;
    char *t = issue_token(&full, NULL);
    /* same header and payload, signature by a key the server never saw */
    const char *last = strrchr(t, '.');
    char *input = strndup(t, (size_t)(last - t));
    unsigned char sig[64];
    openssl_es256(input, sig);
    char *s64 = b64(sig, 64, true);
    size_t n = strlen(input) + strlen(s64) + 2;
    char *forged = malloc(n);
    snprintf(forged, n, "%s.%s", input, s64);
    struct response r;
    get_bearer(USERINFO_PATH, forged, &r);
    assert_invalid_token(&r, "signature");
    response_free(&r);
    free(forged);
    free(s64);
    free(input);
    free(t);
}

static void alg_none_and_hs256_are_rejected(void **state)
{
    (void)state;
    char *t = issue_token(&full, NULL);
    char *kid = current_kid();
    char *payload = payload_segment(t);
    char header[256];
    struct response r;
    snprintf(header, sizeof header, "{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
    char *none = assemble(header, payload, NULL, 0);
    get_bearer(USERINFO_PATH, none, &r);
    assert_invalid_token(&r, "algorithm");
    response_free(&r);
    /* HS256 keyed with the public key's bytes (the classic key-confusion attack) */
    snprintf(header, sizeof header, "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
    struct response jwks;
    assert_true(http(&srv, "GET", CERTS_PATH, NULL, NULL, 0, &jwks));
    char *pub = json_dumps(json_array_get(json_object_get(jwks.json, "keys"), 0), JSON_COMPACT);
    char *h64 = b64url_str(header);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "printf '%%s' '%s.%s' | openssl dgst -sha256 -mac HMAC -macopt 'key:%s' -binary", h64,
             payload, pub);
    FILE *p = popen(cmd, "r");
    unsigned char mac[32];
    assert_int_equal(fread(mac, 1, 32, p), 32);
    assert_int_equal(pclose(p), 0);
    char *hs = assemble(header, payload, mac, 32);
    get_bearer(USERINFO_PATH, hs, &r);
    assert_invalid_token(&r, "algorithm");
    response_free(&r);
    response_free(&jwks);
    free(h64);
    free(pub);
    free(hs);
    free(none);
    free(payload);
    free(kid);
    free(t);
}

static void tampered_payload_is_rejected(void **state)
{
    (void)state;
    char *t = issue_token(&reader, NULL);
    json_t *c = token_part(t, 1);
    json_object_set_new(c, "scope", json_string(ALL_SCOPES));
    char *text = json_dumps(c, JSON_COMPACT);
    char *p64 = b64url_str(text);
    const char *d1 = strchr(t, '.'), *d2 = strrchr(t, '.');
    size_t n = strlen(t) + strlen(p64) + 2;
    char *forged = malloc(n);
    snprintf(forged, n, "%.*s.%s%s", (int)(d1 - t), t, p64, d2);
    struct response r;
    get_bearer(USERINFO_PATH, forged, &r);
    assert_invalid_token(&r, "signature");
    response_free(&r);
    /* the genuine token still works */
    get_bearer(USERINFO_PATH, t, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    free(forged);
    free(p64);
    free(text);
    json_decref(c);
    free(t);
}

static void unknown_kid_is_rejected(void **state)
{
    (void)state;
    char *t = issue_token(&full, NULL);
    char *payload = payload_segment(t);
    char *h64 = b64url_str("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"no-such-key\"}");
    size_t n = strlen(h64) + strlen(payload) + 2;
    char *input = malloc(n);
    snprintf(input, n, "%s.%s", h64, payload);
    unsigned char sig[64];
    openssl_es256(input, sig);
    char *forged =
        assemble("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"no-such-key\"}", payload, sig, 64);
    struct response r;
    get_bearer(USERINFO_PATH, forged, &r);
    assert_invalid_token(&r, "unknown key");
    response_free(&r);
    free(forged);
    free(input);
    free(h64);
    free(payload);
    free(t);
}

static void revoked_client_loses_access_at_once(void **state)
{
    (void)state;
    char *t = issue_token(&doomed, NULL);
    struct response r;
    get_bearer(USERINFO_PATH, t, &r); /* verified and cached */
    assert_int_equal(r.status, 200);
    response_free(&r);
    const char *args[] = {"admin",  "client",      "revoke", doomed.id, "--data",
                          data_dir, "--log-level", "error",  NULL};
    char out[1024], err[1024];
    assert_int_equal(run_signet(args, out, sizeof out, err, sizeof err), 0);
    get_bearer(USERINFO_PATH, t, &r);
    assert_invalid_token(&r, "revoked");
    response_free(&r);
    char body[512];
    snprintf(body, sizeof body, "grant_type=client_credentials&client_id=%s&client_secret=%s",
             doomed.id, doomed.secret);
    post_form(&srv, TOKEN_PATH, NULL, body, &r);
    assert_token_error(&r, 401, "invalid_client");
    response_free(&r);
    free(t);
}

static void rotation_keeps_old_tokens_valid(void **state)
{
    (void)state;
    char *old_token = issue_token(&full, NULL);
    char *old_kid = current_kid();
    const char *args[] = {"admin",       "jwk",   "rotate", "--data", data_dir,
                          "--log-level", "error", "--json", NULL};
    json_t *j = run_json(args);
    const char *new_kid = json_string_value(json_object_get(j, "kid"));
    assert_string_not_equal(new_kid, old_kid);
    char *new_token = issue_token(&full, NULL);
    json_t *h = token_part(new_token, 0);
    assert_string_equal(json_string_value(json_object_get(h, "kid")), new_kid);
    struct response r;
    get_bearer(USERINFO_PATH, old_token, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    get_bearer(USERINFO_PATH, new_token, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    assert_true(http(&srv, "GET", CERTS_PATH, NULL, NULL, 0, &r));
    json_t *keys = json_object_get(r.json, "keys");
    assert_int_equal(json_array_size(keys), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(keys, 0), "kid")),
                        new_kid);
    assert_string_equal(json_string_value(json_object_get(json_array_get(keys, 1), "kid")),
                        old_kid);
    response_free(&r);
    json_decref(h);
    json_decref(j);
    free(old_kid);
    free(old_token);
    free(new_token);
}

/* ---- external issuer ---- */

#define EXT_ISSUER "https://idp.example/realms/partners"

/* Makes a P-256 key at dir/name.pem and returns its public JWK with kid (new reference). */
static json_t *ext_key(const char *dir, const char *name, const char *kid)
{
    char cmd[1024], path[512];
    snprintf(cmd, sizeof cmd,
             "openssl ecparam -name prime256v1 -genkey -noout -out %s/%s.pem && "
             "openssl ec -in %s/%s.pem -pubout -outform DER -out %s/%s.der 2>/dev/null",
             dir, name, dir, name, dir, name);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/%s.der", dir, name);
    unsigned char der[200];
    FILE *f = fopen(path, "rb");
    size_t n = fread(der, 1, sizeof der, f);
    fclose(f);
    /* SubjectPublicKeyInfo of a P-256 key ends with the point 04 || x || y */
    assert_int_equal(n, 91);
    assert_int_equal(der[n - 65], 0x04);
    char *x = b64(der + n - 64, 32, true), *y = b64(der + n - 32, 32, true);
    json_t *jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x", x,
                            "y", y, "kid", kid, "alg", "ES256");
    free(x);
    free(y);
    return jwk;
}

static void write_jwks(const char *dir, json_t *keys)
{
    char path[512], tmp[512];
    snprintf(path, sizeof path, "%s/jwks.json", dir);
    snprintf(tmp, sizeof tmp, "%s/jwks.json.tmp", dir);
    json_t *doc = json_pack("{s:O}", "keys", keys);
    assert_int_equal(json_dump_file(doc, tmp, JSON_COMPACT), 0);
    assert_int_equal(rename(tmp, path), 0);
    json_decref(doc);
}

/* A token of the external issuer signed with dir/key_name.pem. */
static char *ext_token(const char *dir, const char *key_name, const char *kid, const char *aud,
                       const char *org)
{
    char header[256], key_path[512];
    snprintf(header, sizeof header, "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
    json_int_t now = (json_int_t)time(NULL);
    json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "iss", EXT_ISSUER, "sub",
                          "partner-app", "client_id", "partner-app", "aud", aud, "scope",
                          "sswp:process:read", "organization_id", org, "iat", now, "nbf", now,
                          "exp", now + 300);
    char *text = json_dumps(c, JSON_COMPACT);
    char *p64 = b64url_str(text), *h64 = b64url_str(header);
    size_t n = strlen(h64) + strlen(p64) + 2;
    char *input = malloc(n);
    snprintf(input, n, "%s.%s", h64, p64);
    unsigned char sig[64];
    snprintf(key_path, sizeof key_path, "%s/%s.pem", dir, key_name);
    openssl_es256_with(key_path, input, sig);
    char *t = assemble(header, p64, sig, 64);
    free(input);
    free(h64);
    free(p64);
    free(text);
    json_decref(c);
    return t;
}

static void external_issuer_tokens_are_accepted(void **state)
{
    (void)state;
    char dir[64], jwks_path[256], org[128];
    assert_true(make_data_dir(dir, sizeof dir));
    const char *org_args[] = {"admin", "org",         "create", "--name", "Partner", "--data",
                              dir,     "--log-level", "error",  "--json", NULL};
    json_t *j = run_json(org_args);
    snprintf(org, sizeof org, "%s", json_string_value(json_object_get(j, "id")));
    json_decref(j);
    json_t *keys = json_array();
    json_array_append_new(keys, ext_key(dir, "k1", "ext-1"));
    json_t *k2 = ext_key(dir, "k2", "ext-2");
    write_jwks(dir, keys);
    snprintf(jwks_path, sizeof jwks_path, "%s/jwks.json", dir);
    const char *extra[] = {"--external-issuer", EXT_ISSUER, "--external-jwks", jwks_path, NULL};
    assert_true(server_start(&aux, dir, extra));
    struct response r;
    char auth_hdr[9000];
    const char *headers[] = {auth_hdr, NULL};

    char *t = ext_token(dir, "k1", "ext-1", "signet-sign-api", org);
    snprintf(auth_hdr, sizeof auth_hdr, "Authorization: Bearer %s", t);
    assert_true(http(&aux, "GET", USERINFO_PATH, headers, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "client_id")), "partner-app");
    assert_string_equal(json_string_value(json_object_get(r.json, "organization_id")), org);
    assert_string_equal(json_string_value(json_object_get(r.json, "scope")), "sswp:process:read");
    response_free(&r);
    free(t);

    /* an organization that does not exist here */
    t = ext_token(dir, "k1", "ext-1", "signet-sign-api", "00000000-0000-4000-8000-000000000000");
    snprintf(auth_hdr, sizeof auth_hdr, "Authorization: Bearer %s", t);
    assert_true(http(&aux, "GET", USERINFO_PATH, headers, NULL, 0, &r));
    assert_invalid_token(&r, "organization");
    response_free(&r);
    free(t);

    /* meant for another API */
    t = ext_token(dir, "k1", "ext-1", "someone-else", org);
    snprintf(auth_hdr, sizeof auth_hdr, "Authorization: Bearer %s", t);
    assert_true(http(&aux, "GET", USERINFO_PATH, headers, NULL, 0, &r));
    assert_invalid_token(&r, "audience");
    response_free(&r);
    free(t);

    /* the issuer publishes a new key: an unknown kid makes us read the JWKS again */
    json_array_append_new(keys, k2);
    write_jwks(dir, keys);
    t = ext_token(dir, "k2", "ext-2", "signet-sign-api", org);
    snprintf(auth_hdr, sizeof auth_hdr, "Authorization: Bearer %s", t);
    assert_true(http(&aux, "GET", USERINFO_PATH, headers, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    response_free(&r);
    free(t);

    /* a kid the issuer never published */
    t = ext_token(dir, "k2", "ext-3", "signet-sign-api", org);
    snprintf(auth_hdr, sizeof auth_hdr, "Authorization: Bearer %s", t);
    assert_true(http(&aux, "GET", USERINFO_PATH, headers, NULL, 0, &r));
    assert_invalid_token(&r, "unknown key");
    response_free(&r);
    free(t);

    json_decref(keys);
    assert_int_equal(server_stop(&aux, false), 0);
    aux.pid = 0;
}

static void token_endpoint_is_rate_limited(void **state)
{
    (void)state;
    const char *extra[] = {"--token-rate", "1", "--token-burst", "2", NULL};
    char dir[64];
    assert_true(make_data_dir(dir, sizeof dir));
    assert_true(server_start(&aux, dir, extra));
    struct response r;
    for (int i = 0; i < 2; i++) {
        post_form(&aux, TOKEN_PATH, NULL, "grant_type=client_credentials", &r);
        assert_token_error(&r, 401, "invalid_client");
        response_free(&r);
    }
    post_form(&aux, TOKEN_PATH, NULL, "grant_type=client_credentials", &r);
    assert_token_error(&r, 429, "slow_down");
    char retry[16];
    assert_true(response_header(&r, "Retry-After", retry, sizeof retry));
    assert_string_equal(retry, "1");
    response_free(&r);
    assert_int_equal(server_stop(&aux, false), 0);
    aux.pid = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(discovery_describes_the_realm),
        cmocka_unit_test(jwks_publishes_the_p256_signing_key),
        cmocka_unit_test(other_realm_is_404),
        cmocka_unit_test(client_secret_post_issues_an_es256_token),
        cmocka_unit_test(client_secret_basic_issues_a_token),
        cmocka_unit_test(token_works_at_userinfo),
        cmocka_unit_test(scope_parameter_narrows_the_grant),
        cmocka_unit_test(wrong_secret_is_invalid_client),
        cmocka_unit_test(unknown_or_missing_client_is_invalid_client),
        cmocka_unit_test(malformed_requests_are_invalid_request),
        cmocka_unit_test(percent_encoded_parameters_are_decoded),
        cmocka_unit_test(other_grant_type_is_unsupported),
        cmocka_unit_test(scope_not_granted_is_invalid_scope),
        cmocka_unit_test(client_without_scopes_is_unauthorized_client),
        cmocka_unit_test(missing_token_gets_a_bare_challenge),
        cmocka_unit_test(token_signed_by_another_key_is_rejected),
        cmocka_unit_test(alg_none_and_hs256_are_rejected),
        cmocka_unit_test(tampered_payload_is_rejected),
        cmocka_unit_test(unknown_kid_is_rejected),
        cmocka_unit_test(revoked_client_loses_access_at_once),
        cmocka_unit_test(rotation_keeps_old_tokens_valid),
        cmocka_unit_test_teardown(external_issuer_tokens_are_accepted, teardown_aux),
        cmocka_unit_test_teardown(token_endpoint_is_rate_limited, teardown_aux),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
