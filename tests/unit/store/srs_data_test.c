/* Tests for src/store/srs_data.c (retention, export and deletion of SRS personal data,
 * migration 0026): the retention job's candidates (identified ones created before the cutoff,
 * unfinished ones only once final or past their link, in (created_at, id) order after a
 * cursor, never one whose data ended); the destruction of a registration's data (once, only
 * in its organization, leaving an empty data key and no sealed data, mobile lookup or external
 * identifier); one person's registrations by mobile lookup; a registration's organization; a
 * registration's audit trail.
 * SQLite or PostgreSQL (test_store.h). */
#include "store/srs.h"
#include "store/srs_data.h"

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
#define REG_2  "77777777-0000-4000-8000-000000000002"
#define REG_3  "77777777-0000-4000-8000-000000000003"
#define LOOKUP "abababababababababababababababababababababababababababababababab"
#define OTHER  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"

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
    snprintf(f->dir, sizeof f->dir, "/tmp/signet_srs_data_test_XXXXXX");
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
static unsigned char sealed[3] = {9, 8, 7};

/* A registration of org, created at created; identified (with lookup) when lookup is set. */
struct seed {
    const char *id, *org, *status, *lookup;
    int64_t created, link_expires;
};

static enum store_status tx_insert(struct store_tx *tx, void *cls)
{
    const struct seed *s = cls;
    struct store_srs_registration r;
    memset(&r, 0, sizeof r);
    snprintf(r.id, sizeof r.id, "%s", s->id);
    snprintf(r.organization_id, sizeof r.organization_id, "%s", s->org);
    snprintf(r.status, sizeof r.status, "%s", "OPEN");
    snprintf(r.jurisdiction, sizeof r.jurisdiction, "%s", "CH");
    snprintf(r.level, sizeof r.level, "%s", "QUALIFIED");
    snprintf(r.methods, sizeof r.methods, "%s", "[\"SRS_VIDEO\"]");
    snprintf(r.external_identifier, sizeof r.external_identifier, "crm-%s", s->id);
    snprintf(r.link_hash, sizeof r.link_hash, "%.60s%s", LOOKUP, s->id + 32);
    r.data_key_wrapped = (struct store_blob_field){key_bytes, sizeof key_bytes};
    r.prefill_sealed = (struct store_blob_field){sealed, sizeof sealed};
    r.link_expires_at = s->link_expires;
    r.created_at = r.updated_at = s->created;
    enum store_status st = store_srs_insert(tx, &r);
    if (st != STORE_OK || !s->lookup)
        return st;
    snprintf(r.status, sizeof r.status, "%s", s->status);
    snprintf(r.mobile_lookup, sizeof r.mobile_lookup, "%s", s->lookup);
    r.identity_sealed = (struct store_blob_field){sealed, sizeof sealed};
    r.evidence_sealed = (struct store_blob_field){sealed, sizeof sealed};
    r.identified_at = s->created + 10;
    r.valid_until = s->created + 1000;
    r.revoked_at = !strcmp(s->status, "REVOKED") ? s->created + 20 : 0;
    return store_srs_update(tx, &r, "OPEN");
}

static void seed(void **state, const char *id, const char *org, const char *status,
                 const char *lookup, int64_t created, int64_t link_expires)
{
    struct seed s = {id, org, status, lookup, created, link_expires};
    assert_int_equal(store_run(S(state), STORE_WRITE, tx_insert, &s), STORE_OK);
}

struct op {
    const char *what, *org, *id, *after_id;
    int64_t before, as_of, after_created;
    struct store_srs_lifecycle l, *list;
    struct store_srs_audit_entry *audit;
    struct store_srs_registration r;
    size_t n;
    char owner[64];
};

static enum store_status tx_op(struct store_tx *tx, void *cls)
{
    struct op *o = cls;
    if (!strcmp(o->what, "next"))
        return store_srs_retention_next(tx, "CH", o->before, o->as_of, o->after_created,
                                        o->after_id, &o->l);
    if (!strcmp(o->what, "get"))
        return store_srs_lifecycle_get(tx, o->org, o->id, &o->l);
    if (!strcmp(o->what, "full")) {
        store_srs_registration_clear(&o->r);
        return store_srs_get(tx, o->org, o->id, &o->r);
    }
    if (!strcmp(o->what, "destroy"))
        return store_srs_data_destroy(tx, o->org, o->id, "REQUEST", 777);
    if (!strcmp(o->what, "owner"))
        return store_srs_owner(tx, o->id, o->owner);
    if (!strcmp(o->what, "person")) {
        free(o->list);
        o->list = NULL;
        return store_srs_person_list(tx, o->org, LOOKUP, 10, &o->list, &o->n);
    }
    if (!strcmp(o->what, "audit")) {
        enum store_status st = store_srs_audit_add(tx, ORG_A, REG_1, "EXPORT", "client-1", 50);
        if (st == STORE_OK)
            st = store_srs_audit_add(tx, ORG_A, REG_1, "DATA_DELETED", "client-2", 60);
        free(o->audit);
        o->audit = NULL;
        return st == STORE_OK ? store_srs_audit_list(tx, o->org, REG_1, 10, &o->audit, &o->n) : st;
    }
    return STORE_ERROR;
}

static enum store_status run_mode(void **state, struct op *o, const char *what,
                                  enum store_tx_mode mode)
{
    o->what = what;
    return store_run(S(state), mode, tx_op, o);
}

static enum store_status run(void **state, struct op *o, const char *what)
{
    return run_mode(state, o, what, STORE_WRITE);
}

static void retention_candidates_in_order_after_the_cursor(void **state)
{
    seed(state, REG_1, ORG_A, "REVOKED", LOOKUP, 100, 5000); /* identified, created 100 */
    seed(state, REG_2, ORG_B, "ACTIVE", OTHER, 200, 5000);   /* identified, created 200 */
    seed(state, REG_3, ORG_A, NULL, NULL, 50, 5000);         /* OPEN, link until 5000 */
    struct op o = {.before = 150, .as_of = 1000, .after_created = INT64_MIN, .after_id = ""};
    /* Created after the cutoff, or OPEN with a live link: not candidates. */
    assert_int_equal(run_mode(state, &o, "next", STORE_CLAIM), STORE_OK);
    assert_string_equal(o.l.id, REG_1);
    assert_string_equal(o.l.status, "REVOKED");
    assert_string_equal(o.l.mobile_lookup, LOOKUP);
    assert_int_equal(o.l.identified_at, 110);
    assert_int_equal(o.l.revoked_at, 120);
    assert_int_equal(o.l.data_ended_at, 0);
    o.after_created = o.l.created_at;
    o.after_id = REG_1;
    assert_int_equal(run_mode(state, &o, "next", STORE_CLAIM), STORE_NOT_FOUND);
    /* The cutoff later and the link expired: all three, oldest first. */
    o.before = 300;
    o.as_of = 6000;
    o.after_created = INT64_MIN;
    o.after_id = "";
    assert_int_equal(run_mode(state, &o, "next", STORE_CLAIM), STORE_OK);
    assert_string_equal(o.l.id, REG_3);
    o.after_created = o.l.created_at;
    o.after_id = REG_3;
    assert_int_equal(run_mode(state, &o, "next", STORE_CLAIM), STORE_OK);
    assert_string_equal(o.l.id, REG_1);
    o.after_created = o.l.created_at;
    o.after_id = REG_1;
    assert_int_equal(run_mode(state, &o, "next", STORE_CLAIM), STORE_OK);
    assert_string_equal(o.l.id, REG_2);
    /* Once its data ended a registration is no candidate any more. */
    o.org = ORG_A;
    o.id = REG_1;
    assert_int_equal(run(state, &o, "destroy"), STORE_OK);
    o.after_id = REG_3;
    o.after_created = 50;
    assert_int_equal(run_mode(state, &o, "next", STORE_CLAIM), STORE_OK);
    assert_string_equal(o.l.id, REG_2);
}

static void destroy_once_in_its_organization_only(void **state)
{
    seed(state, REG_1, ORG_A, "REVOKED", LOOKUP, 100, 5000);
    struct op o = {.org = ORG_B, .id = REG_1};
    assert_int_equal(run(state, &o, "destroy"), STORE_CONFLICT); /* another organization's */
    o.org = ORG_A;
    assert_int_equal(run(state, &o, "destroy"), STORE_OK);
    assert_int_equal(run(state, &o, "destroy"), STORE_CONFLICT); /* only once */
    assert_int_equal(run(state, &o, "get"), STORE_OK);
    assert_int_equal(o.l.data_ended_at, 777);
    assert_string_equal(o.l.data_ended_by, "REQUEST");
    assert_string_equal(o.l.mobile_lookup, "");
    assert_string_equal(o.l.status, "REVOKED"); /* metadata kept */
    assert_int_equal(o.l.identified_at, 110);
    assert_int_equal(run(state, &o, "full"), STORE_OK);
    assert_non_null(o.r.data_key_wrapped.data); /* empty, not NULL: the column is NOT NULL */
    assert_int_equal(o.r.data_key_wrapped.len, 0);
    assert_null(o.r.prefill_sealed.data);
    assert_null(o.r.identity_sealed.data);
    assert_null(o.r.evidence_sealed.data);
    assert_string_equal(o.r.external_identifier, "");
    assert_string_equal(o.r.jurisdiction, "CH");
    store_srs_registration_clear(&o.r);
    o.id = REG_2;
    assert_int_equal(run(state, &o, "get"), STORE_NOT_FOUND);
}

static void one_persons_registrations_and_audit_trail(void **state)
{
    seed(state, REG_2, ORG_A, "ACTIVE", LOOKUP, 200, 5000);
    seed(state, REG_1, ORG_A, "REVOKED", LOOKUP, 100, 5000);
    seed(state, REG_3, ORG_B, "ACTIVE", LOOKUP, 300, 5000); /* another organization's */
    struct op o = {.org = ORG_A, .id = REG_2};
    assert_int_equal(run(state, &o, "person"), STORE_OK);
    assert_int_equal(o.n, 2);
    assert_string_equal(o.list[0].id, REG_1);
    assert_string_equal(o.list[1].id, REG_2);
    assert_int_equal(run(state, &o, "owner"), STORE_OK);
    assert_string_equal(o.owner, ORG_A);
    o.id = "nope";
    assert_int_equal(run(state, &o, "owner"), STORE_NOT_FOUND);
    o.org = ORG_B;
    assert_int_equal(run(state, &o, "person"), STORE_OK);
    assert_int_equal(o.n, 1);
    assert_string_equal(o.list[0].id, REG_3);
    free(o.list);
    o.org = ORG_A;
    assert_int_equal(run(state, &o, "audit"), STORE_OK);
    assert_int_equal(o.n, 2);
    assert_string_equal(o.audit[0].action, "EXPORT");
    assert_string_equal(o.audit[0].actor, "client-1");
    assert_int_equal(o.audit[0].created_at, 50);
    assert_string_equal(o.audit[1].action, "DATA_DELETED");
    free(o.audit);
    o.audit = NULL;
    o.org = ORG_B; /* another organization sees none of them */
    assert_int_equal(run(state, &o, "audit"), STORE_OK);
    assert_int_equal(o.n, 0);
    free(o.audit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(retention_candidates_in_order_after_the_cursor, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(destroy_once_in_its_organization_only, setup, teardown),
        cmocka_unit_test_setup_teardown(one_persons_registrations_and_audit_trail, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
