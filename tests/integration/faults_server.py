#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of rackwatch-emu, for tests/integration/faults*.sh.

It forwards every request to the emulator (plain HTTP) unless the control file says
otherwise.  The control file is read again for every request, so a test changes the fault
while the daemon polls, without a restart and without losing the port.  Its first line:

    pass            forward (also when the file is missing or empty)
    503             answer 503 with a Redfish error body and no Retry-After header
    503 SECONDS     the same with "Retry-After: SECONDS"
    garbage         send bytes that are not HTTP at all, then close
    drop            close the connection without answering
    hang            answer nothing while the mode stays "hang" (at most 60 s), then close
    flap SECONDS    "pass" and "drop" in turn, each for SECONDS (wall clock)
    path REGEX MODE...  MODE for requests whose path matches REGEX (re.search), "pass" for
                    the others: a poll that fails half-way

Listens on 127.0.0.1 only, port 0 unless --port; writes HOST:PORT to --ready-file once
listening and one line per request ("MODE METHOD PATH -> STATUS") to standard output.
Standard library only.
"""
import argparse
import http.client
import http.server
import os
import re
import select
import socket
import sys
import time

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-connection", "content-length"}
HANG_MAX_S = 60
BODY_MAX = 16 * 1024 * 1024


def read_mode(path):
    """The control file's first line split in words; ["pass"] when absent or empty."""
    try:
        with open(path, encoding="utf-8") as f:
            words = f.readline().split()
    except OSError:
        words = []
    return words or ["pass"]


def effective(words, path):
    """Resolves "flap" and "path" to the plain mode for this request and moment."""
    if words[0] == "path" and len(words) > 2:
        return words[2:] if re.search(words[1], path) else ["pass"]
    if words[0] == "flap":
        period = float(words[1]) if len(words) > 1 else 2.0
        return ["pass"] if int(time.time() / period) % 2 == 0 else ["drop"]
    return words


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faults_server"

    def log_message(self, fmt, *args):  # the access line is ours; keep stderr quiet
        pass

    def note(self, mode, status):
        print("%s %s %s -> %s" % (mode, self.command, self.path, status), flush=True)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(n, BODY_MAX)) if n > 0 else None

    def forward(self, data):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.backend_port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        try:
            conn.request(self.command, self.path, body=data, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
        except OSError:
            self.send_error(502, "backend unreachable")
            self.note("pass", 502)
            return
        finally:
            conn.close()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() not in ("server", "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.note("pass", resp.status)

    def unavailable(self, words):
        payload = (b'{"error":{"code":"Base.1.0.ServiceTemporarilyUnavailable",'
                   b'"message":"The service is temporarily unavailable."}}')
        self.send_response(503)
        if len(words) > 1:
            self.send_header("Retry-After", words[1])
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        self.note(" ".join(words), 503)

    def client_gone(self):
        """True once the client has closed its end (readable, and nothing to read)."""
        ready, _, _ = select.select([self.connection], [], [], 0.1)
        try:
            return bool(ready) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def hang(self):
        deadline = time.monotonic() + HANG_MAX_S
        while time.monotonic() < deadline and read_mode(self.server.control)[0] == "hang":
            if self.client_gone():
                self.close_connection = True
                self.note("hang", "client gone")
                return
        self.close_connection = True
        self.note("hang", "closed")

    def handle_any(self):
        data = self.body()
        words = effective(read_mode(self.server.control), self.path)
        mode = words[0]
        if mode == "pass":
            self.forward(data)
        elif mode == "503":
            self.unavailable(words)
        elif mode == "garbage":
            self.wfile.write(b"\x16\x03\x01\xff\xfeNOT HTTP \x00\x01\x02 at all\r\n\r\n\xff" * 8)
            self.close_connection = True
            self.note("garbage", "sent")
        elif mode == "hang":
            self.hang()
        else:
            self.close_connection = True
            self.note("drop", "closed")

    do_GET = do_POST = do_PATCH = do_DELETE = do_HEAD = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend-port", type=int, required=True, help="rackwatch-emu's port")
    ap.add_argument("--control", required=True, help="file holding the current fault")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any)")
    ap.add_argument("--ready-file", required=True, help="gets HOST:PORT once listening")
    args = ap.parse_args()
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.backend_port = args.backend_port
    srv.control = args.control
    tmp = args.ready_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("127.0.0.1:%d\n" % srv.server_address[1])
    os.replace(tmp, args.ready_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    socket.setdefaulttimeout(None)
    sys.exit(main())
