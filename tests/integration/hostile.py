#!/usr/bin/env python3
"""Hostile servers for hostile.sh (stdlib only), and a runner that measures memory.

hostile.py serve MODE BIND PORTFILE [--cert CRT --key KEY] [--log FILE] [--target URL]
  Listens on BIND (127.0.0.1, 127.0.0.2 or ::1) port 0, writes the port to PORTFILE, and
  answers every connection as MODE says.  With --cert/--key it speaks TLS first.
  --log FILE records each request: its request line and every header line, as received.
  MODE
    huge          200 with Content-Length 1 GiB, streamed (never held in memory)
    huge_chunked  the same 1 GiB in chunked encoding, no length announced
    header_line   a status line, then one header line that never ends
    header_lines  a status line, then header lines without end (never the blank line)
    trickle       200 with a 1 MiB Content-Length, then one byte a second
    renegotiate   TLS 1.2 only: renegotiates after the request, again and again for as
                  long as the client plays along (60 s at most), then answers; python's
                  ssl has no renegotiation call, so this reaches OpenSSL's
                  SSL_renegotiate() through ctypes (see Renegotiator)
    redirect      302 to --target + the same path for every GET; a session login (POST)
                  gets 201 with a token and a Location on --target; DELETE 302 too
    record        200 with a service root to everything (the --target host, with --log)
    nextlink      a Redfish service whose every collection page has a nextLink to a new
                  page with a new member, without end; sessions work
    garbage       reads the request, answers 1 MiB of random bytes (seeded), closes;
                  without --cert the bytes come where a TLS handshake should be

hostile.py run RSSFILE [--as-mb N] -- CMD...
  Runs CMD with its stdin, stdout and stderr, optionally under an address-space limit of
  N MiB (RLIMIT_AS), writes its peak RSS in KiB to RSSFILE, and exits with its exit code
  (128 + N when a signal N ended it).
"""
import ctypes
import ctypes.util
import json
import os
import random
import resource
import select
import socket
import ssl
import subprocess
import sys
import threading
import time

GIB = 1 << 30
CHUNK = 64 * 1024
HEAD_MAX = 64 * 1024
ROOT = "/redfish/v1/"
COLLECTIONS = (
    "/redfish/v1/Systems",
    "/redfish/v1/Chassis",
    "/redfish/v1/Managers",
    "/redfish/v1/PowerEquipment/RackPDUs",
    "/redfish/v1/AggregationService/AggregationSources",
    "/redfish/v1/SessionService/Sessions",
)
SESSION_TOKEN = "hostile-session-token"


class Request:
    """One request: method, path (with query), header lines, body."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body


def write_port(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, path)


def read_request(conn):
    """Reads a request head (capped) and a Content-Length body (capped); None at EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > HEAD_MAX:
            return None
        got = conn.recv(4096)
        if not got:
            return None
        data += got
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) < 2:
        return None
    headers = lines[1:]
    length = 0
    for h in headers:
        name, _, value = h.partition(":")
        if name.strip().lower() == "content-length":
            length = min(int(value.strip() or "0"), HEAD_MAX)
    while len(rest) < length:
        got = conn.recv(4096)
        if not got:
            break
        rest += got
    return Request(parts[0], parts[1], headers, rest[:length])


def send_json(conn, status, doc, extra=()):
    body = json.dumps(doc).encode()
    head = "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % (
        status,
        len(body),
    )
    for h in extra:
        head += h + "\r\n"
    conn.sendall(head.encode() + b"\r\n" + body)


def stream(conn, head, total, piece=b"a" * CHUNK, chunked=False):
    """Sends head, then total bytes of body, a piece at a time, until the peer leaves."""
    conn.sendall(head)
    sent = 0
    while sent < total:
        if chunked:
            conn.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
        else:
            conn.sendall(piece)
        sent += len(piece)
    if chunked:
        conn.sendall(b"0\r\n\r\n")


def serve_huge(conn, req, opts):
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
    stream(conn, head % GIB, GIB)


def serve_huge_chunked(conn, req, opts):
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    stream(conn, head, GIB, chunked=True)


def serve_header_line(conn, req, opts):
    stream(conn, b"HTTP/1.1 200 OK\r\nX-Endless: ", GIB, piece=b"h" * 1024)


def serve_header_lines(conn, req, opts):
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    n = 0
    while n * 1024 < GIB:
        conn.sendall(b"X-Filler-%d: %s\r\n" % (n, b"f" * 1000))
        n += 1


def serve_trickle(conn, req, opts):
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
    conn.sendall(head % (1 << 20))
    for _ in range(1 << 20):
        conn.sendall(b" ")
        time.sleep(1)


def serve_redirect(conn, req, opts):
    target = opts["target"]
    if req.method == "POST":
        where = target + "/redfish/v1/SessionService/Sessions/1"
        send_json(
            conn,
            "201 Created",
            {"@odata.id": where},
            ("X-Auth-Token: " + SESSION_TOKEN, "Location: " + where),
        )
        return
    body = b"moved\n"
    conn.sendall(
        b"HTTP/1.1 302 Found\r\nLocation: %s%s\r\nContent-Length: %d\r\n\r\n%s"
        % (target.encode(), req.path.encode(), len(body), body)
    )


def service_root():
    return {
        "@odata.id": ROOT,
        "RedfishVersion": "1.15.0",
        "Product": "Hostile",
        "Vendor": "Hostile",
        "Systems": {"@odata.id": "/redfish/v1/Systems"},
        "Chassis": {"@odata.id": "/redfish/v1/Chassis"},
        "Managers": {"@odata.id": "/redfish/v1/Managers"},
        "PowerEquipment": {"@odata.id": "/redfish/v1/PowerEquipment"},
        "AggregationService": {"@odata.id": "/redfish/v1/AggregationService"},
        "SessionService": {"@odata.id": "/redfish/v1/SessionService"},
        "Links": {"Sessions": {"@odata.id": "/redfish/v1/SessionService/Sessions"}},
    }


def serve_record(conn, req, opts):
    send_json(conn, "200 OK", service_root())


def nextlink_doc(path):
    """The document at path in the endless service, or None (404)."""
    base, _, query = path.partition("?")
    base = base.rstrip("/") or "/"
    if base == "/redfish/v1":
        return service_root()
    if base == "/redfish/v1/PowerEquipment":
        return {"@odata.id": base, "RackPDUs": {"@odata.id": base + "/RackPDUs"}}
    if base == "/redfish/v1/AggregationService":
        return {"@odata.id": base, "AggregationSources": {"@odata.id": base + "/AggregationSources"}}
    if base == "/redfish/v1/SessionService":
        return {"@odata.id": base, "Sessions": {"@odata.id": base + "/Sessions"}}
    if base in COLLECTIONS:
        page = 0
        if query.startswith("page="):
            page = int(query[5:] or "0")
        return {
            "@odata.id": base,
            "Members@odata.count": 1000000000,
            "Members": [{"@odata.id": "%s/m%d" % (base, page)}],
            "Members@odata.nextLink": "%s?page=%d" % (base, page + 1),
        }
    parent, _, leaf = base.rpartition("/")
    if parent in COLLECTIONS and leaf.startswith("m"):
        return {
            "@odata.id": base,
            "Id": leaf,
            "Name": leaf,
            "FirmwareVersion": "1.0.0",
            "HostName": "127.0.0.1:9",
            "PowerState": "On",
            "Status": {"Health": "OK", "State": "Enabled"},
        }
    return None


def serve_nextlink(conn, req, opts):
    if req.method == "POST":
        where = "/redfish/v1/SessionService/Sessions/1"
        send_json(conn, "201 Created", {"@odata.id": where},
                  ("X-Auth-Token: " + SESSION_TOKEN, "Location: " + where))
        return
    if req.method == "DELETE":
        conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")
        return
    doc = nextlink_doc(req.path)
    if doc is None:
        send_json(conn, "404 Not Found", {"error": {"code": "Base.1.8.ResourceMissingAtURI",
                                                    "message": "no such resource"}})
        return
    send_json(conn, "200 OK", doc)


def serve_garbage(conn, req, opts):
    rnd = random.Random(1)
    for _ in range(16):
        conn.sendall(bytes(rnd.getrandbits(8) for _ in range(CHUNK)))


class Renegotiator:
    """SSL_renegotiate() on a python SSLSocket, through ctypes.

    The ssl module has no renegotiation call.  CPython's _ssl socket object keeps its
    SSL * right after its weak reference to the socket (PyObject_HEAD, PyObject *Socket,
    SSL *ssl); the pointer is checked with SSL_get_fd() == fileno() before any use, and
    renegotiation is reported unsupported when the check fails."""

    def __init__(self):
        name = ctypes.util.find_library("ssl") or "libssl.so.3"
        self.lib = ctypes.CDLL(name)
        for fn in ("SSL_get_fd", "SSL_renegotiate", "SSL_do_handshake", "SSL_renegotiate_pending"):
            getattr(self.lib, fn).argtypes = [ctypes.c_void_p]
            getattr(self.lib, fn).restype = ctypes.c_int
        self.lib.SSL_read.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
        self.lib.SSL_get_error.argtypes = [ctypes.c_void_p, ctypes.c_int]

    def pointer(self, sock):
        obj = sock._sslobj
        ptr = ctypes.c_void_p.from_address(id(obj) + 3 * ctypes.sizeof(ctypes.c_void_p)).value
        if not ptr or self.lib.SSL_get_fd(ptr) != sock.fileno():
            raise OSError("cannot reach the SSL object: renegotiation not supported here")
        return ptr

    def renegotiate(self, sock):
        """One whole renegotiation: HelloRequest, then reads (on a non-blocking fd) until the
        client's new handshake is done.  True when it completed within 5 s."""
        ptr = self.pointer(sock)
        buf = ctypes.create_string_buffer(16)
        deadline = time.monotonic() + 5
        sock.setblocking(False)
        if self.lib.SSL_renegotiate(ptr) != 1:
            return False
        self.lib.SSL_do_handshake(ptr)  # sends the HelloRequest
        while self.lib.SSL_renegotiate_pending(ptr) and time.monotonic() < deadline:
            select.select([sock], [], [], 0.1)
            n = self.lib.SSL_read(ptr, buf, len(buf))
            if n > 0 or self.lib.SSL_get_error(ptr, n) not in (2, 3):  # WANT_READ, WANT_WRITE
                return False  # data or an alert (a client refusing renegotiation)
        return self.lib.SSL_renegotiate_pending(ptr) == 0


def serve_renegotiate(conn, req, opts):
    """Renegotiates for as long as the client plays along (at most 60 s), then answers."""
    reneg = opts["renegotiator"]
    done = 0
    stop = time.monotonic() + 60
    while time.monotonic() < stop and reneg.renegotiate(conn):
        done += 1
    opts["log_line"]("renegotiations completed: %d" % done)
    conn.settimeout(30)
    send_json(conn, "200 OK", service_root())


MODES = {
    "huge": serve_huge,
    "huge_chunked": serve_huge_chunked,
    "header_line": serve_header_line,
    "header_lines": serve_header_lines,
    "trickle": serve_trickle,
    "renegotiate": serve_renegotiate,
    "redirect": serve_redirect,
    "record": serve_record,
    "nextlink": serve_nextlink,
    "garbage": serve_garbage,
}


def handle(conn, ctx, opts):
    try:
        conn.settimeout(30)
        if ctx is not None:
            conn = ctx.wrap_socket(conn, server_side=True)
        if opts["mode"] == "garbage" and ctx is None:
            serve_garbage(conn, None, opts)
            return
        while True:
            req = read_request(conn)
            if req is None:
                return
            opts["log_line"]("%s %s\n%s" % (req.method, req.path, "\n".join(req.headers)))
            MODES[opts["mode"]](conn, req, opts)
    except (OSError, ValueError, ssl.SSLError):
        pass  # the client gave up, as it should
    finally:
        try:
            conn.close()
        except OSError:
            pass


def parse_opts(argv):
    opts = {"mode": argv[0], "bind": argv[1], "portfile": argv[2], "cert": None, "key": None,
            "log": None, "target": ""}
    i = 3
    while i < len(argv):
        key = argv[i].lstrip("-")
        if key not in ("cert", "key", "log", "target") or i + 1 >= len(argv):
            sys.exit("hostile.py: bad option %s" % argv[i])
        opts[key] = argv[i + 1]
        i += 2
    if opts["mode"] not in MODES:
        sys.exit("hostile.py: unknown mode %s" % opts["mode"])
    return opts


def make_context(opts):
    if opts["cert"] is None:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(opts["cert"], opts["key"])
    if opts["mode"] == "renegotiate":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # TLS 1.3 has no renegotiation
        opts["renegotiator"] = Renegotiator()
    return ctx


def serve(argv):
    opts = parse_opts(argv)
    lock = threading.Lock()

    def log_line(text):
        if opts["log"] is not None:
            with lock, open(opts["log"], "a") as f:
                f.write(text + "\n")

    opts["log_line"] = log_line
    ctx = make_context(opts)
    family = socket.AF_INET6 if ":" in opts["bind"] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((opts["bind"], 0))
    sock.listen(64)
    write_port(opts["portfile"], sock.getsockname()[1])
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=handle, args=(conn, ctx, opts), daemon=True).start()


def run(argv):
    rssfile = argv[0]
    limit = None
    i = 1
    if argv[i] == "--as-mb":
        limit = int(argv[i + 1]) << 20
        i += 2
    if argv[i] != "--":
        sys.exit("usage: hostile.py run RSSFILE [--as-mb N] -- CMD...")
    cmd = argv[i + 1:]

    def limit_memory():
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    rc = subprocess.call(cmd, preexec_fn=limit_memory)
    with open(rssfile, "w") as f:
        f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    sys.exit(128 - rc if rc < 0 else rc)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "serve" and len(sys.argv) >= 5:
        serve(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "run" and len(sys.argv) >= 4:
        run(sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
