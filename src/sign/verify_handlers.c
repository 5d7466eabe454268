/*
 * POST /system/api/verify (see sign/verify_handlers.h): trusts the instance's root CA, like
 * `signet verify` without --trust. Public, so the work is capped: the router caps the body
 * (max_body), and a counter caps how many verifications run at once.
 */
#include "sign/verify_handlers.h"

#include "app.h"
#include "http/request.h"
#include "pki/service.h"
#include "pki/verify.h"
#include "sign/verify_report.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static atomic_int running;

void sign_handle_verify(struct http_request *req)
{
    const struct pki_ca *ca = pki_service_ca(req->app->pki);
    if (!ca) {
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The PKI is not ready yet; try again.");
        return;
    }
    if (atomic_fetch_add(&running, 1) >= SIGN_VERIFY_MAX_CONCURRENT) {
        atomic_fetch_sub(&running, 1);
        http_reply_error_headers(req, ERR_TOO_MANY_REQUESTS,
                                 (const char *const[]){"Retry-After", "1", NULL},
                                 "Too many verifications are running; try again in a moment.");
        return;
    }
    struct verify_report report;
    memset(&report, 0, sizeof report);
    char err[256] = "";
    struct pki_verify_trust *trust = pki_verify_trust_from_ca(ca);
    enum verify_status st =
        trust ? verify_report_build(req->app->pdf, trust, req->body.data, req->body.len,
                                    (int64_t)time(NULL), &report, err, sizeof err)
              : VERIFY_FAILED;
    if (st == VERIFY_BAD_INPUT)
        http_reply_error(req, ERR_BAD_REQUEST, "The body is not a PDF that can be verified: %s.",
                         err);
    else if (st != VERIFY_OK)
        http_reply_error(req, ERR_INTERNAL, "The PDF could not be verified.");
    else {
        json_t *j = verify_report_json(&report);
        if (j)
            http_reply_json(req, 200, j);
        else
            http_reply_error(req, ERR_INTERNAL, "The report could not be written.");
    }
    verify_report_free(&report);
    pki_verify_trust_free(trust);
    atomic_fetch_sub(&running, 1);
}
