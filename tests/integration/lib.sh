# Shared helpers for the integration tests (bash).  Source it first:
#   . "$(dirname "$0")/lib.sh"
# Every server a test starts goes through rw_spawn, so rw_cleanup (on EXIT) stops it.
# Tests bind loopback only.  Exit 77 means "skipped" to ctest.
set -uo pipefail

: "${RW_BIN_DIR:?run through ctest (RW_BIN_DIR unset)}"
: "${RW_SOURCE_DIR:?run through ctest}"
: "${RW_TEST_TMP:=/tmp}"

RW_PIDS=()
RW_FAILS=0
RW_PASSES=0
RW_WORK=$(mktemp -d "$RW_TEST_TMP/$(basename "$0" .sh).XXXXXX")

rw_cleanup() {
    local pid live=()
    # Only our own children that are still running: a reaped PID may belong to a stranger
    # by now (pid_max wraps quickly when servers spawn threads).
    for pid in "${RW_PIDS[@]}"; do
        if [[ $(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f2) == "$$" ]]; then
            live+=("$pid")
        fi
    done
    for pid in "${live[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${live[@]}"; do
        wait "$pid" 2>/dev/null
    done
    rm -rf "$RW_WORK"
}
trap rw_cleanup EXIT

# rw_skip REASON: skip the whole test (ctest shows it as skipped).
rw_skip() {
    echo "SKIP: $*"
    exit 77
}

# rw_free_port: prints a TCP port on 127.0.0.1 that was free a moment ago (checked by
# binding it), for servers that cannot listen on port 0 and report the port themselves.
rw_free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# rw_free_udp_port: the same for UDP (snmpd, snmptrapd, --standalone): a port free for TCP
# says nothing of UDP, where a neighbour test's agent or trap receiver may sit.
rw_free_udp_port() {
    python3 -c 'import socket
s = socket.socket(type=socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# rw_wait_port PORT [SECONDS] [HOST]: waits until something accepts on HOST:PORT.
rw_wait_port() {
    local port=$1 limit=${2:-10} host=${3:-127.0.0.1} i
    for ((i = 0; i < limit * 20; i++)); do
        if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    echo "server on $host:$port did not start within ${limit}s" >&2
    return 1
}

# rw_spawn LOGFILE CMD...: starts CMD in the background, its output in LOGFILE; the pid is
# in RW_LAST_PID and is killed at exit.
rw_spawn() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
    RW_LAST_PID=$!
    RW_PIDS+=("$RW_LAST_PID")
}

# rw_hold_closed_port: RW_CLOSED_PORT, a port of 127.0.0.1 that refuses connections until
# rw_release_port: a process holds it bound without listening, so that no other test under
# ctest -j takes it meanwhile (a port merely found free was once taken by a neighbour's TLS
# server, and a spoke meant to be down answered with a stranger's certificate).  The
# holder is killed at exit.
declare -gA RW_PORT_HOLDERS=()
rw_hold_closed_port() {
    local file i
    file=$(mktemp "$RW_WORK/held-port.XXXXXX")
    rw_spawn "$file" python3 -c 'import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(3600)'
    for ((i = 0; i < 100; i++)); do
        [[ -s $file ]] && break
        sleep 0.05
    done
    RW_CLOSED_PORT=$(head -n 1 "$file")
    [[ $RW_CLOSED_PORT =~ ^[0-9]+$ ]] || { echo "cannot hold a closed port" >&2; exit 1; }
    RW_PORT_HOLDERS[$RW_CLOSED_PORT]=$RW_LAST_PID
}

# rw_release_port PORT: frees a port of rw_hold_closed_port, for the server that is to
# listen there next (started right after).
rw_release_port() {
    local pid=${RW_PORT_HOLDERS[$1]:-}
    [[ -n $pid ]] || return 0
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    unset "RW_PORT_HOLDERS[$1]"
}

# rw_run CMD...: runs CMD, keeping its exit code in RW_RC and its stdout in RW_OUT
# (stderr in RW_ERR).
rw_run() {
    RW_OUT=$("$@" 2>"$RW_WORK/stderr")
    RW_RC=$?
    RW_ERR=$(cat "$RW_WORK/stderr")
}

rw_pass() {
    RW_PASSES=$((RW_PASSES + 1))
    echo "ok - $*"
}

rw_fail() {
    RW_FAILS=$((RW_FAILS + 1))
    echo "FAIL - $*"
    echo "  exit: ${RW_RC:-?}"
    echo "  stdout: ${RW_OUT:-}"
    echo "  stderr: ${RW_ERR:-}"
}

# rw_expect NAME WANT_RC PATTERN CMD...: runs CMD; passes when it exits WANT_RC and its
# first stdout line matches the extended regex PATTERN.
rw_expect() {
    local name=$1 want_rc=$2 pattern=$3
    shift 3
    rw_run "$@"
    if [[ $RW_RC -ne $want_rc ]]; then
        rw_fail "$name: want exit $want_rc"
    elif ! head -n 1 <<<"$RW_OUT" | grep -Eq -- "$pattern"; then
        rw_fail "$name: first line does not match /$pattern/"
    else
        rw_pass "$name"
    fi
}

# rw_expect_output NAME PATTERN: the last rw_run's whole stdout+stderr matches PATTERN.
rw_expect_output() {
    local name=$1 pattern=$2
    if grep -Eq -- "$pattern" <<<"$RW_OUT$RW_ERR"; then
        rw_pass "$name"
    else
        rw_fail "$name: output does not match /$pattern/"
    fi
}

# rw_done: prints the tally in the plain "N passed, N failed" form and exits 0 or 1.
rw_done() {
    echo "$(basename "$0" .sh): $RW_PASSES passed, $RW_FAILS failed"
    [[ $RW_FAILS -eq 0 ]]
}

# Certificates: rw_make_ca, rw_make_cert (shared with scripts/demo.sh).
. "$(dirname "${BASH_SOURCE[0]}")/certs.sh"
