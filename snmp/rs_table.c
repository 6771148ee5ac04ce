#include "rs_table.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#define RS_TEXT_WIRE_MAX 255 /* DisplayString-sized answers */

/*
 * A row is one heap block: the container's key (netsnmp_index, first, as the
 * table_container helper expects), the caller's row struct, then the index OID
 * (n_indexes sub-identifiers).  tdata rows cost two more pointers and, in their own
 * blocks, 40 more bytes a row in headers and rounding: at 50,000 outlets that was 2.8 MB.
 * Row structs hold pointers, integers and time_t, so 8-byte alignment is all they need.
 */
struct row_block {
    netsnmp_index key;
    uint64_t data[]; /* the caller's row struct, then the OID */
};

/* The caller's row struct in a block. */
static void *
row_of(struct row_block *block)
{
    return block->data;
}

struct rs_table {
    const struct rs_table_def *def;
    void *cleanup_ctx;       /* handed to def->row_cleanup */
    netsnmp_container *rows; /* struct row_block, sorted by their index OIDs */
    netsnmp_handler_registration *reg;
    netsnmp_table_registration_info *info; /* Net-SNMP borrows it; we free it */
};

static const struct rs_column *
find_column(const struct rs_table_def *def, unsigned column)
{
    size_t i;

    for (i = 0; i < def->n_columns; i++) {
        if (def->columns[i].column == column) {
            return &def->columns[i];
        }
    }
    return NULL;
}

size_t
rs_date_and_time(time_t t, unsigned char out[11])
{
    struct tm tm;

    (void)gmtime_r(&t, &tm);
    out[0] = (unsigned char)((tm.tm_year + 1900) >> 8);
    out[1] = (unsigned char)((tm.tm_year + 1900) & 0xff);
    out[2] = (unsigned char)(tm.tm_mon + 1);
    out[3] = (unsigned char)tm.tm_mday;
    out[4] = (unsigned char)tm.tm_hour;
    out[5] = (unsigned char)tm.tm_min;
    out[6] = (unsigned char)(tm.tm_sec > 59 ? 59 : tm.tm_sec);
    out[7] = 0;
    out[8] = '+';
    out[9] = 0;
    out[10] = 0;
    return 11;
}

/* Puts one column value of row into the request's varbind; 0, or an SNMP error. */
static int
answer(const struct rs_column *col, const char *row, netsnmp_variable_list *var)
{
    const void *field = row + col->offset;
    unsigned char when[11];

    switch (col->type) {
    case RS_COL_INT32: {
        int32_t value;

        memcpy(&value, field, sizeof(value));
        return snmp_set_var_typed_integer(var, ASN_INTEGER, value);
    }
    case RS_COL_TEXT: {
        const char *text;
        size_t len;

        memcpy(&text, field, sizeof(text));
        text = text != NULL ? text : "";
        len = strlen(text);
        return snmp_set_var_typed_value(var, ASN_OCTET_STR, text,
                                        len > RS_TEXT_WIRE_MAX ? RS_TEXT_WIRE_MAX : len);
    }
    case RS_COL_COUNTER64: {
        const struct rs_counter64 *c = field;
        struct counter64 wire = {.high = (u_long)(c->value >> 32),
                                 .low = (u_long)(c->value & 0xffffffffu)};

        if (c->value == RS_COUNTER64_ABSENT) {
            return SNMP_NOSUCHINSTANCE;
        }
        return snmp_set_var_typed_value(var, ASN_COUNTER64, &wire, sizeof(wire));
    }
    case RS_COL_DATETIME: {
        time_t t;

        memcpy(&t, field, sizeof(t));
        if (t == 0) {
            /* DateAndTime's "never": eight zero octets. */
            memset(when, 0, 8);
            return snmp_set_var_typed_value(var, ASN_OCTET_STR, when, 8);
        }
        return snmp_set_var_typed_value(var, ASN_OCTET_STR, when, rs_date_and_time(t, when));
    }
    case RS_COL_OCTETS: {
        const struct rs_octets *o = field;

        return snmp_set_var_typed_value(var, ASN_OCTET_STR, o->data,
                                        o->len > RS_OCTETS_MAX ? RS_OCTETS_MAX : o->len);
    }
    }
    return SNMP_ERR_GENERR;
}

/* The table_container helper has found the row; we only read it.  GETNEXT arrives here
 * as GET. */
static int
table_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
              netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    const struct rs_table *table = handler->myvoid;
    netsnmp_request_info *req;

    (void)reginfo;
    if (reqinfo->mode != MODE_GET) {
        return SNMP_ERR_NOERROR;
    }
    for (req = requests; req != NULL; req = req->next) {
        const struct row_block *block = netsnmp_container_table_row_extract(req);
        const char *row = block != NULL ? (const char *)block->data : NULL;
        netsnmp_table_request_info *info = netsnmp_extract_table_info(req);
        const struct rs_column *col = info != NULL ? find_column(table->def, info->colnum) : NULL;
        int rc;

        if (req->processed) {
            continue;
        }
        if (row == NULL || col == NULL) {
            netsnmp_set_request_error(reqinfo, req,
                                      row == NULL ? SNMP_NOSUCHINSTANCE : SNMP_NOSUCHOBJECT);
            continue;
        }
        rc = answer(col, row, req->requestvb);
        if (rc != 0) {
            netsnmp_set_request_error(reqinfo, req, rc);
        }
    }
    return SNMP_ERR_NOERROR;
}

static netsnmp_table_registration_info *
make_table_info(const struct rs_table_def *def)
{
    netsnmp_table_registration_info *info = SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
    unsigned i;
    size_t c;

    if (info == NULL) {
        return NULL;
    }
    for (i = 0; i < def->n_indexes; i++) {
        netsnmp_table_helper_add_index(info, ASN_UNSIGNED);
    }
    info->min_column = def->columns[0].column;
    info->max_column = def->columns[0].column;
    for (c = 1; c < def->n_columns; c++) {
        if (def->columns[c].column < info->min_column) {
            info->min_column = def->columns[c].column;
        }
        if (def->columns[c].column > info->max_column) {
            info->max_column = def->columns[c].column;
        }
    }
    return info;
}

/*
 * Registers the handler chain table, table_container, ours.  The table helper already treats a
 * noSuchInstance answer to a GETNEXT as "skip this instance", so absent values make a
 * sparse table without the sparse helper.
 */
static enum rw_rc
register_table(struct rs_table *table, struct rw_err *err)
{
    const struct rs_table_def *def = table->def;
    netsnmp_table_registration_info *info = make_table_info(def);

    if (info == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory registering %s", def->name);
    }
    table->reg = netsnmp_create_handler_registration(def->name, table_handler, def->oid,
                                                     def->oid_len, HANDLER_CAN_RONLY);
    if (table->reg == NULL) {
        netsnmp_table_registration_info_free(info);
        return rw_err_set(err, RW_ENOMEM, "out of memory registering %s", def->name);
    }
    table->reg->handler->myvoid = table;
    table->info = info;
    if (netsnmp_container_table_register(table->reg, info, table->rows,
                                         TABLE_CONTAINER_KEY_NETSNMP_INDEX) != MIB_REGISTERED_OK) {
        table->reg = NULL; /* freed by the failed registration */
        return rw_err_set(err, RW_EINVAL, "cannot register %s with the agent", def->name);
    }
    return RW_OK;
}

enum rw_rc
rs_table_new(const struct rs_table_def *def, void *cleanup_ctx, struct rs_table **out,
             struct rw_err *err)
{
    struct rs_table *table = calloc(1, sizeof(*table));

    *out = NULL;
    if (table == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory creating %s", def->name);
    }
    table->def = def;
    table->cleanup_ctx = cleanup_ctx;
    table->rows = netsnmp_container_find("table_container");
    if (table->rows == NULL) {
        free(table);
        return rw_err_set(err, RW_ENOMEM, "out of memory creating %s", def->name);
    }
    if (register_table(table, err) != RW_OK) {
        rs_table_free(table);
        return err != NULL ? err->code : RW_EINVAL;
    }
    *out = table;
    return RW_OK;
}

/* Bytes of the caller's struct, rounded up so that the OID after it is aligned. */
static size_t
data_size(const struct rs_table_def *def)
{
    return (def->row_size + sizeof(oid) - 1) / sizeof(oid) * sizeof(oid);
}

static void
delete_row(struct rs_table *table, struct row_block *block)
{
    (void)CONTAINER_REMOVE(table->rows, block);
    if (table->def->row_cleanup != NULL) {
        table->def->row_cleanup(block->data, table->cleanup_ctx);
    }
    free(block);
}

/* Frees a row's block without taking it out of the container (the table is going away). */
static void
free_block(void *item, void *ctx)
{
    struct row_block *block = item;
    const struct rs_table *table = ctx;

    if (table->def->row_cleanup != NULL) {
        table->def->row_cleanup(block->data, table->cleanup_ctx);
    }
    free(block);
}

void
rs_table_free(struct rs_table *table)
{
    if (table == NULL) {
        return;
    }
    if (table->reg != NULL) {
        (void)netsnmp_unregister_handler(table->reg);
    }
    /* Every block freed in one pass; the container (freed next) never frees its items.
     * Removing rows one by one from the front would move the whole array each time. */
    if (table->rows != NULL) {
        CONTAINER_FOR_EACH(table->rows, free_block, table);
        CONTAINER_FREE(table->rows);
    }
    netsnmp_table_registration_info_free(table->info);
    free(table);
}

static void
index_oids(const struct rs_table *table, const uint32_t *indexes, oid *out)
{
    unsigned i;

    for (i = 0; i < table->def->n_indexes; i++) {
        out[i] = indexes[i];
    }
}

void *
rs_table_find(struct rs_table *table, const uint32_t *indexes)
{
    oid oids[RS_TABLE_INDEXES_MAX];
    netsnmp_index key = {.len = table->def->n_indexes, .oids = oids};
    struct row_block *block;

    index_oids(table, indexes, oids);
    block = CONTAINER_FIND(table->rows, &key);
    return block != NULL ? block->data : NULL;
}

/* Adds a row (one block, see struct row_block) with its index OID. */
static enum rw_rc
add_row(struct rs_table *table, const uint32_t *indexes, void **out, struct rw_err *err)
{
    size_t size = data_size(table->def);
    struct row_block *block =
        calloc(1, sizeof(*block) + size + table->def->n_indexes * sizeof(oid));
    oid *oids;

    if (block == NULL) {
        return rw_err_set(err, RW_ENOMEM, "out of memory adding a row to %s", table->def->name);
    }
    oids = (oid *)(void *)((char *)block->data + size);
    index_oids(table, indexes, oids);
    block->key.oids = oids;
    block->key.len = table->def->n_indexes;
    if (CONTAINER_INSERT(table->rows, block) != 0) {
        free(block);
        return rw_err_set(err, RW_ENOMEM, "out of memory adding a row to %s", table->def->name);
    }
    *out = block->data;
    return RW_OK;
}

enum rw_rc
rs_table_row(struct rs_table *table, const uint32_t *indexes, uint32_t owner, unsigned generation,
             void **out, struct rw_err *err)
{
    void *data = rs_table_find(table, indexes);

    if (data == NULL && add_row(table, indexes, &data, err) != RW_OK) {
        return RW_ENOMEM;
    }
    ((struct rs_row_head *)data)->owner = owner;
    ((struct rs_row_head *)data)->generation = generation;
    *out = data;
    return RW_OK;
}

/*
 * Sweeps and walks go over the container's array in one pass (CONTAINER_FOR_EACH)
 * instead of CONTAINER_NEXT(), which searches the sorted array again for every step: with
 * 50,000 rows and one sweep per endpoint poll that was seconds of CPU per poll round.
 */
#define RS_SWEEP_BATCH 64 /* rows deleted per pass; a pass repeats while it fills up */

struct sweep {
    uint32_t owner;
    unsigned generation;
    struct row_block *doomed[RS_SWEEP_BATCH];
    size_t n;
};

static void
collect_doomed(void *item, void *ctx)
{
    struct row_block *block = item;
    const struct rs_row_head *head = row_of(block);
    struct sweep *sw = ctx;

    if (head->owner == sw->owner && head->generation != sw->generation && sw->n < RS_SWEEP_BATCH) {
        sw->doomed[sw->n++] = block;
    }
}

void
rs_table_sweep(struct rs_table *table, uint32_t owner, unsigned generation)
{
    struct sweep sw = {.owner = owner, .generation = generation};
    size_t i;

    do {
        sw.n = 0;
        CONTAINER_FOR_EACH(table->rows, collect_doomed, &sw);
        for (i = 0; i < sw.n; i++) {
            delete_row(table, sw.doomed[i]);
        }
    } while (sw.n == RS_SWEEP_BATCH);
}

struct each {
    uint32_t owner;
    void (*fn)(void *row, void *ctx);
    void *ctx;
};

static void
call_each(void *item, void *ctx)
{
    struct row_block *block = item;
    const struct each *each = ctx;
    const struct rs_row_head *head = row_of(block);

    if (head->owner == each->owner) {
        each->fn(row_of(block), each->ctx);
    }
}

void
rs_table_each(struct rs_table *table, uint32_t owner, void (*fn)(void *row, void *ctx), void *ctx)
{
    struct each each = {owner, fn, ctx};

    CONTAINER_FOR_EACH(table->rows, call_each, &each);
}

size_t
rs_table_count(struct rs_table *table)
{
    return CONTAINER_SIZE(table->rows);
}
