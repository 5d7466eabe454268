/*
 * Retention of SRS personal data per jurisdiction (docs/srs.md "Retention", "Export and
 * deletion"): the rules come from the methods catalogue file's "retention" section (operator
 * data, checked at start), e.g. {"CH": {"duration": "P11Y", "from": "END"}, "EU": …}. When a
 * registration's retention has ended, the "srs-retention" job destroys its data key and its
 * personal columns (store/srs_data.h); a service provider may delete a person's data earlier,
 * once no registration of the person is in use or inside its retention.
 *
 * When retention ends: a registration ends when it becomes REVOKED (revokedAt), EXPIRED (its
 * validUntil when it had been ACTIVE, else its link's expiry), REJECTED (then), or an ACTIVE
 * one passes validUntil. One that was identified keeps its data for the jurisdiction's
 * duration counted from that end ("from": "END"), or from the identification but never
 * before the end ("from": "IDENTIFICATION"); one never identified holds no identity and its
 * retention ends with it.
 *
 * Ownership: the catalogue keeps the checked section (json); everything else is by value.
 */
#ifndef SIGNET_SRS_RETENTION_H
#define SIGNET_SRS_RETENTION_H

#include "core/isotime.h"
#include "jobs/jobs.h"
#include "srs/registration.h"
#include "store/srs_data.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct config;
struct srs_catalogue;

/* The default section, used when a catalogue file has none. */
#define SRS_RETENTION_DEFAULT                                                                      \
    "{\"CH\": {\"duration\": \"P11Y\", \"from\": \"END\"}, "                                       \
    "\"EU\": {\"duration\": \"P10Y\", \"from\": \"END\"}}"

struct srs_retention_rule {
    char text[32]; /* the duration as written, e.g. "P11Y" */
    struct iso_duration duration;
    bool from_identification; /* false: counted from the registration's end */
};

/* Checks a "retention" section: an object with an entry for each jurisdiction (CH, EU), each
 * {"duration": ISO 8601 duration, "from": "END" | "IDENTIFICATION"}. False with one line in
 * err naming the jurisdiction and field. */
bool srs_retention_valid(const json_t *section, char *err, size_t err_len);

/* The rule of jurisdiction in the catalogue c; false when it has none (not checked). */
bool srs_retention_rule(const struct srs_catalogue *c, const char *jurisdiction,
                        struct srs_retention_rule *out);

/* When registration l ended (ms), or 0 when it has not ended as of now. */
int64_t srs_registration_end(const struct store_srs_lifecycle *l, int64_t now);
/* When l's retention ends (ms) under rule, or 0 while the registration has not ended. */
int64_t srs_retention_end(const struct store_srs_lifecycle *l,
                          const struct srs_retention_rule *rule, int64_t now);

/* The "srs-retention" job (struct jobs_kind run). */
void srs_retention_run(struct store *s, const struct config *cfg, int64_t as_of,
                       const char *trigger, const atomic_bool *stop, struct jobs_outcome *out);
/* One run of the job on store s with catalogue c as of as_of; *done: registrations whose data
 * ended, *more: work was left. False when the store failed. */
bool srs_retention_apply(struct store *s, const struct srs_catalogue *c, int64_t as_of,
                         size_t max_items, const atomic_bool *stop, size_t *done, bool *more);

/* What a deletion did or why it was refused. */
struct srs_delete_result {
    size_t deleted;       /* registrations whose data was destroyed now */
    size_t already;       /* registrations whose data had already ended */
    char blocking_id[64]; /* the registration that prevents it (CONFLICT) */
    char blocking_status[24];
    int64_t retention_until; /* its retention end; 0: it is in use (not ended) */
};

/* Deletes the personal data of the person of the organization's registration id: it and the
 * organization's other registrations with the same verified mobile number. All or nothing:
 * CONFLICT (with *out's blocking fields) when one is in use or inside its retention as of
 * now; OK with out->already = 1 when its data had already ended (a repeated deletion);
 * each destruction audited DATA_DELETED by actor. */
enum srs_result srs_person_delete(const struct srs_env *env, const char *organization_id,
                                  const char *id, const char *actor, int64_t now,
                                  struct srs_delete_result *out);

#endif
