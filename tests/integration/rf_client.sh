#!/usr/bin/env bash
# The Redfish HTTP client (redfish/rf_client.h) through rf_fetch_cli against a small Python
# HTTPS Redfish server written below (sessions, 401, 503 + Retry-After, redirects, big,
# slow and odd replies), all on loopback with certificates made here.
#   rf_client.sh sessions|retry|redirect|caps|slow|tls|loop
. "$(dirname "$0")/lib.sh"
# In the sanitizer build a report must not pass for an expected "exit 1".
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=87:print_stacktrace=1

CLI=$RW_BIN_DIR/rf_fetch_cli
[[ -x $CLI ]] || rw_skip "rf_fetch_cli not built"
command -v openssl >/dev/null || rw_skip "openssl not installed"
command -v python3 >/dev/null || rw_skip "python3 not installed"
AREA=${1:?area}
CA=$RW_WORK/ca
SRV=$RW_WORK/rfsrv.py

cat >"$SRV" <<'PY'
# A tiny Redfish-ish HTTPS server for the client tests.  Every request is logged as one
# line "METHOD PATH port=<client port> token=<X-Auth-Token|-> auth=<Authorization|->
# ua=<every User-Agent, '|'-joined, or -> accept=<Accept|-> odata=<OData-Version|->".
import argparse, json, os, ssl, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import socket
from email.utils import formatdate

ap = argparse.ArgumentParser()
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--cert")
ap.add_argument("--key")
ap.add_argument("--portfile", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--login", default="201-rel")  # 201-rel 201-abs 204 200-odata no-token
ap.add_argument("--basic", action="store_true")
ap.add_argument("--max-sessions", type=int, default=100)
ap.add_argument("--busy", type=int, default=2)  # 503s before a /busy* path answers
ap.add_argument("--busy-login", type=int, default=0)  # 503s before logins work
ap.add_argument("--redirect-to", default="")
ap.add_argument("--gate", default="")  # FILE:COUNT for /slow
ap.add_argument("--hold-handshake", type=float, default=0)  # seconds before each TLS handshake
a = ap.parse_args()

lock = threading.Lock()
inflight = [0]
sessions = {}
counters = {}
next_id = [1]

def redfish_error(msg_id, msg, args=None):
    info = {"MessageId": msg_id, "Message": msg}
    if args is not None:
        info["MessageArgs"] = args
    return {"error": {"code": "Base.1.8.GeneralError", "message": "See ExtendedInfo",
                      "@Message.ExtendedInfo": [info]}}

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        if a.hold_handshake > 0:
            time.sleep(a.hold_handshake)
            self.request.do_handshake()
        super().setup()

    def log_message(self, *args):
        pass

    def record(self):
        line = "%s %s port=%d token=%s auth=%s ua=%s accept=%s odata=%s\n" % (
            self.command, self.path, self.client_address[1],
            self.headers.get("X-Auth-Token", "-"), self.headers.get("Authorization", "-"),
            "|".join(self.headers.get_all("User-Agent") or ["-"]),
            self.headers.get("Accept", "-"), self.headers.get("OData-Version", "-"))
        with lock:
            with open(a.log, "a") as f:
                f.write(line)

    def send(self, status, body=b"", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        if self.headers.get("Authorization") == "Basic dGVzdDpzZWNyZXQ=":  # test:secret
            return True
        tok = self.headers.get("X-Auth-Token")
        with lock:
            return tok is not None and tok in sessions.values()

    def do_POST(self):
        self.record()
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if self.path != "/redfish/v1/SessionService/Sessions":
            return self.send(405)
        try:
            doc = json.loads(body)
        except ValueError:
            return self.send(400, redfish_error("Base.1.8.MalformedJSON", "Malformed JSON."))
        if doc.get("UserName") != "test" or doc.get("Password") != "secret":
            return self.send(401, redfish_error("Base.1.8.NoValidSession",
                                                "There is no valid session established."))
        if self.path_busy("login"):
            return
        with lock:
            if len(sessions) >= a.max_sessions:
                return self.send(503, redfish_error("Base.1.8.SessionLimitExceeded",
                                                    "The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation."))
            sid = str(next_id[0])
            next_id[0] += 1
            tok = "tok-%s-%d" % (sid, os.getpid())
            sessions[sid] = tok
        uri = "/redfish/v1/SessionService/Sessions/" + sid
        hdrs = [("X-Auth-Token", tok)]
        if a.login == "no-token":
            hdrs = []
        if a.login == "201-rel":
            return self.send(201, {"@odata.id": uri, "Id": sid}, hdrs + [("Location", uri)])
        if a.login == "201-abs":
            host = "[%s]" % a.host if ":" in a.host else a.host
            loc = "https://%s:%d%s" % (host, self.server.server_address[1], uri)
            return self.send(201, b"", hdrs + [("Location", loc)])
        if a.login == "204":
            self.send_response(204)
            for k, v in hdrs + [("Location", uri)]:
                self.send_header(k, v)
            self.end_headers()
            return
        return self.send(200, {"@odata.id": uri, "Id": sid}, hdrs)

    def do_DELETE(self):
        self.record()
        if not self.authorized():
            return self.send(401)
        sid = self.path.rsplit("/", 1)[-1]
        with lock:
            if sessions.pop(sid, None) is None:
                return self.send(404)
        return self.send(204)

    def path_busy(self, key):
        with lock:
            counters[key] = counters.get(key, 0) + 1
            count = counters[key]
        if count > (a.busy_login if key == "login" else a.busy):
            return False
        if key == "login":
            self.send(503, b"", [("Retry-After", "1")])
        elif key.endswith("busy-date"):
            self.send(503, b"", [("Retry-After", formatdate(time.time() + 1, usegmt=True))])
        elif key.endswith("busy-msg"):
            self.send(503, redfish_error("Base.1.13.ServiceTemporarilyUnavailable",
                                         "The service is temporarily unavailable.  Retry in 1 seconds.",
                                         ["1"]))
        elif key.endswith("busy-long"):
            self.send(503, b"", [("Retry-After", "3000")])
        elif key.endswith("busy-none"):
            self.send(503, b"")
        elif key.endswith("busy-429"):
            self.send(429, b"", [("Retry-After", "0")])
        else:
            self.send(503, b"", [("Retry-After", "1")])
        return True

    def stream(self, total, chunked):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(total))
        self.end_headers()
        block = b"x" * 65536
        sent = 0
        try:
            while sent < total:
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
                else:
                    self.wfile.write(block)
                sent += len(block)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True
            with lock:
                with open(a.log, "a") as f:
                    f.write("ABORTED %s after %d\n" % (self.path, sent))

    def gate(self):
        path, count = a.gate.rsplit(":", 1)
        for _ in range(600):
            try:
                with open(path) as f:
                    if sum(1 for l in f if " /redfish/v1/fast" in l) >= int(count):
                        # a line is written when a request arrives: give its reply (on its
                        # way, or held by Nagle for the client's delayed ACK) time to land
                        time.sleep(0.3)
                        return
            except OSError:
                pass
            time.sleep(0.05)

    def do_GET(self):
        self.record()
        p = self.path
        if p.startswith("/redfish/v1/busy"):
            if self.path_busy(p):
                return
        if p == "/redfish/v1/" and not a.basic:
            return self.send(200, {"@odata.id": p, "Name": "root"})
        if not self.authorized():
            return self.send(401, redfish_error("Base.1.8.NoValidSession",
                                                "There is no valid session established."))
        if p == "/redfish/v1/expire":
            with lock:
                sessions.clear()
            return self.send(200, {"expired": True})
        if p == "/redfish/v1/redirect":
            return self.send(302, b"", [("Location", a.redirect_to + "/redfish/v1/")])
        if p == "/redfish/v1/missing":
            return self.send(404, redfish_error("Base.1.8.ResourceMissingAtURI",
                                                "The resource at the URI /redfish/v1/missing was not found."))
        if p == "/redfish/v1/plain404":
            return self.send(404, b"not json")
        if p == "/redfish/v1/big":
            return self.stream(100 * 1024 * 1024, False)
        if p == "/redfish/v1/bigchunked":
            return self.stream(100 * 1024 * 1024, True)
        if p == "/redfish/v1/bighdr":
            return self.send(200, {}, [("X-Pad-%d" % i, "y" * 1000) for i in range(70)])
        if p == "/redfish/v1/slow":
            self.gate()
        if p == "/redfish/v1/drop":
            # Answers and keeps the connection, then drops it while the client holds it
            # idle; a line for --gate once the client had time to notice.
            self.send(200, {"@odata.id": p, "Name": "drop"})
            time.sleep(0.3)
            self.connection.shutdown(socket.SHUT_RDWR)
            time.sleep(0.5)
            with lock:
                with open(a.log, "a") as f:
                    f.write("DROPPED /redfish/v1/fast-marker\n")
            self.close_connection = True
            return
        if p.startswith("/redfish/v1/close"):
            return self.send(200, {"@odata.id": p, "Name": "close"}, [("Connection", "close")])
        if p.startswith("/redfish/v1/hold"):
            with lock:
                inflight[0] += 1
                with open(a.log, "a") as f:
                    f.write("CONC %d\n" % inflight[0])
            time.sleep(0.3)
            with lock:
                inflight[0] -= 1
        return self.send(200, {"@odata.id": p, "Name": p.rsplit("/", 1)[-1]})

srv_cls = ThreadingHTTPServer
if ":" in a.host:
    class V6(ThreadingHTTPServer):
        address_family = socket.AF_INET6
    srv_cls = V6
srv = srv_cls((a.host, 0), H)
srv.daemon_threads = True
if a.cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                 do_handshake_on_connect=a.hold_handshake <= 0)
with open(a.portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(a.portfile + ".tmp", a.portfile)
srv.serve_forever()
PY

make_certs() {
    rw_make_ca "$CA" || return 1
    rw_make_cert "$CA" good localhost "DNS:localhost,IP:127.0.0.1,IP:::1" -1 30 &&
        rw_make_cert "$CA" expired localhost "DNS:localhost,IP:127.0.0.1" -30 -1 &&
        rw_make_cert "$CA" wrongname other.example "DNS:other.example" -1 30
}

# serve NAME [server options...]: starts the server with the "good" certificate unless
# --cert is among the options; sets PORT and LOG (its request log).
serve() {
    local name=$1 i
    shift
    LOG=$RW_WORK/$name.requests
    : >"$LOG"
    local tls=(--cert "$CA/good.crt" --key "$CA/good.key")
    [[ " $* " == *" --cert "* || " $* " == *" --plain "* ]] && tls=()
    local args=()
    for i in "$@"; do
        [[ $i == --plain ]] || args+=("$i")
    done
    rm -f "$RW_WORK/$name.port"
    rw_spawn "$RW_WORK/$name.log" python3 "$SRV" --portfile "$RW_WORK/$name.port" \
        --log "$LOG" "${tls[@]}" "${args[@]}"
    for ((i = 0; i < 200; i++)); do
        [[ -s $RW_WORK/$name.port ]] && break
        sleep 0.05
    done
    PORT=$(cat "$RW_WORK/$name.port" 2>/dev/null)
    [[ -n $PORT ]] || { echo "server $name did not start" >&2; cat "$RW_WORK/$name.log" >&2; exit 1; }
}

# count PATTERN FILE: lines of FILE matching the extended regex.
count() {
    grep -Ec -- "$1" "$2"
}

# want_count NAME PATTERN FILE N: FILE has exactly N lines matching PATTERN.
want_count() {
    local got
    got=$(count "$2" "$3")
    if [[ $got -eq $4 ]]; then
        rw_pass "$1"
    else
        RW_OUT="$(cat "$3")"
        rw_fail "$1: $got lines match /$2/, want $4"
    fi
}

CRED=(--user test --password secret --cacert "$CA/ca.crt")
make_certs || { echo "cannot make certificates"; exit 1; }

area_sessions() {
    local u
    serve rel
    u=https://127.0.0.1:$PORT
    rw_expect "session login, three GETs" 0 '^0 /redfish/v1/(Chassis|Systems|Managers) RW_OK 200 ' \
        "$CLI" -e "$u" "${CRED[@]}" /redfish/v1/Chassis /redfish/v1/Systems /redfish/v1/Managers
    want_count "one login for three GETs" '^POST /redfish/v1/SessionService/Sessions' "$LOG" 1
    want_count "every GET carried the token" '^GET .* token=tok-1-' "$LOG" 3
    want_count "no Authorization header in session mode" 'auth=Basic' "$LOG" 0
    # GETs carry the User-Agent in their header list, the login through CURLOPT_USERAGENT:
    # one each, and the Redfish headers.
    want_count "every request names rackwatch once as its User-Agent" \
        ' ua=rackwatch/[0-9][0-9.]* accept=application/json odata=4\.0$' "$LOG" 4

    : >"$LOG"
    rw_expect "session reused over three polls, then logged out" 0 'RW_OK 200' \
        "$CLI" --rounds 3 --logout -e "$u" "${CRED[@]}" /redfish/v1/Chassis /redfish/v1/Systems
    want_count "reuse: one login for three polls" '^POST ' "$LOG" 1
    want_count "reuse: six GETs" '^GET ' "$LOG" 6
    want_count "logout: DELETE of the session from Location" \
        '^DELETE /redfish/v1/SessionService/Sessions/2 port=[0-9]+ token=tok-2-' "$LOG" 1
    # GETs go on the service's kept connections (max_in_flight 2); the login and the
    # logout, rare, each take a connection that closes after them.
    if [[ $(grep -E '^GET ' "$LOG" | grep -Eo 'port=[0-9]+' | sort -u | wc -l) -le 2 &&
        $(grep -Eo 'port=[0-9]+' "$LOG" | sort -u | wc -l) -le 4 ]]; then
        rw_pass "keep-alive: 6 GETs over at most 2 connections (2 in flight)"
    else
        RW_OUT=$(cat "$LOG")
        rw_fail "keep-alive: too many connections"
    fi

    : >"$LOG"
    rw_expect "401 after the service forgot the session: re-login and replay" 0 'RW_OK 200' \
        "$CLI" --rounds 2 -e "$u" "${CRED[@]}" /redfish/v1/expire
    want_count "re-login once" '^POST ' "$LOG" 2
    want_count "the replayed GET carried the new token" '^GET /redfish/v1/expire .*token=tok-4-' "$LOG" 1

    rw_expect "wrong password: every waiting GET fails with the login error" 1 \
        "^0 /redfish/v1/Chassis RW_EHTTP 0 0 login to https://127.0.0.1:$PORT failed: HTTP 401: There is no valid session established\.$" \
        "$CLI" -e "$u" --user test --password wrong --cacert "$CA/ca.crt" /redfish/v1/Chassis
    rw_run "$CLI" -e "$u" --user test --password wrong --cacert "$CA/ca.crt" /redfish/v1/Chassis \
        /redfish/v1/Systems
    rw_expect_output "wrong password: the second GET too" \
        "0 /redfish/v1/Systems RW_EHTTP 0 0 login to .* failed: HTTP 401"

    serve abs --login 201-abs
    rw_expect "absolute Location, empty body" 0 '^0 /redfish/v1/Chassis RW_OK 200' \
        "$CLI" --logout -e "https://127.0.0.1:$PORT" "${CRED[@]}" /redfish/v1/Chassis
    want_count "absolute Location: logout DELETE" '^DELETE /redfish/v1/SessionService/Sessions/1 ' "$LOG" 1

    serve nobody --login 204
    rw_expect "204 login without a body" 0 '^0 /redfish/v1/Chassis RW_OK 200' \
        "$CLI" --logout -e "https://127.0.0.1:$PORT" "${CRED[@]}" /redfish/v1/Chassis
    want_count "204 login: logout DELETE" '^DELETE /redfish/v1/SessionService/Sessions/1 ' "$LOG" 1

    serve odata --login 200-odata
    rw_expect "200 login, session URI from @odata.id" 0 '^0 /redfish/v1/Chassis RW_OK 200' \
        "$CLI" --logout -e "https://127.0.0.1:$PORT" "${CRED[@]}" /redfish/v1/Chassis
    want_count "200 login: logout DELETE" '^DELETE /redfish/v1/SessionService/Sessions/1 ' "$LOG" 1

    serve notoken --login no-token
    rw_expect "login reply without X-Auth-Token" 1 \
        "^0 /redfish/v1/Chassis RW_EHTTP 0 0 login to https://127.0.0.1:$PORT failed: login reply has no X-Auth-Token$" \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" /redfish/v1/Chassis

    serve limit --max-sessions 0 --busy 0
    rw_expect "session limit reached (503 after retries)" 1 \
        "^0 /redfish/v1/Chassis RW_EHTTP 0 0 login to https://127.0.0.1:$PORT failed: HTTP 503: The session establishment failed" \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" --retries -1 /redfish/v1/Chassis

    serve basic --basic
    rw_expect "basic auth" 0 '^0 /redfish/v1/Chassis RW_OK 200' \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" --basic /redfish/v1/Chassis
    want_count "basic: no login, Authorization sent" '^GET /redfish/v1/Chassis .*auth=Basic dGVzdDpzZWNyZXQ=' "$LOG" 1
    want_count "basic: no POST" '^POST' "$LOG" 0
    rw_expect "basic auth, wrong password: 401" 1 \
        '^0 /redfish/v1/Chassis RW_EHTTP 401 [0-9]+ HTTP 401: There is no valid session established\.$' \
        "$CLI" -e "https://127.0.0.1:$PORT" --user test --password bad --cacert "$CA/ca.crt" --basic /redfish/v1/Chassis
}

area_retry() {
    local u p
    serve busy --busy 2
    u=https://127.0.0.1:$PORT
    for p in busy busy-date busy-msg busy-429; do
        rw_expect "503/429 then 200: $p" 0 "^0 /redfish/v1/$p RW_OK 200" \
            "$CLI" -e "$u" "${CRED[@]}" /redfish/v1/$p
        want_count "$p: asked three times, no more" "^GET /redfish/v1/$p " "$LOG" 3
    done
    serve busylogin --busy-login 2
    rw_expect "login answered 503 twice, then works" 0 '^0 /redfish/v1/Chassis RW_OK 200' \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" /redfish/v1/Chassis
    want_count "login asked three times" '^POST ' "$LOG" 3
    want_count "the GET waited for the login" '^GET ' "$LOG" 1

    serve busy2 --busy 10
    u=https://127.0.0.1:$PORT
    rw_expect "always 503: bounded retries, then the error" 1 \
        '^0 /redfish/v1/busy-none RW_EHTTP 503 0 HTTP 503$' \
        "$CLI" -e "$u" "${CRED[@]}" --basic --retries 2 --retry-cap 300 /redfish/v1/busy-none
    want_count "always 503: 1 + 2 retries" '^GET /redfish/v1/busy-none ' "$LOG" 3
    rw_expect "Retry-After longer than the cap: no retry" 1 \
        '^0 /redfish/v1/busy-long RW_EHTTP 503 0 HTTP 503$' \
        "$CLI" -e "$u" "${CRED[@]}" --basic /redfish/v1/busy-long
    want_count "Retry-After too long: asked once" '^GET /redfish/v1/busy-long ' "$LOG" 1
    rw_expect "deadline during a back-off" 3 'run: RW_ETIMEOUT deadline passed with' \
        "$CLI" --deadline 300 -e "$u" "${CRED[@]}" --basic /redfish/v1/busy
    rw_expect_output "deadline: the request is cancelled" \
        '0 /redfish/v1/busy RW_ETIMEOUT 0 0 cancelled: client shut down'
}

area_redirect() {
    local other
    serve other --host ::1
    other=$PORT
    cp "$LOG" "$RW_WORK/other.before"
    serve main --redirect-to "https://[::1]:$other"
    rw_expect "redirect to another host not followed (session)" 1 \
        "^0 /redfish/v1/redirect RW_EHTTP 302 0 HTTP 302: redirect to https://\[::1\]:$other/redfish/v1/ not followed$" \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" /redfish/v1/redirect
    rw_expect "redirect to another host not followed (basic)" 1 \
        "^0 /redfish/v1/redirect RW_EHTTP 302 0 HTTP 302: redirect" \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" --basic /redfish/v1/redirect
    want_count "the other host received nothing" '.' "$RW_WORK/other.requests" 0
    rw_expect "a path on another origin is refused before any request" 1 \
        "^0 https://\[::1\]:$other/redfish/v1/ RW_EINVAL 0 0 'https://\[::1\]:$other/redfish/v1/' is on another origin than https://127.0.0.1:$PORT$" \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" "https://[::1]:$other/redfish/v1/"
    want_count "the other host still received nothing" '.' "$RW_WORK/other.requests" 0
    rw_expect "a same-origin absolute URL is fine" 0 '^0 /redfish/v1/Chassis RW_OK 200' \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" "https://127.0.0.1:$PORT/redfish/v1/Chassis"
}

area_caps() {
    local u rss
    serve caps
    u=https://127.0.0.1:$PORT
    rw_expect "100 MiB body with Content-Length: refused early" 1 \
        '^0 /redfish/v1/big RW_ETOOBIG 0 0 body larger than 16777216 bytes$' \
        "$CLI" -e "$u" "${CRED[@]}" /redfish/v1/big
    rw_run /usr/bin/time -f "maxrss_kb=%M" "$CLI" -e "$u" "${CRED[@]}" /redfish/v1/bigchunked \
        /redfish/v1/Chassis
    if [[ $RW_RC -eq 1 ]] && grep -Eq '^0 /redfish/v1/bigchunked RW_ETOOBIG 0 [0-9]+ body larger than 16777216 bytes$' <<<"$RW_OUT" &&
        grep -Eq '^0 /redfish/v1/Chassis RW_OK 200' <<<"$RW_OUT"; then
        rw_pass "100 MiB chunked body: cut at 16 MiB, the next request still works"
    else
        rw_fail "100 MiB chunked body"
    fi
    rss=$(sed -n 's/.*maxrss_kb=//p' <<<"$RW_ERR")
    if [[ -n $rss && $rss -lt 150000 ]]; then
        rw_pass "memory bounded while refusing 100 MiB ($rss KiB peak)"
    else
        rw_fail "memory: peak ${rss:-?} KiB"
    fi
    rw_expect "body cap lowered to 1000 bytes" 1 \
        '^0 /redfish/v1/bigchunked RW_ETOOBIG 0 0 body larger than 1000 bytes$' \
        "$CLI" -e "$u" "${CRED[@]}" --body-max 1000 /redfish/v1/bigchunked
    rw_expect "70 KiB of headers" 1 '^0 /redfish/v1/bighdr RW_ETOOBIG 0 0 headers larger than 65536 bytes$' \
        "$CLI" -e "$u" "${CRED[@]}" /redfish/v1/bighdr
    rw_expect "404 with a Redfish message" 1 \
        '^0 /redfish/v1/missing RW_EHTTP 404 [0-9]+ HTTP 404: The resource at the URI /redfish/v1/missing was not found\.$' \
        "$CLI" -e "$u" "${CRED[@]}" /redfish/v1/missing
    rw_expect "404 with a body that is not JSON" 1 '^0 /redfish/v1/plain404 RW_EHTTP 404 8 HTTP 404$' \
        "$CLI" -e "$u" "${CRED[@]}" /redfish/v1/plain404
    rw_expect "bad path refused" 1 "^0 /a b RW_EINVAL 0 0 path '/a b' has a blank or non-ASCII byte$" \
        "$CLI" -e "$u" "${CRED[@]}" "/a b"
    rw_expect "bad URL" 2 "^setup: RW_EINVAL URL 'ftp://x' must start with https:// or http://$" \
        "$CLI" -e ftp://x "${CRED[@]}" /redfish/v1/
    rw_expect "bad fingerprint" 2 "^setup: RW_EINVAL fingerprint 'sha256:zz' is not a SHA-256" \
        "$CLI" -e "$u" "${CRED[@]}" --fingerprint sha256:zz /redfish/v1/
    rw_expect "no credentials" 2 "^setup: RW_EINVAL https://127.0.0.1:$PORT: a username and a password are needed$" \
        "$CLI" -e "$u" /redfish/v1/
}

area_slow() {
    local slow fast i paths=()
    serve fast
    fast=$PORT
    serve slow --gate "$RW_WORK/fast.requests:12"
    slow=$PORT
    for ((i = 0; i < 12; i++)); do
        paths+=(/redfish/v1/fast$i)
    done
    # The slow service answers only once the fast one has served all 12 GETs: were the
    # client to wait for it, the fast GETs would never come and the slow line be first.
    rw_run "$CLI" -e "https://127.0.0.1:$slow" "${CRED[@]}" /redfish/v1/slow \
        -e "https://127.0.0.1:$fast" "${CRED[@]}" "${paths[@]}"
    if [[ $RW_RC -eq 0 ]] && [[ $(grep -c '^1 /redfish/v1/fast[0-9]* RW_OK 200' <<<"$RW_OUT") -eq 12 ]] &&
        tail -n 1 <<<"$RW_OUT" | grep -q '^0 /redfish/v1/slow RW_OK 200'; then
        rw_pass "a slow service does not delay a fast one"
    else
        rw_fail "slow service delayed the fast one"
    fi
    serve stall --gate "$RW_WORK/never:1"
    rw_expect "per-request timeout" 1 '^0 /redfish/v1/slow RW_ETIMEOUT 0 0 Operation timed out after [0-9]+ milliseconds' \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" --timeout 500 --basic /redfish/v1/slow
    local stall=$PORT
    # A GET still connecting when another one times out keeps its own deadline (it was
    # lost once: the connection then came up, the device never answered, nothing ended it).
    serve held --gate "$RW_WORK/never:1" --hold-handshake 0.6
    rw_run "$CLI" --deadline 8000 -e "https://127.0.0.1:$stall" "${CRED[@]}" --timeout 300 --basic \
        /redfish/v1/slow -e "https://127.0.0.1:$PORT" "${CRED[@]}" --timeout 1500 --basic /redfish/v1/slow
    if [[ $RW_RC -eq 1 ]] && grep -Eq '^1 /redfish/v1/slow RW_ETIMEOUT 0 0 Operation timed out after [0-9]+ milliseconds' <<<"$RW_OUT"; then
        rw_pass "a connecting GET keeps its deadline when another times out"
    else
        rw_fail "a connecting GET lost its deadline"
    fi
    rw_expect "connection refused" 1 '^0 /redfish/v1/ RW_ECONNECT 0 0 (Failed to connect|Could not connect|.*Connection refused)' \
        "$CLI" -e "https://127.0.0.1:$(rw_free_port)" "${CRED[@]}" --basic /redfish/v1/
    serve conc
    rw_expect "max_in_flight 2" 0 'RW_OK 200' \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" --basic --repeat 8 /redfish/v1/hold
    want_count "max_in_flight 2: never more than two at once" '^CONC [3-9]' "$LOG" 0
    if grep -q '^CONC 2' "$LOG"; then
        rw_pass "max_in_flight 2: two did run at once"
    else
        RW_OUT=$(cat "$LOG")
        rw_fail "max_in_flight 2: never two at once"
    fi
    : >"$LOG"
    rw_expect "max_in_flight 3" 0 'RW_OK 200' \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" --basic --max-in-flight 3 \
        --repeat 9 /redfish/v1/hold
    want_count "max_in_flight 3: never more than three at once" '^CONC [4-9]' "$LOG" 0
    : >"$LOG"
    rw_expect "max_total 1 over two services" 0 'RW_OK 200' \
        "$CLI" --max-total 1 -e "https://127.0.0.1:$PORT" "${CRED[@]}" --basic \
        /redfish/v1/hold1 /redfish/v1/hold2 -e "https://127.0.0.1:$PORT" "${CRED[@]}" --basic \
        /redfish/v1/hold3 /redfish/v1/hold4
    want_count "max_total 1: one at a time" '^CONC 1' "$LOG" 4
    rw_expect "max_total 1 still finishes every request" 0 'RW_OK 200' \
        "$CLI" --max-total 1 -e "https://127.0.0.1:$fast" "${CRED[@]}" /redfish/v1/fast0 \
        -e "https://127.0.0.1:$fast" "${CRED[@]}" /redfish/v1/fast1 /redfish/v1/fast2
}

area_tls() {
    local fp other
    serve good
    fp=$(openssl x509 -in "$CA/good.crt" -noout -fingerprint -sha256 | sed 's/.*=//')
    other=$(openssl x509 -in "$CA/ca.crt" -noout -fingerprint -sha256 | sed 's/.*=//')
    rw_expect "verified against the CA file" 0 '^0 /redfish/v1/Chassis RW_OK 200' \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" /redfish/v1/Chassis
    rw_expect "unknown CA" 1 '^0 /redfish/v1/Chassis RW_ETLS 0 0 login to https://127.0.0.1:[0-9]+ failed: SSL certificate problem: unable to get local issuer certificate$' \
        "$CLI" -e "https://127.0.0.1:$PORT" --user test --password secret /redfish/v1/Chassis
    rw_expect "insecure (explicit)" 0 '^0 /redfish/v1/Chassis RW_OK 200' \
        "$CLI" -e "https://127.0.0.1:$PORT" --user test --password secret --insecure /redfish/v1/Chassis
    rw_expect "pin matches (and the chain verifies)" 0 '^0 /redfish/v1/Chassis RW_OK 200' \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" --fingerprint "sha256:$fp" /redfish/v1/Chassis
    rw_expect "pin matches, insecure: the pin alone decides" 0 '^0 /redfish/v1/Chassis RW_OK 200' \
        "$CLI" -e "https://127.0.0.1:$PORT" --user test --password secret --insecure \
        --fingerprint "$fp" /redfish/v1/Chassis
    : >"$LOG"
    rw_expect "pin mismatch" 1 "^0 /redfish/v1/Chassis RW_ETLS 0 0 login to https://127.0.0.1:$PORT failed: certificate sha256:$fp does not match the pinned fingerprint$" \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" --fingerprint "$other" /redfish/v1/Chassis
    rw_expect "pin mismatch, insecure" 1 "^0 /redfish/v1/Chassis RW_ETLS 0 0 certificate sha256:$fp does not match the pinned fingerprint$" \
        "$CLI" -e "https://127.0.0.1:$PORT" --user test --password secret --insecure --basic \
        --fingerprint "$other" /redfish/v1/Chassis
    want_count "pin mismatch: the server never got a request (nor credentials)" '.' "$LOG" 0
    rw_expect "pin matches, unknown CA, not insecure: the chain still counts" 1 \
        '^0 /redfish/v1/Chassis RW_ETLS 0 0 ' \
        "$CLI" -e "https://127.0.0.1:$PORT" --user test --password secret --basic \
        --fingerprint "$fp" /redfish/v1/Chassis

    serve expired --cert "$CA/expired.crt" --key "$CA/expired.key"
    rw_expect "expired certificate" 1 '^0 /redfish/v1/ RW_ETLS 0 0 SSL certificate problem: certificate has expired$' \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" --basic /redfish/v1/
    serve wrongname --cert "$CA/wrongname.crt" --key "$CA/wrongname.key"
    rw_expect "certificate for another name" 1 "^0 /redfish/v1/ RW_ETLS 0 0 SSL: no alternative certificate subject name matches target host name '127.0.0.1'$" \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" --basic /redfish/v1/
    serve plain --plain
    rw_expect "TLS to a plain HTTP server" 1 '^0 /redfish/v1/ RW_(ETLS|ECONNECT) 0 0 ' \
        "$CLI" -e "https://127.0.0.1:$PORT" "${CRED[@]}" --basic /redfish/v1/
    rw_expect "plain HTTP when asked" 0 '^0 /redfish/v1/Chassis RW_OK 200' \
        "$CLI" -e "http://127.0.0.1:$PORT" --user test --password secret /redfish/v1/Chassis
}

area_loop() {
    local u
    serve loop --busy 1
    u=https://127.0.0.1:$PORT
    rw_expect "event-loop driver: login and GETs" 0 'RW_OK 200' \
        "$CLI" --loop --rounds 2 --logout -e "$u" "${CRED[@]}" /redfish/v1/Chassis /redfish/v1/Systems
    want_count "event-loop driver: one login, DELETE at the end" '^(POST|DELETE) ' "$LOG" 2
    rw_expect "event-loop driver: 503 back-off on the loop's timer" 0 '^0 /redfish/v1/busy RW_OK 200' \
        "$CLI" --loop -e "$u" "${CRED[@]}" --basic /redfish/v1/busy
    rw_expect "event-loop driver: TLS failure" 1 '^0 /redfish/v1/ RW_ETLS' \
        "$CLI" --loop -e "$u" --user test --password secret /redfish/v1/
    rw_expect "event-loop driver: deadline" 3 '^run: RW_ETIMEOUT deadline passed' \
        "$CLI" --loop --deadline 200 -e "$u" "${CRED[@]}" --basic --retries 5 /redfish/v1/busy-none
}

# The built-in epoll loop leaves a kept connection's socket in its set between requests
# (redfish/rf_loop.c): a socket dropped by its server while idle must leave the set at its
# first wake-up, not spin the loop; a socket number that comes back as a new connection
# must be watched again.
# idle_servers NAME: a server NAME whose /drop drops the kept connection while the client
# holds it idle, and one whose /slow answers only after that; sets args (rf_fetch_cli's).
idle_servers() {
    local drop
    serve "$1"
    drop=$PORT
    serve "$1-wait" --gate "$LOG:1"
    args=(--rounds 2 -e "https://127.0.0.1:$PORT" "${CRED[@]}" --basic /redfish/v1/slow
        -e "https://127.0.0.1:$drop" "${CRED[@]}" --basic /redfish/v1/drop)
}

area_idle() {
    local st=$RW_WORK/idle.strace args
    idle_servers drop
    rw_run "$CLI" "${args[@]}"
    if [[ $RW_RC -eq 0 && $(grep -Ec '^(0 /redfish/v1/slow|1 /redfish/v1/drop) RW_OK 200 ' <<<"$RW_OUT") -eq 4 ]]; then
        rw_pass "a kept connection dropped while idle: both rounds answered"
    else
        rw_fail "a kept connection dropped while idle (rc $RW_RC)"
    fi
    # Again with fresh servers, under strace, counting the loop's wake-ups (LeakSanitizer
    # cannot run traced).
    idle_servers drop2
    if ! command -v strace >/dev/null; then
        echo "# strace missing: epoll_wait calls not counted"
    elif ! ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -c \
        -e trace=epoll_wait -o "$st" "$CLI" "${args[@]}" >/dev/null 2>&1; then
        rw_fail "a kept connection dropped while idle, traced"
    elif [[ $(awk '$NF == "epoll_wait" {print $4}' "$st") -lt 200 ]]; then
        echo "# epoll_wait calls: $(awk '$NF == "epoll_wait" {print $4}' "$st")"
        rw_pass "the dropped socket did not spin the loop"
    else
        RW_OUT=$(cat "$st")
        rw_fail "the dropped socket spun the loop"
    fi
    serve closer
    rw_expect "Connection: close on every reply: six requests, all answered" 0 \
        '^0 /redfish/v1/close1 RW_OK 200 ' \
        "$CLI" --rounds 2 -e "https://127.0.0.1:$PORT" "${CRED[@]}" --basic --max-in-flight 1 \
        /redfish/v1/close1 /redfish/v1/close2 /redfish/v1/close3
    want_count "Connection: close: a new connection for each of the six" '^GET /redfish/v1/close' \
        "$LOG" 6
    if [[ $(grep -Eo 'port=[0-9]+' "$LOG" | sort -u | wc -l) -eq 6 ]]; then
        rw_pass "Connection: close: six client ports"
    else
        RW_OUT=$(cat "$LOG")
        rw_fail "Connection: close: connections were reused"
    fi
}

case $AREA in
sessions | retry | redirect | caps | slow | tls | loop | idle) "area_$AREA" ;;
*)
    echo "unknown area $AREA"
    exit 2
    ;;
esac
rw_done
