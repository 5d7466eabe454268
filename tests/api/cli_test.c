/* The command line seen from outside: bad options and values exit 2 with one line naming
 * them, configuration precedence (flag over environment over file), help and version. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char out[16384], err[16384];

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Runs signet; asserts exit code 2 and exactly one stderr line mentioning word. */
static void expect_usage_error(const char *const *args, const char *word)
{
    int rc = run_signet(args, out, sizeof out, err, sizeof err);
    if (rc != 2 || count_lines(err) != 1 || !strstr(err, word))
        fprintf(stderr, "expected exit 2 and one line naming '%s'; got %d and:\n%s", word, rc, err);
    assert_int_equal(rc, 2);
    assert_int_equal(count_lines(err), 1);
    assert_non_null(strstr(err, word));
}

static void unknown_option_exits_2_naming_it(void **state)
{
    (void)state;
    const char *serve[] = {"serve", "--no-such-option", NULL};
    expect_usage_error(serve, "--no-such-option");
    const char *admin[] = {"admin", "key", "list", "--frobnicate", NULL};
    expect_usage_error(admin, "--frobnicate");
    const char *cmd[] = {"sing", NULL};
    expect_usage_error(cmd, "sing");
}

static void bad_threads_value_exits_2_naming_threads(void **state)
{
    (void)state;
    const char *args[] = {"serve", "--threads", "abc", NULL};
    expect_usage_error(args, "threads");
    assert_non_null(strstr(err, "abc"));
}

static void bad_listen_from_environment_exits_2(void **state)
{
    (void)state;
    setenv("SIGNET_LISTEN", "bad", 1);
    const char *args[] = {"serve", NULL};
    int rc = run_signet(args, out, sizeof out, err, sizeof err);
    unsetenv("SIGNET_LISTEN");
    assert_int_equal(rc, 2);
    assert_int_equal(count_lines(err), 1);
    assert_non_null(strstr(err, "listen"));
    assert_non_null(strstr(err, "bad"));
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void unknown_key_in_config_file_exits_2(void **state)
{
    (void)state;
    char path[] = "/tmp/signet-cli-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, "# a comment\nrealm = fine\ncolour = red\n");
    const char *args[] = {"serve", "--config", path, NULL};
    expect_usage_error(args, "colour");
    assert_non_null(strstr(err, "line 3"));
    unlink(path);
}

/* Starts `serve --demo` with the given extra arguments and returns the realm named by the
 * banner's Token URL (into realm). */
static void demo_realm(const char *const *extra, char *realm, size_t realm_len)
{
    const char *args[16] = {"--demo"};
    size_t n = 1;
    for (const char *const *a = extra; a && *a && n < 15; a++)
        args[n++] = *a;
    args[n] = NULL;
    struct server s;
    assert_true(server_start(&s, NULL, args));
    const char *t = strstr(s.banner, "Token URL:");
    if (!t)
        fprintf(stderr, "no Token URL in the banner:\n%s\n", s.banner);
    assert_non_null(t);
    const char *r = strstr(t, "/realms/");
    assert_non_null(r);
    r += strlen("/realms/");
    size_t len = strcspn(r, "/");
    assert_true(len < realm_len);
    memcpy(realm, r, len);
    realm[len] = '\0';
    assert_int_equal(server_stop(&s, false), 0);
}

static void flag_beats_environment_beats_file(void **state)
{
    (void)state;
    char path[] = "/tmp/signet-cli-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, "realm = fromfile\n");
    char realm[64];

    const char *file_only[] = {"--config", path, NULL};
    demo_realm(file_only, realm, sizeof realm);
    assert_string_equal(realm, "fromfile");

    setenv("SIGNET_REALM", "fromenv", 1);
    demo_realm(file_only, realm, sizeof realm);
    assert_string_equal(realm, "fromenv");

    const char *with_flag[] = {"--config", path, "--realm", "fromflag", NULL};
    demo_realm(with_flag, realm, sizeof realm);
    unsetenv("SIGNET_REALM");
    assert_string_equal(realm, "fromflag");

    const char *none[] = {NULL};
    demo_realm(none, realm, sizeof realm);
    assert_string_equal(realm, "signet"); /* the default */
    unlink(path);
}

static void help_and_version_exit_0(void **state)
{
    (void)state;
    const char *help[] = {"--help", NULL};
    assert_int_equal(run_signet(help, out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(out, "Usage: signet"));
    assert_non_null(strstr(out, "serve"));

    const char *serve_help[] = {"serve", "--help", NULL};
    assert_int_equal(run_signet(serve_help, out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(out, "--listen"));
    assert_non_null(strstr(out, "--max-body"));

    const char *admin_help[] = {"admin", "--help", NULL};
    assert_int_equal(run_signet(admin_help, out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(out, "key create"));

    const char *version[] = {"version", NULL};
    assert_int_equal(run_signet(version, out, sizeof out, err, sizeof err), 0);
    assert_true(strncmp(out, "signet ", 7) == 0);
    assert_int_equal(count_lines(out), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_option_exits_2_naming_it),
        cmocka_unit_test(bad_threads_value_exits_2_naming_threads),
        cmocka_unit_test(bad_listen_from_environment_exits_2),
        cmocka_unit_test(unknown_key_in_config_file_exits_2),
        cmocka_unit_test(flag_beats_environment_beats_file),
        cmocka_unit_test(help_and_version_exit_0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
