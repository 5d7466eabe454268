/* The route table: every endpoint Signet serves, in one place (http/routes.c). */
#ifndef SIGNET_HTTP_ROUTES_H
#define SIGNET_HTTP_ROUTES_H

#include "http/router.h"

extern const struct route http_routes[];
extern const size_t http_routes_count;

#endif
