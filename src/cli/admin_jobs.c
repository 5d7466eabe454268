/* signet admin jobs list|run: the background jobs (jobs/jobs.h) seen and run from the command
 * line, on the store directly, while servers run on it or not. `run` claims the job's lease
 * like a server node does, so it never runs a job at the same time as a node. */
#include "cli/cli.h"
#include "core/config.h"
#include "core/isotime.h"
#include "core/log.h"
#include "jobs/jobs.h"
#include "store/jobs.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void jobs_usage(FILE *out)
{
    fprintf(out, "Usage: signet admin jobs COMMAND [OPTIONS]\n\n"
                 "  list [--json]                   the jobs, their last run and lease\n"
                 "  run [NAME] [--now TIME] [--json]\n"
                 "                                  run a job (every job without NAME) now,\n"
                 "                                  whether due or not; --now (ISO 8601) is the\n"
                 "                                  time the job treats as now (default: the "
                 "clock)\n\n"
                 "Jobs:\n");
    for (const struct jobs_kind *k = jobs_kinds; k->name; k++)
        fprintf(out, "  %-10s %s\n", k->name, k->what);
    fprintf(out, "\nTakes the same --data / --store options as serve.\n");
}

static json_t *time_json(int64_t ms)
{
    char t[ISO_DATETIME_LEN];
    if (!ms)
        return json_null();
    iso_format_datetime(ms, false, t);
    return json_string(t);
}

struct list_ctx {
    struct store_job *jobs;
    size_t n;
};

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct list_ctx *l = cls;
    free(l->jobs);
    l->jobs = NULL;
    return store_job_list(tx, &l->jobs, &l->n);
}

static int jobs_list(struct store *s, bool as_json)
{
    struct list_ctx l = {0};
    enum store_status st = store_run(s, STORE_READ, list_tx, &l);
    if (st != STORE_OK) {
        fprintf(stderr, "signet admin jobs: the store failed (%s)\n", store_status_name(st));
        free(l.jobs);
        return 1;
    }
    json_t *arr = json_array();
    for (const struct jobs_kind *k = jobs_kinds; k->name; k++) {
        const struct store_job *j = NULL;
        for (size_t i = 0; i < l.n && !j; i++)
            if (!strcmp(l.jobs[i].name, k->name))
                j = &l.jobs[i];
        if (as_json) {
            json_t *o =
                json_pack("{s:s, s:s, s:I, s:I}", "name", k->name, "what", k->what, "runs",
                          (json_int_t)(j ? j->runs : 0), "items", (json_int_t)(j ? j->items : 0));
            json_object_set_new(o, "nextRunAt", time_json(j ? j->next_run_at : 0));
            json_object_set_new(o, "lastStartedAt", time_json(j ? j->last_started_at : 0));
            json_object_set_new(o, "lastFinishedAt", time_json(j ? j->last_finished_at : 0));
            json_object_set_new(o, "lastResult",
                                j && j->last_result[0] ? json_string(j->last_result) : json_null());
            json_object_set_new(o, "lastNode",
                                j && j->last_owner[0] ? json_string(j->last_owner) : json_null());
            json_object_set_new(o, "leaseOwner",
                                j && j->lease_owner[0] ? json_string(j->lease_owner) : json_null());
            json_object_set_new(o, "leaseUntil", time_json(j ? j->lease_until : 0));
            json_array_append_new(arr, o);
        } else {
            printf("%-10s runs %lld, items %lld, last: %s\n", k->name, (long long)(j ? j->runs : 0),
                   (long long)(j ? j->items : 0),
                   j && j->last_result[0] ? j->last_result : "never ran");
        }
    }
    if (as_json)
        cli_print_json(arr);
    else
        json_decref(arr);
    free(l.jobs);
    return 0;
}

static int jobs_run(struct store *s, const struct config *cfg, const char *only, int64_t as_of,
                    bool as_json)
{
    char owner[128];
    char node[100];
    jobs_node_name(node, sizeof node);
    snprintf(owner, sizeof owner, "admin:%s", node);
    int64_t interval = cfg->job_interval > 0 ? cfg->job_interval * 1000 : 60000;
    json_t *arr = json_array();
    int rc = 0;
    for (const struct jobs_kind *k = jobs_kinds; k->name; k++) {
        if (only && strcmp(only, k->name) != 0)
            continue;
        struct jobs_outcome out;
        int64_t now = time_now_ms();
        enum jobs_run_result r = jobs_run_one(s, cfg, k, owner, now, as_of ? as_of : now, interval,
                                              true, "admin", NULL, &out);
        const char *state = r == JOBS_RAN ? "ran" : r == JOBS_NOT_DUE ? "busy" : "failed";
        if (r != JOBS_RAN)
            rc = 1;
        if (as_json)
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:I, s:b, s:s}", "name", k->name, "state", state,
                               "items", (json_int_t)out.items, "more", out.more, "result",
                               r == JOBS_NOT_DUE ? "another node holds the lease" : out.summary));
        else if (r == JOBS_NOT_DUE)
            printf("%s: another node is running it now; try again later\n", k->name);
        else
            printf("%s: %s\n", k->name, out.summary);
    }
    if (as_json)
        cli_print_json(arr);
    else
        json_decref(arr);
    return rc;
}

int cli_admin_jobs(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        jobs_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    const char *verb = argv[0];
    struct cli_opt extra[] = {
        {"json", false, "print JSON", NULL},
        {"now", true, "run: the time the job treats as now (ISO 8601 date-time)", NULL},
        {NULL, false, NULL, NULL},
    };
    struct config cfg;
    char err[512];
    const char *pos[1];
    size_t npos = 0;
    int rc = 2;
    struct store *s = NULL;
    enum config_result cr =
        config_load(&cfg, argc - 1, argv + 1, extra, pos, 1, &npos, err, sizeof err);
    if (cr == CONFIG_HELP) {
        jobs_usage(stdout);
        printf("\nOptions:\n");
        config_print_help(extra);
        config_free(&cfg);
        return 0;
    }
    if (cr == CONFIG_ERROR) {
        fprintf(stderr, "signet admin jobs: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    log_set_level((enum log_level)log_level_parse(cfg.log_level));
    bool as_json = extra[0].value != NULL;
    bool list = !strcmp(verb, "list"), run = !strcmp(verb, "run");
    int64_t as_of = 0;
    if (!list && !run) {
        fprintf(stderr, "signet admin jobs: unknown command '%s' (see signet admin jobs --help)\n",
                verb);
        goto cleanup;
    }
    if (list && (npos != 0 || extra[1].value)) {
        fprintf(stderr, "signet admin jobs: list takes no arguments\n");
        goto cleanup;
    }
    if (run && npos == 1 && !jobs_find(pos[0])) {
        fprintf(stderr, "signet admin jobs: no job '%s' (see signet admin jobs --help)\n", pos[0]);
        goto cleanup;
    }
    if (extra[1].value && !iso_parse_datetime(extra[1].value, &as_of)) {
        fprintf(stderr, "signet admin jobs: --now must be an ISO 8601 date-time such as "
                        "2030-01-01T00:00:00Z\n");
        goto cleanup;
    }
    rc = 1;
    s = cli_open_store(&cfg);
    if (!s)
        goto cleanup;
    rc = list ? jobs_list(s, as_json) : jobs_run(s, &cfg, npos ? pos[0] : NULL, as_of, as_json);
cleanup:
    store_close(s);
    config_free(&cfg);
    return rc;
}
