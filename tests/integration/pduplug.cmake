# check_pdu and check_server (issue 8): live against rackwatch-emu over HTTPS, and from
# snapshots written by `rackwatch poll --json` (state mode).  One ctest test per case.
foreach(case metrics ranges filters expect health missing server state unreachable
        failed_snapshot same_pdu same_server split bad_args)
    rw_integration_test(NAME pduplug.${case} SCRIPT pduplug.sh ARGS ${case} LABELS pduplug
                        TIMEOUT 120)
endforeach()
