/*
 * Notices to the participants of a signing process (see sign/notices.h).
 */
#include "sign/notices.h"

#include "sign/process.h"
#include "sign/release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True when the comma-separated list names `what`. */
static bool listed(const char *list, const char *what)
{
    char padded[STORE_LIST_TEXT_LEN + 2], item[32];
    snprintf(padded, sizeof padded, ",%s,", list);
    snprintf(item, sizeof item, ",%s,", what);
    return strstr(padded, item) != NULL;
}

bool sign_notice_allowed(const struct store_release *rel, enum notify_kind kind)
{
    if (!rel->notify || listed(rel->suppress, "ALL"))
        return false;
    if (kind == NOTIFY_INVITE)
        return !listed(rel->suppress, "INVITE");
    if (kind == NOTIFY_COMPLETED)
        return !listed(rel->suppress, "COMPLETION");
    return kind != NOTIFY_CODE; /* codes are not notices: the signer asked for them */
}

enum store_status sign_notice_queue(struct store_tx *tx, const struct sign_notice *n, bool *queued)
{
    const struct store_participant *x = n->to;
    const struct store_process *p = n->process;
    if (queued)
        *queued = false;
    bool email = notify_recipient_valid(NOTIFY_EMAIL, x->email);
    if (!email && !notify_recipient_valid(NOTIFY_SMS, x->mobile))
        return STORE_OK; /* nothing to send to */
    char name[600], outbox_id[STORE_ID_LEN];
    if (x->first_name[0] || x->last_name[0])
        snprintf(name, sizeof name, "%s%s%s", x->first_name,
                 x->first_name[0] && x->last_name[0] ? " " : "", x->last_name);
    else
        snprintf(name, sizeof name, "%s", x->name);
    struct notify_message m = {
        .kind = n->kind,
        .channel = email ? NOTIFY_EMAIL : NOTIFY_SMS,
        .organization_id = p->organization_id,
        .process_id = p->id,
        .participant_id = x->id,
        .to = email ? x->email : x->mobile,
        .locale = n->release->locale,
        .recipient_name = name,
        .link = n->link,
        .valid_until_ms = n->release->valid_until,
        .declined_by = n->declined_by,
        .reason = n->reason,
        /* The initiator's personal message belongs to the invitation and its reminders. */
        .message =
            n->kind == NOTIFY_INVITE || n->kind == NOTIFY_REMINDER ? p->personal_message : NULL,
    };
    enum store_status st = notify_enqueue(tx, &m, n->now, outbox_id);
    if (st != STORE_OK)
        return st;
    const char *action = email ? "email" : "sms";
    char k_type[32], k_id[32], k_to[32], k_slots[32];
    snprintf(k_type, sizeof k_type, "%s_type", action);
    snprintf(k_id, sizeof k_id, "%s_outboxId", action);
    snprintf(k_to, sizeof k_to, "%s_participantId", action);
    snprintf(k_slots, sizeof k_slots, "%s_reminderSlots", action);
    json_t *extras = json_pack("{s:s, s:s, s:s}", k_type, notify_kind_name(n->kind), k_id,
                               outbox_id, k_to, x->id);
    if (!extras || (n->slots && n->slots[0] &&
                    json_object_set_new(extras, k_slots, json_string(n->slots)) != 0)) {
        json_decref(extras);
        return STORE_ERROR;
    }
    st = sign_audit_append(tx, p->organization_id, p->id, n->now, action, "INITIALIZE", extras);
    json_decref(extras);
    if (st == STORE_OK && queued)
        *queued = true;
    return st;
}

char *sign_notice_link_url(const unsigned char link_key[CRYPTO_KEY_LEN], const char *public_url,
                           const struct store_participant_link *l)
{
    char token[SIGN_LINK_TOKEN_LEN];
    if (!sign_link_token(link_key, l, token))
        return NULL;
    size_t len = strlen(public_url) + sizeof "/ui/sign/" + strlen(token);
    char *url = malloc(len);
    if (url)
        snprintf(url, len, "%s/ui/sign/%s", public_url, token);
    memset(token, 0, sizeof token);
    return url;
}

/* ---- Events ---- */

/* The process and its release settings; *released false when it was never released. */
static enum store_status load(struct store_tx *tx, const char *org, const char *id,
                              struct store_process *p, struct store_release *rel, bool *released)
{
    *released = false;
    enum store_status st = store_process_get(tx, org, id, p);
    if (st != STORE_OK)
        return st;
    st = store_release_get(tx, org, id, rel);
    if (st == STORE_NOT_FOUND)
        return STORE_OK;
    *released = st == STORE_OK;
    return st;
}

static void wipe_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

enum store_status sign_notices_completed(struct store_tx *tx, const char *organization_id,
                                         const char *id, const unsigned char *link_key,
                                         const char *public_url, int64_t now)
{
    struct store_process p;
    struct store_release rel;
    struct store_participant_link *links = NULL;
    size_t n_links = 0;
    bool released;
    memset(&p, 0, sizeof p);
    enum store_status st = load(tx, organization_id, id, &p, &rel, &released);
    if (st != STORE_OK || !released || !sign_notice_allowed(&rel, NOTIFY_COMPLETED))
        goto cleanup;
    if (link_key && public_url &&
        (st = store_participant_link_list(tx, organization_id, id, &links, &n_links)) != STORE_OK)
        goto cleanup;
    for (size_t i = 0; i < p.n_participants && st == STORE_OK; i++) {
        const struct store_participant *x = &p.participants[i];
        if (strcmp(x->type, "SIGNER") != 0 && strcmp(x->type, "PERSON") != 0)
            continue;
        char *url = NULL;
        for (size_t k = 0; k < n_links && !url; k++)
            if (!strcmp(links[k].participant_id, x->id)) {
                url = sign_notice_link_url(link_key, public_url, &links[k]);
                if (!url) {
                    st = STORE_ERROR;
                    goto cleanup;
                }
            }
        struct sign_notice n = {.kind = NOTIFY_COMPLETED,
                                .process = &p,
                                .release = &rel,
                                .to = x,
                                .link = url,
                                .now = now};
        st = sign_notice_queue(tx, &n, NULL);
        wipe_free(url);
    }
cleanup:
    free(links);
    store_process_clear(&p);
    return st;
}

enum store_status sign_notices_declined(struct store_tx *tx, const char *organization_id,
                                        const char *id, const char *participant_id,
                                        const char *reason, int64_t now)
{
    struct store_process p;
    struct store_release rel;
    bool released;
    memset(&p, 0, sizeof p);
    enum store_status st = load(tx, organization_id, id, &p, &rel, &released);
    if (st != STORE_OK || !released || !sign_notice_allowed(&rel, NOTIFY_DECLINED))
        goto cleanup;
    const struct store_participant *who = NULL;
    for (size_t i = 0; i < p.n_participants && !who; i++)
        if (!strcmp(p.participants[i].id, participant_id))
            who = &p.participants[i];
    if (!who)
        goto cleanup;
    char by[600];
    snprintf(by, sizeof by, "%s %s", who->first_name, who->last_name);
    for (size_t i = 0; i < p.n_participants && st == STORE_OK; i++) {
        const struct store_participant *x = &p.participants[i];
        bool other_signer =
            !strcmp(x->type, "SIGNER") && x != who && strcmp(x->status, "DECLINED") != 0;
        if (!other_signer && strcmp(x->type, "PERSON") != 0)
            continue;
        struct sign_notice n = {.kind = NOTIFY_DECLINED,
                                .process = &p,
                                .release = &rel,
                                .to = x,
                                .declined_by = by,
                                .reason = reason,
                                .now = now};
        st = sign_notice_queue(tx, &n, NULL);
    }
cleanup:
    store_process_clear(&p);
    return st;
}

enum store_status sign_notices_expired(struct store_tx *tx, const char *organization_id,
                                       const char *id, int64_t now)
{
    struct store_process p;
    struct store_release rel;
    bool released;
    memset(&p, 0, sizeof p);
    enum store_status st = load(tx, organization_id, id, &p, &rel, &released);
    if (st != STORE_OK || !released || !sign_notice_allowed(&rel, NOTIFY_EXPIRED))
        goto cleanup;
    for (size_t i = 0; i < p.n_participants && st == STORE_OK; i++) {
        const struct store_participant *x = &p.participants[i];
        if (strcmp(x->type, "SIGNER") != 0 || strcmp(x->status, "PENDING") != 0)
            continue;
        struct sign_notice n = {
            .kind = NOTIFY_EXPIRED, .process = &p, .release = &rel, .to = x, .now = now};
        st = sign_notice_queue(tx, &n, NULL);
    }
cleanup:
    store_process_clear(&p);
    return st;
}
