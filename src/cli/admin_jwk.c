/* signet admin jwk rotate|list|retire: manage the token endpoint's ES256 signing keys in the
 * store directly. A running server picks up a rotation on its next token or on the first
 * token with the new kid; retired keys stop verifying within a minute. */
#include "auth/keys.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/isotime.h"
#include "core/masterkey.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void jwk_usage(FILE *out)
{
    fprintf(out, "Usage: signet admin jwk COMMAND [OPTIONS]\n\n"
                 "  rotate [--json]     make a new current signing key (older keys keep "
                 "verifying)\n"
                 "  list [--json]       list the keys, newest first\n"
                 "  retire KID [--json] stop accepting tokens signed with a non-current key\n\n"
                 "Takes the same --data / --store / --master-key-file options as serve.\n");
}

struct list_ctx {
    struct store_jwt_key *keys;
    size_t n;
};

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct list_ctx *l = cls;
    free(l->keys);
    l->keys = NULL;
    return store_jwt_key_list(tx, &l->keys, &l->n);
}

static enum store_status retire_tx(struct store_tx *tx, void *cls)
{
    return store_jwt_key_retire(tx, cls, time_now_ms());
}

static json_t *key_json(const struct store_jwt_key *k)
{
    char created[ISO_DATETIME_LEN], activated[ISO_DATETIME_LEN], retired[ISO_DATETIME_LEN];
    iso_format_datetime(k->created_at, false, created);
    iso_format_datetime(k->activated_at, false, activated);
    iso_format_datetime(k->retired_at, false, retired);
    json_t *j = json_pack("{s:s, s:b, s:s, s:s}", "kid", k->kid, "current", k->current, "created",
                          created, "alg", "ES256");
    json_object_set_new(j, "activated", k->activated_at ? json_string(activated) : json_null());
    json_object_set_new(j, "retired", k->retired_at ? json_string(retired) : json_null());
    return j;
}

int cli_admin_jwk(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        jwk_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    const char *verb = argv[0];
    struct cli_opt extra[] = {
        {"json", false, "print JSON", NULL},
        {NULL, false, NULL, NULL},
    };
    struct config cfg;
    char err[512];
    const char *pos[1];
    size_t npos = 0;
    int rc = 1;
    struct store *s = NULL;
    struct list_ctx l = {0};
    unsigned char mk[CRYPTO_KEY_LEN];
    enum config_result cr =
        config_load(&cfg, argc - 1, argv + 1, extra, pos, 1, &npos, err, sizeof err);
    if (cr == CONFIG_HELP) {
        jwk_usage(stdout);
        printf("\nOptions:\n");
        config_print_help(extra);
        config_free(&cfg);
        return 0;
    }
    if (cr == CONFIG_ERROR) {
        fprintf(stderr, "signet admin jwk: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    bool as_json = extra[0].value != NULL;
    bool rotate = !strcmp(verb, "rotate"), list = !strcmp(verb, "list"),
         retire = !strcmp(verb, "retire");
    if (!rotate && !list && !retire) {
        fprintf(stderr, "signet admin jwk: unknown command '%s' (see signet admin jwk --help)\n",
                verb);
        rc = 2;
        goto cleanup;
    }
    if ((retire && npos != 1) || (!retire && npos != 0)) {
        fprintf(stderr,
                retire ? "signet admin jwk: retire needs KID\n"
                       : "signet admin jwk: %s takes no arguments\n",
                verb);
        rc = 2;
        goto cleanup;
    }
    s = cli_open_store(&cfg);
    if (!s)
        goto cleanup;
    enum store_status st;
    if (rotate) {
        if (!masterkey_load(&cfg, mk, err, sizeof err)) {
            fprintf(stderr, "signet admin jwk: %s\n", err);
            goto cleanup;
        }
        struct store_jwt_key k;
        st = auth_keys_rotate(s, mk, &k);
        if (st == STORE_OK) {
            if (as_json)
                cli_print_json(key_json(&k));
            else
                printf("key %s is now current\n", k.kid);
        }
    } else if (list) {
        st = store_run(s, STORE_READ, list_tx, &l);
        json_t *arr = json_array();
        for (size_t i = 0; st == STORE_OK && i < l.n; i++) {
            if (as_json)
                json_array_append_new(arr, key_json(&l.keys[i]));
            else
                printf("%s  %s\n", l.keys[i].kid,
                       l.keys[i].current      ? "current"
                       : l.keys[i].retired_at ? "retired"
                                              : "verifies");
        }
        if (as_json && st == STORE_OK)
            cli_print_json(arr);
        else
            json_decref(arr);
    } else {
        st = store_run(s, STORE_WRITE, retire_tx, (void *)pos[0]);
        if (st == STORE_NOT_FOUND) {
            fprintf(stderr, "signet admin jwk: no key with kid '%s'\n", pos[0]);
            goto cleanup;
        }
        if (st == STORE_CONFLICT) {
            fprintf(stderr,
                    "signet admin jwk: key '%s' is current or already retired (rotate "
                    "first)\n",
                    pos[0]);
            goto cleanup;
        }
        if (st == STORE_OK) {
            if (as_json)
                cli_print_json(json_pack("{s:s, s:b}", "kid", pos[0], "retired", 1));
            else
                printf("key %s retired\n", pos[0]);
        }
    }
    if (st != STORE_OK) {
        fprintf(stderr, "signet admin jwk: the store failed (%s)\n", store_status_name(st));
        goto cleanup;
    }
    rc = 0;
cleanup:
    memset(mk, 0, sizeof mk);
    free(l.keys);
    store_close(s);
    config_free(&cfg);
    return rc;
}
