# The TLS probe (core/rw_tls) against openssl s_server and hand-made bad servers.
# rw_tls_probe_cli is a test-only front that prints a probe's result as key=value lines.
add_executable(rw_tls_probe_cli ${PROJECT_SOURCE_DIR}/tests/tools/rw_tls_probe_cli.c)
target_link_libraries(rw_tls_probe_cli PRIVATE rwcore)
set_target_properties(rw_tls_probe_cli PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)

rw_integration_test(NAME tls_probe.trusted SCRIPT tls_probe.sh ARGS trusted LABELS tls)
rw_integration_test(NAME tls_probe.certs SCRIPT tls_probe.sh ARGS certs LABELS tls)
rw_integration_test(NAME tls_probe.failures SCRIPT tls_probe.sh ARGS failures LABELS tls)
rw_integration_test(NAME tls_probe.concurrent SCRIPT tls_probe.sh ARGS concurrent LABELS tls)
# Named hosts resolved off the caller's loop, against a slow DNS server in private
# network and mount namespaces (skipped without unshare permission).
rw_integration_test(NAME tls_probe.dns SCRIPT tls_probe.sh ARGS dns LABELS tls TIMEOUT 180)
