/*
 * HTTP handlers of the setup page (docs/setup-page.md), listed in http/routes.c. GET
 * /ui/setup/{token} opens a setup link, sets the session cookie and serves
 * web/pages/setup.html with the page security headers; the /ui/api/setup/... routes are the
 * page script's JSON API, authenticated by the session cookie, and every POST also by the
 * X-CSRF-Token header. Nothing they allocate outlives the call.
 */
#ifndef SIGNET_SIGN_SETUP_PAGE_HANDLERS_H
#define SIGNET_SIGN_SETUP_PAGE_HANDLERS_H

struct http_request;

/* Name of the setup-page session cookie (the CSRF header is the signer pages'). */
#define SIGN_SETUP_PAGE_COOKIE "signet_setup"

/* GET /ui/setup/{token}: the setup link of POST /system/api/process/{id}/setup. */
void sign_setup_page_handle_link(struct http_request *req);
/* GET /ui/api/setup: the page's state (sign/setup_page.h) and the CSRF token. */
void sign_setup_page_handle_state(struct http_request *req);
/* POST /ui/api/setup/signers {"signers": [...]}: replaces the signers. */
void sign_setup_page_handle_signers(struct http_request *req);
/* POST /ui/api/setup/positions {"documentId", "signaturePositions"}: one document's boxes. */
void sign_setup_page_handle_positions(struct http_request *req);
/* GET /ui/api/setup/document/{documentId}/page/{page}[?width=N]: a PNG preview. */
void sign_setup_page_handle_preview(struct http_request *req);
/* POST /ui/api/setup/release {"signatureLevel", "release"}: releases the process. */
void sign_setup_page_handle_release(struct http_request *req);

#endif
