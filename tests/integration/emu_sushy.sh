#!/usr/bin/env bash
# emu.sushy: OpenStack's sushy (Debian's python3-sushy) against the emulator over HTTPS,
# verifying the certificate with the test CA; session auth (sushy's default) and Basic.
# /usr/bin/python3 is Debian's, where python3-sushy lives (the python3 on PATH may not be).
# requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a session's own CA file, so
# they are unset for these runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"

PY=/usr/bin/python3
$PY -c 'import sushy' 2>/dev/null || rw_skip "python3-sushy is not installed (apt-get install python3-sushy)"
emu_tls
emu_start sushy --tls --mockup "$EMU_DATA/server" --user admin --password sesame \
    --access-log "$RW_WORK/sushy.acc"

SUSHY_PY='
import sys, sushy
from sushy import auth
url, cafile, user, password, mode = sys.argv[1:6]
a = auth.BasicAuth(user, password) if mode == "basic" else auth.SessionAuth(user, password)
s = sushy.Sushy(url + "/redfish/v1", verify=cafile, auth=a)
systems = s.get_system_collection()
print("members", ",".join(systems.members_identities))
system = s.get_system(systems.members_identities[0])
print("system", system.identity, system.name, system.power_state.value,
      system.status.health.value, system.status.health_rollup.value)
chassis = s.get_chassis_collection().get_members()[0]
print("chassis", chassis.identity, chassis.chassis_type.value)
manager = s.get_manager_collection().get_members()[0]
print("manager", manager.identity, manager.firmware_version)
system.reset_system(sushy.ResetType.FORCE_OFF if hasattr(sushy, "ResetType") else "force off")
print("reset ok")
'

sushy_run() {
    rw_run env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE $PY -c "$SUSHY_PY" "$EMU_URL" \
        "$EMU_CACERT" "$@"
}

want='members /redfish/v1/Systems/1
system 1 rw-node-07 on ok warning
chassis 1U RackMount
manager BMC 4.12.0
reset ok'
sushy_run admin sesame session
if [[ $RW_RC -eq 0 && ${RW_OUT,,} == "${want,,}" ]]; then
    rw_pass "sushy (session auth): get_system_collection, system, chassis, manager, reset"
else
    rw_fail "sushy (session auth)"
fi
sushy_run admin sesame basic
if [[ $RW_RC -eq 0 && ${RW_OUT,,} == "${want,,}" ]]; then
    rw_pass "sushy (Basic auth)"
else
    rw_fail "sushy (Basic auth)"
fi
sushy_run admin wrong session
[[ $RW_RC -ne 0 && $RW_ERR == *"401"* ]] && rw_pass "sushy with a wrong password: 401" ||
    rw_fail "sushy with a wrong password"

if python3 -c 'import sys
rows = [l.split() for l in open(sys.argv[1])]
logins = [r for r in rows if r[3] == "POST" and r[4].endswith("/Sessions") and r[5] == "201"]
resets = [r for r in rows if r[3] == "POST" and r[4].endswith("/Actions/ComputerSystem.Reset")]
sys.exit(0 if len(logins) >= 1 and len(resets) == 2 and all(r[5] == "204" for r in resets) else 1)' \
    "$RW_WORK/sushy.acc"; then
    rw_pass "access log: sushy logged in and its resets were accepted (204)"
else
    RW_OUT=$(cat "$RW_WORK/sushy.acc") rw_fail "access log of the sushy runs"
fi

# Over a CA that did not sign the certificate, sushy refuses the service.
rw_make_ca "$RW_WORK/otherca"
rw_run env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE $PY -c "$SUSHY_PY" "$EMU_URL" \
    "$RW_WORK/otherca/ca.crt" admin sesame session
[[ $RW_RC -ne 0 && $RW_ERR == *CERTIFICATE_VERIFY_FAILED* ]] &&
    rw_pass "sushy with the wrong CA: certificate refused" || rw_fail "sushy with the wrong CA"

emu_done
