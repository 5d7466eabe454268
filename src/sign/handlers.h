/*
 * HTTP handlers of the Sign API v2 process endpoints (/system/api/process…), listed in
 * http/routes.c. They read the request (body, path parameters, Idempotency-Key), call the
 * domain (sign/process.h) with the caller's organization from the access token, and answer
 * with the contract's objects or its Error object. Nothing they allocate outlives the call.
 */
#ifndef SIGNET_SIGN_HANDLERS_H
#define SIGNET_SIGN_HANDLERS_H

struct http_request;

/* POST /system/api/process: 201 Process; 208 Process when the Idempotency-Key was used. */
void sign_handle_process_create(struct http_request *req);
/* GET /system/api/process: 200 ProcessPage of the caller's organization; 400 naming a bad
 * query parameter. */
void sign_handle_process_list(struct http_request *req);
/* POST /system/api/process/{processId}/setup: 202 ProcessSetupResponse with the setup page's
 * URL; 404 ProcessNotFound; 409 Conflict naming the state when the process is not CREATED. */
void sign_handle_process_setup(struct http_request *req);
/* GET /system/api/process/{processId}: 200 Process, 404 ProcessNotFound. */
void sign_handle_process_get(struct http_request *req);
/* GET /system/api/process/{processId}/status: 200 ProcessStatusResponse. */
void sign_handle_process_status(struct http_request *req);
/* GET /system/api/process/{processId}/record: 200 AuditSuccessRecordResponse. */
void sign_handle_process_record(struct http_request *req);

#endif
