#include "http/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>

static const int64_t bucket_us[] = {250,   500,    1000,   2500,   5000,    10000,  25000,
                                    50000, 100000, 250000, 500000, 1000000, 2500000, 10000000};
#define N_BUCKETS (sizeof bucket_us / sizeof bucket_us[0])
#define N_STATUS  600

struct metrics {
    const struct route *routes;
    size_t n_routes;
    atomic_llong *by_status; /* (n_routes + 1) * N_STATUS */
    atomic_llong buckets[N_BUCKETS + 1];
    atomic_llong sum_us;
    atomic_llong count;
    atomic_llong in_flight;
};

struct metrics *metrics_new(const struct route *routes, size_t n_routes)
{
    struct metrics *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->routes = routes;
    m->n_routes = n_routes;
    m->by_status = calloc((n_routes + 1) * N_STATUS, sizeof *m->by_status);
    if (!m->by_status) {
        free(m);
        return NULL;
    }
    return m;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    free(m->by_status);
    free(m);
}

void metrics_request_started(struct metrics *m)
{
    atomic_fetch_add(&m->in_flight, 1);
}

int64_t metrics_in_flight(struct metrics *m)
{
    return atomic_load(&m->in_flight);
}

void metrics_request_finished(struct metrics *m, size_t route_index, unsigned status,
                              int64_t micros)
{
    if (route_index > m->n_routes)
        route_index = m->n_routes;
    if (status >= N_STATUS)
        status = 500;
    atomic_fetch_add(&m->by_status[route_index * N_STATUS + status], 1);
    size_t b = 0;
    while (b < N_BUCKETS && micros > bucket_us[b])
        b++;
    atomic_fetch_add(&m->buckets[b], 1);
    atomic_fetch_add(&m->sum_us, micros);
    atomic_fetch_add(&m->count, 1);
    atomic_fetch_sub(&m->in_flight, 1);
}

void metrics_render(struct metrics *m, struct buf *out)
{
    buf_append_str(out, "# HELP signet_http_requests_total HTTP requests answered, by route, "
                        "method and status.\n# TYPE signet_http_requests_total counter\n");
    for (size_t r = 0; r <= m->n_routes; r++) {
        const char *pattern = r < m->n_routes ? m->routes[r].pattern : "unmatched";
        const char *method = r < m->n_routes ? m->routes[r].method : "any";
        for (unsigned s = 100; s < N_STATUS; s++) {
            long long v = atomic_load(&m->by_status[r * N_STATUS + s]);
            if (v)
                buf_appendf(out,
                            "signet_http_requests_total{route=\"%s\",method=\"%s\",status=\"%u\"} "
                            "%lld\n",
                            pattern, method, s, v);
        }
    }
    buf_append_str(out, "# HELP signet_http_request_duration_seconds Time from the first byte "
                        "of a request to its response.\n"
                        "# TYPE signet_http_request_duration_seconds histogram\n");
    long long cum = 0;
    for (size_t b = 0; b < N_BUCKETS; b++) {
        cum += atomic_load(&m->buckets[b]);
        buf_appendf(out, "signet_http_request_duration_seconds_bucket{le=\"%g\"} %lld\n",
                    (double)bucket_us[b] / 1e6, cum);
    }
    cum += atomic_load(&m->buckets[N_BUCKETS]);
    buf_appendf(out, "signet_http_request_duration_seconds_bucket{le=\"+Inf\"} %lld\n", cum);
    buf_appendf(out, "signet_http_request_duration_seconds_sum %.6f\n",
                (double)atomic_load(&m->sum_us) / 1e6);
    buf_appendf(out, "signet_http_request_duration_seconds_count %lld\n",
                (long long)atomic_load(&m->count));
    buf_appendf(out, "# HELP signet_http_requests_in_flight Requests being handled now.\n"
                     "# TYPE signet_http_requests_in_flight gauge\n"
                     "signet_http_requests_in_flight %lld\n",
                (long long)atomic_load(&m->in_flight));
}
