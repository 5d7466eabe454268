/*
 * The signature method PASSKEY on the signer pages (docs/signer-pages.md, "Passkey"):
 * WebAuthn registration and assertion, checked on the server by pki/webauthn.h. Nothing here
 * knows HTTP; sign/page_handlers.c calls it.
 *
 * Relying party: rp id = the host of PUBLIC_URL, the expected origin = PUBLIC_URL's
 * scheme://host[:port]. Challenges: 32 bytes from the OS RNG, one open per page session and
 * purpose (REGISTER, SIGN), stored as SHA-256 only, valid SIGN_PAGE_PASSKEY_TTL_MS and used
 * once (taken from the store when a response is checked, whatever the outcome).
 *
 * Registration: an authorized signer whose process offers PASSKEY and who has no credential
 * asks for creation options (ES256, RS256; attestation "none"; user verification required;
 * a random 16-byte user id) and sends the browser's response; the credential (id, DER public
 * key, algorithm, signature counter) is bound to the participant (and its organization).
 * Signing: request options (allowCredentials = the participant's credential), then
 * sign_page_sign with method PASSKEY and the assertion, checked here before
 * sign_participant_sign. A signature counter that does not grow is refused (cloned
 * authenticator). Audit: "enrolment" SUCCESS (enrolment_method PASSKEY); "sign" FAIL with
 * sign_method PASSKEY, sign_failure (webauthn_result_name, PASSKEY_EXPIRED,
 * PASSKEY_UNKNOWN_CREDENTIAL) and sign_passkeyStep REGISTER | SIGN.
 *
 * Ownership: *out of options is a new reference; everything else borrowed.
 */
#ifndef SIGNET_SIGN_PAGE_PASSKEY_H
#define SIGNET_SIGN_PAGE_PASSKEY_H

#include "sign/page.h"

#define SIGN_PAGE_PASSKEY_TTL_MS  ((int64_t)5 * 60 * 1000)
#define SIGN_PAGE_PASSKEY_RP_NAME "Signet"

/*
 * Issues a challenge for purpose "REGISTER" or "SIGN" and answers *out = {"publicKey": the
 * PublicKeyCredentialCreationOptions / RequestOptions with binary members in base64url}.
 * REGISTER: WRONG_STATE when the participant has a passkey; SIGN: REFUSED when it has none.
 */
enum sign_page_result sign_page_passkey_options(const struct sign_page_env *env,
                                                const struct store_ui_session *sess,
                                                const char *purpose, int64_t now, json_t **out,
                                                char *err, size_t err_len);

/* Registers the browser's answer to navigator.credentials.create: credential {"id",
 * "clientDataJSON", "attestationObject"} (base64url). INVALID with the reason when it does not
 * verify, CODE_EXPIRED when no challenge is open or it expired. */
enum sign_page_result sign_page_passkey_register(const struct sign_page_env *env,
                                                 const struct store_ui_session *sess,
                                                 const json_t *credential, int64_t now, char *err,
                                                 size_t err_len);

/* Checks an assertion {"id", "clientDataJSON", "authenticatorData", "signature"[,
 * "userHandle"]} (base64url) against the participant's credential and stores the new counter;
 * sign/page.c calls it before sign_participant_sign. */
enum sign_page_result sign_page_passkey_check(const struct sign_page_env *env,
                                              const struct store_ui_session *sess,
                                              const json_t *assertion, int64_t now, char *err,
                                              size_t err_len);

/* Whether the session's participant has a passkey. */
enum sign_page_result sign_page_passkey_registered(struct store *s,
                                                   const struct store_ui_session *sess,
                                                   bool *registered);

#endif
