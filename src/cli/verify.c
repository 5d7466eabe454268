/*
 * signet verify FILE [--json] [--trust PEM]: checks every signature of a PDF with the
 * verifier (sign/verify_report.h) and prints one line per signature (or the JSON report).
 * Without --trust it trusts this instance's root CA, loaded from the store named by
 * --data/--store as `signet sign` does. Exit code 0 only when the PDF holds at least one
 * signature and every one is valid; 1 otherwise (also for a file that is not a PDF); 2 for
 * bad usage.
 */
#include "cli/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "pdf/pdf.h"
#include "pki/service.h"
#include "pki/verify.h"
#include "sign/verify_report.h"
#include "store/store.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_INPUT ((size_t)512 * 1024 * 1024)
#define MAX_TRUST ((size_t)4 * 1024 * 1024)

enum opt_index { O_JSON, O_TRUST, O_COUNT };

int cli_verify(int argc, char **argv)
{
    struct cli_opt extra[] = {
        [O_JSON] = {"json", false, "print the report as JSON", NULL},
        [O_TRUST] = {"trust", true,
                     "PEM file of trusted certificates (default: this "
                     "instance's root CA)",
                     NULL},
        [O_COUNT] = {NULL, false, NULL, NULL},
    };
    struct config cfg;
    char err[512] = "";
    const char *pos[1];
    size_t npos = 0;
    int rc = 2;
    struct store *store = NULL;
    struct pdf_engine *engine = NULL;
    struct pki_service *pki = NULL;
    struct pki_verify_trust *trust = NULL;
    unsigned char *in = NULL, *pem = NULL;
    size_t in_len = 0, pem_len = 0;
    struct verify_report report;
    memset(&report, 0, sizeof report);

    enum config_result cr = config_load(&cfg, argc, argv, extra, pos, 1, &npos, err, sizeof err);
    if (cr == CONFIG_HELP) {
        printf("Usage: signet verify FILE [--json] [--trust PEM]\n\n"
               "Checks every signature of a signed PDF and prints one line per signature.\n"
               "Exit code 0 only when the PDF has signatures and all are valid.\n"
               "Takes the same --data / --store / --master-key-file options as serve.\n\n"
               "Options:\n");
        config_print_help(extra);
        config_free(&cfg);
        return 0;
    }
    if (cr == CONFIG_ERROR) {
        fprintf(stderr, "signet verify: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    log_set_level((enum log_level)log_level_parse(cfg.log_level));
    if (npos != 1) {
        fprintf(stderr, "signet verify: expected exactly one FILE (see --help)\n");
        goto cleanup;
    }
    rc = 1;
    in = cli_read_file(pos[0], MAX_INPUT, &in_len, err, sizeof err);
    if (!in) {
        fprintf(stderr, "signet verify: %s\n", err);
        goto cleanup;
    }
    engine = pdf_engine_new();
    if (!engine)
        goto cleanup;
    if (extra[O_TRUST].value) {
        pem = cli_read_file(extra[O_TRUST].value, MAX_TRUST, &pem_len, err, sizeof err);
        trust = pem ? pki_verify_trust_from_pem((const char *)pem, pem_len, err, sizeof err) : NULL;
        if (!trust) {
            fprintf(stderr, "signet verify: %s\n", err);
            rc = 2;
            goto cleanup;
        }
    } else {
        store = cli_open_store(&cfg);
        pki = store ? pki_service_new() : NULL;
        if (!pki)
            goto cleanup;
        if (!pki_service_start(pki, &cfg, store, err, sizeof err)) {
            fprintf(stderr, "signet verify: %s\n", err);
            goto cleanup;
        }
        trust = pki_verify_trust_from_ca(pki_service_ca(pki));
        if (!trust) {
            fprintf(stderr, "signet verify: the instance's root CA cannot be loaded\n");
            goto cleanup;
        }
    }

    enum verify_status st = verify_report_build(engine, trust, in, in_len, (int64_t)time(NULL),
                                                &report, err, sizeof err);
    if (st != VERIFY_OK) {
        fprintf(stderr, "signet verify: %s: %s\n", pos[0], err);
        goto cleanup;
    }
    if (extra[O_JSON].value) {
        json_t *j = verify_report_json(&report);
        char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
        if (text)
            puts(text);
        free(text);
        json_decref(j);
    } else {
        for (size_t i = 0; i < report.n_sigs; i++) {
            char line[2048];
            verify_report_line(&report, i, line, sizeof line);
            puts(line);
        }
    }
    if (report.n_sigs == 0)
        fprintf(stderr, "signet verify: %s holds no signature\n", pos[0]);
    else if (!extra[O_JSON].value)
        printf("%s: %zu signature%s, %s\n", pos[0], report.n_sigs, report.n_sigs == 1 ? "" : "s",
               report.valid ? "all valid" : "NOT all valid");
    rc = report.valid ? 0 : 1;

cleanup:
    verify_report_free(&report);
    free(in);
    free(pem);
    pki_verify_trust_free(trust);
    pki_service_free(pki);
    store_close(store);
    pdf_engine_free(engine);
    config_free(&cfg);
    return rc;
}
