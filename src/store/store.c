#include "store/store.h"

#include "core/embed.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/str.h"
#include "store/driver.h"
#include "store/sql.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* A connection owned by one thread, linked into its store's list so store_close can reach it. */
struct conn {
    struct store *store;
    void *db;
    bool in_tx; /* inside store_run: a nested store_run on this thread is refused */
    struct conn *next, *prev;
};

struct store {
    const struct store_driver *driver;
    char *target; /* what the driver connects to */
    char *data_dir;
    char *blob_dir;
    bool blobs_in_db; /* --documents database */
    pthread_key_t key;
    pthread_mutex_t lock;
    struct conn *conns;
};

struct store_tx {
    struct store *store;
    struct conn *conn;
};

const char *store_status_name(enum store_status st)
{
    static const char *names[] = {"ok", "not found", "conflict", "retry", "error"};
    return (unsigned)st < 5 ? names[st] : "?";
}

static void conn_unlink_and_close(struct conn *c)
{
    struct store *s = c->store;
    pthread_mutex_lock(&s->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&s->lock);
    s->driver->disconnect(c->db);
    free(c);
}

/* Runs when a thread that used the store exits. */
static void conn_thread_exit(void *p)
{
    conn_unlink_and_close(p);
}

static int mkdir_p(const char *path)
{
    char tmp[4096];
    if (!str_copy(tmp, sizeof tmp, path))
        return -1;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

enum store_status store_open(const char *dsn, const char *data_dir, struct store **out, char *err,
                             size_t err_len)
{
    if (err_len)
        err[0] = '\0';
    struct store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_len, "out of memory");
        return STORE_ERROR;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_key_create(&s->key, conn_thread_exit);
    s->data_dir = strdup(data_dir);
    size_t blen = strlen(data_dir) + 16;
    s->blob_dir = malloc(blen);
    if (!s->data_dir || !s->blob_dir)
        goto fail;
    snprintf(s->blob_dir, blen, "%s/blobs", data_dir);
    if (mkdir_p(data_dir) != 0 || mkdir_p(s->blob_dir) != 0) {
        snprintf(err, err_len, "cannot create data directory '%s': %s", data_dir, strerror(errno));
        goto fail;
    }
    if (!strcmp(dsn, "sqlite") || str_has_prefix(dsn, "sqlite:")) {
        s->driver = &store_sqlite_driver;
        if (!strcmp(dsn, "sqlite")) {
            size_t n = strlen(data_dir) + 16;
            s->target = malloc(n);
            if (s->target)
                snprintf(s->target, n, "%s/signet.db", data_dir);
        } else {
            s->target = strdup(dsn + 7);
        }
    } else if (str_has_prefix(dsn, "postgres://") || str_has_prefix(dsn, "postgresql://")) {
        s->driver = &store_postgres_driver;
        s->target = strdup(dsn); /* libpq reads the URL itself */
    } else {
        snprintf(err, err_len,
                 "store '%.40s': unknown backend; use sqlite, sqlite:PATH or postgres://…", dsn);
        goto fail;
    }
    if (!s->target)
        goto fail;
    /* Connect once now so a bad path or permission fails at start, not on first request. */
    void *probe = NULL;
    if (s->driver->connect(s->target, &probe, err, err_len) != STORE_OK)
        goto fail;
    s->driver->disconnect(probe);
    *out = s;
    return STORE_OK;
fail:
    if (!err[0])
        snprintf(err, err_len, "out of memory");
    store_close(s);
    return STORE_ERROR;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    pthread_key_delete(s->key);
    while (s->conns) {
        struct conn *c = s->conns;
        s->conns = c->next;
        s->driver->disconnect(c->db);
        free(c);
    }
    pthread_mutex_destroy(&s->lock);
    free(s->target);
    free(s->data_dir);
    free(s->blob_dir);
    free(s);
}

const char *store_backend_name(const struct store *s)
{
    return s->driver->name;
}

const char *store_data_dir(const struct store *s)
{
    return s->data_dir;
}

const char *store_blob_dir_of(const struct store *s)
{
    return s->blob_dir;
}

bool store_blobs_in_database(const struct store *s)
{
    return s->blobs_in_db;
}

enum store_status store_set_documents(struct store *s, const char *where, char *err, size_t err_len)
{
    if (!where || !*where)
        return STORE_OK; /* DATA/blobs, made by store_open */
    if (!strcmp(where, "database")) {
        s->blobs_in_db = true;
        return STORE_OK;
    }
    char *dir = strdup(where);
    if (!dir) {
        snprintf(err, err_len, "out of memory");
        return STORE_ERROR;
    }
    if (mkdir_p(dir) != 0) {
        snprintf(err, err_len, "cannot create the documents directory '%s': %s", dir,
                 strerror(errno));
        free(dir);
        return STORE_ERROR;
    }
    free(s->blob_dir);
    s->blob_dir = dir;
    s->blobs_in_db = false;
    return STORE_OK;
}

/* The calling thread's connection, opened on first use. */
static struct conn *thread_conn(struct store *s)
{
    struct conn *c = pthread_getspecific(s->key);
    if (c)
        return c;
    c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    char err[256] = "";
    if (s->driver->connect(s->target, &c->db, err, sizeof err) != STORE_OK) {
        log_error("store: cannot connect: %s", err);
        free(c);
        return NULL;
    }
    c->store = s;
    pthread_mutex_lock(&s->lock);
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    pthread_mutex_unlock(&s->lock);
    pthread_setspecific(s->key, c);
    return c;
}

/* Waits before a transaction runs again after a serialization failure or a busy database: a
 * random time below min(2^attempt ms, 50 ms) ("full jitter"), so that transactions that failed
 * each other do not meet again at once (PostgreSQL's SERIALIZABLE reports conflicts between
 * concurrent writers of neighbouring index pages too). 40 runs: a release under heavy
 * concurrency on PostgreSQL needed more than 16 in bench/scaling. */
static void retry_pause(int attempt)
{
    uint32_t cap_us = attempt >= 6 ? 50000u : 1000u << attempt, r = 0;
    if (!rand_bytes(&r, sizeof r))
        r = (uint32_t)time_mono_us();
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(r % cap_us) * 1000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

enum store_status store_run(struct store *s, enum store_tx_mode mode, store_tx_fn fn, void *cls)
{
    enum { MAX_ATTEMPTS = 40 };
    struct conn *c = thread_conn(s);
    if (!c)
        return STORE_ERROR;
    if (c->in_tx) {
        /* The thread's one connection is in a transaction already: beginning another would
         * fail (SQLite) or commit the outer one early (PostgreSQL). */
        log_error("store: a transaction was started inside another one");
        return STORE_ERROR;
    }
    struct store_tx tx = {.store = s, .conn = c};
    enum store_status st = STORE_ERROR;
    c->in_tx = true;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        st = s->driver->begin(c->db, mode);
        if (st == STORE_OK) {
            st = fn(&tx, cls);
            if (st == STORE_OK)
                st = s->driver->commit(c->db);
            else
                s->driver->rollback(c->db);
        }
        if (st != STORE_RETRY)
            break;
        log_debug("store: transaction busy, retrying (attempt %d)", attempt + 1);
        if (attempt + 1 < MAX_ATTEMPTS)
            retry_pause(attempt);
    }
    c->in_tx = false;
    return st;
}

struct store *store_tx_store(struct store_tx *tx)
{
    return tx->store;
}

const char *sql_skip_locked(const struct store_tx *tx)
{
    return tx->store->driver->skip_locked ? tx->store->driver->skip_locked : "";
}

enum store_status sql_exec(struct store_tx *tx, const char *sql, const struct store_value *params,
                           size_t n_params, struct store_rows **rows, int64_t *changes)
{
    if (rows)
        *rows = NULL;
    return tx->store->driver->exec(tx->conn->db, sql, params, n_params, rows, changes);
}

enum store_status sql_exec_one(struct store_tx *tx, const char *sql,
                               const struct store_value *params, size_t n_params,
                               enum store_status none)
{
    int64_t changed = 0;
    enum store_status st = sql_exec(tx, sql, params, n_params, NULL, &changed);
    if (st == STORE_OK && changed != 1)
        st = none;
    return st;
}

enum store_status sql_exec_list(struct store_tx *tx, const char *sql,
                                const struct store_value *params, size_t n_params, size_t elem_size,
                                store_row_fill fill, void **out, size_t *n)
{
    struct store_rows *r = NULL;
    *out = NULL;
    *n = 0;
    enum store_status st = sql_exec(tx, sql, params, n_params, &r, NULL);
    if (st != STORE_OK)
        return st;
    size_t count = store_rows_count(r);
    unsigned char *arr = calloc(count ? count : 1, elem_size);
    if (!arr) {
        store_rows_free(r);
        return STORE_ERROR;
    }
    for (size_t i = 0; i < count; i++)
        fill(r, i, arr + i * elem_size);
    store_rows_free(r);
    *out = arr;
    *n = count;
    return STORE_OK;
}

/* Migration number from a file name "NNNN_what.sql"; -1 if malformed. */
static int64_t migration_version(const char *name)
{
    char num[16];
    size_t i = 0;
    while (name[i] >= '0' && name[i] <= '9' && i < sizeof num - 1) {
        num[i] = name[i];
        i++;
    }
    num[i] = '\0';
    int64_t v;
    if (i == 0 || name[i] != '_' || !str_to_i64(num, 1, 999999, &v))
        return -1;
    return v;
}

struct migration_step {
    const struct embedded_file *file;
    int64_t version;
    bool applied;
};

static enum store_status apply_migration(struct store_tx *tx, void *cls)
{
    struct migration_step *m = cls;
    struct store_rows *rows = NULL;
    m->applied = false;
    enum store_status st = sql_exec(tx, "SELECT 1 FROM schema_migrations WHERE version = $1",
                                    (struct store_value[]){SQL_INT(m->version)}, 1, &rows, NULL);
    if (st != STORE_OK)
        return st;
    bool done = store_rows_count(rows) > 0;
    store_rows_free(rows);
    if (done)
        return STORE_OK;
    st = tx->store->driver->exec_script(tx->conn->db, (const char *)m->file->data);
    if (st != STORE_OK)
        return st;
    st = sql_exec(tx,
                  "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                  (struct store_value[]){SQL_INT(m->version), SQL_TEXT(m->file->name),
                                         SQL_INT(time_now_ms())},
                  3, NULL, NULL);
    m->applied = st == STORE_OK;
    return st;
}

static enum store_status create_migrations_table(struct store_tx *tx, void *cls)
{
    (void)cls;
    return sql_exec(tx,
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                    "name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                    NULL, 0, NULL, NULL);
}

static enum store_status migrate_all(struct store *s)
{
    enum store_status st = store_run(s, STORE_WRITE, create_migrations_table, NULL);
    if (st != STORE_OK) {
        log_error("store: cannot create the migrations table: %s", store_status_name(st));
        return st;
    }
    for (const struct embedded_file *f = store_migration_files; f->name; f++) {
        struct migration_step m = {.file = f, .version = migration_version(f->name)};
        if (m.version < 0) {
            log_bug("migration file '%s' is not named NNNN_what.sql", f->name);
            return STORE_ERROR;
        }
        st = store_run(s, STORE_WRITE, apply_migration, &m);
        if (st != STORE_OK) {
            log_error("store: migration %s failed: %s", f->name, store_status_name(st));
            return st;
        }
        if (m.applied)
            log_info("store: applied migration %s", f->name);
    }
    return STORE_OK;
}

enum store_status store_migrate(struct store *s)
{
    if (!s->driver->migration_lock)
        return migrate_all(s);
    /* Several nodes starting at once: one migrates, the others wait and then find every
     * migration applied. The lock belongs to this thread's connection, which runs them all. */
    struct conn *c = thread_conn(s);
    if (!c)
        return STORE_ERROR;
    enum store_status st = s->driver->migration_lock(c->db, true);
    if (st != STORE_OK) {
        log_error("store: cannot take the migration lock: %s", store_status_name(st));
        return st;
    }
    st = migrate_all(s);
    if (s->driver->migration_lock(c->db, false) != STORE_OK && st == STORE_OK)
        st = STORE_ERROR;
    return st;
}

static enum store_status ping_tx(struct store_tx *tx, void *cls)
{
    (void)cls;
    struct store_rows *rows = NULL;
    enum store_status st = sql_exec(tx, "SELECT 1", NULL, 0, &rows, NULL);
    if (st == STORE_OK && store_rows_int(rows, 0, 0) != 1)
        st = STORE_ERROR;
    store_rows_free(rows);
    return st;
}

enum store_status store_ping(struct store *s)
{
    enum store_status st = store_run(s, STORE_READ, ping_tx, NULL);
    if (st != STORE_OK)
        return st;
    struct stat sb;
    if (!s->blobs_in_db && (stat(s->blob_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
        return STORE_ERROR;
    return STORE_OK;
}
