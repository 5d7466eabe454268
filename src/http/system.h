/* Operational endpoints: GET /healthz (liveness and readiness: checks the store) and
 * GET /metrics (Prometheus text format). */
#ifndef SIGNET_HTTP_SYSTEM_H
#define SIGNET_HTTP_SYSTEM_H

struct http_request;

void system_handle_healthz(struct http_request *req);
void system_handle_metrics(struct http_request *req);

#endif
