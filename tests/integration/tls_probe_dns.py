#!/usr/bin/env python3
"""A tiny, slow DNS server for tls_probe.sh's dns group (loopback only, in a private
network namespace).

    tls_probe_dns.py --name NAME --delay SECONDS [--address 127.0.0.1] [--port 53]

It answers UDP queries on 127.0.0.1:
  - NAME, type A: NAME -> ADDRESS, sent DELAY seconds after the query arrived (each
    query on its own timer, so later queries are answered later);
  - NAME, any other type (AAAA): at once, no records (NODATA), so that only the A
    answer sets the pace of getaddrinfo();
  - any other name: NXDOMAIN at once.
It prints "ready" once bound and "answered NAME TYPE RCODE" after each reply.
"""
import argparse
import socket
import struct
import sys
import threading

TYPE_A = 1
RCODE_NXDOMAIN = 3
MAX_QUERY = 512


def parse_question(data):
    """(id, flags, qname lowercased, qtype, end of the question) or None."""
    if len(data) < 12:
        return None
    qid, flags, qdcount = struct.unpack("!HHH", data[:6])
    if qdcount < 1 or flags & 0x8000:
        return None
    labels, pos = [], 12
    while pos < len(data):
        length = data[pos]
        pos += 1
        if length == 0:
            break
        if length > 63 or pos + length > len(data):
            return None
        labels.append(data[pos:pos + length].decode("ascii", "replace").lower())
        pos += length
    if pos + 4 > len(data):
        return None
    qtype = struct.unpack("!H", data[pos:pos + 2])[0]
    return qid, flags, ".".join(labels), qtype, pos + 4


def reply(query, end, rcode, answer):
    """A response to the query's first question, with one A record when answer is set."""
    qid, flags = struct.unpack("!HH", query[:4])
    rflags = 0x8000 | (flags & 0x0100) | 0x0080 | rcode  # QR, RD copied, RA
    header = struct.pack("!HHHHHH", qid, rflags, 1, 1 if answer else 0, 0, 0)
    out = header + query[12:end]
    if answer:
        out += struct.pack("!HHHLH", 0xC00C, TYPE_A, 1, 0, 4) + socket.inet_aton(answer)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--delay", type=float, required=True)
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=53)
    args = ap.parse_args()
    name = args.name.lower().rstrip(".")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", args.port))
    lock = threading.Lock()

    def send(data, peer, qname, qtype, rcode):
        with lock:
            sock.sendto(data, peer)
            print(f"answered {qname} {qtype} {rcode}", flush=True)

    print("ready", flush=True)
    while True:
        data, peer = sock.recvfrom(MAX_QUERY)
        q = parse_question(data)
        if q is None:
            continue
        _, _, qname, qtype, end = q
        if qname != name:
            send(reply(data, end, RCODE_NXDOMAIN, None), peer, qname, qtype, RCODE_NXDOMAIN)
        elif qtype != TYPE_A:
            send(reply(data, end, 0, None), peer, qname, qtype, 0)
        else:
            timer = threading.Timer(args.delay, send,
                                    (reply(data, end, 0, args.address), peer, qname, qtype, 0))
            timer.daemon = True
            timer.start()


if __name__ == "__main__":
    sys.exit(main())
