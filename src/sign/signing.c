/* The signing step of a process: see sign/signing.h and docs/signing.md. */
#include "sign/signing.h"

#include "core/isotime.h"
#include "core/log.h"
#include "core/str.h"
#include "core/uuid.h"
#include "pki/service.h"
#include "sign/attach.h"
#include "sign/notices.h"
#include "sign/pades.h"
#include "sign/pades_hooks.h"
#include "sign/process.h"
#include "sign/release.h"
#include "store/release.h"
#include "store/store.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- certificateMatch ---- */

/* The ASCII spelling of a Latin letter with diacritics (U+00C0..U+017F), lower-case: "" when
 * cp is none. german: ä ö ü as "ae" "oe" "ue" (the German and ICAO 9303 transliteration)
 * instead of "a" "o" "u". */
static const char *latin_fold(unsigned cp, bool german)
{
    /* U+00C0..U+00FF, upper and lower case alike (index cp - 0xC0). */
    static const char *const latin1[64] = {
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
        "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
        "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};
    /* U+0100..U+017F: the base letter of each (Latin Extended-A); '?' for the ligatures,
     * spelt out below. */
    static const char ext_a[] = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii??jjkkklllllll"
                                "lllnnnnnnnnnoooooo??rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
    if (cp >= 0xC0 && cp <= 0xFF) {
        if (german && (cp == 0xC4 || cp == 0xE4))
            return "ae";
        if (german && (cp == 0xD6 || cp == 0xF6))
            return "oe";
        if (german && (cp == 0xDC || cp == 0xFC))
            return "ue";
        return latin1[cp - 0xC0];
    }
    if (cp == 0x152 || cp == 0x153)
        return "oe";
    if (cp == 0x132 || cp == 0x133)
        return "ij";
    if (cp >= 0x100 && cp <= 0x17F) {
        static const char *const letters[26] = {"a", "b", "c", "d", "e", "f", "g", "h", "i",
                                                "j", "k", "l", "m", "n", "o", "p", "q", "r",
                                                "s", "t", "u", "v", "w", "x", "y", "z"};
        char c = ext_a[cp - 0x100];
        return c >= 'a' && c <= 'z' ? letters[c - 'a'] : "";
    }
    return "";
}

/* s folded for comparing names: letters lower-case, Latin diacritics dropped (german: ä ö ü
 * as ae oe ue), hyphens and runs of spaces one space, no leading/trailing space. Other
 * characters are kept as they are. */
static void fold_name(const char *s, char *out, size_t out_len, bool german)
{
    size_t o = 0;
    bool space = false;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && o + 1 < out_len) {
        unsigned c = *p;
        const char *ascii = NULL;
        size_t used = 1;
        if (c == ' ' || c == '\t' || c == '-') {
            space = o > 0;
            p++;
            continue;
        }
        if ((c & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            unsigned cp = ((c & 0x1F) << 6) | (p[1] & 0x3F);
            ascii = latin_fold(cp, german);
            used = 2;
            if (!ascii[0])
                ascii = NULL; /* not a Latin letter: kept as it is */
        }
        if (space && o + 2 < out_len)
            out[o++] = ' ';
        space = false;
        if (ascii) {
            for (; *ascii && o + 1 < out_len; ascii++)
                out[o++] = *ascii;
        } else {
            for (size_t i = 0; i < used && o + 1 < out_len; i++)
                out[o++] = (char)(p[i] < 0x80 ? tolower(p[i]) : p[i]);
        }
        p += used;
    }
    out[o] = '\0';
}

const char *sign_certificate_match(const char *first_name, const char *last_name,
                                   const char *certificate_name)
{
    char declared[600], a[1200], b[1200];
    snprintf(declared, sizeof declared, "%s %s", first_name, last_name);
    /* Either spelling of umlauts: "Müller" matches "Muller" and "Mueller". */
    for (int german = 0; german < 2; german++) {
        fold_name(declared, a, sizeof a, german);
        fold_name(certificate_name, b, sizeof b, german);
        if (strcmp(a, b) == 0)
            return "MATCH";
    }
    return "MISMATCH";
}

/* ---- One attempt ---- */

/* A document of the process and what this signature does to it. */
struct plan {
    struct store_document *doc;                      /* borrowed from op->docs */
    const struct store_signature_position *position; /* the signer's first; NULL: not placed */
    bool timestamp;                                  /* B-LTA: the process completes */
    unsigned char *bytes;                            /* the file after this step (owned) */
    size_t len;
    struct store_document_version signature, stamp; /* the versions to insert */
};

struct op {
    const struct sign_signing_env *env;
    const struct sign_signing_request *req;
    struct store_process p;
    struct store_release release;
    bool released;
    struct store_document *docs;
    size_t n_docs;
    struct plan *plans;
    struct store_participant *signer; /* into p.participants */
    bool completes;
    char file_ids[2048]; /* the new signed versions, comma-separated (audit) */
    /* write transaction's findings */
    bool state_changed; /* the process or signer left PENDING meanwhile */
};

static void op_clear(struct op *op)
{
    for (size_t i = 0; op->plans && i < op->n_docs; i++)
        free(op->plans[i].bytes);
    free(op->plans);
    op->plans = NULL;
    store_document_list_free(op->docs, op->n_docs);
    op->docs = NULL;
    op->n_docs = 0;
    store_process_clear(&op->p);
    op->signer = NULL;
}

static enum store_status read_tx(struct store_tx *tx, void *cls)
{
    struct op *op = cls;
    store_document_list_free(op->docs, op->n_docs);
    op->docs = NULL;
    op->n_docs = 0;
    enum store_status st =
        store_process_get(tx, op->req->organization_id, op->req->process_id, &op->p);
    if (st != STORE_OK)
        return st;
    st = store_release_get(tx, op->req->organization_id, op->req->process_id, &op->release);
    op->released = st == STORE_OK;
    if (st != STORE_OK && st != STORE_NOT_FOUND)
        return st;
    return store_document_list(tx, op->req->organization_id, op->req->process_id, &op->docs,
                               &op->n_docs);
}

static struct store_participant *find_signer(struct store_process *p, const char *id)
{
    for (size_t i = 1; i < p->n_participants; i++)
        if (!strcmp(p->participants[i].type, "SIGNER") && !strcmp(p->participants[i].id, id))
            return &p->participants[i];
    return NULL;
}

/* True when every signer other than `me` has signed (none is left to sign). */
static bool others_done(const struct store_process *p, const char *me)
{
    for (size_t i = 1; i < p->n_participants; i++) {
        const struct store_participant *x = &p->participants[i];
        if (!strcmp(x->type, "SIGNER") && strcmp(x->id, me) != 0 && strcmp(x->status, "SIGNED"))
            return false;
    }
    return true;
}

/* The checks that need no PDF work. */
static enum sign_signing_result check_request(struct op *op, char *err, size_t err_len)
{
    const struct sign_signing_request *req = op->req;
    if (strcmp(op->p.status, "PENDING") != 0 || !op->released) {
        str_message(err, err_len,
                    "Process '%s' is %s: only a released (PENDING) process can be signed.",
                    op->p.id, op->p.status);
        return SIGN_SIGNING_WRONG_STATE;
    }
    if (op->p.valid_until <= req->now_ms) {
        str_message(err, err_len,
                    "Process '%s' has passed its validUntil and can no longer be signed.",
                    op->p.id);
        return SIGN_SIGNING_WRONG_STATE;
    }
    op->signer = find_signer(&op->p, req->participant_id);
    if (!op->signer) {
        str_message(err, err_len, "Process '%s' has no signer '%.64s'.", op->p.id,
                    req->participant_id);
        return SIGN_SIGNING_NOT_FOUND;
    }
    if (strcmp(op->signer->status, "PENDING") != 0) {
        str_message(err, err_len, "Signer '%s' is %s, not PENDING: there is nothing to sign.",
                    op->signer->id, op->signer->status);
        return SIGN_SIGNING_WRONG_STATE;
    }
    unsigned bit = req->method ? sign_method_bit(req->method, strlen(req->method)) : 0;
    unsigned allowed = op->release.signature_methods[0]
                           ? sign_methods_from_text(op->release.signature_methods)
                           : sign_methods_for_level(op->p.signature_level);
    if (!bit || !(allowed & bit)) {
        str_message(err, err_len,
                    "Signature method '%.16s' is not allowed for this process (%s, %s).",
                    req->method ? req->method : "", op->p.signature_level,
                    op->release.signature_methods[0] ? op->release.signature_methods
                                                     : "the level's methods");
        return SIGN_SIGNING_REFUSED;
    }
    bool qualified = !strncmp(op->p.signature_level, "QUALIFIED", 9);
    if (qualified && (!req->identity || !req->identity->given_name || !req->identity->surname ||
                      !req->identity->serial_number)) {
        str_message(
            err, err_len,
            "A %s signature needs the signer's registered identity (an active registration of "
            "the Smart Registration Service).",
            op->p.signature_level);
        return SIGN_SIGNING_REFUSED;
    }
    return SIGN_SIGNING_OK;
}

/* Signs (and, when completing, time-stamps) the documents outside any transaction. */
static enum sign_signing_result make_files(const struct sign_signing_env *env, struct op *op,
                                           struct sign_signing_outcome *out, char *err,
                                           size_t err_len)
{
    const struct sign_signing_request *req = op->req;
    enum sign_signing_result res = SIGN_SIGNING_UNAVAILABLE;
    struct pki_signer *signer = NULL;
    unsigned char *current = NULL;
    size_t current_len = 0;
    char cn[600];
    const struct pki_ca *ca = pki_service_ca(env->pki);
    const struct pki_tsa *tsa = pki_service_tsa(env->pki);
    if (!ca || !tsa) {
        str_message(err, err_len, "The certificate authority is not ready; try again.");
        goto cleanup;
    }
    op->plans = calloc(op->n_docs ? op->n_docs : 1, sizeof *op->plans);
    if (!op->plans)
        goto cleanup;
    size_t placed = 0;
    for (size_t i = 0; i < op->n_docs; i++) {
        struct plan *pl = &op->plans[i];
        pl->doc = &op->docs[i];
        pl->position = sign_signing_box(pl->doc, op->signer->id);
        placed += pl->position != NULL;
        pl->timestamp = op->completes && (pl->position || pl->doc->last.id[0]);
    }
    if (placed == 0) {
        str_message(err, err_len, "Signer '%s' is not placed on any document of process '%s'.",
                    op->signer->id, op->p.id);
        res = SIGN_SIGNING_REFUSED;
        goto cleanup;
    }

    const struct sign_registered_identity *rid = req->identity;
    const char *given = rid ? rid->given_name : op->signer->first_name;
    const char *surname = rid ? rid->surname : op->signer->last_name;
    snprintf(cn, sizeof cn, "%s %s", given, surname);
    struct pades_request preq;
    memset(&preq, 0, sizeof preq);
    preq.pades = PADES_B_LT;
    if (!pki_signer_level_parse(op->p.signature_level, &preq.level)) {
        str_message(err, err_len, "Process '%s' has an unknown signature level.", op->p.id);
        goto cleanup;
    }
    preq.key = PKI_KEY_EC_P256;
    preq.identity.given_name = given;
    preq.identity.surname = surname;
    preq.identity.common_name = cn;
    preq.identity.serial_number = rid ? rid->serial_number : NULL;
    preq.identity.country = rid ? rid->country : NULL;
    preq.now = req->now_ms / 1000;
    preq.w = SIGN_STICKER_WIDTH;
    preq.h = SIGN_STICKER_HEIGHT;

    struct sign_pades_env penv = {env->store, ca, pki_service_crl_cache(env->pki),
                                  req->organization_id};
    struct pades_hooks hooks;
    sign_pades_hooks_init(&penv, &hooks);
    char subject[600];
    enum pades_status ps = PADES_FAILED;
    signer = pades_signer_issue(ca, &hooks, &preq, out->certificate_issuer, out->certificate_serial,
                                subject, &ps, err, err_len);
    if (!signer) {
        res = ps == PADES_BAD_INPUT ? SIGN_SIGNING_REFUSED : SIGN_SIGNING_UNAVAILABLE;
        goto cleanup;
    }
    preq.signer = signer;

    for (size_t i = 0; i < op->n_docs; i++) {
        struct plan *pl = &op->plans[i];
        if (!pl->position && !pl->timestamp)
            continue;
        const char *hash = pl->doc->last.id[0] ? pl->doc->last.blob_hash : pl->doc->blob_hash;
        free(current);
        current = NULL;
        if (store_blob_get(env->store, hash, &current, &current_len) != STORE_OK) {
            log_error("process %s: the bytes of document %s cannot be read", op->p.id, pl->doc->id);
            str_message(err, err_len, "Document '%s' cannot be read now; try again.",
                        pl->doc->name);
            goto cleanup;
        }
        const unsigned char *bytes = current;
        size_t len = current_len;
        if (pl->position) {
            struct pades_result pr;
            preq.visible = true;
            preq.page = (int)pl->position->page;
            preq.x = (double)pl->position->x;
            preq.y = (double)pl->position->y;
            bool drawn = sign_signing_box_drawn(pl->position);
            preq.image = drawn ? req->image : NULL;
            preq.image_len = drawn ? req->image_len : 0;
            ps = pades_sign(env->pdf, ca, tsa, &hooks, &preq, current, current_len, &pr, err,
                            err_len);
            if (ps != PADES_OK) {
                char why[400];
                str_copy(why, sizeof why, err);
                str_message(err, err_len, "Document '%s' cannot be signed: %s", pl->doc->name, why);
                res = ps == PADES_BAD_INPUT ? SIGN_SIGNING_BAD_DOCUMENT : SIGN_SIGNING_UNAVAILABLE;
                goto cleanup;
            }
            pl->bytes = pr.pdf; /* taken over */
            pl->len = pr.len;
            pr.pdf = NULL;
            pades_result_free(&pr);
            bytes = pl->bytes;
            len = pl->len;
            out->documents++;
        }
        if (pl->timestamp) {
            unsigned char *stamped = NULL;
            size_t stamped_len = 0;
            ps = pades_timestamp(env->pdf, tsa, bytes, len, preq.now, &stamped, &stamped_len, err,
                                 err_len);
            if (ps != PADES_OK) {
                char why[400];
                str_copy(why, sizeof why, err);
                str_message(err, err_len, "Document '%s' cannot be time-stamped: %s", pl->doc->name,
                            why);
                res = ps == PADES_BAD_INPUT ? SIGN_SIGNING_BAD_DOCUMENT : SIGN_SIGNING_UNAVAILABLE;
                goto cleanup;
            }
            /* The signed file is kept as its own version only in the store: the newest
             * version (lastSignedFileId) is the time-stamped one. */
            if (pl->position) {
                if (store_blob_put(env->store, pl->bytes, pl->len, pl->signature.blob_hash) !=
                    STORE_OK) {
                    free(stamped);
                    str_message(err, err_len, "The signed file cannot be stored now; try again.");
                    goto cleanup;
                }
                pl->signature.size = (int64_t)pl->len;
                free(pl->bytes);
            }
            pl->bytes = stamped;
            pl->len = stamped_len;
        }
    }
    res = SIGN_SIGNING_OK;
cleanup:
    free(current);
    pki_signer_free(signer); /* destroys the on-demand key */
    return res;
}

/* Fills the version rows and stores the final bytes of each plan in the blob store. */
static bool store_files(const struct sign_signing_env *env, struct op *op, char *err,
                        size_t err_len)
{
    const struct sign_signing_request *req = op->req;
    size_t used = 0;
    op->file_ids[0] = '\0';
    for (size_t i = 0; i < op->n_docs; i++) {
        struct plan *pl = &op->plans[i];
        if (!pl->position && !pl->timestamp)
            continue;
        int64_t seq = pl->doc->last.seq;
        struct store_document_version *vs[2] = {pl->position ? &pl->signature : NULL,
                                                pl->timestamp ? &pl->stamp : NULL};
        for (size_t k = 0; k < 2; k++) {
            struct store_document_version *v = vs[k];
            if (!v)
                continue;
            if (!uuid_v4(v->id))
                return false;
            str_copy(v->organization_id, sizeof v->organization_id, req->organization_id);
            str_copy(v->process_id, sizeof v->process_id, op->p.id);
            str_copy(v->document_id, sizeof v->document_id, pl->doc->id);
            v->seq = ++seq;
            str_copy(v->kind, sizeof v->kind, k == 0 ? "SIGNATURE" : "TIMESTAMP");
            str_copy(v->participant_id, sizeof v->participant_id, k == 0 ? op->signer->id : "");
            v->created_at = req->now_ms;
        }
        /* The final bytes: the stamped file when completing, else the signed one. */
        struct store_document_version *last = pl->timestamp ? &pl->stamp : &pl->signature;
        if (store_blob_put(env->store, pl->bytes, pl->len, last->blob_hash) != STORE_OK) {
            str_message(err, err_len, "The signed file cannot be stored now; try again.");
            return false;
        }
        last->size = (int64_t)pl->len;
        int n = snprintf(op->file_ids + used, sizeof op->file_ids - used, "%s%s", used ? "," : "",
                         last->id);
        if (n > 0 && (size_t)n < sizeof op->file_ids - used)
            used += (size_t)n;
    }
    return true;
}

static enum store_status write_tx(struct store_tx *tx, void *cls)
{
    struct op *op = cls;
    const struct sign_signing_request *req = op->req;
    const char *org = req->organization_id;
    struct store_process now_p;
    memset(&now_p, 0, sizeof now_p);
    json_t *extras = NULL;
    op->state_changed = false;
    enum store_status st = store_process_get(tx, org, op->p.id, &now_p);
    if (st != STORE_OK)
        goto cleanup;
    struct store_participant *me = find_signer(&now_p, op->signer->id);
    if (strcmp(now_p.status, "PENDING") != 0 || now_p.valid_until <= req->now_ms || !me ||
        strcmp(me->status, "PENDING") != 0) {
        op->state_changed = true;
        st = STORE_CONFLICT;
        goto cleanup;
    }
    if (others_done(&now_p, op->signer->id) != op->completes) {
        st = STORE_CONFLICT; /* another signer signed meanwhile: plan again */
        goto cleanup;
    }
    for (size_t i = 0; i < op->n_docs; i++) {
        struct plan *pl = &op->plans[i];
        if (pl->position && (st = store_document_version_insert(tx, &pl->signature)) != STORE_OK)
            goto cleanup;
        if (pl->timestamp && (st = store_document_version_insert(tx, &pl->stamp)) != STORE_OK)
            goto cleanup;
    }
    st = store_participant_record_signature(tx, org, op->p.id, op->signer);
    if (st != STORE_OK)
        goto cleanup;
    extras = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "sign_event", "SIGNED",
                       "sign_signerId", op->signer->id, "sign_signatureLevel",
                       op->p.signature_level, "sign_method", op->signer->signature_method,
                       "sign_certificateIssuer", op->signer->certificate_issuer,
                       "sign_certificateSerial", op->signer->certificate_serial, "sign_padesLevel",
                       op->completes ? "B-LTA" : "B-LT");
    if (!extras || json_object_set_new(extras, "sign_fileIds", json_string(op->file_ids)) != 0) {
        st = STORE_ERROR;
        goto cleanup;
    }
    st = sign_audit_append(tx, org, op->p.id, req->now_ms, "sign", "SUCCESS", extras);
    if (st != STORE_OK || !op->completes)
        goto cleanup;
    st = store_process_complete(tx, org, op->p.id, req->now_ms);
    if (st != STORE_OK)
        goto cleanup;
    json_decref(extras);
    extras =
        json_pack("{s:s, s:s, s:s}", "transaction_event", "COMPLETED", "transaction_previousStatus",
                  "PENDING", "transaction_fileIds", op->file_ids);
    if (!extras) {
        st = STORE_ERROR;
        goto cleanup;
    }
    st = sign_audit_append(tx, org, op->p.id, req->now_ms, "transaction", "SUCCESS", extras);
    /* The completion notices, in the completing transaction (sign/notices.h). */
    if (st == STORE_OK)
        st = sign_notices_completed(tx, org, op->p.id, op->env->link_key, op->env->public_url,
                                    req->now_ms);
cleanup:
    json_decref(extras);
    store_process_clear(&now_p);
    return st;
}

const struct store_signature_position *sign_signing_box(const struct store_document *d,
                                                        const char *participant_id)
{
    for (size_t k = 0; k < d->n_positions; k++)
        if (!strcmp(d->positions[k].participant_id, participant_id))
            return &d->positions[k];
    return NULL;
}

bool sign_signing_box_drawn(const struct store_signature_position *box)
{
    return box && !strcmp(box->sticker_provider, "CUSTOM_VISUAL_SIGNATURE_PROVIDER");
}

enum sign_signing_result sign_participant_sign(const struct sign_signing_env *env,
                                               const struct sign_signing_request *req,
                                               struct sign_signing_outcome *out, char *err,
                                               size_t err_len)
{
    enum sign_signing_result res = SIGN_SIGNING_UNAVAILABLE;
    struct op op;
    memset(out, 0, sizeof *out);
    err[0] = '\0';
    if (!uuid_is_valid(req->process_id)) {
        str_message(err, err_len, "Process '%.64s' does not exist.", req->process_id);
        return SIGN_SIGNING_NOT_FOUND;
    }
    for (int attempt = 0; attempt < SIGN_SIGNING_ATTEMPTS; attempt++) {
        memset(&op, 0, sizeof op);
        op.env = env;
        op.req = req;
        memset(out, 0, sizeof *out);
        enum store_status st = store_run(env->store, STORE_READ, read_tx, &op);
        if (st == STORE_NOT_FOUND) {
            str_message(err, err_len, "Process '%.64s' does not exist.", req->process_id);
            res = SIGN_SIGNING_NOT_FOUND;
            goto done;
        }
        if (st != STORE_OK) {
            str_message(err, err_len, "The process cannot be read now; try again.");
            goto done;
        }
        res = check_request(&op, err, err_len);
        if (res != SIGN_SIGNING_OK)
            goto done;
        op.completes = others_done(&op.p, op.signer->id);
        res = make_files(env, &op, out, err, err_len);
        if (res != SIGN_SIGNING_OK)
            goto done;
        res = SIGN_SIGNING_UNAVAILABLE;
        if (!store_files(env, &op, err, err_len))
            goto done;
        /* The signer's record. */
        struct store_participant *x = op.signer;
        bool authenticated = strcmp(req->method, "CLICK") != 0 && strcmp(req->method, "SMS") != 0;
        char cn[600];
        snprintf(cn, sizeof cn, "%s %s", req->identity ? req->identity->given_name : x->first_name,
                 req->identity ? req->identity->surname : x->last_name);
        x->signed_at = req->now_ms;
        str_copy(x->signature_method, sizeof x->signature_method, req->method);
        str_copy(x->certificate_name, sizeof x->certificate_name, authenticated ? cn : "");
        str_copy(x->certificate_match, sizeof x->certificate_match,
                 authenticated ? sign_certificate_match(x->first_name, x->last_name, cn)
                               : "UNCHECKED");
        str_copy(x->certificate_issuer, sizeof x->certificate_issuer, out->certificate_issuer);
        str_copy(x->certificate_serial, sizeof x->certificate_serial, out->certificate_serial);
        st = store_run(env->store, STORE_WRITE, write_tx, &op);
        if (st == STORE_OK) {
            out->completed = op.completes;
            res = SIGN_SIGNING_OK;
            goto done;
        }
        if (st == STORE_CONFLICT && op.state_changed) {
            /* Read again to say what changed (signed meanwhile, expired, …). */
            op_clear(&op);
            continue;
        }
        if (st != STORE_CONFLICT) {
            str_message(err, err_len, "The signature cannot be stored now; try again.");
            goto done;
        }
        op_clear(&op); /* another signature came first: sign on top of it */
    }
    str_message(err, err_len, "The documents changed too often while signing; try again.");
    res = SIGN_SIGNING_UNAVAILABLE;
    return res;
done:
    op_clear(&op);
    return res;
}
