#include "http/routes.h"

#include "http/system.h"

/* method, pattern, body, content type, auth, scope, handler */
const struct route http_routes[] = {
    {"GET", "/healthz", BODY_NONE, NULL, AUTH_NONE, NULL, system_handle_healthz},
    {"GET", "/metrics", BODY_NONE, NULL, AUTH_NONE, NULL, system_handle_metrics},
};

const size_t http_routes_count = sizeof http_routes / sizeof http_routes[0];
