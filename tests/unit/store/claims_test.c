/* Tests for the claims that nodes sharing one database make at the same time (store/jobs.h,
 * store/outbox.h, STORE_CLAIM in store/store.h): four threads, each as a node of its own with its
 * own connection, start together (a barrier, no sleeps) and claim job leases and outbox
 * messages. Every job lease and every message goes to exactly one of them, and no claim fails
 * (on PostgreSQL the rows are taken with FOR UPDATE SKIP LOCKED: a node skips what another holds
 * instead of failing with a serialization error). SQLite or PostgreSQL backend (test_store.h). */
#include "store/jobs.h"
#include "store/outbox.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_store.h"

#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NODES    4
#define JOBS     40
#define MESSAGES 120
#define ORG_A    "aaaaaaaa-0000-4000-8000-000000000001"
#define NOW      ((int64_t)1000000)
#define LEASE    ((int64_t)300000)

struct fixture {
    char dir[64];
    struct test_store ts;
    struct store *nodes[NODES];
};

static enum store_status tx_seed(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_org a = {.id = ORG_A, .name = "A", .client_type = "ORGANIZATION", .created_at = 1};
    enum store_status st = store_org_insert(tx, &a);
    for (int i = 0; st == STORE_OK && i < MESSAGES; i++) {
        struct store_outbox m = {.kind = "INVITE", .channel = "EMAIL", .status = "QUEUED"};
        snprintf(m.id, sizeof m.id, "bbbbbbbb-0000-4000-8000-%012d", i);
        snprintf(m.organization_id, sizeof m.organization_id, "%s", ORG_A);
        snprintf(m.recipient, sizeof m.recipient, "person%d@example.ch", i);
        snprintf(m.subject, sizeof m.subject, "%s", "Documents are waiting");
        snprintf(m.body, sizeof m.body, "%s", "Open the documents.");
        snprintf(m.locale, sizeof m.locale, "%s", "en-GB");
        m.next_attempt_at = NOW - i; /* all due */
        m.created_at = 1;
        st = store_outbox_insert(tx, &m);
    }
    return st;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256] = "";
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/signet_claims_test_XXXXXX");
    if (!mkdtemp(f->dir) || !test_store_prepare(&f->ts))
        goto fail;
    /* One store per node, as separate signet processes would have. */
    for (int n = 0; n < NODES; n++)
        if (store_open(f->ts.dsn, f->dir, &f->nodes[n], err, sizeof err) != STORE_OK)
            goto fail;
    if (store_migrate(f->nodes[0]) != STORE_OK ||
        store_run(f->nodes[0], STORE_WRITE, tx_seed, NULL) != STORE_OK)
        goto fail;
    *state = f;
    return 0;
fail:
    fprintf(stderr, "setup failed: %s\n", err);
    return -1;
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
    for (int n = 0; n < NODES; n++)
        if (f->nodes[n])
            store_close(f->nodes[n]);
    test_store_drop(&f->ts);
    nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

struct race {
    pthread_barrier_t start;
    atomic_int job_wins[JOBS];
    atomic_int message_claims[MESSAGES];
    atomic_int failures;
};

struct node {
    struct race *race;
    struct store *store;
    char owner[32];
};

struct job_op {
    const char *name, *owner;
};

static enum store_status job_claim_tx(struct store_tx *tx, void *cls)
{
    struct job_op *op = cls;
    return store_job_claim(tx, op->name, op->owner, NOW, NOW + LEASE, false);
}

static void *claim_jobs(void *arg)
{
    struct node *n = arg;
    pthread_barrier_wait(&n->race->start);
    for (int j = 0; j < JOBS; j++) {
        char name[32];
        snprintf(name, sizeof name, "job-%d", j);
        struct job_op op = {.name = name, .owner = n->owner};
        enum store_status st = store_run(n->store, STORE_CLAIM, job_claim_tx, &op);
        if (st == STORE_OK)
            atomic_fetch_add(&n->race->job_wins[j], 1);
        else if (st != STORE_CONFLICT)
            atomic_fetch_add(&n->race->failures, 1);
    }
    return NULL;
}

static enum store_status message_claim_tx(struct store_tx *tx, void *cls)
{
    return store_outbox_claim_next(tx, NOW, NOW + LEASE, cls);
}

static void *claim_messages(void *arg)
{
    struct node *n = arg;
    pthread_barrier_wait(&n->race->start);
    for (;;) {
        struct store_outbox_claimed c;
        enum store_status st = store_run(n->store, STORE_CLAIM, message_claim_tx, &c);
        if (st == STORE_NOT_FOUND)
            break;
        if (st != STORE_OK) {
            atomic_fetch_add(&n->race->failures, 1);
            break;
        }
        long i = strtol(c.id + strlen(c.id) - 12, NULL, 10);
        if (i >= 0 && i < MESSAGES && c.attempts == 1)
            atomic_fetch_add(&n->race->message_claims[i], 1);
        else
            atomic_fetch_add(&n->race->failures, 1);
    }
    return NULL;
}

static void race(struct fixture *f, void *(*fn)(void *), struct race *r)
{
    pthread_t threads[NODES];
    struct node nodes[NODES];
    assert_int_equal(pthread_barrier_init(&r->start, NULL, NODES), 0);
    for (int n = 0; n < NODES; n++) {
        nodes[n] = (struct node){.race = r, .store = f->nodes[n]};
        snprintf(nodes[n].owner, sizeof nodes[n].owner, "node-%d", n);
        assert_int_equal(pthread_create(&threads[n], NULL, fn, &nodes[n]), 0);
    }
    for (int n = 0; n < NODES; n++)
        pthread_join(threads[n], NULL);
    pthread_barrier_destroy(&r->start);
}

static void each_job_lease_goes_to_one_node(void **state)
{
    struct fixture *f = *state;
    struct race *r = calloc(1, sizeof *r);
    assert_non_null(r);
    race(f, claim_jobs, r);
    assert_int_equal(atomic_load(&r->failures), 0);
    for (int j = 0; j < JOBS; j++)
        assert_int_equal(atomic_load(&r->job_wins[j]), 1);
    free(r);
}

static void each_message_is_claimed_by_one_node(void **state)
{
    struct fixture *f = *state;
    struct race *r = calloc(1, sizeof *r);
    assert_non_null(r);
    race(f, claim_messages, r);
    assert_int_equal(atomic_load(&r->failures), 0);
    for (int i = 0; i < MESSAGES; i++)
        assert_int_equal(atomic_load(&r->message_claims[i]), 1);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(each_job_lease_goes_to_one_node, setup, teardown),
        cmocka_unit_test_setup_teardown(each_message_is_claimed_by_one_node, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
