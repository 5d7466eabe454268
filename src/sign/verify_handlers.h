/*
 * HTTP handler of signature verification (docs/verify.md), listed in http/routes.c. Nothing
 * it allocates outlives the call.
 */
#ifndef SIGNET_SIGN_VERIFY_HANDLERS_H
#define SIGNET_SIGN_VERIFY_HANDLERS_H

struct http_request;

/* At most this many verifications run at once (public endpoint); more answer 429. */
#define SIGN_VERIFY_MAX_CONCURRENT 4

/* POST /system/api/verify, public, body: the PDF (application/pdf, up to the body limit):
 * 200 the JSON report of sign/verify_report.h (also for a PDF without signatures: valid
 * false, signatureCount 0); 400 BadRequest for bytes that are not a readable PDF or an
 * encrypted one; 413 and 415 from the router; 429 when too many run at once. */
void sign_handle_verify(struct http_request *req);

#endif
