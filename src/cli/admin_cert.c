/* signet admin cert list|revoke: the certificate registry in the store directly (works while
 * a server runs on the same store: OCSP answers from the registry on every request, and the
 * next CRL is made from it). docs/pki.md, "Revocation". */
#include "cli/cli.h"
#include "core/config.h"
#include "core/isotime.h"
#include "core/str.h"
#include "pki/ca.h"
#include "pki/registry.h"
#include "pki/revocation.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cert_usage(FILE *out)
{
    fprintf(out,
            "Usage: signet admin cert COMMAND [OPTIONS]\n\n"
            "  list [--issuer NAME] [--revoked] [--json]\n"
            "        certificates Signet issued (signer certificates; the issuing CAs, tsa and\n"
            "        ocsp issued by the root), oldest first\n"
            "  revoke --issuer NAME --serial HEX [--reason REASON] [--json]\n"
            "        revoke a certificate at once: OCSP answers \"revoked\" from now on and the\n"
            "        issuer's next CRL lists it. NAME is the issuing CA: root, simple-ca,\n"
            "        advanced-ca or qualified-ca. HEX as openssl prints it (colons and case do\n"
            "        not matter). REASON: unspecified (default), keyCompromise, cACompromise,\n"
            "        affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn,\n"
            "        aACompromise. A revocation cannot be undone.\n\n"
            "Takes the same --data / --store options as serve.\n");
}

static json_t *opt_string(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *cert_json(const struct store_cert *c)
{
    char nb[ISO_DATETIME_LEN], na[ISO_DATETIME_LEN], created[ISO_DATETIME_LEN],
        revoked[ISO_DATETIME_LEN] = "";
    iso_format_datetime(c->not_before, false, nb);
    iso_format_datetime(c->not_after, false, na);
    iso_format_datetime(c->created_at, false, created);
    if (c->revoked_at)
        iso_format_datetime(c->revoked_at, false, revoked);
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "issuer", c->issuer, "serial", c->serial_hex,
                  "subject", c->subject, "not_before", nb, "not_after", na, "created", created);
    json_object_set_new(j, "organization_id", opt_string(c->organization_id));
    json_object_set_new(j, "revoked", opt_string(revoked));
    json_object_set_new(j, "reason", opt_string(c->revocation_reason));
    return j;
}

struct cert_ctx {
    const char *issuer;
    const char *serial;
    const char *reason;
    bool revoked_only;
    struct store_cert *certs;
    size_t n;
    struct store_cert one;
};

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct cert_ctx *c = cls;
    free(c->certs); /* a retried transaction starts over */
    c->certs = NULL;
    c->n = 0;
    return store_cert_list(tx, c->issuer, c->revoked_only, &c->certs, &c->n);
}

static enum store_status revoke_tx(struct store_tx *tx, void *cls)
{
    struct cert_ctx *c = cls;
    int64_t now = time_now_ms();
    /* Hierarchy certificates are recorded at the server's start; a store whose server has
     * not started since the registry exists gets them now. */
    enum store_status st = pki_registry_sync_hierarchy(tx, now);
    if (st == STORE_OK)
        st = store_cert_revoke(tx, c->issuer, c->serial, now, c->reason);
    if (st == STORE_OK)
        st = store_cert_get_by_serial(tx, c->issuer, c->serial, &c->one);
    return st;
}

static bool is_ca_name(const char *name)
{
    int i = name ? pki_ca_entity_find(name, strlen(name)) : -1;
    const char *role = i >= 0 ? pki_ca_entity_role((size_t)i) : NULL;
    return role && (!strcmp(role, "root") || !strcmp(role, "issuing"));
}

int cli_admin_cert(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        cert_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    const char *verb = argv[0];
    struct cli_opt extra[] = {
        {"issuer", true, "issuing CA: root, simple-ca, advanced-ca, qualified-ca", NULL},
        {"serial", true, "serial number in hex", NULL},
        {"reason", true, "CRLReason name (default unspecified)", NULL},
        {"revoked", false, "list only revoked certificates", NULL},
        {"json", false, "print JSON", NULL},
        {NULL, false, NULL, NULL},
    };
    struct config cfg;
    char err[512], serial[PKI_SERIAL_HEX_LEN];
    const char *pos[1];
    size_t npos = 0;
    int rc = 1;
    struct store *s = NULL;
    struct cert_ctx c = {0};
    enum config_result cr =
        config_load(&cfg, argc - 1, argv + 1, extra, pos, 0, &npos, err, sizeof err);
    if (cr == CONFIG_HELP) {
        cert_usage(stdout);
        printf("\nOptions:\n");
        config_print_help(extra);
        config_free(&cfg);
        return 0;
    }
    if (cr == CONFIG_ERROR) {
        fprintf(stderr, "signet admin cert: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    bool as_json = extra[4].value != NULL;
    bool list = !strcmp(verb, "list"), revoke = !strcmp(verb, "revoke");
    c.issuer = extra[0].value;
    c.reason = extra[2].value ? extra[2].value : "unspecified";
    c.revoked_only = extra[3].value != NULL;
    rc = 2;
    if (!list && !revoke) {
        fprintf(stderr, "signet admin cert: unknown command '%s' (see signet admin cert --help)\n",
                verb);
        goto cleanup;
    }
    if (c.issuer && !is_ca_name(c.issuer)) {
        fprintf(stderr,
                "signet admin cert: invalid value '%s' for --issuer: expected root, simple-ca, "
                "advanced-ca or qualified-ca\n",
                c.issuer);
        goto cleanup;
    }
    if (revoke) {
        if (!c.issuer || !extra[1].value) {
            fprintf(stderr, "signet admin cert: revoke needs --issuer NAME and --serial HEX\n");
            goto cleanup;
        }
        if (!pki_serial_normalize(extra[1].value, serial, sizeof serial)) {
            fprintf(stderr,
                    "signet admin cert: invalid value '%s' for --serial: expected a non-zero "
                    "hexadecimal number such as 4A3F09…\n",
                    extra[1].value);
            goto cleanup;
        }
        int code = pki_reason_code(c.reason);
        if (code == PKI_REASON_NONE) {
            fprintf(stderr,
                    "signet admin cert: invalid value '%s' for --reason: expected unspecified, "
                    "keyCompromise, cACompromise, affiliationChanged, superseded, "
                    "cessationOfOperation, privilegeWithdrawn or aACompromise\n",
                    c.reason);
            goto cleanup;
        }
        c.reason = pki_reason_name(code); /* canonical spelling */
        c.serial = serial;
    }
    rc = 1;
    s = cli_open_store(&cfg);
    if (!s)
        goto cleanup;
    enum store_status st;
    if (list) {
        st = store_run(s, STORE_READ, list_tx, &c);
        json_t *arr = json_array();
        for (size_t i = 0; st == STORE_OK && i < c.n; i++) {
            const struct store_cert *x = &c.certs[i];
            if (as_json)
                json_array_append_new(arr, cert_json(x));
            else
                printf("%-12s  %s  %s%s%s%s\n", x->issuer, x->serial_hex, x->subject,
                       x->revoked_at ? "  (revoked: " : "",
                       x->revoked_at ? x->revocation_reason : "", x->revoked_at ? ")" : "");
        }
        if (as_json && st == STORE_OK)
            cli_print_json(arr);
        else
            json_decref(arr);
    } else {
        st = store_run(s, STORE_WRITE, revoke_tx, &c);
        if (st == STORE_NOT_FOUND) {
            fprintf(stderr, "signet admin cert: %s issued no certificate with serial %s\n",
                    c.issuer, c.serial);
            goto cleanup;
        }
        if (st == STORE_CONFLICT) {
            fprintf(stderr, "signet admin cert: the certificate %s of %s is already revoked\n",
                    c.serial, c.issuer);
            goto cleanup;
        }
        if (st == STORE_OK) {
            if (as_json)
                cli_print_json(cert_json(&c.one));
            else
                printf("certificate %s of %s (%s) revoked: %s\n", c.one.serial_hex, c.one.issuer,
                       c.one.subject, c.one.revocation_reason);
        }
    }
    if (st != STORE_OK) {
        fprintf(stderr, "signet admin cert: the store failed (%s)\n", store_status_name(st));
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(c.certs);
    store_close(s);
    config_free(&cfg);
    return rc;
}
