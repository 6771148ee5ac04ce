#!/usr/bin/env bash
# rackwatchd with more endpoints than it polls at once (max_polls: 4) and than it keeps
# connections for (32): 40 endpoints of the emulator's PDU over HTTPS.  Every endpoint is
# polled (the waiting ones get their turn), every PDU row appears, the snapshot has them
# all, and between polls no connection is kept open.  A max_polls out of range is refused.
# Runs --standalone: no snmpd needed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"
. "$(dirname "$0")/snmp_lib.sh"
command -v ss >/dev/null || rw_skip "ss not installed"
command -v snmpbulkwalk >/dev/null || rw_skip "snmpbulkwalk not installed"

R=.1.3.6.1.4.1.8072.9999.9999.7225
N=40
emu_tls
emu_start pdu --tls --mockup "$EMU_DATA/pdu"
port=$(rw_free_udp_port)
printf 'rocommunity rackwatch-test 127.0.0.1\n' >"$RW_WORK/access.conf"
{
    # Polls 60 s apart: after the first round every endpoint is idle for long enough
    # to look at its connections.
    printf 'defaults:\n  poll_interval: 60\n  poll_jitter: 0\n  timeout: 10\n'
    printf '  ca_file: %s\nendpoints:\n' "$EMU_CACERT"
    for ((i = 1; i <= N; i++)); do
        printf '  - name: pdu-%02d\n    url: %s\n    kind: pdu\n' "$i" "$EMU_URL"
    done
    printf 'state_file: %s\nmax_polls: 4\n' "$RW_WORK/state.json"
} >"$RW_WORK/many.yaml"
# bad_max_polls VALUE: refused with exit 2 and one line on stderr naming the key.
bad_max_polls() {
    printf 'max_polls: %s\n' "$1" >"$RW_WORK/bad.yaml"
    rw_expect "max_polls $1 refused with exit 2" 2 '^$' \
        "$RW_BIN_DIR/rackwatchd" --config "$RW_WORK/bad.yaml" --foreground
    rw_expect_output "max_polls $1 message" \
        "^rackwatchd: $RW_WORK/bad.yaml:1:12: max_polls: '$1' is out of range 1-256\$"
}
bad_max_polls 0
bad_max_polls 257
rw_spawn "$RW_WORK/daemon.log" "$RW_BIN_DIR/rackwatchd" --config "$RW_WORK/many.yaml" \
    --foreground --standalone "udp:127.0.0.1:$port" --snmp-config "$RW_WORK/access.conf" \
    --log-level info
pid=$RW_LAST_PID

# walk_count OID REGEX: how many instances under OID have a value matching REGEX.
walk_count() {
    snmpbulkwalk -v2c -c rackwatch-test -On -m '' -t 2 -r 1 "127.0.0.1:$port" "$R$1" \
        2>/dev/null | grep -Ec -- "$2" || true
}

ok=0
for _ in $(seq 300); do
    ok=$(walk_count .1.3.1.5 '= INTEGER: 1$')
    [[ $ok -ge $N ]] && break
    sleep 0.1
done
if [[ $ok -eq $N ]]; then rw_pass "all $N endpoints polled: data status ok(1)"; else
    RW_OUT=$(cat "$RW_WORK/daemon.log"); rw_fail "$ok of $N endpoints polled"; fi
rows=$(walk_count .1.4.1.2 'STRING: ')
if [[ $rows -eq $N ]]; then rw_pass "one PDU row per endpoint ($rows)"; else
    RW_OUT="rows=$rows"; rw_fail "PDU rows"; fi

rw_wait_file "$RW_WORK/state.json" 10
n=0
for _ in $(seq 50); do
    n=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(sum(1 for e in d["endpoints"] if e["ok"] and len(e["pdus"]) == 1))' "$RW_WORK/state.json" \
        2>/dev/null || echo 0)
    [[ $n -eq $N ]] && break
    sleep 0.1
done
if [[ $n -eq $N ]]; then rw_pass "the snapshot has all $N endpoints with their PDU"; else
    RW_OUT="n=$n"; rw_fail "snapshot endpoints"; fi

# Connections to the emulator still open: with keep-alive each endpoint would hold one.
conns=$(ss -tnH state established "( dport = :${EMU_URL##*:} )" 2>/dev/null | wc -l)
if [[ $conns -lt $N ]]; then rw_pass "idle endpoints keep no connection ($conns open)"; else
    RW_OUT="conns=$conns"; rw_fail "connections kept"; fi

rw_expect_clean_stop "$pid" "$RW_WORK/daemon.log"
rw_done
