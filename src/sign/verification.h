/*
 * Online identification (GwG) of a signer created with a `verification` object (the Sign API
 * contract's Sample 2, schema Verification; docs/sign-api.md "Verification",
 * docs/signer-pages.md "Identification"). The signer page starts the identification as a
 * registration of the Smart Registration Service (sign/page_srs.h, sign_page_srs_start); the
 * registration's identification result is the verification result:
 *   - identified (the partner approved): VERIFIED, unless residentPermit is true and the
 *     identification did not rest on an identity document issued by Switzerland (CH);
 *   - the partner rejected: REJECTED;
 *   - otherwise PENDING (the signer may start a new identification).
 * The outcome is decided once (store/verification.h) and then only read. A signer whose
 * verification is not VERIFIED cannot sign.
 *
 * Ownership: json outputs are new references; everything else borrowed.
 */
#ifndef SIGNET_SIGN_VERIFICATION_H
#define SIGNET_SIGN_VERIFICATION_H

#include "sign/page.h"
#include "srs/registration.h"
#include "store/verification.h"

#include <jansson.h>
#include <stdbool.h>

struct store_process;
struct store_participant;

/* Whether the signer was created with `verification`. */
bool sign_verification_requested(const struct store_participant *me);

/* The jurisdiction and registration level of the identification for process p: the level's
 * registration scope when signing at it needs one (so the same registration serves the
 * signature), else EU for *_EU levels and CH otherwise, at level QUALIFIED (identification
 * by an identity document: video, eID, in person). */
void sign_verification_scope(const struct sign_page_env *env, const struct store_process *p,
                             const char **jurisdiction, const char **level);

/*
 * The signer's verification, decided now if its registration's identification has an
 * outcome: *v filled and *started true when an identification was started. Reads the
 * identity (audited IDENTITY_READ, actor "sign-verification:" + participant id) once, when
 * deciding. UNAVAILABLE when the store or the registration service cannot be asked.
 */
enum sign_page_result sign_verification_settle(const struct sign_page_env *env,
                                               const struct store_process *p,
                                               const struct store_participant *me,
                                               struct store_verification *v, bool *started);

/* sign_verification_settle for every signer of p created with `verification` (env needs
 * only store and srs). */
enum sign_page_result sign_verification_settle_all(const struct sign_page_env *env,
                                                   const struct store_process *p);

/* The page state's "verification" field for a signer who needs one or who may sign with OSS
 * (oss: the page offers it; NULL in *out otherwise): {"required": whether the signer was
 * created with `verification`, "status": "MISSING" | "PENDING" | "VERIFIED" | "REJECTED",
 * "residentPermit", "canStart"}. */
enum sign_page_result sign_verification_state(const struct sign_page_env *env,
                                              const struct store_process *p,
                                              const struct store_participant *me, bool oss,
                                              json_t **out);

/* The identity of the signer's VERIFIED identification as a certificate names it (OSS):
 * REFUSED (err) when there is none, UNAVAILABLE when it cannot be read. The identity read is
 * audited (actor "sign-oss:" + participant id). */
enum sign_page_result sign_verification_identity(const struct sign_page_env *env,
                                                 const struct store_process *p,
                                                 const struct store_participant *me,
                                                 struct srs_signer_identity *out, char *err,
                                                 size_t err_len);

/* OK when the signer needs no verification or is VERIFIED; REFUSED with a message in err
 * otherwise. */
enum sign_page_result sign_verification_check(const struct sign_page_env *env,
                                              const struct store_process *p,
                                              const struct store_participant *me, char *err,
                                              size_t err_len);

/* Adds the decided outcomes (processId, verifiedOn | rejectedOn, payload) to the
 * invitees.signers[].verification objects of process (sign_process_to_json's output). */
bool sign_verification_merge(struct store *s, const char *organization_id, const char *process_id,
                             json_t *process);

#endif
