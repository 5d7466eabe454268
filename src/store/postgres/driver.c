/* PostgreSQL backend (libpq): one connection per thread, a cache of prepared statements per
 * connection keyed by the SQL text and the parameter types, write transactions SERIALIZABLE
 * (the same guarantee as SQLite's single writer; serialization failures are "retry"), read
 * transactions REPEATABLE READ READ ONLY (one snapshot). docs/postgres.md explains the choices.
 *
 * Values go to the server as text (integers in decimal) and blobs in binary; results come back
 * as text and are turned into typed cells by the column's type (int8/int4/int2/bool/numeric
 * integers -> SV_INT, bytea -> SV_BLOB, everything else -> SV_TEXT). */
#include "core/log.h"
#include "store/driver.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STMT_CACHE 64

/* Type OIDs of the built-in types (pg_type.dat; fixed across server versions). */
enum {
    OID_BOOL = 16,
    OID_BYTEA = 17,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_NUMERIC = 1700,
};

/* The key of the session advisory lock held while migrations run (ASCII "SIGNETMG"). */
#define MIGRATION_LOCK_KEY "6002383202207254343"

struct cached_stmt {
    char *sql; /* a copy of the statement's text, with types part of the key */
    Oid *types;
    size_t n_params;
    char name[24];
};

struct pg_conn {
    PGconn *pg;
    struct cached_stmt cache[STMT_CACHE];
    size_t n_cached, next_evict;
    unsigned long next_id;
    bool in_tx, write_tx;
    /* The first error that aborted the current transaction (STORE_OK while none did). */
    enum store_status tx_failure;
    /* A cached plan became invalid (the schema changed under it): forget every prepared
     * statement once the transaction has ended. */
    bool drop_cache;
};

static void notice_to_log(void *arg, const char *message)
{
    (void)arg;
    size_t n = strlen(message);
    while (n && message[n - 1] == '\n')
        n--;
    log_debug("postgres: %.*s", (int)n, message);
}

static void cache_clear(struct pg_conn *c)
{
    for (size_t i = 0; i < c->n_cached; i++) {
        free(c->cache[i].sql);
        free(c->cache[i].types);
    }
    memset(c->cache, 0, sizeof c->cache);
    c->n_cached = 0;
    c->next_evict = 0;
}

static bool connection_lost(struct pg_conn *c)
{
    return PQstatus(c->pg) == CONNECTION_BAD;
}

/* Reconnects with the same parameters; the server forgot our prepared statements. */
static bool reconnect(struct pg_conn *c)
{
    cache_clear(c);
    c->in_tx = false;
    c->tx_failure = STORE_OK;
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        log_error("postgres: reconnect failed: %s", PQerrorMessage(c->pg));
        return false;
    }
    log_warn("postgres: connection was lost; reconnected");
    return true;
}

/* Maps a failed result to a store status (and logs what is our error, not the caller's). */
static enum store_status map_error(struct pg_conn *c, const PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg);
    if (!state || connection_lost(c)) {
        log_error("postgres: %s: %s", what, msg && *msg ? msg : "connection lost");
        return STORE_ERROR;
    }
    /* 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available. */
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
        return STORE_RETRY;
    if (!strncmp(state, "23", 2)) {
        /* Integrity constraints: a duplicate is the caller's conflict; the others are logged
         * like the SQLite backend logs them, and are conflicts too. */
        if (strcmp(state, "23505") != 0)
            log_error("postgres: %s: %s", what, msg);
        return STORE_CONFLICT;
    }
    if (!strcmp(state, "0A000") && strstr(msg, "cached plan")) {
        c->drop_cache = true;
        return STORE_RETRY;
    }
    log_error("postgres: %s: [%s] %s", what, state, msg);
    return STORE_ERROR;
}

static enum store_status pg_connect(const char *target, void **out, char *err, size_t err_len)
{
    struct pg_conn *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, err_len, "out of memory");
        return STORE_ERROR;
    }
    /* Defaults first; the URL (expanded from dbname) overrides them. */
    const char *keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname", NULL};
    const char *vals[] = {"10", "signet", "UTF8", target, NULL};
    c->pg = PQconnectdbParams(keys, vals, 1);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        /* The message names host and user but never the password. */
        char msg[200] = "out of memory";
        if (c->pg) {
            snprintf(msg, sizeof msg, "%s", PQerrorMessage(c->pg));
            for (char *p = msg; *p; p++)
                if (*p == '\n')
                    *p = ' ';
        }
        snprintf(err, err_len, "cannot connect to PostgreSQL: %s", msg);
        PQfinish(c->pg);
        free(c);
        return STORE_ERROR;
    }
    PQsetNoticeProcessor(c->pg, notice_to_log, NULL);
    PGresult *res = PQexec(c->pg, "SET TIME ZONE 'UTC'");
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        snprintf(err, err_len, "cannot configure the PostgreSQL session: %s",
                 PQerrorMessage(c->pg));
        PQfinish(c->pg);
        free(c);
        return STORE_ERROR;
    }
    *out = c;
    return STORE_OK;
}

static void pg_disconnect(void *p)
{
    struct pg_conn *c = p;
    if (!c)
        return;
    cache_clear(c);
    PQfinish(c->pg);
    free(c);
}

/* Runs a statement without parameters or rows (transaction control). */
static enum store_status simple(struct pg_conn *c, const char *sql)
{
    PGresult *res = PQexec(c->pg, sql);
    enum store_status st = STORE_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        st = map_error(c, res, sql);
    PQclear(res);
    return st;
}

static enum store_status pg_begin(void *p, enum store_tx_mode mode)
{
    struct pg_conn *c = p;
    /* SERIALIZABLE: the code was written for SQLite's one writer at a time (read, then write
     * what was read); PostgreSQL gives the same result or a serialization failure, which
     * store_run answers by running the transaction again. */
    const char *sql = mode == STORE_WRITE   ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                      : mode == STORE_CLAIM ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                                            : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    if (connection_lost(c) && !reconnect(c))
        return STORE_ERROR;
    enum store_status st = simple(c, sql);
    if (st != STORE_OK && connection_lost(c)) {
        /* The server closed an idle connection (restart, failover): reconnect once. */
        if (!reconnect(c))
            return STORE_ERROR;
        st = simple(c, sql);
    }
    if (st == STORE_OK) {
        c->in_tx = true;
        c->write_tx = mode != STORE_READ;
        c->tx_failure = STORE_OK;
    }
    return st;
}

static void end_tx(struct pg_conn *c)
{
    c->in_tx = false;
    c->tx_failure = STORE_OK;
    if (c->drop_cache && !connection_lost(c)) {
        c->drop_cache = false;
        cache_clear(c);
        simple(c, "DEALLOCATE ALL");
    }
}

static enum store_status pg_commit(void *p)
{
    struct pg_conn *c = p;
    if (c->tx_failure != STORE_OK) {
        /* A statement failed and the caller carried on: PostgreSQL would answer COMMIT with
         * ROLLBACK. Report the failure instead of a success. */
        enum store_status failure = c->tx_failure;
        simple(c, "ROLLBACK");
        end_tx(c);
        return failure;
    }
    PGresult *res = PQexec(c->pg, "COMMIT");
    enum store_status st = STORE_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        st = map_error(c, res, "COMMIT");
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
        st = STORE_ERROR; /* the server rolled back */
    PQclear(res);
    if (st != STORE_OK && connection_lost(c)) {
        /* The outcome is unknown: not a retry, which could apply the change twice. */
        reconnect(c);
        end_tx(c);
        return STORE_ERROR;
    }
    if (st != STORE_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        simple(c, "ROLLBACK");
    end_tx(c);
    return st;
}

static void pg_rollback(void *p)
{
    struct pg_conn *c = p;
    if (!connection_lost(c) && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        simple(c, "ROLLBACK");
    end_tx(c);
}

/* Whether the statement names parameter $n (outside a string literal). */
static bool uses_param(const char *sql, size_t n)
{
    bool quoted = false;
    for (const char *s = sql; *s; s++) {
        if (*s == '\'')
            quoted = !quoted;
        if (quoted || *s != '$')
            continue;
        size_t v = 0;
        const char *d = s + 1;
        if (*d < '0' || *d > '9')
            continue;
        while (*d >= '0' && *d <= '9' && v < 100000)
            v = v * 10 + (size_t)(*d++ - '0');
        if (v == n)
            return true;
    }
    return false;
}

/* The name of the statement prepared for sql with these parameter types, preparing it on
 * first use (the oldest entry makes room when the cache is full). NULL on failure (*st set). */
static const char *prepare(struct pg_conn *c, const char *sql, const Oid *types, size_t n,
                           enum store_status *st)
{
    for (size_t i = 0; i < c->n_cached; i++) {
        struct cached_stmt *e = &c->cache[i];
        if (e->n_params == n && !strcmp(e->sql, sql) &&
            (n == 0 || !memcmp(e->types, types, n * sizeof *types)))
            return e->name;
    }
    char name[24];
    snprintf(name, sizeof name, "s%lu", ++c->next_id);
    char *key = strdup(sql);
    Oid *tcopy = malloc((n ? n : 1) * sizeof *tcopy);
    if (!key || !tcopy) {
        free(key);
        free(tcopy);
        *st = STORE_ERROR;
        return NULL;
    }
    if (n)
        memcpy(tcopy, types, n * sizeof *types);
    PGresult *res = PQprepare(c->pg, name, sql, (int)n, types);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        *st = map_error(c, res, "prepare");
        PQclear(res);
        free(key);
        free(tcopy);
        return NULL;
    }
    PQclear(res);
    size_t slot = c->n_cached < STMT_CACHE ? c->n_cached++ : c->next_evict++ % STMT_CACHE;
    struct cached_stmt *e = &c->cache[slot];
    if (e->sql) {
        char dealloc[48];
        snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s", e->name);
        /* Fails only in an aborted transaction, where this statement just succeeded: never. */
        PQclear(PQexec(c->pg, dealloc));
        free(e->sql);
        free(e->types);
    }
    e->sql = key;
    e->types = tcopy;
    e->n_params = n;
    memcpy(e->name, name, sizeof name);
    return e->name;
}

static bool is_insert(const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t')
        sql++;
    return !strncasecmp(sql, "INSERT", 6);
}

/* One cell of a text-format result, typed by its column. */
static struct store_value cell_of(const PGresult *res, int row, int col, unsigned char **unesc)
{
    if (PQgetisnull(res, row, col))
        return SQL_NULL;
    const char *v = PQgetvalue(res, row, col);
    size_t len = (size_t)PQgetlength(res, row, col);
    switch (PQftype(res, col)) {
    case OID_INT8:
    case OID_INT4:
    case OID_INT2:
        return SQL_INT(strtoll(v, NULL, 10));
    case OID_BOOL:
        return SQL_INT(v[0] == 't' ? 1 : 0);
    case OID_NUMERIC: {
        /* SUM() of BIGINT is numeric: an integral value is an integer, as in SQLite. */
        char *end = NULL;
        long long x = strtoll(v, &end, 10);
        if (end && *end == '\0' && end != v)
            return SQL_INT(x);
        break;
    }
    case OID_BYTEA: {
        size_t n = 0;
        *unesc = PQunescapeBytea((const unsigned char *)v, &n);
        if (!*unesc)
            return (struct store_value){.type = SV_NULL, .i = -1}; /* out of memory */
        return SQL_BLOB(*unesc, n);
    }
    default:
        break;
    }
    return (struct store_value){.type = SV_TEXT, .p = v, .len = len};
}

static enum store_status rows_of(const PGresult *res, struct store_rows **rows)
{
    int n_rows = PQntuples(res), n_cols = PQnfields(res);
    struct store_rows *out = store_rows_new((size_t)n_cols);
    struct store_value *cells = calloc(n_cols ? (size_t)n_cols : 1, sizeof *cells);
    unsigned char **unesc = calloc(n_cols ? (size_t)n_cols : 1, sizeof *unesc);
    enum store_status st = STORE_OK;
    if (!out || !cells || !unesc) {
        st = STORE_ERROR;
        goto cleanup;
    }
    for (int r = 0; r < n_rows && st == STORE_OK; r++) {
        for (int i = 0; i < n_cols; i++) {
            cells[i] = cell_of(res, r, i, &unesc[i]);
            if (cells[i].type == SV_NULL && cells[i].i == -1)
                st = STORE_ERROR;
        }
        if (st == STORE_OK && !store_rows_add(out, cells))
            st = STORE_ERROR;
        for (int i = 0; i < n_cols; i++) {
            PQfreemem(unesc[i]);
            unesc[i] = NULL;
        }
    }
cleanup:
    free(cells);
    free(unesc);
    if (st == STORE_OK) {
        *rows = out;
        out = NULL;
    }
    store_rows_free(out);
    return st;
}

static enum store_status pg_exec(void *p, const char *sql, const struct store_value *params,
                                 size_t n_params, struct store_rows **rows, int64_t *changes)
{
    struct pg_conn *c = p;
    enum store_status st = STORE_OK;
    PGresult *res = NULL;
    bool savepoint = false;
    size_t n = n_params ? n_params : 1;
    Oid *types = calloc(n, sizeof *types);
    const char **values = calloc(n, sizeof *values);
    int *lengths = calloc(n, sizeof *lengths);
    int *formats = calloc(n, sizeof *formats);
    char(*ints)[24] = calloc(n, sizeof *ints);
    if (!types || !values || !lengths || !formats || !ints) {
        st = STORE_ERROR;
        goto cleanup;
    }
    if (c->tx_failure != STORE_OK) {
        st = c->tx_failure; /* the transaction is aborted; say why again */
        goto cleanup;
    }
    for (size_t i = 0; i < n_params; i++) {
        const struct store_value *v = &params[i];
        if (!uses_param(sql, i + 1)) {
            /* A parameter the statement does not use (SQLite skips it): give it a type, or
             * the server cannot tell one. */
            types[i] = OID_TEXT;
            values[i] = NULL;
            continue;
        }
        switch (v->type) {
        case SV_NULL:
            types[i] = 0; /* the server infers it from the context */
            values[i] = NULL;
            break;
        case SV_INT:
            types[i] = OID_INT8;
            snprintf(ints[i], sizeof ints[i], "%lld", (long long)v->i);
            values[i] = ints[i];
            break;
        case SV_TEXT:
            types[i] = 0;
            values[i] = v->p ? v->p : "";
            break;
        case SV_BLOB:
            types[i] = OID_BYTEA;
            values[i] = v->p ? v->p : "";
            lengths[i] = (int)v->len;
            formats[i] = 1;
            break;
        }
    }
    const char *name = prepare(c, sql, types, n_params, &st);
    if (!name)
        goto failed;
    /* A failed statement aborts the whole PostgreSQL transaction, while SQLite fails only the
     * statement: a savepoint around each INSERT lets a duplicate (STORE_CONFLICT) leave the
     * transaction usable, as the domain code expects. */
    if (c->in_tx && c->write_tx && is_insert(sql)) {
        st = simple(c, "SAVEPOINT signet_stmt");
        if (st != STORE_OK)
            goto failed;
        savepoint = true;
    }
    res = PQexecPrepared(c->pg, name, (int)n_params, values, lengths, formats, 0);
    ExecStatusType rs = PQresultStatus(res);
    if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
        st = map_error(c, res, "statement");
        if (savepoint && st == STORE_CONFLICT && !connection_lost(c) &&
            simple(c, "ROLLBACK TO SAVEPOINT signet_stmt") == STORE_OK &&
            simple(c, "RELEASE SAVEPOINT signet_stmt") == STORE_OK)
            goto cleanup; /* the transaction goes on without the failed INSERT */
        goto failed;
    }
    if (savepoint) {
        st = simple(c, "RELEASE SAVEPOINT signet_stmt");
        if (st != STORE_OK)
            goto failed;
    }
    if (rows) {
        st = rows_of(res, rows);
        if (st != STORE_OK)
            goto failed;
    }
    if (changes) {
        const char *t = PQcmdTuples(res);
        *changes = *t ? strtoll(t, NULL, 10) : 0;
    }
    goto cleanup;
failed:
    if (connection_lost(c)) {
        /* The transaction is gone with the connection: reconnect, and let store_run run the
         * whole transaction again on the new connection. */
        bool was_in_tx = c->in_tx;
        st = reconnect(c) && was_in_tx ? STORE_RETRY : STORE_ERROR;
    } else if (c->in_tx && st != STORE_OK) {
        c->tx_failure = st;
    }
cleanup:
    PQclear(res);
    free(types);
    free(values);
    free(lengths);
    free(formats);
    free(ints);
    return st;
}

static enum store_status pg_exec_script(void *p, const char *sql)
{
    struct pg_conn *c = p;
    if (c->tx_failure != STORE_OK)
        return c->tx_failure;
    PGresult *res = PQexec(c->pg, sql);
    enum store_status st = STORE_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
        st = map_error(c, res, "migration script");
        if (c->in_tx)
            c->tx_failure = st;
    }
    PQclear(res);
    return st;
}

static enum store_status pg_migration_lock(void *p, bool lock)
{
    struct pg_conn *c = p;
    if (connection_lost(c) && !reconnect(c))
        return STORE_ERROR;
    /* A session lock, taken outside any transaction: each migration's transaction then starts
     * (and takes its snapshot) only after another node's migrations have committed. */
    return simple(c, lock ? "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")"
                          : "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")");
}

const struct store_driver store_postgres_driver = {
    .name = "postgres",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .exec = pg_exec,
    .exec_script = pg_exec_script,
    .migration_lock = pg_migration_lock,
    .skip_locked = " FOR UPDATE SKIP LOCKED",
};
