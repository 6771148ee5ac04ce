# Helpers for the rackwatch register tests (register.sh); sourced after lib.sh.  Hub and
# spokes are rackwatch-emu over HTTPS on 127.0.0.1 (port 0, or a checked free port when a
# spoke must come back on the same one), or a small python3 fake hub for the hub behaviours
# the emulator has no flag for (204, 202 with a task monitor, a Critical member).
# Certificates are made here, per test.

EMU="$RW_BIN_DIR/rackwatch-emu"
HUBDATA="$RW_SOURCE_DIR/tests/data/hub"
# RW_REGISTER_BIN: a rackwatch program with the register command, when the one built is
# not it yet.
RACKWATCH="${RW_REGISTER_BIN:-$RW_BIN_DIR/rackwatch}"
SRC_PATH=/redfish/v1/AggregationService/AggregationSources
[[ -x $EMU ]] || rw_skip "rackwatch-emu not built"
[[ -x $RACKWATCH ]] || rw_skip "rackwatch not built"
"$RACKWATCH" register --help >/dev/null 2>&1 || rw_skip "rackwatch has no register command"
command -v openssl >/dev/null || rw_skip "openssl not installed"
command -v curl >/dev/null || rw_skip "curl not installed"

# The passwords: every output, log and file of the test is searched for them at the end.
HUBPASS="hub-Pa55-$$-secret"
SPOKEPASS="spoke-Pa55-$$-secret"
umask 077

# make_pki: $PKI/ca.crt and leaves hub, spoke, spoke2 (a renewal) for localhost/127.0.0.1.
make_pki() {
    PKI=$RW_WORK/pki
    local san="DNS:localhost,IP:127.0.0.1,IP:::1" c
    rw_make_ca "$PKI" || { echo "cannot make the test CA" >&2; exit 1; }
    for c in hub spoke spoke2 spokehub; do
        rw_make_cert "$PKI" "$c" localhost "$san" -1 300 ||
            { echo "cannot make certificate $c" >&2; exit 1; }
    done
    CA=$PKI/ca.crt
    printf '%s\n' "$HUBPASS" >"$RW_WORK/hub.pass"
    printf '%s\n' "$SPOKEPASS" >"$RW_WORK/spoke.pass"
    chmod 600 "$RW_WORK/hub.pass" "$RW_WORK/spoke.pass"
}

# fingerprint CERT: "sha256:AB:CD:..." of $PKI/CERT.crt.
fingerprint() {
    printf 'sha256:%s\n' "$(openssl x509 -in "$PKI/$1.crt" -noout -fingerprint -sha256 |
        sed 's/.*=//')"
}

# wait_ready FILE PID NAME: waits for a ready file, prints HOST:PORT.
wait_ready() {
    local ready=$1 pid=$2 name=$3 i
    for ((i = 0; i < 200; i++)); do
        [[ -s $ready ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    [[ -s $ready ]] || { cat "$RW_WORK/$name.log" >&2; echo "$name did not start" >&2; exit 1; }
    head -n 1 "$ready"
}

# emu VAR CERT USER PASSFILE [emu options...]: rackwatch-emu over HTTPS with $PKI/CERT,
# serving $MOCKUP (default the hub tree), access log $RW_WORK/VAR.access; sets ${VAR}_PORT.
# LISTEN_HOST (default 127.0.0.1; "[::1]" for IPv6) and LISTEN_PORT (default 0) pick
# the address.
emu() {
    local var=$1 cert=$2 user=$3 passfile=$4 ready="$RW_WORK/$1.ready" addr
    shift 4
    rm -f "$ready"
    rw_spawn "$RW_WORK/$var.log" "$EMU" --mockup "${MOCKUP:-$HUBDATA}" \
        --listen "${LISTEN_HOST:-127.0.0.1}:${LISTEN_PORT:-0}" --tls-cert "$PKI/$cert.crt" \
        --tls-key "$PKI/$cert.key" --ready-file "$ready" --user "$user" \
        --password-file "$passfile" --access-log "$RW_WORK/$var.access" "$@"
    printf -v "${var}_PID" '%s' "$RW_LAST_PID"
    addr=$(wait_ready "$ready" "$RW_LAST_PID" "$var") || exit 1
    printf -v "${var}_PORT" '%s' "${addr##*:}"
}

# start_pair [spoke emu options...]: the hub (emulator, firmware 3.2.0) and one spoke
# (emulator serving the hub tree too, firmware 3.2.0 unless the options say otherwise).
start_pair() {
    emu HUB hub admin "$RW_WORK/hub.pass"
    emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass" --firmware-version 3.2.0 "$@"
}

# write_config [HUB_FINGERPRINT|-] [extra policy lines...]: $CONFIG for hub and spoke-east
# (at HUB_HOST and SPOKE_HOST, default 127.0.0.1), and spoke-west when SPOKE2_PORT is set.
# "-" (or nothing) leaves hub.fingerprint out.
write_config() {
    local fp=${1:--} line
    shift || true
    CONFIG=$RW_WORK/rackwatch.yaml
    KNOWN=$RW_WORK/known_spokes
    {
        printf 'defaults:\n  timeout: 5\n  ca_file: %s\n' "$CA"
        printf 'credentials:\n  hubadmin:\n    username: admin\n    password_file: %s\n' \
            "$RW_WORK/hub.pass"
        printf '  spokeadmin:\n    username: spokeadmin\n    password_file: %s\n' \
            "$RW_WORK/spoke.pass"
        printf 'hub:\n  name: hub-1\n  url: https://%s:%s\n  credentials: hubadmin\n' \
            "${HUB_HOST:-127.0.0.1}" "$HUB_PORT"
        [[ $fp == - ]] || printf '  fingerprint: %s\n' "$fp"
        printf 'spokes:\n  - name: spoke-east\n    url: https://%s:%s\n' \
            "${SPOKE_HOST:-127.0.0.1}" "$SPOKE_PORT"
        printf '    credentials: spokeadmin\n'
        if [[ -n ${SPOKE2_PORT:-} ]]; then
            printf '  - name: spoke-west\n    url: https://127.0.0.1:%s\n' "$SPOKE2_PORT"
            printf '    credentials: spokeadmin\n'
        fi
        printf 'policy:\n  product: "Rack Power Manager"\n  version:\n    rule: exact\n'
        printf '  certificates:\n    rule: registered\n    known_spokes: %s\n' "$KNOWN"
        for line in "$@"; do
            printf '  %s\n' "$line"
        done
    } >"$CONFIG"
    chmod 600 "$CONFIG"
}

# reg NAME WANT_RC PATTERN [ARGS...]: rackwatch register --config $CONFIG ARGS (stdin not
# a terminal); passes when it exits WANT_RC and its whole output matches PATTERN.
reg() {
    local name=$1 want=$2 pattern=$3
    shift 3
    rw_run "$RACKWATCH" register --config "$CONFIG" "$@" </dev/null
    {
        printf '%s\n' "$RW_OUT"
        printf '%s\n' "$RW_ERR"
    } >>"$RW_WORK/outputs"
    if [[ $RW_RC -ne $want ]]; then
        rw_fail "$name: want exit $want"
    elif ! matches "$pattern"; then
        rw_fail "$name: output does not match /$pattern/"
    else
        rw_pass "$name"
    fi
}

# matches PATTERN: the last run's stdout and stderr match the Python regular expression
# PATTERN, '.' spanning lines and '^'/'$' at each line.
matches() {
    printf '%s\n%s\n' "$RW_OUT" "$RW_ERR" | python3 -c 'import re, sys
sys.exit(0 if re.search(sys.argv[1], sys.stdin.read(), re.S | re.M) else 1)' "$1"
}

# out_has NAME PATTERN: as matches, counted as a test.
out_has() {
    if matches "$2"; then
        rw_pass "$1"
    else
        rw_fail "$1: output does not match /$2/"
    fi
}

# hub_get PATH: the hub's document at PATH into $RW_WORK/body (Basic auth, the test CA).
hub_get() {
    curl -sS --cacert "$CA" -u "admin:$HUBPASS" -o "$RW_WORK/body" \
        "https://127.0.0.1:$HUB_PORT$1"
}

# json_check NAME EXPR FILE: python3 expression over the JSON document d of FILE.
json_check() {
    local name=$1 expr=$2 file=$3
    if python3 -c 'import json, sys
d = json.load(open(sys.argv[2]))
sys.exit(0 if eval(sys.argv[1]) else 1)' "$expr" "$file" 2>/dev/null; then
        rw_pass "$name"
    else
        rw_fail "$name: $expr"
        cat "$file"
    fi
}

# posts VAR: how many POSTs to AggregationSources the access log of VAR shows.
posts() {
    grep -c "POST $SRC_PATH" "$RW_WORK/$1.access" 2>/dev/null || true
}

# no_password: neither password in any output, log or file of the test but the password
# files and the emulators' command lines.
no_password() {
    local hits
    hits=$(grep -rlF -e "$HUBPASS" -e "$SPOKEPASS" "$RW_WORK" 2>/dev/null |
        grep -v -e '/hub.pass$' -e '/spoke.pass$')
    if [[ -z $hits ]]; then
        rw_pass "no password in any output, log or file"
    else
        rw_fail "a password was written to: $hits"
    fi
}

# spoke_hub_tree DIR: a copy of the hub mockup whose AggregationSources has one member, for
# a spoke that is itself a hub.
spoke_hub_tree() {
    local dir=$1 src="$1/AggregationService/AggregationSources"
    cp -r "$HUBDATA" "$dir"
    mkdir -p "$src/1"
    printf '{"@odata.id": "%s/1", "Id": "1", "Name": "old", "HostName": "https://10.9.9.9", "Status": {"State": "Enabled", "Health": "OK"}}\n' \
        "$SRC_PATH" >"$src/1/index.json"
    printf '{"@odata.id": "%s", "Name": "Aggregation Source Collection", "Members@odata.count": 1, "Members": [{"@odata.id": "%s/1"}]}\n' \
        "$SRC_PATH" "$SRC_PATH" >"$src/index.json"
}

# conn_method_tree DIR: a copy of the hub mockup whose AggregationService lists one
# ConnectionMethod.
conn_method_tree() {
    local dir=$1 cm="$1/AggregationService/ConnectionMethods"
    cp -r "$HUBDATA" "$dir"
    mkdir -p "$cm/rpm"
    printf '{"@odata.id": "/redfish/v1/AggregationService/ConnectionMethods/rpm", "Id": "rpm", "Name": "Rack Power Manager", "ConnectionMethodType": "Redfish"}\n' \
        >"$cm/rpm/index.json"
    printf '{"@odata.id": "/redfish/v1/AggregationService/ConnectionMethods", "Name": "Connection Methods", "Members@odata.count": 1, "Members": [{"@odata.id": "/redfish/v1/AggregationService/ConnectionMethods/rpm"}]}\n' \
        >"$cm/index.json"
    python3 -c 'import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["ConnectionMethods"] = {"@odata.id": "/redfish/v1/AggregationService/ConnectionMethods"}
json.dump(d, open(p, "w"))' "$dir/AggregationService/index.json"
}

# fake_hub MODE: a python3 hub over HTTPS ($PKI/hub) for what the emulator cannot play:
#   204       POST answers 204 with Location only
#   202       POST answers 202 with a task monitor, which answers 202 twice, then 201
#   202task   ... then 200 with the Task (Completed), no Location: the member is looked up
#   202fail   ... then 200 with the Task in Exception
#   critical  the new member reports Health Critical with a Condition message
# Sessions and Basic auth as admin / $HUBPASS.  Sets HUB_PORT; requests go to
# $RW_WORK/HUB.access ("METHOD PATH"), POST bodies' keys and HostName to $RW_WORK/posted.
fake_hub() {
    cat >"$RW_WORK/fakehub.py" <<'PY'
import base64, json, ssl, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, cert, key, passfile, ready, access, posted = sys.argv[1:8]
password = open(passfile).read().rstrip("\n")
SRC = "/redfish/v1/AggregationService/AggregationSources"
MON = "/redfish/v1/TaskService/TaskMonitors/1"
state = {"members": {}, "looks": 0}
lock = threading.Lock()
DOCS = {
    "/redfish/v1/": {"@odata.id": "/redfish/v1/", "RedfishVersion": "1.17.0",
                     "Product": "Rack Power Manager", "Vendor": "Rackwatch",
                     "Managers": {"@odata.id": "/redfish/v1/Managers"},
                     "AggregationService": {"@odata.id": "/redfish/v1/AggregationService"}},
    "/redfish/v1/Managers": {"@odata.id": "/redfish/v1/Managers",
                             "Members": [{"@odata.id": "/redfish/v1/Managers/1"}]},
    "/redfish/v1/Managers/1": {"@odata.id": "/redfish/v1/Managers/1", "Id": "1",
                               "FirmwareVersion": "3.2.0"},
    "/redfish/v1/AggregationService": {"@odata.id": "/redfish/v1/AggregationService",
                                       "AggregationSources": {"@odata.id": SRC}},
}

class Hub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, doc=None, headers=()):
        body = json.dumps(doc).encode() if doc is not None else b""
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if doc is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        if self.headers.get("X-Auth-Token") == "tok-1":
            return True
        want = base64.b64encode(("admin:" + password).encode()).decode()
        return self.headers.get("Authorization") == "Basic " + want

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}")

    def handle_one(self, method):
        path = self.path.rstrip("/") if self.path != "/redfish/v1/" else self.path
        with open(access, "a") as f:
            f.write("%s %s\n" % (method, path))
        if method == "POST" and path == "/redfish/v1/SessionService/Sessions":
            d = self.body()
            if d.get("UserName") == "admin" and d.get("Password") == password:
                return self.send(201, {"Id": "1"}, [("X-Auth-Token", "tok-1"),
                                 ("Location", "/redfish/v1/SessionService/Sessions/1")])
            return self.send(401, {"error": {"message": "bad login"}})
        if path == "/redfish/v1" or path == "/redfish/v1/":
            return self.send(200, DOCS["/redfish/v1/"])
        if not self.authorized():
            return self.send(401, {"error": {"message": "no"}})
        if method == "DELETE" and path.startswith("/redfish/v1/SessionService/Sessions/"):
            return self.send(204)
        with lock:
            return self.route(method, path)

    def route(self, method, path):
        members = state["members"]
        if method == "POST" and path == SRC:
            return self.post(self.body())
        if method == "GET" and path == MON:
            return self.monitor()
        if method == "GET" and path == SRC:
            return self.send(200, {"@odata.id": SRC, "Members@odata.count": len(members),
                                   "Members": [{"@odata.id": p} for p in members]})
        if method == "GET" and path in members:
            return self.send(200, members[path])
        if method == "DELETE" and path in members:
            del members[path]
            return self.send(204)
        if method == "GET" and path in DOCS:
            return self.send(200, DOCS[path])
        return self.send(404, {"error": {"message": "not found"}})

    def post(self, d):
        with open(posted, "a") as f:
            f.write("%s %s\n" % (",".join(sorted(d)), d.get("HostName")))
        path = SRC + "/1"
        member = {"@odata.id": path, "Id": "1", "HostName": d.get("HostName"),
                  "UserName": d.get("UserName"), "Password": None,
                  "Status": {"State": "Enabled", "Health": "OK"}}
        if mode == "critical":
            member["Status"] = {"State": "Enabled", "Health": "Critical", "Conditions": [
                {"Message": "The spoke refused the hub's certificate", "Severity": "Critical"}]}
        state["members"][path] = member
        if mode == "204":
            return self.send(204, None, [("Location", path)])
        if mode.startswith("202"):
            return self.send(202, None, [("Location", MON)])
        return self.send(201, member, [("Location", path)])

    def monitor(self):
        state["looks"] += 1
        if state["looks"] <= 2:
            return self.send(202, {"@odata.id": MON, "TaskState": "Running"}, [("Location", MON)])
        path = SRC + "/1"
        if mode == "202task":
            return self.send(200, {"@odata.id": "/redfish/v1/TaskService/Tasks/1",
                                   "TaskState": "Completed", "TaskStatus": "OK"})
        if mode == "202fail":
            del state["members"][path]
            return self.send(200, {"@odata.id": "/redfish/v1/TaskService/Tasks/1",
                                   "TaskState": "Exception", "TaskStatus": "Critical",
                                   "Messages": [{"Message": "The spoke did not answer"}]})
        return self.send(201, state["members"][path], [("Location", path)])

    def do_GET(self):
        self.handle_one("GET")

    def do_POST(self):
        self.handle_one("POST")

    def do_DELETE(self):
        self.handle_one("DELETE")

    def do_PATCH(self):
        self.handle_one("PATCH")

srv = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(ready + ".tmp", "w") as f:
    f.write("127.0.0.1:%d\n" % srv.server_address[1])
import os
os.rename(ready + ".tmp", ready)
srv.serve_forever()
PY
    local ready="$RW_WORK/HUB.ready" addr
    rm -f "$ready"
    rw_spawn "$RW_WORK/HUB.log" python3 "$RW_WORK/fakehub.py" "$1" "$PKI/hub.crt" \
        "$PKI/hub.key" "$RW_WORK/hub.pass" "$ready" "$RW_WORK/HUB.access" "$RW_WORK/posted"
    addr=$(wait_ready "$ready" "$RW_LAST_PID" HUB) || exit 1
    HUB_PORT=${addr##*:}
}
