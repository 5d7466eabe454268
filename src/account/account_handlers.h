/*
 * HTTP handlers of person accounts (/ui/account, docs/accounts.md): the page and the JSON API
 * it calls under /ui/account/api/. They read the account cookie and the CSRF header, answer
 * the contract's Error object and call account/account.h.
 */
#ifndef SIGNET_ACCOUNT_ACCOUNT_HANDLERS_H
#define SIGNET_ACCOUNT_ACCOUNT_HANDLERS_H

struct http_request;

/* Path=/ui, so that the signer pages (/ui/sign, /ui/open, /ui/api) see it too. */
#define ACCOUNT_COOKIE "signet_account"

void account_handle_page(struct http_request *req);
void account_handle_create(struct http_request *req);
void account_handle_verify_email(struct http_request *req);
void account_handle_login(struct http_request *req);
void account_handle_logout(struct http_request *req);
void account_handle_session(struct http_request *req);
void account_handle_resend_email(struct http_request *req);
void account_handle_mobile(struct http_request *req);
void account_handle_mobile_verify(struct http_request *req);
void account_handle_password(struct http_request *req);

#endif
