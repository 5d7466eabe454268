/* Tests for src/auth/org_admin.c (and the admin-key rows of src/store/admin_keys.c under it):
 * who may administer which organization, organization-admin keys only for self-managed
 * organizations, and operations scoped to the caller's organization (SQLite store in a fresh
 * temporary directory per test). */
#include "auth/org_admin.h"
#include "core/crypto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
    char dir[64];
    struct store *store;
    struct store_org self, other, corp;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256] = "";
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/signet_org_admin_test_XXXXXX");
    if (!mkdtemp(f->dir) || store_open("sqlite", f->dir, &f->store, err, sizeof err) != STORE_OK ||
        store_migrate(f->store) != STORE_OK ||
        auth_org_create(f->store, "Self", "ORGANIZATION", &f->self) != STORE_OK ||
        auth_org_create(f->store, "Other", "ORGANIZATION", &f->other) != STORE_OK ||
        auth_org_create(f->store, "Bank", "CORPORATE", &f->corp) != STORE_OK) {
        fprintf(stderr, "setup failed: %s\n", err);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    store_close(f->store);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static void only_the_operator_or_the_own_organization_may_manage(void **state)
{
    (void)state;
    assert_true(auth_admin_may_manage(NULL, "any"));
    assert_true(auth_admin_may_manage("org-1", "org-1"));
    assert_false(auth_admin_may_manage("org-1", "org-2"));
    assert_false(auth_admin_may_manage("org-1", NULL));
    assert_false(auth_admin_may_manage("org-1", "org-1 "));
}

static void org_admin_keys_only_for_self_managed_organizations(void **state)
{
    struct fixture *f = *state;
    struct store_admin_key k;
    char key[AUTH_SECRET_LEN], hash[SHA256_HEX_LEN];
    assert_int_equal(auth_admin_key_issue(f->store, f->self.id, "HR", &k, key), STORE_OK);
    assert_string_equal(k.organization_id, f->self.id);
    assert_int_equal(strlen(key), 43);
    crypto_sha256_hex(key, strlen(key), hash);
    assert_string_equal(k.key_hash, hash); /* only the hash is kept */
    assert_int_equal(auth_admin_key_issue(f->store, f->corp.id, NULL, &k, key), STORE_CONFLICT);
    assert_string_equal(key, "");
    assert_int_equal(auth_admin_key_issue(f->store, "no-such-org", NULL, &k, key), STORE_NOT_FOUND);
    /* an operator key has no organization */
    assert_int_equal(auth_admin_key_issue(f->store, NULL, "ops", &k, key), STORE_OK);
    assert_string_equal(k.organization_id, "");
}

static void org_admin_list_and_revoke_stay_within_the_organization(void **state)
{
    struct fixture *f = *state;
    struct store_admin_key a, b, op, got, *list = NULL;
    size_t n = 0;
    char key[AUTH_SECRET_LEN];
    assert_int_equal(auth_admin_key_issue(f->store, f->self.id, "a", &a, key), STORE_OK);
    assert_int_equal(auth_admin_key_issue(f->store, f->other.id, "b", &b, key), STORE_OK);
    assert_int_equal(auth_admin_key_issue(f->store, NULL, "op", &op, key), STORE_OK);

    assert_int_equal(auth_org_admin_list(f->store, f->self.id, &list, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].id, a.id);
    free(list);
    assert_int_equal(auth_org_admin_list(f->store, NULL, &list, &n), STORE_OK);
    assert_int_equal(n, 2); /* operator keys are not organization admins */
    free(list);
    assert_int_equal(auth_org_admin_list(f->store, "no-such-org", &list, &n), STORE_NOT_FOUND);
    assert_null(list);

    /* another organization's admin, or an operator key, is not found */
    assert_int_equal(auth_org_admin_revoke(f->store, f->self.id, b.id, &got), STORE_NOT_FOUND);
    assert_int_equal(auth_org_admin_revoke(f->store, NULL, op.id, &got), STORE_NOT_FOUND);
    assert_int_equal(auth_org_admin_revoke(f->store, f->other.id, b.id, &got), STORE_OK);
    assert_true(got.revoked_at > 0);
    assert_int_equal(auth_org_admin_revoke(f->store, NULL, b.id, &got), STORE_CONFLICT);
}

static void clients_and_teams_are_scoped_to_the_caller(void **state)
{
    struct fixture *f = *state;
    struct store_client mine, theirs, got, *clients = NULL;
    struct store_team team, *teams = NULL;
    size_t n = 0;
    char secret[AUTH_SECRET_LEN];
    const char *scope = f->self.id;
    assert_int_equal(
        auth_admin_client_create(f->store, scope, f->self.id, NULL, "erp", &mine, secret),
        STORE_OK);
    assert_string_equal(mine.scopes, AUTH_SIGN_API_SCOPES);
    assert_int_equal(
        auth_admin_client_create(f->store, scope, f->other.id, NULL, NULL, &got, secret),
        STORE_NOT_FOUND);
    assert_int_equal(
        auth_admin_client_create(f->store, NULL, f->other.id, NULL, NULL, &theirs, secret),
        STORE_OK);

    assert_int_equal(auth_admin_client_list(f->store, scope, f->self.id, &clients, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(clients[0].id, mine.id);
    free(clients);
    assert_int_equal(auth_admin_client_list(f->store, scope, f->other.id, &clients, &n),
                     STORE_NOT_FOUND);
    assert_null(clients);

    /* revoking another organization's client: not found by every route */
    assert_int_equal(auth_admin_client_revoke(f->store, scope, NULL, theirs.id, &got),
                     STORE_NOT_FOUND);
    assert_int_equal(auth_admin_client_revoke(f->store, scope, f->self.id, theirs.id, &got),
                     STORE_NOT_FOUND);
    assert_int_equal(auth_admin_client_revoke(f->store, scope, f->other.id, theirs.id, &got),
                     STORE_NOT_FOUND);
    assert_int_equal(auth_admin_client_revoke(f->store, NULL, f->self.id, theirs.id, &got),
                     STORE_NOT_FOUND); /* the operator names the wrong organization */
    assert_int_equal(auth_admin_client_revoke(f->store, scope, NULL, mine.id, &got), STORE_OK);
    assert_true(got.revoked_at > 0);
    assert_int_equal(auth_admin_client_revoke(f->store, NULL, NULL, mine.id, &got), STORE_CONFLICT);
    assert_int_equal(auth_admin_client_revoke(f->store, NULL, NULL, theirs.id, &got), STORE_OK);

    assert_int_equal(auth_admin_team_create(f->store, scope, f->self.id, "Legal", &team), STORE_OK);
    assert_int_equal(auth_admin_team_create(f->store, scope, f->self.id, "Legal", &team),
                     STORE_CONFLICT);
    assert_int_equal(auth_admin_team_create(f->store, scope, f->other.id, "Legal", &team),
                     STORE_NOT_FOUND);
    assert_int_equal(auth_admin_team_list(f->store, scope, f->self.id, &teams, &n), STORE_OK);
    assert_int_equal(n, 1);
    free(teams);
    assert_int_equal(auth_admin_team_list(f->store, scope, f->other.id, &teams, &n),
                     STORE_NOT_FOUND);

    struct store_org *orgs = NULL;
    assert_int_equal(auth_admin_org_list(f->store, scope, &orgs, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(orgs[0].id, f->self.id);
    free(orgs);
    assert_int_equal(auth_admin_org_list(f->store, NULL, &orgs, &n), STORE_OK);
    assert_int_equal(n, 3);
    free(orgs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_the_operator_or_the_own_organization_may_manage),
        cmocka_unit_test_setup_teardown(org_admin_keys_only_for_self_managed_organizations, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(org_admin_list_and_revoke_stay_within_the_organization,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(clients_and_teams_are_scoped_to_the_caller, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
