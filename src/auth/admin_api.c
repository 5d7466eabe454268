/*
 * The operator admin HTTP API: the admin-key authenticator and the /admin/v1 handlers. Bodies
 * are checked against small field tables (name, required, length) and the first bad field is
 * named in the Error object. Everything a handler allocates is freed before it returns.
 */
#include "auth/admin_api.h"

#include "auth/org_admin.h"

#include "app.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/str.h"
#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Admin keys ---- */

enum store_status auth_admin_key_create(struct store *s, const char *description,
                                        struct store_admin_key *out, char key[AUTH_SECRET_LEN])
{
    return auth_admin_key_issue(s, NULL, description, out, key);
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
    /* An organization admin's key: the handlers scope every operation to its organization. */
    snprintf(req->auth.client_id, sizeof req->auth.client_id, "%s:%s",
             l.key.organization_id[0] ? "org-admin" : "admin", l.key.id);
    str_copy(req->auth.organization_id, sizeof req->auth.organization_id, l.key.organization_id);
    return true;
}

/* The caller's scope: NULL for the operator, else the organization it administers. */
static const char *caller_scope(const struct http_request *req)
{
    return req->auth.organization_id[0] ? req->auth.organization_id : NULL;
}

/* Operator-only routes: an organization admin gets 403. */
static bool operator_only(struct http_request *req, const char *what)
{
    if (!caller_scope(req))
        return true;
    http_reply_error(req, ERR_FORBIDDEN,
                     "Only an operator admin key may %s; this key administers organization "
                     "'%s' only.",
                     what, req->auth.organization_id);
    return false;
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

/* A path parameter (owned) or NULL after answering 500. */
static char *param(struct http_request *req, const char *name)
{
    char *v = http_param_dup(req, name);
    if (!v)
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
    return v;
}

static void reply_no_org(struct http_request *req, const char *org_id)
{
    http_reply_error(req, ERR_NOT_FOUND, "No organization with id '%.64s'.", org_id);
}

/* ---- Organizations ---- */

static json_t *org_json(const struct store_org *o)
{
    char created[ISO_DATETIME_LEN];
    format_time(o->created_at, created);
    return json_pack("{s:s, s:s, s:s, s:s}", "id", o->id, "name", o->name, "clientType",
                     o->client_type, "created", created);
}

void admin_handle_org_list(struct http_request *req)
{
    struct store_org *orgs = NULL;
    size_t n = 0;
    enum store_status st = auth_admin_org_list(req->app->store, caller_scope(req), &orgs, &n);
    if (st != STORE_OK) {
        reply_store_failure(req, st);
        goto cleanup;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, org_json(&orgs[i]));
    http_reply_json(req, 200, json_pack("{s:o}", "organizations", arr));
cleanup:
    free(orgs);
}

void admin_handle_org_create(struct http_request *req)
{
    const char *name, *type;
    struct field fields[] = {
        {"name", true, 255, &name},
        {"clientType", false, 16, &type},
        {NULL, false, 0, NULL},
    };
    if (!operator_only(req, "create organizations") || !parse_fields(req, fields))
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

void admin_handle_client_list(struct http_request *req)
{
    struct store_client *clients = NULL;
    size_t n = 0;
    char *org_id = param(req, "organizationId");
    if (!org_id)
        return;
    enum store_status st =
        auth_admin_client_list(req->app->store, caller_scope(req), org_id, &clients, &n);
    if (st == STORE_NOT_FOUND) {
        reply_no_org(req, org_id);
        goto cleanup;
    }
    if (st != STORE_OK) {
        reply_store_failure(req, st);
        goto cleanup;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, client_json(&clients[i]));
    http_reply_json(req, 200, json_pack("{s:o}", "clients", arr));
cleanup:
    free(clients);
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
    if (!(org_id = param(req, "organizationId")))
        goto cleanup;
    struct store_client c;
    char secret[AUTH_SECRET_LEN];
    enum store_status st = auth_admin_client_create(req->app->store, caller_scope(req), org_id,
                                                    scopes, description, &c, secret);
    if (st == STORE_NOT_FOUND) {
        reply_no_org(req, org_id);
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

/* Both revoke routes: /clients/{clientId}/revoke (organization from the caller's scope) and
 * /organizations/{organizationId}/clients/{clientId}/revoke. */
void admin_handle_client_revoke(struct http_request *req)
{
    char *id = param(req, "clientId"), *org_id = NULL;
    if (!id)
        return;
    size_t len = 0;
    if (route_param(&req->params, "organizationId", &len) &&
        !(org_id = param(req, "organizationId")))
        goto cleanup;
    struct store_client c;
    enum store_status st =
        auth_admin_client_revoke(req->app->store, caller_scope(req), org_id, id, &c);
    if (st == STORE_NOT_FOUND)
        http_reply_error(req, ERR_NOT_FOUND, "No client with id '%.64s'%s%.64s%s.", id,
                         org_id ? " in organization '" : "", org_id ? org_id : "",
                         org_id ? "'" : "");
    else if (st == STORE_CONFLICT)
        http_reply_error(req, ERR_CONFLICT, "Client '%.64s' is already revoked.", id);
    else if (st != STORE_OK)
        reply_store_failure(req, st);
    else
        http_reply_json(req, 200, client_json(&c));
cleanup:
    free(org_id);
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

void admin_handle_team_list(struct http_request *req)
{
    struct store_team *teams = NULL;
    size_t n = 0;
    char *org_id = param(req, "organizationId");
    if (!org_id)
        return;
    enum store_status st =
        auth_admin_team_list(req->app->store, caller_scope(req), org_id, &teams, &n);
    if (st == STORE_NOT_FOUND) {
        reply_no_org(req, org_id);
        goto cleanup;
    }
    if (st != STORE_OK) {
        reply_store_failure(req, st);
        goto cleanup;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, team_json(&teams[i]));
    http_reply_json(req, 200, json_pack("{s:o}", "teams", arr));
cleanup:
    free(teams);
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
    if (!parse_fields(req, fields) || !(org_id = param(req, "organizationId")))
        goto cleanup;
    struct store_team team;
    enum store_status st =
        auth_admin_team_create(req->app->store, caller_scope(req), org_id, name, &team);
    if (st == STORE_NOT_FOUND)
        reply_no_org(req, org_id);
    else if (st == STORE_CONFLICT)
        http_reply_error(req, ERR_CONFLICT,
                         "Field 'name': the organization already has a team named '%.100s'.", name);
    else if (st != STORE_OK)
        reply_store_failure(req, st);
    else
        http_reply_json(req, 201, team_json(&team));
cleanup:
    free(org_id);
}

/* ---- Organization admins (operator only) ---- */

static json_t *org_admin_json(const struct store_admin_key *k)
{
    char created[ISO_DATETIME_LEN], revoked[ISO_DATETIME_LEN];
    format_time(k->created_at, created);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "id", k->id, "organization_id",
                          k->organization_id, "description", k->description, "created", created);
    if (k->revoked_at)
        format_time(k->revoked_at, revoked);
    json_object_set_new(j, "revoked", k->revoked_at ? json_string(revoked) : json_null());
    return j;
}

void admin_handle_org_admin_list(struct http_request *req)
{
    struct store_admin_key *keys = NULL;
    size_t n = 0;
    char *org_id = NULL;
    if (!operator_only(req, "list organization admins") || !(org_id = param(req, "organizationId")))
        goto cleanup;
    enum store_status st = auth_org_admin_list(req->app->store, org_id, &keys, &n);
    if (st == STORE_NOT_FOUND) {
        reply_no_org(req, org_id);
        goto cleanup;
    }
    if (st != STORE_OK) {
        reply_store_failure(req, st);
        goto cleanup;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, org_admin_json(&keys[i]));
    http_reply_json(req, 200, json_pack("{s:o}", "admins", arr));
cleanup:
    free(keys);
    free(org_id);
}

void admin_handle_org_admin_create(struct http_request *req)
{
    const char *description;
    struct field fields[] = {
        {"description", false, 255, &description},
        {NULL, false, 0, NULL},
    };
    char *org_id = NULL;
    if (!operator_only(req, "create organization admins") || !parse_fields(req, fields) ||
        !(org_id = param(req, "organizationId")))
        goto cleanup;
    struct store_admin_key k;
    char key[AUTH_SECRET_LEN];
    enum store_status st = auth_admin_key_issue(req->app->store, org_id, description, &k, key);
    if (st == STORE_NOT_FOUND) {
        reply_no_org(req, org_id);
    } else if (st == STORE_CONFLICT) {
        http_reply_error(req, ERR_CONFLICT,
                         "Organization '%.64s' is CORPORATE: its credentials are issued by the "
                         "operator, so it has no organization admins.",
                         org_id);
    } else if (st != STORE_OK) {
        reply_store_failure(req, st);
    } else {
        json_t *j = org_admin_json(&k);
        json_object_set_new(j, "admin_key", json_string(key)); /* shown only here */
        memset(key, 0, sizeof key);
        http_reply_json(req, 201, j);
    }
cleanup:
    free(org_id);
}

void admin_handle_org_admin_revoke(struct http_request *req)
{
    char *org_id = NULL, *id = NULL;
    if (!operator_only(req, "revoke organization admins") ||
        !(org_id = param(req, "organizationId")) || !(id = param(req, "adminId")))
        goto cleanup;
    struct store_admin_key k;
    enum store_status st = auth_org_admin_revoke(req->app->store, org_id, id, &k);
    if (st == STORE_NOT_FOUND)
        http_reply_error(req, ERR_NOT_FOUND,
                         "Organization '%.64s' has no organization admin with id '%.64s'.", org_id,
                         id);
    else if (st == STORE_CONFLICT)
        http_reply_error(req, ERR_CONFLICT, "Organization admin '%.64s' is already revoked.", id);
    else if (st != STORE_OK)
        reply_store_failure(req, st);
    else
        http_reply_json(req, 200, org_admin_json(&k));
cleanup:
    free(id);
    free(org_id);
}
