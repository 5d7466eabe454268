/*
 * Black-box test harness: starts the real `signet serve` binary (SIGNET_BIN) on a free port
 * in a fresh data directory, waits for its "listening" line (no sleeps), and sends HTTP
 * requests with libcurl. Used by the tests in tests/api with cmocka.
 */
#ifndef SIGNET_TEST_HARNESS_H
#define SIGNET_TEST_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct server {
    pid_t pid;
    int port;
    char base[128];     /* http://127.0.0.1:PORT */
    char data_dir[256]; /* temporary, removed by server_stop */
    int stdout_fd;      /* the server's stdout (banner) */
    char banner[8192];  /* what the server printed on stdout before "listening" */
};

struct response {
    long status;
    char *body; /* NUL-terminated */
    size_t body_len;
    char *headers; /* raw header block */
    json_t *json;  /* parsed body when it is JSON, else NULL */
};

/* Starts a server; extra_args (NULL-terminated, may be NULL) are appended to
 * `signet serve --listen 127.0.0.1:0 --data DIR`. data_dir NULL: a new temp dir. */
bool server_start(struct server *s, const char *data_dir, const char *const *extra_args);
/* Same, with the server's stderr (its log) appended to the file stderr_path (NULL: inherited). */
bool server_start_log(struct server *s, const char *data_dir, const char *const *extra_args,
                      const char *stderr_path);
/* Sends SIGTERM and waits for exit; returns the exit status (or -1). Removes the data dir
 * unless keep_data. */
int server_stop(struct server *s, bool keep_data);
/* Runs `signet ARGS…` to completion; returns the exit code, stdout into out (may be NULL). */
int run_signet(const char *const *args, char *out, size_t out_len, char *err, size_t err_len);

/* One request. method "GET"/"POST"/…; body may be NULL; headers NULL-terminated list of
 * "Name: value" strings (may be NULL). */
bool http(const struct server *s, const char *method, const char *path, const char *const *headers,
          const void *body, size_t body_len, struct response *out);
void response_free(struct response *r);
/* Value of a response header (case-insensitive), copied into out; false if absent. */
bool response_header(const struct response *r, const char *name, char *out, size_t out_len);
/* Asserts that r is the contract's Error object with the given status and name. */
void assert_error_object(const struct response *r, long status, const char *name);

/* A new empty temporary directory into out (for server_start's data_dir); false on failure. */
bool make_data_dir(char *out, size_t out_len);
/* Runs `signet admin key create --data DIR --json` and copies the key and its id (either may
 * be NULL). Call before server_start on the same directory. */
bool admin_key_create(const char *data_dir, char *key, size_t key_len, char *id, size_t id_len);
/* Like http(), but sends body_len bytes of `fill` with Transfer-Encoding: chunked (no
 * Content-Length), in pieces of at most 1000 bytes. A response that arrives before the whole
 * body was sent still counts (the server may answer early and stop reading). */
bool http_chunked(const struct server *s, const char *method, const char *path,
                  const char *const *headers, char fill, size_t body_len, struct response *out);
/* Opens a TCP connection to 127.0.0.1:port; returns the socket, or -1 with errno set. */
int tcp_connect(int port);
/* Runs a shell command (printf format) to completion; its stdout (up to out_len - 1 bytes,
 * NUL-terminated) into out (may be NULL); returns the exit status, -1 if it did not run. */
int sh_run(char *out, size_t out_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
