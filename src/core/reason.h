/*
 * Reasons: a machine-readable key, with parameters, that goes with a message for a person, so
 * that the web pages can show the message in their own language (docs/web.md, "Messages from
 * the server").
 *
 * Domain functions report a failure as an enum and an English message in a caller's buffer
 * (char *err, size_t err_len). reason_message writes that message like str_message and puts
 * the reason in front of it, in a header that only http/reply.c reads:
 *
 *     "\x1e" {"reason":"code.wrong","params":{"tries":3}} "\x1e" The code is wrong; 3 more tries.
 *
 * so no signature changes on the way from the domain to the handler. http_reply_error removes
 * the header: the Error object's "message" is the English text alone; answers of the pages'
 * APIs (/ui/…, /srs/r/…, /srs/terms/…, /srs/sim/…) carry "reason" and "params" beside the
 * contract's fields, every other answer (the Sign API under /system) only the contract's.
 *
 * A key names what happened in words of the page ("code.wrong", "link.invalid"); each has a
 * text error.KEY in every web/static/i18n/LANG.js, with {name} placeholders for params.
 * Keys are [A-Za-z0-9.] only; params is an object of strings and integers.
 */
#ifndef SIGNET_CORE_REASON_H
#define SIGNET_CORE_REASON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define REASON_MARK    '\x1e' /* ASCII record separator: never in a message people write */
#define REASON_KEY_MAX 48

/* Formats the message into out (bounded; out NULL or out_len 0: nothing) with the header of
 * reason (may be NULL: a plain message, as str_message) and params (stolen: the reference
 * passes to this call; may be NULL). When the header does not fit, out holds the message
 * alone. Returns false, so that `return reason_message(…);` reports a failure. */
bool reason_message(char *out, size_t out_len, const char *reason, json_t *params, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));

/* Puts the header of reason and params (stolen, may be NULL) in front of the message already
 * in out (a message of another module, such as sign/drawn.c's), replacing a header it has;
 * the message's end is cut when the whole does not fit. Returns false. */
bool reason_tag(char *out, size_t out_len, const char *reason, json_t *params);

/* Splits msg: returns the message text (a pointer into msg) and, when msg starts with a well
 * formed header, its reason key into key (key_len > 0; "" when there is none) and its params
 * into *params (new reference, NULL when none; params may be NULL when not wanted). */
const char *reason_split(const char *msg, char *key, size_t key_len, json_t **params);

#endif
