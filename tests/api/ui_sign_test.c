/*
 * The signer pages' HTTP surface (docs/signer-pages.md), driven over HTTP against the real
 * binary like a browser would (cookie, X-CSRF-Token), with the one-time codes read from the
 * notification outbox in the server's SQLite file:
 *   - an unknown link: 404 page that clears the cookie; a valid one: the page with CSP (no
 *     inline script), X-Frame-Options DENY, and an HttpOnly SameSite=Strict session cookie;
 *   - the session API needs the cookie; every POST needs the CSRF token of that session;
 *   - the code goes by SMS when the signer has a mobile, else by e-mail; 5 wrong entries lock
 *     it; a new code can be asked for then, but not twice within 30 seconds; audit records
 *     "authorization" FAIL and SUCCESS;
 *   - documents and previews only after authorization; a document of another process is not
 *     found; signer A's session acts only for A (B stays PENDING; A's code does not authorize
 *     B; the Open Request's 30-second code authorizes once, and only its own participant);
 *   - CLICK signing, download of the signed PDF, decline with a reason (DECLINED, audit
 *     "decline"), SMS signing with a second code; EMBEDDED mode's frame-ancestors.
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
static struct client cl;

/* A browser session: cookie value and CSRF token. */
struct browser {
    char cookie[128];
    char csrf[128];
};

static const char *xs(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Org A", "CORPORATE", org_a, sizeof org_a);
    tenant_create_client(data_dir, org_a, ALL_SCOPES, &cl);
    if (!server_start(&srv, data_dir, NULL))
        return -1;
    cl.token = tenant_issue_token(&srv, &cl);
    return cl.token ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(cl.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* ---- preparing processes through the Sign API ---- */

struct proc {
    char id[64];
    char a_id[64], b_id[64];       /* participant ids of crm-a and crm-b */
    char a_path[256], b_path[256]; /* /ui/sign/{token} */
    char doc_id[64];
};

static void create_released(const char *level, const char *release_body, struct proc *p)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"signatureLevel\":\"%s\",\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
             "\"invitees\":{\"signers\":["
             "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-a\",\"firstName\":\"Anna\","
             "\"lastName\":\"Muster\",\"email\":\"anna@example.com\",\"mobile\":\"+41791234567\"},"
             "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-b\",\"firstName\":\"Beat\","
             "\"lastName\":\"Beispiel\",\"email\":\"beat@example.com\"}]}}",
             level);
    struct response r;
    tenant_call(&srv, "POST", PROCESS_PATH, &cl, body, NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(p->id, sizeof p->id, "%s", xs(r.json, "id"));
    json_t *signers = json_object_get(json_object_get(r.json, "invitees"), "signers");
    for (size_t i = 0; i < json_array_size(signers); i++) {
        json_t *s = json_array_get(signers, i);
        char *dst = !strcmp(xs(s, "externalIdentifier"), "crm-a") ? p->a_id : p->b_id;
        snprintf(dst, 64, "%s", xs(s, "identification"));
    }
    response_free(&r);
    assert_true(p->a_id[0] && p->b_id[0]);

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
    tenant_call(&srv, "POST", path, &cl, text, NULL, &r);
    free(text);
    assert_int_equal(r.status, 201);
    snprintf(p->doc_id, sizeof p->doc_id, "%s", xs(r.json, "fileId"));
    response_free(&r);

    snprintf(path, sizeof path, PROCESS_PATH "/%s/release", p->id);
    tenant_call(&srv, "POST", path, &cl, release_body, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *parts = json_object_get(r.json, "participants");
    for (size_t i = 0; i < json_array_size(parts); i++) {
        json_t *x = json_array_get(parts, i);
        const char *url = xs(x, "url");
        const char *tail = url ? strstr(url, "/ui/sign/") : NULL;
        if (!tail)
            continue;
        if (!strcmp(xs(x, "id"), p->a_id))
            snprintf(p->a_path, sizeof p->a_path, "%s", tail);
        if (!strcmp(xs(x, "id"), p->b_id))
            snprintf(p->b_path, sizeof p->b_path, "%s", tail);
    }
    response_free(&r);
    assert_true(p->a_path[0] && p->b_path[0]);
}

/* POST …/open/{person} with body; the URL's path (from /ui/) into out. */
static void open_request(const struct proc *p, const char *person, const char *body, char *out,
                         size_t out_len)
{
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/open/%s", p->id, person);
    struct response r;
    tenant_call(&srv, "POST", path, &cl, body, NULL, &r);
    assert_int_equal(r.status, 200);
    const char *url = xs(r.json, "url");
    assert_non_null(url);
    snprintf(out, out_len, "%s", strstr(url, "/ui/"));
    response_free(&r);
}

/* ---- a browser ---- */

/* GET a link; the session cookie from Set-Cookie into b (expects status). */
static void open_link(struct browser *b, const char *path, long status, struct response *out)
{
    char cookie_hdr[200];
    const char *hdrs[] = {cookie_hdr, NULL};
    snprintf(cookie_hdr, sizeof cookie_hdr, "Cookie: signet_sign=%s", b->cookie);
    struct response r;
    assert_true(http(&srv, "GET", path, b->cookie[0] ? hdrs : NULL, NULL, 0, &r));
    assert_int_equal(r.status, status);
    char set[512];
    if (response_header(&r, "Set-Cookie", set, sizeof set)) {
        const char *v = strstr(set, "signet_sign=");
        assert_non_null(v);
        v += strlen("signet_sign=");
        size_t n = strcspn(v, ";");
        assert_true(n < sizeof b->cookie);
        memcpy(b->cookie, v, n);
        b->cookie[n] = '\0';
    }
    if (out)
        *out = r;
    else
        response_free(&r);
}

static void call(const struct browser *b, const char *method, const char *path, const char *body,
                 bool with_csrf, struct response *r)
{
    char cookie_hdr[200], csrf_hdr[200];
    const char *hdrs[4];
    size_t n = 0;
    snprintf(cookie_hdr, sizeof cookie_hdr, "Cookie: signet_sign=%s", b->cookie);
    snprintf(csrf_hdr, sizeof csrf_hdr, "X-CSRF-Token: %s", b->csrf);
    if (b->cookie[0])
        hdrs[n++] = cookie_hdr;
    if (with_csrf)
        hdrs[n++] = csrf_hdr;
    if (body)
        hdrs[n++] = "Content-Type: application/json";
    hdrs[n] = NULL;
    assert_true(http(&srv, method, path, hdrs, body, body ? strlen(body) : 0, r));
}

/* GET /ui/api/session; keeps the CSRF token. */
static json_t *session_state(struct browser *b)
{
    struct response r;
    call(b, "GET", "/ui/api/session", NULL, false, &r);
    assert_int_equal(r.status, 200);
    snprintf(b->csrf, sizeof b->csrf, "%s", xs(r.json, "csrfToken"));
    json_t *s = json_incref(r.json);
    response_free(&r);
    return s;
}

static long post(struct browser *b, const char *path, const char *body)
{
    struct response r;
    call(b, "POST", path, body, true, &r);
    long st = r.status;
    if (st >= 400)
        assert_non_null(json_object_get(r.json, "message")); /* the Error object */
    response_free(&r);
    return st;
}

/* The newest one-time code sent to participant pid and its channel, from the outbox. */
static void outbox_code(const char *pid, char code[7], char *channel, size_t channel_len)
{
    char out[4096];
    char q[256];
    snprintf(q, sizeof q,
             "SELECT channel, body FROM outbox WHERE participant_id = '%s' AND kind = 'CODE' "
             "ORDER BY created_at DESC, %s DESC LIMIT 1",
             pid, test_sql_insert_order());
    assert_true(test_sql(data_dir, q, out, sizeof out));
    const char *bar = strchr(out, '|');
    assert_non_null(bar);
    if (channel)
        snprintf(channel, channel_len, "%.*s", (int)(bar - out), out);
    /* The first run of exactly six digits in the body is the code. */
    for (const char *p = bar + 1; *p; p++) {
        size_t n = strspn(p, "0123456789");
        if (n == 6) {
            memcpy(code, p, 6);
            code[6] = '\0';
            return;
        }
        if (n)
            p += n - 1;
    }
    fail_msg("no code in the outbox message: %s", out);
}

static void authorize(struct browser *b, const char *pid)
{
    char code[7], body[64];
    json_decref(session_state(b));
    assert_int_equal(post(b, "/ui/api/session/code", "{\"purpose\":\"AUTHORIZE\"}"), 200);
    outbox_code(pid, code, NULL, 0);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    assert_int_equal(post(b, "/ui/api/session/authorize", body), 200);
}

static json_t *process_get(const struct proc *p)
{
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s", p->id);
    struct response r;
    tenant_call(&srv, "GET", path, &cl, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *o = json_incref(r.json);
    response_free(&r);
    return o;
}

static const char *signer_status(json_t *process, const char *ext)
{
    json_t *signers = json_object_get(json_object_get(process, "invitees"), "signers");
    for (size_t i = 0; i < json_array_size(signers); i++)
        if (!strcmp(xs(json_array_get(signers, i), "externalIdentifier"), ext))
            return xs(json_array_get(signers, i), "status");
    return NULL;
}

/* Counts audit records of action/status in the process's record. */
static int records(const struct proc *p, const char *action, const char *status)
{
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/record", p->id);
    struct response r;
    tenant_call(&srv, "GET", path, &cl, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    int n = 0;
    json_t *recs = json_object_get(r.json, "records");
    for (size_t i = 0; i < json_array_size(recs); i++) {
        json_t *x = json_array_get(recs, i);
        if (!strcmp(xs(x, "action"), action) && !strcmp(xs(x, "status"), status))
            n++;
    }
    response_free(&r);
    return n;
}

/* ---- tests ---- */

static void unknown_link_is_a_404_page_and_clears_the_cookie(void **state)
{
    (void)state;
    struct browser b = {"", ""};
    struct response r;
    open_link(&b, "/ui/sign/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 404, &r);
    char v[1024];
    assert_true(response_header(&r, "Content-Type", v, sizeof v));
    assert_non_null(strstr(v, "text/html"));
    assert_true(response_header(&r, "Set-Cookie", v, sizeof v));
    assert_non_null(strstr(v, "Max-Age=0"));
    assert_non_null(strstr(r.body, "/ui/static/sign.js"));
    response_free(&r);
    /* Without a session the API answers 401 with an Error object. */
    struct browser none = {"", ""};
    call(&none, "GET", "/ui/api/session", NULL, false, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
}

static void page_headers_cookie_and_code_channel(void **state)
{
    (void)state;
    struct proc p;
    create_released("SIMPLE", "{}", &p);
    struct browser a = {"", ""}, b = {"", ""};
    struct response r;
    open_link(&a, p.a_path, 200, &r);
    char v[1024];
    assert_true(response_header(&r, "Content-Security-Policy", v, sizeof v));
    assert_non_null(strstr(v, "script-src 'self'"));
    assert_null(strstr(v, "unsafe-inline"));
    assert_non_null(strstr(v, "frame-ancestors 'none'"));
    assert_true(response_header(&r, "X-Frame-Options", v, sizeof v));
    assert_string_equal(v, "DENY");
    assert_true(response_header(&r, "Referrer-Policy", v, sizeof v));
    assert_string_equal(v, "no-referrer");
    assert_true(response_header(&r, "Set-Cookie", v, sizeof v));
    assert_non_null(strstr(v, "HttpOnly"));
    assert_non_null(strstr(v, "SameSite=Strict"));
    assert_non_null(strstr(v, "Path=/ui"));
    assert_null(strstr(v, "Secure")); /* the test server's public URL is http */
    response_free(&r);
    assert_true(strlen(a.cookie) >= 43);

    json_t *s = session_state(&a);
    assert_string_equal(xs(s, "state"), "AUTHORIZE");
    assert_false(json_is_true(json_object_get(s, "authorized")));
    assert_null(json_object_get(s, "documents")); /* nothing before authorization */
    assert_string_equal(xs(json_object_get(s, "code"), "channel"), "SMS");
    assert_null(strstr(xs(json_object_get(s, "code"), "destination"), "1234567"));
    json_decref(s);

    open_link(&b, p.b_path, 200, NULL);
    s = session_state(&b);
    assert_string_equal(xs(json_object_get(s, "code"), "channel"), "EMAIL");
    assert_string_equal(xs(json_object_get(s, "signer"), "firstName"), "Beat");
    json_decref(s);

    /* A reload with the cookie keeps the session; another link replaces it. */
    char before[128];
    snprintf(before, sizeof before, "%s", a.cookie);
    open_link(&a, p.a_path, 200, NULL);
    assert_string_equal(a.cookie, before);

    /* Previews need authorization. */
    char path[256];
    snprintf(path, sizeof path, "/ui/api/session/document/%s/page/0", p.doc_id);
    call(&a, "GET", path, NULL, false, &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
}

static void csrf_is_required_on_every_post(void **state)
{
    (void)state;
    struct proc p;
    create_released("SIMPLE", "{}", &p);
    struct browser a = {"", ""}, b = {"", ""};
    open_link(&a, p.a_path, 200, NULL);
    open_link(&b, p.b_path, 200, NULL);
    json_decref(session_state(&a));
    json_decref(session_state(&b));
    struct response r;
    const char *posts[] = {"/ui/api/session/code", "/ui/api/session/authorize",
                           "/ui/api/session/sign", "/ui/api/session/decline"};
    for (size_t i = 0; i < 4; i++) {
        call(&a, "POST", posts[i], "{}", false, &r);
        assert_error_object(&r, 403, "Forbidden");
        response_free(&r);
    }
    /* B's token is not A's. */
    struct browser mixed = a;
    snprintf(mixed.csrf, sizeof mixed.csrf, "%s", b.csrf);
    call(&mixed, "POST", "/ui/api/session/code", "{}", true, &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    /* Nothing was sent so far; with the right token a code goes out by SMS to A. */
    assert_int_equal(post(&a, "/ui/api/session/code", "{}"), 200);
    char code[7], channel[16];
    outbox_code(p.a_id, code, channel, sizeof channel);
    assert_string_equal(channel, "SMS");
}

static void five_wrong_codes_lock_and_a_new_code_works(void **state)
{
    (void)state;
    struct proc p;
    create_released("SIMPLE", "{}", &p);
    struct browser b = {"", ""};
    open_link(&b, p.b_path, 200, NULL);
    json_decref(session_state(&b));
    assert_int_equal(post(&b, "/ui/api/session/code", "{}"), 200);
    char code[7], channel[16], wrong[64], right[64];
    outbox_code(p.b_id, code, channel, sizeof channel);
    assert_string_equal(channel, "EMAIL");
    snprintf(right, sizeof right, "{\"code\":\"%s\"}", code);
    snprintf(wrong, sizeof wrong, "{\"code\":\"%06d\"}",
             (int)((strtol(code, NULL, 10) + 1) % 1000000));
    /* A second code at once is refused (30 seconds between codes). */
    assert_int_equal(post(&b, "/ui/api/session/code", "{}"), 429);
    assert_int_equal(post(&b, "/ui/api/session/authorize", "{\"code\":\"12ab\"}"), 400);
    for (int i = 0; i < 4; i++)
        assert_int_equal(post(&b, "/ui/api/session/authorize", wrong), 400);
    assert_int_equal(post(&b, "/ui/api/session/authorize", wrong), 409); /* locked now */
    assert_int_equal(post(&b, "/ui/api/session/authorize", right), 409); /* even the right one */
    json_t *s = session_state(&b);
    assert_string_equal(xs(s, "state"), "AUTHORIZE");
    json_decref(s);
    /* A locked code does not make the signer wait. */
    assert_int_equal(post(&b, "/ui/api/session/code", "{}"), 200);
    char code2[7];
    outbox_code(p.b_id, code2, NULL, 0);
    snprintf(right, sizeof right, "{\"code\":\"%s\"}", code2);
    assert_int_equal(post(&b, "/ui/api/session/authorize", right), 200);
    assert_int_equal(post(&b, "/ui/api/session/authorize", right), 200); /* authorized already */
    s = session_state(&b);
    assert_string_equal(xs(s, "state"), "READY");
    assert_int_equal(json_array_size(json_object_get(s, "documents")), 1);
    json_t *doc = json_array_get(json_object_get(s, "documents"), 0);
    assert_int_equal(json_integer_value(json_object_get(doc, "pageCount")), 1);
    json_t *box = json_array_get(json_object_get(doc, "boxes"), 0);
    assert_int_equal(json_integer_value(json_object_get(box, "x")), 300); /* B's own box */
    assert_int_equal(json_array_size(json_object_get(doc, "boxes")), 1);
    json_decref(s);
    assert_int_equal(records(&p, "authorization", "FAIL"), 6);
    assert_int_equal(records(&p, "authorization", "SUCCESS"), 1);
    /* Every code sent has its notification record (B was sent two codes). */
    assert_true(records(&p, "sms", "INITIALIZE") + records(&p, "email", "INITIALIZE") >= 2);
}

static void session_is_bound_to_its_participant_and_process(void **state)
{
    (void)state;
    struct proc p, q;
    create_released("SIMPLE", "{}", &p);
    create_released("SIMPLE", "{}", &q);
    struct browser a = {"", ""}, b = {"", ""};
    open_link(&a, p.a_path, 200, NULL);
    open_link(&b, p.b_path, 200, NULL);
    json_decref(session_state(&b));
    /* A's code is A's: B's session has none to compare with. */
    json_decref(session_state(&a));
    assert_int_equal(post(&a, "/ui/api/session/code", "{}"), 200);
    char code[7], body[64];
    outbox_code(p.a_id, code, NULL, 0);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    assert_int_equal(post(&b, "/ui/api/session/authorize", body), 410);
    assert_int_equal(post(&a, "/ui/api/session/authorize", body), 200);

    /* A's session sees its process's document, not another process's. */
    struct response r;
    char path[256];
    snprintf(path, sizeof path, "/ui/api/session/document/%s/page/0", p.doc_id);
    call(&a, "GET", path, NULL, false, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 8 && !memcmp(r.body, "\x89PNG", 4));
    response_free(&r);
    call(&a, "GET", path, NULL, false, &r); /* a second view adds no record */
    response_free(&r);
    assert_int_equal(records(&p, "view", "SUCCESS"), 1);
    snprintf(path, sizeof path, "/ui/api/session/document/%s/page/0", q.doc_id);
    call(&a, "GET", path, NULL, false, &r);
    assert_int_equal(r.status, 404);
    response_free(&r);
    snprintf(path, sizeof path, "/ui/api/session/document/%s/content", q.doc_id);
    call(&a, "GET", path, NULL, false, &r);
    assert_int_equal(r.status, 404);
    response_free(&r);

    /* A signs: only A is SIGNED, B is still PENDING. */
    assert_int_equal(post(&a, "/ui/api/session/sign", "{\"method\":\"CLICK\"}"), 200);
    json_t *pr = process_get(&p);
    assert_string_equal(signer_status(pr, "crm-a"), "SIGNED");
    assert_string_equal(signer_status(pr, "crm-b"), "PENDING");
    json_decref(pr);
    assert_int_equal(post(&a, "/ui/api/session/sign", "{\"method\":\"CLICK\"}"), 409);

    /* Open Request codes: A's 30-second code authorizes A's link once, never B's. */
    char a_open[512], b_open[512], b_with_a_code[700];
    open_request(&q, "crm-a", "{\"skipAuthorization\":true}", a_open, sizeof a_open);
    open_request(&q, "crm-b", "{}", b_open, sizeof b_open);
    const char *a_code = strstr(a_open, "?code=");
    assert_non_null(a_code);
    snprintf(b_with_a_code, sizeof b_with_a_code, "%s%s", b_open, a_code);
    struct browser qb = {"", ""}, qa = {"", ""}, again = {"", ""};
    open_link(&qb, b_with_a_code, 200, NULL);
    json_t *s = session_state(&qb);
    assert_false(json_is_true(json_object_get(s, "authorized")));
    json_decref(s);
    open_link(&qa, a_open, 200, NULL);
    s = session_state(&qa);
    assert_true(json_is_true(json_object_get(s, "authorized")));
    assert_string_equal(xs(s, "state"), "READY");
    json_decref(s);
    open_link(&again, a_open, 200, NULL); /* redeemed already */
    s = session_state(&again);
    assert_false(json_is_true(json_object_get(s, "authorized")));
    json_decref(s);
}

static void click_sign_download_and_decline(void **state)
{
    (void)state;
    struct proc p;
    create_released("SIMPLE", "{}", &p);
    struct browser a = {"", ""}, b = {"", ""};
    open_link(&a, p.a_path, 200, NULL);
    authorize(&a, p.a_id);
    /* SMS is not a SIMPLE method. */
    assert_int_equal(post(&a, "/ui/api/session/sign", "{\"method\":\"SMS\",\"code\":\"123456\"}"),
                     409);
    assert_int_equal(post(&a, "/ui/api/session/sign", "{\"method\":\"CLICK\"}"), 200);
    json_t *s = session_state(&a);
    assert_string_equal(xs(s, "state"), "SIGNED");
    json_t *doc = json_array_get(json_object_get(s, "documents"), 0);
    assert_true(json_is_true(json_object_get(doc, "signed")));
    json_decref(s);
    struct response r, orig;
    char path[256];
    snprintf(path, sizeof path, "/ui/api/session/document/%s/content", p.doc_id);
    call(&a, "GET", path, NULL, false, &r);
    assert_int_equal(r.status, 200);
    char v[512];
    assert_true(response_header(&r, "Content-Disposition", v, sizeof v));
    assert_non_null(strstr(v, "Offer.pdf"));
    snprintf(path, sizeof path, "/ui/api/session/document/%s/content?version=original", p.doc_id);
    call(&a, "GET", path, NULL, false, &orig);
    assert_int_equal(orig.status, 200);
    assert_true(r.body_len > orig.body_len);
    assert_non_null(memmem(r.body, r.body_len, "/ByteRange", 10));
    assert_null(memmem(orig.body, orig.body_len, "/ByteRange", 10));
    response_free(&r);
    response_free(&orig);

    /* B declines: a reason is needed; then DECLINED with an audit record. */
    open_link(&b, p.b_path, 200, NULL);
    json_decref(session_state(&b));
    assert_int_equal(post(&b, "/ui/api/session/decline", "{\"reason\":\"x\"}"), 403);
    authorize(&b, p.b_id);
    assert_int_equal(post(&b, "/ui/api/session/decline", "{\"reason\":\"   \"}"), 400);
    assert_int_equal(
        post(&b, "/ui/api/session/decline", "{\"reason\":\"The price is <b>wrong</b>.\"}"), 200);
    assert_int_equal(post(&b, "/ui/api/session/decline", "{\"reason\":\"again\"}"), 409);
    assert_int_equal(post(&b, "/ui/api/session/sign", "{\"method\":\"CLICK\"}"), 409);
    s = session_state(&b);
    assert_string_equal(xs(s, "state"), "DECLINED");
    json_decref(s);
    json_t *pr = process_get(&p);
    assert_string_equal(signer_status(pr, "crm-b"), "DECLINED");
    assert_string_equal(xs(pr, "status"), "PENDING");
    json_decref(pr);
    assert_int_equal(records(&p, "decline", "SUCCESS"), 1);
}

/* Both signers sign on their pages: the process completes and each signer's completion notice
 * carries that signer's own page URL (where the signed file is). */
static void completion_notices_from_the_page_carry_the_urls(void **state)
{
    (void)state;
    struct proc p;
    create_released("SIMPLE", "{\"notification\":{\"locale\":\"en-GB\"}}", &p);
    struct browser a = {"", ""}, b = {"", ""};
    open_link(&a, p.a_path, 200, NULL);
    authorize(&a, p.a_id);
    assert_int_equal(post(&a, "/ui/api/session/sign", "{\"method\":\"CLICK\"}"), 200);
    open_link(&b, p.b_path, 200, NULL);
    authorize(&b, p.b_id);
    assert_int_equal(post(&b, "/ui/api/session/sign", "{\"method\":\"CLICK\"}"), 200);
    const char *who[2][2] = {{p.a_id, p.a_path}, {p.b_id, p.b_path}};
    for (size_t i = 0; i < 2; i++) {
        char out[8192], q[256];
        snprintf(q, sizeof q,
                 "SELECT body FROM outbox WHERE participant_id = '%s' AND kind = 'COMPLETED'",
                 who[i][0]);
        assert_true(test_sql(data_dir, q, out, sizeof out));
        if (!strstr(out, who[i][1]))
            fail_msg("completion notice for %s lacks %s: %s", who[i][0], who[i][1], out);
    }
}

static void sms_signing_with_a_second_code(void **state)
{
    (void)state;
    struct proc p;
    create_released("ADVANCED", "{\"signatureMethods\":[\"SMS\"]}", &p);
    struct browser a = {"", ""}, b = {"", ""};
    open_link(&a, p.a_path, 200, NULL);
    authorize(&a, p.a_id);
    json_t *s = session_state(&a);
    json_t *methods = json_object_get(s, "methods");
    assert_int_equal(json_array_size(methods), 1);
    assert_string_equal(json_string_value(json_array_get(methods, 0)), "SMS");
    json_decref(s);
    assert_int_equal(post(&a, "/ui/api/session/sign", "{\"method\":\"CLICK\"}"), 409);
    assert_int_equal(post(&a, "/ui/api/session/code", "{\"purpose\":\"SIGN\"}"), 200);
    char code[7], channel[16], body[96];
    outbox_code(p.a_id, code, channel, sizeof channel);
    assert_string_equal(channel, "SMS");
    snprintf(body, sizeof body, "{\"method\":\"SMS\",\"code\":\"%06d\"}",
             (int)((strtol(code, NULL, 10) + 1) % 1000000));
    assert_int_equal(post(&a, "/ui/api/session/sign", body), 400);
    snprintf(body, sizeof body, "{\"method\":\"SMS\",\"code\":\"%s\"}", code);
    assert_int_equal(post(&a, "/ui/api/session/sign", body), 200);
    json_t *pr = process_get(&p);
    assert_string_equal(signer_status(pr, "crm-a"), "SIGNED");
    json_decref(pr);
    /* B has no mobile: no SMS method, and no SMS code. */
    open_link(&b, p.b_path, 200, NULL);
    authorize(&b, p.b_id);
    s = session_state(&b);
    assert_int_equal(json_array_size(json_object_get(s, "methods")), 0);
    json_decref(s);
    assert_int_equal(post(&b, "/ui/api/session/code", "{\"purpose\":\"SIGN\"}"), 409);
}

static void embedded_mode_allows_the_integrators_frame(void **state)
{
    (void)state;
    struct proc p;
    create_released("SIMPLE", "{}", &p);
    char url[512];
    open_request(&p, "crm-a",
                 "{\"mode\":\"EMBEDDED\",\"backUrl\":\"https://crm.example.com/case/1\","
                 "\"successUrl\":\"https://portal.example.org/done\"}",
                 url, sizeof url);
    struct browser a = {"", ""};
    struct response r;
    open_link(&a, url, 200, &r);
    char v[1024];
    assert_true(response_header(&r, "Content-Security-Policy", v, sizeof v));
    assert_non_null(
        strstr(v, "frame-ancestors https://crm.example.com https://portal.example.org"));
    assert_false(response_header(&r, "X-Frame-Options", v, sizeof v));
    response_free(&r);
    json_t *s = session_state(&a);
    assert_string_equal(xs(s, "mode"), "EMBEDDED");
    assert_string_equal(xs(s, "successUrl"), "https://portal.example.org/done");
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_link_is_a_404_page_and_clears_the_cookie),
        cmocka_unit_test(page_headers_cookie_and_code_channel),
        cmocka_unit_test(csrf_is_required_on_every_post),
        cmocka_unit_test(five_wrong_codes_lock_and_a_new_code_works),
        cmocka_unit_test(session_is_bound_to_its_participant_and_process),
        cmocka_unit_test(click_sign_download_and_decline),
        cmocka_unit_test(completion_notices_from_the_page_carry_the_urls),
        cmocka_unit_test(sms_signing_with_a_second_code),
        cmocka_unit_test(embedded_mode_allows_the_integrators_frame),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
