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
 * directory at a time runs unchanged on PostgreSQL (the `api_*_pg` tests, docs/postgres.md).
 */
static bool use_postgres_for(const char *data_dir)
{
    const char *server = getenv("SIGNET_TEST_STORE");
    if (!server || !*server)
        return true;
    char schema[64] = "api_";
    size_t n = strlen(schema);
    const char *tail = strrchr(data_dir, '-');
    for (tail = tail ? tail + 1 : data_dir; *tail && n + 1 < sizeof schema; tail++)
        if ((*tail >= 'a' && *tail <= 'z') || (*tail >= '0' && *tail <= '9'))
            schema[n++] = *tail;
        else if (*tail >= 'A' && *tail <= 'Z')
            schema[n++] = (char)(*tail - 'A' + 'a');
    schema[n] = '\0';
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
    snprintf(dsn, sizeof dsn, "%s%soptions=-csearch_path%%3D%s", server,
             strchr(server, '?') ? "&" : "?", schema);
    return ok && setenv("SIGNET_STORE", dsn, 1) == 0;
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
        execv(argv[0], (char *const *)argv);
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
    pid_t pid = fork();
    if (pid == 0) {
        dup2(o[1], STDOUT_FILENO);
        dup2(e[1], STDERR_FILENO);
        close(o[0]);
        close(e[0]);
        close(o[1]);
        close(e[1]);
        execv(argv[0], (char *const *)argv);
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
