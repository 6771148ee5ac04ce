#!/usr/bin/env bash
# Soak of the real rackwatchd: ENDPOINTS (200) flapping Redfish endpoints, half rack PDUs and
# half servers, served over HTTPS with Basic/session auth by rackwatch-emu processes of 8
# listeners each (the emulator's limit), and constant snmpbulkwalk load on RACKWATCH-MIB.
# Prints a row every INTERVAL seconds and a verdict comparing the last third of the rows
# with the first third (growth of RSS and fds, not pass/fail).  A benchmark: figures, never
# pass/fail.  Everything runs on 127.0.0.1 and is stopped at exit.
#
#   bench/soak.sh MINUTES [BUILD_DIR]        (default build/release)
#   env: INTERVAL (30 s between rows), ENDPOINTS (200, a multiple of 8), POLL (10 s between
#        polls of an endpoint), FLAP (4 s between flaps), DOWN (5 emulators down at once),
#        WALKERS (1 snmpbulkwalk loop), MODE (agentx, or standalone), EMU (the emulator
#        binary, default BUILD_DIR's: a release one keeps an ASan soak's load down)
#
# The daemon runs as an AgentX subagent of a private snmpd (udp:127.0.0.1:free port, its
# own AgentX socket in the temp folder): that is how it is deployed, and the walks then
# cross snmpd and the AgentX session, whose buffers and requests are part of what must
# not grow.  MODE=standalone runs it as an SNMP agent of its own instead.
#
# Flapping: every FLAP seconds one emulator (8 endpoints) is stopped and the one stopped
# DOWN flaps earlier is started again on the same ports, so each endpoint is down
# DOWN x FLAP s out of every (ENDPOINTS / 8) x FLAP s, and a restarted emulator has
# forgotten the daemon's session (a 401, then a new login).  Each restart also picks a
# fault in turn: none (3 of 6), --fail-rate 0.3 (503 + Retry-After), --bad-json
# (truncated bodies), --delay-ms 1500 --jitter-ms 1000.
#
# Columns: elapsed s; the daemon's VmRSS kB and open fds; polls finished and polls failed,
# counted from rwEndpointLastPoll / rwEndpointLastSuccess (bench/soak_snmp.py: the daemon
# counts its polls but publishes no scalar for them); failed polls in the daemon's log (a
# warning per failed poll); SNMP walks completed of the whole RACKWATCH-MIB subtree,
# varbinds received and failed walks (timeouts, errors).  At the end the daemon is stopped
# with SIGTERM: its exit status, and the sanitizer reports in its log when BUILD_DIR is an
# ASan/UBSan build (e.g. build/asan: leaks are reported at that exit).  The last line,
# "RESULT soak key=value ...", is for bench/report.sh.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MINUTES=${1:-}
BUILD=${2:-$ROOT/build/release}
[[ $MINUTES =~ ^[0-9]+$ && $MINUTES -ge 1 ]] || {
    echo "usage: bench/soak.sh MINUTES [BUILD_DIR]" >&2
    exit 2
}
INTERVAL=${INTERVAL:-30} ENDPOINTS=${ENDPOINTS:-200} POLL=${POLL:-10} FLAP=${FLAP:-4}
DOWN=${DOWN:-5} WALKERS=${WALKERS:-1} MODE=${MODE:-agentx}
((ENDPOINTS % 8 == 0 && ENDPOINTS >= 16)) || { echo "ENDPOINTS must be a multiple of 8, >= 16" >&2; exit 2; }
EMUS=$((ENDPOINTS / 8))
((DOWN < EMUS)) || { echo "DOWN must be below $EMUS" >&2; exit 2; }
[[ $MODE == agentx || $MODE == standalone ]] || { echo "MODE is agentx or standalone" >&2; exit 2; }

export RW_SOURCE_DIR="$ROOT" RW_BIN_DIR="$BUILD/bin" RW_TEST_TMP="${TMPDIR:-/tmp}"
. "$ROOT/tests/integration/lib.sh"
DAEMON=$RW_BIN_DIR/rackwatchd
EMU=${EMU:-$RW_BIN_DIR/rackwatch-emu}
for b in "$DAEMON" "$EMU"; do
    [[ -x $b ]] || { echo "build first: $b is missing" >&2; exit 1; }
done
for c in snmpd snmpbulkwalk python3; do
    command -v "$c" >/dev/null || { echo "bench/soak.sh needs $c" >&2; exit 1; }
done

W=$RW_WORK
FLAPPER=
# The flapper owns the emulators (its children); stop it first, then anything it left.
soak_cleanup() {
    local f pid
    if [[ -n $FLAPPER ]]; then
        kill "$FLAPPER" 2>/dev/null
        wait "$FLAPPER" 2>/dev/null
    fi
    for f in "$W"/emu*.pid; do
        [[ -e $f ]] || continue
        pid=$(cat "$f")
        if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$W/"; then
            kill "$pid" 2>/dev/null
        fi
    done
    rw_cleanup
}
trap soak_cleanup EXIT
trap 'exit 130' INT TERM

rw_make_ca "$W/ca" && rw_make_cert "$W/ca" srv localhost "DNS:localhost,IP:127.0.0.1" -1 30 ||
    exit 1
printf 's3cret\n' >"$W/pass" && chmod 600 "$W/pass"

# ENDPOINTS ports that were free a moment ago, all bound at once so that they differ; the
# emulators listen on fixed ports so that a restart comes back at the same address.
mapfile -t PORTS < <(python3 -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
for s in socks:
    print(s.getsockname()[1])' "$ENDPOINTS")

# emu_kind K: the mockup of emulator K (even: PDUs, odd: servers).
emu_kind() {
    (($1 % 2 == 0)) && echo pdu || echo server
}

# emu_start K FAULT...: starts emulator K on its 8 ports with the fault options FAULT.
emu_start() {
    local k=$1 l args=()
    shift
    for ((l = 0; l < 8; l++)); do
        args+=(--listen "127.0.0.1:${PORTS[$((k * 8 + l))]}")
    done
    rm -f "$W/emu$k.ready"
    "$EMU" --mockup "$ROOT/tests/data/$(emu_kind "$k")" "${args[@]}" --user monitor \
        --password-file "$W/pass" --tls-cert "$W/ca/srv.crt" --tls-key "$W/ca/srv.key" \
        --ready-file "$W/emu$k.ready" "$@" >>"$W/emu$k.log" 2>&1 &
    echo $! >"$W/emu$k.pid"
}

emu_stop() {
    local pid
    pid=$(cat "$W/emu$1.pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -f "$W/emu$1.pid"
}

# fault N: the fault options of the Nth restart.
fault() {
    case $(($1 % 6)) in
        3) echo --fail-rate 0.3 ;;
        4) echo --bad-json ;;
        5) echo --delay-ms 1500 --jitter-ms 1000 ;;
        *) ;;
    esac
}

# flapper: starts every emulator, writes $W/emus.up, then flaps them until killed.
flapper() {
    local k cycle=0 back
    trap 'for ((k = 0; k < EMUS; k++)); do emu_stop "$k"; done; exit 0' TERM
    for ((k = 0; k < EMUS; k++)); do
        emu_start "$k"
    done
    for ((k = 0; k < EMUS; k++)); do
        for _ in $(seq 200); do
            [[ $(wc -l <"$W/emu$k.ready" 2>/dev/null || echo 0) -ge 8 ]] && break
            sleep 0.05
        done
    done
    touch "$W/emus.up"
    while true; do
        sleep "$FLAP" &
        wait $!
        k=$((cycle % EMUS))
        emu_stop "$k"
        if ((cycle >= DOWN)); then
            back=$(((cycle - DOWN) % EMUS))
            # shellcheck disable=SC2046 # the fault's options are words
            emu_start "$back" $(fault "$cycle")
            echo "$back" >>"$W/restarts"
        fi
        cycle=$((cycle + 1))
    done
}
flapper &
FLAPPER=$!
for _ in $(seq 400); do
    [[ -e $W/emus.up ]] && break
    sleep 0.05
done
[[ -e $W/emus.up ]] || { echo "the emulators did not start" >&2; exit 1; }
for ((k = 0; k < EMUS; k++)); do
    [[ $(wc -l <"$W/emu$k.ready") -ge 8 ]] ||
        { echo "emulator $k did not start: $(tail -n 3 "$W/emu$k.log")" >&2; exit 1; }
done

SNMP_PORT=$(rw_free_udp_port)
if [[ $MODE == agentx ]]; then
    mkdir -p "$W/snmp/persist"
    cat >"$W/snmp/snmpd.conf" <<CONF
agentaddress udp:127.0.0.1:$SNMP_PORT
master agentx
agentXSocket $W/snmp/agentx.sock
agentXPerms 0600 0700
rocommunity public 127.0.0.1
persistentDir $W/snmp/persist
CONF
    MIBS='' SNMP_PERSISTENT_DIR=$W/snmp/persist rw_spawn "$W/snmp/snmpd.log" \
        snmpd -f -Lo -C -c "$W/snmp/snmpd.conf" -p "$W/snmp/snmpd.pid" -m ''
    for _ in $(seq 200); do
        [[ -S $W/snmp/agentx.sock ]] && break
        sleep 0.05
    done
    [[ -S $W/snmp/agentx.sock ]] || { echo "snmpd did not start: $(cat "$W/snmp/snmpd.log")" >&2; exit 1; }
    daemon_args=()
else
    printf 'rocommunity public 127.0.0.1\n' >"$W/standalone.conf"
    daemon_args=(--standalone "udp:127.0.0.1:$SNMP_PORT" --snmp-config "$W/standalone.conf")
fi

{
    printf 'defaults:\n  poll_interval: %d\n  poll_jitter: 10\n  timeout: 5\n' "$POLL"
    printf '  ca_file: %s\n  expand: true\n' "$W/ca/ca.crt"
    printf 'credentials:\n  bmc:\n    username: monitor\n    password_file: %s\n' "$W/pass"
    printf 'endpoints:\n'
    for ((i = 0; i < ENDPOINTS; i++)); do
        kind=$(emu_kind $((i / 8)))
        printf '  - name: soak-%s-%03d\n    url: https://127.0.0.1:%s\n    kind: %s\n' "$kind" \
            "$i" "${PORTS[$i]}" "$kind"
        printf '    credentials: bmc\n'
    done
    [[ $MODE == standalone ]] || printf 'snmp:\n  agentx_socket: %s\n' "$W/snmp/agentx.sock"
    printf 'state_file: %s/state.json\n' "$W"
} >"$W/rackwatch.yaml"

echo "== rackwatchd soak: $MINUTES min, $ENDPOINTS endpoints ($((EMUS / 2 + EMUS % 2)) PDU and $((EMUS / 2)) server emulators x 8, HTTPS + auth), poll every ${POLL}s"
echo "== flap: one emulator stopped every ${FLAP}s, $DOWN down at once; $WALKERS snmpbulkwalk loop(s); mode $MODE"
echo "== $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg); $("$DAEMON" --version 2>&1 | head -n 1)"
rw_spawn "$W/daemon.log" "$DAEMON" --config "$W/rackwatch.yaml" --foreground \
    --log-level notice "${daemon_args[@]}"
DPID=$RW_LAST_PID
rw_spawn "$W/snmp.log" python3 "$ROOT/bench/soak_snmp.py" "127.0.0.1:$SNMP_PORT" "$W/stats" \
    "$WALKERS"

# total KEY: a total from the SNMP side's stats line (0 before its first line).
total() {
    local v
    v=$(tr ' ' '\n' <"$W/stats" 2>/dev/null | sed -n "s/^$1=//p")
    echo "${v:-0}"
}
log_failed() {
    grep -c 'warning: soak-[a-z]*-[0-9]*: ' "$W/daemon.log"
}

printf '%8s %9s %6s %8s %8s %8s %8s %10s %8s\n' elapsed rss_kB fds polls failed log_fail \
    walks varbinds snmp_err | tee "$W/rows"
start=$(date +%s)
end=$((start + MINUTES * 60))
alive=1
next=$start
while true; do
    next=$((next + INTERVAL))
    now=$(date +%s)
    ((next > end)) && next=$end
    ((next > now)) && sleep $((next - now))
    if ! kill -0 "$DPID" 2>/dev/null; then
        alive=0
        echo "rackwatchd exited: $(tail -n 3 "$W/daemon.log")"
        break
    fi
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$DPID/status")
    fds=$(find "/proc/$DPID/fd" -mindepth 1 2>/dev/null | wc -l)
    polls=$(total polls) ok=$(total polls_ok)
    printf '%8d %9d %6d %8d %8d %8d %8d %10d %8d\n' $(($(date +%s) - start)) "$rss" "$fds" \
        "$polls" $((polls - ok)) "$(log_failed)" "$(total walks)" \
        "$(total varbinds)" "$(total snmp_errors)" | tee -a "$W/rows"
    (($(date +%s) >= end)) && break
done
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$DPID/status" 2>/dev/null)
restarts=$(wc -l <"$W/restarts" 2>/dev/null || echo 0)
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg); emulator restarts: $restarts; daemon VmHWM ${hwm:-?} kB"
echo "== SNMP: $(cat "$W/stats" 2>/dev/null)"

# Stop the daemon as an init system would (SIGTERM) while its endpoints still flap: its exit
# status, and any sanitizer report when BUILD_DIR is an ASan/UBSan build (LeakSanitizer
# reports at exit).
drc=-
if ((alive)); then
    kill -TERM "$DPID"
    for _ in $(seq 300); do
        kill -0 "$DPID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$DPID" 2>/dev/null && kill -KILL "$DPID" && echo "rackwatchd ignored SIGTERM for 30 s: killed"
    wait "$DPID"
    drc=$?
fi
san=$(grep -cE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$W/daemon.log")
echo "== rackwatchd after SIGTERM: exit status $drc; sanitizer reports: $san"
grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:|^SUMMARY:' "$W/daemon.log" | head -n 5

# The verdict: the means of the first and last thirds of the rows (at least one each).
awk -v alive="$alive" -v drc="$drc" -v san="$san" -v minutes="$MINUTES" -v n_ep="$ENDPOINTS" -v hwm="${hwm:-0}" '
NR > 1 { n++; rss[n] = $2; fds[n] = $3; polls = $4; failed = $5; logf = $6; walks = $7;
         vb = $8; errs = $9; t[n] = $1 }
END {
    if (n == 0) { print "verdict: no rows"; exit }
    third = int(n / 3); if (third < 1) third = 1
    for (i = 1; i <= third; i++) { r1 += rss[i]; f1 += fds[i] }
    for (i = n - third + 1; i <= n; i++) { r2 += rss[i]; f2 += fds[i] }
    r1 /= third; r2 /= third; f1 /= third; f2 /= third
    printf "verdict: RSS %+.0f kB (first third %.0f kB, last third %.0f kB, %+.1f%%); ", \
        r2 - r1, r1, r2, (r2 - r1) * 100 / r1
    printf "fds %+.1f (%.1f -> %.1f); %d polls (%d failed), %d walks, %d SNMP errors; %s\n", \
        f2 - f1, f1, f2, polls, failed, walks, errs, alive ? "daemon alive" : "DAEMON EXITED"
    printf "RESULT soak minutes=%d endpoints=%d rows=%d rss_first_kb=%.0f rss_last_kb=%.0f", \
        minutes, n_ep, n, r1, r2
    printf " rss_growth_kb=%.0f hwm_kb=%d fds_first=%.1f fds_last=%.1f fds_growth=%.1f", \
        r2 - r1, hwm, f1, f2, f2 - f1
    printf " polls=%d failed=%d log_failed=%d walks=%d varbinds=%d snmp_errors=%d alive=%d", \
        polls, failed, logf, walks, vb, errs, alive
    printf " exit_status=%s sanitizer_reports=%d\n", drc, san
}' "$W/rows"
