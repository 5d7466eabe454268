/*
 * Export of one person's SRS data (docs/srs.md "Export and deletion"): the registrations of
 * the person of a registration (the organization's registrations with the same verified
 * mobile number; only that one before identification), each with its verified_claims, the
 * prefill it was created with, the signed evidence package (CMS, base64), the terms
 * acceptance and its audit trail, as one JSON document. Every export writes an EXPORT audit
 * record per registration (actor, registration; the action is the purpose).
 *
 * Ownership: *out is owned by the caller (json_decref).
 */
#ifndef SIGNET_SRS_EXPORT_H
#define SIGNET_SRS_EXPORT_H

#include "srs/registration.h"

#include <jansson.h>
#include <stdint.h>

/* The export document of the person of the organization's registration id, read as of now
 * and audited as EXPORT by actor. NOT_FOUND: no such registration; GONE: its personal data
 * ended (*data_ended_at: when); UNAVAILABLE: store failure or data that does not open.
 * for_provider (the service provider's API): only with the person's consent on that
 * registration (docs/srs.md "Consent"), else FORBIDDEN, audited as EXPORT_REFUSED; the
 * person's other registrations without consent come without identity data and evidence.
 * The operator's export (signet admin srs export) passes false. */
enum srs_result srs_person_export(const struct srs_env *env, const char *organization_id,
                                  const char *id, const char *actor, bool for_provider, int64_t now,
                                  json_t **out, int64_t *data_ended_at);

#endif
