/* SQLite backend: WAL, busy timeout, foreign keys, one connection per thread, a small cache
 * of prepared statements per connection keyed by the SQL text. */
#include "core/log.h"
#include "store/driver.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 64

struct sqlite_conn {
    sqlite3 *db;
    struct {
        char *sql; /* a copy of the statement's text, the cache key */
        sqlite3_stmt *stmt;
    } cache[STMT_CACHE];
    size_t n_cached, next_evict;
};

static enum store_status map_error(sqlite3 *db, int rc, const char *what)
{
    int prim = rc & 0xff;
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        return STORE_RETRY;
    if (prim == SQLITE_CONSTRAINT) {
        /* sqlite3_step returns the primary code unless extended codes are on: ask for the
         * extended one, so a duplicate (the caller's conflict) is not logged as our error. */
        int ext = sqlite3_extended_errcode(db);
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ||
            ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
            return STORE_CONFLICT;
        log_error("sqlite: %s: %s", what, sqlite3_errmsg(db));
        return STORE_CONFLICT;
    }
    log_error("sqlite: %s: %s", what, sqlite3_errmsg(db));
    return STORE_ERROR;
}

static enum store_status sq_connect(const char *target, void **out, char *err, size_t err_len)
{
    struct sqlite_conn *c = calloc(1, sizeof *c);
    if (!c)
        return STORE_ERROR;
    int rc = sqlite3_open_v2(
        target, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, err_len, "cannot open SQLite database '%s': %s", target,
                 c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite3_close(c->db);
        free(c);
        return STORE_ERROR;
    }
    sqlite3_busy_timeout(c->db, 5000);
    char *msg = NULL;
    /* Switching a new database to WAL takes an exclusive lock and is answered SQLITE_BUSY
     * without the busy handler when another process opens it at the same moment: try again
     * a bounded number of times (the other process finishes the switch within milliseconds). */
    for (int attempt = 0; attempt < 100; attempt++) {
        sqlite3_free(msg);
        msg = NULL;
        rc = sqlite3_exec(c->db, "PRAGMA journal_mode=WAL", NULL, NULL, &msg);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            break;
        sqlite3_sleep(10);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(c->db,
                          "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                          "PRAGMA trusted_schema=OFF;",
                          NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(err, err_len, "cannot configure SQLite database '%s': %s", target,
                 msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(c->db);
        free(c);
        return STORE_ERROR;
    }
    *out = c;
    return STORE_OK;
}

static void sq_disconnect(void *p)
{
    struct sqlite_conn *c = p;
    if (!c)
        return;
    for (size_t i = 0; i < c->n_cached; i++) {
        sqlite3_finalize(c->cache[i].stmt);
        free(c->cache[i].sql);
    }
    sqlite3_close(c->db);
    free(c);
}

static sqlite3_stmt *prepare(struct sqlite_conn *c, const char *sql, int *rc);

/* Runs a statement without parameters or rows (transaction control) through the cache of
 * prepared statements, so BEGIN/COMMIT are not parsed again on every transaction. */
static enum store_status simple(struct sqlite_conn *c, const char *sql)
{
    int rc;
    sqlite3_stmt *stmt = prepare(c, sql, &rc);
    if (!stmt)
        return map_error(c->db, rc, sql);
    rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE ? STORE_OK : map_error(c->db, rc, sql);
}

static enum store_status sq_begin(void *p, enum store_tx_mode mode)
{
    /* IMMEDIATE takes the write lock up front: no deadlock when a reader upgrades. */
    return simple(p, mode != STORE_READ ? "BEGIN IMMEDIATE" : "BEGIN");
}

static enum store_status sq_commit(void *p)
{
    struct sqlite_conn *c = p;
    enum store_status st = simple(c, "COMMIT");
    if (st != STORE_OK && sqlite3_get_autocommit(c->db) == 0)
        simple(c, "ROLLBACK");
    return st;
}

static void sq_rollback(void *p)
{
    struct sqlite_conn *c = p;
    if (sqlite3_get_autocommit(c->db) == 0)
        simple(c, "ROLLBACK");
}

static sqlite3_stmt *prepare(struct sqlite_conn *c, const char *sql, int *rc)
{
    for (size_t i = 0; i < c->n_cached; i++)
        if (strcmp(c->cache[i].sql, sql) == 0) {
            *rc = SQLITE_OK;
            return c->cache[i].stmt;
        }
    sqlite3_stmt *stmt = NULL;
    *rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
    if (*rc != SQLITE_OK)
        return NULL;
    char *key = strdup(sql);
    if (!key) {
        sqlite3_finalize(stmt);
        *rc = SQLITE_NOMEM;
        return NULL;
    }
    size_t slot = c->n_cached < STMT_CACHE ? c->n_cached++ : c->next_evict++ % STMT_CACHE;
    sqlite3_finalize(c->cache[slot].stmt); /* NULL for a fresh slot: a no-op */
    free(c->cache[slot].sql);
    c->cache[slot].sql = key;
    c->cache[slot].stmt = stmt;
    return stmt;
}

static enum store_status sq_exec(void *p, const char *sql, const struct store_value *params,
                                 size_t n_params, struct store_rows **rows, int64_t *changes)
{
    struct sqlite_conn *c = p;
    int rc;
    sqlite3_stmt *stmt = prepare(c, sql, &rc);
    if (!stmt)
        return map_error(c->db, rc, "prepare");
    enum store_status st = STORE_OK;
    struct store_rows *out = NULL;
    for (size_t i = 0; i < n_params; i++) {
        char name[24];
        snprintf(name, sizeof name, "$%zu", i + 1);
        int idx = sqlite3_bind_parameter_index(stmt, name);
        if (idx == 0)
            continue; /* a parameter the statement does not use */
        const struct store_value *v = &params[i];
        switch (v->type) {
        case SV_NULL:
            rc = sqlite3_bind_null(stmt, idx);
            break;
        case SV_INT:
            rc = sqlite3_bind_int64(stmt, idx, v->i);
            break;
        case SV_TEXT:
            rc = sqlite3_bind_text64(stmt, idx, v->p, v->len, SQLITE_STATIC, SQLITE_UTF8);
            break;
        case SV_BLOB:
            rc = sqlite3_bind_blob64(stmt, idx, v->p ? v->p : "", v->len, SQLITE_STATIC);
            break;
        }
        if (rc != SQLITE_OK) {
            st = map_error(c->db, rc, "bind");
            goto cleanup;
        }
    }
    int n_cols = sqlite3_column_count(stmt);
    if (rows) {
        out = store_rows_new((size_t)n_cols);
        if (!out) {
            st = STORE_ERROR;
            goto cleanup;
        }
    }
    struct store_value cells[64];
    if (n_cols > 64) {
        log_bug("query returns more than 64 columns");
        st = STORE_ERROR;
        goto cleanup;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!out)
            continue;
        for (int i = 0; i < n_cols; i++) {
            switch (sqlite3_column_type(stmt, i)) {
            case SQLITE_NULL:
                cells[i] = SQL_NULL;
                break;
            case SQLITE_INTEGER:
                cells[i] = SQL_INT(sqlite3_column_int64(stmt, i));
                break;
            case SQLITE_BLOB: {
                const void *b = sqlite3_column_blob(stmt, i);
                cells[i] = SQL_BLOB(b, (size_t)sqlite3_column_bytes(stmt, i));
                break;
            }
            default: {
                const unsigned char *t = sqlite3_column_text(stmt, i);
                cells[i] = (struct store_value){.type = SV_TEXT,
                                                .p = t ? (const char *)t : "",
                                                .len = (size_t)sqlite3_column_bytes(stmt, i)};
                break;
            }
            }
        }
        if (!store_rows_add(out, cells)) {
            st = STORE_ERROR;
            goto cleanup;
        }
    }
    if (rc != SQLITE_DONE) {
        st = map_error(c->db, rc, "step");
        goto cleanup;
    }
    if (changes)
        *changes = sqlite3_changes64(c->db);
cleanup:
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (st == STORE_OK && rows) {
        *rows = out;
        out = NULL;
    }
    store_rows_free(out);
    return st;
}

static enum store_status sq_exec_script(void *p, const char *sql)
{
    struct sqlite_conn *c = p;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? STORE_OK : map_error(c->db, rc, "migration script");
}

const struct store_driver store_sqlite_driver = {
    .name = "sqlite",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .exec = sq_exec,
    .exec_script = sq_exec_script,
    .skip_locked = "", /* one writer at a time: BEGIN IMMEDIATE is the lock */
};
