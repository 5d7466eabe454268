/*
 * pdf/verify.h: signature fields, byte ranges, revisions and later changes, /DSS.
 *
 * Revisions: MuPDF keeps one xref section per incremental update (xref_sections[0] is the
 * newest); a signature covers the newest section whose objects all lie inside its signed
 * bytes (MuPDF's end_ofs is not filled when reading). Later changes are judged by loading
 * each object that a later
 * section redefines twice — as the signed revision saw it (doc->xref_base pointing at that
 * section, as MuPDF's own pdf_validate_changes does) and as the file ends — and comparing.
 *
 * Ownership: MuPDF objects live only during the call; outputs are malloc'ed (see verify.h).
 */
#include "pdf/verify.h"

#include "core/log.h"
#include "pdf/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELD_DEPTH 32
#define MAX_FIELD_NODES 100000

void pdf_verify_info_free(struct pdf_verify_info *info)
{
    if (!info)
        return;
    for (size_t i = 0; i < info->n_sigs; i++)
        free(info->sigs[i].contents.data);
    free(info->sigs);
    for (size_t i = 0; i < info->n_dss_certs; i++)
        free(info->dss_certs[i].data);
    for (size_t i = 0; i < info->n_dss_ocsps; i++)
        free(info->dss_ocsps[i].data);
    for (size_t i = 0; i < info->n_dss_crls; i++)
        free(info->dss_crls[i].data);
    free(info->dss_certs);
    free(info->dss_ocsps);
    free(info->dss_crls);
    memset(info, 0, sizeof *info);
}

struct scan {
    fz_context *ctx;
    pdf_document *doc;
    const unsigned char *bytes;
    size_t len;
    struct pdf_verify_info *out;
    pdf_obj *seen; /* array of signature dictionaries already listed */
    size_t nodes;  /* field nodes visited */
    bool too_many;
};

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static void copy_text(char *dst, size_t dst_len, const char *src)
{
    snprintf(dst, dst_len, "%s", src ? src : "");
}

/* ByteRange and Contents of one signature dictionary (see verify.h). */
static void read_ranges(struct scan *s, pdf_obj *sig, struct pdf_found_signature *f)
{
    fz_context *ctx = s->ctx;
    pdf_obj *br = pdf_dict_get(ctx, sig, PDF_NAME(ByteRange));
    pdf_obj *contents = pdf_dict_get(ctx, sig, PDF_NAME(Contents));
    const char *problem = NULL;
    int64_t b[4] = {0, 0, 0, 0};
    if (!pdf_is_array(ctx, br) || pdf_array_len(ctx, br) != 4) {
        problem = "the /ByteRange is not an array of four integers";
        goto done;
    }
    for (int i = 0; i < 4; i++) {
        pdf_obj *v = pdf_array_get(ctx, br, i);
        if (!pdf_is_int(ctx, v) || pdf_to_int64(ctx, v) < 0) {
            problem = "the /ByteRange is not an array of four non-negative integers";
            goto done;
        }
        b[i] = pdf_to_int64(ctx, v);
        f->byte_range[i] = b[i];
    }
    if (!pdf_is_string(ctx, contents)) {
        problem = "the signature has no /Contents string";
        goto done;
    }
    size_t clen = pdf_to_str_len(ctx, contents);
    const unsigned char *cbuf = (const unsigned char *)pdf_to_str_buf(ctx, contents);
    f->contents.data = malloc(clen ? clen : 1);
    if (!f->contents.data)
        fz_throw(ctx, FZ_ERROR_MEMORY, "out of memory");
    memcpy(f->contents.data, cbuf, clen);
    f->contents.len = clen;
    if (b[0] != 0) {
        problem = "the /ByteRange does not start at the beginning of the file";
        goto done;
    }
    if (b[1] >= b[2] || b[2] > (int64_t)s->len || b[3] > (int64_t)s->len - b[2]) {
        problem = "the /ByteRange points outside the file";
        goto done;
    }
    /* The gap must be exactly <hex> of this dictionary's /Contents. */
    const unsigned char *gap = s->bytes + b[1];
    size_t gap_len = (size_t)(b[2] - b[1]);
    if (gap_len < 2 || gap[0] != '<' || gap[gap_len - 1] != '>' || (gap_len - 2) % 2 != 0 ||
        (gap_len - 2) / 2 != clen) {
        problem = "the bytes left out by the /ByteRange are not this signature's /Contents";
        goto done;
    }
    for (size_t i = 0; i < clen; i++) {
        int hi = hexval(gap[1 + 2 * i]), lo = hexval(gap[2 + 2 * i]);
        if (hi < 0 || lo < 0 || (unsigned char)(hi << 4 | lo) != cbuf[i]) {
            problem = "the bytes left out by the /ByteRange are not this signature's /Contents";
            goto done;
        }
    }
    f->covers_whole_file = b[2] + b[3] == (int64_t)s->len;
done:
    f->byte_range_ok = problem == NULL;
    if (problem)
        copy_text(f->byte_range_problem, sizeof f->byte_range_problem, problem);
}

static void add_signature(struct scan *s, pdf_obj *field, pdf_obj *sig)
{
    fz_context *ctx = s->ctx;
    struct pdf_verify_info *out = s->out;
    int n = pdf_array_len(ctx, s->seen);
    for (int i = 0; i < n; i++)
        if (pdf_objcmp(ctx, pdf_array_get(ctx, s->seen, i), sig) == 0)
            return;
    if (out->n_sigs >= PDF_VERIFY_MAX_SIGNATURES) {
        s->too_many = true;
        return;
    }
    pdf_array_push(ctx, s->seen, sig);
    struct pdf_found_signature *grown = realloc(out->sigs, (out->n_sigs + 1) * sizeof *out->sigs);
    if (!grown)
        fz_throw(ctx, FZ_ERROR_MEMORY, "out of memory");
    out->sigs = grown;
    struct pdf_found_signature *f = &out->sigs[out->n_sigs++];
    memset(f, 0, sizeof *f);
    char *name = pdf_field_name(ctx, field);
    copy_text(f->field, sizeof f->field, name);
    fz_free(ctx, name);
    copy_text(f->sub_filter, sizeof f->sub_filter,
              pdf_to_name(ctx, pdf_dict_get(ctx, sig, PDF_NAME(SubFilter))));
    f->doc_timestamp =
        strcmp(pdf_to_name(ctx, pdf_dict_get(ctx, sig, PDF_NAME(Type))), "DocTimeStamp") == 0 ||
        strcmp(f->sub_filter, "ETSI.RFC3161") == 0;
    pdf_obj *m = pdf_dict_get(ctx, sig, PDF_NAME(M));
    if (pdf_is_string(ctx, m)) {
        copy_text(f->m, sizeof f->m, pdf_to_text_string(ctx, m));
        f->m_time = pdf_dict_get_date(ctx, sig, PDF_NAME(M));
        if (f->m_time < 0)
            f->m_time = 0;
    }
    read_ranges(s, sig, f);
}

/* Walks the field tree below node (kids inherit /FT). */
static void walk_fields(struct scan *s, pdf_obj *node, int depth)
{
    fz_context *ctx = s->ctx;
    if (depth > MAX_FIELD_DEPTH || s->too_many || ++s->nodes > MAX_FIELD_NODES ||
        !pdf_is_dict(ctx, node) || pdf_mark_obj(ctx, node))
        return;
    fz_try(ctx)
    {
        pdf_obj *v = pdf_dict_get(ctx, node, PDF_NAME(V));
        if (pdf_name_eq(ctx, pdf_dict_get_inheritable(ctx, node, PDF_NAME(FT)), PDF_NAME(Sig)) &&
            pdf_is_dict(ctx, v))
            add_signature(s, node, v);
        pdf_obj *kids = pdf_dict_get(ctx, node, PDF_NAME(Kids));
        int n = pdf_array_len(ctx, kids);
        for (int i = 0; i < n; i++)
            walk_fields(s, pdf_array_get(ctx, kids, i), depth + 1);
    }
    fz_always(ctx) pdf_unmark_obj(ctx, node);
    fz_catch(ctx) fz_rethrow(ctx);
}

static void read_dss_array(fz_context *ctx, pdf_obj *dss, const char *key, struct pdf_blob **items,
                           size_t *n)
{
    pdf_obj *arr = pdf_dict_gets(ctx, dss, key);
    int count = pdf_array_len(ctx, arr);
    if (count <= 0)
        return;
    if (count > PDF_VERIFY_MAX_DSS_ITEMS)
        count = PDF_VERIFY_MAX_DSS_ITEMS;
    *items = calloc((size_t)count, sizeof **items);
    if (!*items)
        fz_throw(ctx, FZ_ERROR_MEMORY, "out of memory");
    for (int i = 0; i < count; i++) {
        pdf_obj *ref = pdf_array_get(ctx, arr, i);
        if (!pdf_is_stream(ctx, ref))
            continue;
        fz_buffer *buf = NULL;
        fz_var(buf);
        fz_try(ctx)
        {
            buf = pdf_load_stream(ctx, ref);
            unsigned char *data = NULL;
            size_t blen = fz_buffer_storage(ctx, buf, &data);
            unsigned char *copy = malloc(blen ? blen : 1);
            if (!copy)
                fz_throw(ctx, FZ_ERROR_MEMORY, "out of memory");
            memcpy(copy, data, blen);
            (*items)[*n].data = copy;
            (*items)[*n].len = blen;
            (*n)++;
        }
        fz_always(ctx) fz_drop_buffer(ctx, buf);
        fz_catch(ctx)
        {
            /* An unreadable item is left out: the signature checks then lack it. */
            if (fz_caught(ctx) == FZ_ERROR_MEMORY)
                fz_rethrow(ctx);
        }
    }
}

/* --- Later changes ---------------------------------------------------------------------- */

/* Dictionary keys whose change is part of adding signatures, annotations and /DSS. */
static bool allowed_key(fz_context *ctx, pdf_obj *key)
{
    static const char *const names[] = {"Annots", "AcroForm", "DSS", "Perms", "Extensions"};
    const char *k = pdf_to_name(ctx, key);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(k, names[i]) == 0)
            return true;
    return false;
}

/* True when the two dictionaries differ only in allowed keys; *contents_changed when one of
 * the differing keys is /Contents (a page pointing at other content). */
static bool dict_change_allowed(fz_context *ctx, pdf_obj *a, pdf_obj *b, bool *contents_changed)
{
    bool ok = true;
    for (int pass = 0; pass < 2; pass++) {
        pdf_obj *x = pass ? b : a, *y = pass ? a : b;
        int n = pdf_dict_len(ctx, x);
        for (int i = 0; i < n; i++) {
            pdf_obj *key = pdf_dict_get_key(ctx, x, i);
            if (allowed_key(ctx, key))
                continue;
            if (pdf_objcmp(ctx, pdf_dict_get_val(ctx, x, i), pdf_dict_get(ctx, y, key)) != 0) {
                ok = false;
                if (pdf_name_eq(ctx, key, PDF_NAME(Contents)))
                    *contents_changed = true;
            }
        }
    }
    return ok;
}

static void mark_num(unsigned char *set, int len, pdf_obj *obj, fz_context *ctx)
{
    int num = pdf_to_num(ctx, obj);
    if (pdf_is_indirect(ctx, obj) && num > 0 && num < len)
        set[num] = 1;
}

/* Objects that adding signatures, annotations and /DSS legitimately rewrites (set to 1), and
 * content streams of pages (set to 2), as the file ends. */
static void collect_roles(fz_context *ctx, pdf_document *doc, unsigned char *set, int len)
{
    pdf_obj *root = pdf_dict_get(ctx, pdf_trailer(ctx, doc), PDF_NAME(Root));
    pdf_obj *dss = pdf_dict_gets(ctx, root, "DSS");
    pdf_obj *form = pdf_dict_get(ctx, root, PDF_NAME(AcroForm));
    mark_num(set, len, dss, ctx);
    mark_num(set, len, form, ctx);
    mark_num(set, len, pdf_dict_get(ctx, form, PDF_NAME(Fields)), ctx);
    static const char *const keys[] = {"Certs", "OCSPs", "CRLs", "VRI"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        mark_num(set, len, pdf_dict_gets(ctx, dss, keys[k]), ctx);
    int pages = pdf_count_pages(ctx, doc);
    if (pages > PDF_MAX_PAGES)
        pages = PDF_MAX_PAGES;
    for (int p = 0; p < pages; p++) {
        pdf_obj *page = pdf_lookup_page_obj(ctx, doc, p);
        pdf_obj *annots = pdf_dict_get(ctx, page, PDF_NAME(Annots));
        mark_num(set, len, annots, ctx);
        int n = pdf_array_len(ctx, annots);
        for (int i = 0; i < n; i++)
            mark_num(set, len, pdf_array_get(ctx, annots, i), ctx);
        pdf_obj *contents = pdf_dict_get(ctx, page, PDF_NAME(Contents));
        int nc = pdf_is_array(ctx, contents) ? pdf_array_len(ctx, contents) : 0;
        if (pdf_is_indirect(ctx, contents) && pdf_to_num(ctx, contents) < len &&
            pdf_to_num(ctx, contents) > 0)
            set[pdf_to_num(ctx, contents)] = 2;
        for (int i = 0; i < nc; i++) {
            int num = pdf_to_num(ctx, pdf_array_get(ctx, contents, i));
            if (num > 0 && num < len)
                set[num] = 2;
        }
    }
}

static pdf_obj *load_at(fz_context *ctx, pdf_document *doc, int base, int num)
{
    pdf_obj *obj = NULL;
    int saved = doc->xref_base;
    fz_var(obj);
    if (base < 0 || base >= doc->num_xref_sections || pdf_was_repaired(ctx, doc))
        return NULL; /* a load below made MuPDF repair (rebuild) the sections */
    fz_try(ctx)
    {
        doc->xref_base = base;
        pdf_xref_entry *e = pdf_get_xref_entry(ctx, doc, num);
        if (e && (e->type == 'n' || e->type == 'o'))
            obj = pdf_load_object(ctx, doc, num);
    }
    fz_always(ctx) doc->xref_base = saved;
    fz_catch(ctx)
    {
        if (fz_caught(ctx) == FZ_ERROR_MEMORY)
            fz_rethrow(ctx);
        obj = NULL;
    }
    return obj;
}

/* Judges the sections newer than `section` (0 .. section-1). */
static void judge_later(fz_context *ctx, pdf_document *doc, int section,
                        struct pdf_found_signature *f)
{
    int len = pdf_xref_len(ctx, doc);
    unsigned char *roles = NULL, *done = NULL;
    pdf_obj *old = NULL, *cur = NULL;
    int changed_num = 0;
    bool page_content = false, damaged = false;
    fz_var(roles);
    fz_var(done);
    fz_var(old);
    fz_var(cur);
    fz_try(ctx)
    {
        roles = fz_calloc(ctx, (size_t)len + 1, 1);
        done = fz_calloc(ctx, (size_t)len + 1, 1);
        collect_roles(ctx, doc, roles, len);
        /* Loading pages may have made MuPDF repair the file: the sections are gone. */
        damaged = pdf_was_repaired(ctx, doc) || section >= doc->num_xref_sections ||
                  pdf_xref_len(ctx, doc) != len;
        /* First note what the later sections redefine (newest first: the newest type
         * wins); loading objects may restructure the sections, so no walking meanwhile. */
        for (int i = 0; i < section && !damaged; i++)
            for (pdf_xref_subsec *sub = doc->xref_sections[i].subsec; sub; sub = sub->next)
                for (int j = 0; j < sub->len; j++) {
                    int num = sub->start + j;
                    if (num > 0 && num < len && !done[num] && sub->table[j].type != 0)
                        done[num] = (unsigned char)sub->table[j].type;
                }
        for (int num = 1; num < len && !changed_num && !damaged; num++) {
            char type = (char)done[num];
            if (type == 0)
                continue;
            old = load_at(ctx, doc, section, num);
            if (!old)
                continue; /* a new object: harmless unless something changed uses it */
            cur = type == 'f' ? NULL : load_at(ctx, doc, 0, num);
            if (pdf_was_repaired(ctx, doc)) {
                damaged = true;
                break;
            }
            bool ok = false, contents = false;
            if (cur && roles[num] == 1)
                ok = true;
            else if (cur && pdf_is_stream(ctx, cur) &&
                     (pdf_name_eq(ctx, pdf_dict_get(ctx, cur, PDF_NAME(Type)), PDF_NAME(XRef)) ||
                      pdf_name_eq(ctx, pdf_dict_get(ctx, cur, PDF_NAME(Type)), PDF_NAME(ObjStm))))
                ok = true;
            else if (cur && roles[num] != 2 && pdf_is_dict(ctx, old) && pdf_is_dict(ctx, cur) &&
                     !pdf_is_stream(ctx, cur) && !pdf_is_stream(ctx, old))
                ok = dict_change_allowed(ctx, old, cur, &contents);
            if (!ok) {
                changed_num = num;
                page_content = roles[num] == 2 || contents;
            }
            pdf_drop_obj(ctx, old);
            old = NULL;
            pdf_drop_obj(ctx, cur);
            cur = NULL;
        }
    }
    fz_always(ctx)
    {
        pdf_drop_obj(ctx, old);
        pdf_drop_obj(ctx, cur);
        fz_free(ctx, roles);
        fz_free(ctx, done);
    }
    fz_catch(ctx) fz_rethrow(ctx);
    if (damaged) {
        f->later_changes = true;
        snprintf(f->change_note, sizeof f->change_note,
                 "the updates after the signed bytes are damaged");
    } else if (changed_num) {
        f->later_changes = true;
        snprintf(f->change_note, sizeof f->change_note,
                 page_content ? "page content changed after signing (object %d)"
                              : "document objects changed after signing (object %d)",
                 changed_num);
    } else
        snprintf(f->change_note, sizeof f->change_note,
                 "later updates only add signatures, time stamps, annotations or validation "
                 "data");
}

/* Revision covered by each signature and what came after. */
static void judge_revisions(fz_context *ctx, pdf_document *doc, size_t file_len,
                            struct pdf_verify_info *out)
{
    out->revisions = out->repaired ? 0 : doc->num_xref_sections;
    for (size_t i = 0; i < out->n_sigs; i++) {
        struct pdf_found_signature *f = &out->sigs[i];
        /* Loading objects may make MuPDF repair the file, which rebuilds the sections. */
        if (pdf_was_repaired(ctx, doc) && !out->repaired) {
            out->repaired = true;
            out->revisions = 0;
        }
        int sections = doc->num_xref_sections;
        if (!f->byte_range_ok)
            continue;
        int64_t end = f->byte_range[2] + f->byte_range[3];
        if (f->covers_whole_file) {
            f->revision = out->revisions;
            continue;
        }
        if (out->repaired) {
            f->later_changes = true;
            snprintf(f->change_note, sizeof f->change_note,
                     "the file goes on after the signed bytes and its structure is damaged");
            continue;
        }
        /* The newest section whose objects all lie inside the signed bytes. */
        int k = -1;
        for (int sec = 0; sec < sections && k < 0; sec++) {
            int64_t max_ofs = -1;
            for (pdf_xref_subsec *sub = doc->xref_sections[sec].subsec; sub; sub = sub->next)
                for (int j = 0; j < sub->len; j++)
                    if (sub->table[j].type == 'n' && sub->table[j].ofs > max_ofs)
                        max_ofs = sub->table[j].ofs;
            if (max_ofs >= 0 && max_ofs < end)
                k = sec;
        }
        if (k <= 0) {
            /* The signed bytes do not end after a complete revision, or no later section:
             * whatever follows was not parsed as an update. */
            f->revision = k == 0 ? sections : 0;
            f->later_changes = true;
            snprintf(f->change_note, sizeof f->change_note,
                     "the file goes on after the signed bytes (%zu more bytes) with no valid "
                     "incremental update",
                     file_len - (size_t)end);
            continue;
        }
        f->revision = sections - k;
        judge_later(ctx, doc, k, f);
    }
}

static int by_end(const void *a, const void *b)
{
    const struct pdf_found_signature *x = a, *y = b;
    int64_t ex = x->byte_range[2] + x->byte_range[3], ey = y->byte_range[2] + y->byte_range[3];
    return ex < ey ? -1 : ex > ey;
}

enum pdf_result pdf_verify_scan(struct pdf_engine *engine, const void *bytes, size_t len,
                                struct pdf_verify_info *out, char *err, size_t err_len)
{
    enum pdf_result result = PDF_OK;
    fz_context *ctx = NULL;
    pdf_document *doc = NULL;
    if (err && err_len)
        err[0] = '\0';
    if (!out)
        return PDF_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!engine || !bytes) {
        pdf_engine_set_err(err, err_len, "internal error");
        return PDF_INVALID_ARGUMENT;
    }
    ctx = pdf_engine_ctx_new(engine);
    if (!ctx) {
        pdf_engine_set_err(err, err_len, "out of memory while reading the PDF");
        return PDF_NOMEM;
    }
    result = pdf_engine_open_doc(ctx, bytes, len, &doc, err, err_len);
    if (result != PDF_OK)
        goto cleanup;
    struct scan s = {ctx, doc, bytes, len, out, NULL, 0, false};
    fz_var(s.seen);
    fz_var(result);
    fz_try(ctx)
    {
        out->repaired = pdf_was_repaired(ctx, doc) != 0;
        s.seen = pdf_new_array(ctx, doc, 4);
        pdf_obj *root = pdf_dict_get(ctx, pdf_trailer(ctx, doc), PDF_NAME(Root));
        pdf_obj *fields = pdf_dict_getp(ctx, root, "AcroForm/Fields");
        int n = pdf_array_len(ctx, fields);
        for (int i = 0; i < n && !s.too_many; i++)
            walk_fields(&s, pdf_array_get(ctx, fields, i), 0);
        if (!s.too_many) {
            if (out->n_sigs > 1)
                qsort(out->sigs, out->n_sigs, sizeof *out->sigs, by_end);
            judge_revisions(ctx, doc, len, out);
            pdf_obj *dss = pdf_dict_gets(ctx, root, "DSS");
            if (pdf_is_dict(ctx, dss)) {
                read_dss_array(ctx, dss, "Certs", &out->dss_certs, &out->n_dss_certs);
                read_dss_array(ctx, dss, "OCSPs", &out->dss_ocsps, &out->n_dss_ocsps);
                read_dss_array(ctx, dss, "CRLs", &out->dss_crls, &out->n_dss_crls);
            }
        }
    }
    fz_always(ctx) pdf_drop_obj(ctx, s.seen);
    fz_catch(ctx)
    {
        if (fz_caught(ctx) == FZ_ERROR_MEMORY) {
            pdf_engine_set_err(err, err_len, "out of memory while reading the PDF");
            result = PDF_NOMEM;
        } else {
            log_debug("pdf_verify_scan: %s", fz_caught_message(ctx));
            pdf_engine_set_err(err, err_len, "the PDF's signature fields cannot be read");
            result = PDF_NOT_PDF;
        }
    }
    if (result == PDF_OK && s.too_many) {
        pdf_engine_set_err(err, err_len, "the PDF holds too many signatures");
        result = PDF_INVALID_ARGUMENT;
    }

cleanup:
    if (result != PDF_OK)
        pdf_verify_info_free(out);
    if (doc)
        pdf_drop_document(ctx, doc);
    pdf_engine_ctx_free(ctx);
    return result;
}
