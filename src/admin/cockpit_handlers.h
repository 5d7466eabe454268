/*
 * HTTP handlers of the admin cockpit (/ui/admin, docs/cockpit.md): the page, sign-in and
 * sign-out, and the JSON API the page calls under /ui/admin/api/. They read the session cookie
 * and the CSRF header, answer the contract's Error object and call admin/cockpit.h, the
 * organization-admin functions of auth/org_admin.h and the Sign API's list/get/records
 * functions (sign/process.h) with the organization of the session — never one from the request.
 */
#ifndef SIGNET_ADMIN_COCKPIT_HANDLERS_H
#define SIGNET_ADMIN_COCKPIT_HANDLERS_H

struct http_request;

#define COCKPIT_COOKIE "signet_admin"

void cockpit_handle_page(struct http_request *req);
void cockpit_handle_login(struct http_request *req);
void cockpit_handle_logout(struct http_request *req);
void cockpit_handle_session(struct http_request *req);
void cockpit_handle_client_list(struct http_request *req);
void cockpit_handle_client_create(struct http_request *req);
void cockpit_handle_client_revoke(struct http_request *req);
void cockpit_handle_team_list(struct http_request *req);
void cockpit_handle_team_create(struct http_request *req);
void cockpit_handle_member_add(struct http_request *req);
void cockpit_handle_member_remove(struct http_request *req);
void cockpit_handle_process_list(struct http_request *req);
void cockpit_handle_process_get(struct http_request *req);
void cockpit_handle_totp_enrol(struct http_request *req);
void cockpit_handle_totp_confirm(struct http_request *req);

#endif
