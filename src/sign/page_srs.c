/*
 * The Smart Registration Service on the signer pages (see sign/page_srs.h).
 */
#include "sign/page_srs.h"

#include "core/str.h"
#include "sign/release.h"
#include "sign/verification.h"
#include "srs/catalogue.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The jurisdiction and level of the registration p's level needs (false: none needed). */
static bool needs(const struct sign_page_env *env, const struct store_process *p,
                  const char **jurisdiction, const char **level)
{
    return env->srs && srs_catalogue_signing_needs(env->srs->catalogue, p->organization_id,
                                                   p->signature_level, jurisdiction, level);
}

/* A level whose signature always needs a registration (sign/signing.h). */
static bool qualified(const struct store_process *p)
{
    return !strncmp(p->signature_level, "QUALIFIED", 9);
}

/* The signer's ACTIVE registration: SIGN_PAGE_OK with *found. */
static enum sign_page_result lookup(const struct sign_page_env *env, const char *organization_id,
                                    const char *mobile, const char *jurisdiction, const char *level,
                                    struct srs_signer_identity *id, bool *found)
{
    *found = false;
    if (!mobile || !mobile[0])
        return SIGN_PAGE_OK; /* no mobile number: no registration can be coupled */
    enum srs_result r =
        srs_registration_for_signer(env->srs, organization_id, mobile, jurisdiction, level, id);
    if (r == SRS_R_NOT_FOUND)
        return SIGN_PAGE_OK;
    if (r != SRS_R_OK)
        return SIGN_PAGE_UNAVAILABLE;
    *found = true;
    return SIGN_PAGE_OK;
}

enum sign_page_result sign_page_srs_state(const struct sign_page_env *env,
                                          const struct store_process *p,
                                          const struct store_participant *me, json_t **out)
{
    const char *jurisdiction = NULL, *level = NULL;
    *out = NULL;
    if (!needs(env, p, &jurisdiction, &level))
        return SIGN_PAGE_OK; /* none needed (or no registration service: signing says so) */
    struct srs_signer_identity id;
    bool found = false;
    enum sign_page_result res =
        lookup(env, p->organization_id, me->mobile, jurisdiction, level, &id, &found);
    memset(&id, 0, sizeof id);
    if (res != SIGN_PAGE_OK)
        return res;
    bool pending = !strcmp(p->status, "PENDING") && !strcmp(me->status, "PENDING");
    *out = json_pack("{s:b, s:s, s:s, s:s, s:b}", "required", true, "jurisdiction", jurisdiction,
                     "level", level, "status", found ? "ACTIVE" : "MISSING", "canStart",
                     !found && pending && me->mobile[0] != '\0');
    return *out ? SIGN_PAGE_OK : SIGN_PAGE_UNAVAILABLE;
}

/* ---- reading the session's process ---- */

struct read_op {
    const struct store_ui_session *sess;
    struct store_process p;
};

static enum store_status read_tx(struct store_tx *tx, void *cls)
{
    struct read_op *op = cls;
    store_process_clear(&op->p);
    return store_process_get(tx, op->sess->organization_id, op->sess->process_id, &op->p);
}

/* The session's process into op->p and its participant into *me (borrowed from op->p). */
static enum sign_page_result read_process(const struct sign_page_env *env,
                                          const struct store_ui_session *sess, struct read_op *op,
                                          const struct store_participant **me)
{
    memset(op, 0, sizeof *op);
    op->sess = sess;
    *me = NULL;
    enum store_status st = store_run(env->store, STORE_READ, read_tx, op);
    if (st == STORE_NOT_FOUND)
        return SIGN_PAGE_NO_SESSION;
    if (st != STORE_OK)
        return SIGN_PAGE_UNAVAILABLE;
    for (size_t i = 0; i < op->p.n_participants; i++)
        if (!strcmp(op->p.participants[i].id, sess->participant_id))
            *me = &op->p.participants[i];
    return *me ? SIGN_PAGE_OK : SIGN_PAGE_NO_SESSION;
}

enum sign_page_result sign_page_srs_identity(const struct sign_page_env *env,
                                             const struct store_ui_session *sess, int64_t now,
                                             struct sign_page_srs_identity *out, char *err,
                                             size_t err_len)
{
    (void)now; /* srs_registration_for_signer judges validity at the time of the call */
    /* A process with its participants: not on the stack. */
    struct read_op *op = calloc(1, sizeof *op);
    const struct store_participant *me = NULL;
    const char *jurisdiction = NULL, *level = NULL;
    memset(out, 0, sizeof *out);
    if (!op)
        return SIGN_PAGE_UNAVAILABLE;
    enum sign_page_result res = read_process(env, sess, op, &me);
    if (res != SIGN_PAGE_OK)
        goto cleanup;
    /* A signer created with `verification` signs only once identified (sign/verification.h). */
    res = sign_verification_check(env, &op->p, me, err, err_len);
    if (res != SIGN_PAGE_OK)
        goto cleanup;
    if (!needs(env, &op->p, &jurisdiction, &level)) {
        /* Without the registration service a qualified signature cannot be made: signing
         * itself refuses it (sign/signing.h), so this is only reported as unavailable. */
        if (!env->srs && qualified(&op->p)) {
            str_message(err, err_len, "Registrations cannot be checked now; try again.");
            res = SIGN_PAGE_UNAVAILABLE;
        }
        goto cleanup;
    }
    out->required = true;
    res = lookup(env, sess->organization_id, me->mobile, jurisdiction, level, &out->found_id,
                 &out->found);
    if (res != SIGN_PAGE_OK) {
        str_message(err, err_len, "Registrations cannot be checked now; try again.");
        goto cleanup;
    }
    if (!out->found) {
        str_message(err, err_len,
                    "A %s signature needs an active registration of your identity "
                    "(jurisdiction %s, level %s) for your mobile number%s. Register first, then "
                    "sign.",
                    op->p.signature_level, jurisdiction, level,
                    me->mobile[0] ? ""
                                  : ", and no mobile number is stored for you: ask the sender"
                                    " to add it");
        res = SIGN_PAGE_REFUSED;
        goto cleanup;
    }
    out->identity.given_name = out->found_id.given_name;
    out->identity.surname = out->found_id.family_name;
    out->identity.serial_number = out->found_id.serial_number;
    out->identity.country = out->found_id.country;
cleanup:
    if (op)
        store_process_clear(&op->p);
    free(op);
    return res;
}

struct record_op {
    struct store_verification v;
};

static enum store_status record_tx(struct store_tx *tx, void *cls)
{
    struct record_op *op = cls;
    return store_verification_start(tx, &op->v);
}

/* Records registration_id as the session's signer's identification (PENDING). */
static bool record_verification(const struct sign_page_env *env,
                                const struct store_ui_session *sess, const char *registration_id,
                                int64_t now)
{
    struct record_op *op = calloc(1, sizeof *op);
    if (!op)
        return false;
    str_copy(op->v.organization_id, sizeof op->v.organization_id, sess->organization_id);
    str_copy(op->v.process_id, sizeof op->v.process_id, sess->process_id);
    str_copy(op->v.participant_id, sizeof op->v.participant_id, sess->participant_id);
    str_copy(op->v.registration_id, sizeof op->v.registration_id, registration_id);
    op->v.created_at = now;
    bool ok = store_run(env->store, STORE_WRITE, record_tx, op) == STORE_OK;
    free(op);
    return ok;
}

enum sign_page_result sign_page_srs_oss_identity(const struct sign_page_env *env,
                                                 const struct store_ui_session *sess,
                                                 struct sign_page_srs_identity *out, char *err,
                                                 size_t err_len)
{
    struct read_op *op = calloc(1, sizeof *op);
    const struct store_participant *me = NULL;
    memset(out, 0, sizeof *out);
    if (!op)
        return SIGN_PAGE_UNAVAILABLE;
    enum sign_page_result res = read_process(env, sess, op, &me);
    if (res != SIGN_PAGE_OK)
        goto cleanup;
    if (!env->srs) {
        str_message(err, err_len, "Identifications cannot be checked now; try again.");
        res = SIGN_PAGE_UNAVAILABLE;
        goto cleanup;
    }
    res = sign_verification_identity(env, &op->p, me, &out->found_id, err, err_len);
    if (res != SIGN_PAGE_OK)
        goto cleanup;
    out->required = true;
    out->found = true;
    out->identity.given_name = out->found_id.given_name;
    out->identity.surname = out->found_id.family_name;
    out->identity.serial_number = out->found_id.serial_number;
    out->identity.country = out->found_id.country[0] ? out->found_id.country : NULL;
cleanup:
    if (op)
        store_process_clear(&op->p);
    free(op);
    return res;
}

enum sign_page_result sign_page_srs_start(const struct sign_page_env *env,
                                          const struct store_ui_session *sess,
                                          const char *return_url, int64_t now, json_t **out,
                                          char *err, size_t err_len)
{
    struct read_op *op = calloc(1, sizeof *op);
    const struct store_participant *me = NULL;
    const char *jurisdiction = NULL, *level = NULL;
    json_t *methods = NULL, *person = NULL;
    struct store_srs_registration r;
    struct srs_signer_identity id;
    struct srs_create_request rq;
    char token[SRS_TOKEN_LEN] = "", actor[96], url[1200], why[512] = "";
    bool found = false;
    memset(&r, 0, sizeof r);
    memset(&rq, 0, sizeof rq);
    *out = NULL;
    enum sign_page_result res = SIGN_PAGE_UNAVAILABLE;
    /* the registration's times are its own (srs/registration.c); now dates the verification */
    if (!op)
        goto cleanup;
    if (!sess->authorized_at) {
        res = SIGN_PAGE_NOT_AUTHORIZED;
        goto cleanup;
    }
    if (!env->srs) {
        str_message(err, err_len, "Registrations cannot be started now; try again.");
        goto cleanup;
    }
    res = read_process(env, sess, op, &me);
    if (res != SIGN_PAGE_OK)
        goto cleanup;
    if (strcmp(op->p.status, "PENDING") != 0 || strcmp(me->status, "PENDING") != 0) {
        str_message(err, err_len, "There is nothing to sign: the process is %s and you are %s.",
                    op->p.status, me->status);
        res = SIGN_PAGE_WRONG_STATE;
        goto cleanup;
    }
    /* A signer created with `verification` is identified first (sign/verification.h): a
     * registration of the identification's scope, recorded as the signer's verification. */
    bool verify = false;
    unsigned offered = 0;
    res = sign_page_methods(env->store, sess, now, &offered, NULL);
    if (res != SIGN_PAGE_OK)
        goto cleanup;
    /* OSS identifies the signer in the signing ceremony the same way (sign/verification.h). */
    if (sign_verification_requested(me) || (offered & SIGN_METHOD_OSS)) {
        struct store_verification v;
        bool started = false;
        res = sign_verification_settle(env, &op->p, me, &v, &started);
        if (res != SIGN_PAGE_OK)
            goto cleanup;
        if (started && !strcmp(v.status, "REJECTED")) {
            str_message(err, err_len,
                        "Your online identification was rejected: this process cannot be "
                        "signed. Ask the sender.");
            res = SIGN_PAGE_REFUSED;
            goto cleanup;
        }
        verify = !started || !strcmp(v.status, "PENDING");
    }
    res = SIGN_PAGE_REFUSED;
    if (verify)
        sign_verification_scope(env, &op->p, &jurisdiction, &level);
    else if (!needs(env, &op->p, &jurisdiction, &level)) {
        str_message(err, err_len, "A %s signature needs no registration.", op->p.signature_level);
        goto cleanup;
    }
    if (!me->mobile[0]) {
        str_message(err, err_len,
                    "A registration is bound to your mobile number, and none is stored for you: "
                    "ask the sender to add it.");
        goto cleanup;
    }
    res = lookup(env, sess->organization_id, me->mobile, jurisdiction, level, &id, &found);
    memset(&id, 0, sizeof id);
    if (res != SIGN_PAGE_OK)
        goto cleanup;
    if (found && !verify) {
        str_message(err, err_len, "You have an active registration already: sign now.");
        res = SIGN_PAGE_REFUSED;
        goto cleanup;
    }
    /* Every catalogue method serving the jurisdiction and level is offered. */
    res = SIGN_PAGE_UNAVAILABLE;
    methods = json_array();
    for (size_t i = 0; methods && env->srs->catalogue && i < env->srs->catalogue->n &&
                       json_array_size(methods) < 8;
         i++) {
        const struct srs_method *m = &env->srs->catalogue->methods[i];
        if (srs_method_serves(m, jurisdiction, level))
            json_array_append_new(methods, json_string(m->id));
    }
    if (!methods)
        goto cleanup;
    if (json_array_size(methods) == 0) {
        str_message(err, err_len, "No identification method serves %s %s; ask the sender.",
                    jurisdiction, level);
        res = SIGN_PAGE_REFUSED;
        goto cleanup;
    }
    person = json_pack("{s:s, s:s, s:s}", "givenName", me->first_name, "familyName", me->last_name,
                       "mobile", me->mobile);
    if (!person)
        goto cleanup;
    rq.methods = methods;
    rq.jurisdiction = jurisdiction;
    rq.level = level;
    rq.person = person;
    rq.redirect_url = return_url;
    snprintf(actor, sizeof actor, "signer-page:%s", sess->participant_id);
    enum srs_result sr = srs_registration_create(env->srs, sess->organization_id, actor, &rq, &r,
                                                 token, why, sizeof why);
    if (sr != SRS_R_OK) {
        str_message(err, err_len, "The registration cannot be started now (%s); try again.", why);
        goto cleanup;
    }
    if (verify && !record_verification(env, sess, r.id, now)) {
        str_message(err, err_len, "The identification cannot be started now; try again.");
        goto cleanup;
    }
    snprintf(url, sizeof url, "%s/srs/r/%s", env->srs->public_url ? env->srs->public_url : "",
             token);
    *out = json_pack("{s:s, s:s}", "url", url, "registrationId", r.id);
    res = *out ? SIGN_PAGE_OK : SIGN_PAGE_UNAVAILABLE;
cleanup:
    memset(token, 0, sizeof token);
    memset(url, 0, sizeof url);
    store_srs_registration_clear(&r);
    json_decref(methods);
    json_decref(person);
    if (op)
        store_process_clear(&op->p);
    free(op);
    return res;
}
