/*
 * pdf_text_report: see pdf/report.h.
 */
#include "pdf/report.h"

#include "pdf/internal.h"

#include <stdlib.h>
#include <string.h>

/* Appends s as a PDF string literal: UTF-8 to Latin-1 ('?' beyond), ( ) \ escaped. */
static void append_literal(fz_context *ctx, fz_buffer *buf, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fz_append_byte(ctx, buf, '(');
    while (*p) {
        unsigned c = *p++;
        if (c >= 0x80) {
            unsigned cp = '?';
            if ((c & 0xE0) == 0xC0 && (*p & 0xC0) == 0x80)
                cp = ((c & 0x1F) << 6) | (*p++ & 0x3F);
            else
                while ((*p & 0xC0) == 0x80)
                    p++;
            c = cp <= 0xFF ? cp : '?';
        }
        if (c == '(' || c == ')' || c == '\\')
            fz_append_byte(ctx, buf, '\\');
        if (c < 0x20)
            c = ' ';
        fz_append_byte(ctx, buf, (int)c);
    }
    fz_append_string(ctx, buf, ") Tj\n");
}

enum pdf_result pdf_text_report(struct pdf_engine *engine, const char *title,
                                const char *const *lines, size_t n, unsigned char **out,
                                size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (n > PDF_REPORT_MAX_LINES)
        return PDF_INVALID_ARGUMENT;
    fz_context *ctx = pdf_engine_ctx_new(engine);
    if (!ctx)
        return PDF_NOMEM;
    pdf_document *volatile doc = NULL;
    fz_font *volatile font = NULL;
    fz_buffer *volatile contents = NULL, *volatile file = NULL;
    pdf_obj *volatile resources = NULL, *volatile page = NULL;
    fz_output *volatile output = NULL;
    volatile enum pdf_result result = PDF_OK;
    fz_try(ctx)
    {
        doc = pdf_create_document(ctx);
        font = fz_new_base14_font(ctx, "Helvetica");
        resources = pdf_new_dict(ctx, doc, 1);
        pdf_obj *fonts = pdf_dict_put_dict(ctx, resources, PDF_NAME(Font), 1);
        pdf_dict_puts_drop(ctx, fonts, "F1",
                           pdf_add_simple_font(ctx, doc, font, PDF_SIMPLE_ENCODING_LATIN));
        contents = fz_new_buffer(ctx, 2048);
        fz_append_string(ctx, contents, "BT\n/F1 16 Tf\n56 780 Td\n");
        append_literal(ctx, contents, title);
        fz_append_string(ctx, contents, "/F1 10 Tf\n0 -28 Td\n14 TL\n");
        for (size_t i = 0; i < n; i++) {
            append_literal(ctx, contents, lines[i] ? lines[i] : "");
            fz_append_string(ctx, contents, "T*\n");
        }
        fz_append_string(ctx, contents, "ET\n");
        page = pdf_add_page(ctx, doc, fz_make_rect(0, 0, 595, 842), 0, resources, contents);
        pdf_insert_page(ctx, doc, -1, page);
        file = fz_new_buffer(ctx, 8192);
        output = fz_new_output_with_buffer(ctx, file);
        pdf_write_options opts = pdf_default_write_options;
        opts.do_compress = 1;
        pdf_write_document(ctx, doc, output, &opts);
        fz_close_output(ctx, output);
    }
    fz_catch(ctx)
    {
        result = fz_caught(ctx) == FZ_ERROR_MEMORY ? PDF_NOMEM : PDF_INVALID_ARGUMENT;
    }
    if (result == PDF_OK) {
        unsigned char *data = NULL;
        size_t len = fz_buffer_storage(ctx, file, &data);
        *out = malloc(len ? len : 1);
        if (*out) {
            memcpy(*out, data, len);
            *out_len = len;
        } else {
            result = PDF_NOMEM;
        }
    }
    fz_drop_output(ctx, output);
    fz_drop_buffer(ctx, file);
    fz_drop_buffer(ctx, contents);
    pdf_drop_obj(ctx, page);
    pdf_drop_obj(ctx, resources);
    fz_drop_font(ctx, font);
    pdf_drop_document(ctx, doc);
    pdf_engine_ctx_free(ctx);
    return result;
}
