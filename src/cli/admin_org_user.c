/* signet admin org-user create: an account of an organization's admin for the admin cockpit
 * (/ui/admin, docs/cockpit.md): e-mail and password (scrypt), optionally an authenticator app.
 * Works on the store directly, also while a server runs on it. */
#include "admin/cockpit.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/masterkey.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static void org_user_usage(FILE *out)
{
    fprintf(out,
            "Usage: signet admin org-user create --org ORG_ID --email E [--password-file F]\n"
            "                                    [--totp] [--json]\n\n"
            "Creates an account for the admin cockpit (/ui/admin) of a self-managed\n"
            "(ORGANIZATION) organization. The password (at least %d characters) is read from\n"
            "the first line of F, else from standard input. With --totp an authenticator app is\n"
            "enrolled at once: its secret and otpauth:// URI are printed (shown only now);\n"
            "otherwise the admin can enrol one after signing in. Takes the same --data /\n"
            "--store options as serve.\n",
            COCKPIT_PASSWORD_MIN);
}

/* The first line of f (without its newline) into out; false when it is empty or too long. */
static bool read_line(FILE *f, char *out, size_t cap)
{
    if (!fgets(out, (int)cap, f))
        return false;
    size_t n = strlen(out);
    if (n && out[n - 1] == '\n')
        out[--n] = '\0';
    else if (!feof(f))
        return false; /* longer than the buffer */
    if (n && out[n - 1] == '\r')
        out[--n] = '\0';
    return n > 0;
}

static bool read_password(const char *file, char *out, size_t cap)
{
    FILE *f = file ? fopen(file, "r") : stdin;
    if (!f) {
        fprintf(stderr, "signet admin org-user: cannot open %s\n", file);
        return false;
    }
    struct termios old, quiet;
    bool tty = !file && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fprintf(stderr, "Password: ");
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    bool ok = read_line(f, out, cap);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fprintf(stderr, "\n");
    }
    if (file)
        fclose(f);
    if (!ok)
        fprintf(stderr, "signet admin org-user: no password (or one longer than %d characters)\n",
                COCKPIT_PASSWORD_MAX);
    return ok;
}

int cli_admin_org_user(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        org_user_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    struct cli_opt extra[] = {
        {"org", true, "organization id (of type ORGANIZATION)", NULL},
        {"email", true, "the admin's e-mail address (the sign-in name)", NULL},
        {"password-file", true, "file whose first line is the password (else standard input)",
         NULL},
        {"totp", false, "enrol an authenticator app now and print its secret", NULL},
        {"json", false, "print JSON", NULL},
        {NULL, false, NULL, NULL},
    };
    struct config cfg;
    char err[512], password[COCKPIT_PASSWORD_MAX + 2], secret[64] = "", uri[512] = "";
    unsigned char mk[CRYPTO_KEY_LEN];
    const char *pos[1];
    size_t npos = 0;
    int rc = 1;
    struct store *s = NULL;
    password[0] = '\0';
    enum config_result cr =
        config_load(&cfg, argc - 1, argv + 1, extra, pos, 1, &npos, err, sizeof err);
    if (cr == CONFIG_HELP) {
        org_user_usage(stdout);
        printf("\nOptions:\n");
        config_print_help(extra);
        config_free(&cfg);
        return 0;
    }
    if (cr == CONFIG_ERROR) {
        fprintf(stderr, "signet admin org-user: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    const char *org = extra[0].value, *email = extra[1].value;
    bool totp = extra[3].value != NULL, as_json = extra[4].value != NULL;
    if (strcmp(argv[0], "create") != 0 || npos != 0 || !org || !*org || !email || !*email) {
        fprintf(stderr, "signet admin org-user: use 'create --org ORG_ID --email E' (see signet "
                        "admin org-user --help)\n");
        rc = 2;
        goto cleanup;
    }
    if (!read_password(extra[2].value, password, sizeof password))
        goto cleanup;
    if (totp && !masterkey_load(&cfg, mk, err, sizeof err)) {
        fprintf(stderr, "signet admin org-user: %s\n", err);
        goto cleanup;
    }
    s = cli_open_store(&cfg);
    if (!s)
        goto cleanup;
    struct store_admin_user u;
    switch (cockpit_user_create(s, totp ? mk : NULL, org, email, password, totp, time_now_ms(), &u,
                                secret, uri, err, sizeof err)) {
    case COCKPIT_OK:
        rc = 0;
        if (as_json) {
            json_t *j = json_pack("{s:s, s:s, s:s, s:b}", "id", u.id, "organization_id",
                                  u.organization_id, "email", u.email, "totp", totp);
            if (totp) {
                json_object_set_new(j, "totp_secret", json_string(secret));
                json_object_set_new(j, "totp_uri", json_string(uri));
            }
            char *text = json_dumps(j, JSON_INDENT(2));
            if (text)
                puts(text);
            free(text);
            json_decref(j);
        } else {
            printf("id:              %s\norganization_id: %s\nemail:           %s\n", u.id,
                   u.organization_id, u.email);
            if (totp)
                printf("totp_secret:     %s\ntotp_uri:        %s\n(the secret is shown only "
                       "now)\n",
                       secret, uri);
        }
        break;
    case COCKPIT_UNAVAILABLE:
        fprintf(stderr, "signet admin org-user: the store is not available; try again\n");
        break;
    default:
        fprintf(stderr, "signet admin org-user: %s\n", err);
        break;
    }
cleanup:
    memset(password, 0, sizeof password);
    memset(secret, 0, sizeof secret);
    memset(uri, 0, sizeof uri);
    memset(mk, 0, sizeof mk);
    store_close(s);
    config_free(&cfg);
    return rc;
}
