/*
 * The web sign-in sessions of the admin cockpit (admin_sessions), person accounts
 * (account_sessions) and RA agents (ra_sessions): the same columns — id, session_hash, the
 * owner columns, created_at, last_seen_at, expires_at, ended_at — and the same statements,
 * written once here for store/cockpit.c, store/account.c and store/ra.c. Internal to store/:
 * the tables are the three constant descriptors below (the SQL names come from them, never
 * from input); their modules' store_*_session_* functions are the API.
 */
#ifndef SIGNET_STORE_WEB_SESSION_H
#define SIGNET_STORE_WEB_SESSION_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* One session table and where its columns live in the module's session struct. */
struct web_session_table {
    const char *table;
    const char *owner[2]; /* owner columns; owner[1] NULL when there is one */
    const char *scope;    /* column touch and end match besides id (NULL: id alone) */
    size_t size;          /* of the session struct */
    size_t id, hash, owner_at[2], owner_len[2];
    size_t created_at, last_seen_at, expires_at, ended_at;
};

extern const struct web_session_table WEB_SESSION_ADMIN;   /* struct store_admin_session */
extern const struct web_session_table WEB_SESSION_ACCOUNT; /* struct store_account_session */
extern const struct web_session_table WEB_SESSION_RA;      /* struct store_ra_session */

/* Inserts session s (the table's struct; ended_at is not written). */
enum store_status web_session_insert(struct store_tx *tx, const struct web_session_table *t,
                                     const void *s);
/* The session whose token hashes to session_hash into out (ended ones included);
 * STORE_NOT_FOUND when there is none. */
enum store_status web_session_find(struct store_tx *tx, const struct web_session_table *t,
                                   const char *session_hash, void *out);
/* Sets last_seen_at of session id (within scope_value when the table has a scope);
 * STORE_NOT_FOUND when no row changed. */
enum store_status web_session_touch(struct store_tx *tx, const struct web_session_table *t,
                                    const char *scope_value, const char *id, int64_t now);
/* Ends session id (within scope_value when the table has a scope); STORE_NOT_FOUND when there
 * is no such session or it has ended already. */
enum store_status web_session_end(struct store_tx *tx, const struct web_session_table *t,
                                  const char *scope_value, const char *id, int64_t now);

#endif
