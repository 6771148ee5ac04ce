/*
 * rf_config: a configured endpoint (core/rw_config) as the client's service options and
 * a poll's options, so that rackwatch poll, rackwatchd and the plugins read a
 * configuration the same way.
 */
#ifndef RF_CONFIG_H
#define RF_CONFIG_H

#include "rf_client.h"
#include "rf_model.h"
#include "rf_poll.h"
#include "rw_config.h"

/*
 * Fills svc for target.  Every string is borrowed from target (so from the loaded
 * configuration): keep the configuration until rf_client_add() has copied them.
 */
void rf_config_service(const struct rw_config_target *target, struct rf_service_opts *svc);

/* Fills poll for target (borrowing its name and URL text likewise). */
void rf_config_poll(const struct rw_config_target *target, struct rf_poll_opts *poll);

/* The model's kind for a configured kind. */
enum rf_kind rf_config_kind(enum rw_config_kind kind);

#endif
