# The Redfish HTTP client (redfish/rf_client.h) against real servers on loopback: a Python
# HTTPS server written by the test (sessions, 401, 503/Retry-After, redirects, big and slow
# bodies), openssl s_server, and rackwatch-emu when it is built.
# rf_fetch_cli is a test-only front that GETs paths and prints one line per request.
if(TARGET rwredfish)
    add_executable(rf_fetch_cli ${PROJECT_SOURCE_DIR}/tests/tools/rf_fetch_cli.c)
    target_link_libraries(rf_fetch_cli PRIVATE rwredfish rwcore)
    set_target_properties(rf_fetch_cli PROPERTIES
        RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)

    foreach(area sessions retry redirect caps slow tls loop idle)
        rw_integration_test(NAME rf_client.${area} SCRIPT rf_client.sh ARGS ${area}
                            LABELS redfish TIMEOUT 180)
    endforeach()
    rw_integration_test(NAME rf_client.emu SCRIPT rf_client_emu.sh LABELS redfish
                        TIMEOUT 180)
endif()
