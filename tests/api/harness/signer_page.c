/* Signer pages as a browser drives them: see signer_page.h. */
#include "signer_page.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *xs(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

void page_create_released(const struct server *s, const struct client *c, const char *level,
                          const char *release_body, struct page_process *p)
{
    page_create_released_with(s, c, level, release_body, "+41791234567", p);
}

void page_create_released_with(const struct server *s, const struct client *c, const char *level,
                               const char *release_body, const char *anna_mobile,
                               struct page_process *p)
{
    memset(p, 0, sizeof *p);
    char body[1024];
    snprintf(body, sizeof body,
             "{\"signatureLevel\":\"%s\",\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
             "\"invitees\":{\"signers\":["
             "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-a\",\"firstName\":\"Anna\","
             "\"lastName\":\"Muster\",\"email\":\"anna@example.com\",\"mobile\":\"%s\"},"
             "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-b\",\"firstName\":\"Beat\","
             "\"lastName\":\"Beispiel\",\"email\":\"beat@example.com\"}]}}",
             level, anna_mobile);
    struct response r;
    tenant_call(s, "POST", PROCESS_PATH, c, body, NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(p->id, sizeof p->id, "%s", xs(r.json, "id"));
    json_t *signers = json_object_get(json_object_get(r.json, "invitees"), "signers");
    for (size_t i = 0; i < json_array_size(signers); i++) {
        json_t *x = json_array_get(signers, i);
        char *dst = !strcmp(xs(x, "externalIdentifier"), "crm-a") ? p->a_id : p->b_id;
        snprintf(dst, 64, "%s", xs(x, "identification"));
    }
    response_free(&r);

    size_t len;
    unsigned char *data = corpus("simple-a4.pdf", &len);
    char *enc = b64_std(data, len);
    free(data);
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:o}", "name", "Offer.pdf", "contentType", "application/pdf", "content",
        enc, "signaturePositions",
        json_loads("[{\"signer\":\"crm-a\",\"pageNumber\":0,\"positionX\":60,\"positionY\":600},"
                   "{\"signer\":\"crm-b\",\"pageNumber\":0,\"positionX\":300,\"positionY\":600}]",
                   0, NULL));
    free(enc);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/attach", p->id);
    tenant_call(s, "POST", path, c, text, NULL, &r);
    free(text);
    assert_int_equal(r.status, 201);
    response_free(&r);

    snprintf(path, sizeof path, PROCESS_PATH "/%s/release", p->id);
    tenant_call(s, "POST", path, c, release_body, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *parts = json_object_get(r.json, "participants");
    for (size_t i = 0; i < json_array_size(parts); i++) {
        json_t *x = json_array_get(parts, i);
        const char *url = xs(x, "url");
        const char *tail = url ? strstr(url, "/ui/sign/") : NULL;
        if (tail && !strcmp(xs(x, "id"), p->a_id))
            snprintf(p->a_path, sizeof p->a_path, "%s", tail);
        if (tail && !strcmp(xs(x, "id"), p->b_id))
            snprintf(p->b_path, sizeof p->b_path, "%s", tail);
    }
    response_free(&r);
    assert_true(p->a_path[0] && p->b_path[0]);
}

void page_open(const struct server *s, struct page_browser *b, const char *path)
{
    struct response r;
    assert_true(http(s, "GET", path, NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    char set[512];
    assert_true(response_header(&r, "Set-Cookie", set, sizeof set));
    const char *v = strstr(set, "signet_sign=") + strlen("signet_sign=");
    size_t n = strcspn(v, ";");
    assert_true(n < sizeof b->cookie);
    memcpy(b->cookie, v, n);
    b->cookie[n] = '\0';
    response_free(&r);
}

void page_call(const struct server *s, const struct page_browser *b, const char *method,
               const char *path, const char *body, struct response *r)
{
    char cookie_hdr[200], csrf_hdr[200];
    snprintf(cookie_hdr, sizeof cookie_hdr, "Cookie: signet_sign=%s", b->cookie);
    snprintf(csrf_hdr, sizeof csrf_hdr, "X-CSRF-Token: %s", b->csrf);
    const char *hdrs[] = {cookie_hdr, csrf_hdr, body ? "Content-Type: application/json" : NULL,
                          NULL};
    assert_true(http(s, method, path, hdrs, body, body ? strlen(body) : 0, r));
}

json_t *page_state(const struct server *s, struct page_browser *b)
{
    struct response r;
    page_call(s, b, "GET", "/ui/api/session", NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(b->csrf, sizeof b->csrf, "%s", xs(r.json, "csrfToken"));
    json_t *state = json_incref(r.json);
    response_free(&r);
    return state;
}

long page_post(const struct server *s, struct page_browser *b, const char *path, const char *body,
               json_t **out)
{
    struct response r;
    page_call(s, b, "POST", path, body, &r);
    long st = r.status;
    if (st >= 400)
        assert_non_null(json_object_get(r.json, "message")); /* the Error object */
    if (out)
        *out = json_incref(r.json);
    response_free(&r);
    return st;
}

void page_authorize(const struct server *s, struct page_browser *b, const char *data_dir,
                    const char *participant_id)
{
    json_decref(page_state(s, b));
    assert_int_equal(page_post(s, b, "/ui/api/session/code", "{\"purpose\":\"AUTHORIZE\"}", NULL),
                     200);
    char out[4096], body[64];
    char q[256];
    snprintf(q, sizeof q,
             "SELECT body FROM outbox WHERE participant_id = '%s' AND kind = 'CODE' "
             "ORDER BY created_at DESC, %s DESC LIMIT 1",
             participant_id, test_sql_insert_order());
    assert_true(test_sql(data_dir, q, out, sizeof out));
    const char *p = out;
    while (*p && strspn(p, "0123456789") != 6)
        p += strspn(p, "0123456789") ? strspn(p, "0123456789") : 1;
    assert_true(*p);
    snprintf(body, sizeof body, "{\"code\":\"%.6s\"}", p);
    assert_int_equal(page_post(s, b, "/ui/api/session/authorize", body, NULL), 200);
}

json_t *page_process_signer(const struct server *s, const struct client *c, const char *id,
                            const char *ext)
{
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s", id);
    struct response r;
    tenant_call(s, "GET", path, c, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *found = NULL;
    json_t *signers = json_object_get(json_object_get(r.json, "invitees"), "signers");
    for (size_t i = 0; i < json_array_size(signers); i++)
        if (!strcmp(xs(json_array_get(signers, i), "externalIdentifier"), ext))
            found = json_incref(json_array_get(signers, i));
    response_free(&r);
    assert_non_null(found);
    return found;
}

int page_records(const struct server *s, const struct client *c, const char *id, const char *action,
                 const char *status, const char *key, const char *value)
{
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/record", id);
    struct response r;
    tenant_call(s, "GET", path, c, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    int n = 0;
    json_t *recs = json_object_get(r.json, "records");
    for (size_t i = 0; i < json_array_size(recs); i++) {
        json_t *x = json_array_get(recs, i);
        if (strcmp(xs(x, "action"), action) != 0 || strcmp(xs(x, "status"), status) != 0)
            continue;
        if (key) {
            /* extras travel as a list of {key, value} or an object, depending on the record */
            char *dump = json_dumps(x, JSON_COMPACT);
            char want[256];
            snprintf(want, sizeof want, "\"%s\"", value);
            bool hit = dump && strstr(dump, key) && strstr(dump, want);
            free(dump);
            if (!hit)
                continue;
        }
        n++;
    }
    response_free(&r);
    return n;
}
