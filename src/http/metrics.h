/*
 * Request metrics, exported in the Prometheus text format at GET /metrics: requests by route,
 * method and status, a latency histogram, and requests in flight. Lock-free (atomics).
 * Ownership: metrics_new returns an object freed with metrics_free.
 */
#ifndef SIGNET_HTTP_METRICS_H
#define SIGNET_HTTP_METRICS_H

#include "core/buf.h"
#include "http/router.h"

#include <stdint.h>

struct metrics;

/* Counters for n_routes routes of `routes` (kept by reference), plus one for unmatched. */
struct metrics *metrics_new(const struct route *routes, size_t n_routes);
void metrics_free(struct metrics *m);
void metrics_request_started(struct metrics *m);
/* Once per request, when its answer is queued (http/reply.c) or, for a request never
 * answered, when it ends; it then no longer counts as in flight.
 * route_index: index in the table, or SIZE_MAX for an unmatched request. */
void metrics_request_finished(struct metrics *m, size_t route_index, unsigned status,
                              int64_t micros);
int64_t metrics_in_flight(struct metrics *m);
/* Appends the text exposition to out. */
void metrics_render(struct metrics *m, struct buf *out);

#endif
