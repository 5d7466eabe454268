/*
 * Release of a process and the open request (see sign/release.h): request validation, the
 * release preconditions, signature methods against the level, participant links derived with
 * HMAC, time-limited open links and one-time codes stored as SHA-256 only.
 */
#include "sign/release.h"

#include "notify/notify.h"

#include "core/b64.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/reason.h"
#include "core/str.h"
#include "core/uuid.h"
#include "sign/expiry.h"
#include "sign/notices.h"
#include "store/release.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const locales[] = {"en-GB", "de-CH", "fr-CH", "it-CH", NULL};

static const struct {
    const char *name;
    unsigned bit;
} methods[] = {
    {"APP", SIGN_METHOD_APP},         {"SMS", SIGN_METHOD_SMS}, {"CLICK", SIGN_METHOD_CLICK},
    {"PASSKEY", SIGN_METHOD_PASSKEY}, {"OSS", SIGN_METHOD_OSS},
};
#define N_METHODS (sizeof methods / sizeof methods[0])

unsigned sign_methods_for_level(const char *level)
{
    if (!strcmp(level, "SIMPLE"))
        return SIGN_METHOD_CLICK;
    if (!strcmp(level, "ADVANCED"))
        return SIGN_METHOD_APP | SIGN_METHOD_OSS | SIGN_METHOD_PASSKEY | SIGN_METHOD_SMS;
    if (!strcmp(level, "ADVANCED_EU") || !strcmp(level, "QUALIFIED") ||
        !strcmp(level, "QUALIFIED_EU"))
        return SIGN_METHOD_APP | SIGN_METHOD_OSS | SIGN_METHOD_PASSKEY;
    return 0;
}

unsigned sign_method_bit(const char *name, size_t len)
{
    for (size_t i = 0; i < N_METHODS; i++)
        if (strlen(methods[i].name) == len && !strncmp(methods[i].name, name, len))
            return methods[i].bit;
    return 0;
}

unsigned sign_methods_from_text(const char *text)
{
    unsigned set = 0;
    while (text && *text) {
        const char *comma = strchr(text, ',');
        size_t len = comma ? (size_t)(comma - text) : strlen(text);
        set |= sign_method_bit(text, len);
        text += len + (comma ? 1 : 0);
    }
    return set;
}

/* Names of the bits in set, comma-separated, into out. */
static void methods_text(unsigned set, char *out, size_t out_len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < N_METHODS; i++)
        if (set & methods[i].bit) {
            int n = snprintf(out + used, out_len - used, "%s%s", used ? "," : "", methods[i].name);
            if (n < 0 || (size_t)n >= out_len - used)
                return;
            used += (size_t)n;
        }
}

static bool known_keys(const json_t *obj, const char *const *keys, const char *prefix, char *err,
                       size_t err_len)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        const char *const *k = keys;
        while (*k && strcmp(*k, key) != 0)
            k++;
        if (!*k)
            return str_message(err, err_len, "Unknown field '%s%.150s'.", prefix, key);
    }
    return true;
}

/* A locale member (absent/null: "") canonicalized into out. */
static bool locale_field(const json_t *obj, const char *key, const char *name, char out[8],
                         char *err, size_t err_len)
{
    out[0] = '\0';
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return true;
    const char *const *l = locales;
    if (json_is_string(v))
        while (*l && !str_ieq(*l, json_string_value(v)))
            l++;
    if (!json_is_string(v) || !*l)
        return str_message(err, err_len, "Field '%s' must be one of en-GB, de-CH, fr-CH, it-CH.",
                           name);
    str_copy(out, 8, *l);
    return true;
}

/* An ISO 8601 duration between P1D and P30D (days, weeks, hours…; no months or years). */
static bool reminder_duration(const json_t *v, const char *name, char *out, size_t out_len,
                              char *err, size_t err_len)
{
    struct iso_duration d;
    int64_t ms;
    if (!json_is_string(v) || json_string_length(v) >= out_len)
        return str_message(err, err_len, "Field '%s' must be an ISO 8601 duration such as P3D.",
                           name);
    const char *s = json_string_value(v);
    if (!iso_parse_duration(s, &d) || !iso_duration_fixed_ms(&d, &ms))
        return str_message(
            err, err_len,
            "Field '%s' must be an ISO 8601 duration in days, weeks or hours (such as "
            "P3D); got '%s'.",
            name, s);
    if (ms < SIGN_REMINDER_MIN_MS || ms > SIGN_REMINDER_MAX_MS)
        return str_message(err, err_len, "Field '%s' must be between P1D and P30D; got '%s'.", name,
                           s);
    str_copy(out, out_len, s);
    return true;
}

static bool parse_notification(const json_t *n, struct sign_release_request *r, char *err,
                               size_t err_len)
{
    static const char *const keys[] = {"locale", "suppress", "reminder", NULL};
    static const char *const rkeys[] = {"interval", "beforeExpiry", NULL};
    if (!json_is_object(n))
        return str_message(err, err_len, "Field 'notification' must be an object.");
    if (!known_keys(n, keys, "notification.", err, err_len))
        return false;
    json_t *loc = json_object_get(n, "locale");
    if (!loc || json_is_null(loc))
        return str_message(err, err_len, "Field 'notification.locale' is required.");
    if (!locale_field(n, "locale", "notification.locale", r->locale, err, err_len))
        return false;
    json_t *sup = json_object_get(n, "suppress");
    if (sup && !json_is_null(sup)) {
        if (!json_is_array(sup))
            return str_message(err, err_len, "Field 'notification.suppress' must be an array.");
        size_t i;
        json_t *x;
        json_array_foreach(sup, i, x)
        {
            const char *s = json_string_value(x);
            bool *flag = !s                         ? NULL
                         : !strcmp(s, "ALL")        ? &r->suppress_all
                         : !strcmp(s, "INVITE")     ? &r->suppress_invite
                         : !strcmp(s, "COMPLETION") ? &r->suppress_completion
                                                    : NULL;
            if (!flag)
                return str_message(err, err_len,
                                   "Field 'notification.suppress[%zu]' must be one of ALL, INVITE, "
                                   "COMPLETION.",
                                   i);
            if (*flag)
                return str_message(err, err_len,
                                   "Field 'notification.suppress' must not repeat '%s'.", s);
            *flag = true;
        }
    }
    json_t *rem = json_object_get(n, "reminder");
    if (!rem || json_is_null(rem))
        return true;
    if (!json_is_object(rem))
        return str_message(err, err_len, "Field 'notification.reminder' must be an object.");
    if (!known_keys(rem, rkeys, "notification.reminder.", err, err_len))
        return false;
    json_t *iv = json_object_get(rem, "interval");
    if (iv && !json_is_null(iv) &&
        !reminder_duration(iv, "notification.reminder.interval", r->reminder_interval,
                           sizeof r->reminder_interval, err, err_len))
        return false;
    json_t *be = json_object_get(rem, "beforeExpiry");
    if (be && !json_is_null(be)) {
        if (!json_is_array(be) || json_array_size(be) > SIGN_MAX_BEFORE_EXPIRY)
            return str_message(
                err, err_len,
                "Field 'notification.reminder.beforeExpiry' must be an array of at most "
                "%d durations.",
                SIGN_MAX_BEFORE_EXPIRY);
        size_t i;
        json_t *x;
        json_array_foreach(be, i, x)
        {
            char name[64];
            snprintf(name, sizeof name, "notification.reminder.beforeExpiry[%zu]", i);
            if (!reminder_duration(x, name, r->before_expiry[i], sizeof r->before_expiry[i], err,
                                   err_len))
                return false;
        }
        r->n_before_expiry = json_array_size(be);
    }
    return true;
}

bool sign_release_parse(const json_t *body, struct sign_release_request *r, char *err,
                        size_t err_len)
{
    static const char *const keys[] = {"validUntil", "language", "notification", "signatureMethods",
                                       NULL};
    memset(r, 0, sizeof *r);
    if (!body || json_is_null(body))
        return true; /* empty body: no notifications, defaults */
    if (!json_is_object(body))
        return str_message(err, err_len, "The request body must be a JSON object.");
    if (!known_keys(body, keys, "", err, err_len))
        return false;
    json_t *vu = json_object_get(body, "validUntil");
    if (vu && !json_is_null(vu)) {
        if (!json_is_string(vu) || !iso_parse_datetime(json_string_value(vu), &r->valid_until))
            return str_message(
                err, err_len,
                "Field 'validUntil' must be an ISO 8601 date-time with offset, such as "
                "2026-12-31T23:59:59+01:00.");
        r->has_valid_until = true;
    }
    char language[8];
    if (!locale_field(body, "language", "language", language, err, err_len))
        return false;
    str_copy(r->language, sizeof r->language, language);
    json_t *n = json_object_get(body, "notification");
    if (n && !json_is_null(n)) {
        if (!parse_notification(n, r, err, err_len))
            return false;
    } else
        str_copy(r->locale, sizeof r->locale, language); /* deprecated: all types, that locale */
    json_t *sm = json_object_get(body, "signatureMethods");
    if (sm && !json_is_null(sm)) {
        if (!json_is_array(sm))
            return str_message(err, err_len, "Field 'signatureMethods' must be an array.");
        size_t i;
        json_t *x;
        json_array_foreach(sm, i, x)
        {
            const char *s = json_string_value(x);
            size_t m = 0;
            while (s && m < N_METHODS && strcmp(methods[m].name, s) != 0)
                m++;
            if (!s || m == N_METHODS)
                return str_message(err, err_len,
                                   "Field 'signatureMethods[%zu]' must be one of APP, SMS, CLICK, "
                                   "PASSKEY, OSS.",
                                   i);
            if (r->methods & methods[m].bit)
                return str_message(err, err_len, "Field 'signatureMethods' must not repeat '%s'.",
                                   s);
            r->methods |= methods[m].bit;
        }
    }
    return true;
}

/* ---- tokens ---- */

bool sign_link_key_derive(const unsigned char master[CRYPTO_KEY_LEN],
                          unsigned char key[CRYPTO_KEY_LEN])
{
    static const char label[] = "signet participant-link key v1";
    return crypto_hmac_sha256(master, CRYPTO_KEY_LEN, label, sizeof label - 1, key);
}

bool sign_link_token(const unsigned char key[CRYPTO_KEY_LEN],
                     const struct store_participant_link *l, char out[SIGN_LINK_TOKEN_LEN])
{
    char msg[4 * STORE_ID_LEN + 48];
    unsigned char mac[SHA256_LEN];
    bool ok = false;
    out[0] = '\0';
    int n = snprintf(msg, sizeof msg, "v1\n%s\n%s\n%s\n%s", l->organization_id, l->process_id,
                     l->participant_id, l->token_salt);
    if (n < 0 || (size_t)n >= sizeof msg ||
        !crypto_hmac_sha256(key, CRYPTO_KEY_LEN, msg, (size_t)n, mac))
        return false;
    char *t = b64_encode(mac, sizeof mac, B64_URL);
    if (t && strlen(t) + 1 == SIGN_LINK_TOKEN_LEN) {
        char hash[65];
        crypto_sha256_hex(t, strlen(t), hash);
        /* A stored hash that does not match means the master key changed since the release. */
        ok = !l->token_hash[0] || str_ct_equal(hash, l->token_hash, 64);
        if (ok)
            str_copy(out, SIGN_LINK_TOKEN_LEN, t);
        else
            log_error("participant link %s does not match its derivation", l->id);
    }
    if (t) {
        memset(t, 0, strlen(t));
        free(t);
    }
    memset(mac, 0, sizeof mac);
    return ok;
}

/* "PREFIX/ui/KIND/TOKEN[?code=CODE]" as an owned string. */
static char *make_url(const char *public_url, const char *kind, const char *token, const char *code)
{
    size_t n = strlen(public_url) + strlen(kind) + strlen(token) + (code ? strlen(code) : 0) + 32;
    char *u = malloc(n);
    if (u)
        snprintf(u, n, "%s/ui/%s/%s%s%s", public_url, kind, token, code ? "?code=" : "",
                 code ? code : "");
    return u;
}

/* ---- release ---- */

struct release_op {
    const char *org_id, *id, *client_id;
    const struct sign_release_request *req;
    int64_t now, max_until;
    struct store_process p;
    struct store_participant_link *links; /* one per participant that gets a URL */
    size_t n_links;
    bool already;
    enum sign_release_result fail_kind;
    char *err;
    size_t err_len;
};

/* Whether a participant gets a URL: every signer, and a PERSON initiator. */
static bool gets_link(const struct store_participant *x)
{
    return !strcmp(x->type, "SIGNER") || !strcmp(x->type, "PERSON");
}

static void append(char *buf, size_t len, const char *text)
{
    size_t used = strlen(buf);
    if (used < len)
        snprintf(buf + used, len - used, "%s%s", used ? " " : "", text);
}

/* Checks the contract's preconditions; false with every unmet one named in op->err. */
static bool preconditions(struct release_op *op, const struct store_document *docs, size_t n_docs)
{
    char unmet[1024] = "";
    size_t n_signers = 0;
    bool one_with_all = false, visible = true, unplaced = false;
    for (size_t i = 0; i < op->p.n_participants; i++)
        if (!strcmp(op->p.participants[i].type, "SIGNER"))
            n_signers++;
    for (size_t i = 0; i < op->p.n_participants; i++) {
        const struct store_participant *x = &op->p.participants[i];
        if (strcmp(x->type, "SIGNER") != 0)
            continue;
        bool placed = false;
        for (size_t d = 0; d < n_docs && !placed; d++)
            for (size_t k = 0; k < docs[d].n_positions && !placed; k++)
                placed = !strcmp(docs[d].positions[k].participant_id, x->id);
        if (!placed) {
            unplaced = true;
            char what[160];
            snprintf(what, sizeof what,
                     "SIGNER_NOT_PLACED (signer '%s' has no signature position "
                     "on any document);",
                     x->external_identifier[0] ? x->external_identifier : x->id);
            append(unmet, sizeof unmet, what);
        }
    }
    for (size_t d = 0; d < n_docs; d++) {
        size_t placed = 0;
        for (size_t i = 0; i < op->p.n_participants; i++) {
            const struct store_participant *x = &op->p.participants[i];
            if (strcmp(x->type, "SIGNER") != 0)
                continue;
            for (size_t k = 0; k < docs[d].n_positions; k++)
                if (!strcmp(docs[d].positions[k].participant_id, x->id)) {
                    placed++;
                    break;
                }
        }
        if (n_signers && placed == n_signers)
            one_with_all = true;
        for (size_t k = 0; k < docs[d].n_positions; k++) {
            const struct store_signature_position *sp = &docs[d].positions[k];
            /* Attach checked the box against the page; a stored position off its page means
             * the data changed since, so it is refused here too. */
            if (sp->page < 0 || sp->page >= docs[d].page_count || sp->x < 0 || sp->y < 0)
                visible = false;
        }
    }
    if (n_signers == 0)
        append(unmet, sizeof unmet, "SIGNER_REQUIRED (the process has no signer);");
    if (n_docs == 0)
        append(unmet, sizeof unmet, "DOCUMENT_REQUIRED (attach at least one document);");
    if (n_docs && n_signers && !one_with_all)
        append(unmet, sizeof unmet,
               "NO_DOCUMENT_WITH_ALL_SIGNERS (at least one document must carry a signature "
               "position of every signer);");
    if (!visible)
        append(unmet, sizeof unmet,
               "POSITION_NOT_VISIBLE (a signature position lies outside its page);");
    if (!unmet[0])
        return true;
    op->fail_kind = SIGN_RELEASE_PRECONDITION;
    /* The setup page's reason (core/reason.h): the first unmet one, in the order of the page. */
    const char *reason = n_signers == 0 ? "release.noSigner"
                         : n_docs == 0  ? "release.noDocument"
                         : unplaced     ? "release.signerNotPlaced"
                         : !visible     ? "release.positionOutside"
                                        : "release.notAllSigners";
    reason_message(op->err, op->err_len, reason, NULL,
                   "The process cannot be released; unmet preconditions: %s", unmet);
    return false;
}

static enum store_status release_tx(struct store_tx *tx, void *cls)
{
    struct release_op *op = cls;
    struct store_document *docs = NULL;
    size_t n_docs = 0;
    struct store_release rel;
    free(op->links);
    op->links = NULL;
    op->n_links = 0;
    op->already = false;
    op->fail_kind = SIGN_RELEASE_UNAVAILABLE;
    enum store_status st = store_process_get(tx, op->org_id, op->id, &op->p);
    if (st != STORE_OK)
        goto cleanup;
    if (strcmp(op->p.status, "CREATED") != 0) {
        st = store_release_get(tx, op->org_id, op->id, &rel);
        if (st == STORE_OK) {
            op->already = true;
            st = store_participant_link_list(tx, op->org_id, op->id, &op->links, &op->n_links);
            goto cleanup;
        }
        if (st == STORE_NOT_FOUND) {
            op->fail_kind = SIGN_RELEASE_PRECONDITION; /* a wrong state, like attach/setup */
            reason_message(op->err, op->err_len, "release.state",
                           json_pack("{s:s}", "status", op->p.status),
                           "The process is %s and cannot be released.", op->p.status);
            st = STORE_CONFLICT;
        }
        goto cleanup;
    }
    if (op->p.valid_until <= op->now) {
        op->fail_kind = SIGN_RELEASE_PRECONDITION;
        reason_message(op->err, op->err_len, "release.state",
                       json_pack("{s:s}", "status", "EXPIRED"),
                       "The process is EXPIRED and cannot be released.");
        st = STORE_CONFLICT;
        goto cleanup;
    }
    /* The signature methods against the level and the tenant type. */
    const struct sign_release_request *r = op->req;
    if (r->methods) {
        unsigned bad = r->methods & ~sign_methods_for_level(op->p.signature_level);
        char names[64];
        if (bad) {
            methods_text(bad, names, sizeof names);
            op->fail_kind = SIGN_RELEASE_CONFLICT;
            reason_message(
                op->err, op->err_len, "release.methodsLevel",
                json_pack("{s:s, s:s}", "methods", names, "level", op->p.signature_level),
                "Field 'signatureMethods': %s not allowed for signatureLevel %s.", names,
                op->p.signature_level);
            st = STORE_CONFLICT;
            goto cleanup;
        }
        unsigned corporate_only = r->methods & (SIGN_METHOD_OSS | SIGN_METHOD_PASSKEY);
        if (corporate_only) {
            struct store_org org;
            st = store_org_get(tx, op->org_id, &org);
            if (st != STORE_OK)
                goto cleanup;
            if (strcmp(org.client_type, "CORPORATE") != 0) {
                methods_text(corporate_only, names, sizeof names);
                op->fail_kind = SIGN_RELEASE_CONFLICT;
                reason_message(op->err, op->err_len, "release.methodsCorporate",
                               json_pack("{s:s}", "methods", names),
                               "Field 'signatureMethods': %s only available to corporate tenants.",
                               names);
                st = STORE_CONFLICT;
                goto cleanup;
            }
        }
    }
    st = store_document_list(tx, op->org_id, op->id, &docs, &n_docs);
    if (st != STORE_OK)
        goto cleanup;
    if (!preconditions(op, docs, n_docs)) {
        st = STORE_CONFLICT;
        goto cleanup;
    }
    /* The settings. */
    memset(&rel, 0, sizeof rel);
    str_copy(rel.process_id, sizeof rel.process_id, op->id);
    str_copy(rel.organization_id, sizeof rel.organization_id, op->org_id);
    str_copy(rel.client_id, sizeof rel.client_id, op->client_id);
    rel.released_at = op->now;
    rel.valid_until =
        r->has_valid_until ? r->valid_until : op->now + SIGN_RELEASE_DEFAULT_VALIDITY_MS;
    if (rel.valid_until > op->max_until)
        rel.valid_until = op->max_until; /* only the default can get here */
    rel.notify = r->locale[0] != '\0';
    str_copy(rel.locale, sizeof rel.locale, r->locale);
    snprintf(rel.suppress, sizeof rel.suppress, "%s%s%s", r->suppress_all ? "ALL," : "",
             r->suppress_invite ? "INVITE," : "", r->suppress_completion ? "COMPLETION," : "");
    if (rel.suppress[0])
        rel.suppress[strlen(rel.suppress) - 1] = '\0';
    str_copy(rel.reminder_interval, sizeof rel.reminder_interval, r->reminder_interval);
    for (size_t i = 0; i < r->n_before_expiry; i++)
        append(rel.reminder_before_expiry, sizeof rel.reminder_before_expiry, r->before_expiry[i]);
    methods_text(r->methods, rel.signature_methods, sizeof rel.signature_methods);
    st = store_release_insert(tx, &rel);
    if (st == STORE_CONFLICT) {
        op->fail_kind = SIGN_RELEASE_CONFLICT;
        str_message(op->err, op->err_len, "The process was released concurrently; try again.");
    }
    if (st != STORE_OK)
        goto cleanup;
    /* A link per participant; tokens are derived after the commit. */
    op->links = calloc(op->p.n_participants ? op->p.n_participants : 1, sizeof *op->links);
    if (!op->links) {
        st = STORE_ERROR;
        goto cleanup;
    }
    for (size_t i = 0; i < op->p.n_participants; i++) {
        const struct store_participant *x = &op->p.participants[i];
        if (!gets_link(x))
            continue;
        struct store_participant_link *l = &op->links[op->n_links++];
        unsigned char salt[16];
        if (!uuid_v4(l->id) || !rand_bytes(salt, sizeof salt)) {
            st = STORE_ERROR;
            goto cleanup;
        }
        crypto_hex(salt, sizeof salt, l->token_salt);
        str_copy(l->organization_id, sizeof l->organization_id, op->org_id);
        str_copy(l->process_id, sizeof l->process_id, op->id);
        str_copy(l->participant_id, sizeof l->participant_id, x->id);
        /* The page's language (sign/page.c: else notification.locale, else the browser's). */
        str_copy(l->language, sizeof l->language, r->language);
        l->created_at = l->updated_at = op->now;
        /* token_hash is filled by release_all_tx, which holds the key. */
    }
cleanup:
    store_document_list_free(docs, n_docs);
    return st;
}

/* Second half of the release transaction: the links (with their hashes) and the audit. */
struct release_commit {
    struct release_op *op;
    const unsigned char *key;
    const char *public_url;
};

/* Queues the invitation of the signer of link l (sign/notices.h: e-mail when it has an
 * address, else SMS to its mobile; none without either: the integrator hands out the URL). */
static enum store_status invite(struct store_tx *tx, struct release_commit *c,
                                const struct store_release *rel,
                                const struct store_participant_link *l, const char *token)
{
    struct release_op *op = c->op;
    const struct store_participant *x = NULL;
    for (size_t i = 0; i < op->p.n_participants && !x; i++)
        if (!strcmp(op->p.participants[i].id, l->participant_id))
            x = &op->p.participants[i];
    if (!x || strcmp(x->type, "SIGNER") != 0)
        return STORE_OK;
    char *url = make_url(c->public_url, "sign", token, NULL);
    if (!url)
        return STORE_ERROR;
    struct sign_notice n = {.kind = NOTIFY_INVITE,
                            .process = &op->p,
                            .release = rel,
                            .to = x,
                            .link = url,
                            .now = op->now};
    enum store_status st = sign_notice_queue(tx, &n, NULL);
    memset(url, 0, strlen(url)); /* the link is a credential */
    free(url);
    return st;
}

static enum store_status release_all_tx(struct store_tx *tx, void *cls)
{
    struct release_commit *c = cls;
    struct release_op *op = c->op;
    enum store_status st = release_tx(tx, op);
    if (st != STORE_OK || op->already)
        return st;
    struct store_release rel;
    st = store_release_get(tx, op->org_id, op->id, &rel);
    if (st != STORE_OK)
        return st;
    /* Invitations only when the release asked for notifications (a locale) and did not
     * suppress INVITE or ALL. */
    bool send = sign_notice_allowed(&rel, NOTIFY_INVITE);
    for (size_t i = 0; i < op->n_links; i++) {
        char token[SIGN_LINK_TOKEN_LEN];
        if (!sign_link_token(c->key, &op->links[i], token))
            return STORE_ERROR;
        crypto_sha256_hex(token, strlen(token), op->links[i].token_hash);
        st = store_participant_link_insert(tx, &op->links[i]);
        if (st == STORE_OK && send)
            st = invite(tx, c, &rel, &op->links[i], token);
        memset(token, 0, sizeof token);
        if (st != STORE_OK)
            return st;
    }
    char until[ISO_DATETIME_LEN], n_links[24];
    iso_format_datetime(rel.valid_until, false, until);
    snprintf(n_links, sizeof n_links, "%zu", op->n_links);
    json_t *extras = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "release_clientId", op->client_id,
        "release_validUntil", until, "release_locale", rel.locale, "release_suppress", rel.suppress,
        "release_reminderInterval", rel.reminder_interval, "release_reminderBeforeExpiry",
        rel.reminder_before_expiry, "release_signatureMethods", rel.signature_methods,
        "release_participantLinks", n_links);
    if (!extras)
        return STORE_ERROR;
    st = sign_audit_append(tx, op->org_id, op->id, op->now, "release", "SUCCESS", extras);
    json_decref(extras);
    return st;
}

/* The ReleaseResponse of op (links re-derived from the key). */
static json_t *release_response(struct release_op *op, const unsigned char *key,
                                const char *public_url)
{
    json_t *parts = json_array();
    json_t *resp = json_pack("{s:s, s:s, s:o}", "id", op->id, "status",
                             op->already ? op->p.status : "PENDING", "participants", parts);
    if (!resp)
        return NULL;
    for (size_t i = 0; i < op->p.n_participants; i++) {
        const struct store_participant *x = &op->p.participants[i];
        const struct store_participant_link *l = NULL;
        for (size_t k = 0; k < op->n_links && !l; k++)
            if (!strcmp(op->links[k].participant_id, x->id))
                l = &op->links[k];
        if (!l)
            continue;
        char token[SIGN_LINK_TOKEN_LEN];
        if (!sign_link_token(key, l, token))
            goto fail;
        char *url = make_url(public_url, "sign", token, NULL);
        memset(token, 0, sizeof token);
        json_t *p = url ? json_pack("{s:s, s:s}", "id", x->id, "url", url) : NULL;
        free(url);
        if (!p)
            goto fail;
        if (x->external_identifier[0])
            json_object_set_new(p, "externalIdentifier", json_string(x->external_identifier));
        json_array_append_new(parts, p);
    }
    return resp;
fail:
    json_decref(resp);
    return NULL;
}

enum sign_release_result sign_process_release(struct store *s,
                                              const unsigned char link_key[CRYPTO_KEY_LEN],
                                              const char *public_url, const char *organization_id,
                                              const char *client_id, const char *id,
                                              const struct sign_release_request *r, int64_t now,
                                              const struct iso_duration *max_validity, json_t **out,
                                              char *err, size_t err_len)
{
    *out = NULL;
    err[0] = '\0';
    if (!uuid_is_valid(id))
        return SIGN_RELEASE_NOT_FOUND;
    int64_t max_until;
    if (!iso_duration_add(now, max_validity, &max_until))
        max_until = INT64_MAX;
    /* Checks that need no data come first. */
    if (r->suppress_all && (r->reminder_interval[0] || r->n_before_expiry)) {
        str_message(
            err, err_len,
            "Reminders (notification.reminder) cannot be combined with notification.suppress "
            "[\"ALL\"]: reminders are notifications.");
        return SIGN_RELEASE_CONFLICT;
    }
    struct release_op op;
    memset(&op, 0, sizeof op);
    op.org_id = organization_id;
    op.id = id;
    op.client_id = client_id;
    op.req = r;
    op.now = now;
    op.max_until = max_until;
    op.err = err;
    op.err_len = err_len;
    enum sign_release_result res = SIGN_RELEASE_UNAVAILABLE;
    if (r->has_valid_until && (r->valid_until <= now || r->valid_until > max_until)) {
        reason_message(
            err, err_len,
            r->valid_until <= now ? "release.validUntilPast" : "release.validUntilLate", NULL, "%s",
            r->valid_until <= now ? "Field 'validUntil' must be in the future."
                                  : "Field 'validUntil' is beyond the longest validity this server "
                                    "allows.");
        res = SIGN_RELEASE_INVALID;
        goto cleanup;
    }
    /* Lazy expiry: a process past validUntil becomes EXPIRED (with its audit record). */
    enum sign_result touched = sign_expiry_touch(s, organization_id, id, now);
    if (touched != SIGN_OK) {
        res = touched == SIGN_NOT_FOUND ? SIGN_RELEASE_NOT_FOUND : SIGN_RELEASE_UNAVAILABLE;
        goto cleanup;
    }
    struct release_commit c = {&op, link_key, public_url};
    enum store_status st = store_run(s, STORE_WRITE, release_all_tx, &c);
    if (st == STORE_OK) {
        *out = release_response(&op, link_key, public_url);
        res =
            *out ? (op.already ? SIGN_RELEASE_ALREADY : SIGN_RELEASE_OK) : SIGN_RELEASE_UNAVAILABLE;
    } else if (st == STORE_NOT_FOUND)
        res = SIGN_RELEASE_NOT_FOUND;
    else if (st == STORE_CONFLICT && op.fail_kind != SIGN_RELEASE_UNAVAILABLE)
        res = op.fail_kind;
cleanup:
    free(op.links);
    store_process_clear(&op.p);
    return res;
}
