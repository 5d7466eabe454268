/*
 * signet sign IN.pdf OUT.pdf --name "GIVEN SURNAME" [--level …] [--tag T | --page N --x X --y Y]
 * [--pades B-B|B-T|B-LT|B-LTA]: signs a local file with the signing engine (sign/pades.h) and
 * the instance's PKI, loaded from (or, on an empty store, created in) the store named by
 * --data/--store, exactly as the server would. The issued certificate is recorded in the
 * certificate registry, so OCSP and CRLs know it.
 */
#include "cli/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "core/str.h"
#include "pdf/pdf.h"
#include "pki/ca.h"
#include "pki/service.h"
#include "sign/attach.h"
#include "sign/pades.h"
#include "sign/pades_hooks.h"
#include "store/store.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_INPUT ((size_t)512 * 1024 * 1024)

static void sign_usage(FILE *out)
{
    fprintf(out,
            "Usage: signet sign IN.pdf OUT.pdf --name \"GIVEN SURNAME\" [OPTIONS]\n\n"
            "Signs IN.pdf as PAdES with a fresh certificate from this instance's CA and writes "
            "OUT.pdf.\n"
            "  --level SIMPLE|ADVANCED|QUALIFIED   signature level (default SIMPLE)\n"
            "  --pades B-B|B-T|B-LT|B-LTA          PAdES baseline level (default B-T)\n"
            "  --tag TEXT                          visible, at the first occurrence of TEXT\n"
            "  --page N --x X --y Y                visible, at a position: zero-based page "
            "(negative from the end),\n"
            "                                      points from the top-left corner\n"
            "  (neither: an invisible signature)   the box is %d x %d points\n"
            "  --given-name G --surname S          name parts for the certificate\n"
            "  --serial-number ID --country CC     registered identity, country (certificate)\n"
            "  --key p256|rsa3072                  signer key (default p256)\n"
            "  --image FILE                        PNG/JPEG of a drawn signature for the box\n"
            "  --reason TEXT --location TEXT       stored in the signature dictionary\n"
            "  --json                              print the result as JSON\n\n"
            "Takes the same --data / --store / --master-key-file options as serve.\n",
            SIGN_STICKER_WIDTH, SIGN_STICKER_HEIGHT);
}

static bool parse_double(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

enum opt_index {
    O_NAME,
    O_LEVEL,
    O_PADES,
    O_TAG,
    O_PAGE,
    O_X,
    O_Y,
    O_GIVEN,
    O_SURNAME,
    O_SERIAL,
    O_COUNTRY,
    O_KEY,
    O_IMAGE,
    O_REASON,
    O_LOCATION,
    O_JSON,
    O_COUNT
};

int cli_sign(int argc, char **argv)
{
    struct cli_opt extra[] = {
        [O_NAME] = {"name", true, "signer's name (certificate CN and the visible box)", NULL},
        [O_LEVEL] = {"level", true, "SIMPLE, ADVANCED or QUALIFIED", NULL},
        [O_PADES] = {"pades", true, "B-B, B-T, B-LT or B-LTA", NULL},
        [O_TAG] = {"tag", true, "place the box at the first occurrence of this text", NULL},
        [O_PAGE] = {"page", true, "zero-based page of the box", NULL},
        [O_X] = {"x", true, "box left edge, points from the left", NULL},
        [O_Y] = {"y", true, "box top edge, points from the top", NULL},
        [O_GIVEN] = {"given-name", true, "certificate given name", NULL},
        [O_SURNAME] = {"surname", true, "certificate surname", NULL},
        [O_SERIAL] = {"serial-number", true, "certificate serialNumber (identity)", NULL},
        [O_COUNTRY] = {"country", true, "certificate country (two letters)", NULL},
        [O_KEY] = {"key", true, "p256 or rsa3072", NULL},
        [O_IMAGE] = {"image", true, "PNG or JPEG of a drawn signature", NULL},
        [O_REASON] = {"reason", true, "/Reason of the signature", NULL},
        [O_LOCATION] = {"location", true, "/Location of the signature", NULL},
        [O_JSON] = {"json", false, "print JSON", NULL},
        [O_COUNT] = {NULL, false, NULL, NULL},
    };
    struct config cfg;
    char err[512] = "";
    const char *pos[2];
    size_t npos = 0;
    int rc = 1;
    struct store *store = NULL;
    struct pdf_engine *engine = NULL;
    struct pki_service *pki = NULL;
    unsigned char *in = NULL, *image = NULL;
    size_t in_len = 0, image_len = 0;
    struct pades_result res;
    memset(&res, 0, sizeof res);

    enum config_result cr = config_load(&cfg, argc, argv, extra, pos, 2, &npos, err, sizeof err);
    if (cr == CONFIG_HELP) {
        sign_usage(stdout);
        printf("\nOptions:\n");
        config_print_help(extra);
        config_free(&cfg);
        return 0;
    }
    if (cr == CONFIG_ERROR) {
        fprintf(stderr, "signet sign: %s\n", err);
        config_free(&cfg);
        return 2;
    }

    log_set_level((enum log_level)log_level_parse(cfg.log_level));
    struct pades_request req;
    memset(&req, 0, sizeof req);
    req.pades = PADES_B_T;
    req.level = PKI_SIGNER_SIMPLE;
    req.key = PKI_KEY_EC_P256;
    req.now = (int64_t)time(NULL);
    req.identity.common_name = extra[O_NAME].value;
    req.identity.given_name = extra[O_GIVEN].value;
    req.identity.surname = extra[O_SURNAME].value;
    req.identity.serial_number = extra[O_SERIAL].value;
    req.identity.country = extra[O_COUNTRY].value;
    req.reason = extra[O_REASON].value;
    req.location = extra[O_LOCATION].value;
    rc = 2;
    if (npos != 2) {
        fprintf(stderr, "signet sign: expected IN.pdf and OUT.pdf (see --help)\n");
        goto cleanup;
    }
    if (!req.identity.common_name || !*req.identity.common_name) {
        fprintf(stderr, "signet sign: --name is required\n");
        goto cleanup;
    }
    if (extra[O_LEVEL].value && !pki_signer_level_parse(extra[O_LEVEL].value, &req.level)) {
        fprintf(stderr, "signet sign: --level must be SIMPLE, ADVANCED or QUALIFIED\n");
        goto cleanup;
    }
    if (extra[O_PADES].value && !pades_level_parse(extra[O_PADES].value, &req.pades)) {
        fprintf(stderr, "signet sign: --pades must be B-B, B-T, B-LT or B-LTA\n");
        goto cleanup;
    }
    if (extra[O_KEY].value) {
        if (!strcmp(extra[O_KEY].value, "rsa3072"))
            req.key = PKI_KEY_RSA_3072;
        else if (strcmp(extra[O_KEY].value, "p256") != 0) {
            fprintf(stderr, "signet sign: --key must be p256 or rsa3072\n");
            goto cleanup;
        }
    }
    bool by_position = extra[O_PAGE].value || extra[O_X].value || extra[O_Y].value;
    if (by_position && extra[O_TAG].value) {
        fprintf(stderr, "signet sign: give either --tag or --page/--x/--y, not both\n");
        goto cleanup;
    }
    if (by_position) {
        int64_t page = 0;
        if (!extra[O_PAGE].value || !extra[O_X].value || !extra[O_Y].value ||
            !str_to_i64(extra[O_PAGE].value, -PDF_MAX_PAGES, PDF_MAX_PAGES - 1, &page) ||
            !parse_double(extra[O_X].value, &req.x) || !parse_double(extra[O_Y].value, &req.y)) {
            fprintf(stderr, "signet sign: --page, --x and --y go together: an integer page and "
                            "numbers in points\n");
            goto cleanup;
        }
        req.visible = true;
        req.page = (int)page;
    }

    rc = 1;
    in = cli_read_file(pos[0], MAX_INPUT, &in_len, err, sizeof err);
    if (!in ||
        (extra[O_IMAGE].value && !(image = cli_read_file(extra[O_IMAGE].value, 4 * 1024 * 1024,
                                                         &image_len, err, sizeof err)))) {
        fprintf(stderr, "signet sign: %s\n", err);
        goto cleanup;
    }
    req.image = image;
    req.image_len = image_len;
    engine = pdf_engine_new();
    store = engine ? cli_open_store(&cfg) : NULL;
    pki = store ? pki_service_new() : NULL;
    if (!pki)
        goto cleanup;
    if (!pki_service_start(pki, &cfg, store, err, sizeof err)) {
        fprintf(stderr, "signet sign: %s\n", err);
        goto cleanup;
    }
    if (extra[O_TAG].value) {
        struct pdf_tag_hit hit;
        size_t n = 0;
        enum pdf_result r =
            pdf_find_tag(engine, in, in_len, extra[O_TAG].value, &hit, 1, &n, err, sizeof err);
        if ((r != PDF_OK && r != PDF_HITS_TRUNCATED) || n == 0) {
            fprintf(stderr, "signet sign: %s\n",
                    n == 0 && (r == PDF_OK || r == PDF_HITS_TRUNCATED) ? "the tag is not in the PDF"
                                                                       : err);
            goto cleanup;
        }
        req.visible = true;
        req.page = hit.page;
        req.x = floor(hit.x0);
        req.y = floor(hit.y0);
    }
    if (req.visible) {
        req.w = SIGN_STICKER_WIDTH;
        req.h = SIGN_STICKER_HEIGHT;
    }

    const struct pki_ca *ca = pki_service_ca(pki);
    struct sign_pades_env env = {store, ca, pki_service_crl_cache(pki), NULL};
    struct pades_hooks hooks;
    sign_pades_hooks_init(&env, &hooks);
    enum pades_status st = pades_sign(engine, ca, pki_service_tsa(pki), &hooks, &req, in, in_len,
                                      &res, err, sizeof err);
    if (st != PADES_OK) {
        fprintf(stderr, "signet sign: %s\n", err);
        goto cleanup;
    }
    if (!cli_write_file(pos[1], res.pdf, res.len, err, sizeof err)) {
        fprintf(stderr, "signet sign: %s\n", err);
        goto cleanup;
    }
    if (extra[O_JSON].value) {
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "file", pos[1], "pades",
                              pades_level_name(req.pades), "issuer", res.issuer, "serial",
                              res.serial, "subject", res.subject, "field", res.field_name, "bytes",
                              (json_int_t)res.len);
        char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
        if (text)
            puts(text);
        free(text);
        json_decref(j);
    } else
        printf("signed %s → %s (%s, %s, certificate %s serial %s)\n", pos[0], pos[1],
               pades_level_name(req.pades), res.field_name, res.issuer, res.serial);
    rc = 0;

cleanup:
    pades_result_free(&res);
    free(in);
    free(image);
    pki_service_free(pki);
    store_close(store);
    pdf_engine_free(engine);
    config_free(&cfg);
    return rc;
}
