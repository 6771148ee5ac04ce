#!/usr/bin/env bash
# emu.faults: every fault flag, over HTTPS.  Durations are read from the emulator's own
# access log and only as lower bounds the emulator's sleeps guarantee.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"

emu_tls
AC1=/redfish/v1/PowerEquipment/RackPDUs/1/Mains/AC1
AC1_FILE=$EMU_DATA/pdu/PowerEquipment/RackPDUs/1/Mains/AC1/index.json

# emu_log_check NAME PYTHON_EXPR LOG: the expression over `rows`, the access-log lines as
# (start, end, peer, method, path, status, bytes).
emu_log_check() {
    local name=$1 expr=$2 log=$3
    if python3 -c 'import sys
rows = []
for line in open(sys.argv[1]):
    f = line.split()
    rows.append((float(f[0]), float(f[1]), f[2], f[3], f[4], int(f[5]), int(f[6])))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$log" "$expr"; then
        rw_pass "$name"
    else
        RW_OUT=$(cat "$log") RW_ERR="" rw_fail "$name: $expr"
    fi
}

emu_start delay --tls --mockup "$EMU_DATA/pdu" --delay-ms 300 --access-log "$RW_WORK/delay.acc"
emu_status "--delay-ms 300: answers" 200 "$EMU_URL/redfish/v1/"
emu_log_check "--delay-ms 300: the answer waited 300 ms" \
    'len(rows) == 1 and rows[0][1] - rows[0][0] >= 0.3 and rows[0][3:6] == ("GET", "/redfish/v1/", 200)' \
    "$RW_WORK/delay.acc"

emu_start jitter --tls --mockup "$EMU_DATA/pdu" --jitter-ms 200 --access-log "$RW_WORK/jitter.acc"
for i in 1 2 3 4 5 6 7 8 9 10; do
    emu_curl -o /dev/null "$EMU_URL/redfish/v1/"
done
emu_log_check "--jitter-ms 200: all answered, some waited" \
    'len(rows) == 10 and all(r[5] == 200 for r in rows) and max(r[1] - r[0] for r in rows) >= 0.01' \
    "$RW_WORK/jitter.acc"

emu_start fail1 --tls --mockup "$EMU_DATA/pdu" --fail-rate 1
emu_status "--fail-rate 1: 503" 503 "$EMU_URL/redfish/v1/Chassis"
emu_header "503 with Retry-After" '^Retry-After: [0-9]+$'
emu_json "503 body: ServiceTemporarilyUnavailable" \
    'd["error"]["code"].endswith(".ServiceTemporarilyUnavailable")' "$RW_WORK/body"

emu_start fail5 --tls --mockup "$EMU_DATA/pdu" --fail-rate 0.5
codes=$(for i in $(seq 40); do emu_curl -o /dev/null -w '%{http_code}\n' "$EMU_URL/redfish/v1/"; done |
    sort -u | tr '\n' ' ')
[[ $codes == "200 503 " ]] && rw_pass "--fail-rate 0.5: both 200 and 503 in 40 requests" ||
    RW_OUT=$codes rw_fail "--fail-rate 0.5 codes"

emu_start status --tls --mockup "$EMU_DATA/pdu" --http-status 500
emu_status "--http-status 500 on the root" 500 "$EMU_URL/redfish/v1/"
emu_json "500 body is a Redfish error" '"error" in d' "$RW_WORK/body"
emu_status "--http-status 500 on a member" 500 "$EMU_URL/redfish/v1/Chassis/PDU1"
emu_start status404 --tls --mockup "$EMU_DATA/pdu" --http-status 404
emu_status "--http-status 404" 404 "$EMU_URL/redfish/v1/"

emu_start badjson --tls --mockup "$EMU_DATA/pdu" --bad-json
emu_status "--bad-json: 200" 200 "$EMU_URL$AC1"
if python3 -c 'import json, sys
body = open(sys.argv[1]).read()
try:
    json.loads(body)
    sys.exit(1)
except ValueError:
    pass
sys.exit(0 if body.startswith("{\"@odata.type\"") and 0 < len(body) < 1500 else 1)' "$RW_WORK/body"; then
    rw_pass "--bad-json: a truncated, unparsable body"
else
    RW_OUT=$(cat "$RW_WORK/body") rw_fail "--bad-json body"
fi

emu_start drop --tls --mockup "$EMU_DATA/pdu" --drop --access-log "$RW_WORK/drop.acc"
rw_run emu_curl -o /dev/null "$EMU_URL/redfish/v1/"
[[ $RW_RC -eq 52 ]] && rw_pass "--drop: closed without an answer (curl: empty reply)" ||
    rw_fail "--drop: want curl exit 52"
emu_log_check "--drop: logged with status 0" 'len(rows) == 1 and rows[0][5] == 0' "$RW_WORK/drop.acc"

emu_start slow --tls --mockup "$EMU_DATA/pdu" --slow-body 2000 --access-log "$RW_WORK/slow.acc"
emu_status "--slow-body 2000: 200" 200 "$EMU_URL$AC1"
emu_json "--slow-body: the whole resource" "d == json.load(open('$AC1_FILE'))" "$RW_WORK/body"
emu_log_check "--slow-body 2000: a 2 KB body took at least 1 s" \
    'len(rows) == 1 and rows[0][6] > 2000 and rows[0][1] - rows[0][0] >= 1.0' "$RW_WORK/slow.acc"

emu_start huge --tls --mockup "$EMU_DATA/pdu" --huge-body 3000000
rw_run emu_curl -o "$RW_WORK/huge" -w '%{http_code} %{size_download}' "$EMU_URL/redfish/v1/"
[[ $RW_OUT == "200 3000000" ]] && rw_pass "--huge-body 3000000: that many bytes" ||
    rw_fail "--huge-body size"
emu_json "--huge-body: still JSON" 'len(d["Pad"]) == 3000000 - 10' "$RW_WORK/huge"

emu_start unauth --tls --mockup "$EMU_DATA/server" --user admin --password sesame \
    --unauthorized-after 3
SESS=$EMU_URL/redfish/v1/SessionService/Sessions
emu_status "--unauthorized-after 3: login (request 1)" 201 \
    -d '{"UserName":"admin","Password":"sesame"}' "$SESS"
token=$(tr -d '\r' <"$RW_WORK/headers" | sed -n 's/^X-Auth-Token: //Ip')
emu_status "request 2 with the token" 200 -H "X-Auth-Token: $token" "$EMU_URL/redfish/v1/Systems"
emu_status "request 3 with the token" 200 -H "X-Auth-Token: $token" "$EMU_URL/redfish/v1/Systems"
emu_status "request 4: the session is forgotten, 401" 401 -H "X-Auth-Token: $token" \
    "$EMU_URL/redfish/v1/Systems"
emu_status "log in again" 201 -d '{"UserName":"admin","Password":"sesame"}' "$SESS"
token=$(tr -d '\r' <"$RW_WORK/headers" | sed -n 's/^X-Auth-Token: //Ip')
emu_status "the new token works" 200 -H "X-Auth-Token: $token" "$EMU_URL/redfish/v1/Systems"
emu_status "the forgotten session is gone from the collection" 200 -H "X-Auth-Token: $token" "$SESS"
emu_json "one session listed" 'd["Members@odata.count"] == 1' "$RW_WORK/body"

emu_done
