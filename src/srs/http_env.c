/*
 * The SRS handlers' request environment and result mapping (see srs/http_env.h).
 */
#include "srs/http_env.h"

#include "app.h"
#include "core/config.h"
#include "core/log.h"
#include "core/masterkey.h"
#include "http/request.h"
#include "pki/service.h"
#include "srs/catalogue.h"

bool srs_http_env(struct http_request *req, unsigned char mk[CRYPTO_KEY_LEN], struct srs_env *env)
{
    char err[256];
    const struct config *cfg = req->app->cfg;
    *env = (struct srs_env){.store = req->app->store,
                            .cfg = cfg,
                            .master_key = mk,
                            .ca = pki_service_ca(req->app->pki),
                            .public_url = cfg->public_url};
    env->catalogue = srs_catalogue_get(cfg, err, sizeof err);
    if (!env->catalogue) {
        http_reply_error(req, ERR_INTERNAL, "The methods catalogue is not usable: %s", err);
        return false;
    }
    if (!masterkey_load(cfg, mk, err, sizeof err)) {
        log_error("srs: %s", err);
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "Not possible now; try again.");
        return false;
    }
    return true;
}

void srs_http_reply_result(struct http_request *req, enum srs_result res, const char *err)
{
    static const enum err_kind kinds[] = {
        [SRS_R_OK] = ERR_INTERNAL,
        [SRS_R_INVALID] = ERR_VALIDATION,
        [SRS_R_NOT_FOUND] = ERR_NOT_FOUND,
        [SRS_R_CONFLICT] = ERR_CONFLICT,
        [SRS_R_GONE] = ERR_GONE,
        [SRS_R_UNAUTHORIZED] = ERR_UNAUTHORIZED,
        [SRS_R_TOO_MANY] = ERR_TOO_MANY_REQUESTS,
        [SRS_R_UNAVAILABLE] = ERR_STORE_UNAVAILABLE,
        [SRS_R_FORBIDDEN] = ERR_FORBIDDEN,
    };
    const char *fallback = res == SRS_R_NOT_FOUND     ? "No such registration."
                           : res == SRS_R_UNAVAILABLE ? "Not possible now; try again."
                                                      : "The request cannot be done.";
    http_reply_error(req, kinds[res], "%s", err && err[0] ? err : fallback);
}

void srs_http_reply_order_state(struct http_request *req, struct store_srs_registration *r)
{
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:b}", "status", r->status, "jurisdiction", r->jurisdiction,
                  "level", r->level, "decided", r->callback_digest[0] != '\0');
    store_srs_registration_clear(r);
    http_reply_json(req, 200, j);
}
