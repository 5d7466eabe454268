/*
 * Identification partners behind one interface (docs/srs.md). A connector opens an order for
 * a registration (telling where the end customer continues), checks that a callback really
 * comes from the partner, and turns the partner's result into a struct srs_partner_result.
 * A partner with its own protocol is a new connector in the table of srs/connector.c; one that
 * speaks Signet's webhook protocol is configured only (below).
 *
 * Built in: "video-sim", the video-identification simulator: its pages (/srs/sim/video/{order})
 * let a test agent approve with ID data or reject, and its result reaches the same callback
 * path /srs/partner/v1/video-sim/callback as a real partner's, HMAC-SHA256-signed.
 * "bank-sim", the bank-identification simulator: its page (/srs/sim/bank/{order}) is the
 * simulated online bank where the account holder logs in and confirms a 0.10 reference transfer
 * (or cancels); its result reaches /srs/partner/v1/bank-sim/callback the same way.
 *
 * Partners connected by configuration only ("connectors" of the methods catalogue, type
 * "hmac-webhook", srs/catalogue.h): the customer is sent to the partner's order URL template,
 * and callbacks are checked with the partner's own secret and parsed as the video simulator's
 * result format. Their struct srs_connector is owned by the catalogue.
 *
 * Callbacks carry the header "X-Signet-Signature: sha256=HEX", HMAC-SHA256 of the exact body
 * under the partner's shared secret (--srs-partner-secret, or derived from the master key).
 */
#ifndef SIGNET_SRS_CONNECTOR_H
#define SIGNET_SRS_CONNECTOR_H

#include "core/crypto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SRS_SIGNATURE_HEADER "X-Signet-Signature"
#define SRS_SIGNATURE_LEN    (7 + 2 * SHA256_LEN + 1) /* "sha256=" + hex + NUL */

/* What a partner's check rests on (the verified_claims evidence type). */
enum srs_evidence_kind {
    SRS_EVIDENCE_DOCUMENT = 0, /* "document": an ID document checked (video) */
    SRS_EVIDENCE_BANK,         /* "electronic_record": a bank's account records (bank) */
    SRS_EVIDENCE_EID,          /* "electronic_record": an eID credential presented (eID) */
};

#define SRS_BANK_AMOUNT        "0.10"
#define SRS_BANK_REFERENCE_LEN 14 /* "SRS-XXXX-XXXX" + NUL */

/* What the partner found; strings are NUL-terminated UTF-8. */
struct srs_partner_result {
    enum srs_evidence_kind evidence;
    char order_id[65];
    bool approved;
    char reason[256]; /* when rejected */
    char agent[128];
    int64_t identified_at; /* ms */
    char given_name[128];
    char family_name[128];
    char birth_date[11];    /* YYYY-MM-DD */
    char nationality[4];    /* ISO 3166-1 alpha-2 */
    char document_type[16]; /* PASSPORT | ID_CARD */
    char document_number[64];
    char document_expiry[11]; /* YYYY-MM-DD */
    char issuing_country[4];  /* ISO 3166-1 alpha-2 */
    char mobile[20];          /* E.164 */
    /* SRS_EVIDENCE_BANK: no document; birth_date and nationality may be empty. */
    char iban[35]; /* electronic format, no spaces */
    char bank_name[128];
    char reference[SRS_BANK_REFERENCE_LEN]; /* of the reference transfer */
    char currency[4];                       /* CHF | EUR */
};

struct srs_connector {
    const char *name; /* in URLs: /srs/partner/v1/{name}/callback */
    /* Opens an order: writes the URL where the end customer continues with the partner. */
    bool (*open_order)(const char *public_url, const char *order_id, char *url, size_t url_len);
    /* True when signature (the header's value) authenticates body under secret. */
    bool (*verify_callback)(const unsigned char *secret, size_t secret_len, const void *body,
                            size_t len, const char *signature);
    /* Parses and checks a result; false with the bad field's name in err. */
    bool (*parse_result)(const void *body, size_t len, struct srs_partner_result *out, char *err,
                         size_t err_len);
    /* Configured partners only (NULL / 0 for the built-in ones): the order URL template with
     * {order} and {return}, and the callback secret (borrowed from the catalogue). */
    const char *order_url;
    const unsigned char *secret;
    size_t secret_len;
};

#define SRS_CONNECTOR_WEBHOOK "hmac-webhook" /* the type of configured partners */

/* The connector called name, or NULL. */
const struct srs_connector *srs_connector_find(const char *name);

/* Opens an order with c: the configured template with {order} and {return} (return_url, where
 * the customer comes back to Signet) percent-encoded, else c->open_order. False when the URL
 * does not fit. */
bool srs_connector_open(const struct srs_connector *c, const char *public_url, const char *order_id,
                        const char *return_url, char *url, size_t url_len);
/* True for an order URL template: http(s)://, {order} present, no placeholder other than
 * {order} and {return}, no spaces or control characters, shorter than 512 bytes. */
bool srs_order_url_valid(const char *template_url);
/* Parses the video simulator's result format (person and document), used by configured
 * partners too. */
bool srs_document_result_parse(const void *body, size_t len, struct srs_partner_result *out,
                               char *err, size_t err_len);

/* "sha256=HEX" of body under secret into out. False on a library failure. */
bool srs_callback_sign(const unsigned char *secret, size_t secret_len, const void *body, size_t len,
                       char out[SRS_SIGNATURE_LEN]);
/* Constant-time check of a "sha256=HEX" signature. */
bool srs_callback_verify(const unsigned char *secret, size_t secret_len, const void *body,
                         size_t len, const char *signature);

/* True for YYYY-MM-DD of a real calendar day; *ms (may be NULL) its start in UTC. */
bool srs_date_parse(const char *s, int64_t *ms);

/* True for an IBAN in electronic format (no spaces, upper case) with a valid check (mod 97). */
bool srs_iban_valid(const char *iban);
/* The reference of an order's transfer, "SRS-XXXX-XXXX" (from the SHA-256 of the order id):
 * the bank reports it back, and a result naming another reference is refused. */
void srs_bank_reference(const char *order_id, char out[SRS_BANK_REFERENCE_LEN]);

#endif
