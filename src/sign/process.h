/*
 * The signing process: lifecycle states and their transitions, validation of a create
 * request against the contract's Process schema (sign-api-v2: Process, Signer, Person,
 * NonPerson, Invitees, Property), the Process / ProcessStatusResponse / AuditRecord JSON
 * views, and the operations create / get / records on the store.
 *
 * The model is the store's record (struct store_process, store/store.h). Nothing here knows
 * HTTP or SQL. Ownership: functions filling a struct store_process leave memory in it that
 * the caller frees with store_process_clear; JSON values returned are new references.
 */
#ifndef SIGNET_SIGN_PROCESS_H
#define SIGNET_SIGN_PROCESS_H

#include "core/isotime.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Lifecycle (contract enum): CREATED → PENDING (released) → COMPLETED; CREATED or PENDING →
 * EXPIRED when validUntil passes. COMPLETED and EXPIRED are final. */
enum sign_state {
    SIGN_STATE_CREATED = 0,
    SIGN_STATE_PENDING,
    SIGN_STATE_COMPLETED,
    SIGN_STATE_EXPIRED,
};

const char *sign_state_name(enum sign_state s);
/* Parses a contract status name; false if unknown. */
bool sign_state_parse(const char *name, enum sign_state *out);
/* Whether the lifecycle allows from → to. */
bool sign_state_can_transition(enum sign_state from, enum sign_state to);

/* How long a new process stays valid (validUntil = createdDate + this). */
#define SIGN_PROCESS_VALIDITY_MS ((int64_t)30 * 24 * 3600 * 1000)
/* Upper bound on invited signers of one process (a guard; the contract sets none). */
#define SIGN_MAX_SIGNERS 100
/* Longest Idempotency-Key header accepted. */
#define SIGN_IDEMPOTENCY_KEY_MAX 255

/*
 * Validates a create request body (a JSON object) and fills the input fields of *p with
 * defaults applied (signatureLevel QUALIFIED, authorization CODE); readOnly fields of the
 * contract are ignored, unknown fields rejected. p must be zeroed; on return it owns memory
 * (store_process_clear) whatever the result. On failure writes a message naming the first
 * bad field (e.g. "invitees.signers[1].email") to err and returns false.
 * Ids, status, times and the signer status are not set here (sign_process_create does).
 */
bool sign_process_parse_create(const json_t *body, struct store_process *p, char *err,
                               size_t err_len);

/* Validates one invited signer (the contract's Signer, type SIGNER) as the create request does
 * and fills *x (zeroed first; resident_permit -1 without verification); prefix names the object
 * in messages (e.g. "signers[1]"). false with the first bad field in err. */
bool sign_signer_parse(const json_t *j, const char *prefix, struct store_participant *x, char *err,
                       size_t err_len);
/* Syntax checks used by the parser, exported for tests. */
bool sign_email_valid(const char *s);
bool sign_mobile_valid(const char *s); /* E.164: '+', 2..15 digits, no leading 0 */
bool sign_external_id_valid(const char *s);
/* Number of UTF-8 characters in s. */
size_t sign_utf8_length(const char *s);
/* Removes HTML tags ("<…>" starting with a letter, '/', '!' or '?') in place. */
void sign_strip_html(char *s);
/* A printable-ASCII key of 1..SIGN_IDEMPOTENCY_KEY_MAX characters. */
bool sign_idempotency_key_valid(const char *s);

/* The contract's Process object (writeOnly authorization left out; fileReferences empty: the
 * caller sets them), archiveOn from the process's end and retention_ms. New reference. */
json_t *sign_process_to_json(const struct store_process *p, int64_t retention_ms);
/* ProcessStatusResponse. New reference. */
json_t *sign_process_status_json(const struct store_process *p);
/* AuditSuccessRecordResponse of records (newest first). New reference. */
json_t *sign_audit_records_json(const struct store_audit_record *r, size_t n);

/* Hash of an audit record: SHA-256 (lowercase hex) over prev_hash and every field. */
void sign_audit_hash(const struct store_audit_record *r, char out[65]);
/* True when records (newest first, as store_audit_list returns them) form an unbroken chain:
 * seq n..1, each prev_hash the hash of the one before, each hash correct. */
bool sign_audit_chain_valid(const struct store_audit_record *r, size_t n);

enum sign_result {
    SIGN_OK = 0,
    SIGN_REPLAYED,    /* create: the idempotency key was used before; *p is that process */
    SIGN_INVALID,     /* create: the request conflicts with the tenant's data; err says why */
    SIGN_NOT_FOUND,   /* no such process in the organization */
    SIGN_WRONG_STATE, /* setup: the process is not in the state the operation needs */
    SIGN_UNAVAILABLE, /* the store failed; try again */
};

/*
 * Creates the process *p (filled by sign_process_parse_create) for organization_id, made by
 * client_id, with an optional idempotency key (NULL: none), and its first audit record, in
 * one transaction. Assigns ids, status CREATED, signer status WAITING and the times.
 * SIGN_REPLAYED: *p is replaced by the process first created with that key.
 */
enum sign_result sign_process_create(struct store *s, const char *organization_id,
                                     const char *client_id, const char *idempotency_key,
                                     struct store_process *p, char *err, size_t err_len);
/* Reads a process of organization_id; *p must be zeroed (store_process_clear afterwards). A
 * process past validUntil is expired first (sign/expiry.h), so *p shows it EXPIRED. */
enum sign_result sign_process_get(struct store *s, const char *organization_id, const char *id,
                                  struct store_process *p);
/* The process's audit records, newest first (after a lazy expiry, sign/expiry.h); *out owned
 * by the caller (free()). */
enum sign_result sign_process_records(struct store *s, const char *organization_id, const char *id,
                                      struct store_audit_record **out, size_t *n);

/* Appends an audit record (action, status, extras: a JSON object of strings, not stolen) to
 * the process's hash chain inside tx. For the operations in the other sign/ files. */
enum store_status sign_audit_append(struct store_tx *tx, const char *organization_id,
                                    const char *process_id, int64_t now, const char *action,
                                    const char *status, json_t *extras);

/* ---- List (sign/list.c): GET /system/api/process ---- */

#define SIGN_PAGE_SIZE_DEFAULT 20
#define SIGN_PAGE_SIZE_MAX     20         /* the contract: "limited to a maximum of 20 items" */
#define SIGN_PAGE_MAX          2147483647 /* PageMetadata.number is an int32 */
#define SIGN_SORT_MAX          8          /* sort parameters read from one request */

/* The list request's query parameters as text, NULL when absent (the handler fills them). */
struct sign_list_params {
    const char *status, *team_id, *valid_until_within, *page, *size;
    const char *sort[SIGN_SORT_MAX];
    size_t n_sort;
};

/* The parsed list request. */
struct sign_list_query {
    bool has_status;
    enum sign_state status;
    char team_id[STORE_ID_LEN]; /* "" when absent */
    bool has_valid_until_within;
    struct iso_duration valid_until_within;
    int64_t page, size;
    bool ascending;       /* createdDate ascending; default descending */
    int64_t retention_ms; /* for archiveOn (set by the caller, not by sign_list_parse) */
    /* "" or a search text (set by the admin cockpit, not by sign_list_parse; see
     * store_process_query.search). */
    char search[201];
};

/* Checks the parameters against the contract (status enum, teamId UUID, validUntilWithin ISO
 * 8601 duration, page >= 0, size 1..20, sort "createdDate[,asc|desc]") and fills *q with the
 * defaults for absent ones. On failure writes a message naming the parameter to err. */
bool sign_list_parse(const struct sign_list_params *in, struct sign_list_query *q, char *err,
                     size_t err_len);

/* One page of organization_id's processes as the contract's ProcessPage (content, page and
 * the deprecated top-level copies) into *page_out (new reference). now: for validUntilWithin
 * (processes with now <= validUntil <= now + duration). */
enum sign_result sign_process_list(struct store *s, const char *organization_id,
                                   const struct sign_list_query *q, int64_t now, json_t **page_out);

/* ---- Setup (sign/setup.c): POST /system/api/process/{processId}/setup ---- */

#define SIGN_SETUP_TOKEN_BYTES 32 /* 256 random bits in each setup link */
#define SIGN_SETUP_TOKEN_LEN   44 /* base64url of 32 bytes (43 characters) and the NUL */

/* A validated ProcessSetupRequest (optional texts "" when absent). */
struct sign_setup_request {
    char language[8]; /* "en-GB" | "de-CH" | "fr-CH" | "it-CH" */
    char back_url[2049];
    char success_url[2049];
    char scope[2049];
    char mode[16]; /* "DEFAULT" (default) | "EMBEDDED" */
};

/* Validates a setup request body (a JSON object; unknown fields rejected, `authentication`
 * checked to be an object and otherwise ignored as the contract says for all but first-party
 * apps) into *r. On failure writes a message naming the field to err and returns false. */
bool sign_setup_parse(const json_t *body, struct sign_setup_request *r, char *err, size_t err_len);

/*
 * Issues a setup link for organization_id's process id, asked for by client_id: checks the
 * process is CREATED (and not past validUntil), stores the SHA-256 of a new random token with
 * expiry now + ttl_ms and the request's settings, revokes the process's earlier links and
 * appends an audit record, in one transaction. On SIGN_OK token_out holds the token (base64url,
 * shown once); on SIGN_WRONG_STATE state_out names the process's state.
 */
enum sign_result sign_process_setup(struct store *s, const char *organization_id,
                                    const char *client_id, const char *id,
                                    const struct sign_setup_request *r, int64_t now, int64_t ttl_ms,
                                    char token_out[SIGN_SETUP_TOKEN_LEN], char state_out[16]);

#endif
