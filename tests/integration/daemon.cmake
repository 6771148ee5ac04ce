rw_integration_test(NAME daemon.end_to_end SCRIPT daemon.sh LABELS "snmp;daemon" TIMEOUT 120)
rw_integration_test(NAME daemon.many_endpoints SCRIPT daemon_many.sh LABELS "snmp;daemon"
                    TIMEOUT 120)
