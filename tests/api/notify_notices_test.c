/*
 * Notices after the invitation (sign/notices.h, sign/reminders.h), seen in the outbox and the
 * audit records:
 *   - reminders: the "reminders" job (`signet admin jobs run reminders --now …`) queues a
 *     REMINDER to each PENDING signer every reminder.interval after the release (or after the
 *     previous one) and at each reminder.beforeExpiry offset before validUntil, with the
 *     signer's own participant URL; a second run at the same time sends nothing; slots due
 *     together give one message; a signer who signed gets none; a process with a declined
 *     signer or without reminder settings gets none; suppress INVITE does not stop them;
 *   - completion: when the last signer signs, a COMPLETED notice to every signer with its
 *     URL (none after the first signer; none with suppress COMPLETION);
 *   - decline: a DECLINED notice naming the signer and the reason to the other signer and a
 *     PERSON initiator;
 *   - expiry: the expiry job's transition queues an EXPIRED notice to the signers still
 *     PENDING (none with suppress ALL).
 */
#include "tenant.h"

#include "core/config.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/masterkey.h"
#include "pdf/pdf.h"
#include "pki/service.h"
#include "sign/page.h"
#include "sign/release.h"
#include "sign/signing.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define ALL_SCOPES "sswp:process:create sswp:process:read sswp:process:read:all"
#define DAY_MS     ((int64_t)24 * 3600 * 1000)
#define HOUR_MS    ((int64_t)3600 * 1000)

static struct server srv;
static char data_dir[256];
static char org_a[128];
static struct client a_full;
static struct store *store;
static struct pki_service *pki;
static struct pdf_engine *engine;
static unsigned char link_key[CRYPTO_KEY_LEN];

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

/* A released process (initiator as given) with signers crm-1 Anna Muster (e-mail) and crm-2
 * Beat Beispiel (mobile only); the participant URLs and ids of crm-1/crm-2. */
struct released {
    char pid[64];
    char url[2][512];
    char id[2][64];
};

static void release_process(const char *initiator, const char *release_body, struct released *out)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"signatureLevel\":\"SIMPLE\",\"initiator\":%s,"
             "\"invitees\":{\"personalMessage\":\"Bitte bis Freitag.\",\"signers\":["
             "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-1\",\"firstName\":\"Anna\","
             "\"lastName\":\"Muster\",\"email\":\"anna@example.com\"},"
             "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-2\",\"firstName\":\"Beat\","
             "\"lastName\":\"Beispiel\",\"mobile\":\"+41791234567\"}]}}",
             initiator ? initiator : "{\"type\":\"NON_PERSON\",\"name\":\"ERP\"}");
    static const char both[] =
        "[{\"signer\":\"crm-1\",\"locator\":\"COORDINATES\",\"pageNumber\":0,"
        "\"positionX\":60,\"positionY\":600},"
        "{\"signer\":\"crm-2\",\"locator\":\"COORDINATES\",\"pageNumber\":0,"
        "\"positionX\":300,\"positionY\":600}]";
    struct response r;
    memset(out, 0, sizeof *out);
    tenant_call(&srv, "POST", PROCESS_PATH, &a_full, body, NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(out->pid, sizeof out->pid, "%s", xs(r.json, "id"));
    json_t *signers = json_object_get(json_object_get(r.json, "invitees"), "signers");
    for (size_t i = 0; i < 2; i++)
        snprintf(out->id[i], sizeof out->id[i], "%s",
                 xs(json_array_get(signers, i), "identification"));
    response_free(&r);
    char *att = tenant_attach_body("simple-a4.pdf", "contract", both);
    op("POST", out->pid, "/attach", att, &r);
    free(att);
    assert_int_equal(r.status, 201);
    response_free(&r);
    op("POST", out->pid, "/release", release_body, &r);
    if (r.status != 200)
        fprintf(stderr, "release: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 200);
    json_t *parts = json_object_get(r.json, "participants");
    for (size_t i = 0; i < json_array_size(parts); i++) {
        json_t *p = json_array_get(parts, i);
        const char *ext = xs(p, "externalIdentifier");
        for (size_t k = 0; ext && k < 2; k++)
            if (!strcmp(ext, k ? "crm-2" : "crm-1"))
                snprintf(out->url[k], sizeof out->url[k], "%s", xs(p, "url"));
    }
    response_free(&r);
    assert_true(out->url[0][0] && out->url[1][0]);
}

/* "validUntil" text days from now. */
static void until_in_days(int64_t base, int days, char out[ISO_DATETIME_LEN])
{
    iso_format_datetime(base + days * DAY_MS, false, out);
}

/* How many outbox rows of pid have kind (and recipient, when not NULL). */
static int count_kind(const char *pid, const char *kind, const char *recipient)
{
    char out[64];
    char q[512];
    snprintf(q, sizeof q,
             "SELECT count(*) FROM outbox WHERE process_id = '%s' AND kind = '%s' AND "
             "('%s' = '' OR recipient = '%s')",
             pid, kind, recipient ? recipient : "", recipient ? recipient : "");
    assert_true(test_sql(data_dir, q, out, sizeof out));
    return (int)strtol(out, NULL, 10);
}

/* The newest message of kind to recipient contains needle. */
static void newest_contains(const char *pid, const char *kind, const char *recipient,
                            const char *needle)
{
    char out[8192];
    char q[512];
    snprintf(q, sizeof q,
             "SELECT locale || ' ' || subject || ' ' || body FROM outbox WHERE process_id = '%s' "
             "AND kind = '%s' AND recipient = '%s' ORDER BY created_at DESC, %s DESC LIMIT 1",
             pid, kind, recipient, test_sql_insert_order());
    assert_true(test_sql(data_dir, q, out, sizeof out));
    if (!strstr(out, needle))
        fprintf(stderr, "%s to %s lacks '%s':\n%s\n", kind, recipient, needle, out);
    assert_non_null(strstr(out, needle));
}

/* Audit records of pid with action email/sms and {action}_type == kind. */
static size_t count_records(const char *pid, const char *kind)
{
    struct response r;
    op("GET", pid, "/record", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *recs = json_object_get(r.json, "records");
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(recs); i++) {
        json_t *rec = json_array_get(recs, i);
        const char *action = xs(rec, "action");
        if (strcmp(action, "email") != 0 && strcmp(action, "sms") != 0)
            continue;
        char key[32];
        snprintf(key, sizeof key, "%s_type", action);
        if (!strcmp(xs(json_object_get(rec, "extras"), key), kind)) {
            assert_string_equal(xs(rec, "status"), "INITIALIZE");
            n++;
        }
    }
    response_free(&r);
    return n;
}

/* `signet admin jobs run NAME --now AT` against the server's data; the items it did. */
static long long run_job(const char *name, int64_t at)
{
    char now[ISO_DATETIME_LEN];
    iso_format_datetime(at, false, now);
    const char *args[] = {"admin",  "jobs",   "run",         name,    "--data",
                          data_dir, "--json", "--log-level", "error", "--public-url",
                          srv.base, "--now",  now,           NULL};
    json_t *j = run_json(args);
    json_t *e = json_array_get(j, 0);
    assert_string_equal(xs(e, "name"), name);
    if (strcmp(xs(e, "state"), "ran") != 0)
        fprintf(stderr, "%s: %s\n", name, xs(e, "result"));
    assert_string_equal(xs(e, "state"), "ran");
    long long items = json_integer_value(json_object_get(e, "items"));
    json_decref(j);
    return items;
}

static enum sign_signing_result sign_as(const char *pid, const char *participant)
{
    struct sign_signing_env env = {
        .store = store, .pdf = engine, .pki = pki, .link_key = link_key, .public_url = srv.base};
    struct sign_signing_request req = {.organization_id = org_a,
                                       .process_id = pid,
                                       .participant_id = participant,
                                       .method = "CLICK",
                                       .now_ms = time_now_ms()};
    struct sign_signing_outcome out;
    char err[512];
    enum sign_signing_result res = sign_participant_sign(&env, &req, &out, err, sizeof err);
    if (res != SIGN_SIGNING_OK)
        fprintf(stderr, "sign: %s\n", err);
    return res;
}

static int reminder_slots(const char *pid)
{
    char out[64];
    char q[256];
    snprintf(q, sizeof q, "SELECT count(*) FROM reminder_sends WHERE process_id = '%s'", pid);
    assert_true(test_sql(data_dir, q, out, sizeof out));
    return (int)strtol(out, NULL, 10);
}

/* ---- tests ---- */

static void reminders_by_interval_and_before_expiry_once_each(void **state)
{
    (void)state;
    int64_t t = time_now_ms();
    char until[ISO_DATETIME_LEN], body[512];
    until_in_days(t, 10, until);
    snprintf(body, sizeof body,
             "{\"validUntil\":\"%s\",\"notification\":{\"locale\":\"de-CH\",\"reminder\":"
             "{\"interval\":\"P3D\",\"beforeExpiry\":[\"P2D\"]}}}",
             until);
    struct released p;
    release_process(NULL, body, &p);
    const char *anna = "anna@example.com", *beat = "+41791234567";

    /* Day 1: nothing is due. */
    run_job("reminders", t + DAY_MS);
    assert_int_equal(count_kind(p.pid, "REMINDER", NULL), 0);

    /* Day 3 + 1 h: the first interval reminder to each signer, with its own URL — once. */
    run_job("reminders", t + 3 * DAY_MS + HOUR_MS);
    assert_int_equal(count_kind(p.pid, "REMINDER", anna), 1);
    assert_int_equal(count_kind(p.pid, "REMINDER", beat), 1);
    newest_contains(p.pid, "REMINDER", anna, p.url[0]);
    newest_contains(p.pid, "REMINDER", anna, "de-CH");
    newest_contains(p.pid, "REMINDER", beat, p.url[1]);
    assert_int_equal(run_job("reminders", t + 3 * DAY_MS + HOUR_MS), 0);
    assert_int_equal(count_kind(p.pid, "REMINDER", NULL), 2);
    assert_int_equal(count_records(p.pid, "REMINDER"), 2);

    /* Anna signs: she is reminded no more. */
    assert_int_equal(sign_as(p.pid, p.id[0]), SIGN_SIGNING_OK);

    /* Day 8 + 1 h: the second interval reminder (due day 6 + 1 h) and the one 2 days before
     * validUntil (day 8) are both due: one message to Beat, both slots recorded. */
    run_job("reminders", t + 8 * DAY_MS + HOUR_MS);
    assert_int_equal(count_kind(p.pid, "REMINDER", beat), 2);
    assert_int_equal(count_kind(p.pid, "REMINDER", anna), 1);
    assert_int_equal(reminder_slots(p.pid), 4);
    assert_int_equal(run_job("reminders", t + 8 * DAY_MS + HOUR_MS), 0);

    /* Day 9 + 2 h: the next interval (day 11 + 1 h) falls after validUntil: nothing. */
    run_job("reminders", t + 9 * DAY_MS + 2 * HOUR_MS);
    assert_int_equal(count_kind(p.pid, "REMINDER", NULL), 3);
    assert_int_equal(count_records(p.pid, "REMINDER"), 3);
    /* No reminders after validUntil either. */
    run_job("reminders", t + 10 * DAY_MS + HOUR_MS);
    assert_int_equal(count_kind(p.pid, "REMINDER", NULL), 3);
}

static void reminders_only_when_asked_and_not_after_a_decline(void **state)
{
    (void)state;
    int64_t t = time_now_ms();
    /* Notifications without reminder settings: invitations, never a reminder. */
    struct released plain, no_invite, declined;
    release_process(NULL, "{\"notification\":{\"locale\":\"en-GB\"}}", &plain);
    /* suppress INVITE stops the invitations, not the reminders. */
    release_process(NULL,
                    "{\"notification\":{\"locale\":\"fr-CH\",\"suppress\":[\"INVITE\"],"
                    "\"reminder\":{\"interval\":\"P1D\"}}}",
                    &no_invite);
    release_process(NULL,
                    "{\"notification\":{\"locale\":\"en-GB\",\"reminder\":{\"interval\":\"P1D\"}}}",
                    &declined);
    struct store_ui_session sess;
    memset(&sess, 0, sizeof sess);
    snprintf(sess.organization_id, sizeof sess.organization_id, "%.63s", org_a);
    snprintf(sess.process_id, sizeof sess.process_id, "%s", declined.pid);
    snprintf(sess.participant_id, sizeof sess.participant_id, "%s", declined.id[0]);
    sess.authorized_at = t;
    char err[256];
    assert_int_equal(sign_page_decline(store, &sess, "Not my contract.", t, err, sizeof err),
                     SIGN_PAGE_OK);

    run_job("reminders", t + DAY_MS + HOUR_MS);
    assert_int_equal(count_kind(plain.pid, "INVITE", NULL), 2);
    assert_int_equal(count_kind(plain.pid, "REMINDER", NULL), 0);
    assert_int_equal(count_kind(no_invite.pid, "INVITE", NULL), 0);
    assert_int_equal(count_kind(no_invite.pid, "REMINDER", NULL), 2);
    newest_contains(no_invite.pid, "REMINDER", "anna@example.com", "fr-CH");
    assert_int_equal(count_kind(declined.pid, "REMINDER", NULL), 0);
}

static void completion_notice_after_the_last_signer(void **state)
{
    (void)state;
    struct released p, quiet;
    release_process(NULL, "{\"notification\":{\"locale\":\"en-GB\"}}", &p);
    assert_int_equal(sign_as(p.pid, p.id[0]), SIGN_SIGNING_OK);
    assert_int_equal(count_kind(p.pid, "COMPLETED", NULL), 0);
    assert_int_equal(sign_as(p.pid, p.id[1]), SIGN_SIGNING_OK);
    assert_int_equal(count_kind(p.pid, "COMPLETED", "anna@example.com"), 1);
    assert_int_equal(count_kind(p.pid, "COMPLETED", "+41791234567"), 1);
    /* The e-mail carries Anna's URL, where the signed file is. */
    newest_contains(p.pid, "COMPLETED", "anna@example.com", p.url[0]);
    assert_int_equal(count_records(p.pid, "COMPLETED"), 2);

    release_process(NULL, "{\"notification\":{\"locale\":\"en-GB\",\"suppress\":[\"COMPLETION\"]}}",
                    &quiet);
    assert_int_equal(count_kind(quiet.pid, "INVITE", NULL), 2);
    assert_int_equal(sign_as(quiet.pid, quiet.id[0]), SIGN_SIGNING_OK);
    assert_int_equal(sign_as(quiet.pid, quiet.id[1]), SIGN_SIGNING_OK);
    assert_int_equal(count_kind(quiet.pid, "COMPLETED", NULL), 0);
}

static void decline_notice_to_the_others_and_a_person_initiator(void **state)
{
    (void)state;
    struct released p;
    release_process("{\"type\":\"PERSON\",\"firstName\":\"Ida\",\"lastName\":\"Initiant\","
                    "\"email\":\"ida@example.com\"}",
                    "{\"notification\":{\"locale\":\"de-CH\"}}", &p);
    struct store_ui_session sess;
    memset(&sess, 0, sizeof sess);
    snprintf(sess.organization_id, sizeof sess.organization_id, "%.63s", org_a);
    snprintf(sess.process_id, sizeof sess.process_id, "%s", p.pid);
    snprintf(sess.participant_id, sizeof sess.participant_id, "%s", p.id[0]);
    sess.authorized_at = time_now_ms();
    char err[256];
    assert_int_equal(
        sign_page_decline(store, &sess, "Falscher Betrag.", time_now_ms(), err, sizeof err),
        SIGN_PAGE_OK);
    assert_int_equal(count_kind(p.pid, "DECLINED", NULL), 2);
    assert_int_equal(count_kind(p.pid, "DECLINED", "anna@example.com"), 0);
    newest_contains(p.pid, "DECLINED", "ida@example.com", "Anna Muster");
    newest_contains(p.pid, "DECLINED", "ida@example.com", "Falscher Betrag.");
    newest_contains(p.pid, "DECLINED", "+41791234567", "Anna Muster");
    assert_int_equal(count_records(p.pid, "DECLINED"), 2);
}

static void expiry_notice_to_pending_signers(void **state)
{
    (void)state;
    int64_t t = time_now_ms();
    char until[ISO_DATETIME_LEN], body[512];
    until_in_days(t, 2, until);
    struct released p, quiet;
    snprintf(body, sizeof body, "{\"validUntil\":\"%s\",\"notification\":{\"locale\":\"it-CH\"}}",
             until);
    release_process(NULL, body, &p);
    snprintf(
        body, sizeof body,
        "{\"validUntil\":\"%s\",\"notification\":{\"locale\":\"it-CH\",\"suppress\":[\"ALL\"]}}",
        until);
    release_process(NULL, body, &quiet);
    assert_int_equal(sign_as(p.pid, p.id[0]), SIGN_SIGNING_OK);
    assert_true(run_job("expiry", t + 3 * DAY_MS) >= 2);
    assert_int_equal(count_kind(p.pid, "EXPIRED", "+41791234567"), 1);
    assert_int_equal(count_kind(p.pid, "EXPIRED", "anna@example.com"), 0);
    newest_contains(p.pid, "EXPIRED", "+41791234567", "it-CH");
    assert_int_equal(count_records(p.pid, "EXPIRED"), 1);
    assert_int_equal(count_kind(quiet.pid, "EXPIRED", NULL), 0);
    /* The transition happens once, so does the notice. */
    run_job("expiry", t + 3 * DAY_MS);
    assert_int_equal(count_kind(p.pid, "EXPIRED", NULL), 1);
}

/* ---- setup ---- */

static int setup(void **state)
{
    (void)state;
    char err[512] = "";
    if (!make_data_dir(data_dir, sizeof data_dir))
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
    unsigned char mk[CRYPTO_KEY_LEN];
    if (config_load(&cfg, 2, argv, NULL, pos, 0, &npos, err, sizeof err) != CONFIG_OK ||
        store_open(cfg.store, cfg.data_dir, &store, err, sizeof err) != STORE_OK ||
        !masterkey_load(&cfg, mk, err, sizeof err) || !sign_link_key_derive(mk, link_key)) {
        fprintf(stderr, "setup: %s\n", err);
        config_free(&cfg);
        return -1;
    }
    pki = pki_service_new();
    engine = pdf_engine_new();
    bool ok = pki && engine && pki_service_start(pki, &cfg, store, err, sizeof err);
    config_free(&cfg);
    if (!ok)
        fprintf(stderr, "setup: %s\n", err);
    return ok ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pki_service_free(pki);
    pdf_engine_free(engine);
    store_close(store);
    free(a_full.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reminders_by_interval_and_before_expiry_once_each),
        cmocka_unit_test(reminders_only_when_asked_and_not_after_a_decline),
        cmocka_unit_test(completion_notice_after_the_last_signer),
        cmocka_unit_test(decline_notice_to_the_others_and_a_person_initiator),
        /* Last: its expiry job expires every process of the data directory. */
        cmocka_unit_test(expiry_notice_to_pending_signers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
