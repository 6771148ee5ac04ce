#!/usr/bin/env bash
# Benchmarks of the hub/spoke plugins (127.0.0.1 only).  A benchmark, not a test: it prints
# figures and never fails on them.
#   1. check_hubspoke against a hub (rackwatch-emu over HTTPS) with 1, 10 and 100 spokes
#      (SPOKES="1 10 100" in the environment): median wall time, CPU time (user + sys) and
#      maximum RSS of RUNS runs.  The spokes are listeners of more rackwatch-emu processes
#      (8 listeners each, the emulator's limit), all presenting the hub's certificate and
#      version, so every spoke is OK.  Beside it, the peer way: one check_http -S per spoke,
#      run one after the other as a scheduler would (CPU and wall summed over the N runs;
#      above 100 spokes measured EACH_RUNS times, default 1).
#   2. check_spoke_cert beside Debian's check_http -S -C 30, check_curl -S -C 30 (package
#      monitoring-plugins-standard, when installed) and check_ssl_cert (package
#      monitoring-plugins-contrib, with bc and bind9-host it needs, installed here with
#      --no-install-recommends when apt has it and it is missing) against the same server.
# Every figure is also printed as "RESULT hubspoke tool=... spokes=N wall_s=... cpu_s=...
# rss_kb=..." for bench/report.sh.
# Usage: bench/hubspoke.sh [RUNS] [BUILD_DIR]     (defaults: 10, build/release)
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS=${1:-10}
SPOKES=${SPOKES:-1 10 100}
BUILD=${2:-$ROOT/build/release}
PLUGINS=/usr/lib/nagios/plugins
TIME=/usr/bin/time

export RW_SOURCE_DIR="$ROOT" RW_BIN_DIR="$BUILD/bin" RW_TEST_TMP="${TMPDIR:-/tmp}"
. "$ROOT/tests/integration/lib.sh"

EMU="$RW_BIN_DIR/rackwatch-emu"
for b in check_hubspoke check_spoke_cert rackwatch-emu; do
    [[ -x $RW_BIN_DIR/$b ]] || { echo "build first: $RW_BIN_DIR/$b is missing" >&2; exit 1; }
done
[[ -x $TIME ]] || { echo "$TIME missing: apt-get install time" >&2; exit 1; }

rw_make_ca "$RW_WORK/ca" &&
    rw_make_cert "$RW_WORK/ca" srv localhost "DNS:localhost,IP:127.0.0.1" -1 300 || exit 1
CA="$RW_WORK/ca/ca.crt"

# start_emu READY MOCKUP N: one rackwatch-emu over HTTPS with N (at most 8) listeners on
# port 0; waits until READY lists N addresses.
start_emu() {
    local ready=$1 mockup=$2 n=$3 listen=() i
    for ((i = 0; i < n; i++)); do
        listen+=(--listen 127.0.0.1:0)
    done
    rw_spawn "$ready.log" "$EMU" --mockup "$mockup" "${listen[@]}" --firmware-version 3.2.0 \
        --tls-cert "$RW_WORK/ca/srv.crt" --tls-key "$RW_WORK/ca/srv.key" --ready-file "$ready"
    for ((i = 0; i < 200; i++)); do
        [[ -s $ready && $(wc -l <"$ready") -ge $n ]] && return 0
        sleep 0.05
    done
    echo "rackwatch-emu did not start: $(cat "$ready.log")" >&2
    exit 1
}

# start_spokes READY N: N spoke listeners, 8 to an emulator (its limit); addresses in READY.
start_spokes() {
    local ready=$1 n=$2 k=0 chunk
    : >"$ready"
    while ((n > 0)); do
        chunk=$((n < 8 ? n : 8))
        start_emu "$ready.$k" "$ROOT/tests/data/hub" "$chunk"
        cat "$ready.$k" >>"$ready"
        n=$((n - chunk))
        k=$((k + 1))
    done
}

# hub_tree DIR READY: a copy of the hub mockup listing every address in READY as a spoke.
hub_tree() {
    local dir=$1 src="$1/AggregationService/AggregationSources" i=0 addr members="" sep=""
    rm -rf "$dir"
    cp -r "$ROOT/tests/data/hub" "$dir"
    while read -r addr; do
        i=$((i + 1))
        mkdir -p "$src/$i"
        printf '{"@odata.id": "/redfish/v1/AggregationService/AggregationSources/%d", "Id": "%d", "Name": "spoke%d", "HostName": "https://%s", "Status": {"State": "Enabled", "Health": "OK"}}\n' \
            "$i" "$i" "$i" "$addr" >"$src/$i/index.json"
        members+="$sep{\"@odata.id\": \"/redfish/v1/AggregationService/AggregationSources/$i\"}"
        sep=", "
    done <"$2"
    printf '{"@odata.id": "/redfish/v1/AggregationService/AggregationSources", "Members@odata.count": %d, "Members": [%s]}\n' \
        "$i" "$members" >"$src/index.json"
}

# measure CMD...: one run; prints "wall_s cpu_s maxrss_kb" (wall from the nanosecond clock,
# CPU and RSS from GNU time).
measure() {
    local t0 t1
    t0=$(date +%s%N)
    "$TIME" -f '%U %S %M' -o "$RW_WORK/time" "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    awk -v w="$(((t1 - t0) / 1000))" '{ printf "%.4f %.3f %d\n", w / 1e6, $1 + $2, $3 }' \
        "$RW_WORK/time"
}

# median_of FILE COLUMN
median_of() {
    awk -v c="$2" '{ print $c }' "$1" | sort -n |
        awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
                                   else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# report TOOL SPOKES LABEL CMD...: RUNS runs (REPORT_RUNS when set) after one warm-up (none
# for a single run); medians of wall, CPU and max RSS, as a table row and a RESULT line.
report() {
    local tool=$1 spokes=$2 label=$3 runs=${REPORT_RUNS:-$RUNS} i wall cpu rss
    shift 3
    ((runs == 1)) || "$@" >/dev/null 2>&1
    : >"$RW_WORK/runs"
    for ((i = 0; i < runs; i++)); do
        measure "$@" >>"$RW_WORK/runs"
    done
    wall=$(median_of "$RW_WORK/runs" 1) cpu=$(median_of "$RW_WORK/runs" 2)
    rss=$(median_of "$RW_WORK/runs" 3)
    printf '%-34s wall %8.4f s   cpu %7.3f s   maxrss %6.0f KB   (median of %d)\n' "$label" \
        "$wall" "$cpu" "$rss" "$runs"
    RESULTS+=("RESULT hubspoke tool=$tool spokes=$spokes wall_s=$wall cpu_s=$cpu rss_kb=$rss runs=$runs")
}
RESULTS=()

echo "== check_hubspoke: hub and N spokes (rackwatch-emu over HTTPS, EC P-256, 127.0.0.1)"
echo "   machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $SPOKES; do
    start_spokes "$RW_WORK/spokes$n.ready" "$n"
    hub_tree "$RW_WORK/hub$n" "$RW_WORK/spokes$n.ready"
    start_emu "$RW_WORK/hub$n.ready" "$RW_WORK/hub$n" 1
    hub_port=$(sed 's/.*://' "$RW_WORK/hub$n.ready")
    cmd=("$RW_BIN_DIR/check_hubspoke" -H 127.0.0.1 -p "$hub_port" --cacert "$CA" -t 30)
    "${cmd[@]}" >"$RW_WORK/out$n" 2>&1
    head -n 1 "$RW_WORK/out$n" | cut -c1-60
    # Not OK: the line that says why (the first line only counts the spokes).
    head -n 1 "$RW_WORK/out$n" | grep -q ' OK - ' ||
        grep -m 1 -iE 'error|too |cannot|limit|memory' "$RW_WORK/out$n" | cut -c1-160
    report check_hubspoke "$n" "check_hubspoke, $n spoke(s)" "${cmd[@]}"
    if [[ -x $PLUGINS/check_http ]]; then
        # The peer way: a check_http -S per spoke, one after the other (above 100 spokes,
        # EACH_RUNS times, default once: 1000 spokes take a minute a run).
        sed 's/.*://' "$RW_WORK/spokes$n.ready" >"$RW_WORK/ports$n"
        runs=$RUNS
        ((n <= 100)) || runs=${EACH_RUNS:-1}
        # shellcheck disable=SC2016 # bash -c's script expands its own arguments
        REPORT_RUNS=$runs report check_http_each "$n" "$n x check_http -S, one per spoke" bash -c '
            while read -r p; do "$1" -H 127.0.0.1 -p "$p" -S -u /redfish/v1/ >/dev/null; done <"$2"' \
            each "$PLUGINS/check_http" "$RW_WORK/ports$n"
    fi
done

echo
echo "== check_spoke_cert beside check_http -S -C 30, check_curl -S -C 30 and check_ssl_cert (same server)"
start_emu "$RW_WORK/certsrv.ready" "$ROOT/tests/data/hub" 1
port=$(sed 's/.*://' "$RW_WORK/certsrv.ready")
ours=("$RW_BIN_DIR/check_spoke_cert" -H 127.0.0.1 -p "$port" --hub 127.0.0.1 --hub-port "$port"
    --cacert "$CA")
"${ours[@]}" | head -n 1 | cut -c1-80
report check_spoke_cert 1 "check_spoke_cert (2 handshakes)" "${ours[@]}"
if [[ -x $PLUGINS/check_http ]]; then
    theirs=("$PLUGINS/check_http" -H 127.0.0.1 -p "$port" -S -C 30)
    "${theirs[@]}" | head -n 1 | cut -c1-80
    report check_http_cert 1 "check_http -S -C 30 (1 handshake)" "${theirs[@]}"
else
    echo "check_http not installed (monitoring-plugins-basic): skipped"
fi
if [[ -x $PLUGINS/check_curl ]]; then
    curlck=("$PLUGINS/check_curl" -H 127.0.0.1 -p "$port" -S -C 30)
    "${curlck[@]}" | head -n 1 | cut -c1-80
    report check_curl_cert 1 "check_curl -S -C 30 (1 handshake)" "${curlck[@]}"
else
    echo "check_curl not installed (monitoring-plugins-standard): skipped"
fi
# check_ssl_cert is a shell script that also requires bc and host (bind9-host).
policy=$(apt-cache policy monitoring-plugins-contrib 2>/dev/null)
if [[ (! -x $PLUGINS/check_ssl_cert || -z $(command -v host) || -z $(command -v bc)) &&
    $policy == *"Candidate: "[0-9]* ]]; then
    echo "installing monitoring-plugins-contrib bc bind9-host for check_ssl_cert"
    apt-get install -y --no-install-recommends monitoring-plugins-contrib bc bind9-host \
        >/dev/null 2>&1 || echo "apt-get install failed"
fi
if [[ -x $PLUGINS/check_ssl_cert ]]; then
    ssl=("$PLUGINS/check_ssl_cert" -H 127.0.0.1 -p "$port" -r "$CA" -w 30 -c 14 --ignore-ocsp
        --ignore-sct)
    "${ssl[@]}" | head -n 1 | cut -c1-80
    report check_ssl_cert 1 "check_ssl_cert" "${ssl[@]}"
else
    echo "check_ssl_cert not available: skipped"
fi
printf '%s\n' "${RESULTS[@]}"
