/*
 * Online identification (GwG) of a signer created with `verification` (the contract's
 * Sample 2; docs/sign-api.md "Verification", docs/signer-pages.md "Identification"), driven
 * over HTTP like the signer page and the video simulator's agent would:
 *   - before identification the page state says verification {required, MISSING,
 *     canStart}; signing is refused (409) with a message naming the identification, and
 *     nothing is signed;
 *   - the page starts the identification (POST /ui/api/session/registration), the simulator
 *     approves with a Swiss passport: the state says VERIFIED, GET /process reports
 *     verification.processId (the registration), verifiedOn and a payload with the method,
 *     time and assurance (and no document number or name); then the signer signs and the
 *     signed PDF is valid (pdfsig);
 *   - residentPermit (default true) with a German passport: REJECTED (rejectedOn, payload
 *     result REJECTED), signing and a new identification are refused;
 *   - residentPermit false accepts the German passport;
 *   - the partner's rejection: REJECTED.
 */
#include "signer_page.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define SIGN_SCOPES "sswp:process:create sswp:process:read sswp:process:read:all"

static struct server srv;
static char data_dir[256], work[512];
static char org_a[128];
static struct client a_sign;

static const char *xs(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Org A", "CORPORATE", org_a, sizeof org_a);
    tenant_create_client(data_dir, org_a, SIGN_SCOPES, &a_sign);
    snprintf(work, sizeof work, "%s/work", data_dir);
    if (!server_start(&srv, data_dir, NULL))
        return -1;
    if (!(a_sign.token = tenant_issue_token(&srv, &a_sign)))
        return -1;
    char out[256];
    return sh_run(out, sizeof out, "mkdir -p %s", work);
}

static int teardown(void **state)
{
    (void)state;
    free(a_sign.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* A process at level of one signer (Anna, mobile) with `verification` (its JSON text, or
 * NULL for none), one document placed for her, released with release_body; her page opened
 * and authorized in b. */
static void create_opened_with(const char *level, const char *verification,
                               const char *release_body, const char *mobile, struct page_process *p,
                               struct page_browser *b)
{
    char body[1024], path[256], ver[128] = "";
    struct response r;
    memset(p, 0, sizeof *p);
    if (verification)
        snprintf(ver, sizeof ver, ",\"verification\":%s", verification);
    snprintf(body, sizeof body,
             "{\"signatureLevel\":\"%s\",\"initiator\":{\"type\":\"NON_PERSON\",\"name\":"
             "\"ERP\"},\"invitees\":{\"signers\":[{\"type\":\"SIGNER\",\"externalIdentifier\":"
             "\"crm-a\",\"firstName\":\"Anna\",\"lastName\":\"Muster\",\"email\":"
             "\"anna@example.com\",\"mobile\":\"%s\"%s}]}}",
             level, mobile, ver);
    tenant_call(&srv, "POST", PROCESS_PATH, &a_sign, body, NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(p->id, sizeof p->id, "%s", xs(r.json, "id"));
    json_t *anna =
        json_array_get(json_object_get(json_object_get(r.json, "invitees"), "signers"), 0);
    snprintf(p->a_id, sizeof p->a_id, "%s", xs(anna, "identification"));
    response_free(&r);

    size_t len;
    unsigned char *data = corpus("simple-a4.pdf", &len);
    char *enc = b64_std(data, len);
    free(data);
    json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "name", "Offer.pdf", "contentType",
                          "application/pdf", "content", enc, "signaturePositions",
                          json_loads("[{\"signer\":\"crm-a\",\"pageNumber\":0,\"positionX\":60,"
                                     "\"positionY\":600}]",
                                     0, NULL));
    free(enc);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/attach", p->id);
    tenant_call(&srv, "POST", path, &a_sign, text, NULL, &r);
    free(text);
    assert_int_equal(r.status, 201);
    response_free(&r);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/release", p->id);
    tenant_call(&srv, "POST", path, &a_sign, release_body, NULL, &r);
    assert_int_equal(r.status, 200);
    const char *url = xs(json_array_get(json_object_get(r.json, "participants"), 0), "url");
    assert_non_null(url);
    snprintf(p->a_path, sizeof p->a_path, "%s", strstr(url, "/ui/sign/"));
    response_free(&r);
    memset(b, 0, sizeof *b);
    page_open(&srv, b, p->a_path);
    page_authorize(&srv, b, data_dir, p->a_id);
}

/* A SIMPLE process whose signer has `verification`, released with the level's methods. */
static void create_opened(const char *verification, const char *mobile, struct page_process *p,
                          struct page_browser *b)
{
    create_opened_with("SIMPLE", verification, "{}", mobile, p, b);
}

/* The page state's verification object (new reference). */
static json_t *verification_state(struct page_browser *b)
{
    json_t *s = page_state(&srv, b);
    json_t *v = json_incref(json_object_get(s, "verification"));
    json_decref(s);
    return v;
}

/* Starts the identification from the page: the registration link path into link, its id
 * into id. */
static void start_identification(struct page_browser *b, char link[256], char id[64])
{
    json_t *started = NULL;
    assert_int_equal(page_post(&srv, b, "/ui/api/session/registration", "{}", &started), 200);
    const char *l = strstr(xs(started, "url"), "/srs/r/");
    assert_non_null(l);
    snprintf(link, 256, "%s", l);
    snprintf(id, 64, "%s", xs(started, "registrationId"));
    json_decref(started);
}

/* The simulator's agent decides the video identification at link: APPROVE with a passport
 * issued by country, or REJECT. */
static void identify_as(const char *link, bool approve, const char *country, const char *family,
                        const char *mobile)
{
    char path[400], body[1024];
    struct response r;
    const char *hdrs[] = {"Content-Type: application/json", NULL};
    snprintf(path, sizeof path, "%s/start", link);
    assert_true(http(&srv, "POST", path, hdrs, "{\"method\":\"SRS_VIDEO\"}", 22, &r));
    assert_int_equal(r.status, 200);
    const char *order = strstr(xs(r.json, "url"), "/srs/sim/video/");
    assert_non_null(order);
    snprintf(path, sizeof path, "%s/decide", order);
    response_free(&r);
    if (approve)
        snprintf(body, sizeof body,
                 "{\"decision\":\"APPROVE\",\"agent\":\"Agent Smith\",\"person\":{\"givenName\":"
                 "\"Anna\",\"familyName\":\"%s\",\"birthDate\":\"1985-04-12\","
                 "\"nationality\":\"%s\"},\"document\":{\"type\":\"PASSPORT\",\"number\":"
                 "\"X1234567\",\"expiryDate\":\"2031-06-30\",\"issuingCountry\":\"%s\"},"
                 "\"mobile\":\"%s\"}",
                 family, country, country, mobile);
    else
        snprintf(body, sizeof body,
                 "{\"decision\":\"REJECT\",\"agent\":\"Agent Smith\",\"reason\":\"The document "
                 "looked forged.\"}");
    assert_true(http(&srv, "POST", path, hdrs, body, strlen(body), &r));
    if (r.status != 200)
        fail_msg("decide: %ld %s", r.status, r.body);
    response_free(&r);
}

static void identify(const char *link, bool approve, const char *country, const char *mobile)
{
    identify_as(link, approve, country, "Muster", mobile);
}

/* The signer's verification object in GET /process (new reference). */
static json_t *api_verification(const char *process_id)
{
    json_t *signer = page_process_signer(&srv, &a_sign, process_id, "crm-a");
    json_t *v = json_incref(json_object_get(signer, "verification"));
    json_decref(signer);
    assert_non_null(v);
    return v;
}

static long sign_click(struct page_browser *b, json_t **err)
{
    return page_post(&srv, b, "/ui/api/session/sign", "{\"method\":\"CLICK\"}", err);
}

static void signing_waits_for_an_approved_identification(void **state)
{
    (void)state;
    const char *mobile = "+41791240001";
    struct page_process p;
    struct page_browser b;
    create_opened("{}", mobile, &p, &b);
    json_t *v = verification_state(&b);
    assert_non_null(v);
    assert_true(json_is_true(json_object_get(v, "required")));
    assert_string_equal(xs(v, "status"), "MISSING");
    assert_true(json_is_true(json_object_get(v, "residentPermit"))); /* the default */
    assert_true(json_is_true(json_object_get(v, "canStart")));
    json_decref(v);

    /* Not before identification. */
    json_t *err = NULL;
    assert_int_equal(sign_click(&b, &err), 409);
    assert_non_null(strstr(xs(err, "message"), "identification"));
    json_decref(err);
    json_t *api = api_verification(p.id);
    assert_true(json_is_true(json_object_get(api, "residentPermit")));
    assert_null(json_object_get(api, "verifiedOn"));
    assert_null(json_object_get(api, "rejectedOn"));
    json_decref(api);

    char link[256], reg[64];
    start_identification(&b, link, reg);
    v = verification_state(&b);
    assert_string_equal(xs(v, "status"), "PENDING");
    json_decref(v);
    api = api_verification(p.id);
    assert_string_equal(xs(api, "processId"), reg);
    assert_null(json_object_get(api, "verifiedOn"));
    json_decref(api);
    assert_int_equal(sign_click(&b, NULL), 409);

    identify(link, true, "CH", mobile);
    v = verification_state(&b);
    assert_string_equal(xs(v, "status"), "VERIFIED");
    assert_false(json_is_true(json_object_get(v, "canStart")));
    json_decref(v);
    api = api_verification(p.id);
    assert_string_equal(xs(api, "processId"), reg);
    assert_non_null(xs(api, "verifiedOn"));
    assert_null(json_object_get(api, "rejectedOn"));
    const char *payload = xs(api, "payload");
    assert_non_null(payload);
    json_t *pl = json_loads(payload, 0, NULL);
    assert_non_null(pl);
    assert_string_equal(xs(pl, "result"), "APPROVED");
    assert_string_equal(xs(pl, "method"), "SRS_VIDEO");
    assert_string_equal(xs(pl, "documentCountry"), "CH");
    assert_string_equal(xs(pl, "assuranceLevel"), "qualified");
    assert_non_null(xs(pl, "identifiedAt"));
    json_decref(pl);
    /* No more personal data than the outcome needs. */
    assert_null(strstr(payload, "X1234567"));
    assert_null(strstr(payload, "Muster"));
    assert_null(strstr(payload, "1985"));
    /* The identification report: a file of the process, a PDF naming the verified person. */
    json_t *files = json_object_get(api, "files");
    assert_int_equal(json_array_size(files), 1);
    char report[64], path[256], file[600], out[8192];
    snprintf(report, sizeof report, "%s", json_string_value(json_array_get(files, 0)));
    json_decref(api);
    struct response r;
    snprintf(path, sizeof path, PROCESS_PATH "/%s/file/%s/content", p.id, report);
    tenant_call(&srv, "GET", path, &a_sign, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 5 && !memcmp(r.body, "%PDF-", 5));
    snprintf(file, sizeof file, "%s/report.pdf", work);
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(r.body, 1, r.body_len, f), r.body_len);
    fclose(f);
    response_free(&r);
    sh_run(out, sizeof out, "pdftotext '%s' - 2>&1", file);
    assert_non_null(strstr(out, "Online identification report"));
    assert_non_null(strstr(out, "Given name: Anna"));
    assert_non_null(strstr(out, "Family name: Muster"));
    assert_non_null(strstr(out, "X1234567"));
    assert_non_null(strstr(out, reg));
    /* Nothing more to start. */
    assert_int_equal(page_post(&srv, &b, "/ui/api/session/registration", "{}", NULL), 409);

    assert_int_equal(sign_click(&b, NULL), 200);
    json_t *signer = page_process_signer(&srv, &a_sign, p.id, "crm-a");
    assert_string_equal(xs(signer, "status"), "SIGNED");
    json_decref(signer);
    /* Both documents, the offer and the report, are signed. */
    json_t *s = page_state(&srv, &b);
    json_t *docs = json_object_get(s, "documents");
    assert_int_equal(json_array_size(docs), 2);
    bool report_seen = false;
    for (size_t i = 0; i < 2; i++) {
        const char *doc = xs(json_array_get(docs, i), "id");
        assert_non_null(doc);
        report_seen = report_seen || !strcmp(doc, report);
        snprintf(path, sizeof path, "/ui/api/session/document/%s/content?version=latest", doc);
        page_call(&srv, &b, "GET", path, NULL, &r);
        assert_int_equal(r.status, 200);
        snprintf(file, sizeof file, "%s/verified-%zu.pdf", work, i);
        f = fopen(file, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(r.body, 1, r.body_len, f), r.body_len);
        fclose(f);
        response_free(&r);
        sh_run(out, sizeof out, "pdfsig -no-ocsp '%s' 2>&1", file);
        if (!strstr(out, "Signature is Valid."))
            fail_msg("pdfsig %s: %s", doc, out);
    }
    json_decref(s);
    assert_true(report_seen);
}

static void resident_permit_needs_a_swiss_document(void **state)
{
    (void)state;
    const char *mobile = "+41791240002";
    struct page_process p;
    struct page_browser b;
    create_opened("{\"residentPermit\":true}", mobile, &p, &b);
    char link[256], reg[64];
    start_identification(&b, link, reg);
    identify(link, true, "DE", mobile);
    json_t *v = verification_state(&b);
    assert_string_equal(xs(v, "status"), "REJECTED");
    assert_false(json_is_true(json_object_get(v, "canStart")));
    json_decref(v);
    json_t *api = api_verification(p.id);
    assert_string_equal(xs(api, "processId"), reg);
    assert_non_null(xs(api, "rejectedOn"));
    assert_null(json_object_get(api, "verifiedOn"));
    json_t *pl = json_loads(xs(api, "payload"), 0, NULL);
    assert_non_null(pl);
    assert_string_equal(xs(pl, "result"), "REJECTED");
    assert_string_equal(xs(pl, "documentCountry"), "DE");
    assert_non_null(strstr(xs(pl, "reason"), "residentPermit"));
    json_decref(pl);
    assert_null(json_object_get(api, "files")); /* no report of a rejection */
    json_decref(api);
    json_t *err = NULL;
    assert_int_equal(sign_click(&b, &err), 409);
    assert_non_null(strstr(xs(err, "message"), "rejected"));
    json_decref(err);
    err = NULL;
    assert_int_equal(page_post(&srv, &b, "/ui/api/session/registration", "{}", &err), 409);
    assert_non_null(strstr(xs(err, "message"), "rejected"));
    json_decref(err);
    json_t *signer = page_process_signer(&srv, &a_sign, p.id, "crm-a");
    assert_string_equal(xs(signer, "status"), "PENDING");
    json_decref(signer);
}

static void without_resident_permit_a_foreign_document_counts(void **state)
{
    (void)state;
    const char *mobile = "+41791240003";
    struct page_process p;
    struct page_browser b;
    create_opened("{\"residentPermit\":false}", mobile, &p, &b);
    char link[256], reg[64];
    start_identification(&b, link, reg);
    identify(link, true, "DE", mobile);
    json_t *api = api_verification(p.id);
    assert_non_null(xs(api, "verifiedOn"));
    assert_false(json_is_true(json_object_get(api, "residentPermit")));
    json_decref(api);
    assert_int_equal(sign_click(&b, NULL), 200);
}

static void a_rejected_identification_stops_signing(void **state)
{
    (void)state;
    const char *mobile = "+41791240004";
    struct page_process p;
    struct page_browser b;
    create_opened("{}", mobile, &p, &b);
    char link[256], reg[64];
    start_identification(&b, link, reg);
    identify(link, false, NULL, mobile);
    json_t *v = verification_state(&b);
    assert_string_equal(xs(v, "status"), "REJECTED");
    json_decref(v);
    json_t *api = api_verification(p.id);
    assert_non_null(xs(api, "rejectedOn"));
    json_t *pl = json_loads(xs(api, "payload"), 0, NULL);
    assert_string_equal(xs(pl, "result"), "REJECTED");
    json_decref(pl);
    json_decref(api);
    json_t *err = NULL;
    assert_int_equal(sign_click(&b, &err), 409);
    assert_non_null(strstr(xs(err, "message"), "rejected"));
    json_decref(err);
}

static void oss_identifies_the_signer_in_the_ceremony(void **state)
{
    (void)state;
    const char *mobile = "+41791240005";
    struct page_process p;
    struct page_browser b;
    create_opened_with("ADVANCED", NULL, "{\"signatureMethods\":[\"OSS\"]}", mobile, &p, &b);
    json_t *s = page_state(&srv, &b);
    json_t *m = json_object_get(s, "methods");
    assert_int_equal(json_array_size(m), 1);
    assert_string_equal(json_string_value(json_array_get(m, 0)), "OSS");
    json_t *v = json_object_get(s, "verification");
    assert_non_null(v);
    assert_false(json_is_true(json_object_get(v, "required"))); /* not a GwG verification */
    assert_string_equal(xs(v, "status"), "MISSING");
    assert_true(json_is_true(json_object_get(v, "canStart")));
    json_decref(s);

    /* Not without the identification. */
    json_t *err = NULL;
    assert_int_equal(page_post(&srv, &b, "/ui/api/session/sign", "{\"method\":\"OSS\"}", &err),
                     409);
    assert_non_null(strstr(xs(err, "message"), "identify"));
    json_decref(err);

    /* The identification in the ceremony: the certificate names the identified person. */
    char link[256], reg[64];
    start_identification(&b, link, reg);
    identify_as(link, true, "DE", "MUSTER-IDENTIFIED", mobile);
    v = verification_state(&b);
    assert_string_equal(xs(v, "status"), "VERIFIED");
    json_decref(v);
    assert_int_equal(page_post(&srv, &b, "/ui/api/session/sign", "{\"method\":\"OSS\"}", NULL),
                     200);
    json_t *signer = page_process_signer(&srv, &a_sign, p.id, "crm-a");
    assert_string_equal(xs(signer, "status"), "SIGNED");
    assert_string_equal(xs(signer, "certificateName"), "Anna MUSTER-IDENTIFIED");
    assert_null(json_object_get(signer, "verification")); /* none was asked for */
    json_decref(signer);

    /* Only the offer (no identification report), signed with the identified name. */
    s = page_state(&srv, &b);
    json_t *docs = json_object_get(s, "documents");
    assert_int_equal(json_array_size(docs), 1);
    char path[256], file[600], out[8192];
    snprintf(path, sizeof path, "/ui/api/session/document/%s/content?version=latest",
             xs(json_array_get(docs, 0), "id"));
    json_decref(s);
    struct response r;
    page_call(&srv, &b, "GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(file, sizeof file, "%s/oss.pdf", work);
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(r.body, 1, r.body_len, f), r.body_len);
    fclose(f);
    response_free(&r);
    sh_run(out, sizeof out, "pdfsig -no-ocsp '%s' 2>&1", file);
    if (!strstr(out, "Signature is Valid."))
        fail_msg("pdfsig: %s", out);
    assert_non_null(strstr(out, "Signer Certificate Common Name: Anna MUSTER-IDENTIFIED"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signing_waits_for_an_approved_identification),
        cmocka_unit_test(resident_permit_needs_a_swiss_document),
        cmocka_unit_test(without_resident_permit_a_foreign_document_counts),
        cmocka_unit_test(a_rejected_identification_stops_signing),
        cmocka_unit_test(oss_identifies_the_signer_in_the_ceremony),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
