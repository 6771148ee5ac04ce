rw_integration_test(NAME rackwatchd.agentx SCRIPT rackwatchd.sh ARGS agentx LABELS snmp TIMEOUT 60)
rw_integration_test(NAME rackwatchd.usage SCRIPT rackwatchd.sh ARGS usage LABELS snmp)
rw_integration_test(NAME rackwatchd.standalone SCRIPT rackwatchd.sh ARGS standalone LABELS snmp
                    TIMEOUT 60)
