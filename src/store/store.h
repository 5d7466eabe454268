/*
 * The store: the one interface all domain code uses for persistent state.
 *
 * A `struct store` is opened once per process from the --store setting and shared by all
 * threads; each thread gets its own database connection on first use. Work happens in
 * transactions run by store_run(), which retries the whole function when the backend says
 * "retry" (busy, serialization failure), so a transaction function must have no side effects
 * outside the transaction. Domain operations (store_org_*, store_client_*, …) take the
 * `struct store_tx *` they run in; their SQL is written once, in the subset that SQLite and
 * PostgreSQL both accept ($1 parameters, ON CONFLICT, RETURNING, BIGINT/TEXT/BYTEA), and runs
 * on either backend through `struct store_driver` (store/driver.h).
 *
 * Documents live in a content-addressed blob store (SHA-256 names) behind the same interface.
 */
#ifndef SIGNET_STORE_STORE_H
#define SIGNET_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum store_status {
    STORE_OK = 0,
    STORE_NOT_FOUND = 1, /* no such row / blob */
    STORE_CONFLICT = 2,  /* unique constraint, or a state that forbids the change */
    STORE_RETRY = 3,     /* busy / serialization failure: run the transaction again */
    STORE_ERROR = 4,     /* hard error (logged where it happened) */
};

/*
 * STORE_READ: a consistent snapshot, no writes. STORE_WRITE: reads and writes as if alone (SQLite:
 * one writer at a time; PostgreSQL: SERIALIZABLE). STORE_CLAIM: a write transaction that takes
 * work items with row locks (sql_skip_locked: PostgreSQL READ COMMITTED with SELECT … FOR UPDATE
 * SKIP LOCKED, so nodes claiming at once take different items instead of failing each other;
 * SQLite: as STORE_WRITE). Use it only where every write is claimed under such a lock.
 */
enum store_tx_mode { STORE_READ, STORE_WRITE, STORE_CLAIM };

struct store;
struct store_tx;

/* Opens the store named by `dsn` ("sqlite", "sqlite:PATH", "postgres://…"); data_dir holds
 * the SQLite file and the blob directory. Creates data_dir if missing. On failure writes one
 * line to err and returns STORE_ERROR. *out is owned by the caller: store_close. */
enum store_status store_open(const char *dsn, const char *data_dir, struct store **out, char *err,
                             size_t err_len);
/* Closes every connection. Call after all threads using the store have stopped. NULL ok. */
void store_close(struct store *s);
const char *store_backend_name(const struct store *s);
const char *store_data_dir(const struct store *s);

/* Applies the numbered migrations (src/store/migrations/NNNN_*.sql) not yet applied, each
 * in its own transaction. Safe to call from several processes at once. */
enum store_status store_migrate(struct store *s);
/* Health check: a round trip to the database and a writable blob directory. */
enum store_status store_ping(struct store *s);

typedef enum store_status (*store_tx_fn)(struct store_tx *tx, void *cls);
/* Runs fn inside one transaction: commits when it returns STORE_OK, rolls back otherwise,
 * and runs it again (a bounded number of times) when fn or the commit returns STORE_RETRY.
 * Returns what fn returned (or the commit's failure). */
enum store_status store_run(struct store *s, enum store_tx_mode mode, store_tx_fn fn, void *cls);
/* The store a transaction belongs to. */
struct store *store_tx_store(struct store_tx *tx);

/* Where document bytes (the blob store) live: where NULL or "" keeps DATA/blobs; a directory
 * (created if missing; nodes that share a database must share it too); "database": the
 * document_blobs table of this store (migration 0023), for nodes without a shared file system.
 * STORE_ERROR with a line in err when the directory cannot be created. */
enum store_status store_set_documents(struct store *s, const char *where, char *err,
                                      size_t err_len);

/* Blob store. put: writes data under its SHA-256 (lowercase hex, 64 chars) via a temporary
 * file, fsync and rename (or one row in the database); idempotent. get: *data is owned by the
 * caller (free()); the content is checked against its name; STORE_NOT_FOUND if absent. The
 * three run their own transaction: call them outside store_run. */
enum store_status store_blob_put(struct store *s, const void *data, size_t len, char hash_hex[65]);
enum store_status store_blob_get(struct store *s, const char *hash_hex, unsigned char **data,
                                 size_t *len);
/* Deletes a blob unless it was (last) written at or after not_before_ms (a put of the same
 * content that is about to be referenced must not lose it). STORE_NOT_FOUND when absent,
 * STORE_CONFLICT when too recent. */
enum store_status store_blob_delete(struct store *s, const char *hash_hex, int64_t not_before_ms);

/* ---- Organizations (tenants) and API clients: store/tenancy.c ---- */

#define STORE_ID_LEN 64

struct store_org {
    char id[STORE_ID_LEN];
    char name[256];
    char client_type[16]; /* "ORGANIZATION" | "CORPORATE" */
    int64_t created_at;
};

struct store_client {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char secret_hash[65]; /* lowercase hex SHA-256 of the secret */
    char scopes[1024];    /* space-separated */
    char description[256];
    int64_t created_at;
    int64_t revoked_at; /* 0: active */
};

enum store_status store_org_insert(struct store_tx *tx, const struct store_org *org);
enum store_status store_org_get(struct store_tx *tx, const char *id, struct store_org *out);
enum store_status store_org_find_by_name(struct store_tx *tx, const char *name,
                                         struct store_org *out);
/* *out is owned by the caller (free()); *n entries, oldest first. */
enum store_status store_org_list(struct store_tx *tx, struct store_org **out, size_t *n);

enum store_status store_client_insert(struct store_tx *tx, const struct store_client *c);
/* By client id alone: used to authenticate a client before its organization is known. */
enum store_status store_client_get(struct store_tx *tx, const char *id, struct store_client *out);
/* A client of one organization (STORE_NOT_FOUND if unknown or another organization's). */
enum store_status store_client_get_in_org(struct store_tx *tx, const char *organization_id,
                                          const char *id, struct store_client *out);
/* Clients of one organization, or of all when organization_id is NULL; *out owned (free()). */
enum store_status store_client_list(struct store_tx *tx, const char *organization_id,
                                    struct store_client **out, size_t *n);
/* Marks a client revoked at `now`; STORE_NOT_FOUND if unknown, STORE_CONFLICT if already. */
enum store_status store_client_revoke(struct store_tx *tx, const char *id, int64_t now);
enum store_status store_client_set_secret(struct store_tx *tx, const char *id,
                                          const char *secret_hash);

/* ---- Teams of an organization: store/tenancy.c ---- */

struct store_team {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char name[256];
    int64_t created_at;
};

/* STORE_CONFLICT if the organization already has a team of that name. */
enum store_status store_team_insert(struct store_tx *tx, const struct store_team *t);
/* Teams of one organization, oldest first; *out owned by the caller (free()). */
enum store_status store_team_list(struct store_tx *tx, const char *organization_id,
                                  struct store_team **out, size_t *n);

/* ---- Keys of the admin HTTP API (operators, organization admins): store/admin_keys.c ---- */

struct store_admin_key {
    char id[STORE_ID_LEN];
    char key_hash[65]; /* lowercase hex SHA-256 of the key */
    char description[256];
    int64_t created_at;
    int64_t revoked_at;                 /* 0: active */
    char organization_id[STORE_ID_LEN]; /* "": an operator key; else an organization admin's */
};

enum store_status store_admin_key_insert(struct store_tx *tx, const struct store_admin_key *k);
enum store_status store_admin_key_get(struct store_tx *tx, const char *id,
                                      struct store_admin_key *out);
/* By the hash of the key (revoked keys included: the caller checks revoked_at). */
enum store_status store_admin_key_find_by_hash(struct store_tx *tx, const char *key_hash,
                                               struct store_admin_key *out);
/* All operator keys, oldest first; *out owned by the caller (free()). */
enum store_status store_admin_key_list(struct store_tx *tx, struct store_admin_key **out,
                                       size_t *n);
/* An organization admin's key of one organization (STORE_NOT_FOUND otherwise). */
enum store_status store_org_admin_key_get(struct store_tx *tx, const char *organization_id,
                                          const char *id, struct store_admin_key *out);
/* Organization-admin keys of one organization, or of all when organization_id is NULL;
 * oldest first; *out owned by the caller (free()). */
enum store_status store_org_admin_key_list(struct store_tx *tx, const char *organization_id,
                                           struct store_admin_key **out, size_t *n);
/* Marks a key revoked at `now`; STORE_NOT_FOUND if unknown, STORE_CONFLICT if already. */
enum store_status store_admin_key_revoke(struct store_tx *tx, const char *id, int64_t now);

/* ---- Signing keys of the token endpoint: store/jwt_keys.c ---- */

struct store_jwt_key {
    char kid[64];
    unsigned char private_sealed[1024]; /* crypto_seal of the PKCS#8 PEM, aad = kid */
    size_t private_sealed_len;
    char public_jwk[512]; /* JSON */
    int64_t created_at;
    bool current;
    int64_t activated_at; /* 0: never current */
    int64_t retired_at;   /* 0: still verifies */
};

/* Inserts a key; when k->current, every other key stops being current. */
enum store_status store_jwt_key_insert(struct store_tx *tx, const struct store_jwt_key *k);
/* All keys, newest first; *out owned by the caller (free()). */
enum store_status store_jwt_key_list(struct store_tx *tx, struct store_jwt_key **out, size_t *n);
/* The current key's kid; STORE_NOT_FOUND if there is none. */
enum store_status store_jwt_key_current_kid(struct store_tx *tx, char kid[64]);
/* Retires a key at now (it no longer verifies); STORE_NOT_FOUND if unknown, STORE_CONFLICT if
 * it is the current key or already retired. */
enum store_status store_jwt_key_retire(struct store_tx *tx, const char *kid, int64_t now);

/* ---- Signing processes of the Sign API: store/process.c ----
 * Every function takes the caller's organization id and uses it in the query itself, so a
 * process of another organization is "not found", exactly like an unknown id.
 * Text buffers hold the contract's maximum length in characters as UTF-8 (4 bytes each). */

#define STORE_PROCESS_MAX_PROPERTIES 8

struct store_participant {
    char id[STORE_ID_LEN];
    int64_t position; /* 0: the initiator; 1..n: invited signers in request order */
    char type[16];    /* "NON_PERSON" | "PERSON" | "SIGNER" */
    char external_identifier[51];
    char first_name[257];
    char last_name[257];
    char name[201];
    char email[1017];
    char mobile[17];
    char role[1025];
    int resident_permit; /* -1: no verification requested; 0/1: residentPermit */
    char status[16];     /* signers: "WAITING", …; "" for others */
    /* Once signed (migration 0012; 0 / "" before): */
    int64_t signed_at;
    char signature_method[16];   /* "CLICK" | "SMS" | "APP" | "PASSKEY" | "OSS" */
    char certificate_name[257];  /* "" for unauthenticated methods (contract: certificateName) */
    char certificate_match[12];  /* "UNCHECKED" | "MATCH" | "MISMATCH" */
    char certificate_issuer[32]; /* CA entity name, e.g. "advanced-ca" */
    char certificate_serial[80]; /* hex */
};

struct store_property {
    char key[257];
    char value[257];
};

struct store_process {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char client_id[128];
    char status[16]; /* "CREATED" | "PENDING" | "COMPLETED" | "EXPIRED" */
    char signature_level[16];
    char authorization[8];      /* "CODE" | "ACCOUNT" */
    char team_id[STORE_ID_LEN]; /* "" when none */
    char partner_id[256];       /* "" when none */
    char *payload;              /* owned; NULL when none */
    char *personal_message;     /* owned; NULL when none */
    int64_t valid_until, created_at, last_modified_at;
    char idempotency_key[256];              /* "" when none */
    int64_t ended_at;                       /* became COMPLETED or EXPIRED; 0 while running */
    int64_t archived_at;                    /* files deleted by the archive job; 0 before */
    struct store_participant *participants; /* owned; [0] is the initiator */
    size_t n_participants;
    struct store_property properties[STORE_PROCESS_MAX_PROPERTIES];
    size_t n_properties;
};

/* Frees what p owns (payload, personal_message, participants) and zeroes them. NULL ok. */
void store_process_clear(struct store_process *p);
/* Inserts a process with its participants and properties. STORE_CONFLICT when the
 * organization already has a process with p->idempotency_key (or an id is taken). */
enum store_status store_process_insert(struct store_tx *tx, const struct store_process *p);
/* Reads a process of organization_id into *out, which must be zeroed or hold an earlier
 * result (it is cleared first, so a retried transaction does not leak). *out owns memory
 * (store_process_clear, also after a failure). STORE_NOT_FOUND for an unknown id or another
 * organization's. */
enum store_status store_process_get(struct store_tx *tx, const char *organization_id,
                                    const char *id, struct store_process *out);
/* The id of organization_id's process created with idempotency key `key` into id_out. */
enum store_status store_process_find_by_idempotency_key(struct store_tx *tx,
                                                        const char *organization_id,
                                                        const char *key, char id_out[STORE_ID_LEN]);
/* True (STORE_OK) when organization_id has a team with that id; STORE_NOT_FOUND otherwise. */
enum store_status store_team_exists(struct store_tx *tx, const char *organization_id,
                                    const char *team_id);

/* Filters, order and page of store_process_list. */
struct store_process_query {
    const char *status;  /* NULL: any status; matched as of `now` (see store_process_list) */
    int64_t now;         /* for the status filter: CREATED/PENDING past valid_until are EXPIRED */
    const char *team_id; /* NULL: any team (or none) */
    bool valid_until_range; /* when true: valid_from <= valid_until <= valid_to */
    int64_t valid_from, valid_to;
    bool ascending; /* created_at ascending (then id); false: newest first */
    int64_t offset, limit;
    /* NULL: no search; else the process id, or an externalIdentifier of a participant or
     * document (exact), or part of a participant's name or e-mail or a document's name
     * (case-insensitive). For the admin cockpit; the Sign API has no search. */
    const char *search;
};

/* One page of organization_id's processes matching q (a status filter matches the status as
 * of q->now: CREATED and PENDING processes with valid_until <= now count as EXPIRED) into *out (a
 * new array of *n processes, each complete as store_process_get reads it; free with
 * store_process_list_free, also after a failure) and the number of all matching processes into
 * *total. */
enum store_status store_process_list(struct store_tx *tx, const char *organization_id,
                                     const struct store_process_query *q,
                                     struct store_process **out, size_t *n, int64_t *total);
/* Frees an array of n processes from store_process_list. NULL ok. */
void store_process_list_free(struct store_process *p, size_t n);

/* A setup link (migration 0005): hands a CREATED process over to the setup page. Only the
 * SHA-256 of the link's token is stored. Optional texts are "" when absent. */
struct store_setup_link {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    char client_id[128];
    char token_hash[65];
    char language[8];
    char back_url[2049];
    char success_url[2049];
    char scope[2049];
    char mode[16]; /* "DEFAULT" | "EMBEDDED" */
    int64_t created_at, expires_at;
};

/* Inserts link after revoking (revoked_at = link->created_at) the process's earlier links
 * that are not revoked yet. STORE_CONFLICT if the token hash or id is taken. */
enum store_status store_setup_link_insert(struct store_tx *tx, const struct store_setup_link *link);

struct store_audit_record {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    int64_t seq; /* 1, 2, … per process */
    int64_t created_at;
    char action[64];
    char status[16];
    char extras[2048];  /* JSON object of strings */
    char prev_hash[65]; /* "" for the first record */
    char hash[65];
};

/* Appends a record (never updates one); STORE_CONFLICT if (process, seq) is taken. */
/* STORE_RETRY when another transaction appended the same seq first (run the transaction again). */
enum store_status store_audit_insert(struct store_tx *tx, const struct store_audit_record *r);
/* The process's newest record; STORE_NOT_FOUND when it has none. */
enum store_status store_audit_last(struct store_tx *tx, const char *organization_id,
                                   const char *process_id, struct store_audit_record *out);
/* The process's records, newest first; *out owned by the caller (free()). */
enum store_status store_audit_list(struct store_tx *tx, const char *organization_id,
                                   const char *process_id, struct store_audit_record **out,
                                   size_t *n);

/* ---- Documents attached to a process: store/document.c (migration 0006) ----
 * Every function takes the caller's organization id and uses it in the query itself. */

struct store_signature_position {
    char participant_id[STORE_ID_LEN]; /* the signer's participant id */
    char signer[513];           /* as the request named the signer (id or externalIdentifier) */
    char locator[16];           /* "COORDINATES" | "TAG" */
    bool has_requested_page;    /* COORDINATES: requested_page is the client's pageNumber */
    int64_t requested_page;     /* may be negative (counts from the end) */
    int64_t page;               /* resolved, zero-based */
    int64_t x, y;               /* top-left corner, points from the left / from the top */
    int64_t offset_x, offset_y; /* TAG: offsets already added into x/y; 0 otherwise */
    char sticker_provider[40];
};

/* A signed version of a document (migration 0012): its id is a fileId of the Sign API. */
struct store_document_version {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    char document_id[STORE_ID_LEN];
    int64_t seq;                       /* 1, 2, … per document */
    char kind[16];                     /* "SIGNATURE" | "TIMESTAMP" */
    char participant_id[STORE_ID_LEN]; /* the signer; "" for TIMESTAMP */
    char blob_hash[65];
    int64_t size;
    int64_t created_at;
};

struct store_document {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char process_id[STORE_ID_LEN];
    int64_t position; /* 0, 1, … in attach order */
    char name[1021];  /* 255 characters of UTF-8 */
    char external_identifier[51];
    char content_type[51];
    char blob_hash[65];
    int64_t size;
    int64_t page_count;
    bool needs_repair;
    int64_t created_at;
    struct store_signature_position *positions; /* owned: store_document_clear */
    size_t n_positions;
    struct store_document_version last; /* newest signed version; last.id "" when unsigned */
};

/* Frees d's positions and zeroes them. NULL ok. */
void store_document_clear(struct store_document *d);
/* Clears and frees an array returned by store_document_list. NULL ok. */
void store_document_list_free(struct store_document *docs, size_t n);
/* Number of documents of the process into *n. */
enum store_status store_document_count(struct store_tx *tx, const char *organization_id,
                                       const char *process_id, int64_t *n);
/* STORE_OK when the process has a document with that externalIdentifier, else NOT_FOUND. */
enum store_status store_document_external_id_taken(struct store_tx *tx, const char *organization_id,
                                                   const char *process_id,
                                                   const char *external_identifier);
/* Inserts d with its positions and sets the process's last_modified_at to d->created_at.
 * STORE_CONFLICT when (process, position) or (process, externalIdentifier) is taken. */
enum store_status store_document_insert(struct store_tx *tx, const struct store_document *d);
/* Reads the document named `ref` (its id, or else its externalIdentifier) of the process into
 * *out (cleared first; store_document_clear afterwards). STORE_NOT_FOUND when unknown. */
enum store_status store_document_get(struct store_tx *tx, const char *organization_id,
                                     const char *process_id, const char *ref,
                                     struct store_document *out);
/* The process's documents with their positions, in attach order; *out owned by the caller
 * (store_document_list_free; never NULL on STORE_OK). */
enum store_status store_document_list(struct store_tx *tx, const char *organization_id,
                                      const char *process_id, struct store_document **out,
                                      size_t *n);

/* ---- Signatures and the end of a process: store/signature.c (migration 0012) ----
 * Every function that reads tenant data takes the organization id and uses it in the query. */

/* Inserts a document version. STORE_CONFLICT when the document already has a version with
 * v->seq (another signature was stored first: sign again on top of it). */
enum store_status store_document_version_insert(struct store_tx *tx,
                                                const struct store_document_version *v);
/* The version whose id is `id` of organization_id's process; STORE_NOT_FOUND otherwise. */
enum store_status store_document_version_get(struct store_tx *tx, const char *organization_id,
                                             const char *process_id, const char *id,
                                             struct store_document_version *out);
/* Records x's signature (x->signed_at, signature_method, certificate_*) and sets its status
 * SIGNED, if it is a PENDING signer of the process; STORE_CONFLICT otherwise. */
enum store_status store_participant_record_signature(struct store_tx *tx,
                                                     const char *organization_id,
                                                     const char *process_id,
                                                     const struct store_participant *x);
/* Moves a PENDING process to COMPLETED at now (ended_at, last_modified_at); STORE_CONFLICT
 * when it is not PENDING. */
enum store_status store_process_complete(struct store_tx *tx, const char *organization_id,
                                         const char *id, int64_t now);

/* A process whose retention has passed. */
struct store_archive_due {
    char organization_id[STORE_ID_LEN];
    char id[STORE_ID_LEN];
    int64_t ended_at;
};
/* Processes of every organization (the archive job is a system task) that ended at or before
 * ended_before and are not archived, oldest first, at most limit; *out owned (free()). */
enum store_status store_process_list_archive_due(struct store_tx *tx, int64_t ended_before,
                                                 int64_t limit, struct store_archive_due **out,
                                                 size_t *n);
/* Claims the archiving of a process that ended at or before ended_before: archived_at = now.
 * STORE_NOT_FOUND when it is not due (or another transaction archived it first). */
enum store_status store_process_mark_archived(struct store_tx *tx, const char *organization_id,
                                              const char *id, int64_t ended_before, int64_t now);
/* The distinct blob hashes of a process's documents and versions; *out owned (free()). */
enum store_status store_process_blob_hashes(struct store_tx *tx, const char *organization_id,
                                            const char *id, char (**out)[65], size_t *n);
/* STORE_OK when a document or version of a process that is not archived (of any
 * organization: blobs are shared by content) names the blob; STORE_NOT_FOUND otherwise. */
enum store_status store_blob_in_use(struct store_tx *tx, const char *hash_hex);

/* ---- The certificate hierarchy: store/pki.c (migration 0007) ---- */

struct store_pki_entity {
    char name[32];   /* "root", "simple-ca", "advanced-ca", "qualified-ca", "tsa", "ocsp" */
    char role[16];   /* "root" | "issuing" | "tsa" | "ocsp" */
    char issuer[32]; /* name of the issuing entity ("root" for the root itself) */
    int64_t position;
    unsigned char cert_der[4096];
    size_t cert_der_len;
    unsigned char key_sealed[1024]; /* crypto_seal of the PKCS#8 DER, aad "signet-pki:NAME" */
    size_t key_sealed_len;
    int64_t next_serial;
    int64_t created_at;
};

/* Inserts one entity; STORE_CONFLICT if the name is taken. */
enum store_status store_pki_insert(struct store_tx *tx, const struct store_pki_entity *e);
/* All entities by position; *out owned by the caller (free(); never NULL on STORE_OK). */
enum store_status store_pki_list(struct store_tx *tx, struct store_pki_entity **out, size_t *n);
/* Hands out the entity's next serial number into *serial and advances the counter;
 * STORE_NOT_FOUND if the entity is unknown. */
enum store_status store_pki_next_serial(struct store_tx *tx, const char *name, int64_t *serial);

/* ---- Certificate registry and revocation: store/certs.c (migration 0010) ----
 * Every certificate issued below the root (signer certificates; issuing CAs, tsa, ocsp), keyed
 * by (issuer entity name, serial). The registry is operator data read by the public OCSP
 * responder and CRLs, so reads are not scoped to an organization; organization_id records
 * whose signer certificate it is. Higher-level entry points: pki/registry.h. */

#define STORE_CERT_SERIAL_LEN 84 /* up to 41 bytes as hex, NUL */

struct store_cert {
    char issuer[32];                        /* pki_entities name, e.g. "qualified-ca" */
    char serial_hex[STORE_CERT_SERIAL_LEN]; /* uppercase hex, no leading zero bytes */
    char subject[1024];                     /* RFC 2253 text (UTF-8), may be truncated */
    int64_t not_before, not_after;          /* ms */
    char organization_id[STORE_ID_LEN];     /* "" when none */
    int64_t created_at;
    int64_t revoked_at;         /* 0: not revoked */
    char revocation_reason[32]; /* RFC 5280 CRLReason name; "" when not revoked */
};

/* Records a certificate (der, len bytes, copied). STORE_CONFLICT if (issuer, serial) is
 * taken. c->revoked_at and c->revocation_reason are stored too (normally 0 / ""). */
enum store_status store_cert_insert(struct store_tx *tx, const struct store_cert *c,
                                    const unsigned char *der, size_t len);
/* The certificate's row (without DER) into *out; STORE_NOT_FOUND if not recorded. */
enum store_status store_cert_get_by_serial(struct store_tx *tx, const char *issuer,
                                           const char *serial_hex, struct store_cert *out);
/* The certificate's DER into *der (owned, free()); STORE_NOT_FOUND if not recorded. */
enum store_status store_cert_get_der(struct store_tx *tx, const char *issuer,
                                     const char *serial_hex, unsigned char **der, size_t *len);
/* Marks the certificate revoked at `now` (ms) for `reason` (a CRLReason name).
 * STORE_NOT_FOUND if not recorded, STORE_CONFLICT if already revoked. */
enum store_status store_cert_revoke(struct store_tx *tx, const char *issuer, const char *serial_hex,
                                    int64_t now, const char *reason);
/* Certificates of `issuer` (NULL: every issuer), only revoked ones when revoked_only, oldest
 * first (revoked ones by revocation time); *out owned by the caller (free(); never NULL on
 * STORE_OK). */
enum store_status store_cert_list(struct store_tx *tx, const char *issuer, bool revoked_only,
                                  struct store_cert **out, size_t *n);
/* store_cert_list(tx, issuer, true, …): what the issuer's CRL lists. */
enum store_status store_cert_list_revoked(struct store_tx *tx, const char *issuer,
                                          struct store_cert **out, size_t *n);
/* Hands out the issuer's next CRL number (1, 2, …) into *number. */
enum store_status store_crl_next_number(struct store_tx *tx, const char *issuer, int64_t *number);

/* Human-readable name of a status, for logs. */
const char *store_status_name(enum store_status st);

#endif
