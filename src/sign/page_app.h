/*
 * The signature method APP on the signer pages (docs/signer-pages.md): a TOTP authenticator
 * app (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits, one step of drift either side; core/
 * crypto.h). Nothing here knows HTTP; sign/page_handlers.c calls it.
 *
 * Enrolment: an authorized signer whose process offers APP and who has no enrolment gets a
 * fresh 160-bit secret, sealed with the master key (aad "signet-totp:" + enrolment id) and
 * shown once as an otpauth:// URI, its QR code (SVG) and base32 text. The first valid code
 * confirms it; until then the page may show the same secret again (the signer may have scanned
 * it already). Binding: the enrolment belongs to the participant (and its organization). There
 * are no person accounts, so the same person enrols again in another process.
 *
 * Codes: a step is accepted at most once per enrolment (the newest accepted step is stored),
 * so a code seen over a shoulder cannot be used again. Wrong codes (at enrolment or signing)
 * count per page session; at SIGN_PAGE_APP_MAX_FAILURES APP is locked for that session. Audit
 * records: "enrolment" INITIALIZE / SUCCESS (enrolment_method APP), "sign" FAIL (sign_method
 * APP, sign_failure CODE_WRONG | CODE_REPLAYED | CODE_LOCKED).
 *
 * Ownership: *out of enrol is a new reference; everything else borrowed.
 */
#ifndef SIGNET_SIGN_PAGE_APP_H
#define SIGNET_SIGN_PAGE_APP_H

#include "sign/page.h"

#define SIGN_PAGE_APP_MAX_FAILURES 5
#define SIGN_PAGE_APP_SECRET_LEN   20 /* 160 bits, RFC 4226's recommended length */
#define SIGN_PAGE_APP_ISSUER       "Signet"

/*
 * Starts (or shows again, while unconfirmed) the enrolment of the session's participant.
 * *out: secret (base32), uri (otpauth://totp/…), qr (a data: URL of the QR code's SVG),
 * period, digits. WRONG_STATE when the app is set up already or there is nothing to sign;
 * REFUSED when the process does not offer APP. Needs env->master_key.
 */
enum sign_page_result sign_page_app_enrol(const struct sign_page_env *env,
                                          const struct store_ui_session *sess, int64_t now,
                                          json_t **out, char *err, size_t err_len);

/* Confirms the enrolment with the app's current code (also uses its step). */
enum sign_page_result sign_page_app_confirm(const struct sign_page_env *env,
                                            const struct store_ui_session *sess, const char *code,
                                            int64_t now, char *err, size_t err_len);

/* Checks a code for signing against the confirmed enrolment and uses its step; sign/page.c
 * calls it before sign_participant_sign. */
enum sign_page_result sign_page_app_check(const struct sign_page_env *env,
                                          const struct store_ui_session *sess, const char *code,
                                          int64_t now, char *err, size_t err_len);

/* Whether the session's participant has a confirmed enrolment. */
enum sign_page_result sign_page_app_enrolled(struct store *s, const struct store_ui_session *sess,
                                             bool *enrolled);

#endif
