/* Tests for src/store/account.c (person accounts, migration 0021): an e-mail has one account;
 * e-mail and mobile are verified only for the value they were sent to (a new number is not
 * verified); sessions are found by their hash, end once, and a password change ends the
 * others; verifications: newest per purpose, counted per hour, used once, attempts counted.
 * SQLite or PostgreSQL (test_store.h). */
#include "store/account.h"

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

#define ACC_1 "aaaaaaaa-0000-4000-8000-0000000000a1"
#define ACC_2 "aaaaaaaa-0000-4000-8000-0000000000a2"
#define HASH(c)                                                                                    \
    c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c  \
        c c c c c c c c c c c c c c c c c

static enum store_status tx_seed(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_account a = {.id = ACC_1,
                              .email = "anna@example.com",
                              .password_hash = "scrypt$2$1$1$00$00",
                              .created_at = 10};
    return store_account_insert(tx, &a);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256] = "";
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/signet_account_test_XXXXXX");
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

/* ---- accounts ---- */

static enum store_status tx_accounts(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_account dup = {
        .id = ACC_2, .email = "anna@example.com", .password_hash = "x", .created_at = 11};
    assert_int_equal(store_account_insert(tx, &dup), STORE_CONFLICT);
    return STORE_OK;
}

static enum store_status tx_verify(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_account a;
    assert_int_equal(store_account_find_by_email(tx, "anna@example.com", &a), STORE_OK);
    assert_string_equal(a.id, ACC_1);
    assert_int_equal(a.email_verified_at, 0);
    assert_string_equal(a.mobile, "");
    assert_int_equal(store_account_find_by_email(tx, "beat@example.com", &a), STORE_NOT_FOUND);
    /* Verified only for the address the link was sent to. */
    assert_int_equal(store_account_verify_email(tx, ACC_1, "other@example.com", 20),
                     STORE_NOT_FOUND);
    assert_int_equal(store_account_verify_email(tx, ACC_1, "anna@example.com", 20), STORE_OK);
    assert_int_equal(store_account_set_mobile(tx, ACC_1, "+41791234567"), STORE_OK);
    assert_int_equal(store_account_verify_mobile(tx, ACC_1, "+41790000000", 30), STORE_NOT_FOUND);
    assert_int_equal(store_account_verify_mobile(tx, ACC_1, "+41791234567", 30), STORE_OK);
    assert_int_equal(store_account_get(tx, ACC_1, &a), STORE_OK);
    assert_int_equal(a.email_verified_at, 20);
    assert_string_equal(a.mobile, "+41791234567");
    assert_int_equal(a.mobile_verified_at, 30);
    /* A new number is not verified. */
    assert_int_equal(store_account_set_mobile(tx, ACC_1, "+41790000000"), STORE_OK);
    assert_int_equal(store_account_get(tx, ACC_1, &a), STORE_OK);
    assert_int_equal(a.mobile_verified_at, 0);
    assert_int_equal(store_account_set_password(tx, ACC_1, "scrypt$new"), STORE_OK);
    assert_int_equal(store_account_get(tx, ACC_1, &a), STORE_OK);
    assert_string_equal(a.password_hash, "scrypt$new");
    assert_int_equal(store_account_get(tx, ACC_2, &a), STORE_NOT_FOUND);
    return STORE_OK;
}

static void one_account_per_email_verified_only_for_the_value_sent_to(void **state)
{
    assert_int_equal(store_run(S(state), STORE_WRITE, tx_accounts, NULL), STORE_OK);
    assert_int_equal(store_run(S(state), STORE_WRITE, tx_verify, NULL), STORE_OK);
}

/* ---- sessions ---- */

static enum store_status tx_sessions(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_account_session a = {.id = "bbbbbbbb-0000-4000-8000-000000000001",
                                      .session_hash = HASH("1"),
                                      .account_id = ACC_1,
                                      .created_at = 100,
                                      .last_seen_at = 100,
                                      .expires_at = 900};
    struct store_account_session b = a;
    snprintf(b.id, sizeof b.id, "bbbbbbbb-0000-4000-8000-000000000002");
    snprintf(b.session_hash, sizeof b.session_hash, "%s", HASH("2"));
    assert_int_equal(store_account_session_insert(tx, &a), STORE_OK);
    assert_int_equal(store_account_session_insert(tx, &b), STORE_OK);
    struct store_account_session got;
    assert_int_equal(store_account_session_find(tx, HASH("3"), &got), STORE_NOT_FOUND);
    assert_int_equal(store_account_session_find(tx, HASH("1"), &got), STORE_OK);
    assert_string_equal(got.account_id, ACC_1);
    assert_int_equal(got.expires_at, 900);
    assert_int_equal(got.ended_at, 0);
    assert_int_equal(store_account_session_touch(tx, a.id, 150), STORE_OK);
    assert_int_equal(store_account_session_end(tx, a.id, 200), STORE_OK);
    assert_int_equal(store_account_session_end(tx, a.id, 210), STORE_NOT_FOUND); /* once */
    assert_int_equal(store_account_session_find(tx, HASH("1"), &got), STORE_OK);
    assert_int_equal(got.last_seen_at, 150);
    assert_int_equal(got.ended_at, 200);
    /* A password change in session a ends the others (b), not a's own end time. */
    assert_int_equal(store_account_session_end_others(tx, ACC_1, a.id, 300), STORE_OK);
    assert_int_equal(store_account_session_find(tx, HASH("2"), &got), STORE_OK);
    assert_int_equal(got.ended_at, 300);
    assert_int_equal(store_account_session_find(tx, HASH("1"), &got), STORE_OK);
    assert_int_equal(got.ended_at, 200);
    return STORE_OK;
}

static void sessions_are_found_by_hash_and_end_once(void **state)
{
    assert_int_equal(store_run(S(state), STORE_WRITE, tx_sessions, NULL), STORE_OK);
}

/* ---- verifications ---- */

static enum store_status tx_verifications(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_account_verification v = {.id = "cccccccc-0000-4000-8000-000000000001",
                                           .account_id = ACC_1,
                                           .purpose = "MOBILE",
                                           .target = "+41791234567",
                                           .secret_hash = HASH("a"),
                                           .created_at = 100,
                                           .expires_at = 700};
    struct store_account_verification w = v;
    snprintf(w.id, sizeof w.id, "cccccccc-0000-4000-8000-000000000002");
    snprintf(w.secret_hash, sizeof w.secret_hash, "%s", HASH("b"));
    w.created_at = 200;
    struct store_account_verification e = v;
    snprintf(e.id, sizeof e.id, "cccccccc-0000-4000-8000-000000000003");
    snprintf(e.purpose, sizeof e.purpose, "EMAIL");
    snprintf(e.secret_hash, sizeof e.secret_hash, "%s", HASH("c"));
    e.created_at = 300;
    assert_int_equal(store_account_verification_insert(tx, &v), STORE_OK);
    assert_int_equal(store_account_verification_insert(tx, &w), STORE_OK);
    assert_int_equal(store_account_verification_insert(tx, &e), STORE_OK);
    struct store_account_verification got;
    assert_int_equal(store_account_verification_newest(tx, ACC_1, "MOBILE", &got), STORE_OK);
    assert_string_equal(got.id, w.id);
    assert_string_equal(got.target, "+41791234567");
    assert_int_equal(store_account_verification_newest(tx, ACC_2, "MOBILE", &got), STORE_NOT_FOUND);
    int64_t n = 0;
    assert_int_equal(store_account_verification_count(tx, ACC_1, "MOBILE", 150, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_account_verification_count(tx, ACC_1, "MOBILE", 0, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(store_account_verification_find(tx, HASH("c"), &got), STORE_OK);
    assert_string_equal(got.purpose, "EMAIL");
    assert_int_equal(store_account_verification_find(tx, HASH("d"), &got), STORE_NOT_FOUND);
    assert_int_equal(store_account_verification_fail(tx, w.id), STORE_OK);
    assert_int_equal(store_account_verification_fail(tx, w.id), STORE_OK);
    assert_int_equal(store_account_verification_use(tx, w.id, 250), STORE_OK);
    assert_int_equal(store_account_verification_use(tx, w.id, 260), STORE_CONFLICT); /* once */
    assert_int_equal(store_account_verification_newest(tx, ACC_1, "MOBILE", &got), STORE_OK);
    assert_int_equal(got.attempts, 2);
    assert_int_equal(got.used_at, 250);
    return STORE_OK;
}

static void verifications_newest_counted_and_used_once(void **state)
{
    assert_int_equal(store_run(S(state), STORE_WRITE, tx_verifications, NULL), STORE_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(one_account_per_email_verified_only_for_the_value_sent_to,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(sessions_are_found_by_hash_and_end_once, setup, teardown),
        cmocka_unit_test_setup_teardown(verifications_newest_counted_and_used_once, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
