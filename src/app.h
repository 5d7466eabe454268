/*
 * The application: what every handler reaches through its request. Built once by
 * `signet serve` (cli/serve.c) and shared read-only by all threads afterwards.
 */
#ifndef SIGNET_APP_H
#define SIGNET_APP_H

#include <stdbool.h>
#include <stdint.h>

struct config;
struct store;
struct metrics;
struct http_request;
struct pdf_engine;
struct pki_service;

struct app {
    const struct config *cfg;
    struct store *store;
    struct metrics *metrics;
    struct pdf_engine *pdf; /* MuPDF engine shared by all threads (pdf/pdf.h) */
    struct pki_service *pki; /* CAs and TSA (pki/service.h); not ready until started */
    int64_t started_ms;
    /*
     * Authenticates a request for a route whose auth is AUTH_BEARER (or AUTH_ADMIN) and checks
     * the scope; on failure it replies (401/403) itself and returns false. Set by the auth
     * module; a route that needs it while it is NULL answers 500 (a wiring bug).
     */
    bool (*authenticate)(struct http_request *req);        /* AUTH_BEARER routes */
    bool (*authenticate_admin)(struct http_request *req);  /* AUTH_ADMIN routes */
    void *auth; /* the OAuth module's state (auth/oauth.h) */
};

#endif
