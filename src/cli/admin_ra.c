/* signet admin ra-agent create / ra-point create|list: SRS Direct's RA agent accounts and
 * registration points (docs/ra.md), like `signet admin org-user` for the cockpit. Works on the
 * store directly, also while a server runs on it. */
#include "cli/cli.h"
#include "core/config.h"
#include "core/isotime.h"
#include "srs/ra.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void agent_usage(FILE *out)
{
    fprintf(
        out,
        "Usage: signet admin ra-agent create --email E --role AGENT|SUPERVISOR|ADMIN\n"
        "                                    [--point POINT_ID] [--password-file F] [--json]\n\n"
        "Creates an RA agent account for the SRS Direct app (/ui/ra). AGENT identifies\n"
        "people at a registration point, SUPERVISOR also approves (four eyes), ADMIN\n"
        "manages registration points. With --point the agent works only at that point.\n"
        "The password (at least 12 characters) is the first line of F; without\n"
        "--password-file a random initial password is made and printed (shown only now).\n"
        "Takes the same --data / --store options as serve.\n");
}

static void point_usage(FILE *out)
{
    fprintf(out,
            "Usage: signet admin ra-point create --name NAME [--address TEXT] [--four-eyes] "
            "[--json]\n"
            "       signet admin ra-point list [--json]\n\n"
            "Registration points of SRS Direct. --four-eyes: every identification there needs\n"
            "a SUPERVISOR's approval (a second agent). Takes the same --data / --store options\n"
            "as serve.\n");
}

/* The first line of file into out (without its newline); false when empty or too long. */
static bool read_first_line(const char *file, char *out, size_t cap)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "signet admin ra-agent: cannot open %s\n", file);
        return false;
    }
    bool ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    size_t n = ok ? strlen(out) : 0;
    if (n && out[n - 1] == '\n')
        out[--n] = '\0';
    else if (n == cap - 1)
        ok = false; /* longer than the buffer */
    if (n && out[n - 1] == '\r')
        out[--n] = '\0';
    if (!ok || n == 0)
        fprintf(stderr, "signet admin ra-agent: no password in %s (or a line that is too long)\n",
                file);
    return ok && n > 0;
}

int cli_admin_ra_agent(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        agent_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    struct cli_opt extra[] = {
        {"email", true, "the agent's e-mail address (the sign-in name)", NULL},
        {"role", true, "AGENT, SUPERVISOR or ADMIN", NULL},
        {"point", true, "the registration point the agent works at (id)", NULL},
        {"password-file", true, "file whose first line is the password (else one is made)", NULL},
        {"json", false, "print JSON", NULL},
        {NULL, false, NULL, NULL},
    };
    struct config cfg;
    char err[512], password[1026] = "", initial[TOKEN_LEN] = "";
    const char *pos[1];
    size_t npos = 0;
    int rc = 1;
    struct store *s = NULL;
    enum config_result cr =
        config_load(&cfg, argc - 1, argv + 1, extra, pos, 1, &npos, err, sizeof err);
    if (cr == CONFIG_HELP) {
        agent_usage(stdout);
        printf("\nOptions:\n");
        config_print_help(extra);
        config_free(&cfg);
        return 0;
    }
    if (cr == CONFIG_ERROR) {
        fprintf(stderr, "signet admin ra-agent: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    const char *email = extra[0].value, *role = extra[1].value, *file = extra[3].value;
    bool as_json = extra[4].value != NULL;
    if (strcmp(argv[0], "create") != 0 || npos != 0 || !email || !role) {
        fprintf(stderr, "signet admin ra-agent: use 'create --email E --role ROLE' (see signet "
                        "admin ra-agent --help)\n");
        rc = 2;
        goto cleanup;
    }
    if (file && !read_first_line(file, password, sizeof password))
        goto cleanup;
    s = cli_open_store(&cfg);
    if (!s)
        goto cleanup;
    struct store_ra_agent a;
    enum ra_result res =
        ra_agent_create(s, "cli", email, role, extra[2].value, file ? password : NULL,
                        time_now_ms(), &a, initial, err, sizeof err);
    if (res == RA_OK) {
        rc = 0;
        if (as_json) {
            json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "id", a.id, "email", a.email, "role",
                                  a.role, "point_id", a.point_id);
            if (initial[0])
                json_object_set_new(j, "initial_password", json_string(initial));
            cli_print_json(j);
        } else {
            printf("id:    %s\nemail: %s\nrole:  %s\npoint: %s\n", a.id, a.email, a.role,
                   a.point_id[0] ? a.point_id : "(any)");
            if (initial[0])
                printf("initial_password: %s\n(shown only now; sign in at /ui/ra)\n", initial);
        }
    } else if (res == RA_UNAVAILABLE) {
        fprintf(stderr, "signet admin ra-agent: the store is not available; try again\n");
    } else {
        fprintf(stderr, "signet admin ra-agent: %s\n", err);
    }
cleanup:
    memset(password, 0, sizeof password);
    memset(initial, 0, sizeof initial);
    store_close(s);
    config_free(&cfg);
    return rc;
}

int cli_admin_ra_point(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        point_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    struct cli_opt extra[] = {
        {"name", true, "the point's name (unique)", NULL},
        {"address", true, "where it is", NULL},
        {"four-eyes", false, "identifications need a SUPERVISOR's approval", NULL},
        {"json", false, "print JSON", NULL},
        {NULL, false, NULL, NULL},
    };
    struct config cfg;
    char err[512];
    const char *pos[1];
    size_t npos = 0;
    int rc = 1;
    struct store *s = NULL;
    enum config_result cr =
        config_load(&cfg, argc - 1, argv + 1, extra, pos, 1, &npos, err, sizeof err);
    if (cr == CONFIG_HELP) {
        point_usage(stdout);
        printf("\nOptions:\n");
        config_print_help(extra);
        config_free(&cfg);
        return 0;
    }
    if (cr == CONFIG_ERROR) {
        fprintf(stderr, "signet admin ra-point: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    bool create = !strcmp(argv[0], "create"), list = !strcmp(argv[0], "list");
    bool as_json = extra[3].value != NULL;
    if ((!create && !list) || npos != 0 || (create && !extra[0].value)) {
        fprintf(stderr, "signet admin ra-point: use 'create --name NAME' or 'list' (see signet "
                        "admin ra-point --help)\n");
        rc = 2;
        goto cleanup;
    }
    s = cli_open_store(&cfg);
    if (!s)
        goto cleanup;
    if (list) {
        json_t *points = NULL;
        if (ra_point_list(s, &points) != RA_OK) {
            fprintf(stderr, "signet admin ra-point: the store is not available; try again\n");
            goto cleanup;
        }
        rc = 0;
        if (as_json) {
            cli_print_json(json_pack("{s:o}", "points", points));
        } else {
            size_t i;
            json_t *p;
            json_array_foreach(points, i, p)
            {
                printf("%s  %s%s\n", json_string_value(json_object_get(p, "id")),
                       json_string_value(json_object_get(p, "name")),
                       json_is_true(json_object_get(p, "fourEyes")) ? "  (four eyes)" : "");
            }
            json_decref(points);
        }
        goto cleanup;
    }
    struct store_ra_point p;
    enum ra_result res = ra_point_create(s, extra[0].value, extra[1].value, extra[2].value != NULL,
                                         time_now_ms(), &p, err, sizeof err);
    if (res == RA_OK) {
        rc = 0;
        if (as_json)
            cli_print_json(json_pack("{s:s, s:s, s:s, s:b}", "id", p.id, "name", p.name, "address",
                                     p.address, "four_eyes", p.four_eyes));
        else
            printf("id:        %s\nname:      %s\nfour_eyes: %s\n", p.id, p.name,
                   p.four_eyes ? "yes" : "no");
    } else if (res == RA_UNAVAILABLE) {
        fprintf(stderr, "signet admin ra-point: the store is not available; try again\n");
    } else {
        fprintf(stderr, "signet admin ra-point: %s\n", err);
    }
cleanup:
    store_close(s);
    config_free(&cfg);
    return rc;
}
