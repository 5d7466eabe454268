/*
 * A drawn signature on the signer page (docs/signer-pages.md, "Drawn signature"), driven over
 * HTTP against the real binary like a browser would (cookie, X-CSRF-Token; the one-time codes
 * read from the outbox in the server's SQLite file). Signer A's position asks for
 * CUSTOM_VISUAL_SIGNATURE_PROVIDER, signer B's is the default:
 *   - A's page state says drawnSignature (and the box "drawn"); B's does not;
 *   - A cannot sign without an image; a field that is not a string, text that is not base64,
 *     bytes that are not a PNG, a PNG cut short, one with a wrong checksum, one whose pixel
 *     data does not inflate (all checksums right: only decoding finds it), one of 5000 pixels
 *     wide and one of more than 256 KiB are each refused with 400 and a message naming
 *     'image', and A stays PENDING;
 *   - a valid PNG signs: the signed file's signature appearance draws an image XObject, and
 *     pdfsig finds the signature valid; A's box on a second document, of the default
 *     provider, is signed without the drawing;
 *   - B's session refuses an image (400) and signs without one: B's box has no image, so the
 *     final file holds exactly one image.
 * The PNGs are made here: RGBA rows in stored (uncompressed) deflate blocks with zlib's
 * Adler-32 and PNG's CRC-32, independent of Signet's code.
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

struct browser {
    char cookie[128];
    char csrf[128];
};

struct proc {
    char id[64];
    char a_id[64], b_id[64];
    char a_path[256], b_path[256];
    char doc_id[64];
    char annex_id[64]; /* a second document: A's box there is the default provider */
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

/* ---- PNGs ---- */

struct bytes {
    unsigned char *d;
    size_t n, cap;
};

static void put(struct bytes *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->d = realloc(b->d, b->cap);
        assert_non_null(b->d);
    }
    memcpy(b->d + b->n, p, n);
    b->n += n;
}

static void put32(struct bytes *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    put(b, x, 4);
}

static uint32_t crc32_png(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? (c >> 1) ^ 0xedb88320u : c >> 1;
    }
    return c ^ 0xffffffffu;
}

static void chunk(struct bytes *b, const char *type, const unsigned char *data, size_t n)
{
    put32(b, (uint32_t)n);
    size_t at = b->n;
    put(b, type, 4);
    if (n)
        put(b, data, n);
    put32(b, crc32_png(b->d + at, n + 4));
}

/* A w x h RGBA PNG: transparent, with a dark stroke along the diagonal. bad_deflate: the
 * stored block's length check (NLEN) is wrong, every CRC right. */
static struct bytes make_png(uint32_t w, uint32_t h, bool bad_deflate)
{
    struct bytes raw = {0}, z = {0}, png = {0};
    for (uint32_t y = 0; y < h; y++) {
        unsigned char f = 0;
        put(&raw, &f, 1);
        for (uint32_t x = 0; x < w; x++) {
            bool ink = h > 1 && (x * h / w == y || x * h / w == y + 1);
            unsigned char px[4] = {20, 20, 60, ink ? 255 : 0};
            put(&raw, px, 4);
        }
    }
    unsigned char zh[2] = {0x78, 0x01};
    put(&z, zh, 2);
    uint32_t a = 1, bsum = 0;
    for (size_t i = 0; i < raw.n; i++) {
        a = (a + raw.d[i]) % 65521;
        bsum = (bsum + a) % 65521;
    }
    for (size_t at = 0; at < raw.n;) {
        size_t len = raw.n - at > 65535 ? 65535 : raw.n - at;
        unsigned char hdr[5] = {at + len == raw.n ? 1 : 0, (unsigned char)len,
                                (unsigned char)(len >> 8), (unsigned char)~len,
                                (unsigned char)(~len >> 8)};
        if (bad_deflate)
            hdr[3] ^= 0x55;
        put(&z, hdr, 5);
        put(&z, raw.d + at, len);
        at += len;
    }
    put32(&z, bsum << 16 | a);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    put(&png, sig, 8);
    unsigned char ihdr[13] = {0};
    ihdr[0] = (unsigned char)(w >> 24);
    ihdr[1] = (unsigned char)(w >> 16);
    ihdr[2] = (unsigned char)(w >> 8);
    ihdr[3] = (unsigned char)w;
    ihdr[4] = (unsigned char)(h >> 24);
    ihdr[5] = (unsigned char)(h >> 16);
    ihdr[6] = (unsigned char)(h >> 8);
    ihdr[7] = (unsigned char)h;
    ihdr[8] = 8; /* bit depth */
    ihdr[9] = 6; /* RGBA */
    chunk(&png, "IHDR", ihdr, 13);
    chunk(&png, "IDAT", z.d, z.n);
    chunk(&png, "IEND", NULL, 0);
    free(raw.d);
    free(z.d);
    return png;
}

/* {"method":"CLICK","image":"<base64 of d>"} (owned). */
static char *sign_body(const unsigned char *d, size_t n)
{
    char *enc = b64_std(d, n);
    json_t *o = json_pack("{s:s, s:s}", "method", "CLICK", "image", enc);
    free(enc);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

/* ---- preparing a process through the Sign API ---- */

static void create_released(struct proc *p)
{
    const char *body =
        "{\"signatureLevel\":\"SIMPLE\",\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
        "\"invitees\":{\"signers\":["
        "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-a\",\"firstName\":\"Anna\","
        "\"lastName\":\"Muster\",\"email\":\"anna@example.com\"},"
        "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-b\",\"firstName\":\"Beat\","
        "\"lastName\":\"Beispiel\",\"email\":\"beat@example.com\"}]}}";
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

    char *text = tenant_attach_body(
        "simple-a4.pdf", "doc-1",
        "[{\"signer\":\"crm-a\",\"pageNumber\":0,\"positionX\":60,\"positionY\":600,"
        "\"stickerProvider\":\"CUSTOM_VISUAL_SIGNATURE_PROVIDER\"},"
        "{\"signer\":\"crm-b\",\"pageNumber\":0,\"positionX\":300,\"positionY\":600}]");
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/attach", p->id);
    tenant_call(&srv, "POST", path, &cl, text, NULL, &r);
    free(text);
    assert_int_equal(r.status, 201);
    snprintf(p->doc_id, sizeof p->doc_id, "%s", xs(r.json, "fileId"));
    response_free(&r);
    text = tenant_attach_body(
        "simple-a4.pdf", "doc-2",
        "[{\"signer\":\"crm-a\",\"pageNumber\":0,\"positionX\":60,\"positionY\":600}]");
    tenant_call(&srv, "POST", path, &cl, text, NULL, &r);
    free(text);
    assert_int_equal(r.status, 201);
    snprintf(p->annex_id, sizeof p->annex_id, "%s", xs(r.json, "fileId"));
    response_free(&r);

    snprintf(path, sizeof path, PROCESS_PATH "/%s/release", p->id);
    tenant_call(&srv, "POST", path, &cl, "{}", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *parts = json_object_get(r.json, "participants");
    for (size_t i = 0; i < json_array_size(parts); i++) {
        json_t *x = json_array_get(parts, i);
        const char *url = xs(x, "url");
        const char *tail = url ? strstr(url, "/ui/sign/") : NULL;
        if (!tail)
            continue;
        snprintf(!strcmp(xs(x, "id"), p->a_id) ? p->a_path : p->b_path, 256, "%s", tail);
    }
    response_free(&r);
    assert_true(p->a_path[0] && p->b_path[0]);
}

/* ---- a browser ---- */

static void open_link(struct browser *b, const char *path)
{
    struct response r;
    assert_true(http(&srv, "GET", path, NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    char set[512];
    assert_true(response_header(&r, "Set-Cookie", set, sizeof set));
    const char *v = strstr(set, "signet_sign=");
    assert_non_null(v);
    v += strlen("signet_sign=");
    size_t n = strcspn(v, ";");
    assert_true(n < sizeof b->cookie);
    memcpy(b->cookie, v, n);
    b->cookie[n] = '\0';
    response_free(&r);
}

static void call(const struct browser *b, const char *method, const char *path, const char *body,
                 struct response *r)
{
    char cookie_hdr[200], csrf_hdr[200];
    snprintf(cookie_hdr, sizeof cookie_hdr, "Cookie: signet_sign=%s", b->cookie);
    snprintf(csrf_hdr, sizeof csrf_hdr, "X-CSRF-Token: %s", b->csrf);
    const char *hdrs[] = {cookie_hdr, csrf_hdr, body ? "Content-Type: application/json" : NULL,
                          NULL};
    assert_true(http(&srv, method, path, hdrs, body, body ? strlen(body) : 0, r));
}

static json_t *session_state(struct browser *b)
{
    struct response r;
    call(b, "GET", "/ui/api/session", NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(b->csrf, sizeof b->csrf, "%s", xs(r.json, "csrfToken"));
    json_t *s = json_incref(r.json);
    response_free(&r);
    return s;
}

/* POSTs body; returns the status; a failure's message must name `names` (may be NULL). */
static long post(struct browser *b, const char *path, const char *body, const char *names)
{
    struct response r;
    call(b, "POST", path, body, &r);
    long st = r.status;
    if (st >= 400) {
        const char *m = xs(r.json, "message");
        assert_non_null(m);
        if (names && !strstr(m, names))
            fail_msg("expected a message naming %s, got: %s", names, m);
    }
    response_free(&r);
    return st;
}

static void outbox_code(const char *pid, char code[7])
{
    char out[4096];
    char q[256];
    snprintf(q, sizeof q,
             "SELECT body FROM outbox WHERE participant_id = '%s' AND kind = 'CODE' "
             "ORDER BY created_at DESC, %s DESC LIMIT 1",
             pid, test_sql_insert_order());
    assert_true(test_sql(data_dir, q, out, sizeof out));
    for (const char *p = out; *p; p++) {
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
    assert_int_equal(post(b, "/ui/api/session/code", "{\"purpose\":\"AUTHORIZE\"}", NULL), 200);
    outbox_code(pid, code);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    assert_int_equal(post(b, "/ui/api/session/authorize", body, NULL), 200);
}

static const char *signer_status(const struct proc *p, const char *ext, char *out, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s", p->id);
    struct response r;
    tenant_call(&srv, "GET", path, &cl, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *signers = json_object_get(json_object_get(r.json, "invitees"), "signers");
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(signers); i++)
        if (!strcmp(xs(json_array_get(signers, i), "externalIdentifier"), ext))
            snprintf(out, len, "%s", xs(json_array_get(signers, i), "status"));
    response_free(&r);
    return out;
}

/* Downloads the newest version of doc_id through b's session into data_dir/name and returns
 * how many appearance streams draw an image: resources naming an /Img XObject, the name
 * src/pdf/appearance.c gives the drawing (qpdf --qdf writes every object uncompressed). */
static int images_in_download(const struct browser *b, const char *doc_id, const char *name)
{
    char path[256], file[512], out[256];
    snprintf(path, sizeof path, "/ui/api/session/document/%s/content", doc_id);
    struct response r;
    call(b, "GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(file, sizeof file, "%s/%s", data_dir, name);
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(r.body, 1, r.body_len, f), r.body_len);
    fclose(f);
    response_free(&r);
    int rc = sh_run(out, sizeof out,
                    "qpdf --qdf --object-streams=disable '%s' '%s.qdf' >/dev/null 2>&1; "
                    "grep -a -c '/Img [0-9]* 0 R' '%s.qdf'",
                    file, file, file);
    (void)rc; /* grep -c exits 1 when it counts 0 */
    char *end = NULL;
    long n = strtol(out, &end, 10);
    if (end == out)
        fail_msg("no count from qpdf/grep: %s", out);
    return (int)n;
}

/* ---- tests ---- */

static void drawn_signature_required_checked_and_placed(void **state)
{
    (void)state;
    struct proc p;
    create_released(&p);
    struct browser a = {"", ""}, b = {"", ""};
    char st[32];
    open_link(&a, p.a_path);
    authorize(&a, p.a_id);
    json_t *s = session_state(&a);
    assert_true(json_is_true(json_object_get(s, "drawnSignature")));
    json_t *box = json_array_get(
        json_object_get(json_array_get(json_object_get(s, "documents"), 0), "boxes"), 0);
    assert_true(json_is_true(json_object_get(box, "drawn")));
    json_decref(s);

    /* Required, and checked strictly; nothing is signed meanwhile. */
    assert_int_equal(post(&a, "/ui/api/session/sign", "{\"method\":\"CLICK\"}", "'image'"), 400);
    assert_int_equal(
        post(&a, "/ui/api/session/sign", "{\"method\":\"CLICK\",\"image\":42}", "'image'"), 400);
    assert_int_equal(post(&a, "/ui/api/session/sign",
                          "{\"method\":\"CLICK\",\"image\":\"not base64!\"}", "'image'"),
                     400);
    static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F'};
    char *body = sign_body(jpeg, sizeof jpeg);
    assert_int_equal(post(&a, "/ui/api/session/sign", body, "PNG"), 400);
    free(body);

    struct bytes good = make_png(360, 120, false);
    body = sign_body(good.d, good.n - 20); /* cut short */
    assert_int_equal(post(&a, "/ui/api/session/sign", body, "'image'"), 400);
    free(body);
    good.d[40] ^= 0x01; /* a pixel byte: the IDAT checksum no longer matches */
    body = sign_body(good.d, good.n);
    assert_int_equal(post(&a, "/ui/api/session/sign", body, "checksum"), 400);
    free(body);
    good.d[40] ^= 0x01;

    struct bytes broken = make_png(360, 120, true); /* checksums right, deflate data wrong */
    body = sign_body(broken.d, broken.n);
    assert_int_equal(post(&a, "/ui/api/session/sign", body, "cannot be decoded"), 400);
    free(body);
    free(broken.d);

    struct bytes wide = make_png(5000, 2, false);
    body = sign_body(wide.d, wide.n);
    assert_int_equal(post(&a, "/ui/api/session/sign", body, "5000 x 2"), 400);
    free(body);
    free(wide.d);

    struct bytes big = make_png(600, 120, false); /* uncompressed: 288 KiB */
    assert_true(big.n > 256 * 1024);
    body = sign_body(big.d, big.n);
    assert_int_equal(post(&a, "/ui/api/session/sign", body, "256 KiB"), 400);
    free(body);
    free(big.d);
    assert_string_equal(signer_status(&p, "crm-a", st, sizeof st), "PENDING");

    /* A valid drawing signs, and the new appearance draws it. */
    body = sign_body(good.d, good.n);
    assert_int_equal(post(&a, "/ui/api/session/sign", body, NULL), 200);
    free(body);
    assert_string_equal(signer_status(&p, "crm-a", st, sizeof st), "SIGNED");
    assert_int_equal(images_in_download(&a, p.doc_id, "after-a.pdf"), 1);
    char out[256];
    assert_int_equal(
        sh_run(out, sizeof out, "grep -a -c '/Subtype /Image' '%s/after-a.pdf.qdf'", data_dir), 0);
    /* A's box on the annex does not ask for a drawing: signed, without it. */
    assert_int_equal(images_in_download(&a, p.annex_id, "annex-a.pdf"), 0);
    assert_int_equal(sh_run(out, sizeof out,
                            "pdfsig '%s/after-a.pdf' 2>&1 | grep -c 'Signature is Valid'",
                            data_dir),
                     0);

    /* B's box does not ask for a drawing: an image is refused, and B signs without one. */
    open_link(&b, p.b_path);
    authorize(&b, p.b_id);
    s = session_state(&b);
    assert_true(json_is_false(json_object_get(s, "drawnSignature")));
    json_decref(s);
    body = sign_body(good.d, good.n);
    assert_int_equal(post(&b, "/ui/api/session/sign", body, "not accepted"), 400);
    free(body);
    free(good.d);
    assert_int_equal(post(&b, "/ui/api/session/sign", "{\"method\":\"CLICK\"}", NULL), 200);
    assert_string_equal(signer_status(&p, "crm-b", st, sizeof st), "SIGNED");
    assert_int_equal(images_in_download(&b, p.doc_id, "after-b.pdf"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(drawn_signature_required_checked_and_placed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
