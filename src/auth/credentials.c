#include "auth/credentials.h"

#include "core/b64.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_scopes[] = {
    "sswp:process:create",   "sswp:process:read",
    "sswp:process:read:all", "srs:registration:create",
    "srs:registration:read", "srs:identity:read",
    "srs:identity:delete",   NULL,
};

bool auth_scopes_valid(const char *scopes, char *bad, size_t bad_len)
{
    const char *p = scopes;
    bool any = false;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 0)
            break;
        bool ok = false;
        for (const char *const *k = known_scopes; *k; k++)
            if (strlen(*k) == n && memcmp(*k, p, n) == 0)
                ok = true;
        if (!ok) {
            snprintf(bad, bad_len, "%.*s", (int)(n > 100 ? 100 : n), p);
            return false;
        }
        any = true;
        p += n;
    }
    if (!any)
        snprintf(bad, bad_len, "(none)");
    return any;
}

static bool new_secret(char secret[AUTH_SECRET_LEN], char hash[65])
{
    unsigned char raw[32];
    if (!rand_bytes(raw, sizeof raw))
        return false;
    char *enc = b64_encode(raw, sizeof raw, B64_URL);
    if (!enc)
        return false;
    str_copy(secret, AUTH_SECRET_LEN, enc);
    free(enc);
    crypto_sha256_hex(secret, strlen(secret), hash);
    return true;
}

bool auth_secret_matches(const struct store_client *c, const char *secret)
{
    char hash[65];
    crypto_sha256_hex(secret, strlen(secret), hash);
    return strlen(c->secret_hash) == 64 && str_ct_equal(hash, c->secret_hash, 64);
}

static enum store_status insert_org(struct store_tx *tx, void *cls)
{
    return store_org_insert(tx, cls);
}

enum store_status auth_org_create(struct store *s, const char *name, const char *client_type,
                                  struct store_org *out)
{
    memset(out, 0, sizeof *out);
    if (!uuid_v4(out->id))
        return STORE_ERROR;
    str_copy(out->name, sizeof out->name, name);
    str_copy(out->client_type, sizeof out->client_type, client_type);
    out->created_at = time_now_ms();
    return store_run(s, STORE_WRITE, insert_org, out);
}

static enum store_status insert_client(struct store_tx *tx, void *cls)
{
    struct store_client *c = cls;
    struct store_org org;
    enum store_status st = store_org_get(tx, c->organization_id, &org);
    if (st != STORE_OK)
        return st;
    if (c->scopes[0] == '\0')
        str_copy(c->scopes, sizeof c->scopes,
                 strcmp(org.client_type, "CORPORATE") == 0 ? AUTH_CORPORATE_DEFAULT_SCOPES
                                                           : AUTH_SIGN_API_SCOPES);
    return store_client_insert(tx, c);
}

enum store_status auth_client_create(struct store *s, const char *organization_id,
                                     const char *scopes, const char *description,
                                     struct store_client *out, char secret[AUTH_SECRET_LEN])
{
    memset(out, 0, sizeof *out);
    if (!uuid_v4(out->id) || !new_secret(secret, out->secret_hash))
        return STORE_ERROR;
    str_copy(out->organization_id, sizeof out->organization_id, organization_id);
    str_copy(out->scopes, sizeof out->scopes, scopes ? scopes : "");
    str_copy(out->description, sizeof out->description, description ? description : "");
    out->created_at = time_now_ms();
    return store_run(s, STORE_WRITE, insert_client, out);
}

struct rotate {
    const char *id;
    const char *hash;
};

static enum store_status rotate_tx(struct store_tx *tx, void *cls)
{
    struct rotate *r = cls;
    return store_client_set_secret(tx, r->id, r->hash);
}

enum store_status auth_client_rotate_secret(struct store *s, const char *client_id,
                                            char secret[AUTH_SECRET_LEN])
{
    char hash[65];
    if (!new_secret(secret, hash))
        return STORE_ERROR;
    struct rotate r = {client_id, hash};
    return store_run(s, STORE_WRITE, rotate_tx, &r);
}
