/*
 * libFuzzer target for the JSON -> model mapping: any bytes are parsed as a Redfish body
 * and given to every mapper, and as a snapshot document; a snapshot that parses must write
 * a document that parses again.  Nothing may crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rf_crawl.h"
#include "rf_map.h"
#include "rf_model.h"
#include "rf_snapshot.h"
#include "rw_buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
map_pdu_parts(const struct json_object *obj, struct rf_endpoint *ep)
{
    struct rf_pdu pdu = {0};
    struct rf_pdu_links links = {0};
    struct rf_inlet in = {0};
    struct rf_branch br = {0};
    struct rf_outlet out = {0};
    struct rf_collection coll = {0};
    struct rf_root root = {0};
    char *rack = NULL;

    if (rf_map_pdu(obj, &pdu, &links, ep, NULL) == RW_OK) {
        (void)rf_map_pdu_metrics(obj, &pdu, ep, NULL);
    }
    (void)rf_map_inlet(obj, &in, ep, NULL);
    (void)rf_map_branch(obj, &br, ep, NULL);
    (void)rf_map_outlet(obj, &out, ep, NULL);
    if (rf_map_collection(obj, &coll, ep, NULL) == RW_OK) {
        rf_collection_cleanup(&coll);
    }
    if (rf_map_root(obj, &root, ep, NULL) == RW_OK) {
        rf_root_cleanup(&root);
    }
    if (rf_map_power_equipment(obj, &rack, ep, NULL) == RW_OK) {
        free(rack);
    }
    rf_pdu_links_cleanup(&links);
    rf_pdu_cleanup(&pdu);
    rf_inlet_cleanup(&in);
    rf_branch_cleanup(&br);
    rf_outlet_cleanup(&out);
}

static void
map_server_parts(const struct json_object *obj, struct rf_endpoint *ep)
{
    struct rf_server srv = {0};
    struct rf_system_links links = {0};
    struct rf_chassis_links ch = {0};

    (void)rf_map_system(obj, &srv, &links, ep, NULL);
    (void)rf_map_chassis(obj, &ch, ep, NULL);
    (void)rf_map_environment_power(obj, ep);
    (void)rf_map_thermal_metrics_intake(obj, ep);
    (void)rf_map_sensor_intake(obj, ep);
    (void)rf_map_power_consumed(obj, ep);
    (void)rf_map_thermal_intake(obj, ep);
    rf_system_links_cleanup(&links);
    rf_chassis_links_cleanup(&ch);
    rf_server_cleanup(&srv);
}

static void
snapshot_round_trip(const char *text, size_t len)
{
    struct rf_snapshot *snap = NULL, *again = NULL;
    struct rw_buf buf;

    if (rf_snapshot_parse(text, len, &snap, NULL) != RW_OK) {
        return;
    }
    rw_buf_init(&buf, RF_SNAPSHOT_MAX);
    if (rf_snapshot_format(snap->endpoints, snap->n, 0, &buf, NULL) == RW_OK &&
        rf_snapshot_parse(rw_buf_str(&buf), rw_buf_len(&buf), &again, NULL) != RW_OK) {
        abort(); /* what the writer writes, the reader must read */
    }
    rf_snapshot_free(again);
    rf_snapshot_free(snap);
    rw_buf_free(&buf);
}

/* A crawl in which every resource answers with the input: links, pages and members of any
 * shape reach the plan; it is stopped after a bounded number of requests. */
static void
crawl_with(const char *text, size_t len, enum rf_kind kind, bool expand)
{
    struct rf_crawl *c = rf_crawl_new(kind, expand);
    const char *uris[4];
    size_t n = 0, i;
    enum rw_rc rc = c == NULL ? RW_ENOMEM : RW_OK;

    while (rc == RW_OK && !rf_crawl_done(c)) {
        if (rf_crawl_requests(c) > 200) {
            rf_crawl_cancel(c, "fuzz budget");
            break;
        }
        rc = rf_crawl_next(c, uris, 4, &n, NULL);
        for (i = 0; rc == RW_OK && i < n; i++) {
            rc = (i % 3 == 2) ? rf_crawl_fail(c, uris[i], RW_EHTTP, "HTTP 500", NULL)
                              : rf_crawl_feed(c, uris[i], text, len, NULL);
        }
    }
    rf_endpoint_free(c != NULL ? rf_crawl_take(c) : NULL);
    rf_crawl_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *obj = NULL;
    struct rf_endpoint *ep = rf_endpoint_new();

    if (ep == NULL) {
        return 0;
    }
    if (rf_json_parse((const char *)data, size, 0, false, &obj, NULL) == RW_OK) {
        map_pdu_parts(obj, ep);
        map_server_parts(obj, ep);
        json_object_put(obj);
    }
    snapshot_round_trip((const char *)data, size);
    crawl_with((const char *)data, size, RF_KIND_AUTO, size % 2 == 0);
    rf_endpoint_free(ep);
    return 0;
}
