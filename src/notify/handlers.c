/*
 * The dev outbox page and its JSON (see notify/handlers.h).
 */
#include "notify/handlers.h"

#include "app.h"
#include "core/config.h"
#include "core/isotime.h"
#include "http/request.h"
#include "http/web.h"
#include "store/outbox.h"

#include <stdlib.h>

bool notify_dev_outbox_enabled(const struct config *cfg)
{
    return (cfg->dev_outbox || cfg->demo) && !cfg->smtp_url[0] && !cfg->sms_url[0];
}

static bool refuse_unless_enabled(struct http_request *req)
{
    if (notify_dev_outbox_enabled(req->app->cfg))
        return false;
    http_reply_error(req, ERR_ROUTE_NOT_FOUND,
                     "No resource at %s. Check the URL against the API documentation.", req->path);
    return true;
}

void notify_handle_outbox_page(struct http_request *req)
{
    if (!refuse_unless_enabled(req))
        web_reply_embedded(req, "pages/outbox.html");
}

struct list_op {
    struct store_outbox *m;
    size_t n;
};

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct list_op *op = cls;
    free(op->m);
    op->m = NULL;
    return store_outbox_list_recent(tx, "DEV", NOTIFY_OUTBOX_PAGE_LIMIT, &op->m, &op->n);
}

static json_t *opt_string(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

void notify_handle_outbox_api(struct http_request *req)
{
    if (refuse_unless_enabled(req))
        return;
    struct list_op op = {0};
    enum store_status st = store_run(req->app->store, STORE_READ, list_tx, &op);
    if (st != STORE_OK) {
        free(op.m);
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The outbox cannot be read; try again.");
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < op.n; i++) {
        const struct store_outbox *m = &op.m[i];
        char created[ISO_DATETIME_LEN];
        iso_format_datetime(m->created_at, false, created);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", m->id,
                              "createdAt", created, "kind", m->kind, "channel", m->channel,
                              "recipient", m->recipient, "subject", m->subject, "body", m->body,
                              "locale", m->locale, "organizationId", m->organization_id);
        if (o) {
            json_object_set_new(o, "processId", opt_string(m->process_id));
            json_object_set_new(o, "participantId", opt_string(m->participant_id));
        }
        json_array_append_new(arr, o);
    }
    free(op.m);
    json_t *body = arr ? json_pack("{s:o}", "messages", arr) : NULL;
    if (!body) {
        http_reply_error(req, ERR_INTERNAL, "The outbox could not be listed.");
        return;
    }
    http_reply_json(req, 200, body);
}
