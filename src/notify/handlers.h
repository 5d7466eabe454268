/*
 * The dev outbox (docs/notify.md): GET /ui/outbox (web/pages/outbox.html) and its data
 * GET /ui/api/outbox, the newest messages kept because no gateway is configured (status DEV),
 * of every organization, with their text, links and codes. A developer's tool: served only
 * when the server runs with --dev-outbox or --demo and neither smtp-url nor sms-url is set;
 * otherwise both answer 404 RouteNotFound, as if they did not exist.
 */
#ifndef SIGNET_NOTIFY_HANDLERS_H
#define SIGNET_NOTIFY_HANDLERS_H

#include <stdbool.h>

struct config;
struct http_request;

/* How many messages the dev outbox lists. */
#define NOTIFY_OUTBOX_PAGE_LIMIT 50

/* True when cfg serves the dev outbox. */
bool notify_dev_outbox_enabled(const struct config *cfg);
void notify_handle_outbox_page(struct http_request *req);
void notify_handle_outbox_api(struct http_request *req);

#endif
