#!/usr/bin/env bash
# Walk throughput of one rwOutletTable column as the site grows: N synthetic PDUs of 48
# outlets (N = 10, 100, 1000 by default), served by the project's table layer
# (tests/tools/rs_mib_serve) through AgentX under a private snmpd and as a standalone agent,
# beside a pass_persist script serving the same number of integer rows under snmpd.  The
# snmpd-native tables do not grow with N: bench/snmp_walk.sh compares against those.
# Prints figures; never pass/fail.  Everything runs on 127.0.0.1 and is stopped at the end.
#
#   bench/walk_scale.sh [BUILD_DIR] [N...]     (defaults: build/release, 10 100 1000)
#   env: RUNS (3 walks each; the median is printed)
#
# Each row is also printed as "RESULT walk_scale pdus=N varbinds=V agentx_vps=R
# standalone_vps=R pass_persist_vps=R agentx_rss_kb=K" for bench/report.sh.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD=${1:-$ROOT/build/release}
shift $(($# < 1 ? $# : 1))
NS=("$@")
[[ ${#NS[@]} -gt 0 ]] || NS=(10 100 1000)
RUNS=${RUNS:-3}
OUTLETS=48

export RW_SOURCE_DIR="$ROOT" RW_BIN_DIR="$BUILD/bin" RW_TEST_TMP="${TMPDIR:-/tmp}"
. "$ROOT/tests/integration/lib.sh"
SERVE=$RW_BIN_DIR/rs_mib_serve
[[ -x $SERVE ]] || { echo "build first: $SERVE is missing" >&2; exit 1; }
command -v snmpd >/dev/null || { echo "bench/walk_scale.sh needs snmpd" >&2; exit 1; }

W=$RW_WORK
R=.1.3.6.1.4.1.8072.9999.9999.7225
COLUMN=$R.1.9.1.4 # rwOutletName
PASS=.1.3.6.1.4.1.8072.9999.9999.2

# pass_persist (snmpd.conf(5)): ROWS integer rows at BASE.1.1.r, one column.
cat >"$W/pass.py" <<'PY'
import sys
base, rows = sys.argv[1], int(sys.argv[2])
prefix = [int(x) for x in base.strip(".").split(".")] + [1, 1]
def answer(r):
    if r is None or not 1 <= r <= rows:
        sys.stdout.write("NONE\n")
    else:
        sys.stdout.write(".%s.%d\ninteger\n%d\n" % (".".join(map(str, prefix)), r, r))
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "PING":
        sys.stdout.write("PONG\n"); sys.stdout.flush(); continue
    oid = [int(x) for x in sys.stdin.readline().strip().strip(".").split(".") if x.isdigit()]
    under = oid[:len(prefix)] == prefix and len(oid) > len(prefix)
    if cmd == "get":
        answer(oid[-1] if under and len(oid) == len(prefix) + 1 else None)
    elif cmd == "getnext":
        # The row after oid: the first when oid sorts before the column, none after it.
        answer(1 if oid < prefix + [1] else (oid[len(prefix)] + 1 if under else None))
    else:
        answer(None)
    sys.stdout.flush()
PY

PORT=$(rw_free_udp_port)
mkdir -p "$W/persist"
{
    printf 'agentaddress udp:127.0.0.1:%s\nmaster agentx\nagentXSocket %s/agentx.sock\n' "$PORT" "$W"
    printf 'agentXPerms 0600 0700\nrocommunity public 127.0.0.1\npersistentDir %s/persist\n' "$W"
    for n in "${NS[@]}"; do
        printf 'pass_persist %s.%d /usr/bin/python3 %s/pass.py %s.%d %d\n' "$PASS" "$n" "$W" \
            "$PASS" "$n" $((n * OUTLETS))
    done
} >"$W/snmpd.conf"
MIBS='' SNMP_PERSISTENT_DIR=$W/persist rw_spawn "$W/snmpd.log" \
    snmpd -f -Lo -C -c "$W/snmpd.conf" -p "$W/snmpd.pid" -m ''
for _ in $(seq 200); do
    [[ -S $W/agentx.sock ]] && break
    sleep 0.05
done
[[ -S $W/agentx.sock ]] || { echo "snmpd did not start: $(cat "$W/snmpd.log")" >&2; exit 1; }

# rate AGENT OID: prints the median varbinds/s of RUNS bulk walks of OID and the varbinds
# of the last walk.
rate() {
    local agent=$1 oid=$2 r t0 t1 n rates=()
    for ((r = 0; r < RUNS; r++)); do
        t0=$(date +%s%N)
        n=$(snmpbulkwalk -v2c -c public -On -m '' -Cr50 -t 20 -r 0 "$agent" "$oid" 2>/dev/null |
            grep -c ' = ')
        t1=$(date +%s%N)
        rates+=("$(awk -v n="$n" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')")
    done
    printf '%s\n' "${rates[@]}" | sort -g |
        awk -v n="$n" '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], n }'
}

# serve ADDRESS N: starts rs_mib_serve with N PDUs; waits until it serves (and, through
# AgentX, until its registration answers).
serve() {
    local log=$W/serve-$2-${1##*/}.log i
    RS_SNMP_CONFIG=$W/standalone.conf rw_spawn "$log" "$SERVE" "$1" "$W/index-$2" "$2" "$OUTLETS"
    SERVE_PID=$RW_LAST_PID
    for ((i = 0; i < 1200; i++)); do
        grep -q '^serving' "$log" 2>/dev/null && break
        sleep 0.05
    done
}
stop_serve() {
    kill "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
}
printf 'rocommunity public 127.0.0.1\n' >"$W/standalone.conf"

echo "== rwOutletTable, 1 column ($OUTLETS outlets per PDU), snmpbulkwalk -Cr50, median of $RUNS; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %9s %14s %14s %14s %12s\n' PDUs varbinds "AgentX vb/s" "standalone" "pass_persist" "serve RSS kB"
results=()
for n in "${NS[@]}"; do
    serve "$W/agentx.sock" "$n"
    for ((i = 0; i < 100; i++)); do # the AgentX registration
        snmpgetnext -v2c -c public -On -m '' -t 2 -r 0 "127.0.0.1:$PORT" "$COLUMN" 2>/dev/null |
            grep -q "^$COLUMN" && break
        sleep 0.1
    done
    read -r ax vb < <(rate "127.0.0.1:$PORT" "$COLUMN")
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$SERVE_PID/status")
    stop_serve
    sa_port=$(rw_free_udp_port)
    serve "udp:127.0.0.1:$sa_port" "$n"
    read -r sa _ < <(rate "127.0.0.1:$sa_port" "$COLUMN")
    stop_serve
    read -r pp pvb < <(rate "127.0.0.1:$PORT" "$PASS.$n")
    [[ $pvb == "$vb" ]] || echo "  (pass_persist gave $pvb varbinds)" >&2
    printf '%-6s %9s %14s %14s %14s %12s\n' "$n" "$vb" "$ax" "$sa" "$pp" "$rss"
    results+=("RESULT walk_scale pdus=$n varbinds=$vb agentx_vps=$ax standalone_vps=$sa pass_persist_vps=$pp agentx_rss_kb=$rss")
done
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s\n' "${results[@]}"
