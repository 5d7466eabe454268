/* signet admin srs export|delete: a person's SRS data for the operator (docs/srs.md "Export
 * and deletion"), on the store directly. Export prints the document of srs/export.h; delete
 * destroys the person's data when no registration of theirs is in use or inside retention
 * (srs/retention.h). Both are audited with the actor "operator:cli". */
#include "cli/cli.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/masterkey.h"
#include "srs/catalogue.h"
#include "srs/export.h"
#include "srs/registration.h"
#include "srs/retention.h"
#include "store/srs_data.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPERATOR "operator:cli"

static void srs_usage(FILE *out)
{
    fprintf(out,
            "Usage: signet admin srs COMMAND --registration ID [OPTIONS]\n\n"
            "  export --registration ID   the person's data (their registrations with the same\n"
            "                             verified mobile, verified_claims, evidence, terms,\n"
            "                             audit trail) as one JSON document on stdout\n"
            "  delete --registration ID   destroys the person's data (data keys, identity,\n"
            "                             evidence) unless a registration is in use or inside\n"
            "                             its retention (exit 3 with the reason)\n\n"
            "Both are audited (actor \"" OPERATOR "\"). Takes the same --data / --store /\n"
            "--master-key-file / --srs-methods-file options as serve.\n");
}

struct owner_op {
    const char *id;
    char org[STORE_ID_LEN];
};

static enum store_status owner_tx(struct store_tx *tx, void *cls)
{
    struct owner_op *op = cls;
    return store_srs_owner(tx, op->id, op->org);
}

static int do_export(const struct srs_env *env, const char *org, const char *id)
{
    json_t *doc = NULL;
    int64_t ended = 0;
    char when[ISO_DATETIME_LEN];
    enum srs_result res =
        srs_person_export(env, org, id, OPERATOR, false, time_now_ms(), &doc, &ended);
    if (res == SRS_R_GONE) {
        iso_format_datetime(ended, false, when);
        fprintf(stderr, "signet admin srs: the personal data of %s was deleted at %s\n", id, when);
        return 3;
    }
    if (res != SRS_R_OK) {
        fprintf(stderr, "signet admin srs: the export failed (store or sealed data)\n");
        return 1;
    }
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(doc);
    if (!text)
        return 1;
    puts(text);
    free(text);
    return 0;
}

static int do_delete(const struct srs_env *env, const char *org, const char *id)
{
    struct srs_delete_result d;
    char when[ISO_DATETIME_LEN];
    enum srs_result res = srs_person_delete(env, org, id, OPERATOR, time_now_ms(), &d);
    if (res == SRS_R_OK) {
        printf("%zu registration(s) deleted, %zu already deleted\n", d.deleted, d.already);
        return 0;
    }
    if (res != SRS_R_CONFLICT) {
        fprintf(stderr, "signet admin srs: the deletion failed (store)\n");
        return 1;
    }
    if (!d.retention_until) {
        fprintf(stderr, "signet admin srs: registration %s is %s (still in use); revoke it first\n",
                d.blocking_id, d.blocking_status);
    } else if (d.retention_until == INT64_MAX) {
        fprintf(stderr, "signet admin srs: registration %s has no retention rule; kept\n",
                d.blocking_id);
    } else {
        iso_format_datetime(d.retention_until, false, when);
        fprintf(stderr, "signet admin srs: registration %s is inside its retention until %s\n",
                d.blocking_id, when);
    }
    return 3;
}

int cli_admin_srs(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        srs_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    const char *verb = argv[0];
    struct cli_opt extra[] = {
        {"registration", true, "the registration id (its person is exported or deleted)", NULL},
        {NULL, false, NULL, NULL},
    };
    struct config cfg;
    char err[512];
    const char *pos[1];
    size_t npos = 0;
    int rc = 2;
    struct store *s = NULL;
    unsigned char mk[CRYPTO_KEY_LEN];
    enum config_result cr =
        config_load(&cfg, argc - 1, argv + 1, extra, pos, 0, &npos, err, sizeof err);
    if (cr == CONFIG_HELP) {
        srs_usage(stdout);
        printf("\nOptions:\n");
        config_print_help(extra);
        config_free(&cfg);
        return 0;
    }
    if (cr == CONFIG_ERROR) {
        fprintf(stderr, "signet admin srs: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    log_set_level((enum log_level)log_level_parse(cfg.log_level));
    bool is_export = !strcmp(verb, "export"), is_delete = !strcmp(verb, "delete");
    struct owner_op owner = {.id = extra[0].value};
    if (!is_export && !is_delete) {
        fprintf(stderr, "signet admin srs: unknown command '%s' (see signet admin srs --help)\n",
                verb);
        goto cleanup;
    }
    if (!owner.id || !owner.id[0]) {
        fprintf(stderr, "signet admin srs: %s needs --registration ID\n", verb);
        goto cleanup;
    }
    rc = 1;
    struct srs_env env = {.cfg = &cfg, .master_key = mk};
    env.catalogue = srs_catalogue_get(&cfg, err, sizeof err);
    if (!env.catalogue) {
        fprintf(stderr, "signet admin srs: the methods catalogue is not usable: %s\n", err);
        goto cleanup;
    }
    if (!masterkey_load(&cfg, mk, err, sizeof err)) {
        fprintf(stderr, "signet admin srs: %s\n", err);
        goto cleanup;
    }
    s = cli_open_store(&cfg);
    if (!s)
        goto cleanup;
    env.store = s;
    enum store_status st = store_run(s, STORE_READ, owner_tx, &owner);
    if (st == STORE_NOT_FOUND) {
        fprintf(stderr, "signet admin srs: no registration '%s'\n", owner.id);
        goto cleanup;
    }
    if (st != STORE_OK) {
        fprintf(stderr, "signet admin srs: the store failed (%s)\n", store_status_name(st));
        goto cleanup;
    }
    rc = is_export ? do_export(&env, owner.org, owner.id) : do_delete(&env, owner.org, owner.id);
cleanup:
    memset(mk, 0, sizeof mk);
    store_close(s);
    config_free(&cfg);
    return rc;
}
