/* Tests for src/store: opening, migrations, transactions, tenancy rows and the blob store
 * (SQLite, or PostgreSQL when SIGNET_TEST_STORE names a server: test_store.h; a fresh store
 * per test). */
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/log.h"
#include "store/sql.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_store.h"

#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
    char dir[64];
    struct test_store ts;
    struct store *store;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/signet_store_test_XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    char err[256] = "";
    if (!test_store_prepare(&f->ts) ||
        store_open(f->ts.dsn, f->dir, &f->store, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "store_open: %s\n", err);
        free(f);
        return -1;
    }
    if (store_migrate(f->store) != STORE_OK) {
        store_close(f->store);
        free(f);
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

/* ---- transaction bodies used by the tests ---- */

struct org_op {
    struct store_org org;
    struct store_org got;
    struct store_org *list;
    size_t n;
};

static enum store_status tx_org_insert(struct store_tx *tx, void *cls)
{
    return store_org_insert(tx, &((struct org_op *)cls)->org);
}

static enum store_status tx_org_get(struct store_tx *tx, void *cls)
{
    struct org_op *op = cls;
    return store_org_get(tx, op->org.id, &op->got);
}

static enum store_status tx_org_find(struct store_tx *tx, void *cls)
{
    struct org_op *op = cls;
    return store_org_find_by_name(tx, op->org.name, &op->got);
}

static enum store_status tx_org_list(struct store_tx *tx, void *cls)
{
    struct org_op *op = cls;
    return store_org_list(tx, &op->list, &op->n);
}

struct client_op {
    struct store_client c;
    struct store_client got;
    const char *org_filter;
    struct store_client *list;
    size_t n;
    int64_t now;
    const char *secret_hash;
};

static enum store_status tx_client_insert(struct store_tx *tx, void *cls)
{
    return store_client_insert(tx, &((struct client_op *)cls)->c);
}

static enum store_status tx_client_get(struct store_tx *tx, void *cls)
{
    struct client_op *op = cls;
    return store_client_get(tx, op->c.id, &op->got);
}

static enum store_status tx_client_list(struct store_tx *tx, void *cls)
{
    struct client_op *op = cls;
    return store_client_list(tx, op->org_filter, &op->list, &op->n);
}

static enum store_status tx_client_revoke(struct store_tx *tx, void *cls)
{
    struct client_op *op = cls;
    return store_client_revoke(tx, op->c.id, op->now);
}

static enum store_status tx_client_set_secret(struct store_tx *tx, void *cls)
{
    struct client_op *op = cls;
    return store_client_set_secret(tx, op->c.id, op->secret_hash);
}

static void make_org(struct store_org *o, const char *id, const char *name, int64_t created)
{
    memset(o, 0, sizeof *o);
    snprintf(o->id, sizeof o->id, "%s", id);
    snprintf(o->name, sizeof o->name, "%s", name);
    snprintf(o->client_type, sizeof o->client_type, "ORGANIZATION");
    o->created_at = created;
}

static void insert_org(struct store *s, const char *id, const char *name, int64_t created)
{
    struct org_op op;
    make_org(&op.org, id, name, created);
    enum store_status st = store_run(s, STORE_WRITE, tx_org_insert, &op);
    if (st != STORE_OK)
        fail_msg("inserting org %s: %s", id, store_status_name(st));
}

static void make_client(struct store_client *c, const char *id, const char *org, int64_t created)
{
    memset(c, 0, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", id);
    snprintf(c->organization_id, sizeof c->organization_id, "%s", org);
    crypto_sha256_hex(id, strlen(id), c->secret_hash);
    snprintf(c->scopes, sizeof c->scopes, "process:read process:write");
    snprintf(c->description, sizeof c->description, "client %s", id);
    c->created_at = created;
}

static void insert_client(struct store *s, const char *id, const char *org, int64_t created)
{
    struct client_op op = {0};
    make_client(&op.c, id, org, created);
    enum store_status st = store_run(s, STORE_WRITE, tx_client_insert, &op);
    if (st != STORE_OK)
        fail_msg("inserting client %s: %s", id, store_status_name(st));
}

static int64_t count_rows(struct store *s, const char *sql);

/* ---- opening and migrations ---- */

static void open_creates_the_database_and_blob_directory(void **state)
{
    struct fixture *f = *state;
    char path[256];
    struct stat sb;
    snprintf(path, sizeof path, "%s/signet.db", f->dir);
    /* PostgreSQL keeps the rows on its server: only the blobs live in the data directory. */
    assert_int_equal(stat(path, &sb), test_store_is_postgres() ? -1 : 0);
    snprintf(path, sizeof path, "%s/blobs", f->dir);
    assert_int_equal(stat(path, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_string_equal(store_backend_name(f->store),
                        test_store_is_postgres() ? "postgres" : "sqlite");
    assert_string_equal(store_data_dir(f->store), f->dir);
    assert_int_equal(store_ping(f->store), STORE_OK);
}

static void open_creates_missing_nested_data_directories(void **state)
{
    struct fixture *f = *state;
    char nested[256], err[256] = "";
    snprintf(nested, sizeof nested, "%s/a/b/c", f->dir);
    struct store *s = NULL;
    assert_int_equal(store_open(f->ts.dsn, nested, &s, err, sizeof err), STORE_OK);
    assert_int_equal(store_migrate(s), STORE_OK);
    assert_int_equal(store_ping(s), STORE_OK);
    store_close(s);
}

static void open_rejects_an_unknown_backend_with_a_message(void **state)
{
    struct fixture *f = *state;
    struct store *s = NULL;
    char err[256];
    memset(err, 'x', sizeof err - 1);
    err[sizeof err - 1] = '\0';
    assert_int_equal(store_open("mysql://db/x", f->dir, &s, err, sizeof err), STORE_ERROR);
    assert_null(s);
    assert_non_null(strstr(err, "unknown backend"));
}

static void open_fails_with_a_message_when_postgresql_is_unreachable(void **state)
{
    struct fixture *f = *state;
    struct store *s = NULL;
    char err[256] = "";
    /* A Unix socket directory that does not exist: refused at once, on any machine. */
    assert_int_equal(store_open("postgresql://signet:secret-pw@/db?host=/nonexistent-signet-dir",
                                f->dir, &s, err, sizeof err),
                     STORE_ERROR);
    assert_null(s);
    assert_non_null(strstr(err, "PostgreSQL"));
    assert_null(strstr(err, "secret-pw"));
}

static void open_fails_with_a_message_when_the_database_cannot_be_opened(void **state)
{
    struct fixture *f = *state;
    struct store *s = NULL;
    char err[256] = "", target[256];
    snprintf(target, sizeof target, "sqlite:%s/missing-dir/x.db", f->dir);
    assert_int_equal(store_open(target, f->dir, &s, err, sizeof err), STORE_ERROR);
    assert_null(s);
    assert_non_null(strstr(err, "missing-dir"));
}

static void migrate_twice_is_idempotent(void **state)
{
    struct store *s = S(state);
    int64_t before = count_rows(s, "SELECT COUNT(*) FROM schema_migrations");
    assert_true(before >= 1);
    insert_org(s, "org-1", "Acme", 1);
    assert_int_equal(store_migrate(s), STORE_OK);
    assert_int_equal(store_migrate(s), STORE_OK);
    assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM schema_migrations"), before);
    assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM organizations"), 1);
}

static void a_second_store_on_the_same_directory_sees_the_same_data(void **state)
{
    struct fixture *f = *state;
    insert_org(f->store, "org-1", "Acme", 1);
    struct store *s2 = NULL;
    char err[256] = "";
    assert_int_equal(store_open(f->ts.dsn, f->dir, &s2, err, sizeof err), STORE_OK);
    assert_int_equal(store_migrate(s2), STORE_OK);
    struct org_op op;
    make_org(&op.org, "org-1", "", 0);
    assert_int_equal(store_run(s2, STORE_READ, tx_org_get, &op), STORE_OK);
    assert_string_equal(op.got.name, "Acme");
    store_close(s2);
}

struct migrate_arg {
    struct store *s;
    enum store_status st;
};

static void *migrate_thread(void *p)
{
    struct migrate_arg *a = p;
    a->st = store_migrate(a->s);
    return NULL;
}

/* Two nodes starting at the same moment on a new database: one applies the migrations, the
 * other waits for it (PostgreSQL: the advisory lock) and finds them applied. */
static void two_stores_migrating_one_database_at_once_both_succeed(void **state)
{
    struct fixture *f = *state;
    struct test_store ts;
    char dir[128], err[256] = "";
    snprintf(dir, sizeof dir, "%s/second", f->dir);
    assert_true(test_store_prepare(&ts));
    struct migrate_arg a[2] = {{0}, {0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(store_open(ts.dsn, dir, &a[i].s, err, sizeof err), STORE_OK);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, migrate_thread, &a[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(a[0].st, STORE_OK);
    assert_int_equal(a[1].st, STORE_OK);
    const char *q = "SELECT COUNT(*) FROM schema_migrations";
    assert_int_equal(count_rows(a[0].s, q), count_rows(f->store, q));
    insert_org(a[1].s, "org-1", "Acme", 1);
    assert_int_equal(count_rows(a[0].s, "SELECT COUNT(*) FROM organizations"), 1);
    store_close(a[0].s);
    store_close(a[1].s);
    test_store_drop(&ts);
}

/* ---- organizations ---- */

static void org_insert_then_get_returns_every_field(void **state)
{
    struct store *s = S(state);
    struct org_op op;
    make_org(&op.org, "org-42", "Beispiel AG, Zürich", 1700000000123LL);
    snprintf(op.org.client_type, sizeof op.org.client_type, "CORPORATE");
    assert_int_equal(store_run(s, STORE_WRITE, tx_org_insert, &op), STORE_OK);
    memset(&op.got, 0, sizeof op.got);
    assert_int_equal(store_run(s, STORE_READ, tx_org_get, &op), STORE_OK);
    assert_string_equal(op.got.id, "org-42");
    assert_string_equal(op.got.name, "Beispiel AG, Zürich");
    assert_string_equal(op.got.client_type, "CORPORATE");
    assert_int_equal(op.got.created_at, 1700000000123LL);

    memset(&op.got, 0, sizeof op.got);
    assert_int_equal(store_run(s, STORE_READ, tx_org_find, &op), STORE_OK);
    assert_string_equal(op.got.id, "org-42");
}

static void org_get_of_unknown_id_is_not_found(void **state)
{
    struct store *s = S(state);
    struct org_op op;
    make_org(&op.org, "nope", "No Such Org", 0);
    assert_int_equal(store_run(s, STORE_READ, tx_org_get, &op), STORE_NOT_FOUND);
    assert_int_equal(store_run(s, STORE_READ, tx_org_find, &op), STORE_NOT_FOUND);
}

static void org_insert_with_a_duplicate_id_is_a_conflict(void **state)
{
    struct store *s = S(state);
    insert_org(s, "org-1", "First", 1);
    struct org_op op;
    make_org(&op.org, "org-1", "Second", 2);
    assert_int_equal(store_run(s, STORE_WRITE, tx_org_insert, &op), STORE_CONFLICT);
    assert_int_equal(store_run(s, STORE_READ, tx_org_get, &op), STORE_OK);
    assert_string_equal(op.got.name, "First");
}

static void org_insert_with_an_invalid_client_type_is_refused(void **state)
{
    struct store *s = S(state);
    struct org_op op;
    make_org(&op.org, "org-x", "X", 1);
    snprintf(op.org.client_type, sizeof op.org.client_type, "PERSON");
    assert_int_not_equal(store_run(s, STORE_WRITE, tx_org_insert, &op), STORE_OK);
    assert_int_equal(store_run(s, STORE_READ, tx_org_get, &op), STORE_NOT_FOUND);
}

static void org_list_returns_all_oldest_first(void **state)
{
    struct store *s = S(state);
    struct org_op op = {0};
    assert_int_equal(store_run(s, STORE_READ, tx_org_list, &op), STORE_OK);
    assert_int_equal(op.n, 0);
    free(op.list);

    insert_org(s, "org-c", "C", 300);
    insert_org(s, "org-a", "A", 100);
    insert_org(s, "org-b2", "B2", 200);
    insert_org(s, "org-b1", "B1", 200);
    memset(&op, 0, sizeof op);
    assert_int_equal(store_run(s, STORE_READ, tx_org_list, &op), STORE_OK);
    assert_int_equal(op.n, 4);
    assert_string_equal(op.list[0].id, "org-a");
    assert_string_equal(op.list[1].id, "org-b1");
    assert_string_equal(op.list[2].id, "org-b2");
    assert_string_equal(op.list[3].id, "org-c");
    assert_string_equal(op.list[3].name, "C");
    assert_int_equal(op.list[3].created_at, 300);
    free(op.list);
}

/* ---- API clients ---- */

static void client_insert_then_get_returns_every_field(void **state)
{
    struct store *s = S(state);
    insert_org(s, "org-1", "Acme", 1);
    struct client_op op = {0};
    make_client(&op.c, "client-1", "org-1", 1700000000000LL);
    assert_int_equal(store_run(s, STORE_WRITE, tx_client_insert, &op), STORE_OK);
    assert_int_equal(store_run(s, STORE_READ, tx_client_get, &op), STORE_OK);
    assert_string_equal(op.got.id, "client-1");
    assert_string_equal(op.got.organization_id, "org-1");
    assert_string_equal(op.got.secret_hash, op.c.secret_hash);
    assert_int_equal(strlen(op.got.secret_hash), 64);
    assert_string_equal(op.got.scopes, "process:read process:write");
    assert_string_equal(op.got.description, "client client-1");
    assert_int_equal(op.got.created_at, 1700000000000LL);
    assert_int_equal(op.got.revoked_at, 0);
}

static void client_get_of_unknown_id_is_not_found(void **state)
{
    struct client_op op = {0};
    make_client(&op.c, "ghost", "org-1", 1);
    assert_int_equal(store_run(S(state), STORE_READ, tx_client_get, &op), STORE_NOT_FOUND);
}

static void client_insert_with_a_duplicate_id_is_a_conflict(void **state)
{
    struct store *s = S(state);
    insert_org(s, "org-1", "Acme", 1);
    insert_client(s, "client-1", "org-1", 1);
    struct client_op op = {0};
    make_client(&op.c, "client-1", "org-1", 2);
    snprintf(op.c.description, sizeof op.c.description, "second");
    assert_int_equal(store_run(s, STORE_WRITE, tx_client_insert, &op), STORE_CONFLICT);
    assert_int_equal(store_run(s, STORE_READ, tx_client_get, &op), STORE_OK);
    assert_string_equal(op.got.description, "client client-1");
}

static void client_of_an_unknown_organization_is_refused(void **state)
{
    struct store *s = S(state);
    struct client_op op = {0};
    make_client(&op.c, "client-1", "no-such-org", 1);
    assert_int_equal(store_run(s, STORE_WRITE, tx_client_insert, &op), STORE_CONFLICT);
    assert_int_equal(store_run(s, STORE_READ, tx_client_get, &op), STORE_NOT_FOUND);
}

static void client_list_filters_by_organization(void **state)
{
    struct store *s = S(state);
    insert_org(s, "org-1", "Acme", 1);
    insert_org(s, "org-2", "Other", 2);
    insert_client(s, "c-3", "org-1", 30);
    insert_client(s, "c-1", "org-1", 10);
    insert_client(s, "c-2", "org-2", 20);

    struct client_op op = {.org_filter = "org-1"};
    assert_int_equal(store_run(s, STORE_READ, tx_client_list, &op), STORE_OK);
    assert_int_equal(op.n, 2);
    assert_string_equal(op.list[0].id, "c-1");
    assert_string_equal(op.list[1].id, "c-3");
    free(op.list);

    op = (struct client_op){.org_filter = NULL};
    assert_int_equal(store_run(s, STORE_READ, tx_client_list, &op), STORE_OK);
    assert_int_equal(op.n, 3);
    assert_string_equal(op.list[0].id, "c-1");
    assert_string_equal(op.list[1].id, "c-2");
    assert_string_equal(op.list[1].organization_id, "org-2");
    assert_string_equal(op.list[2].id, "c-3");
    free(op.list);

    op = (struct client_op){.org_filter = "org-none"};
    assert_int_equal(store_run(s, STORE_READ, tx_client_list, &op), STORE_OK);
    assert_int_equal(op.n, 0);
    free(op.list);
}

static void client_revoke_marks_once_then_conflicts(void **state)
{
    struct store *s = S(state);
    insert_org(s, "org-1", "Acme", 1);
    insert_client(s, "client-1", "org-1", 1);
    struct client_op op = {0};
    make_client(&op.c, "client-1", "org-1", 1);
    op.now = 1700000005000LL;
    assert_int_equal(store_run(s, STORE_WRITE, tx_client_revoke, &op), STORE_OK);
    assert_int_equal(store_run(s, STORE_READ, tx_client_get, &op), STORE_OK);
    assert_int_equal(op.got.revoked_at, 1700000005000LL);

    op.now = 1700000009000LL;
    assert_int_equal(store_run(s, STORE_WRITE, tx_client_revoke, &op), STORE_CONFLICT);
    assert_int_equal(store_run(s, STORE_READ, tx_client_get, &op), STORE_OK);
    assert_int_equal(op.got.revoked_at, 1700000005000LL);
}

static void client_revoke_of_unknown_id_is_not_found(void **state)
{
    struct client_op op = {0};
    make_client(&op.c, "ghost", "org-1", 1);
    op.now = 5;
    assert_int_equal(store_run(S(state), STORE_WRITE, tx_client_revoke, &op), STORE_NOT_FOUND);
}

static void client_set_secret_replaces_the_hash_or_is_not_found(void **state)
{
    struct store *s = S(state);
    insert_org(s, "org-1", "Acme", 1);
    insert_client(s, "client-1", "org-1", 1);
    char hash[SHA256_HEX_LEN];
    crypto_sha256_hex("new secret", 10, hash);
    struct client_op op = {.secret_hash = hash};
    make_client(&op.c, "client-1", "org-1", 1);
    assert_int_equal(store_run(s, STORE_WRITE, tx_client_set_secret, &op), STORE_OK);
    assert_int_equal(store_run(s, STORE_READ, tx_client_get, &op), STORE_OK);
    assert_string_equal(op.got.secret_hash, hash);

    make_client(&op.c, "ghost", "org-1", 1);
    assert_int_equal(store_run(s, STORE_WRITE, tx_client_set_secret, &op), STORE_NOT_FOUND);
}

/* ---- transactions ---- */

struct count_query {
    const char *sql;
    int64_t value;
};

static enum store_status tx_count(struct store_tx *tx, void *cls)
{
    struct count_query *q = cls;
    struct store_rows *rows = NULL;
    enum store_status st = sql_exec(tx, q->sql, NULL, 0, &rows, NULL);
    if (st == STORE_OK) {
        assert_int_equal(store_rows_count(rows), 1);
        q->value = store_rows_int(rows, 0, 0);
    }
    store_rows_free(rows);
    return st;
}

static int64_t count_rows(struct store *s, const char *sql)
{
    struct count_query q = {.sql = sql, .value = -1};
    enum store_status st = store_run(s, STORE_READ, tx_count, &q);
    if (st != STORE_OK)
        fail_msg("%s: %s", sql, store_status_name(st));
    return q.value;
}

struct flaky {
    int calls;
    int retries_before_success; /* < 0: retry forever */
    enum store_status final;
};

/* Inserts an org and asks for a retry a few times: the insert of each attempt must be rolled
 * back, or the next attempt's insert of the same id would conflict. */
static enum store_status tx_flaky_insert(struct store_tx *tx, void *cls)
{
    struct flaky *fl = cls;
    fl->calls++;
    struct store_org o;
    make_org(&o, "org-flaky", "Flaky", 1);
    enum store_status st = store_org_insert(tx, &o);
    if (st != STORE_OK)
        return st;
    if (fl->retries_before_success < 0 || fl->calls <= fl->retries_before_success)
        return STORE_RETRY;
    return fl->final;
}

static void run_retries_a_function_that_asks_for_retry(void **state)
{
    struct store *s = S(state);
    struct flaky fl = {.retries_before_success = 2, .final = STORE_OK};
    assert_int_equal(store_run(s, STORE_WRITE, tx_flaky_insert, &fl), STORE_OK);
    assert_int_equal(fl.calls, 3);
    assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM organizations"), 1);
}

static void run_gives_up_after_a_bounded_number_of_retries(void **state)
{
    struct store *s = S(state);
    struct flaky fl = {.retries_before_success = -1};
    assert_int_equal(store_run(s, STORE_WRITE, tx_flaky_insert, &fl), STORE_RETRY);
    assert_true(fl.calls > 1);
    assert_true(fl.calls <= 100);
    assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM organizations"), 0);
}

static void run_rolls_back_when_the_function_fails(void **state)
{
    struct store *s = S(state);
    struct flaky fl = {.retries_before_success = 0, .final = STORE_CONFLICT};
    assert_int_equal(store_run(s, STORE_WRITE, tx_flaky_insert, &fl), STORE_CONFLICT);
    assert_int_equal(fl.calls, 1);
    struct org_op op;
    make_org(&op.org, "org-flaky", "", 0);
    assert_int_equal(store_run(s, STORE_READ, tx_org_get, &op), STORE_NOT_FOUND);
    assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM organizations"), 0);

    /* The store is usable afterwards and the same insert now commits. */
    fl = (struct flaky){.retries_before_success = 0, .final = STORE_OK};
    assert_int_equal(store_run(s, STORE_WRITE, tx_flaky_insert, &fl), STORE_OK);
    assert_int_equal(store_run(s, STORE_READ, tx_org_get, &op), STORE_OK);
}

static enum store_status tx_insert_two_then_duplicate(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_org o;
    make_org(&o, "org-a", "A", 1);
    enum store_status st = store_org_insert(tx, &o);
    if (st == STORE_OK) {
        make_org(&o, "org-b", "B", 1);
        st = store_org_insert(tx, &o);
    }
    if (st == STORE_OK)
        st = store_org_insert(tx, &o); /* duplicate: the whole transaction must go */
    return st;
}

static void a_conflict_in_the_middle_undoes_the_whole_transaction(void **state)
{
    struct store *s = S(state);
    assert_int_equal(store_run(s, STORE_WRITE, tx_insert_two_then_duplicate, NULL), STORE_CONFLICT);
    assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM organizations"), 0);
}

static enum store_status tx_bad_sql(struct store_tx *tx, void *cls)
{
    (void)cls;
    return sql_exec(tx, "SELECT nonsense FROM no_such_table", NULL, 0, NULL, NULL);
}

static void invalid_sql_is_a_hard_error(void **state)
{
    assert_int_equal(store_run(S(state), STORE_READ, tx_bad_sql, NULL), STORE_ERROR);
    assert_int_equal(store_ping(S(state)), STORE_OK);
}

static enum store_status tx_duplicate_then_more(struct store_tx *tx, void *cls)
{
    enum store_status *dup = cls;
    struct store_org o;
    make_org(&o, "org-a", "A", 1);
    enum store_status st = store_org_insert(tx, &o);
    if (st != STORE_OK)
        return st;
    *dup = store_org_insert(tx, &o);
    make_org(&o, "org-b", "B", 2);
    return store_org_insert(tx, &o);
}

/* A duplicate fails the statement, not the transaction: the caller may go on (SQLite does
 * this by itself; the PostgreSQL backend puts a savepoint around each INSERT). */
static void a_duplicate_insert_leaves_the_transaction_usable(void **state)
{
    struct store *s = S(state);
    enum store_status dup = STORE_OK;
    assert_int_equal(store_run(s, STORE_WRITE, tx_duplicate_then_more, &dup), STORE_OK);
    assert_int_equal(dup, STORE_CONFLICT);
    assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM organizations"), 2);
}

static enum store_status tx_make_counter(struct store_tx *tx, void *cls)
{
    (void)cls;
    enum store_status st = sql_exec(
        tx, "CREATE TABLE counter (id TEXT PRIMARY KEY, n BIGINT NOT NULL)", NULL, 0, NULL, NULL);
    if (st == STORE_OK)
        st = sql_exec(tx, "INSERT INTO counter (id, n) VALUES ('c', 0)", NULL, 0, NULL, NULL);
    return st;
}

/* Reads the counter, then writes what it read plus one: safe only if no other transaction
 * can write in between (SQLite: one writer; PostgreSQL: SERIALIZABLE, else "retry"). */
static enum store_status tx_increment(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_rows *r = NULL;
    enum store_status st = sql_exec(tx, "SELECT n FROM counter WHERE id = 'c'", NULL, 0, &r, NULL);
    if (st != STORE_OK)
        return st;
    int64_t n = store_rows_int(r, 0, 0);
    store_rows_free(r);
    return sql_exec(tx, "UPDATE counter SET n = $1 WHERE id = 'c'",
                    (struct store_value[]){SQL_INT(n + 1)}, 1, NULL, NULL);
}

struct increment_arg {
    struct store *s;
    int done;
    enum store_status st;
};

static void *increment_many(void *p)
{
    struct increment_arg *a = p;
    a->st = STORE_OK;
    /* store_run retries a bounded number of times; a transaction that still lost every race
     * says "retry", and this caller runs it again, as a request handler would answer 503. */
    for (int tries = 0; a->done < 25 && tries < 10000; tries++) {
        enum store_status st = store_run(a->s, STORE_WRITE, tx_increment, NULL);
        if (st == STORE_OK)
            a->done++;
        else if (st != STORE_RETRY) {
            a->st = st;
            return NULL;
        }
    }
    return NULL;
}

static void concurrent_read_then_write_transactions_lose_no_update(void **state)
{
    struct store *s = S(state);
    assert_int_equal(store_run(s, STORE_WRITE, tx_make_counter, NULL), STORE_OK);
    pthread_t t[4];
    struct increment_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct increment_arg){.s = s};
        assert_int_equal(pthread_create(&t[i], NULL, increment_many, &args[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(args[i].st, STORE_OK);
        total += args[i].done;
    }
    assert_int_equal(total, 100);
    assert_int_equal(count_rows(s, "SELECT n FROM counter"), 100);
}

struct thread_arg {
    struct store *s;
    int base;
    enum store_status st;
};

static void *insert_many(void *p)
{
    struct thread_arg *a = p;
    a->st = STORE_OK;
    for (int i = 0; i < 20 && a->st == STORE_OK; i++) {
        struct org_op op;
        char id[32];
        snprintf(id, sizeof id, "org-%d", a->base + i);
        make_org(&op.org, id, id, i);
        a->st = store_run(a->s, STORE_WRITE, tx_org_insert, &op);
    }
    return NULL;
}

static void threads_each_get_their_own_connection(void **state)
{
    struct store *s = S(state);
    pthread_t t[4];
    struct thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){.s = s, .base = i * 100, .st = STORE_ERROR};
        assert_int_equal(pthread_create(&t[i], NULL, insert_many, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        if (args[i].st != STORE_OK)
            fail_msg("thread %d: %s", i, store_status_name(args[i].st));
    }
    assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM organizations"), 80);
}

static void status_names_are_readable(void **state)
{
    (void)state;
    assert_string_equal(store_status_name(STORE_OK), "ok");
    assert_string_equal(store_status_name(STORE_NOT_FOUND), "not found");
    assert_string_equal(store_status_name(STORE_CONFLICT), "conflict");
    assert_string_equal(store_status_name(STORE_RETRY), "retry");
    assert_string_equal(store_status_name(STORE_ERROR), "error");
    assert_string_equal(store_status_name((enum store_status)42), "?");
}

/* ---- result rows (store/rows.c) ---- */

static void rows_keep_typed_cells_and_hand_over_text(void **state)
{
    (void)state;
    struct store_rows *r = store_rows_new(4);
    assert_non_null(r);
    for (int i = 0; i < 20; i++) {
        char text[16];
        snprintf(text, sizeof text, "%d", 100 + i);
        const char *tp = text;
        struct store_value cells[4] = {SQL_INT(i), SQL_TEXT(tp), SQL_NULL, SQL_BLOB("\0\1\2", 3)};
        assert_true(store_rows_add(r, cells));
    }
    assert_int_equal(store_rows_count(r), 20);
    assert_int_equal(store_rows_columns(r), 4);
    assert_int_equal(store_rows_int(r, 7, 0), 7);
    assert_string_equal(store_rows_text(r, 7, 0), "7");
    assert_string_equal(store_rows_text(r, 19, 1), "119");
    assert_int_equal(store_rows_int(r, 19, 1), 119);
    assert_true(store_rows_is_null(r, 3, 2));
    assert_string_equal(store_rows_text(r, 3, 2), "");
    assert_int_equal(store_rows_int(r, 3, 2), 0);
    size_t len = 0;
    const unsigned char *b = store_rows_blob(r, 5, 3, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(b, "\0\1\2", 3);
    /* Outside the result: NULL-like, never a crash. */
    assert_true(store_rows_is_null(r, 20, 0));
    assert_true(store_rows_is_null(r, 0, 4));
    assert_string_equal(store_rows_text(r, 20, 0), "");
    assert_null(store_rows_take_text(r, 0, 9));

    char *t = store_rows_take_text(r, 2, 1);
    assert_string_equal(t, "102");
    assert_true(store_rows_is_null(r, 2, 1));
    free(t);
    t = store_rows_take_text(r, 2, 0);
    assert_string_equal(t, "2");
    free(t);
    assert_null(store_rows_take_text(r, 2, 2));
    store_rows_free(r);
    store_rows_free(NULL);
    assert_int_equal(store_rows_count(NULL), 0);
}

/* ---- blobs ---- */

static void blob_path(struct fixture *f, const char *hash, char *out, size_t len)
{
    snprintf(out, len, "%s/blobs/%.2s/%s", f->dir, hash, hash + 2);
}

static void blob_put_then_get_returns_the_same_bytes(void **state)
{
    struct fixture *f = *state;
    static const char data[] = "%PDF-1.7\n\0binary\xff\xfe trailer";
    char hash[65];
    assert_int_equal(store_blob_put(f->store, data, sizeof data, hash), STORE_OK);
    char want[SHA256_HEX_LEN];
    crypto_sha256_hex(data, sizeof data, want);
    assert_string_equal(hash, want);
    char path[512];
    struct stat sb;
    blob_path(f, hash, path, sizeof path);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, sizeof data);

    unsigned char *got = NULL;
    size_t len = 0;
    assert_int_equal(store_blob_get(f->store, hash, &got, &len), STORE_OK);
    assert_int_equal(len, sizeof data);
    assert_memory_equal(got, data, len);
    free(got);
}

static void blob_put_is_idempotent(void **state)
{
    struct fixture *f = *state;
    char h1[65], h2[65];
    assert_int_equal(store_blob_put(f->store, "same", 4, h1), STORE_OK);
    assert_int_equal(store_blob_put(f->store, "same", 4, h2), STORE_OK);
    assert_string_equal(h1, h2);
    unsigned char *got = NULL;
    size_t len = 0;
    assert_int_equal(store_blob_get(f->store, h1, &got, &len), STORE_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(got, "same", 4);
    free(got);
}

static void empty_and_large_blobs_round_trip(void **state)
{
    struct fixture *f = *state;
    char hash[65];
    unsigned char *got = NULL;
    size_t len = 99;
    assert_int_equal(store_blob_put(f->store, "", 0, hash), STORE_OK);
    assert_string_equal(hash, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(store_blob_get(f->store, hash, &got, &len), STORE_OK);
    assert_int_equal(len, 0);
    free(got);

    size_t big_len = 3 * 1024 * 1024 + 17;
    unsigned char *big = malloc(big_len);
    assert_non_null(big);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (unsigned char)(i * 31 + (i >> 8));
    assert_int_equal(store_blob_put(f->store, big, big_len, hash), STORE_OK);
    assert_int_equal(store_blob_get(f->store, hash, &got, &len), STORE_OK);
    assert_int_equal(len, big_len);
    assert_memory_equal(got, big, big_len);
    free(got);
    free(big);
}

static void blob_get_of_unknown_hash_is_not_found(void **state)
{
    struct fixture *f = *state;
    char hash[SHA256_HEX_LEN];
    crypto_sha256_hex("never stored", 12, hash);
    unsigned char *got = NULL;
    size_t len = 0;
    assert_int_equal(store_blob_get(f->store, hash, &got, &len), STORE_NOT_FOUND);
    assert_null(got);
}

static void blob_get_of_an_invalid_hash_string_is_not_found(void **state)
{
    struct fixture *f = *state;
    char hash[65];
    assert_int_equal(store_blob_put(f->store, "content", 7, hash), STORE_OK);
    char upper[65];
    for (int i = 0; i < 65; i++)
        upper[i] = (char)(hash[i] >= 'a' && hash[i] <= 'f' ? hash[i] - 32 : hash[i]);
    const char *bad[] = {"", "abc", upper, "../../../../../../../../etc/passwd",
                         "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned char *got = NULL;
        size_t len = 0;
        if (store_blob_get(f->store, bad[i], &got, &len) != STORE_NOT_FOUND)
            fail_msg("'%s' was not reported as not found", bad[i]);
        assert_null(got);
    }
    char longer[70];
    snprintf(longer, sizeof longer, "%s00", hash);
    unsigned char *got = NULL;
    size_t len = 0;
    assert_int_equal(store_blob_get(f->store, longer, &got, &len), STORE_NOT_FOUND);
    assert_int_equal(store_blob_get(f->store, NULL, &got, &len), STORE_NOT_FOUND);
}

static void a_corrupted_blob_file_is_an_error(void **state)
{
    struct fixture *f = *state;
    char hash[65], path[512];
    assert_int_equal(store_blob_put(f->store, "original content", 16, hash), STORE_OK);
    blob_path(f, hash, path, sizeof path);
    int fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "tampered content", 16), 16);
    close(fd);
    unsigned char *got = NULL;
    size_t len = 0;
    assert_int_equal(store_blob_get(f->store, hash, &got, &len), STORE_ERROR);
    assert_null(got);
}

static void a_truncated_blob_file_is_an_error(void **state)
{
    struct fixture *f = *state;
    char hash[65], path[512];
    assert_int_equal(store_blob_put(f->store, "original content", 16, hash), STORE_OK);
    blob_path(f, hash, path, sizeof path);
    assert_int_equal(truncate(path, 0), 0);
    unsigned char *got = NULL;
    size_t len = 0;
    assert_int_equal(store_blob_get(f->store, hash, &got, &len), STORE_ERROR);
    assert_null(got);
}

/* ---- documents elsewhere: --documents DIR and --documents database ---- */

static void documents_in_another_directory(void **state)
{
    struct fixture *f = *state;
    char other[600], err[256] = "", hash[65], path[700];
    snprintf(other, sizeof other, "%s/shared/documents", f->dir);
    assert_int_equal(store_set_documents(f->store, other, err, sizeof err), STORE_OK);
    assert_int_equal(store_blob_put(f->store, "shared bytes", 12, hash), STORE_OK);
    snprintf(path, sizeof path, "%s/%.2s/%s", other, hash, hash + 2);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    blob_path(f, hash, path, sizeof path);
    assert_int_not_equal(stat(path, &sb), 0); /* not in DATA/blobs */
    unsigned char *got = NULL;
    size_t len = 0;
    assert_int_equal(store_blob_get(f->store, hash, &got, &len), STORE_OK);
    assert_memory_equal(got, "shared bytes", 12);
    free(got);
    /* A directory that cannot be made is refused with the reason. */
    assert_int_equal(store_set_documents(f->store, "/proc/signet-documents", err, sizeof err),
                     STORE_ERROR);
    assert_non_null(strstr(err, "/proc/signet-documents"));
}

static void documents_in_the_database_round_trip(void **state)
{
    struct fixture *f = *state;
    char err[256] = "";
    assert_int_equal(store_set_documents(f->store, "database", err, sizeof err), STORE_OK);
    static const char data[] = "%PDF-1.7\n\0binary\xff\xfe trailer";
    char hash[65], again[65], path[512];
    assert_int_equal(store_blob_put(f->store, data, sizeof data, hash), STORE_OK);
    assert_int_equal(store_blob_put(f->store, data, sizeof data, again), STORE_OK);
    assert_string_equal(hash, again);
    struct stat sb;
    blob_path(f, hash, path, sizeof path);
    assert_int_not_equal(stat(path, &sb), 0); /* no file */
    unsigned char *got = NULL;
    size_t len = 0;
    assert_int_equal(store_blob_get(f->store, hash, &got, &len), STORE_OK);
    assert_int_equal(len, sizeof data);
    assert_memory_equal(got, data, len);
    free(got);

    size_t big_len = 3 * 1024 * 1024 + 17;
    unsigned char *big = malloc(big_len);
    assert_non_null(big);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (unsigned char)(i * 31 + (i >> 8));
    assert_int_equal(store_blob_put(f->store, big, big_len, hash), STORE_OK);
    assert_int_equal(store_blob_get(f->store, hash, &got, &len), STORE_OK);
    assert_int_equal(len, big_len);
    assert_memory_equal(got, big, big_len);
    free(got);
    free(big);
    assert_int_equal(store_blob_put(f->store, "", 0, hash), STORE_OK);
    assert_int_equal(store_blob_get(f->store, hash, &got, &len), STORE_OK);
    assert_int_equal(len, 0);
    free(got);
    char unknown[65];
    crypto_sha256_hex("never stored", 12, unknown);
    got = NULL;
    assert_int_equal(store_blob_get(f->store, unknown, &got, &len), STORE_NOT_FOUND);
    assert_null(got);
}

static void blobs_are_deleted_only_after_their_grace(void **state)
{
    struct fixture *f = *state;
    char err[256] = "";
    for (int mode = 0; mode < 2; mode++) {
        if (mode == 1)
            assert_int_equal(store_set_documents(f->store, "database", err, sizeof err), STORE_OK);
        char hash[65];
        assert_int_equal(store_blob_put(f->store, "to be archived", 14, hash), STORE_OK);
        int64_t now = time_now_ms();
        /* Written just now: too recent for a cut-off an hour ago. */
        assert_int_equal(store_blob_delete(f->store, hash, now - 3600 * 1000), STORE_CONFLICT);
        assert_int_equal(store_blob_delete(f->store, hash, now + 60 * 1000), STORE_OK);
        unsigned char *got = NULL;
        size_t len = 0;
        assert_int_equal(store_blob_get(f->store, hash, &got, &len), STORE_NOT_FOUND);
        assert_int_equal(store_blob_delete(f->store, hash, now + 60 * 1000), STORE_NOT_FOUND);
    }
}

static enum store_status tamper_tx(struct store_tx *tx, void *cls)
{
    return sql_exec(tx, "UPDATE document_blobs SET data = $1 WHERE hash = $2",
                    (struct store_value[]){SQL_BLOB("tampered content", 16), SQL_TEXT(cls)}, 2,
                    NULL, NULL);
}

static void a_corrupted_database_blob_is_an_error(void **state)
{
    struct fixture *f = *state;
    char err[256] = "", hash[65];
    assert_int_equal(store_set_documents(f->store, "database", err, sizeof err), STORE_OK);
    assert_int_equal(store_blob_put(f->store, "original content", 16, hash), STORE_OK);
    assert_int_equal(store_run(f->store, STORE_WRITE, tamper_tx, hash), STORE_OK);
    unsigned char *got = NULL;
    size_t len = 0;
    assert_int_equal(store_blob_get(f->store, hash, &got, &len), STORE_ERROR);
    assert_null(got);
}

struct nested_op {
    struct store *store;
    enum store_status inner;
};

static enum store_status noop_tx(struct store_tx *tx, void *cls)
{
    (void)tx;
    (void)cls;
    return STORE_OK;
}

static enum store_status nesting_tx(struct store_tx *tx, void *cls)
{
    (void)tx;
    struct nested_op *op = cls;
    op->inner = store_run(op->store, STORE_WRITE, noop_tx, NULL);
    return STORE_OK;
}

static void a_transaction_inside_another_is_refused(void **state)
{
    struct fixture *f = *state;
    struct nested_op op = {.store = f->store};
    assert_int_equal(store_run(f->store, STORE_WRITE, nesting_tx, &op), STORE_OK);
    assert_int_equal(op.inner, STORE_ERROR);
    /* The thread's connection is usable again afterwards. */
    assert_int_equal(store_run(f->store, STORE_WRITE, noop_tx, NULL), STORE_OK);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    log_set_level(LOG_WARN); /* migrations log at info on every fresh store */
    const struct CMUnitTest tests[] = {
        T(open_creates_the_database_and_blob_directory),
        T(open_creates_missing_nested_data_directories),
        T(open_rejects_an_unknown_backend_with_a_message),
        T(open_fails_with_a_message_when_postgresql_is_unreachable),
        T(two_stores_migrating_one_database_at_once_both_succeed),
        T(open_fails_with_a_message_when_the_database_cannot_be_opened),
        T(migrate_twice_is_idempotent),
        T(a_second_store_on_the_same_directory_sees_the_same_data),
        T(org_insert_then_get_returns_every_field),
        T(org_get_of_unknown_id_is_not_found),
        T(org_insert_with_a_duplicate_id_is_a_conflict),
        T(org_insert_with_an_invalid_client_type_is_refused),
        T(org_list_returns_all_oldest_first),
        T(client_insert_then_get_returns_every_field),
        T(client_get_of_unknown_id_is_not_found),
        T(client_insert_with_a_duplicate_id_is_a_conflict),
        T(client_of_an_unknown_organization_is_refused),
        T(client_list_filters_by_organization),
        T(client_revoke_marks_once_then_conflicts),
        T(client_revoke_of_unknown_id_is_not_found),
        T(client_set_secret_replaces_the_hash_or_is_not_found),
        T(run_retries_a_function_that_asks_for_retry),
        T(run_gives_up_after_a_bounded_number_of_retries),
        T(run_rolls_back_when_the_function_fails),
        T(a_conflict_in_the_middle_undoes_the_whole_transaction),
        T(invalid_sql_is_a_hard_error),
        T(a_duplicate_insert_leaves_the_transaction_usable),
        T(concurrent_read_then_write_transactions_lose_no_update),
        T(threads_each_get_their_own_connection),
        cmocka_unit_test(status_names_are_readable),
        cmocka_unit_test(rows_keep_typed_cells_and_hand_over_text),
        T(blob_put_then_get_returns_the_same_bytes),
        T(blob_put_is_idempotent),
        T(empty_and_large_blobs_round_trip),
        T(blob_get_of_unknown_hash_is_not_found),
        T(blob_get_of_an_invalid_hash_string_is_not_found),
        T(a_corrupted_blob_file_is_an_error),
        T(a_truncated_blob_file_is_an_error),
        T(documents_in_another_directory),
        T(documents_in_the_database_round_trip),
        T(blobs_are_deleted_only_after_their_grace),
        T(a_corrupted_database_blob_is_an_error),
        T(a_transaction_inside_another_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
