# Issue 11: rackwatch across sites on Icinga 2's distributed monitoring.  A master and a
# site satellite (two icinga2 daemons on private trees and loopback ports, certificates by
# `icinga2 pki`) run the example of config/icinga2/distributed against an emulated site;
# the master's API is asserted.  One case per run: icinga_dist.sh CASE.  Skips without
# icinga2.  Every wait is bounded (60 s each); a run takes well under a minute.
rw_integration_test(NAME icinga.distributed SCRIPT icinga_dist.sh ARGS distributed
                    LABELS icinga TIMEOUT 300)
rw_integration_test(NAME icinga.satellite_down SCRIPT icinga_dist.sh ARGS satellite_down
                    LABELS icinga TIMEOUT 300)
