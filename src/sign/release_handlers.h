/*
 * HTTP handlers of the release and open endpoints (sign/release.h), listed in http/routes.c.
 * The organization comes from the access token; the participant-link key is derived from the
 * master key on each call. Nothing they allocate outlives the call.
 */
#ifndef SIGNET_SIGN_RELEASE_HANDLERS_H
#define SIGNET_SIGN_RELEASE_HANDLERS_H

struct http_request;

/* POST /system/api/process/{processId}/release: 200 ReleaseResponse; 208 when released
 * before (same URLs); 400 Validation; 404 ProcessNotFound; 409 Conflict (state, reminders
 * with suppress ALL, signature methods) or PreconditionFailed (naming every unmet one). */
void sign_handle_process_release(struct http_request *req);
/* POST /system/api/process/{processId}/open/{personId}: 200 ProcessOpenResponse; 400
 * Validation; 404 ProcessNotFound / NotFound (unknown person); 409 Conflict (not released). */
void sign_handle_process_open(struct http_request *req);

#endif
