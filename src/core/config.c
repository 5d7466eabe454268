#include "core/config.h"

#include "core/isotime.h"
#include "core/log.h"
#include "core/str.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum opt_type { OPT_STRING, OPT_INT, OPT_BOOL };

struct option_def {
    const char *name;
    enum opt_type type;
    size_t offset;
    const char *def;
    int64_t min, max;
    const char *help;
};

#define STR(field, def, help)                                                                      \
    {                                                                                              \
#field, OPT_STRING, offsetof(struct config, field), def, 0, 0, help                        \
    }

static const struct option_def options[] = {
    {"listen", OPT_STRING, offsetof(struct config, listen), "127.0.0.1:8080", 0, 0,
     "address and port to serve on, HOST:PORT (port 0: any free port)"},
    {"data", OPT_STRING, offsetof(struct config, data_dir), "./var", 0, 0,
     "directory for the SQLite database, documents and keys"},
    {"public-url", OPT_STRING, offsetof(struct config, public_url), "", 0, 0,
     "URL under which people and integrators reach this server (links in e-mails, "
     "certificates); default http://LISTEN"},
    {"store", OPT_STRING, offsetof(struct config, store), "sqlite", 0, 0,
     "database: sqlite (in --data), sqlite:PATH or postgres://…"},
    {"documents", OPT_STRING, offsetof(struct config, documents), "", 0, 0,
     "where document bytes live: a directory (default DATA/blobs; the same shared directory "
     "on every node) or 'database' (in the --store database)"},
    {"realm", OPT_STRING, offsetof(struct config, realm), "signet", 0, 0,
     "OAuth realm of the token endpoint /realms/REALM/…"},
    {"config", OPT_STRING, offsetof(struct config, config_file), "", 0, 0,
     "configuration file with lines 'name = value'"},
    {"log-level", OPT_STRING, offsetof(struct config, log_level), "info", 0, 0,
     "error, warn, info or debug"},
    {"master-key-file", OPT_STRING, offsetof(struct config, master_key_file), "", 0, 0,
     "file with the 32-byte key that encrypts keys and personal data at rest "
     "(base64 or raw); default DATA/master.key, created on first start"},
    {"threads", OPT_INT, offsetof(struct config, threads), "0", 0, 1024,
     "HTTP worker threads (0: one per core)"},
    {"max-body", OPT_INT, offsetof(struct config, max_body), "62914560", 1024, 1LL << 32,
     "largest request body in bytes (default 60 MiB)"},
    {"token-ttl", OPT_INT, offsetof(struct config, token_ttl), "300", 10, 86400,
     "lifetime of access tokens in seconds"},
    {"token-audience", OPT_STRING, offsetof(struct config, token_audience), "signet-sign-api", 0, 0,
     "audience (aud) of access tokens, required in bearer tokens"},
    {"token-rate", OPT_INT, offsetof(struct config, token_rate), "20", 1, 1000000,
     "token requests per second allowed per client and per source address"},
    {"token-burst", OPT_INT, offsetof(struct config, token_burst), "40", 1, 1000000,
     "burst of token requests allowed above token-rate"},
    {"token-client-rate", OPT_INT, offsetof(struct config, token_client_rate), "0", 0, 1000000,
     "token requests per second allowed per client, when lower or higher than per address "
     "(0: token-rate)"},
    {"token-client-burst", OPT_INT, offsetof(struct config, token_client_burst), "0", 0, 1000000,
     "burst of token requests per client (0: token-burst)"},
    {"external-issuer", OPT_STRING, offsetof(struct config, external_issuer), "", 0, 0,
     "issuer URL of an external OAuth server whose access tokens are accepted too"},
    {"external-jwks", OPT_STRING, offsetof(struct config, external_jwks), "", 0, 0,
     "JWKS of the external issuer: a file path or an http(s) URL"},
    {"shutdown-grace", OPT_INT, offsetof(struct config, shutdown_grace), "30", 0, 3600,
     "seconds to let requests in flight finish on SIGTERM/SIGINT"},
    {"setup-link-ttl", OPT_INT, offsetof(struct config, setup_link_ttl), "86400", 60, 2592000,
     "seconds a setup link returned by POST /system/api/process/{id}/setup stays usable "
     "(default 24 h)"},
    {"max-validity", OPT_STRING, offsetof(struct config, max_validity), "P365D", 0, 0,
     "longest validUntil a release may set, as an ISO 8601 duration after the release"},
    {"open-link-ttl", OPT_INT, offsetof(struct config, open_link_ttl), "900", 30, 86400,
     "seconds a TEMPORARY link of POST /system/api/process/{id}/open/{personId} stays usable"},
    {"retention", OPT_STRING, offsetof(struct config, retention), "P90D", 0, 0,
     "how long the files of a completed or expired process are kept (archiveOn = end + this), "
     "as an ISO 8601 duration in weeks, days, hours, minutes or seconds; then the archive job "
     "deletes them"},
    {"job-interval", OPT_INT, offsetof(struct config, job_interval), "60", 0, 86400,
     "seconds between passes of the background jobs (process expiry); 0: this node runs none"},
    {"demo", OPT_BOOL, offsetof(struct config, demo), "false", 0, 0,
     "create a demo organization and API client and print credentials on start"},
    {"tsa-policy", OPT_STRING, offsetof(struct config, tsa_policy),
     "2.25.336782241598815905160109094009071991440.1.1", 0, 0,
     "policy OID of the time stamps issued at /tsa (default under Signet's arc, docs/pki.md)"},
    {"pki-root-cert", OPT_STRING, offsetof(struct config, pki_root_cert), "", 0, 0,
     "PEM root CA certificate to create the PKI under on first start (default: a new root)"},
    {"pki-root-key", OPT_STRING, offsetof(struct config, pki_root_key), "", 0, 0,
     "unencrypted PEM private key of --pki-root-cert (sealed into the store; then remove it)"},
    {"smtp-url", OPT_STRING, offsetof(struct config, smtp_url), "", 0, 0,
     "SMTP server for e-mail notifications, smtp://HOST:PORT or smtps://HOST:PORT "
     "(none: e-mails go to the dev outbox)"},
    {"smtp-user", OPT_STRING, offsetof(struct config, smtp_user), "", 0, 0,
     "SMTP user name (none: no authentication)"},
    {"smtp-password", OPT_STRING, offsetof(struct config, smtp_password), "", 0, 0,
     "SMTP password (prefer smtp-password-file)"},
    {"smtp-password-file", OPT_STRING, offsetof(struct config, smtp_password_file), "", 0, 0,
     "file whose first line is the SMTP password"},
    {"smtp-from", OPT_STRING, offsetof(struct config, smtp_from), "Signet <signet@localhost>", 0, 0,
     "From address of notification e-mails, 'Name <address>' or 'address'"},
    {"smtp-starttls", OPT_BOOL, offsetof(struct config, smtp_starttls), "true", 0, 0,
     "require STARTTLS on smtp:// URLs (smtps:// is TLS from the start)"},
    {"sms-url", OPT_STRING, offsetof(struct config, sms_url), "", 0, 0,
     "HTTP(S) URL of the SMS gateway, called with POST (none: SMS go to the dev outbox)"},
    {"sms-auth-header", OPT_STRING, offsetof(struct config, sms_auth_header), "", 0, 0,
     "header sent to the SMS gateway, e.g. 'Authorization: Bearer TOKEN'"},
    {"sms-body-template", OPT_STRING, offsetof(struct config, sms_body_template),
     "{\"to\":\"{to}\",\"text\":\"{text}\"}", 0, 0,
     "JSON body sent to the SMS gateway; {to} and {text} are replaced (JSON-escaped)"},
    {"notify-max-attempts", OPT_INT, offsetof(struct config, notify_max_attempts), "10", 1, 100,
     "delivery attempts of a notification before it is given up (FAILED)"},
    {"dev-outbox", OPT_BOOL, offsetof(struct config, dev_outbox), "false", 0, 0,
     "serve the dev outbox page /ui/outbox (also with --demo) while no SMTP/SMS gateway is "
     "configured"},
    {"srs-methods-file", OPT_STRING, offsetof(struct config, srs_methods_file), "", 0, 0,
     "JSON catalogue of registration methods (docs/srs.md; none: the built-in one)"},
    {"srs-partner-secret", OPT_STRING, offsetof(struct config, srs_partner_secret), "", 0, 0,
     "shared secret of the identification partners' HMAC-signed callbacks (none: derived from "
     "the master key)"},
    {"srs-eid-issuers", OPT_STRING, offsetof(struct config, srs_eid_issuers), "", 0, 0,
     "JWKS file of the issuers whose eID credentials (SD-JWT VC) are trusted for the SRS_EID "
     "method (docs/srs.md; none: eID presentations are refused)"},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

static const struct option_def *find_option(const char *name, size_t len)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
            return &options[i];
    return NULL;
}

static bool parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
        *out = true;
    else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off"))
        *out = false;
    else
        return false;
    return true;
}

/* Sets one option from text; `source` names where it came from for the error line. */
static bool set_option(struct config *cfg, const struct option_def *o, const char *value,
                       const char *source, char *err, size_t err_len)
{
    void *field = (char *)cfg + o->offset;
    switch (o->type) {
    case OPT_STRING: {
        char *dup = strdup(value);
        if (!dup) {
            snprintf(err, err_len, "out of memory");
            return false;
        }
        free(*(char **)field);
        *(char **)field = dup;
        return true;
    }
    case OPT_INT: {
        int64_t v;
        if (!str_to_i64(value, o->min, o->max, &v)) {
            snprintf(err, err_len,
                     "%s: invalid value '%s' for %s: expected a whole number "
                     "from %lld to %lld",
                     source, value, o->name, (long long)o->min, (long long)o->max);
            return false;
        }
        *(int64_t *)field = v;
        return true;
    }
    case OPT_BOOL:
        if (!parse_bool(value, (bool *)field)) {
            snprintf(err, err_len, "%s: invalid value '%s' for %s: expected true or false", source,
                     value, o->name);
            return false;
        }
        return true;
    }
    return false;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static bool load_file(struct config *cfg, const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_len, "config: cannot read file '%s': %s", path, strerror(errno));
        return false;
    }
    char line[4096];
    int lineno = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        char source[512];
        snprintf(source, sizeof source, "config file %.400s line %d", path, lineno);
        if (!eq) {
            snprintf(err, err_len, "%s: expected 'name = value'", source);
            ok = false;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        for (char *k = key; *k; k++)
            if (*k == '_')
                *k = '-';
        const struct option_def *o = find_option(key, strlen(key));
        if (!o) {
            snprintf(err, err_len, "%s: unknown option '%s'", source, key);
            ok = false;
            break;
        }
        ok = set_option(cfg, o, value, source, err, err_len);
    }
    fclose(f);
    return ok;
}

static bool parse_listen(struct config *cfg, char *err, size_t err_len)
{
    const char *colon = strrchr(cfg->listen, ':');
    int64_t port;
    if (!colon || colon == cfg->listen || !str_to_i64(colon + 1, 0, 65535, &port)) {
        snprintf(err, err_len,
                 "invalid value '%s' for listen: expected HOST:PORT, "
                 "e.g. 127.0.0.1:8080",
                 cfg->listen);
        return false;
    }
    const char *host = cfg->listen;
    size_t hlen = (size_t)(colon - host);
    if (host[0] == '[' && hlen >= 2 && host[hlen - 1] == ']') {
        host++;
        hlen -= 2;
    }
    free(cfg->listen_host);
    cfg->listen_host = str_ndup(host, hlen);
    cfg->listen_port = (int)port;
    return cfg->listen_host != NULL;
}

/* Notification settings: the password file, and URLs of a known scheme. */
static bool finish_notify(struct config *cfg, char *err, size_t err_len)
{
    if (cfg->smtp_url[0] && !str_has_prefix(cfg->smtp_url, "smtp://") &&
        !str_has_prefix(cfg->smtp_url, "smtps://")) {
        snprintf(err, err_len,
                 "invalid value '%s' for smtp-url: expected smtp://HOST:PORT or "
                 "smtps://HOST:PORT",
                 cfg->smtp_url);
        return false;
    }
    if (cfg->sms_url[0] && !str_has_prefix(cfg->sms_url, "http://") &&
        !str_has_prefix(cfg->sms_url, "https://")) {
        snprintf(err, err_len, "invalid value '%s' for sms-url: expected http://… or https://…",
                 cfg->sms_url);
        return false;
    }
    if (cfg->sms_auth_header[0] &&
        (!strchr(cfg->sms_auth_header, ':') || strpbrk(cfg->sms_auth_header, "\r\n"))) {
        snprintf(err, err_len, "invalid value for sms-auth-header: expected 'Name: value'");
        return false;
    }
    if (!strchr(cfg->smtp_from, '@') || strpbrk(cfg->smtp_from, "\r\n")) {
        snprintf(err, err_len,
                 "invalid value '%s' for smtp-from: expected 'Name <address>' or 'address'",
                 cfg->smtp_from);
        return false;
    }
    if (cfg->smtp_password_file[0]) {
        FILE *f = fopen(cfg->smtp_password_file, "r");
        char line[1024] = "";
        if (!f || !fgets(line, sizeof line, f)) {
            snprintf(err, err_len, "smtp-password-file: cannot read '%s'%s%s",
                     cfg->smtp_password_file, f ? "" : ": ", f ? "" : strerror(errno));
            if (f)
                fclose(f);
            return false;
        }
        fclose(f);
        line[strcspn(line, "\r\n")] = '\0';
        char *dup = strdup(line);
        if (!dup)
            return false;
        free(cfg->smtp_password);
        cfg->smtp_password = dup;
    }
    return true;
}

static bool finish(struct config *cfg, char *err, size_t err_len)
{
    if (!finish_notify(cfg, err, err_len))
        return false;
    if (!parse_listen(cfg, err, err_len))
        return false;
    struct iso_duration max_validity;
    if (!iso_parse_duration(cfg->max_validity, &max_validity)) {
        snprintf(err, err_len,
                 "invalid value '%s' for max-validity: expected an ISO 8601 "
                 "duration such as P365D",
                 cfg->max_validity);
        return false;
    }
    struct iso_duration retention;
    if (!iso_parse_duration(cfg->retention, &retention) ||
        !iso_duration_fixed_ms(&retention, &cfg->retention_ms) || cfg->retention_ms <= 0) {
        snprintf(err, err_len,
                 "invalid value '%s' for retention: expected a positive ISO 8601 duration "
                 "without years or months, such as P90D or P520W",
                 cfg->retention);
        return false;
    }
    if (log_level_parse(cfg->log_level) < 0) {
        snprintf(err, err_len,
                 "invalid value '%s' for log-level: expected error, warn, info "
                 "or debug",
                 cfg->log_level);
        return false;
    }
    if (strcmp(cfg->store, "sqlite") != 0 && !str_has_prefix(cfg->store, "sqlite:") &&
        !str_has_prefix(cfg->store, "postgres://") &&
        !str_has_prefix(cfg->store, "postgresql://")) {
        snprintf(err, err_len,
                 "invalid value '%s' for store: expected sqlite, sqlite:PATH or "
                 "postgres://…",
                 cfg->store);
        return false;
    }
    if (cfg->data_dir[0] == '\0') {
        snprintf(err, err_len, "invalid value '' for data: a directory is required");
        return false;
    }
    for (const char *r = cfg->realm; *r; r++)
        if (!isalnum((unsigned char)*r) && *r != '-' && *r != '_') {
            snprintf(err, err_len, "invalid value '%s' for realm: letters, digits, - and _ only",
                     cfg->realm);
            return false;
        }
    if (cfg->realm[0] == '\0') {
        snprintf(err, err_len, "invalid value '' for realm: a name is required");
        return false;
    }
    size_t n = strlen(cfg->public_url);
    while (n > 0 && cfg->public_url[n - 1] == '/')
        cfg->public_url[--n] = '\0';
    if (n == 0) {
        free(cfg->public_url);
        size_t len = strlen(cfg->listen) + 8;
        cfg->public_url = malloc(len);
        if (!cfg->public_url)
            return false;
        snprintf(cfg->public_url, len, "http://%s", cfg->listen);
    } else if (!str_has_prefix(cfg->public_url, "http://") &&
               !str_has_prefix(cfg->public_url, "https://")) {
        snprintf(err, err_len,
                 "invalid value '%s' for public-url: expected http://… or "
                 "https://…",
                 cfg->public_url);
        return false;
    }
    return true;
}

enum config_result config_load(struct config *cfg, int argc, char **argv, struct cli_opt *extra,
                               const char **positional, size_t max_pos, size_t *n_pos, char *err,
                               size_t err_len)
{
    memset(cfg, 0, sizeof *cfg);
    *n_pos = 0;
    err[0] = '\0';
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (!set_option(cfg, &options[i], options[i].def, "default", err, err_len))
            return CONFIG_ERROR;

    /* First pass over argv: validate names, find --config, collect positionals. */
    const char *config_path = getenv("SIGNET_CONFIG");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return CONFIG_HELP;
        if (strncmp(a, "--", 2) != 0) {
            if (*n_pos >= max_pos) {
                snprintf(err, err_len, "unexpected argument '%s'", a);
                return CONFIG_ERROR;
            }
            positional[(*n_pos)++] = a;
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const struct option_def *o = find_option(name, nlen);
        struct cli_opt *x = NULL;
        for (struct cli_opt *e = extra; !o && e && e->name; e++)
            if (strlen(e->name) == nlen && !strncmp(e->name, name, nlen))
                x = e;
        if (!o && !x) {
            snprintf(err, err_len, "unknown option '--%.*s' (see --help)", (int)nlen, name);
            return CONFIG_ERROR;
        }
        bool flag = o ? o->type == OPT_BOOL : !x->takes_value;
        const char *value = eq ? eq + 1 : NULL;
        if (!value && !flag) {
            if (i + 1 >= argc) {
                snprintf(err, err_len, "option '--%.*s' needs a value", (int)nlen, name);
                return CONFIG_ERROR;
            }
            value = argv[++i];
        }
        if (!value)
            value = "true";
        if (x)
            x->value = value;
        else if (!strcmp(o->name, "config"))
            config_path = value;
    }
    if (config_path && *config_path && !load_file(cfg, config_path, err, err_len))
        return CONFIG_ERROR;

    /* Environment: SIGNET_LISTEN, SIGNET_PUBLIC_URL, … */
    for (size_t i = 0; i < N_OPTIONS; i++) {
        char env[64] = "SIGNET_";
        size_t k = 7;
        for (const char *c = options[i].name; *c && k < sizeof env - 1; c++)
            env[k++] = *c == '-' ? '_' : (char)toupper((unsigned char)*c);
        env[k] = '\0';
        const char *v = getenv(env);
        if (v && !set_option(cfg, &options[i], v, env, err, err_len))
            return CONFIG_ERROR;
    }

    /* Flags last: they win. */
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0)
            continue;
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const struct option_def *o = find_option(name, nlen);
        if (!o) {
            bool takes = false;
            for (struct cli_opt *e = extra; e && e->name; e++)
                if (strlen(e->name) == nlen && !strncmp(e->name, name, nlen))
                    takes = e->takes_value;
            if (takes && !eq)
                i++;
            continue;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (!value && o->type != OPT_BOOL)
            value = argv[++i];
        if (!value)
            value = "true";
        char source[80];
        snprintf(source, sizeof source, "option --%s", o->name);
        if (!set_option(cfg, o, value, source, err, err_len))
            return CONFIG_ERROR;
    }
    return finish(cfg, err, err_len) ? CONFIG_OK : CONFIG_ERROR;
}

void config_free(struct config *cfg)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].type == OPT_STRING) {
            char **field = (char **)((char *)cfg + options[i].offset);
            free(*field);
            *field = NULL;
        }
    free(cfg->listen_host);
    cfg->listen_host = NULL;
}

void config_print_help(const struct cli_opt *extra)
{
    for (const struct cli_opt *e = extra; e && e->name; e++)
        printf("  --%-18s %s\n", e->takes_value ? e->name : e->name, e->help);
    printf("\nCommon options (also SIGNET_NAME environment variables or 'name = value' lines "
           "in --config FILE;\nflags win over the environment, which wins over the file):\n");
    for (size_t i = 0; i < N_OPTIONS; i++)
        printf("  --%-18s %s (default: %s)\n", options[i].name, options[i].help,
               options[i].def[0] ? options[i].def : "none");
}
