#!/usr/bin/env bash
# cmake --install puts every file where the design says (DESTDIR keeps it in the test's
# folder, absolute paths such as /etc/rackwatch included).
. "$(dirname "$0")/lib.sh"
dest=$RW_WORK/dest
rw_run env DESTDIR="$dest" cmake --install "$RW_BUILD_DIR" --prefix /usr/local
if [[ $RW_RC -ne 0 ]]; then rw_fail "cmake --install"; rw_done; exit 1; fi
for path in lib/nagios/plugins/check_spoke_liveness lib/nagios/plugins/check_hubspoke \
    lib/nagios/plugins/check_spoke_cert lib/nagios/plugins/check_spoke_version \
    lib/nagios/plugins/check_pdu lib/nagios/plugins/check_pdu_live \
    lib/nagios/plugins/check_server lib/nagios/plugins/check_server_live \
    bin/rackwatch bin/rackwatch-emu sbin/rackwatchd share/snmp/mibs/RACKWATCH-MIB.txt \
    share/doc/rackwatch/rackwatch.yaml.example; do
    if [[ -f $dest/usr/local/$path ]]; then rw_pass "$path"; else RW_OUT=$(cd "$dest" && find . -type f | sort); rw_fail "$path missing"; fi
done
if [[ -x $dest/usr/local/lib/nagios/plugins/check_spoke_liveness ]] &&
    "$dest/usr/local/lib/nagios/plugins/check_spoke_liveness" --version | grep -q '^check_spoke_liveness'; then
    rw_pass "the installed plugin runs"
else
    rw_fail "installed plugin"
fi
rw_done
