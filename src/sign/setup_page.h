/*
 * The setup page's domain logic (docs/setup-page.md): what the person handed a CREATED process
 * by POST /system/api/process/{id}/setup does in the browser at PUBLIC_URL/ui/setup/{token} —
 * edit the signers, place their signature boxes on the documents' pages, choose the signature
 * level and methods, and release the process through sign_process_release, exactly as the API
 * would for the client that asked for the setup link.
 * Nothing here knows HTTP: sign/setup_page_handlers.c maps results to answers and cookies.
 *
 * Sessions: opening the link resolves its token by SHA-256 (process_setup_links) and makes a
 * session bound to the link's organization, process and link. Its id is 256 random bits
 * (base64url) in a cookie; only its SHA-256 is stored (setup_sessions). A session lives
 * SIGN_SETUP_SESSION_TTL_MS and never beyond its link: a revoked (newer link) or expired link
 * ends it. The CSRF token is the signer pages' (sign_page_csrf): derived from the id.
 *
 * Ownership: out parameters documented per function; everything else borrowed.
 */
#ifndef SIGNET_SIGN_SETUP_PAGE_H
#define SIGNET_SIGN_SETUP_PAGE_H

#include "core/crypto.h"
#include "core/isotime.h"
#include "store/setup_page.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct pdf_engine;

#define SIGN_SETUP_SESSION_TTL_MS    ((int64_t)2 * 3600 * 1000)
#define SIGN_SETUP_SESSION_TOKEN_LEN 44 /* base64url of 32 bytes (43) and the NUL */

struct sign_setup_env {
    struct store *store;
    struct pdf_engine *pdf;
    /* Release only (NULL elsewhere): the participant-link key (sign_link_key_derive), the
     * public URL of the participant links, the longest validUntil after now. */
    const unsigned char *link_key;
    const char *public_url;
    const struct iso_duration *max_validity;
};

enum sign_setup_page_result {
    SIGN_SETUP_PAGE_OK = 0,
    SIGN_SETUP_PAGE_LINK_INVALID, /* unknown, revoked or expired setup link */
    SIGN_SETUP_PAGE_NO_SESSION,   /* no cookie, unknown or expired session, link ended */
    SIGN_SETUP_PAGE_CSRF,         /* the CSRF header is missing or wrong */
    SIGN_SETUP_PAGE_INVALID,      /* bad input: 400, err names the field */
    SIGN_SETUP_PAGE_WRONG_STATE,  /* the process is no longer CREATED (released, expired) */
    SIGN_SETUP_PAGE_CONFLICT,     /* release: 409 Conflict (e.g. a method the level forbids) */
    SIGN_SETUP_PAGE_PRECONDITION, /* release: unmet preconditions, each named in err */
    SIGN_SETUP_PAGE_NOT_FOUND,    /* no such document or page in the session's process */
    SIGN_SETUP_PAGE_UNAVAILABLE,  /* store, PDF engine or key failure */
};

/* Opens setup link token: on OK a new session (its id into session_out for the cookie, the
 * session into *out). LINK_INVALID for an unknown, revoked or expired link. */
enum sign_setup_page_result sign_setup_page_open(struct store *s, const char *token, int64_t now,
                                                 char session_out[SIGN_SETUP_SESSION_TOKEN_LEN],
                                                 struct store_setup_session *out);

/* The session named by the cookie value id (may be NULL) into *out; NO_SESSION when unknown,
 * expired, or its link was revoked or expired at now. */
enum sign_setup_page_result sign_setup_page_session(struct store *s, const char *id, int64_t now,
                                                    struct store_setup_session *out);

/*
 * The page's view (new reference into *out): state SETUP (CREATED: editable), RELEASED
 * (PENDING or COMPLETED) or EXPIRED; process (id, status, signatureLevel, validUntil); signers
 * (id, externalIdentifier, firstName, lastName, email, mobile); documents (id, name, pageCount,
 * pages with width/height in points, signaturePositions: signer, pageNumber, positionX,
 * positionY, locator); levels with their methods; sticker (width, height); language, backUrl,
 * successUrl, mode.
 */
enum sign_setup_page_result sign_setup_page_state(const struct sign_setup_env *env,
                                                  const struct store_setup_session *sess,
                                                  int64_t now, json_t **out);

/*
 * Replaces the signers with body {"signers": [{"id"?, "firstName", "lastName", "email",
 * "mobile"}]}: an id names a current signer (kept, with its positions), no id adds one;
 * current signers left out are removed with their positions. Validated as the create request
 * validates a Signer (sign_signer_parse); messages name "signers[i].field". One transaction
 * with an audit record "setup" SUCCESS (setup_event SIGNERS).
 */
enum sign_setup_page_result sign_setup_page_signers(struct store *s,
                                                    const struct store_setup_session *sess,
                                                    const json_t *body, int64_t now, char *err,
                                                    size_t err_len);

/*
 * Replaces the signature positions of one document with body {"documentId": "…",
 * "signaturePositions": [{"signer": participantId, "pageNumber": n, "positionX": x,
 * "positionY": y}]} (zero-based page, points from the left / from the top, integers >= 0).
 * Each box is checked against its page as attach checks it (sign_position_check). One
 * transaction with an audit record "setup" SUCCESS (setup_event POSITIONS).
 */
enum sign_setup_page_result sign_setup_page_positions(const struct sign_setup_env *env,
                                                      const struct store_setup_session *sess,
                                                      const json_t *body, int64_t now, char *err,
                                                      size_t err_len);

/* Renders page `page` (zero-based) of document doc_id of the session's process as a PNG
 * width_px wide (*png owned, free()). */
enum sign_setup_page_result sign_setup_page_preview(const struct sign_setup_env *env,
                                                    const struct store_setup_session *sess,
                                                    const char *doc_id, int page, int width_px,
                                                    unsigned char **png, size_t *png_len);

/*
 * Releases with body {"signatureLevel"?: level, "release"?: ProcessReleaseRequest}: validates
 * the release request (sign_release_parse), sets the level when it differs (audit "setup"
 * SUCCESS, setup_event LEVEL), then calls sign_process_release for the link's client. Its
 * answers come back as INVALID, CONFLICT, PRECONDITION (err names every unmet one).
 * env->link_key, public_url and max_validity must be set.
 */
enum sign_setup_page_result sign_setup_page_release(const struct sign_setup_env *env,
                                                    const struct store_setup_session *sess,
                                                    const json_t *body, int64_t now, char *err,
                                                    size_t err_len);

#endif
