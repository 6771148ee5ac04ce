#!/usr/bin/env bash
# rackwatchd's hub/spoke checks: a hub and spokes (rackwatch-emu over HTTPS), a private
# snmpd and snmptrapd; rwSpokeTable's rows, the same verdicts as check_hubspoke --config,
# rwSpokeStatusChange when a spoke goes down and comes back, indexes kept over SIGHUP.
# daemon_spokes.sh [bad_config]
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hubspoke_lib.sh"
. "$(dirname "$0")/snmp_lib.sh"
command -v snmpd >/dev/null || rw_skip "snmpd not installed"
command -v snmptrapd >/dev/null || rw_skip "snmptrapd not installed"

R=.1.3.6.1.4.1.8072.9999.9999.7225
T=$R.1.2.1 # rwSpokeEntry
snmp_args=(-v2c -c public -On -m '' -t 2 -r 1)
DAEMON="$RW_BIN_DIR/rackwatchd"
[[ -x $DAEMON ]] || rw_skip "rackwatchd not built"

make_pki

# write_config FILE [policy lines] -- SPOKE=URL...: the hub and these spokes.
write_config() {
    local file=$1 item name url
    shift
    {
        printf 'defaults:\n  poll_interval: 1\n  poll_jitter: 0\n  timeout: 2\n'
        printf '  ca_file: %s\n' "$CA"
        printf 'hub:\n  name: hub-1\n  url: https://127.0.0.1:%s\n' "$HUB_PORT"
        printf 'spokes:\n'
        while [[ $# -gt 0 && $1 != -- ]]; do
            IFS='=' read -r name url <<<"$1"
            printf '  - name: %s\n    url: %s\n' "$name" "$url"
            shift
        done
        [[ $# -gt 0 ]] && shift
        printf '%s\n' "$@"
        printf 'snmp:\n  agentx_socket: %s\n' "$RW_AGENTX_SOCKET"
        printf 'state_file: %s\n' "$RW_WORK/state.json"
    } >"$file"
}

# restart_emu VAR PORT CERT [options]: an emulator again on a port it had before.
restart_emu() {
    local var=$1 port=$2 cert=$3
    shift 3
    rw_spawn "$RW_WORK/$var.log" "$EMU" --mockup "$HUBDATA" --listen "127.0.0.1:$port" \
        --tls-cert "$PKI/$cert.crt" --tls-key "$PKI/$cert.key" "$@"
    rw_wait_port "$port" 10
}

if [[ ${1:-} == bad_config ]]; then
    HUB_PORT=$(closed_port)
    RW_AGENTX_SOCKET=$RW_WORK/none.sock
    write_config "$RW_WORK/bad.yaml" "east=https://127.0.0.1:1" -- \
        'policy:' '  certificates:' '    rule: registered' "    known_spokes: $RW_WORK"
    rw_expect bad_config.known_spokes 1 "" "$DAEMON" --config "$RW_WORK/bad.yaml" --foreground
    if grep -Fxq "rackwatchd: error: hub/spoke checks: $RW_WORK: Is a directory" <<<"$RW_ERR"; then
        rw_pass "an unreadable known-spokes file stops the start with its name"
    else
        RW_OUT=$RW_ERR; rw_fail "known-spokes message"
    fi
    rw_done
    exit
fi

MOCKUP="$HUBDATA" emu HUB ca/hub --firmware-version 3.2.0
HUB_PID=$RW_LAST_PID
emu S1 ca/hub --firmware-version 3.2.0
emu S2 ca/hub --firmware-version 3.2.0
S2_PID=$RW_LAST_PID
emu S3 ca/hub --firmware-version 3.1.0
emu S4 ca/spoke --firmware-version 3.2.0

rw_start_snmpd "$RW_WORK/snmp" || exit 1
printf 'disableAuthorization yes\n' >"$RW_WORK/trapd.conf"
rw_spawn "$RW_WORK/traps.log" snmptrapd -f -Lo -On -m '' -C -c "$RW_WORK/trapd.conf" \
    "udp:127.0.0.1:$RW_TRAP_PORT"

u() { printf 'https://127.0.0.1:%s' "$1"; }
write_config "$RW_WORK/rw.yaml" "east=$(u "$S1_PORT")" "west=$(u "$S2_PORT")" \
    "old=$(u "$S3_PORT")" "other-cert=$(u "$S4_PORT")"
rw_spawn "$RW_WORK/daemon.log" "$DAEMON" --config "$RW_WORK/rw.yaml" --foreground \
    --ping-interval 1 --log-level info
DAEMON_PID=$RW_LAST_PID

# Rows in configuration order: hub-1 1, east 2, west 3, old 4, other-cert 5.
if rw_snmp_wait "$T.5.2" 'INTEGER: 1' 20 && rw_snmp_wait "$T.5.1" 'INTEGER: 1' 5; then
    rw_pass "hub and spoke checked: status ok(1)"
else
    RW_OUT=$(cat "$RW_WORK/daemon.log"); rw_fail "no ok status"
fi
rw_snmp_check "hub row: name" "$T.2.1" 'STRING: "hub-1"'
rw_snmp_check "hub row: role hub(1)" "$T.4.1" 'INTEGER: 1'
rw_snmp_check "spoke row: name" "$T.2.2" 'STRING: "east"'
rw_snmp_check "spoke row: address as configured" "$T.3.2" "STRING: \"https://127.0.0.1:$S1_PORT\""
rw_snmp_check "spoke row: role spoke(2)" "$T.4.2" 'INTEGER: 2'
rw_snmp_check "spoke row: no detail when ok" "$T.6.2" '""'
rw_snmp_check "spoke row: version" "$T.8.2" 'STRING: "3.2.0"'
fp=$(openssl x509 -in "$PKI/ca/hub.crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/:/ /g')
rw_snmp_check "spoke row: certificate SHA-256 fingerprint (32 octets)" "$T.9.2" "Hex-STRING: $fp"
end=$(date -d "$(openssl x509 -in "$PKI/ca/hub.crt" -noout -enddate | sed 's/.*=//')" +%s)
days=$(((end - $(date +%s)) / 86400))
rw_snmp_check "spoke row: whole days left on the certificate" "$T.10.2" "INTEGER: ($days|$((days - 1)))"
rw_snmp_check "spoke row: response time in ms" "$T.11.2" 'INTEGER: [0-9]+'
rw_snmp_check "spoke row: status since (DateAndTime)" "$T.12.2" 'Hex-STRING: ([0-9A-F]{2} ){10}[0-9A-F]{2}'
if rw_snmp_wait "$T.5.4" 'INTEGER: 3' 5; then rw_pass "older spoke: versionsNotCompatible(3)"; else
    rw_fail "old spoke status"; fi
if rw_snmp_wait "$T.5.5" 'INTEGER: 4' 5; then rw_pass "other certificate: certificatesDoNotMatch(4)"; else
    rw_fail "other-cert status"; fi
rw_snmp_check "a failing status has its detail" "$T.6.4" 'STRING: ".*3\.1\.0.*"'

# The same verdicts as check_hubspoke on the same configuration.
names=([2]=east [3]=west [4]=old [5]=other-cert)
mib=([1]="OK" [2]="Not responding" [3]="Hub/Spoke Versions Not Compatible"
    [4]="Certificates Do Not Match" [5]="Invalid Server or Versions Not Compatible")
rw_run "$RW_BIN_DIR/check_hubspoke" -H 127.0.0.1 -p "$HUB_PORT" --cacert "$CA" \
    --config "$RW_WORK/rw.yaml"
plugin_out=$RW_OUT
same=1
for i in 2 3 4 5; do
    v=$(rw_snmp_get "$T.5.$i" | sed 's/INTEGER: //')
    if ! grep -q "^${names[$i]} (127.0.0.1:[0-9]*): ${mib[$v]} - " <<<"$plugin_out"; then
        same=0
        RW_OUT="row $i status $v; plugin: $plugin_out"
    fi
done
if [[ $same -eq 1 ]]; then rw_pass "every spoke's status equals check_hubspoke's"; else
    rw_fail "verdicts differ from check_hubspoke"; fi

walk=$(snmpbulkwalk "${snmp_args[@]}" -Cr50 "127.0.0.1:$RW_SNMP_PORT" "$R.1.2")
if [[ $(grep -c "^$T.2\." <<<"$walk") -eq 5 && $(grep -c "^$T\." <<<"$walk") -eq 60 ]]; then
    rw_pass "snmpbulkwalk: 5 rows of 12 columns"
else
    RW_OUT=$walk; rw_fail "bulkwalk of rwSpokeTable"
fi

# reaped PID: drops PID from lib.sh's kill list once `wait` has reaped it.
reaped() {
    local keep=() p
    for p in "${RW_PIDS[@]}"; do
        [[ $p == "$1" ]] || keep+=("$p")
    done
    RW_PIDS=("${keep[@]}")
}

# A spoke goes down: rwSpokeStatusChange with old ok(1) and new notResponding(2).
kill "$S2_PID" 2>/dev/null
wait "$S2_PID" 2>/dev/null
reaped "$S2_PID"
S='[[:space:]]' # snmptrapd -Lo separates the varbinds with tabs
down="OID: $R.0.1$S.*$T.2.3 = STRING: \"west\"$S$T.4.3 = INTEGER: 2$S$R.1.11.1.0 = INTEGER: 1$S$T.5.3 = INTEGER: 2$S$T.6.3 = STRING: \"no TLS handshake: "
if rw_wait_grep "$RW_WORK/traps.log" "$down" 15; then
    rw_pass "spoke down: rwSpokeStatusChange ok(1) -> notResponding(2) received by snmptrapd"
else
    RW_OUT=$(cat "$RW_WORK/traps.log"); rw_fail "no status change notification for the spoke going down"
fi
rw_snmp_check "spoke down: status notResponding(2)" "$T.5.3" 'INTEGER: 2'
rw_snmp_check "spoke down: no response time" "$T.11.3" 'INTEGER: -1'
rw_snmp_check "spoke down: the last version seen is kept" "$T.8.3" 'STRING: "3.2.0"'
if grep -q "spoke west: status ok -> notResponding (no TLS handshake: " "$RW_WORK/daemon.log"; then
    rw_pass "the change is logged"
else
    RW_OUT=$(grep west "$RW_WORK/daemon.log"); rw_fail "no log line for the change"
fi

# It comes back on the same port: the notification again, now notResponding(2) -> ok(1).
restart_emu S2 "$S2_PORT" ca/hub --firmware-version 3.2.0
up="OID: $R.0.1$S.*$T.2.3 = STRING: \"west\"$S$T.4.3 = INTEGER: 2$S$R.1.11.1.0 = INTEGER: 2$S$T.5.3 = INTEGER: 1$S"
if rw_wait_grep "$RW_WORK/traps.log" "$up" 15; then
    rw_pass "spoke back: rwSpokeStatusChange notResponding(2) -> ok(1)"
else
    RW_OUT=$(cat "$RW_WORK/traps.log"); rw_fail "no status change notification for the spoke coming back"
fi
if [[ $(grep -cE "OID: $R.0.1$S" "$RW_WORK/traps.log") -eq 2 ]]; then
    rw_pass "no notification for first checks or unchanged statuses"
else
    RW_OUT=$(grep -E "OID: $R.0.1$S" "$RW_WORK/traps.log"); rw_fail "unexpected spoke notifications"
fi

# The hub goes down: its row says so (role hub(1) in the notification); the spokes, judged
# on their own meanwhile, stay ok(1).
kill "$HUB_PID" 2>/dev/null
wait "$HUB_PID" 2>/dev/null
reaped "$HUB_PID"
hub_down="OID: $R.0.1$S.*$T.2.1 = STRING: \"hub-1\"$S$T.4.1 = INTEGER: 1$S$R.1.11.1.0 = INTEGER: 1$S$T.5.1 = INTEGER: 2$S"
if rw_wait_grep "$RW_WORK/traps.log" "$hub_down" 15; then
    rw_pass "hub down: rwSpokeStatusChange for the hub, role hub(1)"
else
    RW_OUT=$(cat "$RW_WORK/traps.log"); rw_fail "no notification for the hub going down"
fi
rw_snmp_check "hub down: a spoke is still judged on its own" "$T.5.3" 'INTEGER: 1'
restart_emu HUB "$HUB_PORT" ca/hub --firmware-version 3.2.0
if rw_snmp_wait "$T.5.1" 'INTEGER: 1' 15; then rw_pass "hub back: ok(1)"; else
    rw_fail "hub not back"; fi

# SIGHUP: east removed, a new spoke appended; the others keep their indexes.
write_config "$RW_WORK/rw.yaml" "west=$(u "$S2_PORT")" "old=$(u "$S3_PORT")" \
    "other-cert=$(u "$S4_PORT")" "south=$(u "$S1_PORT")"
kill -HUP "$DAEMON_PID"
if rw_snmp_wait "$T.2.6" 'STRING: "south"' 15; then rw_pass "SIGHUP: a new spoke gets the next index"; else
    RW_OUT=$(cat "$RW_WORK/daemon.log"); rw_fail "new spoke row missing"; fi
rw_snmp_check "SIGHUP: a removed spoke's row disappears" "$T.2.2" 'No Such Instance.*'
rw_snmp_check "SIGHUP: a kept spoke keeps its index" "$T.2.3" 'STRING: "west"'
rw_snmp_check "SIGHUP: and its status" "$T.5.3" 'INTEGER: 1'
rw_snmp_check "SIGHUP: the hub keeps its index" "$T.2.1" 'STRING: "hub-1"'
if grep -Pq '^6\t1\thub-1$' "$RW_WORK/state.json.indexes" &&
    grep -Pq '^6\t6\tsouth$' "$RW_WORK/state.json.indexes"; then
    rw_pass "spoke indexes saved beside the state snapshot"
else
    rw_fail "spoke indexes not saved"
fi

# A reload whose checks cannot be set up leaves the running checks as they were.
write_config "$RW_WORK/rw.yaml" "west=$(u "$S2_PORT")" -- \
    'policy:' '  certificates:' '    rule: registered' "    known_spokes: $RW_WORK"
kill -HUP "$DAEMON_PID"
if rw_wait_grep "$RW_WORK/daemon.log" "reload: hub/spoke checks: $RW_WORK: Is a directory; the checks go on unchanged" 10; then
    rw_pass "SIGHUP with unusable checks: refused with the reason"
else
    RW_OUT=$(tail -5 "$RW_WORK/daemon.log"); rw_fail "no message for the refused checks"
fi
rw_snmp_check "and the running checks keep their rows" "$T.2.6" 'STRING: "south"'

rw_expect_clean_stop "$DAEMON_PID" "$RW_WORK/daemon.log"
rw_done
