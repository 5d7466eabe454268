/* auth/keys.c with store/jwt_keys.c and core/masterkey.c: first key, rotation, retirement,
 * sealing under the master key, JWKS parsing (SQLite store in a fresh directory per test). */
#include "auth/keys.h"
#include "core/config.h"
#include "core/log.h"
#include "core/masterkey.h"
#include "pki/jws.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct fixture {
    char dir[64];
    struct store *store;
    unsigned char mk[CRYPTO_KEY_LEN];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256] = "";
    log_set_level(LOG_ERROR);
    snprintf(f->dir, sizeof f->dir, "/tmp/signet_keys_test_XXXXXX");
    if (!mkdtemp(f->dir) || store_open("sqlite", f->dir, &f->store, err, sizeof err) != STORE_OK ||
        store_migrate(f->store) != STORE_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    memset(f->mk, 0x42, sizeof f->mk);
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

static void first_key_is_created_once_and_signs(void **state)
{
    struct fixture *f = *state;
    struct auth_keyring *r = NULL;
    assert_int_equal(auth_keys_ensure(f->store, f->mk), STORE_OK);
    assert_int_equal(auth_keys_ensure(f->store, f->mk), STORE_OK); /* no second key */
    assert_int_equal(auth_keyring_load(f->store, f->mk, &r), STORE_OK);
    assert_int_equal(r->n, 1);
    const struct auth_key *cur = auth_keyring_current(r);
    assert_non_null(cur);
    assert_true(jws_key_can_sign(cur->key));
    assert_int_equal(strlen(cur->kid), 43);
    assert_ptr_equal(auth_keyring_find(r, cur->kid), cur);
    assert_null(auth_keyring_find(r, "nope"));
    json_t *jwks = auth_keyring_jwks(r);
    json_t *k = json_array_get(json_object_get(jwks, "keys"), 0);
    assert_string_equal(json_string_value(json_object_get(k, "kid")), cur->kid);
    assert_null(json_object_get(k, "d"));
    json_decref(jwks);
    auth_keyring_free(r);
}

static void rotation_adds_a_current_key_and_keeps_the_old_one(void **state)
{
    struct fixture *f = *state;
    struct store_jwt_key k1, k2;
    struct auth_keyring *r = NULL;
    assert_int_equal(auth_keys_rotate(f->store, f->mk, &k1), STORE_OK);
    assert_int_equal(auth_keys_rotate(f->store, f->mk, &k2), STORE_OK);
    assert_string_not_equal(k1.kid, k2.kid);
    assert_int_equal(auth_keyring_load(f->store, f->mk, &r), STORE_OK);
    assert_int_equal(r->n, 2);
    assert_string_equal(auth_keyring_current(r)->kid, k2.kid);
    const struct auth_key *old = auth_keyring_find(r, k1.kid);
    assert_non_null(old);
    assert_false(old->current);
    assert_false(jws_key_can_sign(old->key)); /* old keys only verify */
    auth_keyring_free(r);
}

static enum store_status retire_tx(struct store_tx *tx, void *cls)
{
    return store_jwt_key_retire(tx, cls, 1234);
}

static void retired_keys_leave_the_ring_and_current_cannot_retire(void **state)
{
    struct fixture *f = *state;
    struct store_jwt_key k1, k2;
    struct auth_keyring *r = NULL;
    assert_int_equal(auth_keys_rotate(f->store, f->mk, &k1), STORE_OK);
    assert_int_equal(auth_keys_rotate(f->store, f->mk, &k2), STORE_OK);
    assert_int_equal(store_run(f->store, STORE_WRITE, retire_tx, k2.kid), STORE_CONFLICT);
    assert_int_equal(store_run(f->store, STORE_WRITE, retire_tx, k1.kid), STORE_OK);
    assert_int_equal(store_run(f->store, STORE_WRITE, retire_tx, k1.kid), STORE_CONFLICT);
    assert_int_equal(store_run(f->store, STORE_WRITE, retire_tx, "nope"), STORE_NOT_FOUND);
    assert_int_equal(auth_keyring_load(f->store, f->mk, &r), STORE_OK);
    assert_int_equal(r->n, 1);
    assert_null(auth_keyring_find(r, k1.kid));
    auth_keyring_free(r);
}

static void wrong_master_key_cannot_unseal(void **state)
{
    struct fixture *f = *state;
    struct auth_keyring *r = NULL;
    unsigned char other[CRYPTO_KEY_LEN];
    memset(other, 0x17, sizeof other);
    assert_int_equal(auth_keys_ensure(f->store, f->mk), STORE_OK);
    assert_int_equal(auth_keyring_load(f->store, other, &r), STORE_OK);
    assert_null(auth_keyring_current(r));
    auth_keyring_free(r);
}

static void jwks_parsing_keeps_only_es256_p256_keys_with_kid(void **state)
{
    struct fixture *f = *state;
    struct store_jwt_key k;
    assert_int_equal(auth_keys_rotate(f->store, f->mk, &k), STORE_OK);
    json_t *good = json_loads(k.public_jwk, 0, NULL);
    json_t *nokid = json_deep_copy(good), *rsa = json_deep_copy(good), *hs = json_deep_copy(good);
    json_object_del(nokid, "kid");
    json_object_set_new(rsa, "kty", json_string("RSA"));
    json_object_set_new(hs, "alg", json_string("HS256"));
    json_t *doc = json_pack("{s:[o,o,o,o]}", "keys", good, nokid, rsa, hs);
    struct auth_keyring *r = auth_keyring_from_jwks(doc);
    assert_non_null(r);
    assert_int_equal(r->n, 1);
    assert_string_equal(r->keys[0].kid, k.kid);
    assert_null(auth_keyring_current(r));
    auth_keyring_free(r);
    json_decref(doc);
    json_t *notjwks = json_pack("{s:s}", "keys", "x");
    assert_null(auth_keyring_from_jwks(notjwks));
    json_decref(notjwks);
}

static void master_key_is_created_0600_and_stable(void **state)
{
    struct fixture *f = *state;
    struct config cfg = {.data_dir = f->dir, .master_key_file = ""};
    unsigned char a[CRYPTO_KEY_LEN], b[CRYPTO_KEY_LEN];
    char err[256], path[128];
    assert_true(masterkey_load(&cfg, a, err, sizeof err));
    assert_true(masterkey_load(&cfg, b, err, sizeof err));
    assert_memory_equal(a, b, sizeof a);
    snprintf(path, sizeof path, "%s/master.key", f->dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);
    /* an explicit file may hold base64 of the 32 bytes */
    snprintf(path, sizeof path, "%s/mk.b64", f->dir);
    FILE *fp = fopen(path, "w");
    fputs("QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=\n", fp);
    fclose(fp);
    cfg.master_key_file = path;
    assert_true(masterkey_load(&cfg, a, err, sizeof err));
    assert_memory_equal(a, f->mk, sizeof a); /* 32 x 'B' = 0x42 */
    /* anything else is refused */
    fp = fopen(path, "w");
    fputs("too short", fp);
    fclose(fp);
    assert_false(masterkey_load(&cfg, a, err, sizeof err));
    assert_non_null(strstr(err, "32 bytes"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(first_key_is_created_once_and_signs, setup, teardown),
        cmocka_unit_test_setup_teardown(rotation_adds_a_current_key_and_keeps_the_old_one, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(retired_keys_leave_the_ring_and_current_cannot_retire,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_master_key_cannot_unseal, setup, teardown),
        cmocka_unit_test_setup_teardown(jwks_parsing_keeps_only_es256_p256_keys_with_kid, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(master_key_is_created_0600_and_stable, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
