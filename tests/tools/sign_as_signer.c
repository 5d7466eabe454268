/*
 * sign_as_signer: signs a released process as one of its signers, the way the signer pages
 * will (sign/signing.h), for black-box tests that drive `signet serve` over HTTP and have no
 * signing endpoint to call (tests/contract/, docs/sign-api.md "Contract test").
 *
 *   sign_as_signer --data DIR --org ORG --process PID --signer PARTICIPANT_ID --method METHOD
 *
 * Opens the store, master key and PKI of the data directory beside a running server (as
 * tests/api/sign_signing_test.c does), calls sign_participant_sign with the current time and
 * prints one JSON line {"documents": N, "completed": BOOL} on success. A refusal prints
 * {"error": RESULT, "message": TEXT} and exits 1; bad arguments exit 2.
 * Built only with SIGNET_TESTS; never installed.
 */
#include "core/config.h"
#include "core/isotime.h"
#include "core/log.h"
#include "pdf/pdf.h"
#include "pki/service.h"
#include "sign/signing.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *result_name(enum sign_signing_result r)
{
    switch (r) {
    case SIGN_SIGNING_OK:
        return "OK";
    case SIGN_SIGNING_NOT_FOUND:
        return "NOT_FOUND";
    case SIGN_SIGNING_WRONG_STATE:
        return "WRONG_STATE";
    case SIGN_SIGNING_REFUSED:
        return "REFUSED";
    case SIGN_SIGNING_BAD_DOCUMENT:
        return "BAD_DOCUMENT";
    case SIGN_SIGNING_UNAVAILABLE:
        return "UNAVAILABLE";
    }
    return "UNKNOWN";
}

/* Prints one compact JSON line (steals j). */
static void print_json(json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(j);
}

int main(int argc, char **argv)
{
    struct cli_opt extra[] = {
        {"org", true, "organization id of the process", NULL},
        {"process", true, "process id", NULL},
        {"signer", true, "the signer's participant id (identification)", NULL},
        {"method", true, "CLICK | SMS | APP | PASSKEY | OSS", NULL},
        {NULL, false, NULL, NULL},
    };
    struct config cfg;
    char err[1024] = "";
    const char *pos[1];
    size_t npos = 0;
    int rc = 2;
    struct store *store = NULL;
    struct pki_service *pki = NULL;
    struct pdf_engine *engine = NULL;
    enum config_result cr =
        config_load(&cfg, argc - 1, argv + 1, extra, pos, 0, &npos, err, sizeof err);
    if (cr == CONFIG_HELP) {
        printf("usage: sign_as_signer --data DIR --org ORG --process PID --signer PARTICIPANT_ID "
               "--method METHOD\n\nOptions:\n");
        config_print_help(extra);
        config_free(&cfg);
        return 0;
    }
    if (cr == CONFIG_ERROR) {
        fprintf(stderr, "sign_as_signer: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    log_set_level((enum log_level)log_level_parse(cfg.log_level));
    for (size_t i = 0; extra[i].name; i++) {
        if (!extra[i].value) {
            fprintf(stderr, "sign_as_signer: --%s is required (see --help)\n", extra[i].name);
            goto cleanup;
        }
    }
    rc = 1;
    if (store_open(cfg.store, cfg.data_dir, &store, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "sign_as_signer: %s\n", err);
        goto cleanup;
    }
    pki = pki_service_new();
    engine = pdf_engine_new();
    if (!pki || !engine || !pki_service_start(pki, &cfg, store, err, sizeof err)) {
        fprintf(stderr, "sign_as_signer: %s\n", err[0] ? err : "out of memory");
        goto cleanup;
    }
    struct sign_signing_env env = {.store = store, .pdf = engine, .pki = pki};
    struct sign_signing_request req = {.organization_id = extra[0].value,
                                       .process_id = extra[1].value,
                                       .participant_id = extra[2].value,
                                       .method = extra[3].value,
                                       .now_ms = time_now_ms()};
    struct sign_signing_outcome out;
    memset(&out, 0, sizeof out);
    enum sign_signing_result r = sign_participant_sign(&env, &req, &out, err, sizeof err);
    if (r == SIGN_SIGNING_OK) {
        print_json(json_pack("{s:I, s:b}", "documents", (json_int_t)out.documents, "completed",
                             out.completed));
        rc = 0;
    } else {
        print_json(json_pack("{s:s, s:s}", "error", result_name(r), "message", err));
    }
cleanup:
    pki_service_free(pki);
    pdf_engine_free(engine);
    store_close(store);
    config_free(&cfg);
    return rc;
}
