#!/usr/bin/env bash
# The MIB tables and notifications through a real snmpd and snmptrapd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"
command -v snmpd >/dev/null || rw_skip "snmpd not installed"
command -v snmptrapd >/dev/null || rw_skip "snmptrapd not installed"

R=.1.3.6.1.4.1.8072.9999.9999.7225
snmp_args=(-v2c -c public -On -m '' -t 2 -r 1)

start_server() {
    rw_spawn "$RW_WORK/serve.log" "$RW_BIN_DIR/rs_mib_serve" "$RW_AGENTX_SOCKET" "$RW_WORK/index"
    SERVE_PID=$RW_LAST_PID
    rw_wait_grep "$RW_WORK/serve.log" "^serving" 10 || { cat "$RW_WORK/serve.log"; exit 1; }
    # Registration reaches snmpd just after "serving"; wait until the endpoint table answers.
    for _ in $(seq 50); do
        snmpgetnext "${snmp_args[@]}" "127.0.0.1:$RW_SNMP_PORT" "$R.1.3.1.2" 2>/dev/null |
            grep -q "^$R.1.3.1.2.* = STRING" && return 0
        sleep 0.1
    done
    echo "tables never answered" >&2
    exit 1
}

# stop_server: SIGTERM; the server must exit 0 with no sanitizer report.
stop_server() {
    kill -TERM "$SERVE_PID"
    wait "$SERVE_PID"
    RW_RC=$?
    RW_OUT=$(cat "$RW_WORK/serve.log")
    if [[ $RW_RC -eq 0 ]] && ! grep -q "Sanitizer" <<<"$RW_OUT"; then
        rw_pass "stops cleanly on SIGTERM (exit 0, no sanitizer report)"
    else
        rw_fail "unclean stop"
    fi
}

# expect_get NAME OID REGEX: one snmpget, the value part matching REGEX.
expect_get() {
    local name=$1 oid=$2 regex=$3
    rw_run snmpget "${snmp_args[@]}" "127.0.0.1:$RW_SNMP_PORT" "$R$oid"
    if [[ $RW_RC -eq 0 ]] && grep -Eq -- "= $regex\$" <<<"$RW_OUT"; then
        rw_pass "$name"
    else
        rw_fail "$name: want '$regex'"
    fi
}

tables() {
    expect_get "agent version" .1.1.1.0 'STRING: "test-1.0"'
    expect_get "agent start time, DateAndTime UTC" .1.1.2.0 'Hex-STRING: 07 B2 01 02 00 00 00 00 2B 00 00 '
    expect_get "agent configuration time" .1.1.3.0 'Hex-STRING: 07 B2 01 03 00 00 00 00 2B 00 00 '
    expect_get "endpoint name" .1.3.1.2.1 'STRING: "pdu-a1"'
    expect_get "endpoint kind pdu(1)" .1.3.1.4.1 'INTEGER: 1'
    expect_get "endpoint data status ok(1)" .1.3.1.5.1 'INTEGER: 1'
    expect_get "endpoint poll duration ms" .1.3.1.9.1 'INTEGER: 41'
    expect_get "PDU manufacturer" .1.4.1.5.1 'STRING: "Contoso"'
    expect_get "PDU power W (1234.4 rounds to 1234)" .1.4.1.10.1 'INTEGER: 1234'
    expect_get "PDU energy Wh as Counter64" .1.4.1.11.1 'Counter64: 4567891'
    expect_get "PDU temperature tenths of C, negative" .1.4.1.12.1 'INTEGER: -32'
    expect_get "inlet current mA" .1.5.1.3.1.1 'INTEGER: 5500'
    expect_get "inlet voltage mV" .1.5.1.4.1.1 'INTEGER: 230100'
    expect_get "inlet frequency tenths of Hz" .1.5.1.7.1.1 'INTEGER: 500'
    expect_get "phase Line1 current mA" .1.6.1.2.1.1.1 'INTEGER: 5125'
    expect_get "phase Line1ToNeutral voltage mV" .1.6.1.3.1.1.8 'INTEGER: 230100'
    expect_get "phase Neutral without a reading is -1" .1.6.1.2.1.1.4 'INTEGER: -1'
    expect_get "branch breaker normal(1)" .1.7.1.7.1.1 'INTEGER: 1'
    expect_get "outlet name from Redfish Name" .1.9.1.3.1.1 'STRING: "web-01"'
    expect_get "outlet name falls back to Id" .1.9.1.3.1.2 'STRING: "A2"'
    expect_get "outlet state on(1)" .1.9.1.4.1.1 'INTEGER: 1'
    expect_get "outlet state off(2)" .1.9.1.4.1.2 'INTEGER: 2'
    expect_get "outlet current not reported is -1, not 0" .1.9.1.5.1.2 'INTEGER: -1'
    expect_get "outlet energy absent: no instance" .1.9.1.8.1.2 \
        'No Such Instance currently exists at this OID'
    expect_get "server power state on(1)" .1.10.1.8.1 'INTEGER: 1'
    expect_get "server inlet temperature tenths of C" .1.10.1.11.1 'INTEGER: 213'
    expect_get "server model not reported is empty" .1.10.1.6.1 '""'

    # A walk skips the absent Counter64 instances instead of stopping at them.
    rw_run snmpbulkwalk "${snmp_args[@]}" -Cr50 "127.0.0.1:$RW_SNMP_PORT" "$R.1"
    if [[ $(grep -c "^$R.1.9.1.8\." <<<"$RW_OUT") -eq 1 ]] &&
        grep -q "^$R.1.10.1.12.1 = INTEGER: 1" <<<"$RW_OUT"; then
        rw_pass "bulk walk crosses sparse columns to the last server column"
    else
        rw_fail "bulk walk"
    fi
    # snmptable needs the MIB, and the MIB needs the IETF base modules (see mib.sh).
    local base
    if base=$(bash "$RW_SOURCE_DIR/tests/integration/mib_fetch_base.sh" "$RW_BUILD_DIR/mib-cache"); then
        rw_run snmptable -v2c -c public -m RACKWATCH-MIB \
            -M "$RW_SOURCE_DIR/mibs:$base:/usr/share/snmp/mibs" -Ci -Cf , \
            "127.0.0.1:$RW_SNMP_PORT" RACKWATCH-MIB::rwOutletTable
        if [[ $RW_RC -eq 0 ]] && grep -q '^index,rwOutletRedfishId,rwOutletName,rwOutletState' <<<"$RW_OUT" &&
            grep -q '^1\.1,A1,web-01,on,500 milliamperes,-1 millivolts,115 watts,1500 watt-hours,' <<<"$RW_OUT" &&
            grep -q '^1\.2,A2,A2,off,-1 milliamperes,-1 millivolts,-1 watts,?,unknown$' <<<"$RW_OUT"; then
            rw_pass "snmptable with RACKWATCH-MIB reads the outlet table"
        else
            rw_fail "snmptable"
        fi
    else
        echo "IETF base MIBs unavailable (npm registry unreachable): snmptable not checked"
    fi
}

notifications() {
    local trap_log=$RW_WORK/traps.log
    printf 'disableAuthorization yes\n' >"$RW_WORK/trapd.conf"
    rw_spawn "$trap_log" snmptrapd -f -Lo -On -m '' -C -c "$RW_WORK/trapd.conf" \
        "udp:127.0.0.1:$RW_TRAP_PORT"
    sleep 0.3
    kill -USR1 "$SERVE_PID"
    rw_wait_grep "$trap_log" "OID: $R.0.4" 10
    RW_OUT=$(cat "$trap_log")
    if grep -q "OID: $R.0.5.*$R.1.9.1.3.1.1 = STRING: \"web-01\".*$R.1.11.3.0 = INTEGER: 1.*$R.1.9.1.4.1.1 = INTEGER: 2" <<<"$RW_OUT"; then
        rw_pass "outlet state change: web-01 on(1) to off(2)"
    else
        rw_fail "outlet state change notification"
    fi
    if grep -q "OID: $R.0.2.*$R.1.11.2.0 = INTEGER: 1.*$R.1.4.1.9.1 = INTEGER: 2" <<<"$RW_OUT"; then
        rw_pass "PDU health change ok(1) to warning(2)"
    else
        rw_fail "PDU health change notification"
    fi
    if grep -q "OID: $R.0.3.*$R.1.10.1.9.1 = INTEGER: 3" <<<"$RW_OUT" &&
        grep -q "OID: $R.0.4.*$R.1.11.3.0 = INTEGER: 1.*$R.1.10.1.8.1 = INTEGER: 2" <<<"$RW_OUT"; then
        rw_pass "server health and power state changes"
    else
        rw_fail "server notifications"
    fi
    kill -USR2 "$SERVE_PID"
    rw_wait_grep "$trap_log" "OID: $R.0.6" 10
    RW_OUT=$(cat "$trap_log")
    if grep -q "OID: $R.0.6.*$R.1.11.4.0 = INTEGER: 1.*$R.1.3.1.5.1 = INTEGER: 2.*\"connection refused\"" <<<"$RW_OUT"; then
        rw_pass "endpoint data status ok(1) to stale(2) with the error"
    else
        rw_fail "data status notification"
    fi
    expect_get "stale PDU keeps its values" .1.4.1.10.1 'INTEGER: 1234'
    expect_get "stale PDU says stale(2)" .1.4.1.13.1 'INTEGER: 2'
    expect_get "endpoint error text" .1.3.1.6.1 'STRING: "connection refused"'
}

indexes() {
    # A first run saved the registry; a second run with more keys keeps the old ones.
    printf '0\t7\tpdu-a1\n1\t9\tpdu-a1/1\n' >"$RW_WORK/index"
    start_server
    expect_get "endpoint keeps its saved index 7" .1.3.1.2.7 'STRING: "pdu-a1"'
    expect_get "PDU keeps its saved index 9" .1.4.1.2.9 'STRING: "1"'
    expect_get "new endpoint gets the next index" .1.3.1.2.8 'STRING: "bmc-1"'
    stop_server
    start_server
    expect_get "indexes survive a restart" .1.4.1.10.9 'INTEGER: 1234'
}

rw_start_snmpd "$RW_WORK/snmp" || exit 1
case "${1:-}" in
tables) start_server; tables; stop_server ;;
notifications) start_server; notifications; stop_server ;;
indexes) indexes; stop_server ;;
*) echo "usage: $0 tables|notifications|indexes" >&2; exit 2 ;;
esac
rw_done
