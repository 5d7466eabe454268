/* signet admin org|client …: manage organizations and API clients in the store directly
 * (works while a server runs on the same store). */
#include "auth/admin_api.h"
#include "auth/credentials.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/isotime.h"
#include "core/str.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void admin_usage(FILE *out)
{
    fprintf(out, "Usage: signet admin COMMAND [OPTIONS]\n\n"
                 "  org create --name NAME [--type ORGANIZATION|CORPORATE] [--json]\n"
                 "  org list [--json]\n"
                 "  client create --org ORG_ID [--scopes \"SCOPE …\"] [--description TEXT] "
                 "[--json]\n"
                 "  client list [--org ORG_ID] [--json]\n"
                 "  client revoke CLIENT_ID [--json]\n"
                 "  key create [--description TEXT] [--json]   (admin API key, shown once)\n"
                 "  key list [--json]\n"
                 "  key revoke KEY_ID [--json]\n"
                 "  org-admin create --org ORG_ID [--description TEXT] [--json]   (key of an\n"
                 "            organization's own admin, shown once; ORGANIZATION type only)\n"
                 "  org-admin list [--org ORG_ID] [--json]\n"
                 "  org-admin revoke KEY_ID [--json]\n"
                 "  org-user create --org ORG_ID --email E [--password-file F] [--totp] [--json]\n"
                 "            (account for the admin cockpit /ui/admin; ORGANIZATION type only)\n"
                 "  ra-point create|list …     SRS Direct registration points (signet admin "
                 "ra-point --help)\n"
                 "  ra-agent create …          RA agent accounts for /ui/ra (signet admin ra-agent "
                 "--help)\n"
                 "  jwk rotate|list|retire …   token signing keys (signet admin jwk --help)\n"
                 "  cert list|revoke …         issued certificates, revocation (signet admin cert "
                 "--help)\n"
                 "  jobs list|run …            background jobs (signet admin jobs --help)\n"
                 "  srs export|delete …        a person's SRS data (signet admin srs --help)\n\n"
                 "Takes the same --data / --store options as serve (signet admin org list "
                 "--help lists them).\n");
}

static json_t *client_json(const struct store_client *c)
{
    char created[ISO_DATETIME_LEN], revoked[ISO_DATETIME_LEN] = "";
    iso_format_datetime(c->created_at, false, created);
    if (c->revoked_at)
        iso_format_datetime(c->revoked_at, false, revoked);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "client_id", c->id, "organization_id",
                          c->organization_id, "scopes", c->scopes, "description", c->description,
                          "created", created);
    json_object_set_new(j, "revoked", c->revoked_at ? json_string(revoked) : json_null());
    return j;
}

struct list_ctx {
    const char *org;
    struct store_org *orgs;
    struct store_client *clients;
    size_t n;
};

static enum store_status list_orgs_tx(struct store_tx *tx, void *cls)
{
    struct list_ctx *l = cls;
    return store_org_list(tx, &l->orgs, &l->n);
}

static enum store_status list_clients_tx(struct store_tx *tx, void *cls)
{
    struct list_ctx *l = cls;
    return store_client_list(tx, l->org, &l->clients, &l->n);
}

static enum store_status revoke_tx(struct store_tx *tx, void *cls)
{
    return store_client_revoke(tx, cls, time_now_ms());
}

struct key_list_ctx {
    struct store_admin_key *keys;
    size_t n;
};

static enum store_status list_keys_tx(struct store_tx *tx, void *cls)
{
    struct key_list_ctx *l = cls;
    free(l->keys); /* a retried transaction starts over */
    l->keys = NULL;
    return store_admin_key_list(tx, &l->keys, &l->n);
}

static enum store_status revoke_key_tx(struct store_tx *tx, void *cls)
{
    return store_admin_key_revoke(tx, cls, time_now_ms());
}

static json_t *admin_key_json(const struct store_admin_key *k)
{
    char created[ISO_DATETIME_LEN], revoked[ISO_DATETIME_LEN] = "";
    iso_format_datetime(k->created_at, false, created);
    if (k->revoked_at)
        iso_format_datetime(k->revoked_at, false, revoked);
    json_t *j = json_pack("{s:s, s:s, s:s}", "id", k->id, "description", k->description, "created",
                          created);
    json_object_set_new(j, "revoked", k->revoked_at ? json_string(revoked) : json_null());
    return j;
}

/* signet admin key create|list|revoke: operator keys of the admin HTTP API. */
static int admin_key_command(struct config *cfg, const char *verb, const char **pos, size_t npos,
                             const char *description, bool as_json)
{
    int rc = 1;
    struct store *s = NULL;
    struct key_list_ctx l = {0};
    if (!strcmp(verb, "revoke") && npos != 1) {
        fprintf(stderr, "signet admin: key revoke needs KEY_ID\n");
        return 2;
    }
    s = cli_open_store(cfg);
    if (!s)
        goto cleanup;
    enum store_status st;
    if (!strcmp(verb, "create")) {
        struct store_admin_key k;
        char key[AUTH_SECRET_LEN];
        st = auth_admin_key_create(s, description, &k, key);
        if (st == STORE_OK) {
            if (as_json)
                cli_print_json(json_pack("{s:s, s:s}", "id", k.id, "admin_key", key));
            else
                printf("id:        %s\nadmin_key: %s\n(the key is shown only now)\n", k.id, key);
        }
    } else if (!strcmp(verb, "list")) {
        st = store_run(s, STORE_READ, list_keys_tx, &l);
        json_t *arr = json_array();
        for (size_t i = 0; st == STORE_OK && i < l.n; i++) {
            if (as_json)
                json_array_append_new(arr, admin_key_json(&l.keys[i]));
            else
                printf("%s  %s%s\n", l.keys[i].id, l.keys[i].description,
                       l.keys[i].revoked_at ? "  (revoked)" : "");
        }
        if (as_json && st == STORE_OK)
            cli_print_json(arr);
        else
            json_decref(arr);
    } else {
        st = store_run(s, STORE_WRITE, revoke_key_tx, (void *)pos[0]);
        if (st == STORE_NOT_FOUND) {
            fprintf(stderr, "signet admin: no admin key with id '%s'\n", pos[0]);
            goto cleanup;
        }
        if (st == STORE_CONFLICT) {
            fprintf(stderr, "signet admin: admin key '%s' is already revoked\n", pos[0]);
            goto cleanup;
        }
        if (st == STORE_OK) {
            if (as_json)
                cli_print_json(json_pack("{s:s, s:b}", "id", pos[0], "revoked", 1));
            else
                printf("admin key %s revoked\n", pos[0]);
        }
    }
    if (st != STORE_OK) {
        fprintf(stderr, "signet admin: the store failed (%s)\n", store_status_name(st));
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(l.keys);
    store_close(s);
    return rc;
}

int cli_admin(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "jwk"))
        return cli_admin_jwk(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "cert"))
        return cli_admin_cert(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "jobs"))
        return cli_admin_jobs(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "srs"))
        return cli_admin_srs(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "org-admin"))
        return cli_admin_org_admin(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "org-user"))
        return cli_admin_org_user(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "ra-agent"))
        return cli_admin_ra_agent(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "ra-point"))
        return cli_admin_ra_point(argc - 1, argv + 1);
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        admin_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    if (argc < 2) {
        admin_usage(stderr);
        return 2;
    }
    const char *noun = argv[0], *verb = argv[1];
    struct cli_opt extra[] = {
        {"name", true, "organization name", NULL},
        {"type", true, "ORGANIZATION (self-managed) or CORPORATE (operator-managed)", NULL},
        {"org", true, "organization id", NULL},
        {"scopes", true,
         "space-separated scopes (default: all Sign API scopes; for CORPORATE without "
         "sswp:process:read:all)",
         NULL},
        {"description", true, "what the client is for", NULL},
        {"json", false, "print JSON", NULL},
        {NULL, false, NULL, NULL},
    };
    struct config cfg;
    char err[512];
    const char *pos[2];
    size_t npos = 0;
    int rc = 1;
    struct store *s = NULL;
    enum config_result cr =
        config_load(&cfg, argc - 2, argv + 2, extra, pos, 1, &npos, err, sizeof err);
    if (cr == CONFIG_HELP) {
        admin_usage(stdout);
        printf("\nOptions:\n");
        config_print_help(extra);
        config_free(&cfg);
        return 0;
    }
    if (cr == CONFIG_ERROR) {
        fprintf(stderr, "signet admin: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    bool as_json = extra[5].value != NULL;
    bool org_create = !strcmp(noun, "org") && !strcmp(verb, "create");
    bool org_list = !strcmp(noun, "org") && !strcmp(verb, "list");
    bool cl_create = !strcmp(noun, "client") && !strcmp(verb, "create");
    bool cl_list = !strcmp(noun, "client") && !strcmp(verb, "list");
    bool cl_revoke = !strcmp(noun, "client") && !strcmp(verb, "revoke");
    bool key_cmd = !strcmp(noun, "key") &&
                   (!strcmp(verb, "create") || !strcmp(verb, "list") || !strcmp(verb, "revoke"));
    if (key_cmd) {
        rc = admin_key_command(&cfg, verb, pos, npos, extra[4].value, as_json);
        goto cleanup;
    }
    if (!org_create && !org_list && !cl_create && !cl_list && !cl_revoke) {
        fprintf(stderr, "signet admin: unknown command '%s %s' (see signet admin --help)\n", noun,
                verb);
        rc = 2;
        goto cleanup;
    }
    const char *type = extra[1].value ? extra[1].value : "ORGANIZATION";
    const char *scopes = extra[3].value; /* NULL: the organization type's default */
    char bad[128];
    if (org_create && (!extra[0].value || !*extra[0].value)) {
        fprintf(stderr, "signet admin: org create needs --name NAME\n");
        rc = 2;
        goto cleanup;
    }
    if (org_create && strcmp(type, "ORGANIZATION") && strcmp(type, "CORPORATE")) {
        fprintf(stderr,
                "signet admin: invalid value '%s' for --type: expected ORGANIZATION or "
                "CORPORATE\n",
                type);
        rc = 2;
        goto cleanup;
    }
    if (cl_create && !extra[2].value) {
        fprintf(stderr, "signet admin: client create needs --org ORG_ID\n");
        rc = 2;
        goto cleanup;
    }
    if (cl_create && scopes && !auth_scopes_valid(scopes, bad, sizeof bad)) {
        fprintf(stderr, "signet admin: invalid value for --scopes: unknown scope '%s'\n", bad);
        rc = 2;
        goto cleanup;
    }
    if (cl_revoke && npos != 1) {
        fprintf(stderr, "signet admin: client revoke needs CLIENT_ID\n");
        rc = 2;
        goto cleanup;
    }
    s = cli_open_store(&cfg);
    if (!s)
        goto cleanup;
    enum store_status st;
    if (org_create) {
        struct store_org org;
        st = auth_org_create(s, extra[0].value, type, &org);
        if (st == STORE_OK) {
            if (as_json)
                cli_print_json(json_pack("{s:s, s:s, s:s}", "id", org.id, "name", org.name,
                                         "client_type", org.client_type));
            else
                printf("organization %s created (%s, %s)\n", org.id, org.name, org.client_type);
        }
    } else if (org_list) {
        struct list_ctx l = {0};
        st = store_run(s, STORE_READ, list_orgs_tx, &l);
        json_t *arr = json_array();
        for (size_t i = 0; st == STORE_OK && i < l.n; i++) {
            if (as_json)
                json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "id", l.orgs[i].id, "name",
                                                     l.orgs[i].name, "client_type",
                                                     l.orgs[i].client_type));
            else
                printf("%s  %-12s  %s\n", l.orgs[i].id, l.orgs[i].client_type, l.orgs[i].name);
        }
        if (as_json && st == STORE_OK)
            cli_print_json(arr);
        else
            json_decref(arr);
        free(l.orgs);
    } else if (cl_create) {
        struct store_client c;
        char secret[AUTH_SECRET_LEN];
        st = auth_client_create(s, extra[2].value, scopes, extra[4].value, &c, secret);
        if (st == STORE_NOT_FOUND) {
            fprintf(stderr, "signet admin: no organization with id '%s'\n", extra[2].value);
            goto cleanup;
        }
        if (st == STORE_OK) {
            if (as_json)
                cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "client_id", c.id, "client_secret",
                                         secret, "organization_id", c.organization_id, "scopes",
                                         c.scopes));
            else
                printf("client_id:     %s\nclient_secret: %s\n(the secret is shown only "
                       "now)\n",
                       c.id, secret);
        }
    } else if (cl_list) {
        struct list_ctx l = {.org = extra[2].value};
        st = store_run(s, STORE_READ, list_clients_tx, &l);
        json_t *arr = json_array();
        for (size_t i = 0; st == STORE_OK && i < l.n; i++) {
            if (as_json)
                json_array_append_new(arr, client_json(&l.clients[i]));
            else
                printf("%s  org %s  %s%s\n", l.clients[i].id, l.clients[i].organization_id,
                       l.clients[i].scopes, l.clients[i].revoked_at ? "  (revoked)" : "");
        }
        if (as_json && st == STORE_OK)
            cli_print_json(arr);
        else
            json_decref(arr);
        free(l.clients);
    } else {
        st = store_run(s, STORE_WRITE, revoke_tx, (void *)pos[0]);
        if (st == STORE_NOT_FOUND) {
            fprintf(stderr, "signet admin: no client with id '%s'\n", pos[0]);
            goto cleanup;
        }
        if (st == STORE_CONFLICT) {
            fprintf(stderr, "signet admin: client '%s' is already revoked\n", pos[0]);
            goto cleanup;
        }
        if (st == STORE_OK) {
            if (as_json)
                cli_print_json(json_pack("{s:s, s:b}", "client_id", pos[0], "revoked", 1));
            else
                printf("client %s revoked\n", pos[0]);
        }
    }
    if (st != STORE_OK) {
        fprintf(stderr, "signet admin: the store failed (%s)\n", store_status_name(st));
        goto cleanup;
    }
    rc = 0;
cleanup:
    store_close(s);
    config_free(&cfg);
    return rc;
}
