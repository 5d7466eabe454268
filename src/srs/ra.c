/*
 * SRS Direct: agents, points, sessions and identification cases (see srs/ra.h).
 */
#include "srs/ra.h"

#include "auth/signin.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/password.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/uuid.h"
#include "notify/notify.h"
#include "sign/process.h"
#include "srs/connector.h"
#include "srs/internal.h"
#include "srs/mrz.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSRF_LABEL     "signet-ra-csrf"
#define THROTTLE_SCOPE "ra:"

#define CASE_WAITING  "WAITING"
#define CASE_OPEN     "OPEN"
#define CASE_APPROVAL "AWAITING_APPROVAL"
#define CASE_READY    "READY" /* approved or submitted: the result is being applied */
#define CASE_DONE     "DONE"

static enum ra_result from_store(enum store_status st)
{
    switch (st) {
    case STORE_OK:
        return RA_OK;
    case STORE_NOT_FOUND:
        return RA_NOT_FOUND;
    case STORE_CONFLICT:
        return RA_CONFLICT;
    default:
        return RA_UNAVAILABLE;
    }
}

static bool email_normalize(const char *in, char out[STORE_RA_EMAIL_LEN])
{
    if (!in || !str_copy(out, STORE_RA_EMAIL_LEN, in))
        return false;
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return sign_email_valid(out);
}

/* ---- points and agents ---- */

struct point_op {
    struct store_ra_point *p;
};

static enum store_status point_insert_tx(struct store_tx *tx, void *cls)
{
    struct point_op *op = cls;
    return store_ra_point_insert(tx, op->p);
}

enum ra_result ra_point_create(struct store *s, const char *name, const char *address,
                               bool four_eyes, int64_t now, struct store_ra_point *out, char *err,
                               size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (!name || !name[0] || !str_copy(out->name, sizeof out->name, name)) {
        snprintf(err, err_len, "Field 'name' must have 1 to %zu characters.", sizeof out->name - 1);
        return RA_INVALID;
    }
    if (!str_copy(out->address, sizeof out->address, address ? address : "")) {
        snprintf(err, err_len, "Field 'address' must have at most %zu characters.",
                 sizeof out->address - 1);
        return RA_INVALID;
    }
    if (!uuid_v4(out->id))
        return RA_UNAVAILABLE;
    out->four_eyes = four_eyes;
    out->created_at = now;
    struct point_op op = {out};
    enum ra_result res = from_store(store_run(s, STORE_WRITE, point_insert_tx, &op));
    if (res == RA_CONFLICT)
        snprintf(err, err_len, "A registration point is called '%.64s' already.", name);
    return res;
}

struct agent_op {
    struct store_ra_agent *a;
    const char *actor;
    bool point_missing;
};

static enum store_status agent_insert_tx(struct store_tx *tx, void *cls)
{
    struct agent_op *op = cls;
    op->point_missing = false;
    if (op->a->point_id[0]) {
        struct store_ra_point p;
        enum store_status st = store_ra_point_get(tx, op->a->point_id, &p);
        if (st == STORE_NOT_FOUND) {
            op->point_missing = true;
            return STORE_NOT_FOUND;
        }
        if (st != STORE_OK)
            return st;
    }
    enum store_status st = store_ra_agent_insert(tx, op->a);
    if (st == STORE_OK)
        st = store_ra_audit_add(tx, op->actor, "AGENT_CREATED", op->a->id, op->a->created_at);
    return st;
}

enum ra_result ra_agent_create(struct store *s, const char *actor, const char *email,
                               const char *role, const char *point_id, const char *password,
                               int64_t now, struct store_ra_agent *out,
                               char initial_password[TOKEN_LEN], char *err, size_t err_len)
{
    char hash[TOKEN_HASH_LEN];
    memset(out, 0, sizeof *out);
    initial_password[0] = '\0';
    if (!email_normalize(email, out->email)) {
        snprintf(err, err_len, "Field 'email' must be an e-mail address.");
        return RA_INVALID;
    }
    if (!role || (strcmp(role, RA_ROLE_AGENT) != 0 && strcmp(role, RA_ROLE_SUPERVISOR) != 0 &&
                  strcmp(role, RA_ROLE_ADMIN) != 0)) {
        snprintf(err, err_len, "Field 'role' must be AGENT, SUPERVISOR or ADMIN.");
        return RA_INVALID;
    }
    if (password && (strlen(password) < PASSWORD_MIN || strlen(password) > PASSWORD_MAX)) {
        snprintf(err, err_len, "The password must have %d to %d characters.", PASSWORD_MIN,
                 PASSWORD_MAX);
        return RA_INVALID;
    }
    /* Without a password: 256 random bits, shown once (the agent should change it). */
    if (!password) {
        if (!token_new(initial_password, hash))
            return RA_UNAVAILABLE;
        password = initial_password;
    }
    str_copy(out->role, sizeof out->role, role);
    if (!str_copy(out->point_id, sizeof out->point_id, point_id ? point_id : "") ||
        !uuid_v4(out->id) || !password_hash(password, out->password_hash))
        return RA_UNAVAILABLE;
    out->created_at = now;
    struct agent_op op = {out, actor, false};
    enum ra_result res = from_store(store_run(s, STORE_WRITE, agent_insert_tx, &op));
    if (res == RA_NOT_FOUND && op.point_missing)
        snprintf(err, err_len, "There is no registration point '%.64s'.", point_id);
    else if (res == RA_CONFLICT)
        snprintf(err, err_len, "The e-mail address has an RA agent account already.");
    if (res != RA_OK)
        memset(initial_password, 0, TOKEN_LEN);
    return res;
}

/* ---- sign-in and sessions ---- */

static enum store_status find_agent(struct store_tx *tx, const char *email, void *holder)
{
    return store_ra_agent_find_by_email(tx, email, holder);
}

static const char *agent_password_hash(const void *holder)
{
    const struct store_ra_agent *a = holder;
    return a->disabled_at ? NULL : a->password_hash;
}

static const struct signin_password SIGNIN = {
    .scope = THROTTLE_SCOPE,
    .account_limit = RA_LOCK_FAILURES,
    .address_limit = RA_ADDRESS_FAILURES,
    .email_len = STORE_RA_EMAIL_LEN,
    .find = find_agent,
    .password_hash = agent_password_hash,
};

struct session_op {
    const struct signin_throttle *keys;
    struct store_ra_session *sess;
};

static enum store_status session_tx(struct store_tx *tx, void *cls)
{
    struct session_op *op = cls;
    enum store_status st = signin_throttle_clear(tx, op->keys);
    if (st == STORE_OK)
        st = store_ra_session_insert(tx, op->sess);
    if (st == STORE_OK)
        st = store_ra_audit_add(tx, op->sess->agent_id, "SIGNIN", op->sess->id,
                                op->sess->created_at);
    return st;
}

enum ra_result ra_sign_in(struct store *s, const char *email_in, const char *password,
                          const char *address, int64_t now, char token[TOKEN_LEN],
                          struct ra_session *out, int64_t *retry_after_s)
{
    struct signin_throttle keys;
    struct store_ra_agent agent;
    memset(out, 0, sizeof *out);
    token[0] = '\0';
    switch (signin_password_check(s, &SIGNIN, email_in, password, address, now, &agent, &keys,
                                  retry_after_s)) {
    case SIGNIN_OK:
        break;
    case SIGNIN_LOCKED:
        return RA_LOCKED;
    case SIGNIN_FAILED:
        return RA_SIGNIN_FAILED;
    default:
        return RA_UNAVAILABLE;
    }
    if (!token_new(token, out->session.session_hash) || !uuid_v4(out->session.id)) {
        memset(token, 0, TOKEN_LEN);
        return RA_UNAVAILABLE;
    }
    str_copy(out->session.agent_id, sizeof out->session.agent_id, agent.id);
    /* An agent bound to a point works there without picking it. */
    str_copy(out->session.point_id, sizeof out->session.point_id, agent.point_id);
    out->session.created_at = out->session.last_seen_at = now;
    out->session.expires_at = now + RA_ABSOLUTE_MS;
    out->agent = agent;
    struct session_op op = {&keys, &out->session};
    if (store_run(s, STORE_WRITE, session_tx, &op) != STORE_OK) {
        memset(token, 0, TOKEN_LEN);
        return RA_UNAVAILABLE;
    }
    return ra_session_get(s, token, now, out);
}

struct get_op {
    const char *hash;
    int64_t now;
    struct ra_session *out;
    bool valid;
};

static enum store_status get_tx(struct store_tx *tx, void *cls)
{
    struct get_op *op = cls;
    struct store_ra_session *sess = &op->out->session;
    op->valid = false;
    enum store_status st = store_ra_session_find(tx, op->hash, sess);
    if (st != STORE_OK)
        return st;
    if (sess->ended_at || op->now >= sess->expires_at || op->now - sess->last_seen_at >= RA_IDLE_MS)
        return STORE_OK;
    st = store_ra_agent_get(tx, sess->agent_id, &op->out->agent);
    if (st != STORE_OK || op->out->agent.disabled_at)
        return st;
    if (sess->point_id[0]) {
        st = store_ra_point_get(tx, sess->point_id, &op->out->point);
        if (st != STORE_OK)
            return st;
    }
    sess->last_seen_at = op->now;
    st = store_ra_session_update(tx, sess);
    op->valid = st == STORE_OK;
    return st;
}

enum ra_result ra_session_get(struct store *s, const char *token, int64_t now,
                              struct ra_session *out)
{
    char hash[TOKEN_HASH_LEN];
    memset(out, 0, sizeof *out);
    if (!token || !token_looks_valid(token))
        return RA_NO_SESSION;
    crypto_sha256_hex(token, strlen(token), hash);
    struct get_op op = {hash, now, out, false};
    enum store_status st = store_run(s, STORE_WRITE, get_tx, &op);
    if (st == STORE_NOT_FOUND || (st == STORE_OK && !op.valid))
        return RA_NO_SESSION;
    return st == STORE_OK ? RA_OK : RA_UNAVAILABLE;
}

struct end_op {
    const struct ra_session *c;
    int64_t now;
};

static enum store_status end_tx(struct store_tx *tx, void *cls)
{
    struct end_op *op = cls;
    enum store_status st = store_ra_session_end(tx, op->c->session.id, op->now);
    if (st == STORE_OK)
        st = store_ra_audit_add(tx, op->c->agent.id, "SIGNOUT", op->c->session.id, op->now);
    return st;
}

enum ra_result ra_sign_out(struct store *s, const struct ra_session *c, int64_t now)
{
    struct end_op op = {c, now};
    enum ra_result res = from_store(store_run(s, STORE_WRITE, end_tx, &op));
    return res == RA_NOT_FOUND ? RA_NO_SESSION : res;
}

void ra_csrf_token(const char *token, char out[TOKEN_LEN])
{
    token_csrf(CSRF_LABEL, token, out);
}

bool ra_csrf_valid(const char *token, const char *presented)
{
    return token_csrf_valid(CSRF_LABEL, token, presented);
}

struct pick_op {
    struct ra_session *c;
    const char *point_id;
    int64_t now;
};

static enum store_status pick_tx(struct store_tx *tx, void *cls)
{
    struct pick_op *op = cls;
    struct store_ra_point p;
    enum store_status st = store_ra_point_get(tx, op->point_id, &p);
    if (st != STORE_OK)
        return st;
    if (p.disabled_at)
        return STORE_NOT_FOUND;
    str_copy(op->c->session.point_id, sizeof op->c->session.point_id, p.id);
    op->c->session.last_seen_at = op->now;
    op->c->point = p;
    st = store_ra_session_update(tx, &op->c->session);
    if (st == STORE_OK)
        st = store_ra_audit_add(tx, op->c->agent.id, "POINT_PICKED", p.id, op->now);
    return st;
}

enum ra_result ra_session_pick_point(struct store *s, struct ra_session *c, const char *point_id,
                                     int64_t now, char *err, size_t err_len)
{
    if (!point_id || !point_id[0]) {
        snprintf(err, err_len, "Field 'pointId' is required.");
        return RA_INVALID;
    }
    if (c->agent.point_id[0] && strcmp(c->agent.point_id, point_id) != 0) {
        snprintf(err, err_len, "You work at another registration point.");
        return RA_FORBIDDEN;
    }
    struct pick_op op = {c, point_id, now};
    enum ra_result res = from_store(store_run(s, STORE_WRITE, pick_tx, &op));
    if (res == RA_NOT_FOUND)
        snprintf(err, err_len, "There is no registration point '%.64s'.", point_id);
    return res;
}

/* ---- the end customer's reference code ---- */

struct visit_op {
    const char *order_id;
    struct store_ra_case c;
    struct store_srs_registration r;
};

static enum store_status visit_tx(struct store_tx *tx, void *cls)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; /* Crockford base32 */
    struct visit_op *op = cls;
    unsigned char b[RA_REFERENCE_LEN - 1];
    store_srs_registration_clear(&op->r);
    store_ra_case_clear(&op->c);
    enum store_status st = store_srs_get_by(tx, "order_id", op->order_id, &op->r);
    if (st != STORE_OK)
        return st;
    if (strcmp(op->r.connector, RA_CONNECTOR) != 0)
        return STORE_NOT_FOUND;
    st = store_ra_case_get_by(tx, "order_id", op->order_id, &op->c);
    if (st != STORE_NOT_FOUND)
        return st;
    memset(&op->c, 0, sizeof op->c);
    if (!uuid_v4(op->c.id) || !rand_bytes(b, sizeof b))
        return STORE_ERROR;
    for (size_t i = 0; i < sizeof b; i++)
        op->c.reference[i] = alphabet[b[i] & 31];
    op->c.reference[sizeof b] = '\0';
    str_copy(op->c.order_id, sizeof op->c.order_id, op->order_id);
    str_copy(op->c.registration_id, sizeof op->c.registration_id, op->r.id);
    str_copy(op->c.status, sizeof op->c.status, CASE_WAITING);
    op->c.created_at = op->c.updated_at = time_now_ms();
    /* A reference drawn twice (1 in 2^50) fails the insert: the page asks again. */
    return store_ra_case_insert(tx, &op->c);
}

enum ra_result ra_visit_get(const struct srs_env *env, const char *order_id,
                            char reference[RA_REFERENCE_LEN], char status[24])
{
    struct visit_op op = {.order_id = order_id};
    enum ra_result res = from_store(store_run(env->store, STORE_WRITE, visit_tx, &op));
    if (res == RA_OK) {
        str_copy(reference, RA_REFERENCE_LEN, op.c.reference);
        str_copy(status, 24, op.r.status);
    }
    store_ra_case_clear(&op.c);
    store_srs_registration_clear(&op.r);
    return res;
}

/* ---- cases ---- */

/* One read-check-change of a case inside a transaction. */
enum case_step {
    STEP_OPEN,
    STEP_READ,     /* the case's agent, or a supervisor at its point */
    STEP_DOCUMENT, /* seal the typed data */
    STEP_PHOTO,    /* seal the photo */
    STEP_SUBMIT,   /* seal data with mobile and time; OPEN -> AWAITING_APPROVAL | READY */
    STEP_APPROVE,  /* AWAITING_APPROVAL -> READY by a supervisor */
    STEP_DONE,     /* READY -> DONE */
};

struct case_op {
    const struct srs_env *env;
    const struct ra_session *c;
    enum case_step step;
    const char *column, *value;
    const char *plain; /* data JSON to seal (document, submit) */
    const unsigned char *photo;
    size_t photo_len;
    const char *photo_type;
    int64_t now;
    struct store_ra_case k;
    struct store_srs_registration r;
    char *err;
    size_t err_len;
    enum ra_result res; /* RA_OK, or the refusal (the transaction then writes nothing) */
};

static enum store_status refuse(struct case_op *op, enum ra_result res, const char *msg)
{
    op->res = res;
    snprintf(op->err, op->err_len, "%s", msg);
    return STORE_CONFLICT;
}

static bool is_supervisor(const struct ra_session *c)
{
    return strcmp(c->agent.role, RA_ROLE_SUPERVISOR) == 0;
}

static enum store_status seal_into(struct case_op *op, const char *what, const void *plain,
                                   size_t len, struct store_blob_field *out)
{
    unsigned char dk[CRYPTO_KEY_LEN];
    char aad[STORE_ID_LEN + 32];
    snprintf(aad, sizeof aad, "ra-case:%s:%s", op->k.id, what);
    bool ok = srs_data_key(op->env, &op->r, dk);
    free(out->data);
    *out = (struct store_blob_field){0};
    ok = ok && srs_seal(dk, aad, plain, len, out);
    memset(dk, 0, sizeof dk);
    return ok ? STORE_OK : STORE_ERROR;
}

static enum store_status case_tx(struct store_tx *tx, void *cls)
{
    struct case_op *op = cls;
    const struct ra_session *c = op->c;
    const char *action = NULL;
    op->res = RA_OK;
    store_ra_case_clear(&op->k);
    store_srs_registration_clear(&op->r);
    enum store_status st = store_ra_case_get_by(tx, op->column, op->value, &op->k);
    if (st == STORE_NOT_FOUND)
        return refuse(op, RA_NOT_FOUND,
                      op->step == STEP_OPEN ? "There is no registration with this reference code."
                                            : "There is no such case.");
    if (st != STORE_OK)
        return st;
    st = store_srs_get_by(tx, "order_id", op->k.order_id, &op->r);
    if (st == STORE_OK)
        st = srs_expire_if_due(tx, &op->r, "system", op->now);
    if (st != STORE_OK)
        return st;
    bool mine = strcmp(op->k.agent_id, c->agent.id) == 0;
    bool same_point = c->point.id[0] && strcmp(op->k.point_id, c->point.id) == 0;
    switch (op->step) {
    case STEP_OPEN:
        if (strcmp(c->agent.role, RA_ROLE_ADMIN) == 0)
            return refuse(op, RA_FORBIDDEN, "An ADMIN account does not identify people.");
        if (!c->point.id[0])
            return refuse(op, RA_CONFLICT, "Pick your registration point first.");
        if (mine && strcmp(op->k.status, CASE_WAITING) != 0)
            return STORE_OK; /* opened again by its agent: the same case, in any state */
        if (strcmp(op->k.status, CASE_WAITING) != 0)
            return refuse(op, RA_CONFLICT, "This reference code is being handled already.");
        if (strcmp(op->r.status, SRS_IN_IDENTIFICATION) != 0 ||
            strcmp(op->r.order_id, op->k.order_id) != 0)
            return refuse(op, RA_CONFLICT,
                          "The registration of this reference code cannot be identified now.");
        str_copy(op->k.status, sizeof op->k.status, CASE_OPEN);
        str_copy(op->k.agent_id, sizeof op->k.agent_id, c->agent.id);
        str_copy(op->k.point_id, sizeof op->k.point_id, c->point.id);
        op->k.four_eyes = c->point.four_eyes;
        action = "CASE_OPENED";
        break;
    case STEP_READ:
        if (!mine && !(is_supervisor(c) && same_point))
            return refuse(op, RA_NOT_FOUND, "There is no such case.");
        if (!mine)
            return store_ra_audit_add(tx, c->agent.id, "CASE_VIEWED", op->k.id, op->now);
        return STORE_OK;
    case STEP_DOCUMENT:
    case STEP_PHOTO:
    case STEP_SUBMIT:
        if (!mine)
            return refuse(op, RA_NOT_FOUND, "There is no such case.");
        if (strcmp(op->k.status, CASE_OPEN) != 0)
            return refuse(op, RA_CONFLICT, "The case was submitted already.");
        if (strcmp(op->r.status, SRS_IN_IDENTIFICATION) != 0 ||
            strcmp(op->r.order_id, op->k.order_id) != 0)
            return refuse(op, RA_CONFLICT, "The registration cannot be identified any more.");
        if (op->step == STEP_PHOTO) {
            st = seal_into(op, "photo", op->photo, op->photo_len, &op->k.photo_sealed);
            str_copy(op->k.photo_type, sizeof op->k.photo_type, op->photo_type);
            action = "PHOTO_TAKEN";
        } else if (op->step == STEP_DOCUMENT) {
            st = seal_into(op, "data", op->plain, strlen(op->plain), &op->k.data_sealed);
            action = "DOCUMENT_RECORDED";
        } else {
            if (!op->k.data_sealed.data)
                return refuse(op, RA_CONFLICT, "Record the identity document first.");
            if (!op->k.photo_sealed.data)
                return refuse(op, RA_CONFLICT, "Take or upload the person's photo first.");
            st = seal_into(op, "data", op->plain, strlen(op->plain), &op->k.data_sealed);
            str_copy(op->k.status, sizeof op->k.status,
                     op->k.four_eyes ? CASE_APPROVAL : CASE_READY);
            action = "CASE_SUBMITTED";
        }
        if (st != STORE_OK)
            return st;
        break;
    case STEP_APPROVE:
        if (!is_supervisor(c))
            return refuse(op, RA_FORBIDDEN, "Only a SUPERVISOR approves identifications.");
        if (mine)
            return refuse(op, RA_FORBIDDEN,
                          "The agent who identified the person cannot approve it: a second "
                          "supervisor must.");
        if (!same_point)
            return refuse(op, RA_NOT_FOUND, "There is no such case at your registration point.");
        if (strcmp(op->k.status, CASE_READY) == 0 && strcmp(op->k.approver_id, c->agent.id) == 0)
            return STORE_OK; /* approved already; the result is applied again below */
        if (strcmp(op->k.status, CASE_APPROVAL) != 0)
            return refuse(op, RA_CONFLICT, "The case does not wait for an approval.");
        str_copy(op->k.status, sizeof op->k.status, CASE_READY);
        str_copy(op->k.approver_id, sizeof op->k.approver_id, c->agent.id);
        action = "CASE_APPROVED";
        break;
    case STEP_DONE:
        if (strcmp(op->k.status, CASE_DONE) == 0)
            return STORE_OK;
        str_copy(op->k.status, sizeof op->k.status, CASE_DONE);
        action = "CASE_DONE";
        break;
    }
    op->k.updated_at = op->now;
    st = store_ra_case_update(tx, &op->k);
    if (st == STORE_OK)
        st = store_ra_audit_add(tx, c->agent.id, action, op->k.id, op->now);
    return st;
}

/* Runs one step; RA_OK or the refusal (err set), RA_UNAVAILABLE on a store failure. */
static enum ra_result case_run(struct case_op *op)
{
    enum store_status st = store_run(op->env->store, STORE_WRITE, case_tx, op);
    if (op->res != RA_OK)
        return op->res;
    if (st != STORE_OK)
        snprintf(op->err, op->err_len, "Not possible now; try again.");
    return from_store(st);
}

static void case_op_clear(struct case_op *op)
{
    store_ra_case_clear(&op->k);
    store_srs_registration_clear(&op->r);
}

/* The case's sealed data (owned JSON) or NULL. */
static json_t *case_data(const struct srs_env *env, const struct store_ra_case *k,
                         const struct store_srs_registration *r)
{
    unsigned char dk[CRYPTO_KEY_LEN];
    char aad[STORE_ID_LEN + 32];
    size_t len = 0;
    if (!k->data_sealed.data)
        return NULL;
    snprintf(aad, sizeof aad, "ra-case:%s:data", k->id);
    unsigned char *plain =
        srs_data_key(env, r, dk) ? srs_unseal(dk, aad, &k->data_sealed, &len) : NULL;
    memset(dk, 0, sizeof dk);
    json_t *j = plain ? json_loadb((const char *)plain, len, 0, NULL) : NULL;
    if (plain) {
        memset(plain, 0, len);
        free(plain);
    }
    return j;
}

enum ra_result ra_case_open(const struct srs_env *env, const struct ra_session *c,
                            const char *reference, char case_id[STORE_ID_LEN], char *err,
                            size_t err_len)
{
    char ref[RA_REFERENCE_LEN];
    size_t k = 0;
    /* The code as people type it: any case, with or without the dash or spaces. */
    for (const char *p = reference ? reference : ""; *p && k < sizeof ref; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        char ch = (char)toupper((unsigned char)*p);
        ref[k++] = ch == 'O' ? '0' : ch == 'I' || ch == 'L' ? '1' : ch;
    }
    if (k != RA_REFERENCE_LEN - 1) {
        snprintf(err, err_len, "Field 'reference' must be the 10-character reference code.");
        return RA_INVALID;
    }
    ref[k] = '\0';
    struct case_op op = {.env = env,
                         .c = c,
                         .step = STEP_OPEN,
                         .column = "reference",
                         .value = ref,
                         .now = time_now_ms(),
                         .err = err,
                         .err_len = err_len};
    enum ra_result res = case_run(&op);
    if (res == RA_OK) {
        str_copy(case_id, STORE_ID_LEN, op.k.id);
        log_info("ra: agent %s opened case %s at point %s", c->agent.id, op.k.id, c->point.id);
    }
    case_op_clear(&op);
    return res;
}

enum ra_result ra_case_get(const struct srs_env *env, const struct ra_session *c,
                           const char *case_id, json_t **out, char *err, size_t err_len)
{
    *out = NULL;
    struct case_op op = {.env = env,
                         .c = c,
                         .step = STEP_READ,
                         .column = "id",
                         .value = case_id,
                         .now = time_now_ms(),
                         .err = err,
                         .err_len = err_len};
    enum ra_result res = case_run(&op);
    if (res != RA_OK) {
        case_op_clear(&op);
        return res;
    }
    json_t *data = case_data(env, &op.k, &op.r);
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:b, s:s, s:s, s:{s:s, s:s, s:s, s:b, s:b}, s:b, s:b}", "id", op.k.id,
        "reference", op.k.reference, "status", op.k.status, "fourEyes", op.k.four_eyes, "agentId",
        op.k.agent_id, "approverId", op.k.approver_id, "registration", "status", op.r.status,
        "jurisdiction", op.r.jurisdiction, "level", op.r.level, "mobileVerified",
        op.r.mobile_verified_at != 0, "termsSent", op.r.terms_hash[0] != '\0', "hasPhoto",
        op.k.photo_sealed.data != NULL, "mine", strcmp(op.k.agent_id, c->agent.id) == 0);
    if (j && data) {
        json_object_set(j, "document", json_object_get(data, "document"));
        json_object_set(j, "person", json_object_get(data, "person"));
        if (json_object_get(data, "mobile"))
            json_object_set(j, "mobile", json_object_get(data, "mobile"));
    }
    json_decref(data);
    case_op_clear(&op);
    *out = j;
    return j ? RA_OK : RA_UNAVAILABLE;
}

struct pending_op {
    const char *point_id;
    struct store_ra_case *list;
    size_t n;
};

static enum store_status pending_tx(struct store_tx *tx, void *cls)
{
    struct pending_op *op = cls;
    free(op->list);
    op->list = NULL;
    return store_ra_case_list(tx, CASE_APPROVAL, op->point_id, &op->list, &op->n);
}

enum ra_result ra_case_pending(const struct srs_env *env, const struct ra_session *c, json_t **out)
{
    *out = json_array();
    if (!c->point.id[0] || !is_supervisor(c))
        return *out ? RA_OK : RA_UNAVAILABLE;
    struct pending_op op = {.point_id = c->point.id};
    enum ra_result res = from_store(store_run(env->store, STORE_READ, pending_tx, &op));
    for (size_t i = 0; res == RA_OK && i < op.n; i++) {
        char when[ISO_DATETIME_LEN];
        iso_format_datetime(op.list[i].updated_at, false, when);
        json_array_append_new(*out, json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", op.list[i].id,
                                              "reference", op.list[i].reference, "agentId",
                                              op.list[i].agent_id, "updatedAt", when, "mine",
                                              strcmp(op.list[i].agent_id, c->agent.id) == 0));
    }
    free(op.list);
    return res;
}

/* A string member of obj into out (1..cap-1 characters); false otherwise. */
static bool member(const json_t *obj, const char *name, char *out, size_t cap)
{
    const char *v = json_string_value(json_object_get(obj, name));
    return v && v[0] && str_copy(out, cap, v);
}

static bool alpha2(const char *s)
{
    return strlen(s) == 2 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]);
}

enum ra_result ra_case_document(const struct srs_env *env, const struct ra_session *c,
                                const char *case_id, const json_t *in, int64_t now, char *err,
                                size_t err_len)
{
    struct srs_partner_result p; /* the typed data, in the partner result's fields */
    char mrz_text[200], mrz_err[200];
    struct mrz m;
    int64_t expiry = 0;
    const char *bad = NULL, *field = NULL;
    memset(&p, 0, sizeof p);
    const json_t *doc = json_object_get(in, "document");
    const json_t *person = json_object_get(in, "person");
    if (!json_is_object(doc))
        bad = "document";
    else if (!member(doc, "type", p.document_type, sizeof p.document_type) ||
             (strcmp(p.document_type, "PASSPORT") != 0 && strcmp(p.document_type, "ID_CARD") != 0))
        bad = "document.type";
    else if (!member(doc, "number", p.document_number, sizeof p.document_number))
        bad = "document.number";
    else if (!member(doc, "issuingCountry", p.issuing_country, sizeof p.issuing_country) ||
             !alpha2(p.issuing_country))
        bad = "document.issuingCountry";
    else if (!member(doc, "expiryDate", p.document_expiry, sizeof p.document_expiry) ||
             !srs_date_parse(p.document_expiry, &expiry))
        bad = "document.expiryDate";
    else if (!json_is_object(person))
        bad = "person";
    else if (!member(person, "givenName", p.given_name, sizeof p.given_name))
        bad = "person.givenName";
    else if (!member(person, "familyName", p.family_name, sizeof p.family_name))
        bad = "person.familyName";
    else if (!member(person, "birthDate", p.birth_date, sizeof p.birth_date) ||
             !srs_date_parse(p.birth_date, NULL))
        bad = "person.birthDate";
    else if (!member(person, "nationality", p.nationality, sizeof p.nationality) ||
             !alpha2(p.nationality))
        bad = "person.nationality";
    if (bad) {
        snprintf(err, err_len, "Field '%s' is missing or not valid.", bad);
        return RA_INVALID;
    }
    if (expiry + (int64_t)24 * 3600 * 1000 <= now) {
        snprintf(err, err_len, "Field 'document.expiryDate': the document has expired.");
        return RA_INVALID;
    }
    if (!member(in, "mrz", mrz_text, sizeof mrz_text) ||
        !mrz_parse(mrz_text, &m, mrz_err, sizeof mrz_err)) {
        snprintf(err, err_len, "Field 'mrz': %s",
                 mrz_text[0] ? strchr(mrz_err, ':') ? strchr(mrz_err, ':') + 2 : mrz_err
                             : "the machine-readable zone is required.");
        return RA_INVALID;
    }
    struct mrz_typed t = {p.document_type, p.document_number, p.issuing_country, p.document_expiry,
                          p.family_name,   p.given_name,      p.birth_date,      p.nationality};
    if (!mrz_cross_check(&m, &t, &field)) {
        snprintf(err, err_len,
                 "Field '%s' does not match the document's machine-readable zone ('mrz').", field);
        return RA_INVALID;
    }
    json_t *data =
        json_pack("{s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}, s:s}", "document", "type",
                  p.document_type, "number", p.document_number, "issuingCountry", p.issuing_country,
                  "expiryDate", p.document_expiry, "person", "givenName", p.given_name,
                  "familyName", p.family_name, "birthDate", p.birth_date, "nationality",
                  p.nationality, "mrzFormat", m.format == MRZ_TD1 ? "TD1" : "TD3");
    char *plain = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(data);
    memset(&p, 0, sizeof p);
    if (!plain)
        return RA_UNAVAILABLE;
    struct case_op op = {.env = env,
                         .c = c,
                         .step = STEP_DOCUMENT,
                         .column = "id",
                         .value = case_id,
                         .plain = plain,
                         .now = now,
                         .err = err,
                         .err_len = err_len};
    enum ra_result res = case_run(&op);
    memset(plain, 0, strlen(plain));
    free(plain);
    case_op_clear(&op);
    return res;
}

enum ra_result ra_case_photo(const struct srs_env *env, const struct ra_session *c,
                             const char *case_id, const unsigned char *data, size_t len,
                             int64_t now, char *err, size_t err_len)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const char *type = NULL;
    if (len > RA_PHOTO_MAX) {
        snprintf(err, err_len, "Field 'photo' is larger than %d bytes.", RA_PHOTO_MAX);
        return RA_INVALID;
    }
    if (len >= 4 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
        type = "image/jpeg";
    else if (len >= sizeof png && memcmp(data, png, sizeof png) == 0)
        type = "image/png";
    if (!type || len < 64) {
        snprintf(err, err_len, "Field 'photo' must be a JPEG or PNG image.");
        return RA_INVALID;
    }
    struct case_op op = {.env = env,
                         .c = c,
                         .step = STEP_PHOTO,
                         .column = "id",
                         .value = case_id,
                         .photo = data,
                         .photo_len = len,
                         .photo_type = type,
                         .now = now,
                         .err = err,
                         .err_len = err_len};
    enum ra_result res = case_run(&op);
    case_op_clear(&op);
    return res;
}

enum ra_result ra_case_photo_get(const struct srs_env *env, const struct ra_session *c,
                                 const char *case_id, unsigned char **out, size_t *len,
                                 char type[16])
{
    char err[256];
    unsigned char dk[CRYPTO_KEY_LEN];
    char aad[STORE_ID_LEN + 32];
    *out = NULL;
    *len = 0;
    struct case_op op = {.env = env,
                         .c = c,
                         .step = STEP_READ,
                         .column = "id",
                         .value = case_id,
                         .now = time_now_ms(),
                         .err = err,
                         .err_len = sizeof err};
    enum ra_result res = case_run(&op);
    if (res == RA_OK && !op.k.photo_sealed.data)
        res = RA_NOT_FOUND;
    if (res == RA_OK) {
        snprintf(aad, sizeof aad, "ra-case:%s:photo", op.k.id);
        *out = srs_data_key(env, &op.r, dk) ? srs_unseal(dk, aad, &op.k.photo_sealed, len) : NULL;
        memset(dk, 0, sizeof dk);
        str_copy(type, 16, op.k.photo_type);
        res = *out ? RA_OK : RA_UNAVAILABLE;
    }
    case_op_clear(&op);
    return res;
}

/* The partner result of a READY case, HMAC-signed, applied like a partner's callback; then
 * the case is DONE. */
static enum ra_result apply_result(const struct srs_env *env, const struct ra_session *c,
                                   const char *case_id, char *err, size_t err_len)
{
    unsigned char secret[256];
    size_t secret_len = 0;
    char signature[SRS_SIGNATURE_LEN], agent[160];
    char *body = NULL;
    json_t *result = NULL;
    struct store_srs_registration after = {0};
    struct case_op op = {.env = env,
                         .c = c,
                         .step = STEP_READ,
                         .column = "id",
                         .value = case_id,
                         .now = time_now_ms(),
                         .err = err,
                         .err_len = err_len};
    /* A supervisor approving reads the case as a supervisor: STEP_READ allows both. */
    enum ra_result res = case_run(&op);
    if (res != RA_OK)
        goto cleanup;
    res = RA_UNAVAILABLE;
    json_t *data = case_data(env, &op.k, &op.r);
    if (!data)
        goto cleanup;
    /* The agent who identified the person is the verifier; an approver is named as well. */
    if (op.k.approver_id[0])
        snprintf(agent, sizeof agent, "ra-agent:%s approved-by:%s", op.k.agent_id,
                 op.k.approver_id);
    else
        snprintf(agent, sizeof agent, "ra-agent:%s", op.k.agent_id);
    result =
        json_pack("{s:s, s:s, s:s, s:O, s:O, s:O, s:O}", "orderId", op.k.order_id, "result",
                  "APPROVED", "agent", agent, "identifiedAt", json_object_get(data, "identifiedAt"),
                  "person", json_object_get(data, "person"), "document",
                  json_object_get(data, "document"), "mobile", json_object_get(data, "mobile"));
    json_decref(data);
    body = result ? json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (!body || !srs_partner_secret(env, RA_CONNECTOR, secret, sizeof secret, &secret_len) ||
        !srs_callback_sign(secret, secret_len, body, strlen(body), signature))
        goto cleanup;
    /* The same path as /srs/partner/v1/ra-direct/callback: the same evidence as a partner's.
     * The body is the same on a retry (the time was sealed at submission): a replay. */
    enum srs_result sr = srs_partner_callback(env, RA_CONNECTOR, body, strlen(body), signature,
                                              &after, err, err_len);
    if (sr != SRS_R_OK) {
        log_warn("ra: case %s: the result was not applied", op.k.id);
        res = sr == SRS_R_INVALID    ? RA_INVALID
              : sr == SRS_R_CONFLICT ? RA_CONFLICT
                                     : RA_UNAVAILABLE;
        goto cleanup;
    }
    case_op_clear(&op);
    op.step = STEP_DONE;
    res = case_run(&op);
    if (res == RA_OK)
        log_info("ra: case %s identified by agent %s (approver %s), registration %s", op.k.id,
                 op.k.agent_id, op.k.approver_id[0] ? op.k.approver_id : "-", after.status);
cleanup:
    memset(secret, 0, sizeof secret);
    if (body) {
        memset(body, 0, strlen(body));
        free(body);
    }
    json_decref(result);
    store_srs_registration_clear(&after);
    case_op_clear(&op);
    return res;
}

enum ra_result ra_case_submit(const struct srs_env *env, const struct ra_session *c,
                              const char *case_id, const char *mobile, int64_t now, char *err,
                              size_t err_len)
{
    char when[ISO_DATETIME_LEN];
    if (!mobile || strlen(mobile) > 19 || !notify_recipient_valid(NOTIFY_SMS, mobile)) {
        snprintf(err, err_len,
                 "Field 'mobile' must be a mobile number in international format "
                 "(+41791234567).");
        return RA_INVALID;
    }
    /* Read the sealed data to add the mobile number and the time of the identification. */
    struct case_op rd = {.env = env,
                         .c = c,
                         .step = STEP_READ,
                         .column = "id",
                         .value = case_id,
                         .now = now,
                         .err = err,
                         .err_len = err_len};
    enum ra_result res = case_run(&rd);
    json_t *data = res == RA_OK ? case_data(env, &rd.k, &rd.r) : NULL;
    case_op_clear(&rd);
    if (res != RA_OK)
        return res;
    if (!data) {
        snprintf(err, err_len, "Record the identity document first.");
        return RA_CONFLICT;
    }
    iso_format_datetime(now, false, when);
    json_object_set_new(data, "mobile", json_string(mobile));     /* steals */
    json_object_set_new(data, "identifiedAt", json_string(when)); /* steals */
    char *plain = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(data);
    if (!plain)
        return RA_UNAVAILABLE;
    struct case_op op = {.env = env,
                         .c = c,
                         .step = STEP_SUBMIT,
                         .column = "id",
                         .value = case_id,
                         .plain = plain,
                         .now = now,
                         .err = err,
                         .err_len = err_len};
    res = case_run(&op);
    bool ready = res == RA_OK && strcmp(op.k.status, CASE_READY) == 0;
    memset(plain, 0, strlen(plain));
    free(plain);
    case_op_clear(&op);
    if (ready)
        res = apply_result(env, c, case_id, err, err_len);
    return res;
}

enum ra_result ra_case_approve(const struct srs_env *env, const struct ra_session *c,
                               const char *case_id, int64_t now, char *err, size_t err_len)
{
    struct case_op op = {.env = env,
                         .c = c,
                         .step = STEP_APPROVE,
                         .column = "id",
                         .value = case_id,
                         .now = now,
                         .err = err,
                         .err_len = err_len};
    enum ra_result res = case_run(&op);
    case_op_clear(&op);
    if (res == RA_OK)
        res = apply_result(env, c, case_id, err, err_len);
    return res;
}

/* The case's order for the code steps: only its agent, once the result is applied. */
static enum ra_result done_order(const struct srs_env *env, const struct ra_session *c,
                                 const char *case_id, char order[65], char *err, size_t err_len)
{
    struct case_op op = {.env = env,
                         .c = c,
                         .step = STEP_READ,
                         .column = "id",
                         .value = case_id,
                         .now = time_now_ms(),
                         .err = err,
                         .err_len = err_len};
    enum ra_result res = case_run(&op);
    if (res == RA_OK && strcmp(op.k.agent_id, c->agent.id) != 0) {
        snprintf(err, err_len, "There is no such case.");
        res = RA_NOT_FOUND;
    } else if (res == RA_OK && strcmp(op.k.status, CASE_DONE) != 0) {
        snprintf(err, err_len, "The identification is not complete yet.");
        res = RA_CONFLICT;
    }
    if (res == RA_OK)
        str_copy(order, 65, op.k.order_id);
    case_op_clear(&op);
    return res;
}

static enum ra_result from_srs(enum srs_result r)
{
    switch (r) {
    case SRS_R_OK:
        return RA_OK;
    case SRS_R_INVALID:
        return RA_INVALID;
    case SRS_R_NOT_FOUND:
        return RA_NOT_FOUND;
    case SRS_R_CONFLICT:
        return RA_CONFLICT;
    case SRS_R_GONE:
        return RA_GONE;
    case SRS_R_TOO_MANY:
        return RA_TOO_MANY;
    default:
        return RA_UNAVAILABLE;
    }
}

enum ra_result ra_case_send_code(const struct srs_env *env, const struct ra_session *c,
                                 const char *case_id, char *err, size_t err_len)
{
    char order[65], actor[STORE_ID_LEN + 16];
    enum ra_result res = done_order(env, c, case_id, order, err, err_len);
    if (res != RA_OK)
        return res;
    snprintf(actor, sizeof actor, "ra-agent:%s", c->agent.id);
    res = from_srs(srs_order_send_code(env, order, actor, err, err_len));
    if (res == RA_OK)
        log_info("ra: agent %s sent the code of case %s", c->agent.id, case_id);
    return res;
}

enum ra_result ra_case_verify_code(const struct srs_env *env, const struct ra_session *c,
                                   const char *case_id, const char *code, char *err, size_t err_len)
{
    char order[65], actor[STORE_ID_LEN + 16];
    enum ra_result res = done_order(env, c, case_id, order, err, err_len);
    if (res != RA_OK)
        return res;
    snprintf(actor, sizeof actor, "ra-agent:%s", c->agent.id);
    res = from_srs(srs_order_verify_code(env, order, actor, code, err, err_len));
    if (res == RA_OK)
        log_info("ra: agent %s confirmed the mobile number of case %s", c->agent.id, case_id);
    return res;
}

struct list_op {
    struct store_ra_point *list;
    size_t n;
};

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct list_op *op = cls;
    free(op->list);
    op->list = NULL;
    return store_ra_point_list(tx, &op->list, &op->n);
}

enum ra_result ra_point_list(struct store *s, json_t **out)
{
    struct list_op op = {0};
    *out = NULL;
    enum ra_result res = from_store(store_run(s, STORE_READ, list_tx, &op));
    if (res == RA_OK) {
        *out = json_array();
        for (size_t i = 0; *out && i < op.n; i++)
            if (!op.list[i].disabled_at)
                json_array_append_new(*out,
                                      json_pack("{s:s, s:s, s:s, s:b}", "id", op.list[i].id, "name",
                                                op.list[i].name, "address", op.list[i].address,
                                                "fourEyes", op.list[i].four_eyes));
    }
    free(op.list);
    return *out || res != RA_OK ? res : RA_UNAVAILABLE;
}
