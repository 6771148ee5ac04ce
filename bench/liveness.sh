#!/usr/bin/env bash
# Median run time of check_spoke_liveness next to Debian's check_http -S and, when installed
# (monitoring-plugins-standard), check_curl -S -D (which verifies the certificate, as ours
# does), measured side by side against the same local openssl s_server (127.0.0.1 only).
# A benchmark, not a test.  The last line, "RESULT liveness key=value ...", is for
# bench/report.sh (milliseconds; check_curl's are "-" when it is missing).
# Usage: bench/liveness.sh [RUNS] [BUILD_DIR]     (defaults: 50, build/release)
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS=${1:-50}
BUILD=${2:-$ROOT/build/release}
CHECK_HTTP=/usr/lib/nagios/plugins/check_http
CHECK_CURL=/usr/lib/nagios/plugins/check_curl

export RW_SOURCE_DIR="$ROOT" RW_BIN_DIR="$BUILD/bin" RW_TEST_TMP="${TMPDIR:-/tmp}"
. "$ROOT/tests/integration/lib.sh"

PLUGIN="$RW_BIN_DIR/check_spoke_liveness"
[[ -x $PLUGIN ]] || { echo "build first: $PLUGIN is missing" >&2; exit 1; }
[[ -x $CHECK_HTTP ]] || { echo "$CHECK_HTTP missing: apt-get install monitoring-plugins-basic" >&2; exit 1; }

rw_make_ca "$RW_WORK/ca" &&
    rw_make_cert "$RW_WORK/ca" srv localhost "DNS:localhost,IP:127.0.0.1" -1 30 || exit 1
mkdir -p "$RW_WORK/www/redfish/v1"
echo '{"@odata.id": "/redfish/v1/"}' >"$RW_WORK/www/redfish/v1/index.json"
PORT=$(rw_free_port)
(cd "$RW_WORK/www" && exec openssl s_server -accept "127.0.0.1:$PORT" -WWW -quiet \
    -cert "$RW_WORK/ca/srv.crt" -key "$RW_WORK/ca/srv.key") >/dev/null 2>&1 &
RW_PIDS+=("$!")
rw_wait_port "$PORT" 10 || exit 1

URL=/redfish/v1/index.json
ours=("$PLUGIN" -H 127.0.0.1 -p "$PORT" -u "$URL" --cacert "$RW_WORK/ca/ca.crt")
theirs=("$CHECK_HTTP" -H 127.0.0.1 -p "$PORT" -S -u "$URL")
curlck=()
[[ -x $CHECK_CURL ]] &&
    curlck=("$CHECK_CURL" -H 127.0.0.1 -p "$PORT" -S -D --ca-cert "$RW_WORK/ca/ca.crt" -u "$URL")

echo "server: openssl s_server -WWW on 127.0.0.1:$PORT (EC P-256), $RUNS runs each, alternating"
echo "ours:   ${ours[*]}"
echo "theirs: ${theirs[*]}  (check_http does not verify the certificate)"
[[ ${#curlck[@]} -eq 0 ]] || echo "curl:   ${curlck[*]}"
"${ours[@]}" | head -n 1
"${theirs[@]}" | head -n 1
[[ ${#curlck[@]} -eq 0 ]] || "${curlck[@]}" | head -n 1

if command -v hyperfine >/dev/null; then
    hyperfine -N -w 3 -r "$RUNS" "${ours[*]}" "${theirs[*]}" ${curlck:+"${curlck[*]}"}
    exit 0
fi

# ms CMD...: one run's wall time in milliseconds (three decimals).
ms() {
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    echo "$(((t1 - t0) / 1000))" | awk '{ printf "%.3f\n", $1 / 1000 }'
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
                                         else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

: >"$RW_WORK/ours" && : >"$RW_WORK/theirs" && : >"$RW_WORK/ours0" && : >"$RW_WORK/theirs0"
: >"$RW_WORK/curl" && : >"$RW_WORK/curl0"
for ((i = 0; i < 3; i++)); do # warm-up
    "${ours[@]}" >/dev/null 2>&1
    "${theirs[@]}" >/dev/null 2>&1
    [[ ${#curlck[@]} -eq 0 ]] || "${curlck[@]}" >/dev/null 2>&1
done
for ((i = 0; i < RUNS; i++)); do # alternate so both see the same machine load
    ms "${ours[@]}" >>"$RW_WORK/ours"
    ms "${theirs[@]}" >>"$RW_WORK/theirs"
    # process start alone (libraries loaded, no network): where the difference comes from
    ms "$PLUGIN" --version >>"$RW_WORK/ours0"
    ms "$CHECK_HTTP" -V >>"$RW_WORK/theirs0"
    if [[ ${#curlck[@]} -gt 0 ]]; then
        ms "${curlck[@]}" >>"$RW_WORK/curl"
        ms "$CHECK_CURL" -V >>"$RW_WORK/curl0"
    fi
done
printf 'median wall time over %d runs: check_spoke_liveness %s ms, check_http -S %s ms\n' \
    "$RUNS" "$(median <"$RW_WORK/ours")" "$(median <"$RW_WORK/theirs")"
printf 'median start-up alone (--version / -V):      check_spoke_liveness %s ms, check_http %s ms\n' \
    "$(median <"$RW_WORK/ours0")" "$(median <"$RW_WORK/theirs0")"
if [[ ${#curlck[@]} -gt 0 ]]; then
    printf 'check_curl -S -D: median wall %s ms, start-up alone (-V) %s ms, shared libraries %d\n' \
        "$(median <"$RW_WORK/curl")" "$(median <"$RW_WORK/curl0")" "$(ldd "$CHECK_CURL" | wc -l)"
fi
printf 'shared libraries loaded: check_spoke_liveness %d, check_http %d\n' \
    "$(ldd "$PLUGIN" | wc -l)" "$(ldd "$CHECK_HTTP" | wc -l)"
printf 'RESULT liveness runs=%d ours_ms=%s check_http_ms=%s check_curl_ms=%s ours_start_ms=%s check_http_start_ms=%s check_curl_start_ms=%s\n' \
    "$RUNS" "$(median <"$RW_WORK/ours")" "$(median <"$RW_WORK/theirs")" \
    "$([[ -s $RW_WORK/curl ]] && median <"$RW_WORK/curl" || echo -)" \
    "$(median <"$RW_WORK/ours0")" "$(median <"$RW_WORK/theirs0")" \
    "$([[ -s $RW_WORK/curl0 ]] && median <"$RW_WORK/curl0" || echo -)"
