/*
 * Setup hand-over (POST /system/api/process/{processId}/setup): validation of the
 * ProcessSetupRequest and the issue of a setup link (see sign/process.h). The link's token is
 * 256 random bits in base64url; only its SHA-256 is stored, with an expiry.
 */
#include "sign/process.h"

#include "core/b64.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/uuid.h"
#include "sign/expiry.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const setup_keys[] = {"language", "backUrl", "successUrl", "authentication",
                                         "scope",    "mode",    NULL};
static const char *const languages[] = {"en-GB", "de-CH", "fr-CH", "it-CH", NULL};

/* A string member (null counts as absent) of at most max_len printable ASCII characters into
 * dest; false with a message naming the field otherwise. */
static bool ascii_field(const json_t *body, const char *key, size_t max_len, char *dest,
                        size_t dest_size, char *err, size_t err_len)
{
    dest[0] = '\0';
    json_t *v = json_object_get(body, key);
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v))
        return str_message(err, err_len, "Field '%s' must be a string.", key);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len > max_len || len >= dest_size)
        return str_message(err, err_len, "Field '%s' must be at most %zu characters long.", key,
                           max_len);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return str_message(err, err_len,
                               "Field '%s' must contain printable ASCII characters only (encode "
                               "others as in a URL).",
                               key);
    str_copy(dest, dest_size, s);
    return true;
}

/* An absolute http(s) URL with a host and no spaces; "" (absent) is allowed. */
static bool url_valid(const char *s)
{
    const char *rest;
    if (!*s)
        return true;
    if (str_has_prefix(s, "https://"))
        rest = s + 8;
    else if (str_has_prefix(s, "http://"))
        rest = s + 7;
    else
        return false;
    if (!*rest || strchr("/?#:@", *rest))
        return false;
    return strchr(s, ' ') == NULL;
}

bool sign_setup_parse(const json_t *body, struct sign_setup_request *r, char *err, size_t err_len)
{
    memset(r, 0, sizeof *r);
    str_copy(r->mode, sizeof r->mode, "DEFAULT");
    if (!json_is_object(body))
        return str_message(err, err_len, "The request body must be a JSON object.");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        const char *const *k = setup_keys;
        while (*k && strcmp(*k, key) != 0)
            k++;
        if (!*k)
            return str_message(err, err_len, "Unknown field '%.150s'.", key);
    }
    char lang[16];
    if (!ascii_field(body, "language", 15, lang, sizeof lang, err, err_len))
        return false;
    if (lang[0]) {
        const char *const *l = languages;
        while (*l && !str_ieq(*l, lang))
            l++;
        if (!*l)
            return str_message(err, err_len,
                               "Field 'language' must be one of en-GB, de-CH, fr-CH, it-CH; got "
                               "'%s'.",
                               lang);
        str_copy(r->language, sizeof r->language, *l); /* canonical case */
    }
    if (!ascii_field(body, "backUrl", 2048, r->back_url, sizeof r->back_url, err, err_len) ||
        !ascii_field(body, "successUrl", 2048, r->success_url, sizeof r->success_url, err,
                     err_len) ||
        !ascii_field(body, "scope", 2048, r->scope, sizeof r->scope, err, err_len))
        return false;
    if (!url_valid(r->back_url))
        return str_message(err, err_len, "Field 'backUrl' must be an absolute http or https URL.");
    if (!url_valid(r->success_url))
        return str_message(err, err_len,
                           "Field 'successUrl' must be an absolute http or https URL.");
    char mode[16];
    if (!ascii_field(body, "mode", 15, mode, sizeof mode, err, err_len))
        return false;
    if (mode[0]) {
        if (strcmp(mode, "DEFAULT") != 0 && strcmp(mode, "EMBEDDED") != 0)
            return str_message(err, err_len, "Field 'mode' must be DEFAULT or EMBEDDED; got '%s'.",
                               mode);
        str_copy(r->mode, sizeof r->mode, mode);
    }
    /* First-party apps only; ignored for every other client, as the contract says. */
    json_t *auth = json_object_get(body, "authentication");
    if (auth && !json_is_null(auth) && !json_is_object(auth))
        return str_message(err, err_len, "Field 'authentication' must be an object.");
    return true;
}

struct setup_op {
    const char *org_id;
    const char *id;
    struct store_setup_link link;
    struct store_process p;
    bool wrong_state;
    char state[16];
};

static enum store_status setup_tx(struct store_tx *tx, void *cls)
{
    struct setup_op *op = cls;
    op->wrong_state = false;
    enum store_status st = store_process_get(tx, op->org_id, op->id, &op->p);
    if (st != STORE_OK)
        return st;
    const char *state = op->p.status;
    /* A CREATED process past validUntil is expired even before the expiry job marks it. */
    if (!strcmp(state, "CREATED") && op->p.valid_until <= op->link.created_at)
        state = sign_state_name(SIGN_STATE_EXPIRED);
    if (strcmp(state, "CREATED") != 0) {
        op->wrong_state = true;
        str_copy(op->state, sizeof op->state, state);
        return STORE_CONFLICT;
    }
    st = store_setup_link_insert(tx, &op->link);
    if (st != STORE_OK)
        return st;
    char expires[ISO_DATETIME_LEN];
    iso_format_datetime(op->link.expires_at, false, expires);
    json_t *extras = json_pack("{s:s, s:s, s:s, s:s, s:s}", "setup_linkId", op->link.id,
                               "setup_clientId", op->link.client_id, "setup_mode", op->link.mode,
                               "setup_language", op->link.language, "setup_expiresAt", expires);
    if (!extras)
        return STORE_ERROR;
    st = sign_audit_append(tx, op->org_id, op->id, op->link.created_at, "setup", "INITIALIZE",
                           extras);
    json_decref(extras);
    return st;
}

enum sign_result sign_process_setup(struct store *s, const char *organization_id,
                                    const char *client_id, const char *id,
                                    const struct sign_setup_request *r, int64_t now, int64_t ttl_ms,
                                    char token_out[SIGN_SETUP_TOKEN_LEN], char state_out[16])
{
    unsigned char raw[SIGN_SETUP_TOKEN_BYTES];
    char *token = NULL;
    enum sign_result res = SIGN_UNAVAILABLE;
    struct setup_op *op = calloc(1, sizeof *op); /* ~8 KiB of link text: not on the stack */
    token_out[0] = '\0';
    state_out[0] = '\0';
    if (!op)
        goto cleanup;
    if (!uuid_is_valid(id)) {
        res = SIGN_NOT_FOUND;
        goto cleanup;
    }
    /* Lazy expiry: a process past validUntil is EXPIRED, with its audit record. */
    res = sign_expiry_touch(s, organization_id, id, now);
    if (res != SIGN_OK)
        goto cleanup;
    res = SIGN_UNAVAILABLE;
    op->org_id = organization_id;
    op->id = id;
    struct store_setup_link *k = &op->link;
    if (!rand_bytes(raw, sizeof raw) || !uuid_v4(k->id))
        goto cleanup;
    token = b64_encode(raw, sizeof raw, B64_URL);
    if (!token || strlen(token) + 1 != SIGN_SETUP_TOKEN_LEN) {
        log_bug("setup token encoding failed");
        goto cleanup;
    }
    crypto_sha256_hex(token, strlen(token), k->token_hash);
    str_copy(k->organization_id, sizeof k->organization_id, organization_id);
    str_copy(k->process_id, sizeof k->process_id, id);
    str_copy(k->client_id, sizeof k->client_id, client_id);
    str_copy(k->language, sizeof k->language, r->language);
    str_copy(k->back_url, sizeof k->back_url, r->back_url);
    str_copy(k->success_url, sizeof k->success_url, r->success_url);
    str_copy(k->scope, sizeof k->scope, r->scope);
    str_copy(k->mode, sizeof k->mode, r->mode);
    k->created_at = now;
    k->expires_at = now + ttl_ms;
    enum store_status st = store_run(s, STORE_WRITE, setup_tx, op);
    if (st == STORE_OK) {
        str_copy(token_out, SIGN_SETUP_TOKEN_LEN, token);
        res = SIGN_OK;
    } else if (st == STORE_CONFLICT && op->wrong_state) {
        str_copy(state_out, 16, op->state);
        res = SIGN_WRONG_STATE;
    } else if (st == STORE_NOT_FOUND)
        res = SIGN_NOT_FOUND;
cleanup:
    if (token) {
        memset(token, 0, strlen(token));
        free(token);
    }
    memset(raw, 0, sizeof raw);
    if (op)
        store_process_clear(&op->p);
    free(op);
    return res;
}
