/*
 * pdf_find_tag: finds placement tags such as \s1\ in the text of every page with MuPDF's text
 * search and reports them in the contract's page space (see pdf.h: top-left origin of the
 * page as displayed, y down, points). MuPDF's search already returns quads in that space:
 * its page transform applies /Rotate, the CropBox origin and /UserUnit.
 *
 * Ownership: the caller owns `hits`; the MuPDF context, document and pages live only during
 * the call.
 */
#include "pdf/internal.h"

#include "core/log.h"

#include <string.h>

/* Quads examined per page; fz_search_page stops when this many are filled. */
#define TAG_MAX_QUADS 64

struct tag_search {
    struct pdf_tag_hit *hits;
    size_t max;
    size_t stored;
    bool truncated;
};

static void hit_extend(struct pdf_tag_hit *hit, fz_rect r)
{
    if (r.x0 < hit->x0)
        hit->x0 = r.x0;
    if (r.y0 < hit->y0)
        hit->y0 = r.y0;
    if (r.x1 > hit->x1)
        hit->x1 = r.x1;
    if (r.y1 > hit->y1)
        hit->y1 = r.y1;
}

/* Turns one page's quads into hits. hit_mark[i] != 0 marks the first quad of a new hit; the
 * following unmarked quads (a match wrapped onto further lines) belong to the same hit. */
static void collect(struct tag_search *s, int page, const int *hit_mark, const fz_quad *quads,
                    int count)
{
    bool current_stored = false;
    for (int i = 0; i < count; i++) {
        fz_rect r = fz_rect_from_quad(quads[i]);
        if (i == 0 || hit_mark[i]) {
            current_stored = s->stored < s->max;
            if (!current_stored) {
                s->truncated = true;
                continue;
            }
            struct pdf_tag_hit *hit = &s->hits[s->stored++];
            hit->page = page;
            hit->x0 = r.x0;
            hit->y0 = r.y0;
            hit->x1 = r.x1;
            hit->y1 = r.y1;
        } else if (current_stored) {
            hit_extend(&s->hits[s->stored - 1], r);
        }
    }
}

static enum pdf_result search_pages(fz_context *ctx, pdf_document *doc, const char *tag,
                                    struct tag_search *s, char *err, size_t err_len)
{
    volatile enum pdf_result result = PDF_OK;
    fz_page *volatile page = NULL;

    fz_try(ctx)
    {
        int count = pdf_count_pages(ctx, doc);
        if (count <= 0) {
            result = PDF_NO_PAGES;
        } else if (count > PDF_MAX_PAGES) {
            result = PDF_TOO_MANY_PAGES;
        } else {
            for (int i = 0; i < count; i++) {
                /* hit_mark is an array, one flag per quad (see notes/pades.md). */
                int hit_mark[TAG_MAX_QUADS] = {0};
                fz_quad quads[TAG_MAX_QUADS];
                page = fz_load_page(ctx, (fz_document *)doc, i);
                int found = fz_search_page(ctx, page, tag, hit_mark, quads, TAG_MAX_QUADS);
                fz_drop_page(ctx, page);
                page = NULL;
                if (found > TAG_MAX_QUADS)
                    found = TAG_MAX_QUADS;
                collect(s, i, hit_mark, quads, found);
            }
        }
    }
    fz_always(ctx)
    {
        fz_drop_page(ctx, page);
    }
    fz_catch(ctx)
    {
        if (fz_caught(ctx) == FZ_ERROR_MEMORY) {
            result = PDF_NOMEM;
        } else {
            log_client_fault("pdf: tag search failed: %s", fz_caught_message(ctx));
            result = PDF_NOT_PDF;
        }
    }

    if (result == PDF_OK && s->truncated)
        result = PDF_HITS_TRUNCATED;
    else if (result != PDF_OK)
        pdf_engine_explain_failure(result, err, err_len, "the PDF's pages cannot be read");
    return result;
}

enum pdf_result pdf_find_tag(struct pdf_engine *engine, const void *bytes, size_t len,
                             const char *tag, struct pdf_tag_hit *hits, size_t max, size_t *n,
                             char *err, size_t err_len)
{
    enum pdf_result result;
    fz_context *ctx = NULL;
    pdf_document *doc = NULL;
    struct tag_search s = {.hits = hits, .max = max};

    if (err != NULL && err_len > 0)
        err[0] = '\0';
    if (n != NULL)
        *n = 0;
    if (engine == NULL || n == NULL || (bytes == NULL && len > 0) || (hits == NULL && max > 0) ||
        tag == NULL || tag[0] == '\0' || strnlen(tag, PDF_MAX_TAG_LEN + 1) > PDF_MAX_TAG_LEN) {
        log_bug("pdf_find_tag: invalid arguments");
        pdf_engine_set_err(err, err_len, "internal error");
        return PDF_INVALID_ARGUMENT;
    }

    ctx = pdf_engine_ctx_new(engine);
    if (ctx == NULL) {
        pdf_engine_set_err(err, err_len, "out of memory while reading the PDF");
        result = PDF_NOMEM;
        goto cleanup;
    }
    result = pdf_engine_open_doc(ctx, bytes, len, &doc, err, err_len);
    if (result != PDF_OK)
        goto cleanup;
    result = search_pages(ctx, doc, tag, &s, err, err_len);
    *n = s.stored;

cleanup:
    if (doc != NULL)
        pdf_drop_document(ctx, doc);
    pdf_engine_ctx_free(ctx);
    return result;
}
