#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

/*
 * With SIGNET_TEST_STORE (a PostgreSQL server, set by tests/postgres/with_postgres.sh) each data
 * directory gets a schema of its own on that server, and SIGNET_STORE (which `signet serve` and
 * the CLI read, and inherit from this process) points at it. A test that uses one data
 * directory at a time runs unchanged on PostgreSQL (the `api_*_pg` tests, docs/postgres.md);
 * one that uses several passes test_store_for(dir) as --store for each.
 */
static const char *test_server(void)
{
    const char *server = getenv("SIGNET_TEST_STORE");
    return server && *server ? server : NULL;
}

/* data_dir's schema name: "api_" and the lower-cased letters and digits of mkdtemp's suffix. */
static void schema_for(const char *data_dir, char schema[64])
{
    size_t n = strlen("api_");
    memcpy(schema, "api_", n);
    const char *tail = strrchr(data_dir, '-');
    for (tail = tail ? tail + 1 : data_dir; *tail && n + 1 < 64; tail++)
        if ((*tail >= 'a' && *tail <= 'z') || (*tail >= '0' && *tail <= '9'))
            schema[n++] = *tail;
        else if (*tail >= 'A' && *tail <= 'Z')
            schema[n++] = (char)(*tail - 'A' + 'a');
    schema[n] = '\0';
}

bool test_on_postgres(void)
{
    return test_server() != NULL;
}

bool test_store_for(const char *data_dir, char *out, size_t out_len)
{
    const char *server = test_server();
    int n;
    if (!server) {
        n = snprintf(out, out_len, "sqlite:%s/signet.db", data_dir);
    } else {
        char schema[64];
        schema_for(data_dir, schema);
        n = snprintf(out, out_len, "%s%soptions=-csearch_path%%3D%s", server,
                     strchr(server, '?') ? "&" : "?", schema);
    }
    return n > 0 && (size_t)n < out_len;
}

/* The data directories that have a schema (use_postgres_for), so that every `signet` run on one
 * gets its store even while the test uses several at once (SIGNET_STORE holds the last one). */
static char prepared[64][256];
static size_t n_prepared;

static bool is_prepared(const char *data_dir)
{
    for (size_t i = 0; i < n_prepared; i++)
        if (!strcmp(prepared[i], data_dir))
            return true;
    return false;
}

/* The environment for a `signet` child working on data_dir: this process's, with SIGNET_STORE
 * set to data_dir's schema when it has one. Built before fork (no allocation in the child).
 * env holds cap pointers; store is the buffer for the variable. */
static char **child_env(const char *data_dir, char **env, size_t cap, char *store, size_t store_len)
{
    extern char **environ;
    if (!data_dir || !test_server() || !is_prepared(data_dir))
        return environ;
    int k = snprintf(store, store_len, "SIGNET_STORE=");
    if (k < 0 || !test_store_for(data_dir, store + k, store_len - (size_t)k))
        return environ;
    size_t n = 0;
    for (char **e = environ; *e && n + 2 < cap; e++)
        if (strncmp(*e, "SIGNET_STORE=", 13) != 0)
            env[n++] = *e;
    env[n++] = store;
    env[n] = NULL;
    return env;
}

static bool use_postgres_for(const char *data_dir)
{
    const char *server = test_server();
    if (!server)
        return true;
    if (!is_prepared(data_dir) && n_prepared < sizeof prepared / sizeof prepared[0] &&
        strlen(data_dir) < sizeof prepared[0])
        snprintf(prepared[n_prepared++], sizeof prepared[0], "%s", data_dir);
    char schema[64];
    schema_for(data_dir, schema);
    char sql[256]; /* two schema names of at most 63 bytes and the words */
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema, schema);
    PGconn *pg = PQconnectdb(server);
    bool ok = PQstatus(pg) == CONNECTION_OK;
    if (ok) {
        PGresult *res = PQexec(pg, sql);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "harness: %s: %s", sql, PQresultErrorMessage(res));
        PQclear(res);
    } else {
        fprintf(stderr, "harness: cannot reach %s: %s", server, PQerrorMessage(pg));
    }
    PQfinish(pg);
    char dsn[1024];
    return ok && test_store_for(data_dir, dsn, sizeof dsn) && setenv("SIGNET_STORE", dsn, 1) == 0;
}

static const char *signet_bin(void)
{
    const char *b = getenv("SIGNET_BIN");
    return b ? b : "build/signet";
}

bool server_start(struct server *s, const char *data_dir, const char *const *extra_args)
{
    return server_start_log(s, data_dir, extra_args, NULL);
}

bool server_start_log(struct server *s, const char *data_dir, const char *const *extra_args,
                      const char *stderr_path)
{
    memset(s, 0, sizeof *s);
    if (data_dir) {
        snprintf(s->data_dir, sizeof s->data_dir, "%s", data_dir);
    } else {
        snprintf(s->data_dir, sizeof s->data_dir, "/tmp/signet-test-XXXXXX");
        if (!mkdtemp(s->data_dir) || !use_postgres_for(s->data_dir))
            return false;
    }
    int out[2];
    /* O_CLOEXEC: a server forked by another thread at the same time must not inherit this
     * pipe, or its EOF (the server died) would never come. dup2 clears the flag on stdout. */
    if (pipe2(out, O_CLOEXEC) != 0)
        return false;
    const char *argv[64];
    int n = 0;
    argv[n++] = signet_bin();
    argv[n++] = "serve";
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--data";
    argv[n++] = s->data_dir;
    argv[n++] = "--log-level";
    argv[n++] = getenv("SIGNET_TEST_LOG") ? getenv("SIGNET_TEST_LOG") : "warn";
    for (const char *const *a = extra_args; a && *a && n < 62; a++)
        argv[n++] = *a;
    argv[n] = NULL;
    char *env_buf[512], store_var[1100];
    char **env = child_env(s->data_dir, env_buf, 512, store_var, sizeof store_var);
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        if (stderr_path) {
            int fd = open(stderr_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
            if (fd < 0)
                _exit(127);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execve(argv[0], (char *const *)argv, env);
        _exit(127);
    }
    close(out[1]);
    s->pid = pid;
    s->stdout_fd = out[0];
    /* Read the server's stdout until the "listening" line: it is printed once the socket is
     * bound, so the server is ready when we see it. EOF means the server died. */
    size_t len = 0;
    for (;;) {
        if (len >= sizeof s->banner - 1)
            break;
        ssize_t r = read(out[0], s->banner + len, sizeof s->banner - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        s->banner[len] = '\0';
        const char *l = strstr(s->banner, "signet: listening on ");
        if (l && strchr(l, '\n')) {
            const char *p = strstr(l, "(port ");
            if (p)
                s->port = atoi(p + 6);
            break;
        }
    }
    if (s->port <= 0) {
        fprintf(stderr, "harness: server did not start; it printed:\n%s\n", s->banner);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return false;
    }
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
    return true;
}

int server_stop(struct server *s, bool keep_data)
{
    int status = -1;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        if (waitpid(s->pid, &status, 0) == s->pid && WIFEXITED(status))
            status = WEXITSTATUS(status);
        else
            status = -1;
        s->pid = 0;
    }
    if (s->stdout_fd > 0)
        close(s->stdout_fd);
    s->stdout_fd = 0;
    if (!keep_data && s->data_dir[0]) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->data_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "harness: could not remove %s\n", s->data_dir);
    }
    return status;
}

static void read_all(int fd, char *out, size_t out_len)
{
    size_t len = 0;
    for (;;) {
        char tmp[4096];
        ssize_t r = read(fd, tmp, sizeof tmp);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (out && len < out_len - 1) {
            size_t k = (size_t)r < out_len - 1 - len ? (size_t)r : out_len - 1 - len;
            memcpy(out + len, tmp, k);
            len += k;
        }
    }
    if (out)
        out[len] = '\0';
}

int run_signet(const char *const *args, char *out, size_t out_len, char *err, size_t err_len)
{
    int o[2], e[2];
    if (pipe(o) != 0 || pipe(e) != 0)
        return -1;
    const char *argv[64];
    int n = 0;
    argv[n++] = signet_bin();
    for (const char *const *a = args; a && *a && n < 62; a++)
        argv[n++] = *a;
    argv[n] = NULL;
    const char *data_dir = NULL; /* the run's --data DIR, whose store it gets */
    for (int i = 1; i + 1 < n; i++)
        if (!strcmp(argv[i], "--data"))
            data_dir = argv[i + 1];
    char *env_buf[512], store_var[1100];
    char **env = child_env(data_dir, env_buf, 512, store_var, sizeof store_var);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(o[1], STDOUT_FILENO);
        dup2(e[1], STDERR_FILENO);
        close(o[0]);
        close(e[0]);
        close(o[1]);
        close(e[1]);
        execve(argv[0], (char *const *)argv, env);
        _exit(127);
    }
    close(o[1]);
    close(e[1]);
    read_all(o[0], out, out_len);
    read_all(e[0], err, err_len);
    close(o[0]);
    close(e[0]);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

struct growing {
    char *p;
    size_t len;
};

static size_t collect(char *data, size_t size, size_t n, void *cls)
{
    struct growing *g = cls;
    size_t add = size * n;
    char *p = realloc(g->p, g->len + add + 1);
    if (!p)
        return 0;
    memcpy(p + g->len, data, add);
    g->p = p;
    g->len += add;
    g->p[g->len] = '\0';
    return add;
}

bool http(const struct server *s, const char *method, const char *path, const char *const *headers,
          const void *body, size_t body_len, struct response *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (!c)
        return false;
    char url[2048];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    struct growing b = {0}, h = {0};
    struct curl_slist *hl = NULL;
    bool expect = false;
    for (const char *const *x = headers; x && *x; x++) {
        hl = curl_slist_append(hl, *x);
        expect = expect || !strncasecmp(*x, "Expect:", 7);
    }
    if (!expect) /* no 100-continue round trip unless the test asks for it */
        hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    else
        fprintf(stderr, "harness: %s %s: %s\n", method, path, curl_easy_strerror(rc));
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    out->body = b.p ? b.p : calloc(1, 1);
    out->body_len = b.len;
    out->headers = h.p ? h.p : calloc(1, 1);
    if (out->body_len)
        out->json = json_loadb(out->body, out->body_len, 0, NULL);
    return rc == CURLE_OK;
}

void response_free(struct response *r)
{
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

bool response_header(const struct response *r, const char *name, char *out, size_t out_len)
{
    size_t n = strlen(name);
    for (const char *l = r->headers; l && *l;) {
        const char *end = strstr(l, "\r\n");
        size_t llen = end ? (size_t)(end - l) : strlen(l);
        if (llen > n && l[n] == ':' && strncasecmp(l, name, n) == 0) {
            const char *v = l + n + 1;
            while (*v == ' ')
                v++;
            size_t vlen = llen - (size_t)(v - l);
            if (vlen >= out_len)
                vlen = out_len - 1;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return true;
        }
        if (!end)
            break;
        l = end + 2;
    }
    return false;
}

void assert_error_object(const struct response *r, long status, const char *name)
{
    if (r->status != status)
        fprintf(stderr, "expected status %ld, got %ld: %s\n", status, r->status, r->body);
    assert_int_equal(r->status, status);
    assert_non_null(r->json);
    const char *fields[] = {"id",   "timestamp",     "name",      "message",
                            "path", "clientSubject", "clientBody"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        json_t *v = json_object_get(r->json, fields[i]);
        if (!json_is_string(v))
            fprintf(stderr, "Error object lacks string field '%s': %s\n", fields[i], r->body);
        assert_true(json_is_string(v));
    }
    assert_int_equal(json_integer_value(json_object_get(r->json, "httpStatus")), status);
    assert_string_equal(json_string_value(json_object_get(r->json, "name")), name);
    char ct[128];
    assert_true(response_header(r, "Content-Type", ct, sizeof ct));
    assert_string_equal(ct, "application/json");
}

bool make_data_dir(char *out, size_t out_len)
{
    if (out_len < sizeof "/tmp/signet-test-XXXXXX")
        return false;
    snprintf(out, out_len, "/tmp/signet-test-XXXXXX");
    return mkdtemp(out) != NULL && use_postgres_for(out);
}

bool admin_key_create(const char *data_dir, char *key, size_t key_len, char *id, size_t id_len)
{
    char out[4096], err[4096];
    const char *args[] = {"admin", "key", "create", "--data", data_dir, "--json", NULL};
    int rc = run_signet(args, out, sizeof out, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "harness: admin key create exited %d: %s\n", rc, err);
        return false;
    }
    json_t *j = json_loads(out, 0, NULL);
    const char *k = json_string_value(json_object_get(j, "admin_key"));
    const char *i = json_string_value(json_object_get(j, "id"));
    bool ok = k && i;
    if (ok && key)
        snprintf(key, key_len, "%s", k);
    if (ok && id)
        snprintf(id, id_len, "%s", i);
    if (!ok)
        fprintf(stderr, "harness: admin key create printed: %s\n", out);
    json_decref(j);
    return ok;
}

struct chunk_source {
    char fill;
    size_t left;
};

static size_t chunk_read(char *buf, size_t size, size_t n, void *cls)
{
    struct chunk_source *src = cls;
    size_t k = size * n;
    if (k > 1000)
        k = 1000;
    if (k > src->left)
        k = src->left;
    memset(buf, src->fill, k);
    src->left -= k;
    return k;
}

bool http_chunked(const struct server *s, const char *method, const char *path,
                  const char *const *headers, char fill, size_t body_len, struct response *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (!c)
        return false;
    char url[2048];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    struct growing b = {0}, h = {0};
    struct chunk_source src = {fill, body_len};
    struct curl_slist *hl = NULL;
    for (const char *const *x = headers; x && *x; x++)
        hl = curl_slist_append(hl, *x);
    hl = curl_slist_append(hl, "Expect:");
    hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, chunk_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &src);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    if (rc != CURLE_OK)
        fprintf(stderr, "harness: chunked %s %s: %s (status %ld)\n", method, path,
                curl_easy_strerror(rc), out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    out->body = b.p ? b.p : calloc(1, 1);
    out->body_len = b.len;
    out->headers = h.p ? h.p : calloc(1, 1);
    if (out->body_len)
        out->json = json_loadb(out->body, out->body_len, 0, NULL);
    return out->status > 0;
}

int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int sh_run(char *out, size_t out_len, const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof cmd)
        return -1;
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t got = 0;
    if (out && out_len) {
        got = fread(out, 1, out_len - 1, p);
        out[got] = '\0';
    }
    char sink[4096];
    while (fread(sink, 1, sizeof sink, p) > 0)
        ;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Appends n bytes to the NUL-terminated text in out (out_len bytes), cutting what does not fit. */
static void append(char *out, size_t out_len, size_t *len, const char *s, size_t n)
{
    if (!out || out_len == 0 || *len >= out_len - 1)
        return;
    if (n > out_len - 1 - *len)
        n = out_len - 1 - *len;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
}

/* PostgreSQL: runs statement on data_dir's schema with libpq; rows as the sqlite3 CLI prints
 * them (fields joined by '|', a newline after each row, NULL empty, booleans 1 and 0, BYTEA as
 * its bytes). */
static bool pg_sql(const char *data_dir, const char *statement, char *out, size_t out_len)
{
    char dsn[1024];
    if (!test_store_for(data_dir, dsn, sizeof dsn))
        return false;
    PGconn *pg = PQconnectdb(dsn);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "harness: test_sql: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return false;
    }
    PGresult *res = PQexec(pg, statement);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "harness: test_sql: %s: %s", statement, PQresultErrorMessage(res));
    size_t len = 0;
    for (int r = 0; ok && r < PQntuples(res); r++) {
        for (int c = 0; c < PQnfields(res); c++) {
            if (c > 0)
                append(out, out_len, &len, "|", 1);
            if (PQgetisnull(res, r, c))
                continue;
            const char *v = PQgetvalue(res, r, c);
            Oid type = PQftype(res, c);
            if (type == 16) { /* boolean: SQLite's 1 and 0 */
                append(out, out_len, &len, v[0] == 't' ? "1" : "0", 1);
            } else if (type == 17) { /* bytea: its bytes, as SQLite prints a BLOB */
                size_t n = 0;
                unsigned char *b = PQunescapeBytea((const unsigned char *)v, &n);
                if (b)
                    append(out, out_len, &len, (const char *)b, n);
                PQfreemem(b);
            } else {
                append(out, out_len, &len, v, strlen(v));
            }
        }
        append(out, out_len, &len, "\n", 1);
    }
    PQclear(res);
    PQfinish(pg);
    return ok;
}

const char *test_sql_insert_order(void)
{
    return test_on_postgres() ? "xmin::text::bigint" : "rowid";
}

bool test_sql(const char *data_dir, const char *statement, char *out, size_t out_len)
{
    if (out && out_len)
        out[0] = '\0';
    if (test_on_postgres())
        return pg_sql(data_dir, statement, out, out_len);
    char db[512];
    snprintf(db, sizeof db, "%s/signet.db", data_dir);
    int o[2];
    if (pipe(o) != 0)
        return false;
    pid_t pid = fork();
    if (pid < 0) {
        close(o[0]);
        close(o[1]);
        return false;
    }
    if (pid == 0) {
        dup2(o[1], STDOUT_FILENO);
        close(o[0]);
        close(o[1]);
        execlp("sqlite3", "sqlite3", "-cmd", ".timeout 5000", db, statement, (char *)NULL);
        _exit(127);
    }
    close(o[1]);
    read_all(o[0], out, out && out_len ? out_len : 1);
    close(o[0]);
    int status;
    bool ok = waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok)
        fprintf(stderr, "harness: test_sql: sqlite3 failed on: %s\n", statement);
    return ok;
}

char *test_db_dump(const char *data_dir)
{
    size_t cap = (size_t)8 << 20;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[0] = '\0';
    if (!test_on_postgres()) {
        char db[512];
        snprintf(db, sizeof db, "%s/signet.db", data_dir);
        int o[2];
        if (pipe(o) != 0)
            goto fail;
        pid_t pid = fork();
        if (pid == 0) {
            dup2(o[1], STDOUT_FILENO);
            close(o[0]);
            close(o[1]);
            execlp("sqlite3", "sqlite3", "-cmd", ".timeout 5000", db, ".dump", (char *)NULL);
            _exit(127);
        }
        close(o[1]);
        read_all(o[0], out, cap);
        close(o[0]);
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            goto fail;
        return out;
    }
    /* PostgreSQL: each table of the schema as "TABLE name" and its rows as row literals
     * (BYTEA in \x hex, as SQLite's .dump writes BLOBs in X'…' hex). */
    char tables[8192];
    if (!pg_sql(data_dir,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "current_schema() ORDER BY table_name",
                tables, sizeof tables))
        goto fail;
    size_t len = 0;
    for (char *t = tables, *nl; (nl = strchr(t, '\n')) != NULL; t = nl + 1) {
        *nl = '\0';
        char q[256];
        int qn = snprintf(q, sizeof q, "SELECT t::text FROM \"%.200s\" t", t);
        if (qn < 0 || (size_t)qn >= sizeof q)
            goto fail;
        append(out, cap, &len, "TABLE ", 6);
        append(out, cap, &len, t, strlen(t));
        append(out, cap, &len, "\n", 1);
        if (!pg_sql(data_dir, q, out + len, cap - len))
            goto fail;
        len += strlen(out + len);
    }
    return out;
fail:
    free(out);
    return NULL;
}

/* Whether the file at path contains needle (its bytes, read whole). */
static bool file_holds(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t cap = (size_t)1 << 20, len = 0, k = strlen(needle);
    char *buf = malloc(cap);
    bool found = false;
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
        if (len == cap) {
            char *b = realloc(buf, cap * 2);
            if (!b)
                break;
            buf = b;
            cap *= 2;
        }
    }
    for (size_t i = 0; buf && k && i + k <= len && !found; i++)
        found = memcmp(buf + i, needle, k) == 0;
    free(buf);
    fclose(f);
    return found;
}

bool test_db_holds(const char *data_dir, const char *needle)
{
    if (test_on_postgres()) {
        char *dump = test_db_dump(data_dir);
        assert_non_null(dump);
        bool found = strstr(dump, needle) != NULL;
        free(dump);
        return found;
    }
    assert_true(test_sql(data_dir, "PRAGMA wal_checkpoint(FULL)", NULL, 0));
    char path[512];
    snprintf(path, sizeof path, "%s/signet.db", data_dir);
    bool found = file_holds(path, needle);
    snprintf(path, sizeof path, "%s/signet.db-wal", data_dir);
    return found || file_holds(path, needle);
}
