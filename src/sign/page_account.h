/*
 * Authorization of a signer page session by a person account (DESIGN.md, "Process
 * authorization"; docs/signer-pages.md, docs/accounts.md). When the browser also has an
 * account session (account/account.h), the page session is authorized without a one-time code
 * by the first step that holds, in the order of DESIGN.md:
 *   initiator (position 0): ACCOUNT_OWNER — a PERSON initiator whose e-mail is the account's
 *     verified e-mail; ACCOUNT_TEAM — the process has a team and the account's verified e-mail
 *     is a member of it (the cockpit's team_members); then as an invitee:
 *   invitee: ACCOUNT_EMAIL — the participant's e-mail equals the account's verified e-mail
 *     (case-insensitive); ACCOUNT_MOBILE — the participant's mobile equals the account's
 *     verified mobile.
 * An unverified e-mail or mobile never counts. The step is stored as the session's
 * authorized_by and recorded in the audit ("authorization" SUCCESS, authorization_method, and
 * authorization_accountId).
 *
 * Ownership: everything borrowed.
 */
#ifndef SIGNET_SIGN_PAGE_ACCOUNT_H
#define SIGNET_SIGN_PAGE_ACCOUNT_H

#include "account/account.h"
#include "sign/page.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * Authorizes *sess by account a when a step above holds and sess is not authorized yet; on
 * success updates sess->authorized_at / authorized_by. SIGN_PAGE_OK whether or not a step
 * held (sess->authorized_at tells), SIGN_PAGE_NO_SESSION when the process is gone,
 * SIGN_PAGE_UNAVAILABLE when the store failed.
 */
enum sign_page_result sign_page_account_authorize(struct store *s, struct store_ui_session *sess,
                                                  const struct account_session *a, int64_t now);

#endif
