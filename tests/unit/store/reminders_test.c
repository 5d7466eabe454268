/* Tests for src/store/reminders.c (migration 0015): the reminders job's scan finds PENDING
 * processes released with notifications and reminder settings before validUntil only, in id
 * order after a given id; a slot is recorded once (a second insert is a conflict and writes
 * nothing); the sent slots are listed per organization and process. SQLite or PostgreSQL
 * (test_store.h). */
#include "store/reminders.h"

#include "core/str.h"
#include "store/release.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_store.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct fixture {
    char dir[64];
    struct test_store ts;
    struct store *store;
};

#define ORG_A  "aaaaaaaa-0000-4000-8000-000000000001"
#define ORG_B  "aaaaaaaa-0000-4000-8000-000000000002"
#define PROC_1 "11111111-0000-4000-8000-000000000001" /* reminders */
#define PROC_2 "11111111-0000-4000-8000-000000000002" /* notifications, no reminders */
#define PROC_3 "11111111-0000-4000-8000-000000000003" /* reminders, no locale */
#define SIGNER "22222222-0000-4000-8000-00000000000"

/* A released process id with one signer (SIGNER + digit), valid until 1000000. */
static enum store_status seed_process(struct store_tx *tx, const char *id, char digit, bool notify,
                                      const char *interval)
{
    char signer[STORE_ID_LEN], init[STORE_ID_LEN];
    snprintf(signer, sizeof signer, "%s%c", SIGNER, digit);
    snprintf(init, sizeof init, "%s%c", "33333333-0000-4000-8000-00000000000", digit);
    struct store_participant parts[2] = {
        {.type = "NON_PERSON", .name = "ERP", .resident_permit = -1},
        {.position = 1,
         .type = "SIGNER",
         .first_name = "Anna",
         .last_name = "Muster",
         .status = "WAITING",
         .resident_permit = -1},
    };
    str_copy(parts[0].id, sizeof parts[0].id, init);
    str_copy(parts[1].id, sizeof parts[1].id, signer);
    struct store_process p = {.organization_id = ORG_A,
                              .client_id = "c",
                              .status = "CREATED",
                              .signature_level = "SIMPLE",
                              .authorization = "CODE",
                              .valid_until = 1000000,
                              .created_at = 1,
                              .last_modified_at = 1,
                              .participants = parts,
                              .n_participants = 2};
    str_copy(p.id, sizeof p.id, id);
    enum store_status st = store_process_insert(tx, &p);
    if (st != STORE_OK)
        return st;
    struct store_release r = {.organization_id = ORG_A,
                              .client_id = "c",
                              .released_at = 10,
                              .valid_until = 1000000,
                              .notify = notify};
    str_copy(r.process_id, sizeof r.process_id, id);
    str_copy(r.locale, sizeof r.locale, notify ? "de-CH" : "");
    str_copy(r.reminder_interval, sizeof r.reminder_interval, interval);
    return store_release_insert(tx, &r);
}

static enum store_status tx_seed(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_org a = {.id = ORG_A, .name = "A", .client_type = "ORGANIZATION", .created_at = 1};
    struct store_org b = {.id = ORG_B, .name = "B", .client_type = "ORGANIZATION", .created_at = 1};
    enum store_status st = store_org_insert(tx, &a);
    if (st == STORE_OK)
        st = store_org_insert(tx, &b);
    if (st == STORE_OK)
        st = seed_process(tx, PROC_1, '1', true, "P1D");
    if (st == STORE_OK)
        st = seed_process(tx, PROC_2, '2', true, "");
    if (st == STORE_OK)
        st = seed_process(tx, PROC_3, '3', false, "P1D");
    return st;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256] = "";
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/signet_reminders_test_XXXXXX");
    if (!mkdtemp(f->dir) || !test_store_prepare(&f->ts) ||
        store_open(f->ts.dsn, f->dir, &f->store, err, sizeof err) != STORE_OK ||
        store_migrate(f->store) != STORE_OK ||
        store_run(f->store, STORE_WRITE, tx_seed, NULL) != STORE_OK) {
        fprintf(stderr, "setup failed: %s\n", err);
        return -1;
    }
    *state = f;
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->store);
    test_store_drop(&f->ts);
    nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

struct op {
    const char *what, *org, *after;
    int64_t as_of;
    struct store_reminder_send send;
    struct store_reminder_candidate *c;
    struct store_reminder_send *sent;
    size_t n;
};

static enum store_status op_tx(struct store_tx *tx, void *cls)
{
    struct op *o = cls;
    free(o->c);
    free(o->sent);
    o->c = NULL;
    o->sent = NULL;
    if (!strcmp(o->what, "candidates"))
        return store_reminder_candidates(tx, o->as_of, o->after, 10, &o->c, &o->n);
    if (!strcmp(o->what, "insert"))
        return store_reminder_send_insert(tx, &o->send);
    return store_reminder_sends_list(tx, o->org, PROC_1, &o->sent, &o->n);
}

static enum store_status run(void **state, struct op *o)
{
    return store_run(((struct fixture *)*state)->store, STORE_WRITE, op_tx, o);
}

static void scan_finds_pending_processes_with_reminders_before_valid_until(void **state)
{
    struct op o = {.what = "candidates", .after = "", .as_of = 500};
    assert_int_equal(run(state, &o), STORE_OK);
    assert_int_equal(o.n, 1);
    assert_string_equal(o.c[0].id, PROC_1);
    assert_string_equal(o.c[0].organization_id, ORG_A);
    o.after = PROC_1; /* the next page */
    assert_int_equal(run(state, &o), STORE_OK);
    assert_int_equal(o.n, 0);
    o.after = "";
    o.as_of = 1000000; /* due to expire: the expiry job's */
    assert_int_equal(run(state, &o), STORE_OK);
    assert_int_equal(o.n, 0);
    free(o.c);
}

static void a_slot_is_recorded_once(void **state)
{
    struct op o = {.what = "insert",
                   .send = {.organization_id = ORG_A,
                            .process_id = PROC_1,
                            .participant_id = SIGNER "1",
                            .slot = "interval-1",
                            .due_at = 86400010,
                            .sent_at = 86400020}};
    assert_int_equal(run(state, &o), STORE_OK);
    assert_int_equal(run(state, &o), STORE_CONFLICT);
    str_copy(o.send.slot, sizeof o.send.slot, "before-86400000");
    assert_int_equal(run(state, &o), STORE_OK);
    struct op l = {.what = "list", .org = ORG_A};
    assert_int_equal(run(state, &l), STORE_OK);
    assert_int_equal(l.n, 2);
    bool interval = false;
    for (size_t i = 0; i < l.n; i++)
        if (!strcmp(l.sent[i].slot, "interval-1")) {
            interval = true;
            assert_string_equal(l.sent[i].participant_id, SIGNER "1");
            assert_int_equal(l.sent[i].due_at, 86400010);
            assert_int_equal(l.sent[i].sent_at, 86400020);
        }
    assert_true(interval);
    l.org = ORG_B; /* another organization sees none */
    assert_int_equal(run(state, &l), STORE_OK);
    assert_int_equal(l.n, 0);
    free(l.sent);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(scan_finds_pending_processes_with_reminders_before_valid_until),
        T(a_slot_is_recorded_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
