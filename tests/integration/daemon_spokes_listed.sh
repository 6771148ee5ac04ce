#!/usr/bin/env bash
# rackwatchd with a hub and no spokes: configured: the spokes are the members of the hub's
# AggregationSources (as check_hubspoke -H HUB lists them).  A hub (rackwatch-emu over
# HTTPS) listing an OK spoke and one that does not answer, a private snmpd and snmptrapd;
# rwSpokeTable's rows equal check_hubspoke's verdicts; the hub down keeps the listed rows
# with their last status; a member added to the hub's tree appears (an unusable HostName as
# an invalid server), a removed one disappears; one rwSpokeStatusChange per real change.
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
SRC_PATH=/redfish/v1/AggregationService/AggregationSources

make_pki

# listed_tree DIR SPEC...: a copy of the hub mockup in DIR whose AggregationSources has one
# member per SPEC "ID|NAME|HOSTNAME|HEALTH" (HOSTNAME "-" leaves it out).  Members keep
# their Id from tree to tree, as a hub keeps them.
listed_tree() {
    local dir=$1 spec id name host health members="" sep="" n=0 hostkey
    local src="$dir/AggregationService/AggregationSources"
    shift
    rm -rf "$dir"
    cp -r "$HUBDATA" "$dir"
    for spec in "$@"; do
        IFS='|' read -r id name host health <<<"$spec"
        n=$((n + 1))
        mkdir -p "$src/$id"
        hostkey=""
        [[ $host == - ]] || hostkey="\"HostName\": \"$host\", "
        printf '{"@odata.id": "%s/%s", "Id": "%s", "Name": "%s", %s"Status": {"State": "Enabled", "Health": "%s"}}\n' \
            "$SRC_PATH" "$id" "$id" "$name" "$hostkey" "$health" >"$src/$id/index.json"
        members+="$sep{\"@odata.id\": \"$SRC_PATH/$id\"}"
        sep=", "
    done
    printf '{"@odata.id": "%s", "Name": "Aggregation Source Collection", "Members@odata.count": %d, "Members": [%s]}\n' \
        "$SRC_PATH" "$n" "$members" >"$src/index.json"
}

# reaped PID: drops PID from lib.sh's kill list once `wait` has reaped it.
reaped() {
    local keep=() p
    for p in "${RW_PIDS[@]}"; do
        [[ $p == "$1" ]] || keep+=("$p")
    done
    RW_PIDS=("${keep[@]}")
}

# hub_restart TREE: the hub emulator again, on its port, serving TREE.
hub_restart() {
    kill "$HUB_PID" 2>/dev/null
    wait "$HUB_PID" 2>/dev/null
    reaped "$HUB_PID"
    rw_spawn "$RW_WORK/HUB.log" "$EMU" --mockup "$1" --listen "127.0.0.1:$HUB_PORT" \
        --tls-cert "$PKI/ca/hub.crt" --tls-key "$PKI/ca/hub.key" --firmware-version 3.2.0
    HUB_PID=$RW_LAST_PID
    rw_wait_port "$HUB_PORT" 10
}

# traps_for INDEX: rwSpokeStatusChange notifications received for row INDEX.
S='[[:space:]]' # snmptrapd -Lo separates the varbinds with tabs
traps_for() {
    grep -cE "OID: $R.0.1$S.*$T.2.$1 = STRING: " "$RW_WORK/traps.log"
}

emu S1 ca/hub --firmware-version 3.2.0
emu S3 ca/hub --firmware-version 3.2.0
rw_hold_closed_port # nothing listens there until "west comes up" below
WEST_PORT=$RW_CLOSED_PORT
L=127.0.0.1
listed_tree "$RW_WORK/tree1" "1|east|$L:$S1_PORT|OK" "2|west|$L:$WEST_PORT|Critical"
MOCKUP="$RW_WORK/tree1" emu HUB ca/hub --firmware-version 3.2.0
HUB_PID=$RW_LAST_PID

rw_start_snmpd "$RW_WORK/snmp" || exit 1
printf 'disableAuthorization yes\n' >"$RW_WORK/trapd.conf"
rw_spawn "$RW_WORK/traps.log" snmptrapd -f -Lo -On -m '' -C -c "$RW_WORK/trapd.conf" \
    "udp:127.0.0.1:$RW_TRAP_PORT"

{
    printf 'defaults:\n  poll_interval: 1\n  poll_jitter: 0\n  timeout: 2\n'
    printf '  ca_file: %s\n' "$CA"
    printf 'hub:\n  name: hub-1\n  url: https://127.0.0.1:%s\n' "$HUB_PORT"
    printf 'snmp:\n  agentx_socket: %s\n' "$RW_AGENTX_SOCKET"
    printf 'state_file: %s\n' "$RW_WORK/state.json"
} >"$RW_WORK/rw.yaml"
rw_spawn "$RW_WORK/daemon.log" "$DAEMON" --config "$RW_WORK/rw.yaml" --foreground \
    --ping-interval 1 --log-level info
DAEMON_PID=$RW_LAST_PID

# Rows: hub-1 1, then the members in the hub's order: east 2, west 3.
if rw_snmp_wait "$T.5.2" 'INTEGER: 1' 20 && rw_snmp_wait "$T.5.3" 'INTEGER: 2' 10; then
    rw_pass "listed spokes checked: east ok(1), west notResponding(2)"
else
    RW_OUT=$(cat "$RW_WORK/daemon.log"); rw_fail "listed spokes not checked"
fi
rw_snmp_check "hub row: ok(1)" "$T.5.1" 'INTEGER: 1'
rw_snmp_check "hub row: role hub(1)" "$T.4.1" 'INTEGER: 1'
rw_snmp_check "listed row: the AggregationSource's Name" "$T.2.2" 'STRING: "east"'
rw_snmp_check "listed row: address host:port from its HostName" "$T.3.2" "STRING: \"$L:$S1_PORT\""
rw_snmp_check "listed row: role spoke(2)" "$T.4.2" 'INTEGER: 2'
rw_snmp_check "listed row: version" "$T.8.2" 'STRING: "3.2.0"'
rw_snmp_check "listed row: response time in ms" "$T.11.2" 'INTEGER: [0-9]+'
rw_snmp_check "listed row ok: the hub's view as detail" "$T.6.2" \
    'STRING: "hub reports Health OK, State Enabled"'
rw_snmp_check "listed row down: the reason, then the hub's view" "$T.6.3" \
    "STRING: \"no TLS handshake: connect to $L:$WEST_PORT: Connection refused; hub reports Health Critical, State Enabled\""
rw_snmp_check "listed row down: no response time" "$T.11.3" 'INTEGER: -1'
if grep -Pq "^6\t2\thub-1$SRC_PATH/1$" "$RW_WORK/state.json.indexes" &&
    grep -Pq "^6\t3\thub-1$SRC_PATH/2$" "$RW_WORK/state.json.indexes"; then
    rw_pass "listed spokes' indexes saved, keyed by hub and member"
else
    RW_OUT=$(cat "$RW_WORK/state.json.indexes"); rw_fail "listed spokes' indexes not saved"
fi

# The same verdicts as check_hubspoke -H HUB.
mib=([1]="OK" [2]="Not responding" [3]="Hub/Spoke Versions Not Compatible"
    [4]="Certificates Do Not Match" [5]="Invalid Server or Versions Not Compatible")
same_as_plugin() {
    local label=$1 i name v plugin_out same=1
    shift
    rw_run "$RW_BIN_DIR/check_hubspoke" -H 127.0.0.1 -p "$HUB_PORT" --cacert "$CA"
    plugin_out=$RW_OUT
    for i in "$@"; do
        name=$(rw_snmp_get "$T.2.$i" | sed 's/^STRING: "//; s/"$//')
        v=$(rw_snmp_get "$T.5.$i" | sed 's/INTEGER: //')
        if [[ -z $name || -z ${mib[$v]:-} ]] ||
            ! grep -q "^$name (.*): ${mib[$v]} - " <<<"$plugin_out"; then
            same=0
            RW_OUT="row $i ($name) status $v; plugin: $plugin_out"
        fi
    done
    if [[ $same -eq 1 ]]; then rw_pass "$label"; else rw_fail "$label"; fi
}
same_as_plugin "every listed spoke's status equals check_hubspoke's" 2 3

# snmptable with the MIB (which needs the IETF base modules, see mib.sh).
if base=$(bash "$RW_SOURCE_DIR/tests/integration/mib_fetch_base.sh" "$RW_BUILD_DIR/mib-cache"); then
    rw_run snmptable -v2c -c public -m RACKWATCH-MIB -M "$RW_SOURCE_DIR/mibs:$base:/usr/share/snmp/mibs" \
        -Ci -Cf , "127.0.0.1:$RW_SNMP_PORT" RACKWATCH-MIB::rwSpokeTable
    if [[ $RW_RC -eq 0 && $(grep -c '^[0-9]' <<<"$RW_OUT") -eq 3 ]] &&
        grep -q "^1,hub-1,https://127.0.0.1:$HUB_PORT,hub,ok," <<<"$RW_OUT" &&
        grep -q "^2,east,$L:$S1_PORT,spoke,ok,hub reports Health OK, State Enabled," <<<"$RW_OUT" &&
        grep -q "^3,west,$L:$WEST_PORT,spoke,notResponding,no TLS handshake: " <<<"$RW_OUT"; then
        rw_pass "snmptable: the hub and the two listed spokes"
    else
        rw_fail "snmptable of rwSpokeTable"
    fi
else
    echo "IETF base MIBs unavailable (npm registry unreachable): snmptable not checked"
fi

# The hub goes down: its row says so; the listed rows stay with their last status.
kill "$HUB_PID" 2>/dev/null
wait "$HUB_PID" 2>/dev/null
reaped "$HUB_PID"
hub_down="OID: $R.0.1$S.*$T.2.1 = STRING: \"hub-1\"$S$T.4.1 = INTEGER: 1$S$R.1.11.1.0 = INTEGER: 1$S$T.5.1 = INTEGER: 2$S"
if rw_wait_grep "$RW_WORK/traps.log" "$hub_down" 15; then
    rw_pass "hub down: rwSpokeStatusChange for the hub"
else
    RW_OUT=$(cat "$RW_WORK/traps.log"); rw_fail "no notification for the hub going down"
fi
sleep 2.5 # at least two more rounds (1 s apart) with the hub down
rw_snmp_check "hub down: a listed row stays" "$T.2.2" 'STRING: "east"'
rw_snmp_check "hub down: with its last status" "$T.5.2" 'INTEGER: 1'
rw_snmp_check "hub down: the other listed row too" "$T.5.3" 'INTEGER: 2'
rw_snmp_check "hub down: the hub's detail says why" "$T.6.1" 'STRING: "no TLS handshake: .*"'

# The hub back with two more members: south (OK, Health Warning) and one without HostName.
listed_tree "$RW_WORK/tree2" "1|east|$L:$S1_PORT|OK" "2|west|$L:$WEST_PORT|Critical" \
    "3|south|$L:$S3_PORT|Warning" "4|nohost|-|OK"
rw_spawn "$RW_WORK/HUB.log" "$EMU" --mockup "$RW_WORK/tree2" --listen "127.0.0.1:$HUB_PORT" \
    --tls-cert "$PKI/ca/hub.crt" --tls-key "$PKI/ca/hub.key" --firmware-version 3.2.0
HUB_PID=$RW_LAST_PID
rw_wait_port "$HUB_PORT" 10
if rw_snmp_wait "$T.5.4" 'INTEGER: 1' 15 && rw_snmp_wait "$T.5.5" 'INTEGER: 5' 5; then
    rw_pass "added members appear: south ok(1), nohost invalidServer(5)"
else
    RW_OUT=$(cat "$RW_WORK/daemon.log"); rw_fail "added members missing"
fi
rw_snmp_check "hub back: ok(1)" "$T.5.1" 'INTEGER: 1'
rw_snmp_check "added: its name" "$T.2.4" 'STRING: "south"'
rw_snmp_check "added: the hub's Health in the detail" "$T.6.4" \
    'STRING: "hub reports Health Warning, State Enabled"'
rw_snmp_check "no HostName: the member's Name" "$T.2.5" 'STRING: "nohost"'
rw_snmp_check "no HostName: no address" "$T.3.5" '""'
rw_snmp_check "no HostName: check_hubspoke's reason" "$T.6.5" \
    "STRING: \"the hub lists AggregationSource $SRC_PATH/4 with HostName '' is empty or too long; hub reports Health OK, State Enabled\""
rw_snmp_check "the known rows keep their index" "$T.2.3" 'STRING: "west"'
same_as_plugin "with the added members, the statuses equal check_hubspoke's" 2 3 4 5
if grep -q "hub-1 lists 4 spokes (2 new, 0 gone)" "$RW_WORK/daemon.log"; then
    rw_pass "the change of the hub's list is logged"
else
    RW_OUT=$(grep lists "$RW_WORK/daemon.log"); rw_fail "no log line for the list change"
fi

# west comes up: one notification, notResponding(2) -> ok(1), with the hub's view.
rw_release_port "$WEST_PORT"
rw_spawn "$RW_WORK/WEST.log" "$EMU" --mockup "$HUBDATA" --listen "127.0.0.1:$WEST_PORT" \
    --tls-cert "$PKI/ca/hub.crt" --tls-key "$PKI/ca/hub.key" --firmware-version 3.2.0
rw_wait_port "$WEST_PORT" 10
up="OID: $R.0.1$S.*$T.2.3 = STRING: \"west\"$S$T.4.3 = INTEGER: 2$S$R.1.11.1.0 = INTEGER: 2$S$T.5.3 = INTEGER: 1$S$T.6.3 = STRING: \"hub reports Health Critical, State Enabled\""
if rw_wait_grep "$RW_WORK/traps.log" "$up" 15; then
    rw_pass "listed spoke up: rwSpokeStatusChange notResponding(2) -> ok(1)"
else
    RW_OUT=$(cat "$RW_WORK/traps.log"); rw_fail "no notification for the listed spoke coming up"
fi
if grep -q "spoke west: status notResponding -> ok" "$RW_WORK/daemon.log"; then
    rw_pass "the change is logged"
else
    RW_OUT=$(grep west "$RW_WORK/daemon.log"); rw_fail "no log line for the change"
fi

# east removed from the hub: its row goes at the next hub check; the others stay.
listed_tree "$RW_WORK/tree3" "2|west|$L:$WEST_PORT|OK" "3|south|$L:$S3_PORT|Warning" \
    "4|nohost|-|OK"
hub_restart "$RW_WORK/tree3"
gone=0
for ((i = 0; i < 150; i++)); do
    if rw_snmp_get "$T.2.2" | grep -q 'No Such Instance'; then gone=1; break; fi
    sleep 0.1
done
if [[ $gone -eq 1 ]]; then rw_pass "a removed member's row disappears"; else
    RW_OUT=$(rw_snmp_get "$T.2.2"); rw_fail "removed member's row still there"; fi
if rw_snmp_wait "$T.6.3" 'hub reports Health OK' 10; then
    rw_pass "the hub's new Health for a member shows in its detail"
else
    RW_OUT=$(rw_snmp_get "$T.6.3"); rw_fail "detail not updated"
fi
rw_snmp_check "the others keep their index: west" "$T.2.3" 'STRING: "west"'
rw_snmp_check "the others keep their index: south" "$T.2.4" 'STRING: "south"'
rw_snmp_check "the others keep their index: nohost" "$T.2.5" 'STRING: "nohost"'
sleep 2 # more rounds: nothing changes, nothing is sent

# One notification per real change: none for rows added or removed, or for a listed row
# kept over the hub's absence; west's one.
if [[ $(traps_for 2) -eq 0 && $(traps_for 3) -eq 1 && $(traps_for 4) -eq 0 &&
    $(traps_for 5) -eq 0 ]]; then
    rw_pass "one rwSpokeStatusChange per real change of a listed spoke"
else
    RW_OUT=$(grep -E "OID: $R.0.1$S" "$RW_WORK/traps.log"); rw_fail "unexpected spoke notifications"
fi

# SIGHUP with the same hub: the listed rows keep their index and status.
kill -HUP "$DAEMON_PID"
if rw_wait_grep "$RW_WORK/daemon.log" "reloaded .*0 spokes and a hub" 10; then
    rw_pass "SIGHUP: reloaded"
else
    RW_OUT=$(tail -5 "$RW_WORK/daemon.log"); rw_fail "no reload"
fi
rw_snmp_check "SIGHUP: a listed row stays" "$T.2.4" 'STRING: "south"'
rw_snmp_check "SIGHUP: with its status" "$T.5.4" 'INTEGER: 1'
sleep 2
if [[ $(traps_for 4) -eq 0 && $(traps_for 3) -eq 1 ]]; then
    rw_pass "SIGHUP: no notification for the listed spokes"
else
    RW_OUT=$(grep -E "OID: $R.0.1$S" "$RW_WORK/traps.log"); rw_fail "notifications after SIGHUP"
fi

# spokes: configured: the configured list wins, the listed rows go.
{
    printf 'defaults:\n  poll_interval: 1\n  poll_jitter: 0\n  timeout: 2\n'
    printf '  ca_file: %s\n' "$CA"
    printf 'hub:\n  name: hub-1\n  url: https://127.0.0.1:%s\n' "$HUB_PORT"
    printf 'spokes:\n  - name: only\n    url: https://127.0.0.1:%s\n' "$S1_PORT"
    printf 'snmp:\n  agentx_socket: %s\n' "$RW_AGENTX_SOCKET"
    printf 'state_file: %s\n' "$RW_WORK/state.json"
} >"$RW_WORK/rw.yaml"
kill -HUP "$DAEMON_PID"
if rw_snmp_wait "$T.2.6" 'STRING: "only"' 15; then
    rw_pass "spokes: configured: the configured spoke is checked"
else
    RW_OUT=$(cat "$RW_WORK/daemon.log"); rw_fail "configured spoke missing"
fi
rows=$(snmpbulkwalk "${snmp_args[@]}" -Cr50 "127.0.0.1:$RW_SNMP_PORT" "$T.2" 2>&1)
if [[ $(grep -c "^$T.2\." <<<"$rows") -eq 2 ]]; then
    rw_pass "spokes: configured: the listed rows are gone (hub and the configured spoke)"
else
    RW_OUT=$rows; rw_fail "listed rows left"
fi

rw_expect_clean_stop "$DAEMON_PID" "$RW_WORK/daemon.log"
rw_done
