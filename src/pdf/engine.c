/*
 * The process-wide MuPDF engine: a base fz_context with pthread locks, cloned once per call so
 * that HTTP worker threads can work on different documents at the same time (MuPDF's rule: a
 * context and a document belong to one thread at a time). Also the shared "open these bytes"
 * step used by inspect.c and tags.c.
 *
 * Ownership: struct pdf_engine owns the base context and the mutexes; clones are owned by the
 * call that made them (pdf_engine_ctx_free). See pdf.h and internal.h.
 */
#include "pdf/internal.h"

#include "core/log.h"
#include "core/str.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* Adobe accepts the header anywhere in the first 1024 bytes; so do we, and no further. */
#define PDF_HEADER_WINDOW 1024

struct pdf_engine {
    fz_context *base;
    fz_locks_context locks;
    pthread_mutex_t mutex[FZ_LOCK_MAX];
    int mutex_count; /* how many of mutex[] are initialised */
};

static void engine_lock(void *user, int lock)
{
    struct pdf_engine *engine = user;
    pthread_mutex_lock(&engine->mutex[lock]);
}

static void engine_unlock(void *user, int lock)
{
    struct pdf_engine *engine = user;
    pthread_mutex_unlock(&engine->mutex[lock]);
}

/* MuPDF reports what it thinks of hostile files here: the client's problem, a debug line. */
static void engine_on_error(void *user, const char *message)
{
    (void)user;
    log_client_fault("mupdf error: %s", message);
}

static void engine_on_warning(void *user, const char *message)
{
    (void)user;
    log_client_fault("mupdf warning: %s", message);
}

struct pdf_engine *pdf_engine_new(void)
{
    struct pdf_engine *engine = calloc(1, sizeof *engine);
    if (engine == NULL)
        return NULL;
    for (int i = 0; i < FZ_LOCK_MAX; i++) {
        if (pthread_mutex_init(&engine->mutex[i], NULL) != 0)
            goto fail;
        engine->mutex_count++;
    }
    engine->locks.user = engine;
    engine->locks.lock = engine_lock;
    engine->locks.unlock = engine_unlock;
    /* NULL allocator: MuPDF's default (malloc/free). pdf/sign.c relies on it when it hands
     * an extracted fz_buffer block to callers who free() it. */
    engine->base = fz_new_context(NULL, &engine->locks, FZ_STORE_DEFAULT);
    if (engine->base == NULL)
        goto fail;
    /* Clones inherit these callbacks. */
    fz_set_error_callback(engine->base, engine_on_error, NULL);
    fz_set_warning_callback(engine->base, engine_on_warning, NULL);
    return engine;

fail:
    log_bug("cannot create the MuPDF engine");
    pdf_engine_free(engine);
    return NULL;
}

void pdf_engine_free(struct pdf_engine *engine)
{
    if (engine == NULL)
        return;
    if (engine->base != NULL)
        fz_drop_context(engine->base);
    for (int i = 0; i < engine->mutex_count; i++)
        pthread_mutex_destroy(&engine->mutex[i]);
    free(engine);
}

fz_context *pdf_engine_ctx_new(struct pdf_engine *engine)
{
    if (engine == NULL || engine->base == NULL)
        return NULL;
    return fz_clone_context(engine->base);
}

void pdf_engine_ctx_free(fz_context *ctx)
{
    if (ctx != NULL)
        fz_drop_context(ctx);
}

void pdf_engine_set_err(char *err, size_t err_len, const char *msg)
{
    if (err != NULL && err_len > 0)
        str_copy(err, err_len, msg);
}

const char *pdf_result_name(enum pdf_result r)
{
    switch (r) {
    case PDF_OK:
        return "PDF_OK";
    case PDF_NOT_PDF:
        return "PDF_NOT_PDF";
    case PDF_ENCRYPTED_NEEDS_PASSWORD:
        return "PDF_ENCRYPTED_NEEDS_PASSWORD";
    case PDF_DAMAGED:
        return "PDF_DAMAGED";
    case PDF_NO_PAGES:
        return "PDF_NO_PAGES";
    case PDF_TOO_MANY_PAGES:
        return "PDF_TOO_MANY_PAGES";
    case PDF_HITS_TRUNCATED:
        return "PDF_HITS_TRUNCATED";
    case PDF_INVALID_ARGUMENT:
        return "PDF_INVALID_ARGUMENT";
    case PDF_NOMEM:
        return "PDF_NOMEM";
    case PDF_INTERNAL:
        return "PDF_INTERNAL";
    case PDF_NO_SUCH_PAGE:
        return "PDF_NO_SUCH_PAGE";
    }
    return "PDF_UNKNOWN";
}

static bool has_pdf_header(const void *bytes, size_t len)
{
    size_t window = len < PDF_HEADER_WINDOW ? len : PDF_HEADER_WINDOW;
    return bytes != NULL && memmem(bytes, window, "%PDF-", 5) != NULL;
}

enum pdf_result pdf_engine_open_doc(fz_context *ctx, const void *bytes, size_t len,
                                    pdf_document **doc, char *err, size_t err_len)
{
    fz_stream *volatile stm = NULL;
    pdf_document *volatile opened = NULL;
    volatile enum pdf_result result = PDF_OK;

    *doc = NULL;
    if (!has_pdf_header(bytes, len)) {
        pdf_engine_set_err(err, err_len, "the file is not a PDF (no %PDF- header)");
        return PDF_NOT_PDF;
    }

    fz_try(ctx)
    {
        /* fz_open_memory neither copies nor frees: the caller's bytes back the stream. */
        stm = fz_open_memory(ctx, bytes, len);
        opened = pdf_open_document_with_stream(ctx, stm);
        /* Tries the empty user password, so owner-only encryption opens. */
        if (pdf_needs_password(ctx, opened))
            result = PDF_ENCRYPTED_NEEDS_PASSWORD;
    }
    fz_always(ctx)
    {
        fz_drop_stream(ctx, stm); /* the document holds its own reference */
    }
    fz_catch(ctx)
    {
        if (fz_caught(ctx) == FZ_ERROR_MEMORY) {
            result = PDF_NOMEM;
        } else {
            log_client_fault("pdf: cannot open document: %s", fz_caught_message(ctx));
            result = PDF_NOT_PDF;
        }
    }

    switch (result) {
    case PDF_OK:
        *doc = opened;
        return PDF_OK;
    case PDF_ENCRYPTED_NEEDS_PASSWORD:
        pdf_engine_set_err(err, err_len,
                           "the PDF is protected by a password; upload it without one");
        break;
    case PDF_NOMEM:
        pdf_engine_set_err(err, err_len, "out of memory while reading the PDF");
        break;
    default:
        pdf_engine_set_err(err, err_len, "the file cannot be read as a PDF");
        break;
    }
    pdf_drop_document(ctx, opened);
    return result;
}

void pdf_engine_explain_failure(enum pdf_result result, char *err, size_t err_len,
                                const char *broken)
{
    char msg[96];
    switch (result) {
    case PDF_NO_PAGES:
        pdf_engine_set_err(err, err_len, "the PDF has no pages");
        break;
    case PDF_TOO_MANY_PAGES:
        snprintf(msg, sizeof msg, "the PDF has more than %d pages", (int)PDF_MAX_PAGES);
        pdf_engine_set_err(err, err_len, msg);
        break;
    case PDF_NOMEM:
        pdf_engine_set_err(err, err_len, "out of memory while reading the PDF");
        break;
    default:
        pdf_engine_set_err(err, err_len, broken);
        break;
    }
}
