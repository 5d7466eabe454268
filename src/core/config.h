/*
 * Configuration: one table of options drives command-line flags (--name VALUE or
 * --name=VALUE), environment variables (SIGNET_NAME, dashes as underscores) and an optional
 * config file (lines "name = value", '#' comments), in that precedence over the defaults.
 *
 * Commands may add their own options (struct cli_opt) that are only accepted on the command
 * line. Errors produce one line naming the option and the problem; callers exit with 2.
 *
 * Ownership: config_load fills a struct config whose strings it owns; config_free releases
 * them. cli_opt values point into argv (not owned).
 */
#ifndef SIGNET_CORE_CONFIG_H
#define SIGNET_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config {
    char *listen;      /* HOST:PORT as given */
    char *listen_host; /* parsed from listen */
    int listen_port;   /* 0 lets the OS choose (tests) */
    char *data_dir;
    char *public_url; /* without trailing slash; defaults to http://LISTEN */
    char *store;      /* "sqlite" (in data_dir), "sqlite:PATH" or "postgres://…" */
    char *realm;      /* OAuth realm of the built-in token endpoint */
    char *config_file;
    char *log_level;
    char *master_key_file;      /* key-encryption key for keys/data at rest */
    char *documents;            /* "" (DATA/blobs), a directory, or "database" */
    int64_t threads;            /* HTTP worker threads; 0 = number of cores */
    int64_t max_body;           /* bytes */
    int64_t token_ttl;          /* seconds an access token lives */
    char *token_audience;       /* "aud" of access tokens and what bearer tokens must carry */
    int64_t token_rate;         /* token requests per second per address (and per client) */
    int64_t token_burst;        /* bucket size of that rate limit */
    int64_t token_client_rate;  /* per client instead, when not 0 */
    int64_t token_client_burst; /* per client instead, when not 0 */
    char *external_issuer;      /* accepted foreign token issuer ("" = none) */
    char *external_jwks;        /* its JWKS: file path or http(s) URL */
    int64_t shutdown_grace;     /* seconds to wait for in-flight requests on SIGTERM */
    int64_t setup_link_ttl;     /* seconds a setup link (/ui/setup/{token}) stays usable */
    char *max_validity;         /* ISO 8601 duration: longest validUntil after a release */
    int64_t open_link_ttl;      /* seconds a TEMPORARY open link (/ui/open/{token}) stays usable */
    char *retention;            /* ISO 8601 duration files are kept after a process ends */
    int64_t retention_ms;       /* the same in ms (set by config_load) */
    int64_t job_interval;       /* seconds between background job passes; 0: no jobs on this node */
    bool demo;                  /* create/print demo organization and client on start */
    char *tsa_policy;           /* policy OID of RFC 3161 time stamps (docs/pki.md) */
    char *pki_root_cert;        /* PEM root certificate to create the PKI under ("": a new root) */
    char *pki_root_key;         /* its unencrypted PEM private key */
    /* Notifications (docs/notify.md): "" smtp_url / sms_url = that channel goes to the dev
     * outbox instead of a gateway. */
    char *smtp_url;      /* smtp://HOST:PORT or smtps://HOST:PORT */
    char *smtp_user;     /* "" : no authentication */
    char *smtp_password; /* set from smtp_password_file when that is given */
    char *smtp_password_file;
    char *smtp_from;             /* From: "Name <addr>" or "addr" */
    bool smtp_starttls;          /* smtp://: require STARTTLS */
    char *sms_url;               /* HTTP(S) URL of the SMS gateway */
    char *sms_auth_header;       /* full header line, e.g. "Authorization: Bearer …" ("": none) */
    char *sms_body_template;     /* JSON body with {to} and {text} */
    int64_t notify_max_attempts; /* delivery attempts before a message is FAILED */
    bool dev_outbox;             /* serve /ui/outbox (also with demo) when no gateway is set */
    /* Smart Registration Service (docs/srs.md). */
    char *srs_methods_file; /* JSON methods catalogue ("": the embedded default) */
    char *
        srs_partner_secret; /* HMAC secret of partner callbacks ("": derived from the master key) */
    char *srs_eid_issuers;  /* JWKS file of trusted eID credential issuers ("": none) */
};

struct cli_opt {
    const char *name; /* long option name without dashes */
    bool takes_value; /* false: a flag */
    const char *help;
    const char *value; /* set by parsing: the value, or "true" for a present flag */
};

enum config_result { CONFIG_OK = 0, CONFIG_HELP = 1, CONFIG_ERROR = 2 };

/*
 * Parses argv[0..argc) (the arguments after the command words): config options from the
 * table, the command's own `extra` options (array ending with a NULL name, may be NULL), and
 * positionals (up to max_pos, stored as pointers into argv). Then loads the config file and
 * the environment. On CONFIG_ERROR, err holds one line naming the bad option or value.
 */
enum config_result config_load(struct config *cfg, int argc, char **argv, struct cli_opt *extra,
                               const char **positional, size_t max_pos, size_t *n_pos, char *err,
                               size_t err_len);
void config_free(struct config *cfg);
/* Prints the options (config table, then the extra ones) for --help. */
void config_print_help(const struct cli_opt *extra);

#endif
