/*
 * The signing process: states, create-request validation, JSON views, audit chain, and the
 * create / get / records operations (see sign/process.h for ownership).
 */
#include "sign/process.h"

#include "sign/archive.h"

#include "sign/expiry.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/str.h"
#include "core/uuid.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- States ---- */

static const char *const state_names[] = {"CREATED", "PENDING", "COMPLETED", "EXPIRED"};

const char *sign_state_name(enum sign_state s)
{
    return (unsigned)s < 4 ? state_names[s] : "UNKNOWN";
}

bool sign_state_parse(const char *name, enum sign_state *out)
{
    for (unsigned i = 0; name && i < 4; i++) {
        if (!strcmp(name, state_names[i])) {
            *out = (enum sign_state)i;
            return true;
        }
    }
    return false;
}

bool sign_state_can_transition(enum sign_state from, enum sign_state to)
{
    switch (from) {
    case SIGN_STATE_CREATED:
        return to == SIGN_STATE_PENDING || to == SIGN_STATE_EXPIRED;
    case SIGN_STATE_PENDING:
        return to == SIGN_STATE_COMPLETED || to == SIGN_STATE_EXPIRED;
    case SIGN_STATE_COMPLETED:
    case SIGN_STATE_EXPIRED:
        break;
    }
    return false;
}

/* ---- Syntax checks ---- */

size_t sign_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool sign_external_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 50)
        return false;
    for (; *s; s++)
        if (!is_alnum(*s) && !strchr("._~-", *s))
            return false;
    return true;
}

bool sign_mobile_valid(const char *s)
{
    if (s[0] != '+' || s[1] < '1' || s[1] > '9')
        return false;
    size_t digits = 0;
    for (s++; *s; s++, digits++)
        if (*s < '0' || *s > '9')
            return false;
    return digits >= 7 && digits <= 15;
}

/* A dot-atom local part and a host name with at least two labels and an alphabetic top-level
 * label: what RFC 5322 addresses look like in practice (no quoted strings, no IP literals). */
bool sign_email_valid(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || strchr(at + 1, '@') || strlen(s) > 254)
        return false;
    size_t local = (size_t)(at - s);
    if (local == 0 || local > 64 || s[0] == '.' || at[-1] == '.')
        return false;
    for (const char *p = s; p < at; p++) {
        if (!is_alnum(*p) && !strchr("!#$%&'*+/=?^_`{|}~.-", *p))
            return false;
        if (*p == '.' && p[1] == '.')
            return false;
    }
    const char *label = at + 1;
    size_t labels = 0;
    for (;;) {
        const char *end = label;
        while (*end && *end != '.')
            end++;
        size_t len = (size_t)(end - label);
        if (len == 0 || len > 63 || label[0] == '-' || end[-1] == '-')
            return false;
        for (const char *p = label; p < end; p++)
            if (!is_alnum(*p) && *p != '-')
                return false;
        labels++;
        if (!*end) {
            if (labels < 2 || len < 2)
                return false;
            for (const char *p = label; p < end; p++)
                if (!is_alpha(*p))
                    return false;
            return true;
        }
        label = end + 1;
    }
}

void sign_strip_html(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        if (r[0] == '<' && (is_alpha(r[1]) || r[1] == '/' || r[1] == '!' || r[1] == '?')) {
            const char *close = strchr(r, '>');
            if (close) {
                r = close + 1;
                continue;
            }
        }
        *w++ = *r++;
    }
    *w = '\0';
}

bool sign_idempotency_key_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SIGN_IDEMPOTENCY_KEY_MAX)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

/* ---- Create request validation ---- */

struct perr {
    char *buf;
    size_t len;
};

static bool fail(struct perr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct perr *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->buf, e->len, fmt, ap);
    va_end(ap);
    str_utf8_repair(e->buf); /* a %.Ns may have cut a character of the request in two */
    return false;
}

/* "prefix.key" (or "key" without prefix) into out. */
static void field_path(char *out, size_t len, const char *prefix, const char *key)
{
    if (prefix && *prefix)
        snprintf(out, len, "%s.%s", prefix, key);
    else
        snprintf(out, len, "%s", key);
}

/* Rejects keys of obj not in known (NULL-terminated). */
static bool only_known(const json_t *obj, const char *prefix, const char *const *known,
                       struct perr *e)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        const char *const *k = known;
        while (*k && strcmp(*k, key) != 0)
            k++;
        if (!*k) {
            char path[160];
            field_path(path, sizeof path, prefix, key);
            (void)v;
            return fail(e, "Unknown field '%.150s'.", path);
        }
    }
    return true;
}

enum { ABSENT = 0, PRESENT = 1, BAD = -1 };

/* A string member (null counts as absent): checks type, NUL bytes and the length in
 * characters; *out points into the JSON value. */
static int get_str(const json_t *obj, const char *prefix, const char *key, size_t max_chars,
                   bool required, const char **out, struct perr *e)
{
    char path[160];
    field_path(path, sizeof path, prefix, key);
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return fail(e, "Field '%s' is required.", path), BAD;
        return ABSENT;
    }
    if (!json_is_string(v))
        return fail(e, "Field '%s' must be a string.", path), BAD;
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return fail(e, "Field '%s' must not contain NUL characters.", path), BAD;
    if (sign_utf8_length(s) > max_chars)
        return fail(e, "Field '%s' must be at most %zu characters long.", path, max_chars), BAD;
    *out = s;
    return PRESENT;
}

/* Like get_str, copying into dest; a required field must not be empty. */
static bool copy_str(const json_t *obj, const char *prefix, const char *key, size_t max_chars,
                     bool required, char *dest, size_t dest_size, struct perr *e)
{
    const char *s;
    int r = get_str(obj, prefix, key, max_chars, required, &s, e);
    if (r == BAD)
        return false;
    if (required && !*s) {
        char path[160];
        field_path(path, sizeof path, prefix, key);
        return fail(e, "Field '%s' is required and must not be empty.", path);
    }
    if (!str_copy(dest, dest_size, s ? s : "")) {
        char path[160];
        field_path(path, sizeof path, prefix, key);
        return fail(e, "Field '%s' is too long (at most %zu bytes of UTF-8).", path, dest_size - 1);
    }
    return true;
}

static const char *const nonperson_keys[] = {"type", "identification", "externalIdentifier", "name",
                                             NULL};
static const char *const person_keys[] = {
    "type", "identification", "externalIdentifier", "firstName", "lastName", "email", "mobile",
    NULL};
static const char *const signer_keys[] = {"type",
                                          "identification",
                                          "externalIdentifier",
                                          "firstName",
                                          "lastName",
                                          "email",
                                          "mobile",
                                          "role",
                                          "verification",
                                          "status",
                                          "signedOn",
                                          "discontinuedOn",
                                          "canceledOn",
                                          "certificateName",
                                          "certificateMatch",
                                          NULL};
static const char *const verification_keys[] = {
    "processId", "verifiedOn", "rejectedOn", "payload", "files", "residentPermit", NULL};

static bool parse_verification(const json_t *v, const char *prefix, struct store_participant *x,
                               struct perr *e)
{
    char path[160];
    field_path(path, sizeof path, prefix, "verification");
    x->resident_permit = -1;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_object(v))
        return fail(e, "Field '%s' must be an object.", path);
    if (!only_known(v, path, verification_keys, e))
        return false;
    json_t *rp = json_object_get(v, "residentPermit");
    if (rp && !json_is_null(rp) && !json_is_boolean(rp))
        return fail(e, "Field '%s.residentPermit' must be true or false.", path);
    x->resident_permit = rp && json_is_false(rp) ? 0 : 1;
    return true;
}

/* Contact fields shared by Person and Signer: e-mail and mobile syntax. "" counts as absent. */
static bool parse_contact(const json_t *j, const char *prefix, struct store_participant *x,
                          struct perr *e)
{
    if (!copy_str(j, prefix, "email", 254, false, x->email, sizeof x->email, e) ||
        !copy_str(j, prefix, "mobile", 16, false, x->mobile, sizeof x->mobile, e))
        return false;
    if (x->email[0] && !sign_email_valid(x->email))
        return fail(e, "Field '%s.email' must be a valid e-mail address (RFC 5322).", prefix);
    if (x->mobile[0] && !sign_mobile_valid(x->mobile))
        return fail(e,
                    "Field '%s.mobile' must be a mobile number in E.164 format, e.g. "
                    "+41791234567 (no spaces or dashes).",
                    prefix);
    return true;
}

static bool parse_participant(const json_t *j, const char *prefix, bool initiator,
                              struct store_participant *x, struct perr *e)
{
    memset(x, 0, sizeof *x);
    x->resident_permit = -1;
    if (!json_is_object(j))
        return fail(e, "Field '%s' must be an object.", prefix);
    const char *type;
    int r = get_str(j, prefix, "type", 16, true, &type, e);
    if (r == BAD)
        return false;
    if (!initiator && strcmp(type, "SIGNER") != 0)
        return fail(e, "Field '%s.type' must be SIGNER.", prefix);
    if (strcmp(type, "SIGNER") && strcmp(type, "PERSON") && strcmp(type, "NON_PERSON"))
        return fail(e, "Field '%s.type' must be one of NON_PERSON, PERSON, SIGNER.", prefix);
    str_copy(x->type, sizeof x->type, type);
    const char *const *known = !strcmp(type, "SIGNER")   ? signer_keys
                               : !strcmp(type, "PERSON") ? person_keys
                                                         : nonperson_keys;
    if (!only_known(j, prefix, known, e))
        return false;
    if (!copy_str(j, prefix, "externalIdentifier", 50, false, x->external_identifier,
                  sizeof x->external_identifier, e))
        return false;
    if (x->external_identifier[0] && !sign_external_id_valid(x->external_identifier))
        return fail(e,
                    "Field '%s.externalIdentifier' may contain only letters, digits and "
                    "'.', '_', '~', '-'.",
                    prefix);
    if (!strcmp(type, "NON_PERSON"))
        return copy_str(j, prefix, "name", 50, true, x->name, sizeof x->name, e);
    bool signer = !strcmp(type, "SIGNER");
    if (!copy_str(j, prefix, "firstName", 64, signer, x->first_name, sizeof x->first_name, e) ||
        !copy_str(j, prefix, "lastName", 64, signer, x->last_name, sizeof x->last_name, e) ||
        !parse_contact(j, prefix, x, e))
        return false;
    if (!signer) {
        if (!x->email[0] && (!x->first_name[0] || !x->last_name[0]))
            return fail(e, "Field '%s': a PERSON needs an email, or a firstName and a lastName.",
                        prefix);
        return true;
    }
    if (!copy_str(j, prefix, "role", 256, false, x->role, sizeof x->role, e))
        return false;
    return parse_verification(json_object_get(j, "verification"), prefix, x, e);
}

bool sign_signer_parse(const json_t *j, const char *prefix, struct store_participant *x, char *err,
                       size_t err_len)
{
    struct perr e = {err, err_len};
    return parse_participant(j, prefix, false, x, &e);
}

static bool parse_properties(const json_t *arr, struct store_process *p, struct perr *e)
{
    static const char *const keys[] = {"key", "value", NULL};
    if (!arr || json_is_null(arr))
        return true;
    if (!json_is_array(arr))
        return fail(e, "Field 'properties' must be an array.");
    if (json_array_size(arr) > STORE_PROCESS_MAX_PROPERTIES)
        return fail(e, "Field 'properties' must have at most %d entries (it has %zu).",
                    STORE_PROCESS_MAX_PROPERTIES, json_array_size(arr));
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item)
    {
        char prefix[48];
        snprintf(prefix, sizeof prefix, "properties[%zu]", i);
        if (!json_is_object(item))
            return fail(e, "Field '%s' must be an object with key and value.", prefix);
        struct store_property *prop = &p->properties[i];
        if (!only_known(item, prefix, keys, e) ||
            !copy_str(item, prefix, "key", 64, true, prop->key, sizeof prop->key, e))
            return false;
        const char *value;
        if (get_str(item, prefix, "value", 64, true, &value, e) == BAD)
            return false;
        str_copy(prop->value, sizeof prop->value, value);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(p->properties[k].key, prop->key))
                return fail(e, "Field '%s.key': the key '%s' is used twice; keys must be unique.",
                            prefix, prop->key);
        p->n_properties = i + 1;
    }
    return true;
}

static bool parse_invitees(const json_t *inv, struct store_process *p, struct perr *e)
{
    static const char *const keys[] = {"personalMessage", "signers", NULL};
    if (!inv || json_is_null(inv))
        return true;
    if (!json_is_object(inv))
        return fail(e, "Field 'invitees' must be an object.");
    if (!only_known(inv, "invitees", keys, e))
        return false;
    const char *msg;
    int r = get_str(inv, "invitees", "personalMessage", 8192, false, &msg, e);
    if (r == BAD)
        return false;
    if (r == PRESENT) {
        p->personal_message = strdup(msg);
        if (!p->personal_message)
            return fail(e, "Not enough memory.");
        sign_strip_html(p->personal_message);
    }
    json_t *signers = json_object_get(inv, "signers");
    if (!signers || json_is_null(signers))
        return true;
    if (!json_is_array(signers))
        return fail(e, "Field 'invitees.signers' must be an array.");
    if (json_array_size(signers) > SIGN_MAX_SIGNERS)
        return fail(e, "Field 'invitees.signers' must have at most %d entries.", SIGN_MAX_SIGNERS);
    size_t i;
    json_t *item;
    json_array_foreach(signers, i, item)
    {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "invitees.signers[%zu]", i);
        struct store_participant *x = &p->participants[p->n_participants];
        if (!parse_participant(item, prefix, false, x, e))
            return false;
        x->position = (int64_t)p->n_participants;
        p->n_participants++;
    }
    return true;
}

static bool one_of(const char *s, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (!strcmp(s, *allowed))
            return true;
    return false;
}

static const char *const process_keys[] = {"id",
                                           "status",
                                           "signatureLevel",
                                           "initiator",
                                           "invitees",
                                           "teamId",
                                           "properties",
                                           "payload",
                                           "validUntil",
                                           "createdDate",
                                           "lastModifiedDate",
                                           "archiveOn",
                                           "archivedOn",
                                           "fileReferences",
                                           "partnerId",
                                           "authorization",
                                           "authentication",
                                           NULL};

bool sign_process_parse_create(const json_t *body, struct store_process *p, char *err,
                               size_t err_len)
{
    static const char *const levels[] = {"SIMPLE",    "ADVANCED",     "ADVANCED_EU",
                                         "QUALIFIED", "QUALIFIED_EU", NULL};
    static const char *const authorizations[] = {"CODE", "ACCOUNT", NULL};
    struct perr e = {err, err_len};
    if (!body || !json_is_object(body))
        return fail(&e, "The request body must be a JSON object (a Process).");
    if (!only_known(body, NULL, process_keys, &e))
        return false;

    const char *s;
    int r = get_str(body, NULL, "signatureLevel", 16, false, &s, &e);
    if (r == BAD)
        return false;
    if (r == PRESENT && !one_of(s, levels))
        return fail(&e, "Field 'signatureLevel' must be one of SIMPLE, ADVANCED, ADVANCED_EU, "
                        "QUALIFIED, QUALIFIED_EU.");
    str_copy(p->signature_level, sizeof p->signature_level, r == PRESENT ? s : "QUALIFIED");

    r = get_str(body, NULL, "authorization", 8, false, &s, &e);
    if (r == BAD)
        return false;
    if (r == PRESENT && !one_of(s, authorizations))
        return fail(&e, "Field 'authorization' must be CODE or ACCOUNT.");
    str_copy(p->authorization, sizeof p->authorization, r == PRESENT ? s : "CODE");

    r = get_str(body, NULL, "teamId", 36, false, &s, &e);
    if (r == BAD)
        return false;
    if (r == PRESENT && !uuid_is_valid(s))
        return fail(&e, "Field 'teamId' must be a UUID.");
    str_copy(p->team_id, sizeof p->team_id, r == PRESENT ? s : "");

    if (!copy_str(body, NULL, "partnerId", 255, false, p->partner_id, sizeof p->partner_id, &e))
        return false;

    r = get_str(body, NULL, "payload", 8192, false, &s, &e);
    if (r == BAD)
        return false;
    if (r == PRESENT && !(p->payload = strdup(s)))
        return fail(&e, "Not enough memory.");

    if (!parse_properties(json_object_get(body, "properties"), p, &e))
        return false;

    json_t *initiator = json_object_get(body, "initiator");
    if (!initiator || json_is_null(initiator))
        return fail(&e, "Field 'initiator' is required.");
    json_t *inv = json_object_get(body, "invitees");
    json_t *signers = json_is_object(inv) ? json_object_get(inv, "signers") : NULL;
    size_t cap = 1 + (json_is_array(signers) ? json_array_size(signers) : 0);
    if (cap > 1 + SIGN_MAX_SIGNERS)
        cap = 1 + SIGN_MAX_SIGNERS;
    p->participants = calloc(cap, sizeof *p->participants);
    if (!p->participants)
        return fail(&e, "Not enough memory.");
    if (!parse_participant(initiator, "initiator", true, &p->participants[0], &e))
        return false;
    p->n_participants = 1;
    if (!parse_invitees(inv, p, &e))
        return false;

    /* externalIdentifiers identify participants for the caller: no two alike. */
    for (size_t i = 1; i < p->n_participants; i++) {
        const char *id = p->participants[i].external_identifier;
        for (size_t k = 0; *id && k < i; k++) {
            if (!strcmp(id, p->participants[k].external_identifier))
                return fail(&e,
                            "Field 'invitees.signers[%zu].externalIdentifier': '%s' is already "
                            "used by another participant; externalIdentifiers must be unique.",
                            i - 1, id);
        }
    }
    return true;
}

/* ---- JSON views ---- */

static void set_str(json_t *o, const char *key, const char *value)
{
    if (value && *value)
        json_object_set_new(o, key, json_string(value)); /* steals the new string */
}

static void set_time(json_t *o, const char *key, int64_t ms)
{
    char t[ISO_DATETIME_LEN];
    if (!ms)
        return;
    iso_format_datetime(ms, false, t);
    json_object_set_new(o, key, json_string(t));
}

static json_t *participant_json(const struct store_participant *x)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    set_str(o, "type", x->type);
    set_str(o, "identification", x->id);
    set_str(o, "externalIdentifier", x->external_identifier);
    if (!strcmp(x->type, "NON_PERSON")) {
        json_object_set_new(o, "name", json_string(x->name));
        return o;
    }
    set_str(o, "firstName", x->first_name);
    set_str(o, "lastName", x->last_name);
    set_str(o, "email", x->email);
    set_str(o, "mobile", x->mobile);
    if (strcmp(x->type, "SIGNER") != 0)
        return o;
    set_str(o, "role", x->role);
    if (x->resident_permit >= 0)
        json_object_set_new(o, "verification",
                            json_pack("{s:b}", "residentPermit", x->resident_permit));
    set_str(o, "status", x->status);
    if (!strcmp(x->status, "SIGNED")) {
        set_time(o, "signedOn", x->signed_at);
        set_str(o, "certificateName", x->certificate_name);
        set_str(o, "certificateMatch", x->certificate_match);
    }
    return o;
}

json_t *sign_process_to_json(const struct store_process *p, int64_t retention_ms)
{
    json_t *o = json_object();
    json_t *signers = json_array();
    json_t *props = json_array();
    json_t *inv = json_object();
    if (!o || !signers || !props || !inv) {
        json_decref(o);
        json_decref(signers);
        json_decref(props);
        json_decref(inv);
        return NULL;
    }
    set_str(o, "id", p->id);
    set_str(o, "status", p->status);
    set_str(o, "signatureLevel", p->signature_level);
    if (p->n_participants > 0)
        json_object_set_new(o, "initiator", participant_json(&p->participants[0]));
    if (p->personal_message)
        json_object_set_new(inv, "personalMessage", json_string(p->personal_message));
    for (size_t i = 1; i < p->n_participants; i++)
        json_array_append_new(signers, participant_json(&p->participants[i]));
    json_object_set_new(inv, "signers", signers);
    json_object_set_new(o, "invitees", inv);
    set_str(o, "teamId", p->team_id);
    for (size_t i = 0; i < p->n_properties; i++)
        json_array_append_new(props, json_pack("{s:s, s:s}", "key", p->properties[i].key, "value",
                                               p->properties[i].value));
    json_object_set_new(o, "properties", props);
    if (p->payload)
        json_object_set_new(o, "payload", json_string(p->payload));
    set_time(o, "validUntil", p->valid_until);
    set_time(o, "createdDate", p->created_at);
    set_time(o, "lastModifiedDate", p->last_modified_at);
    set_time(o, "archiveOn", sign_archive_on(p->ended_at, retention_ms));
    set_time(o, "archivedOn", p->archived_at);
    json_object_set_new(o, "fileReferences", json_array());
    set_str(o, "partnerId", p->partner_id);
    /* authorization is writeOnly in the contract: never part of an answer. */
    return o;
}

json_t *sign_process_status_json(const struct store_process *p)
{
    return json_pack("{s:s, s:s}", "id", p->id, "status", p->status);
}

json_t *sign_audit_records_json(const struct store_audit_record *r, size_t n)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char t[ISO_DATETIME_LEN];
        iso_format_datetime(r[i].created_at, false, t);
        json_t *extras = json_loads(r[i].extras, 0, NULL);
        if (!json_is_object(extras)) {
            json_decref(extras);
            extras = json_object();
        }
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", r[i].id,
                                             "createdDate", t, "action", r[i].action, "status",
                                             r[i].status, "extras", extras));
    }
    return json_pack("{s:o}", "records", arr);
}

/* ---- Audit chain ---- */

void sign_audit_hash(const struct store_audit_record *r, char out[65])
{
    /* Fields separated by a newline and prefixed by their length, so no two records share an
     * encoding. */
    const char *fields[] = {r->prev_hash, r->id,     r->organization_id, r->process_id,
                            r->action,    r->status, r->extras};
    size_t cap = 128;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        cap += strlen(fields[i]) + 24;
    char *text = malloc(cap);
    if (!text) {
        out[0] = '\0';
        return;
    }
    size_t n = (size_t)snprintf(text, cap, "signet-audit-v1\n%lld\n%lld\n", (long long)r->seq,
                                (long long)r->created_at);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0] && n < cap; i++)
        n += (size_t)snprintf(text + n, cap - n, "%zu:%s\n", strlen(fields[i]), fields[i]);
    crypto_sha256_hex(text, n < cap ? n : cap - 1, out);
    free(text);
}

bool sign_audit_chain_valid(const struct store_audit_record *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char h[65];
        sign_audit_hash(&r[i], h);
        if (strcmp(h, r[i].hash) != 0 || r[i].seq != (int64_t)(n - i))
            return false;
        const char *prev = i + 1 < n ? r[i + 1].hash : "";
        if (strcmp(r[i].prev_hash, prev) != 0)
            return false;
    }
    return true;
}

/* Appends a record to the process's chain inside tx. */
static enum store_status audit_append(struct store_tx *tx, const char *organization_id,
                                      const char *process_id, int64_t now, const char *action,
                                      const char *status, json_t *extras)
{
    struct store_audit_record last, rec;
    memset(&rec, 0, sizeof rec);
    enum store_status st = store_audit_last(tx, organization_id, process_id, &last);
    if (st != STORE_OK && st != STORE_NOT_FOUND)
        return st;
    rec.seq = st == STORE_OK ? last.seq + 1 : 1;
    str_copy(rec.prev_hash, sizeof rec.prev_hash, st == STORE_OK ? last.hash : "");
    if (!uuid_v4(rec.id))
        return STORE_ERROR;
    str_copy(rec.organization_id, sizeof rec.organization_id, organization_id);
    str_copy(rec.process_id, sizeof rec.process_id, process_id);
    rec.created_at = now;
    str_copy(rec.action, sizeof rec.action, action);
    str_copy(rec.status, sizeof rec.status, status);
    char *text = json_dumps(extras, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text || !str_copy(rec.extras, sizeof rec.extras, text)) {
        free(text);
        log_bug("audit extras of process %s do not fit", process_id);
        return STORE_ERROR;
    }
    free(text);
    sign_audit_hash(&rec, rec.hash);
    return store_audit_insert(tx, &rec);
}

enum store_status sign_audit_append(struct store_tx *tx, const char *organization_id,
                                    const char *process_id, int64_t now, const char *action,
                                    const char *status, json_t *extras)
{
    return audit_append(tx, organization_id, process_id, now, action, status, extras);
}

/* ---- Operations ---- */

struct create_op {
    const char *org_id;
    const char *client_id;
    const char *idem_key;
    struct store_process *p;
    struct store_process replay; /* the process first created with idem_key */
    bool replayed;
    bool invalid;
    char *err;
    size_t err_len;
};

static enum store_status create_tx(struct store_tx *tx, void *cls)
{
    struct create_op *op = cls;
    struct store_process *p = op->p;
    op->replayed = false;
    op->invalid = false;
    if (op->idem_key) {
        char id[STORE_ID_LEN];
        enum store_status st =
            store_process_find_by_idempotency_key(tx, op->org_id, op->idem_key, id);
        if (st == STORE_OK) {
            op->replayed = true;
            return store_process_get(tx, op->org_id, id, &op->replay);
        }
        if (st != STORE_NOT_FOUND)
            return st;
    }
    struct store_org org;
    enum store_status st = store_org_get(tx, op->org_id, &org);
    if (st != STORE_OK)
        return st == STORE_NOT_FOUND ? STORE_ERROR : st; /* a token's org always exists */
    for (size_t i = 0; i < p->n_participants; i++) {
        if (p->participants[i].resident_permit >= 0 && strcmp(org.client_type, "CORPORATE")) {
            op->invalid = true;
            if (i == 0)
                snprintf(op->err, op->err_len,
                         "Field 'initiator.verification' is only available to corporate "
                         "tenants.");
            else
                snprintf(op->err, op->err_len,
                         "Field 'invitees.signers[%zu].verification' is only available to "
                         "corporate tenants.",
                         i - 1);
            return STORE_CONFLICT;
        }
    }
    if (p->team_id[0]) {
        st = store_team_exists(tx, op->org_id, p->team_id);
        if (st == STORE_NOT_FOUND) {
            op->invalid = true;
            snprintf(op->err, op->err_len,
                     "Field 'teamId': your organization has no team '%s'; create it first.",
                     p->team_id);
            return STORE_CONFLICT;
        }
        if (st != STORE_OK)
            return st;
    }
    if (p->partner_id[0]) {
        /* No partner registry exists yet, so no partnerId can reference an existing one. */
        op->invalid = true;
        snprintf(op->err, op->err_len, "Field 'partnerId': no partner '%.100s' exists.",
                 p->partner_id);
        str_utf8_repair(op->err); /* %.100s may have cut a character in two */
        return STORE_CONFLICT;
    }
    st = store_process_insert(tx, p);
    if (st != STORE_OK)
        return st;
    json_t *extras =
        json_pack("{s:s, s:s, s:s}", "transaction_event", "CREATED", "transaction_signatureLevel",
                  p->signature_level, "transaction_clientId", op->client_id);
    if (!extras)
        return STORE_ERROR;
    st = audit_append(tx, op->org_id, p->id, p->created_at, "transaction", "INITIALIZE", extras);
    json_decref(extras);
    return st;
}

static enum sign_result result_of(enum store_status st)
{
    switch (st) {
    case STORE_OK:
        return SIGN_OK;
    case STORE_NOT_FOUND:
        return SIGN_NOT_FOUND;
    default:
        return SIGN_UNAVAILABLE;
    }
}

enum sign_result sign_process_create(struct store *s, const char *organization_id,
                                     const char *client_id, const char *idempotency_key,
                                     struct store_process *p, char *err, size_t err_len)
{
    if (!uuid_v4(p->id))
        return SIGN_UNAVAILABLE;
    str_copy(p->organization_id, sizeof p->organization_id, organization_id);
    str_copy(p->client_id, sizeof p->client_id, client_id);
    str_copy(p->status, sizeof p->status, sign_state_name(SIGN_STATE_CREATED));
    str_copy(p->idempotency_key, sizeof p->idempotency_key, idempotency_key ? idempotency_key : "");
    p->created_at = p->last_modified_at = time_now_ms();
    p->valid_until = p->created_at + SIGN_PROCESS_VALIDITY_MS;
    for (size_t i = 0; i < p->n_participants; i++) {
        struct store_participant *x = &p->participants[i];
        if (!uuid_v4(x->id))
            return SIGN_UNAVAILABLE;
        x->position = (int64_t)i;
        str_copy(x->status, sizeof x->status, !strcmp(x->type, "SIGNER") ? "WAITING" : "");
    }
    struct create_op op = {.org_id = organization_id,
                           .client_id = client_id,
                           .idem_key = idempotency_key,
                           .p = p,
                           .err = err,
                           .err_len = err_len};
    enum store_status st = STORE_ERROR;
    /* A concurrent create with the same key wins the unique index: run again to replay it. */
    for (int attempt = 0; attempt < 2; attempt++) {
        st = store_run(s, STORE_WRITE, create_tx, &op);
        if (!(st == STORE_CONFLICT && idempotency_key && !op.invalid))
            break;
    }
    enum sign_result res;
    if (op.invalid)
        res = SIGN_INVALID;
    else if (st == STORE_OK && op.replayed) {
        store_process_clear(p);
        *p = op.replay; /* hands over the replayed process's memory */
        memset(&op.replay, 0, sizeof op.replay);
        res = SIGN_REPLAYED;
    } else
        res = st == STORE_OK ? SIGN_OK : SIGN_UNAVAILABLE;
    store_process_clear(&op.replay);
    return res;
}

struct get_op {
    const char *org_id;
    const char *id;
    struct store_process *p;
    struct store_audit_record *records;
    size_t n;
};

static enum store_status get_tx(struct store_tx *tx, void *cls)
{
    struct get_op *op = cls;
    return store_process_get(tx, op->org_id, op->id, op->p);
}

enum sign_result sign_process_get(struct store *s, const char *organization_id, const char *id,
                                  struct store_process *p)
{
    if (!uuid_is_valid(id))
        return SIGN_NOT_FOUND;
    struct get_op op = {.org_id = organization_id, .id = id, .p = p};
    enum sign_result res = result_of(store_run(s, STORE_READ, get_tx, &op));
    /* Lazy expiry: a process past validUntil is answered EXPIRED (with its audit record)
     * even before the expiry job reaches it. */
    int64_t now = time_now_ms();
    if (res == SIGN_OK && sign_expiry_due(p->status, p->valid_until, now)) {
        res = sign_expiry_touch(s, organization_id, id, now);
        if (res == SIGN_OK)
            res = result_of(store_run(s, STORE_READ, get_tx, &op));
    }
    return res;
}

static enum store_status records_tx(struct store_tx *tx, void *cls)
{
    struct get_op *op = cls;
    free(op->records);
    op->records = NULL;
    enum store_status st = store_process_get(tx, op->org_id, op->id, op->p);
    if (st != STORE_OK)
        return st;
    return store_audit_list(tx, op->org_id, op->id, &op->records, &op->n);
}

enum sign_result sign_process_records(struct store *s, const char *organization_id, const char *id,
                                      struct store_audit_record **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!uuid_is_valid(id))
        return SIGN_NOT_FOUND;
    /* Lazy expiry first, so that the records include the expiry's. */
    enum sign_result res = sign_expiry_touch(s, organization_id, id, time_now_ms());
    if (res != SIGN_OK)
        return res;
    struct store_process p;
    memset(&p, 0, sizeof p);
    struct get_op op = {.org_id = organization_id, .id = id, .p = &p};
    res = result_of(store_run(s, STORE_READ, records_tx, &op));
    store_process_clear(&p);
    if (res != SIGN_OK) {
        free(op.records);
        return res;
    }
    *out = op.records;
    *n = op.n;
    return SIGN_OK;
}
