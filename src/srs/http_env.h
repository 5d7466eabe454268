/*
 * What the SRS HTTP handlers share around their calls into the domain (srs/registration.h):
 * the request's registration environment with the master key loaded, the srs_result → Error
 * object mapping, and the order state that the simulators' pages and the eID page poll. Used
 * by srs/handlers.c, eid_handlers.c, data_handlers.c and ra_handlers.c (the RA handlers map
 * their own enum ra_result).
 */
#ifndef SIGNET_SRS_HTTP_ENV_H
#define SIGNET_SRS_HTTP_ENV_H

#include "core/crypto.h"
#include "srs/registration.h"

#include <stdbool.h>

struct http_request;

/* Fills *env for req (store, configuration, CA, public URL, catalogue) and loads the master key
 * into mk (the caller's buffer, which env->master_key points to; wipe it after use). False when
 * answered: 500 when the methods catalogue is not usable, 503 when the key cannot be read. */
bool srs_http_env(struct http_request *req, unsigned char mk[CRYPTO_KEY_LEN], struct srs_env *env);

/* Answers res (not SRS_R_OK) with its Error object: err when set and non-empty, else a generic
 * message for the kind. */
void srs_http_reply_result(struct http_request *req, enum srs_result res, const char *err);

/* Answers 200 with the state of the identification order r shows to the partner's page (status,
 * jurisdiction, level, decided) and clears *r. */
void srs_http_reply_order_state(struct http_request *req, struct store_srs_registration *r);

#endif
