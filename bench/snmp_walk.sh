#!/usr/bin/env bash
# Walk throughput of RACKWATCH-MIB through AgentX, beside snmpd's own table and a
# pass_persist script serving the same rows; and the subagent's memory for a big site.
# Prints figures; never pass/fail.  Everything runs on 127.0.0.1 and is stopped at the end.
#
#   bench/snmp_walk.sh [BUILD_DIR]      (default build/release; run scripts/test.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
serve=$build/bin/rs_mib_serve
[[ -x $serve ]] || { echo "bench: $serve not built (run scripts/test.sh)" >&2; exit 2; }

work=$(mktemp -d /tmp/rackwatch-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

R=.1.3.6.1.4.1.8072.9999.9999.7225
port=$(free_port)
cat >"$work/snmpd.conf" <<CONF
agentaddress udp:127.0.0.1:$port
master agentx
agentXSocket $work/agentx.sock
rocommunity public 127.0.0.1
pass_persist .1.3.6.1.4.1.8072.9999.9999.1 /usr/bin/python3 $work/pass.py
CONF

# pass_persist serving 10,000 rows x 5 integer columns (the protocol of snmpd.conf(5)).
cat >"$work/pass.py" <<'PY'
import sys
base = ".1.3.6.1.4.1.8072.9999.9999.1"
rows, cols = 10000, 5
oids = [(c, r) for c in range(1, cols + 1) for r in range(1, rows + 1)]
def name(c, r): return "%s.1.%d.%d" % (base, c, r)
def key(o): return [int(x) for x in o.strip(".").split(".")]
index = {name(c, r): i for i, (c, r) in enumerate(oids)}
keys = [key(name(c, r)) for c, r in oids]
import bisect
out = sys.stdout
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "PING":
        out.write("PONG\n"); out.flush(); continue
    oid = sys.stdin.readline().strip()
    if cmd == "get":
        i = index.get(oid)
    elif cmd == "getnext":
        i = bisect.bisect_right(keys, key(oid))
        i = i if i < len(oids) else None
    else:
        i = None
    if i is None:
        out.write("NONE\n")
    else:
        c, r = oids[i]
        out.write("%s\ninteger\n%d\n" % (name(c, r), r * c))
    out.flush()
PY

MIBS= snmpd -f -Lo -C -c "$work/snmpd.conf" -p "$work/snmpd.pid" -m '' >"$work/snmpd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -S $work/agentx.sock ]] && break; sleep 0.05; done

# start_serve LOG [env...]: the test subagent with 209 PDUs x 48 outlets = 10,032 outlet
# rows over AgentX; sets serve_pid.
start_serve() {
    local log=$1
    shift
    env "$@" "$serve" "$work/agentx.sock" "$work/index" 209 48 >"$log" 2>&1 &
    serve_pid=$!
    pids+=("$serve_pid")
    for _ in $(seq 200); do grep -q '^serving' "$log" 2>/dev/null && break; sleep 0.05; done
    sleep 1.5 # the AgentX registration
}
stop_serve() {
    kill "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
}

snmp=(-v2c -c public -On -m '' -t 10 -r 0 "127.0.0.1:$port")
runs=${RUNS:-3}
snmpd_pid=$(cat "$work/snmpd.pid" 2>/dev/null || echo "${pids[0]}")
# cpu_ticks PID: user + system clock ticks so far.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# walk NAME OID...: bulk-walks each OID subtree $runs times; prints the median varbinds/s
# and, when $serve_pid is set, the median CPU microseconds per varbind of the subagent
# and of snmpd.
walk() {
    local label=$1 start end n oid r rates=() subs=() masters=() s0 m0 tck
    shift
    tck=$(getconf CLK_TCK)
    for ((r = 0; r < runs; r++)); do
        n=0
        s0=$(cpu_ticks "${serve_pid:-self}")
        m0=$(cpu_ticks "$snmpd_pid")
        start=$(date +%s%N)
        for oid in "$@"; do
            n=$((n + $(snmpbulkwalk -Cr50 "${snmp[@]}" "$oid" | wc -l)))
        done
        end=$(date +%s%N)
        rates+=("$(awk -v n="$n" -v ns=$((end - start)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')")
        subs+=("$(awk -v d=$(($(cpu_ticks "${serve_pid:-self}") - s0)) -v t="$tck" -v n="$n" 'BEGIN { printf "%.1f", d / t * 1e6 / n }')")
        masters+=("$(awk -v d=$(($(cpu_ticks "$snmpd_pid") - m0)) -v t="$tck" -v n="$n" 'BEGIN { printf "%.1f", d / t * 1e6 / n }')")
    done
    printf '%-52s %6d varbinds: median %7d varbinds/s (runs: %s)' "$label" "$n" \
        "$(median "${rates[@]}")" "${rates[*]}"
    if [[ -n ${serve_pid:-} ]]; then
        printf '; CPU/varbind subagent %s us, snmpd %s us' "$(median "${subs[@]}")" \
            "$(median "${masters[@]}")"
    fi
    printf '\n'
}
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
outlet_columns=($R.1.9.1.4 $R.1.9.1.5 $R.1.9.1.6 $R.1.9.1.7 $R.1.9.1.9)

echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; $runs runs each"
echo "== walks (snmpbulkwalk -Cr50), 127.0.0.1"
start_serve "$work/serve.log"
walk "AgentX, rs_loop: outlet table, 5 columns" "${outlet_columns[@]}"
stop_serve
start_serve "$work/serve-netsnmp.log" RS_SERVE_LOOP=netsnmp
walk "AgentX, agent_check_and_process(1): same" "${outlet_columns[@]}"
stop_serve
start_serve "$work/serve.log"
serve_keep=$serve_pid
serve_pid=
walk "pass_persist script, 10,000 x 5" .1.3.6.1.4.1.8072.9999.9999.1
walk "snmpd native: hrSWInstalledTable" .1.3.6.1.2.1.25.6.3
walk "snmpd native: ifTable + ipAddrTable" .1.3.6.1.2.1.2.2 .1.3.6.1.2.1.4.20
serve_pid=$serve_keep

# snmptable needs the MIB for its columns: RACKWATCH-MIB with the IETF base modules from
# the build's cache (tests/integration/mib_fetch_base.sh, as the MIB tests fetch them).
if base=$(bash tests/integration/mib_fetch_base.sh "$build/mib-cache" 2>/dev/null); then
    tabs=()
    for ((r = 0; r < runs; r++)); do
        start=$(date +%s%N)
        rows=$(snmptable -v2c -c public -t 10 -r 0 -M "$base:/usr/share/snmp/mibs:mibs" \
            -m RACKWATCH-MIB -Ci -Cf , -Cr 50 "127.0.0.1:$port" RACKWATCH-MIB::rwOutletTable \
            2>/dev/null | grep -c "^[0-9]" || true)
        end=$(date +%s%N)
        tabs+=("$(awk -v n="$rows" -v ns=$((end - start)) 'BEGIN { printf "%.0f", n * 8 / (ns / 1e9) }')")
    done
    printf '%-52s %6d rows x 8: median %7d varbinds/s (runs: %s)\n' \
        "snmptable -Cr 50 of rwOutletTable via AgentX" "$rows" "$(median "${tabs[@]}")" "${tabs[*]}"
else
    echo "snmptable: skipped (the IETF base MIB modules could not be fetched)"
fi
echo "== standalone (--standalone: the same tables as an SNMP agent of their own)"
sa_port=$(free_port)
printf 'rocommunity public 127.0.0.1\n' >"$work/standalone.conf"
RS_SNMP_CONFIG=$work/standalone.conf "$serve" "udp:127.0.0.1:$sa_port" "$work/index3" 209 48 \
    >"$work/standalone.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q '^serving' "$work/standalone.log" 2>/dev/null && break; sleep 0.05; done
snmp=(-v2c -c public -On -m '' -t 10 -r 0 "127.0.0.1:$sa_port")
sa_pid=$!
serve_pid=$sa_pid
walk "standalone: outlet table, 5 columns" "${outlet_columns[@]}"
walk "standalone: outlet table, 8 columns" $R.1.9
serve_pid=$serve_keep

echo "== memory"
awk '/VmHWM|VmRSS/ { printf "table layer, 209 PDUs x 48 outlets: %s %s %s\n", $1, $2, $3 }' "/proc/$serve_pid/status"
kill "$serve_pid"
"$serve" "$work/agentx.sock" "$work/index2" 1000 48 >"$work/serve2.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do grep -q '^serving' "$work/serve2.log" 2>/dev/null && break; sleep 0.05; done
awk '/VmHWM|VmRSS/ { printf "table layer, 1000 PDUs x 48 outlets: %s %s %s\n", $1, $2, $3 }' "/proc/$!/status"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(the real daemon polling 1000 emulated PDUs: bench/daemon_rss.sh)"
