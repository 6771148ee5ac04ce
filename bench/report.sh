#!/usr/bin/env bash
# Runs every benchmark beside its peers in one go and writes bench/REPORT.md: the ratios of
# rackwatch to the peers (not absolute times, which depend on the machine), their scaling
# with N, the machine's facts (CPU, cores, load before and after, package versions), the
# date and the git commit, and every benchmark's raw output at the end.  Prints progress;
# never pass/fail.  Everything runs on 127.0.0.1.
#
#   bench/report.sh [BUILD_DIR]              (default build/release)
#   env: QUICK=1    N = 10, 100 only and fewer repeats (a few minutes; for development)
#        OUT=FILE   where the report goes (default bench/REPORT.md)
#        SOAK=M     also run bench/soak.sh for M minutes (default 0: not run)
#        FUZZ=S     also run bench/fuzz.sh S seconds per target (default 0: not run; it
#                   builds the fuzz targets with clang first)
#        KEEP=DIR   keep the raw outputs in DIR (default: a temporary folder, removed)
#
# The benchmarks: bench/poll.sh (rackwatch poll vs the curl CLI and redfishtool),
# liveness.sh, pduplug.sh and hubspoke.sh (the plugins vs check_http, check_curl and
# check_ssl_cert), snmp_walk.sh (walks through AgentX vs snmpd's own tables and a
# pass_persist script), walk_scale.sh (the same with 10/100/1000 PDUs), emu.sh (the
# emulator vs nginx) and daemon_rss.sh (the daemon's memory with 10/100/1000 PDUs).
# Default run: about 12 minutes on 2 quiet cores (20 or more when other work loads them).
# Run it on a quiet machine: the load averages before and after are in the report.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD=$(cd "${1:-$ROOT/build/release}" 2>/dev/null && pwd) ||
    { echo "bench/report.sh: no build folder ${1:-$ROOT/build/release}" >&2; exit 2; }
OUT=${OUT:-$ROOT/bench/REPORT.md}
# the peers (nginx, check_curl, redfishtool, heaptrack) and the tools, when any is missing
"$ROOT/scripts/deps.sh" bench || exit 2
QUICK=${QUICK:-0} SOAK=${SOAK:-0} FUZZ=${FUZZ:-0}
for b in rackwatch rackwatchd rackwatch-emu rs_mib_serve check_spoke_liveness check_pdu \
    check_hubspoke check_spoke_cert; do
    [[ -x $BUILD/bin/$b ]] || { echo "bench/report.sh: build first ($BUILD/bin/$b is missing)" >&2; exit 2; }
done

if [[ -n ${KEEP:-} ]]; then
    RAW=$KEEP
    mkdir -p "$RAW" || exit 2
else
    RAW=$(mktemp -d /tmp/rackwatch-report.XXXXXX)
    trap 'rm -rf "$RAW"' EXIT
fi

if [[ $QUICK == 1 ]]; then
    NS=(10 100) POLL_REPEATS=1 RUNS=10 HS_RUNS=3 WALK_RUNS=1 EMU_SECONDS=2
else
    NS=(10 100 1000) POLL_REPEATS=3 RUNS=30 HS_RUNS=5 WALK_RUNS=3 EMU_SECONDS=5
fi

# facts: the machine and the software, as key=value lines.
facts() {
    local p v
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "dirty=$(git -C "$ROOT" status --porcelain 2>/dev/null | grep -c . || true)"
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "nproc=$(nproc)"
    echo "mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel=$(uname -r)"
    echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "build=${BUILD#"$ROOT"/}"
    echo "quick=$QUICK"
    echo "ns=${NS[*]}"
    for p in curl libcurl4 openssl libssl3 snmpd libsnmp40 libmicrohttpd12 libjson-c5 nginx \
        monitoring-plugins-basic monitoring-plugins-standard monitoring-plugins-contrib redfishtool wrk; do
        v=$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null) || v="not installed"
        echo "pkg.$p=$v"
    done
}

# run NAME CMD...: runs one benchmark, its output in $RAW/NAME.txt; records its time.  A
# benchmark still running after LIMIT seconds (default 900) is stopped (exit 124): timeout
# signals its whole process group, servers included.
run() {
    local name=$1 t0 rc
    shift
    printf '%s %-12s ...' "$(date +%H:%M:%S)" "$name" >&2
    t0=$(date +%s)
    (cd "$ROOT" && timeout --kill-after=30 "${LIMIT:-900}" "$@") >"$RAW/$name.txt" 2>&1
    rc=$?
    printf ' %4d s (exit %d)\n' $(($(date +%s) - t0)) "$rc" >&2
    printf 'seconds.%s=%d\nexit.%s=%d\n' "$name" $(($(date +%s) - t0)) "$name" "$rc" >>"$RAW/facts.txt"
}

: >"$RAW/facts.txt"
facts >>"$RAW/facts.txt"
echo "load.before=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW/facts.txt"
start=$(date +%s)
run poll bash bench/poll.sh "$BUILD" "$POLL_REPEATS" "${NS[@]}"
run liveness bash bench/liveness.sh "$RUNS" "$BUILD"
run pduplug bash bench/pduplug.sh "$RUNS" "$BUILD"
spokes="1 ${NS[*]}"
SPOKES=$spokes run hubspoke bash bench/hubspoke.sh "$HS_RUNS" "$BUILD"
RUNS=$WALK_RUNS run snmp_walk bash bench/snmp_walk.sh "$BUILD"
RUNS=$WALK_RUNS run walk_scale bash bench/walk_scale.sh "$BUILD" "${NS[@]}"
run emu bash bench/emu.sh "$EMU_SECONDS" "$BUILD"
# The daemon's own poll period (30 s): with 1000 PDUs of 48 outlets a shorter one keeps
# 2 loaded cores busy past the point where every PDU's first poll ever succeeds.
for n in "${NS[@]}"; do
    LIMIT=420 PDUS=$n run "daemon_rss_$n" bash bench/daemon_rss.sh "$BUILD"
done
if [[ $SOAK != 0 ]]; then
    run soak bash bench/soak.sh "$SOAK" "$BUILD"
fi
if [[ $FUZZ != 0 ]]; then
    run fuzz bash bench/fuzz.sh "$FUZZ"
fi
echo "load.after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW/facts.txt"
echo "seconds.total=$(($(date +%s) - start))" >>"$RAW/facts.txt"

if ! python3 "$ROOT/bench/report_md.py" "$RAW" >"$OUT.tmp" || ! mv "$OUT.tmp" "$OUT"; then
    echo "bench/report.sh: the report could not be written" >&2
    exit 1
fi
echo "wrote ${OUT#"$ROOT"/} ($(($(date +%s) - start)) s)" >&2
