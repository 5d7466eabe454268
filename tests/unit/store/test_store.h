/*
 * The store a store unit test runs against: SQLite in the test's own directory, or — when
 * SIGNET_TEST_STORE names a PostgreSQL server (postgres://… or postgresql://…, as
 * tests/postgres/with_postgres.sh sets it for the *_pg tests) — a fresh schema on that server
 * per test, so every test starts from an empty database on either backend. The same tests run
 * on both (docs/postgres.md, "Tests").
 */
#ifndef SIGNET_TEST_STORE_H
#define SIGNET_TEST_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct test_store {
    char dsn[1024];  /* what the test passes to store_open */
    char schema[64]; /* "" for SQLite */
};

static inline const char *test_store_server(void)
{
    const char *e = getenv("SIGNET_TEST_STORE");
    if (e && (!strncmp(e, "postgres://", 11) || !strncmp(e, "postgresql://", 13)))
        return e;
    return NULL;
}

static inline bool test_store_is_postgres(void)
{
    return test_store_server() != NULL;
}

static inline void test_store_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs such as "drop cascades to …" */
}

/* Runs one statement on the test server outside the store; false (and a message) on failure. */
static inline bool test_store_admin_exec(const char *sql)
{
    PGconn *pg = PQconnectdb(test_store_server());
    bool ok = false;
    if (PQstatus(pg) == CONNECTION_OK) {
        PQsetNoticeProcessor(pg, test_store_quiet, NULL);
        PGresult *res = PQexec(pg, sql);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "test_store: %s: %s", sql, PQresultErrorMessage(res));
        PQclear(res);
    } else {
        fprintf(stderr, "test_store: cannot connect: %s", PQerrorMessage(pg));
    }
    PQfinish(pg);
    return ok;
}

/* Fills t with a fresh store's dsn (creating its schema on PostgreSQL). */
static inline bool test_store_prepare(struct test_store *t)
{
    static unsigned counter;
    memset(t, 0, sizeof *t);
    const char *server = test_store_server();
    if (!server) {
        snprintf(t->dsn, sizeof t->dsn, "sqlite");
        return true;
    }
    snprintf(t->schema, sizeof t->schema, "test_%ld_%u", (long)getpid(), ++counter);
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", t->schema);
    if (!test_store_admin_exec(sql))
        return false;
    /* Every connection of the store then works in that schema only. */
    int n = snprintf(t->dsn, sizeof t->dsn, "%s%soptions=-csearch_path%%3D%s", server,
                     strchr(server, '?') ? "&" : "?", t->schema);
    return n > 0 && (size_t)n < sizeof t->dsn;
}

/* Drops what test_store_prepare made (after store_close). */
static inline void test_store_drop(struct test_store *t)
{
    if (!t->schema[0])
        return;
    char sql[128];
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", t->schema);
    test_store_admin_exec(sql);
    t->schema[0] = '\0';
}

#endif
