/*
 * The operator admin HTTP API: the admin-key authenticator and the /admin/v1 handlers. Bodies
 * are checked against small field tables (name, required, length) and the first bad field is
 * named in the Error object. Everything a handler allocates is freed before it returns.
 */
#include "auth/admin_api.h"

#include "app.h"
#include "core/b64.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/uuid.h"
#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Admin keys ---- */

static enum store_status insert_key_tx(struct store_tx *tx, void *cls)
{
    return store_admin_key_insert(tx, cls);
}

enum store_status auth_admin_key_create(struct store *s, const char *description,
                                        struct store_admin_key *out, char key[AUTH_SECRET_LEN])
{
    unsigned char raw[32];
    memset(out, 0, sizeof *out);
    if (!uuid_v4(out->id) || !rand_bytes(raw, sizeof raw))
        return STORE_ERROR;
    char *enc = b64_encode(raw, sizeof raw, B64_URL);
    memset(raw, 0, sizeof raw);
    if (!enc)
        return STORE_ERROR;
    str_copy(key, AUTH_SECRET_LEN, enc);
    free(enc);
    crypto_sha256_hex(key, strlen(key), out->key_hash);
    str_copy(out->description, sizeof out->description, description ? description : "");
    out->created_at = time_now_ms();
    return store_run(s, STORE_WRITE, insert_key_tx, out);
}

struct key_lookup {
    const char *hash;
    struct store_admin_key key;
};

static enum store_status find_key_tx(struct store_tx *tx, void *cls)
{
    struct key_lookup *l = cls;
    return store_admin_key_find_by_hash(tx, l->hash, &l->key);
}

static bool deny(struct http_request *req, const char *error, const char *message)
{
    char challenge[128];
    snprintf(challenge, sizeof challenge, "Bearer realm=\"signet-admin\"%s%s%s",
             error ? ", error=\"" : "", error ? error : "", error ? "\"" : "");
    const char *hdr[] = {"WWW-Authenticate", challenge, NULL};
    http_reply_error_headers(req, ERR_UNAUTHORIZED, hdr, "%s", message);
    return false;
}

bool auth_admin_authenticate(struct http_request *req)
{
    const char *authz = http_header(req, "Authorization");
    if (!authz || strncasecmp(authz, "Bearer ", 7) != 0)
        return deny(req, NULL,
                    "Send an admin key as 'Authorization: Bearer KEY' "
                    "(create one with 'signet admin key create').");
    const char *presented = authz + 7;
    while (*presented == ' ')
        presented++;
    size_t len = strlen(presented);
    if (len == 0 || len >= AUTH_SECRET_LEN)
        return deny(req, "invalid_token", "The admin key is not valid.");
    char hash[SHA256_HEX_LEN];
    crypto_sha256_hex(presented, len, hash);
    struct key_lookup l = {.hash = hash};
    enum store_status st = store_run(req->app->store, STORE_READ, find_key_tx, &l);
    if (st == STORE_NOT_FOUND)
        return deny(req, "invalid_token", "The admin key is not valid.");
    if (st != STORE_OK) {
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The store is not available (%s); try again.",
                         store_status_name(st));
        return false;
    }
    /* The lookup used the hash as an index; compare in constant time all the same. */
    if (strlen(l.key.key_hash) != 64 || !str_ct_equal(l.key.key_hash, hash, 64))
        return deny(req, "invalid_token", "The admin key is not valid.");
    if (l.key.revoked_at)
        return deny(req, "invalid_token", "The admin key has been revoked.");
    req->auth.authenticated = true;
    snprintf(req->auth.client_id, sizeof req->auth.client_id, "admin:%s", l.key.id);
    return true;
}

/* ---- Request bodies ---- */

struct field {
    const char *name;
    bool required;
    size_t max_len;
    const char **out; /* points into req->json; NULL when absent */
};

/* Checks the body against fields (ending with a NULL name); answers 400 and returns false on
 * the first bad field. A missing body counts as an empty object. */
static bool parse_fields(struct http_request *req, struct field *fields)
{
    for (struct field *f = fields; f->name; f++)
        *f->out = NULL;
    if (req->json && !json_is_object(req->json)) {
        http_reply_error(req, ERR_VALIDATION, "The request body must be a JSON object.");
        return false;
    }
    const char *key;
    json_t *value;
    json_object_foreach(req->json, key, value)
    {
        struct field *f = fields;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (!f->name) {
            http_reply_error(req, ERR_VALIDATION, "Unknown field '%.100s'.", key);
            return false;
        }
        if (json_is_null(value))
            continue;
        if (!json_is_string(value)) {
            http_reply_error(req, ERR_VALIDATION, "Field '%s' must be a string.", f->name);
            return false;
        }
        if (json_string_length(value) > f->max_len ||
            strlen(json_string_value(value)) != json_string_length(value)) {
            http_reply_error(req, ERR_VALIDATION,
                             "Field '%s' must be at most %zu characters (no NUL).", f->name,
                             f->max_len);
            return false;
        }
        *f->out = json_string_value(value);
    }
    for (struct field *f = fields; f->name; f++) {
        if (f->required && (!*f->out || !**f->out)) {
            http_reply_error(req, ERR_VALIDATION, "Field '%s' is required and must not be empty.",
                             f->name);
            return false;
        }
    }
    return true;
}

static void reply_store_failure(struct http_request *req, enum store_status st)
{
    http_reply_error(req, ERR_STORE_UNAVAILABLE, "The store is not available (%s); try again.",
                     store_status_name(st));
}

static void format_time(int64_t ms, char out[ISO_DATETIME_LEN])
{
    iso_format_datetime(ms, false, out);
}

/* ---- Organizations ---- */

static json_t *org_json(const struct store_org *o)
{
    char created[ISO_DATETIME_LEN];
    format_time(o->created_at, created);
    return json_pack("{s:s, s:s, s:s, s:s}", "id", o->id, "name", o->name, "clientType",
                     o->client_type, "created", created);
}

struct org_list {
    struct store_org *orgs;
    size_t n;
};

static enum store_status org_list_tx(struct store_tx *tx, void *cls)
{
    struct org_list *l = cls;
    free(l->orgs); /* a retried transaction starts over */
    l->orgs = NULL;
    return store_org_list(tx, &l->orgs, &l->n);
}

void admin_handle_org_list(struct http_request *req)
{
    struct org_list l = {0};
    enum store_status st = store_run(req->app->store, STORE_READ, org_list_tx, &l);
    if (st != STORE_OK) {
        reply_store_failure(req, st);
        goto cleanup;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(arr, org_json(&l.orgs[i]));
    http_reply_json(req, 200, json_pack("{s:o}", "organizations", arr));
cleanup:
    free(l.orgs);
}

void admin_handle_org_create(struct http_request *req)
{
    const char *name, *type;
    struct field fields[] = {
        {"name", true, 255, &name},
        {"clientType", false, 16, &type},
        {NULL, false, 0, NULL},
    };
    if (!parse_fields(req, fields))
        return;
    if (!type)
        type = "ORGANIZATION";
    if (strcmp(type, "ORGANIZATION") != 0 && strcmp(type, "CORPORATE") != 0) {
        http_reply_error(req, ERR_VALIDATION,
                         "Field 'clientType' must be ORGANIZATION or CORPORATE.");
        return;
    }
    struct store_org org;
    enum store_status st = auth_org_create(req->app->store, name, type, &org);
    if (st != STORE_OK) {
        reply_store_failure(req, st);
        return;
    }
    http_reply_json(req, 201, org_json(&org));
}

/* ---- Clients ---- */

static json_t *client_json(const struct store_client *c)
{
    char created[ISO_DATETIME_LEN], revoked[ISO_DATETIME_LEN];
    format_time(c->created_at, created);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "client_id", c->id, "organization_id",
                          c->organization_id, "scopes", c->scopes, "description", c->description,
                          "created", created);
    if (c->revoked_at)
        format_time(c->revoked_at, revoked);
    /* json_object_set_new steals the new value */
    json_object_set_new(j, "revoked", c->revoked_at ? json_string(revoked) : json_null());
    return j;
}

struct client_list {
    const char *org_id;
    struct store_client *clients;
    size_t n;
};

static enum store_status client_list_tx(struct store_tx *tx, void *cls)
{
    struct client_list *l = cls;
    struct store_org org;
    free(l->clients);
    l->clients = NULL;
    enum store_status st = store_org_get(tx, l->org_id, &org);
    if (st != STORE_OK)
        return st;
    return store_client_list(tx, l->org_id, &l->clients, &l->n);
}

void admin_handle_client_list(struct http_request *req)
{
    struct client_list l = {.org_id = NULL};
    char *org_id = http_param_dup(req, "organizationId");
    if (!org_id) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    l.org_id = org_id;
    enum store_status st = store_run(req->app->store, STORE_READ, client_list_tx, &l);
    if (st == STORE_NOT_FOUND) {
        http_reply_error(req, ERR_NOT_FOUND, "No organization with id '%.64s'.", org_id);
        goto cleanup;
    }
    if (st != STORE_OK) {
        reply_store_failure(req, st);
        goto cleanup;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(arr, client_json(&l.clients[i]));
    http_reply_json(req, 200, json_pack("{s:o}", "clients", arr));
cleanup:
    free(l.clients);
    free(org_id);
}

void admin_handle_client_create(struct http_request *req)
{
    const char *scopes, *description;
    struct field fields[] = {
        {"scopes", false, 1000, &scopes},
        {"description", false, 255, &description},
        {NULL, false, 0, NULL},
    };
    char *org_id = NULL;
    if (!parse_fields(req, fields))
        goto cleanup;
    char bad[128];
    /* No scopes given: the organization type's default (see auth_client_create). */
    if (scopes && !auth_scopes_valid(scopes, bad, sizeof bad)) {
        http_reply_error(req, ERR_VALIDATION, "Field 'scopes' names an unknown scope: '%s'.", bad);
        goto cleanup;
    }
    org_id = http_param_dup(req, "organizationId");
    if (!org_id) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    struct store_client c;
    char secret[AUTH_SECRET_LEN];
    enum store_status st =
        auth_client_create(req->app->store, org_id, scopes, description, &c, secret);
    if (st == STORE_NOT_FOUND) {
        http_reply_error(req, ERR_NOT_FOUND, "No organization with id '%.64s'.", org_id);
        goto cleanup;
    }
    if (st != STORE_OK) {
        reply_store_failure(req, st);
        goto cleanup;
    }
    json_t *j = client_json(&c);
    json_object_set_new(j, "client_secret", json_string(secret)); /* shown only here */
    memset(secret, 0, sizeof secret);
    http_reply_json(req, 201, j);
cleanup:
    free(org_id);
}

struct client_revoke {
    const char *id;
    struct store_client client;
};

static enum store_status client_revoke_tx(struct store_tx *tx, void *cls)
{
    struct client_revoke *r = cls;
    enum store_status st = store_client_revoke(tx, r->id, time_now_ms());
    if (st != STORE_OK)
        return st;
    return store_client_get(tx, r->id, &r->client);
}

void admin_handle_client_revoke(struct http_request *req)
{
    char *id = http_param_dup(req, "clientId");
    if (!id) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    struct client_revoke r = {.id = id};
    enum store_status st = store_run(req->app->store, STORE_WRITE, client_revoke_tx, &r);
    if (st == STORE_NOT_FOUND)
        http_reply_error(req, ERR_NOT_FOUND, "No client with id '%.64s'.", id);
    else if (st == STORE_CONFLICT)
        http_reply_error(req, ERR_CONFLICT, "Client '%.64s' is already revoked.", id);
    else if (st != STORE_OK)
        reply_store_failure(req, st);
    else
        http_reply_json(req, 200, client_json(&r.client));
    free(id);
}

/* ---- Teams ---- */

static json_t *team_json(const struct store_team *t)
{
    char created[ISO_DATETIME_LEN];
    format_time(t->created_at, created);
    return json_pack("{s:s, s:s, s:s, s:s}", "id", t->id, "organizationId", t->organization_id,
                     "name", t->name, "created", created);
}

struct team_op {
    const char *org_id;
    struct store_team team;   /* create */
    struct store_team *teams; /* list */
    size_t n;
};

static enum store_status team_list_tx(struct store_tx *tx, void *cls)
{
    struct team_op *op = cls;
    struct store_org org;
    free(op->teams);
    op->teams = NULL;
    enum store_status st = store_org_get(tx, op->org_id, &org);
    if (st != STORE_OK)
        return st;
    return store_team_list(tx, op->org_id, &op->teams, &op->n);
}

static enum store_status team_create_tx(struct store_tx *tx, void *cls)
{
    struct team_op *op = cls;
    struct store_org org;
    enum store_status st = store_org_get(tx, op->org_id, &org);
    if (st != STORE_OK)
        return st;
    return store_team_insert(tx, &op->team);
}

void admin_handle_team_list(struct http_request *req)
{
    char *org_id = http_param_dup(req, "organizationId");
    if (!org_id) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    struct team_op op = {.org_id = org_id};
    enum store_status st = store_run(req->app->store, STORE_READ, team_list_tx, &op);
    if (st == STORE_NOT_FOUND) {
        http_reply_error(req, ERR_NOT_FOUND, "No organization with id '%.64s'.", org_id);
        goto cleanup;
    }
    if (st != STORE_OK) {
        reply_store_failure(req, st);
        goto cleanup;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < op.n; i++)
        json_array_append_new(arr, team_json(&op.teams[i]));
    http_reply_json(req, 200, json_pack("{s:o}", "teams", arr));
cleanup:
    free(op.teams);
    free(org_id);
}

void admin_handle_team_create(struct http_request *req)
{
    const char *name;
    struct field fields[] = {
        {"name", true, 255, &name},
        {NULL, false, 0, NULL},
    };
    char *org_id = NULL;
    if (!parse_fields(req, fields))
        goto cleanup;
    org_id = http_param_dup(req, "organizationId");
    if (!org_id) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    struct team_op op = {.org_id = org_id};
    if (!uuid_v4(op.team.id)) {
        http_reply_error(req, ERR_INTERNAL, "No random numbers for a team id.");
        goto cleanup;
    }
    str_copy(op.team.organization_id, sizeof op.team.organization_id, org_id);
    str_copy(op.team.name, sizeof op.team.name, name);
    op.team.created_at = time_now_ms();
    enum store_status st = store_run(req->app->store, STORE_WRITE, team_create_tx, &op);
    if (st == STORE_NOT_FOUND)
        http_reply_error(req, ERR_NOT_FOUND, "No organization with id '%.64s'.", org_id);
    else if (st == STORE_CONFLICT)
        http_reply_error(req, ERR_CONFLICT,
                         "Field 'name': the organization already has a team named '%.100s'.", name);
    else if (st != STORE_OK)
        reply_store_failure(req, st);
    else
        http_reply_json(req, 201, team_json(&op.team));
cleanup:
    free(org_id);
}
