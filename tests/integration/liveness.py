#!/usr/bin/env python3
"""Test servers for liveness.sh (stdlib only).

liveness.py MODE BIND PORTFILE [CERT KEY]
  MODE  status:CODE   answer every GET with HTTP CODE (TLS)
        delay:SECONDS wait, then answer 200 (TLS)
        plain         answer 200 over plain HTTP, no TLS
        tree:DIR      serve DIR/<path>/index.json as JSON, 404 when absent (TLS); a hub
        auth:USER:PW  200 with HTTP Basic credentials USER:PW, else 401 (TLS)
        hang          accept connections and never send a byte
  BIND  127.0.0.1 or ::1; the server listens on port 0 and writes the port to PORTFILE.
"""
import base64
import http.server
import os
import socket
import ssl
import sys
import threading
import time


def make_handler(mode):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if mode.startswith("tree:"):
                self.serve_tree(mode.split(":", 1)[1])
                return
            code = 200
            if mode.startswith("auth:"):
                want = base64.b64encode(mode.split(":", 1)[1].encode()).decode()
                if self.headers.get("Authorization", "") != "Basic " + want:
                    code = 401
            if mode.startswith("status:"):
                code = int(mode.split(":", 1)[1])
            elif mode.startswith("delay:"):
                time.sleep(float(mode.split(":", 1)[1]))
            body = b'{"@odata.id": "/redfish/v1/"}\n'
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def serve_tree(self, root):
            path = os.path.normpath(self.path.split("?", 1)[0]).lstrip("/")
            name = os.path.join(root, path, "index.json")
            if ".." in path or not os.path.isfile(name):
                self.send_error(404)
                return
            with open(name, "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            pass

    return Handler


def write_port(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, path)


def serve_hang(family, bind, portfile):
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((bind, 0))
    sock.listen(16)
    write_port(portfile, sock.getsockname()[1])
    held = []
    while True:
        conn, _ = sock.accept()
        held.append(conn)  # keep it open, say nothing


def main():
    mode, bind, portfile = sys.argv[1:4]
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    if mode == "hang":
        serve_hang(family, bind, portfile)
        return

    class Server(http.server.ThreadingHTTPServer):
        address_family = family
        daemon_threads = True

    server = Server((bind, 0), make_handler(mode))
    if mode != "plain":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[4], sys.argv[5])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    write_port(portfile, server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
