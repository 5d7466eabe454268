/*
 * Process expiry and the background jobs, seen from outside; no test waits for a clock.
 *   - the expiry job run from the CLI (`signet admin jobs run expiry --now …`) turns a released
 *     process past its validUntil into EXPIRED with one audit record; every later operation
 *     answers as the contract says (409 PreconditionFailed, release 208 with EXPIRED);
 *   - a process whose validUntil has passed (set in the database) is EXPIRED on the next read,
 *     status filter or operation, before any job ran, with exactly one audit record;
 *   - two job runs at once never expire a process twice;
 *   - a server started after processes became due expires them before it serves (the
 *     scheduler's first pass), and stops cleanly with its scheduler thread;
 *   - list answers carry fileReferences like GET /process/{id}; file downloads are audited.
 * The main server runs with --job-interval 0 (no scheduler) so that only the tests run jobs.
 */
#include "tenant.h"

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

#define ALL_SCOPES "sswp:process:create sswp:process:read sswp:process:read:all"

static struct server srv;
static char data_dir[256];
static char org_a[128];
static struct client a_full;

/* ---- helpers ---- */

static void call(const char *method, const char *path, const char *body, struct response *r)
{
    tenant_call(&srv, method, path, &a_full, body, NULL, r);
}

/* Runs a statement on dir's database behind the server's back (test_sql); its rows into out. */
static void sql_in(const char *dir, const char *statement, char *out, size_t out_len)
{
    assert_true(test_sql(dir, statement, out, out_len));
}

static void sql(const char *statement, char *out, size_t out_len)
{
    sql_in(data_dir, statement, out, out_len);
}

/* ISO 8601 UTC of now + offset seconds. */
static void iso_in(long offset, char *out, size_t out_len)
{
    time_t t = time(NULL) + offset;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, out_len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Moves a process's validUntil one second into the past, as if time had passed. */
static void make_due_in(const char *dir, const char *pid)
{
    char q[256], out[64];
    long long past = ((long long)time(NULL) - 1) * 1000;
    snprintf(q, sizeof q, "UPDATE processes SET valid_until = %lld WHERE id = '%.63s'", past, pid);
    sql_in(dir, q, out, sizeof out);
}

static void make_due(const char *pid)
{
    make_due_in(data_dir, pid);
}

static const char process_body[] =
    "{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
    "\"invitees\":{\"signers\":["
    "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-1\",\"firstName\":\"Anna\","
    "\"lastName\":\"Muster\",\"email\":\"anna@example.com\"}]}}";

static void create_process(char *id, size_t id_len)
{
    struct response r;
    call("POST", PROCESS_PATH, process_body, &r);
    assert_int_equal(r.status, 201);
    snprintf(id, id_len, "%s", json_string_value(json_object_get(r.json, "id")));
    response_free(&r);
}

static const char pos_1[] = "[{\"signer\":\"crm-1\",\"locator\":\"COORDINATES\","
                            "\"pageNumber\":0,\"positionX\":100,\"positionY\":100}]";

static char *attach_body(const char *ext_id)
{
    return tenant_attach_body("simple-a4.pdf", ext_id, pos_1);
}

/* Attaches simple-a4.pdf with a position of crm-1; the new file id into file_id. */
static void attach_ok(const char *pid, const char *ext_id, char *file_id, size_t file_id_len)
{
    char path[256];
    struct response r;
    char *body = attach_body(ext_id);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/attach", pid);
    call("POST", path, body, &r);
    free(body);
    assert_int_equal(r.status, 201);
    if (file_id)
        snprintf(file_id, file_id_len, "%s", json_string_value(json_object_get(r.json, "fileId")));
    response_free(&r);
}

static void op(const char *method, const char *pid, const char *suffix, const char *body,
               struct response *r)
{
    char path[512];
    snprintf(path, sizeof path, PROCESS_PATH "/%s%s", pid, suffix);
    call(method, path, body, r);
}

static void expect_status(const char *pid, const char *status)
{
    struct response r;
    op("GET", pid, "/status", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), status);
    response_free(&r);
}

/* The process's audit records with extras.transaction_event EXPIRED: how many, and the newest
 * one's extras (new reference, or NULL). */
static size_t expiry_records(const char *pid, json_t **newest_extras)
{
    struct response r;
    size_t n = 0;
    if (newest_extras)
        *newest_extras = NULL;
    op("GET", pid, "/record", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *recs = json_object_get(r.json, "records");
    for (size_t i = 0; i < json_array_size(recs); i++) {
        json_t *rec = json_array_get(recs, i);
        json_t *extras = json_object_get(rec, "extras");
        const char *ev = json_string_value(json_object_get(extras, "transaction_event"));
        if (!ev || strcmp(ev, "EXPIRED") != 0)
            continue;
        if (n == 0) {
            assert_int_equal(i, 0); /* the expiry is the newest record */
            assert_string_equal(json_string_value(json_object_get(rec, "action")), "transaction");
            assert_string_equal(json_string_value(json_object_get(rec, "status")), "ABORT");
            if (newest_extras)
                *newest_extras = json_incref(extras);
        }
        n++;
    }
    response_free(&r);
    return n;
}

static const char *xs(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Every operation on an EXPIRED process answers as the contract says. */
static void operations_refuse_an_expired_process(const char *pid, bool released)
{
    struct response r;
    op("POST", pid, "/setup", "{}", &r);
    assert_error_object(&r, 409, "PreconditionFailed");
    assert_non_null(strstr(r.body, "EXPIRED"));
    response_free(&r);
    char *body = attach_body("late");
    op("POST", pid, "/attach", body, &r);
    free(body);
    assert_error_object(&r, 409, "PreconditionFailed");
    assert_non_null(strstr(r.body, "EXPIRED"));
    response_free(&r);
    op("POST", pid, "/open/crm-1", "{}", &r);
    assert_error_object(&r, 409, "PreconditionFailed");
    assert_non_null(strstr(r.body, "EXPIRED"));
    response_free(&r);
    op("POST", pid, "/release", NULL, &r);
    if (released) {
        /* released before it expired: 208 with the same URLs and the current status */
        assert_int_equal(r.status, 208);
        assert_string_equal(xs(r.json, "status"), "EXPIRED");
    } else {
        assert_error_object(&r, 409, "PreconditionFailed");
        assert_non_null(strstr(r.body, "EXPIRED"));
    }
    response_free(&r);
}

/* `signet admin jobs run expiry [--now TIME]` on dir; the items it did. */
static long long run_expiry_job(const char *dir, const char *now)
{
    const char *args[] = {"admin", "jobs",   "run",         "expiry", "--data",
                          dir,     "--json", "--log-level", "error",  now ? "--now" : NULL,
                          now,     NULL};
    json_t *j = run_json(args);
    json_t *e = json_array_get(j, 0);
    assert_string_equal(xs(e, "name"), "expiry");
    assert_string_equal(xs(e, "state"), "ran");
    long long items = json_integer_value(json_object_get(e, "items"));
    json_decref(j);
    return items;
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Acme", "ORGANIZATION", org_a, sizeof org_a);
    tenant_create_client(data_dir, org_a, ALL_SCOPES, &a_full);
    const char *args[] = {"--job-interval", "0", NULL};
    if (!server_start(&srv, data_dir, args))
        return -1;
    a_full.token = tenant_issue_token(&srv, &a_full);
    return a_full.token ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(a_full.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* ---- tests ---- */

static void released_process_expires_when_the_job_runs_past_valid_until(void **state)
{
    (void)state;
    char pid[64], until[32], later[32], body[128];
    struct response r;
    create_process(pid, sizeof pid);
    attach_ok(pid, "offer", NULL, 0);
    iso_in(3600, until, sizeof until);
    snprintf(body, sizeof body, "{\"validUntil\":\"%s\"}", until);
    op("POST", pid, "/release", body, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    expect_status(pid, "PENDING");

    /* A run as of now leaves it alone; a run as of two hours later expires it. */
    run_expiry_job(data_dir, NULL);
    expect_status(pid, "PENDING");
    assert_int_equal(expiry_records(pid, NULL), 0);
    iso_in(7200, later, sizeof later);
    assert_true(run_expiry_job(data_dir, later) >= 1);
    expect_status(pid, "EXPIRED");

    op("GET", pid, "", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(xs(r.json, "status"), "EXPIRED");
    assert_string_equal(xs(r.json, "validUntil"), until); /* unchanged */
    json_t *signer =
        json_array_get(json_object_get(json_object_get(r.json, "invitees"), "signers"), 0);
    assert_string_equal(xs(signer, "status"), "PENDING"); /* invited at release, left as is */
    response_free(&r);

    json_t *extras = NULL;
    assert_int_equal(expiry_records(pid, &extras), 1);
    assert_string_equal(xs(extras, "transaction_trigger"), "admin");
    assert_string_equal(xs(extras, "transaction_previousStatus"), "PENDING");
    assert_string_equal(xs(extras, "transaction_validUntil"), until);
    json_decref(extras);

    /* Running again does not expire it twice. */
    run_expiry_job(data_dir, later);
    assert_int_equal(expiry_records(pid, NULL), 1);
    operations_refuse_an_expired_process(pid, true);
    assert_int_equal(expiry_records(pid, NULL), 1);
}

static void process_past_valid_until_is_expired_on_the_next_request(void **state)
{
    (void)state;
    char pid[64];
    create_process(pid, sizeof pid);
    expect_status(pid, "CREATED");
    make_due(pid);
    /* No job ran: the read itself expires it, once. */
    expect_status(pid, "EXPIRED");
    expect_status(pid, "EXPIRED");
    json_t *extras = NULL;
    assert_int_equal(expiry_records(pid, &extras), 1);
    assert_string_equal(xs(extras, "transaction_trigger"), "request");
    assert_string_equal(xs(extras, "transaction_previousStatus"), "CREATED");
    json_decref(extras);
    char out[64], q[256];
    snprintf(q, sizeof q, "SELECT status FROM processes WHERE id = '%s'", pid);
    sql(q, out, sizeof out);
    assert_string_equal(out, "EXPIRED\n");
    operations_refuse_an_expired_process(pid, false);

    /* An operation (here setup) is the first to meet another due process: the same. */
    char pid2[64];
    struct response r;
    create_process(pid2, sizeof pid2);
    make_due(pid2);
    op("POST", pid2, "/setup", "{}", &r);
    assert_error_object(&r, 409, "PreconditionFailed");
    assert_non_null(strstr(r.body, "EXPIRED"));
    response_free(&r);
    assert_int_equal(expiry_records(pid2, NULL), 1);
}

/* Whether a list page (JSON) holds process id, and its object. */
static json_t *find_in_page(json_t *page, const char *id)
{
    json_t *content = json_object_get(page, "content");
    for (size_t i = 0; i < json_array_size(content); i++)
        if (!strcmp(xs(json_array_get(content, i), "id"), id))
            return json_array_get(content, i);
    return NULL;
}

static void list_filters_on_expiry_before_any_job_ran(void **state)
{
    (void)state;
    char pid[64];
    struct response r;
    create_process(pid, sizeof pid);
    make_due(pid);
    call("GET", PROCESS_PATH "?status=CREATED&size=20", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(find_in_page(r.json, pid));
    response_free(&r);
    call("GET", PROCESS_PATH "?status=EXPIRED&size=20", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *p = find_in_page(r.json, pid);
    assert_non_null(p);
    assert_string_equal(xs(p, "status"), "EXPIRED");
    response_free(&r);
    /* The list expired it for good, with its one record. */
    char out[64], q[256];
    snprintf(q, sizeof q, "SELECT status FROM processes WHERE id = '%s'", pid);
    sql(q, out, sizeof out);
    assert_string_equal(out, "EXPIRED\n");
    assert_int_equal(expiry_records(pid, NULL), 1);
}

static void two_job_runs_at_once_expire_each_process_once(void **state)
{
    (void)state;
    enum { N = 30 };
    char pids[N][64];
    for (size_t i = 0; i < N; i++) {
        create_process(pids[i], sizeof pids[i]);
        make_due(pids[i]);
    }
    /* Two runners at the same time (as two nodes would be); one may find the lease taken. */
    char cmd[1024];
    const char *bin = getenv("SIGNET_BIN") ? getenv("SIGNET_BIN") : "build/signet";
    snprintf(cmd, sizeof cmd, "'%s' admin jobs run expiry --json --log-level error --data '%s'",
             bin, data_dir);
    FILE *a = popen(cmd, "r");
    FILE *b = popen(cmd, "r");
    assert_non_null(a);
    assert_non_null(b);
    long long items = 0;
    FILE *both[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        char out[4096];
        size_t n = fread(out, 1, sizeof out - 1, both[k]);
        out[n] = '\0';
        int rc = pclose(both[k]);
        json_t *j = json_loads(out, 0, NULL);
        assert_non_null(j);
        json_t *e = json_array_get(j, 0);
        if (!strcmp(xs(e, "state"), "ran")) {
            assert_int_equal(rc, 0);
            items += json_integer_value(json_object_get(e, "items"));
        } else {
            assert_string_equal(xs(e, "state"), "busy");
        }
        json_decref(j);
    }
    assert_true(items >= N);
    for (size_t i = 0; i < N; i++) {
        char out[64], q[256];
        snprintf(q, sizeof q,
                 "SELECT COUNT(*) FROM process_audit_records WHERE process_id = '%.63s' "
                 "AND extras LIKE '%%\"transaction_event\":\"EXPIRED\"%%'",
                 pids[i]);
        sql(q, out, sizeof out);
        assert_string_equal(out, "1\n");
        expect_status(pids[i], "EXPIRED");
    }
    /* The job's state is in the store. */
    const char *args[] = {"admin",  "jobs",        "list",  "--json", "--data",
                          data_dir, "--log-level", "error", NULL};
    json_t *j = run_json(args);
    json_t *e = json_array_get(j, 0);
    assert_string_equal(xs(e, "name"), "expiry");
    assert_true(json_integer_value(json_object_get(e, "runs")) >= 4);
    assert_true(json_is_null(json_object_get(e, "leaseOwner")));
    json_decref(j);
}

static void server_expires_due_processes_before_it_serves(void **state)
{
    (void)state;
    char dir[256], org[128], pid[64], out[256], q[512];
    struct client c;
    memset(&c, 0, sizeof c);
    struct server s2;
    assert_true(make_data_dir(dir, sizeof dir));
    tenant_create_org(dir, "Late", "ORGANIZATION", org, sizeof org);
    tenant_create_client(dir, org, ALL_SCOPES, &c);
    const char *args[] = {"--job-interval", "3600", NULL};
    assert_true(server_start(&s2, dir, args));
    c.token = tenant_issue_token(&s2, &c);
    assert_non_null(c.token);
    struct response r;
    tenant_call(&s2, "POST", PROCESS_PATH, &c, process_body, NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(pid, sizeof pid, "%s", xs(r.json, "id"));
    response_free(&r);
    /* Stopped with its scheduler thread waiting: a clean exit. */
    assert_int_equal(server_stop(&s2, true), 0);
    make_due_in(dir, pid);
    snprintf(q, sizeof q, "SELECT status FROM processes WHERE id = '%s'", pid);
    sql_in(dir, q, out, sizeof out);
    assert_string_equal(out, "CREATED\n");

    /* On start, before the listening line, the first pass expires it. */
    assert_true(server_start(&s2, dir, args));
    sql_in(dir, q, out, sizeof out);
    assert_string_equal(out, "EXPIRED\n");
    snprintf(q, sizeof q,
             "SELECT action || ' ' || status FROM process_audit_records WHERE process_id = '%.63s' "
             "AND extras LIKE '%%\"transaction_trigger\":\"scheduler\"%%'",
             pid);
    sql_in(dir, q, out, sizeof out);
    assert_string_equal(out, "transaction ABORT\n");
    assert_int_equal(server_stop(&s2, false), 0);
    free(c.token);
}

static void list_carries_file_references_like_get(void **state)
{
    (void)state;
    char pid[64], file_id[64];
    struct response r;
    create_process(pid, sizeof pid);
    attach_ok(pid, "offer-1", file_id, sizeof file_id);
    op("GET", pid, "", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *from_get = json_incref(json_object_get(r.json, "fileReferences"));
    response_free(&r);
    assert_int_equal(json_array_size(from_get), 1);
    json_t *f = json_array_get(from_get, 0);
    assert_string_equal(xs(f, "initialFileId"), file_id);
    assert_string_equal(xs(f, "externalIdentifier"), "offer-1");
    assert_int_equal(json_array_size(json_object_get(f, "signaturePositions")), 1);

    call("GET", PROCESS_PATH "?sort=createdDate,DESC&size=5", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *p = find_in_page(r.json, pid);
    assert_non_null(p);
    assert_true(json_equal(json_object_get(p, "fileReferences"), from_get));
    /* processes without files have an empty list */
    json_t *content = json_object_get(r.json, "content");
    for (size_t i = 0; i < json_array_size(content); i++)
        assert_true(json_is_array(json_object_get(json_array_get(content, i), "fileReferences")));
    response_free(&r);
    json_decref(from_get);
}

static void file_downloads_are_audited(void **state)
{
    (void)state;
    char pid[64], file_id[64], path[256];
    struct response r;
    create_process(pid, sizeof pid);
    attach_ok(pid, "offer-2", file_id, sizeof file_id);
    snprintf(path, sizeof path, "/file/%s", file_id);
    op("GET", pid, path, NULL, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    op("GET", pid, "/file/offer-2/content", NULL, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    op("GET", pid, "/record", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *recs = json_object_get(r.json, "records");
    /* newest first: the binary download, then the JSON one */
    const char *formats[] = {"BINARY", "JSON"};
    for (size_t i = 0; i < 2; i++) {
        json_t *rec = json_array_get(recs, i);
        json_t *extras = json_object_get(rec, "extras");
        assert_string_equal(xs(rec, "action"), "document");
        assert_string_equal(xs(rec, "status"), "SUCCESS");
        assert_string_equal(xs(extras, "document_event"), "DOWNLOADED");
        assert_string_equal(xs(extras, "document_fileId"), file_id);
        assert_string_equal(xs(extras, "document_format"), formats[i]);
        assert_string_equal(xs(extras, "transaction_clientId"), a_full.id);
    }
    response_free(&r);
}

static void release_invites_the_signers(void **state)
{
    (void)state;
    char pid[64];
    struct response r;
    create_process(pid, sizeof pid);
    attach_ok(pid, "offer-3", NULL, 0);
    op("GET", pid, "", NULL, &r);
    json_t *signers = json_object_get(json_object_get(r.json, "invitees"), "signers");
    assert_string_equal(xs(json_array_get(signers, 0), "status"), "WAITING");
    response_free(&r);
    op("POST", pid, "/release", "{}", &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    op("GET", pid, "", NULL, &r);
    signers = json_object_get(json_object_get(r.json, "invitees"), "signers");
    assert_string_equal(xs(json_array_get(signers, 0), "status"), "PENDING");
    response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(released_process_expires_when_the_job_runs_past_valid_until),
        cmocka_unit_test(process_past_valid_until_is_expired_on_the_next_request),
        cmocka_unit_test(list_filters_on_expiry_before_any_job_ran),
        cmocka_unit_test(two_job_runs_at_once_expire_each_process_once),
        cmocka_unit_test(server_expires_due_processes_before_it_serves),
        cmocka_unit_test(list_carries_file_references_like_get),
        cmocka_unit_test(file_downloads_are_audited),
        cmocka_unit_test(release_invites_the_signers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
