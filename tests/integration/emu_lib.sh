# Helpers shared by the emu_*.sh suites (bash).  Source it after lib.sh:
#   . "$(dirname "$0")/lib.sh"; . "$(dirname "$0")/emu_lib.sh"
# Every emulator starts on port 0 and reports its port through --ready-file, so no test
# guesses a port.

EMU=$RW_BIN_DIR/rackwatch-emu
EMU_DATA=$RW_SOURCE_DIR/tests/data
[[ -x $EMU ]] || { echo "no $EMU: build rackwatch-emu first" >&2; exit 1; }

# emu_tls: a CA and a server certificate for localhost, 127.0.0.1 and ::1 in $RW_WORK/ca.
emu_tls() {
    EMU_CA=$RW_WORK/ca
    rw_make_ca "$EMU_CA" &&
        rw_make_cert "$EMU_CA" server localhost "DNS:localhost,IP:127.0.0.1,IP:::1" -1 10 ||
        { echo "cannot make the test certificates" >&2; exit 1; }
    EMU_CACERT=$EMU_CA/ca.crt
}

# emu_start NAME [--tls] ARGS...: starts rackwatch-emu with ARGS plus one listener on
# 127.0.0.1:0, waits for its ready file and sets EMU_URL (and EMU_PID, EMU_LOG).
emu_start() {
    local name=$1 scheme=http i
    shift
    local args=()
    if [[ ${1:-} == --tls ]]; then
        shift
        scheme=https
        args+=(--tls-cert "$EMU_CA/server.crt" --tls-key "$EMU_CA/server.key")
    fi
    EMU_LOG=$RW_WORK/$name.log
    rm -f "$RW_WORK/$name.ready"
    rw_spawn "$EMU_LOG" "$EMU" --listen 127.0.0.1:0 --ready-file "$RW_WORK/$name.ready" \
        "${args[@]}" "$@"
    EMU_PID=$RW_LAST_PID
    EMU_STARTED+=("$EMU_PID:$name")
    for ((i = 0; i < 200; i++)); do
        [[ -s $RW_WORK/$name.ready ]] && break
        kill -0 "$EMU_PID" 2>/dev/null || break
        sleep 0.05
    done
    if [[ ! -s $RW_WORK/$name.ready ]]; then
        echo "rackwatch-emu $name did not start:" >&2
        cat "$EMU_LOG" >&2
        exit 1
    fi
    EMU_URL=$scheme://$(head -n 1 "$RW_WORK/$name.ready")
}

EMU_STARTED=()

# emu_reaped PID: drops PID from lib.sh's kill list once `wait` has reaped it: the kernel
# may hand the number to another process (threads use up PIDs fast here), and rw_cleanup
# must not signal a stranger.
emu_reaped() {
    local keep=() p
    for p in "${RW_PIDS[@]}"; do
        [[ $p == "$1" ]] || keep+=("$p")
    done
    RW_PIDS=("${keep[@]}")
}

# emu_done: stops every emulator emu_start started with SIGTERM; each must exit 0 with no
# sanitizer report in its log (the ASan build's leak check runs at exit); then rw_done.
emu_done() {
    local entry pid name rc
    for entry in "${EMU_STARTED[@]}"; do
        pid=${entry%%:*}
        name=${entry#*:}
        # Only a job still running is ours to signal: a reaped PID may be reused.
        jobs -pr | grep -qx "$pid" || continue
        kill -TERM "$pid"
        wait "$pid"
        rc=$?
        emu_reaped "$pid"
        if [[ $rc -ne 0 ]] || grep -Eq 'Sanitizer|runtime error' "$RW_WORK/$name.log"; then
            RW_RC=$rc RW_OUT=$(head -c 3000 "$RW_WORK/$name.log") RW_ERR="" \
                rw_fail "emulator $name: clean exit on SIGTERM"
        fi
    done
    rw_done
}

# emu_curl ARGS...: curl against the running emulator, verifying with the test CA.
emu_curl() {
    curl -sS --cacert "${EMU_CACERT:-/dev/null}" "$@"
}

# emu_json NAME PYTHON_EXPR FILE: passes when the Python expression is true of the JSON
# document in FILE (bound to `d`).
emu_json() {
    local name=$1 expr=$2 file=$3
    if python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$file" "$expr" 2>"$RW_WORK/py.err"; then
        rw_pass "$name"
    else
        RW_OUT=$(head -c 2000 "$file") RW_ERR=$(cat "$RW_WORK/py.err") rw_fail "$name: $expr"
    fi
}

# emu_status NAME WANT CURL_ARGS...: passes when the request answers HTTP status WANT;
# the body is left in $RW_WORK/body and the headers in $RW_WORK/headers.
emu_status() {
    local name=$1 want=$2 got
    shift 2
    got=$(emu_curl -o "$RW_WORK/body" -D "$RW_WORK/headers" -w '%{http_code}' "$@")
    if [[ $got == "$want" ]]; then
        rw_pass "$name"
    else
        RW_RC=$got RW_OUT=$(head -c 2000 "$RW_WORK/body") RW_ERR="" rw_fail "$name: want HTTP $want"
    fi
}

# emu_header NAME REGEX: passes when the last emu_status's headers match REGEX (case-blind).
emu_header() {
    if tr -d '\r' <"$RW_WORK/headers" | grep -Eiq -- "$2"; then
        rw_pass "$1"
    else
        RW_OUT=$(cat "$RW_WORK/headers") RW_ERR="" rw_fail "$1: headers do not match /$2/"
    fi
}

# emu_compare_tree NAME BASEURL DIR [SKIP...]: fetches every resource of the mockup DIR
# over one keep-alive connection and compares it, as JSON, with its file.  Each SKIP is
# "RELPATH:KEY", a property the emulator rewrites on purpose (RELPATH "" is the root).
# EMU_AUTH=user:password adds Basic credentials.
emu_compare_tree() {
    local name=$1 url=$2 dir=$3
    shift 3
    rw_run python3 -c "$EMU_COMPARE_PY" "$url" "$dir" "${EMU_CACERT:-}" "${EMU_AUTH:-}" "$@"
    if [[ $RW_RC -eq 0 ]]; then
        rw_pass "$name ($RW_OUT)"
    else
        rw_fail "$name"
    fi
}

EMU_COMPARE_PY='
import base64, http.client, json, os, ssl, sys, urllib.parse
url, top, cafile, auth = sys.argv[1:5]
skips = [s.split(":", 1) for s in sys.argv[5:]]
u = urllib.parse.urlsplit(url)
if u.scheme == "https":
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=ssl.create_default_context(cafile=cafile))
else:
    conn = http.client.HTTPConnection(u.hostname, u.port)
hdrs = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
n = bad = 0
for d, dirs, files in sorted(os.walk(top)):
    if "index.json" not in files:
        continue
    rel = os.path.relpath(d, top)
    rel = "" if rel == "." else rel
    path = "/redfish/v1" + ("/" + rel if rel else "")
    want = json.load(open(os.path.join(d, "index.json")))
    conn.request("GET", urllib.parse.quote(path), headers=hdrs)
    r = conn.getresponse()
    body = r.read()
    if r.status != 200 or r.getheader("OData-Version") != "4.0":
        print("%s: HTTP %d" % (path, r.status)); bad += 1; continue
    got = json.loads(body)
    for srel, key in skips:
        if srel == rel:
            got.pop(key, None); want.pop(key, None)
    # Some mockups count their members wrong; the emulator counts the Members it serves.
    if isinstance(want.get("Members"), list) and want.get("Members@odata.count") != len(want["Members"]):
        if got.get("Members@odata.count") != len(got.get("Members", [])):
            print("%s: Members@odata.count is not the count of Members" % path); bad += 1
        got.pop("Members@odata.count", None); want.pop("Members@odata.count", None)
    if got != want:
        print("%s: differs from %s" % (path, d)); bad += 1
    n += 1
print("%d resources compared, %d differ" % (n, bad))
sys.exit(1 if bad or n == 0 else 0)
'
