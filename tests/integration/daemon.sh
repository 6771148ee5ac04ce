#!/usr/bin/env bash
# rackwatchd end to end: the emulator's PDU and server over HTTPS, a private snmpd, the
# tables equal to `rackwatch poll --json` (scaled), stale data and its notification,
# SIGHUP with a changed configuration, snmpd restarts, SIGTERM with sessions logged out.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"
. "$(dirname "$0")/snmp_lib.sh"
command -v snmpd >/dev/null || rw_skip "snmpd not installed"

R=.1.3.6.1.4.1.8072.9999.9999.7225
snmp_args=(-v2c -c public -On -m '' -t 2 -r 1)

emu_tls
emu_start pdu --tls --mockup "$EMU_DATA/pdu" --user monitor --password s3cret \
    --access-log "$RW_WORK/pdu.access"
PDU_URL=$EMU_URL PDU_PID=$EMU_PID
emu_start server --tls --mockup "$EMU_DATA/server" --user monitor --password s3cret \
    --access-log "$RW_WORK/server.access"
SRV_URL=$EMU_URL
printf 's3cret\n' >"$RW_WORK/bmc.pass"
chmod 600 "$RW_WORK/bmc.pass"

rw_start_snmpd "$RW_WORK/snmp" || exit 1
printf 'disableAuthorization yes\n' >"$RW_WORK/trapd.conf"
rw_spawn "$RW_WORK/traps.log" snmptrapd -f -Lo -On -m '' -C -c "$RW_WORK/trapd.conf" \
    "udp:127.0.0.1:$RW_TRAP_PORT"

# write_config FILE ENDPOINTS...: each ENDPOINTS item is name=url=kind.
write_config() {
    local file=$1 item name url kind
    shift
    {
        printf 'defaults:\n  poll_interval: 1\n  poll_jitter: 0\n  timeout: 2\n'
        printf '  ca_file: %s\n' "$EMU_CACERT"
        printf 'credentials:\n  bmc:\n    username: monitor\n    password_file: %s\n' \
            "$RW_WORK/bmc.pass"
        printf 'endpoints:\n'
        for item in "$@"; do
            IFS='=' read -r name url kind <<<"$item"
            printf '  - name: %s\n    url: %s\n    kind: %s\n    credentials: bmc\n' \
                "$name" "$url" "$kind"
        done
        printf 'snmp:\n  agentx_socket: %s\n' "$RW_AGENTX_SOCKET"
        printf 'state_file: %s\n' "$RW_WORK/state.json"
    } >"$file"
}

# OIDs below are relative to the MIB's root R (snmp_lib.sh's helpers take whole OIDs).
get() { rw_snmp_get "$R$1"; }
wait_value() { rw_snmp_wait "$R$1" "$2" "$3"; }
check() { rw_snmp_check "$1" "$R$2" "$3"; }

write_config "$RW_WORK/rackwatch.yaml" "pdu-a1=$PDU_URL=pdu" "srv-1=$SRV_URL=server"
rw_spawn "$RW_WORK/daemon.log" "$RW_BIN_DIR/rackwatchd" --config "$RW_WORK/rackwatch.yaml" \
    --foreground --ping-interval 1 --log-level info
DAEMON_PID=$RW_LAST_PID

if wait_value .1.3.1.5.1 'INTEGER: 1' 15 && wait_value .1.3.1.5.2 'INTEGER: 1' 15; then
    rw_pass "both endpoints polled: data status ok(1)"
else
    RW_OUT=$(cat "$RW_WORK/daemon.log"); rw_fail "endpoints never polled"
fi

# The tables say what the poller reads (rackwatch poll --json), scaled as the MIB says.
rw_run "$RW_BIN_DIR/rackwatch" poll --config "$RW_WORK/rackwatch.yaml" --json
echo "$RW_OUT" >"$RW_WORK/poll.json"
want=$(python3 - "$RW_WORK/poll.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
eps = {e["name"]: e for e in doc["endpoints"]}
pdu = eps["pdu-a1"]["pdus"][0]
srv = eps["srv-1"]["servers"][0]
inlet = pdu["inlets"][0]
r = lambda v, f: "-1" if v is None else str(int(round(v * f)))
print(r(pdu["power_w"], 1), r(inlet["current_a"], 1000), r(inlet["voltage_v"], 1000),
      r(srv["power_w"], 1), r(srv["inlet_temp_c"], 10), len(pdu["outlets"]))
# rwPduName and rwServerName: the Redfish Name, the Id when there is none.
print(pdu["name"] or pdu["id"])
print(srv["name"] or srv["id"])
PY
)
{ read -r pdu_w inlet_ma inlet_mv srv_w srv_dc n_outlets; read -r pdu_name; read -r srv_name; } <<<"$want"
check "PDU name is the Redfish Name ($pdu_name)" .1.4.1.2.1 "STRING: \"$pdu_name\""
check "server name is the Redfish Name ($srv_name)" .1.10.1.2.1 "STRING: \"$srv_name\""
check "PDU power equals the poller's" .1.4.1.10.1 "INTEGER: $pdu_w"
check "inlet current mA equals the poller's" .1.5.1.3.1.1 "INTEGER: $inlet_ma"
check "inlet voltage mV equals the poller's" .1.5.1.4.1.1 "INTEGER: $inlet_mv"
check "server power equals the poller's" .1.10.1.10.1 "INTEGER: $srv_w"
check "server inlet temperature equals the poller's" .1.10.1.11.1 "INTEGER: $srv_dc"
rows=$(snmpbulkwalk "${snmp_args[@]}" "127.0.0.1:$RW_SNMP_PORT" "$R.1.9.1.2" | grep -c STRING)
if [[ $rows -eq $n_outlets ]]; then rw_pass "one outlet row per outlet ($rows)"; else
    RW_OUT="rows=$rows want=$n_outlets"; rw_fail "outlet rows"; fi
# The snapshot follows a finished poll by at most a second: the first one may be written
# after the first endpoint's poll only, so look again until the second is in too.
rw_wait_file "$RW_WORK/state.json" 5
both=1
for _ in $(seq 50); do
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert {e["name"] for e in d["endpoints"]} == {"pdu-a1","srv-1"}' \
        "$RW_WORK/state.json" 2>/dev/null && { both=0; break; }
    sleep 0.1
done
if [[ $both -eq 0 ]]; then
    rw_pass "state snapshot holds both endpoints"
else
    rw_fail "state snapshot"
fi
# The snapshot is `rackwatch poll --json` (kept deflated between polls): every value equal,
# but when and how long the poll ran.
same=$(python3 - "$RW_WORK/state.json" "$RW_WORK/poll.json" <<'PY'
import json, sys
def values(path):
    eps = json.load(open(path))["endpoints"]
    for ep in eps:
        for key in ("polled_at", "duration_ms", "requests"):
            ep.pop(key)
    return sorted(eps, key=lambda e: e["name"])
print("same" if values(sys.argv[1]) == values(sys.argv[2]) else "differ")
PY
)
if [[ $same == same ]]; then rw_pass "state snapshot equals rackwatch poll --json"; else
    RW_OUT=$(cat "$RW_WORK/state.json"); rw_fail "state snapshot differs from poll --json"; fi

# The PDU stops answering: values kept, data stale, a notification with the error.
kill "$PDU_PID"
wait "$PDU_PID" 2>/dev/null
emu_reaped "$PDU_PID"
if wait_value .1.4.1.13.1 'INTEGER: 2' 15; then rw_pass "PDU data goes stale(2)"; else
    rw_fail "PDU never stale"; fi
check "stale PDU keeps its last power reading" .1.4.1.10.1 "INTEGER: $pdu_w"
if rw_wait_grep "$RW_WORK/traps.log" "OID: $R.0.6.*$R.1.3.1.5.1 = INTEGER: 2" 10; then
    rw_pass "endpoint data status notification received by snmptrapd"
else
    RW_OUT=$(cat "$RW_WORK/traps.log"); rw_fail "no data status notification"
fi

# snmpd restarts: the subagent reconnects and the tables are back.
rw_stop_snmpd
rw_start_snmpd "$RW_WORK/snmp" || exit 1
if wait_value .1.10.1.10.1 "INTEGER: $srv_w" 5; then rw_pass "tables back within 5 s of an snmpd restart"; else
    rw_fail "tables not back after snmpd restart"; fi

# An endpoint that stays down is logged once (polled every second meanwhile), not per poll.
n=$(grep -c "warning: pdu-a1: " "$RW_WORK/daemon.log")
if [[ $n -eq 1 ]]; then rw_pass "a PDU down for many polls is logged once"; else
    RW_OUT=$(grep "pdu-a1: " "$RW_WORK/daemon.log"); rw_fail "PDU down logged $n times"; fi

# SIGHUP with a changed configuration: pdu-a1 removed, the server stays with its index,
# a new endpoint appears.
write_config "$RW_WORK/rackwatch.yaml" "srv-1=$SRV_URL=server" "srv-2=$SRV_URL=auto"
kill -HUP "$DAEMON_PID"
if wait_value .1.3.1.2.3 'STRING: "srv-2"' 10; then rw_pass "a new endpoint appears after SIGHUP"; else
    rw_fail "new endpoint missing"; fi
check "a removed endpoint's row disappears" .1.3.1.2.1 'No Such Instance.*'
check "a removed endpoint's PDU disappears" .1.4.1.2.1 'No Such Instance.*'
check "the kept endpoint keeps its index" .1.3.1.2.2 'STRING: "srv-1"'
printf 'endpoints:\n  - name: broken\n    url: ftp://x\n' >"$RW_WORK/rackwatch.yaml"
kill -HUP "$DAEMON_PID"
if rw_wait_grep "$RW_WORK/daemon.log" "reload failed, configuration unchanged: .*rackwatch.yaml:3:10: " 5; then
    rw_pass "a bad configuration on SIGHUP is refused with file:line:column"
else
    RW_OUT=$(cat "$RW_WORK/daemon.log"); rw_fail "bad reload message"
fi
check "and the running configuration goes on" .1.3.1.2.2 'STRING: "srv-1"'

# SIGTERM: exit 0, sessions logged out (the server saw a DELETE of its session).
rw_expect_clean_stop "$DAEMON_PID" "$RW_WORK/daemon.log"
if grep -q 'DELETE /redfish/v1/SessionService/Sessions/' "$RW_WORK/server.access"; then
    rw_pass "sessions logged out on SIGTERM"
else
    RW_OUT=$(tail -5 "$RW_WORK/server.access"); rw_fail "no session DELETE"
fi
if ! grep -q s3cret "$RW_WORK/daemon.log" "$RW_WORK/state.json"; then
    rw_pass "the password is in no log or snapshot"
else
    rw_fail "password leaked"
fi
rw_done
