/*
 * PDF documents through MuPDF: inspect an uploaded file, find placement tags, check that a
 * signature box lies on a page, draw page previews (PNG). src/pdf/ is the only place that
 * includes MuPDF; this header exposes no MuPDF type, so domain code (sign/) may include it.
 *
 * Threads: one process-wide struct pdf_engine (pdf_engine_new at start-up) is shared by all
 * HTTP worker threads; every call below clones its own MuPDF context from it and opens its own
 * copy of the document, so calls may run concurrently on the same engine. The engine must
 * outlive every call.
 *
 * Input: documents come as bytes in memory (the upload), never as paths. Every call is safe
 * on hostile bytes: MuPDF errors are caught and turned into a result, page counts are capped
 * (PDF_MAX_PAGES). The caller caps the byte length (the upload limit).
 *
 * Coordinates (pdf_find_tag, pdf_position_visible, struct pdf_page_info width/height): the
 * contract's page space, which is MuPDF's page space —
 *   - origin at the top-left corner of the page AS THE USER SEES IT, that is after /Rotate
 *     has been applied and with the visible area (CropBox intersected with MediaBox) only;
 *   - x grows to the right, y grows DOWN (from the top edge);
 *   - unit: PDF points (1/72 inch), multiplied by the page's /UserUnit when it has one
 *     (almost never; then 1 unit = UserUnit/72 inch, MuPDF's convention);
 *   - the page spans [0, width] x [0, height] with width/height from struct pdf_page_info.
 * So for a /Rotate 90 portrait A4 page (MediaBox 595 x 842) the space is 842 wide and 595
 * high. Turning a box of this space back into PDF user space (to place a widget) is the job of
 * the stamping code, which uses the same MuPDF page transform.
 *
 * Ownership: pdf_engine_new returns an engine freed by pdf_engine_free; pdf_inspect fills a
 * caller-provided struct pdf_info whose page array it allocates and pdf_info_free releases
 * (pdf_engine_free(NULL) and pdf_info_free on a zeroed or already freed struct do nothing);
 * pdf_render_page_png hands the caller a malloc'ed PNG (free()).
 * `err` buffers are caller-owned; on a failure they receive a one-line message meant for the
 * client ("what to fix"), never MuPDF internals.
 */
#ifndef SIGNET_PDF_PDF_H
#define SIGNET_PDF_PDF_H

#include <stdbool.h>
#include <stddef.h>

/* Documents with more pages are refused (PDF_TOO_MANY_PAGES) before any page is read. */
#define PDF_MAX_PAGES 10000
/* Longest tag pdf_find_tag accepts, in bytes (UTF-8). */
#define PDF_MAX_TAG_LEN 64

enum pdf_result {
    PDF_OK = 0,
    PDF_NOT_PDF,                  /* no %PDF- header in the first 1024 bytes, or unparseable */
    PDF_ENCRYPTED_NEEDS_PASSWORD, /* encrypted with a user password: cannot be opened */
    PDF_DAMAGED,                  /* opened only by repairing its structure (info filled) */
    PDF_NO_PAGES,                 /* parsed, but the document has no page */
    PDF_TOO_MANY_PAGES,           /* more than PDF_MAX_PAGES pages */
    PDF_HITS_TRUNCATED,           /* pdf_find_tag: more hits than room (first `max` stored) */
    PDF_INVALID_ARGUMENT,         /* our bug: NULL pointer, empty/too long tag, ... */
    PDF_NOMEM,                    /* out of memory */
    PDF_INTERNAL,                 /* engine failure (e.g. context could not be cloned) */
    PDF_NO_SUCH_PAGE              /* pdf_render_page_png: page index outside the document */
};

/* Returns a static name of a result ("PDF_OK", ...), for logs and tests. */
const char *pdf_result_name(enum pdf_result r);

struct pdf_engine;

/*
 * Creates the process-wide engine: a base MuPDF context with locking (pthread mutexes), so
 * that per-call clones can run in several threads. MuPDF's own warnings and errors go to the
 * debug log. Returns NULL when out of memory. Free with pdf_engine_free.
 */
struct pdf_engine *pdf_engine_new(void);
/* Frees the engine; no call may still be running on it. NULL does nothing. */
void pdf_engine_free(struct pdf_engine *engine);

struct pdf_page_info {
    /* Size of the visible area as the user sees it (after /Rotate): the coordinate space
     * above spans [0, width] x [0, height]. */
    double width;
    double height;
    int rotation; /* /Rotate normalised to 0, 90, 180 or 270 (clockwise, as in PDF) */
    /* The visible area (CropBox intersected with MediaBox) in PDF default user space: not
     * rotated, y up, origin wherever the file puts it. */
    double box_x0, box_y0, box_x1, box_y1;
};

struct pdf_info {
    size_t page_count;
    struct pdf_page_info *pages; /* page_count entries, owned: pdf_info_free */
    int version;                 /* 10 * major + minor: 17 for PDF 1.7 */
    bool encrypted;              /* encrypted, but opens without a password (owner-only) */
    bool needs_repair;           /* MuPDF had to repair the structure (result PDF_DAMAGED) */
    size_t signature_fields;     /* fields of type /Sig in the AcroForm */
    size_t signed_fields;        /* of those, the ones holding a signature (/V dictionary) */
};

/*
 * Inspects a PDF held in memory. `bytes`/`len` are read only during the call. On PDF_OK and
 * PDF_DAMAGED `*out` is filled (pages allocated: pdf_info_free); on any other result `*out` is
 * zeroed and `err` (may be NULL) holds a message for the client.
 *   PDF_OK / PDF_DAMAGED: readable (DAMAGED: only after a repair, out->needs_repair is true;
 *                         such a file must be rewritten whole before it can be signed).
 *   PDF_NOT_PDF, PDF_ENCRYPTED_NEEDS_PASSWORD, PDF_NO_PAGES, PDF_TOO_MANY_PAGES: refuse it.
 */
enum pdf_result pdf_inspect(struct pdf_engine *engine, const void *bytes, size_t len,
                            struct pdf_info *out, char *err, size_t err_len);
/* Releases the page array and zeroes *info. NULL does nothing. */
void pdf_info_free(struct pdf_info *info);

struct pdf_tag_hit {
    int page; /* zero-based page index */
    /* Bounding box of the matched text in the coordinate space above (top-left origin,
     * y down): x0 < x1, y0 < y1, y0 is the top edge of the text line. Text drawn outside
     * the visible area is found too, so a box may reach beyond [0, width] x [0, height]
     * (even be negative): check it with pdf_position_visible before placing anything. */
    double x0, y0, x1, y1;
};

/*
 * Finds every occurrence of `tag` (UTF-8, 1..PDF_MAX_TAG_LEN bytes; matching as MuPDF's text
 * search: case-insensitive, runs of white space match any white space) in the text of all
 * pages, in page order. Stores up to `max` hits in `hits` and their number in `*n`. A match
 * that wraps over two lines is reported as one hit whose box covers both parts. At most 64
 * text quads per page are examined, so a tag repeated very often on one page is reported
 * partially.
 * Results: PDF_OK (also with *n == 0: tag absent), PDF_HITS_TRUNCATED (more than `max` hits;
 * the first `max` stored), or the refusals of pdf_inspect (PDF_DAMAGED files are searched and
 * give PDF_OK). `err` as for pdf_inspect.
 */
enum pdf_result pdf_find_tag(struct pdf_engine *engine, const void *bytes, size_t len,
                             const char *tag, struct pdf_tag_hit *hits, size_t max, size_t *n,
                             char *err, size_t err_len);

/* Preview widths are clamped to [MIN, MAX] pixels; heights follow the page's aspect ratio
 * and are capped at MAX_HEIGHT (a very tall page then comes out narrower). */
#define PDF_PREVIEW_MIN_WIDTH  100
#define PDF_PREVIEW_MAX_WIDTH  2000
#define PDF_PREVIEW_MAX_HEIGHT 3000

/*
 * Draws page `page` (zero-based; negative counts from the end, -1 = last, as for
 * pdf_position_visible) as the user sees it — /Rotate applied, visible area (CropBox within
 * MediaBox) only, annotations and signature appearances included, white background — and
 * encodes it as an RGB PNG `width_px` pixels wide (clamped to the PDF_PREVIEW_* range), the
 * height following the aspect ratio. On PDF_OK `*png` (malloc'ed, the caller frees it with
 * free()) and `*png_len` hold the image; otherwise they are NULL and 0 and `err` (may be NULL)
 * holds a message for the client.
 * Results: PDF_OK, PDF_NO_SUCH_PAGE (page outside [-count, count)), the refusals of
 * pdf_inspect (PDF_DAMAGED files are drawn and give PDF_OK), PDF_NOT_PDF when the page cannot
 * be drawn at all, PDF_NOMEM.
 */
enum pdf_result pdf_render_page_png(struct pdf_engine *engine, const void *bytes, size_t len,
                                    int page, int width_px, unsigned char **png, size_t *png_len,
                                    char *err, size_t err_len);

/*
 * What the visible signature (the stamp in the signature box) shows; see
 * pdf_appearance_create in internal.h. Strings are UTF-8 and read only during the call;
 * characters outside Windows-1252 are replaced (accents dropped where a base letter exists,
 * otherwise '?').
 */
struct pdf_stamp {
    const char *name;      /* signer's display name; required */
    const char *signed_at; /* e.g. "2026-11-23 14:05 UTC"; may be NULL */
    const char *level;     /* "Simple electronic signature", "Advanced ...", ...; may be NULL */
    const char *note;      /* e.g. "Digitally signed with Signet"; may be NULL */
    const unsigned char *image; /* optional PNG or JPEG of a drawn signature (NULL: none) */
    size_t image_len;
};

/*
 * Checks a drawn-signature image (PNG or JPEG bytes, read only during the call) as the visible
 * signature will use it: MuPDF loads it, its size must be 1..max_width x 1..max_height pixels
 * (checked before any pixel is decoded), and every pixel must decode. On PDF_OK *width and
 * *height hold its size; otherwise they are 0 and `err` (may be NULL) holds a message for the
 * client. Results: PDF_OK, PDF_NOT_PDF (not an image MuPDF can decode, broken, or too large),
 * PDF_NOMEM, PDF_INTERNAL, PDF_INVALID_ARGUMENT (NULL or empty input: our bug).
 * MuPDF decodes a PNG cut short inside its pixel data with the missing rows as zeros, so
 * check the file's structure first (sign/drawn.h does, for the signer page).
 */
enum pdf_result pdf_image_check(struct pdf_engine *engine, const void *bytes, size_t len,
                                int max_width, int max_height, int *width, int *height, char *err,
                                size_t err_len);

enum pdf_position_result {
    PDF_POSITION_OK = 0,       /* the box lies wholly inside the visible page */
    PDF_POSITION_NO_SUCH_PAGE, /* page index outside [-page_count, page_count) */
    PDF_POSITION_OUTSIDE,      /* the box reaches beyond the visible page */
    PDF_POSITION_INVALID       /* NULL info, negative or non-finite numbers, empty box */
};

/*
 * Pure: decides whether the box with top-left corner (x, y) and size w x h, in the coordinate
 * space above, lies inside page `page` of `info`. `page` is zero-based; a negative value
 * counts from the end (-1 = last page), as the contract's pageNumber. On PDF_POSITION_OK and
 * PDF_POSITION_OUTSIDE `*resolved_page` (may be NULL) receives the zero-based index.
 * Touching the page edge is inside.
 */
enum pdf_position_result pdf_position_visible(const struct pdf_info *info, int page, double x,
                                              double y, double w, double h, int *resolved_page);

#endif
