/*
 * Release of a signing process (POST /system/api/process/{processId}/release) and the open
 * request for one participant (POST /system/api/process/{processId}/open/{personId}).
 *
 * Rules (sign-api-v2, ProcessReleaseRequest, NotificationSettings, ReminderSettings):
 *   - preconditions, each reported by name in one 409 listing all unmet ones: SIGNER_REQUIRED
 *     (at least one signer), DOCUMENT_REQUIRED (at least one document), SIGNER_NOT_PLACED
 *     (every signer on at least one document), NO_DOCUMENT_WITH_ALL_SIGNERS, and
 *     POSITION_NOT_VISIBLE (every signature box on an existing page, inside it);
 *   - validUntil: default release time + 30 days (capped by the maximum); in the past or
 *     beyond now + --max-validity: 400;
 *   - notification.locale (required in the object) and the deprecated language: en-GB, de-CH,
 *     fr-CH, it-CH; notification.locale wins; no locale at all: no notifications;
 *   - suppress: INVITE, COMPLETION, ALL; reminder.interval and each reminder.beforeExpiry an
 *     ISO 8601 duration P1D..P30D (400 otherwise); reminders with suppress ALL: 409;
 *   - signatureMethods (unique) must suit the process's signatureLevel: SIMPLE → CLICK;
 *     ADVANCED → APP, OSS, PASSKEY, SMS; ADVANCED_EU, QUALIFIED, QUALIFIED_EU → APP, OSS,
 *     PASSKEY; OSS and PASSKEY for CORPORATE tenants only (409 naming the method otherwise);
 *   - a process released before answers 208 with the same participant URLs.
 *
 * Participant URLs are PUBLIC_URL/ui/sign/{token}; the token (256 bits, base64url) is
 * HMAC-SHA256 under a key derived from the master key over the organization, process and
 * participant ids and a random salt stored with the link. Only the salt and the SHA-256 of the
 * token are stored: the same URL is derived again on a second release, never read back.
 * Nothing here knows HTTP or SQL.
 */
#ifndef SIGNET_SIGN_RELEASE_H
#define SIGNET_SIGN_RELEASE_H

#include "core/crypto.h"
#include "core/isotime.h"
#include "sign/process.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIGN_RELEASE_DEFAULT_VALIDITY_MS ((int64_t)30 * 24 * 3600 * 1000)
#define SIGN_REMINDER_MIN_MS             ((int64_t)1 * 24 * 3600 * 1000)
#define SIGN_REMINDER_MAX_MS             ((int64_t)30 * 24 * 3600 * 1000)
#define SIGN_MAX_BEFORE_EXPIRY           10
#define SIGN_OPEN_CODE_TTL_MS            30000 /* DESIGN.md: a one-time code lives 30 seconds */
#define SIGN_LINK_TOKEN_LEN              44    /* base64url of 32 bytes (43) and the NUL */

/* Signature methods as a bit set. */
enum sign_method {
    SIGN_METHOD_APP = 1 << 0,
    SIGN_METHOD_SMS = 1 << 1,
    SIGN_METHOD_CLICK = 1 << 2,
    SIGN_METHOD_PASSKEY = 1 << 3,
    SIGN_METHOD_OSS = 1 << 4,
};

/* A validated ProcessReleaseRequest (texts "" when absent). */
struct sign_release_request {
    bool has_valid_until;
    int64_t valid_until;
    char locale[8];   /* notification.locale, else the deprecated language; "" : no notifications */
    char language[8]; /* the deprecated language ("" when absent): the signer pages' language */
    bool suppress_invite, suppress_completion, suppress_all;
    char reminder_interval[32];
    char before_expiry[SIGN_MAX_BEFORE_EXPIRY][32];
    size_t n_before_expiry;
    unsigned methods; /* enum sign_method bits; 0: the tenant defaults */
};

/* Validates a release body (NULL or a JSON object; unknown fields rejected) into *r. On
 * failure writes a message naming the field to err and returns false (400). */
bool sign_release_parse(const json_t *body, struct sign_release_request *r, char *err,
                        size_t err_len);

/* The bit of the method named by name[0..len) ("CLICK", …); 0 when unknown. */
unsigned sign_method_bit(const char *name, size_t len);
/* The set named by a comma-separated list as the store keeps it ("" : 0). */
unsigned sign_methods_from_text(const char *text);
/* The methods a signature level allows (0 for an unknown level). */
unsigned sign_methods_for_level(const char *level);

/* Derives the participant-link key from the master key. */
bool sign_link_key_derive(const unsigned char master[CRYPTO_KEY_LEN],
                          unsigned char key[CRYPTO_KEY_LEN]);

struct store_participant_link;
/* The participant link's token: base64url(HMAC-SHA256(key, "v1\n" org "\n" process "\n"
 * participant "\n" salt)) into out. When l->token_hash is set the token must hash to it
 * (constant-time compare); false otherwise (the master key changed). */
bool sign_link_token(const unsigned char key[CRYPTO_KEY_LEN],
                     const struct store_participant_link *l, char out[SIGN_LINK_TOKEN_LEN]);

enum sign_release_result {
    SIGN_RELEASE_OK = 0,       /* 200 */
    SIGN_RELEASE_ALREADY,      /* 208: released before; same URLs */
    SIGN_RELEASE_INVALID,      /* 400: err says what */
    SIGN_RELEASE_CONFLICT,     /* 409 Conflict: err says what */
    SIGN_RELEASE_PRECONDITION, /* 409 PreconditionFailed: err names every unmet one */
    SIGN_RELEASE_NOT_FOUND,    /* 404: the process (or, for open, the person) is unknown */
    SIGN_RELEASE_PERSON_NOT_FOUND,
    SIGN_RELEASE_UNAVAILABLE, /* 503 */
};

/*
 * Releases organization_id's process id for client_id in one transaction (state PENDING,
 * settings, a link per participant, an audit record), or finds it released before. now: the
 * release time; max_validity: the longest validUntil allowed after now. On OK / ALREADY *out
 * is the ReleaseResponse (new reference) with URLs under public_url.
 */
enum sign_release_result sign_process_release(struct store *s,
                                              const unsigned char link_key[CRYPTO_KEY_LEN],
                                              const char *public_url, const char *organization_id,
                                              const char *client_id, const char *id,
                                              const struct sign_release_request *r, int64_t now,
                                              const struct iso_duration *max_validity, json_t **out,
                                              char *err, size_t err_len);

/* A validated ProcessOpenRequest. */
struct sign_open_request {
    struct sign_setup_request ui; /* language, backUrl, successUrl, scope, mode */
    bool permanent;               /* lifecycle PERMANENT; default TEMPORARY */
    bool skip_authorization;
};

/* Validates an open body (a JSON object; unknown fields rejected). */
bool sign_open_parse(const json_t *body, struct sign_open_request *r, char *err, size_t err_len);

/*
 * Opens released process id for participant person_id (its id or its externalIdentifier) in
 * one transaction with an audit record. TEMPORARY: a new link PUBLIC_URL/ui/open/{token}
 * (stored hashed) valid temp_ttl_ms with the request's settings; PERMANENT: the settings are
 * saved on the participant's permanent link, whose URL is returned. skip_authorization adds
 * "?code=…": a one-time code valid SIGN_OPEN_CODE_TTL_MS, stored hashed. On OK *url_out is an
 * owned string (free()). CONFLICT when the process is not released (or expired).
 */
enum sign_release_result
sign_process_open(struct store *s, const unsigned char link_key[CRYPTO_KEY_LEN],
                  const char *public_url, const char *organization_id, const char *client_id,
                  const char *id, const char *person_id, const struct sign_open_request *r,
                  int64_t now, int64_t temp_ttl_ms, char **url_out, char *err, size_t err_len);

#endif
