/*
 * The visible signature: the appearance stream (a Form XObject) of a signature widget, drawn
 * upright in the box the user placed, whatever the page's /Rotate. It shows a thin border, the
 * signer's drawn signature (optional PNG/JPEG) on the left, and the lines
 *   Digitally signed by NAME / signed_at / level / note
 * in the standard Helvetica font with WinAnsiEncoding (no font embedded), at the largest size
 * (up to APPEARANCE_MAX_FONT) at which the longest line fits.
 *
 * Text: UTF-8 in, Windows-1252 (= WinAnsiEncoding) bytes out; letters of Latin Extended-A
 * and the Romanian comma-below letters lose their accent (ł -> l, č -> c), anything else that
 * Helvetica cannot show becomes '?'; control characters become spaces; lines are cut at
 * APPEARANCE_MAX_LINE bytes with an ellipsis. Widths come from MuPDF's built-in Helvetica
 * (Nimbus Sans, metric-compatible), with a small margin for viewers' own Helvetica.
 *
 * Ownership: pdf_appearance_create returns a new reference (pdf_drop_obj); everything else it
 * makes (buffers, fonts, images) is dropped before it returns. See internal.h.
 */
#include "pdf/internal.h"

#include "core/log.h"

#include <math.h>
#include <string.h>

/* Longest line, in encoded bytes, before it is cut with an ellipsis. */
#define APPEARANCE_MAX_LINE 120
/* Font sizes (points): never larger than MAX however big the box; never smaller than MIN. */
#define APPEARANCE_MAX_FONT 14.0f
#define APPEARANCE_MIN_FONT 1.0f
/* Distance between baselines, in font sizes. */
#define APPEARANCE_LEADING 1.2f
/* Room left for a viewer whose Helvetica is slightly wider than MuPDF's. */
#define APPEARANCE_WIDTH_MARGIN 1.03f
/* The drawn signature takes at most this share of the inner width. */
#define APPEARANCE_IMAGE_SHARE 0.4f
/* Drawn-signature images larger than this are refused (decompression bombs). */
#define APPEARANCE_IMAGE_MAX_SIDE   4096
#define APPEARANCE_IMAGE_MAX_PIXELS (4096 * 2048)

#define APPEARANCE_LINES 5 /* "Digitally signed by", name, date, level, note */
#define WINANSI_ELLIPSIS 0x85

struct stamp_line {
    unsigned char text[APPEARANCE_MAX_LINE + 1]; /* Windows-1252 bytes */
    size_t len;
    float width; /* advance in ems (times the font size: points) */
};

/* Base letters (or short spellings) of U+0100..U+017F, Latin Extended-A, in code point order.
 * Entries for letters Windows-1252 has itself (Œ œ Š š Ÿ Ž ž) are never used. */
static const char *const latin_extended_a[128] = {
    "A",  "a",  "A", "a", "A", "a",                      /* 0100 Ā ā Ă ă Ą ą */
    "C",  "c",  "C", "c", "C", "c", "C",  "c",           /* 0106 Ć ć Ĉ ĉ Ċ ċ Č č */
    "D",  "d",  "D", "d",                                /* 010E Ď ď Đ đ */
    "E",  "e",  "E", "e", "E", "e", "E",  "e", "E", "e", /* 0112 Ē ē Ĕ ĕ Ė ė Ę ę Ě ě */
    "G",  "g",  "G", "g", "G", "g", "G",  "g",           /* 011C Ĝ ĝ Ğ ğ Ġ ġ Ģ ģ */
    "H",  "h",  "H", "h",                                /* 0124 Ĥ ĥ Ħ ħ */
    "I",  "i",  "I", "i", "I", "i", "I",  "i", "I", "i", /* 0128 Ĩ ĩ Ī ī Ĭ ĭ Į į İ ı */
    "IJ", "ij",                                          /* 0132 Ĳ ĳ */
    "J",  "j",                                           /* 0134 Ĵ ĵ */
    "K",  "k",  "k",                                     /* 0136 Ķ ķ ĸ */
    "L",  "l",  "L", "l", "L", "l", "L",  "l", "L", "l", /* 0139 Ĺ ĺ Ļ ļ Ľ ľ Ŀ ŀ Ł ł */
    "N",  "n",  "N", "n", "N", "n", "'n",                /* 0143 Ń ń Ņ ņ Ň ň ŉ */
    "N",  "n",                                           /* 014A Ŋ ŋ */
    "O",  "o",  "O", "o", "O", "o",                      /* 014C Ō ō Ŏ ŏ Ő ő */
    "OE", "oe",                                          /* 0152 Œ œ */
    "R",  "r",  "R", "r", "R", "r",                      /* 0154 Ŕ ŕ Ŗ ŗ Ř ř */
    "S",  "s",  "S", "s", "S", "s", "S",  "s",           /* 015A Ś ś Ŝ ŝ Ş ş Š š */
    "T",  "t",  "T", "t", "T", "t",                      /* 0162 Ţ ţ Ť ť Ŧ ŧ */
    "U",  "u",  "U", "u", "U", "u", "U",  "u", "U", "u",
    "U",  "u",                      /* 0168 Ũ ũ Ū ū Ŭ ŭ Ů ů Ű ű Ų ų */
    "W",  "w",                      /* 0174 Ŵ ŵ */
    "Y",  "y",  "Y",                /* 0176 Ŷ ŷ Ÿ */
    "Z",  "z",  "Z", "z", "Z", "z", /* 0179 Ź ź Ż ż Ž ž */
    "s",                            /* 017F ſ */
};

/* Spelling of a code point Windows-1252 lacks: a base letter or look-alike, or "?". */
static const char *fallback_spelling(int rune)
{
    if (rune >= 0x100 && rune <= 0x17f)
        return latin_extended_a[rune - 0x100];
    switch (rune) {
    case 0x218: /* Ș */
        return "S";
    case 0x219: /* ș */
        return "s";
    case 0x21a: /* Ț */
        return "T";
    case 0x21b: /* ț */
        return "t";
    case 0x2010: /* hyphen, non-breaking hyphen, figure dash, minus */
    case 0x2011:
    case 0x2012:
    case 0x2212:
        return "-";
    case 0x2032: /* prime */
        return "'";
    default:
        return "?";
    }
}

/* Appends one Windows-1252 byte to the line unless it is full; false when full. */
static bool line_put(fz_context *ctx, fz_font *font, struct stamp_line *line, int byte)
{
    if (line->len >= APPEARANCE_MAX_LINE)
        return false;
    line->text[line->len++] = (unsigned char)byte;
    int unicode = fz_unicode_from_windows_1252[byte & 0xff];
    line->width += fz_advance_glyph(ctx, font, fz_encode_character(ctx, font, unicode), 0);
    return true;
}

/* Converts `prefix` then `utf8` into a Windows-1252 line and measures it. */
static void line_set(fz_context *ctx, fz_font *font, struct stamp_line *line, const char *prefix,
                     const char *utf8)
{
    memset(line, 0, sizeof *line);
    const char *parts[2] = {prefix, utf8};
    bool full = false;
    for (int p = 0; p < 2 && !full; p++) {
        const char *s = parts[p];
        while (s != NULL && *s != '\0' && !full) {
            int rune = 0;
            s += fz_chartorune(&rune, s); /* invalid UTF-8: one byte, U+FFFD */
            if (rune < 0x20 || (rune >= 0x7f && rune < 0xa0) || rune == 0x2028 || rune == 0x2029) {
                full = !line_put(ctx, font, line, ' ');
                continue;
            }
            int byte = fz_windows_1252_from_unicode(rune);
            if (byte >= 0x20) {
                full = !line_put(ctx, font, line, byte);
                continue;
            }
            for (const char *f = fallback_spelling(rune); *f != '\0' && !full; f++)
                full = !line_put(ctx, font, line, (unsigned char)*f);
        }
    }
    if (full) {
        /* Cut: replace the last byte with an ellipsis and measure again. */
        line->len = APPEARANCE_MAX_LINE - 1;
        line->width = 0;
        for (size_t i = 0; i < line->len; i++) {
            int unicode = fz_unicode_from_windows_1252[line->text[i]];
            line->width += fz_advance_glyph(ctx, font, fz_encode_character(ctx, font, unicode), 0);
        }
        line_put(ctx, font, line, WINANSI_ELLIPSIS);
    }
}

/* Appends the bytes as a PDF literal string: ( ) \ escaped, anything outside printable
 * ASCII as an octal escape, so the content stream stays 7-bit. */
static void append_pdf_string(fz_context *ctx, fz_buffer *out, const unsigned char *s, size_t len)
{
    fz_append_byte(ctx, out, '(');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (c == '(' || c == ')' || c == '\\') {
            fz_append_byte(ctx, out, '\\');
            fz_append_byte(ctx, out, c);
        } else if (c < 0x20 || c >= 0x7f) {
            fz_append_byte(ctx, out, '\\');
            fz_append_byte(ctx, out, '0' + ((c >> 6) & 7));
            fz_append_byte(ctx, out, '0' + ((c >> 3) & 7));
            fz_append_byte(ctx, out, '0' + (c & 7));
        } else {
            fz_append_byte(ctx, out, c);
        }
    }
    fz_append_byte(ctx, out, ')');
}

/* /Rotate snapped to 0, 90, 180 or 270 (nearest quarter turn), as MuPDF and inspect.c do. */
static int normalise_rotation(int rotate)
{
    long long r = ((long long)rotate % 360 + 360) % 360;
    return (int)(((r + 45) / 90 * 90) % 360);
}

static bool is_png_or_jpeg(const unsigned char *data, size_t len)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char jpeg[3] = {0xff, 0xd8, 0xff};
    return (len >= sizeof png && memcmp(data, png, sizeof png) == 0) ||
           (len >= sizeof jpeg && memcmp(data, jpeg, sizeof jpeg) == 0);
}

/* Decodes the drawn signature's header; NULL (logged) when it is missing, not PNG/JPEG, broken
 * or too large. Only out-of-memory is thrown. */
static fz_image *load_image(fz_context *ctx, const struct pdf_stamp *stamp)
{
    fz_buffer *volatile buf = NULL;
    fz_image *volatile image = NULL;

    if (stamp->image == NULL || stamp->image_len == 0)
        return NULL;
    if (!is_png_or_jpeg(stamp->image, stamp->image_len)) {
        log_client_fault("pdf: signature image is neither PNG nor JPEG; left out");
        return NULL;
    }
    fz_try(ctx)
    {
        buf = fz_new_buffer_from_copied_data(ctx, stamp->image, stamp->image_len);
        image = fz_new_image_from_buffer(ctx, buf);
        if (image->w <= 0 || image->h <= 0 || image->w > APPEARANCE_IMAGE_MAX_SIDE ||
            image->h > APPEARANCE_IMAGE_MAX_SIDE ||
            (long long)image->w * image->h > APPEARANCE_IMAGE_MAX_PIXELS)
            fz_throw(ctx, FZ_ERROR_GENERIC, "image of %d x %d pixels", image->w, image->h);
    }
    fz_always(ctx)
    {
        fz_drop_buffer(ctx, buf);
    }
    fz_catch(ctx)
    {
        fz_drop_image(ctx, image);
        if (fz_caught(ctx) == FZ_ERROR_MEMORY)
            fz_rethrow(ctx);
        log_client_fault("pdf: signature image left out: %s", fz_caught_message(ctx));
        return NULL;
    }
    return image;
}

struct layout {
    float pad;                        /* inner margin */
    float img_x, img_y, img_w, img_h; /* image placement (img_w == 0: none) */
    float text_x, text_w, text_h, text_top;
};

static void compute_layout(float w, float h, const fz_image *image, struct layout *l)
{
    float smaller = w < h ? w : h;
    l->pad = fminf(fmaxf(smaller * 0.06f, 1.0f), 6.0f);
    float inner_w = fmaxf(w - 2 * l->pad, 0);
    float inner_h = fmaxf(h - 2 * l->pad, 0);
    l->img_w = l->img_h = 0;
    l->text_x = l->pad;
    if (image != NULL && inner_w > 0 && inner_h > 0) {
        float aspect = (float)image->w / (float)image->h;
        l->img_h = fminf(inner_h, inner_w * APPEARANCE_IMAGE_SHARE / aspect);
        l->img_w = l->img_h * aspect;
        l->img_x = l->pad;
        l->img_y = (h - l->img_h) / 2;
        l->text_x = l->pad + l->img_w + l->pad;
    }
    l->text_w = fmaxf(w - l->pad - l->text_x, 0);
    l->text_h = inner_h;
    l->text_top = h - l->pad;
}

/* Largest font size at which `n` lines, the longest `longest` ems wide, fit the text area. */
static float fit_size(const struct layout *l, float longest, int n)
{
    float size = APPEARANCE_MAX_FONT;
    if (longest > 0)
        size = fminf(size, l->text_w / (longest * APPEARANCE_WIDTH_MARGIN));
    size = fminf(size, l->text_h / ((float)n * APPEARANCE_LEADING));
    return fmaxf(size, APPEARANCE_MIN_FONT);
}

static float longest_line(const struct stamp_line *lines, int n)
{
    float longest = 0;
    for (int i = 0; i < n; i++)
        longest = fmaxf(longest, lines[i].width);
    return longest;
}

/* Fills lines[] (n of them) and the font size: "Digitally signed by NAME" on one line, or,
 * when that gives larger text (a long name in a tall box), "Digitally signed by" and NAME on
 * two lines; then signed_at, level and note when present. */
static void build_lines(fz_context *ctx, fz_font *font, const struct pdf_stamp *stamp,
                        const struct layout *l, struct stamp_line *lines, int *n, float *size)
{
    int count = 2; /* lines[0..1]: "Digitally signed by" and NAME, split */
    line_set(ctx, font, &lines[0], "Digitally signed by", NULL);
    line_set(ctx, font, &lines[1], NULL, stamp->name);
    const char *rest[] = {stamp->signed_at, stamp->level, stamp->note};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        if (rest[i] != NULL && rest[i][0] != '\0')
            line_set(ctx, font, &lines[count++], NULL, rest[i]);
    float split = fit_size(l, longest_line(lines, count), count);

    struct stamp_line joined;
    line_set(ctx, font, &joined, "Digitally signed by ", stamp->name);
    float rest_longest = longest_line(lines + 2, count - 2);
    float one = fit_size(l, fmaxf(joined.width, rest_longest), count - 1);
    if (one >= split) {
        lines[1] = joined;
        memmove(lines, lines + 1, (size_t)(count - 1) * sizeof *lines);
        count--;
        split = one;
    }
    *n = count;
    *size = split;
}

/* Writes the content stream; `res` receives the font and image resources. */
static void write_content(fz_context *ctx, pdf_document *doc, fz_buffer *out, pdf_obj *res,
                          const struct pdf_stamp *stamp, fz_image *image, float w, float h)
{
    fz_font *volatile font = NULL;
    pdf_obj *volatile image_ref = NULL;
    struct stamp_line lines[APPEARANCE_LINES];
    int n = 0;
    float size = 0;
    struct layout l;

    fz_try(ctx)
    {
        font = fz_new_base14_font(ctx, "Helvetica");
        compute_layout(w, h, image, &l);
        build_lines(ctx, font, stamp, &l, lines, &n, &size);

        /* Border: a 0.5 pt grey line just inside the box. */
        if (w > 2 && h > 2)
            fz_append_printf(ctx, out, "q 0.5 w 0.45 0.45 0.45 RG 0.25 0.25 %g %g re S Q\n",
                             w - 0.5f, h - 0.5f);

        if (l.img_w > 0) {
            image_ref = pdf_add_image(ctx, doc, image);
            pdf_obj *xobjects = pdf_dict_put_dict(ctx, res, PDF_NAME(XObject), 1);
            pdf_dict_puts(ctx, xobjects, "Img", image_ref);
            fz_append_printf(ctx, out, "q %g 0 0 %g %g %g cm /Img Do Q\n", l.img_w, l.img_h,
                             l.img_x, l.img_y);
        }

        float leading = size * APPEARANCE_LEADING;
        /* The block of lines is centred vertically in the text area; each line box is
         * `leading` high with the baseline 0.25 size above its bottom. */
        float block = leading * (float)n;
        float top = l.text_top - fmaxf((l.text_h - block) / 2, 0);
        float first_baseline = top - leading + 0.25f * size;

        pdf_obj *fonts = pdf_dict_put_dict(ctx, res, PDF_NAME(Font), 1);
        pdf_obj *helv = pdf_dict_put_dict(ctx, fonts, PDF_NAME(Helv), 4);
        pdf_dict_put(ctx, helv, PDF_NAME(Type), PDF_NAME(Font));
        pdf_dict_put(ctx, helv, PDF_NAME(Subtype), PDF_NAME(Type1));
        pdf_dict_put_name(ctx, helv, PDF_NAME(BaseFont), "Helvetica");
        pdf_dict_put(ctx, helv, PDF_NAME(Encoding), PDF_NAME(WinAnsiEncoding));

        fz_append_printf(ctx, out, "BT /Helv %g Tf 0 g %g %g Td %g TL\n", size, l.text_x,
                         first_baseline, leading);
        for (int i = 0; i < n; i++) {
            if (i > 0)
                fz_append_string(ctx, out, "T* ");
            append_pdf_string(ctx, out, lines[i].text, lines[i].len);
            fz_append_string(ctx, out, " Tj\n");
        }
        fz_append_string(ctx, out, "ET\n");
    }
    fz_always(ctx)
    {
        pdf_drop_obj(ctx, image_ref);
        fz_drop_font(ctx, font);
    }
    fz_catch(ctx)
    {
        fz_rethrow(ctx);
    }
}

pdf_obj *pdf_appearance_create(fz_context *ctx, pdf_document *doc, const struct pdf_stamp *stamp,
                               float box_w, float box_h, int rotation)
{
    fz_image *volatile image = NULL;
    fz_buffer *volatile content = NULL;
    pdf_obj *volatile res = NULL;
    pdf_obj *volatile form = NULL;

    if (stamp == NULL || stamp->name == NULL)
        fz_throw(ctx, FZ_ERROR_GENERIC, "signature appearance without a signer name");
    if (!(box_w > 0 && box_h > 0 && isfinite(box_w) && isfinite(box_h)))
        fz_throw(ctx, FZ_ERROR_GENERIC, "signature box of %g x %g points", box_w, box_h);

    fz_try(ctx)
    {
        image = load_image(ctx, stamp);
        content = fz_new_buffer(ctx, 1024);
        res = pdf_new_dict(ctx, doc, 2);
        write_content(ctx, doc, content, res, stamp, image, box_w, box_h);
        /* The form is drawn upright in [0 0 w h]; /Matrix turns it counter-clockwise by the
         * page's /Rotate, which the viewer then turns back clockwise on screen. The widget's
         * /Rect (box in unrotated user space) absorbs the translation. */
        fz_matrix matrix = fz_rotate((float)normalise_rotation(rotation));
        /* fz_rotate gives exact 0/±1 for quarter turns; keep -0 out of the file. */
        matrix.a += 0.0f;
        matrix.b += 0.0f;
        matrix.c += 0.0f;
        matrix.d += 0.0f;
        form = pdf_new_xobject(ctx, doc, fz_make_rect(0, 0, box_w, box_h), matrix, res, content);
    }
    fz_always(ctx)
    {
        pdf_drop_obj(ctx, res);
        fz_drop_buffer(ctx, content);
        fz_drop_image(ctx, image);
    }
    fz_catch(ctx)
    {
        fz_rethrow(ctx);
    }
    return form;
}
