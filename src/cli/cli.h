/* The `signet` commands. Each takes the arguments after its command words and returns the
 * process exit code (0 success, 1 failure, 2 bad usage or configuration). */
#ifndef SIGNET_CLI_CLI_H
#define SIGNET_CLI_CLI_H

int cli_serve(int argc, char **argv);
int cli_admin(int argc, char **argv);
/* signet admin jwk rotate|list|retire: the token endpoint's signing keys (cli/admin_jwk.c). */
int cli_admin_jwk(int argc, char **argv);
/* signet admin cert list|revoke: the certificate registry and revocation (cli/admin_cert.c). */
int cli_admin_cert(int argc, char **argv);
/* signet admin jobs list|run: the background jobs (cli/admin_jobs.c). */
int cli_admin_jobs(int argc, char **argv);
/* signet admin srs export|delete: a person's SRS data (cli/admin_srs.c). */
int cli_admin_srs(int argc, char **argv);
/* signet admin org-admin create|list|revoke: organization admins' keys (cli/admin_org_admin.c). */
int cli_admin_org_admin(int argc, char **argv);
/* signet admin org-user create: admin cockpit accounts (cli/admin_org_user.c). */
int cli_admin_org_user(int argc, char **argv);
/* signet admin ra-agent / ra-point: SRS Direct agents and points (cli/admin_ra.c). */
int cli_admin_ra_agent(int argc, char **argv);
int cli_admin_ra_point(int argc, char **argv);
int cli_verify(int argc, char **argv);
/* signet sign IN OUT: PAdES-sign a local file with the instance's PKI (cli/sign.c). */
int cli_sign(int argc, char **argv);

/* Opens the store named by cfg and applies migrations; prints one line and returns NULL on
 * failure. */
struct config;
struct store *cli_open_store(const struct config *cfg);

/* Ensures the demo organization and client exist, gives the client a fresh secret and prints
 * the URLs, credentials and a curl walkthrough. */
struct store;
int cli_demo_bootstrap(struct store *s, const struct config *cfg, const char *public_url);

/* Reads the whole file at path (at most max bytes) into owned memory (free()), followed by a
 * NUL byte not counted in *len; NULL with one
 * line in err. cli_write_file writes len bytes to path (created or truncated); false with one
 * line in err. (cli/files.c) */
#include <stdbool.h>
#include <stddef.h>
unsigned char *cli_read_file(const char *path, size_t max, size_t *len, char *err, size_t err_len);
bool cli_write_file(const char *path, const unsigned char *data, size_t len, char *err,
                    size_t err_len);

/* Prints v indented on stdout (nothing when v is NULL) and releases it (steals v). */
struct json_t;
void cli_print_json(struct json_t *v);

#endif
