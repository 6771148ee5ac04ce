#!/usr/bin/env bash
# check_pdu's run time in state mode (--state, the daemon's snapshot) next to live mode
# (-H, one Redfish poll of rackwatch-emu over HTTPS), and next to Debian's check_http
# against a local plain-HTTP server: the cost floor of starting a plugin at all.
# Target: state mode within 1.5x of that floor.  check_curl (monitoring-plugins-standard),
# when installed, against the same plain-HTTP server: the libcurl-based floor.  127.0.0.1
# only.  A benchmark, not a test.  The last line, "RESULT pduplug key=value ..." (ms), is for
# bench/report.sh.
# Usage: bench/pduplug.sh [RUNS] [BUILD_DIR]     (defaults: 50, build/release)
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS=${1:-50}
BUILD=${2:-$ROOT/build/release}
CHECK_HTTP=/usr/lib/nagios/plugins/check_http
CHECK_CURL=/usr/lib/nagios/plugins/check_curl

export RW_SOURCE_DIR="$ROOT" RW_BIN_DIR="$BUILD/bin" RW_TEST_TMP="${TMPDIR:-/tmp}"
. "$ROOT/tests/integration/lib.sh"
. "$ROOT/tests/integration/emu_lib.sh"

PDU=$RW_BIN_DIR/check_pdu
[[ -x $PDU && -x $RW_BIN_DIR/rackwatch ]] || { echo "build first: $PDU or rackwatch missing" >&2; exit 1; }
[[ -x $CHECK_HTTP ]] || { echo "$CHECK_HTTP missing: apt-get install monitoring-plugins-basic" >&2; exit 1; }

emu_tls
printf 'username=monitor\npassword=s3cret\n' >"$RW_WORK/auth" && chmod 600 "$RW_WORK/auth"
printf 's3cret\n' >"$RW_WORK/pass" && chmod 600 "$RW_WORK/pass"
emu_start pdu --tls --mockup "$EMU_DATA/pdu" --user monitor --password s3cret
TLS_PORT=${EMU_URL##*:}
emu_start plain --mockup "$EMU_DATA/pdu"
HTTP_PORT=${EMU_URL##*:}

# The snapshot, written as the daemon writes it (rackwatch poll --json).
{
    printf 'defaults:\n  ca_file: %s\n' "$EMU_CACERT"
    printf 'credentials:\n  bmc:\n    username: monitor\n    password_file: %s\n' "$RW_WORK/pass"
    printf 'endpoints:\n  - name: pdu\n    url: https://127.0.0.1:%s\n    kind: pdu\n' "$TLS_PORT"
    printf '    credentials: bmc\n'
} >"$RW_WORK/rw.yaml"
"$RW_BIN_DIR/rackwatch" poll --json --config "$RW_WORK/rw.yaml" >"$RW_WORK/state.json" || exit 1

ARGS=(--metric outlet-current -w 8 -c 9)
state=("$PDU" --state "$RW_WORK/state.json" --endpoint pdu --max-age 86400 "${ARGS[@]}")
live=("$PDU" -H 127.0.0.1 -p "$TLS_PORT" --cacert "$EMU_CACERT" --authfile "$RW_WORK/auth" "${ARGS[@]}")
floor=("$CHECK_HTTP" -H 127.0.0.1 -p "$HTTP_PORT" -u /redfish/v1/)
curlfloor=(true)
[[ -x $CHECK_CURL ]] && curlfloor=("$CHECK_CURL" -H 127.0.0.1 -p "$HTTP_PORT" -u /redfish/v1/)

echo "emulator: tests/data/pdu on 127.0.0.1 (HTTPS $TLS_PORT, HTTP $HTTP_PORT); $RUNS runs each, alternating"
echo "state: ${state[*]}"
echo "live:  ${live[*]}"
echo "floor: ${floor[*]}"
"${state[@]}" | head -n 1
"${live[@]}" | head -n 1
"${floor[@]}" | head -n 1
[[ -x $CHECK_CURL ]] && "${curlfloor[@]}" | head -n 1

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

: >"$RW_WORK/state" && : >"$RW_WORK/live" && : >"$RW_WORK/floor" && : >"$RW_WORK/version"
: >"$RW_WORK/curlfloor"
for ((i = 0; i < 3; i++)); do # warm-up
    "${state[@]}" >/dev/null 2>&1
    "${live[@]}" >/dev/null 2>&1
    "${floor[@]}" >/dev/null 2>&1
done
for ((i = 0; i < RUNS; i++)); do # alternate so all see the same machine load
    ms "${state[@]}" >>"$RW_WORK/state"
    ms "${live[@]}" >>"$RW_WORK/live"
    ms "${floor[@]}" >>"$RW_WORK/floor"
    ms "$PDU" --version >>"$RW_WORK/version"
    [[ ! -x $CHECK_CURL ]] || ms "${curlfloor[@]}" >>"$RW_WORK/curlfloor"
done
s=$(median <"$RW_WORK/state")
l=$(median <"$RW_WORK/live")
f=$(median <"$RW_WORK/floor")
printf 'median wall time over %d runs:\n' "$RUNS"
printf '  check_pdu --state (snapshot %d bytes)  %8s ms\n' "$(wc -c <"$RW_WORK/state.json")" "$s"
printf '  check_pdu -H (live, HTTPS, session)    %8s ms\n' "$l"
printf '  check_http (plain HTTP, the floor)     %8s ms\n' "$f"
printf '  check_pdu --version (start-up alone)   %8s ms\n' "$(median <"$RW_WORK/version")"
c=-
if [[ -s $RW_WORK/curlfloor ]]; then
    c=$(median <"$RW_WORK/curlfloor")
    printf '  check_curl (plain HTTP)                %8s ms\n' "$c"
fi
awk -v s="$s" -v l="$l" -v f="$f" 'BEGIN { printf "state / floor = %.2fx (target <= 1.5x); live / state = %.1fx\n", s / f, l / s }'
printf 'shared libraries loaded: check_pdu %d, check_http %d\n' \
    "$(ldd "$PDU" | wc -l)" "$(ldd "$CHECK_HTTP" | wc -l)"
printf 'RESULT pduplug runs=%d state_ms=%s live_ms=%s check_http_ms=%s check_curl_ms=%s version_ms=%s\n' \
    "$RUNS" "$s" "$l" "$f" "$c" "$(median <"$RW_WORK/version")"
emu_done >/dev/null
