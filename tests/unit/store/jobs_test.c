/* Tests for src/store/jobs.c: job leases (one holder at a time, taken over after expiry, only
 * the holder finishes, next_run_at respected unless forced) and the expiry claim (a process is
 * expired by one caller only, and only when due). SQLite or PostgreSQL backend (test_store.h),
 * a fresh store per test. */
#include "store/jobs.h"

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
#define PROC_1 "11111111-0000-4000-8000-000000000001"

static enum store_status tx_seed(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_org a = {.id = ORG_A, .name = "A", .client_type = "ORGANIZATION", .created_at = 1};
    enum store_status st = store_org_insert(tx, &a);
    if (st != STORE_OK)
        return st;
    struct store_participant init = {.type = "NON_PERSON", .name = "ERP", .resident_permit = -1};
    snprintf(init.id, sizeof init.id, "%s", "22222222-0000-4000-8000-000000000001");
    struct store_process p = {.id = PROC_1,
                              .organization_id = ORG_A,
                              .client_id = "c",
                              .status = "PENDING",
                              .signature_level = "SIMPLE",
                              .authorization = "CODE",
                              .valid_until = 1000,
                              .created_at = 1,
                              .last_modified_at = 1,
                              .participants = &init,
                              .n_participants = 1};
    return store_process_insert(tx, &p);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256] = "";
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/signet_jobs_test_XXXXXX");
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

static struct store *S(void **state)
{
    return ((struct fixture *)*state)->store;
}

struct lease_op {
    const char *owner;
    int64_t now, until, next;
    bool force;
    bool finish;
};

static enum store_status lease_tx(struct store_tx *tx, void *cls)
{
    struct lease_op *op = cls;
    if (op->finish)
        return store_job_finish(tx, "expiry", op->owner, op->now, op->next, "ok", 3);
    return store_job_claim(tx, "expiry", op->owner, op->now, op->until, op->force);
}

static enum store_status lease(struct store *s, const char *owner, int64_t now, int64_t until,
                               bool force)
{
    struct lease_op op = {.owner = owner, .now = now, .until = until, .force = force};
    return store_run(s, STORE_WRITE, lease_tx, &op);
}

static enum store_status finish(struct store *s, const char *owner, int64_t now, int64_t next)
{
    struct lease_op op = {.owner = owner, .now = now, .next = next, .finish = true};
    return store_run(s, STORE_WRITE, lease_tx, &op);
}

static void one_lease_holder_at_a_time(void **state)
{
    struct store *s = S(state);
    assert_int_equal(lease(s, "node-a", 100, 200, false), STORE_OK);
    /* held: nobody else, not even forced */
    assert_int_equal(lease(s, "node-b", 150, 250, false), STORE_CONFLICT);
    assert_int_equal(lease(s, "node-b", 150, 250, true), STORE_CONFLICT);
    /* only the holder finishes */
    assert_int_equal(finish(s, "node-b", 160, 1000), STORE_NOT_FOUND);
    assert_int_equal(finish(s, "node-a", 160, 1000), STORE_OK);
    /* not due before next_run_at, unless forced */
    assert_int_equal(lease(s, "node-b", 500, 600, false), STORE_CONFLICT);
    assert_int_equal(lease(s, "node-b", 500, 600, true), STORE_OK);
    /* a lease that ran out (its node died) is taken over */
    assert_int_equal(lease(s, "node-c", 600, 700, true), STORE_OK);
    assert_int_equal(finish(s, "node-b", 650, 2000), STORE_NOT_FOUND);
}

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct store_job **jobs = cls;
    size_t n = 0;
    enum store_status st = store_job_list(tx, jobs, &n);
    assert_int_equal(n, 1);
    return st;
}

static void the_state_is_kept_in_the_store(void **state)
{
    struct store *s = S(state);
    assert_int_equal(lease(s, "node-a", 100, 200, false), STORE_OK);
    assert_int_equal(finish(s, "node-a", 150, 5000), STORE_OK);
    struct store_job *jobs = NULL;
    assert_int_equal(store_run(s, STORE_READ, list_tx, &jobs), STORE_OK);
    assert_string_equal(jobs[0].name, "expiry");
    assert_int_equal(jobs[0].next_run_at, 5000);
    assert_int_equal(jobs[0].runs, 1);
    assert_int_equal(jobs[0].items, 3);
    assert_string_equal(jobs[0].last_owner, "node-a");
    assert_string_equal(jobs[0].lease_owner, "");
    assert_string_equal(jobs[0].last_result, "ok");
    free(jobs);
}

struct expire_op {
    int64_t as_of;
    struct store_due_process *due;
    size_t n;
};

static enum store_status due_tx(struct store_tx *tx, void *cls)
{
    struct expire_op *op = cls;
    free(op->due);
    op->due = NULL;
    return store_process_list_due(tx, op->as_of, 10, &op->due, &op->n);
}

static enum store_status expire_tx(struct store_tx *tx, void *cls)
{
    struct expire_op *op = cls;
    return store_process_expire(tx, ORG_A, PROC_1, "PENDING", op->as_of, op->as_of);
}

static void a_process_is_expired_once_and_only_when_due(void **state)
{
    struct store *s = S(state);
    struct expire_op op = {.as_of = 999};
    assert_int_equal(store_run(s, STORE_READ, due_tx, &op), STORE_OK);
    assert_int_equal(op.n, 0);
    assert_int_equal(store_run(s, STORE_WRITE, expire_tx, &op), STORE_NOT_FOUND); /* not due */
    op.as_of = 1000;
    assert_int_equal(store_run(s, STORE_READ, due_tx, &op), STORE_OK);
    assert_int_equal(op.n, 1);
    assert_string_equal(op.due[0].id, PROC_1);
    assert_string_equal(op.due[0].organization_id, ORG_A);
    assert_string_equal(op.due[0].status, "PENDING");
    assert_int_equal(store_run(s, STORE_WRITE, expire_tx, &op), STORE_OK);
    /* the second claimant finds it taken, and the scan no longer sees it */
    assert_int_equal(store_run(s, STORE_WRITE, expire_tx, &op), STORE_NOT_FOUND);
    assert_int_equal(store_run(s, STORE_READ, due_tx, &op), STORE_OK);
    assert_int_equal(op.n, 0);
    free(op.due);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(one_lease_holder_at_a_time),
        T(the_state_is_kept_in_the_store),
        T(a_process_is_expired_once_and_only_when_due),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
