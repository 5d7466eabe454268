/*
 * Signer page authorization by a person account (see sign/page_account.h).
 */
#include "sign/page_account.h"

#include "core/str.h"
#include "sign/process.h"
#include "store/cockpit.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct authorize_op {
    struct store_ui_session *sess;
    const struct account_session *a;
    int64_t now;
    struct store_process p;
    const char *by; /* the step that held, or NULL */
};

/* True when the account's verified e-mail is a member of the process's team. */
static enum store_status team_member(struct store_tx *tx, const struct store_process *p,
                                     const char *email, bool *out)
{
    struct store_team_member *m = NULL;
    size_t n = 0;
    *out = false;
    enum store_status st = store_team_member_list(tx, p->organization_id, &m, &n);
    for (size_t i = 0; st == STORE_OK && i < n && !*out; i++)
        *out = !strcmp(m[i].team_id, p->team_id) && !strcmp(m[i].email, email);
    free(m);
    return st;
}

static enum store_status authorize_tx(struct store_tx *tx, void *cls)
{
    struct authorize_op *op = cls;
    struct store_ui_session *sess = op->sess;
    const struct store_account *acc = &op->a->account;
    op->by = NULL;
    store_process_clear(&op->p);
    enum store_status st = store_process_get(tx, sess->organization_id, sess->process_id, &op->p);
    if (st != STORE_OK)
        return st;
    const struct store_participant *me = NULL;
    for (size_t i = 0; i < op->p.n_participants && !me; i++)
        if (!strcmp(op->p.participants[i].id, sess->participant_id))
            me = &op->p.participants[i];
    if (!me)
        return STORE_NOT_FOUND;
    bool email_ok = acc->email_verified_at && acc->email[0];
    bool mobile_ok = acc->mobile_verified_at && acc->mobile[0];
    if (me->position == 0 && email_ok) {
        bool member = false;
        if (!strcmp(me->type, "PERSON") && !strcasecmp(me->email, acc->email))
            op->by = "ACCOUNT_OWNER";
        else if (op->p.team_id[0]) {
            st = team_member(tx, &op->p, acc->email, &member);
            if (st != STORE_OK)
                return st;
            if (member)
                op->by = "ACCOUNT_TEAM";
        }
    }
    if (!op->by && email_ok && me->email[0] && !strcasecmp(me->email, acc->email))
        op->by = "ACCOUNT_EMAIL";
    if (!op->by && mobile_ok && me->mobile[0] && !strcmp(me->mobile, acc->mobile))
        op->by = "ACCOUNT_MOBILE";
    if (!op->by)
        return STORE_OK;
    st = store_ui_session_authorize(tx, sess->organization_id, sess->id, op->now, op->by);
    if (st != STORE_OK)
        return st;
    json_t *x = json_pack("{s:s, s:s, s:s}", "authorization_participantId", sess->participant_id,
                          "authorization_method", op->by, "authorization_accountId", acc->id);
    if (!x)
        return STORE_ERROR;
    st = sign_audit_append(tx, sess->organization_id, sess->process_id, op->now, "authorization",
                           "SUCCESS", x);
    json_decref(x);
    return st;
}

enum sign_page_result sign_page_account_authorize(struct store *s, struct store_ui_session *sess,
                                                  const struct account_session *a, int64_t now)
{
    if (sess->authorized_at)
        return SIGN_PAGE_OK;
    struct authorize_op *op = calloc(1, sizeof *op); /* a process is large: not on the stack */
    if (!op)
        return SIGN_PAGE_UNAVAILABLE;
    op->sess = sess;
    op->a = a;
    op->now = now;
    enum store_status st = store_run(s, STORE_WRITE, authorize_tx, op);
    enum sign_page_result res = st == STORE_OK          ? SIGN_PAGE_OK
                                : st == STORE_NOT_FOUND ? SIGN_PAGE_NO_SESSION
                                                        : SIGN_PAGE_UNAVAILABLE;
    if (res == SIGN_PAGE_OK && op->by) {
        sess->authorized_at = now;
        str_copy(sess->authorized_by, sizeof sess->authorized_by, op->by);
    }
    store_process_clear(&op->p);
    free(op);
    return res;
}
