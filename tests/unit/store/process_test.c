/* Tests for src/store/process.c: processes, participants, properties and audit records round
 * trip, and every read is scoped to the organization given (SQLite or PostgreSQL backend,
 * test_store.h; a fresh store per test). */
#include "store/store.h"

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
#define ORG_B  "bbbbbbbb-0000-4000-8000-000000000002"
#define PROC_1 "11111111-0000-4000-8000-000000000001"

static enum store_status tx_orgs(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_org a = {.id = ORG_A, .name = "A", .client_type = "ORGANIZATION", .created_at = 1};
    struct store_org b = {.id = ORG_B, .name = "B", .client_type = "CORPORATE", .created_at = 2};
    enum store_status st = store_org_insert(tx, &a);
    return st == STORE_OK ? store_org_insert(tx, &b) : st;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256] = "";
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/signet_process_test_XXXXXX");
    if (!mkdtemp(f->dir) || !test_store_prepare(&f->ts) ||
        store_open(f->ts.dsn, f->dir, &f->store, err, sizeof err) != STORE_OK ||
        store_migrate(f->store) != STORE_OK ||
        store_run(f->store, STORE_WRITE, tx_orgs, NULL) != STORE_OK) {
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

struct op {
    const char *org;
    const char *id;
    const char *key;
    struct store_process *in;
    struct store_process out;
    char found[STORE_ID_LEN];
    struct store_audit_record rec, *list;
    size_t n;
};

static enum store_status tx_insert(struct store_tx *tx, void *cls)
{
    return store_process_insert(tx, ((struct op *)cls)->in);
}

static enum store_status tx_get(struct store_tx *tx, void *cls)
{
    struct op *op = cls;
    return store_process_get(tx, op->org, op->id, &op->out);
}

static enum store_status tx_find_key(struct store_tx *tx, void *cls)
{
    struct op *op = cls;
    return store_process_find_by_idempotency_key(tx, op->org, op->key, op->found);
}

static enum store_status tx_audit_insert(struct store_tx *tx, void *cls)
{
    return store_audit_insert(tx, &((struct op *)cls)->rec);
}

static enum store_status tx_audit_last(struct store_tx *tx, void *cls)
{
    struct op *op = cls;
    return store_audit_last(tx, op->org, op->id, &op->rec);
}

static enum store_status tx_audit_list(struct store_tx *tx, void *cls)
{
    struct op *op = cls;
    return store_audit_list(tx, op->org, op->id, &op->list, &op->n);
}

static void make_process(struct store_process *p, struct store_participant parts[2])
{
    memset(p, 0, sizeof *p);
    memset(parts, 0, 2 * sizeof *parts);
    snprintf(p->id, sizeof p->id, PROC_1);
    snprintf(p->organization_id, sizeof p->organization_id, ORG_A);
    snprintf(p->client_id, sizeof p->client_id, "client-1");
    snprintf(p->status, sizeof p->status, "CREATED");
    snprintf(p->signature_level, sizeof p->signature_level, "SIMPLE");
    snprintf(p->authorization, sizeof p->authorization, "ACCOUNT");
    snprintf(p->idempotency_key, sizeof p->idempotency_key, "key-1");
    p->payload = "{\"a\":1}";
    p->valid_until = 3000;
    p->created_at = p->last_modified_at = 1000;
    snprintf(parts[0].id, sizeof parts[0].id, "p0");
    snprintf(parts[0].type, sizeof parts[0].type, "NON_PERSON");
    snprintf(parts[0].name, sizeof parts[0].name, "ERP");
    parts[0].resident_permit = -1;
    snprintf(parts[1].id, sizeof parts[1].id, "p1");
    parts[1].position = 1;
    snprintf(parts[1].type, sizeof parts[1].type, "SIGNER");
    snprintf(parts[1].first_name, sizeof parts[1].first_name, "Jörg");
    snprintf(parts[1].last_name, sizeof parts[1].last_name, "Zürcher");
    snprintf(parts[1].email, sizeof parts[1].email, "j@example.ch");
    snprintf(parts[1].status, sizeof parts[1].status, "WAITING");
    parts[1].resident_permit = 0;
    p->participants = parts;
    p->n_participants = 2;
    snprintf(p->properties[0].key, sizeof p->properties[0].key, "dept");
    snprintf(p->properties[0].value, sizeof p->properties[0].value, "HR");
    p->n_properties = 1;
}

static void insert_then_get_returns_every_field(void **state)
{
    struct store_process p;
    struct store_participant parts[2];
    make_process(&p, parts);
    struct op op = {.org = ORG_A, .id = PROC_1, .in = &p};
    assert_int_equal(store_run(S(state), STORE_WRITE, tx_insert, &op), STORE_OK);
    assert_int_equal(store_run(S(state), STORE_READ, tx_get, &op), STORE_OK);
    struct store_process *g = &op.out;
    assert_string_equal(g->id, PROC_1);
    assert_string_equal(g->organization_id, ORG_A);
    assert_string_equal(g->client_id, "client-1");
    assert_string_equal(g->status, "CREATED");
    assert_string_equal(g->signature_level, "SIMPLE");
    assert_string_equal(g->authorization, "ACCOUNT");
    assert_string_equal(g->team_id, "");
    assert_string_equal(g->payload, "{\"a\":1}");
    assert_null(g->personal_message);
    assert_int_equal(g->valid_until, 3000);
    assert_int_equal(g->created_at, 1000);
    assert_int_equal(g->n_participants, 2);
    assert_string_equal(g->participants[0].name, "ERP");
    assert_int_equal(g->participants[0].resident_permit, -1);
    assert_string_equal(g->participants[1].first_name, "Jörg");
    assert_string_equal(g->participants[1].email, "j@example.ch");
    assert_string_equal(g->participants[1].status, "WAITING");
    assert_int_equal(g->participants[1].resident_permit, 0);
    assert_int_equal(g->n_properties, 1);
    assert_string_equal(g->properties[0].key, "dept");
    /* a second read into the same struct does not leak (cleared first) */
    assert_int_equal(store_run(S(state), STORE_READ, tx_get, &op), STORE_OK);
    store_process_clear(&op.out);
}

static void another_organization_reads_nothing(void **state)
{
    struct store_process p;
    struct store_participant parts[2];
    make_process(&p, parts);
    struct op op = {.org = ORG_A, .id = PROC_1, .in = &p, .key = "key-1"};
    assert_int_equal(store_run(S(state), STORE_WRITE, tx_insert, &op), STORE_OK);
    op.org = ORG_B;
    assert_int_equal(store_run(S(state), STORE_READ, tx_get, &op), STORE_NOT_FOUND);
    assert_int_equal(store_run(S(state), STORE_READ, tx_find_key, &op), STORE_NOT_FOUND);
    assert_int_equal(store_run(S(state), STORE_READ, tx_audit_list, &op), STORE_OK);
    assert_int_equal(op.n, 0);
    free(op.list);
    op.org = ORG_A;
    assert_int_equal(store_run(S(state), STORE_READ, tx_find_key, &op), STORE_OK);
    assert_string_equal(op.found, PROC_1);
    store_process_clear(&op.out);
}

static void idempotency_key_is_unique_per_organization(void **state)
{
    struct store_process p;
    struct store_participant parts[2];
    make_process(&p, parts);
    struct op op = {.in = &p};
    assert_int_equal(store_run(S(state), STORE_WRITE, tx_insert, &op), STORE_OK);
    snprintf(p.id, sizeof p.id, "22222222-0000-4000-8000-000000000002");
    snprintf(parts[0].id, sizeof parts[0].id, "q0");
    snprintf(parts[1].id, sizeof parts[1].id, "q1");
    assert_int_equal(store_run(S(state), STORE_WRITE, tx_insert, &op), STORE_CONFLICT);
    snprintf(p.organization_id, sizeof p.organization_id, ORG_B);
    assert_int_equal(store_run(S(state), STORE_WRITE, tx_insert, &op), STORE_OK);
}

static void audit_records_append_and_list_newest_first(void **state)
{
    struct store_process p;
    struct store_participant parts[2];
    make_process(&p, parts);
    struct op op = {.org = ORG_A, .id = PROC_1, .in = &p};
    assert_int_equal(store_run(S(state), STORE_WRITE, tx_insert, &op), STORE_OK);
    assert_int_equal(store_run(S(state), STORE_READ, tx_audit_last, &op), STORE_NOT_FOUND);
    for (int i = 1; i <= 3; i++) {
        memset(&op.rec, 0, sizeof op.rec);
        snprintf(op.rec.id, sizeof op.rec.id, "rec-%d", i);
        snprintf(op.rec.organization_id, sizeof op.rec.organization_id, ORG_A);
        snprintf(op.rec.process_id, sizeof op.rec.process_id, PROC_1);
        op.rec.seq = i;
        op.rec.created_at = 100 * i;
        snprintf(op.rec.action, sizeof op.rec.action, "transaction");
        snprintf(op.rec.status, sizeof op.rec.status, "SUCCESS");
        snprintf(op.rec.extras, sizeof op.rec.extras, "{}");
        snprintf(op.rec.hash, sizeof op.rec.hash, "h%d", i);
        assert_int_equal(store_run(S(state), STORE_WRITE, tx_audit_insert, &op), STORE_OK);
    }
    /* the same seq twice is refused: records are appended, never replaced; the insert asks
     * for the transaction to run again (a concurrent append took the seq), which here never
     * helps, so store_run gives up with STORE_RETRY */
    snprintf(op.rec.id, sizeof op.rec.id, "rec-x");
    assert_int_equal(store_run(S(state), STORE_WRITE, tx_audit_insert, &op), STORE_RETRY);
    assert_int_equal(store_run(S(state), STORE_READ, tx_audit_last, &op), STORE_OK);
    assert_int_equal(op.rec.seq, 3);
    assert_int_equal(store_run(S(state), STORE_READ, tx_audit_list, &op), STORE_OK);
    assert_int_equal(op.n, 3);
    assert_string_equal(op.list[0].id, "rec-3");
    assert_string_equal(op.list[2].id, "rec-1");
    assert_string_equal(op.list[0].hash, "h3");
    free(op.list);
    op.org = ORG_B;
    assert_int_equal(store_run(S(state), STORE_READ, tx_audit_last, &op), STORE_NOT_FOUND);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(insert_then_get_returns_every_field),
        T(another_organization_reads_nothing),
        T(idempotency_key_is_unique_per_organization),
        T(audit_records_append_and_list_newest_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
