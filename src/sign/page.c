/*
 * Signer pages: sessions, authorization codes, viewing, signing and declining (see
 * sign/page.h, docs/signer-pages.md).
 */
#include "sign/page.h"

#include "core/b64.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/reason.h"
#include "core/str.h"
#include "core/token.h"
#include "core/uuid.h"
#include "notify/notify.h"
#include "pdf/pdf.h"
#include "sign/attach.h"
#include "sign/drawn.h"
#include "sign/expiry.h"
#include "sign/notices.h"
#include "sign/page_app.h"
#include "sign/page_passkey.h"
#include "sign/page_srs.h"
#include "sign/verification.h"
#include "sign/process.h"
#include "sign/release.h"
#include "sign/signing.h"
#include "store/release.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True when s is 1..64 characters of the base64url alphabet (a token as Signet makes them). */
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

void sign_page_csrf(const char *id, char out[SIGN_PAGE_TOKEN_LEN])
{
    token_csrf("csrf", id, out);
}

bool sign_page_csrf_valid(const char *id, const char *header)
{
    return token_csrf_valid("csrf", id, header);
}

void sign_page_mask(const char *to, bool mobile, char *out, size_t out_len)
{
    size_t n = strlen(to);
    if (mobile) {
        /* Keep the country code's first digits and the last two digits. */
        if (n < 6) {
            snprintf(out, out_len, "•••");
            return;
        }
        snprintf(out, out_len, "%.3s •••• %s", to, to + n - 2);
        return;
    }
    const char *at = strchr(to, '@');
    if (!at || at == to) {
        snprintf(out, out_len, "•••");
        return;
    }
    snprintf(out, out_len, "%.1s•••%s", to, at);
}

/* Audit extras helper: a JSON object of strings from NULL-terminated key/value pairs. */
static json_t *extras_of(const char *const *kv)
{
    json_t *o = json_object();
    for (size_t i = 0; o && kv[i]; i += 2)
        if (json_object_set_new(o, kv[i], json_string(kv[i + 1] ? kv[i + 1] : "")) != 0) {
            json_decref(o);
            o = NULL;
        }
    return o;
}

static enum store_status audit(struct store_tx *tx, const struct store_ui_session *sess,
                               int64_t now, const char *action, const char *status,
                               const char *const *kv)
{
    json_t *x = extras_of(kv);
    if (!x)
        return STORE_ERROR;
    enum store_status st =
        sign_audit_append(tx, sess->organization_id, sess->process_id, now, action, status, x);
    json_decref(x);
    return st;
}

static const struct store_participant *find_participant(const struct store_process *p,
                                                        const char *id)
{
    for (size_t i = 0; i < p->n_participants; i++)
        if (!strcmp(p->participants[i].id, id))
            return &p->participants[i];
    return NULL;
}

/* ---- opening a link ---- */

struct open_op {
    bool open_link;
    char token_hash[65];
    const char *current;
    char code_hash[65]; /* "" : no open code */
    int64_t now;
    char session_id[SIGN_PAGE_TOKEN_LEN];
    struct store_ui_session sess;
    struct store_participant_link plink;
    struct store_open_link olink;
    enum sign_page_result res;
};

static enum store_status open_tx(struct store_tx *tx, void *cls)
{
    struct open_op *op = cls;
    struct store_ui_session *s = &op->sess;
    op->res = SIGN_PAGE_UNAVAILABLE;
    memset(s, 0, sizeof *s);
    enum store_status st;
    if (op->open_link) {
        st = store_open_link_find(tx, op->token_hash, &op->olink);
        if (st == STORE_OK && op->olink.expires_at <= op->now)
            st = STORE_NOT_FOUND;
        if (st == STORE_OK) {
            str_copy(s->organization_id, sizeof s->organization_id, op->olink.organization_id);
            str_copy(s->process_id, sizeof s->process_id, op->olink.process_id);
            str_copy(s->participant_id, sizeof s->participant_id, op->olink.participant_id);
            str_copy(s->link_kind, sizeof s->link_kind, "OPEN");
            str_copy(s->link_id, sizeof s->link_id, op->olink.id);
            str_copy(s->language, sizeof s->language, op->olink.language);
            str_copy(s->back_url, sizeof s->back_url, op->olink.back_url);
            str_copy(s->success_url, sizeof s->success_url, op->olink.success_url);
            str_copy(s->mode, sizeof s->mode, op->olink.mode);
        }
    } else {
        st = store_participant_link_find(tx, op->token_hash, &op->plink);
        if (st == STORE_OK) {
            str_copy(s->organization_id, sizeof s->organization_id, op->plink.organization_id);
            str_copy(s->process_id, sizeof s->process_id, op->plink.process_id);
            str_copy(s->participant_id, sizeof s->participant_id, op->plink.participant_id);
            str_copy(s->link_kind, sizeof s->link_kind, "SIGN");
            str_copy(s->link_id, sizeof s->link_id, op->plink.id);
            str_copy(s->language, sizeof s->language, op->plink.language);
            str_copy(s->back_url, sizeof s->back_url, op->plink.back_url);
            str_copy(s->success_url, sizeof s->success_url, op->plink.success_url);
            str_copy(s->mode, sizeof s->mode, op->plink.mode);
        }
    }
    if (st == STORE_NOT_FOUND) {
        op->res = SIGN_PAGE_LINK_INVALID;
        return STORE_OK; /* nothing written; the answer says the link is not valid */
    }
    if (st != STORE_OK)
        return st;
    if (!s->mode[0])
        str_copy(s->mode, sizeof s->mode, "DEFAULT");
    /* The browser's session of the same link is kept (a reload asks for no new code). */
    bool reused = false;
    if (op->current && token_shape_ok(op->current)) {
        struct store_ui_session old;
        char h[65];
        crypto_sha256_hex(op->current, strlen(op->current), h);
        st = store_ui_session_find(tx, h, &old);
        if (st != STORE_OK && st != STORE_NOT_FOUND)
            return st;
        if (st == STORE_OK && !strcmp(old.link_id, s->link_id) &&
            !strcmp(old.organization_id, s->organization_id) && old.expires_at > op->now) {
            *s = old;
            str_copy(op->session_id, sizeof op->session_id, op->current);
            reused = true;
        }
    }
    if (!reused) {
        if (!uuid_v4(s->id) || !token_new(op->session_id, s->session_hash))
            return STORE_ERROR;
        s->created_at = op->now;
        s->expires_at = op->now + SIGN_PAGE_SESSION_TTL_MS;
        st = store_ui_session_insert(tx, s);
        if (st != STORE_OK)
            return st;
    }
    if (op->code_hash[0] && !s->authorized_at) {
        st = store_open_code_redeem(tx, s->organization_id, s->process_id, s->participant_id,
                                    op->code_hash, op->now);
        if (st == STORE_OK) {
            st = store_ui_session_authorize(tx, s->organization_id, s->id, op->now, "OPEN_CODE");
            if (st != STORE_OK)
                return st;
            s->authorized_at = op->now;
            str_copy(s->authorized_by, sizeof s->authorized_by, "OPEN_CODE");
            st = audit(tx, s, op->now, "authorization", "SUCCESS",
                       (const char *[]){"authorization_participantId", s->participant_id,
                                        "authorization_method", "OPEN_CODE", NULL});
        } else if (st == STORE_NOT_FOUND) {
            /* Expired, redeemed before or not this participant's: the normal order applies. */
            st = audit(tx, s, op->now, "authorization", "FAIL",
                       (const char *[]){"authorization_participantId", s->participant_id,
                                        "authorization_method", "OPEN_CODE",
                                        "authorization_failure", "CODE_INVALID", NULL});
        }
        if (st != STORE_OK)
            return st;
    }
    op->res = SIGN_PAGE_OK;
    return STORE_OK;
}

enum sign_page_result sign_page_open(struct store *s, bool open_link, const char *token,
                                     const char *open_code, const char *current, int64_t now,
                                     char session_out[SIGN_PAGE_TOKEN_LEN],
                                     struct store_ui_session *out)
{
    session_out[0] = '\0';
    memset(out, 0, sizeof *out);
    if (!token_shape_ok(token))
        return SIGN_PAGE_LINK_INVALID;
    struct open_op *op = calloc(1, sizeof *op); /* ~20 KiB of link text: not on the stack */
    if (!op)
        return SIGN_PAGE_UNAVAILABLE;
    op->open_link = open_link;
    op->current = current;
    op->now = now;
    crypto_sha256_hex(token, strlen(token), op->token_hash);
    if (open_code && token_shape_ok(open_code))
        crypto_sha256_hex(open_code, strlen(open_code), op->code_hash);
    enum sign_page_result res = SIGN_PAGE_UNAVAILABLE;
    if (store_run(s, STORE_WRITE, open_tx, op) == STORE_OK) {
        res = op->res;
        if (res == SIGN_PAGE_OK) {
            str_copy(session_out, SIGN_PAGE_TOKEN_LEN, op->session_id);
            *out = op->sess;
        }
    }
    memset(op->session_id, 0, sizeof op->session_id);
    free(op);
    return res;
}

struct find_op {
    char hash[65];
    struct store_ui_session *out;
};

static enum store_status find_tx(struct store_tx *tx, void *cls)
{
    struct find_op *op = cls;
    return store_ui_session_find(tx, op->hash, op->out);
}

enum sign_page_result sign_page_session(struct store *s, const char *id, int64_t now,
                                        struct store_ui_session *out)
{
    memset(out, 0, sizeof *out);
    if (!id || !token_shape_ok(id))
        return SIGN_PAGE_NO_SESSION;
    struct find_op op = {.out = out};
    crypto_sha256_hex(id, strlen(id), op.hash);
    enum store_status st = store_run(s, STORE_READ, find_tx, &op);
    if (st == STORE_NOT_FOUND || (st == STORE_OK && out->expires_at <= now))
        return SIGN_PAGE_NO_SESSION;
    return st == STORE_OK ? SIGN_PAGE_OK : SIGN_PAGE_UNAVAILABLE;
}

/* ---- the page's state ---- */

struct read_op {
    const struct store_ui_session *sess;
    bool with_documents;
    struct store_process p;
    struct store_release rel;
    bool released;
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
    if (st != STORE_OK)
        return st;
    st = store_release_get(tx, op->sess->organization_id, op->sess->process_id, &op->rel);
    op->released = st == STORE_OK;
    if (st != STORE_OK && st != STORE_NOT_FOUND)
        return st;
    if (!op->with_documents)
        return STORE_OK;
    return store_document_list(tx, op->sess->organization_id, op->sess->process_id, &op->docs,
                               &op->n_docs);
}

static void read_clear(struct read_op *op)
{
    store_process_clear(&op->p);
    store_document_list_free(op->docs, op->n_docs);
    op->docs = NULL;
    op->n_docs = 0;
}

/* Reads the session's process (after a lazy expiry) and, when asked, its documents. */
static enum sign_page_result read_process(struct store *s, const struct store_ui_session *sess,
                                          bool with_documents, int64_t now, struct read_op *op)
{
    memset(op, 0, sizeof *op);
    op->sess = sess;
    op->with_documents = with_documents;
    enum sign_result touched = sign_expiry_touch(s, sess->organization_id, sess->process_id, now);
    if (touched == SIGN_NOT_FOUND)
        return SIGN_PAGE_NO_SESSION;
    if (touched != SIGN_OK)
        return SIGN_PAGE_UNAVAILABLE;
    enum store_status st = store_run(s, STORE_READ, read_tx, op);
    if (st == STORE_NOT_FOUND)
        return SIGN_PAGE_NO_SESSION;
    return st == STORE_OK ? SIGN_PAGE_OK : SIGN_PAGE_UNAVAILABLE;
}

/* The methods this page offers the participant: allowed by the release (or the level) and
 * implemented here (CLICK; SMS when the participant has a mobile; APP; PASSKEY; OSS when the
 * release names it (only corporate tenants' can: sign/release.h) and the participant has a
 * mobile, to which the identification's registration is bound: sign/verification.h). */
static unsigned page_methods(const struct read_op *op, const struct store_participant *me)
{
    unsigned allowed = op->released && op->rel.signature_methods[0]
                           ? sign_methods_from_text(op->rel.signature_methods)
                           : sign_methods_for_level(op->p.signature_level);
    unsigned m = allowed & (SIGN_METHOD_CLICK | SIGN_METHOD_APP | SIGN_METHOD_PASSKEY);
    if ((allowed & SIGN_METHOD_SMS) && me && me->mobile[0])
        m |= SIGN_METHOD_SMS;
    if ((allowed & SIGN_METHOD_OSS) && op->released && op->rel.signature_methods[0] && me &&
        me->mobile[0])
        m |= SIGN_METHOD_OSS;
    return m;
}

enum sign_page_result sign_page_methods(struct store *s, const struct store_ui_session *sess,
                                        int64_t now, unsigned *methods, bool *pending)
{
    struct read_op rop;
    *methods = 0;
    if (pending)
        *pending = false;
    enum sign_page_result res = read_process(s, sess, false, now, &rop);
    if (res == SIGN_PAGE_OK) {
        const struct store_participant *me = find_participant(&rop.p, sess->participant_id);
        *methods = page_methods(&rop, me);
        if (pending)
            *pending = me && !strcmp(rop.p.status, "PENDING") && !strcmp(me->status, "PENDING");
    }
    read_clear(&rop);
    return res;
}

static const char *page_state(const struct store_process *p, const struct store_participant *me,
                              bool authorized)
{
    if (me && !strcmp(me->status, "SIGNED"))
        return "SIGNED";
    if (me && !strcmp(me->status, "DECLINED"))
        return "DECLINED";
    if (!strcmp(p->status, "EXPIRED"))
        return "EXPIRED";
    if (!strcmp(p->status, "COMPLETED"))
        return "COMPLETED";
    if (p->archived_at)
        return "EXPIRED";
    return authorized ? "READY" : "AUTHORIZE";
}

/* True when one of the participant's stamped boxes asks for a drawn signature. */
static bool wants_drawing(const struct read_op *op, const char *me)
{
    for (size_t i = 0; i < op->n_docs; i++)
        if (sign_signing_box_drawn(sign_signing_box(&op->docs[i], me)))
            return true;
    return false;
}

/* The documents' JSON: pages with sizes (from the original) and the participant's boxes. */
static json_t *documents_json(const struct sign_page_env *env, const struct read_op *op,
                              const char *me)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < op->n_docs; i++) {
        const struct store_document *d = &op->docs[i];
        json_t *pages = json_array(), *boxes = json_array();
        unsigned char *bytes = NULL;
        size_t len = 0;
        struct pdf_info info;
        memset(&info, 0, sizeof info);
        if (store_blob_get(env->store, d->blob_hash, &bytes, &len) == STORE_OK) {
            enum pdf_result pr = pdf_inspect(env->pdf, bytes, len, &info, NULL, 0);
            if (pr == PDF_OK || pr == PDF_DAMAGED)
                for (size_t k = 0; pages && k < info.page_count; k++)
                    json_array_append_new(pages,
                                          json_pack("{s:f, s:f}", "width", info.pages[k].width,
                                                    "height", info.pages[k].height));
            pdf_info_free(&info);
        }
        free(bytes);
        for (size_t k = 0; boxes && k < d->n_positions; k++) {
            const struct store_signature_position *sp = &d->positions[k];
            if (strcmp(sp->participant_id, me) != 0)
                continue;
            /* drawn: this box is the one stamped (sign_signing_box) and asks for a drawing. */
            bool drawn = sp == sign_signing_box(d, me) && sign_signing_box_drawn(sp);
            json_array_append_new(boxes,
                                  json_pack("{s:I, s:I, s:I, s:i, s:i, s:b}", "page",
                                            (json_int_t)sp->page, "x", (json_int_t)sp->x, "y",
                                            (json_int_t)sp->y, "width", SIGN_STICKER_WIDTH,
                                            "height", SIGN_STICKER_HEIGHT, "drawn", drawn));
        }
        /* version names the file the previews show (the newest): the page asks for the
         * previews again when it changes. */
        json_t *o =
            json_pack("{s:s, s:s, s:I, s:o, s:o, s:b, s:s}", "id", d->id, "name", d->name,
                      "pageCount", (json_int_t)d->page_count, "pages", pages ? pages : json_array(),
                      "boxes", boxes ? boxes : json_array(), "signed", d->last.id[0] != '\0',
                      "version", d->last.id[0] ? d->last.id : d->id);
        if (!o || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *signers_json(const struct store_process *p, const char *me)
{
    json_t *arr = json_array();
    for (size_t i = 1; arr && i < p->n_participants; i++) {
        const struct store_participant *x = &p->participants[i];
        if (strcmp(x->type, "SIGNER") != 0)
            continue;
        char name[600], signed_on[ISO_DATETIME_LEN] = "";
        snprintf(name, sizeof name, "%s %s", x->first_name, x->last_name);
        if (x->signed_at)
            iso_format_datetime(x->signed_at, false, signed_on);
        json_t *o = json_pack("{s:s, s:s, s:b}", "name", name, "status", x->status, "me",
                              !strcmp(x->id, me));
        if (o && signed_on[0])
            json_object_set_new(o, "signedOn", json_string(signed_on));
        if (!o || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* The page's language: the link's (the Open Request's language), else the release's locale
 * (notification.locale, else the release's language), else "" (the browser's). */
static const char *page_language(const struct store_ui_session *sess, const struct read_op *op)
{
    if (sess->language[0])
        return sess->language;
    return op->released ? op->rel.locale : "";
}

enum sign_page_result sign_page_state(const struct sign_page_env *env,
                                      const struct store_ui_session *sess, int64_t now,
                                      json_t **out)
{
    struct read_op op;
    *out = NULL;
    bool authorized = sess->authorized_at != 0;
    enum sign_page_result res = read_process(env->store, sess, authorized, now, &op);
    if (res != SIGN_PAGE_OK) {
        read_clear(&op);
        return res;
    }
    res = SIGN_PAGE_UNAVAILABLE;
    const struct store_participant *me = find_participant(&op.p, sess->participant_id);
    if (!me)
        goto cleanup;
    unsigned methods = page_methods(&op, me);
    json_t *m = json_array();
    if (m && (methods & SIGN_METHOD_CLICK))
        json_array_append_new(m, json_string("CLICK"));
    if (m && (methods & SIGN_METHOD_SMS))
        json_array_append_new(m, json_string("SMS"));
    if (m && (methods & SIGN_METHOD_APP))
        json_array_append_new(m, json_string("APP"));
    if (m && (methods & SIGN_METHOD_PASSKEY))
        json_array_append_new(m, json_string("PASSKEY"));
    if (m && (methods & SIGN_METHOD_OSS))
        json_array_append_new(m, json_string("OSS"));
    char mask[128], valid_until[ISO_DATETIME_LEN];
    bool mobile = me->mobile[0] != '\0';
    sign_page_mask(mobile ? me->mobile : me->email, mobile, mask, sizeof mask);
    iso_format_datetime(op.p.valid_until, false, valid_until);
    json_t *o = json_pack(
        "{s:s, s:b, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:{s:s, s:s}, s:o, s:s, s:s, s:s, "
        "s:s}",
        "state", page_state(&op.p, me, authorized), "authorized", authorized, "signer", "firstName",
        me->first_name, "lastName", me->last_name, "status", me->status, "process", "status",
        op.p.status, "signatureLevel", op.p.signature_level, "validUntil", valid_until, "code",
        "channel", mobile ? "SMS" : "EMAIL", "destination", mask, "methods", m ? m : json_array(),
        "mode", sess->mode, "backUrl", sess->back_url, "successUrl", sess->success_url, "language",
        page_language(sess, &op));
    if (!o)
        goto cleanup;
    /* CODE: the one-time code is the fallback; ACCOUNT: only a matching verified account
     * (sign/page_account.h) or the Open Request's code authorizes. */
    json_object_set_new(o, "authorization", json_string(op.p.authorization));
    if (authorized) {
        json_t *docs = documents_json(env, &op, sess->participant_id);
        json_t *signers = signers_json(&op.p, sess->participant_id);
        if (!docs || !signers) {
            json_decref(docs);
            json_decref(signers);
            json_decref(o);
            goto cleanup;
        }
        json_object_set_new(o, "documents", docs);
        json_object_set_new(o, "signers", signers);
        json_object_set_new(o, "drawnSignature",
                            json_boolean(wants_drawing(&op, sess->participant_id)));
        /* Whether the level needs a registration and the signer has one (sign/page_srs.h). */
        json_t *reg = NULL;
        if (sign_page_srs_state(env, &op.p, me, &reg) != SIGN_PAGE_OK) {
            json_decref(o);
            goto cleanup;
        }
        if (reg)
            json_object_set_new(o, "registration", reg);
        /* Whether the signer must be identified first and is (sign/verification.h). */
        json_t *ver = NULL;
        if (sign_verification_state(env, &op.p, me, (methods & SIGN_METHOD_OSS) != 0, &ver) !=
            SIGN_PAGE_OK) {
            json_decref(o);
            goto cleanup;
        }
        if (ver)
            json_object_set_new(o, "verification", ver);
    }
    if (methods & SIGN_METHOD_APP) {
        /* Whether the signer's authenticator app is set up: the page shows the enrolment or
         * asks for a code. */
        bool enrolled = false;
        if (sign_page_app_enrolled(env->store, sess, &enrolled) != SIGN_PAGE_OK) {
            json_decref(o);
            goto cleanup;
        }
        json_object_set_new(o, "app", json_pack("{s:b}", "enrolled", enrolled));
    }
    if (methods & SIGN_METHOD_PASSKEY) {
        /* Whether the signer has registered a passkey: the page registers one or signs. */
        bool registered = false;
        if (sign_page_passkey_registered(env->store, sess, &registered) != SIGN_PAGE_OK) {
            json_decref(o);
            goto cleanup;
        }
        json_object_set_new(o, "passkey", json_pack("{s:b}", "registered", registered));
    }
    *out = o;
    res = SIGN_PAGE_OK;
cleanup:
    read_clear(&op);
    return res;
}

/* ---- one-time codes ---- */

struct code_op {
    const struct store_ui_session *sess;
    const char *purpose;
    int64_t now;
    /* send */
    struct store_ui_code c;
    char code[7];
    char to[1017];
    bool mobile;
    /* check */
    const char *entered;
    int64_t attempts_left;
    enum sign_page_result res;
    char *err;
    size_t err_len;
};

/* The message for a code asked for or entered in a process with authorization ACCOUNT. */
static void account_required(char *err, size_t err_len)
{
    reason_message(err, err_len, "authorization.accountRequired", NULL,
                   "This process is opened only with a Signet account: sign in with a verified "
                   "e-mail address or mobile number the invitation was sent to.");
}

/* Inside tx: whether the session's process has authorization ACCOUNT (no one-time codes). */
static enum store_status process_needs_account(struct store_tx *tx,
                                               const struct store_ui_session *sess, bool *out)
{
    struct store_process *p = calloc(1, sizeof *p);
    *out = false;
    if (!p)
        return STORE_ERROR;
    enum store_status st = store_process_get(tx, sess->organization_id, sess->process_id, p);
    if (st == STORE_OK)
        *out = !strcmp(p->authorization, "ACCOUNT");
    store_process_clear(p);
    free(p);
    return st;
}

static enum store_status send_tx(struct store_tx *tx, void *cls)
{
    struct code_op *op = cls;
    const struct store_ui_session *sess = op->sess;
    struct store_process p;
    struct store_release rel;
    memset(&p, 0, sizeof p);
    op->res = SIGN_PAGE_UNAVAILABLE;
    enum store_status st = store_process_get(tx, sess->organization_id, sess->process_id, &p);
    if (st != STORE_OK)
        goto cleanup;
    st = store_release_get(tx, sess->organization_id, sess->process_id, &rel);
    if (st == STORE_NOT_FOUND)
        memset(&rel, 0, sizeof rel);
    else if (st != STORE_OK)
        goto cleanup;
    const struct store_participant *me = find_participant(&p, sess->participant_id);
    if (!me) {
        st = STORE_NOT_FOUND;
        goto cleanup;
    }
    bool sign = !strcmp(op->purpose, "SIGN");
    if (!sign && !strcmp(p.authorization, "ACCOUNT")) {
        op->res = SIGN_PAGE_REFUSED;
        account_required(op->err, op->err_len);
        goto done;
    }
    if (sign && (strcmp(p.status, "PENDING") != 0 || strcmp(me->status, "PENDING") != 0)) {
        op->res = SIGN_PAGE_WRONG_STATE;
        reason_message(op->err, op->err_len, "state.ended", NULL,
                       "There is nothing to sign: the process is %s and you are %s.", p.status,
                       me->status);
        goto done;
    }
    if (sign && !me->mobile[0]) {
        op->res = SIGN_PAGE_REFUSED;
        reason_message(op->err, op->err_len, "code.noMobile", NULL,
                       "No mobile number is stored for you: SMS signing is not possible.");
        goto done;
    }
    op->mobile = sign || me->mobile[0];
    str_copy(op->to, sizeof op->to, op->mobile ? me->mobile : me->email);
    if (!op->to[0]) {
        op->res = SIGN_PAGE_REFUSED;
        reason_message(op->err, op->err_len, "code.noContact", NULL,
                       "Neither a mobile number nor an e-mail address is stored for you: ask the "
                       "sender to add one.");
        goto done;
    }
    /* Rate limits: one code per interval (unless the previous one is locked or used), and a
     * ceiling per hour for the participant. */
    struct store_ui_code last;
    st = store_ui_code_latest(tx, sess->organization_id, sess->id, op->purpose, &last);
    if (st != STORE_OK && st != STORE_NOT_FOUND)
        goto cleanup;
    if (st == STORE_OK && !last.used_at && last.attempts < SIGN_PAGE_CODE_MAX_ATTEMPTS &&
        op->now - last.created_at < SIGN_PAGE_CODE_INTERVAL_MS) {
        op->res = SIGN_PAGE_RATE_LIMITED;
        long long wait = (SIGN_PAGE_CODE_INTERVAL_MS - (op->now - last.created_at)) / 1000 + 1;
        reason_message(op->err, op->err_len, "code.tooSoon",
                       json_pack("{s:I}", "seconds", (json_int_t)wait),
                       "A code was sent a moment ago; wait %lld seconds before asking for a new "
                       "one.",
                       wait);
        goto done;
    }
    int64_t n = 0;
    st = store_ui_code_count_since(tx, sess->organization_id, sess->process_id,
                                   sess->participant_id, op->purpose, op->now - 3600 * 1000, &n);
    if (st != STORE_OK)
        goto cleanup;
    if (n >= SIGN_PAGE_CODES_PER_HOUR) {
        op->res = SIGN_PAGE_RATE_LIMITED;
        reason_message(op->err, op->err_len, "code.tooMany", NULL,
                       "Too many codes were requested; try again in an hour.");
        goto done;
    }
    struct store_ui_code *c = &op->c;
    str_copy(c->organization_id, sizeof c->organization_id, sess->organization_id);
    str_copy(c->process_id, sizeof c->process_id, sess->process_id);
    str_copy(c->participant_id, sizeof c->participant_id, sess->participant_id);
    str_copy(c->session_id, sizeof c->session_id, sess->id);
    str_copy(c->purpose, sizeof c->purpose, op->purpose);
    str_copy(c->channel, sizeof c->channel, op->mobile ? "SMS" : "EMAIL");
    token_code_hash(c->id, op->code, c->code_hash);
    c->created_at = op->now;
    c->expires_at = op->now + SIGN_PAGE_CODE_TTL_MS;
    st = store_ui_code_insert(tx, c);
    if (st != STORE_OK)
        goto cleanup;
    char name[600];
    snprintf(name, sizeof name, "%s %s", me->first_name, me->last_name);
    struct notify_message msg = {
        .kind = NOTIFY_CODE,
        .channel = op->mobile ? NOTIFY_SMS : NOTIFY_EMAIL,
        .organization_id = sess->organization_id,
        .process_id = sess->process_id,
        .participant_id = sess->participant_id,
        .to = op->to,
        .locale = rel.locale,
        .recipient_name = name,
        .code = op->code,
        .valid_until_ms = c->expires_at,
    };
    char outbox_id[STORE_ID_LEN];
    st = notify_enqueue(tx, &msg, op->now, outbox_id);
    if (st != STORE_OK)
        goto cleanup;
    /* The notification's audit record (the code itself is never recorded). */
    if (op->mobile)
        st = audit(tx, sess, op->now, "sms", "INITIALIZE",
                   (const char *const[]){"sms_type", "CODE", "sms_purpose", op->purpose,
                                         "sms_outboxId", outbox_id, "sms_participantId",
                                         sess->participant_id, NULL});
    else
        st = audit(tx, sess, op->now, "email", "INITIALIZE",
                   (const char *const[]){"email_type", "CODE", "email_purpose", op->purpose,
                                         "email_outboxId", outbox_id, "email_participantId",
                                         sess->participant_id, NULL});
    if (st != STORE_OK)
        goto cleanup;
done:
    if (op->res == SIGN_PAGE_UNAVAILABLE)
        op->res = SIGN_PAGE_OK;
    st = STORE_OK;
cleanup:
    store_process_clear(&p);
    return st;
}

enum sign_page_result sign_page_send_code(struct store *s, const struct store_ui_session *sess,
                                          const char *purpose, int64_t now, json_t **out, char *err,
                                          size_t err_len)
{
    *out = NULL;
    reason_message(err, err_len, "unavailable", NULL, "The code cannot be sent now; try again.");
    bool sign = !strcmp(purpose, "SIGN");
    if (!sign && strcmp(purpose, "AUTHORIZE") != 0)
        return SIGN_PAGE_INVALID;
    if (sign && !sess->authorized_at)
        return SIGN_PAGE_NOT_AUTHORIZED;
    if (!sign && sess->authorized_at) {
        reason_message(err, err_len, "session.authorizedAlready", NULL,
                       "You are authorized already.");
        return SIGN_PAGE_INVALID;
    }
    struct code_op *op = calloc(1, sizeof *op);
    if (!op)
        return SIGN_PAGE_UNAVAILABLE;
    op->sess = sess;
    op->purpose = purpose;
    op->now = now;
    op->err = err;
    op->err_len = err_len;
    enum sign_page_result res = SIGN_PAGE_UNAVAILABLE;
    if (!uuid_v4(op->c.id) || !token_code6(op->code))
        goto cleanup;
    enum store_status st = store_run(s, STORE_WRITE, send_tx, op);
    if (st == STORE_NOT_FOUND) {
        res = SIGN_PAGE_NO_SESSION;
        goto cleanup;
    }
    if (st != STORE_OK)
        goto cleanup;
    res = op->res;
    if (res == SIGN_PAGE_OK) {
        char mask[128], exp[ISO_DATETIME_LEN];
        sign_page_mask(op->to, op->mobile, mask, sizeof mask);
        iso_format_datetime(op->c.expires_at, false, exp);
        *out = json_pack("{s:s, s:s, s:s}", "channel", op->c.channel, "destination", mask,
                         "expiresAt", exp);
        if (!*out)
            res = SIGN_PAGE_UNAVAILABLE;
    }
cleanup:
    memset(op->code, 0, sizeof op->code);
    free(op);
    return res;
}

/* Checks op->entered against the session's newest code of op->purpose inside tx: counts a
 * wrong attempt, marks a right one used. op->res says the outcome (the transaction commits
 * either way, so that a wrong attempt is counted). */
static enum store_status check_code_in_tx(struct store_tx *tx, struct code_op *op)
{
    const struct store_ui_session *sess = op->sess;
    struct store_ui_code c;
    enum store_status st =
        store_ui_code_latest(tx, sess->organization_id, sess->id, op->purpose, &c);
    if (st == STORE_NOT_FOUND || (st == STORE_OK && (c.used_at || c.expires_at <= op->now))) {
        op->res = SIGN_PAGE_CODE_EXPIRED;
        reason_message(op->err, op->err_len, "code.expired", NULL,
                       "There is no valid code: ask for a new one.");
        return STORE_OK;
    }
    if (st != STORE_OK)
        return st;
    if (c.attempts >= SIGN_PAGE_CODE_MAX_ATTEMPTS) {
        op->res = SIGN_PAGE_CODE_LOCKED;
        reason_message(op->err, op->err_len, "code.locked",
                       json_pack("{s:i}", "attempts", SIGN_PAGE_CODE_MAX_ATTEMPTS),
                       "The code was entered wrongly %d times and is locked: ask for a new one.",
                       SIGN_PAGE_CODE_MAX_ATTEMPTS);
        return STORE_OK;
    }
    char h[65];
    token_code_hash(c.id, op->entered, h);
    if (!str_ct_equal(h, c.code_hash, 64)) {
        st = store_ui_code_add_attempt(tx, sess->organization_id, c.id);
        if (st != STORE_OK)
            return st;
        op->attempts_left = SIGN_PAGE_CODE_MAX_ATTEMPTS - (c.attempts + 1);
        if (op->attempts_left <= 0) {
            op->res = SIGN_PAGE_CODE_LOCKED;
            reason_message(op->err, op->err_len, "code.lockedNow", NULL,
                           "The code is wrong and now locked: ask for a new one.");
        } else {
            op->res = SIGN_PAGE_CODE_WRONG;
            reason_message(op->err, op->err_len, "code.wrong",
                           json_pack("{s:I}", "tries", (json_int_t)op->attempts_left),
                           "The code is wrong; %lld more tries.", (long long)op->attempts_left);
        }
        return STORE_OK;
    }
    st = store_ui_code_use(tx, sess->organization_id, c.id, op->now);
    if (st == STORE_CONFLICT) {
        op->res = SIGN_PAGE_CODE_EXPIRED;
        reason_message(op->err, op->err_len, "code.used", NULL,
                       "The code was used already: ask for a new one.");
        return STORE_OK;
    }
    if (st != STORE_OK)
        return st;
    op->res = SIGN_PAGE_OK;
    return STORE_OK;
}

static enum store_status authorize_tx(struct store_tx *tx, void *cls)
{
    struct code_op *op = cls;
    bool account_only = false;
    enum store_status st = process_needs_account(tx, op->sess, &account_only);
    if (st != STORE_OK)
        return st;
    if (account_only) {
        op->res = SIGN_PAGE_REFUSED;
        account_required(op->err, op->err_len);
        return STORE_OK;
    }
    st = check_code_in_tx(tx, op);
    if (st != STORE_OK)
        return st;
    const struct store_ui_session *sess = op->sess;
    char left[24];
    snprintf(left, sizeof left, "%lld", (long long)op->attempts_left);
    if (op->res != SIGN_PAGE_OK) {
        const char *why = op->res == SIGN_PAGE_CODE_WRONG    ? "CODE_WRONG"
                          : op->res == SIGN_PAGE_CODE_LOCKED ? "CODE_LOCKED"
                                                             : "CODE_EXPIRED";
        return audit(tx, sess, op->now, "authorization", "FAIL",
                     (const char *[]){"authorization_participantId", sess->participant_id,
                                      "authorization_method", "CODE", "authorization_failure", why,
                                      NULL});
    }
    st = store_ui_session_authorize(tx, sess->organization_id, sess->id, op->now, "CODE");
    if (st != STORE_OK)
        return st;
    return audit(tx, sess, op->now, "authorization", "SUCCESS",
                 (const char *[]){"authorization_participantId", sess->participant_id,
                                  "authorization_method", "CODE", NULL});
}

enum sign_page_result sign_page_authorize(struct store *s, const struct store_ui_session *sess,
                                          const char *code, int64_t now, char *err, size_t err_len)
{
    if (sess->authorized_at)
        return SIGN_PAGE_OK;
    if (!token_is_code6(code)) {
        reason_message(err, err_len, "code.format", json_pack("{s:i}", "digits", 6),
                       "Enter the 6 digits of the code.");
        return SIGN_PAGE_INVALID;
    }
    struct code_op op = {.sess = sess,
                         .purpose = "AUTHORIZE",
                         .now = now,
                         .entered = code,
                         .err = err,
                         .err_len = err_len};
    enum store_status st = store_run(s, STORE_WRITE, authorize_tx, &op);
    if (st != STORE_OK) {
        reason_message(err, err_len, "unavailable", NULL,
                       "The code cannot be checked now; try again.");
        return SIGN_PAGE_UNAVAILABLE;
    }
    return op.res;
}

/* ---- viewing ---- */

struct view_op {
    const struct store_ui_session *sess;
    const struct store_document *doc;
    int64_t now;
};

static enum store_status view_tx(struct store_tx *tx, void *cls)
{
    struct view_op *op = cls;
    enum store_status st =
        store_ui_view_mark(tx, op->sess->organization_id, op->sess->id, op->doc->id, op->now);
    if (st == STORE_CONFLICT)
        return STORE_OK; /* viewed before in this session: one record is enough */
    if (st != STORE_OK)
        return st;
    return audit(tx, op->sess, op->now, "view", "SUCCESS",
                 (const char *[]){"view_participantId", op->sess->participant_id, "view_documentId",
                                  op->doc->id, "view_documentName", op->doc->name, NULL});
}

/* The bytes of the document (newest version or original) into *doc / *bytes. */
static enum sign_page_result load_document(const struct sign_page_env *env,
                                           const struct store_ui_session *sess, const char *doc_id,
                                           bool newest, struct store_document *doc,
                                           unsigned char **bytes, size_t *len)
{
    if (!sess->authorized_at)
        return SIGN_PAGE_NOT_AUTHORIZED;
    if (!uuid_is_valid(doc_id))
        return SIGN_PAGE_NOT_FOUND;
    enum sign_attach_result r =
        sign_file_get(env->store, sess->organization_id, sess->process_id, doc_id, doc, bytes, len);
    /* Only a document's own id: a version id or externalIdentifier names no document here. */
    if (r == SIGN_ATTACH_OK && strcmp(doc->id, doc_id) != 0) {
        free(*bytes);
        *bytes = NULL;
        r = SIGN_ATTACH_FILE_NOT_FOUND;
    }
    if (r == SIGN_ATTACH_OK && newest && doc->last.id[0]) {
        char last[STORE_ID_LEN];
        str_copy(last, sizeof last, doc->last.id);
        free(*bytes);
        *bytes = NULL;
        store_document_clear(doc);
        r = sign_file_get(env->store, sess->organization_id, sess->process_id, last, doc, bytes,
                          len);
        if (r == SIGN_ATTACH_OK)
            str_copy(doc->id, sizeof doc->id, doc_id);
    }
    switch (r) {
    case SIGN_ATTACH_OK:
        return SIGN_PAGE_OK;
    case SIGN_ATTACH_NOT_FOUND:
    case SIGN_ATTACH_FILE_NOT_FOUND:
        return SIGN_PAGE_NOT_FOUND;
    case SIGN_ATTACH_ARCHIVED:
        return SIGN_PAGE_WRONG_STATE;
    default:
        return SIGN_PAGE_UNAVAILABLE;
    }
}

enum sign_page_result sign_page_preview(const struct sign_page_env *env,
                                        const struct store_ui_session *sess, const char *doc_id,
                                        int page, int width_px, int64_t now, unsigned char **png,
                                        size_t *png_len)
{
    struct store_document doc;
    unsigned char *bytes = NULL;
    size_t len = 0;
    memset(&doc, 0, sizeof doc);
    *png = NULL;
    *png_len = 0;
    enum sign_page_result res = load_document(env, sess, doc_id, true, &doc, &bytes, &len);
    if (res != SIGN_PAGE_OK)
        goto cleanup;
    if (page < 0 || page >= doc.page_count) {
        res = SIGN_PAGE_NOT_FOUND;
        goto cleanup;
    }
    enum pdf_result pr =
        pdf_render_page_png(env->pdf, bytes, len, page, width_px, png, png_len, NULL, 0);
    if (pr != PDF_OK) {
        res = pr == PDF_NO_SUCH_PAGE ? SIGN_PAGE_NOT_FOUND : SIGN_PAGE_UNAVAILABLE;
        goto cleanup;
    }
    struct view_op op = {.sess = sess, .doc = &doc, .now = now};
    if (store_run(env->store, STORE_WRITE, view_tx, &op) != STORE_OK) {
        free(*png);
        *png = NULL;
        *png_len = 0;
        res = SIGN_PAGE_UNAVAILABLE;
    }
cleanup:
    free(bytes);
    store_document_clear(&doc);
    return res;
}

enum sign_page_result sign_page_file(const struct sign_page_env *env,
                                     const struct store_ui_session *sess, const char *doc_id,
                                     bool signed_version, int64_t now, char **name_out,
                                     unsigned char **bytes, size_t *len)
{
    struct store_document doc;
    memset(&doc, 0, sizeof doc);
    *name_out = NULL;
    *bytes = NULL;
    *len = 0;
    enum sign_page_result res = load_document(env, sess, doc_id, signed_version, &doc, bytes, len);
    if (res == SIGN_PAGE_OK) {
        struct view_op op = {.sess = sess, .doc = &doc, .now = now};
        *name_out = strdup(doc.name);
        if (!*name_out || store_run(env->store, STORE_WRITE, view_tx, &op) != STORE_OK)
            res = SIGN_PAGE_UNAVAILABLE;
    }
    if (res != SIGN_PAGE_OK) {
        free(*name_out);
        *name_out = NULL;
        free(*bytes);
        *bytes = NULL;
        *len = 0;
    }
    store_document_clear(&doc);
    return res;
}

/* ---- signing and declining ---- */

static enum store_status sms_check_tx(struct store_tx *tx, void *cls)
{
    struct code_op *op = cls;
    enum store_status st = check_code_in_tx(tx, op);
    if (st != STORE_OK || op->res == SIGN_PAGE_OK)
        return st;
    const char *why = op->res == SIGN_PAGE_CODE_WRONG    ? "CODE_WRONG"
                      : op->res == SIGN_PAGE_CODE_LOCKED ? "CODE_LOCKED"
                                                         : "CODE_EXPIRED";
    return audit(tx, op->sess, op->now, "sign", "FAIL",
                 (const char *[]){"sign_signerId", op->sess->participant_id, "sign_method", "SMS",
                                  "sign_failure", why, NULL});
}

/* The drawn signature of a sign call: required (and then decoded into *png, owned) when one
 * of the participant's boxes asks for it, refused otherwise. Checked before any code is used
 * up. */
static enum sign_page_result drawn_image(const struct sign_page_env *env,
                                         const struct store_ui_session *sess, const char *image,
                                         int64_t now, unsigned char **png, size_t *png_len,
                                         char *err, size_t err_len)
{
    struct read_op rop;
    *png = NULL;
    *png_len = 0;
    enum sign_page_result res = read_process(env->store, sess, true, now, &rop);
    bool wanted = res == SIGN_PAGE_OK && wants_drawing(&rop, sess->participant_id);
    read_clear(&rop);
    if (res != SIGN_PAGE_OK)
        return res;
    if (!wanted) {
        if (image) {
            reason_message(err, err_len, "drawing.notAccepted", NULL,
                           "Field 'image' is not accepted: no signature box of yours asks for a "
                           "drawn signature.");
            return SIGN_PAGE_INVALID;
        }
        return SIGN_PAGE_OK;
    }
    if (!image) {
        reason_message(err, err_len, "drawing.required", NULL,
                       "Field 'image' is required: draw your signature (a base64 PNG) for the "
                       "signature box that asks for it.");
        return SIGN_PAGE_INVALID;
    }
    int w = 0, h = 0;
    if (!sign_drawn_decode(image, png, png_len, &w, &h, err, err_len)) {
        reason_tag(err, err_len, "drawing.invalid", NULL); /* sign/drawn.c says what is wrong */
        return SIGN_PAGE_INVALID;
    }
    /* Decoded as the visible signature will decode it, so that a broken image is refused
     * here instead of being left out of the box (or failing the signature). */
    char why[200] = "";
    enum pdf_result pr = pdf_image_check(env->pdf, *png, *png_len, SIGN_DRAWN_MAX_WIDTH,
                                         SIGN_DRAWN_MAX_HEIGHT, &w, &h, why, sizeof why);
    if (pr == PDF_OK)
        return SIGN_PAGE_OK;
    free(*png);
    *png = NULL;
    *png_len = 0;
    if (pr == PDF_NOT_PDF) {
        reason_message(err, err_len, "drawing.invalid", NULL,
                       "Field 'image': %s Draw your signature again.", why);
        return SIGN_PAGE_INVALID;
    }
    reason_message(err, err_len, "unavailable", NULL,
                   "The drawing cannot be checked now; try again.");
    return SIGN_PAGE_UNAVAILABLE;
}

/* sign_page_sign once the drawn signature (png, may be NULL) is checked. */
static enum sign_page_result sign_with(const struct sign_page_env *env,
                                       const struct store_ui_session *sess, const char *method,
                                       const char *code, const json_t *passkey,
                                       const unsigned char *png, size_t png_len, int64_t now,
                                       char *err, size_t err_len)
{
    bool sms = method && !strcmp(method, "SMS");
    bool app = method && !strcmp(method, "APP");
    bool pk = method && !strcmp(method, "PASSKEY");
    bool oss = method && !strcmp(method, "OSS");
    if (!method || (!sms && !app && !pk && !oss && strcmp(method, "CLICK") != 0)) {
        reason_message(err, err_len, "method.unknown", NULL,
                       "Choose a signature method this page offers (CLICK, SMS, APP, PASSKEY "
                       "or OSS).");
        return SIGN_PAGE_INVALID;
    }
    /* The page offers only the methods the release allows; checked again here so that a
     * refused method does not consume a code. */
    unsigned offered = 0;
    enum sign_page_result res = sign_page_methods(env->store, sess, now, &offered, NULL);
    if (res != SIGN_PAGE_OK)
        return res;
    unsigned want = sms   ? SIGN_METHOD_SMS
                    : app ? SIGN_METHOD_APP
                    : pk  ? SIGN_METHOD_PASSKEY
                    : oss ? SIGN_METHOD_OSS
                          : SIGN_METHOD_CLICK;
    if (!(offered & want)) {
        reason_message(err, err_len, "method.unavailable", json_pack("{s:s}", "method", method),
                       "The signature method %s is not available for this process.", method);
        return SIGN_PAGE_REFUSED;
    }
    /* A level that needs a registration: the signer's ACTIVE one, looked up before any code
     * is used up (sign/page_srs.h); its registered name goes into the certificate. */
    struct sign_page_srs_identity rid;
    /* OSS: the identity of the identification made in this sitting (sign/page_srs.h). */
    res = oss ? sign_page_srs_oss_identity(env, sess, &rid, err, err_len)
              : sign_page_srs_identity(env, sess, now, &rid, err, err_len);
    if (res != SIGN_PAGE_OK)
        return res;
    if (app) {
        res = sign_page_app_check(env, sess, code, now, err, err_len);
        if (res != SIGN_PAGE_OK)
            return res;
    }
    if (pk) {
        if (!json_is_object(passkey)) {
            reason_message(err, err_len, "passkey.required", NULL,
                           "Field 'passkey' (the passkey's answer) is required.");
            return SIGN_PAGE_INVALID;
        }
        res = sign_page_passkey_check(env, sess, passkey, now, err, err_len);
        if (res != SIGN_PAGE_OK)
            return res;
    }
    if (sms) {
        if (!token_is_code6(code)) {
            reason_message(err, err_len, "code.format", json_pack("{s:i}", "digits", 6),
                           "Enter the 6 digits of the code sent to your mobile.");
            return SIGN_PAGE_INVALID;
        }
        struct code_op op = {.sess = sess,
                             .purpose = "SIGN",
                             .now = now,
                             .entered = code,
                             .err = err,
                             .err_len = err_len};
        if (store_run(env->store, STORE_WRITE, sms_check_tx, &op) != STORE_OK) {
            reason_message(err, err_len, "unavailable", NULL,
                           "The code cannot be checked now; try again.");
            return SIGN_PAGE_UNAVAILABLE;
        }
        if (op.res != SIGN_PAGE_OK)
            return op.res;
    }
    struct sign_signing_env senv = {.store = env->store, .pdf = env->pdf, .pki = env->pki};
    unsigned char link_key[CRYPTO_KEY_LEN];
    if (env->master_key && env->public_url && sign_link_key_derive(env->master_key, link_key)) {
        senv.link_key = link_key; /* completion notices carry each participant's URL */
        senv.public_url = env->public_url;
    }
    struct sign_signing_request req = {
        .organization_id = sess->organization_id,
        .process_id = sess->process_id,
        .participant_id = sess->participant_id,
        .method = method,
        .identity = rid.found ? &rid.identity : NULL,
        .image = png,
        .image_len = png_len,
        .now_ms = now,
    };
    struct sign_signing_outcome outcome;
    enum sign_signing_result sr = sign_participant_sign(&senv, &req, &outcome, err, err_len);
    memset(link_key, 0, sizeof link_key);
    switch (sr) {
    case SIGN_SIGNING_OK:
        return SIGN_PAGE_OK;
    case SIGN_SIGNING_NOT_FOUND:
        return SIGN_PAGE_NO_SESSION;
    case SIGN_SIGNING_WRONG_STATE:
        reason_tag(err, err_len, "state.ended", NULL); /* the English says which state */
        return SIGN_PAGE_WRONG_STATE;
    case SIGN_SIGNING_REFUSED:
    case SIGN_SIGNING_BAD_DOCUMENT:
        return SIGN_PAGE_REFUSED;
    case SIGN_SIGNING_UNAVAILABLE:
        break;
    }
    reason_message(err, err_len, "unavailable", NULL,
                   "The signature cannot be made now; try again.");
    return SIGN_PAGE_UNAVAILABLE;
}

enum sign_page_result sign_page_sign(const struct sign_page_env *env,
                                     const struct store_ui_session *sess, const char *method,
                                     const char *code, const json_t *passkey, const char *image,
                                     int64_t now, char *err, size_t err_len)
{
    unsigned char *png = NULL;
    size_t png_len = 0;
    if (!sess->authorized_at)
        return SIGN_PAGE_NOT_AUTHORIZED;
    enum sign_page_result res = drawn_image(env, sess, image, now, &png, &png_len, err, err_len);
    if (res == SIGN_PAGE_OK)
        res = sign_with(env, sess, method, code, passkey, png, png_len, now, err, err_len);
    free(png);
    return res;
}

struct decline_op {
    const struct store_ui_session *sess;
    const char *reason;
    int64_t now;
    enum sign_page_result res;
};

static enum store_status decline_tx(struct store_tx *tx, void *cls)
{
    struct decline_op *op = cls;
    const struct store_ui_session *sess = op->sess;
    op->res = SIGN_PAGE_UNAVAILABLE;
    struct store_process p;
    memset(&p, 0, sizeof p);
    enum store_status st = store_process_get(tx, sess->organization_id, sess->process_id, &p);
    if (st == STORE_OK && strcmp(p.status, "PENDING") != 0) {
        op->res = SIGN_PAGE_WRONG_STATE;
        store_process_clear(&p);
        return STORE_OK;
    }
    store_process_clear(&p);
    if (st != STORE_OK)
        return st;
    st = store_participant_decline(tx, sess->organization_id, sess->process_id,
                                   sess->participant_id, op->now, op->reason);
    if (st == STORE_CONFLICT) {
        op->res = SIGN_PAGE_WRONG_STATE;
        return STORE_OK;
    }
    if (st != STORE_OK)
        return st;
    st = audit(tx, sess, op->now, "decline", "SUCCESS",
               (const char *[]){"decline_signerId", sess->participant_id, "decline_reason",
                                op->reason, NULL});
    /* Decline notices (sign/notices.h): the other signers and a PERSON
     * initiator are told in the decline's transaction. */
    if (st == STORE_OK)
        st = sign_notices_declined(tx, sess->organization_id, sess->process_id,
                                   sess->participant_id, op->reason, op->now);
    if (st == STORE_OK)
        op->res = SIGN_PAGE_OK;
    return st;
}

enum sign_page_result sign_page_decline(struct store *s, const struct store_ui_session *sess,
                                        const char *reason, int64_t now, char *err, size_t err_len)
{
    if (!sess->authorized_at)
        return SIGN_PAGE_NOT_AUTHORIZED;
    size_t n = reason ? strlen(reason) : 0;
    if (n > SIGN_PAGE_REASON_MAX) {
        reason_message(err, err_len, "decline.tooLong",
                       json_pack("{s:i}", "max", SIGN_PAGE_REASON_MAX),
                       "The reason is too long (at most %d bytes).", SIGN_PAGE_REASON_MAX);
        return SIGN_PAGE_INVALID;
    }
    char text[SIGN_PAGE_REASON_MAX + 1];
    str_copy(text, sizeof text, reason ? reason : "");
    str_utf8_repair(text);
    sign_strip_html(text);
    /* Trim spaces so that a reason of blanks counts as none. */
    size_t a = 0, b = strlen(text);
    while (a < b && (text[a] == ' ' || text[a] == '\n' || text[a] == '\t' || text[a] == '\r'))
        a++;
    while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\n' || text[b - 1] == '\t' ||
                     text[b - 1] == '\r'))
        b--;
    text[b] = '\0';
    if (a == b) {
        reason_message(err, err_len, "decline.reasonRequired", NULL,
                       "Give a reason for declining.");
        return SIGN_PAGE_INVALID;
    }
    struct decline_op op = {.sess = sess, .reason = text + a, .now = now};
    if (store_run(s, STORE_WRITE, decline_tx, &op) != STORE_OK) {
        reason_message(err, err_len, "unavailable", NULL,
                       "Declining is not possible now; try again.");
        return SIGN_PAGE_UNAVAILABLE;
    }
    if (op.res == SIGN_PAGE_WRONG_STATE)
        reason_message(err, err_len, "decline.ended", NULL,
                       "You can no longer decline: the process or your part of it has ended.");
    return op.res;
}
