/*
 * The gateways of the notify module (internal to src/notify/, and its tests): e-mail over SMTP
 * and SMS over an HTTP gateway, both with libcurl, configured by struct config (smtp-*, sms-*;
 * docs/notify.md). A send either succeeds or fails with err set to a line for last_error that
 * names the transport's failure and never the recipient, subject or text.
 *
 * Ownership: every pointer is borrowed; struct buf results belong to the caller (buf_free).
 */
#ifndef SIGNET_NOTIFY_TRANSPORT_H
#define SIGNET_NOTIFY_TRANSPORT_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

/* Builds the RFC 5322 message: Date (of now_ms), Message-ID (<message_id@domain of from>),
 * From, To, Subject (RFC 2047 encoded-words when not ASCII), MIME-Version, Content-Type
 * text/plain; charset=UTF-8, Content-Transfer-Encoding quoted-printable; CRLF line ends.
 * False when it does not fit or from has no address. */
bool notify_smtp_message(const char *from, const char *to, const char *subject, const char *body,
                         int64_t now_ms, const char *message_id, struct buf *out);
/* The address part of "Name <addr>" or "addr" into out. False when there is none. */
bool notify_address_of(const char *from, char *out, size_t out_len);
/* Sends one e-mail through cfg's SMTP server. */
bool notify_smtp_send(const struct config *cfg, const char *to, const char *subject,
                      const char *body, const char *message_id, char *err, size_t err_len);

/* The SMS gateway's request body: tmpl with {to} and {text} replaced, JSON-escaped. */
bool notify_sms_body(const char *tmpl, const char *to, const char *text, struct buf *out);
/* Sends one SMS through cfg's gateway (POST sms-url; success is a 2xx answer). */
bool notify_sms_send(const struct config *cfg, const char *to, const char *text, char *err,
                     size_t err_len);

#endif
