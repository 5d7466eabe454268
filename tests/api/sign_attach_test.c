/*
 * Sign API v2 documents seen from outside: attach PDFs from the corpus (SIGNET_CORPUS) with
 * COORDINATES and TAG signature positions, download them as JSON (base64) and as raw bytes,
 * the process's fileReferences, every refusal (invalid base64, not a PDF, password-protected,
 * a box off the page, a missing tag, an unknown signer, a wrong contentType, the 101st file),
 * and tenant isolation:
 * organization B can neither attach to nor download from organization A's process.
 */
#include "tenant.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define ALL_SCOPES "sswp:process:create sswp:process:read"

static struct server srv;
static char data_dir[256];
static char org_a[128], org_b[128];
static struct client a_full, b_full;

/* ---- helpers ---- */

static void create_org(const char *name, char *id, size_t id_len)
{
    tenant_create_org(data_dir, name, "ORGANIZATION", id, id_len);
}

static void create_client(const char *org, struct client *c)
{
    tenant_create_client(data_dir, org, ALL_SCOPES, c);
}

static char *issue_token(const struct client *c)
{
    return tenant_issue_token(&srv, c);
}

static void call(const char *method, const char *path, const struct client *c, const char *body,
                 struct response *r)
{
    tenant_call(&srv, method, path, c, body, NULL, r);
}

/* Two signers: "crm-1" (index 0, tag \s1\) and "crm-2" (index 1, tag \s2\). */
static const char process_body[] =
    "{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
    "\"invitees\":{\"signers\":["
    "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-1\",\"firstName\":\"Anna\","
    "\"lastName\":\"Muster\",\"email\":\"anna@example.com\"},"
    "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-2\",\"firstName\":\"Ben\","
    "\"lastName\":\"Beispiel\",\"email\":\"ben@example.com\"}]}}";

static void create_process(const struct client *c, char *id, size_t id_len)
{
    struct response r;
    call("POST", PROCESS_PATH, c, process_body, &r);
    assert_int_equal(r.status, 201);
    snprintf(id, id_len, "%s", json_string_value(json_object_get(r.json, "id")));
    response_free(&r);
}

/* A FileAttachment body: the corpus file (or raw base64 text when b64 is given), positions a
 * JSON array text (or NULL). Owned string. */
static char *attach_body(const char *file, const char *b64, const char *name,
                         const char *content_type, const char *ext_id, const char *positions)
{
    char *enc = NULL;
    if (!b64) {
        size_t len;
        unsigned char *data = corpus(file, &len);
        enc = b64_std(data, len);
        free(data);
        assert_non_null(enc);
    }
    json_t *o = json_pack("{s:s, s:s, s:s}", "name", name, "contentType", content_type, "content",
                          b64 ? b64 : enc);
    free(enc);
    if (ext_id)
        json_object_set_new(o, "externalIdentifier", json_string(ext_id));
    if (positions)
        json_object_set_new(o, "signaturePositions", json_loads(positions, 0, NULL));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

static void attach(const struct client *c, const char *process_id, const char *body,
                   struct response *r)
{
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/attach", process_id);
    call("POST", path, c, body, r);
}

/* Attaches and expects `status`; for 400/409/404 the Error message must contain `needle`. */
static void attach_expect(const char *process_id, char *body, long status, const char *name,
                          const char *needle)
{
    struct response r;
    attach(&a_full, process_id, body, &r);
    free(body);
    if (r.status != status || (needle && !strstr(r.body, needle)))
        fprintf(stderr, "expected %ld with '%s', got %ld: %s\n", status, needle ? needle : "",
                r.status, r.body);
    assert_int_equal(r.status, status);
    if (name)
        assert_error_object(&r, status, name);
    if (needle)
        assert_non_null(strstr(r.body, needle));
    response_free(&r);
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    create_org("Acme", org_a, sizeof org_a);
    create_org("Other", org_b, sizeof org_b);
    create_client(org_a, &a_full);
    create_client(org_b, &b_full);
    const char *args[] = {"--max-body", "62914560", NULL};
    if (!server_start(&srv, data_dir, args))
        return -1;
    a_full.token = issue_token(&a_full);
    b_full.token = issue_token(&b_full);
    return a_full.token && b_full.token ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(a_full.token);
    free(b_full.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* ---- tests ---- */

static void attach_coordinates_and_tags_then_download_identical_bytes(void **state)
{
    (void)state;
    char pid[64], path[256];
    create_process(&a_full, pid, sizeof pid);
    struct response r;

    char *body = attach_body("simple-a4.pdf", NULL, "Offer.pdf", "application/pdf", "offer-1",
                             "[{\"signer\":\"crm-1\",\"locator\":\"COORDINATES\","
                             "\"pageNumber\":-1,\"positionX\":120,\"positionY\":700}]");
    attach(&a_full, pid, body, &r);
    free(body);
    if (r.status != 201)
        fprintf(stderr, "%s\n", r.body);
    assert_int_equal(r.status, 201);
    char file1[64];
    snprintf(file1, sizeof file1, "%s", json_string_value(json_object_get(r.json, "fileId")));
    assert_int_equal(strlen(file1), 36);
    response_free(&r);

    body = attach_body("tags.pdf", NULL, "Tags \"quoted\" \xc3\xa9.pdf", "application/pdf", NULL,
                       "[{\"signer\":\"crm-1\",\"locator\":\"TAG\"},"
                       "{\"signer\":\"crm-2\",\"locator\":\"TAG\",\"offsetX\":-10,"
                       "\"offsetY\":20,\"stickerProvider\":\"CUSTOM_VISUAL_SIGNATURE_PROVIDER\"}]");
    attach(&a_full, pid, body, &r);
    free(body);
    if (r.status != 201)
        fprintf(stderr, "%s\n", r.body);
    assert_int_equal(r.status, 201);
    char file2[64];
    snprintf(file2, sizeof file2, "%s", json_string_value(json_object_get(r.json, "fileId")));
    response_free(&r);

    /* Raw content: identical bytes, application/pdf, the name quoted safely. */
    size_t len;
    unsigned char *orig = corpus("tags.pdf", &len);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/file/%s/content", pid, file2);
    call("GET", path, &a_full, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, len);
    assert_memory_equal(r.body, orig, len);
    char value[512];
    assert_true(response_header(&r, "Content-Type", value, sizeof value));
    assert_string_equal(value, "application/pdf");
    assert_true(response_header(&r, "Content-Disposition", value, sizeof value));
    assert_string_equal(value, "attachment; filename=\"Tags _quoted_ __.pdf\"; "
                               "filename*=UTF-8''Tags%20%22quoted%22%20%C3%A9.pdf");
    response_free(&r);
    free(orig);

    /* By externalIdentifier, as JSON with base64 content. */
    orig = corpus("simple-a4.pdf", &len);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/file/offer-1", pid);
    call("GET", path, &a_full, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "id")), file1);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), "Offer.pdf");
    assert_string_equal(json_string_value(json_object_get(r.json, "contentType")),
                        "application/pdf");
    assert_string_equal(json_string_value(json_object_get(r.json, "externalIdentifier")),
                        "offer-1");
    char *expected = b64_std(orig, len);
    assert_string_equal(json_string_value(json_object_get(r.json, "content")), expected);
    free(expected);
    free(orig);
    response_free(&r);

    /* The process lists both files with their positions. */
    snprintf(path, sizeof path, PROCESS_PATH "/%s", pid);
    call("GET", path, &a_full, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *refs = json_object_get(r.json, "fileReferences");
    assert_int_equal(json_array_size(refs), 2);
    json_t *f1 = json_array_get(refs, 0), *f2 = json_array_get(refs, 1);
    assert_string_equal(json_string_value(json_object_get(f1, "initialFileId")), file1);
    assert_string_equal(json_string_value(json_object_get(f1, "externalIdentifier")), "offer-1");
    json_t *p = json_array_get(json_object_get(f1, "signaturePositions"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "signer")), "crm-1");
    assert_int_equal(json_integer_value(json_object_get(p, "pageNumber")), -1);
    assert_int_equal(json_integer_value(json_object_get(p, "positionX")), 120);
    assert_int_equal(json_integer_value(json_object_get(p, "positionY")), 700);
    assert_string_equal(json_string_value(json_object_get(p, "stickerProvider")),
                        "VISUAL_SIGNATURE_PROVIDER");
    assert_string_equal(json_string_value(json_object_get(f2, "initialFileId")), file2);
    json_t *t = json_object_get(f2, "signaturePositions");
    assert_int_equal(json_array_size(t), 2);
    /* tags.pdf: \s1\ at (72, 631.25), \s2\ at (320, 631.25) from the top-left. */
    p = json_array_get(t, 0);
    assert_int_equal(json_integer_value(json_object_get(p, "pageNumber")), 0);
    assert_int_equal(json_integer_value(json_object_get(p, "positionX")), 72);
    assert_int_equal(json_integer_value(json_object_get(p, "positionY")), 631);
    p = json_array_get(t, 1);
    assert_string_equal(json_string_value(json_object_get(p, "signer")), "crm-2");
    assert_int_equal(json_integer_value(json_object_get(p, "positionX")), 310);
    assert_int_equal(json_integer_value(json_object_get(p, "positionY")), 651);
    assert_string_equal(json_string_value(json_object_get(p, "stickerProvider")),
                        "CUSTOM_VISUAL_SIGNATURE_PROVIDER");
    response_free(&r);

    /* The attach is in the audit trail (the newest ATTACHED record; the downloads above are
     * audited too, as DOWNLOADED). */
    snprintf(path, sizeof path, PROCESS_PATH "/%s/record", pid);
    call("GET", path, &a_full, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *recs = json_object_get(r.json, "records"), *rec = NULL;
    for (size_t i = 0; i < json_array_size(recs) && !rec; i++) {
        json_t *x = json_object_get(json_array_get(recs, i), "extras");
        const char *ev = json_string_value(json_object_get(x, "document_event"));
        if (ev && !strcmp(ev, "ATTACHED"))
            rec = json_array_get(recs, i);
    }
    assert_non_null(rec);
    assert_string_equal(json_string_value(json_object_get(rec, "action")), "document");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(rec, "extras"), "document_fileId")),
        file2);
    response_free(&r);

    /* Unknown file: 404 FileNotFound. */
    snprintf(path, sizeof path, PROCESS_PATH "/%s/file/nope/content", pid);
    call("GET", path, &a_full, NULL, &r);
    assert_error_object(&r, 404, "FileNotFound");
    response_free(&r);
}

static void every_refusal_is_a_400_naming_the_problem(void **state)
{
    (void)state;
    char pid[64];
    create_process(&a_full, pid, sizeof pid);
    const char *coords = "[{\"signer\":\"crm-1\",\"pageNumber\":0,\"positionX\":10,"
                         "\"positionY\":10}]";
    attach_expect(pid, attach_body(NULL, "JVBERi0x*LjQ=", "a.pdf", "application/pdf", NULL, NULL),
                  400, "Validation", "base64");
    attach_expect(pid, attach_body(NULL, "JVBERi0xLjQ", "a.pdf", "application/pdf", NULL, NULL),
                  400, "Validation", "base64");
    attach_expect(pid,
                  attach_body("not-a-pdf.pdf", NULL, "notes.pdf", "application/pdf", NULL, NULL),
                  400, "Validation", "'notes.pdf' is not a readable PDF");
    attach_expect(pid,
                  attach_body("encrypted-user-password.pdf", NULL, "secret.pdf", "application/pdf",
                              NULL, NULL),
                  400, "Validation", "'secret.pdf' is protected by a password");
    /* Off the page: x beyond the width, y so that the box sticks out, and no such page. */
    attach_expect(pid,
                  attach_body("simple-a4.pdf", NULL, "a.pdf", "application/pdf", NULL,
                              "[{\"signer\":\"crm-1\",\"pageNumber\":0,\"positionX\":500,"
                              "\"positionY\":10}]"),
                  400, "Validation", "does not fit on page 0");
    attach_expect(pid,
                  attach_body("simple-a4.pdf", NULL, "a.pdf", "application/pdf", NULL,
                              "[{\"signer\":\"crm-1\",\"pageNumber\":0,\"positionX\":10,"
                              "\"positionY\":800}]"),
                  400, "Validation", "signaturePositions[0]");
    attach_expect(pid,
                  attach_body("simple-a4.pdf", NULL, "a.pdf", "application/pdf", NULL,
                              "[{\"signer\":\"crm-1\",\"pageNumber\":3,\"positionX\":10,"
                              "\"positionY\":10}]"),
                  400, "Validation", "has no page 3");
    /* TAG: simple-a4 has no \s1\; the offset pushes \s1\'s box off the page on tags.pdf. */
    attach_expect(pid,
                  attach_body("simple-a4.pdf", NULL, "plain.pdf", "application/pdf", NULL,
                              "[{\"signer\":\"crm-1\",\"locator\":\"TAG\"}]"),
                  400, "Validation",
                  "tag '\\\\s1\\\\' (signer 'crm-1') was not found in file "
                  "'plain.pdf'");
    attach_expect(pid,
                  attach_body("tags.pdf", NULL, "t.pdf", "application/pdf", NULL,
                              "[{\"signer\":\"crm-1\",\"locator\":\"TAG\",\"offsetX\":-100}]"),
                  400, "Validation", "signaturePositions[0]");
    attach_expect(pid,
                  attach_body("tags.pdf", NULL, "t.pdf", "application/pdf", NULL,
                              "[{\"signer\":\"crm-1\",\"locator\":\"TAG\",\"offsetY\":201}]"),
                  400, "Validation", "offsetY");
    attach_expect(pid,
                  attach_body("simple-a4.pdf", NULL, "a.pdf", "application/pdf", NULL,
                              "[{\"signer\":\"crm-9\",\"pageNumber\":0,\"positionX\":10,"
                              "\"positionY\":10}]"),
                  400, "Validation", "'crm-9' is not a signer");
    attach_expect(pid, attach_body("simple-a4.pdf", NULL, "a.pdf", "image/png", NULL, coords), 400,
                  "Validation", "contentType");
    attach_expect(pid,
                  attach_body("simple-a4.pdf", NULL, "a.pdf", "application/pdf", "bad id!", NULL),
                  400, "Validation", "externalIdentifier");
    /* Nothing was attached by any of these. */
    char path[256];
    struct response r;
    snprintf(path, sizeof path, PROCESS_PATH "/%s", pid);
    call("GET", path, &a_full, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "fileReferences")), 0);
    response_free(&r);
    /* The same externalIdentifier twice. */
    attach_expect(pid, attach_body("simple-a4.pdf", NULL, "a.pdf", "application/pdf", "x1", NULL),
                  201, NULL, NULL);
    attach_expect(pid, attach_body("simple-a4.pdf", NULL, "b.pdf", "application/pdf", "x1", NULL),
                  400, "Validation", "already has a file 'x1'");
}

/* 40 MiB + 3 bytes of base64 'A's (valid base64): refused before decoding, within the body
 * limit the server was started with. */
static void a_file_over_40_mib_is_refused(void **state)
{
    (void)state;
    char pid[64];
    create_process(&a_full, pid, sizeof pid);
    size_t n = (size_t)40 * 1024 * 1024 / 3 * 4 + 8;
    char *content = malloc(n + 1);
    assert_non_null(content);
    memset(content, 'A', n);
    content[n] = '\0';
    char *body = attach_body(NULL, content, "big.pdf", "application/pdf", NULL, NULL);
    free(content);
    attach_expect(pid, body, 400, "Validation", "larger than the limit of 40 MiB");
}

static void the_101st_file_is_refused(void **state)
{
    (void)state;
    char pid[64];
    create_process(&a_full, pid, sizeof pid);
    char *body = attach_body("simple-a4.pdf", NULL, "a.pdf", "application/pdf", NULL, NULL);
    for (int i = 0; i < 100; i++) {
        struct response r;
        attach(&a_full, pid, body, &r);
        if (r.status != 201)
            fprintf(stderr, "attach %d: %ld %s\n", i, r.status, r.body);
        assert_int_equal(r.status, 201);
        response_free(&r);
    }
    attach_expect(pid, body, 409, "PreconditionFailed", "already has 100 files");
}

static void other_organization_cannot_attach_or_download(void **state)
{
    (void)state;
    char pid[64], path[256], file[64];
    create_process(&a_full, pid, sizeof pid);
    char *body = attach_body("simple-a4.pdf", NULL, "a.pdf", "application/pdf", "mine", NULL);
    struct response r;
    attach(&a_full, pid, body, &r);
    assert_int_equal(r.status, 201);
    snprintf(file, sizeof file, "%s", json_string_value(json_object_get(r.json, "fileId")));
    response_free(&r);

    attach(&b_full, pid, body, &r);
    assert_error_object(&r, 404, "ProcessNotFound");
    response_free(&r);
    free(body);
    const char *refs[] = {file, "mine"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, PROCESS_PATH "/%s/file/%s", pid, refs[i]);
        call("GET", path, &b_full, NULL, &r);
        assert_error_object(&r, 404, "ProcessNotFound");
        response_free(&r);
        snprintf(path, sizeof path, PROCESS_PATH "/%s/file/%s/content", pid, refs[i]);
        call("GET", path, &b_full, NULL, &r);
        assert_error_object(&r, 404, "ProcessNotFound");
        assert_null(strstr(r.body, "%PDF"));
        response_free(&r);
    }
    /* B's own process does not reach A's file either. */
    char pid_b[64];
    create_process(&b_full, pid_b, sizeof pid_b);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/file/%s/content", pid_b, file);
    call("GET", path, &b_full, NULL, &r);
    assert_error_object(&r, 404, "FileNotFound");
    response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(attach_coordinates_and_tags_then_download_identical_bytes),
        cmocka_unit_test(every_refusal_is_a_400_naming_the_problem),
        cmocka_unit_test(a_file_over_40_mib_is_refused),
        cmocka_unit_test(the_101st_file_is_refused),
        cmocka_unit_test(other_organization_cannot_attach_or_download),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
