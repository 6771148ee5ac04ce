/*
 * register_int.h: what register_steps.c (configuration and hub) and register_spoke.c (the
 * steps for each spoke) share.  Nothing outside cli/register_*.c includes it.
 */
#ifndef CLI_REGISTER_INT_H
#define CLI_REGISTER_INT_H

#include <regex.h>

#include "register.h"
#include "register_http.h"
#include "rw_cert.h"
#include "rw_config.h"
#include "rw_log.h"
#include "rw_tls.h"
#include "rw_version.h"

/* A step's verdict: go on, or stop with this exit code. */
#define REG_GO (-1)

/* One run: everything is owned here and freed by reg_run_cleanup(). */
struct reg_run {
    const struct cli_reg_opts *opts;
    struct rw_config *cfg;
    const struct rw_config_target *hub; /* borrowed from cfg */
    struct rf_client *client;
    struct rw_log log;
    struct rw_tls_ctx *tls;
    struct rf_service *hub_svc;     /* authenticated, pinned to the accepted certificate */
    char hub_name[RW_URL_TEXT_MAX]; /* "host:port" */
    char hub_fp[RW_FINGERPRINT_TEXT_MAX];
    regex_t product;
    int have_product;
    struct rw_version_policy *vpolicy;
    long timeout_ms; /* one call */
    long wait_ms;    /* the task monitor and the health wait, each */
};

/* One spoke being handled. */
struct reg_spoke {
    const struct rw_config_target *t; /* borrowed from the configuration */
    struct rf_service *svc;           /* authenticated, as configured */
    char name[RW_URL_TEXT_MAX];       /* "host:port" */
    char url[RW_URL_TEXT_MAX];        /* "https://host:port", the HostName registered */
    struct rw_fingerprint fp;         /* its leaf certificate, once step 2 ran */
    char fp_text[RW_FINGERPRINT_TEXT_MAX];
    char member[CLI_REG_PATH_MAX]; /* its AggregationSource on the hub, "" none */
};

/* Step lines on stdout: "✓ text", "✗ text", "  text" (details), "… text" (progress). */
void reg_ok(const char *fmt, ...) RW_PRINTF(1, 2);
void reg_fail(const char *fmt, ...) RW_PRINTF(1, 2);
void reg_info(const char *fmt, ...) RW_PRINTF(1, 2);
void reg_wait(const char *fmt, ...) RW_PRINTF(1, 2);

/* 1 when stdin is a terminal and the user answers yes to question (default No). */
int reg_ask(const char *question);

/* Sleeps ms milliseconds (the helper's own pauses between polls of the hub). */
void reg_sleep_ms(long ms);

/* Runs the steps for one spoke (register_spoke.c); returns the exit code. */
int reg_spoke_run(struct reg_run *run, const struct rw_config_target *target);

#endif
