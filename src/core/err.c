#include "core/err.h"

static const struct err_info table[ERR_KIND_COUNT] = {
    [ERR_BAD_REQUEST] = {400, "BadRequest", "Invalid request"},
    [ERR_MALFORMED_JSON] = {400, "MalformedJson", "Request body is not valid JSON"},
    [ERR_VALIDATION] = {400, "Validation", "Invalid request data"},
    [ERR_UNAUTHORIZED] = {401, "Unauthorized", "Authentication required"},
    [ERR_FORBIDDEN] = {403, "Forbidden", "Access denied"},
    [ERR_ROUTE_NOT_FOUND] = {404, "RouteNotFound", "Not found"},
    [ERR_NOT_FOUND] = {404, "NotFound", "Not found"},
    [ERR_PROCESS_NOT_FOUND] = {404, "ProcessNotFound", "Process not found"},
    [ERR_FILE_NOT_FOUND] = {404, "FileNotFound", "File not found"},
    [ERR_PARTICIPANT_NOT_FOUND] = {404, "ParticipantNotFound", "Participant not found"},
    [ERR_PROCESS_MISSING] = {409, "ProcessNotFound", "Process not found"},
    [ERR_METHOD_NOT_ALLOWED] = {405, "MethodNotAllowed", "Method not allowed"},
    [ERR_CONFLICT] = {409, "Conflict", "Conflict with the current state"},
    [ERR_PRECONDITION_FAILED] = {409, "PreconditionFailed", "Precondition not met"},
    [ERR_GONE] = {410, "Gone", "No longer available"},
    [ERR_PAYLOAD_TOO_LARGE] = {413, "PayloadTooLarge", "Request body too large"},
    [ERR_UNSUPPORTED_MEDIA_TYPE] = {415, "UnsupportedMediaType", "Unsupported content type"},
    [ERR_TOO_MANY_REQUESTS] = {429, "TooManyRequests", "Too many requests"},
    [ERR_INTERNAL] = {500, "InternalError", "Internal error"},
    [ERR_STORE_UNAVAILABLE] = {503, "ServiceUnavailable", "Service temporarily unavailable"},
};

const struct err_info *err_info(enum err_kind kind)
{
    if ((int)kind < 0 || kind >= ERR_KIND_COUNT || !table[kind].name)
        return &table[ERR_INTERNAL];
    return &table[kind];
}
