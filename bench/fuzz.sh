#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz/fuzz_*.c) for SECONDS each and prints a table:
# target, runs, corpus size, crashes.  Builds the clang fuzz build first (-DRACKWATCH_FUZZ=ON)
# and seeds each corpus from the project's mockups and tests (and DMTF's public mockups in
# ../shared/redfish-mockups when that folder is there).  Corpora grow across runs; a crash,
# leak, timeout or OOM is kept as an artifact and named in the table's last column.
# A benchmark, not a test: it exits 0 whatever the fuzzers find (1 only when it cannot run).
# Usage: bench/fuzz.sh [SECONDS] [BUILD_DIR]   (defaults: 60, build/fuzz-clang; RW_FUZZ_BUILD
# also names the build folder, RW_FUZZ_ONLY=name,name runs some targets only)
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_EACH=${1:-60}
BUILD=${2:-${RW_FUZZ_BUILD:-$ROOT/build/fuzz-clang}}
MOCKUPS=${RW_MOCKUPS_DIR:-$ROOT/../shared/redfish-mockups}
WORK="$BUILD/fuzz"
SEP=$'\n=====\n' # FUZZ_SEP in tests/fuzz/fuzz_input.h

[[ $SECONDS_EACH =~ ^[0-9]+$ && $SECONDS_EACH -gt 0 ]] ||
    { echo "usage: bench/fuzz.sh [SECONDS] [BUILD_DIR]" >&2; exit 1; }
command -v clang >/dev/null ||
    { echo "clang is missing: apt-get install -y clang (libclang-rt comes with it)" >&2; exit 1; }

# --- build ---------------------------------------------------------------------------------
build() {
    if [[ -f $BUILD/CMakeCache.txt ]] && ! grep -q '^CMAKE_C_COMPILER_ID:.*Clang\|^CMAKE_C_COMPILER:.*clang' \
        "$BUILD/CMakeCache.txt"; then
        echo "$BUILD was configured with another compiler; name another BUILD_DIR" >&2
        return 1
    fi
    CC=clang cmake -S "$ROOT" -B "$BUILD" -DRACKWATCH_FUZZ=ON -DRACKWATCH_WERROR=ON \
        -DCMAKE_BUILD_TYPE=Debug >"$WORK.cmake.log" 2>&1 ||
        { cat "$WORK.cmake.log" >&2; return 1; }
    local targets=()
    for src in "$ROOT"/tests/fuzz/fuzz_*.c; do
        targets+=("$(basename "$src" .c)")
    done
    cmake --build "$BUILD" -j2 --target "${targets[@]}" >"$WORK.build.log" 2>&1 ||
        { tail -n 30 "$WORK.build.log" >&2; return 1; }
}

# --- seeds ---------------------------------------------------------------------------------
# seed DIR NAME TEXT: one seed file (printf %s, so TEXT may hold any bytes but NUL).
seed() {
    printf '%s' "$3" >"$1/seed-$2"
}

# Copies up to LIMIT files matching a find expression into DIR, named by their path.
seed_files() {
    local dir=$1 limit=$2 from=$3
    shift 3
    [[ -d $from ]] || return 0
    find "$from" -type f "$@" 2>/dev/null | sort | head -n "$limit" | while read -r f; do
        cp "$f" "$dir/seed-$(echo "${f#"$from"/}" | tr '/' '_')"
    done
}

seed_json() {
    seed_files "$1" 400 "$ROOT/tests/data" -name '*.json'
    seed_files "$1" 400 "$MOCKUPS" -name '*.json' -size -64k
}

seed_config() {
    seed_files "$1" 50 "$ROOT/tests/data/config" -name '*.yaml'
    seed_files "$1" 5 "$ROOT/config" -name '*.yaml*'
    local f
    for f in "$1"/seed-*; do # the first byte picks the flags: 0 public, 1 private
        [[ -f $f ]] || continue
        { printf '1'; cat "$f"; } >"$f.priv"
        { printf '0'; cat "$f"; } >"$f.tmp" && mv "$f.tmp" "$f"
    done
}

seed_range() {
    local i=0 r
    for r in 10 10: '~:10' 10:20 @10:20 @~:0 -5:-1 0.5:1e3 :10 1e15 -0.0001 '20:10' ':' \
        '10:20:30' abc '' '@' '~' 1e400 nan 0x10 ' 10' '@-1.5:+2.25'; do
        seed "$1" "$((i++))" "$r"
    done
    seed "$1" all $'10\n10:\n~:10\n@10:20\n-1:1'
}

seed_version() {
    local i=0 v
    # an option byte (bash strings hold no NUL), then lines: hub, spoke, rule, minimum, then hub/spoke spec pairs
    for v in $'A3.1.2\n3.1.2\nexact\n\n' $'Bv3.1\n3.1.0\nsame-minor\n3.0\n' \
        $'C3.2.0\n3.1.4\nsame-major\n\n3.1-3.4\n3.1\n' $'D3.1.2-rc1\n3.1.2\nany\n3.1.2-rc2\n*\n*\n' \
        $'E 2.4.0.1234 \n2.4\nlisted\n\n2.4\n2.4.0.1234\n3.1-3.2\n3.1.2-rc10\n' \
        $'Fbogus\n1..2\nminimum 3.1\n\n' $'G3.1\n3.1.7-rc.1-a\nminimum 3.1.7-rc\n\n3.1.7-rc1\n3\n'; do
        seed "$1" "$((i++))" "$v"
    done
}

seed_known_spokes() {
    local fp=AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89
    seed "$1" 0 "# spokes
spoke1.example.net:443 sha256:$fp
127.0.0.1:8443 sha256:${fp//:/}

[::1]:443 SHA256:${fp,,}
  # indented comment
[fd00::10]:9443 sha256:$fp
"
    seed "$1" 1 "[0::1]:443 sha256:$fp"
    seed "$1" 2 "host:0 sha256:$fp"
    seed "$1" 3 "host sha256:$fp"
}

seed_http() {
    # first byte: base (byte % 3) and status ((byte >> 2) % 6: 200 201 204 302 401 503);
    # then header lines, an empty line, the body
    seed "$1" login $'\x06HTTP/1.1 201 Created\r\nX-Auth-Token: 0123456789abcdef\r\nLocation: /redfish/v1/SessionService/Sessions/1\r\n\r\n{"@odata.id": "/redfish/v1/SessionService/Sessions/1"}'
    seed "$1" absolute $'\x01HTTP/1.1 200 OK\r\nx-auth-token: t\r\nlocation: http://[::1]:8000/redfish/v1/SessionService/Sessions/2?x=1\r\n\r\n'
    seed "$1" other $'\x05HTTP/1.1 201 Created\r\nX-Auth-Token:  AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\r\nLocation: https://127.0.0.2/redfish/v1/SessionService/Sessions/3\r\n\r\n'
    seed "$1" retry $'\x15HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\n\r\n{"error": {"code": "Base.1.8.ServiceTemporarilyUnavailable", "message": "busy", "@Message.ExtendedInfo": [{"MessageId": "Base.1.8.ServiceTemporarilyUnavailable", "Message": "Retry in 30 seconds", "MessageArgs": ["30"]}]}}'
    seed "$1" date $'\x15HTTP/1.1 503 Service Unavailable\r\nRetry-After: Wed, 21 Oct 2026 07:28:00 GMT\r\n\r\n'
    seed "$1" limit $'\x12HTTP/1.1 401 Unauthorized\r\nRetry-After: 99999\r\n\r\n{"error": {"code": "Base.1.8.SessionLimitExceeded", "message": "too many"}}'
    seed "$1" body $'\x06HTTP/1.1 201 Created\r\nX-Auth-Token: tok\r\n\r\n{"@odata.id": "//evil/x"}'
}

seed_snapshot() {
    local ep='{"name": "pdu-a1", "url": "https://127.0.0.1:8443", "kind": "pdu", "ok": true, "error": null, "polled_at": "2026-11-23T19:20:00Z", "duration_ms": 12, "requests": 9'
    local pdu='{"id": "1", "manufacturer": "Contoso", "model": "P1", "serial": "S1", "firmware": "1.2", "health": "OK", "power_w": 1200.5, "energy_kwh": 42, "temperature_c": null, "inlets": [{"id": "AC1", "voltage_v": 230, "current_a": 5.25, "power_w": 1200, "energy_kwh": 42, "frequency_hz": 50, "health": "OK", "rated_current_a": 32, "poly_phase": {"voltage_v": {"L1N": 230}, "current_a": {"L1": 5}, "power_w": {"L1N": 400}}}], "branches": [{"id": "A", "current_a": 2, "power_w": 400, "breaker_state": "Normal", "health": "OK", "rated_current_a": 16}], "outlets": [{"id": "A1", "name": "Outlet A1", "power_state": "On", "voltage_v": 230, "current_a": 0.5, "power_w": 100, "energy_kwh": 1, "health": "OK", "rated_current_a": 10}]}'
    local srv='{"id": "1", "manufacturer": "Contoso", "model": "S", "serial": "X", "power_state": "On", "health": "Warning", "power_w": 250, "inlet_temp_c": 21.5, "conditions": ["Fan 2 is degraded"]}'
    seed "$1" full "{\"endpoints\": [$ep, \"pdus\": [$pdu], \"servers\": []}, {\"name\": \"srv\", \"url\": \"http://[::1]:80\", \"kind\": \"server\", \"ok\": false, \"error\": \"HTTP 503\", \"polled_at\": null, \"duration_ms\": null, \"requests\": null, \"pdus\": [], \"servers\": [$srv]}]}"
    seed "$1" empty '{"endpoints": []}'
    seed "$1" time $'2026-11-23T19:20:00.125+02:00\n'
}

seed_hubspoke() {
    local hub=$ROOT/tests/data/hub f body='' i=0
    # option byte, then the hub's own documents in the order a reader and a lister ask
    for f in index.json Managers/index.json Managers/1/index.json \
        AggregationService/AggregationSources/index.json; do
        [[ -f $hub/$f ]] && body+="$(cat "$hub/$f")$SEP"
    done
    seed "$1" hub $'\x13'"$body"
    seed "$1" expanded '@'"{\"Members\": [{\"@odata.id\": \"/redfish/v1/AggregationService/AggregationSources/1\", \"HostName\": \"https://127.0.0.1:8443\", \"Name\": \"s1\", \"Status\": {\"Health\": \"OK\", \"State\": \"Enabled\"}}], \"Members@odata.nextLink\": \"/redfish/v1/AggregationService/AggregationSources?page=2\"}$SEP{\"Members\": [{\"@odata.id\": \"/x/2\", \"HostName\": \"[::1]:9443\"}]}"
    seed "$1" fail $'\x02\x04refused'"$SEP"$'\x01forbidden'
    for f in "$ROOT"/tests/data/json/*.json; do
        seed "$1" "json$((i++))" $'\x01'"$(cat "$f")"
    done
}

seed_h1() {
    # option byte (bit 0 HEAD, bit 1 small cap, bits 2-4 piece size, bits 5-7 stop), cap
    # byte, then the reply; FUZZ_SEP marks where the feeds are cut
    local n=$'\r\n' json='{"@odata.id": "/redfish/v1"}'
    local ok="HTTP/1.1 200 OK$n"
    seed "$1" cl $'\x04\x40'"${ok}Content-Type: application/json${n}Content-Len${SEP}gth: 28$n$n$json"
    seed "$1" cl-bytes $'\x08\x40'"${ok}Content-Length: 28${n}Connection: keep-alive$n$n${json}HTTP/1.1"
    seed "$1" chunked $'\x0c\x40'"${ok}Transfer-Encoding: chunked$n${n}1c;ext=1$n$json"$'\r'"$SEP"$'\n'"0${n}X-Trailer: t$n$n"
    seed "$1" chunks $'\x14\x40'"${ok}transfer-encoding: Chunked$n${n}A${n}0123456789${n}2 "$'\n{}\n0\n\n'
    seed "$1" continue $'\x04\x40'"HTTP/1.1 100 Continue${n}X-Ignored: 1$n$n$SEP${ok}Content-Length: 2$n$n{}"
    seed "$1" close $'\x1c\x40'"HTTP/1.0 200 OK${n}Server: bmc${n}Connection: Keep-Alive$n$n$json$SEP$json"
    seed "$1" head $'\x05\x40'"${ok}Content-Length: 28$n$n"
    seed "$1" no-content $'\x04\x40'"HTTP/1.1 204 No Content${n}Content-Length: 9$n$n"
    seed "$1" small-cap $'\x06\xf0'"${ok}X-Auth-Token: 0123456789abcdef0123456789abcdef${n}Content-Length: 2$n$n{}"
    seed "$1" stop $'\xc4\x40'"${ok}X-A: 1${n}X-B: 2$n$n"
    seed "$1" stop-body $'\xa4\x40'"${ok}Transfer-Encoding: chunked$n${n}2$n{}${n}0$n$n"
    seed "$1" conflict $'\x04\x40'"${ok}Content-Length: 2, 2${n}Content-Length: 3$n$n{}"
    seed "$1" fold $'\x08\x40'"${ok}X-A: 1$n  folded$n$n"
    seed "$1" garbage $'\x08\x40'"<html>not http</html>$n"
    seed "$1" version $'\x04\x40'"HTTP/2 200$n$n"
}

make_seeds() {
    local t=$1 dir=$2
    mkdir -p "$dir"
    case $t in
    fuzz_rf_map) seed_json "$dir" && seed_snapshot "$dir" ;;
    fuzz_rw_config) seed_config "$dir" ;;
    fuzz_rw_range) seed_range "$dir" ;;
    fuzz_rw_version) seed_version "$dir" ;;
    fuzz_rw_known_spokes) seed_known_spokes "$dir" ;;
    fuzz_rf_http) seed_http "$dir" ;;
    fuzz_rf_snapshot) seed_snapshot "$dir" ;;
    fuzz_rw_hubspoke) seed_hubspoke "$dir" ;;
    fuzz_rf_h1) seed_h1 "$dir" ;;
    *) seed_json "$dir" ;; # a new target starts from the JSON documents
    esac
}

# --- run -----------------------------------------------------------------------------------
# run_one NAME: runs the target, prints its table row.
run_one() {
    local t=$1 bin="$BUILD/tests/fuzz/$1" corpus="$WORK/corpus/$1" art="$WORK/artifacts/$1/"
    local log="$WORK/$1.log" runs crashes found
    mkdir -p "$corpus" "$art"
    make_seeds "$t" "$corpus"
    "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$art" "$corpus" >"$log" 2>&1
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    found=$(find "$art" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
        -o -name 'oom-*' \) -newer "$log.start" 2>/dev/null)
    crashes=$(printf '%s' "$found" | grep -c . || true)
    printf '%-22s %12s %8s %8s  %s\n' "$t" "${runs:-?}" "$(find "$corpus" -type f | wc -l)" \
        "$crashes" "$(printf '%s' "$found" | head -n 1 | sed "s|^$ROOT/||")"
}

mkdir -p "$WORK"
build || exit 1
echo "fuzz build: $BUILD; $SECONDS_EACH s per target; corpora in $WORK/corpus"
printf '%-22s %12s %8s %8s  %s\n' target runs corpus crashes artifact
for src in "$ROOT"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    if [[ -n ${RW_FUZZ_ONLY:-} && ",$RW_FUZZ_ONLY," != *",$name,"* ]]; then
        continue
    fi
    touch "$WORK/$name.log.start"
    run_one "$name"
done
