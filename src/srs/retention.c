/*
 * Retention of SRS personal data and its deletion on request (see srs/retention.h).
 */
#include "srs/retention.h"

#include "core/config.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/str.h"
#include "srs/catalogue.h"
#include "srs/internal.h"
#include "store/srs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS ((int64_t)24 * 3600 * 1000)
/* Registrations of one person a deletion handles at most. */
#define PERSON_MAX 200

static const char *const jurisdictions[] = {"CH", "EU"};

static bool parse_rule(const json_t *e, struct srs_retention_rule *out, const char **bad)
{
    const char *d = json_string_value(json_object_get(e, "duration"));
    const char *from = json_string_value(json_object_get(e, "from"));
    memset(out, 0, sizeof *out);
    if (!json_is_object(e)) {
        *bad = "(entry)";
        return false;
    }
    if (!d || strlen(d) >= sizeof out->text || !iso_parse_duration(d, &out->duration)) {
        *bad = "duration";
        return false;
    }
    if (!from || (strcmp(from, "END") != 0 && strcmp(from, "IDENTIFICATION") != 0)) {
        *bad = "from";
        return false;
    }
    str_copy(out->text, sizeof out->text, d);
    out->from_identification = strcmp(from, "IDENTIFICATION") == 0;
    return true;
}

bool srs_retention_valid(const json_t *section, char *err, size_t err_len)
{
    if (!json_is_object(section)) {
        snprintf(err, err_len, "methods catalogue: \"retention\" must be an object");
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)section, key, v)
    {
        if (!srs_jurisdiction_valid(key)) {
            snprintf(err, err_len,
                     "methods catalogue: retention for unknown jurisdiction \"%.16s\"", key);
            return false;
        }
    }
    for (size_t i = 0; i < sizeof jurisdictions / sizeof jurisdictions[0]; i++) {
        struct srs_retention_rule r;
        const char *bad = NULL;
        if (!parse_rule(json_object_get(section, jurisdictions[i]), &r, &bad)) {
            snprintf(err, err_len,
                     "methods catalogue: retention %s has a missing or bad \"%s\" (needs "
                     "{\"duration\": ISO 8601, \"from\": \"END\"|\"IDENTIFICATION\"})",
                     jurisdictions[i], bad ? bad : "(entry)");
            return false;
        }
    }
    return true;
}

bool srs_retention_rule(const struct srs_catalogue *c, const char *jurisdiction,
                        struct srs_retention_rule *out)
{
    const char *bad = NULL;
    return c && c->retention && jurisdiction &&
           parse_rule(json_object_get(c->retention, jurisdiction), out, &bad);
}

int64_t srs_registration_end(const struct store_srs_lifecycle *l, int64_t now)
{
    const char *s = l->status;
    if (strcmp(s, SRS_REVOKED) == 0)
        return l->revoked_at ? l->revoked_at : l->updated_at;
    if (strcmp(s, SRS_REJECTED) == 0)
        return l->updated_at;
    if (strcmp(s, SRS_EXPIRED) == 0) {
        /* Expiry is written lazily (when next read): it ended when it became due. */
        int64_t due = l->terms_accepted_at && l->valid_until ? l->valid_until : l->link_expires_at;
        return due && due < l->updated_at ? due : l->updated_at;
    }
    if (strcmp(s, SRS_ACTIVE) == 0)
        return l->valid_until && now > l->valid_until ? l->valid_until : 0;
    /* OPEN, IN_IDENTIFICATION, AWAITING_TERMS: until the link expires. */
    return now > l->link_expires_at ? l->link_expires_at : 0;
}

int64_t srs_retention_end(const struct store_srs_lifecycle *l,
                          const struct srs_retention_rule *rule, int64_t now)
{
    int64_t end = srs_registration_end(l, now), until = 0;
    if (!end || !l->identified_at)
        return end;
    int64_t from = rule->from_identification ? l->identified_at : end;
    if (!iso_duration_add(from, &rule->duration, &until))
        return INT64_MAX; /* beyond any date: kept */
    return until > end ? until : end;
}

/* The shortest time a duration can take (a year at least 365 days, a month 28): every
 * registration whose retention ended was created at least this long before. */
static int64_t min_length_ms(const struct iso_duration *d)
{
    struct iso_duration fixed = *d;
    int64_t ms = 0;
    fixed.years = fixed.months = 0;
    if (!iso_duration_fixed_ms(&fixed, &ms))
        return INT64_MAX / 4;
    return ms + d->years * 365 * DAY_MS + d->months * 28 * DAY_MS;
}

/* ---- the job ---- */

struct claim_op {
    const char *jurisdiction;
    const struct srs_retention_rule *rule;
    int64_t as_of, created_before;
    int64_t after_created;
    char after_id[64];
    bool ended; /* this candidate's data ended now */
};

/* Takes the next candidate (locked); when its retention has ended, destroys its data. */
static enum store_status claim_tx(struct store_tx *tx, void *cls)
{
    struct claim_op *op = cls;
    struct store_srs_lifecycle l;
    struct store_srs_registration r = {0};
    op->ended = false;
    enum store_status st = store_srs_retention_next(tx, op->jurisdiction, op->created_before,
                                                    op->as_of, op->after_created, op->after_id, &l);
    if (st != STORE_OK)
        return st;
    op->after_created = l.created_at;
    str_copy(op->after_id, sizeof op->after_id, l.id);
    int64_t until = srs_retention_end(&l, op->rule, op->as_of);
    if (!until || until > op->as_of)
        return STORE_OK; /* not yet: the cursor moves on */
    /* An ACTIVE or unfinished registration past its time is expired first, as a read would. */
    st = store_srs_get(tx, l.organization_id, l.id, &r);
    if (st == STORE_OK)
        st = srs_expire_if_due(tx, &r, "system", op->as_of);
    if (st == STORE_OK)
        st = store_srs_data_destroy(tx, l.organization_id, l.id, "RETENTION", op->as_of);
    if (st == STORE_OK)
        st = store_srs_audit_add(tx, l.organization_id, l.id, "RETENTION_ENDED", "system",
                                 op->as_of);
    store_srs_registration_clear(&r);
    op->ended = st == STORE_OK;
    /* Another node ended it between the candidate and the update: nothing left to do. */
    return st == STORE_CONFLICT ? STORE_OK : st;
}

bool srs_retention_apply(struct store *s, const struct srs_catalogue *c, int64_t as_of,
                         size_t max_items, const atomic_bool *stop, size_t *done, bool *more)
{
    *done = 0;
    *more = false;
    for (size_t j = 0; j < sizeof jurisdictions / sizeof jurisdictions[0]; j++) {
        struct srs_retention_rule rule;
        if (!srs_retention_rule(c, jurisdictions[j], &rule)) {
            log_error("srs-retention: no retention rule for %s", jurisdictions[j]);
            return false;
        }
        struct claim_op op = {.jurisdiction = jurisdictions[j],
                              .rule = &rule,
                              .as_of = as_of,
                              .created_before = as_of - min_length_ms(&rule.duration),
                              .after_created = INT64_MIN};
        /* Candidates not yet due are passed over by the cursor; at most 4 × max_items looked
         * at per jurisdiction and run. */
        for (size_t seen = 0; seen < 4 * max_items; seen++) {
            if ((stop && atomic_load(stop)) || *done >= max_items) {
                *more = true;
                return true;
            }
            enum store_status st = store_run(s, STORE_CLAIM, claim_tx, &op);
            if (st == STORE_NOT_FOUND)
                break;
            if (st != STORE_OK)
                return false;
            if (op.ended)
                (*done)++;
            if (seen + 1 == 4 * max_items)
                *more = true;
        }
    }
    return true;
}

void srs_retention_run(struct store *s, const struct config *cfg, int64_t as_of,
                       const char *trigger, const atomic_bool *stop, struct jobs_outcome *out)
{
    char err[200];
    size_t n = 0;
    bool more = false;
    (void)trigger;
    const struct srs_catalogue *c = srs_catalogue_get(cfg, err, sizeof err);
    if (!c) {
        out->ok = false;
        snprintf(out->summary, sizeof out->summary, "failed: %.150s", err);
        return;
    }
    out->ok = srs_retention_apply(s, c, as_of, JOBS_MAX_ITEMS, stop, &n, &more);
    out->items = (int64_t)n;
    out->more = more;
    snprintf(out->summary, sizeof out->summary, "%s: %zu registration%s past retention%s",
             out->ok ? "ok" : "failed", n, n == 1 ? "" : "s", more ? " (more due)" : "");
}

/* ---- deletion on request ---- */

struct delete_op {
    const struct srs_catalogue *catalogue;
    const char *organization_id, *id, *actor;
    int64_t now;
    struct srs_delete_result *out;
};

/* Whether l blocks the deletion (in use or inside retention): fills out's blocking fields. */
static bool blocks(const struct delete_op *op, const struct store_srs_lifecycle *l)
{
    struct srs_retention_rule rule;
    if (l->data_ended_at)
        return false;
    int64_t until = srs_retention_rule(op->catalogue, l->jurisdiction, &rule)
                        ? srs_retention_end(l, &rule, op->now)
                        : INT64_MAX;
    if (until && until <= op->now)
        return false;
    str_copy(op->out->blocking_id, sizeof op->out->blocking_id, l->id);
    str_copy(op->out->blocking_status, sizeof op->out->blocking_status, l->status);
    op->out->retention_until = until;
    return true;
}

static enum store_status delete_tx(struct store_tx *tx, void *cls)
{
    struct delete_op *op = cls;
    struct store_srs_lifecycle one, *list = NULL;
    size_t n = 0;
    memset(op->out, 0, sizeof *op->out);
    enum store_status st = store_srs_lifecycle_get(tx, op->organization_id, op->id, &one);
    if (st != STORE_OK)
        return st;
    if (one.data_ended_at) {
        op->out->already = 1;
        return STORE_OK;
    }
    /* The person: every registration of the organization with the same verified mobile. */
    if (one.mobile_lookup[0])
        st = store_srs_person_list(tx, op->organization_id, one.mobile_lookup, PERSON_MAX, &list,
                                   &n);
    if (st != STORE_OK)
        goto cleanup;
    if (!list) {
        list = malloc(sizeof *list);
        if (!list) {
            st = STORE_ERROR;
            goto cleanup;
        }
        list[0] = one;
        n = 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (blocks(op, &list[i])) {
            st = STORE_CONFLICT;
            goto cleanup;
        }
    }
    for (size_t i = 0; i < n && st == STORE_OK; i++) {
        struct store_srs_registration r = {0};
        if (list[i].data_ended_at) {
            op->out->already++;
            continue;
        }
        /* Past its time but not yet written EXPIRED: as a read would. */
        st = store_srs_get(tx, op->organization_id, list[i].id, &r);
        if (st == STORE_OK)
            st = srs_expire_if_due(tx, &r, "system", op->now);
        store_srs_registration_clear(&r);
        if (st == STORE_OK)
            st = store_srs_data_destroy(tx, op->organization_id, list[i].id, "REQUEST", op->now);
        if (st == STORE_CONFLICT)
            st = STORE_RETRY; /* ended concurrently: look again */
        if (st == STORE_OK)
            st = store_srs_audit_add(tx, op->organization_id, list[i].id, "DATA_DELETED", op->actor,
                                     op->now);
        if (st == STORE_OK)
            op->out->deleted++;
    }
cleanup:
    free(list);
    return st;
}

enum srs_result srs_person_delete(const struct srs_env *env, const char *organization_id,
                                  const char *id, const char *actor, int64_t now,
                                  struct srs_delete_result *out)
{
    struct delete_op op = {.catalogue = env->catalogue,
                           .organization_id = organization_id,
                           .id = id,
                           .actor = actor,
                           .now = now,
                           .out = out};
    enum store_status st = store_run(env->store, STORE_WRITE, delete_tx, &op);
    if (st != STORE_CONFLICT)
        memset(out->blocking_id, 0, sizeof out->blocking_id);
    return srs_from_store(st);
}
