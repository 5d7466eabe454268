/*
 * The one table of error kinds. Every handler answers a failure with one of these kinds and a
 * message that tells the caller what to fix; http/reply.c turns it into the contract's Error
 * object (id, timestamp, name, message, path, httpStatus, clientSubject, clientBody).
 * Add new kinds here (and in err.c's table, same order), never ad-hoc in handlers.
 */
#ifndef SIGNET_CORE_ERR_H
#define SIGNET_CORE_ERR_H

enum err_kind {
    ERR_BAD_REQUEST = 0,
    ERR_MALFORMED_JSON,
    ERR_VALIDATION,
    ERR_UNAUTHORIZED,
    ERR_FORBIDDEN,
    ERR_ROUTE_NOT_FOUND,
    ERR_NOT_FOUND,
    ERR_PROCESS_NOT_FOUND,
    ERR_FILE_NOT_FOUND,
    ERR_PARTICIPANT_NOT_FOUND,
    ERR_PROCESS_MISSING, /* 409 ProcessNotFound: GET …/record, as the contract documents it */
    ERR_METHOD_NOT_ALLOWED,
    ERR_CONFLICT,
    ERR_PRECONDITION_FAILED,
    ERR_GONE,
    ERR_PAYLOAD_TOO_LARGE,
    ERR_UNSUPPORTED_MEDIA_TYPE,
    ERR_TOO_MANY_REQUESTS,
    ERR_INTERNAL,
    ERR_STORE_UNAVAILABLE,
    ERR_KIND_COUNT
};

struct err_info {
    int http_status;
    const char *name;           /* the Error object's "name" */
    const char *client_subject; /* the Error object's "clientSubject" */
};

/* Returns the static description of a kind (never NULL; unknown kinds map to ERR_INTERNAL). */
const struct err_info *err_info(enum err_kind kind);

#endif
