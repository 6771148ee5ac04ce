#include "rf_config.h"

enum rf_kind
rf_config_kind(enum rw_config_kind kind)
{
    switch (kind) {
    case RW_CONFIG_KIND_PDU:
        return RF_KIND_PDU;
    case RW_CONFIG_KIND_SERVER:
        return RF_KIND_SERVER;
    case RW_CONFIG_KIND_AUTO:
        break;
    }
    return RF_KIND_AUTO;
}

void
rf_config_service(const struct rw_config_target *target, struct rf_service_opts *svc)
{
    long timeout_ms = (long)(target->set.timeout * 1000.0);

    rf_service_opts_init(svc);
    svc->url = target->url_text;
    if (target->cred != NULL) {
        svc->username = target->cred->username;
        svc->password = target->cred->password;
    } else {
        svc->auth = RF_AUTH_NONE;
    }
    svc->ca_file = target->set.ca_file;
    svc->insecure = target->set.insecure;
    svc->fingerprint = target->fingerprint;
    svc->connect_timeout_ms = timeout_ms;
    svc->timeout_ms = timeout_ms;
    svc->max_in_flight = (int)target->set.max_in_flight;
}

void
rf_config_poll(const struct rw_config_target *target, struct rf_poll_opts *poll)
{
    poll->name = target->name;
    poll->url = target->url_text;
    poll->kind = rf_config_kind(target->kind);
    poll->expand = target->set.expand != 0;
    poll->max_in_flight = (int)target->set.max_in_flight;
}
