/*
 * HTTP handlers of the signer pages (docs/signer-pages.md), listed in http/routes.c. The page
 * routes open a participant link, set the session cookie and serve web/pages/sign.html with
 * the page security headers; the /ui/api/session/... routes are the page script's JSON API,
 * authenticated by the session cookie, and every POST also by the X-CSRF-Token header.
 * Nothing they allocate outlives the call.
 */
#ifndef SIGNET_SIGN_PAGE_HANDLERS_H
#define SIGNET_SIGN_PAGE_HANDLERS_H

struct http_request;

/* Name of the session cookie and of the CSRF header. */
#define SIGN_PAGE_COOKIE      "signet_sign"
#define SIGN_PAGE_CSRF_HEADER "X-CSRF-Token"

/* GET /ui/sign/{token}: the permanent participant link. */
void sign_page_handle_sign_link(struct http_request *req);
/* GET /ui/open/{token}[?code=…]: the time-limited link of an Open Request. */
void sign_page_handle_open_link(struct http_request *req);
/* GET /ui/api/session: the page's state (sign/page.h) and the CSRF token. */
void sign_page_handle_state(struct http_request *req);
/* POST /ui/api/session/code {"purpose": "AUTHORIZE" | "SIGN"}: sends a one-time code. */
void sign_page_handle_code(struct http_request *req);
/* POST /ui/api/session/authorize {"code": "123456"}. */
void sign_page_handle_authorize(struct http_request *req);
/* GET /ui/api/session/document/{documentId}/page/{page}[?width=N]: a PNG preview. */
void sign_page_handle_preview(struct http_request *req);
/* GET /ui/api/session/document/{documentId}/content[?version=original]: the file. */
void sign_page_handle_content(struct http_request *req);
/* POST /ui/api/session/app/enrol: starts (or shows again) the authenticator-app enrolment:
 * secret, otpauth URI, QR code (sign/page_app.h). */
void sign_page_handle_app_enrol(struct http_request *req);
/* POST /ui/api/session/app/confirm {"code": "123456"}: confirms the enrolment. */
void sign_page_handle_app_confirm(struct http_request *req);
/* POST /ui/api/session/passkey/options {"purpose": "REGISTER" | "SIGN"}: a WebAuthn challenge
 * and the options for navigator.credentials.create / get (sign/page_passkey.h). */
void sign_page_handle_passkey_options(struct http_request *req);
/* POST /ui/api/session/passkey/register {"id", "clientDataJSON", "attestationObject"}:
 * registers the signer's passkey. */
void sign_page_handle_passkey_register(struct http_request *req);
/* POST /ui/api/session/sign {"method": "CLICK" | "SMS" | "APP" | "PASSKEY", "code": "…",
 * "passkey": {…}, "image": "…" (base64 PNG: the drawn signature, when a box asks for one)}. */
void sign_page_handle_sign(struct http_request *req);
/* POST /ui/api/session/decline {"reason": "…"}. */
void sign_page_handle_decline(struct http_request *req);
/* POST /ui/api/session/registration: starts a registration of the Smart Registration Service
 * for the signer (sign/page_srs.h); {"url"} of the registration page, which leads back to
 * GET /ui/session once the registration is ACTIVE. */
void sign_page_handle_registration(struct http_request *req);
/* GET /ui/session: the signer page of the browser's session (its cookie), without the link;
 * where a registration started on the page returns to. 404 page without a session. */
void sign_page_handle_session_page(struct http_request *req);

#endif
