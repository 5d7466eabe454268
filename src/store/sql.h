/*
 * Running SQL inside a store transaction, the same way on every backend. Only src/store/
 * includes this header. Parameters are $1..$n; values are copied out of the database into a
 * `struct store_rows`, owned by the caller and freed with store_rows_free.
 */
#ifndef SIGNET_STORE_SQL_H
#define SIGNET_STORE_SQL_H

#include "store/store.h"

#include <string.h>

enum store_vtype { SV_NULL = 0, SV_INT, SV_TEXT, SV_BLOB };

struct store_value {
    enum store_vtype type;
    int64_t i;
    const void *p;
    size_t len;
};

#define SQL_NULL   ((struct store_value){.type = SV_NULL})
#define SQL_INT(v) ((struct store_value){.type = SV_INT, .i = (int64_t)(v)})
#define SQL_TEXT(s)                                                                                \
    ((s) ? (struct store_value){.type = SV_TEXT, .p = (s), .len = strlen(s)} : SQL_NULL)
#define SQL_BLOB(d, n) ((struct store_value){.type = SV_BLOB, .p = (d), .len = (n)})
#define SQL_BOOL(b)    SQL_INT((b) ? 1 : 0)

struct store_rows;

/* Executes one statement. rows (may be NULL) receives the result rows; changes (may be
 * NULL) the number of rows inserted, updated or deleted. */
enum store_status sql_exec(struct store_tx *tx, const char *sql, const struct store_value *params,
                           size_t n_params, struct store_rows **rows, int64_t *changes);

/* sql_exec for a statement that must change exactly one row: none (STORE_NOT_FOUND or
 * STORE_CONFLICT) when it changed another number of rows. */
enum store_status sql_exec_one(struct store_tx *tx, const char *sql,
                               const struct store_value *params, size_t n_params,
                               enum store_status none);

/* " FOR UPDATE SKIP LOCKED" on engines with row locks (PostgreSQL), "" on SQLite: appended to
 * the SELECT that picks work items in a STORE_CLAIM transaction (store.h). */
const char *sql_skip_locked(const struct store_tx *tx);

/* Fills one element of an array from row `row` of r. */
typedef void (*store_row_fill)(const struct store_rows *r, size_t row, void *elem);
/* Executes a query and turns every row into one element (elem_size bytes) of a new array:
 * *out is owned by the caller (free(); never NULL on STORE_OK), *n its length. */
enum store_status sql_exec_list(struct store_tx *tx, const char *sql,
                                const struct store_value *params, size_t n_params, size_t elem_size,
                                store_row_fill fill, void **out, size_t *n);

size_t store_rows_count(const struct store_rows *r);
size_t store_rows_columns(const struct store_rows *r);
bool store_rows_is_null(const struct store_rows *r, size_t row, size_t col);
/* Text of a cell ("" for NULL); valid until store_rows_free. */
const char *store_rows_text(const struct store_rows *r, size_t row, size_t col);
/* Integer of a cell (0 for NULL; text is parsed). */
int64_t store_rows_int(const struct store_rows *r, size_t row, size_t col);
/* Bytes of a cell; valid until store_rows_free. */
const void *store_rows_blob(const struct store_rows *r, size_t row, size_t col, size_t *len);
/* Takes ownership of a text cell's memory (NULL for a NULL cell); the cell becomes NULL. */
char *store_rows_take_text(struct store_rows *r, size_t row, size_t col);
void store_rows_free(struct store_rows *r);

/* For drivers: build a result. */
struct store_rows *store_rows_new(size_t n_cols);
/* Appends a row of n_cols cells; values are copied. */
bool store_rows_add(struct store_rows *r, const struct store_value *cells);

#endif
