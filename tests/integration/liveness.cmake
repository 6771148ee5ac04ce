# check_spoke_liveness against real local TLS servers: one ctest test per case.
foreach(case trusted other_ca insecure expired wrong_host sni refused plain_http http503
        http404 ipv6 ipv6_brackets dns_localhost authfile env_credentials
        bad_range bad_host bad_port bad_timeout bad_option bad_path bad_cacert help version
        hub_ok hub_critical hub_missing hub_not_a_hub hub_down bad_hub)
    rw_integration_test(NAME liveness.${case} SCRIPT liveness.sh ARGS ${case} LABELS liveness
                        TIMEOUT 60)
endforeach()
# Cases that wait on purpose: the 1 s server delay, the -t 2 deadline against a silent server.
rw_integration_test(NAME liveness.thresholds SCRIPT liveness.sh ARGS thresholds
                    LABELS liveness TIMEOUT 60)
rw_integration_test(NAME liveness.hang SCRIPT liveness.sh ARGS hang LABELS liveness TIMEOUT 20)
