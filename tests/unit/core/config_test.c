/* Tests for src/core/config.c: defaults, flags, environment, config file and errors. */
#include "core/config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const char *option_env[] = {
    "SIGNET_LISTEN",  "SIGNET_DATA",     "SIGNET_PUBLIC_URL", "SIGNET_STORE",
    "SIGNET_REALM",   "SIGNET_CONFIG",   "SIGNET_LOG_LEVEL",  "SIGNET_MASTER_KEY_FILE",
    "SIGNET_THREADS", "SIGNET_MAX_BODY", "SIGNET_TOKEN_TTL",  "SIGNET_SHUTDOWN_GRACE",
    "SIGNET_DEMO",
};

/* Temporary config files created by a test, removed in teardown. */
static char temp_paths[4][64];
static int n_temp;

static int clean_env(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof option_env / sizeof option_env[0]; i++)
        unsetenv(option_env[i]);
    n_temp = 0;
    return 0;
}

static int cleanup(void **state)
{
    for (int i = 0; i < n_temp; i++)
        unlink(temp_paths[i]);
    return clean_env(state);
}

/* Writes text to a new file in /tmp; returns its path (valid until teardown). */
static const char *temp_file(const char *text)
{
    assert_true(n_temp < 4);
    char *path = temp_paths[n_temp++];
    snprintf(path, sizeof temp_paths[0], "/tmp/signet_config_test_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

struct loaded {
    struct config cfg;
    enum config_result rc;
    char err[512];
    const char *pos[4];
    size_t n_pos;
};

static void load(struct loaded *l, int argc, char **argv, struct cli_opt *extra, size_t max_pos)
{
    memset(l, 0, sizeof *l);
    l->rc =
        config_load(&l->cfg, argc, argv, extra, l->pos, max_pos, &l->n_pos, l->err, sizeof l->err);
}

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void load_ok(struct loaded *l, int argc, char **argv)
{
    load(l, argc, argv, NULL, 0);
    if (l->rc != CONFIG_OK)
        fail_msg("config_load failed (%d): %s", l->rc, l->err);
}

/* Expects CONFIG_ERROR with an error line that contains every word given. */
static void load_fails_naming(int argc, char **argv, const char *word, const char *word2)
{
    struct loaded l;
    load(&l, argc, argv, NULL, 0);
    if (l.rc != CONFIG_ERROR)
        fail_msg("expected CONFIG_ERROR, got %d (err '%s')", l.rc, l.err);
    if (!strstr(l.err, word) || (word2 && !strstr(l.err, word2)))
        fail_msg("error line '%s' does not name '%s'%s%s", l.err, word, word2 ? " and " : "",
                 word2 ? word2 : "");
    assert_null(strchr(l.err, '\n'));
    config_free(&l.cfg);
}

static void defaults_apply_without_any_setting(void **state)
{
    (void)state;
    struct loaded l;
    load_ok(&l, 0, NULL);
    assert_string_equal(l.cfg.listen, "127.0.0.1:8080");
    assert_string_equal(l.cfg.listen_host, "127.0.0.1");
    assert_int_equal(l.cfg.listen_port, 8080);
    assert_string_equal(l.cfg.data_dir, "./var");
    assert_string_equal(l.cfg.public_url, "http://127.0.0.1:8080");
    assert_string_equal(l.cfg.store, "sqlite");
    assert_string_equal(l.cfg.realm, "signet");
    assert_string_equal(l.cfg.config_file, "");
    assert_string_equal(l.cfg.log_level, "info");
    assert_string_equal(l.cfg.master_key_file, "");
    assert_int_equal(l.cfg.threads, 0);
    assert_int_equal(l.cfg.max_body, 62914560);
    assert_int_equal(l.cfg.token_ttl, 300);
    assert_int_equal(l.cfg.shutdown_grace, 30);
    assert_false(l.cfg.demo);
    assert_int_equal(l.n_pos, 0);
    assert_string_equal(l.err, "");
    config_free(&l.cfg);
    assert_null(l.cfg.listen);
    assert_null(l.cfg.listen_host);
    config_free(&l.cfg); /* a second free is harmless */
}

static void flags_accept_name_equals_value_and_name_space_value(void **state)
{
    (void)state;
    char *argv[] = {"--listen=0.0.0.0:9090",
                    "--realm",
                    "acme",
                    "--threads=4",
                    "--token-ttl",
                    "600",
                    "--demo",
                    "--data",
                    "/srv/signet",
                    "--public-url=https://sign.example.com//"};
    struct loaded l;
    load_ok(&l, ARGC(argv), argv);
    assert_string_equal(l.cfg.listen, "0.0.0.0:9090");
    assert_string_equal(l.cfg.listen_host, "0.0.0.0");
    assert_int_equal(l.cfg.listen_port, 9090);
    assert_string_equal(l.cfg.realm, "acme");
    assert_int_equal(l.cfg.threads, 4);
    assert_int_equal(l.cfg.token_ttl, 600);
    assert_true(l.cfg.demo);
    assert_string_equal(l.cfg.data_dir, "/srv/signet");
    assert_string_equal(l.cfg.public_url, "https://sign.example.com");
    config_free(&l.cfg);
}

static void bool_flag_takes_an_explicit_value_after_equals(void **state)
{
    (void)state;
    setenv("SIGNET_DEMO", "true", 1);
    char *argv[] = {"--demo=false"};
    struct loaded l;
    load_ok(&l, ARGC(argv), argv);
    assert_false(l.cfg.demo);
    config_free(&l.cfg);
}

static void ipv6_listen_address_loses_its_brackets(void **state)
{
    (void)state;
    char *argv[] = {"--listen", "[::1]:0"};
    struct loaded l;
    load_ok(&l, ARGC(argv), argv);
    assert_string_equal(l.cfg.listen_host, "::1");
    assert_int_equal(l.cfg.listen_port, 0);
    assert_string_equal(l.cfg.public_url, "http://[::1]:0");
    config_free(&l.cfg);
}

static void flag_wins_over_environment_which_wins_over_file(void **state)
{
    (void)state;
    const char *path = temp_file("threads = 3\nrealm = from-file\nlog-level = warn\n"
                                 "token-ttl = 100\n");
    char config_arg[128];
    snprintf(config_arg, sizeof config_arg, "--config=%s", path);
    setenv("SIGNET_THREADS", "5", 1);
    setenv("SIGNET_REALM", "from-env", 1);
    char *argv[] = {config_arg, "--threads", "7"};
    struct loaded l;
    load_ok(&l, ARGC(argv), argv);
    assert_int_equal(l.cfg.threads, 7);           /* flag */
    assert_string_equal(l.cfg.realm, "from-env"); /* env over file */
    assert_string_equal(l.cfg.log_level, "warn"); /* file over default */
    assert_int_equal(l.cfg.token_ttl, 100);       /* file over default */
    assert_int_equal(l.cfg.max_body, 62914560);   /* default */
    assert_string_equal(l.cfg.config_file, path);
    config_free(&l.cfg);

    /* Without the flag the environment decides; without both, the file. */
    load_ok(&l, 1, argv);
    assert_int_equal(l.cfg.threads, 5);
    config_free(&l.cfg);
    unsetenv("SIGNET_THREADS");
    load_ok(&l, 1, argv);
    assert_int_equal(l.cfg.threads, 3);
    config_free(&l.cfg);
}

static void config_file_may_be_named_by_the_environment(void **state)
{
    (void)state;
    const char *path = temp_file("# a comment\n\n   \nstore = sqlite:/tmp/x.db\n"
                                 "  public_url =  http://localhost:1234/  \ndemo = yes\n");
    setenv("SIGNET_CONFIG", path, 1);
    struct loaded l;
    load_ok(&l, 0, NULL);
    assert_string_equal(l.cfg.store, "sqlite:/tmp/x.db");
    assert_string_equal(l.cfg.public_url, "http://localhost:1234");
    assert_true(l.cfg.demo);
    config_free(&l.cfg);
}

static void environment_names_use_underscores_for_dashes(void **state)
{
    (void)state;
    setenv("SIGNET_MAX_BODY", "2048", 1);
    setenv("SIGNET_LOG_LEVEL", "debug", 1);
    setenv("SIGNET_STORE", "postgres://db/signet", 1);
    struct loaded l;
    load_ok(&l, 0, NULL);
    assert_int_equal(l.cfg.max_body, 2048);
    assert_string_equal(l.cfg.log_level, "debug");
    assert_string_equal(l.cfg.store, "postgres://db/signet");
    config_free(&l.cfg);
}

static void unknown_flag_is_an_error_naming_it(void **state)
{
    (void)state;
    char *argv[] = {"--listen", "127.0.0.1:1", "--bogus-option=1"};
    load_fails_naming(ARGC(argv), argv, "--bogus-option", NULL);
}

static void flag_without_its_value_is_an_error(void **state)
{
    (void)state;
    char *argv[] = {"--realm"};
    load_fails_naming(ARGC(argv), argv, "--realm", "value");
}

static void bad_integers_are_errors_naming_the_option(void **state)
{
    (void)state;
    char *a1[] = {"--threads=many"};
    load_fails_naming(ARGC(a1), a1, "threads", "many");
    char *a2[] = {"--threads", "2000"}; /* above the maximum */
    load_fails_naming(ARGC(a2), a2, "threads", "2000");
    char *a3[] = {"--token-ttl=5"}; /* below the minimum */
    load_fails_naming(ARGC(a3), a3, "token-ttl", "5");
    char *a4[] = {"--max-body=12k"};
    load_fails_naming(ARGC(a4), a4, "max-body", NULL);
    char *a5[] = {"--threads="};
    load_fails_naming(ARGC(a5), a5, "threads", NULL);
    char *a6[] = {"--threads= 4"};
    load_fails_naming(ARGC(a6), a6, "threads", NULL);
    setenv("SIGNET_SHUTDOWN_GRACE", "soon", 1);
    load_fails_naming(0, NULL, "SIGNET_SHUTDOWN_GRACE", "shutdown-grace");
}

static void bad_bool_is_an_error_naming_the_option(void **state)
{
    (void)state;
    char *argv[] = {"--demo=maybe"};
    load_fails_naming(ARGC(argv), argv, "demo", "maybe");
}

static void bad_listen_is_an_error_naming_listen(void **state)
{
    (void)state;
    static const char *bad[] = {"localhost",      "localhost:",      ":8080",
                                "localhost:http", "localhost:65536", "localhost:-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char arg[64];
        snprintf(arg, sizeof arg, "--listen=%s", bad[i]);
        char *argv[] = {arg};
        load_fails_naming(1, argv, "listen", bad[i]);
    }
}

static void bad_store_is_an_error_naming_store(void **state)
{
    (void)state;
    char *a1[] = {"--store", "mysql://db"};
    load_fails_naming(ARGC(a1), a1, "store", "mysql://db");
    char *a2[] = {"--store="};
    load_fails_naming(ARGC(a2), a2, "store", NULL);
}

static void other_invalid_values_are_errors_naming_the_option(void **state)
{
    (void)state;
    char *a1[] = {"--log-level=verbose"};
    load_fails_naming(ARGC(a1), a1, "log-level", "verbose");
    char *a2[] = {"--realm=a/b"};
    load_fails_naming(ARGC(a2), a2, "realm", "a/b");
    char *a3[] = {"--realm="};
    load_fails_naming(ARGC(a3), a3, "realm", NULL);
    char *a4[] = {"--public-url=ftp://x"};
    load_fails_naming(ARGC(a4), a4, "public-url", NULL);
    char *a5[] = {"--data="};
    load_fails_naming(ARGC(a5), a5, "data", NULL);
}

static void unknown_key_in_file_is_an_error_naming_it_and_the_line(void **state)
{
    (void)state;
    const char *path = temp_file("realm = ok\n# comment\ncolour = blue\n");
    char arg[128];
    snprintf(arg, sizeof arg, "--config=%s", path);
    char *argv[] = {arg};
    load_fails_naming(1, argv, "colour", "line 3");
}

static void bad_value_or_line_in_file_is_an_error(void **state)
{
    (void)state;
    char arg[128];
    snprintf(arg, sizeof arg, "--config=%s", temp_file("threads = lots\n"));
    char *a1[] = {arg};
    load_fails_naming(1, a1, "threads", "lots");
    snprintf(arg, sizeof arg, "--config=%s", temp_file("just words\n"));
    char *a2[] = {arg};
    load_fails_naming(1, a2, "line 1", "name = value");
    char *a3[] = {"--config", "/tmp/signet-config-test-does-not-exist.conf"};
    load_fails_naming(2, a3, "config", "does-not-exist");
}

static void extra_options_are_accepted_only_for_the_command(void **state)
{
    (void)state;
    struct cli_opt extra[] = {
        {"org", true, "organization", NULL},
        {"force", false, "do it", NULL},
        {"name", true, "a name", NULL},
        {NULL, false, NULL, NULL},
    };
    char *argv[] = {"--org", "acme", "--threads", "2", "--force", "--name=Jane Doe"};
    struct loaded l;
    load(&l, ARGC(argv), argv, extra, 0);
    if (l.rc != CONFIG_OK)
        fail_msg("config_load failed: %s", l.err);
    assert_string_equal(extra[0].value, "acme");
    assert_string_equal(extra[1].value, "true");
    assert_string_equal(extra[2].value, "Jane Doe");
    assert_int_equal(l.cfg.threads, 2);
    config_free(&l.cfg);

    /* An option that is not in the table is unknown for a command without it. */
    load(&l, 2, argv, NULL, 0);
    assert_int_equal(l.rc, CONFIG_ERROR);
    assert_non_null(strstr(l.err, "--org"));
    config_free(&l.cfg);
}

static void extra_options_left_out_keep_a_null_value(void **state)
{
    (void)state;
    struct cli_opt extra[] = {{"org", true, "organization", NULL}, {NULL, false, NULL, NULL}};
    struct loaded l;
    load(&l, 0, NULL, extra, 0);
    assert_int_equal(l.rc, CONFIG_OK);
    assert_null(extra[0].value);
    config_free(&l.cfg);
}

static void positionals_are_collected_in_order_up_to_the_maximum(void **state)
{
    (void)state;
    struct cli_opt extra[] = {{"org", true, "organization", NULL}, {NULL, false, NULL, NULL}};
    char *argv[] = {"create", "--org", "acme", "client-1", "--realm=r1"};
    struct loaded l;
    load(&l, ARGC(argv), argv, extra, 2);
    if (l.rc != CONFIG_OK)
        fail_msg("config_load failed: %s", l.err);
    assert_int_equal(l.n_pos, 2);
    assert_string_equal(l.pos[0], "create");
    assert_string_equal(l.pos[1], "client-1");
    assert_string_equal(extra[0].value, "acme");
    assert_string_equal(l.cfg.realm, "r1");
    config_free(&l.cfg);

    char *too_many[] = {"a", "b", "c"};
    load(&l, 3, too_many, NULL, 2);
    assert_int_equal(l.rc, CONFIG_ERROR);
    assert_non_null(strstr(l.err, "'c'"));
    config_free(&l.cfg);
}

static void help_flag_asks_for_help(void **state)
{
    (void)state;
    char *argv[] = {"--threads=2", "--help"};
    struct loaded l;
    load(&l, ARGC(argv), argv, NULL, 0);
    assert_int_equal(l.rc, CONFIG_HELP);
    config_free(&l.cfg);
    char *argv2[] = {"-h"};
    load(&l, 1, argv2, NULL, 0);
    assert_int_equal(l.rc, CONFIG_HELP);
    config_free(&l.cfg);
}

#define T(f) cmocka_unit_test_setup_teardown(f, clean_env, cleanup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(defaults_apply_without_any_setting),
        T(flags_accept_name_equals_value_and_name_space_value),
        T(bool_flag_takes_an_explicit_value_after_equals),
        T(ipv6_listen_address_loses_its_brackets),
        T(flag_wins_over_environment_which_wins_over_file),
        T(config_file_may_be_named_by_the_environment),
        T(environment_names_use_underscores_for_dashes),
        T(unknown_flag_is_an_error_naming_it),
        T(flag_without_its_value_is_an_error),
        T(bad_integers_are_errors_naming_the_option),
        T(bad_bool_is_an_error_naming_the_option),
        T(bad_listen_is_an_error_naming_listen),
        T(bad_store_is_an_error_naming_store),
        T(other_invalid_values_are_errors_naming_the_option),
        T(unknown_key_in_file_is_an_error_naming_it_and_the_line),
        T(bad_value_or_line_in_file_is_an_error),
        T(extra_options_are_accepted_only_for_the_command),
        T(extra_options_left_out_keep_a_null_value),
        T(positionals_are_collected_in_order_up_to_the_maximum),
        T(help_flag_asks_for_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
