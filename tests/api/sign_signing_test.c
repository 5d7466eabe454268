/*
 * The signing step of a process (sign/signing.h), driven as the signer pages will drive it —
 * by calling sign_participant_sign on the server's own store — and observed through the Sign
 * API and independent validators:
 *   - after the first signer: signer SIGNED with signedOn and certificateMatch UNCHECKED (SMS:
 *     no certificateName), lastSignedFileId on each document it is placed on, getFile and
 *     getFileContent return the signed PDF; pdfsig (trusting only our root) says valid and
 *     trusted, qpdf --check passes; an audit record "sign";
 *   - the last signer completes the process: COMPLETED, every signed document gets a document
 *     time stamp (B-LTA), certificateName and MATCH for an authenticated method, a record
 *     "transaction" COMPLETED, `signet verify` says every signature and time stamp is valid;
 *   - refusals: unreleased process, unknown signer, signing twice, a method the release did
 *     not allow, QUALIFIED without a registered identity; with one, the certificate carries the
 *     registered name (certificateMatch MISMATCH when it differs from the declared one);
 *   - two signers signing the same document at the same moment: both signatures end up in it;
 *   - archiving: `signet admin jobs run archive --now` past the retention deletes the files:
 *     getFile answers 410 Gone, the process shows archivedOn, the blobs are gone from disk.
 */
#include "tenant.h"

#include "core/config.h"
#include "core/isotime.h"
#include "pdf/pdf.h"
#include "pki/service.h"
#include "sign/signing.h"
#include "store/store.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define ALL_SCOPES "sswp:process:create sswp:process:read sswp:process:read:all"

static struct server srv;
static char data_dir[256], work[256];
static char org_a[128];
static struct client a_full;
static struct store *store;
static struct pki_service *pki;
static struct pdf_engine *engine;

/* ---- helpers ---- */

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

/* Creates a process at `level` with signers crm-1 (Anna Muster) and crm-2 (Beat Beispiel). */
static void create_process(const char *level, char *id, size_t id_len)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"signatureLevel\":\"%s\",\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
             "\"invitees\":{\"signers\":["
             "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-1\",\"firstName\":\"Anna\","
             "\"lastName\":\"Muster\",\"email\":\"anna@example.com\"},"
             "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-2\",\"firstName\":\"Beat\","
             "\"lastName\":\"Beispiel\",\"email\":\"beat@example.com\"}]}}",
             level);
    struct response r;
    tenant_call(&srv, "POST", PROCESS_PATH, &a_full, body, NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(id, id_len, "%s", xs(r.json, "id"));
    response_free(&r);
}

/* Attaches simple-a4.pdf as ext_id with positions for the signers in `positions` (JSON). */
static void attach(const char *pid, const char *ext_id, const char *positions)
{
    char *text = tenant_attach_body("simple-a4.pdf", ext_id, positions);
    struct response r;
    op("POST", pid, "/attach", text, &r);
    free(text);
    assert_int_equal(r.status, 201);
    response_free(&r);
}

static const char both[] = "[{\"signer\":\"crm-1\",\"locator\":\"COORDINATES\",\"pageNumber\":0,"
                           "\"positionX\":60,\"positionY\":600},"
                           "{\"signer\":\"crm-2\",\"locator\":\"COORDINATES\",\"pageNumber\":0,"
                           "\"positionX\":300,\"positionY\":600}]";
static const char first_only[] = "[{\"signer\":\"crm-1\",\"locator\":\"COORDINATES\","
                                 "\"pageNumber\":0,\"positionX\":60,\"positionY\":600}]";

static void release(const char *pid, const char *body)
{
    struct response r;
    op("POST", pid, "/release", body, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
}

/* The process as GET returns it (new reference). */
static json_t *get_process(const char *pid)
{
    struct response r;
    op("GET", pid, "", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_incref(r.json);
    response_free(&r);
    return j;
}

static json_t *signer_of(json_t *p, size_t i)
{
    return json_array_get(json_object_get(json_object_get(p, "invitees"), "signers"), i);
}

static const char *signer_id(json_t *p, size_t i)
{
    return xs(signer_of(p, i), "identification");
}

static enum sign_signing_result sign_as(const char *pid, const char *participant,
                                        const char *method,
                                        const struct sign_registered_identity *identity,
                                        struct sign_signing_outcome *out, char *err, size_t err_len)
{
    struct sign_signing_env env = {.store = store, .pdf = engine, .pki = pki};
    struct sign_signing_request req = {.organization_id = org_a,
                                       .process_id = pid,
                                       .participant_id = participant,
                                       .method = method,
                                       .identity = identity,
                                       .now_ms = time_now_ms()};
    return sign_participant_sign(&env, &req, out, err, err_len);
}

static size_t count_lines(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Downloads file_id of pid (getFileContent) into work/name; checks the headers. */
static void download(const char *pid, const char *file_id, const char *name)
{
    char suffix[256], path[512];
    snprintf(suffix, sizeof suffix, "/file/%s/content", file_id);
    struct response r;
    op("GET", pid, suffix, NULL, &r);
    assert_int_equal(r.status, 200);
    char type[64];
    assert_true(response_header(&r, "Content-Type", type, sizeof type));
    assert_string_equal(type, "application/pdf");
    assert_true(r.body_len > 4 && !memcmp(r.body, "%PDF", 4));
    snprintf(path, sizeof path, "%s/%s", work, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(r.body, 1, r.body_len, f), r.body_len);
    fclose(f);
    response_free(&r);
}

/* pdfsig (NSS trusting only our root) on work/name: n valid and trusted signatures; qpdf ok.
 * Trust is read with -no-ocsp: poppler 22.12 leaves NSS's SEC_ERROR_REUSED_ISSUER_AND_SERIAL
 * from its online OCSP check behind even though CERT_PKIXVerifyCert succeeded, and then calls
 * the second signature of a file that ends in a document time stamp "Unknown issue with
 * Certificate" (docs/pades.md); revocation is covered by `signet verify` and the /DSS. */
static void validate(const char *name, size_t n)
{
    char out[16384];
    sh_run(out, sizeof out, "pdfsig -nssdir sql:%s/nss '%s/%s' 2>&1", work, work, name);
    if (count_lines(out, "Signature is Valid.") != n)
        fprintf(stderr, "pdfsig %s:\n%s\n", name, out);
    assert_int_equal(count_lines(out, "Signature is Valid."), n);
    sh_run(out, sizeof out, "pdfsig -no-ocsp -nssdir sql:%s/nss '%s/%s' 2>&1", work, work, name);
    if (count_lines(out, "Certificate is Trusted.") != n)
        fprintf(stderr, "pdfsig -no-ocsp %s:\n%s\n", name, out);
    assert_int_equal(count_lines(out, "Signature is Valid."), n);
    assert_int_equal(count_lines(out, "Certificate is Trusted."), n);
    assert_int_equal(sh_run(out, sizeof out, "qpdf --check '%s/%s' 2>&1", work, name), 0);
}

/* `signet verify --json` on work/name: every signature valid; how many of each type. */
static void verify_all_valid(const char *name, size_t signatures, size_t timestamps)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", work, name);
    const char *args[] = {"verify", path, "--json", "--data", data_dir, NULL};
    json_t *j = run_json(args);
    assert_true(json_is_true(json_object_get(j, "valid")));
    json_t *sigs = json_object_get(j, "signatures");
    size_t n_sig = 0, n_ts = 0;
    for (size_t i = 0; i < json_array_size(sigs); i++) {
        json_t *s = json_array_get(sigs, i);
        assert_true(json_is_true(json_object_get(s, "valid")));
        if (!strcmp(xs(s, "type"), "documentTimeStamp"))
            n_ts++;
        else
            n_sig++;
    }
    assert_int_equal(n_sig, signatures);
    assert_int_equal(n_ts, timestamps);
    json_decref(j);
}

/* The records of pid with action `action` (and extras key = value when key is set). */
static size_t count_records(const char *pid, const char *action, const char *key, const char *value)
{
    struct response r;
    op("GET", pid, "/record", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *recs = json_object_get(r.json, "records");
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(recs); i++) {
        json_t *rec = json_array_get(recs, i);
        if (strcmp(xs(rec, "action"), action) != 0)
            continue;
        if (key && (!xs(json_object_get(rec, "extras"), key) ||
                    strcmp(xs(json_object_get(rec, "extras"), key), value) != 0))
            continue;
        n++;
    }
    response_free(&r);
    return n;
}

static const char *file_ref(json_t *p, size_t i, const char *key)
{
    return xs(json_array_get(json_object_get(p, "fileReferences"), i), key);
}

/* ---- setup ---- */

static int setup(void **state)
{
    (void)state;
    char err[512] = "", out[256];
    snprintf(work, sizeof work, "/tmp/signet-signing-XXXXXX");
    if (!mkdtemp(work) || !make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Acme", "ORGANIZATION", org_a, sizeof org_a);
    tenant_create_client(data_dir, org_a, ALL_SCOPES, &a_full);
    const char *args[] = {"--job-interval", "0", NULL};
    if (!server_start(&srv, data_dir, args))
        return -1;
    a_full.token = tenant_issue_token(&srv, &a_full);
    if (!a_full.token)
        return -1;
    /* The server's store, master key and PKI, opened beside it as the signer pages would. */
    struct config cfg;
    char *argv[] = {"--data", data_dir, NULL};
    const char *pos[1];
    size_t npos = 0;
    if (config_load(&cfg, 2, argv, NULL, pos, 0, &npos, err, sizeof err) != CONFIG_OK ||
        store_open(cfg.store, cfg.data_dir, &store, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    pki = pki_service_new();
    engine = pdf_engine_new();
    bool ok = pki && engine && pki_service_start(pki, &cfg, store, err, sizeof err);
    config_free(&cfg);
    if (!ok) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    /* An NSS database that trusts only our root, for pdfsig. */
    return sh_run(out, sizeof out,
                  "cd %s && curl -sf %s/pki/root.pem -o root.pem && mkdir nss && certutil -N -d "
                  "sql:nss --empty-password && certutil -A -n signet-root -t CT,C,C -i root.pem "
                  "-d sql:nss",
                  work, srv.base);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    pki_service_free(pki);
    pdf_engine_free(engine);
    store_close(store);
    free(a_full.token);
    snprintf(cmd, sizeof cmd, "rm -rf %s", work);
    if (system(cmd) != 0)
        return -1;
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* ---- tests ---- */

static void two_signers_sign_and_complete(void **state)
{
    (void)state;
    char pid[64], err[512];
    create_process("ADVANCED", pid, sizeof pid);
    attach(pid, "contract", both);
    attach(pid, "annex", first_only);
    release(pid, "{\"signatureMethods\":[\"SMS\",\"APP\"]}");
    json_t *p = get_process(pid);
    char s1[64], s2[64];
    snprintf(s1, sizeof s1, "%s", signer_id(p, 0));
    snprintf(s2, sizeof s2, "%s", signer_id(p, 1));
    assert_null(file_ref(p, 0, "lastSignedFileId"));
    assert_null(json_object_get(signer_of(p, 0), "signedOn"));
    json_decref(p);

    /* The first signer, by SMS code. */
    struct sign_signing_outcome o;
    assert_int_equal(sign_as(pid, s1, "SMS", NULL, &o, err, sizeof err), SIGN_SIGNING_OK);
    assert_int_equal(o.documents, 2);
    assert_false(o.completed);
    assert_string_equal(o.certificate_issuer, "advanced-ca");
    p = get_process(pid);
    assert_string_equal(xs(p, "status"), "PENDING");
    json_t *x = signer_of(p, 0);
    assert_string_equal(xs(x, "status"), "SIGNED");
    assert_non_null(xs(x, "signedOn"));
    assert_null(json_object_get(x, "certificateName")); /* mobile OTP: not authenticated */
    assert_string_equal(xs(x, "certificateMatch"), "UNCHECKED");
    assert_string_equal(xs(signer_of(p, 1), "status"), "PENDING");
    assert_null(json_object_get(signer_of(p, 1), "signedOn"));
    char contract1[64], annex1[64];
    snprintf(contract1, sizeof contract1, "%s", file_ref(p, 0, "lastSignedFileId"));
    snprintf(annex1, sizeof annex1, "%s", file_ref(p, 1, "lastSignedFileId"));
    assert_string_not_equal(contract1, file_ref(p, 0, "initialFileId"));
    json_decref(p);
    download(pid, contract1, "contract1.pdf");
    validate("contract1.pdf", 1);
    verify_all_valid("contract1.pdf", 1, 0);
    /* getFile (JSON, base64) of the signed file: same bytes as the content download. */
    char suffix[256];
    snprintf(suffix, sizeof suffix, "/file/%s", contract1);
    struct response r;
    op("GET", pid, suffix, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(xs(r.json, "id"), contract1);
    assert_string_equal(xs(r.json, "name"), "Offer.pdf");
    assert_true(strlen(xs(r.json, "content")) > 1000);
    response_free(&r);
    /* The original stays available under its own id. */
    op("GET", pid, "/file/contract/content", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 0 && !strstr(r.body, "/ByteRange"));
    response_free(&r);
    assert_int_equal(count_records(pid, "sign", "sign_signerId", s1), 1);

    /* Signing again is refused: nothing is pending for this signer. */
    assert_int_equal(sign_as(pid, s1, "SMS", NULL, &o, err, sizeof err), SIGN_SIGNING_WRONG_STATE);
    assert_non_null(strstr(err, "SIGNED"));
    /* A method the release did not allow (CLICK is not for ADVANCED anyway). */
    assert_int_equal(sign_as(pid, s2, "CLICK", NULL, &o, err, sizeof err), SIGN_SIGNING_REFUSED);
    assert_non_null(strstr(err, "CLICK"));
    assert_int_equal(sign_as(pid, s2, "PASSKEY", NULL, &o, err, sizeof err), SIGN_SIGNING_REFUSED);
    /* Unknown signer. */
    assert_int_equal(
        sign_as(pid, "00000000-0000-4000-8000-000000000000", "APP", NULL, &o, err, sizeof err),
        SIGN_SIGNING_NOT_FOUND);

    /* The last signer, with an authenticator app: the process completes. */
    assert_int_equal(sign_as(pid, s2, "APP", NULL, &o, err, sizeof err), SIGN_SIGNING_OK);
    assert_int_equal(o.documents, 1);
    assert_true(o.completed);
    p = get_process(pid);
    assert_string_equal(xs(p, "status"), "COMPLETED");
    x = signer_of(p, 1);
    assert_string_equal(xs(x, "status"), "SIGNED");
    assert_string_equal(xs(x, "certificateName"), "Beat Beispiel");
    assert_string_equal(xs(x, "certificateMatch"), "MATCH");
    assert_non_null(xs(p, "archiveOn"));
    assert_null(xs(p, "archivedOn"));
    char contract2[64], annex2[64];
    snprintf(contract2, sizeof contract2, "%s", file_ref(p, 0, "lastSignedFileId"));
    snprintf(annex2, sizeof annex2, "%s", file_ref(p, 1, "lastSignedFileId"));
    assert_string_not_equal(contract2, contract1);
    assert_string_not_equal(annex2, annex1); /* the annex got its document time stamp */
    json_decref(p);
    download(pid, contract2, "contract2.pdf");
    validate("contract2.pdf", 2);
    verify_all_valid("contract2.pdf", 2, 1);
    download(pid, annex2, "annex2.pdf");
    validate("annex2.pdf", 1);
    verify_all_valid("annex2.pdf", 1, 1);
    /* Earlier versions stay downloadable. */
    download(pid, contract1, "contract1-again.pdf");
    assert_int_equal(count_records(pid, "sign", NULL, NULL), 2);
    assert_int_equal(count_records(pid, "transaction", "transaction_event", "COMPLETED"), 1);

    /* Archiving once the retention (default P90D) has passed. Blobs written in the last hour
     * are kept (an attach of the same bytes may be about to name them): age them first. */
    char aged[256];
    assert_int_equal(sh_run(aged, sizeof aged,
                            "find '%s/blobs' -type f -exec touch -d '-2 hours' {} +", data_dir),
                     0);
    char later[ISO_DATETIME_LEN];
    iso_format_datetime(time_now_ms() + (int64_t)91 * 24 * 3600 * 1000, false, later);
    const char *jargs[] = {"admin",  "jobs",  "run", "archive",     "--data", data_dir,
                           "--json", "--now", later, "--log-level", "error",  NULL};
    json_t *j = run_json(jargs);
    assert_string_equal(xs(json_array_get(j, 0), "state"), "ran");
    assert_true(json_integer_value(json_object_get(json_array_get(j, 0), "items")) >= 1);
    json_decref(j);
    p = get_process(pid);
    assert_non_null(xs(p, "archivedOn"));
    json_decref(p);
    snprintf(suffix, sizeof suffix, "/file/%s/content", contract2);
    op("GET", pid, suffix, NULL, &r);
    assert_error_object(&r, 410, "Gone");
    response_free(&r);
    op("GET", pid, "/file/contract", NULL, &r);
    assert_error_object(&r, 410, "Gone");
    response_free(&r);
    assert_int_equal(count_records(pid, "transaction", "transaction_event", "ARCHIVED"), 1);
    /* The bytes are gone from the blob store (not only hidden). */
    char out[256], q[256];
    snprintf(q, sizeof q, "SELECT blob_hash FROM document_versions WHERE id = '%s'", contract2);
    assert_true(test_sql(data_dir, q, out, sizeof out));
    out[strcspn(out, "\n")] = '\0';
    assert_int_equal(strlen(out), 64);
    char blob[1024];
    snprintf(blob, sizeof blob, "%s/blobs/%.2s/%s", data_dir, out, out + 2);
    struct stat sb;
    assert_int_not_equal(stat(blob, &sb), 0);
}

static void refusals_before_release_and_qualified(void **state)
{
    (void)state;
    char pid[64], err[512];
    struct sign_signing_outcome o;
    create_process("QUALIFIED", pid, sizeof pid);
    attach(pid, "contract", both);
    json_t *p = get_process(pid);
    char s1[64];
    snprintf(s1, sizeof s1, "%s", signer_id(p, 0));
    json_decref(p);
    /* Not released yet. */
    assert_int_equal(sign_as(pid, s1, "APP", NULL, &o, err, sizeof err), SIGN_SIGNING_WRONG_STATE);
    assert_non_null(strstr(err, "CREATED"));
    release(pid, "{}");
    /* QUALIFIED needs the registered identity. */
    assert_int_equal(sign_as(pid, s1, "APP", NULL, &o, err, sizeof err), SIGN_SIGNING_REFUSED);
    assert_non_null(strstr(err, "registered identity"));
    struct sign_registered_identity id = {"Anna Maria", "Muster", "IDCCH-123456789", "CH"};
    assert_int_equal(sign_as(pid, s1, "APP", &id, &o, err, sizeof err), SIGN_SIGNING_OK);
    assert_string_equal(o.certificate_issuer, "qualified-ca");
    p = get_process(pid);
    assert_string_equal(xs(signer_of(p, 0), "certificateName"), "Anna Maria Muster");
    assert_string_equal(xs(signer_of(p, 0), "certificateMatch"), "MISMATCH");
    json_decref(p);
    /* An unknown process. */
    assert_int_equal(
        sign_as("11111111-2222-4333-8444-555555555555", s1, "APP", &id, &o, err, sizeof err),
        SIGN_SIGNING_NOT_FOUND);
}

struct racer {
    const char *pid, *participant;
    enum sign_signing_result result;
    char err[512];
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct sign_signing_outcome o;
    r->result = sign_as(r->pid, r->participant, "CLICK", NULL, &o, r->err, sizeof r->err);
    return NULL;
}

static void concurrent_signers_both_land(void **state)
{
    (void)state;
    char pid[64], s1[64], s2[64];
    create_process("SIMPLE", pid, sizeof pid);
    attach(pid, "contract", both);
    release(pid, "{}");
    json_t *p = get_process(pid);
    snprintf(s1, sizeof s1, "%s", signer_id(p, 0));
    snprintf(s2, sizeof s2, "%s", signer_id(p, 1));
    json_decref(p);
    struct racer a = {pid, s1, SIGN_SIGNING_UNAVAILABLE, ""};
    struct racer b = {pid, s2, SIGN_SIGNING_UNAVAILABLE, ""};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, race, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, race, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    if (a.result != SIGN_SIGNING_OK || b.result != SIGN_SIGNING_OK)
        fprintf(stderr, "racers: %s | %s\n", a.err, b.err);
    assert_int_equal(a.result, SIGN_SIGNING_OK);
    assert_int_equal(b.result, SIGN_SIGNING_OK);
    p = get_process(pid);
    assert_string_equal(xs(p, "status"), "COMPLETED");
    char last[64];
    snprintf(last, sizeof last, "%s", file_ref(p, 0, "lastSignedFileId"));
    json_decref(p);
    download(pid, last, "raced.pdf");
    validate("raced.pdf", 2);
    verify_all_valid("raced.pdf", 2, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_signers_sign_and_complete),
        cmocka_unit_test(refusals_before_release_and_qualified),
        cmocka_unit_test(concurrent_signers_both_land),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
