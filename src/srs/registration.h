/*
 * Registrations of the Smart Registration Service (issue 7, docs/srs.md): the status machine,
 * the service provider's operations (create, read, list, revoke, identity and evidence reads),
 * the partner callback, and the end customer's steps (method choice, mobile verification by
 * one-time code, terms of use). Every change is one store transaction that also writes the
 * audit record and, when the registration has a webhookUrl, the webhook of the new status.
 *
 * Personal data at rest: each registration has its own random data key, stored only wrapped
 * (AES-256-GCM) by the key-encryption key derived from the master key; prefill, identity
 * (verified_claims) and the evidence package (CMS signed by the registration authority) are
 * sealed with the data key, the record id as AAD. The verified mobile number is kept only as
 * an HMAC lookup value.
 *
 * Ownership: struct srs_env borrows everything. Outputs documented per function.
 */
#ifndef SIGNET_SRS_REGISTRATION_H
#define SIGNET_SRS_REGISTRATION_H

#include "store/srs.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct pki_ca;
struct srs_catalogue;

#define SRS_OPEN              "OPEN"
#define SRS_IN_IDENTIFICATION "IN_IDENTIFICATION"
#define SRS_AWAITING_TERMS    "AWAITING_TERMS"
#define SRS_ACTIVE            "ACTIVE"
#define SRS_REJECTED          "REJECTED"
#define SRS_EXPIRED           "EXPIRED"
#define SRS_REVOKED           "REVOKED"

#define SRS_TOKEN_LEN         44 /* base64url of 32 random bytes + NUL */
#define SRS_LINK_TTL_MS       ((int64_t)14 * 24 * 3600 * 1000)
#define SRS_CODE_TTL_MS       ((int64_t)10 * 60 * 1000)
#define SRS_CODE_MAX_ATTEMPTS 5
#define SRS_CODES_PER_HOUR    5
#define SRS_TERMS_LINK_TTL_MS ((int64_t)24 * 3600 * 1000)

struct srs_env {
    struct store *store;
    const struct config *cfg;
    const unsigned char *master_key; /* 32 bytes */
    const struct pki_ca *ca;         /* for the RA signature; NULL: PKI not ready */
    const struct srs_catalogue *catalogue;
    const char *public_url;
};

enum srs_result {
    SRS_R_OK = 0,
    SRS_R_INVALID,      /* the request is wrong: err says what */
    SRS_R_NOT_FOUND,    /* no such registration (for this organization / token) */
    SRS_R_CONFLICT,     /* the status does not allow it */
    SRS_R_GONE,         /* the link or code expired */
    SRS_R_UNAUTHORIZED, /* bad callback signature */
    SRS_R_TOO_MANY,     /* code sends capped, or too many wrong codes */
    SRS_R_UNAVAILABLE,  /* store/PKI failure (logged) */
    SRS_R_FORBIDDEN,    /* the person did not consent to sharing identity data */
};

/* True when a registration may go from one status to another. */
bool srs_status_allows(const char *from, const char *to);

/* What a service provider asks for (strings borrowed; person may be NULL). */
struct srs_create_request {
    const json_t *methods; /* array of method ids */
    const char *jurisdiction;
    const char *level;
    const json_t *person; /* optional prefill */
    const char *redirect_url;
    const char *webhook_url;
    const char *external_identifier;
};

/* Creates a registration; *out filled (clear with store_srs_registration_clear), token the
 * end customer's link token (only returned here). */
enum srs_result srs_registration_create(const struct srs_env *env, const char *organization_id,
                                        const char *actor, const struct srs_create_request *rq,
                                        struct store_srs_registration *out,
                                        char token[SRS_TOKEN_LEN], char *err, size_t err_len);
enum srs_result srs_registration_get(const struct srs_env *env, const char *organization_id,
                                     const char *id, struct store_srs_registration *out);
/* *out owned: clear each element, then free(). */
enum srs_result srs_registration_list(const struct srs_env *env, const char *organization_id,
                                      size_t limit, struct store_srs_registration **out, size_t *n);
enum srs_result srs_registration_revoke(const struct srs_env *env, const char *organization_id,
                                        const char *id, const char *actor,
                                        struct store_srs_registration *out);

/* The API representation (owned). url: the end customer's URL (only at creation) or NULL. */
json_t *srs_registration_json(const struct store_srs_registration *r, const char *url);
/* The HMAC key of r's webhooks, as hex (the service provider gets it at creation). */
bool srs_webhook_secret_hex(const struct srs_env *env, const char *registration_id, char out[65]);

/* OpenID Identity Assurance {"verified_claims": …} of an identified registration (owned in
 * *out), the read audited as IDENTITY_READ by actor. CONFLICT when not identified. */
enum srs_result srs_identity_read(const struct srs_env *env, const char *organization_id,
                                  const char *id, const char *actor, json_t **out);
/* The same for the service provider (GET registration): only with the person's consent
 * (docs/srs.md "Consent"); without it FORBIDDEN and the refusal audited as
 * IDENTITY_READ_REFUSED. srs_identity_read itself is for Signet's own use (signing). */
enum srs_result srs_identity_share(const struct srs_env *env, const char *organization_id,
                                   const char *id, const char *actor, json_t **out);
/* The signed evidence package (CMS DER, owned in *out) for the service provider, audited as
 * EVIDENCE_READ; only with the person's consent: else FORBIDDEN, audited as
 * EVIDENCE_READ_REFUSED. */
enum srs_result srs_evidence_read(const struct srs_env *env, const char *organization_id,
                                  const char *id, const char *actor, unsigned char **out,
                                  size_t *len);

/* A partner's callback for connector: authenticity, then the result applied once. A replay
 * of the accepted body answers OK without a change; *out the registration afterwards. */
enum srs_result srs_partner_callback(const struct srs_env *env, const char *connector,
                                     const void *body, size_t len, const char *signature,
                                     struct store_srs_registration *out, char *err, size_t err_len);
/* Applies a partner result that was authenticated another way (the eID verifier checks a
 * wallet's presentation itself): once per order, digest (SHA-256 hex of what was received)
 * recognising a replay; otherwise as srs_partner_callback. */
struct srs_partner_result;
enum srs_result srs_partner_apply(const struct srs_env *env, const char *connector,
                                  const struct srs_partner_result *result, const char *digest,
                                  struct store_srs_registration *out, char *err, size_t err_len);
/* The HMAC secret shared with connector's partner (32 bytes, or the configured one). */
bool srs_partner_secret(const struct srs_env *env, const char *connector, unsigned char *out,
                        size_t out_cap, size_t *len);
/* The registration whose partner order is order_id (the simulator's page). */
enum srs_result srs_order_get(const struct srs_env *env, const char *order_id,
                              struct store_srs_registration *out);
/* The service provider's person prefill of r (owned in *out; NULL when there is none). The
 * bank simulator shows the holder's name and IBAN from it. */
enum srs_result srs_order_prefill(const struct srs_env *env, const struct store_srs_registration *r,
                                  json_t **out);

/* ---- the end customer's link (/srs/r/{token}) ---- */

/* The registration of a link token (EXPIRED first when the link has expired). */
enum srs_result srs_link_get(const struct srs_env *env, const char *token,
                             struct store_srs_registration *out);
/* Chooses one of the offered methods and opens the partner order: url gets where to go. */
enum srs_result srs_link_start(const struct srs_env *env, const char *token, const char *method,
                               char *url, size_t url_len, char *err, size_t err_len);
/* Sends a one-time code by SMS to the verified mobile number (AWAITING_TERMS). */
enum srs_result srs_link_send_code(const struct srs_env *env, const char *token, char *err,
                                   size_t err_len);
/* Checks the code; on success sends the SMS with the terms-of-use link. */
enum srs_result srs_link_verify_code(const struct srs_env *env, const char *token, const char *code,
                                     char *err, size_t err_len);

/* The same two steps for the registration of partner order order_id, on a device of the
 * partner (SRS Direct: the RA agent's, srs/ra.h); actor names who did it in srs_audit. */
enum srs_result srs_order_send_code(const struct srs_env *env, const char *order_id,
                                    const char *actor, char *err, size_t err_len);
enum srs_result srs_order_verify_code(const struct srs_env *env, const char *order_id,
                                      const char *actor, const char *code, char *err,
                                      size_t err_len);

/* ---- terms of use (/srs/terms/{token}) ---- */

/* The terms text (borrowed, static) and its version hash (SHA-256 hex) for locale. */
const char *srs_terms_text(const char *locale, char version_hash[65]);
/* The registration of a terms token (CONFLICT/GONE when it cannot be accepted now). */
enum srs_result srs_terms_get(const struct srs_env *env, const char *token,
                              struct store_srs_registration *out);
/* Accepts the terms of the version hash shown: ACTIVE. With the person's decision on the
 * consent to share identity data and evidence with the service provider: consent_hash is the
 * hash of the consent text shown (srs_consent_text; required when consent, NULL ok when not);
 * INVALID when it is not one of that text's. Audited as CONSENT_GIVEN or CONSENT_REFUSED. */
enum srs_result srs_terms_accept(const struct srs_env *env, const char *token,
                                 const char *version_hash, bool consent, const char *consent_hash,
                                 char *err, size_t err_len);
/* Changes the consent of an ACTIVE registration afterwards (the same terms link): withdrawn
 * (consent false, audited CONSENT_WITHDRAWN) or given later (consent_hash as above, audited
 * CONSENT_GIVEN); the same decision again changes nothing. CONFLICT when not ACTIVE. */
enum srs_result srs_terms_consent(const struct srs_env *env, const char *token, bool consent,
                                  const char *consent_hash, char *err, size_t err_len);

#define SRS_CONSENT_TEXT_LEN 1024
/* The consent text for locale ("en" when not de/fr/it) naming the organization, into text
 * (SRS_CONSENT_TEXT_LEN is enough for any name of the store), and its SHA-256 hex. */
bool srs_consent_text(const char *locale, const char *organization_name, char *text,
                      size_t text_len, char hash[65]);
/* The organization's name; false when it cannot be read. */
bool srs_organization_name(const struct srs_env *env, const char *organization_id, char *name,
                           size_t name_len);

/* ---- coupling to signing ---- */

/* A registered identity as a signer certificate names it (sign/signing.h
 * struct sign_registered_identity takes these strings). */
struct srs_signer_identity {
    char registration_id[64];
    char given_name[128];
    char family_name[128];
    char serial_number[80]; /* "SRS-" + registration id: stable for the registration */
    char country[3];        /* the identity document's issuing country (ISO 3166-1 alpha-2) */
};

/* The identity of the organization's ACTIVE registration for mobile (E.164), jurisdiction
 * ("CH" / "EU") and level ("ADVANCED" / "QUALIFIED"), valid now, into *out. NOT_FOUND when
 * there is none. Not audited as an identity read: it is the registration's purpose. */
enum srs_result srs_registration_for_signer(const struct srs_env *env, const char *organization_id,
                                            const char *mobile, const char *jurisdiction,
                                            const char *level, struct srs_signer_identity *out);

#endif
