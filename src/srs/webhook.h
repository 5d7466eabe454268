/*
 * Delivery of SRS webhooks (docs/srs.md): the "srs-webhooks" job claims the due webhooks that
 * status changes queued (srs/registration.c, same transaction as the change) and POSTs each
 * body to the registration's webhookUrl with "X-Signet-Signature: sha256=HEX", HMAC-SHA256 of
 * the body keyed with the registration's webhookSecret (the hex string given at creation).
 * A 2xx answer is SENT; anything else is retried with the notify backoff until
 * --notify-max-attempts, then FAILED.
 */
#ifndef SIGNET_SRS_WEBHOOK_H
#define SIGNET_SRS_WEBHOOK_H

#include "jobs/jobs.h"

#include <stdatomic.h>
#include <stdint.h>

struct store;
struct config;

/* The job (struct jobs_kind run). */
void srs_webhooks_run(struct store *s, const struct config *cfg, int64_t as_of, const char *trigger,
                      const atomic_bool *stop, struct jobs_outcome *out);

#endif
