/*
 * Tenants for black-box tests: organizations and API clients made with the real CLI, access
 * tokens from the real token endpoint, bearer requests, and the PDF corpus. Shared by the
 * Sign API tests so each file keeps only what is its own.
 */
#ifndef SIGNET_TEST_TENANT_H
#define SIGNET_TEST_TENANT_H

#include "harness.h"

#define TOKEN_PATH   "/realms/signet/protocol/openid-connect/token"
#define PROCESS_PATH "/system/api/process"

struct client {
    char id[128];
    char secret[128];
    char *token; /* owned (free()) */
};

/* Runs `signet ARGS` expecting exit 0 and JSON on stdout; asserts both. Owned result. */
json_t *run_json(const char *const *args);
/* `signet admin org create` on data_dir; id receives the organization id. */
void tenant_create_org(const char *data_dir, const char *name, const char *type, char *id,
                       size_t id_len);
/* `signet admin client create` on data_dir with the given scopes. */
void tenant_create_client(const char *data_dir, const char *org, const char *scopes,
                          struct client *c);
/* A client-credentials token from the server, or NULL (printed). Owned string. */
char *tenant_issue_token(const struct server *s, const struct client *c);
/* A request with c's bearer token (c NULL: none), an optional JSON body and Idempotency-Key. */
void tenant_call(const struct server *s, const char *method, const char *path,
                 const struct client *c, const char *body, const char *idem_key,
                 struct response *r);
/* Standard base64 with padding, independent of Signet's code. Owned string. */
char *b64_std(const unsigned char *d, size_t n);
/* A FileAttachment body (compact JSON text, owned) for corpus file `pdf` named "Offer.pdf" with
 * externalIdentifier ext_id and the signaturePositions given as JSON array text. */
char *tenant_attach_body(const char *pdf, const char *ext_id, const char *positions);
/* Reads a file of the PDF corpus (SIGNET_CORPUS); *len its size. Owned bytes. */
unsigned char *corpus(const char *name, size_t *len);

#endif
