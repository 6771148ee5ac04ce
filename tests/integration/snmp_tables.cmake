# RACKWATCH-MIB served by the real table layer (snmp/rs_mib) through a private snmpd, from a
# model built by hand in rs_mib_serve: values, scaling, sparse columns, notifications.
add_executable(rs_mib_serve ${PROJECT_SOURCE_DIR}/tests/tools/rs_mib_serve.c)
target_link_libraries(rs_mib_serve PRIVATE rwsnmp)
set_target_properties(rs_mib_serve PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)

rw_integration_test(NAME snmp.tables SCRIPT snmp_tables.sh ARGS tables LABELS snmp TIMEOUT 60)
rw_integration_test(NAME snmp.notifications SCRIPT snmp_tables.sh ARGS notifications
                    LABELS snmp TIMEOUT 60)
rw_integration_test(NAME snmp.stable_indexes SCRIPT snmp_tables.sh ARGS indexes LABELS snmp
                    TIMEOUT 60)
