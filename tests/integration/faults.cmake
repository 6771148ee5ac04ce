# Fault injection against rackwatchd (issue 10): faults.sh SCENARIO, one ctest test each,
# label faults, so that ctest -j2 runs them beside the others.  Each scenario takes
# seconds (poll_interval 1, timeout 1); TIMEOUT is only the guard.
foreach(scenario timeout drop bad_json garbage garbage_midpoll metrics_503 http503 http503_no_retry_after
        storm sigterm_hang session flap snmpd_restart reload disk_full)
    rw_integration_test(NAME faults.${scenario} SCRIPT faults.sh ARGS ${scenario}
                        LABELS "faults;snmp;daemon" TIMEOUT 90)
endforeach()
# valgrind slows the daemon some twenty times; the ASan build skips this one (LeakSanitizer
# checks the daemon's exit in every other faults.* test there).
rw_integration_test(NAME faults.valgrind SCRIPT faults.sh ARGS valgrind
                    LABELS "faults;snmp;daemon" TIMEOUT 180)
