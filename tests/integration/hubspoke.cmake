# The hub/spoke plugins against rackwatch-emu and openssl s_server over HTTPS: one ctest test
# per case.  check_spoke_cert: hubspoke_cert.sh; check_spoke_version: hubspoke_version.sh;
# check_hubspoke: hubspoke.sh.
foreach(case identical_ok identical_mismatch same_issuer_ok same_issuer_other_ca
        untrusted_chain pinned_ok pinned_mismatch registered expiring expired
        expired_spoke_only wrong_host s_server not_responding not_tls bad_args)
    rw_integration_test(NAME hubspoke.cert.${case} SCRIPT hubspoke_cert.sh ARGS ${case}
                        LABELS hubspoke TIMEOUT 60)
endforeach()
foreach(case exact_ok exact_mismatch same_major minimum product not_redfish bad_version
        version_location not_responding hub_not_responding faults tls auth bad_args)
    rw_integration_test(NAME hubspoke.version.${case} SCRIPT hubspoke_version.sh ARGS ${case}
                        LABELS hubspoke TIMEOUT 60)
endforeach()
foreach(case all_ok issue_example every_status order policies untrusted hub_down
        hub_not_aggregator hub_product hub_faults hub_health paging empty bad_hostname expiring
        expired s_server_spoke timeout config config_credentials many bad_args)
    rw_integration_test(NAME hubspoke.hub.${case} SCRIPT hubspoke.sh ARGS ${case}
                        LABELS hubspoke TIMEOUT 60)
endforeach()
