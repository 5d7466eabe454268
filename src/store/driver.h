/*
 * The backend interface: one struct of function pointers that each database engine
 * implements (store/sqlite/, store/postgres/). Only src/store/ includes this header.
 * A connection is used by one thread at a time.
 */
#ifndef SIGNET_STORE_DRIVER_H
#define SIGNET_STORE_DRIVER_H

#include "store/sql.h"

struct store_driver {
    const char *name;
    /* Opens a connection for the calling thread. `target` is the driver's part of the dsn. */
    enum store_status (*connect)(const char *target, void **conn, char *err, size_t err_len);
    void (*disconnect)(void *conn);
    enum store_status (*begin)(void *conn, enum store_tx_mode mode);
    enum store_status (*commit)(void *conn);
    void (*rollback)(void *conn);
    enum store_status (*exec)(void *conn, const char *sql, const struct store_value *params,
                              size_t n_params, struct store_rows **rows, int64_t *changes);
    /* Runs a script of several statements without parameters (migrations). */
    enum store_status (*exec_script)(void *conn, const char *sql);
    /* Optional (NULL: not needed): takes (lock) or releases a lock, outside any transaction,
     * that keeps other processes from migrating the same database at the same time. */
    enum store_status (*migration_lock)(void *conn, bool lock);
    /* What sql_skip_locked returns: the clause that locks the rows a SELECT returns and skips
     * rows other transactions hold, or "" where one writer at a time makes it needless. */
    const char *skip_locked;
};

extern const struct store_driver store_sqlite_driver;
extern const struct store_driver store_postgres_driver;

/* Directory of the blob store (DATA/blobs or --documents DIR). */
const char *store_blob_dir_of(const struct store *s);
/* True with --documents database: blobs are rows of document_blobs. */
bool store_blobs_in_database(const struct store *s);

#endif
