#include "store/sql.h"

#include <stdio.h>
#include <stdlib.h>

struct cell {
    enum store_vtype type;
    int64_t i;
    char *p; /* text or blob, NUL-terminated */
    size_t len;
};

struct store_rows {
    size_t n_cols, n_rows, cap_rows;
    struct cell *cells;
};

struct store_rows *store_rows_new(size_t n_cols)
{
    struct store_rows *r = calloc(1, sizeof *r);
    if (r)
        r->n_cols = n_cols;
    return r;
}

bool store_rows_add(struct store_rows *r, const struct store_value *cells)
{
    if (r->n_rows == r->cap_rows) {
        size_t cap = r->cap_rows ? r->cap_rows * 2 : 8;
        struct cell *c = realloc(r->cells, cap * (r->n_cols ? r->n_cols : 1) * sizeof *c);
        if (!c)
            return false;
        r->cells = c;
        r->cap_rows = cap;
    }
    struct cell *row = r->cells + r->n_rows * r->n_cols;
    for (size_t i = 0; i < r->n_cols; i++) {
        row[i] = (struct cell){.type = cells[i].type, .i = cells[i].i, .len = cells[i].len};
        if (cells[i].type == SV_TEXT || cells[i].type == SV_BLOB) {
            row[i].p = malloc(cells[i].len + 1);
            if (!row[i].p) {
                for (size_t k = 0; k < i; k++)
                    free(row[k].p);
                return false;
            }
            if (cells[i].len)
                memcpy(row[i].p, cells[i].p, cells[i].len);
            row[i].p[cells[i].len] = '\0';
        }
    }
    r->n_rows++;
    return true;
}

size_t store_rows_count(const struct store_rows *r)
{
    return r ? r->n_rows : 0;
}

size_t store_rows_columns(const struct store_rows *r)
{
    return r ? r->n_cols : 0;
}

static const struct cell *cell_at(const struct store_rows *r, size_t row, size_t col)
{
    if (!r || row >= r->n_rows || col >= r->n_cols)
        return NULL;
    return &r->cells[row * r->n_cols + col];
}

bool store_rows_is_null(const struct store_rows *r, size_t row, size_t col)
{
    const struct cell *c = cell_at(r, row, col);
    return !c || c->type == SV_NULL;
}

const char *store_rows_text(const struct store_rows *r, size_t row, size_t col)
{
    const struct cell *c = cell_at(r, row, col);
    if (!c || c->type == SV_NULL)
        return "";
    if (c->type == SV_INT) {
        /* Integers are formatted on demand into the cell itself. */
        struct cell *w = (struct cell *)c;
        if (!w->p) {
            w->p = malloc(24);
            if (!w->p)
                return "";
            snprintf(w->p, 24, "%lld", (long long)w->i);
        }
        return w->p;
    }
    return c->p;
}

int64_t store_rows_int(const struct store_rows *r, size_t row, size_t col)
{
    const struct cell *c = cell_at(r, row, col);
    if (!c || c->type == SV_NULL)
        return 0;
    if (c->type == SV_INT)
        return c->i;
    return strtoll(c->p, NULL, 10);
}

const void *store_rows_blob(const struct store_rows *r, size_t row, size_t col, size_t *len)
{
    const struct cell *c = cell_at(r, row, col);
    if (!c || c->type == SV_NULL || c->type == SV_INT) {
        *len = 0;
        return NULL;
    }
    *len = c->len;
    return c->p;
}

char *store_rows_take_text(struct store_rows *r, size_t row, size_t col)
{
    struct cell *c = (struct cell *)cell_at(r, row, col);
    if (!c || c->type == SV_NULL)
        return NULL;
    if (c->type == SV_INT)
        store_rows_text(r, row, col);
    char *p = c->p;
    c->p = NULL;
    c->type = SV_NULL;
    return p;
}

void store_rows_free(struct store_rows *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_rows * r->n_cols; i++)
        free(r->cells[i].p);
    free(r->cells);
    free(r);
}
