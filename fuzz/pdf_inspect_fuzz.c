/*
 * libFuzzer target for src/pdf/: pdf_inspect on arbitrary bytes, and pdf_find_tag plus
 * pdf_position_visible on whatever opens. Seeds: shared/pdf-corpus/.
 *
 * `make test` runs it (see docs/pdf.md, "Fuzzing"): as ctest `fuzz_pdf_inspect` (clang
 * -fsanitize=fuzzer, bounded in time, from a copy of the corpus) when clang's libFuzzer is
 * available, and always as `fuzz_replay_pdf_inspect` (fuzz/replay.c: the corpus and deterministic
 * variants of it, also under ASan/UBSan). By hand, from a configured test build: cmake --build
 * build --target pdf_inspect_fuzz   # -> build/fuzz/pdf_inspect_fuzz fuzz/run.sh
 * build/fuzz/pdf_inspect_fuzz ../shared/pdf-corpus /tmp/fuzz-work 600 MuPDF itself is not
 * instrumented: coverage guidance and ASan see only our code. Ownership: the engine lives for the
 * whole process (created on first input, never freed).
 */
#include "pdf/pdf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static struct pdf_engine *engine;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pdf_info info;
    struct pdf_tag_hit hits[8];
    size_t n = 0;
    char err[128];

    if (engine == NULL) {
        engine = pdf_engine_new();
        if (engine == NULL)
            abort();
    }
    enum pdf_result r = pdf_inspect(engine, data, size, &info, err, sizeof err);
    if (r == PDF_OK || r == PDF_DAMAGED) {
        if (info.page_count == 0 || info.page_count > PDF_MAX_PAGES || info.pages == NULL)
            abort(); /* the contract of pdf_inspect */
        int page = -1;
        (void)pdf_position_visible(&info, -1, 10, 10, 100, 50, &page);
        /* Text extraction is the expensive part: only on small documents. */
        if (info.page_count <= 8)
            (void)pdf_find_tag(engine, data, size, "\\s1\\", hits, 8, &n, err, sizeof err);
        pdf_info_free(&info);
    } else if (info.pages != NULL || info.page_count != 0) {
        abort(); /* refused documents leave *out zeroed */
    }
    return 0;
}
