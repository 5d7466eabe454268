/*
 * libFuzzer target for pdf_render_page_png: a preview of a page picked by the input (also
 * counted from the end) of whatever pdf_inspect accepts, at the smallest width to stay fast.
 * Checks that a preview is a PNG of the promised size range. Seeds: shared/pdf-corpus/. Run
 * like pdf_inspect_fuzz.c (ctest fuzz_pdf_render and fuzz_replay_pdf_render; docs/pdf.md,
 * "Fuzzing").
 * Ownership: the engine lives for the whole process (created on first input, never freed);
 * each PNG is freed here.
 */
#include "pdf/pdf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct pdf_engine *engine;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    struct pdf_info info;
    unsigned char *png = NULL;
    size_t png_len = 0;
    char err[128];

    if (engine == NULL) {
        engine = pdf_engine_new();
        if (engine == NULL)
            abort();
    }
    enum pdf_result r = pdf_inspect(engine, data, size, &info, err, sizeof err);
    if (r != PDF_OK && r != PDF_DAMAGED)
        return 0;
    int count = (int)info.page_count;
    pdf_info_free(&info);
    /* Any page from -count - 1 to count: one index on each side lies outside. */
    int page = (int)(size % (size_t)(2 * count + 2)) - count - 1;

    r = pdf_render_page_png(engine, data, size, page, PDF_PREVIEW_MIN_WIDTH, &png, &png_len, err,
                            sizeof err);
    if (r != PDF_OK) {
        if (png != NULL || png_len != 0)
            abort();
        return 0;
    }
    if (png == NULL || png_len < 24 || memcmp(png, signature, 8) != 0 ||
        memcmp(png + 12, "IHDR", 4) != 0)
        abort();
    uint32_t w = be32(png + 16);
    uint32_t h = be32(png + 20);
    if (w < 1 || w > PDF_PREVIEW_MIN_WIDTH || h < 1 || h > PDF_PREVIEW_MAX_HEIGHT)
        abort();
    free(png);
    return 0;
}
