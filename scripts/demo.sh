#!/usr/bin/env bash
# The rackwatch tour on one machine, no hardware: builds, starts local servers on 127.0.0.1,
# runs the plugins against them and prints their Nagios output.  Everything it starts is
# stopped at the end.  Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh demo

build=build/release
echo "== building rackwatch into $build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >"$build/demo-build.log" 2>&1 ||
    { cat "$build/demo-build.log"; exit 1; }
bin=$PWD/$build/bin

work=$(mktemp -d /tmp/rackwatch-demo.XXXXXX)
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
wait_port() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "demo: server on port $1 did not start" >&2
    return 1
}
# show TITLE CMD...: prints the command as a user would type it, then its output and exit code.
show() {
    local title=$1 rc=0
    shift
    printf '\n-- %s\n$ %s\n' "$title" "${*/#$bin\//}"
    "$@" || rc=$?
    printf '(exit %d)\n' "$rc"
}

echo "== making a private CA and certificates in $work"
. tests/integration/certs.sh
rw_make_ca "$work/ca"
rw_make_cert "$work/ca" spoke localhost "DNS:localhost,IP:127.0.0.1" 0 365
rw_make_cert "$work/ca" stale localhost "DNS:localhost,IP:127.0.0.1" -30 -1

echo "== starting a healthy spoke and one with an expired certificate (openssl s_server)"
ok_port=$(free_port)
(cd "$work" && exec openssl s_server -quiet -WWW -accept "127.0.0.1:$ok_port" \
    -cert ca/spoke.crt -key ca/spoke.key) >/dev/null 2>&1 &
pids+=($!)
stale_port=$(free_port)
(cd "$work" && exec openssl s_server -quiet -WWW -accept "127.0.0.1:$stale_port" \
    -cert ca/stale.crt -key ca/stale.key) >/dev/null 2>&1 &
pids+=($!)
wait_port "$ok_port"
wait_port "$stale_port"
mkdir -p "$work/redfish/v1"
echo '{"@odata.id": "/redfish/v1/", "Product": "demo"}' >"$work/redfish/v1/index.json"
closed_port=$(free_port)

show "a spoke that answers HTTPS" \
    "$bin/check_spoke_liveness" -H localhost -p "$ok_port" --cacert "$work/ca/ca.crt" \
    -u /redfish/v1/index.json -w 0.5 -c 1
show "a spoke whose certificate expired" \
    "$bin/check_spoke_liveness" -H localhost -p "$stale_port" --cacert "$work/ca/ca.crt"
show "a spoke that is down" \
    "$bin/check_spoke_liveness" -H 127.0.0.1 -p "$closed_port" --cacert "$work/ca/ca.crt"
echo
echo "== demo done; all servers stopped"
