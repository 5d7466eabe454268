/*
 * Online identification (GwG) of signers (see sign/verification.h).
 */
#include "sign/verification.h"

#include "core/isotime.h"
#include "core/uuid.h"
#include "pdf/report.h"
#include "core/str.h"
#include "srs/catalogue.h"
#include "srs/registration.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool sign_verification_requested(const struct store_participant *me)
{
    return me && me->resident_permit >= 0;
}

void sign_verification_scope(const struct sign_page_env *env, const struct store_process *p,
                             const char **jurisdiction, const char **level)
{
    if (env->srs && srs_catalogue_signing_needs(env->srs->catalogue, p->organization_id,
                                                p->signature_level, jurisdiction, level))
        return;
    size_t n = strlen(p->signature_level);
    *jurisdiction = n > 3 && !strcmp(p->signature_level + n - 3, "_EU") ? "EU" : "CH";
    *level = "QUALIFIED";
}

/* ---- the stored row ---- */

struct row_op {
    const char *org, *process, *participant;
    struct store_verification *v;
    struct store_document *report; /* attached with the decision; NULL: none */
};

static enum store_status get_tx(struct store_tx *tx, void *cls)
{
    struct row_op *op = cls;
    return store_verification_get(tx, op->org, op->process, op->participant, op->v);
}

static enum store_status decide_tx(struct store_tx *tx, void *cls)
{
    struct row_op *op = cls;
    if (op->report) {
        int64_t count = 0;
        enum store_status st = store_document_count(tx, op->org, op->process, &count);
        if (st != STORE_OK)
            return st;
        op->report->position = count;
        st = store_document_insert(tx, op->report);
        if (st == STORE_CONFLICT)
            return STORE_RETRY; /* a concurrent decision or attach took the position */
        if (st != STORE_OK)
            return st;
    }
    return store_verification_decide(tx, op->v);
}

/* ---- deciding ---- */

static const char *jstr(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

/* The evidence entry of verified_claims and the country of the document it rests on ("" when
 * the identification did not rest on an identity document, e.g. a bank's records). */
static const char *document_country(const json_t *verification, const char **kind)
{
    const json_t *e = json_array_get(json_object_get(verification, "evidence"), 0);
    const char *type = json_string_value(json_object_get(e, "type"));
    *kind = type ? type : "";
    if (type && !strcmp(type, "document"))
        return json_string_value(json_object_get(
            json_object_get(json_object_get(e, "document_details"), "issuer"), "country_code"));
    const json_t *rec = json_object_get(e, "record");
    const char *rtype = json_string_value(json_object_get(rec, "type"));
    if (type && !strcmp(type, "electronic_record") && rtype && !strcmp(rtype, "eid"))
        return json_string_value(json_object_get(json_object_get(rec, "source"), "country_code"));
    return "";
}

/* The identification report of an approved identification (docs/sign-api.md
 * "Verification"): a one-page PDF listing the verified identity and the evidence reference,
 * stored as a blob and described in *doc as a document of process p placed for signer me
 * (its position is set when it is inserted). */
static bool make_report(const struct sign_page_env *env, const struct store_process *p,
                        const struct store_participant *me, const struct store_srs_registration *r,
                        const json_t *claims, struct store_document *doc)
{
    const json_t *vc = json_object_get(claims, "verified_claims");
    const json_t *ver = json_object_get(vc, "verification");
    const json_t *who = json_object_get(vc, "claims");
    const json_t *e = json_array_get(json_object_get(ver, "evidence"), 0);
    const json_t *dd = json_object_get(e, "document_details");
    const json_t *rec = json_object_get(e, "record");
    char l[16][640];
    const char *lines[16];
    size_t n = 0;
    char when[ISO_DATETIME_LEN];
    iso_format_datetime(r->identified_at, false, when);
    snprintf(l[n++], sizeof l[0], "Signing process: %s", p->id);
    snprintf(l[n++], sizeof l[0], "Signer as invited: %s %s (identification %s)", me->first_name,
             me->last_name, me->id);
    snprintf(l[n++], sizeof l[0], "Result: APPROVED (residentPermit %s)",
             me->resident_permit == 1 ? "required" : "not required");
    snprintf(l[n++], sizeof l[0], "Identified at: %s by method %s", when, r->method);
    snprintf(l[n++], sizeof l[0], "Trust framework: %s, assurance level: %s",
             jstr(ver, "trust_framework"), jstr(ver, "assurance_level"));
    snprintf(l[n++], sizeof l[0], "Verified identity:");
    snprintf(l[n++], sizeof l[0], "  Given name: %s", jstr(who, "given_name"));
    snprintf(l[n++], sizeof l[0], "  Family name: %s", jstr(who, "family_name"));
    snprintf(l[n++], sizeof l[0], "  Date of birth: %s", jstr(who, "birthdate"));
    snprintf(l[n++], sizeof l[0], "  Nationality: %s",
             json_string_value(json_array_get(json_object_get(who, "nationalities"), 0))
                 ? json_string_value(json_array_get(json_object_get(who, "nationalities"), 0))
                 : "");
    if (dd)
        snprintf(l[n++], sizeof l[0], "Evidence: %s %s issued by %s, valid until %s",
                 jstr(dd, "type"), jstr(dd, "document_number"),
                 jstr(json_object_get(dd, "issuer"), "country_code"), jstr(dd, "expiry_date"));
    else
        snprintf(l[n++], sizeof l[0], "Evidence: %s %s (%s)", jstr(e, "type"), jstr(rec, "type"),
                 jstr(json_object_get(rec, "source"), "country_code"));
    snprintf(l[n++], sizeof l[0],
             "Evidence reference: registration %s (signed evidence package:", r->id);
    snprintf(l[n++], sizeof l[0], "  GET /srs/v1/registrations/%s/evidence)", r->id);
    for (size_t i = 0; i < n; i++)
        lines[i] = l[i];
    unsigned char *pdf = NULL;
    size_t len = 0;
    if (!env->pdf || pdf_text_report(env->pdf, "Online identification report (GwG)", lines, n, &pdf,
                                     &len) != PDF_OK)
        return false;
    memset(l, 0, sizeof l);
    bool ok = store_blob_put(env->store, pdf, len, doc->blob_hash) == STORE_OK;
    free(pdf);
    doc->positions = calloc(1, sizeof *doc->positions);
    if (!ok || !doc->positions || !uuid_v4(doc->id))
        return false;
    doc->n_positions = 1;
    struct store_signature_position *pos = doc->positions;
    str_copy(pos->participant_id, sizeof pos->participant_id, me->id);
    str_copy(pos->signer, sizeof pos->signer, me->id);
    str_copy(pos->locator, sizeof pos->locator, "COORDINATES");
    pos->has_requested_page = true;
    pos->x = 56;
    pos->y = 680;
    str_copy(doc->organization_id, sizeof doc->organization_id, p->organization_id);
    str_copy(doc->process_id, sizeof doc->process_id, p->id);
    str_copy(doc->name, sizeof doc->name, "Identification report.pdf");
    str_copy(doc->content_type, sizeof doc->content_type, "application/pdf");
    doc->size = (int64_t)len;
    doc->page_count = 1;
    doc->created_at = time_now_ms();
    return true;
}

/* v->status/payload of an identified registration r, from its identity's verified_claims;
 * *doc the report when VERIFIED. */
static bool decide_identified(const struct sign_page_env *env, const struct store_process *p,
                              const struct store_participant *me,
                              const struct store_srs_registration *r, struct store_verification *v,
                              struct store_document *doc)
{
    char actor[96], when[ISO_DATETIME_LEN];
    json_t *claims = NULL;
    snprintf(actor, sizeof actor, "sign-verification:%s", me->id);
    if (srs_identity_read(env->srs, p->organization_id, r->id, actor, &claims) != SRS_R_OK)
        return false;
    const json_t *ver = json_object_get(json_object_get(claims, "verified_claims"), "verification");
    const char *kind = "";
    const char *country = document_country(ver, &kind);
    if (!country)
        country = "";
    bool resident = me->resident_permit == 1;
    bool ok = !resident || !strcmp(country, "CH");
    iso_format_datetime(r->identified_at, false, when);
    json_t *payload = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "result",
                                ok ? "APPROVED" : "REJECTED", "method", r->method, "identifiedAt",
                                when, "trustFramework", jstr(ver, "trust_framework"),
                                "assuranceLevel", jstr(ver, "assurance_level"), "evidence", kind,
                                "documentCountry", country, "residentPermit", resident);
    if (payload && !ok)
        json_object_set_new(payload, "reason",
                            json_string("residentPermit: the identification did not rest on an "
                                        "identity document issued by Switzerland (CH)."));
    char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(payload);
    /* The report of a signer created with `verification` (not of an OSS identification). */
    bool report = ok && sign_verification_requested(me);
    bool made = !report || make_report(env, p, me, r, claims, doc);
    json_decref(claims);
    if (!text || !made) {
        free(text);
        return false;
    }
    if (report)
        str_copy(v->report_document_id, sizeof v->report_document_id, doc->id);
    str_copy(v->status, sizeof v->status, ok ? "VERIFIED" : "REJECTED");
    str_copy(v->payload, sizeof v->payload, text);
    v->decided_at = r->identified_at;
    free(text);
    return true;
}

enum sign_page_result sign_verification_settle(const struct sign_page_env *env,
                                               const struct store_process *p,
                                               const struct store_participant *me,
                                               struct store_verification *v, bool *started)
{
    struct store_srs_registration r;
    struct store_document doc;
    memset(&r, 0, sizeof r);
    memset(&doc, 0, sizeof doc);
    memset(v, 0, sizeof *v);
    *started = false;
    struct row_op op = {p->organization_id, p->id, me->id, v, NULL};
    enum store_status st = store_run(env->store, STORE_READ, get_tx, &op);
    if (st == STORE_NOT_FOUND)
        return SIGN_PAGE_OK;
    if (st != STORE_OK)
        return SIGN_PAGE_UNAVAILABLE;
    *started = true;
    if (strcmp(v->status, "PENDING") != 0)
        return SIGN_PAGE_OK;
    if (!env->srs)
        return SIGN_PAGE_UNAVAILABLE;
    enum sign_page_result res = SIGN_PAGE_UNAVAILABLE;
    if (srs_registration_get(env->srs, p->organization_id, v->registration_id, &r) != SRS_R_OK)
        goto cleanup;
    if (r.identified_at) {
        if (!decide_identified(env, p, me, &r, v, &doc))
            goto cleanup;
        if (doc.id[0])
            op.report = &doc;
    } else if (!strcmp(r.status, SRS_REJECTED)) {
        char when[ISO_DATETIME_LEN];
        iso_format_datetime(r.updated_at, false, when);
        json_t *payload = json_pack("{s:s, s:s, s:s, s:s}", "result", "REJECTED", "method",
                                    r.method, "rejectedAt", when, "reason", r.rejection_reason);
        char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(payload);
        if (!text)
            goto cleanup;
        str_copy(v->status, sizeof v->status, "REJECTED");
        str_copy(v->payload, sizeof v->payload, text);
        v->decided_at = r.updated_at;
        free(text);
    } else {
        res = SIGN_PAGE_OK; /* still under way (or abandoned: a new one may be started) */
        goto cleanup;
    }
    st = store_run(env->store, STORE_WRITE, decide_tx, &op);
    if (st == STORE_CONFLICT) /* decided meanwhile by another request: read that */
        st = store_run(env->store, STORE_READ, get_tx, &op);
    res = st == STORE_OK ? SIGN_PAGE_OK : SIGN_PAGE_UNAVAILABLE;
cleanup:
    store_srs_registration_clear(&r);
    store_document_clear(&doc);
    return res;
}

enum sign_page_result sign_verification_settle_all(const struct sign_page_env *env,
                                                   const struct store_process *p)
{
    for (size_t i = 0; i < p->n_participants; i++) {
        struct store_verification v;
        bool started = false;
        if (!sign_verification_requested(&p->participants[i]))
            continue;
        enum sign_page_result res =
            sign_verification_settle(env, p, &p->participants[i], &v, &started);
        if (res != SIGN_PAGE_OK)
            return res;
    }
    return SIGN_PAGE_OK;
}

enum sign_page_result sign_verification_state(const struct sign_page_env *env,
                                              const struct store_process *p,
                                              const struct store_participant *me, bool oss,
                                              json_t **out)
{
    *out = NULL;
    bool requested = sign_verification_requested(me);
    if (!requested && !oss)
        return SIGN_PAGE_OK;
    struct store_verification v;
    bool started = false;
    enum sign_page_result res = sign_verification_settle(env, p, me, &v, &started);
    if (res != SIGN_PAGE_OK)
        return res;
    const char *status = started ? v.status : "MISSING";
    bool pending = !strcmp(p->status, "PENDING") && !strcmp(me->status, "PENDING");
    bool can_start = pending && me->mobile[0] != '\0' && (!started || !strcmp(v.status, "PENDING"));
    *out = json_pack("{s:b, s:s, s:b, s:b}", "required", requested, "status", status,
                     "residentPermit", me->resident_permit == 1, "canStart", can_start);
    return *out ? SIGN_PAGE_OK : SIGN_PAGE_UNAVAILABLE;
}

enum sign_page_result sign_verification_check(const struct sign_page_env *env,
                                              const struct store_process *p,
                                              const struct store_participant *me, char *err,
                                              size_t err_len)
{
    if (!sign_verification_requested(me))
        return SIGN_PAGE_OK;
    struct store_verification v;
    bool started = false;
    enum sign_page_result res = sign_verification_settle(env, p, me, &v, &started);
    if (res != SIGN_PAGE_OK) {
        str_message(err, err_len, "Your identification cannot be checked now; try again.");
        return res;
    }
    if (started && !strcmp(v.status, "VERIFIED"))
        return SIGN_PAGE_OK;
    if (started && !strcmp(v.status, "REJECTED"))
        str_message(err, err_len,
                    "Your online identification was rejected: this process cannot be signed. "
                    "Ask the sender.");
    else
        str_message(err, err_len,
                    "This process needs an online identification of you before you sign: "
                    "identify yourself first, then sign.");
    return SIGN_PAGE_REFUSED;
}

enum sign_page_result sign_verification_identity(const struct sign_page_env *env,
                                                 const struct store_process *p,
                                                 const struct store_participant *me,
                                                 struct srs_signer_identity *out, char *err,
                                                 size_t err_len)
{
    struct store_verification v;
    bool started = false;
    json_t *claims = NULL;
    char actor[96];
    memset(out, 0, sizeof *out);
    enum sign_page_result res = sign_verification_settle(env, p, me, &v, &started);
    if (res != SIGN_PAGE_OK) {
        str_message(err, err_len, "Your identification cannot be checked now; try again.");
        return res;
    }
    if (!started || strcmp(v.status, "VERIFIED") != 0) {
        str_message(err, err_len,
                    started && !strcmp(v.status, "REJECTED")
                        ? "Your online identification was rejected: you cannot sign with OSS."
                        : "One-shot signing (OSS) identifies you as part of signing: identify "
                          "yourself first, then sign.");
        return SIGN_PAGE_REFUSED;
    }
    snprintf(actor, sizeof actor, "sign-oss:%s", me->id);
    if (srs_identity_read(env->srs, p->organization_id, v.registration_id, actor, &claims) !=
        SRS_R_OK) {
        str_message(err, err_len, "Your identification cannot be read now; try again.");
        return SIGN_PAGE_UNAVAILABLE;
    }
    const json_t *vc = json_object_get(claims, "verified_claims");
    const json_t *who = json_object_get(vc, "claims");
    const char *kind = "";
    const char *country = document_country(json_object_get(vc, "verification"), &kind);
    if (!country || !country[0])
        country = json_string_value(json_array_get(json_object_get(who, "nationalities"), 0));
    str_copy(out->registration_id, sizeof out->registration_id, v.registration_id);
    str_copy(out->given_name, sizeof out->given_name, jstr(who, "given_name"));
    str_copy(out->family_name, sizeof out->family_name, jstr(who, "family_name"));
    snprintf(out->serial_number, sizeof out->serial_number, "SRS-%s", v.registration_id);
    str_copy(out->country, sizeof out->country, country ? country : "");
    json_decref(claims);
    if (!out->given_name[0] || !out->family_name[0]) {
        str_message(err, err_len, "Your identification names no person; ask the sender.");
        return SIGN_PAGE_REFUSED;
    }
    return SIGN_PAGE_OK;
}

/* ---- GET /system/api/process/{id} ---- */

struct list_op {
    const char *org, *process;
    struct store_verification rows[16];
    size_t n;
};

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct list_op *op = cls;
    return store_verification_list(tx, op->org, op->process, op->rows, 16, &op->n);
}

static void set_time(json_t *o, const char *key, int64_t ms)
{
    char t[ISO_DATETIME_LEN];
    iso_format_datetime(ms, false, t);
    json_object_set_new(o, key, json_string(t));
}

bool sign_verification_merge(struct store *s, const char *organization_id, const char *process_id,
                             json_t *process)
{
    struct list_op *op = calloc(1, sizeof *op);
    if (!op)
        return false;
    op->org = organization_id;
    op->process = process_id;
    bool ok = store_run(s, STORE_READ, list_tx, op) == STORE_OK;
    /* The initiator (when a SIGNER) and the invited signers. */
    json_t *people = json_array();
    json_array_extend(people, json_object_get(json_object_get(process, "invitees"), "signers"));
    if (json_object_get(process, "initiator"))
        json_array_append(people, json_object_get(process, "initiator"));
    for (size_t i = 0; ok && people && i < op->n; i++) {
        const struct store_verification *v = &op->rows[i];
        size_t k;
        json_t *x;
        json_array_foreach(people, k, x)
        {
            const char *id = json_string_value(json_object_get(x, "identification"));
            json_t *ver = json_object_get(x, "verification");
            if (!id || strcmp(id, v->participant_id) != 0 || !json_is_object(ver))
                continue;
            json_object_set_new(ver, "processId", json_string(v->registration_id));
            if (!strcmp(v->status, "VERIFIED"))
                set_time(ver, "verifiedOn", v->decided_at);
            else if (!strcmp(v->status, "REJECTED"))
                set_time(ver, "rejectedOn", v->decided_at);
            if (v->payload[0])
                json_object_set_new(ver, "payload", json_string(v->payload));
            if (v->report_document_id[0])
                json_object_set_new(ver, "files", json_pack("[s]", v->report_document_id));
        }
    }
    json_decref(people);
    free(op);
    return ok && people;
}
