/*
 * The methods catalogue of the Smart Registration Service (docs/srs.md): which identification
 * methods exist, which jurisdictions ("CH" ZertES, "EU" eIDAS) and levels ("ADVANCED",
 * "QUALIFIED") each serves, how long a registration made with it stays valid, its names and
 * descriptions in en/de/fr/it, requirements and languages. It is operator data, not code: a
 * JSON file (--srs-methods-file), by default the embedded web/config/srs-methods.json.
 *
 * Each method names its partner connector (srs/connector.h): a built-in one or one of the
 * file's "connectors" (third-party partners connected by configuration); the connector is
 * internal and never shown to service providers.
 *
 * Ownership: srs_catalogue_parse returns a catalogue freed by srs_catalogue_free;
 * srs_catalogue_get returns the process-wide one (loaded once, never freed, read-only).
 */
#ifndef SIGNET_SRS_CATALOGUE_H
#define SIGNET_SRS_CATALOGUE_H

#include "core/isotime.h"
#include "srs/connector.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct config;

struct srs_method {
    char id[32];
    char connector[32];
    struct iso_duration validity;
    bool limited_by_document; /* never valid beyond the identity document's expiry */
    json_t *entry;            /* the public description (owned by the catalogue) */
};

/* A partner connected by configuration (the file's "connectors" section): {"id", "type":
 * "hmac-webhook", "orderUrl", "secretEnv" | "secretFile"}; the secret is read when the
 * catalogue is parsed. */
struct srs_partner_config {
    char id[32];
    char order_url[512];
    unsigned char secret[256];
    size_t secret_len;
    struct srs_connector connector; /* points into this entry */
};

struct srs_catalogue {
    struct srs_method *methods;
    size_t n;
    struct srs_partner_config *partners;
    size_t n_partners;
    /* What signing at each signature level needs (the file's "signing" section, checked;
     * owned): {"levels": {LEVEL: {"jurisdiction", "level", "registration"}}, "organizations":
     * {ORG_ID: {LEVEL: "REQUIRED" | "NONE"}}}. */
    json_t *signing;
    /* How long personal data is kept per jurisdiction (the file's "retention" section, checked
     * by srs/retention.h, or its default; owned): {JURISDICTION: {"duration", "from"}}. */
    json_t *retention;
};

/* Parses and checks a catalogue (every field, known jurisdictions/levels/languages, a
 * connector that exists, built in or in "connectors"). NULL with one line in err naming the
 * bad method and field, or the bad connector. */
struct srs_catalogue *srs_catalogue_parse(const char *text, size_t len, char *err, size_t err_len);
void srs_catalogue_free(struct srs_catalogue *c);

/* The catalogue of cfg (loaded on first use, from cfg->srs_methods_file or the embedded
 * default). NULL with one line in err when it cannot be loaded. Thread-safe. */
const struct srs_catalogue *srs_catalogue_get(const struct config *cfg, char *err, size_t err_len);

/* The connector called name: a configured partner of c, else a built-in one; NULL when none
 * (borrowed from c or static). */
const struct srs_connector *srs_catalogue_connector(const struct srs_catalogue *c,
                                                    const char *name);

/* The method with this id, or NULL. */
const struct srs_method *srs_catalogue_find(const struct srs_catalogue *c, const char *id);
/* True when m serves jurisdiction and level (NULL: any). */
bool srs_method_serves(const struct srs_method *m, const char *jurisdiction, const char *level);
/* {"methods":[…]} of the methods serving jurisdiction and level (NULL: any); owned. */
json_t *srs_catalogue_json(const struct srs_catalogue *c, const char *jurisdiction,
                           const char *level);

/* Whether signing at signature_level (the contract's "ADVANCED", "QUALIFIED_EU", …) for
 * organization_id needs an ACTIVE registration (the catalogue's "signing" section, an
 * organization's entry before the level's): true with the registration's jurisdiction ("CH" /
 * "EU") and level ("ADVANCED" / "QUALIFIED") in *jurisdiction and *level (borrowed from c). */
bool srs_catalogue_signing_needs(const struct srs_catalogue *c, const char *organization_id,
                                 const char *signature_level, const char **jurisdiction,
                                 const char **level);

/* True for "CH" / "EU", and for "ADVANCED" / "QUALIFIED". */
bool srs_jurisdiction_valid(const char *s);
bool srs_level_valid(const char *s);

#endif
