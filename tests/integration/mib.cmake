# RACKWATCH-MIB validation (mibs/RACKWATCH-MIB.txt). The IETF base modules are fetched once
# per build tree by mib_fetch_base.sh into <build>/mib-cache (npm package net-snmp); the
# tests skip only when the npm registry is unreachable.
rw_integration_test(NAME mib.smilint SCRIPT mib.sh ARGS smilint LABELS mib TIMEOUT 120)
rw_integration_test(NAME mib.snmptranslate SCRIPT mib.sh ARGS snmptranslate LABELS mib TIMEOUT 120)
rw_integration_test(NAME mib.conventions SCRIPT mib.sh ARGS conventions LABELS mib TIMEOUT 120)
rw_integration_test(NAME mib.fetch SCRIPT mib.sh ARGS fetch LABELS mib TIMEOUT 180)
