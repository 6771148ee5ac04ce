#!/usr/bin/env bash
# emu.redfishtool: DMTF's redfishtool (Debian package) against the emulator over HTTPS,
# with Basic auth and with sessions (-A Session: login, requests, logout).
# redfishtool cannot be given a CA file (it never verifies), so the certificate checks are
# the other suites' job; here it is the client's view of the service that counts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"

command -v redfishtool >/dev/null || rw_skip "redfishtool is not installed (apt-get install redfishtool)"
emu_tls
emu_start rft --tls --mockup "$EMU_DATA/server" --user admin --password sesame \
    --access-log "$RW_WORK/rft.acc"
H=${EMU_URL#https://}
RFT=(redfishtool -r "$H" -S Always -u admin -p sesame)

# rft_json NAME EXPR ARGS...: redfishtool ARGS exits 0 and its JSON output satisfies EXPR.
rft_json() {
    local name=$1 expr=$2
    shift 2
    rw_run "${RFT[@]}" "$@"
    printf '%s' "$RW_OUT" >"$RW_WORK/rft.out"
    if [[ $RW_RC -ne 0 ]]; then
        rw_fail "$name: redfishtool exit $RW_RC"
        return
    fi
    emu_json "$name" "$expr" "$RW_WORK/rft.out"
}

S="$EMU_DATA/server"
rft_json "Basic: root" "d == json.load(open('$S/index.json'))" -A Basic root
rft_json "Basic: Systems list" \
    'd["Members@odata.count"] == 1 and d["Members"][0]["@odata.id"] == "/redfish/v1/Systems/1"' \
    -A Basic Systems list
rft_json "Session: Systems -1 get equals the file" \
    "d == json.load(open('$S/Systems/1/index.json'))" -A Session Systems -1 get
rft_json "Session: Chassis -1 get" "d['Id'] == '1U' and d['ChassisType'] == 'RackMount'" \
    -A Session Chassis -1 get
rft_json "Session: Chassis -1 Power" \
    "d['PowerControl'][0]['PowerConsumedWatts'] == 352" -A Session Chassis -1 Power
rft_json "Session: Managers -1 get" "d['FirmwareVersion'] == '4.12.0'" -A Session Managers -1 get
rft_json "Session: raw GET" "d == json.load(open('$S/Chassis/1U/ThermalSubsystem/ThermalMetrics/index.json'))" \
    -A Session raw GET /redfish/v1/Chassis/1U/ThermalSubsystem/ThermalMetrics
rw_run "${RFT[@]}" -A Session raw PATCH /redfish/v1/Systems/1 -d '{"AssetTag":"rack7-u12"}'
[[ $RW_RC -eq 0 ]] && rw_pass "Session: raw PATCH" || rw_fail "Session: raw PATCH"
rft_json "the PATCH is kept" "d['AssetTag'] == 'rack7-u12'" -A Basic Systems -1 get

rw_run redfishtool -r "$H" -S Always -u admin -p wrong -A Session Systems list
[[ $RW_RC -ne 0 && $RW_ERR == *"401"* ]] && rw_pass "Session with a wrong password: refused (401)" ||
    rw_fail "Session with a wrong password"

if python3 -c 'import sys
rows = [l.split() for l in open(sys.argv[1])]
logins = [r for r in rows if r[3] == "POST" and r[4] == "/redfish/v1/SessionService/Sessions"]
logouts = [r for r in rows if r[3] == "DELETE" and r[4].startswith("/redfish/v1/SessionService/Sessions/")]
ok = [r for r in logins if r[5] == "201"]
sys.exit(0 if len(ok) >= 5 and len(logouts) == len(ok) and all(r[5] == "204" for r in logouts) else 1)' \
    "$RW_WORK/rft.acc"; then
    rw_pass "access log: every -A Session run logged in (201) and out (204)"
else
    RW_OUT=$(cat "$RW_WORK/rft.acc") rw_fail "session log-ins and log-outs"
fi
emu_status "no session is left open" 200 -u admin:sesame "$EMU_URL/redfish/v1/SessionService/Sessions"
emu_json "sessions collection is empty" 'd["Members@odata.count"] == 0' "$RW_WORK/body"

emu_done
