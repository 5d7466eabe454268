/*
 * Admin principals (operator or organization admin) and the admin operations scoped to them.
 * Each operation runs in one store transaction; a retried transaction starts its lists over.
 */
#include "auth/org_admin.h"

#include "core/b64.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/uuid.h"

#include <stdlib.h>
#include <string.h>

bool auth_admin_may_manage(const char *scope, const char *organization_id)
{
    return !scope || (organization_id && strcmp(scope, organization_id) == 0);
}

/* ---- admin keys ---- */

static enum store_status issue_tx(struct store_tx *tx, void *cls)
{
    struct store_admin_key *k = cls;
    if (k->organization_id[0]) {
        struct store_org org;
        enum store_status st = store_org_get(tx, k->organization_id, &org);
        if (st != STORE_OK)
            return st;
        if (strcmp(org.client_type, "ORGANIZATION") != 0)
            return STORE_CONFLICT;
    }
    return store_admin_key_insert(tx, k);
}

enum store_status auth_admin_key_issue(struct store *s, const char *organization_id,
                                       const char *description, struct store_admin_key *out,
                                       char key[AUTH_SECRET_LEN])
{
    unsigned char raw[32];
    memset(out, 0, sizeof *out);
    key[0] = '\0';
    if (organization_id && strlen(organization_id) >= sizeof out->organization_id)
        return STORE_NOT_FOUND;
    if (!uuid_v4(out->id) || !rand_bytes(raw, sizeof raw))
        return STORE_ERROR;
    char *enc = b64_encode(raw, sizeof raw, B64_URL);
    memset(raw, 0, sizeof raw);
    if (!enc)
        return STORE_ERROR;
    str_copy(key, AUTH_SECRET_LEN, enc);
    memset(enc, 0, strlen(enc));
    free(enc);
    crypto_sha256_hex(key, strlen(key), out->key_hash);
    str_copy(out->description, sizeof out->description, description ? description : "");
    str_copy(out->organization_id, sizeof out->organization_id,
             organization_id ? organization_id : "");
    out->created_at = time_now_ms();
    enum store_status st = store_run(s, STORE_WRITE, issue_tx, out);
    if (st != STORE_OK)
        memset(key, 0, AUTH_SECRET_LEN);
    return st;
}

struct key_op {
    const char *org_id;
    const char *key_id;
    struct store_admin_key key;
    struct store_admin_key *keys;
    size_t n;
};

static enum store_status org_admin_list_tx(struct store_tx *tx, void *cls)
{
    struct key_op *op = cls;
    free(op->keys);
    op->keys = NULL;
    op->n = 0;
    if (op->org_id) {
        struct store_org org;
        enum store_status st = store_org_get(tx, op->org_id, &org);
        if (st != STORE_OK)
            return st;
    }
    return store_org_admin_key_list(tx, op->org_id, &op->keys, &op->n);
}

enum store_status auth_org_admin_list(struct store *s, const char *organization_id,
                                      struct store_admin_key **out, size_t *n)
{
    struct key_op op = {.org_id = organization_id};
    enum store_status st = store_run(s, STORE_READ, org_admin_list_tx, &op);
    if (st != STORE_OK) {
        free(op.keys);
        op.keys = NULL;
        op.n = 0;
    }
    *out = op.keys;
    *n = op.n;
    return st;
}

static enum store_status org_admin_revoke_tx(struct store_tx *tx, void *cls)
{
    struct key_op *op = cls;
    enum store_status st = op->org_id
                               ? store_org_admin_key_get(tx, op->org_id, op->key_id, &op->key)
                               : store_admin_key_get(tx, op->key_id, &op->key);
    if (st != STORE_OK)
        return st;
    if (!op->key.organization_id[0])
        return STORE_NOT_FOUND; /* an operator key: not an organization admin's */
    int64_t now = time_now_ms();
    st = store_admin_key_revoke(tx, op->key_id, now);
    if (st == STORE_OK)
        op->key.revoked_at = now;
    return st;
}

enum store_status auth_org_admin_revoke(struct store *s, const char *organization_id,
                                        const char *key_id, struct store_admin_key *out)
{
    struct key_op op = {.org_id = organization_id, .key_id = key_id};
    enum store_status st = store_run(s, STORE_WRITE, org_admin_revoke_tx, &op);
    *out = op.key;
    return st;
}

/* ---- organizations, clients and teams, scoped to the caller ---- */

struct scoped {
    const char *scope;
    const char *org_id;
    const char *id;
    struct store_org *orgs;
    struct store_client *clients;
    struct store_team *teams;
    size_t n;
    struct store_client client;
    struct store_team team;
};

static void scoped_reset(struct scoped *op)
{
    free(op->orgs);
    free(op->clients);
    free(op->teams);
    op->orgs = NULL;
    op->clients = NULL;
    op->teams = NULL;
    op->n = 0;
}

static enum store_status org_list_tx(struct store_tx *tx, void *cls)
{
    struct scoped *op = cls;
    scoped_reset(op);
    if (!op->scope)
        return store_org_list(tx, &op->orgs, &op->n);
    op->orgs = calloc(1, sizeof *op->orgs);
    if (!op->orgs)
        return STORE_ERROR;
    enum store_status st = store_org_get(tx, op->scope, op->orgs);
    op->n = st == STORE_OK ? 1 : 0;
    return st == STORE_NOT_FOUND ? STORE_OK : st;
}

enum store_status auth_admin_org_list(struct store *s, const char *scope, struct store_org **out,
                                      size_t *n)
{
    struct scoped op = {.scope = scope};
    enum store_status st = store_run(s, STORE_READ, org_list_tx, &op);
    if (st != STORE_OK)
        scoped_reset(&op);
    *out = op.orgs;
    *n = op.n;
    return st;
}

static enum store_status client_list_tx(struct store_tx *tx, void *cls)
{
    struct scoped *op = cls;
    struct store_org org;
    scoped_reset(op);
    enum store_status st = store_org_get(tx, op->org_id, &org);
    if (st != STORE_OK)
        return st;
    return store_client_list(tx, op->org_id, &op->clients, &op->n);
}

enum store_status auth_admin_client_list(struct store *s, const char *scope,
                                         const char *organization_id, struct store_client **out,
                                         size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!auth_admin_may_manage(scope, organization_id))
        return STORE_NOT_FOUND;
    struct scoped op = {.scope = scope, .org_id = organization_id};
    enum store_status st = store_run(s, STORE_READ, client_list_tx, &op);
    if (st != STORE_OK)
        scoped_reset(&op);
    *out = op.clients;
    *n = op.n;
    return st;
}

enum store_status auth_admin_client_create(struct store *s, const char *scope,
                                           const char *organization_id, const char *scopes,
                                           const char *description, struct store_client *out,
                                           char secret[AUTH_SECRET_LEN])
{
    memset(out, 0, sizeof *out);
    secret[0] = '\0';
    if (!auth_admin_may_manage(scope, organization_id))
        return STORE_NOT_FOUND;
    return auth_client_create(s, organization_id, scopes, description, out, secret);
}

static enum store_status client_revoke_tx(struct store_tx *tx, void *cls)
{
    struct scoped *op = cls;
    const char *org = op->org_id ? op->org_id : op->scope;
    enum store_status st = org ? store_client_get_in_org(tx, org, op->id, &op->client)
                               : store_client_get(tx, op->id, &op->client);
    if (st != STORE_OK)
        return st;
    int64_t now = time_now_ms();
    st = store_client_revoke(tx, op->id, now);
    if (st == STORE_OK)
        op->client.revoked_at = now;
    return st;
}

enum store_status auth_admin_client_revoke(struct store *s, const char *scope,
                                           const char *organization_id, const char *client_id,
                                           struct store_client *out)
{
    memset(out, 0, sizeof *out);
    if (organization_id && !auth_admin_may_manage(scope, organization_id))
        return STORE_NOT_FOUND;
    struct scoped op = {.scope = scope, .org_id = organization_id, .id = client_id};
    enum store_status st = store_run(s, STORE_WRITE, client_revoke_tx, &op);
    *out = op.client;
    return st;
}

static enum store_status team_list_tx(struct store_tx *tx, void *cls)
{
    struct scoped *op = cls;
    struct store_org org;
    scoped_reset(op);
    enum store_status st = store_org_get(tx, op->org_id, &org);
    if (st != STORE_OK)
        return st;
    return store_team_list(tx, op->org_id, &op->teams, &op->n);
}

enum store_status auth_admin_team_list(struct store *s, const char *scope,
                                       const char *organization_id, struct store_team **out,
                                       size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!auth_admin_may_manage(scope, organization_id))
        return STORE_NOT_FOUND;
    struct scoped op = {.scope = scope, .org_id = organization_id};
    enum store_status st = store_run(s, STORE_READ, team_list_tx, &op);
    if (st != STORE_OK)
        scoped_reset(&op);
    *out = op.teams;
    *n = op.n;
    return st;
}

static enum store_status team_create_tx(struct store_tx *tx, void *cls)
{
    struct scoped *op = cls;
    struct store_org org;
    enum store_status st = store_org_get(tx, op->org_id, &org);
    if (st != STORE_OK)
        return st;
    return store_team_insert(tx, &op->team);
}

enum store_status auth_admin_team_create(struct store *s, const char *scope,
                                         const char *organization_id, const char *name,
                                         struct store_team *out)
{
    memset(out, 0, sizeof *out);
    if (!auth_admin_may_manage(scope, organization_id) ||
        strlen(organization_id) >= sizeof out->organization_id)
        return STORE_NOT_FOUND;
    struct scoped op = {.scope = scope, .org_id = organization_id};
    if (!uuid_v4(op.team.id))
        return STORE_ERROR;
    str_copy(op.team.organization_id, sizeof op.team.organization_id, organization_id);
    str_copy(op.team.name, sizeof op.team.name, name);
    op.team.created_at = time_now_ms();
    enum store_status st = store_run(s, STORE_WRITE, team_create_tx, &op);
    if (st == STORE_OK)
        *out = op.team;
    return st;
}
