/*
 * SRS Direct (issue 7, docs/ra.md): in-person identification by registration-authority (RA)
 * agents at registration points. The end customer chooses SRS_DIRECT, gets a reference code
 * (/srs/ra/{order}) and shows it at a point; an agent signed in to /ui/ra opens the case,
 * types the identity document's data and its machine-readable zone (checked by srs/mrz.h),
 * takes a photo of the person and the mobile number. With four eyes (the point demands it) a
 * SUPERVISOR other than the agent approves. The case then becomes a partner result of the
 * "ra-direct" connector, HMAC-signed and applied by srs_partner_callback like any partner's —
 * the same RA-signed evidence — and the agent's device takes the person's SMS code
 * (srs_order_send_code / srs_order_verify_code); the terms of use follow by SMS → ACTIVE.
 *
 * Agents sign in like cockpit admins: scrypt hashes (core/password.h), the sign-in throttle
 * (auth/signin_throttle.h, scope "ra:"), session ids stored as hashes and CSRF tokens
 * (core/token.h). Roles: AGENT identifies, SUPERVISOR also approves, ADMIN manages points.
 * Case data and the photo are sealed with the registration's data key; logs and ra_audit hold
 * agent, case and point ids only.
 *
 * Ownership: pointer arguments are borrowed; json_t outputs are new references.
 */
#ifndef SIGNET_SRS_RA_H
#define SIGNET_SRS_RA_H

#include "core/token.h"
#include "srs/registration.h"
#include "store/ra.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RA_CONNECTOR        "ra-direct"
#define RA_METHOD           "SRS_DIRECT"
#define RA_IDLE_MS          ((int64_t)30 * 60 * 1000)
#define RA_ABSOLUTE_MS      ((int64_t)12 * 3600 * 1000)
#define RA_LOCK_FAILURES    5
#define RA_ADDRESS_FAILURES 20
#define RA_PHOTO_MAX        (2 * 1024 * 1024) /* bytes of a JPEG or PNG photo */
#define RA_REFERENCE_LEN    11                /* 10 characters and the NUL */

#define RA_ROLE_AGENT      "AGENT"
#define RA_ROLE_SUPERVISOR "SUPERVISOR"
#define RA_ROLE_ADMIN      "ADMIN"

enum ra_result {
    RA_OK = 0,
    RA_INVALID,       /* bad input; err names the field */
    RA_SIGNIN_FAILED, /* e-mail or password wrong (one message) */
    RA_LOCKED,        /* too many failed sign-ins */
    RA_NO_SESSION,    /* not signed in */
    RA_FORBIDDEN,     /* the role or the agent may not do this; err says why */
    RA_NOT_FOUND,     /* no such case, reference or point */
    RA_CONFLICT,      /* the case's or registration's state does not allow it; err says why */
    RA_GONE,          /* code expired */
    RA_TOO_MANY,      /* codes capped */
    RA_UNAVAILABLE,   /* store, master key or PKI failed */
};

/* Creates a point (name unique, 1..127 characters). */
enum ra_result ra_point_create(struct store *s, const char *name, const char *address,
                               bool four_eyes, int64_t now, struct store_ra_point *out, char *err,
                               size_t err_len);

/* The points that are not disabled, by name: [{id, name, address, fourEyes}] (new). */
enum ra_result ra_point_list(struct store *s, json_t **out);

/* Creates an agent: email lowercased and unique, role AGENT | SUPERVISOR | ADMIN, point_id ""
 * or an existing point. password NULL: a random initial one is made and written to
 * initial_password (shown once; else initial_password gets ""). actor: who (an ADMIN's agent
 * id, or "cli"), for ra_audit. */
enum ra_result ra_agent_create(struct store *s, const char *actor, const char *email,
                               const char *role, const char *point_id, const char *password,
                               int64_t now, struct store_ra_agent *out,
                               char initial_password[TOKEN_LEN], char *err, size_t err_len);

/* A checked session with its agent and (when picked) point. */
struct ra_session {
    struct store_ra_session session;
    struct store_ra_agent agent;
    struct store_ra_point point; /* id "" until picked */
};

/* Signs in (throttled per e-mail and address like the cockpit); token the cookie's value. */
enum ra_result ra_sign_in(struct store *s, const char *email, const char *password,
                          const char *address, int64_t now, char token[TOKEN_LEN],
                          struct ra_session *out, int64_t *retry_after_s);
/* The session of token: RA_NO_SESSION when unknown, ended, idle, too old or disabled. */
enum ra_result ra_session_get(struct store *s, const char *token, int64_t now,
                              struct ra_session *out);
enum ra_result ra_sign_out(struct store *s, const struct ra_session *c, int64_t now);
void ra_csrf_token(const char *token, char out[TOKEN_LEN]);
bool ra_csrf_valid(const char *token, const char *presented);
/* Picks the point the agent works at in this session (an agent bound to a point: only it). */
enum ra_result ra_session_pick_point(struct store *s, struct ra_session *c, const char *point_id,
                                     int64_t now, char *err, size_t err_len);

/* The end customer's side: the reference code of order_id's case (made on first call) and
 * the registration's status. NOT_FOUND unless the order is an SRS Direct one. */
enum ra_result ra_visit_get(const struct srs_env *env, const char *order_id,
                            char reference[RA_REFERENCE_LEN], char status[24]);

/* Opens the case of a reference code at the session's point (or returns it when the same
 * agent has it open). *case_id gets its id. */
enum ra_result ra_case_open(const struct srs_env *env, const struct ra_session *c,
                            const char *reference, char case_id[STORE_ID_LEN], char *err,
                            size_t err_len);
/* The case for the agent who has it, or a supervisor at its point: {id, reference, status,
 * fourEyes, agentId, approverId, registration {status, jurisdiction, level, mobileVerified,
 * termsSent}, document (the typed data, when given), hasPhoto}. */
enum ra_result ra_case_get(const struct srs_env *env, const struct ra_session *c,
                           const char *case_id, json_t **out, char *err, size_t err_len);
/* The cases waiting for approval at the session's point: [{id, reference, agentId, updatedAt}]. */
enum ra_result ra_case_pending(const struct srs_env *env, const struct ra_session *c, json_t **out);
/* Records the typed identity data: in = {document: {type, number, issuingCountry, expiryDate},
 * person: {givenName, familyName, birthDate, nationality}, mrz}. RA_INVALID with err naming
 * the field ("mrz" for the zone's own check digits, the typed field that disagrees with it). */
enum ra_result ra_case_document(const struct srs_env *env, const struct ra_session *c,
                                const char *case_id, const json_t *in, int64_t now, char *err,
                                size_t err_len);
/* Records the photo (JPEG or PNG by its first bytes, at most RA_PHOTO_MAX bytes). */
enum ra_result ra_case_photo(const struct srs_env *env, const struct ra_session *c,
                             const char *case_id, const unsigned char *data, size_t len,
                             int64_t now, char *err, size_t err_len);
/* The photo (owned in *out, free()) and its content type, for the case's agent or a supervisor. */
enum ra_result ra_case_photo_get(const struct srs_env *env, const struct ra_session *c,
                                 const char *case_id, unsigned char **out, size_t *len,
                                 char type[16]);
/* Submits the case with the person's mobile number (E.164): without four eyes the result is
 * applied at once; with four eyes the case waits for a supervisor. */
enum ra_result ra_case_submit(const struct srs_env *env, const struct ra_session *c,
                              const char *case_id, const char *mobile, int64_t now, char *err,
                              size_t err_len);
/* A SUPERVISOR (not the case's agent) approves: the result is applied. */
enum ra_result ra_case_approve(const struct srs_env *env, const struct ra_session *c,
                               const char *case_id, int64_t now, char *err, size_t err_len);
/* The usual SMS code to the person's mobile (after the result was applied), and its check:
 * the right code sends the terms of use by SMS. */
enum ra_result ra_case_send_code(const struct srs_env *env, const struct ra_session *c,
                                 const char *case_id, char *err, size_t err_len);
enum ra_result ra_case_verify_code(const struct srs_env *env, const struct ra_session *c,
                                   const char *case_id, const char *code, char *err,
                                   size_t err_len);

#endif
