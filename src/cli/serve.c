#include "app.h"
#include "auth/oauth.h"
#include "auth/admin_api.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/isotime.h"
#include "core/log.h"
#include "http/metrics.h"
#include "http/routes.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "pdf/pdf.h"
#include "pki/service.h"
#include "srs/catalogue.h"
#include "store/store.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct store *cli_open_store(const struct config *cfg)
{
    struct store *s = NULL;
    char err[512] = "";
    if (store_open(cfg->store, cfg->data_dir, &s, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "signet: %s\n", err);
        return NULL;
    }
    if (store_set_documents(s, cfg->documents, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "signet: %s\n", err);
        store_close(s);
        return NULL;
    }
    if (store_migrate(s) != STORE_OK) {
        fprintf(stderr, "signet: the database schema could not be brought up to date\n");
        store_close(s);
        return NULL;
    }
    return s;
}

int cli_serve(int argc, char **argv)
{
    struct config cfg;
    char err[512];
    const char *pos[1];
    size_t npos;
    int rc = 1;
    struct store *store = NULL;
    struct metrics *metrics = NULL;
    struct http_server *server = NULL;
    struct oauth *oauth = NULL;
    struct pdf_engine *pdf = NULL;
    struct pki_service *pki = NULL;
    struct jobs_scheduler *jobs = NULL;
    char *public_url = NULL;
    enum config_result cr = config_load(&cfg, argc, argv, NULL, pos, 0, &npos, err, sizeof err);
    if (cr == CONFIG_HELP) {
        printf("Usage: signet serve [OPTIONS]\n\nServes every surface over HTTP until SIGTERM "
               "or SIGINT, then lets requests in flight finish.\n\n");
        config_print_help(NULL);
        config_free(&cfg);
        return 0;
    }
    if (cr == CONFIG_ERROR) {
        fprintf(stderr, "signet serve: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    /* The registration methods catalogue is operator data: a bad file stops the start. */
    if (!srs_catalogue_get(&cfg, err, sizeof err)) {
        fprintf(stderr, "signet serve: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    log_set_level((enum log_level)log_level_parse(cfg.log_level));
    signal(SIGPIPE, SIG_IGN);
    /* Block the stop signals in every thread; the main thread waits for them below. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    store = cli_open_store(&cfg);
    if (!store)
        goto cleanup;
    notify_configure(&cfg); /* which channels have a gateway; before any thread runs */
    metrics = metrics_new(http_routes, http_routes_count);
    if (!metrics)
        goto cleanup;
    pdf = pdf_engine_new();
    if (!pdf) {
        fprintf(stderr, "signet serve: the PDF engine could not be created\n");
        goto cleanup;
    }
    oauth = auth_oauth_new(&cfg, store, err, sizeof err);
    if (!oauth) {
        fprintf(stderr, "signet serve: %s\n", err);
        goto cleanup;
    }
    pki = pki_service_new(); /* started below, once the public URL is known */
    if (!pki)
        goto cleanup;
    struct app app = {
        .cfg = &cfg, .store = store, .metrics = metrics, .started_ms = time_now_ms(), .pdf = pdf};
    app.pki = pki;
    app.authenticate = auth_oauth_authenticate;
    app.auth = oauth;
    app.authenticate_admin = auth_admin_authenticate;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg.threads > 0 ? (unsigned)cfg.threads : (unsigned)(cores > 0 ? cores : 1);
    server = http_server_start(&app, http_routes, http_routes_count, cfg.listen_host,
                               cfg.listen_port, threads, err, sizeof err);
    if (!server) {
        fprintf(stderr, "signet serve: %s\n", err);
        goto cleanup;
    }
    int port = http_server_port(server);
    /* With port 0 the default public URL names the port actually bound. */
    char derived[300];
    snprintf(derived, sizeof derived, "http://%s", cfg.listen);
    if (cfg.listen_port == 0 && strcmp(cfg.public_url, derived) == 0) {
        size_t n = strlen(cfg.listen_host) + 32;
        public_url = malloc(n);
        if (!public_url)
            goto cleanup;
        bool v6 = strchr(cfg.listen_host, ':') != NULL;
        snprintf(public_url, n, v6 ? "http://[%s]:%d" : "http://%s:%d", cfg.listen_host, port);
        free(cfg.public_url);
        cfg.public_url = public_url;
        public_url = NULL;
    }
    log_info("serving on %s:%d with %u threads, %s store in %s", cfg.listen_host, port, threads,
             store_backend_name(store), cfg.data_dir);
    /* The certificates name the public URL, which with port 0 is known only now. */
    if (!pki_service_start(pki, &cfg, store, err, sizeof err)) {
        fprintf(stderr, "signet serve: %s\n", err);
        goto cleanup;
    }
    if (cfg.demo && cli_demo_bootstrap(store, &cfg, cfg.public_url) != 0)
        goto cleanup;
    /* Background jobs (expiry); the first pass runs now, before the listening line. */
    if (cfg.job_interval > 0) {
        jobs = jobs_scheduler_start(store, &cfg, cfg.job_interval * 1000);
        if (!jobs) {
            fprintf(stderr, "signet serve: the job scheduler could not be started\n");
            goto cleanup;
        }
    }
    printf("signet: listening on %s (port %d)\n", cfg.public_url, port);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    log_info("received %s: finishing requests in flight (up to %llds)",
             sig == SIGTERM ? "SIGTERM" : "SIGINT", (long long)cfg.shutdown_grace);
    http_server_stop(server, cfg.shutdown_grace * 1000);
    server = NULL;
    log_info("stopped");
    rc = 0;
cleanup:
    http_server_stop(server, 0);
    jobs_scheduler_stop(jobs); /* before the store closes */
    metrics_free(metrics);
    auth_oauth_free(oauth);
    pdf_engine_free(pdf);  /* after http_server_stop: no request is still using it */
    pki_service_free(pki); /* likewise */
    store_close(store);
    free(public_url);
    config_free(&cfg);
    return rc;
}
