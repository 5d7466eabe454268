/*
 * Helpers of the browser pages' JSON APIs (admin cockpit, person accounts, signer pages): a
 * cookie's value, bodies that are objects of string fields, and whether --public-url is https
 * (then cookies get Secure). Nothing allocated; out buffers are the caller's.
 */
#ifndef SIGNET_HTTP_PAGE_API_H
#define SIGNET_HTTP_PAGE_API_H

#include "http/request.h"

#include <stdbool.h>
#include <stddef.h>

/* The value of cookie `name` from the Cookie header into out ("" when absent or when it does
 * not fit in cap bytes). */
void http_cookie_get(struct http_request *req, const char *name, char *out, size_t cap);
/* True when --public-url is an https URL. */
bool http_public_https(struct http_request *req);
/* Checks that the JSON body (may be absent) is an object with only the given string fields
 * (NULL-terminated list) of at most max_len characters (null allowed); false after answering
 * 400 naming the bad field. */
bool http_body_string_fields(struct http_request *req, const char *const *names, size_t max_len);
/* A string field of the JSON body (NULL when absent or not a string). */
const char *http_body_string(struct http_request *req, const char *name);

#endif
