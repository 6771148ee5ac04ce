#!/usr/bin/env bash
# Issue 11: rackwatch across sites on Icinga 2's distributed monitoring, for real on this
# machine.  Two icinga2 daemons, a master and the satellite of zone site-east, each with its
# own tree under $RW_WORK (config, data, log, cache, spool, run) and its own API port on
# 127.0.0.1, certificates made by `icinga2 pki` in the test.  The master runs the shipped
# example's global zone (config/icinga2/distributed/zones.d/rackwatch-global, plus
# config/icinga2/rackwatch.conf copied beside it) and syncs it to the satellite, which checks
# an emulated site: a hub and two spokes (rackwatch-emu; one spoke port closed), a PDU and a
# server read from the site's snapshot (`rackwatch poll --json`).  Results are read from
# the master's API.  One case per run: icinga_dist.sh CASE.
#   distributed    the shipped example validates; the master records the satellite's results
#   satellite_down the same, then the satellite stops: the master shows its zone DOWN and its
#                  checks late and frozen, while the hub's own view of the site goes on
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/icinga_dist_lib.sh"

case_distributed() {
    dist_need
    dist_validate_example
    dist_start_site
    dist_start_nodes
    dist_site_results
    dist_synced
    # Before anything stops: a stop is logged as a warning by the other node.
    dist_clean_log master "$RW_WORK/master/out.log"
    dist_clean_log satellite "$RW_WORK/sat/out.log"
    dist_stop_node SAT
    dist_stop_node MASTER
}

case_satellite_down() {
    dist_need
    dist_start_site
    dist_start_nodes
    dist_site_results
    dist_satellite_down
    dist_stop_node MASTER
}

case "${1:-}" in
    distributed) case_distributed ;;
    satellite_down) case_satellite_down ;;
    *)
        echo "usage: $0 distributed|satellite_down" >&2
        exit 2
        ;;
esac
rw_done
