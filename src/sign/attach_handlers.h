/*
 * HTTP handlers of the Sign API v2 document endpoints, listed in http/routes.c: attach a PDF
 * to a process and download a process file as JSON (base64) or as raw bytes. The
 * organization always comes from the access token. Nothing they allocate outlives the call.
 */
#ifndef SIGNET_SIGN_ATTACH_HANDLERS_H
#define SIGNET_SIGN_ATTACH_HANDLERS_H

struct http_request;

/* POST /system/api/process/{processId}/attach: 201 FileAttachResponse; 400 Validation,
 * 404 ProcessNotFound, 409 PreconditionFailed (state, file limit). */
void sign_handle_process_attach(struct http_request *req);
/* GET /system/api/process/{processId}/file/{fileId}: 200 FileAttachment (content base64). */
void sign_handle_file_get(struct http_request *req);
/* GET /system/api/process/{processId}/file/{fileId}/content: 200 the bytes (application/pdf,
 * Content-Disposition attachment with the file name). */
void sign_handle_file_content(struct http_request *req);

#endif
