/*
 * Attaching PDF documents to a process and reading them back (see sign/attach.h for the
 * rules and ownership). Order of work in sign_attach, cheapest refusal first: parse the
 * request, read the process (404 / 409 / unknown signer), decode the content and release the
 * JSON body, inspect the PDF and resolve the positions, put the bytes into the blob store and
 * free them, then write the document, its positions and an audit record in one transaction
 * that checks the state and the file count again.
 */
#include "sign/attach.h"

#include "core/b64.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/str.h"
#include "core/uuid.h"
#include "pdf/pdf.h"
#include "sign/expiry.h"
#include "sign/process.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Request parsing ---- */

struct position_in {
    char signer[513];
    bool tag;
    bool has_page, has_x, has_y;
    int64_t page, x, y, off_x, off_y;
    char sticker[40];
    /* resolved */
    const struct store_participant *participant;
    size_t signer_index; /* among the process's signers: the tag is \s(index+1)\ */
};

struct attach_in {
    char name[1021];
    char external_identifier[51];
    const char *content; /* borrowed from the body */
    size_t content_len;
    struct position_in *pos;
    size_t n_pos;
};

static bool only_known(const json_t *obj, const char *prefix, const char *const *known, char *err,
                       size_t err_len)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        const char *const *k = known;
        while (*k && strcmp(*k, key) != 0)
            k++;
        (void)v;
        if (!*k)
            return str_message(err, err_len, "Unknown field '%s%.100s'.", prefix, key);
    }
    return true;
}

/* A string member: absent/null gives "" (error if required); checks type, NUL bytes and the
 * length in characters; copies into dest. */
static bool get_text(const json_t *obj, const char *prefix, const char *key, size_t max_chars,
                     bool required, char *dest, size_t dest_size, char *err, size_t err_len)
{
    json_t *v = json_object_get(obj, key);
    dest[0] = '\0';
    if (!v || json_is_null(v)) {
        if (required)
            return str_message(err, err_len, "Field '%s%s' is required.", prefix, key);
        return true;
    }
    if (!json_is_string(v))
        return str_message(err, err_len, "Field '%s%s' must be a string.", prefix, key);
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return str_message(err, err_len, "Field '%s%s' must not contain NUL characters.", prefix,
                           key);
    if (sign_utf8_length(s) > max_chars || !str_copy(dest, dest_size, s))
        return str_message(err, err_len, "Field '%s%s' must be at most %zu characters long.",
                           prefix, key, max_chars);
    return true;
}

/* An integer member within [min, max]; *present tells whether it was given. */
static bool get_int(const json_t *obj, const char *prefix, const char *key, int64_t min,
                    int64_t max, bool *present, int64_t *out, char *err, size_t err_len)
{
    json_t *v = json_object_get(obj, key);
    *present = false;
    *out = 0;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_integer(v))
        return str_message(err, err_len, "Field '%s%s' must be an integer.", prefix, key);
    json_int_t i = json_integer_value(v);
    if (i < min || i > max)
        return str_message(err, err_len, "Field '%s%s' must be between %lld and %lld.", prefix, key,
                           (long long)min, (long long)max);
    *present = true;
    *out = i;
    return true;
}

static const char *const attachment_keys[] = {
    "id", "name", "content", "contentType", "externalIdentifier", "signaturePositions", NULL};
/* Both shapes' fields are accepted on either locator; the other shape's are ignored. */
static const char *const position_keys[] = {"signer",    "locator",         "pageNumber",
                                            "positionX", "positionY",       "offsetX",
                                            "offsetY",   "stickerProvider", NULL};

static bool parse_position(const json_t *j, size_t i, struct position_in *p, char *err,
                           size_t err_len)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "signaturePositions[%zu].", i);
    if (!json_is_object(j))
        return str_message(err, err_len, "Field 'signaturePositions[%zu]' must be an object.", i);
    if (!only_known(j, prefix, position_keys, err, err_len))
        return false;
    if (!get_text(j, prefix, "signer", 128, true, p->signer, sizeof p->signer, err, err_len))
        return false;
    if (!p->signer[0])
        return str_message(err, err_len, "Field '%ssigner' must name a signer of the process.",
                           prefix);
    char locator[16];
    if (!get_text(j, prefix, "locator", 15, false, locator, sizeof locator, err, err_len))
        return false;
    if (locator[0] && strcmp(locator, "COORDINATES") && strcmp(locator, "TAG"))
        return str_message(err, err_len, "Field '%slocator' must be COORDINATES or TAG.", prefix);
    p->tag = !strcmp(locator, "TAG");
    if (!get_text(j, prefix, "stickerProvider", 39, false, p->sticker, sizeof p->sticker, err,
                  err_len))
        return false;
    if (!p->sticker[0])
        str_copy(p->sticker, sizeof p->sticker, "VISUAL_SIGNATURE_PROVIDER");
    if (strcmp(p->sticker, "VISUAL_SIGNATURE_PROVIDER") &&
        strcmp(p->sticker, "CUSTOM_VISUAL_SIGNATURE_PROVIDER"))
        return str_message(err, err_len,
                           "Field '%sstickerProvider' must be VISUAL_SIGNATURE_PROVIDER or "
                           "CUSTOM_VISUAL_SIGNATURE_PROVIDER.",
                           prefix);
    bool has;
    if (!get_int(j, prefix, "pageNumber", INT32_MIN, INT32_MAX, &p->has_page, &p->page, err,
                 err_len) ||
        !get_int(j, prefix, "positionX", 0, INT32_MAX, &p->has_x, &p->x, err, err_len) ||
        !get_int(j, prefix, "positionY", 0, INT32_MAX, &p->has_y, &p->y, err, err_len))
        return false;
    if (p->tag) {
        if (!get_int(j, prefix, "offsetX", -SIGN_TAG_OFFSET_MAX, SIGN_TAG_OFFSET_MAX, &has,
                     &p->off_x, err, err_len) ||
            !get_int(j, prefix, "offsetY", -SIGN_TAG_OFFSET_MAX, SIGN_TAG_OFFSET_MAX, &has,
                     &p->off_y, err, err_len))
            return false;
        return true;
    }
    if (!p->has_page)
        return str_message(err, err_len, "Field '%spageNumber' is required.", prefix);
    if (!p->has_x)
        return str_message(err, err_len, "Field '%spositionX' is required.", prefix);
    if (!p->has_y)
        return str_message(err, err_len, "Field '%spositionY' is required.", prefix);
    return true;
}

/* Fills *in from a FileAttachment body; in->content points into body. */
static bool parse_attachment(const json_t *body, struct attach_in *in, char *err, size_t err_len)
{
    if (!json_is_object(body))
        return str_message(err, err_len, "The request body must be a FileAttachment object.");
    if (!only_known(body, "", attachment_keys, err, err_len))
        return false;
    char content_type[64];
    if (!get_text(body, "", "name", 255, true, in->name, sizeof in->name, err, err_len) ||
        !get_text(body, "", "contentType", 50, true, content_type, sizeof content_type, err,
                  err_len) ||
        !get_text(body, "", "externalIdentifier", 50, false, in->external_identifier,
                  sizeof in->external_identifier, err, err_len))
        return false;
    if (strcmp(content_type, "application/pdf") != 0)
        return str_message(err, err_len,
                           "Field 'contentType' is '%.50s': only 'application/pdf' is supported.",
                           content_type);
    if (in->external_identifier[0] && !sign_external_id_valid(in->external_identifier))
        return str_message(err, err_len,
                           "Field 'externalIdentifier' may hold only letters, digits and '._~-'.");
    json_t *c = json_object_get(body, "content");
    if (!c || json_is_null(c))
        return str_message(err, err_len, "Field 'content' is required.");
    if (!json_is_string(c))
        return str_message(err, err_len, "Field 'content' must be a string (base64).");
    in->content = json_string_value(c);
    in->content_len = json_string_length(c);
    json_t *arr = json_object_get(body, "signaturePositions");
    if (!arr || json_is_null(arr))
        return true;
    if (!json_is_array(arr))
        return str_message(err, err_len, "Field 'signaturePositions' must be an array.");
    size_t n = json_array_size(arr);
    if (n > SIGN_MAX_POSITIONS)
        return str_message(err, err_len, "Field 'signaturePositions' may hold at most %d entries.",
                           SIGN_MAX_POSITIONS);
    if (n == 0)
        return true;
    in->pos = calloc(n, sizeof *in->pos);
    if (!in->pos)
        return str_message(err, err_len, "Not enough memory.");
    in->n_pos = n;
    for (size_t i = 0; i < n; i++)
        if (!parse_position(json_array_get(arr, i), i, &in->pos[i], err, err_len))
            return false;
    return true;
}

/* The content: strict base64 of a non-empty file of at most SIGN_MAX_FILE_BYTES. On success
 * *bytes (owned, free()) and *len hold the file; on failure *bytes is NULL. */
static bool decode_content(const struct attach_in *in, unsigned char **bytes, size_t *len,
                           char *err, size_t err_len)
{
    *bytes = NULL;
    *len = 0;
    if (in->content_len == 0)
        return str_message(err, err_len, "Field 'content' must not be empty.");
    if (in->content_len > SIGN_MAX_FILE_BASE64)
        return str_message(err, err_len,
                           "Field 'content': file '%.255s' is larger than the limit of 40 MiB.",
                           in->name);
    if (b64_decoded_size(in->content, in->content_len, B64_STD) == 0 ||
        !b64_decode(in->content, in->content_len, B64_STD, bytes, len)) {
        *bytes = NULL;
        *len = 0;
        return str_message(err, err_len,
                           "Field 'content' is not valid base64 (RFC 4648 standard alphabet with "
                           "padding, no line breaks or spaces).");
    }
    if (*len > SIGN_MAX_FILE_BYTES) {
        free(*bytes);
        *bytes = NULL;
        *len = 0;
        return str_message(err, err_len,
                           "Field 'content': file '%.255s' is larger than the limit of 40 MiB.",
                           in->name);
    }
    return true;
}

bool sign_attach_check_request(const json_t *body, unsigned char **bytes, size_t *len,
                               size_t *n_positions, char *err, size_t err_len)
{
    struct attach_in in;
    memset(&in, 0, sizeof in);
    *bytes = NULL;
    *len = 0;
    *n_positions = 0;
    bool ok =
        parse_attachment(body, &in, err, err_len) && decode_content(&in, bytes, len, err, err_len);
    if (ok)
        *n_positions = in.n_pos;
    free(in.pos);
    return ok;
}

/* Finds the signer named by each position among p's participants of type SIGNER. */
static bool resolve_signers(const struct store_process *p, struct attach_in *in, char *err,
                            size_t err_len)
{
    for (size_t i = 0; i < in->n_pos; i++) {
        struct position_in *x = &in->pos[i];
        size_t index = 0;
        x->participant = NULL;
        for (size_t k = 0; k < p->n_participants; k++) {
            const struct store_participant *q = &p->participants[k];
            if (strcmp(q->type, "SIGNER") != 0)
                continue;
            if (!strcmp(q->id, x->signer) ||
                (q->external_identifier[0] && !strcmp(q->external_identifier, x->signer))) {
                x->participant = q;
                x->signer_index = index;
                break;
            }
            index++;
        }
        if (!x->participant)
            return str_message(
                err, err_len,
                "Field 'signaturePositions[%zu].signer': '%.128s' is not a signer of "
                "this process; use a signer's identification or externalIdentifier.",
                i, x->signer);
    }
    return true;
}

/* ---- PDF checks ---- */

static enum sign_attach_result pdf_refusal(enum pdf_result r, const char *name, const char *msg,
                                           char *err, size_t err_len)
{
    switch (r) {
    case PDF_NOT_PDF:
        str_message(err, err_len, "File '%.255s' is not a readable PDF (%s).", name, msg);
        return SIGN_ATTACH_INVALID;
    case PDF_ENCRYPTED_NEEDS_PASSWORD:
        str_message(err, err_len,
                    "File '%.255s' is protected by a password; attach it without the password "
                    "protection.",
                    name);
        return SIGN_ATTACH_INVALID;
    case PDF_NO_PAGES:
        str_message(err, err_len, "File '%.255s' has no page.", name);
        return SIGN_ATTACH_INVALID;
    case PDF_TOO_MANY_PAGES:
        str_message(err, err_len, "File '%.255s' has more than %d pages.", name, PDF_MAX_PAGES);
        return SIGN_ATTACH_INVALID;
    default:
        log_error("pdf engine failed on '%s': %s", name, pdf_result_name(r));
        str_message(err, err_len, "The file could not be examined; try again.");
        return SIGN_ATTACH_UNAVAILABLE;
    }
}

/* floor() of a finite value well inside int64_t range. */
static int64_t floor_i64(double d)
{
    int64_t v = (int64_t)d;
    return (double)v > d ? v - 1 : v;
}

static enum sign_attach_result check_box(const struct pdf_info *info, size_t i, int64_t page,
                                         int64_t x, int64_t y, const char *what, const char *name,
                                         int *resolved, char *err, size_t err_len)
{
    enum pdf_position_result r = pdf_position_visible(
        info, (int)page, (double)x, (double)y, SIGN_STICKER_WIDTH, SIGN_STICKER_HEIGHT, resolved);
    if (r == PDF_POSITION_OK)
        return SIGN_ATTACH_OK;
    if (r == PDF_POSITION_NO_SUCH_PAGE) {
        str_message(
            err, err_len,
            "Field 'signaturePositions[%zu].pageNumber': file '%.255s' has no page %lld (it has "
            "%zu; use 0..%zu, or -1 for the last).",
            i, name, (long long)page, info->page_count, info->page_count - 1);
        return SIGN_ATTACH_INVALID;
    }
    const struct pdf_page_info *pg =
        r == PDF_POSITION_OUTSIDE && *resolved >= 0 && (size_t)*resolved < info->page_count
            ? &info->pages[*resolved]
            : NULL;
    str_message(
        err, err_len,
        "Field 'signaturePositions[%zu]': the %d x %d point signature box at %s (%lld, %lld) "
        "does not fit on page %d of file '%.255s' (%.0f x %.0f points; x from the left, y from "
        "the top).",
        i, SIGN_STICKER_WIDTH, SIGN_STICKER_HEIGHT, what, (long long)x, (long long)y,
        pg ? *resolved : (int)page, name, pg ? pg->width : 0.0, pg ? pg->height : 0.0);
    return SIGN_ATTACH_INVALID;
}

enum sign_attach_result sign_position_check(const struct pdf_info *info, size_t i, int64_t page,
                                            int64_t x, int64_t y, const char *file_name,
                                            int *resolved, char *err, size_t err_len)
{
    *resolved = -1;
    return check_box(info, i, page, x, y, "position", file_name, resolved, err, err_len);
}

/* Resolves and checks every position into out[] (n_pos entries, zeroed). */
static enum sign_attach_result place_positions(struct pdf_engine *pdf, const unsigned char *bytes,
                                               size_t len, const struct pdf_info *info,
                                               const struct attach_in *in,
                                               struct store_signature_position *out, char *err,
                                               size_t err_len)
{
    for (size_t i = 0; i < in->n_pos; i++) {
        const struct position_in *x = &in->pos[i];
        struct store_signature_position *o = &out[i];
        str_copy(o->participant_id, sizeof o->participant_id, x->participant->id);
        str_copy(o->signer, sizeof o->signer, x->signer);
        str_copy(o->sticker_provider, sizeof o->sticker_provider, x->sticker);
        int resolved = -1;
        if (!x->tag) {
            str_copy(o->locator, sizeof o->locator, "COORDINATES");
            enum sign_attach_result r = check_box(info, i, x->page, x->x, x->y, "position",
                                                  in->name, &resolved, err, err_len);
            if (r != SIGN_ATTACH_OK)
                return r;
            o->has_requested_page = true;
            o->requested_page = x->page;
            o->page = resolved;
            o->x = x->x;
            o->y = x->y;
            continue;
        }
        str_copy(o->locator, sizeof o->locator, "TAG");
        char tag[32];
        snprintf(tag, sizeof tag, "\\s%zu\\", x->signer_index + 1);
        struct pdf_tag_hit hit;
        size_t n = 0;
        char msg[256] = "";
        enum pdf_result pr = pdf_find_tag(pdf, bytes, len, tag, &hit, 1, &n, msg, sizeof msg);
        if (pr != PDF_OK && pr != PDF_HITS_TRUNCATED)
            return pdf_refusal(pr, in->name, msg, err, err_len);
        if (n == 0) {
            str_message(
                err, err_len,
                "Field 'signaturePositions[%zu]': tag '%s' (signer '%.128s') was not found in "
                "file '%.255s'.",
                i, tag, x->signer, in->name);
            return SIGN_ATTACH_INVALID;
        }
        if (!isfinite(hit.x0) || !isfinite(hit.y0) || fabs(hit.x0) > 1e9 || fabs(hit.y0) > 1e9) {
            str_message(err, err_len,
                        "Field 'signaturePositions[%zu]': tag '%s' in file '%.255s' lies "
                        "outside every page.",
                        i, tag, in->name);
            return SIGN_ATTACH_INVALID;
        }
        o->offset_x = x->off_x;
        o->offset_y = x->off_y;
        o->x = floor_i64(hit.x0) + x->off_x;
        o->y = floor_i64(hit.y0) + x->off_y;
        char what[64];
        snprintf(what, sizeof what, "tag '%s' + offsets", tag);
        if (o->x < 0 || o->y < 0) {
            str_message(
                err, err_len,
                "Field 'signaturePositions[%zu]': the signature box at %s (%lld, %lld) lies "
                "beyond the edge of page %d of file '%.255s'.",
                i, what, (long long)o->x, (long long)o->y, hit.page, in->name);
            return SIGN_ATTACH_INVALID;
        }
        enum sign_attach_result r =
            check_box(info, i, hit.page, o->x, o->y, what, in->name, &resolved, err, err_len);
        if (r != SIGN_ATTACH_OK)
            return r;
        o->page = resolved;
    }
    return SIGN_ATTACH_OK;
}

/* ---- Transactions ---- */

struct attach_op {
    const char *org_id;
    const char *process_id;
    const char *client_id;
    struct store_process p;
    int64_t count;
    bool ext_taken;
    struct store_document *doc; /* write: the document to insert (position set here) */
};

/* Read: the process, its file count and whether the externalIdentifier is taken. */
static enum store_status read_tx(struct store_tx *tx, void *cls)
{
    struct attach_op *op = cls;
    enum store_status st = store_process_get(tx, op->org_id, op->process_id, &op->p);
    if (st != STORE_OK)
        return st;
    st = store_document_count(tx, op->org_id, op->process_id, &op->count);
    if (st != STORE_OK)
        return st;
    op->ext_taken = false;
    if (op->doc->external_identifier[0]) {
        st = store_document_external_id_taken(tx, op->org_id, op->process_id,
                                              op->doc->external_identifier);
        if (st != STORE_OK && st != STORE_NOT_FOUND)
            return st;
        op->ext_taken = st == STORE_OK;
    }
    return STORE_OK;
}

static enum store_status write_tx(struct store_tx *tx, void *cls)
{
    struct attach_op *op = cls;
    enum store_status st = read_tx(tx, op);
    if (st != STORE_OK)
        return st;
    if (strcmp(op->p.status, "CREATED") != 0 || op->p.valid_until <= op->doc->created_at ||
        op->count >= SIGN_MAX_FILES || op->ext_taken)
        return STORE_CONFLICT; /* the caller tells which from op */
    op->doc->position = op->count;
    st = store_document_insert(tx, op->doc);
    if (st == STORE_CONFLICT)
        return STORE_RETRY; /* a concurrent attach took this position: count again */
    if (st != STORE_OK)
        return st;
    json_t *extras =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "document_event", "ATTACHED", "document_fileId",
                  op->doc->id, "document_name", op->doc->name, "document_sha256",
                  op->doc->blob_hash, "transaction_clientId", op->client_id);
    if (!extras)
        return STORE_ERROR;
    st = sign_audit_append(tx, op->org_id, op->process_id, op->doc->created_at, "document",
                           "SUCCESS", extras);
    json_decref(extras);
    return st;
}

/* The refusal told by a read of the process (state, count, externalIdentifier), or OK. */
static enum sign_attach_result check_process(const struct attach_op *op, const char *ext_id,
                                             char *err, size_t err_len)
{
    /* Past validUntil a CREATED process is EXPIRED, even before the expiry job marks it. */
    const char *state =
        sign_expiry_due(op->p.status, op->p.valid_until, time_now_ms()) ? "EXPIRED" : op->p.status;
    if (strcmp(state, "CREATED") != 0) {
        str_message(err, err_len,
                    "The process is %s: files can be attached only while it is CREATED.", state);
        return SIGN_ATTACH_CONFLICT;
    }
    if (op->count >= SIGN_MAX_FILES) {
        str_message(err, err_len,
                    "The process already has %d files, the most one process may have.",
                    SIGN_MAX_FILES);
        return SIGN_ATTACH_CONFLICT;
    }
    if (op->ext_taken) {
        str_message(err, err_len,
                    "Field 'externalIdentifier': the process already has a file '%s'; use another.",
                    ext_id);
        return SIGN_ATTACH_INVALID;
    }
    return SIGN_ATTACH_OK;
}

enum sign_attach_result sign_attach(struct store *s, struct pdf_engine *pdf,
                                    const char *organization_id, const char *client_id,
                                    const char *process_id, json_t **body,
                                    char file_id[STORE_ID_LEN], char *err, size_t err_len)
{
    struct attach_in in;
    struct store_document doc;
    struct pdf_info info;
    unsigned char *bytes = NULL;
    size_t len = 0;
    memset(&in, 0, sizeof in);
    memset(&doc, 0, sizeof doc);
    memset(&info, 0, sizeof info);
    struct attach_op op = {
        .org_id = organization_id, .process_id = process_id, .client_id = client_id, .doc = &doc};
    enum sign_attach_result res = SIGN_ATTACH_INVALID;
    enum store_status st;
    file_id[0] = '\0';

    if (!uuid_is_valid(process_id)) {
        res = SIGN_ATTACH_NOT_FOUND;
        goto cleanup;
    }
    if (!pdf) {
        log_bug("sign_attach without a PDF engine");
        res = SIGN_ATTACH_UNAVAILABLE;
        goto cleanup;
    }
    if (!parse_attachment(*body, &in, err, err_len))
        goto cleanup;
    str_copy(doc.external_identifier, sizeof doc.external_identifier, in.external_identifier);

    /* Lazy expiry: a process past validUntil becomes EXPIRED (with its audit record). */
    enum sign_result touched = sign_expiry_touch(s, organization_id, process_id, time_now_ms());
    if (touched != SIGN_OK) {
        res = touched == SIGN_NOT_FOUND ? SIGN_ATTACH_NOT_FOUND : SIGN_ATTACH_UNAVAILABLE;
        goto cleanup;
    }
    st = store_run(s, STORE_READ, read_tx, &op);
    if (st != STORE_OK) {
        res = st == STORE_NOT_FOUND ? SIGN_ATTACH_NOT_FOUND : SIGN_ATTACH_UNAVAILABLE;
        goto cleanup;
    }
    res = check_process(&op, in.external_identifier, err, err_len);
    if (res != SIGN_ATTACH_OK)
        goto cleanup;
    res = SIGN_ATTACH_INVALID;
    if (!resolve_signers(&op.p, &in, err, err_len))
        goto cleanup;

    if (!decode_content(&in, &bytes, &len, err, err_len))
        goto cleanup;
    /* Nothing below reads the body: release the base64 text now. in.content dangles. */
    json_decref(*body);
    *body = NULL;
    in.content = NULL;

    char msg[256] = "";
    enum pdf_result pr = pdf_inspect(pdf, bytes, len, &info, msg, sizeof msg);
    if (pr != PDF_OK && pr != PDF_DAMAGED) {
        res = pdf_refusal(pr, in.name, msg, err, err_len);
        goto cleanup;
    }
    if (in.n_pos) {
        doc.positions = calloc(in.n_pos, sizeof *doc.positions);
        if (!doc.positions) {
            res = SIGN_ATTACH_UNAVAILABLE;
            str_message(err, err_len, "Not enough memory.");
            goto cleanup;
        }
        doc.n_positions = in.n_pos;
        res = place_positions(pdf, bytes, len, &info, &in, doc.positions, err, err_len);
        if (res != SIGN_ATTACH_OK)
            goto cleanup;
    }

    if (!uuid_v4(doc.id)) {
        res = SIGN_ATTACH_UNAVAILABLE;
        goto cleanup;
    }
    str_copy(doc.organization_id, sizeof doc.organization_id, organization_id);
    str_copy(doc.process_id, sizeof doc.process_id, process_id);
    str_copy(doc.name, sizeof doc.name, in.name);
    str_copy(doc.content_type, sizeof doc.content_type, "application/pdf");
    doc.size = (int64_t)len;
    doc.page_count = (int64_t)info.page_count;
    doc.needs_repair = info.needs_repair;
    /* The bytes first (content-addressed, idempotent): a crash after this leaves an
     * unreferenced blob, never a row without its bytes. */
    if (store_blob_put(s, bytes, len, doc.blob_hash) != STORE_OK) {
        res = SIGN_ATTACH_UNAVAILABLE;
        str_message(err, err_len, "The file could not be stored; try again.");
        goto cleanup;
    }
    free(bytes);
    bytes = NULL;
    doc.created_at = time_now_ms();

    st = store_run(s, STORE_WRITE, write_tx, &op);
    if (st == STORE_CONFLICT) {
        res = check_process(&op, in.external_identifier, err, err_len);
        if (res == SIGN_ATTACH_OK) /* cannot happen: write_tx conflicts only for these */
            res = SIGN_ATTACH_UNAVAILABLE;
        goto cleanup;
    }
    if (st != STORE_OK) {
        res = st == STORE_NOT_FOUND ? SIGN_ATTACH_NOT_FOUND : SIGN_ATTACH_UNAVAILABLE;
        goto cleanup;
    }
    str_copy(file_id, STORE_ID_LEN, doc.id);
    if (doc.needs_repair)
        log_info("process %s: file %s needed a repair; it will be rewritten before signing",
                 process_id, doc.id);
    res = SIGN_ATTACH_OK;
cleanup:
    free(bytes);
    free(in.pos);
    pdf_info_free(&info);
    store_document_clear(&doc);
    store_process_clear(&op.p);
    return res;
}

/* ---- Reading files back ---- */

struct file_op {
    const char *org_id;
    const char *process_id;
    const char *ref;
    struct store_process p;
    struct store_document *doc;
    bool process_missing;
    bool archived;
    struct store_document *list;
    size_t n;
};

static enum store_status file_get_tx(struct store_tx *tx, void *cls)
{
    struct file_op *op = cls;
    op->process_missing = false;
    op->archived = false;
    enum store_status st = store_process_get(tx, op->org_id, op->process_id, &op->p);
    if (st == STORE_NOT_FOUND)
        op->process_missing = true;
    if (st != STORE_OK)
        return st;
    st = store_document_get(tx, op->org_id, op->process_id, op->ref, op->doc);
    if (st == STORE_NOT_FOUND && uuid_is_valid(op->ref)) {
        /* A signed version (lastSignedFileId or an earlier one): the document's metadata with
         * the version's id and bytes. */
        struct store_document_version v;
        st = store_document_version_get(tx, op->org_id, op->process_id, op->ref, &v);
        if (st == STORE_OK)
            st = store_document_get(tx, op->org_id, op->process_id, v.document_id, op->doc);
        if (st == STORE_OK) {
            str_copy(op->doc->id, sizeof op->doc->id, v.id);
            str_copy(op->doc->blob_hash, sizeof op->doc->blob_hash, v.blob_hash);
            op->doc->size = v.size;
        }
    }
    /* Known file of an archived process: gone (410), whatever the id named. */
    if (st == STORE_OK && op->p.archived_at)
        op->archived = true;
    return st;
}

enum sign_attach_result sign_file_get(struct store *s, const char *organization_id,
                                      const char *process_id, const char *file_ref,
                                      struct store_document *doc, unsigned char **bytes,
                                      size_t *len)
{
    *bytes = NULL;
    *len = 0;
    if (!uuid_is_valid(process_id))
        return SIGN_ATTACH_NOT_FOUND;
    if (!file_ref[0] || strlen(file_ref) >= STORE_ID_LEN)
        return SIGN_ATTACH_FILE_NOT_FOUND;
    struct file_op op = {
        .org_id = organization_id, .process_id = process_id, .ref = file_ref, .doc = doc};
    enum store_status st = store_run(s, STORE_READ, file_get_tx, &op);
    store_process_clear(&op.p);
    if (st == STORE_NOT_FOUND)
        return op.process_missing ? SIGN_ATTACH_NOT_FOUND : SIGN_ATTACH_FILE_NOT_FOUND;
    if (st != STORE_OK)
        return SIGN_ATTACH_UNAVAILABLE;
    if (op.archived)
        return SIGN_ATTACH_ARCHIVED;
    st = store_blob_get(s, doc->blob_hash, bytes, len);
    if (st != STORE_OK) {
        log_error("process %s: the bytes of file %s (blob %s) cannot be read: %s", process_id,
                  doc->id, doc->blob_hash, store_status_name(st));
        return SIGN_ATTACH_UNAVAILABLE;
    }
    return SIGN_ATTACH_OK;
}

struct download_op {
    const char *org_id;
    const struct store_document *doc;
    const char *client_id;
    const char *format;
    int64_t now;
};

static enum store_status download_tx(struct store_tx *tx, void *cls)
{
    struct download_op *op = cls;
    json_t *extras =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "document_event", "DOWNLOADED", "document_fileId",
                  op->doc->id, "document_name", op->doc->name, "document_format", op->format,
                  "transaction_clientId", op->client_id);
    if (!extras)
        return STORE_ERROR;
    enum store_status st = sign_audit_append(tx, op->org_id, op->doc->process_id, op->now,
                                             "document", "SUCCESS", extras);
    json_decref(extras);
    return st;
}

enum sign_attach_result sign_file_record_download(struct store *s, const char *organization_id,
                                                  const struct store_document *doc,
                                                  const char *client_id, const char *format,
                                                  int64_t now)
{
    struct download_op op = {.org_id = organization_id,
                             .doc = doc,
                             .client_id = client_id,
                             .format = format,
                             .now = now};
    enum store_status st = store_run(s, STORE_WRITE, download_tx, &op);
    if (st != STORE_OK) {
        log_error("process %s: the download of file %s cannot be recorded: %s", doc->process_id,
                  doc->id, store_status_name(st));
        return SIGN_ATTACH_UNAVAILABLE;
    }
    return SIGN_ATTACH_OK;
}

json_t *sign_file_attachment_json(const struct store_document *doc, const unsigned char *bytes,
                                  size_t len)
{
    char *b64 = b64_encode(bytes, len, B64_STD);
    if (!b64)
        return NULL;
    json_t *o = json_pack("{s:s, s:s, s:s}", "id", doc->id, "name", doc->name, "contentType",
                          doc->content_type);
    if (o && doc->external_identifier[0])
        json_object_set_new(o, "externalIdentifier", json_string(doc->external_identifier));
    /* base64 is ASCII: no UTF-8 check needed (jansson still copies the text). */
    if (o && json_object_set_new(o, "content", json_stringn_nocheck(b64, strlen(b64))) != 0) {
        json_decref(o);
        o = NULL;
    }
    free(b64);
    return o;
}

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct file_op *op = cls;
    store_document_list_free(op->list, op->n);
    op->list = NULL;
    op->n = 0;
    return store_document_list(tx, op->org_id, op->process_id, &op->list, &op->n);
}

static json_t *file_reference_json(const struct store_document *d)
{
    json_t *o = json_object();
    json_t *positions = json_array();
    if (!o || !positions) {
        json_decref(o);
        json_decref(positions);
        return NULL;
    }
    if (d->external_identifier[0])
        json_object_set_new(o, "externalIdentifier", json_string(d->external_identifier));
    json_object_set_new(o, "initialFileId", json_string(d->id));
    /* lastSignedFileId: the newest signed version, once a signer has signed. */
    if (d->last.id[0])
        json_object_set_new(o, "lastSignedFileId", json_string(d->last.id));
    for (size_t i = 0; i < d->n_positions; i++) {
        const struct store_signature_position *p = &d->positions[i];
        /* pageNumber as the client gave it for COORDINATES; the page found for TAG. */
        json_array_append_new(
            positions, json_pack("{s:s, s:I, s:I, s:I, s:s}", "signer", p->signer, "pageNumber",
                                 (json_int_t)(p->has_requested_page ? p->requested_page : p->page),
                                 "positionX", (json_int_t)p->x, "positionY", (json_int_t)p->y,
                                 "stickerProvider", p->sticker_provider));
    }
    json_object_set_new(o, "signaturePositions", positions);
    return o;
}

json_t *sign_file_references_json(const struct store_document *docs, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        if (json_array_append_new(arr, file_reference_json(&docs[i])) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

enum sign_attach_result sign_file_references(struct store *s, const char *organization_id,
                                             const char *process_id, json_t **out)
{
    *out = NULL;
    struct file_op op = {.org_id = organization_id, .process_id = process_id};
    enum store_status st = store_run(s, STORE_READ, list_tx, &op);
    enum sign_attach_result res = SIGN_ATTACH_UNAVAILABLE;
    if (st != STORE_OK)
        goto cleanup;
    json_t *arr = json_array();
    if (!arr)
        goto cleanup;
    for (size_t i = 0; i < op.n; i++) {
        if (json_array_append_new(arr, file_reference_json(&op.list[i])) != 0) {
            json_decref(arr);
            goto cleanup;
        }
    }
    *out = arr;
    res = SIGN_ATTACH_OK;
cleanup:
    store_document_list_free(op.list, op.n);
    return res;
}

/* ---- Content-Disposition ---- */

char *sign_content_disposition(const char *name, const char *fallback)
{
    if (!name || !*name)
        name = fallback;
    size_t n = strlen(name);
    /* attachment; filename="ASCII"; filename*=UTF-8''%XX… */
    size_t cap = 64 + n + 3 * n;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t o = (size_t)snprintf(out, cap, "attachment; filename=\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        /* Quoted-string safe and no path separators: anything else becomes '_'. */
        bool keep = c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '/';
        out[o++] = keep ? (char)c : '_';
    }
    o += (size_t)snprintf(out + o, cap - o, "\"; filename*=UTF-8''");
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        /* RFC 5987 attr-char */
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     (c && strchr("!#$&+-.^_`|~", c));
        if (plain) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}
