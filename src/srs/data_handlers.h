/*
 * HTTP handlers for a person's SRS data (docs/srs.md "Export and deletion"), listed in
 * http/routes.c: GET /srs/v1/registrations/{id}/export (srs:identity:read) and
 * DELETE /srs/v1/registrations/{id}/personal-data (srs:identity:delete).
 */
#ifndef SIGNET_SRS_DATA_HANDLERS_H
#define SIGNET_SRS_DATA_HANDLERS_H

struct http_request;

void srs_handle_person_export(struct http_request *req);
void srs_handle_person_delete(struct http_request *req);

#endif
