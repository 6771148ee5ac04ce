rw_integration_test(NAME daemon.end_to_end SCRIPT daemon.sh LABELS "snmp;daemon" TIMEOUT 120)
