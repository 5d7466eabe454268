/*
 * The setup page's domain logic (see sign/setup_page.h).
 */
#include "sign/setup_page.h"

#include "core/b64.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/reason.h"
#include "core/str.h"
#include "core/uuid.h"
#include "pdf/pdf.h"
#include "sign/attach.h"
#include "sign/expiry.h"
#include "sign/process.h"
#include "sign/release.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum sign_setup_page_result fail(enum sign_setup_page_result r, char *err, size_t err_len,
                                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static enum sign_setup_page_result fail(enum sign_setup_page_result r, char *err, size_t err_len,
                                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    str_utf8_repair(err);
    return r;
}

static const char *const levels[] = {"SIMPLE",    "ADVANCED",     "ADVANCED_EU",
                                     "QUALIFIED", "QUALIFIED_EU", NULL};
static const char *const method_names[] = {"CLICK", "SMS", "APP", "PASSKEY", "OSS", NULL};

/* base64url, [A-Za-z0-9_-], 1..64 characters. */
static bool token_shape_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static void audit_link(json_t *extras, const struct store_setup_session *sess)
{
    json_object_set_new(extras, "setup_linkId", json_string(sess->link_id));
    json_object_set_new(extras, "setup_clientId", json_string(sess->client_id));
}

/* ---- sessions ---- */

struct open_op {
    const char *hash;
    struct store_setup_link_row link;
    struct store_setup_session *sess;
    int64_t now;
    bool invalid;
};

static enum store_status open_tx(struct store_tx *tx, void *cls)
{
    struct open_op *op = cls;
    op->invalid = false;
    enum store_status st = store_setup_link_find(tx, op->hash, &op->link);
    if (st == STORE_NOT_FOUND ||
        (st == STORE_OK && (op->link.revoked_at || op->link.link.expires_at <= op->now))) {
        op->invalid = true;
        return STORE_NOT_FOUND;
    }
    if (st != STORE_OK)
        return st;
    struct store_setup_session *s = op->sess;
    const struct store_setup_link *k = &op->link.link;
    str_copy(s->organization_id, sizeof s->organization_id, k->organization_id);
    str_copy(s->process_id, sizeof s->process_id, k->process_id);
    str_copy(s->link_id, sizeof s->link_id, k->id);
    str_copy(s->client_id, sizeof s->client_id, k->client_id);
    str_copy(s->language, sizeof s->language, k->language);
    str_copy(s->back_url, sizeof s->back_url, k->back_url);
    str_copy(s->success_url, sizeof s->success_url, k->success_url);
    str_copy(s->mode, sizeof s->mode, k->mode);
    s->created_at = op->now;
    s->expires_at = op->now + SIGN_SETUP_SESSION_TTL_MS;
    if (s->expires_at > k->expires_at)
        s->expires_at = k->expires_at;
    s->link_expires_at = k->expires_at;
    return store_setup_session_insert(tx, s);
}

enum sign_setup_page_result sign_setup_page_open(struct store *s, const char *token, int64_t now,
                                                 char session_out[SIGN_SETUP_SESSION_TOKEN_LEN],
                                                 struct store_setup_session *out)
{
    unsigned char raw[32];
    char *sid = NULL;
    enum sign_setup_page_result res = SIGN_SETUP_PAGE_UNAVAILABLE;
    char hash[65];
    struct open_op *op = calloc(1, sizeof *op);
    memset(out, 0, sizeof *out);
    session_out[0] = '\0';
    if (!op)
        goto cleanup;
    if (!token_shape_ok(token)) {
        res = SIGN_SETUP_PAGE_LINK_INVALID;
        goto cleanup;
    }
    crypto_sha256_hex(token, strlen(token), hash);
    if (!rand_bytes(raw, sizeof raw) || !uuid_v4(out->id))
        goto cleanup;
    sid = b64_encode(raw, sizeof raw, B64_URL);
    if (!sid || strlen(sid) + 1 != SIGN_SETUP_SESSION_TOKEN_LEN)
        goto cleanup;
    crypto_sha256_hex(sid, strlen(sid), out->session_hash);
    op->hash = hash;
    op->sess = out;
    op->now = now;
    enum store_status st = store_run(s, STORE_WRITE, open_tx, op);
    if (st == STORE_OK) {
        str_copy(session_out, SIGN_SETUP_SESSION_TOKEN_LEN, sid);
        res = SIGN_SETUP_PAGE_OK;
    } else if (op->invalid) {
        res = SIGN_SETUP_PAGE_LINK_INVALID;
    }
cleanup:
    memset(raw, 0, sizeof raw);
    if (sid) {
        memset(sid, 0, strlen(sid));
        free(sid);
    }
    free(op);
    return res;
}

struct find_op {
    char hash[65];
    struct store_setup_session *out;
};

static enum store_status find_tx(struct store_tx *tx, void *cls)
{
    struct find_op *op = cls;
    return store_setup_session_find(tx, op->hash, op->out);
}

enum sign_setup_page_result sign_setup_page_session(struct store *s, const char *id, int64_t now,
                                                    struct store_setup_session *out)
{
    memset(out, 0, sizeof *out);
    if (!id || !token_shape_ok(id))
        return SIGN_SETUP_PAGE_NO_SESSION;
    struct find_op op = {.out = out};
    crypto_sha256_hex(id, strlen(id), op.hash);
    enum store_status st = store_run(s, STORE_READ, find_tx, &op);
    if (st == STORE_NOT_FOUND)
        return SIGN_SETUP_PAGE_NO_SESSION;
    if (st != STORE_OK)
        return SIGN_SETUP_PAGE_UNAVAILABLE;
    if (out->expires_at <= now || out->link_expires_at <= now || out->link_revoked_at)
        return SIGN_SETUP_PAGE_NO_SESSION;
    return SIGN_SETUP_PAGE_OK;
}

/* ---- reading the process ---- */

struct read_op {
    const struct store_setup_session *sess;
    struct store_process p;
    struct store_document *docs;
    size_t n_docs;
};

static enum store_status read_tx(struct store_tx *tx, void *cls)
{
    struct read_op *op = cls;
    store_document_list_free(op->docs, op->n_docs);
    op->docs = NULL;
    op->n_docs = 0;
    enum store_status st =
        store_process_get(tx, op->sess->organization_id, op->sess->process_id, &op->p);
    if (st == STORE_OK)
        st = store_document_list(tx, op->sess->organization_id, op->sess->process_id, &op->docs,
                                 &op->n_docs);
    return st;
}

static void read_clear(struct read_op *op)
{
    store_process_clear(&op->p);
    store_document_list_free(op->docs, op->n_docs);
    op->docs = NULL;
    op->n_docs = 0;
}

/* Expires the process lazily and reads it with its documents. */
static enum sign_setup_page_result read_process(struct store *s,
                                                const struct store_setup_session *sess, int64_t now,
                                                struct read_op *op)
{
    memset(op, 0, sizeof *op);
    op->sess = sess;
    if (sign_expiry_touch(s, sess->organization_id, sess->process_id, now) == SIGN_UNAVAILABLE)
        return SIGN_SETUP_PAGE_UNAVAILABLE;
    enum store_status st = store_run(s, STORE_READ, read_tx, op);
    if (st == STORE_NOT_FOUND)
        return SIGN_SETUP_PAGE_NO_SESSION;
    return st == STORE_OK ? SIGN_SETUP_PAGE_OK : SIGN_SETUP_PAGE_UNAVAILABLE;
}

static const char *page_state(const struct store_process *p)
{
    if (!strcmp(p->status, "CREATED"))
        return "SETUP";
    if (!strcmp(p->status, "EXPIRED") || p->archived_at)
        return "EXPIRED";
    return "RELEASED";
}

static const struct store_participant *find_signer(const struct store_process *p, const char *id)
{
    for (size_t i = 0; i < p->n_participants; i++)
        if (!strcmp(p->participants[i].type, "SIGNER") && !strcmp(p->participants[i].id, id))
            return &p->participants[i];
    return NULL;
}

static json_t *signers_json(const struct store_process *p)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < p->n_participants; i++) {
        const struct store_participant *x = &p->participants[i];
        if (strcmp(x->type, "SIGNER") != 0)
            continue;
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", x->id,
                                        "externalIdentifier", x->external_identifier, "firstName",
                                        x->first_name, "lastName", x->last_name, "email", x->email,
                                        "mobile", x->mobile, "status", x->status));
    }
    return arr;
}

/* Page sizes of document d (visible area after /Rotate, points) into a new array. */
static json_t *pages_json(const struct sign_setup_env *env, const struct store_document *d)
{
    json_t *pages = json_array();
    unsigned char *bytes = NULL;
    size_t len = 0;
    struct pdf_info info;
    memset(&info, 0, sizeof info);
    if (pages && store_blob_get(env->store, d->blob_hash, &bytes, &len) == STORE_OK) {
        enum pdf_result pr = pdf_inspect(env->pdf, bytes, len, &info, NULL, 0);
        if (pr == PDF_OK || pr == PDF_DAMAGED)
            for (size_t k = 0; k < info.page_count; k++)
                json_array_append_new(pages, json_pack("{s:f, s:f}", "width", info.pages[k].width,
                                                       "height", info.pages[k].height));
        pdf_info_free(&info);
    }
    free(bytes);
    return pages;
}

static json_t *documents_json(const struct sign_setup_env *env, const struct read_op *op)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < op->n_docs; i++) {
        const struct store_document *d = &op->docs[i];
        json_t *pos = json_array();
        for (size_t k = 0; pos && k < d->n_positions; k++) {
            const struct store_signature_position *sp = &d->positions[k];
            json_array_append_new(
                pos, json_pack("{s:s, s:I, s:I, s:I, s:s}", "signer", sp->participant_id,
                               "pageNumber", (json_int_t)sp->page, "positionX", (json_int_t)sp->x,
                               "positionY", (json_int_t)sp->y, "locator", sp->locator));
        }
        json_t *pages = op->p.archived_at ? json_array() : pages_json(env, d);
        json_t *o =
            json_pack("{s:s, s:s, s:I, s:o, s:o}", "id", d->id, "name", d->name, "pageCount",
                      (json_int_t)d->page_count, "pages", pages ? pages : json_array(),
                      "signaturePositions", pos ? pos : json_array());
        if (!o || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *levels_json(void)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && levels[i]; i++) {
        unsigned allowed = sign_methods_for_level(levels[i]);
        json_t *m = json_array();
        for (size_t k = 0; m && method_names[k]; k++)
            if (allowed & sign_method_bit(method_names[k], strlen(method_names[k])))
                json_array_append_new(m, json_string(method_names[k]));
        json_array_append_new(
            arr, json_pack("{s:s, s:o}", "level", levels[i], "methods", m ? m : json_array()));
    }
    return arr;
}

enum sign_setup_page_result sign_setup_page_state(const struct sign_setup_env *env,
                                                  const struct store_setup_session *sess,
                                                  int64_t now, json_t **out)
{
    struct read_op op;
    *out = NULL;
    enum sign_setup_page_result res = read_process(env->store, sess, now, &op);
    if (res != SIGN_SETUP_PAGE_OK)
        goto cleanup;
    char valid_until[ISO_DATETIME_LEN];
    iso_format_datetime(op.p.valid_until, false, valid_until);
    json_t *docs = documents_json(env, &op);
    json_t *signers = signers_json(&op.p);
    json_t *lv = levels_json();
    *out = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}, s:o, s:o, s:o, s:{s:i, s:i}, s:s, s:s, "
                     "s:s, s:s}",
                     "state", page_state(&op.p), "process", "id", op.p.id, "status", op.p.status,
                     "signatureLevel", op.p.signature_level, "validUntil", valid_until, "signers",
                     signers ? signers : json_array(), "documents", docs ? docs : json_array(),
                     "levels", lv ? lv : json_array(), "sticker", "width", SIGN_STICKER_WIDTH,
                     "height", SIGN_STICKER_HEIGHT, "language", sess->language, "backUrl",
                     sess->back_url, "successUrl", sess->success_url, "mode", sess->mode);
    if (!*out)
        res = SIGN_SETUP_PAGE_UNAVAILABLE;
cleanup:
    read_clear(&op);
    return res;
}

/* ---- signers ---- */

struct signers_op {
    const struct store_setup_session *sess;
    json_t *body;
    int64_t now;
    struct store_process p;
    struct store_participant *list;
    size_t n;
    enum sign_setup_page_result fail_kind;
    char *err;
    size_t err_len;
};

static const char *const signer_edit_keys[] = {"id",    "firstName", "lastName",
                                               "email", "mobile",    NULL};

/* Validates the list against the current process (op->p) into op->list. */
static bool build_signers(struct signers_op *op)
{
    json_t *arr = json_object_get(op->body, "signers");
    op->n = 0;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *item = json_array_get(arr, i);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "signers[%zu]", i);
        if (!json_is_object(item)) {
            fail(SIGN_SETUP_PAGE_INVALID, op->err, op->err_len, "Field '%s' must be an object.",
                 prefix);
            return false;
        }
        const char *key;
        json_t *v;
        json_object_foreach(item, key, v)
        {
            const char *const *k = signer_edit_keys;
            while (*k && strcmp(*k, key) != 0)
                k++;
            if (!*k) {
                fail(SIGN_SETUP_PAGE_INVALID, op->err, op->err_len, "Unknown field '%s.%.100s'.",
                     prefix, key);
                return false;
            }
        }
        json_t *idv = json_object_get(item, "id");
        if (idv && !json_is_null(idv) && !json_is_string(idv)) {
            fail(SIGN_SETUP_PAGE_INVALID, op->err, op->err_len, "Field '%s.id' must be a string.",
                 prefix);
            return false;
        }
        const char *id = json_string_value(idv);
        const struct store_participant *old = id && *id ? find_signer(&op->p, id) : NULL;
        if (id && *id && !old) {
            fail(SIGN_SETUP_PAGE_INVALID, op->err, op->err_len,
                 "Field '%s.id' names no signer of the process.", prefix);
            return false;
        }
        for (size_t k = 0; old && k < op->n; k++)
            if (!strcmp(op->list[k].id, old->id)) {
                fail(SIGN_SETUP_PAGE_INVALID, op->err, op->err_len,
                     "Field '%s.id': signer '%s' is listed twice.", prefix, old->id);
                return false;
            }
        json_t *copy = json_copy(item);
        if (!copy) {
            fail(SIGN_SETUP_PAGE_UNAVAILABLE, op->err, op->err_len, "Not enough memory.");
            return false;
        }
        json_object_del(copy, "id");
        json_object_set_new(copy, "type", json_string("SIGNER"));
        struct store_participant x;
        bool ok = sign_signer_parse(copy, prefix, &x, op->err, op->err_len);
        json_decref(copy);
        if (!ok)
            return false;
        struct store_participant *o = &op->list[op->n++];
        if (old) {
            *o = *old;
            str_copy(o->first_name, sizeof o->first_name, x.first_name);
            str_copy(o->last_name, sizeof o->last_name, x.last_name);
            str_copy(o->email, sizeof o->email, x.email);
            str_copy(o->mobile, sizeof o->mobile, x.mobile);
        } else {
            *o = x;
            if (!uuid_v4(o->id)) {
                fail(SIGN_SETUP_PAGE_UNAVAILABLE, op->err, op->err_len, "Not possible now.");
                return false;
            }
            str_copy(o->type, sizeof o->type, "SIGNER");
            str_copy(o->status, sizeof o->status, "WAITING");
        }
    }
    return true;
}

static enum store_status signers_tx(struct store_tx *tx, void *cls)
{
    struct signers_op *op = cls;
    const struct store_setup_session *sess = op->sess;
    op->fail_kind = SIGN_SETUP_PAGE_UNAVAILABLE;
    enum store_status st = store_process_get(tx, sess->organization_id, sess->process_id, &op->p);
    if (st != STORE_OK)
        return st;
    if (strcmp(op->p.status, "CREATED") != 0 || op->p.valid_until <= op->now) {
        op->fail_kind = SIGN_SETUP_PAGE_WRONG_STATE;
        return STORE_CONFLICT;
    }
    if (!build_signers(op)) {
        op->fail_kind = SIGN_SETUP_PAGE_INVALID;
        return STORE_CONFLICT;
    }
    st = store_setup_signers_replace(tx, sess->organization_id, sess->process_id, op->list, op->n,
                                     op->now);
    if (st != STORE_OK)
        return st;
    char count[24];
    snprintf(count, sizeof count, "%zu", op->n);
    json_t *extras = json_pack("{s:s, s:s}", "setup_event", "SIGNERS", "setup_signers", count);
    if (!extras)
        return STORE_ERROR;
    audit_link(extras, sess);
    st = sign_audit_append(tx, sess->organization_id, sess->process_id, op->now, "setup", "SUCCESS",
                           extras);
    json_decref(extras);
    return st;
}

enum sign_setup_page_result sign_setup_page_signers(struct store *s,
                                                    const struct store_setup_session *sess,
                                                    const json_t *body, int64_t now, char *err,
                                                    size_t err_len)
{
    err[0] = '\0';
    json_t *arr = json_is_object(body) ? json_object_get(body, "signers") : NULL;
    if (!json_is_object(body) || json_object_size(body) != 1 || !json_is_array(arr))
        return fail(SIGN_SETUP_PAGE_INVALID, err, err_len,
                    "The body must be {\"signers\": [...]}.");
    if (json_array_size(arr) > SIGN_MAX_SIGNERS)
        return fail(SIGN_SETUP_PAGE_INVALID, err, err_len,
                    "Field 'signers' must have at most %d entries.", SIGN_MAX_SIGNERS);
    if (sign_expiry_touch(s, sess->organization_id, sess->process_id, now) == SIGN_UNAVAILABLE)
        return SIGN_SETUP_PAGE_UNAVAILABLE;
    struct signers_op op = {
        .sess = sess, .body = (json_t *)body, .now = now, .err = err, .err_len = err_len};
    op.list = calloc(json_array_size(arr) + 1, sizeof *op.list);
    if (!op.list)
        return SIGN_SETUP_PAGE_UNAVAILABLE;
    enum store_status st = store_run(s, STORE_WRITE, signers_tx, &op);
    enum sign_setup_page_result res = SIGN_SETUP_PAGE_OK;
    if (st == STORE_NOT_FOUND)
        res = SIGN_SETUP_PAGE_NO_SESSION;
    else if (st != STORE_OK)
        res = op.fail_kind;
    if (res == SIGN_SETUP_PAGE_WRONG_STATE)
        reason_message(err, err_len, "setup.ended", json_pack("{s:s}", "status", op.p.status),
                       "The process is %s; its signers cannot be changed any more.", op.p.status);
    store_process_clear(&op.p);
    free(op.list);
    return res;
}

/* ---- positions ---- */

struct positions_op {
    const struct store_setup_session *sess;
    const char *doc_id;
    int64_t now;
    struct store_process p;
    struct store_document doc;
    struct store_signature_position *pos;
    size_t n;
    bool wrong_state, unknown_signer;
};

static enum store_status positions_read_tx(struct store_tx *tx, void *cls)
{
    struct positions_op *op = cls;
    const struct store_setup_session *sess = op->sess;
    enum store_status st = store_process_get(tx, sess->organization_id, sess->process_id, &op->p);
    if (st == STORE_OK)
        st = store_document_get(tx, sess->organization_id, sess->process_id, op->doc_id, &op->doc);
    if (st == STORE_OK && strcmp(op->doc.id, op->doc_id) != 0)
        st = STORE_NOT_FOUND; /* found by its externalIdentifier: the page names ids only */
    return st;
}

static enum store_status positions_write_tx(struct store_tx *tx, void *cls)
{
    struct positions_op *op = cls;
    const struct store_setup_session *sess = op->sess;
    op->wrong_state = op->unknown_signer = false;
    enum store_status st = store_process_get(tx, sess->organization_id, sess->process_id, &op->p);
    if (st != STORE_OK)
        return st;
    if (strcmp(op->p.status, "CREATED") != 0 || op->p.valid_until <= op->now) {
        op->wrong_state = true;
        return STORE_CONFLICT;
    }
    /* The signers may have changed since the request was checked. */
    for (size_t i = 0; i < op->n; i++)
        if (!find_signer(&op->p, op->pos[i].participant_id)) {
            op->unknown_signer = true;
            return STORE_CONFLICT;
        }
    st = store_setup_positions_replace(tx, sess->organization_id, sess->process_id, op->doc_id,
                                       op->pos, op->n, op->now);
    if (st != STORE_OK)
        return st;
    char count[24];
    snprintf(count, sizeof count, "%zu", op->n);
    json_t *extras =
        json_pack("{s:s, s:s, s:s, s:s}", "setup_event", "POSITIONS", "setup_documentId",
                  op->doc_id, "setup_documentName", op->doc.name, "setup_positions", count);
    if (!extras)
        return STORE_ERROR;
    audit_link(extras, sess);
    st = sign_audit_append(tx, sess->organization_id, sess->process_id, op->now, "setup", "SUCCESS",
                           extras);
    json_decref(extras);
    return st;
}

/* An integer member >= 0 (pageNumber may be negative: min) into *out. */
static bool int_field(const json_t *o, const char *prefix, const char *key, json_int_t min,
                      int64_t *out, char *err, size_t err_len)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v)) {
        fail(SIGN_SETUP_PAGE_INVALID, err, err_len,
             "Field '%s%s' is required and must be an "
             "integer.",
             prefix, key);
        return false;
    }
    json_int_t i = json_integer_value(v);
    if (i < min || i > INT32_MAX) {
        fail(SIGN_SETUP_PAGE_INVALID, err, err_len, "Field '%s%s' must be between %lld and %d.",
             prefix, key, (long long)min, INT32_MAX);
        return false;
    }
    *out = i;
    return true;
}

static const char *const position_edit_keys[] = {"signer", "pageNumber", "positionX", "positionY",
                                                 NULL};

enum sign_setup_page_result sign_setup_page_positions(const struct sign_setup_env *env,
                                                      const struct store_setup_session *sess,
                                                      const json_t *body, int64_t now, char *err,
                                                      size_t err_len)
{
    struct positions_op op = {.sess = sess, .now = now};
    unsigned char *bytes = NULL;
    size_t len = 0;
    struct pdf_info info;
    memset(&info, 0, sizeof info);
    enum sign_setup_page_result res = SIGN_SETUP_PAGE_INVALID;
    err[0] = '\0';
    json_t *arr = json_is_object(body) ? json_object_get(body, "signaturePositions") : NULL;
    op.doc_id =
        json_is_object(body) ? json_string_value(json_object_get(body, "documentId")) : NULL;
    if (!op.doc_id || !json_is_array(arr) || json_object_size(body) != 2) {
        fail(res, err, err_len,
             "The body must be {\"documentId\": \"…\", \"signaturePositions\": [...]}.");
        goto cleanup;
    }
    op.n = json_array_size(arr);
    if (op.n > SIGN_MAX_POSITIONS) {
        fail(res, err, err_len, "Field 'signaturePositions' must have at most %d entries.",
             SIGN_MAX_POSITIONS);
        goto cleanup;
    }
    if (sign_expiry_touch(env->store, sess->organization_id, sess->process_id, now) ==
        SIGN_UNAVAILABLE) {
        res = SIGN_SETUP_PAGE_UNAVAILABLE;
        goto cleanup;
    }
    enum store_status st = store_run(env->store, STORE_READ, positions_read_tx, &op);
    if (st != STORE_OK) {
        res = st == STORE_NOT_FOUND ? SIGN_SETUP_PAGE_NOT_FOUND : SIGN_SETUP_PAGE_UNAVAILABLE;
        goto cleanup;
    }
    if (strcmp(op.p.status, "CREATED") != 0 || op.p.valid_until <= now) {
        res = SIGN_SETUP_PAGE_WRONG_STATE;
        reason_message(
            err, err_len, "setup.ended",
            json_pack("{s:s}", "status", strcmp(op.p.status, "CREATED") ? op.p.status : "EXPIRED"),
            "The process is %s; its signature positions cannot be changed any more.",
            strcmp(op.p.status, "CREATED") ? op.p.status : "EXPIRED");
        goto cleanup;
    }
    if (store_blob_get(env->store, op.doc.blob_hash, &bytes, &len) != STORE_OK) {
        res = SIGN_SETUP_PAGE_UNAVAILABLE;
        goto cleanup;
    }
    enum pdf_result pr = pdf_inspect(env->pdf, bytes, len, &info, NULL, 0);
    if (pr != PDF_OK && pr != PDF_DAMAGED) {
        res = SIGN_SETUP_PAGE_UNAVAILABLE;
        goto cleanup;
    }
    op.pos = calloc(op.n + 1, sizeof *op.pos);
    if (!op.pos) {
        res = SIGN_SETUP_PAGE_UNAVAILABLE;
        goto cleanup;
    }
    for (size_t i = 0; i < op.n; i++) {
        json_t *j = json_array_get(arr, i);
        char prefix[48];
        snprintf(prefix, sizeof prefix, "signaturePositions[%zu].", i);
        if (!json_is_object(j)) {
            fail(res, err, err_len, "Field 'signaturePositions[%zu]' must be an object.", i);
            goto cleanup;
        }
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v)
        {
            const char *const *k = position_edit_keys;
            while (*k && strcmp(*k, key) != 0)
                k++;
            if (!*k) {
                fail(res, err, err_len, "Unknown field '%s%.100s'.", prefix, key);
                goto cleanup;
            }
        }
        const char *signer = json_string_value(json_object_get(j, "signer"));
        const struct store_participant *x = signer ? find_signer(&op.p, signer) : NULL;
        if (!x) {
            fail(res, err, err_len, "Field '%ssigner' must be the id of a signer of the process.",
                 prefix);
            goto cleanup;
        }
        struct store_signature_position *o = &op.pos[i];
        int64_t page, px, py;
        if (!int_field(j, prefix, "pageNumber", INT32_MIN, &page, err, err_len) ||
            !int_field(j, prefix, "positionX", 0, &px, err, err_len) ||
            !int_field(j, prefix, "positionY", 0, &py, err, err_len))
            goto cleanup;
        int resolved = -1;
        if (sign_position_check(&info, i, page, px, py, op.doc.name, &resolved, err, err_len) !=
            SIGN_ATTACH_OK)
            goto cleanup;
        str_copy(o->participant_id, sizeof o->participant_id, x->id);
        /* As an API client names a signer: its externalIdentifier when it has one. */
        str_copy(o->signer, sizeof o->signer,
                 x->external_identifier[0] ? x->external_identifier : x->id);
        str_copy(o->locator, sizeof o->locator, "COORDINATES");
        str_copy(o->sticker_provider, sizeof o->sticker_provider, "VISUAL_SIGNATURE_PROVIDER");
        o->has_requested_page = true;
        o->requested_page = page;
        o->page = resolved;
        o->x = px;
        o->y = py;
    }
    st = store_run(env->store, STORE_WRITE, positions_write_tx, &op);
    if (st == STORE_OK)
        res = SIGN_SETUP_PAGE_OK;
    else if (op.wrong_state) {
        res = SIGN_SETUP_PAGE_WRONG_STATE;
        reason_message(err, err_len, "setup.ended", json_pack("{s:s}", "status", op.p.status),
                       "The process is %s; its signature positions cannot be changed any more.",
                       op.p.status);
    } else if (op.unknown_signer) {
        res = SIGN_SETUP_PAGE_INVALID;
        reason_message(err, err_len, "setup.changed", NULL,
                       "The signers changed meanwhile; reload the page.");
    } else
        res = st == STORE_NOT_FOUND ? SIGN_SETUP_PAGE_NOT_FOUND : SIGN_SETUP_PAGE_UNAVAILABLE;
cleanup:
    pdf_info_free(&info);
    free(bytes);
    free(op.pos);
    store_process_clear(&op.p);
    store_document_clear(&op.doc);
    return res;
}

/* ---- previews ---- */

struct doc_op {
    const struct store_setup_session *sess;
    const char *doc_id;
    struct store_document doc;
    int64_t archived_at;
};

static enum store_status doc_tx(struct store_tx *tx, void *cls)
{
    struct doc_op *op = cls;
    enum store_status st = store_document_get(tx, op->sess->organization_id, op->sess->process_id,
                                              op->doc_id, &op->doc);
    if (st == STORE_OK && strcmp(op->doc.id, op->doc_id) != 0)
        st = STORE_NOT_FOUND;
    return st;
}

enum sign_setup_page_result sign_setup_page_preview(const struct sign_setup_env *env,
                                                    const struct store_setup_session *sess,
                                                    const char *doc_id, int page, int width_px,
                                                    unsigned char **png, size_t *png_len)
{
    struct doc_op op = {.sess = sess, .doc_id = doc_id};
    unsigned char *bytes = NULL;
    size_t len = 0;
    enum sign_setup_page_result res = SIGN_SETUP_PAGE_UNAVAILABLE;
    *png = NULL;
    *png_len = 0;
    enum store_status st = store_run(env->store, STORE_READ, doc_tx, &op);
    if (st != STORE_OK) {
        res = st == STORE_NOT_FOUND ? SIGN_SETUP_PAGE_NOT_FOUND : SIGN_SETUP_PAGE_UNAVAILABLE;
        goto cleanup;
    }
    if (page < 0 || page >= op.doc.page_count) {
        res = SIGN_SETUP_PAGE_NOT_FOUND;
        goto cleanup;
    }
    st = store_blob_get(env->store, op.doc.blob_hash, &bytes, &len);
    if (st != STORE_OK) {
        /* The archive job deletes the files of an ended process. */
        res = st == STORE_NOT_FOUND ? SIGN_SETUP_PAGE_NOT_FOUND : SIGN_SETUP_PAGE_UNAVAILABLE;
        goto cleanup;
    }
    enum pdf_result pr =
        pdf_render_page_png(env->pdf, bytes, len, page, width_px, png, png_len, NULL, 0);
    if (pr == PDF_OK)
        res = SIGN_SETUP_PAGE_OK;
    else
        res = pr == PDF_NO_SUCH_PAGE ? SIGN_SETUP_PAGE_NOT_FOUND : SIGN_SETUP_PAGE_UNAVAILABLE;
cleanup:
    free(bytes);
    store_document_clear(&op.doc);
    return res;
}

/* ---- release ---- */

struct level_op {
    const struct store_setup_session *sess;
    const char *level;
    int64_t now;
};

static enum store_status level_tx(struct store_tx *tx, void *cls)
{
    struct level_op *op = cls;
    const struct store_setup_session *sess = op->sess;
    enum store_status st =
        store_setup_level_set(tx, sess->organization_id, sess->process_id, op->level, op->now);
    if (st != STORE_OK)
        return st;
    json_t *extras =
        json_pack("{s:s, s:s}", "setup_event", "LEVEL", "setup_signatureLevel", op->level);
    if (!extras)
        return STORE_ERROR;
    audit_link(extras, sess);
    st = sign_audit_append(tx, sess->organization_id, sess->process_id, op->now, "setup", "SUCCESS",
                           extras);
    json_decref(extras);
    return st;
}

enum sign_setup_page_result sign_setup_page_release(const struct sign_setup_env *env,
                                                    const struct store_setup_session *sess,
                                                    const json_t *body, int64_t now, char *err,
                                                    size_t err_len)
{
    struct read_op rop;
    struct sign_release_request r;
    json_t *out = NULL;
    err[0] = '\0';
    if (body && !json_is_object(body))
        return fail(SIGN_SETUP_PAGE_INVALID, err, err_len, "The body must be a JSON object.");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "signatureLevel") != 0 && strcmp(key, "release") != 0)
            return fail(SIGN_SETUP_PAGE_INVALID, err, err_len, "Unknown field '%.100s'.", key);
    }
    json_t *lv = json_object_get(body, "signatureLevel");
    const char *level = json_string_value(lv);
    if (lv && !json_is_null(lv)) {
        const char *const *l = levels;
        while (level && *l && strcmp(*l, level) != 0)
            l++;
        if (!level || !*l)
            return fail(SIGN_SETUP_PAGE_INVALID, err, err_len,
                        "Field 'signatureLevel' must be one of SIMPLE, ADVANCED, ADVANCED_EU, "
                        "QUALIFIED, QUALIFIED_EU.");
    }
    json_t *rel = json_object_get(body, "release");
    if (!sign_release_parse(rel && !json_is_null(rel) ? rel : NULL, &r, err, err_len))
        return SIGN_SETUP_PAGE_INVALID;
    enum sign_setup_page_result res = read_process(env->store, sess, now, &rop);
    if (res != SIGN_SETUP_PAGE_OK)
        goto cleanup;
    if (level && strcmp(level, rop.p.signature_level) != 0) {
        if (strcmp(rop.p.status, "CREATED") != 0) {
            res = SIGN_SETUP_PAGE_WRONG_STATE;
            reason_message(err, err_len, "setup.ended", json_pack("{s:s}", "status", rop.p.status),
                           "The process is %s; its signature level cannot be changed any more.",
                           rop.p.status);
            goto cleanup;
        }
        struct level_op lop = {.sess = sess, .level = level, .now = now};
        enum store_status st = store_run(env->store, STORE_WRITE, level_tx, &lop);
        if (st == STORE_CONFLICT) {
            res = SIGN_SETUP_PAGE_WRONG_STATE;
            reason_message(err, err_len, "setup.changed", NULL,
                           "The process was changed meanwhile; reload the page.");
            goto cleanup;
        }
        if (st != STORE_OK) {
            res = SIGN_SETUP_PAGE_UNAVAILABLE;
            goto cleanup;
        }
    }
    switch (sign_process_release(env->store, env->link_key, env->public_url, sess->organization_id,
                                 sess->client_id, sess->process_id, &r, now, env->max_validity,
                                 &out, err, err_len)) {
    case SIGN_RELEASE_OK:
    case SIGN_RELEASE_ALREADY:
        res = SIGN_SETUP_PAGE_OK;
        break;
    case SIGN_RELEASE_INVALID:
        res = SIGN_SETUP_PAGE_INVALID;
        break;
    case SIGN_RELEASE_CONFLICT:
        res = SIGN_SETUP_PAGE_CONFLICT;
        break;
    case SIGN_RELEASE_PRECONDITION:
        res = SIGN_SETUP_PAGE_PRECONDITION;
        break;
    case SIGN_RELEASE_NOT_FOUND:
    case SIGN_RELEASE_PERSON_NOT_FOUND:
        res = SIGN_SETUP_PAGE_NO_SESSION;
        break;
    case SIGN_RELEASE_UNAVAILABLE:
        res = SIGN_SETUP_PAGE_UNAVAILABLE;
        break;
    }
cleanup:
    json_decref(out);
    read_clear(&rop);
    return res;
}
