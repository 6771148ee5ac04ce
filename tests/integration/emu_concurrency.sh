#!/usr/bin/env bash
# emu.concurrency: 50 requests at once with --delay-ms 200 are served side by side, not
# one after another.  The proof is the emulator's access log: at least 40 requests were
# in flight at the same moment (serialised answers would never overlap).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"

emu_tls
emu_start conc --tls --mockup "$EMU_DATA/pdu" --delay-ms 200 --access-log "$RW_WORK/conc.acc"

# curl: 50 transfers at once, each on its own connection.
args=()
for i in $(seq 50); do
    args+=(-o /dev/null "$EMU_URL/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A1?n=$i")
done
rw_run emu_curl --parallel --parallel-immediate --parallel-max 50 -w '%{http_code}\n' "${args[@]}"
if [[ $RW_RC -eq 0 && $(grep -c '^200$' <<<"$RW_OUT") -eq 50 ]]; then
    rw_pass "curl --parallel: 50 requests, all 200"
else
    rw_fail "curl --parallel: 50 requests"
fi

# Python: 50 connections made first (TLS handshakes done), then 50 requests released at
# once, so the overlap measures the emulator and not how fast the client starts them.
: >"$RW_WORK/conc.acc"
rw_run python3 -c 'import http.client, ssl, sys, threading
host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
conns = [http.client.HTTPSConnection(host, port, context=ctx) for _ in range(50)]
for c in conns:
    c.connect()
gate = threading.Barrier(50)
codes = []
def one(c):
    gate.wait()
    c.request("GET", "/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A2")
    r = c.getresponse()
    r.read()
    codes.append(r.status)
threads = [threading.Thread(target=one, args=(c,)) for c in conns]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(" ".join(sorted(set(str(c) for c in codes))), len(codes))' 127.0.0.1 "${EMU_URL##*:}" "$EMU_CACERT"
[[ $RW_OUT == "200 50" ]] && rw_pass "50 requests released at once: all 200" ||
    rw_fail "50 requests released at once"

rw_run python3 -c 'import sys
events = []
for line in open(sys.argv[1]):
    f = line.split()
    events += [(float(f[0]), 1), (float(f[1]), -1)]
events.sort(key=lambda e: (e[0], e[1]))
now = peak = 0
for _, step in events:
    now += step
    peak = max(peak, now)
print(len(events) // 2, peak)' "$RW_WORK/conc.acc"
read -r total peak <<<"$RW_OUT"
if [[ $total -eq 50 && $peak -ge 40 ]]; then
    rw_pass "access log: $peak of 50 requests in flight at once"
else
    rw_fail "access log: $total requests, at most $peak at once (want >= 40)"
fi

emu_done
