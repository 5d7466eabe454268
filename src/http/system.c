#include "http/system.h"

#include "app.h"
#include "core/isotime.h"
#include "http/metrics.h"
#include "http/request.h"
#include "store/store.h"

void system_handle_healthz(struct http_request *req)
{
    enum store_status st = store_ping(req->app->store);
    if (st != STORE_OK) {
        http_reply_error(req, ERR_STORE_UNAVAILABLE,
                         "The %s store does not answer; retry later.",
                         store_backend_name(req->app->store));
        return;
    }
    json_t *body = json_pack("{s:s, s:s, s:{s:s}, s:I}", "status", "ok", "version",
                             SIGNET_VERSION, "checks", store_backend_name(req->app->store), "ok",
                             "uptimeSeconds",
                             (json_int_t)((time_now_ms() - req->app->started_ms) / 1000));
    http_reply_json(req, 200, body);
}

void system_handle_metrics(struct http_request *req)
{
    struct buf out;
    buf_init(&out, 16 * 1024 * 1024);
    metrics_render(req->app->metrics, &out);
    size_t len;
    char *text = buf_steal(&out, &len);
    if (!text) {
        http_reply_error(req, ERR_INTERNAL, "Out of memory.");
        return;
    }
    http_reply_owned(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}
