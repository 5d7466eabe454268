/* Tests for src/store/passkey.c (PASSKEY, migration 0017): one credential per participant,
 * read back byte for byte and only in its organization; the counter moves only from the value
 * read (a concurrent use conflicts); a session's challenge per purpose replaces the previous
 * one and is taken once. SQLite or PostgreSQL (test_store.h). */
#include "store/passkey.h"

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
    snprintf(f->dir, sizeof f->dir, "/tmp/signet_passkey_test_XXXXXX");
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

#define CRED_1 "66666666-0000-4000-8000-000000000001"

struct op {
    const char *what;
    const char *org, *participant, *purpose;
    int64_t old_count, new_count;
    struct store_passkey cred;
    struct store_passkey_challenge ch;
};

static enum store_status op_tx(struct store_tx *tx, void *cls)
{
    struct op *o = cls;
    if (!strcmp(o->what, "insert"))
        return store_passkey_insert(tx, &o->cred);
    if (!strcmp(o->what, "get"))
        return store_passkey_get(tx, o->org, o->participant, &o->cred);
    if (!strcmp(o->what, "use"))
        return store_passkey_use(tx, o->org, CRED_1, o->old_count, o->new_count, 777);
    if (!strcmp(o->what, "put"))
        return store_passkey_challenge_put(tx, o->org, SESS_1, o->purpose, &o->ch);
    if (!strcmp(o->what, "take"))
        return store_passkey_challenge_take(tx, o->org, SESS_1, o->purpose, &o->ch);
    return STORE_ERROR;
}

static enum store_status run(void **state, struct op *o)
{
    return store_run(S(state), STORE_WRITE, op_tx, o);
}

static void credential(struct store_passkey *c, const char *id, const char *participant)
{
    memset(c, 0, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", id);
    snprintf(c->organization_id, sizeof c->organization_id, ORG_A);
    snprintf(c->process_id, sizeof c->process_id, PROC_1);
    snprintf(c->participant_id, sizeof c->participant_id, "%s", participant);
    c->credential_id_len = 300;
    for (size_t i = 0; i < c->credential_id_len; i++)
        c->credential_id[i] = (unsigned char)i; /* includes 0 bytes */
    c->public_key_len = 91;
    for (size_t i = 0; i < c->public_key_len; i++)
        c->public_key[i] = (unsigned char)(255 - i);
    c->alg = -7;
    c->sign_count = 5;
    memset(c->user_handle, 0xab, sizeof c->user_handle);
    c->created_at = 100;
}

static void one_credential_per_participant_read_back_in_its_org(void **state)
{
    struct op o = {.what = "insert"};
    credential(&o.cred, CRED_1, SIGNER1);
    struct store_passkey want = o.cred;
    assert_int_equal(run(state, &o), STORE_OK);
    credential(&o.cred, "66666666-0000-4000-8000-000000000002", SIGNER1);
    assert_int_equal(run(state, &o), STORE_CONFLICT);

    struct op g = {.what = "get", .org = ORG_A, .participant = SIGNER1};
    assert_int_equal(run(state, &g), STORE_OK);
    assert_string_equal(g.cred.id, CRED_1);
    assert_int_equal(g.cred.credential_id_len, want.credential_id_len);
    assert_memory_equal(g.cred.credential_id, want.credential_id, want.credential_id_len);
    assert_int_equal(g.cred.public_key_len, want.public_key_len);
    assert_memory_equal(g.cred.public_key, want.public_key, want.public_key_len);
    assert_memory_equal(g.cred.user_handle, want.user_handle, sizeof want.user_handle);
    assert_int_equal(g.cred.alg, -7);
    assert_int_equal(g.cred.sign_count, 5);
    assert_int_equal(g.cred.last_used_at, 0);

    struct op other = {.what = "get", .org = ORG_B, .participant = SIGNER1};
    assert_int_equal(run(state, &other), STORE_NOT_FOUND);
    struct op none = {.what = "get", .org = ORG_A, .participant = SIGNER2};
    assert_int_equal(run(state, &none), STORE_NOT_FOUND);
}

static void counter_moves_only_from_the_value_read(void **state)
{
    struct op o = {.what = "insert"};
    credential(&o.cred, CRED_1, SIGNER1);
    assert_int_equal(run(state, &o), STORE_OK);
    struct op u = {.what = "use", .org = ORG_A, .old_count = 5, .new_count = 6};
    assert_int_equal(run(state, &u), STORE_OK);
    assert_int_equal(run(state, &u), STORE_CONFLICT); /* stored is 6 now, not 5 */
    struct op foreign = {.what = "use", .org = ORG_B, .old_count = 6, .new_count = 7};
    assert_int_equal(run(state, &foreign), STORE_CONFLICT);
    struct op g = {.what = "get", .org = ORG_A, .participant = SIGNER1};
    assert_int_equal(run(state, &g), STORE_OK);
    assert_int_equal(g.cred.sign_count, 6);
    assert_int_equal(g.cred.last_used_at, 777);
}

static void challenge_is_replaced_and_taken_once(void **state)
{
    struct op p = {.what = "put", .org = ORG_A, .purpose = "SIGN"};
    memset(p.ch.challenge_hash, 1, sizeof p.ch.challenge_hash);
    p.ch.expires_at = 1000;
    assert_int_equal(run(state, &p), STORE_OK);
    memset(p.ch.challenge_hash, 2, sizeof p.ch.challenge_hash); /* a newer one replaces it */
    memset(p.ch.user_handle, 3, sizeof p.ch.user_handle);
    p.ch.expires_at = 2000;
    assert_int_equal(run(state, &p), STORE_OK);
    struct op r = {.what = "put", .org = ORG_A, .purpose = "REGISTER"};
    memset(r.ch.challenge_hash, 9, sizeof r.ch.challenge_hash);
    assert_int_equal(run(state, &r), STORE_OK);

    struct op foreign = {.what = "take", .org = ORG_B, .purpose = "SIGN"};
    assert_int_equal(run(state, &foreign), STORE_NOT_FOUND);
    struct op t = {.what = "take", .org = ORG_A, .purpose = "SIGN"};
    assert_int_equal(run(state, &t), STORE_OK);
    unsigned char two[32];
    memset(two, 2, sizeof two);
    assert_memory_equal(t.ch.challenge_hash, two, sizeof two);
    assert_int_equal(t.ch.user_handle[0], 3);
    assert_int_equal(t.ch.expires_at, 2000);
    assert_int_equal(run(state, &t), STORE_NOT_FOUND); /* used once */
    struct op tr = {.what = "take", .org = ORG_A, .purpose = "REGISTER"};
    assert_int_equal(run(state, &tr), STORE_OK); /* the other purpose is its own */
    assert_int_equal(tr.ch.challenge_hash[0], 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(one_credential_per_participant_read_back_in_its_org, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(counter_moves_only_from_the_value_read, setup, teardown),
        cmocka_unit_test_setup_teardown(challenge_is_replaced_and_taken_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
