/*
 * libFuzzer target for pdf_find_tag: tag search over arbitrary bytes, with the tag and the
 * room for hits chosen by the input. An input that starts with "TAG:" names its tag on that
 * first line (the PDF follows the newline); any other input is searched for one of a few
 * fixed tags, picked by its length. Seeds: shared/pdf-corpus/. Run like pdf_inspect_fuzz.c
 * (ctest fuzz_pdf_tags and fuzz_replay_pdf_tags; docs/pdf.md, "Fuzzing").
 * Ownership: the engine lives for the whole process (created on first input, never freed).
 */
#include "pdf/pdf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Text extraction reads every page: documents with more are only inspected. */
#define TAGS_FUZZ_MAX_PAGES 16
#define TAGS_FUZZ_MAX_HITS  8

static struct pdf_engine *engine;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fixed_tags[] = {"\\s1\\", "\\s2\\", "page",
                                         "a",      "  x  ",  "\xc3\xa9t\xc3\xa9"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char tag[PDF_MAX_TAG_LEN + 1];
    struct pdf_tag_hit hits[TAGS_FUZZ_MAX_HITS];
    struct pdf_info info;
    size_t n = 0;
    char err[128];

    if (engine == NULL) {
        engine = pdf_engine_new();
        if (engine == NULL)
            abort();
    }
    const uint8_t *pdf = data;
    size_t len = size;
    if (size >= 4 && memcmp(data, "TAG:", 4) == 0) {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t tag_len = nl != NULL ? (size_t)(nl - data) - 4 : size - 4;
        if (tag_len > PDF_MAX_TAG_LEN)
            tag_len = PDF_MAX_TAG_LEN;
        memcpy(tag, data + 4, tag_len);
        tag[tag_len] = '\0';
        pdf = nl != NULL ? nl + 1 : data + size;
        len = (size_t)(data + size - pdf);
    } else {
        const char *fixed = fixed_tags[size % (sizeof fixed_tags / sizeof fixed_tags[0])];
        memcpy(tag, fixed, strlen(fixed) + 1);
    }
    if (tag[0] == '\0')
        return 0; /* refusing bad tags is tested in tests/unit/pdf/tags_test.c */
    size_t max = size % 3 == 0 ? 0 : size % 3 == 1 ? 1 : TAGS_FUZZ_MAX_HITS;

    enum pdf_result r = pdf_inspect(engine, pdf, len, &info, err, sizeof err);
    if (r != PDF_OK && r != PDF_DAMAGED)
        return 0;
    size_t pages = info.page_count;
    pdf_info_free(&info);
    if (pages > TAGS_FUZZ_MAX_PAGES)
        return 0;

    r = pdf_find_tag(engine, pdf, len, tag, hits, max, &n, err, sizeof err);
    if (r == PDF_INVALID_ARGUMENT)
        abort(); /* the tag is valid (empty tags are skipped above) */
    if (n > max || (r != PDF_OK && r != PDF_HITS_TRUNCATED && n != 0))
        abort();
    for (size_t i = 0; i < n; i++) {
        if (hits[i].page < 0 || !(hits[i].x0 <= hits[i].x1) || !(hits[i].y0 <= hits[i].y1))
            abort();
    }
    return 0;
}
