/* Tests for src/store/srs.c (SRS registrations, migration 0020): a registration reads back
 * field for field and blob for blob, only in its organization (and by its secret columns); an
 * update applies only from the expected status (a concurrent change conflicts); the ACTIVE
 * lookup by mobile honours organization, jurisdiction, level and validity; audit counts; the
 * per-number code count; webhooks are claimed once, re-claimed after their lease, finished.
 * SQLite or PostgreSQL (test_store.h). */
#include "store/srs.h"

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
#define REG_1  "77777777-0000-4000-8000-000000000001"
#define LOOKUP "abababababababababababababababababababababababababababababababab"

static enum store_status tx_seed(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_org a = {.id = ORG_A, .name = "A", .client_type = "ORGANIZATION", .created_at = 1};
    struct store_org b = {.id = ORG_B, .name = "B", .client_type = "ORGANIZATION", .created_at = 1};
    enum store_status st = store_org_insert(tx, &a);
    return st == STORE_OK ? store_org_insert(tx, &b) : st;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256] = "";
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/signet_srs_test_XXXXXX");
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

static unsigned char key_bytes[60] = {0, 1, 2, 0xff, 0x80};

static void fill(struct store_srs_registration *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", REG_1);
    snprintf(r->organization_id, sizeof r->organization_id, "%s", ORG_A);
    snprintf(r->status, sizeof r->status, "%s", "OPEN");
    snprintf(r->jurisdiction, sizeof r->jurisdiction, "%s", "CH");
    snprintf(r->level, sizeof r->level, "%s", "QUALIFIED");
    snprintf(r->methods, sizeof r->methods, "%s", "[\"SRS_VIDEO\"]");
    snprintf(r->external_identifier, sizeof r->external_identifier, "%s", "crm-1");
    snprintf(r->webhook_url, sizeof r->webhook_url, "%s", "https://example.com/hook");
    snprintf(r->link_hash, sizeof r->link_hash, "%s",
             "1111111111111111111111111111111111111111111111111111111111111111");
    r->data_key_wrapped = (struct store_blob_field){key_bytes, sizeof key_bytes};
    r->link_expires_at = 5000;
    r->created_at = r->updated_at = 100;
}

struct op {
    const char *what, *org, *expected, *column, *value;
    struct store_srs_registration in, out;
    struct store_srs_registration *list;
    size_t n;
    int64_t count, now;
    struct store_srs_webhook w;
};

static enum store_status tx_op(struct store_tx *tx, void *cls)
{
    struct op *o = cls;
    if (!strcmp(o->what, "insert"))
        return store_srs_insert(tx, &o->in);
    if (!strcmp(o->what, "get")) {
        store_srs_registration_clear(&o->out);
        return store_srs_get(tx, o->org, REG_1, &o->out);
    }
    if (!strcmp(o->what, "get_by")) {
        store_srs_registration_clear(&o->out);
        return store_srs_get_by(tx, o->column, o->value, &o->out);
    }
    if (!strcmp(o->what, "list"))
        return store_srs_list(tx, o->org, 10, &o->list, &o->n);
    if (!strcmp(o->what, "update"))
        return store_srs_update(tx, &o->in, o->expected);
    if (!strcmp(o->what, "active")) {
        store_srs_registration_clear(&o->out);
        return store_srs_find_active(tx, o->org, LOOKUP, "CH", "QUALIFIED", o->now, &o->out);
    }
    if (!strcmp(o->what, "audit")) {
        enum store_status st = store_srs_audit_add(tx, ORG_A, REG_1, "IDENTITY_READ", "c", 1);
        return st == STORE_OK ? store_srs_audit_count(tx, ORG_A, REG_1, "IDENTITY_READ", &o->count)
                              : st;
    }
    if (!strcmp(o->what, "code"))
        return store_srs_code_send_add(tx, LOOKUP, o->now - 3600000, o->now, &o->count);
    if (!strcmp(o->what, "hook"))
        return store_srs_webhook_insert(tx, &o->w);
    if (!strcmp(o->what, "claim")) {
        free(o->w.body);
        o->w.body = NULL;
        return store_srs_webhook_claim(tx, o->now, o->now - 1000, &o->w);
    }
    if (!strcmp(o->what, "finish"))
        return store_srs_webhook_finish(tx, o->w.id, "SENT", o->now, NULL);
    return STORE_ERROR;
}

static enum store_status run(void **state, struct op *o, const char *what)
{
    o->what = what;
    return store_run(S(state), STORE_WRITE, tx_op, o);
}

static void reads_back_in_its_organization_only(void **state)
{
    struct op o = {.org = ORG_A};
    fill(&o.in);
    assert_int_equal(run(state, &o, "insert"), STORE_OK);
    assert_int_equal(run(state, &o, "insert"), STORE_CONFLICT);
    assert_int_equal(run(state, &o, "get"), STORE_OK);
    assert_string_equal(o.out.status, "OPEN");
    assert_string_equal(o.out.methods, "[\"SRS_VIDEO\"]");
    assert_string_equal(o.out.webhook_url, "https://example.com/hook");
    assert_int_equal(o.out.data_key_wrapped.len, sizeof key_bytes);
    assert_memory_equal(o.out.data_key_wrapped.data, key_bytes, sizeof key_bytes);
    assert_null(o.out.identity_sealed.data);
    assert_int_equal(o.out.link_expires_at, 5000);
    o.org = ORG_B;
    assert_int_equal(run(state, &o, "get"), STORE_NOT_FOUND);
    assert_int_equal(run(state, &o, "list"), STORE_OK);
    assert_int_equal(o.n, 0);
    free(o.list);
    o.org = ORG_A;
    assert_int_equal(run(state, &o, "list"), STORE_OK);
    assert_int_equal(o.n, 1);
    store_srs_registration_clear(&o.list[0]);
    free(o.list);
    o.column = "link_hash";
    o.value = o.in.link_hash;
    assert_int_equal(run(state, &o, "get_by"), STORE_OK);
    assert_string_equal(o.out.id, REG_1);
    o.column = "order_id";
    o.value = "nope";
    assert_int_equal(run(state, &o, "get_by"), STORE_NOT_FOUND);
    o.column = "status"; /* not a lookup column */
    assert_int_equal(run(state, &o, "get_by"), STORE_ERROR);
    store_srs_registration_clear(&o.out);
}

static void update_only_from_the_expected_status_and_active_lookup(void **state)
{
    struct op o = {.org = ORG_A};
    unsigned char sealed[3] = {9, 8, 7};
    fill(&o.in);
    assert_int_equal(run(state, &o, "insert"), STORE_OK);
    snprintf(o.in.status, sizeof o.in.status, "%s", "ACTIVE");
    snprintf(o.in.mobile_lookup, sizeof o.in.mobile_lookup, "%s", LOOKUP);
    snprintf(o.in.order_id, sizeof o.in.order_id, "%s", "order-1");
    o.in.identity_sealed = (struct store_blob_field){sealed, sizeof sealed};
    o.in.valid_until = 10000;
    o.in.identified_at = 200;
    o.expected = "IN_IDENTIFICATION"; /* it is OPEN: a concurrent change won */
    assert_int_equal(run(state, &o, "update"), STORE_CONFLICT);
    o.expected = "OPEN";
    assert_int_equal(run(state, &o, "update"), STORE_OK);
    assert_int_equal(run(state, &o, "get"), STORE_OK);
    assert_string_equal(o.out.status, "ACTIVE");
    assert_memory_equal(o.out.identity_sealed.data, sealed, sizeof sealed);
    o.column = "order_id";
    o.value = "order-1";
    assert_int_equal(run(state, &o, "get_by"), STORE_OK);

    o.now = 9999;
    assert_int_equal(run(state, &o, "active"), STORE_OK);
    assert_string_equal(o.out.id, REG_1);
    o.now = 10000; /* validity over */
    assert_int_equal(run(state, &o, "active"), STORE_NOT_FOUND);
    o.now = 100;
    o.org = ORG_B;
    assert_int_equal(run(state, &o, "active"), STORE_NOT_FOUND);
    store_srs_registration_clear(&o.out);

    assert_int_equal(run(state, &o, "audit"), STORE_OK);
    assert_int_equal(o.count, 1);
    assert_int_equal(run(state, &o, "audit"), STORE_OK);
    assert_int_equal(o.count, 2);
}

static void codes_are_counted_per_number_and_hour(void **state)
{
    struct op o = {.now = 10000000};
    for (int64_t i = 0; i < 3; i++) {
        assert_int_equal(run(state, &o, "code"), STORE_OK);
        assert_int_equal(o.count, i);
    }
    o.now += 3600000 + 1; /* an hour later the earlier ones no longer count */
    assert_int_equal(run(state, &o, "code"), STORE_OK);
    assert_int_equal(o.count, 0);
}

static void webhooks_are_claimed_once_and_again_after_the_lease(void **state)
{
    struct op o = {.org = ORG_A};
    fill(&o.in);
    assert_int_equal(run(state, &o, "insert"), STORE_OK);
    o.w = (struct store_srs_webhook){.id = "88888888-0000-4000-8000-000000000001",
                                     .organization_id = ORG_A,
                                     .registration_id = REG_1,
                                     .url = "https://example.com/hook",
                                     .body = "{\"status\":\"OPEN\"}",
                                     .next_attempt_at = 100,
                                     .created_at = 100};
    assert_int_equal(run(state, &o, "hook"), STORE_OK);
    o.w.body = NULL;
    o.now = 99;
    assert_int_equal(run(state, &o, "claim"), STORE_NOT_FOUND); /* not due */
    o.now = 100;
    assert_int_equal(run(state, &o, "claim"), STORE_OK);
    assert_string_equal(o.w.body, "{\"status\":\"OPEN\"}");
    assert_int_equal(o.w.attempts, 1);
    o.now = 500; /* claimed at 100, lease 1000: still held */
    assert_int_equal(run(state, &o, "claim"), STORE_NOT_FOUND);
    o.now = 1200; /* the lease is over: a crashed sender's webhook is taken again */
    assert_int_equal(run(state, &o, "claim"), STORE_OK);
    assert_int_equal(o.w.attempts, 2);
    assert_int_equal(run(state, &o, "finish"), STORE_OK);
    o.now = 100000;
    assert_int_equal(run(state, &o, "claim"), STORE_NOT_FOUND); /* SENT */
    free(o.w.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reads_back_in_its_organization_only, setup, teardown),
        cmocka_unit_test_setup_teardown(update_only_from_the_expected_status_and_active_lookup,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(codes_are_counted_per_number_and_hour, setup, teardown),
        cmocka_unit_test_setup_teardown(webhooks_are_claimed_once_and_again_after_the_lease, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
