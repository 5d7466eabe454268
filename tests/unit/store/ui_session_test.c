/* Tests for src/store/ui_session.c (signer pages, migration 0014): links found by token hash,
 * an Open Request code redeemed once and only for its participant while valid, sessions,
 * session codes (newest, attempts, used once, counted), one view per session and document,
 * and a decline that only a PENDING signer can make. SQLite or PostgreSQL (test_store.h). */
#include "store/ui_session.h"

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

#define ORG_A   "aaaaaaaa-0000-4000-8000-000000000001"
#define ORG_B   "aaaaaaaa-0000-4000-8000-000000000002"
#define PROC_1  "11111111-0000-4000-8000-000000000001"
#define INIT    "22222222-0000-4000-8000-000000000001"
#define SIGNER1 "22222222-0000-4000-8000-000000000002"
#define SIGNER2 "22222222-0000-4000-8000-000000000003"
#define SESS_1  "33333333-0000-4000-8000-000000000001"
#define HASH(c)                                                                                    \
    c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c  \
        c c c c c c c c c c c c c c c c c

static enum store_status tx_seed(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_org a = {.id = ORG_A, .name = "A", .client_type = "ORGANIZATION", .created_at = 1};
    struct store_org b = {.id = ORG_B, .name = "B", .client_type = "ORGANIZATION", .created_at = 1};
    enum store_status st = store_org_insert(tx, &a);
    if (st == STORE_OK)
        st = store_org_insert(tx, &b);
    if (st != STORE_OK)
        return st;
    struct store_participant parts[3] = {
        {.id = INIT, .type = "NON_PERSON", .name = "ERP", .resident_permit = -1},
        {.id = SIGNER1,
         .position = 1,
         .type = "SIGNER",
         .first_name = "Anna",
         .last_name = "Muster",
         .status = "PENDING",
         .resident_permit = -1},
        {.id = SIGNER2,
         .position = 2,
         .type = "SIGNER",
         .first_name = "Beat",
         .last_name = "Beispiel",
         .status = "SIGNED",
         .resident_permit = -1},
    };
    struct store_process p = {.id = PROC_1,
                              .organization_id = ORG_A,
                              .client_id = "c",
                              .status = "PENDING",
                              .signature_level = "SIMPLE",
                              .authorization = "CODE",
                              .valid_until = 1000000,
                              .created_at = 1,
                              .last_modified_at = 1,
                              .participants = parts,
                              .n_participants = 3};
    st = store_process_insert(tx, &p);
    if (st != STORE_OK)
        return st;
    struct store_participant_link l = {.id = "44444444-0000-4000-8000-000000000001",
                                       .organization_id = ORG_A,
                                       .process_id = PROC_1,
                                       .participant_id = SIGNER1,
                                       .token_salt = "00",
                                       .token_hash = HASH("a"),
                                       .created_at = 1,
                                       .updated_at = 1};
    st = store_participant_link_insert(tx, &l);
    if (st != STORE_OK)
        return st;
    struct store_open_code c = {.id = "55555555-0000-4000-8000-000000000001",
                                .organization_id = ORG_A,
                                .process_id = PROC_1,
                                .participant_id = SIGNER1,
                                .code_hash = HASH("c"),
                                .created_at = 100,
                                .expires_at = 130};
    st = store_open_code_insert(tx, &c);
    if (st != STORE_OK)
        return st;
    struct store_ui_session s = {.id = SESS_1,
                                 .session_hash = HASH("s"),
                                 .organization_id = ORG_A,
                                 .process_id = PROC_1,
                                 .participant_id = SIGNER1,
                                 .link_kind = "SIGN",
                                 .link_id = "44444444-0000-4000-8000-000000000001",
                                 .mode = "DEFAULT",
                                 .created_at = 100,
                                 .expires_at = 5000};
    return store_ui_session_insert(tx, &s);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256] = "";
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/signet_ui_session_test_XXXXXX");
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

/* One operation per transaction, chosen by name. */
struct op {
    const char *what;
    const char *org, *hash, *participant, *id, *reason;
    int64_t now, n;
    struct store_participant_link link;
    struct store_ui_session sess;
    struct store_ui_code code;
};

static enum store_status op_tx(struct store_tx *tx, void *cls)
{
    struct op *o = cls;
    if (!strcmp(o->what, "link"))
        return store_participant_link_find(tx, o->hash, &o->link);
    if (!strcmp(o->what, "redeem"))
        return store_open_code_redeem(tx, o->org, PROC_1, o->participant, o->hash, o->now);
    if (!strcmp(o->what, "session"))
        return store_ui_session_find(tx, o->hash, &o->sess);
    if (!strcmp(o->what, "authorize"))
        return store_ui_session_authorize(tx, o->org, SESS_1, o->now, "CODE");
    if (!strcmp(o->what, "code_insert"))
        return store_ui_code_insert(tx, &o->code);
    if (!strcmp(o->what, "code_latest"))
        return store_ui_code_latest(tx, o->org, SESS_1, "AUTHORIZE", &o->code);
    if (!strcmp(o->what, "code_attempt"))
        return store_ui_code_add_attempt(tx, o->org, o->id);
    if (!strcmp(o->what, "code_use"))
        return store_ui_code_use(tx, o->org, o->id, o->now);
    if (!strcmp(o->what, "code_count"))
        return store_ui_code_count_since(tx, o->org, PROC_1, SIGNER1, "AUTHORIZE", o->now, &o->n);
    if (!strcmp(o->what, "view"))
        return store_ui_view_mark(tx, o->org, SESS_1, o->id, o->now);
    if (!strcmp(o->what, "decline"))
        return store_participant_decline(tx, o->org, PROC_1, o->participant, o->now, o->reason);
    return STORE_ERROR;
}

static enum store_status run(void **state, struct op *o)
{
    return store_run(S(state), STORE_WRITE, op_tx, o);
}

static void link_is_found_by_its_token_hash_only(void **state)
{
    struct op o = {.what = "link", .hash = HASH("a")};
    assert_int_equal(run(state, &o), STORE_OK);
    assert_string_equal(o.link.participant_id, SIGNER1);
    assert_string_equal(o.link.organization_id, ORG_A);
    o.hash = HASH("b");
    assert_int_equal(run(state, &o), STORE_NOT_FOUND);
}

static void open_code_is_redeemed_once_for_its_participant_while_valid(void **state)
{
    struct op o = {
        .what = "redeem", .org = ORG_A, .hash = HASH("c"), .participant = SIGNER2, .now = 110};
    assert_int_equal(run(state, &o), STORE_NOT_FOUND); /* another participant */
    o.participant = SIGNER1;
    o.org = ORG_B;
    assert_int_equal(run(state, &o), STORE_NOT_FOUND); /* another organization */
    o.org = ORG_A;
    o.now = 130;
    assert_int_equal(run(state, &o), STORE_NOT_FOUND); /* expired */
    o.now = 129;
    assert_int_equal(run(state, &o), STORE_OK);
    assert_int_equal(run(state, &o), STORE_NOT_FOUND); /* once */
}

static void session_is_found_and_authorized(void **state)
{
    struct op o = {.what = "session", .hash = HASH("s")};
    assert_int_equal(run(state, &o), STORE_OK);
    assert_string_equal(o.sess.participant_id, SIGNER1);
    assert_int_equal(o.sess.authorized_at, 0);
    assert_string_equal(o.sess.authorized_by, "");
    struct op a = {.what = "authorize", .org = ORG_B, .now = 200};
    assert_int_equal(run(state, &a), STORE_NOT_FOUND);
    a.org = ORG_A;
    assert_int_equal(run(state, &a), STORE_OK);
    assert_int_equal(run(state, &o), STORE_OK);
    assert_int_equal(o.sess.authorized_at, 200);
    assert_string_equal(o.sess.authorized_by, "CODE");
}

static void insert_code(void **state, const char *id, int64_t created)
{
    struct op o = {.what = "code_insert"};
    struct store_ui_code *c = &o.code;
    snprintf(c->id, sizeof c->id, "%s", id);
    snprintf(c->organization_id, sizeof c->organization_id, "%s", ORG_A);
    snprintf(c->process_id, sizeof c->process_id, "%s", PROC_1);
    snprintf(c->participant_id, sizeof c->participant_id, "%s", SIGNER1);
    snprintf(c->session_id, sizeof c->session_id, "%s", SESS_1);
    snprintf(c->purpose, sizeof c->purpose, "AUTHORIZE");
    snprintf(c->channel, sizeof c->channel, "SMS");
    snprintf(c->code_hash, sizeof c->code_hash, "%s", HASH("d"));
    c->created_at = created;
    c->expires_at = created + 600000;
    assert_int_equal(run(state, &o), STORE_OK);
}

static void codes_newest_attempts_use_and_count(void **state)
{
    struct op o = {.what = "code_latest", .org = ORG_A};
    assert_int_equal(run(state, &o), STORE_NOT_FOUND);
    insert_code(state, "66666666-0000-4000-8000-000000000001", 1000);
    insert_code(state, "66666666-0000-4000-8000-000000000002", 2000);
    assert_int_equal(run(state, &o), STORE_OK);
    assert_string_equal(o.code.id, "66666666-0000-4000-8000-000000000002");
    assert_int_equal(o.code.attempts, 0);
    assert_int_equal(o.code.used_at, 0);
    o.org = ORG_B;
    assert_int_equal(run(state, &o), STORE_NOT_FOUND);

    struct op at = {
        .what = "code_attempt", .org = ORG_A, .id = "66666666-0000-4000-8000-000000000002"};
    assert_int_equal(run(state, &at), STORE_OK);
    assert_int_equal(run(state, &at), STORE_OK);
    struct op use = {.what = "code_use",
                     .org = ORG_A,
                     .id = "66666666-0000-4000-8000-000000000002",
                     .now = 2500};
    assert_int_equal(run(state, &use), STORE_OK);
    assert_int_equal(run(state, &use), STORE_CONFLICT); /* used once */
    o.org = ORG_A;
    assert_int_equal(run(state, &o), STORE_OK);
    assert_int_equal(o.code.attempts, 2);
    assert_int_equal(o.code.used_at, 2500);

    struct op count = {.what = "code_count", .org = ORG_A, .now = 1000};
    assert_int_equal(run(state, &count), STORE_OK);
    assert_int_equal(count.n, 2);
    count.now = 1001;
    assert_int_equal(run(state, &count), STORE_OK);
    assert_int_equal(count.n, 1);
}

static void a_view_is_marked_once_per_document(void **state)
{
    struct op o = {.what = "view", .org = ORG_A, .id = "doc-1", .now = 10};
    assert_int_equal(run(state, &o), STORE_OK);
    assert_int_equal(run(state, &o), STORE_CONFLICT);
    o.id = "doc-2";
    assert_int_equal(run(state, &o), STORE_OK);
}

static void only_a_pending_signer_declines(void **state)
{
    struct op o = {
        .what = "decline", .org = ORG_A, .participant = SIGNER2, .now = 10, .reason = "no"};
    assert_int_equal(run(state, &o), STORE_CONFLICT); /* signed already */
    o.participant = INIT;
    assert_int_equal(run(state, &o), STORE_CONFLICT); /* not a signer */
    o.participant = SIGNER1;
    o.org = ORG_B;
    assert_int_equal(run(state, &o), STORE_CONFLICT); /* another organization's */
    o.org = ORG_A;
    assert_int_equal(run(state, &o), STORE_OK);
    assert_int_equal(run(state, &o), STORE_CONFLICT); /* once */
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(link_is_found_by_its_token_hash_only),
        T(open_code_is_redeemed_once_for_its_participant_while_valid),
        T(session_is_found_and_authorized),
        T(codes_newest_attempts_use_and_count),
        T(a_view_is_marked_once_per_document),
        T(only_a_pending_signer_declines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
