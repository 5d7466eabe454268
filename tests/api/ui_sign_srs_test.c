/*
 * Signing at QUALIFIED (and, where the operator says so, ADVANCED) level on the signer page
 * with a registration of the Smart Registration Service (docs/srs.md "Coupling to signing",
 * docs/signer-pages.md "Registration"), driven over HTTP like the page and the video
 * simulator's agent would:
 *   - a QUALIFIED process whose signer has no registration: the state says
 *     registration {required, MISSING}; signing is refused (409) with a message naming the
 *     registration, and nothing is signed;
 *   - registrations that do not count: another organization's, another jurisdiction's (EU for
 *     a CH process), a REVOKED one, an ACTIVE one whose validity has passed;
 *   - the page starts a registration for the signer (POST /ui/api/session/registration): the
 *     registration page, the simulator approves, SMS code, terms → ACTIVE, and the registration
 *     leads back to /ui/session (the page of the browser's session);
 *   - then the state says ACTIVE, signing with the authenticator app succeeds, the signed PDF
 *     is valid and trusted (pdfsig, NSS trusting only our root), its certificate names the
 *     registered person and comes from the Qualified CA (`signet verify`); the signer
 *     certificate in the signature's CMS (openssl) carries the qcStatements extension with
 *     QcCompliance, QcSSCD and QcType esign, and the registered name with serialNumber
 *     "SRS-{registration id}" in its subject; and GET
 *     /process reports certificateName and certificateMatch;
 *   - a signer without a mobile number cannot start one (409, clear message);
 *   - an operator catalogue that makes ADVANCED need a registration for one organization:
 *     that organization's ADVANCED process asks for one, another organization's does not.
 */
#include "signer_page.h"

#include "core/base32.h"
#include "core/crypto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define SIGN_SCOPES "sswp:process:create sswp:process:read sswp:process:read:all"
#define SRS_SCOPES  "srs:registration:create srs:registration:read srs:identity:read"

static struct server srv;
static char data_dir[256], work[512];
static char org_a[128], org_b[128];
static struct client a_sign, a_srs, b_sign, b_srs;

static const char *xs(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The default catalogue with ADVANCED needing a registration for org_a only. */
static bool write_catalogue(const char *path)
{
    const char *src = getenv("SIGNET_SOURCE_DIR");
    char in[512];
    snprintf(in, sizeof in, "%s/web/config/srs-methods.json", src ? src : "..");
    json_t *c = json_load_file(in, 0, NULL);
    if (!c)
        return false;
    json_t *orgs = json_object_get(json_object_get(c, "signing"), "organizations");
    json_object_set_new(orgs, org_a, json_pack("{s:s}", "ADVANCED", "REQUIRED"));
    int rc = json_dump_file(c, path, JSON_INDENT(2));
    json_decref(c);
    return rc == 0;
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Org A", "CORPORATE", org_a, sizeof org_a);
    tenant_create_org(data_dir, "Org B", "CORPORATE", org_b, sizeof org_b);
    tenant_create_client(data_dir, org_a, SIGN_SCOPES, &a_sign);
    tenant_create_client(data_dir, org_a, SRS_SCOPES, &a_srs);
    tenant_create_client(data_dir, org_b, SIGN_SCOPES, &b_sign);
    tenant_create_client(data_dir, org_b, SRS_SCOPES, &b_srs);
    snprintf(work, sizeof work, "%s/work", data_dir);
    char catalogue[600], out[512];
    snprintf(catalogue, sizeof catalogue, "%s/srs-methods.json", data_dir);
    if (!write_catalogue(catalogue))
        return -1;
    const char *args[] = {"--srs-methods-file", catalogue, NULL};
    if (!server_start(&srv, data_dir, args))
        return -1;
    struct client *all[] = {&a_sign, &a_srs, &b_sign, &b_srs};
    for (size_t i = 0; i < 4; i++)
        if (!(all[i]->token = tenant_issue_token(&srv, all[i])))
            return -1;
    /* An NSS database that trusts only our root, for pdfsig. */
    return sh_run(out, sizeof out,
                  "mkdir -p %s && cd %s && curl -sf %s/pki/root.pem -o root.pem && mkdir nss && "
                  "certutil -N -d sql:nss --empty-password && certutil -A -n signet-root -t "
                  "CT,C,C -i root.pem -d sql:nss",
                  work, work, srv.base);
}

static int teardown(void **state)
{
    (void)state;
    struct client *all[] = {&a_sign, &a_srs, &b_sign, &b_srs};
    for (size_t i = 0; i < 4; i++)
        free(all[i]->token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* ---- the registration side (end customer, simulator agent) ---- */

static void call_public(const char *method, const char *path, const char *body, struct response *r)
{
    const char *headers[] = {"Content-Type: application/json", NULL};
    assert_true(http(&srv, method, path, body ? headers : NULL, body, body ? strlen(body) : 0, r));
}

static void sql(const char *statement, char *out, size_t out_len)
{
    assert_true(test_sql(data_dir, statement, out, out_len));
}

/* The newest SMS of kind to mobile, its body into out. */
static void newest_sms(const char *mobile, const char *kind, char *out, size_t len)
{
    char q[320];
    snprintf(q, sizeof q,
             "SELECT body FROM outbox WHERE recipient = '%s' AND kind = '%s' "
             "ORDER BY created_at DESC, %s DESC LIMIT 1",
             mobile, kind, test_sql_insert_order());
    sql(q, out, len);
    assert_true(out[0] != '\0');
}

static void code_from(const char *text, char code[7])
{
    for (const char *p = text; *p; p++) {
        size_t n = strspn(p, "0123456789");
        if (n == 6) {
            memcpy(code, p, 6);
            code[6] = '\0';
            return;
        }
        if (n)
            p += n - 1;
    }
    fail_msg("no code in: %s", text);
}

/* Takes the registration at link (/srs/r/{token}) to ACTIVE: video identification of
 * given/family with mobile, the SMS code, the terms. Returns the registration page's final
 * state (new reference). */
static json_t *register_active(const char *link, const char *given, const char *family,
                               const char *mobile)
{
    char path[400], body[1024], sms[2048], code[7];
    struct response r;
    snprintf(path, sizeof path, "%s/start", link);
    call_public("POST", path, "{\"method\":\"SRS_VIDEO\"}", &r);
    assert_int_equal(r.status, 200);
    const char *order = strstr(xs(r.json, "url"), "/srs/sim/video/");
    assert_non_null(order);
    snprintf(path, sizeof path, "%s/decide", order);
    response_free(&r);
    snprintf(body, sizeof body,
             "{\"decision\":\"APPROVE\",\"agent\":\"Agent Smith\",\"person\":{\"givenName\":\"%s\","
             "\"familyName\":\"%s\",\"birthDate\":\"1985-04-12\",\"nationality\":\"CH\"},"
             "\"document\":{\"type\":\"PASSPORT\",\"number\":\"X1234567\",\"expiryDate\":"
             "\"2031-06-30\",\"issuingCountry\":\"CH\"},\"mobile\":\"%s\"}",
             given, family, mobile);
    call_public("POST", path, body, &r);
    if (r.status != 200)
        fail_msg("decide: %ld %s", r.status, r.body);
    assert_string_equal(xs(r.json, "status"), "AWAITING_TERMS");
    response_free(&r);

    snprintf(path, sizeof path, "%s/code", link);
    call_public("POST", path, NULL, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    newest_sms(mobile, "CODE", sms, sizeof sms);
    code_from(sms, code);
    snprintf(path, sizeof path, "%s/verify", link);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    call_public("POST", path, body, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);

    newest_sms(mobile, "SRS_TERMS", sms, sizeof sms);
    const char *t = strstr(sms, "/srs/terms/");
    assert_non_null(t);
    char terms[256];
    snprintf(terms, sizeof terms, "%.*s", (int)strcspn(t, " \n"), t);
    snprintf(path, sizeof path, "%s/state?lang=en", terms);
    call_public("GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(body, sizeof body, /* consent: the identity data is read afterwards */
             "{\"versionHash\":\"%s\",\"consent\":true,\"consentHash\":\"%s\"}",
             xs(r.json, "versionHash"), xs(r.json, "consentHash"));
    response_free(&r);
    snprintf(path, sizeof path, "%s/accept", terms);
    call_public("POST", path, body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(xs(r.json, "status"), "ACTIVE");
    response_free(&r);

    snprintf(path, sizeof path, "%s/state", link);
    call_public("GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_incref(r.json);
    response_free(&r);
    return j;
}

/* A registration opened by the service provider's API (client c), taken to ACTIVE; its id
 * into id. */
static void api_registration(const struct client *c, const char *jurisdiction, const char *given,
                             const char *family, const char *mobile, char id[64])
{
    char body[256];
    struct response r;
    snprintf(body, sizeof body,
             "{\"methods\":[\"SRS_VIDEO\"],\"jurisdiction\":\"%s\",\"level\":\"QUALIFIED\"}",
             jurisdiction);
    tenant_call(&srv, "POST", "/srs/v1/registrations", c, body, NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(id, 64, "%s", xs(r.json, "id"));
    char link[256];
    snprintf(link, sizeof link, "%s", strstr(xs(r.json, "url"), "/srs/r/"));
    response_free(&r);
    json_decref(register_active(link, given, family, mobile));
}

static json_t *registration_of(const json_t *state)
{
    return json_object_get(state, "registration");
}

/* The page's registration status ("ACTIVE" | "MISSING"), or NULL when none is asked for. */
static const char *reg_status(struct page_browser *b)
{
    static char status[16];
    json_t *s = page_state(&srv, b);
    const char *v = xs(registration_of(s), "status");
    snprintf(status, sizeof status, "%s", v ? v : "");
    json_decref(s);
    return status[0] ? status : NULL;
}

/* ---- the signer's authenticator app ---- */

static void app_code(const unsigned char *secret, int64_t step, char out[7])
{
    uint32_t code = 0;
    assert_true(crypto_hotp(secret, 20, (uint64_t)step, 6, &code));
    snprintf(out, 7, "%06u", (unsigned)code);
}

static int64_t step_now(void)
{
    return crypto_totp_step((int64_t)time(NULL) * 1000);
}

/* Enrols and confirms the app (which uses up the current step); the secret into secret. */
static void app_setup(struct page_browser *b, unsigned char secret[20])
{
    json_t *e = NULL;
    assert_int_equal(page_post(&srv, b, "/ui/api/session/app/enrol", "{}", &e), 200);
    size_t n = 0;
    assert_true(base32_decode(xs(e, "secret"), secret, 20, &n));
    assert_int_equal(n, 20);
    json_decref(e);
    char code[7], body[64];
    app_code(secret, step_now(), code);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    assert_int_equal(page_post(&srv, b, "/ui/api/session/app/confirm", body, NULL), 200);
}

/* POST sign with APP and the code of step (relative to now); the answer into *out. */
static long sign_app(struct page_browser *b, const unsigned char secret[20], int64_t step,
                     json_t **out)
{
    char code[7], body[96];
    app_code(secret, step, code);
    snprintf(body, sizeof body, "{\"method\":\"APP\",\"code\":\"%s\"}", code);
    return page_post(&srv, b, "/ui/api/session/sign", body, out);
}

/* ---- tests ---- */

/* The signer's certificate, taken from the signature's CMS (/Contents of the signed PDF) with
 * openssl, is a qualified one for the registered person: the qcStatements extension
 * (1.3.6.1.5.5.7.1.3) with the ETSI statements QcCompliance (0.4.0.1862.1.1), QcSSCD
 * (0.4.0.1862.1.4) and QcType esign (0.4.0.1862.1.6 / .1), the subject with the registered
 * name and the registration's serial number "SRS-{id}". */
static void signer_certificate_is_qualified(const char *pdf, const char *registration_id)
{
    char out[32768], certs[700], leaf[700];
    snprintf(certs, sizeof certs, "%s/signer-certs.pem", work);
    /* The first signature's /Contents: DER of exactly the length its header states (the
     * field is padded with zeros). */
    sh_run(out, sizeof out,
           "python3 -c 'import re,sys\n"
           "d=open(sys.argv[1],\"rb\").read()\n"
           "h=re.search(rb\"/Contents\\s*<([0-9A-Fa-f]+)>\",d).group(1)\n"
           "b=bytes.fromhex(h.decode())\n"
           "n=b[1]&0x7f if b[1]&0x80 else 0\n"
           "l=int.from_bytes(b[2:2+n],\"big\") if n else b[1]\n"
           "sys.stdout.buffer.write(b[:2+n+l])' '%s' | "
           "openssl pkcs7 -inform DER -print_certs -out '%s' 2>&1",
           pdf, certs);
    /* The end-entity certificate among those the CMS carries (the chain's CAs have
     * CA:TRUE): the signer's. */
    snprintf(leaf, sizeof leaf, "%s/signer.pem", work);
    sh_run(out, sizeof out,
           "cd '%s' && rm -f cms-cert-*.pem '%s' && "
           "awk '/BEGIN CERT/ {n++} n {print > (\"cms-cert-\" n \".pem\")}' '%s' && "
           "for c in cms-cert-*.pem; do openssl x509 -in $c -noout -ext basicConstraints "
           "| grep -q CA:TRUE || cat $c >> '%s'; done; grep -c 'BEGIN CERT' '%s'",
           work, leaf, certs, leaf, leaf);
    assert_string_equal(out, "1\n");
    sh_run(out, sizeof out, "openssl x509 -in '%s' -noout -text 2>&1", leaf);
    if (!strstr(out, "qcStatements") && !strstr(out, "1.3.6.1.5.5.7.1.3"))
        fail_msg("no qcStatements in the signer certificate: %s", out);
    /* The extension's DER, decoded: the three ETSI statements. */
    char asn1[16384];
    sh_run(asn1, sizeof asn1,
           "openssl asn1parse -in '%s' -strparse $(openssl asn1parse -in '%s' | "
           "awk '/:qcStatements|:1.3.6.1.5.5.7.1.3/ {getline; print $1+0; exit}') 2>&1",
           leaf, leaf);
    if (!strstr(asn1, "0.4.0.1862.1.1\n") || !strstr(asn1, "0.4.0.1862.1.4\n") ||
        !strstr(asn1, "0.4.0.1862.1.6\n") || !strstr(asn1, "0.4.0.1862.1.6.1\n"))
        fail_msg("qcStatements without the ETSI statements: %s", asn1);
    char subject[1024], serial[96];
    sh_run(subject, sizeof subject,
           "openssl x509 -in '%s' -noout -subject -nameopt sep_multiline,lname,space_eq,utf8 2>&1",
           leaf);
    snprintf(serial, sizeof serial, "serialNumber = SRS-%s\n", registration_id);
    if (!strstr(subject, "givenName = Anna\n") || !strstr(subject, "surname = MUSTER\n") ||
        !strstr(subject, "commonName = Anna MUSTER\n") || !strstr(subject, serial))
        fail_msg("subject without the registered name and serial number: %s", subject);
}

static void qualified_signing_uses_the_signers_active_registration(void **state)
{
    (void)state;
    const char *mobile = "+41791230001";
    struct page_process p;
    page_create_released_with(&srv, &a_sign, "QUALIFIED", "{\"signatureMethods\":[\"APP\"]}",
                              mobile, &p);
    struct page_browser a = {"", ""};
    page_open(&srv, &a, p.a_path);
    json_t *s = page_state(&srv, &a);
    assert_null(registration_of(s)); /* not before authorization */
    json_decref(s);
    page_authorize(&srv, &a, data_dir, p.a_id);
    s = page_state(&srv, &a);
    json_t *reg = registration_of(s);
    assert_non_null(reg);
    assert_true(json_is_true(json_object_get(reg, "required")));
    assert_string_equal(xs(reg, "status"), "MISSING");
    assert_string_equal(xs(reg, "jurisdiction"), "CH");
    assert_string_equal(xs(reg, "level"), "QUALIFIED");
    assert_true(json_is_true(json_object_get(reg, "canStart")));
    json_decref(s);

    /* Without a registration: refused with a message that says what is missing; the code is
     * not used up (the same step's code signs later would be a replay, so the next is used). */
    unsigned char secret[20];
    app_setup(&a, secret);
    json_t *err = NULL;
    int64_t step = step_now() + 1;
    assert_int_equal(sign_app(&a, secret, step, &err), 409);
    assert_non_null(strstr(xs(err, "message"), "registration"));
    assert_non_null(strstr(xs(err, "message"), "QUALIFIED"));
    json_decref(err);
    json_t *signer = page_process_signer(&srv, &a_sign, p.id, "crm-a");
    assert_string_equal(xs(signer, "status"), "PENDING");
    json_decref(signer);

    /* Registrations that do not count: another organization's, another jurisdiction's. */
    char other[64], eu[64], revoked[64];
    api_registration(&b_srs, "CH", "Anna", "Muster", mobile, other);
    assert_string_equal(reg_status(&a), "MISSING");
    api_registration(&a_srs, "EU", "Anna", "Muster", mobile, eu);
    assert_string_equal(reg_status(&a), "MISSING");
    /* An ACTIVE one of the right scope counts, until it is revoked. */
    api_registration(&a_srs, "CH", "Anna", "Muster", mobile, revoked);
    assert_string_equal(reg_status(&a), "ACTIVE");
    char path[256];
    struct response r;
    snprintf(path, sizeof path, "/srs/v1/registrations/%s/revoke", revoked);
    tenant_call(&srv, "POST", path, &a_srs, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    assert_string_equal(reg_status(&a), "MISSING");

    /* The page starts one for the signer; it leads back to the page of this session. */
    json_t *started = NULL;
    assert_int_equal(page_post(&srv, &a, "/ui/api/session/registration", "{}", &started), 200);
    const char *link = strstr(xs(started, "url"), "/srs/r/");
    assert_non_null(link);
    char link_path[256], reg_id[64];
    snprintf(link_path, sizeof link_path, "%s", link);
    snprintf(reg_id, sizeof reg_id, "%s", xs(started, "registrationId"));
    json_decref(started);
    snprintf(path, sizeof path, "/srs/v1/registrations/%s", reg_id);
    tenant_call(&srv, "GET", path, &a_srs, NULL, NULL, &r);
    assert_int_equal(r.status, 200); /* the organization's own registration */
    assert_string_equal(xs(r.json, "jurisdiction"), "CH");
    assert_string_equal(xs(r.json, "level"), "QUALIFIED");
    assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "methods"), 0)),
                        "SRS_VIDEO"); /* the catalogue's methods for CH QUALIFIED */
    response_free(&r);
    json_t *done = register_active(link_path, "Anna", "MUSTER", mobile);
    const char *back = xs(done, "redirectUrl");
    assert_non_null(back);
    assert_non_null(strstr(back, "/ui/session"));
    struct response page;
    page_call(&srv, &a, "GET", strstr(back, "/ui/session"), NULL, &page);
    assert_int_equal(page.status, 200);
    assert_non_null(strstr(page.body, "<html"));
    response_free(&page);
    json_decref(done);
    s = page_state(&srv, &a);
    reg = registration_of(s);
    assert_string_equal(xs(reg, "status"), "ACTIVE");
    assert_false(json_is_true(json_object_get(reg, "canStart")));
    json_decref(s);
    /* Nothing more to start. */
    assert_int_equal(page_post(&srv, &a, "/ui/api/session/registration", "{}", NULL), 409);

    /* Signs with the registered name. */
    assert_int_equal(sign_app(&a, secret, step_now() + 1, NULL), 200);
    signer = page_process_signer(&srv, &a_sign, p.id, "crm-a");
    assert_string_equal(xs(signer, "status"), "SIGNED");
    assert_string_equal(xs(signer, "certificateName"), "Anna MUSTER");
    assert_string_equal(xs(signer, "certificateMatch"), "MATCH");
    json_decref(signer);

    /* The signed file: valid and trusted, the registered name, the Qualified CA. */
    s = page_state(&srv, &a);
    const char *doc = xs(json_array_get(json_object_get(s, "documents"), 0), "id");
    assert_non_null(doc);
    snprintf(path, sizeof path, "/ui/api/session/document/%s/content?version=latest", doc);
    page_call(&srv, &a, "GET", path, NULL, &r);
    json_decref(s);
    assert_int_equal(r.status, 200);
    char file[600];
    snprintf(file, sizeof file, "%s/qualified.pdf", work);
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(r.body, 1, r.body_len, f), r.body_len);
    fclose(f);
    response_free(&r);
    char out[16384];
    sh_run(out, sizeof out, "pdfsig -no-ocsp -nssdir sql:%s/nss '%s' 2>&1", work, file);
    if (!strstr(out, "Signature is Valid.") || !strstr(out, "Certificate is Trusted."))
        fail_msg("pdfsig: %s", out);
    assert_non_null(strstr(out, "Signer Certificate Common Name: Anna MUSTER"));
    signer_certificate_is_qualified(file, reg_id);
    const char *args[] = {"verify", file, "--json", "--data", data_dir, NULL};
    json_t *v = run_json(args);
    assert_true(json_is_true(json_object_get(v, "valid")));
    json_t *sig = json_array_get(json_object_get(v, "signatures"), 0);
    assert_non_null(strstr(xs(sig, "subject"), "Anna MUSTER"));
    assert_non_null(strstr(xs(sig, "subject"), "SRS-"));
    assert_non_null(strstr(xs(sig, "issuer"), "Qualified"));
    json_decref(v);
}

static void an_expired_registration_does_not_count(void **state)
{
    (void)state;
    const char *mobile = "+41791230002";
    struct page_process p;
    page_create_released_with(&srv, &a_sign, "QUALIFIED", "{\"signatureMethods\":[\"APP\"]}",
                              mobile, &p);
    struct page_browser a = {"", ""};
    page_open(&srv, &a, p.a_path);
    page_authorize(&srv, &a, data_dir, p.a_id);
    char id[64];
    api_registration(&a_srs, "CH", "Anna", "Muster", mobile, id);
    assert_string_equal(reg_status(&a), "ACTIVE");
    /* Its validity passes (as if five years went by). */
    char q[256], out[64];
    snprintf(q, sizeof q,
             "UPDATE srs_registrations SET valid_until = 1000 WHERE id = '%s' RETURNING 1", id);
    sql(q, out, sizeof out);
    assert_string_equal(out, "1\n");
    assert_string_equal(reg_status(&a), "MISSING");
    unsigned char secret[20];
    app_setup(&a, secret);
    json_t *err = NULL;
    assert_int_equal(sign_app(&a, secret, step_now() + 1, &err), 409);
    assert_non_null(strstr(xs(err, "message"), "registration"));
    json_decref(err);
    /* The service provider sees it EXPIRED. */
    char path[256];
    struct response r;
    snprintf(path, sizeof path, "/srs/v1/registrations/%s", id);
    tenant_call(&srv, "GET", path, &a_srs, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(xs(r.json, "status"), "EXPIRED");
    response_free(&r);
}

static void a_signer_without_mobile_cannot_start_one(void **state)
{
    (void)state;
    struct page_process p;
    page_create_released_with(&srv, &a_sign, "QUALIFIED", "{\"signatureMethods\":[\"APP\"]}",
                              "+41791230003", &p);
    struct page_browser b = {"", ""};
    page_open(&srv, &b, p.b_path); /* Beat: e-mail only */
    page_authorize(&srv, &b, data_dir, p.b_id);
    json_t *s = page_state(&srv, &b);
    json_t *reg = registration_of(s);
    assert_string_equal(xs(reg, "status"), "MISSING");
    assert_false(json_is_true(json_object_get(reg, "canStart")));
    json_decref(s);
    json_t *err = NULL;
    assert_int_equal(page_post(&srv, &b, "/ui/api/session/registration", "{}", &err), 409);
    assert_non_null(strstr(xs(err, "message"), "mobile number"));
    json_decref(err);
}

static void advanced_needs_one_where_the_operator_says_so(void **state)
{
    (void)state;
    struct page_process pa, pb;
    page_create_released_with(&srv, &a_sign, "ADVANCED", "{\"signatureMethods\":[\"APP\"]}",
                              "+41791230004", &pa);
    page_create_released_with(&srv, &b_sign, "ADVANCED", "{\"signatureMethods\":[\"APP\"]}",
                              "+41791230004", &pb);
    struct page_browser a = {"", ""}, b = {"", ""};
    page_open(&srv, &a, pa.a_path);
    page_authorize(&srv, &a, data_dir, pa.a_id);
    json_t *s = page_state(&srv, &a);
    json_t *reg = registration_of(s);
    assert_non_null(reg);
    assert_string_equal(xs(reg, "status"), "MISSING");
    assert_string_equal(xs(reg, "level"), "ADVANCED");
    assert_string_equal(xs(reg, "jurisdiction"), "CH");
    json_decref(s);
    unsigned char secret[20];
    app_setup(&a, secret);
    json_t *err = NULL;
    assert_int_equal(sign_app(&a, secret, step_now() + 1, &err), 409);
    assert_non_null(strstr(xs(err, "message"), "registration"));
    json_decref(err);

    /* Org B's ADVANCED process needs none: it signs with the declared name. */
    page_open(&srv, &b, pb.a_path);
    page_authorize(&srv, &b, data_dir, pb.a_id);
    s = page_state(&srv, &b);
    assert_null(registration_of(s));
    json_decref(s);
    app_setup(&b, secret);
    assert_int_equal(sign_app(&b, secret, step_now() + 1, NULL), 200);
    json_t *signer = page_process_signer(&srv, &b_sign, pb.id, "crm-a");
    assert_string_equal(xs(signer, "certificateName"), "Anna Muster");
    json_decref(signer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qualified_signing_uses_the_signers_active_registration),
        cmocka_unit_test(an_expired_registration_does_not_count),
        cmocka_unit_test(a_signer_without_mobile_cannot_start_one),
        cmocka_unit_test(advanced_needs_one_where_the_operator_says_so),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
