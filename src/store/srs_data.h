/*
 * Store functions for the retention, export and deletion of SRS personal data (migration
 * 0026, docs/srs.md "Retention", "Export and deletion"): a registration's lifecycle times, the
 * next candidate of the retention job (claimed with a row lock), the registrations of one
 * person (same organization and verified-mobile lookup), the destruction of a registration's
 * data key and personal columns, and a registration's audit trail.
 *
 * Ownership: lists are returned owned (free() the array); everything else is filled in
 * caller-provided structs. Strings passed in are borrowed.
 */
#ifndef SIGNET_STORE_SRS_DATA_H
#define SIGNET_STORE_SRS_DATA_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* What decides when a registration ended and when its retention ends; no personal data. */
struct store_srs_lifecycle {
    char id[STORE_ID_LEN];
    char organization_id[STORE_ID_LEN];
    char status[24];
    char jurisdiction[8];
    char mobile_lookup[65]; /* "" when not identified or the data ended */
    int64_t identified_at, terms_accepted_at, valid_until, link_expires_at, revoked_at;
    int64_t created_at, updated_at;
    int64_t data_ended_at;  /* 0: the personal data is still there */
    char data_ended_by[16]; /* "RETENTION" | "REQUEST" | "" */
};

/* The organization of registration id (for the operator, who is not bound to one) into
 * out (STORE_ID_LEN); STORE_NOT_FOUND when unknown. */
enum store_status store_srs_owner(struct store_tx *tx, const char *id, char *out);

/* The lifecycle of an organization's registration; STORE_NOT_FOUND when unknown. */
enum store_status store_srs_lifecycle_get(struct store_tx *tx, const char *organization_id,
                                          const char *id, struct store_srs_lifecycle *out);

/*
 * The next registration of jurisdiction whose data has not ended and that may be past its
 * retention: identified ones created at or before identified_created_before, others that are
 * final or whose link expired before as_of; after the key (after_created, after_id) in
 * (created_at, id) order (after_id "" for the first). In a STORE_CLAIM transaction the row is
 * locked and rows that other nodes hold are skipped (sql_skip_locked). STORE_NOT_FOUND: none.
 */
enum store_status store_srs_retention_next(struct store_tx *tx, const char *jurisdiction,
                                           int64_t identified_created_before, int64_t as_of,
                                           int64_t after_created, const char *after_id,
                                           struct store_srs_lifecycle *out);

/* An organization's registrations of one person: those with mobile_lookup, oldest first, at
 * most limit; *out owned (free()). */
enum store_status store_srs_person_list(struct store_tx *tx, const char *organization_id,
                                        const char *mobile_lookup, size_t limit,
                                        struct store_srs_lifecycle **out, size_t *n);

/* Destroys the data of a registration: the wrapped data key becomes empty, sealed prefill,
 * identity and evidence, mobile lookup, external identifier, rejection reason (partner text)
 * and code hash are removed,
 * data_ended_at/by set. Only once: STORE_CONFLICT when its data had already ended (or the
 * registration is not the organization's). by: "RETENTION" or "REQUEST". */
enum store_status store_srs_data_destroy(struct store_tx *tx, const char *organization_id,
                                         const char *id, const char *by, int64_t now);

struct store_srs_audit_entry {
    char action[40];
    char actor[128];
    int64_t created_at;
};

/* A registration's audit records, oldest first, at most limit; *out owned (free()). */
enum store_status store_srs_audit_list(struct store_tx *tx, const char *organization_id,
                                       const char *registration_id, size_t limit,
                                       struct store_srs_audit_entry **out, size_t *n);

#endif
