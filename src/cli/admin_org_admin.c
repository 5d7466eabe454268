/* signet admin org-admin create|list|revoke: keys of organization admins, who manage the API
 * clients and teams of one self-managed (ORGANIZATION) organization over the admin HTTP API
 * (auth/org_admin.h). Works on the store directly, also while a server runs on it. */
#include "auth/org_admin.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/isotime.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void org_admin_usage(FILE *out)
{
    fprintf(out, "Usage: signet admin org-admin COMMAND [OPTIONS]\n\n"
                 "  create --org ORG_ID [--description TEXT] [--json]   key shown once; the\n"
                 "         organization must be of type ORGANIZATION (self-managed)\n"
                 "  list [--org ORG_ID] [--json]\n"
                 "  revoke KEY_ID [--json]\n\n"
                 "An organization admin's key works at /admin/v1 like an operator key, but only "
                 "for the\nAPI clients and teams of its organization. Takes the same --data / "
                 "--store options as serve.\n");
}

static json_t *key_json(const struct store_admin_key *k)
{
    char created[ISO_DATETIME_LEN], revoked[ISO_DATETIME_LEN] = "";
    iso_format_datetime(k->created_at, false, created);
    if (k->revoked_at)
        iso_format_datetime(k->revoked_at, false, revoked);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "id", k->id, "organization_id",
                          k->organization_id, "description", k->description, "created", created);
    json_object_set_new(j, "revoked", k->revoked_at ? json_string(revoked) : json_null());
    return j;
}

int cli_admin_org_admin(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        org_admin_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    const char *verb = argv[0];
    struct cli_opt extra[] = {
        {"org", true, "organization id (of type ORGANIZATION)", NULL},
        {"description", true, "who or what the key is for", NULL},
        {"json", false, "print JSON", NULL},
        {NULL, false, NULL, NULL},
    };
    struct config cfg;
    char err[512];
    const char *pos[1];
    size_t npos = 0;
    int rc = 1;
    struct store *s = NULL;
    struct store_admin_key *keys = NULL;
    size_t n = 0;
    enum config_result cr =
        config_load(&cfg, argc - 1, argv + 1, extra, pos, 1, &npos, err, sizeof err);
    if (cr == CONFIG_HELP) {
        org_admin_usage(stdout);
        printf("\nOptions:\n");
        config_print_help(extra);
        config_free(&cfg);
        return 0;
    }
    if (cr == CONFIG_ERROR) {
        fprintf(stderr, "signet admin org-admin: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    const char *org = extra[0].value;
    bool as_json = extra[2].value != NULL;
    bool create = !strcmp(verb, "create"), list = !strcmp(verb, "list"),
         revoke = !strcmp(verb, "revoke");
    if (!create && !list && !revoke) {
        fprintf(stderr,
                "signet admin org-admin: unknown command '%s' (see signet admin org-admin "
                "--help)\n",
                verb);
        rc = 2;
        goto cleanup;
    }
    if ((revoke && npos != 1) || (!revoke && npos != 0) || (create && (!org || !*org))) {
        fprintf(stderr, revoke   ? "signet admin org-admin: revoke needs KEY_ID\n"
                        : create ? "signet admin org-admin: create needs --org ORG_ID\n"
                                 : "signet admin org-admin: list takes no arguments\n");
        rc = 2;
        goto cleanup;
    }
    s = cli_open_store(&cfg);
    if (!s)
        goto cleanup;
    enum store_status st;
    if (create) {
        struct store_admin_key k;
        char key[AUTH_SECRET_LEN];
        st = auth_admin_key_issue(s, org, extra[1].value, &k, key);
        if (st == STORE_NOT_FOUND) {
            fprintf(stderr, "signet admin org-admin: no organization with id '%s'\n", org);
            goto cleanup;
        }
        if (st == STORE_CONFLICT) {
            fprintf(stderr,
                    "signet admin org-admin: organization '%s' is CORPORATE: its credentials "
                    "are issued by the operator, so it has no organization admins\n",
                    org);
            goto cleanup;
        }
        if (st == STORE_OK) {
            if (as_json)
                cli_print_json(json_pack("{s:s, s:s, s:s}", "id", k.id, "organization_id",
                                         k.organization_id, "admin_key", key));
            else
                printf("id:              %s\norganization_id: %s\nadmin_key:       %s\n(the key "
                       "is shown only now)\n",
                       k.id, k.organization_id, key);
        }
        memset(key, 0, sizeof key);
    } else if (list) {
        st = auth_org_admin_list(s, org, &keys, &n);
        if (st == STORE_NOT_FOUND) {
            fprintf(stderr, "signet admin org-admin: no organization with id '%s'\n", org);
            goto cleanup;
        }
        json_t *arr = json_array();
        for (size_t i = 0; st == STORE_OK && i < n; i++) {
            if (as_json)
                json_array_append_new(arr, key_json(&keys[i]));
            else
                printf("%s  org %s  %s%s\n", keys[i].id, keys[i].organization_id,
                       keys[i].description, keys[i].revoked_at ? "  (revoked)" : "");
        }
        if (as_json && st == STORE_OK)
            cli_print_json(arr);
        else
            json_decref(arr);
    } else {
        struct store_admin_key k;
        st = auth_org_admin_revoke(s, NULL, pos[0], &k);
        if (st == STORE_NOT_FOUND) {
            fprintf(stderr, "signet admin org-admin: no organization admin with id '%s'\n", pos[0]);
            goto cleanup;
        }
        if (st == STORE_CONFLICT) {
            fprintf(stderr, "signet admin org-admin: '%s' is already revoked\n", pos[0]);
            goto cleanup;
        }
        if (st == STORE_OK) {
            if (as_json)
                cli_print_json(json_pack("{s:s, s:s, s:b}", "id", k.id, "organization_id",
                                         k.organization_id, "revoked", 1));
            else
                printf("organization admin %s revoked\n", k.id);
        }
    }
    if (st != STORE_OK) {
        fprintf(stderr, "signet admin org-admin: the store failed (%s)\n", store_status_name(st));
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(keys);
    store_close(s);
    config_free(&cfg);
    return rc;
}
