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

# 209 PDUs x 48 outlets = 10,032 outlet rows.
"$serve" "$work/agentx.sock" "$work/index" 209 48 >"$work/serve.log" 2>&1 &
pids+=($!)
serve_pid=$!
for _ in $(seq 200); do grep -q '^serving' "$work/serve.log" 2>/dev/null && break; sleep 0.05; done
sleep 0.5

snmp=(-v2c -c public -On -m '' -t 10 -r 0 "127.0.0.1:$port")
# walk NAME OID...: bulk-walks each OID subtree, prints varbinds/s.
walk() {
    local label=$1 start end n=0 oid
    shift
    start=$(date +%s%N)
    for oid in "$@"; do
        n=$((n + $(snmpbulkwalk -Cr50 "${snmp[@]}" "$oid" | wc -l)))
    done
    end=$(date +%s%N)
    awk -v l="$label" -v n="$n" -v ns=$((end - start)) \
        'BEGIN { printf "%-48s %7d varbinds in %6.2f s: %8.0f varbinds/s\n", l, n, ns / 1e9, n / (ns / 1e9) }'
}

echo "== walks (snmpbulkwalk -Cr50), 127.0.0.1, $(nproc) cores"
walk "rackwatch outlet table via AgentX, 5 columns" $R.1.9.1.4 $R.1.9.1.5 $R.1.9.1.6 $R.1.9.1.7 $R.1.9.1.9
walk "pass_persist script, 10,000 x 5" .1.3.6.1.4.1.8072.9999.9999.1
walk "snmpd native: hrSWInstalledTable" .1.3.6.1.2.1.25.6.3
walk "snmpd native: ifTable + ipAddrTable" .1.3.6.1.2.1.2.2 .1.3.6.1.2.1.4.20
start=$(date +%s%N)
rows=$(snmptable "${snmp[@]}" -Ci -Cf , $R.1.9 2>/dev/null | wc -l || true)
end=$(date +%s%N)
awk -v n="$rows" -v ns=$((end - start)) \
    'BEGIN { printf "%-48s %7d rows in %6.2f s (numeric OIDs: snmptable needs the MIB for columns)\n", "snmptable of the outlet table", n, ns / 1e9 }'

echo "== standalone (--standalone: the same tables as an SNMP agent of their own)"
sa_port=$(free_port)
printf 'rocommunity public 127.0.0.1\n' >"$work/standalone.conf"
RS_SNMP_CONFIG=$work/standalone.conf "$serve" "udp:127.0.0.1:$sa_port" "$work/index3" 209 48 \
    >"$work/standalone.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q '^serving' "$work/standalone.log" 2>/dev/null && break; sleep 0.05; done
snmp=(-v2c -c public -On -m '' -t 10 -r 0 "127.0.0.1:$sa_port")
walk "rackwatch outlet table standalone, 5 columns" $R.1.9.1.4 $R.1.9.1.5 $R.1.9.1.6 $R.1.9.1.7 $R.1.9.1.9
walk "rackwatch outlet table standalone, 8 columns" $R.1.9

echo "== memory"
awk '/VmHWM|VmRSS/ { printf "table layer, 209 PDUs x 48 outlets: %s %s %s\n", $1, $2, $3 }' "/proc/$serve_pid/status"
kill "$serve_pid"
"$serve" "$work/agentx.sock" "$work/index2" 1000 48 >"$work/serve2.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do grep -q '^serving' "$work/serve2.log" 2>/dev/null && break; sleep 0.05; done
awk '/VmHWM|VmRSS/ { printf "table layer, 1000 PDUs x 48 outlets: %s %s %s\n", $1, $2, $3 }' "/proc/$!/status"
