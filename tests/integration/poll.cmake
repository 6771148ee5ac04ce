# rackwatch poll end to end (issue 4): rackwatch-emu over HTTPS on 127.0.0.1 port 0 with
# certificates made by the test, serving tests/data and, when present, DMTF's mockups.
if(TARGET rackwatch AND TARGET rackwatch-emu)
    foreach(suite values dmtf paging_expand sessions faults tls cli)
        rw_integration_test(NAME poll.${suite} SCRIPT poll_${suite}.sh LABELS "redfish;poll"
                            TIMEOUT 180)
    endforeach()
endif()
