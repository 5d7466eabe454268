#include "srs/catalogue.h"

#include "core/config.h"
#include "core/embed.h"
#include "core/str.h"
#include "srs/connector.h"
#include "srs/retention.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CATALOGUE_EMBEDDED "config/srs-methods.json"
#define CATALOGUE_MAX      (1024 * 1024)

static const char *const languages[] = {"en", "de", "fr", "it"};

bool srs_jurisdiction_valid(const char *s)
{
    return s && (strcmp(s, "CH") == 0 || strcmp(s, "EU") == 0);
}

bool srs_level_valid(const char *s)
{
    return s && (strcmp(s, "ADVANCED") == 0 || strcmp(s, "QUALIFIED") == 0);
}

void srs_catalogue_free(struct srs_catalogue *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        json_decref(c->methods[i].entry);
    free(c->methods);
    if (c->partners)
        memset(c->partners, 0, c->n_partners * sizeof *c->partners);
    free(c->partners);
    json_decref(c->signing);
    json_decref(c->retention);
    free(c);
}

/* True when v is a non-empty array of strings each accepted by ok. */
static bool string_array(const json_t *v, bool (*ok)(const char *))
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return false;
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e) || (ok && !ok(json_string_value(e))))
            return false;
    }
    return true;
}

static bool language_valid(const char *s)
{
    for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++)
        if (strcmp(s, languages[i]) == 0)
            return true;
    return false;
}

static bool nonempty(const char *s)
{
    return s[0] != '\0' && strlen(s) < 64;
}

/* A text in every language: {"en": …, "de": …, "fr": …, "it": …}. */
static bool texts(const json_t *v)
{
    if (!json_is_object(v))
        return false;
    for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++) {
        const json_t *t = json_object_get(v, languages[i]);
        if (!json_is_string(t) || json_string_length(t) == 0)
            return false;
    }
    return true;
}

const struct srs_connector *srs_catalogue_connector(const struct srs_catalogue *c, const char *name)
{
    for (size_t i = 0; c && name && i < c->n_partners; i++)
        if (strcmp(c->partners[i].id, name) == 0)
            return &c->partners[i].connector;
    return srs_connector_find(name);
}

/* ---- partners connected by configuration ---- */

#define SECRET_MIN 16

static bool connector_id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n >= 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
            return false;
    return true;
}

/* Reads the secret named by secretEnv or secretFile into p (trailing newlines of a file
 * dropped). One line in err when missing, short or unreadable. */
static bool read_secret(const json_t *e, struct srs_partner_config *p, char *err, size_t err_len)
{
    const char *env = json_string_value(json_object_get(e, "secretEnv"));
    const char *file = json_string_value(json_object_get(e, "secretFile"));
    char buf[sizeof p->secret + 1];
    size_t n = 0;
    if ((env != NULL) == (file != NULL)) {
        snprintf(err, err_len,
                 "methods catalogue: connector \"%s\" needs exactly one of \"secretEnv\" and "
                 "\"secretFile\"",
                 p->id);
        return false;
    }
    if (env) {
        const char *v = getenv(env);
        n = v ? strlen(v) : 0;
        if (n > 0 && n < sizeof buf)
            memcpy(buf, v, n);
    } else {
        FILE *f = fopen(file, "rb");
        n = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f)
            fclose(f);
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            n--;
    }
    if (n < SECRET_MIN || n > sizeof p->secret) {
        snprintf(err, err_len,
                 "methods catalogue: connector \"%s\": the secret (%s %.200s) is missing, "
                 "unreadable, shorter than %d or longer than %zu bytes",
                 p->id, env ? "environment variable" : "file", env ? env : file, SECRET_MIN,
                 sizeof p->secret);
        memset(buf, 0, sizeof buf);
        return false;
    }
    memcpy(p->secret, buf, n);
    p->secret_len = n;
    memset(buf, 0, sizeof buf);
    return true;
}

/* The "connectors" section (may be absent) into c; one line in err naming the bad entry. */
static bool parse_partners(struct srs_catalogue *c, const json_t *list, char *err, size_t err_len)
{
    if (!list)
        return true;
    if (!json_is_array(list)) {
        snprintf(err, err_len, "methods catalogue: \"connectors\" must be an array");
        return false;
    }
    c->partners = calloc(json_array_size(list) + 1, sizeof *c->partners);
    if (!c->partners) {
        snprintf(err, err_len, "out of memory");
        return false;
    }
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e)
    {
        struct srs_partner_config *p = &c->partners[i];
        const char *id = json_string_value(json_object_get(e, "id"));
        const char *type = json_string_value(json_object_get(e, "type"));
        const char *url = json_string_value(json_object_get(e, "orderUrl"));
        if (!connector_id_valid(id) || srs_connector_find(id) || srs_catalogue_connector(c, id)) {
            snprintf(err, err_len,
                     "methods catalogue: connector %zu needs an \"id\" of a-z, 0-9 and - (at "
                     "most 31) that is not a built-in or another connector's",
                     i + 1);
            return false;
        }
        str_copy(p->id, sizeof p->id, id);
        if (!type || strcmp(type, SRS_CONNECTOR_WEBHOOK) != 0) {
            snprintf(err, err_len,
                     "methods catalogue: connector \"%s\" has an unknown \"type\" (known: %s)", id,
                     SRS_CONNECTOR_WEBHOOK);
            return false;
        }
        if (!srs_order_url_valid(url) || !str_copy(p->order_url, sizeof p->order_url, url)) {
            snprintf(err, err_len,
                     "methods catalogue: connector \"%s\" needs an \"orderUrl\" http(s):// with "
                     "{order} (and optionally {return}) and no other placeholder",
                     id);
            return false;
        }
        if (!read_secret(e, p, err, err_len))
            return false;
        p->connector = (struct srs_connector){
            .name = p->id,
            .open_order = NULL,
            .verify_callback = srs_callback_verify,
            .parse_result = srs_document_result_parse,
            .order_url = p->order_url,
            .secret = p->secret,
            .secret_len = p->secret_len,
        };
        c->n_partners++;
    }
    return true;
}

/* Checks one method entry into m; the name of the bad field into *bad. */
static bool parse_method(const struct srs_catalogue *c, json_t *e, struct srs_method *m,
                         const char **bad)
{
    const json_t *validity = json_object_get(e, "validity");
    const char *id = json_string_value(json_object_get(e, "id"));
    const char *connector = json_string_value(json_object_get(e, "connector"));
    const char *duration = json_string_value(json_object_get(validity, "duration"));
    const json_t *limited = json_object_get(validity, "limitedByDocumentExpiry");
    if (!id || !str_copy(m->id, sizeof m->id, id) || !id[0])
        *bad = "id";
    else if (!connector || !srs_catalogue_connector(c, connector) ||
             !str_copy(m->connector, sizeof m->connector, connector))
        *bad = "connector";
    else if (!texts(json_object_get(e, "name")))
        *bad = "name";
    else if (!texts(json_object_get(e, "description")))
        *bad = "description";
    else if (!string_array(json_object_get(e, "jurisdictions"), srs_jurisdiction_valid))
        *bad = "jurisdictions";
    else if (!string_array(json_object_get(e, "levels"), srs_level_valid))
        *bad = "levels";
    else if (!duration || !iso_parse_duration(duration, &m->validity))
        *bad = "validity.duration";
    else if (!json_is_boolean(limited))
        *bad = "validity.limitedByDocumentExpiry";
    else if (!string_array(json_object_get(e, "requirements"), nonempty))
        *bad = "requirements";
    else if (!string_array(json_object_get(e, "languages"), language_valid))
        *bad = "languages";
    else {
        m->limited_by_document = json_is_true(limited);
        m->entry = json_deep_copy(e);
        if (!m->entry) {
            *bad = "(out of memory)";
            return false;
        }
        json_object_del(m->entry, "connector"); /* internal */
        return true;
    }
    return false;
}

/* ---- what signing needs ---- */

static const char *const signature_levels[] = {"ADVANCED", "ADVANCED_EU", "QUALIFIED",
                                               "QUALIFIED_EU"};

/* Used when a catalogue file has no "signing" section (files written before it existed): a
 * qualified signature always needs a registration (sign/signing.h refuses one without). */
static const char default_signing[] =
    "{\"levels\": {"
    "\"QUALIFIED\": {\"jurisdiction\": \"CH\", \"level\": \"QUALIFIED\", \"registration\": "
    "\"REQUIRED\"},"
    "\"QUALIFIED_EU\": {\"jurisdiction\": \"EU\", \"level\": \"QUALIFIED\", \"registration\": "
    "\"REQUIRED\"}}}";

static bool signature_level_valid(const char *s)
{
    for (size_t i = 0; i < sizeof signature_levels / sizeof signature_levels[0]; i++)
        if (strcmp(s, signature_levels[i]) == 0)
            return true;
    return false;
}

static bool registration_value(const json_t *v)
{
    const char *s = json_string_value(v);
    return s && (strcmp(s, "REQUIRED") == 0 || strcmp(s, "NONE") == 0);
}

static bool is_qualified(const char *signature_level)
{
    return strncmp(signature_level, "QUALIFIED", 9) == 0;
}

/* True when some method of c serves jurisdiction and level. */
static bool served(const struct srs_catalogue *c, const char *jurisdiction, const char *level)
{
    for (size_t i = 0; i < c->n; i++)
        if (srs_method_serves(&c->methods[i], jurisdiction, level))
            return true;
    return false;
}

/* Checks the "signing" section s; with check_served also that a method of c serves each
 * level's registration. One line naming the bad entry in err. */
static bool signing_valid(const struct srs_catalogue *c, const json_t *s, bool check_served,
                          char *err, size_t err_len)
{
    const json_t *levels = json_object_get(s, "levels");
    const json_t *orgs = json_object_get(s, "organizations");
    const char *key;
    const json_t *v;
    if (!json_is_object(s) || !json_is_object(levels) || (orgs && !json_is_object(orgs))) {
        snprintf(err, err_len,
                 "methods catalogue: \"signing\" needs an object \"levels\" (and \"organizations\" "
                 "an object when given)");
        return false;
    }
    json_object_foreach((json_t *)levels, key, v)
    {
        const char *j = json_string_value(json_object_get(v, "jurisdiction"));
        const char *l = json_string_value(json_object_get(v, "level"));
        if (!signature_level_valid(key) || !srs_jurisdiction_valid(j) || !srs_level_valid(l) ||
            !registration_value(json_object_get(v, "registration"))) {
            snprintf(err, err_len,
                     "methods catalogue: signing level \"%.32s\" needs a known signature level, "
                     "\"jurisdiction\" CH|EU, \"level\" ADVANCED|QUALIFIED and \"registration\" "
                     "REQUIRED|NONE",
                     key);
            return false;
        }
        if (check_served && !served(c, j, l)) {
            snprintf(err, err_len, "methods catalogue: no method serves %s %s (signing level %s)",
                     j, l, key);
            return false;
        }
    }
    for (size_t i = 0; i < sizeof signature_levels / sizeof signature_levels[0]; i++) {
        const char *r = json_string_value(
            json_object_get(json_object_get(levels, signature_levels[i]), "registration"));
        if (is_qualified(signature_levels[i]) && (!r || strcmp(r, "REQUIRED") != 0)) {
            snprintf(err, err_len,
                     "methods catalogue: signing level %s must have \"registration\": \"REQUIRED\"",
                     signature_levels[i]);
            return false;
        }
    }
    const char *org;
    const json_t *o;
    json_object_foreach((json_t *)orgs, org, o)
    {
        if (!json_is_object(o)) {
            snprintf(err, err_len,
                     "methods catalogue: signing organization \"%.64s\" is not an object", org);
            return false;
        }
        json_object_foreach((json_t *)o, key, v)
        {
            if (!signature_level_valid(key) || !registration_value(v) ||
                !json_object_get(levels, key) ||
                (is_qualified(key) && strcmp(json_string_value(v), "REQUIRED") != 0)) {
                snprintf(err, err_len,
                         "methods catalogue: signing organization \"%.64s\", level \"%.32s\": "
                         "must be a level listed in \"levels\" with REQUIRED or NONE (REQUIRED "
                         "for qualified levels)",
                         org, key);
                return false;
            }
        }
    }
    return true;
}

bool srs_catalogue_signing_needs(const struct srs_catalogue *c, const char *organization_id,
                                 const char *signature_level, const char **jurisdiction,
                                 const char **level)
{
    *jurisdiction = *level = NULL;
    if (!c || !signature_level)
        return false;
    const json_t *entry = json_object_get(json_object_get(c->signing, "levels"), signature_level);
    if (!entry)
        return false;
    const json_t *own =
        json_object_get(json_object_get(json_object_get(c->signing, "organizations"),
                                        organization_id ? organization_id : ""),
                        signature_level);
    const char *need = json_string_value(own ? own : json_object_get(entry, "registration"));
    if (!need || strcmp(need, "REQUIRED") != 0)
        return false;
    *jurisdiction = json_string_value(json_object_get(entry, "jurisdiction"));
    *level = json_string_value(json_object_get(entry, "level"));
    return *jurisdiction && *level;
}

struct srs_catalogue *srs_catalogue_parse(const char *text, size_t len, char *err, size_t err_len)
{
    json_error_t jerr;
    struct srs_catalogue *c = NULL;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    const json_t *methods = json_object_get(root, "methods");
    if (!root) {
        snprintf(err, err_len, "the methods catalogue is not JSON (line %d: %s)", jerr.line,
                 jerr.text);
        goto fail;
    }
    if (!json_is_array(methods) || json_array_size(methods) == 0) {
        snprintf(err, err_len, "the methods catalogue needs a non-empty array \"methods\"");
        goto fail;
    }
    c = calloc(1, sizeof *c);
    if (c)
        c->methods = calloc(json_array_size(methods), sizeof *c->methods);
    if (!c || !c->methods) {
        snprintf(err, err_len, "out of memory");
        goto fail;
    }
    if (!parse_partners(c, json_object_get(root, "connectors"), err, err_len))
        goto fail;
    size_t i;
    json_t *e;
    json_array_foreach(methods, i, e)
    {
        const char *bad = NULL;
        if (!json_is_object(e) || !parse_method(c, e, &c->methods[i], &bad)) {
            snprintf(err, err_len, "methods catalogue: method %zu has a missing or bad \"%s\"",
                     i + 1, bad ? bad : "(entry)");
            goto fail;
        }
        c->n++;
        if (srs_catalogue_find(c, c->methods[i].id) != &c->methods[i]) {
            snprintf(err, err_len, "methods catalogue: method id \"%s\" appears twice",
                     c->methods[i].id);
            goto fail;
        }
    }
    const json_t *signing = json_object_get(root, "signing");
    c->signing = signing ? json_deep_copy(signing) : json_loads(default_signing, 0, NULL);
    if (!c->signing) {
        snprintf(err, err_len, "out of memory");
        goto fail;
    }
    /* A file without the section may offer no qualified method at all: then no qualified
     * signature can be made, which signing reports; a file that names a level must serve it. */
    if (!signing_valid(c, c->signing, signing != NULL, err, err_len))
        goto fail;
    /* Retention per jurisdiction (srs/retention.h); files without it get the default. */
    const json_t *retention = json_object_get(root, "retention");
    c->retention =
        retention ? json_deep_copy(retention) : json_loads(SRS_RETENTION_DEFAULT, 0, NULL);
    if (!c->retention || !srs_retention_valid(c->retention, err, err_len))
        goto fail;
    json_decref(root);
    return c;
fail:
    json_decref(root);
    srs_catalogue_free(c);
    return NULL;
}

const struct srs_method *srs_catalogue_find(const struct srs_catalogue *c, const char *id)
{
    for (size_t i = 0; c && id && i < c->n; i++)
        if (strcmp(c->methods[i].id, id) == 0)
            return &c->methods[i];
    return NULL;
}

static bool array_has(const json_t *a, const char *s)
{
    size_t i;
    const json_t *e;
    json_array_foreach(a, i, e)
    {
        if (strcmp(json_string_value(e), s) == 0)
            return true;
    }
    return false;
}

bool srs_method_serves(const struct srs_method *m, const char *jurisdiction, const char *level)
{
    return (!jurisdiction || array_has(json_object_get(m->entry, "jurisdictions"), jurisdiction)) &&
           (!level || array_has(json_object_get(m->entry, "levels"), level));
}

json_t *srs_catalogue_json(const struct srs_catalogue *c, const char *jurisdiction,
                           const char *level)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < c->n; i++)
        if (srs_method_serves(&c->methods[i], jurisdiction, level))
            json_array_append(list, c->methods[i].entry);
    return list ? json_pack("{s:o}", "methods", list) : NULL;
}

/* ---- the process-wide catalogue ---- */

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static bool load_done;
static struct srs_catalogue *loaded;
static char load_error[256];

static void load(const struct config *cfg)
{
    const char *path = cfg->srs_methods_file;
    if (path && path[0]) {
        FILE *f = fopen(path, "rb");
        char *text = malloc(CATALOGUE_MAX);
        size_t n = f && text ? fread(text, 1, CATALOGUE_MAX, f) : 0;
        if (!f || !text)
            snprintf(load_error, sizeof load_error, "cannot read the methods catalogue %s", path);
        else if (n == CATALOGUE_MAX)
            snprintf(load_error, sizeof load_error, "the methods catalogue %s is too large", path);
        else
            loaded = srs_catalogue_parse(text, n, load_error, sizeof load_error);
        if (f)
            fclose(f);
        free(text);
    } else {
        const struct embedded_file *e = embed_find(web_files, CATALOGUE_EMBEDDED);
        if (e)
            loaded =
                srs_catalogue_parse((const char *)e->data, e->size, load_error, sizeof load_error);
        else
            snprintf(load_error, sizeof load_error, "the built-in methods catalogue is missing");
    }
}

const struct srs_catalogue *srs_catalogue_get(const struct config *cfg, char *err, size_t err_len)
{
    /* Loaded once per process: the configuration does not change while it runs. */
    pthread_mutex_lock(&load_lock);
    if (!load_done) {
        load(cfg);
        load_done = true;
    }
    const struct srs_catalogue *c = loaded;
    if (!c)
        snprintf(err, err_len, "%s", load_error);
    pthread_mutex_unlock(&load_lock);
    return c;
}
