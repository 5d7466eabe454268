/*
 * The signer pages' domain logic (docs/signer-pages.md): what a signer does in the browser
 * after opening a participant link — page sessions, authorization with a one-time code,
 * viewing the documents, signing (CLICK, SMS, APP: sign/page_app.h, PASSKEY:
 * sign/page_passkey.h) through
 * sign_participant_sign, declining.
 * Nothing here knows HTTP: sign/page_handlers.c maps results to answers and cookies.
 *
 * Sessions: opening PUBLIC_URL/ui/sign/{token} (permanent link) or /ui/open/{token}
 * (time-limited link) makes a session bound to the link's organization, process and
 * participant. Its id is 256 random bits (base64url) kept by the browser in a cookie; only
 * its SHA-256 is stored. The CSRF token is derived from the id (SHA-256 of "csrf\n" + id,
 * base64url), so it needs no storage and cannot be computed without the cookie. Every call
 * takes the session and acts only on its own process and participant.
 *
 * Authorization (DESIGN.md, "Process authorization"): a person account's verified e-mail or
 * mobile (and for the initiator ownership and team membership) authorizes without a code
 * (sign/page_account.h); a process with authorization ACCOUNT offers no code. Otherwise the
 * fallback applies: a one-time
 * code of 6 digits, sent by SMS when the participant has a mobile, else by e-mail; valid
 * SIGN_PAGE_CODE_TTL_MS, locked after SIGN_PAGE_CODE_MAX_ATTEMPTS wrong entries. The Open
 * Request's 30-second code (skipAuthorization) authorizes the session directly, once.
 *
 * Ownership: out parameters documented per function; everything else borrowed.
 */
#ifndef SIGNET_SIGN_PAGE_H
#define SIGNET_SIGN_PAGE_H

#include "store/ui_session.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct pdf_engine;
struct pki_service;
struct srs_env;

#define SIGN_PAGE_TOKEN_LEN         44 /* base64url of 32 bytes (43) and the NUL */
#define SIGN_PAGE_SESSION_TTL_MS    ((int64_t)2 * 3600 * 1000)
#define SIGN_PAGE_CODE_TTL_MS       ((int64_t)10 * 60 * 1000)
#define SIGN_PAGE_CODE_MAX_ATTEMPTS 5
#define SIGN_PAGE_CODE_INTERVAL_MS  ((int64_t)30 * 1000) /* between two codes, unless locked */
#define SIGN_PAGE_CODES_PER_HOUR    5                    /* per participant and purpose */
#define SIGN_PAGE_REASON_MAX        500                  /* bytes of a decline reason */
#define SIGN_PAGE_PREVIEW_WIDTH     1000

struct sign_page_env {
    struct store *store;
    struct pdf_engine *pdf;
    struct pki_service *pki;
    /* The master key (CRYPTO_KEY_LEN bytes) that seals authenticator-app secrets; NULL where
     * the call needs none (only APP enrolment and APP signing do: sign/page_app.h). */
    const unsigned char *master_key;
    /* PUBLIC_URL, for the participant URLs in completion notices (with master_key). */
    const char *public_url;
    /* The Smart Registration Service (sign/page_srs.h): levels that need a registration look
     * the signer's up here. NULL: none can be looked up (such levels cannot be signed). */
    const struct srs_env *srs;
};

enum sign_page_result {
    SIGN_PAGE_OK = 0,
    SIGN_PAGE_LINK_INVALID,   /* unknown link token, or a time-limited link that expired */
    SIGN_PAGE_NO_SESSION,     /* no session cookie, unknown or expired session */
    SIGN_PAGE_CSRF,           /* the CSRF header is missing or wrong */
    SIGN_PAGE_NOT_AUTHORIZED, /* the session has not passed authorization */
    SIGN_PAGE_CODE_WRONG,     /* wrong code (attempt counted); err says how many are left */
    SIGN_PAGE_CODE_LOCKED,    /* too many wrong entries: request a new code */
    SIGN_PAGE_CODE_EXPIRED,   /* no code, expired or used: request a new one */
    SIGN_PAGE_RATE_LIMITED,   /* a new code was requested too soon or too often */
    SIGN_PAGE_WRONG_STATE,    /* the process or the signer is not pending */
    SIGN_PAGE_REFUSED,        /* method not allowed or not possible; err says why */
    SIGN_PAGE_NOT_FOUND,      /* no such document (or page) in the session's process */
    SIGN_PAGE_INVALID,        /* bad input; err says what */
    SIGN_PAGE_UNAVAILABLE,    /* store, PDF engine, PKI or notification failure */
};

/*
 * Opens a link: resolves token (open_link: a /ui/open token, else a /ui/sign token) by its
 * hash and makes a session. When current (the browser's session id, may be NULL) names an
 * unexpired session of the same link it is kept (a reload does not ask for a new code).
 * open_code (may be NULL): the Open Request's ?code=; when it is valid for the link's
 * participant it is redeemed and authorizes the session (audit "authorization" SUCCESS);
 * otherwise the normal authorization applies. On OK session_out holds the session id for the
 * cookie and *out the session.
 */
enum sign_page_result sign_page_open(struct store *s, bool open_link, const char *token,
                                     const char *open_code, const char *current, int64_t now,
                                     char session_out[SIGN_PAGE_TOKEN_LEN],
                                     struct store_ui_session *out);

/* The session named by the cookie value id (may be NULL) into *out: NO_SESSION when unknown
 * or expired at now. */
enum sign_page_result sign_page_session(struct store *s, const char *id, int64_t now,
                                        struct store_ui_session *out);

/* The CSRF token of session id into out. */
void sign_page_csrf(const char *id, char out[SIGN_PAGE_TOKEN_LEN]);
/* True when header (may be NULL) is the CSRF token of session id (constant-time compare). */
bool sign_page_csrf_valid(const char *id, const char *header);

/*
 * The page's view of the session (new reference into *out): state (AUTHORIZE, READY, SIGNED,
 * DECLINED, COMPLETED, EXPIRED), the signer's name, how a code would be sent, the methods
 * the page can use, backUrl, successUrl, mode; once authorized also the documents (pages with
 * their sizes, the signer's boxes, each with "drawn") and the other signers' states, and
 * drawnSignature (a box asks for a drawn signature: sign_page_sign needs an image).
 */
enum sign_page_result sign_page_state(const struct sign_page_env *env,
                                      const struct store_ui_session *sess, int64_t now,
                                      json_t **out);

/*
 * Sends a one-time code for purpose "AUTHORIZE" or "SIGN" (SIGN: always by SMS, and only
 * when the participant has a mobile) through the notification outbox, in one transaction with
 * the code's row. *out (new reference): channel, destination (masked), expiresAt.
 */
enum sign_page_result sign_page_send_code(struct store *s, const struct store_ui_session *sess,
                                          const char *purpose, int64_t now, json_t **out, char *err,
                                          size_t err_len);

/* Checks code against the session's newest AUTHORIZE code and authorizes the session; audit
 * "authorization" SUCCESS or FAIL. */
enum sign_page_result sign_page_authorize(struct store *s, const struct store_ui_session *sess,
                                          const char *code, int64_t now, char *err, size_t err_len);

/* Renders page `page` (zero-based) of document doc_id (newest version) as a PNG of width_px
 * (*png owned, free()); records "view" once per session and document. */
enum sign_page_result sign_page_preview(const struct sign_page_env *env,
                                        const struct store_ui_session *sess, const char *doc_id,
                                        int page, int width_px, int64_t now, unsigned char **png,
                                        size_t *png_len);

/* The bytes of document doc_id: its original (signed false) or newest version. *name_out:
 * the document's name (owned, free()); *bytes owned (free()). Records "view" like preview. */
enum sign_page_result sign_page_file(const struct sign_page_env *env,
                                     const struct store_ui_session *sess, const char *doc_id,
                                     bool signed_version, int64_t now, char **name_out,
                                     unsigned char **bytes, size_t *len);

/* Signs with method "CLICK", "SMS" (code: the newest SIGN code), "APP" (code: the current
 * code of the signer's authenticator app, sign/page_app.h; needs env->master_key) or
 * "PASSKEY" (passkey: the WebAuthn assertion, sign/page_passkey.h) by calling
 * sign_participant_sign for the session's participant. code and passkey may be NULL.
 * image: the drawn signature (base64 PNG, sign/drawn.h), required when one of the signer's
 * boxes asks for it (stickerProvider CUSTOM_VISUAL_SIGNATURE_PROVIDER) and refused otherwise
 * (NULL: none); checked strictly (INVALID with err) before any code is used up, and placed
 * only into the boxes that ask for it. */
enum sign_page_result sign_page_sign(const struct sign_page_env *env,
                                     const struct store_ui_session *sess, const char *method,
                                     const char *code, const json_t *passkey, const char *image,
                                     int64_t now, char *err, size_t err_len);

/* The session's signer declines with reason (1..SIGN_PAGE_REASON_MAX bytes of UTF-8): status
 * DECLINED and audit "decline" SUCCESS in one transaction. */
enum sign_page_result sign_page_decline(struct store *s, const struct store_ui_session *sess,
                                        const char *reason, int64_t now, char *err, size_t err_len);

/* The SIGN_METHOD_* bits this page offers the session's participant into *methods (allowed by
 * the release, or the level, and implemented here: CLICK; SMS when the participant has a
 * mobile; APP; PASSKEY) and, when pending is not NULL, whether the process and the
 * participant are both PENDING (something to sign). */
enum sign_page_result sign_page_methods(struct store *s, const struct store_ui_session *sess,
                                        int64_t now, unsigned *methods, bool *pending);

/* "+41 •• ••• 45 67" style mask of a mobile, "a•••@example.com" of an e-mail, into out. */
void sign_page_mask(const char *to, bool mobile, char *out, size_t out_len);

#endif
