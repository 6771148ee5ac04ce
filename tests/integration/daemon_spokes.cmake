rw_integration_test(NAME daemon.spokes SCRIPT daemon_spokes.sh LABELS "snmp;daemon;hubspoke"
                    TIMEOUT 180)
rw_integration_test(NAME daemon.spokes_bad_config SCRIPT daemon_spokes.sh ARGS bad_config
                    LABELS "snmp;daemon;hubspoke" TIMEOUT 60)
rw_integration_test(NAME daemon.spokes_listed SCRIPT daemon_spokes_listed.sh
                    LABELS "snmp;daemon;hubspoke" TIMEOUT 240)
