/*
 * The process list (GET /system/api/process): parameter validation against the contract and
 * the ProcessPage view (see sign/process.h). Pages hold at most 20 processes, sorted on
 * createdDate only; every read is scoped to the caller's organization by the store.
 */
#include "sign/process.h"

#include "core/str.h"
#include "sign/attach.h"
#include "sign/expiry.h"
#include "core/uuid.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One sort criterion "property[,direction]": only createdDate may be named (the contract sorts
 * strictly on it); the direction is asc or desc in any case, ascending when left out. */
static bool parse_sort(const char *s, bool *ascending, char *err, size_t err_len)
{
    const char *comma = strchr(s, ',');
    size_t prop_len = comma ? (size_t)(comma - s) : strlen(s);
    if (prop_len != strlen("createdDate") || strncmp(s, "createdDate", prop_len) != 0)
        return str_message(
            err, err_len,
            "Parameter 'sort': '%.100s' is not allowed; processes can only be sorted on "
            "createdDate, e.g. 'createdDate,DESC'.",
            s);
    if (!comma) {
        *ascending = true;
        return true;
    }
    if (str_ieq(comma + 1, "asc"))
        *ascending = true;
    else if (str_ieq(comma + 1, "desc"))
        *ascending = false;
    else
        return str_message(err, err_len,
                           "Parameter 'sort': invalid sort direction '%.50s'; use ASC or DESC.",
                           comma + 1);
    return true;
}

bool sign_list_parse(const struct sign_list_params *in, struct sign_list_query *q, char *err,
                     size_t err_len)
{
    memset(q, 0, sizeof *q);
    q->page = 0;
    q->size = SIGN_PAGE_SIZE_DEFAULT;
    q->ascending = false;
    if (in->status) {
        if (!sign_state_parse(in->status, &q->status))
            return str_message(err, err_len,
                               "Parameter 'status' must be one of CREATED, PENDING, COMPLETED, "
                               "EXPIRED; got '%.50s'.",
                               in->status);
        q->has_status = true;
    }
    if (in->team_id) {
        if (!uuid_is_valid(in->team_id))
            return str_message(err, err_len, "Parameter 'teamId' must be a UUID; got '%.50s'.",
                               in->team_id);
        str_copy(q->team_id, sizeof q->team_id, in->team_id);
    }
    if (in->valid_until_within) {
        if (!iso_parse_duration(in->valid_until_within, &q->valid_until_within))
            return str_message(
                err, err_len,
                "Parameter 'validUntilWithin' must be an ISO 8601 duration such as P30D "
                "or PT12H; got '%.50s'.",
                in->valid_until_within);
        q->has_valid_until_within = true;
    }
    if (in->page && !str_to_i64(in->page, 0, SIGN_PAGE_MAX, &q->page))
        return str_message(err, err_len,
                           "Parameter 'page' must be a whole number from 0 to %d; got '%.50s'.",
                           SIGN_PAGE_MAX, in->page);
    if (in->size && !str_to_i64(in->size, 1, SIGN_PAGE_SIZE_MAX, &q->size))
        return str_message(err, err_len,
                           "Parameter 'size' must be a whole number from 1 to %d; got '%.50s'.",
                           SIGN_PAGE_SIZE_MAX, in->size);
    /* Several criteria are allowed, but all name createdDate: the first one decides. */
    for (size_t i = 0; i < in->n_sort; i++) {
        bool asc = false;
        if (!parse_sort(in->sort[i], &asc, err, err_len))
            return false;
        if (i == 0)
            q->ascending = asc;
    }
    return true;
}

struct list_op {
    const char *org_id;
    struct store_process_query sq;
    struct store_process *items;
    size_t n;
    int64_t total;
    struct store_document **docs; /* docs[i]: the files of items[i] */
    size_t *n_docs;
};

static void list_op_clear(struct list_op *op)
{
    for (size_t i = 0; op->docs && i < op->n; i++)
        store_document_list_free(op->docs[i], op->n_docs[i]);
    free(op->docs);
    free(op->n_docs);
    store_process_list_free(op->items, op->n);
    op->docs = NULL;
    op->n_docs = NULL;
    op->items = NULL;
    op->n = 0;
}

static enum store_status list_tx(struct store_tx *tx, void *cls)
{
    struct list_op *op = cls;
    list_op_clear(op); /* an earlier attempt's result */
    enum store_status st =
        store_process_list(tx, op->org_id, &op->sq, &op->items, &op->n, &op->total);
    if (st != STORE_OK || op->n == 0)
        return st;
    /* fileReferences of every process on the page, in the same read transaction. */
    op->docs = calloc(op->n, sizeof *op->docs);
    op->n_docs = calloc(op->n, sizeof *op->n_docs);
    if (!op->docs || !op->n_docs)
        return STORE_ERROR;
    for (size_t i = 0; st == STORE_OK && i < op->n; i++)
        st = store_document_list(tx, op->org_id, op->items[i].id, &op->docs[i], &op->n_docs[i]);
    return st;
}

static json_t *page_json(const struct list_op *op, const struct sign_list_query *q)
{
    json_t *content = json_array();
    if (!content)
        return NULL;
    for (size_t i = 0; i < op->n; i++) {
        json_t *p = sign_process_to_json(&op->items[i], q->retention_ms);
        json_t *files = sign_file_references_json(op->docs[i], op->n_docs[i]);
        /* The _new calls take their reference even when they fail. */
        if (!p || !files || json_object_set_new(p, "fileReferences", files) != 0) {
            json_decref(p);
            json_decref(p ? NULL : files);
            json_decref(content);
            return NULL;
        }
        if (json_array_append_new(content, p) != 0) {
            json_decref(content);
            return NULL;
        }
    }
    int64_t pages = (op->total + q->size - 1) / q->size;
    bool last = q->page + 1 >= pages;
    /* The deprecated top-level fields repeat PageMetadata for older clients. */
    return json_pack("{s:o, s:{s:I, s:I, s:I, s:I}, s:I, s:I, s:I, s:I, s:b, s:b}", "content",
                     content, "page", "totalElements", (json_int_t)op->total, "totalPages",
                     (json_int_t)pages, "size", (json_int_t)q->size, "number", (json_int_t)q->page,
                     "totalElements", (json_int_t)op->total, "totalPages", (json_int_t)pages,
                     "number", (json_int_t)q->page, "size", (json_int_t)q->size, "first",
                     q->page == 0, "last", last);
}

enum sign_result sign_process_list(struct store *s, const char *organization_id,
                                   const struct sign_list_query *q, int64_t now, json_t **page_out)
{
    *page_out = NULL;
    struct list_op op = {.org_id = organization_id};
    op.sq.status = q->has_status ? sign_state_name(q->status) : NULL;
    op.sq.team_id = q->team_id[0] ? q->team_id : NULL;
    op.sq.search = q->search[0] ? q->search : NULL;
    if (q->has_valid_until_within) {
        op.sq.valid_until_range = true;
        op.sq.valid_from = now;
        if (!iso_duration_add(now, &q->valid_until_within, &op.sq.valid_to))
            op.sq.valid_to = INT64_MAX; /* beyond any date: no upper bound */
    }
    op.sq.now = now;
    op.sq.ascending = q->ascending;
    op.sq.limit = q->size;
    op.sq.offset = q->page * q->size; /* at most 2^31 * 20: no overflow */
    enum store_status st = store_run(s, STORE_READ, list_tx, &op);
    /* Lazy expiry of the page: processes past validUntil that the job has not reached yet
     * are expired now (with their audit records), then the page is read again. The filter
     * already matched them as EXPIRED, so the page holds the same processes. */
    bool due = false;
    for (size_t i = 0; st == STORE_OK && i < op.n; i++)
        due = due || sign_expiry_due(op.items[i].status, op.items[i].valid_until, now);
    if (due) {
        size_t n_expired = 0;
        if (sign_expiry_expire_listed(s, organization_id, op.items, op.n, now, &n_expired) !=
            SIGN_OK)
            st = STORE_ERROR;
        else
            st = store_run(s, STORE_READ, list_tx, &op);
    }
    enum sign_result res = SIGN_UNAVAILABLE;
    if (st == STORE_OK) {
        *page_out = page_json(&op, q);
        res = *page_out ? SIGN_OK : SIGN_UNAVAILABLE;
    }
    list_op_clear(&op);
    return res;
}
