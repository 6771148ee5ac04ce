# shellcheck shell=bash
# Helpers of the fault-injection suite (faults.sh); source after lib.sh, emu_lib.sh and
# snmp_lib.sh.  One rackwatchd polls a PDU (the endpoint under fault, index 1) and a
# server (a steady endpoint, index 2, never faulted) through a private snmpd; snmptrapd
# records the notifications.  Emulators restart on the port they had, so the daemon's
# configuration never changes under a fault unless a test says so.

R=.1.3.6.1.4.1.8072.9999.9999.7225
EP=$R.1.3.1       # rwEndpointEntry
PDU=$R.1.4.1      # rwPduEntry
SRV=$R.1.10.1     # rwServerEntry
DSC=$R.0.6        # rwEndpointDataStatusChange
OLD_DS=$R.1.11.4.0 # rwNotifyOldDataStatus.0
SNMP_ARGS=(-v2c -c public -On -m '' -t 2 -r 1)
DAEMON=$RW_BIN_DIR/rackwatchd
EMU_AUTH_ARGS=(--user monitor --password s3cret)

# fl_asan: true when this build is the sanitizer build (its daemon checks leaks at exit).
fl_asan() {
    grep -q '^RACKWATCH_SANITIZE:BOOL=ON' "$RW_BUILD_DIR/CMakeCache.txt" 2>/dev/null
}

# fl_emu NAME PORT ARGS...: rackwatch-emu NAME on 127.0.0.1:PORT (0: any) over HTTPS with
# the test credentials; sets NAME_PORT and NAME_PID.  A restart on the same port is the
# "device rebooted" of the scenarios: every session it had is gone.
fl_emu() {
    local name=$1 port=$2 i
    shift 2
    rm -f "$RW_WORK/$name.ready"
    rw_spawn "$RW_WORK/$name.log" "$EMU" --listen "127.0.0.1:$port" \
        --ready-file "$RW_WORK/$name.ready" --access-log "$RW_WORK/$name.access" \
        "${EMU_AUTH_ARGS[@]}" "$@"
    printf -v "${name}_PID" '%s' "$RW_LAST_PID"
    for ((i = 0; i < 200; i++)); do
        [[ -s $RW_WORK/$name.ready ]] && break
        kill -0 "$RW_LAST_PID" 2>/dev/null || break
        sleep 0.05
    done
    if [[ ! -s $RW_WORK/$name.ready ]]; then
        echo "rackwatch-emu $name did not start on port $port:" >&2
        cat "$RW_WORK/$name.log" >&2
        exit 1
    fi
    port=$(head -n 1 "$RW_WORK/$name.ready")
    printf -v "${name}_PORT" '%s' "${port##*:}"
}

# fl_kill NAME: stops the emulator NAME (SIGTERM, must exit 0) and forgets its pid.
fl_kill() {
    local var=${1}_PID rc
    kill -TERM "${!var}" 2>/dev/null
    wait "${!var}"
    rc=$?
    emu_reaped "${!var}"
    if [[ $rc -ne 0 ]] || grep -Eq 'Sanitizer|runtime error' "$RW_WORK/$1.log"; then
        RW_RC=$rc RW_OUT=$(head -c 2000 "$RW_WORK/$1.log") RW_ERR="" \
            rw_fail "emulator $1: clean exit on SIGTERM"
    fi
}

# fl_emu_restart NAME ARGS...: the emulator NAME again on its port, with ARGS (its mockup
# included).
fl_emu_restart() {
    local name=$1 var=${1}_PORT
    shift
    fl_kill "$name"
    fl_emu "$name" "${!var}" "$@"
}

# fl_proxy: faults_server.py in front of the PDU emulator; the fault is what fl_fault
# writes to its control file.  Sets PROXY_PORT.
fl_proxy() {
    local i
    FL_CONTROL=$RW_WORK/fault.control
    printf 'pass\n' >"$FL_CONTROL"
    rw_spawn "$RW_WORK/proxy.log" python3 "$RW_SOURCE_DIR/tests/integration/faults_server.py" \
        --backend-port "$PDU_PORT" --control "$FL_CONTROL" --ready-file "$RW_WORK/proxy.ready"
    for ((i = 0; i < 200; i++)); do
        [[ -s $RW_WORK/proxy.ready ]] && break
        sleep 0.05
    done
    [[ -s $RW_WORK/proxy.ready ]] || { cat "$RW_WORK/proxy.log" >&2; exit 1; }
    PROXY_PORT=$(sed 's/.*://' "$RW_WORK/proxy.ready")
}

# fl_fault MODE...: the proxy's fault from now on (see faults_server.py).
fl_fault() {
    printf '%s\n' "$*" >"$FL_CONTROL.new"
    mv "$FL_CONTROL.new" "$FL_CONTROL"
}

# fl_snmp: a private snmpd and an snmptrapd that logs every notification on one line.
fl_snmp() {
    rw_start_snmpd "$RW_WORK/snmp" || exit 1
    printf 'disableAuthorization yes\n' >"$RW_WORK/trapd.conf"
    rw_spawn "$RW_WORK/traps.log" snmptrapd -f -Lo -On -m '' -C -c "$RW_WORK/trapd.conf" \
        "udp:127.0.0.1:$RW_TRAP_PORT"
    rw_wait_grep "$RW_WORK/traps.log" 'NET-SNMP version' 5 || true
}

# fl_config FILE PDU_URL SRV_URL [EXTRA LINES...]: the daemon's configuration, with short
# intervals so that a scenario takes seconds.
fl_config() {
    local file=$1 pdu=$2 srv=$3
    shift 3
    {
        printf 'defaults:\n  poll_interval: 1\n  poll_jitter: 0\n  timeout: %s\n' \
            "${FL_TIMEOUT:-1}"
        printf '  ca_file: %s\n' "$EMU_CACERT"
        printf 'credentials:\n  bmc:\n    username: monitor\n    password_file: %s\n' \
            "$RW_WORK/bmc.pass"
        printf 'endpoints:\n'
        printf '  - name: pdu-a1\n    url: %s\n    kind: pdu\n    credentials: bmc\n' "$pdu"
        printf '  - name: srv-1\n    url: %s\n    kind: server\n    credentials: bmc\n' "$srv"
        printf '%s\n' "$@"
        printf 'snmp:\n  agentx_socket: %s\n' "$RW_AGENTX_SOCKET"
        printf 'state_file: %s\n' "${FL_STATE:-$RW_WORK/state.json}"
    } >"$file"
}

# fl_setup [PDU EMULATOR ARGS...]: certificates, the PDU and server emulators, snmpd,
# snmptrapd and the configuration in $RW_WORK/rw.yaml; PDU_BASE holds the PDU emulator's
# own arguments (TLS, mockup) for restarts.  With FL_PROXY set, the PDU emulator serves
# plain HTTP behind faults_server.py and the daemon polls the proxy.
fl_setup() {
    emu_tls
    printf 's3cret\n' >"$RW_WORK/bmc.pass"
    chmod 600 "$RW_WORK/bmc.pass"
    TLS_ARGS=(--tls-cert "$EMU_CA/server.crt" --tls-key "$EMU_CA/server.key")
    PDU_BASE=("${TLS_ARGS[@]}" --mockup "$EMU_DATA/pdu")
    [[ -n ${FL_PROXY:-} ]] && PDU_BASE=(--mockup "$EMU_DATA/pdu")
    fl_emu PDU 0 "${PDU_BASE[@]}" "$@"
    fl_emu SRV 0 "${TLS_ARGS[@]}" --mockup "$EMU_DATA/server"
    PDU_URL=https://127.0.0.1:$PDU_PORT
    if [[ -n ${FL_PROXY:-} ]]; then
        fl_proxy
        PDU_URL=http://127.0.0.1:$PROXY_PORT
    fi
    SRV_URL=https://127.0.0.1:$SRV_PORT
    fl_snmp
    fl_config "$RW_WORK/rw.yaml" "$PDU_URL" "$SRV_URL"
}

# fl_daemon [WRAPPER...]: starts rackwatchd (under WRAPPER, e.g. valgrind) on rw.yaml.
fl_daemon() {
    rw_spawn "$RW_WORK/daemon.log" "$@" "$DAEMON" --config "$RW_WORK/rw.yaml" --foreground \
        --ping-interval 1 --log-level info
    DAEMON_PID=$RW_LAST_PID
}

# get OID: the value alone ("INTEGER: 1"), or nothing when snmpd does not answer.
get() { rw_snmp_get "$1"; }
wait_value() { rw_snmp_wait "$1" "$2" "$3"; }
check() { RW_ERR="" RW_RC=- rw_snmp_check "$@"; }

# expect_wait NAME OID REGEX SECONDS: passes when the value comes to match within SECONDS.
expect_wait() {
    if wait_value "$2" "$3" "$4"; then
        rw_pass "$1"
    else
        RW_OUT="now: $(get "$2"); daemon log tail: $(tail -5 "$RW_WORK/daemon.log")" RW_ERR="" \
            RW_RC=- rw_fail "$1: want /$3/ within $4 s"
    fi
}

# fl_alive NAME: the daemon is still running.
fl_alive() {
    if kill -0 "$DAEMON_PID" 2>/dev/null; then
        rw_pass "$1"
    else
        RW_OUT=$(tail -20 "$RW_WORK/daemon.log") RW_ERR="" RW_RC=- rw_fail "$1: daemon died"
    fi
}

# fl_trap_count INDEX OLD NEW [TAIL]: how many rwEndpointDataStatusChange notifications
# for endpoint INDEX went from OLD to NEW (their varbinds further matching TAIL).
fl_trap_count() {
    grep -cE -- "OID: $DSC\b.*$OLD_DS = INTEGER: $2\b.*$EP\.5\.$1 = INTEGER: $3\b${4:-}" \
        "$RW_WORK/traps.log" 2>/dev/null
}

# expect_trap NAME INDEX OLD NEW SECONDS [COUNT]: waits for COUNT such notifications.
expect_trap() {
    local name=$1 idx=$2 old=$3 new=$4 limit=$5 count=${6:-1} i
    for ((i = 0; i < limit * 10; i++)); do
        if [[ $(fl_trap_count "$idx" "$old" "$new") -ge $count ]]; then
            rw_pass "$name"
            return
        fi
        sleep 0.1
    done
    RW_OUT=$(grep -- "$DSC" "$RW_WORK/traps.log" | tail -5) RW_ERR="" RW_RC=- \
        rw_fail "$name: want $count notification(s) $old -> $new for endpoint $idx"
}

# fl_walk_rows NAME: snmpbulkwalk of rwEndpointTable's names answers both rows.
fl_walk_rows() {
    local rows
    rows=$(snmpbulkwalk "${SNMP_ARGS[@]}" "127.0.0.1:$RW_SNMP_PORT" "$EP.2" 2>&1)
    if grep -q "$EP.2.1 = STRING: \"pdu-a1\"" <<<"$rows" &&
        grep -q "$EP.2.2 = STRING: \"srv-1\"" <<<"$rows"; then
        rw_pass "$1"
    else
        RW_OUT=$rows RW_ERR="" RW_RC=- rw_fail "$1: endpoint rows"
    fi
}

# fl_outlet_rows: the rows snmpbulkwalk finds in rwOutletTable (their names).
fl_outlet_rows() {
    snmpbulkwalk "${SNMP_ARGS[@]}" "127.0.0.1:$RW_SNMP_PORT" "$R.1.9.1.2" 2>/dev/null |
        grep -c ' = STRING: '
}

# fl_last_times NAME: a poll that fails moves rwEndpointLastPoll on and leaves
# rwEndpointLastSuccess where it was.
fl_last_times() {
    local success poll i
    success=$(get "$EP.8.1")
    poll=$(get "$EP.7.1")
    for ((i = 0; i < 100; i++)); do
        [[ $(get "$EP.7.1") != "$poll" ]] && break
        sleep 0.1
    done
    if [[ $(get "$EP.7.1") != "$poll" && $(get "$EP.8.1") == "$success" &&
        $success =~ ^Hex-STRING ]]; then
        rw_pass "$1"
    else
        RW_OUT="last poll $poll -> $(get "$EP.7.1"), last success $success -> $(get "$EP.8.1")" \
            RW_ERR="" RW_RC=- rw_fail "$1"
    fi
}

# fl_baseline: waits until both endpoints are ok and keeps the PDU's and the server's power
# readings in PDU_W and SRV_W, the number of outlet rows in OUTLETS.
fl_baseline() {
    expect_wait "PDU endpoint polled: data status ok(1)" "$EP.5.1" 'INTEGER: 1' 20
    expect_wait "server endpoint polled: data status ok(1)" "$EP.5.2" 'INTEGER: 1' 20
    PDU_W=$(get "$PDU.10.1")
    SRV_W=$(get "$SRV.10.1")
    OUTLETS=$(fl_outlet_rows)
    if [[ $PDU_W =~ ^INTEGER:\ [0-9]+$ && $SRV_W =~ ^INTEGER:\ [0-9]+$ ]]; then
        rw_pass "baseline readings ($PDU_W W, $SRV_W W)"
    else
        RW_OUT="$PDU_W / $SRV_W" RW_ERR="" RW_RC=- rw_fail "baseline readings"
    fi
}

# fl_during_fault ERROR_REGEX [SECONDS]: what must hold while the PDU endpoint is faulty:
# stale with the fault's reason, its last values kept and served, the other endpoint
# untouched, a notification sent, the daemon alive.
fl_during_fault() {
    local why=$1 limit=${2:-15}
    expect_wait "fault: PDU endpoint goes stale(2)" "$EP.5.1" 'INTEGER: 2' "$limit"
    if wait_value "$EP.6.1" "^STRING: \"($why)\"\$" 10; then
        rw_pass "fault: rwEndpointError says why: $(get "$EP.6.1")"
    else
        RW_OUT=$(get "$EP.6.1") RW_ERR="" RW_RC=- rw_fail "fault: rwEndpointError: want /$why/"
    fi
    expect_trap "fault: rwEndpointDataStatusChange ok -> stale received" 1 1 2 10
    if [[ $(fl_trap_count 1 1 2 ".*$EP\.6\.1 = STRING: \"[^\"]+\"") -ge 1 ]]; then
        rw_pass "fault: the notification carries rwEndpointError"
    else
        RW_OUT=$(grep -- "$DSC" "$RW_WORK/traps.log") RW_ERR="" RW_RC=- rw_fail "no error varbind"
    fi
    check "fault: the PDU row is stale(2) too" "$PDU.13.1" 'INTEGER: 2'
    check "fault: the PDU keeps its last power reading" "$PDU.10.1" "$PDU_W"
    check "fault: the other endpoint stays ok(1)" "$EP.5.2" 'INTEGER: 1'
    check "fault: the other endpoint's server keeps its reading" "$SRV.10.1" "$SRV_W"
    fl_walk_rows "fault: snmpbulkwalk of rwEndpointTable answers every row"
    if [[ $(fl_outlet_rows) -eq $OUTLETS && $OUTLETS -gt 0 ]]; then
        rw_pass "fault: snmpbulkwalk of rwOutletTable still has its $OUTLETS rows"
    else
        RW_OUT="$(fl_outlet_rows) rows, want $OUTLETS" RW_ERR="" RW_RC=- rw_fail "outlet rows"
    fi
    fl_last_times "fault: a failed poll moves rwEndpointLastPoll, not rwEndpointLastSuccess"
    fl_alive "fault: the daemon keeps running"
}

# fl_after_fault [SECONDS]: what must hold once the fault is gone.
fl_after_fault() {
    local limit=${1:-15}
    expect_wait "recovery: PDU endpoint ok(1) again" "$EP.5.1" 'INTEGER: 1' "$limit"
    expect_trap "recovery: rwEndpointDataStatusChange stale -> ok received" 1 2 1 10
    check "recovery: rwEndpointError empty again" "$EP.6.1" '""'
    if [[ $(fl_trap_count 1 2 1 ".*$EP\.6\.1 = \"\"") -ge 1 ]]; then
        rw_pass "recovery: the notification carries an empty rwEndpointError"
    else
        RW_OUT=$(grep -- "$DSC" "$RW_WORK/traps.log") RW_ERR="" RW_RC=- rw_fail "recovery varbind"
    fi
    check "recovery: the PDU row is ok(1)" "$PDU.13.1" 'INTEGER: 1'
    check "recovery: PDU power back" "$PDU.10.1" "$PDU_W"
    check "recovery: the other endpoint still ok(1)" "$EP.5.2" 'INTEGER: 1'
    if [[ $(fl_trap_count 2 1 2) -eq 0 ]]; then
        rw_pass "recovery: no notification ever said the other endpoint went stale"
    else
        RW_OUT=$(grep -- "$DSC" "$RW_WORK/traps.log") RW_ERR="" RW_RC=- \
            rw_fail "the steady endpoint was reported stale"
    fi
}

# Net-SNMP 5.9.3's known leak: rw_netsnmp_known_leak in snmp_lib.sh.

# fl_stop: SIGTERM; the daemon exits 0 with no sanitizer report (LeakSanitizer runs at
# exit in the ASan build), or, under valgrind (FL_VALGRIND_LOG), with no memcheck error.
fl_stop() {
    local log=$RW_WORK/daemon.log kind=asan
    kill -TERM "$DAEMON_PID"
    wait "$DAEMON_PID"
    RW_RC=$?
    emu_reaped "$DAEMON_PID"
    RW_OUT=$(tail -40 "$RW_WORK/daemon.log")
    # shellcheck disable=SC2034 # read by lib.sh's rw_fail
    RW_ERR=""
    [[ -n ${FL_VALGRIND_LOG:-} ]] && log=$FL_VALGRIND_LOG kind=valgrind
    if [[ $RW_RC -eq 0 ]] && ! grep -Eq 'Sanitizer|runtime error' "$RW_WORK/daemon.log"; then
        rw_pass "SIGTERM: exit 0, no sanitizer report"
    elif [[ $RW_RC -ne 0 && $RW_RC -ne 2 ]] && rw_netsnmp_known_leak "$log" "$kind"; then
        # KNOWN BUG: Net-SNMP 5.9.3's netsnmp_unix_recv leak (see rw_netsnmp_known_leak): skipped.
        echo "skip - SIGTERM: exit $RW_RC for Net-SNMP 5.9.3's known AgentX socket leak only," \
            "nothing of rackwatch's: $(grep -m1 -E 'SUMMARY: AddressSanitizer|definitely lost:' \
                "$log" | sed 's/^==[0-9]*== *//')"
    else
        rw_fail "SIGTERM: want exit 0 and no sanitizer report"
    fi
}

# FL_KEEP=DIR (by hand, for debugging): a copy of the work folder is left in DIR.
if [[ -n ${FL_KEEP:-} ]]; then
    trap 'rm -rf "$FL_KEEP"; cp -r "$RW_WORK" "$FL_KEEP"; rw_cleanup' EXIT
fi
