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

/* The store tests run on: with SIGNET_TEST_STORE set (tests/postgres/with_postgres.sh) each data
 * directory made by make_data_dir (or by server_start with data_dir NULL) gets a schema of its
 * own on that PostgreSQL server. SIGNET_STORE points at the last one made (for a store opened
 * in-process through config_load), and server_start and run_signet give the server or CLI run
 * on such a directory (`--data DIR`) its own schema, so a test may use several at once. A
 * directory not made so (mkdtemp) uses SIGNET_STORE as it is (two_nodes: node A's store).
 * test_on_postgres: whether the tests run on PostgreSQL. */
bool test_on_postgres(void);
/* data_dir's store as a --store value (or store_open dsn): "sqlite:DIR/signet.db", or the
 * PostgreSQL URL of its schema. For tests that use several data directories at once. */
bool test_store_for(const char *data_dir, char *out, size_t out_len);
/* Runs one SQL statement (or several, separated by ';') on data_dir's database, behind
 * Signet's back: `sqlite3 -cmd '.timeout 5000' DIR/signet.db`, or on PostgreSQL on its schema.
 * Rows into out as sqlite3 prints them: fields joined by '|', a newline after each row, NULL
 * empty, booleans 1 and 0, BLOB/BYTEA as their bytes (out may be NULL). Write statements both
 * engines accept (no rowid, no hex(); `||`, count(*), length(), CASE work on both). Returns
 * false (and says why on stderr) when the statement failed. */
bool test_sql(const char *data_dir, const char *statement, char *out, size_t out_len);
/* An SQL expression that grows with each inserted row, for "the newest row" among rows of the
 * same created_at second: rowid on SQLite, the inserting transaction's id on PostgreSQL (rows
 * the test reads this way are not updated after their insert). */
const char *test_sql_insert_order(void);
/* Everything data_dir's database holds as text, owned (free()): the sqlite3 .dump, or on
 * PostgreSQL "TABLE name" lines each followed by its rows as row literals. NULL on failure. */
char *test_db_dump(const char *data_dir);
/* Whether needle appears in clear anywhere in data_dir's database: in the bytes of the SQLite
 * file and its WAL (after a checkpoint), or on PostgreSQL in test_db_dump's text. */
bool test_db_holds(const char *data_dir, const char *needle);

#endif
