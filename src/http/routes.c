#include "http/routes.h"

#include "account/account_handlers.h"
#include "admin/cockpit_handlers.h"
#include "auth/admin_api.h"
#include "auth/oauth.h"
#include "http/api_docs.h"
#include "http/system.h"
#include "http/web.h"
#include "notify/handlers.h"
#include "pki/handlers.h"
#include "pki/revocation_handlers.h"
#include "sign/attach_handlers.h"
#include "sign/handlers.h"
#include "sign/page_handlers.h"
#include "sign/release_handlers.h"
#include "sign/setup_page_handlers.h"
#include "sign/verify_handlers.h"
#include "srs/data_handlers.h"
#include "srs/eid_handlers.h"
#include "srs/handlers.h"
#include "srs/ra_handlers.h"

/* method, pattern, body, content type, auth, scope, handler */
const struct route http_routes[] = {
    {"GET", "/healthz", BODY_NONE, NULL, AUTH_NONE, NULL, system_handle_healthz},
    {"GET", "/metrics", BODY_NONE, NULL, AUTH_NONE, NULL, system_handle_metrics},
    /* OAuth 2.0 / OpenID Connect (auth/oauth.c) */
    {"POST", "/realms/{realm}/protocol/openid-connect/token", BODY_FORM, NULL, AUTH_NONE, NULL,
     oauth_handle_token},
    {"GET", "/realms/{realm}/protocol/openid-connect/certs", BODY_NONE, NULL, AUTH_NONE, NULL,
     oauth_handle_certs},
    {"GET", "/realms/{realm}/.well-known/openid-configuration", BODY_NONE, NULL, AUTH_NONE, NULL,
     oauth_handle_discovery},
    {"GET", "/realms/{realm}/protocol/openid-connect/userinfo", BODY_NONE, NULL, AUTH_BEARER, NULL,
     oauth_handle_userinfo},
    /* Sign API v2 processes (sign/handlers.c), relative to the integrator's base URL /system. */
    {"POST", "/system/api/process", BODY_JSON, NULL, AUTH_BEARER, "sswp:process:create",
     sign_handle_process_create},
    {"GET", "/system/api/process", BODY_NONE, NULL, AUTH_BEARER, "sswp:process:read:all",
     sign_handle_process_list},
    {"POST", "/system/api/process/{processId}/setup", BODY_JSON, NULL, AUTH_BEARER,
     "sswp:process:create", sign_handle_process_setup},
    {"GET", "/system/api/process/{processId}", BODY_NONE, NULL, AUTH_BEARER, "sswp:process:read",
     sign_handle_process_get},
    {"GET", "/system/api/process/{processId}/status", BODY_NONE, NULL, AUTH_BEARER,
     "sswp:process:read", sign_handle_process_status},
    {"GET", "/system/api/process/{processId}/record", BODY_NONE, NULL, AUTH_BEARER,
     "sswp:process:read", sign_handle_process_record},
    /* Sign API v2 documents (sign/attach_handlers.c). */
    {"POST", "/system/api/process/{processId}/attach", BODY_JSON, NULL, AUTH_BEARER,
     "sswp:process:create", sign_handle_process_attach},
    {"GET", "/system/api/process/{processId}/file/{fileId}", BODY_NONE, NULL, AUTH_BEARER,
     "sswp:process:read", sign_handle_file_get},
    {"GET", "/system/api/process/{processId}/file/{fileId}/content", BODY_NONE, NULL, AUTH_BEARER,
     "sswp:process:read", sign_handle_file_content},
    /* PKI (pki/handlers.c): CA certificates and the RFC 3161 time-stamping unit. */
    {"GET", "/pki/{file}", BODY_NONE, NULL, AUTH_NONE, NULL, pki_handle_cert_get},
    {"POST", "/tsa", BODY_RAW, "application/timestamp-query", AUTH_NONE, NULL, pki_handle_tsa},
    /* Revocation (pki/revocation_handlers.c): OCSP responder (RFC 6960) and CRLs. */
    {"POST", "/ocsp", BODY_RAW, "application/ocsp-request", AUTH_NONE, NULL, pki_handle_ocsp_post},
    {"GET", "/ocsp/*", BODY_NONE, NULL, AUTH_NONE, NULL, pki_handle_ocsp_get},
    {"GET", "/crl/{file}", BODY_NONE, NULL, AUTH_NONE, NULL, pki_handle_crl_get},
    /* Public signature verification (docs/verify.md): capped by max_body and a concurrency
     * limit, no token. */
    {"POST", "/system/api/verify", BODY_RAW, "application/pdf", AUTH_NONE, NULL,
     sign_handle_verify},
    /* Web pages (http/web.c, docs/web.md): one route per page, serving web/pages/{page}.html,
     * and their static files from web/static/. */
    {"GET", "/ui/verify", BODY_NONE, NULL, AUTH_NONE, NULL, web_handle_page},
    {"GET", "/ui/static/*", BODY_NONE, NULL, AUTH_NONE, NULL, web_handle_static},
    /* Signer pages (sign/page_handlers.c, docs/signer-pages.md): the participant links and
     * the page's JSON API, authenticated by the session cookie (and X-CSRF-Token on POST). */
    {"GET", "/ui/sign/{token}", BODY_NONE, NULL, AUTH_NONE, NULL, sign_page_handle_sign_link},
    {"GET", "/ui/open/{token}", BODY_NONE, NULL, AUTH_NONE, NULL, sign_page_handle_open_link},
    {"GET", "/ui/api/session", BODY_NONE, NULL, AUTH_NONE, NULL, sign_page_handle_state},
    {"POST", "/ui/api/session/code", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL,
     sign_page_handle_code},
    {"POST", "/ui/api/session/authorize", BODY_JSON, NULL, AUTH_NONE, NULL,
     sign_page_handle_authorize},
    {"GET", "/ui/api/session/document/{documentId}/page/{page}", BODY_NONE, NULL, AUTH_NONE, NULL,
     sign_page_handle_preview},
    {"GET", "/ui/api/session/document/{documentId}/content", BODY_NONE, NULL, AUTH_NONE, NULL,
     sign_page_handle_content},
    {"POST", "/ui/api/session/app/enrol", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL,
     sign_page_handle_app_enrol},
    {"POST", "/ui/api/session/app/confirm", BODY_JSON, NULL, AUTH_NONE, NULL,
     sign_page_handle_app_confirm},
    {"POST", "/ui/api/session/passkey/options", BODY_JSON, NULL, AUTH_NONE, NULL,
     sign_page_handle_passkey_options},
    {"POST", "/ui/api/session/passkey/register", BODY_JSON, NULL, AUTH_NONE, NULL,
     sign_page_handle_passkey_register},
    {"POST", "/ui/api/session/sign", BODY_JSON, NULL, AUTH_NONE, NULL, sign_page_handle_sign},
    {"POST", "/ui/api/session/decline", BODY_JSON, NULL, AUTH_NONE, NULL, sign_page_handle_decline},
    {"POST", "/ui/api/session/registration", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL,
     sign_page_handle_registration},
    {"GET", "/ui/session", BODY_NONE, NULL, AUTH_NONE, NULL, sign_page_handle_session_page},
    /* Setup page (sign/setup_page_handlers.c, docs/setup-page.md): the setup link and the
     * page's JSON API, authenticated by its own session cookie (and X-CSRF-Token on POST). */
    {"GET", "/ui/setup/{token}", BODY_NONE, NULL, AUTH_NONE, NULL, sign_setup_page_handle_link},
    {"GET", "/ui/api/setup", BODY_NONE, NULL, AUTH_NONE, NULL, sign_setup_page_handle_state},
    {"POST", "/ui/api/setup/signers", BODY_JSON, NULL, AUTH_NONE, NULL,
     sign_setup_page_handle_signers},
    {"POST", "/ui/api/setup/positions", BODY_JSON, NULL, AUTH_NONE, NULL,
     sign_setup_page_handle_positions},
    {"GET", "/ui/api/setup/document/{documentId}/page/{page}", BODY_NONE, NULL, AUTH_NONE, NULL,
     sign_setup_page_handle_preview},
    {"POST", "/ui/api/setup/release", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL,
     sign_setup_page_handle_release},
    /* Dev outbox (notify/handlers.c, docs/notify.md): only with --dev-outbox or --demo and no
     * SMTP/SMS gateway; 404 otherwise. */
    {"GET", "/ui/outbox", BODY_NONE, NULL, AUTH_NONE, NULL, notify_handle_outbox_page},
    {"GET", "/ui/api/outbox", BODY_NONE, NULL, AUTH_NONE, NULL, notify_handle_outbox_api},
    /* Our own description of the API (http/api_docs.c): OpenAPI document and its page. */
    {"GET", "/system/api-docs", BODY_NONE, NULL, AUTH_NONE, NULL, api_docs_handle_json},
    {"GET", "/system/api-docs.html", BODY_NONE, NULL, AUTH_NONE, NULL, api_docs_handle_html},
    {"GET", "/system/api-docs.js", BODY_NONE, NULL, AUTH_NONE, NULL, api_docs_handle_js},
    {"GET", "/system/api-docs.css", BODY_NONE, NULL, AUTH_NONE, NULL, api_docs_handle_css},
    /* Sign API v2 release and open (sign/release_handlers.c). */
    {"POST", "/system/api/process/{processId}/release", BODY_JSON_OPTIONAL, NULL, AUTH_BEARER,
     "sswp:process:create", sign_handle_process_release},
    {"POST", "/system/api/process/{processId}/open/{personId}", BODY_JSON, NULL, AUTH_BEARER,
     "sswp:process:read", sign_handle_process_open},
    /* Admin cockpit (admin/cockpit_handlers.c, docs/cockpit.md): organization admins' page;
     * its API checks the session cookie, and the X-CSRF-Token header on every POST. */
    {"GET", "/ui/admin", BODY_NONE, NULL, AUTH_NONE, NULL, cockpit_handle_page},
    {"POST", "/ui/admin/api/login", BODY_JSON, NULL, AUTH_NONE, NULL, cockpit_handle_login},
    {"POST", "/ui/admin/api/logout", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL,
     cockpit_handle_logout},
    {"GET", "/ui/admin/api/session", BODY_NONE, NULL, AUTH_NONE, NULL, cockpit_handle_session},
    {"GET", "/ui/admin/api/clients", BODY_NONE, NULL, AUTH_NONE, NULL, cockpit_handle_client_list},
    {"POST", "/ui/admin/api/clients", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL,
     cockpit_handle_client_create},
    {"POST", "/ui/admin/api/clients/{clientId}/revoke", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL,
     cockpit_handle_client_revoke},
    {"GET", "/ui/admin/api/teams", BODY_NONE, NULL, AUTH_NONE, NULL, cockpit_handle_team_list},
    {"POST", "/ui/admin/api/teams", BODY_JSON, NULL, AUTH_NONE, NULL, cockpit_handle_team_create},
    {"POST", "/ui/admin/api/teams/{teamId}/members", BODY_JSON, NULL, AUTH_NONE, NULL,
     cockpit_handle_member_add},
    {"POST", "/ui/admin/api/teams/{teamId}/members/remove", BODY_JSON, NULL, AUTH_NONE, NULL,
     cockpit_handle_member_remove},
    {"GET", "/ui/admin/api/processes", BODY_NONE, NULL, AUTH_NONE, NULL,
     cockpit_handle_process_list},
    {"GET", "/ui/admin/api/processes/{processId}", BODY_NONE, NULL, AUTH_NONE, NULL,
     cockpit_handle_process_get},
    {"POST", "/ui/admin/api/totp/enrol", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL,
     cockpit_handle_totp_enrol},
    {"POST", "/ui/admin/api/totp/confirm", BODY_JSON, NULL, AUTH_NONE, NULL,
     cockpit_handle_totp_confirm},
    /* Person accounts of signers (account/account_handlers.c, docs/accounts.md): the page; its
     * API checks the account cookie, and the X-CSRF-Token header on every POST but the three
     * without a session (create, verify-email: the link's token, login). */
    {"GET", "/ui/account", BODY_NONE, NULL, AUTH_NONE, NULL, account_handle_page},
    {"POST", "/ui/account/api/create", BODY_JSON, NULL, AUTH_NONE, NULL, account_handle_create},
    {"POST", "/ui/account/api/verify-email", BODY_JSON, NULL, AUTH_NONE, NULL,
     account_handle_verify_email},
    {"POST", "/ui/account/api/login", BODY_JSON, NULL, AUTH_NONE, NULL, account_handle_login},
    {"POST", "/ui/account/api/logout", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL,
     account_handle_logout},
    {"GET", "/ui/account/api/session", BODY_NONE, NULL, AUTH_NONE, NULL, account_handle_session},
    {"POST", "/ui/account/api/email/resend", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL,
     account_handle_resend_email},
    {"POST", "/ui/account/api/mobile", BODY_JSON, NULL, AUTH_NONE, NULL, account_handle_mobile},
    {"POST", "/ui/account/api/mobile/verify", BODY_JSON, NULL, AUTH_NONE, NULL,
     account_handle_mobile_verify},
    {"POST", "/ui/account/api/password", BODY_JSON, NULL, AUTH_NONE, NULL, account_handle_password},
    /* Smart Registration Service (srs/handlers.c, docs/srs.md): the service providers' API,
     * the partners' HMAC-authenticated callbacks, the end customer's pages (the link token is
     * the credential) and the video simulator partner's pages. */
    {"GET", "/srs/v1/methods", BODY_NONE, NULL, AUTH_BEARER, NULL, srs_handle_methods},
    {"POST", "/srs/v1/registrations", BODY_JSON, NULL, AUTH_BEARER, "srs:registration:create",
     srs_handle_registration_create},
    {"GET", "/srs/v1/registrations", BODY_NONE, NULL, AUTH_BEARER, "srs:registration:read",
     srs_handle_registration_list},
    {"GET", "/srs/v1/registrations/{registrationId}", BODY_NONE, NULL, AUTH_BEARER,
     "srs:registration:read", srs_handle_registration_get},
    {"POST", "/srs/v1/registrations/{registrationId}/revoke", BODY_JSON_OPTIONAL, NULL, AUTH_BEARER,
     "srs:registration:create", srs_handle_registration_revoke},
    {"GET", "/srs/v1/registrations/{registrationId}/evidence", BODY_NONE, NULL, AUTH_BEARER,
     "srs:identity:read", srs_handle_evidence},
    {"GET", "/srs/v1/registrations/{registrationId}/export", BODY_NONE, NULL, AUTH_BEARER,
     "srs:identity:read", srs_handle_person_export},
    {"DELETE", "/srs/v1/registrations/{registrationId}/personal-data", BODY_NONE, NULL, AUTH_BEARER,
     "srs:identity:delete", srs_handle_person_delete},
    {"POST", "/srs/partner/v1/{connector}/callback", BODY_RAW, "application/json", AUTH_NONE, NULL,
     srs_handle_partner_callback},
    {"GET", "/srs/r/{token}", BODY_NONE, NULL, AUTH_NONE, NULL, srs_handle_link_page},
    {"GET", "/srs/r/{token}/state", BODY_NONE, NULL, AUTH_NONE, NULL, srs_handle_link_state},
    {"POST", "/srs/r/{token}/start", BODY_JSON, NULL, AUTH_NONE, NULL, srs_handle_link_start},
    {"POST", "/srs/r/{token}/code", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL,
     srs_handle_link_code},
    {"POST", "/srs/r/{token}/verify", BODY_JSON, NULL, AUTH_NONE, NULL, srs_handle_link_verify},
    {"GET", "/srs/terms/{token}", BODY_NONE, NULL, AUTH_NONE, NULL, srs_handle_terms_page},
    {"GET", "/srs/terms/{token}/state", BODY_NONE, NULL, AUTH_NONE, NULL, srs_handle_terms_state},
    {"POST", "/srs/terms/{token}/accept", BODY_JSON, NULL, AUTH_NONE, NULL,
     srs_handle_terms_accept},
    {"POST", "/srs/terms/{token}/consent", BODY_JSON, NULL, AUTH_NONE, NULL,
     srs_handle_terms_consent},
    {"GET", "/srs/sim/video/{order}", BODY_NONE, NULL, AUTH_NONE, NULL, srs_handle_sim_page},
    {"GET", "/srs/sim/video/{order}/state", BODY_NONE, NULL, AUTH_NONE, NULL, srs_handle_sim_state},
    {"POST", "/srs/sim/video/{order}/decide", BODY_JSON, NULL, AUTH_NONE, NULL,
     srs_handle_sim_decide},
    {"GET", "/srs/sim/bank/{order}", BODY_NONE, NULL, AUTH_NONE, NULL, srs_handle_bank_sim_page},
    {"GET", "/srs/sim/bank/{order}/state", BODY_NONE, NULL, AUTH_NONE, NULL,
     srs_handle_bank_sim_state},
    {"POST", "/srs/sim/bank/{order}/confirm", BODY_JSON, NULL, AUTH_NONE, NULL,
     srs_handle_bank_sim_confirm},
    /* eID (srs/eid_handlers.c): the customer's page, the wallet's OpenID4VP endpoints. */
    {"GET", "/srs/eid/{order}", BODY_NONE, NULL, AUTH_NONE, NULL, srs_handle_eid_page},
    {"GET", "/srs/eid/{order}/state", BODY_NONE, NULL, AUTH_NONE, NULL, srs_handle_eid_state},
    {"POST", "/srs/eid/{order}/request", BODY_JSON, NULL, AUTH_NONE, NULL, srs_handle_eid_request},
    {"GET", "/srs/openid4vp/request/{token}", BODY_NONE, NULL, AUTH_NONE, NULL,
     srs_handle_eid_request_object},
    {"POST", "/srs/openid4vp/response", BODY_FORM, NULL, AUTH_NONE, NULL, srs_handle_eid_response},
    /* SRS Direct (srs/ra_handlers.c, docs/ra.md): the end customer's reference code page and
     * the RA agents' app; its API checks the agent cookie, and X-CSRF-Token on every POST but
     * the sign-in. */
    {"GET", "/srs/ra/{order}", BODY_NONE, NULL, AUTH_NONE, NULL, ra_handle_visit_page},
    {"GET", "/srs/ra/{order}/state", BODY_NONE, NULL, AUTH_NONE, NULL, ra_handle_visit_state},
    {"GET", "/ui/ra", BODY_NONE, NULL, AUTH_NONE, NULL, ra_handle_page},
    {"POST", "/ui/ra/api/login", BODY_JSON, NULL, AUTH_NONE, NULL, ra_handle_login},
    {"POST", "/ui/ra/api/logout", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL, ra_handle_logout},
    {"GET", "/ui/ra/api/session", BODY_NONE, NULL, AUTH_NONE, NULL, ra_handle_session},
    {"POST", "/ui/ra/api/point", BODY_JSON, NULL, AUTH_NONE, NULL, ra_handle_point_pick},
    {"POST", "/ui/ra/api/points", BODY_JSON, NULL, AUTH_NONE, NULL, ra_handle_point_create},
    {"POST", "/ui/ra/api/agents", BODY_JSON, NULL, AUTH_NONE, NULL, ra_handle_agent_create},
    {"POST", "/ui/ra/api/cases", BODY_JSON, NULL, AUTH_NONE, NULL, ra_handle_case_open},
    {"GET", "/ui/ra/api/cases/pending", BODY_NONE, NULL, AUTH_NONE, NULL, ra_handle_case_pending},
    {"GET", "/ui/ra/api/cases/{caseId}", BODY_NONE, NULL, AUTH_NONE, NULL, ra_handle_case_get},
    {"POST", "/ui/ra/api/cases/{caseId}/document", BODY_JSON, NULL, AUTH_NONE, NULL,
     ra_handle_case_document},
    {"POST", "/ui/ra/api/cases/{caseId}/photo", BODY_RAW, NULL, AUTH_NONE, NULL,
     ra_handle_case_photo},
    {"GET", "/ui/ra/api/cases/{caseId}/photo", BODY_NONE, NULL, AUTH_NONE, NULL,
     ra_handle_case_photo_get},
    {"POST", "/ui/ra/api/cases/{caseId}/submit", BODY_JSON, NULL, AUTH_NONE, NULL,
     ra_handle_case_submit},
    {"POST", "/ui/ra/api/cases/{caseId}/approve", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL,
     ra_handle_case_approve},
    {"POST", "/ui/ra/api/cases/{caseId}/code", BODY_JSON_OPTIONAL, NULL, AUTH_NONE, NULL,
     ra_handle_case_code},
    {"POST", "/ui/ra/api/cases/{caseId}/verify", BODY_JSON, NULL, AUTH_NONE, NULL,
     ra_handle_case_verify},
    /* Admin API (auth/admin_api.c), protected by an operator or organization-admin key. */
    {"GET", "/admin/v1/organizations", BODY_NONE, NULL, AUTH_ADMIN, NULL, admin_handle_org_list},
    {"POST", "/admin/v1/organizations", BODY_JSON, NULL, AUTH_ADMIN, NULL, admin_handle_org_create},
    {"GET", "/admin/v1/organizations/{organizationId}/clients", BODY_NONE, NULL, AUTH_ADMIN, NULL,
     admin_handle_client_list},
    {"POST", "/admin/v1/organizations/{organizationId}/clients", BODY_JSON_OPTIONAL, NULL,
     AUTH_ADMIN, NULL, admin_handle_client_create},
    {"GET", "/admin/v1/organizations/{organizationId}/teams", BODY_NONE, NULL, AUTH_ADMIN, NULL,
     admin_handle_team_list},
    {"POST", "/admin/v1/organizations/{organizationId}/teams", BODY_JSON, NULL, AUTH_ADMIN, NULL,
     admin_handle_team_create},
    {"POST", "/admin/v1/clients/{clientId}/revoke", BODY_NONE, NULL, AUTH_ADMIN, NULL,
     admin_handle_client_revoke},
    {"POST", "/admin/v1/organizations/{organizationId}/clients/{clientId}/revoke", BODY_NONE, NULL,
     AUTH_ADMIN, NULL, admin_handle_client_revoke},
    /* Organization admins (operator only): keys bound to one ORGANIZATION-type organization. */
    {"GET", "/admin/v1/organizations/{organizationId}/admins", BODY_NONE, NULL, AUTH_ADMIN, NULL,
     admin_handle_org_admin_list},
    {"POST", "/admin/v1/organizations/{organizationId}/admins", BODY_JSON_OPTIONAL, NULL,
     AUTH_ADMIN, NULL, admin_handle_org_admin_create},
    {"POST", "/admin/v1/organizations/{organizationId}/admins/{adminId}/revoke", BODY_NONE, NULL,
     AUTH_ADMIN, NULL, admin_handle_org_admin_revoke},
};

const size_t http_routes_count = sizeof http_routes / sizeof http_routes[0];
