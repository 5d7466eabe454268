/*
 * Notifications end to end (docs/notify.md): messages written to the outbox through the library
 * (as the Sign API does in its transactions) are delivered by the real binary's "delivery" job
 * (`signet admin jobs run delivery --now …`) to stand-in gateways this test starts
 * (tests/api/notify_sinks.py: an SMTP server and an HTTP SMS gateway that record what they
 * receive), with retries moved forward by --now; and the dev outbox page of a server without
 * gateways lists them.
 */
#include "harness.h"

#include "core/config.h"
#include "core/isotime.h"
#include "notify/notify.h"
#include "store/outbox.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define ORG  "6f1c2d3e-4a5b-4c6d-8e7f-001122334455"
#define PROC "7a1c2d3e-4a5b-4c6d-8e7f-001122334455"
#define LINK "https://sign.example.ch/ui/sign/tok_ABC-123"

/* A running sink: its pid, port and record file. */
struct sink {
    pid_t pid;
    int port;
    char out[300];
};

static bool sink_start(struct sink *k, const char *mode, const char *dir, const char *const *extra)
{
    memset(k, 0, sizeof *k);
    snprintf(k->out, sizeof k->out, "%s/%s-sink.jsonl", dir, mode);
    char script[512];
    snprintf(script, sizeof script, "%s/tests/api/notify_sinks.py", getenv("SIGNET_SOURCE_DIR"));
    const char *argv[16] = {"python3", script, mode, k->out};
    int n = 4;
    for (const char *const *a = extra; a && *a && n < 15; a++)
        argv[n++] = *a;
    argv[n] = NULL;
    int p[2];
    if (pipe(p) != 0)
        return false;
    k->pid = fork();
    if (k->pid == 0) {
        /* The sink ends with the test, even when an assertion fails before sink_stop. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(p[1], STDOUT_FILENO);
        close(p[0]);
        close(p[1]);
        execvp("python3", (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    /* The sink prints its port once it listens: reading it is the synchronisation. */
    FILE *f = fdopen(p[0], "r");
    char line[32] = "";
    bool ok = f && fgets(line, sizeof line, f) != NULL;
    if (f)
        fclose(f);
    k->port = ok ? (int)strtol(line, NULL, 10) : 0;
    return k->port > 0;
}

static void sink_stop(struct sink *k)
{
    if (k->pid > 0) {
        kill(k->pid, SIGTERM);
        waitpid(k->pid, NULL, 0);
    }
    k->pid = 0;
}

/* The records the sink wrote, as a JSON array (owned). */
static json_t *sink_records(const struct sink *k)
{
    json_t *arr = json_array();
    FILE *f = fopen(k->out, "r");
    char line[65536];
    while (f && fgets(line, sizeof line, f))
        json_array_append_new(arr, json_loads(line, 0, NULL));
    if (f)
        fclose(f);
    return arr;
}

/* ---- The outbox through the library ---- */

static struct store *open_store(const char *dir)
{
    struct store *s = NULL;
    char err[256], dsn[1024];
    assert_true(test_store_for(dir, dsn, sizeof dsn)); /* SQLite, or dir's PostgreSQL schema */
    assert_int_equal(store_open(dsn, dir, &s, err, sizeof err), STORE_OK);
    assert_int_equal(store_migrate(s), STORE_OK);
    return s;
}

/* Which channels count as having a gateway in this (enqueuing) process. */
static void gateways(bool email, bool sms)
{
    struct config c;
    memset(&c, 0, sizeof c);
    char on[] = "configured", off[] = "";
    c.smtp_url = email ? on : off;
    c.sms_url = sms ? on : off;
    notify_configure(&c);
}

struct enqueue_op {
    const struct notify_message *m;
    int64_t now;
    char id[STORE_ID_LEN];
};

static enum store_status enqueue_tx(struct store_tx *tx, void *cls)
{
    struct enqueue_op *op = cls;
    return notify_enqueue(tx, op->m, op->now, op->id);
}

static void enqueue(struct store *s, const struct notify_message *m, int64_t now,
                    char id[STORE_ID_LEN])
{
    struct enqueue_op op = {.m = m, .now = now};
    assert_int_equal(store_run(s, STORE_WRITE, enqueue_tx, &op), STORE_OK);
    memcpy(id, op.id, STORE_ID_LEN);
}

struct get_op {
    const char *id;
    struct store_outbox m;
};

static enum store_status get_tx(struct store_tx *tx, void *cls)
{
    struct get_op *op = cls;
    return store_outbox_get(tx, ORG, op->id, &op->m);
}

static struct store_outbox get_message(struct store *s, const char *id)
{
    struct get_op op = {.id = id};
    assert_int_equal(store_run(s, STORE_READ, get_tx, &op), STORE_OK);
    return op.m;
}

/* Runs the delivery job as of t with the options given; returns the job's JSON result. */
static json_t *run_delivery(const char *dir, int64_t t, const char *const *opts)
{
    char now[ISO_DATETIME_LEN];
    iso_format_datetime(t, false, now);
    const char *args[32] = {"admin",  "jobs", "run",   "delivery", "--json",
                            "--data", dir,    "--now", now};
    int n = 9;
    for (const char *const *o = opts; o && *o && n < 31; o++)
        args[n++] = *o;
    args[n] = NULL;
    static char out[16384], err[16384];
    int rc = run_signet(args, out, sizeof out, err, sizeof err);
    if (rc != 0)
        fail_msg("signet admin jobs run delivery exited %d: %s %s", rc, out, err);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    return j;
}

/* ---- Tests ---- */

static void an_email_refused_once_is_retried_after_the_backoff_and_arrives_intact(void **state)
{
    (void)state;
    char dir[256];
    assert_true(make_data_dir(dir, sizeof dir));
    struct store *s = open_store(dir);
    gateways(true, true);
    int64_t t0 = (time_now_ms() / 1000) * 1000;
    struct notify_message m = {.kind = NOTIFY_COMPLETED,
                               .channel = NOTIFY_EMAIL,
                               .organization_id = ORG,
                               .process_id = PROC,
                               .to = "anna@example.ch",
                               .locale = "fr-CH",
                               .recipient_name = "Anna Muster",
                               .link = LINK};
    char id[STORE_ID_LEN];
    enqueue(s, &m, t0, id);
    assert_string_equal(get_message(s, id).status, "QUEUED");

    struct sink k;
    assert_true(sink_start(&k, "smtp", dir,
                           (const char *const[]){"--refuse-first", "--user", "signet", "--password",
                                                 "s3cr\xc3\xa9t", NULL}));
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", k.port);
    const char *const opts[] = {"--smtp-url",
                                url,
                                "--smtp-starttls=false",
                                "--smtp-user",
                                "signet",
                                "--smtp-password",
                                "s3cr\xc3\xa9t",
                                "--smtp-from",
                                "Signet Test <noreply@signet.test>",
                                NULL};

    /* First attempt: the server answers 451; the message waits 2^1 × 30 s. */
    json_decref(run_delivery(dir, t0, opts));
    struct store_outbox o = get_message(s, id);
    assert_string_equal(o.status, "QUEUED");
    assert_int_equal(o.attempts, 1);
    assert_int_equal(o.next_attempt_at, t0 + 60000);
    assert_non_null(strstr(o.last_error, "451"));
    assert_null(strstr(o.last_error, "anna")); /* no personal data in the error */

    /* Before the backoff has passed nothing is sent. */
    json_decref(run_delivery(dir, t0 + 59000, opts));
    json_t *recs = sink_records(&k);
    assert_int_equal(json_array_size(recs), 0);
    json_decref(recs);
    assert_string_equal(get_message(s, id).status, "QUEUED");

    /* After it, the message arrives. */
    json_t *r = run_delivery(dir, t0 + 60000, opts);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(r, 0), "items")), 1);
    json_decref(r);
    o = get_message(s, id);
    assert_string_equal(o.status, "SENT");
    assert_int_equal(o.attempts, 2);
    assert_true(o.sent_at > 0);

    recs = sink_records(&k);
    assert_int_equal(json_array_size(recs), 1);
    json_t *msg = json_array_get(recs, 0);
    assert_string_equal(json_string_value(json_object_get(msg, "mail_from")),
                        "noreply@signet.test");
    assert_string_equal(json_string_value(json_array_get(json_object_get(msg, "rcpt_to"), 0)),
                        "anna@example.ch");
    json_t *auth = json_object_get(msg, "auth");
    assert_string_equal(json_string_value(json_array_get(auth, 0)), "signet");
    assert_string_equal(json_string_value(json_array_get(auth, 1)), "s3cr\xc3\xa9t");
    /* The subject is French with accents, RFC 2047-encoded on the wire and decoded here. */
    assert_string_equal(json_string_value(json_object_get(msg, "subject")),
                        "Les documents ont \xc3\xa9t\xc3\xa9 sign\xc3\xa9s");
    assert_non_null(strstr(json_string_value(json_object_get(msg, "raw")), "Subject: =?UTF-8?B?"));
    json_t *h = json_object_get(msg, "headers");
    assert_non_null(strstr(json_string_value(json_object_get(h, "Message-ID")), id));
    assert_non_null(strstr(json_string_value(json_object_get(h, "Content-Type")), "charset"));
    assert_non_null(json_object_get(h, "Date"));
    assert_string_equal(json_string_value(json_object_get(h, "From")),
                        "Signet Test <noreply@signet.test>");
    const char *body = json_string_value(json_object_get(msg, "body"));
    assert_non_null(strstr(body, "Bonjour Anna Muster,"));
    assert_non_null(strstr(body, "Tous les participants ont sign\xc3\xa9"));
    assert_non_null(strstr(body, "ici :\r\n" LINK "\r\n")); /* CRLF on the wire */
    json_decref(recs);

    /* Sent is sent: another run sends nothing. */
    json_decref(run_delivery(dir, t0 + 3600000, opts));
    recs = sink_records(&k);
    assert_int_equal(json_array_size(recs), 1);
    json_decref(recs);
    sink_stop(&k);
    store_close(s);
    sh_run(NULL, 0, "rm -rf '%s'", dir);
}

static void an_sms_goes_to_the_gateway_with_its_auth_header_and_json_body(void **state)
{
    (void)state;
    char dir[256];
    assert_true(make_data_dir(dir, sizeof dir));
    struct store *s = open_store(dir);
    gateways(true, true);
    int64_t t0 = (time_now_ms() / 1000) * 1000;
    struct notify_message m = {.kind = NOTIFY_CODE,
                               .channel = NOTIFY_SMS,
                               .organization_id = ORG,
                               .to = "+41791234567",
                               .locale = "de-CH",
                               .code = "482913",
                               .valid_until_ms = t0 + 300000};
    char id[STORE_ID_LEN];
    enqueue(s, &m, t0, id);
    struct sink k;
    assert_true(sink_start(&k, "http", dir, (const char *const[]){"--refuse-first", NULL}));
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/send", k.port);
    const char *const opts[] = {"--sms-url", url, "--sms-auth-header",
                                "Authorization: Bearer gw-token", NULL};
    /* The gateway answers 503 first: retried after the backoff. */
    json_decref(run_delivery(dir, t0, opts));
    struct store_outbox o = get_message(s, id);
    assert_string_equal(o.status, "QUEUED");
    assert_non_null(strstr(o.last_error, "503"));
    json_decref(run_delivery(dir, t0 + 60000, opts));
    assert_string_equal(get_message(s, id).status, "SENT");

    json_t *recs = sink_records(&k);
    assert_int_equal(json_array_size(recs), 2);
    json_t *req = json_array_get(recs, 1);
    assert_string_equal(json_string_value(json_object_get(req, "path")), "/v1/send");
    json_t *h = json_object_get(req, "headers");
    assert_string_equal(json_string_value(json_object_get(h, "Authorization")), "Bearer gw-token");
    assert_string_equal(json_string_value(json_object_get(h, "Content-Type")), "application/json");
    json_t *b = json_loads(json_string_value(json_object_get(req, "body")), 0, NULL);
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(b, "to")), "+41791234567");
    const char *text = json_string_value(json_object_get(b, "text"));
    assert_non_null(strstr(text, "Signet-Code: 482913"));
    assert_non_null(strstr(text, "G\xc3\xbcltig bis"));
    json_decref(b);
    json_decref(recs);
    sink_stop(&k);
    store_close(s);
    sh_run(NULL, 0, "rm -rf '%s'", dir);
}

static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void a_message_is_failed_after_the_configured_number_of_attempts(void **state)
{
    (void)state;
    char dir[256];
    assert_true(make_data_dir(dir, sizeof dir));
    struct store *s = open_store(dir);
    gateways(true, true);
    int64_t t0 = (time_now_ms() / 1000) * 1000;
    struct notify_message m = {.kind = NOTIFY_EXPIRED,
                               .channel = NOTIFY_EMAIL,
                               .organization_id = ORG,
                               .process_id = PROC,
                               .to = "anna@example.ch",
                               .locale = "it-CH"};
    char id[STORE_ID_LEN];
    enqueue(s, &m, t0, id);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", closed_port());
    const char *const opts[] = {"--smtp-url", url, "--smtp-starttls=false", "--notify-max-attempts",
                                "2",          NULL};
    json_decref(run_delivery(dir, t0, opts));
    struct store_outbox o = get_message(s, id);
    assert_string_equal(o.status, "QUEUED");
    assert_int_equal(o.attempts, 1);
    /* The second attempt is the last one allowed. */
    json_decref(run_delivery(dir, t0 + 60000, opts));
    o = get_message(s, id);
    assert_string_equal(o.status, "FAILED");
    assert_int_equal(o.attempts, 2);
    assert_true(strlen(o.last_error) > 0);
    store_close(s);
    sh_run(NULL, 0, "rm -rf '%s'", dir);
}

struct claim_op {
    const char *id;
    int64_t as_of;
};

static enum store_status claim_tx(struct store_tx *tx, void *cls)
{
    struct claim_op *op = cls;
    struct store_outbox_claimed c;
    enum store_status st =
        store_outbox_claim_next(tx, op->as_of, op->as_of + NOTIFY_SEND_LEASE_MS, &c);
    if (st == STORE_OK && (strcmp(c.organization_id, ORG) || strcmp(c.id, op->id)))
        return STORE_ERROR; /* the only message there is */
    return st;
}

static void a_claim_whose_sender_died_is_sent_after_its_lease(void **state)
{
    (void)state;
    char dir[256];
    assert_true(make_data_dir(dir, sizeof dir));
    struct store *s = open_store(dir);
    gateways(true, true);
    int64_t t0 = (time_now_ms() / 1000) * 1000;
    struct notify_message m = {.kind = NOTIFY_INVITE,
                               .channel = NOTIFY_EMAIL,
                               .organization_id = ORG,
                               .to = "anna@example.ch",
                               .link = LINK};
    char id[STORE_ID_LEN];
    enqueue(s, &m, t0, id);
    /* A node claims it and dies before sending. */
    struct claim_op c = {.id = id, .as_of = t0};
    assert_int_equal(store_run(s, STORE_CLAIM, claim_tx, &c), STORE_OK);
    assert_string_equal(get_message(s, id).status, "SENDING");
    /* A second claim of the same message loses. */
    assert_int_equal(store_run(s, STORE_CLAIM, claim_tx, &c), STORE_NOT_FOUND);
    struct sink k;
    assert_true(sink_start(&k, "smtp", dir, NULL));
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", k.port);
    const char *const opts[] = {"--smtp-url", url, "--smtp-starttls=false", NULL};
    json_decref(run_delivery(dir, t0 + NOTIFY_SEND_LEASE_MS - 1000, opts));
    assert_string_equal(get_message(s, id).status, "SENDING");
    json_decref(run_delivery(dir, t0 + NOTIFY_SEND_LEASE_MS, opts));
    struct store_outbox o = get_message(s, id);
    assert_string_equal(o.status, "SENT");
    assert_int_equal(o.attempts, 2);
    json_t *recs = sink_records(&k);
    assert_int_equal(json_array_size(recs), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(recs, 0), "subject")),
                        "Documents are waiting for your signature");
    json_decref(recs);
    sink_stop(&k);
    store_close(s);
    sh_run(NULL, 0, "rm -rf '%s'", dir);
}

static void without_a_gateway_messages_stay_in_the_dev_outbox_page(void **state)
{
    (void)state;
    char dir[256];
    assert_true(make_data_dir(dir, sizeof dir));
    struct store *s = open_store(dir);
    int64_t t0 = (time_now_ms() / 1000) * 1000;
    /* Queued while a gateway was configured; the job runs without one: kept as DEV. */
    gateways(true, true);
    struct notify_message m = {.kind = NOTIFY_REMINDER,
                               .channel = NOTIFY_EMAIL,
                               .organization_id = ORG,
                               .process_id = PROC,
                               .to = "beat@example.ch",
                               .locale = "de-CH",
                               .link = LINK};
    char queued[STORE_ID_LEN], dev[STORE_ID_LEN];
    enqueue(s, &m, t0, queued);
    json_decref(run_delivery(dir, t0, NULL));
    assert_string_equal(get_message(s, queued).status, "DEV");
    /* Enqueued with no gateway: DEV at once. */
    gateways(false, false);
    struct notify_message code = {.kind = NOTIFY_CODE,
                                  .channel = NOTIFY_SMS,
                                  .organization_id = ORG,
                                  .to = "+41790000001",
                                  .code = "771204"};
    enqueue(s, &code, t0 + 1, dev);
    assert_string_equal(get_message(s, dev).status, "DEV");
    store_close(s);

    struct server srv;
    assert_true(server_start(&srv, dir, (const char *const[]){"--dev-outbox", NULL}));
    struct response r;
    assert_true(http(&srv, "GET", "/ui/api/outbox", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    json_t *msgs = json_object_get(r.json, "messages");
    assert_int_equal(json_array_size(msgs), 2);
    json_t *newest = json_array_get(msgs, 0), *older = json_array_get(msgs, 1);
    assert_string_equal(json_string_value(json_object_get(newest, "id")), dev);
    assert_string_equal(json_string_value(json_object_get(newest, "channel")), "SMS");
    assert_non_null(strstr(json_string_value(json_object_get(newest, "body")), "771204"));
    assert_string_equal(json_string_value(json_object_get(older, "recipient")), "beat@example.ch");
    assert_string_equal(json_string_value(json_object_get(older, "subject")),
                        "Erinnerung: Dokumente warten auf Ihre Unterschrift");
    assert_non_null(strstr(json_string_value(json_object_get(older, "body")), LINK));
    response_free(&r);
    assert_true(http(&srv, "GET", "/ui/outbox", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    char type[128];
    assert_true(response_header(&r, "Content-Type", type, sizeof type));
    assert_non_null(strstr(type, "text/html"));
    assert_non_null(strstr(r.body, "/ui/static/outbox.js"));
    response_free(&r);
    server_stop(&srv, true);

    /* Not a development server, or one with a gateway: the page does not exist. */
    assert_true(server_start(&srv, dir, NULL));
    assert_true(http(&srv, "GET", "/ui/api/outbox", NULL, NULL, 0, &r));
    assert_error_object(&r, 404, "RouteNotFound");
    response_free(&r);
    assert_true(http(&srv, "GET", "/ui/outbox", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 404);
    response_free(&r);
    server_stop(&srv, true);
    assert_true(server_start(
        &srv, dir,
        (const char *const[]){"--dev-outbox", "--smtp-url", "smtp://127.0.0.1:1", NULL}));
    assert_true(http(&srv, "GET", "/ui/api/outbox", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 404);
    response_free(&r);
    server_stop(&srv, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_email_refused_once_is_retried_after_the_backoff_and_arrives_intact),
        cmocka_unit_test(an_sms_goes_to_the_gateway_with_its_auth_header_and_json_body),
        cmocka_unit_test(a_message_is_failed_after_the_configured_number_of_attempts),
        cmocka_unit_test(a_claim_whose_sender_died_is_sent_after_its_lease),
        cmocka_unit_test(without_a_gateway_messages_stay_in_the_dev_outbox_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
