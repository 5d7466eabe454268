/*
 * notify_enqueue: a rendered message into the outbox, in the caller's transaction; and which
 * channels have a gateway (see notify/notify.h).
 */
#include "notify/notify.h"

#include "core/config.h"
#include "core/log.h"
#include "core/str.h"
#include "core/uuid.h"
#include "store/outbox.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

/* Set once by notify_configure before threads start; read-only afterwards. */
static bool email_gateway, sms_gateway;

void notify_configure(const struct config *cfg)
{
    /* libcurl's global state, once, before threads send (curl_easy_init would otherwise do it
     * lazily in whichever thread comes first). */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    email_gateway = cfg && cfg->smtp_url && cfg->smtp_url[0];
    sms_gateway = cfg && cfg->sms_url && cfg->sms_url[0];
}

bool notify_channel_is_dev(enum notify_channel channel)
{
    return channel == NOTIFY_SMS ? !sms_gateway : !email_gateway;
}

/* An address that can go into an SMTP envelope and a To: header as it is. */
static bool valid_email(const char *s)
{
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n < 3 || n >= STORE_OUTBOX_RECIPIENT_LEN || !at || at == s || !at[1] || strchr(at + 1, '@'))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("<>()[],;:\\\"", *p))
            return false;
    return true;
}

/* E.164: '+' and 6 to 15 digits. */
static bool valid_mobile(const char *s)
{
    if (s[0] != '+')
        return false;
    size_t n = 0;
    for (const char *p = s + 1; *p; p++, n++)
        if (*p < '0' || *p > '9')
            return false;
    return n >= 6 && n <= 15;
}

bool notify_recipient_valid(enum notify_channel channel, const char *to)
{
    return to && (channel == NOTIFY_SMS ? valid_mobile(to) : valid_email(to));
}

enum store_status notify_enqueue(struct store_tx *tx, const struct notify_message *m, int64_t now,
                                 char id_out[STORE_ID_LEN])
{
    if (!m->organization_id || !m->to ||
        !(m->channel == NOTIFY_SMS ? valid_mobile(m->to) : valid_email(m->to))) {
        log_bug("notify: a %s message has no valid recipient", notify_kind_name(m->kind));
        return STORE_ERROR;
    }
    enum store_status st = STORE_ERROR;
    struct store_outbox *o = calloc(1, sizeof *o);
    if (!o)
        return STORE_ERROR;
    char subject[NOTIFY_SUBJECT_MAX], body[NOTIFY_BODY_MAX];
    if (!notify_render(m, subject, body)) {
        log_bug("notify: the %s message cannot be rendered (a field it needs is missing or "
                "too long)",
                notify_kind_name(m->kind));
        goto cleanup;
    }
    if (!uuid_v4(o->id))
        goto cleanup;
    str_copy(o->organization_id, sizeof o->organization_id, m->organization_id);
    str_copy(o->process_id, sizeof o->process_id, m->process_id ? m->process_id : "");
    str_copy(o->participant_id, sizeof o->participant_id,
             m->participant_id ? m->participant_id : "");
    str_copy(o->kind, sizeof o->kind, notify_kind_name(m->kind));
    str_copy(o->channel, sizeof o->channel, notify_channel_name(m->channel));
    str_copy(o->recipient, sizeof o->recipient, m->to);
    str_copy(o->subject, sizeof o->subject, subject);
    str_copy(o->body, sizeof o->body, body);
    str_copy(o->locale, sizeof o->locale, notify_locale(m->locale));
    str_copy(o->status, sizeof o->status, notify_channel_is_dev(m->channel) ? "DEV" : "QUEUED");
    o->next_attempt_at = now;
    o->created_at = now;
    st = store_outbox_insert(tx, o);
    if (st == STORE_OK && id_out)
        str_copy(id_out, STORE_ID_LEN, o->id);
cleanup:
    free(o);
    return st;
}
