/*
 * application/x-www-form-urlencoded values (the OAuth token endpoint, auth/oauth.c; the eID
 * wallet's response, srs/eid_handlers.c).
 */
#ifndef SIGNET_HTTP_FORM_H
#define SIGNET_HTTP_FORM_H

#include <stddef.h>

/* The decoded s[0..len) ('+' is a space, %XX a byte), owned (free()); NULL when out of memory,
 * when a % escape is malformed, or when it decodes to a NUL byte. */
char *http_form_decode(const char *s, size_t len);

#endif
