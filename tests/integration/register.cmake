# rackwatch register (issue 6) against rackwatch-emu hubs and spokes over HTTPS, and a
# python3 fake hub for 204, 202 and Critical: one ctest test per case of register.sh.
foreach(case fresh second_run dry_run version_mismatch product_mismatch unknown_fingerprint prompt
        wrong_fingerprint data_loss confirm_data_loss hub_204 hub_202 hub_202_task hub_202_fail hub_critical
        connection_method session_replay unregister update_cert ipv6_dns unreachable two_spokes spoke_select bad_yaml)
    rw_integration_test(NAME register.${case} SCRIPT register.sh ARGS ${case}
                        LABELS register TIMEOUT 90)
endforeach()
