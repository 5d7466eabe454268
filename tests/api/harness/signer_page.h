/*
 * The signer pages seen as a browser would drive them (docs/signer-pages.md): the session
 * cookie from a participant link, the X-CSRF-Token from the page's state, JSON calls, and
 * authorization with the one-time code read from the server's outbox. Shared by the signer
 * page tests (APP, passkey, drawn signature).
 */
#ifndef SIGNET_TEST_SIGNER_PAGE_H
#define SIGNET_TEST_SIGNER_PAGE_H

#include "tenant.h"

struct page_browser {
    char cookie[128];
    char csrf[128];
};

/* A released process of two signers: Anna (crm-a, with a mobile, +41791234567 unless given) and
 * Beat (crm-b, e-mail only), one document (simple-a4.pdf) with a box for each. */
struct page_process {
    char id[64];
    char a_id[64], b_id[64];       /* participant ids */
    char a_path[256], b_path[256]; /* /ui/sign/{token} */
};

/* Creates it at `level` for client c and releases it with release_body. */
void page_create_released(const struct server *s, const struct client *c, const char *level,
                          const char *release_body, struct page_process *p);
/* The same with Anna's mobile number (E.164) given. */
void page_create_released_with(const struct server *s, const struct client *c, const char *level,
                               const char *release_body, const char *anna_mobile,
                               struct page_process *p);
/* GET path (a participant link): 200 and the session cookie into b. */
void page_open(const struct server *s, struct page_browser *b, const char *path);
/* A request with b's cookie and CSRF header (and a JSON body when body is not NULL). */
void page_call(const struct server *s, const struct page_browser *b, const char *method,
               const char *path, const char *body, struct response *r);
/* GET /ui/api/session: the state (new reference); b's CSRF token taken from it. */
json_t *page_state(const struct server *s, struct page_browser *b);
/* POSTs body; the answer's JSON into *out when out is not NULL (new reference). A failure must
 * be an Error object. Returns the status. */
long page_post(const struct server *s, struct page_browser *b, const char *path, const char *body,
               json_t **out);
/* Asks for an AUTHORIZE code, reads it from data_dir's outbox and enters it (200). */
void page_authorize(const struct server *s, struct page_browser *b, const char *data_dir,
                    const char *participant_id);
/* The signer with externalIdentifier ext of process id, as GET /process answers (new ref). */
json_t *page_process_signer(const struct server *s, const struct client *c, const char *id,
                            const char *ext);
/* How many audit records of process id have action/status and, when key is not NULL, key
 * with value somewhere in the record. */
int page_records(const struct server *s, const struct client *c, const char *id, const char *action,
                 const char *status, const char *key, const char *value);

#endif
