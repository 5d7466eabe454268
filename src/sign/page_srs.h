/*
 * The Smart Registration Service on the signer pages (docs/srs.md, "Coupling to signing";
 * docs/signer-pages.md, "Registration"). Nothing here knows HTTP; sign/page.c and
 * sign/page_handlers.c call it.
 *
 * Which signature levels need a registration is data: the methods catalogue's "signing"
 * section (srs_catalogue_signing_needs; QUALIFIED → CH/QUALIFIED, QUALIFIED_EU → EU/QUALIFIED,
 * ADVANCED/ADVANCED_EU when the operator says so for all or for one organization). For such a
 * level the signer's registration is the organization's newest ACTIVE, unexpired registration
 * of that jurisdiction and level whose verified mobile number is the signer's declared mobile
 * (srs_registration_for_signer); its registered name goes into the certificate.
 *
 * Ownership: json outputs are new references; everything else borrowed.
 */
#ifndef SIGNET_SIGN_PAGE_SRS_H
#define SIGNET_SIGN_PAGE_SRS_H

#include "sign/page.h"
#include "sign/signing.h"
#include "srs/registration.h"

struct store_process;
struct store_participant;

/* The signer's registered identity for signing; strings point into `found`. */
struct sign_page_srs_identity {
    bool required; /* the process's level needs a registration */
    bool found;    /* and the signer has one: identity is filled */
    struct srs_signer_identity found_id;
    struct sign_registered_identity identity;
};

/*
 * The "registration" field of the page's state for process p and its participant me, or NULL
 * in *out when p's level needs none: {"required": true, "jurisdiction", "level", "status":
 * "ACTIVE" | "MISSING", "canStart": whether a registration can be started here (the signer
 * has a mobile number, the process and the signer are pending)}. UNAVAILABLE when the
 * registration service cannot be asked (env->srs NULL, store failure).
 */
enum sign_page_result sign_page_srs_state(const struct sign_page_env *env,
                                          const struct store_process *p,
                                          const struct store_participant *me, json_t **out);

/*
 * What signing needs for the session's participant into *out. REFUSED with a message in err
 * when the level needs a registration and the signer has no ACTIVE one (nothing is used up);
 * UNAVAILABLE when it cannot be looked up.
 */
enum sign_page_result sign_page_srs_identity(const struct sign_page_env *env,
                                             const struct store_ui_session *sess, int64_t now,
                                             struct sign_page_srs_identity *out, char *err,
                                             size_t err_len);

/*
 * OSS (one-shot signing): the identity of the session's participant's VERIFIED
 * identification of this process (sign/verification.h, sign_verification_identity) in *out;
 * REFUSED (err) when the signer has not been identified (or was rejected).
 */
enum sign_page_result sign_page_srs_oss_identity(const struct sign_page_env *env,
                                                 const struct store_ui_session *sess,
                                                 struct sign_page_srs_identity *out, char *err,
                                                 size_t err_len);

/*
 * Starts a registration for the session's participant (srs_registration_create for the
 * organization, with the catalogue's methods serving the level's jurisdiction and level, the
 * signer's name and mobile as prefill, actor "signer-page:" + participant id, redirectUrl
 * return_url). *out: {"url": the registration page (PUBLIC_URL/srs/r/{token})}.
 * WRONG_STATE when nothing is to be signed; REFUSED (err) when the level needs no
 * registration, the signer has an ACTIVE one already, has no mobile number, or no method
 * serves the level.
 */
enum sign_page_result sign_page_srs_start(const struct sign_page_env *env,
                                          const struct store_ui_session *sess,
                                          const char *return_url, int64_t now, json_t **out,
                                          char *err, size_t err_len);

#endif
