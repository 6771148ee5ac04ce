#!/usr/bin/env bash
# rackwatchd against a private snmpd: connects over AgentX, reconnects after snmpd
# restarts, stops cleanly on SIGTERM, refuses bad arguments.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"
command -v snmpd >/dev/null || rw_skip "snmpd not installed"
daemon=$RW_BIN_DIR/rackwatchd
# A configuration with nothing to poll: these tests are about the SNMP side.
printf 'state_file: %s/state.json\n' "$RW_WORK" >"$RW_WORK/empty.yaml"

case "${1:-}" in
agentx)
    rw_start_snmpd "$RW_WORK/snmp" || exit 1
    rw_spawn "$RW_WORK/rackwatchd.log" "$daemon" --config "$RW_WORK/empty.yaml" --foreground \
        --agentx-socket "$RW_AGENTX_SOCKET" --ping-interval 1
    pid=$RW_LAST_PID
    # Net-SNMP's own messages come out as ours: ident, level, one line each.
    if rw_wait_grep "$RW_WORK/rackwatchd.log" \
        "^rackwatchd: notice: NET-SNMP version [0-9.]+ AgentX subagent connected\$" 10; then
        rw_pass "connects to snmpd over AgentX (Net-SNMP's message logged as a notice of ours)"
    else
        RW_OUT=$(cat "$RW_WORK/rackwatchd.log"); rw_fail "no AgentX connection"
    fi
    rw_stop_snmpd
    rw_start_snmpd "$RW_WORK/snmp" || exit 1
    if rw_wait_grep "$RW_WORK/rackwatchd.log" "AgentX subagent connected" 10 2 &&
        grep -q "^rackwatchd: notice: AgentX master disconnected us, reconnecting in 1\$" \
            "$RW_WORK/rackwatchd.log"; then
        rw_pass "reconnects after snmpd restarts, and says so"
    else
        RW_OUT=$(cat "$RW_WORK/rackwatchd.log"); rw_fail "no reconnection"
    fi
    rw_expect_clean_stop "$pid" "$RW_WORK/rackwatchd.log"
    if grep -q "rackwatchd: notice: stopped" "$RW_WORK/rackwatchd.log"; then
        rw_pass "SIGTERM: says it stopped"
    else
        RW_OUT=$(cat "$RW_WORK/rackwatchd.log"); rw_fail "SIGTERM: no 'stopped' notice"
    fi
    ;;
standalone)
    # Without access control nobody may read; with it, the agent answers on its own port.
    port=$(rw_free_udp_port)
    printf 'rocommunity rackwatch-test 127.0.0.1\n' >"$RW_WORK/access.conf"
    rw_spawn "$RW_WORK/standalone.log" "$daemon" --config "$RW_WORK/empty.yaml" --foreground \
        --standalone "udp:127.0.0.1:$port" \
        --snmp-config "$RW_WORK/access.conf"
    pid=$RW_LAST_PID
    ok=0
    for _ in $(seq 50); do
        if snmpget -v2c -c rackwatch-test -On -m '' -t 1 -r 0 "127.0.0.1:$port" \
            .1.3.6.1.4.1.8072.9999.9999.7225.1.1.1.0 2>/dev/null | grep -q 'STRING: "'; then
            ok=1
            break
        fi
        sleep 0.1
    done
    if [[ $ok -eq 1 ]]; then rw_pass "standalone agent answers rwAgentVersion"; else
        RW_OUT=$(cat "$RW_WORK/standalone.log"); rw_fail "standalone agent"; fi
    rw_run snmpget -v2c -c public -On -m '' -t 1 -r 0 "127.0.0.1:$port" \
        .1.3.6.1.4.1.8072.9999.9999.7225.1.1.1.0
    if [[ $RW_RC -ne 0 ]] && grep -q "Timeout" <<<"$RW_ERR"; then
        rw_pass "a community the access file does not grant gets no answer"
    else
        rw_fail "unknown community answered"
    fi
    kill -TERM "$pid"
    wait "$pid"
    RW_RC=$?
    if [[ $RW_RC -eq 0 ]]; then rw_pass "standalone stops on SIGTERM"; else rw_fail "stop"; fi
    ;;
usage)
    rw_expect "--version" 0 "^rackwatchd [0-9]+\.[0-9]+" "$daemon" --version
    rw_expect "--help" 0 "^Usage: rackwatchd" "$daemon" --help
    rw_expect "unknown option" 2 "" "$daemon" --bogus
    rw_expect_output "unknown option says how to get help" "Try 'rackwatchd --help'"
    rw_expect "bad ping interval" 2 "" "$daemon" --ping-interval 0
    rw_expect_output "bad ping interval message" \
        "^rackwatchd: --ping-interval: expected 1-3600 seconds, got '0'$"
    rw_expect "bad log level" 2 "" "$daemon" --log-level loud
    rw_expect "no --config" 2 "" "$daemon" --foreground
    rw_expect_output "no --config message" "^rackwatchd: --config FILE is required$"
    printf 'defaults:\n  timout: 3\n' >"$RW_WORK/typo.yaml"
    rw_expect "bad configuration" 2 "" "$daemon" --config "$RW_WORK/typo.yaml"
    rw_expect_output "bad configuration names file:line:column" \
        "^rackwatchd: .*typo.yaml:2:3: unknown key 'timout' in defaults \(did you mean 'timeout'\?\)$"
    rw_expect "stray argument" 2 "" "$daemon" --config "$RW_WORK/empty.yaml" extra
    rw_expect_output "stray argument message" "^rackwatchd: unexpected argument 'extra'$"
    ;;
*)
    echo "usage: $0 agentx|standalone|usage" >&2
    exit 2
    ;;
esac
rw_done
