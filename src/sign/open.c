/*
 * Open request for one participant of a released process (see sign/release.h): a
 * time-limited link (TEMPORARY) or the participant's permanent link with the settings saved
 * (PERMANENT), and with skipAuthorization a one-time code valid 30 seconds. Tokens and codes
 * are stored as SHA-256 only.
 */
#include "sign/release.h"

#include "core/b64.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/uuid.h"
#include "sign/expiry.h"
#include "store/release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool sign_open_parse(const json_t *body, struct sign_open_request *r, char *err, size_t err_len)
{
    bool ok = false;
    memset(r, 0, sizeof *r);
    if (!json_is_object(body)) {
        snprintf(err, err_len, "The request body must be a JSON object.");
        return false;
    }
    /* The UI fields are the setup request's; lifecycle and skipAuthorization are taken off a
     * copy before it goes to that parser. */
    json_t *rest = json_copy((json_t *)body);
    if (!rest) {
        snprintf(err, err_len, "Not enough memory.");
        return false;
    }
    json_t *lc = json_object_get(rest, "lifecycle");
    if (lc && !json_is_null(lc)) {
        const char *s = json_string_value(lc);
        if (!s || (strcmp(s, "TEMPORARY") != 0 && strcmp(s, "PERMANENT") != 0)) {
            snprintf(err, err_len, "Field 'lifecycle' must be TEMPORARY or PERMANENT.");
            goto cleanup;
        }
        r->permanent = !strcmp(s, "PERMANENT");
    }
    json_t *sa = json_object_get(rest, "skipAuthorization");
    if (sa && !json_is_null(sa)) {
        if (!json_is_boolean(sa)) {
            snprintf(err, err_len, "Field 'skipAuthorization' must be true or false.");
            goto cleanup;
        }
        r->skip_authorization = json_is_true(sa);
    }
    json_object_del(rest, "lifecycle");
    json_object_del(rest, "skipAuthorization");
    ok = sign_setup_parse(rest, &r->ui, err, err_len);
cleanup:
    json_decref(rest);
    return ok;
}

struct open_op {
    const char *org_id, *id, *client_id, *person_id;
    const struct sign_open_request *req;
    int64_t now, ttl_ms;
    struct store_process p;
    struct store_participant_link *links;
    size_t n_links;
    struct store_participant_link link; /* the person's permanent link */
    struct store_open_link open;        /* TEMPORARY: the new link (token_hash set) */
    struct store_open_code code;        /* skipAuthorization: the new code (code_hash set) */
    enum sign_release_result fail_kind;
    char *err;
    size_t err_len;
};

static enum store_status open_tx(struct store_tx *tx, void *cls)
{
    struct open_op *op = cls;
    free(op->links);
    op->links = NULL;
    op->n_links = 0;
    op->fail_kind = SIGN_RELEASE_UNAVAILABLE;
    enum store_status st = store_process_get(tx, op->org_id, op->id, &op->p);
    if (st != STORE_OK)
        return st;
    const char *state = op->p.status;
    if (sign_expiry_due(state, op->p.valid_until, op->now))
        state = "EXPIRED";
    if (strcmp(state, "PENDING") != 0 && strcmp(state, "COMPLETED") != 0) {
        /* The contract's precondition: "the process has already been released". */
        op->fail_kind = SIGN_RELEASE_PRECONDITION;
        snprintf(op->err, op->err_len,
                 !strcmp(state, "CREATED")
                     ? "The process is not released yet; release it first, or use "
                       "/process/{processId}/setup for an unreleased process."
                     : "The process is %s and can no longer be opened.",
                 state);
        return STORE_CONFLICT;
    }
    st = store_participant_link_list(tx, op->org_id, op->id, &op->links, &op->n_links);
    if (st != STORE_OK)
        return st;
    /* The participant id wins over an externalIdentifier equal to another's id. */
    const struct store_participant *person = NULL;
    for (size_t i = 0; i < op->p.n_participants && !person; i++)
        if (!strcmp(op->p.participants[i].id, op->person_id))
            person = &op->p.participants[i];
    for (size_t i = 0; i < op->p.n_participants && !person; i++)
        if (op->p.participants[i].external_identifier[0] &&
            !strcmp(op->p.participants[i].external_identifier, op->person_id))
            person = &op->p.participants[i];
    const struct store_participant_link *l = NULL;
    for (size_t i = 0; person && i < op->n_links && !l; i++)
        if (!strcmp(op->links[i].participant_id, person->id))
            l = &op->links[i];
    if (!l) {
        op->fail_kind = SIGN_RELEASE_PERSON_NOT_FOUND;
        return STORE_NOT_FOUND;
    }
    op->link = *l;
    const struct sign_setup_request *ui = &op->req->ui;
    if (op->req->permanent) {
        struct store_participant_link *k = &op->link;
        str_copy(k->language, sizeof k->language, ui->language);
        str_copy(k->back_url, sizeof k->back_url, ui->back_url);
        str_copy(k->success_url, sizeof k->success_url, ui->success_url);
        str_copy(k->scope, sizeof k->scope, ui->scope);
        str_copy(k->mode, sizeof k->mode, ui->mode);
        k->updated_at = op->now;
        st = store_participant_link_save_settings(tx, k);
    } else {
        struct store_open_link *k = &op->open;
        str_copy(k->organization_id, sizeof k->organization_id, op->org_id);
        str_copy(k->process_id, sizeof k->process_id, op->id);
        str_copy(k->participant_id, sizeof k->participant_id, l->participant_id);
        str_copy(k->client_id, sizeof k->client_id, op->client_id);
        str_copy(k->language, sizeof k->language, ui->language);
        str_copy(k->back_url, sizeof k->back_url, ui->back_url);
        str_copy(k->success_url, sizeof k->success_url, ui->success_url);
        str_copy(k->scope, sizeof k->scope, ui->scope);
        str_copy(k->mode, sizeof k->mode, ui->mode);
        k->created_at = op->now;
        k->expires_at = op->now + op->ttl_ms;
        st = store_open_link_insert(tx, k);
    }
    if (st != STORE_OK)
        return st;
    if (op->req->skip_authorization) {
        struct store_open_code *c = &op->code;
        str_copy(c->organization_id, sizeof c->organization_id, op->org_id);
        str_copy(c->process_id, sizeof c->process_id, op->id);
        str_copy(c->participant_id, sizeof c->participant_id, l->participant_id);
        c->created_at = op->now;
        c->expires_at = op->now + SIGN_OPEN_CODE_TTL_MS;
        st = store_open_code_insert(tx, c);
        if (st != STORE_OK)
            return st;
    }
    char expires[ISO_DATETIME_LEN] = "";
    if (!op->req->permanent)
        iso_format_datetime(op->open.expires_at, false, expires);
    json_t *extras = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s}", "open_clientId", op->client_id, "open_participantId",
        l->participant_id, "open_lifecycle", op->req->permanent ? "PERMANENT" : "TEMPORARY",
        "open_skipAuthorization", op->req->skip_authorization ? "true" : "false",
        "open_expiresAt", expires, "open_language", ui->language);
    if (!extras)
        return STORE_ERROR;
    st = sign_audit_append(tx, op->org_id, op->id, op->now, "open", "SUCCESS", extras);
    json_decref(extras);
    return st;
}

/* A fresh random token of `bytes` bytes in base64url into out, its SHA-256 hex into hash. */
static bool fresh_token(size_t bytes, char *out, size_t out_len, char hash[65])
{
    unsigned char raw[32];
    bool ok = false;
    if (bytes > sizeof raw || !rand_bytes(raw, bytes))
        return false;
    char *t = b64_encode(raw, bytes, B64_URL);
    if (t && strlen(t) < out_len) {
        str_copy(out, out_len, t);
        crypto_sha256_hex(t, strlen(t), hash);
        ok = true;
    }
    if (t) {
        memset(t, 0, strlen(t));
        free(t);
    }
    memset(raw, 0, sizeof raw);
    return ok;
}

enum sign_release_result sign_process_open(struct store *s,
                                           const unsigned char link_key[CRYPTO_KEY_LEN],
                                           const char *public_url, const char *organization_id,
                                           const char *client_id, const char *id,
                                           const char *person_id, const struct sign_open_request *r,
                                           int64_t now, int64_t temp_ttl_ms, char **url_out,
                                           char *err, size_t err_len)
{
    char token[SIGN_LINK_TOKEN_LEN] = "", code[32] = "";
    enum sign_release_result res = SIGN_RELEASE_UNAVAILABLE;
    *url_out = NULL;
    err[0] = '\0';
    if (!uuid_is_valid(id))
        return SIGN_RELEASE_NOT_FOUND;
    struct open_op *op = calloc(1, sizeof *op); /* ~16 KiB of link text: not on the stack */
    if (!op)
        return SIGN_RELEASE_UNAVAILABLE;
    op->org_id = organization_id;
    op->id = id;
    op->client_id = client_id;
    op->person_id = person_id;
    op->req = r;
    op->now = now;
    op->ttl_ms = temp_ttl_ms;
    op->err = err;
    op->err_len = err_len;
    if (!uuid_v4(op->open.id) || !uuid_v4(op->code.id))
        goto cleanup;
    /* Lazy expiry: a process past validUntil becomes EXPIRED (with its audit record). */
    enum sign_result touched = sign_expiry_touch(s, organization_id, id, now);
    if (touched != SIGN_OK) {
        res = touched == SIGN_NOT_FOUND ? SIGN_RELEASE_NOT_FOUND : SIGN_RELEASE_UNAVAILABLE;
        goto cleanup;
    }
    if (!r->permanent && !fresh_token(32, token, sizeof token, op->open.token_hash))
        goto cleanup;
    if (r->skip_authorization && !fresh_token(16, code, sizeof code, op->code.code_hash))
        goto cleanup;
    enum store_status st = store_run(s, STORE_WRITE, open_tx, op);
    if (st == STORE_NOT_FOUND) {
        res = op->fail_kind == SIGN_RELEASE_PERSON_NOT_FOUND ? SIGN_RELEASE_PERSON_NOT_FOUND
                                                             : SIGN_RELEASE_NOT_FOUND;
        goto cleanup;
    }
    if (st == STORE_CONFLICT && op->fail_kind == SIGN_RELEASE_PRECONDITION) {
        res = SIGN_RELEASE_PRECONDITION;
        goto cleanup;
    }
    if (st != STORE_OK)
        goto cleanup;
    if (r->permanent && !sign_link_token(link_key, &op->link, token)) {
        log_bug("open: participant link %s cannot be derived", op->link.id);
        goto cleanup;
    }
    size_t n = strlen(public_url) + strlen(token) + strlen(code) + 32;
    *url_out = malloc(n);
    if (!*url_out)
        goto cleanup;
    snprintf(*url_out, n, "%s/ui/%s/%s%s%s", public_url, r->permanent ? "sign" : "open", token,
             code[0] ? "?code=" : "", code);
    res = SIGN_RELEASE_OK;
cleanup:
    memset(token, 0, sizeof token);
    memset(code, 0, sizeof code);
    if (op) {
        free(op->links);
        store_process_clear(&op->p);
    }
    free(op);
    return res;
}
