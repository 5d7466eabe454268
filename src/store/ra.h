/*
 * Store functions of SRS Direct (migration 0025, docs/ra.md): registration points, RA agent
 * accounts and their sessions, identification cases and the RA audit trail. Agents and points
 * belong to the operator (no organization column); a case names its registration.
 *
 * Ownership: a struct store_ra_case filled by a get owns its blobs (release with
 * store_ra_case_clear); insert/update borrow them. Lists are owned arrays (free()).
 */
#ifndef SIGNET_STORE_RA_H
#define SIGNET_STORE_RA_H

#include "store/srs.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_ra_point {
    char id[STORE_ID_LEN];
    char name[128];
    char address[256];
    bool four_eyes;
    int64_t created_at;
    int64_t disabled_at;
};

/* STORE_CONFLICT when the name is taken. */
enum store_status store_ra_point_insert(struct store_tx *tx, const struct store_ra_point *p);
enum store_status store_ra_point_get(struct store_tx *tx, const char *id,
                                     struct store_ra_point *out);
/* Every point by name; *out owned (free()). */
enum store_status store_ra_point_list(struct store_tx *tx, struct store_ra_point **out, size_t *n);

#define STORE_RA_EMAIL_LEN 256

struct store_ra_agent {
    char id[STORE_ID_LEN];
    char email[STORE_RA_EMAIL_LEN];
    char role[16]; /* AGENT | SUPERVISOR | ADMIN */
    char password_hash[256];
    char point_id[STORE_ID_LEN]; /* "" any */
    int64_t created_at;
    int64_t disabled_at;
};

/* STORE_CONFLICT when the e-mail is taken. */
enum store_status store_ra_agent_insert(struct store_tx *tx, const struct store_ra_agent *a);
enum store_status store_ra_agent_find_by_email(struct store_tx *tx, const char *email,
                                               struct store_ra_agent *out);
enum store_status store_ra_agent_get(struct store_tx *tx, const char *id,
                                     struct store_ra_agent *out);

struct store_ra_session {
    char id[STORE_ID_LEN];
    char session_hash[65];
    char agent_id[STORE_ID_LEN];
    char point_id[STORE_ID_LEN];
    int64_t created_at, last_seen_at, expires_at;
    int64_t ended_at;
};

enum store_status store_ra_session_insert(struct store_tx *tx, const struct store_ra_session *s);
/* The session whose id hashes to session_hash (ended ones included). */
enum store_status store_ra_session_find(struct store_tx *tx, const char *session_hash,
                                        struct store_ra_session *out);
/* Sets last_seen_at and point_id. */
enum store_status store_ra_session_update(struct store_tx *tx, const struct store_ra_session *s);
/* Ends the session at now; STORE_NOT_FOUND when unknown or ended. */
enum store_status store_ra_session_end(struct store_tx *tx, const char *id, int64_t now);

struct store_ra_case {
    char id[STORE_ID_LEN];
    char reference[16];
    char order_id[65];
    char registration_id[STORE_ID_LEN];
    char status[24]; /* WAITING | OPEN | AWAITING_APPROVAL | DONE */
    char point_id[STORE_ID_LEN];
    char agent_id[STORE_ID_LEN];
    char approver_id[STORE_ID_LEN];
    bool four_eyes;
    struct store_blob_field data_sealed;
    struct store_blob_field photo_sealed;
    char photo_type[16];
    int64_t created_at, updated_at;
};

/* STORE_CONFLICT when the reference or the order has a case already. */
enum store_status store_ra_case_insert(struct store_tx *tx, const struct store_ra_case *c);
/* The case whose column ("id", "reference" or "order_id") is value. */
enum store_status store_ra_case_get_by(struct store_tx *tx, const char *column, const char *value,
                                       struct store_ra_case *out);
/* Writes every mutable column of c (by id). */
enum store_status store_ra_case_update(struct store_tx *tx, const struct store_ra_case *c);
/* The cases with status (at point_id; "" every point), oldest first, without their blobs;
 * *out owned (free()). */
enum store_status store_ra_case_list(struct store_tx *tx, const char *status, const char *point_id,
                                     struct store_ra_case **out, size_t *n);
/* Frees c's blobs. */
void store_ra_case_clear(struct store_ra_case *c);

/* Appends an audit record: agent_id did action ("SIGNIN", "CASE_OPENED"…) on subject (a case,
 * point or agent id). */
enum store_status store_ra_audit_add(struct store_tx *tx, const char *agent_id, const char *action,
                                     const char *subject, int64_t now);

#endif
