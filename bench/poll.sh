#!/usr/bin/env bash
# Cost of `rackwatch poll` over N rack PDUs (N = 10, 100, 1000 by default), each on its own
# 127.0.0.1 port over HTTPS, next to the curl CLI fetching the very same URLs and a sample of
# 20 fetched by Debian's redfishtool (a process per request).  A benchmark that prints
# figures, never a test.
#
# Usage: bench/poll.sh [BUILD_DIR] [REPEATS] [N...]     (defaults: build/release, 3, 10 100 1000)
#
# The devices: one nginx (private configuration in a temporary folder, stopped at the end)
# listening on N loopback ports and serving tests/data/pdu as static files, the service root
# and every resource as DIR/index.json, without authentication.  (rackwatch-emu takes at most
# 8 --listen per process and a thread per connection: 1000 PDUs would take 125 of them.)
# Static files cannot answer $expand, so the endpoints say `expand: false` and rackwatch asks
# exactly the 20 URLs per PDU that curl is given: a request is a Redfish resource here.
#
# rackwatch: `poll --rounds 3 --json >/dev/null`; round 1 is cold (TCP + TLS handshakes),
# rounds 2 and 3 are warm (kept-alive connections); the figures are the ones it prints per
# round on stderr (wall, CPU per request, peak RSS so far), and the peak RSS of the whole
# process (rounds and the JSON document) from getrusage.  MAX_IN_FLIGHT=K in the
# environment sets max_in_flight (default: the configuration's default, 2); SYSTEM_BUNDLE=1
# verifies with the system's CA bundle plus the test CA (a site's usual ca_file) instead of
# the test CA alone.
# COMPARE=0 in the environment skips curl and redfishtool (rackwatch alone, for profiling).
# FLOOR=1 also runs rackwatch-poll-floor (bench/poll_floor.c, built beside rackwatch) on the
# same nginx, URLs and CA after each rackwatch run: libcurl multi + json-c and nothing else,
# one request in flight per PDU, 3 rounds; its rows are the least the same work costs.
# FLOOR_ARGS passes options to it (-u: validate UTF-8 as rackwatch does, -H: rackwatch's
# request headers, -m K: PDUs per multi handle; see bench/poll_floor.c).  INSN=1 adds the
# user-space instructions per warm request of rackwatch and, with FLOOR=1, of the floor:
# callgrind of 3 rounds minus 1 round, halved (load-proof; perf has no hardware counters in
# this VM), with a 3600 s timeout so that nothing times out under valgrind.  Slow: minutes
# per repeat at 100 PDUs, most of an hour at 1000.
# curl: `curl --parallel --parallel-max P --http1.1` over the N x 20 URLs in one process,
# P = min(2N, 300) (rackwatch keeps 2 requests per PDU in flight; curl caps P at 300); with
# more than 100 PDUs also one process per 100 PDUs, all at once, P = 300 / processes each.
# CPU and peak RSS from getrusage of the children.  Each figure is the median of REPEATS
# runs; the 1-minute load average before each run is printed beside it (2 cores shared
# with other builds here).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD=${1:-$ROOT/build/release}
REPEATS=${2:-3}
shift $(($# < 2 ? $# : 2))
NS=("$@")
[[ ${#NS[@]} -gt 0 ]] || NS=(10 100 1000)
RESOURCES=20
NGINX_WORKERS=${NGINX_WORKERS:-2}

export RW_SOURCE_DIR="$ROOT" RW_BIN_DIR="$BUILD/bin" RW_TEST_TMP="${TMPDIR:-/tmp}"
. "$ROOT/tests/integration/lib.sh"

RACKWATCH=$RW_BIN_DIR/rackwatch
[[ -x $RACKWATCH ]] || { echo "build first: $RACKWATCH is missing" >&2; exit 1; }
[[ ${FLOOR:-0} == 0 || -x $RW_BIN_DIR/rackwatch-poll-floor ]] ||
    { echo "build first: $RW_BIN_DIR/rackwatch-poll-floor is missing" >&2; exit 1; }
[[ ${INSN:-0} == 0 ]] || command -v valgrind >/dev/null ||
    { echo "INSN=1 needs valgrind (apt-get install valgrind)" >&2; exit 1; }
[[ -x /usr/sbin/nginx ]] || { echo "bench/poll.sh needs nginx (apt-get install nginx)" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench/poll.sh needs curl" >&2; exit 1; }
MAX_N=$(printf '%s\n' "${NS[@]}" | sort -n | tail -n 1)
if [[ $(ulimit -n) -lt $((MAX_N * 6 + 100)) ]]; then
    ulimit -n $((MAX_N * 6 + 100)) 2>/dev/null ||
        { echo "open files limit $(ulimit -n) is too low for $MAX_N PDUs" >&2; exit 1; }
fi

rw_make_ca "$RW_WORK/ca" &&
    rw_make_cert "$RW_WORK/ca" srv localhost "DNS:localhost,IP:127.0.0.1" -1 30 || exit 1
CA=$RW_WORK/ca/ca.crt
CA_FILE=$CA
if [[ -n ${SYSTEM_BUNDLE:-} ]]; then
    CA_FILE=$RW_WORK/bundle.pem
    cat /etc/ssl/certs/ca-certificates.crt "$CA" >"$CA_FILE" || exit 1
fi

# The mockup as nginx serves it: /redfish/v1/X is www/redfish/v1/X/index.json.
mkdir -p "$RW_WORK/www/redfish" "$RW_WORK/nginx"
chmod 755 "$RW_WORK" "$RW_WORK/www" "$RW_WORK/www/redfish" # nginx's workers may run as nobody
ln -s "$ROOT/tests/data/pdu" "$RW_WORK/www/redfish/v1"
mapfile -t PATHS < <(cd "$ROOT/tests/data/pdu" &&
    { echo /redfish/v1/; find PowerEquipment -name index.json -printf '/redfish/v1/%h\n'; } | sort)
[[ ${#PATHS[@]} -eq $RESOURCES ]] || { echo "expected $RESOURCES resources, found ${#PATHS[@]}" >&2; exit 1; }
printf '%s\n' "${PATHS[@]}" >"$RW_WORK/paths.txt"

# MAX_N ports that were free a moment ago, all bound at once so that they differ.
mapfile -t PORTS < <(python3 -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
for s in socks:
    print(s.getsockname()[1])' "$MAX_N")

N_DIR=$RW_WORK/nginx
{
    cat <<CONF
worker_processes $NGINX_WORKERS;
worker_rlimit_nofile $((MAX_N * 4 + 100));
pid $N_DIR/nginx.pid;
error_log $N_DIR/error.log;
events { worker_connections $((MAX_N * 4 + 100)); }
http {
    access_log off;
    client_body_temp_path $N_DIR/body;
    proxy_temp_path $N_DIR/proxy;
    fastcgi_temp_path $N_DIR/fastcgi;
    uwsgi_temp_path $N_DIR/uwsgi;
    scgi_temp_path $N_DIR/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    server {
        ssl_certificate $RW_WORK/ca/srv.crt;
        ssl_certificate_key $RW_WORK/ca/srv.key;
        root $RW_WORK/www;
        default_type application/json;
        location / { try_files \$uri/index.json =404; }
CONF
    for port in "${PORTS[@]}"; do
        printf '        listen 127.0.0.1:%s ssl;\n' "$port"
    done
    printf '    }\n}\n'
} >"$N_DIR/nginx.conf"
rw_spawn "$N_DIR/stdout.log" /usr/sbin/nginx -p "$N_DIR" -e "$N_DIR/error.log" \
    -c "$N_DIR/nginx.conf" -g 'daemon off;'
rw_wait_port "${PORTS[0]}" 20 && rw_wait_port "${PORTS[$((MAX_N - 1))]}" 20 ||
    { cat "$N_DIR/error.log" >&2; exit 1; }
got=$(curl -sS --cacert "$CA" "https://127.0.0.1:${PORTS[0]}/redfish/v1/PowerEquipment/RackPDUs/1")
[[ $got == *PowerDistribution* ]] || { echo "nginx does not serve the mockup: $got" >&2; exit 1; }

# config N: the rackwatch configuration for the first N ports.
config() {
    local n=$1 i
    printf 'defaults:\n  ca_file: %s\n  expand: false\n  timeout: 30\n' "$CA_FILE"
    [[ -z ${MAX_IN_FLIGHT:-} ]] || printf '  max_in_flight: %s\n' "$MAX_IN_FLIGHT"
    printf 'endpoints:\n'
    for ((i = 0; i < n; i++)); do
        printf '  - name: pdu-%04d\n    url: https://127.0.0.1:%s\n    kind: pdu\n' "$i" "${PORTS[$i]}"
    done
}

# curl_urls FROM TO: curl's config file for the URLs of PDUs FROM to TO-1, resource by
# resource across the PDUs (every service root, then every PowerEquipment...): curl keeps
# no limit per host, and in this order its transfers spread over the hosts and reuse the
# connections they opened, as rackwatch does; PDU by PDU, curl would open a connection (a
# TLS handshake) for nearly every URL.
curl_urls() {
    local i p
    for p in "${PATHS[@]}"; do
        for ((i = $1; i < $2; i++)); do
            printf 'url = "https://127.0.0.1:%s%s"\noutput = "/dev/null"\n' "${PORTS[$i]}" "$p"
        done
    done
}

# rusage CMD...: runs CMD; prints "wall_s cpu_s maxrss_kb exit" of the child.
rusage() {
    python3 -c '
import os, resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %.3f %d %d" % (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, rc))' "$@"
}

load1() {
    cut -d' ' -f1 /proc/loadavg
}

# median: the median of the numbers on stdin.
median() {
    sort -g | awk '{v[NR] = $1} END {if (NR == 0) {print "-"} else if (NR % 2) {print v[(NR + 1) / 2]} else {printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}}'
}

# row LABEL N WALL CPU_US RSS_KB FAILED LOAD: one line of the table.
row() {
    printf '%-6s %-30s %8s %11s %8.1f %8s %6s\n' "$2" "$1" "$3" "$4" "$(echo "$5 / 1024" | bc -l)" \
        "$6" "$7"
}

# col FILE K: the median of column K of FILE.
col() {
    awk -v k="$2" '{print $k}' "$1" | median
}

# curl_run N PROCS: fetches the N PDUs' URLs with PROCS curl processes at once; appends
# "wall cpu_s rss_kb rc load" to $RW_WORK/curl-N-PROCS.txt.
curl_run() {
    local n=$1 procs=$2 per par k load
    per=$(((n + procs - 1) / procs))
    par=$((per * 2 < 300 / procs ? per * 2 : 300 / procs))
    for ((k = 0; k < procs; k++)); do
        curl_urls $((k * per)) $(((k + 1) * per < n ? (k + 1) * per : n)) >"$RW_WORK/curl-$k.cfg"
    done
    load=$(load1)
    read -r wall cpu rss rc < <(rusage bash -c '
        for ((k = 0; k < $1; k++)); do
            curl -sS --no-progress-meter --parallel --parallel-max "$2" --http1.1 --cacert "$3" \
                -K "$4/curl-$k.cfg" &
        done
        rc=0
        for ((k = 0; k < $1; k++)); do wait -n || rc=1; done
        exit $rc' curls "$procs" "$par" "$CA_FILE" "$RW_WORK" 2>>"$RW_WORK/curl.err")
    echo "$wall $cpu $rss $rc $load $par" >>"$RW_WORK/curl-$n-$procs.txt"
}

# floor_run N: rackwatch-poll-floor over the first N PDUs, 3 rounds; appends
# "round failed requests wall cpu_us insn rss_kb load" per round to $RW_WORK/floor-N.txt.
floor_run() {
    local n=$1 load
    load=$(load1)
    # shellcheck disable=SC2086 # FLOOR_ARGS is a list of options
    "$RW_BIN_DIR/rackwatch-poll-floor" -r 3 ${FLOOR_ARGS:-} -c "$CA_FILE" \
        "$RW_WORK/bases-$n.txt" "$RW_WORK/paths.txt" 2>>"$RW_WORK/floor.err" |
        sed -n "s/^floor round \([0-9]*\): \([0-9]*\) requests (\([0-9]*\) failed), \([0-9.]*\) s wall, \([0-9.]*\) us CPU per request, \([0-9-]*\) instructions per request, peak RSS \([0-9]*\) KB/\1 \3 \2 \4 \5 \6 \7 $load/p" \
            >>"$RW_WORK/floor-$n.txt"
}

# insn ROUNDS CMD...: user-space instructions of CMD (with ROUNDS in place of @R@) under
# callgrind (this machine has no hardware counters for perf; callgrind is load-proof).
insn() {
    local rounds=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "${@//@R@/$rounds}" \
        >/dev/null 2>"$RW_WORK/vg.txt"
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$RW_WORK/vg.txt"
}

# insn_warm N CMD...: instructions per warm request of CMD over N PDUs: (3 rounds - 1
# round) / (2 rounds x requests).
insn_warm() {
    local n=$1 one three
    shift
    one=$(insn 1 "$@")
    three=$(insn 3 "$@")
    [[ -n $one && -n $three ]] || { echo "-"; return; }
    echo "$(((three - one) / (2 * n * RESOURCES)))"
}

# insn_run N: appends "rackwatch_insn floor_insn load" per warm request to insn-N.txt.
insn_run() {
    local n=$1 load rw fl=-
    load=$(load1)
    sed 's/^  timeout: 30$/  timeout: 3600/' "$RW_WORK/poll-$n.yaml" >"$RW_WORK/insn-$n.yaml"
    rw=$(insn_warm "$n" "$RACKWATCH" poll --config "$RW_WORK/insn-$n.yaml" --rounds @R@ \
        --budget 3600 --json)
    if [[ ${FLOOR:-0} != 0 ]]; then
        # shellcheck disable=SC2086 # FLOOR_ARGS is a list of options
        fl=$(insn_warm "$n" "$RW_BIN_DIR/rackwatch-poll-floor" -r @R@ ${FLOOR_ARGS:-} \
            -c "$CA_FILE" "$RW_WORK/bases-$n.txt" "$RW_WORK/paths.txt")
    fi
    echo "$rw $fl $load" >>"$RW_WORK/insn-$n.txt"
}

printf 'rackwatch poll against nginx (%s workers), %d resources per PDU, HTTPS (P-256), ' \
    "$NGINX_WORKERS" "$RESOURCES"
printf '%d repeats, %s cores, max_in_flight %s, ca_file %s certificates\n' "$REPEATS" "$(nproc)" \
    "${MAX_IN_FLIGHT:-2}" "$(grep -c 'BEGIN CERTIFICATE' "$CA_FILE")"
printf '%-6s %-30s %8s %11s %8s %8s %6s\n' PDUs run "wall s" "CPU us/res" "RSS MB" failed load
for n in "${NS[@]}"; do
    config "$n" >"$RW_WORK/poll-$n.yaml"
    : >"$RW_WORK/rw-$n.txt"
    : >"$RW_WORK/rwproc-$n.txt"
    curls=(1)
    [[ $n -le 100 ]] || curls+=($(((n + 99) / 100)))
    [[ ${COMPARE:-1} != 0 ]] || curls=()
    for procs in "${curls[@]}"; do
        : >"$RW_WORK/curl-$n-$procs.txt"
    done
    : >"$RW_WORK/floor-$n.txt"
    : >"$RW_WORK/insn-$n.txt"
    printf 'https://127.0.0.1:%s\n' "${PORTS[@]:0:$n}" >"$RW_WORK/bases-$n.txt"
    for ((r = 0; r < REPEATS; r++)); do
        load=$(load1)
        read -r wall cpu rss rc < <(rusage "$RACKWATCH" poll --config "$RW_WORK/poll-$n.yaml" \
            --rounds 3 --json 2>"$RW_WORK/rw.err")
        echo "$wall $cpu $rss $rc $load" >>"$RW_WORK/rwproc-$n.txt"
        # "round K: N endpoints (F failed), R requests, W s wall, C us CPU per request, peak RSS M KB"
        sed -n "s/^round \([0-9]*\): [0-9]* endpoints (\([0-9]*\) failed), \([0-9]*\) requests, \([0-9.]*\) s wall, \([0-9.]*\) us CPU per request, peak RSS \([0-9]*\) KB/\1 \2 \3 \4 \5 \6 $load/p" \
            "$RW_WORK/rw.err" >>"$RW_WORK/rw-$n.txt"
        grep -v '^round ' "$RW_WORK/rw.err" | head -n 3 >&2
        [[ ${FLOOR:-0} == 0 ]] || floor_run "$n"
        [[ ${INSN:-0} == 0 ]] || insn_run "$n"
        for procs in "${curls[@]}"; do
            curl_run "$n" "$procs"
        done
    done
    for round in 1 2 3; do
        awk -v r="$round" '$1 == r' "$RW_WORK/rw-$n.txt" >"$RW_WORK/round.txt"
        requests=$(col "$RW_WORK/round.txt" 3)
        [[ $requests == "$((n * RESOURCES))" ]] ||
            echo "  (round $round: $requests requests, expected $((n * RESOURCES)))" >&2
        row "rackwatch round $round ($([[ $round == 1 ]] && echo cold || echo warm))" "$n" \
            "$(col "$RW_WORK/round.txt" 4)" "$(col "$RW_WORK/round.txt" 5)" \
            "$(col "$RW_WORK/round.txt" 6)" "$(col "$RW_WORK/round.txt" 2)" \
            "$(col "$RW_WORK/round.txt" 7)"
    done
    if [[ ${INSN:-0} != 0 ]]; then
        printf '%-6s %-30s %s, floor %s (callgrind)\n' "$n" "warm insn/request: rackwatch" \
            "$(col "$RW_WORK/insn-$n.txt" 1)" "$(col "$RW_WORK/insn-$n.txt" 2)"
    fi
    f=$RW_WORK/rwproc-$n.txt
    row "rackwatch process, 3 rounds" "$n" "$(col "$f" 1)" \
        "$(awk -v k=$((n * RESOURCES * 3)) '{printf "%.1f\n", $2 * 1e6 / k}' "$f" | median)" \
        "$(col "$f" 3)" "$(awk '$4 != 0' "$f" | wc -l)/$REPEATS" "$(col "$f" 5)"
    for round in 1 2 3; do
        [[ ${FLOOR:-0} != 0 ]] || break
        awk -v r="$round" '$1 == r' "$RW_WORK/floor-$n.txt" >"$RW_WORK/round.txt"
        row "floor round $round ($([[ $round == 1 ]] && echo cold || echo warm))" "$n" \
            "$(col "$RW_WORK/round.txt" 4)" "$(col "$RW_WORK/round.txt" 5)" \
            "$(col "$RW_WORK/round.txt" 7)" "$(col "$RW_WORK/round.txt" 2)" \
            "$(col "$RW_WORK/round.txt" 8)"
        [[ $(awk '$6 != "-"' "$RW_WORK/round.txt" | wc -l) -eq 0 ]] ||
            printf '%-6s %-30s %s\n' "$n" "  floor insn/request" "$(col "$RW_WORK/round.txt" 6)"
    done
    for procs in "${curls[@]}"; do
        f=$RW_WORK/curl-$n-$procs.txt
        row "curl x$procs --parallel-max $(col "$f" 6)" "$n" "$(col "$f" 1)" \
            "$(awk -v k=$((n * RESOURCES)) '{printf "%.1f\n", $2 * 1e6 / k}' "$f" | median)" \
            "$(col "$f" 3)" "$(awk '$4 != 0' "$f" | wc -l)/$REPEATS" "$(col "$f" 5)"
    done
done

# redfishtool: a process per request, 20 requests (one PDU's resources), one at a time.
if [[ ${COMPARE:-1} == 0 ]]; then
    :
elif command -v redfishtool >/dev/null; then
    : >"$RW_WORK/rft.txt"
    for ((r = 0; r < REPEATS; r++)); do
        printf '%s\n' "${PATHS[@]}" >"$RW_WORK/rft-paths"
        load=$(load1)
        read -r wall cpu rss rc < <(rusage bash -c '
            while read -r p; do
                redfishtool -r "127.0.0.1:$1" -S Always -A None raw GET "$p" >/dev/null || exit 1
            done <"$2"' rft "${PORTS[0]}" "$RW_WORK/rft-paths")
        echo "$wall $cpu $rss $rc $load" >>"$RW_WORK/rft.txt"
    done
    f=$RW_WORK/rft.txt
    row "redfishtool x $RESOURCES, one by one" 1 "$(col "$f" 1)" \
        "$(awk -v k=$RESOURCES '{printf "%.1f\n", $2 * 1e6 / k}' "$f" | median)" "$(col "$f" 3)" \
        "$(awk '$4 != 0' "$f" | wc -l)/$REPEATS" "$(col "$f" 5)"
    printf '       (redfishtool: %s ms wall per resource)\n' \
        "$(awk -v k=$RESOURCES '{printf "%.0f\n", $1 * 1000 / k}' "$f" | median)"
else
    echo "redfishtool not installed (apt-get install redfishtool): no sample"
fi
echo "Medians over the repeats.  CPU us/res: CPU time (user + system) / resources fetched;"
echo "rackwatch rounds: the round's own CPU and the peak RSS so far; process: everything."
