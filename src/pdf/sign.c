/*
 * pdf/sign.h: the signature field, widget and signature dictionary written as an incremental
 * update; the /ByteRange and /Contents placeholders patched in the written bytes; the /DSS;
 * the one-time rewrite of repaired files.
 *
 * Ownership: MuPDF objects live only during a call; outputs are malloc'ed (see sign.h).
 */
#include "pdf/sign.h"

#include "core/log.h"
#include "pdf/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BYTE_RANGE_PLACEHOLDER 9999999999LL /* ten digits: room for any offset we write */
#define MAX_FIELD_NAMES        10000

void pdf_prepared_free(struct pdf_prepared *p)
{
    if (!p)
        return;
    free(p->data);
    memset(p, 0, sizeof *p);
}

/* True when the AcroForm has a top-level field called name. */
static bool field_name_taken(fz_context *ctx, pdf_obj *fields, const char *name)
{
    int n = pdf_array_len(ctx, fields);
    for (int i = 0; i < n; i++) {
        const char *t = pdf_dict_get_text_string(ctx, pdf_array_get(ctx, fields, i), PDF_NAME(T));
        if (t && strcmp(t, name) == 0)
            return true;
    }
    return false;
}

static void pick_field_name(fz_context *ctx, pdf_obj *fields, enum pdf_sig_kind kind, char *out,
                            size_t out_len)
{
    const char *base = kind == PDF_SIG_DOC_TIMESTAMP ? "SignetTimeStamp" : "SignetSignature";
    for (int i = 1; i < MAX_FIELD_NAMES; i++) {
        snprintf(out, out_len, "%s%d", base, i);
        if (!field_name_taken(ctx, fields, out))
            return;
    }
    fz_throw(ctx, FZ_ERROR_GENERIC, "no free signature field name");
}

/* The AcroForm of the document, created (indirect) when absent. */
static pdf_obj *acroform(fz_context *ctx, pdf_document *doc)
{
    pdf_obj *root = pdf_dict_get(ctx, pdf_trailer(ctx, doc), PDF_NAME(Root));
    pdf_obj *form = pdf_dict_get(ctx, root, PDF_NAME(AcroForm));
    if (!pdf_is_dict(ctx, form)) {
        form = pdf_add_new_dict(ctx, doc, 4);
        pdf_dict_put_drop(ctx, root, PDF_NAME(AcroForm), form);
    }
    if (!pdf_is_array(ctx, pdf_dict_get(ctx, form, PDF_NAME(Fields))))
        pdf_dict_put_array(ctx, form, PDF_NAME(Fields), 4);
    return form;
}

/* An empty appearance for invisible signatures and visible ones without a stamp. */
static pdf_obj *empty_appearance(fz_context *ctx, pdf_document *doc, fz_rect bbox)
{
    fz_buffer *buf = fz_new_buffer(ctx, 1);
    pdf_obj *res = NULL, *xobj = NULL;
    fz_var(res);
    fz_try(ctx)
    {
        res = pdf_new_dict(ctx, doc, 1);
        xobj = pdf_new_xobject(ctx, doc, bbox, fz_identity, res, buf);
    }
    fz_always(ctx)
    {
        pdf_drop_obj(ctx, res);
        fz_drop_buffer(ctx, buf);
    }
    fz_catch(ctx) fz_rethrow(ctx);
    return xobj;
}

static pdf_obj *signature_dict(fz_context *ctx, pdf_document *doc,
                               const struct pdf_sign_request *req, size_t contents_size)
{
    pdf_obj *sig = pdf_add_new_dict(ctx, doc, 10);
    char *zeros = NULL;
    fz_var(zeros);
    fz_try(ctx)
    {
        bool ts = req->kind == PDF_SIG_DOC_TIMESTAMP;
        pdf_dict_put_name(ctx, sig, PDF_NAME(Type), ts ? "DocTimeStamp" : "Sig");
        pdf_dict_put(ctx, sig, PDF_NAME(Filter), PDF_NAME(Adobe_PPKLite));
        pdf_dict_put_name(ctx, sig, PDF_NAME(SubFilter),
                          ts ? "ETSI.RFC3161" : "ETSI.CAdES.detached");
        pdf_obj *range = pdf_dict_put_array(ctx, sig, PDF_NAME(ByteRange), 4);
        pdf_array_push_int(ctx, range, 0);
        for (int i = 0; i < 3; i++)
            pdf_array_push_int(ctx, range, BYTE_RANGE_PLACEHOLDER);
        zeros = fz_calloc(ctx, contents_size, 1);
        pdf_dict_put_drop(ctx, sig, PDF_NAME(Contents), pdf_new_string(ctx, zeros, contents_size));
        if (!ts) {
            pdf_dict_put_date(ctx, sig, PDF_NAME(M), req->signing_time);
            if (req->name)
                pdf_dict_put_text_string(ctx, sig, PDF_NAME(Name), req->name);
            if (req->reason)
                pdf_dict_put_text_string(ctx, sig, PDF_NAME(Reason), req->reason);
            if (req->location)
                pdf_dict_put_text_string(ctx, sig, PDF_NAME(Location), req->location);
        }
    }
    fz_always(ctx) fz_free(ctx, zeros);
    fz_catch(ctx)
    {
        pdf_drop_obj(ctx, sig);
        fz_rethrow(ctx);
    }
    return sig;
}

/* Resolves the contract's page index (negative from the end); -1 when out of range. */
static int resolve_page(int page, int count)
{
    if (page < 0)
        page += count;
    return page >= 0 && page < count ? page : -1;
}

/*
 * Adds field + widget + signature dictionary for req to doc. Writes the field name into
 * name_out. Throws on MuPDF errors; returns false with err set for a request that does not
 * fit the document.
 */
static bool add_signature_field(fz_context *ctx, pdf_document *doc,
                                const struct pdf_sign_request *req, size_t contents_size,
                                char *name_out, size_t name_len, char *err, size_t err_len)
{
    int count = pdf_count_pages(ctx, doc);
    int index = resolve_page(req->visible ? req->page : 0, count);
    if (index < 0) {
        pdf_engine_set_err(err, err_len, "the signature's page does not exist in the document");
        return false;
    }
    pdf_obj *page = pdf_lookup_page_obj(ctx, doc, index);
    fz_rect box;
    fz_matrix ctm;
    pdf_page_obj_transform(ctx, page, &box, &ctm);
    fz_rect rect = fz_empty_rect;
    if (req->visible) {
        fz_rect shown = fz_transform_rect(box, ctm);
        double pw = (double)shown.x1 - (double)shown.x0, ph = (double)shown.y1 - (double)shown.y0;
        if (!(req->w > 0 && req->h > 0 && req->x >= 0 && req->y >= 0 && req->x + req->w <= pw &&
              req->y + req->h <= ph)) {
            pdf_engine_set_err(err, err_len, "the signature box does not lie on the page");
            return false;
        }
        fz_rect want = fz_make_rect((float)req->x, (float)req->y, (float)(req->x + req->w),
                                    (float)(req->y + req->h));
        rect = fz_transform_rect(want, fz_invert_matrix(ctm));
    } else {
        rect = fz_make_rect(0, 0, 0, 0);
    }

    pdf_obj *form = acroform(ctx, doc);
    pdf_obj *fields = pdf_dict_get(ctx, form, PDF_NAME(Fields));
    pick_field_name(ctx, fields, req->kind, name_out, name_len);

    pdf_obj *sig = NULL, *widget = NULL, *ap = NULL;
    fz_var(form);
    fz_var(fields);
    fz_var(page);
    fz_var(rect);
    fz_var(sig);
    fz_var(widget);
    fz_var(ap);
    fz_try(ctx)
    {
        sig = signature_dict(ctx, doc, req, contents_size);
        widget = pdf_add_new_dict(ctx, doc, 10);
        pdf_dict_put(ctx, widget, PDF_NAME(Type), PDF_NAME(Annot));
        pdf_dict_put(ctx, widget, PDF_NAME(Subtype), PDF_NAME(Widget));
        pdf_dict_put(ctx, widget, PDF_NAME(FT), PDF_NAME(Sig));
        pdf_dict_put_text_string(ctx, widget, PDF_NAME(T), name_out);
        pdf_dict_put_int(ctx, widget, PDF_NAME(F), 132); /* Print | Locked */
        pdf_dict_put_rect(ctx, widget, PDF_NAME(Rect), rect);
        pdf_dict_put(ctx, widget, PDF_NAME(P), page);
        pdf_dict_put(ctx, widget, PDF_NAME(V), sig);
        if (req->visible && req->stamp) {
            int rotation = pdf_to_int(ctx, pdf_dict_get_inheritable(ctx, page, PDF_NAME(Rotate)));
            rotation = ((rotation % 360) + 360) % 360;
            ap =
                pdf_appearance_create(ctx, doc, req->stamp, (float)req->w, (float)req->h, rotation);
        } else {
            fz_rect bbox = fz_make_rect(0, 0, rect.x1 - rect.x0, rect.y1 - rect.y0);
            ap = empty_appearance(ctx, doc, bbox);
        }
        pdf_obj *apd = pdf_dict_put_dict(ctx, widget, PDF_NAME(AP), 1);
        pdf_dict_put(ctx, apd, PDF_NAME(N), ap);

        pdf_obj *annots = pdf_dict_get(ctx, page, PDF_NAME(Annots));
        if (!pdf_is_array(ctx, annots))
            annots = pdf_dict_put_array(ctx, page, PDF_NAME(Annots), 1);
        pdf_array_push(ctx, annots, widget);
        pdf_array_push(ctx, fields, widget);
        pdf_dict_put_int(ctx, form, PDF_NAME(SigFlags), 3); /* SignaturesExist | AppendOnly */
    }
    fz_always(ctx)
    {
        pdf_drop_obj(ctx, ap);
        pdf_drop_obj(ctx, widget);
        pdf_drop_obj(ctx, sig);
    }
    fz_catch(ctx) fz_rethrow(ctx);
    return true;
}

/*
 * An in-memory fz_output that MuPDF's incremental writer accepts: it must be seekable and
 * readable back (fz_stream_from_output), because MuPDF first compares the output with the
 * original file and copies the original into it, then appends the update.
 */
struct mem_output {
    fz_buffer *buf; /* owned reference */
    size_t pos;
};

static void mem_write(fz_context *ctx, void *state, const void *data, size_t n)
{
    struct mem_output *m = state;
    if (m->pos + n > m->buf->cap)
        fz_resize_buffer(ctx, m->buf, (m->pos + n) + (m->pos + n) / 2);
    memcpy(m->buf->data + m->pos, data, n);
    m->pos += n;
    if (m->pos > m->buf->len)
        m->buf->len = m->pos;
}

static void mem_seek(fz_context *ctx, void *state, int64_t offset, int whence)
{
    struct mem_output *m = state;
    int64_t base = whence == SEEK_END   ? (int64_t)m->buf->len
                   : whence == SEEK_CUR ? (int64_t)m->pos
                                        : 0;
    if (base + offset < 0 || base + offset > (int64_t)m->buf->len)
        fz_throw(ctx, FZ_ERROR_GENERIC, "seek outside the written data");
    m->pos = (size_t)(base + offset);
}

static int64_t mem_tell(fz_context *ctx, void *state)
{
    (void)ctx;
    return (int64_t)((struct mem_output *)state)->pos;
}

static fz_stream *mem_as_stream(fz_context *ctx, void *state)
{
    /* The stream reads the data as it is now; MuPDF drops it before writing again. */
    return fz_open_buffer(ctx, ((struct mem_output *)state)->buf);
}

static void mem_truncate(fz_context *ctx, void *state)
{
    (void)ctx;
    struct mem_output *m = state;
    m->buf->len = m->pos;
}

static void mem_drop(fz_context *ctx, void *state)
{
    struct mem_output *m = state;
    fz_drop_buffer(ctx, m->buf);
    fz_free(ctx, m);
}

/* Writes the original file followed by the incremental update of doc into a new buffer. */
static fz_buffer *write_incremental(fz_context *ctx, pdf_document *doc, size_t len, size_t extra)
{
    struct mem_output *m = fz_malloc_struct(ctx, struct mem_output);
    fz_output *out = NULL;
    fz_buffer *result = NULL;
    fz_var(out);
    fz_try(ctx)
    {
        m->buf = fz_new_buffer(ctx, len + extra + 65536);
    }
    fz_catch(ctx)
    {
        fz_free(ctx, m);
        fz_rethrow(ctx);
    }
    fz_try(ctx)
    {
        out = fz_new_output(ctx, 0, m, mem_write, NULL, mem_drop);
    }
    fz_catch(ctx)
    {
        mem_drop(ctx, m);
        fz_rethrow(ctx);
    }
    fz_try(ctx)
    {
        out->seek = mem_seek;
        out->tell = mem_tell;
        out->as_stream = mem_as_stream;
        out->truncate = mem_truncate;
        pdf_write_options opts = pdf_default_write_options;
        opts.do_incremental = 1;
        opts.do_compress = 1;
        pdf_write_document(ctx, doc, out, &opts);
        fz_close_output(ctx, out);
        result = fz_keep_buffer(ctx, m->buf);
    }
    fz_always(ctx) fz_drop_output(ctx, out);
    fz_catch(ctx) fz_rethrow(ctx);
    return result;
}

static const unsigned char *find_bytes(const unsigned char *hay, size_t hay_len, const char *needle,
                                       size_t needle_len)
{
    if (needle_len == 0 || hay_len < needle_len)
        return NULL;
    const unsigned char *end = hay + hay_len - needle_len + 1;
    for (const unsigned char *p = hay; p < end; p++) {
        p = memchr(p, (unsigned char)needle[0], (size_t)(end - p));
        if (!p)
            return NULL;
        if (memcmp(p, needle, needle_len) == 0)
            return p;
    }
    return NULL;
}

static bool all_zero_digits(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != '0')
            return false;
    return true;
}

/* In the update (from `from` on), finds "/Contents" + spaces + "<" + 2*size zeros + ">" and
 * the "/ByteRange [ ... ]" of the same dictionary; patches the ByteRange in place. */
static bool patch_placeholders(struct pdf_prepared *p, size_t from, size_t size)
{
    unsigned char *d = p->data;
    size_t hex = 2 * size, at = 0;
    for (size_t pos = from; pos < p->len;) {
        const unsigned char *hit = find_bytes(d + pos, p->len - pos, "/Contents", 9);
        if (!hit)
            return false;
        size_t q = (size_t)(hit - d) + 9;
        while (q < p->len && (d[q] == ' ' || d[q] == '\n' || d[q] == '\r'))
            q++;
        if (q + hex + 2 <= p->len && d[q] == '<' && d[q + hex + 1] == '>' &&
            all_zero_digits(d + q + 1, hex)) {
            at = q + 1;
            break;
        }
        pos = q;
    }
    if (at == 0)
        return false;

    const unsigned char *br = find_bytes(d + from, p->len - from, "/ByteRange", 10);
    if (!br)
        return false;
    size_t open = (size_t)(br - d) + 10;
    while (open < p->len && d[open] != '[')
        open++;
    const unsigned char *close = open < p->len ? memchr(d + open, ']', p->len - open) : NULL;
    if (!close)
        return false;
    size_t width = (size_t)(close - (d + open)) - 1;

    p->contents_at = at;
    p->contents_size = size;
    p->byte_range[0] = 0;
    p->byte_range[1] = (int64_t)at - 1;
    p->byte_range[2] = (int64_t)(at + hex + 1);
    p->byte_range[3] = (int64_t)p->len - p->byte_range[2];
    char text[80];
    int n = snprintf(text, sizeof text, "0 %lld %lld %lld", (long long)p->byte_range[1],
                     (long long)p->byte_range[2], (long long)p->byte_range[3]);
    if (n < 0 || (size_t)n > width)
        return false;
    memset(d + open + 1, ' ', width);
    memcpy(d + open + 1, text, (size_t)n);
    return true;
}

/* Takes the bytes out of buf without copying: the engine's contexts use MuPDF's default
 * allocator (malloc, see engine.c), so the extracted block is released with free(). */
static unsigned char *copy_out(fz_context *ctx, fz_buffer *buf, size_t *len)
{
    unsigned char *data = NULL;
    size_t n = fz_buffer_extract(ctx, buf, &data);
    *len = n;
    return data;
}

/* Opens bytes for an update: refuses encrypted files and files needing repair. */
static enum pdf_result open_for_update(fz_context *ctx, const void *bytes, size_t len,
                                       pdf_document **doc, char *err, size_t err_len)
{
    enum pdf_result r = pdf_engine_open_doc(ctx, bytes, len, doc, err, err_len);
    if (r != PDF_OK)
        return r;
    volatile enum pdf_result result = PDF_OK;
    fz_try(ctx)
    {
        int count = pdf_count_pages(ctx, *doc);
        if (pdf_dict_get(ctx, pdf_trailer(ctx, *doc), PDF_NAME(Encrypt))) {
            pdf_engine_set_err(err, err_len,
                               "the PDF is encrypted: remove the encryption before signing");
            result = PDF_ENCRYPTED_NEEDS_PASSWORD;
        } else if (count <= 0) {
            result = PDF_NO_PAGES;
        } else if (count > PDF_MAX_PAGES) {
            result = PDF_TOO_MANY_PAGES;
        } else if (pdf_was_repaired(ctx, *doc) || !pdf_can_be_saved_incrementally(ctx, *doc)) {
            pdf_engine_set_err(err, err_len,
                               "the PDF is damaged and must be rewritten before signing");
            result = PDF_DAMAGED;
        }
    }
    fz_catch(ctx)
    {
        result = fz_caught(ctx) == FZ_ERROR_MEMORY ? PDF_NOMEM : PDF_NOT_PDF;
    }
    if (result != PDF_OK) {
        if (result != PDF_ENCRYPTED_NEEDS_PASSWORD && result != PDF_DAMAGED)
            pdf_engine_explain_failure(result, err, err_len, "the PDF cannot be read");
        pdf_drop_document(ctx, *doc);
        *doc = NULL;
    }
    return result;
}

enum pdf_result pdf_sign_prepare(struct pdf_engine *engine, const void *bytes, size_t len,
                                 const struct pdf_sign_request *req, struct pdf_prepared *out,
                                 char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (!engine || !bytes || !req)
        return PDF_INVALID_ARGUMENT;
    size_t size = req->contents_size ? req->contents_size : PDF_SIGN_CONTENTS_DEFAULT;
    if (size > PDF_SIGN_CONTENTS_MAX)
        return PDF_INVALID_ARGUMENT;
    fz_context *ctx = pdf_engine_ctx_new(engine);
    if (!ctx)
        return PDF_NOMEM;
    pdf_document *doc = NULL;
    fz_buffer *volatile buf = NULL;
    volatile enum pdf_result result = open_for_update(ctx, bytes, len, &doc, err, err_len);
    if (result != PDF_OK)
        goto cleanup;

    fz_try(ctx)
    {
        if (!add_signature_field(ctx, doc, req, size, out->field_name, sizeof out->field_name, err,
                                 err_len))
            result = PDF_INVALID_ARGUMENT;
        else if (pdf_was_repaired(ctx, doc))
            result = PDF_DAMAGED; /* a broken object surfaced only now */
        else
            buf = write_incremental(ctx, doc, len, 2 * size);
    }
    fz_catch(ctx)
    {
        if (fz_caught(ctx) == FZ_ERROR_MEMORY) {
            result = PDF_NOMEM;
        } else {
            log_client_fault("pdf: cannot add the signature: %s", fz_caught_message(ctx));
            pdf_engine_set_err(err, err_len, "the PDF's structure does not allow signing it");
            result = PDF_NOT_PDF;
        }
    }
    if (result != PDF_OK)
        goto cleanup;
    out->data = copy_out(ctx, buf, &out->len);
    if (!out->data) {
        result = PDF_NOMEM;
        goto cleanup;
    }
    if (!patch_placeholders(out, len, size)) {
        log_bug("pdf: the signature placeholders were not found in the written update");
        pdf_prepared_free(out);
        result = PDF_INTERNAL;
    }

cleanup:
    fz_drop_buffer(ctx, buf);
    pdf_drop_document(ctx, doc);
    pdf_engine_ctx_free(ctx);
    return result;
}

bool pdf_sign_fill(struct pdf_prepared *p, const unsigned char *der, size_t der_len)
{
    static const char digits[] = "0123456789ABCDEF";
    if (!p || !p->data || der_len > p->contents_size)
        return false;
    unsigned char *dst = p->data + p->contents_at;
    for (size_t i = 0; i < der_len; i++) {
        dst[2 * i] = (unsigned char)digits[der[i] >> 4];
        dst[2 * i + 1] = (unsigned char)digits[der[i] & 15];
    }
    return true;
}

/* Appends one stream per DER item to the array key of dict (created when absent). */
static void add_streams(fz_context *ctx, pdf_document *doc, pdf_obj *dss, const char *key,
                        const struct pdf_der *items, size_t n)
{
    if (n == 0)
        return;
    pdf_obj *arr = pdf_dict_gets(ctx, dss, key);
    if (!pdf_is_array(ctx, arr)) {
        arr = pdf_new_array(ctx, doc, (int)n);
        pdf_dict_puts_drop(ctx, dss, key, arr);
    }
    for (size_t i = 0; i < n; i++) {
        fz_buffer *b = fz_new_buffer_from_copied_data(ctx, items[i].data, items[i].len);
        pdf_obj *ref = NULL;
        fz_var(ref);
        fz_try(ctx)
        {
            ref = pdf_add_stream(ctx, doc, b, NULL, 0);
            pdf_array_push(ctx, arr, ref);
        }
        fz_always(ctx)
        {
            pdf_drop_obj(ctx, ref);
            fz_drop_buffer(ctx, b);
        }
        fz_catch(ctx) fz_rethrow(ctx);
    }
}

enum pdf_result pdf_add_dss(struct pdf_engine *engine, const void *bytes, size_t len,
                            const struct pdf_der *certs, size_t n_certs,
                            const struct pdf_der *ocsps, size_t n_ocsps, const struct pdf_der *crls,
                            size_t n_crls, unsigned char **out, size_t *out_len, char *err,
                            size_t err_len)
{
    *out = NULL;
    *out_len = 0;
    if (!engine || !bytes)
        return PDF_INVALID_ARGUMENT;
    fz_context *ctx = pdf_engine_ctx_new(engine);
    if (!ctx)
        return PDF_NOMEM;
    pdf_document *doc = NULL;
    fz_buffer *volatile buf = NULL;
    volatile enum pdf_result result = open_for_update(ctx, bytes, len, &doc, err, err_len);
    if (result != PDF_OK)
        goto cleanup;
    fz_try(ctx)
    {
        pdf_obj *root = pdf_dict_get(ctx, pdf_trailer(ctx, doc), PDF_NAME(Root));
        pdf_obj *dss = pdf_dict_gets(ctx, root, "DSS");
        if (!pdf_is_dict(ctx, dss)) {
            dss = pdf_add_new_dict(ctx, doc, 3);
            pdf_dict_puts_drop(ctx, root, "DSS", dss);
        }
        add_streams(ctx, doc, dss, "Certs", certs, n_certs);
        add_streams(ctx, doc, dss, "OCSPs", ocsps, n_ocsps);
        add_streams(ctx, doc, dss, "CRLs", crls, n_crls);
        buf = write_incremental(ctx, doc, len, 0);
    }
    fz_catch(ctx)
    {
        result = fz_caught(ctx) == FZ_ERROR_MEMORY ? PDF_NOMEM : PDF_INTERNAL;
        log_bug("pdf: cannot add the DSS: %s", fz_caught_message(ctx));
        pdf_engine_set_err(err, err_len, "cannot add the validation data to the PDF");
    }
    if (result == PDF_OK) {
        *out = copy_out(ctx, buf, out_len);
        if (!*out)
            result = PDF_NOMEM;
    }

cleanup:
    fz_drop_buffer(ctx, buf);
    pdf_drop_document(ctx, doc);
    pdf_engine_ctx_free(ctx);
    return result;
}

enum pdf_result pdf_rewrite(struct pdf_engine *engine, const void *bytes, size_t len,
                            unsigned char **out, size_t *out_len, char *err, size_t err_len)
{
    *out = NULL;
    *out_len = 0;
    struct pdf_info info;
    enum pdf_result r = pdf_inspect(engine, bytes, len, &info, err, err_len);
    if (r != PDF_OK && r != PDF_DAMAGED)
        return r;
    bool signed_already = info.signed_fields > 0;
    pdf_info_free(&info);
    if (signed_already) {
        pdf_engine_set_err(err, err_len,
                           "the PDF is damaged and already signed: rewriting it would break the "
                           "existing signature");
        return PDF_INVALID_ARGUMENT;
    }
    fz_context *ctx = pdf_engine_ctx_new(engine);
    if (!ctx)
        return PDF_NOMEM;
    pdf_document *doc = NULL;
    fz_buffer *volatile buf = NULL;
    fz_output *volatile output = NULL;
    volatile enum pdf_result result = pdf_engine_open_doc(ctx, bytes, len, &doc, err, err_len);
    if (result != PDF_OK)
        goto cleanup;
    fz_try(ctx)
    {
        buf = fz_new_buffer(ctx, len + 4096);
        output = fz_new_output_with_buffer(ctx, buf);
        pdf_write_options opts = pdf_default_write_options;
        opts.do_compress = 1;
        pdf_write_document(ctx, doc, output, &opts);
        fz_close_output(ctx, output);
    }
    fz_catch(ctx)
    {
        result = fz_caught(ctx) == FZ_ERROR_MEMORY ? PDF_NOMEM : PDF_NOT_PDF;
        pdf_engine_set_err(err, err_len, "the damaged PDF cannot be rewritten");
    }
    if (result == PDF_OK) {
        *out = copy_out(ctx, buf, out_len);
        if (!*out)
            result = PDF_NOMEM;
    }

cleanup:
    fz_drop_output(ctx, output);
    fz_drop_buffer(ctx, buf);
    pdf_drop_document(ctx, doc);
    pdf_engine_ctx_free(ctx);
    return result;
}
