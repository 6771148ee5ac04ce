#!/usr/bin/env bash
# Memory of the real rackwatchd polling 1000 emulated PDU endpoints of 48 outlets each
# (target: VmHWM < 32 MB).  A 48-outlet mockup is generated from tests/data/pdu in a temp
# dir and served over HTTPS by EMUS rackwatch-emu processes of 8 listeners each (the
# emulator's limit); the 1000 endpoints share those ports round-robin.  The daemon runs
# --standalone (no snmpd needed; the tables are the same), or with AGENTX=1 as the AgentX
# subagent of a private snmpd, as it is deployed.  Prints figures; never pass/fail.
# Everything runs on 127.0.0.1 and is stopped at the end.
#
#   bench/daemon_rss.sh [BUILD_DIR]   (default build/release)
#   env: PDUS (1000), OUTLETS (48), EMUS (4), POLL (30 s between polls), SCHEME (https;
#        http shows what the kept TLS connections cost), WRAP (a command to run the
#        daemon under, e.g. "heaptrack -o /tmp/rw": then the figures are the wrapper's),
#        MAX_POLLS (the configuration's max_polls; unset: the built-in)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
daemon=$build/bin/rackwatchd
emu=$build/bin/rackwatch-emu
for b in "$daemon" "$emu"; do
    [[ -x $b ]] || { echo "bench: $b not built" >&2; exit 2; }
done
pdus=${PDUS:-1000} outlets=${OUTLETS:-48} emus=${EMUS:-4} poll=${POLL:-30}
scheme=${SCHEME:-https}

work=$(mktemp -d /tmp/rackwatch-rss.XXXXXX)
pids=()
cleanup() {
    # Children first: under WRAP the daemon is the wrapper's child, not ours.
    for pid in "${pids[@]}"; do pkill -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The mockup: the project's PDU with its outlets replaced by $outlets copies of A1.
cp -r tests/data/pdu "$work/pdu"
python3 - "$work/pdu/PowerEquipment/RackPDUs/1/Outlets" "$outlets" <<'PY'
import json, os, shutil, sys
base, n = sys.argv[1], int(sys.argv[2])
tmpl = json.load(open(os.path.join(base, "A1", "index.json")))
for name in os.listdir(base):
    if os.path.isdir(os.path.join(base, name)):
        shutil.rmtree(os.path.join(base, name))
coll = json.load(open(os.path.join(base, "index.json")))
coll["Members"] = []
for i in range(1, n + 1):
    oid = "O%d" % i
    doc = dict(tmpl, Id=oid, Name="Outlet %d" % i)
    doc["@odata.id"] = coll["@odata.id"] + "/" + oid
    os.makedirs(os.path.join(base, oid))
    json.dump(doc, open(os.path.join(base, oid, "index.json"), "w"), indent=1)
    coll["Members"].append({"@odata.id": doc["@odata.id"]})
coll["Members@odata.count"] = n
json.dump(coll, open(os.path.join(base, "index.json"), "w"), indent=1)
PY

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" -addext basicConstraints=CA:TRUE \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

ports=()
for ((e = 0; e < emus; e++)); do
    args=()
    for ((l = 0; l < 8; l++)); do
        args+=(--listen 127.0.0.1:0)
    done
    if [[ $scheme == https ]]; then
        args+=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
    fi
    "$emu" --mockup "$work/pdu" "${args[@]}" --ready-file "$work/emu$e.ready" >"$work/emu$e.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 200); do [[ $(cat "$work/emu$e.ready" 2>/dev/null | wc -l) -ge 8 ]] && break; sleep 0.05; done
    while read -r addr; do ports+=("${addr##*:}"); done <"$work/emu$e.ready"
done

{
    printf 'defaults:\n  poll_interval: %d\n  poll_jitter: 10\n  timeout: 20\n' "$poll"
    printf '  ca_file: %s\n  expand: true\n' "$work/cert.pem"
    printf 'endpoints:\n'
    for ((i = 1; i <= pdus; i++)); do
        printf '  - name: pdu-%04d\n    url: %s://127.0.0.1:%s\n    kind: pdu\n' "$i" "$scheme" \
            "${ports[$(((i - 1) % ${#ports[@]}))]}"
    done
    printf 'state_file: %s/state.json\n' "$work"
    if [[ -n ${MAX_POLLS:-} ]]; then printf 'max_polls: %d\n' "$MAX_POLLS"; fi
} >"$work/rw.yaml"
sa_port=$(free_port)
printf 'rocommunity public 127.0.0.1\n' >"$work/snmp.conf"
agent=(--standalone "udp:127.0.0.1:$sa_port" --snmp-config "$work/snmp.conf")
mode=standalone
if [[ -n ${AGENTX:-} ]]; then
    # snmpd answers on sa_port and forwards our subtree over its AgentX socket.
    printf 'agentaddress udp:127.0.0.1:%s\nmaster agentx\nagentXSocket %s\nrocommunity public 127.0.0.1\n' \
        "$sa_port" "$work/agentx.sock" >"$work/snmpd.conf"
    MIBS='' snmpd -f -Lo -C -c "$work/snmpd.conf" -p "$work/snmpd.pid" -m '' >"$work/snmpd.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do [[ -S $work/agentx.sock ]] && break; sleep 0.1; done
    agent=(--agentx-socket "$work/agentx.sock")
    mode="AgentX subagent of snmpd"
fi

echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "== $pdus PDUs x $outlets outlets over ${#ports[@]} $scheme ports ($emus emulators), poll every ${poll}s, $mode"
start=$(date +%s)
${WRAP:-} "$daemon" --config "$work/rw.yaml" --foreground "${agent[@]}" --log-level warning \
    >"$work/daemon.log" 2>&1 &
dpid=$!
pids+=("$dpid")

# pdu_rows: rows of rwPduTable; a PDU's row appears with its first successful poll and
# stays (marked stale) when a later poll fails, so the count only grows.
pdu_rows() {
    snmpbulkwalk -v2c -c public -On -m '' -Cr50 -t 10 -r 1 "127.0.0.1:$sa_port" \
        .1.3.6.1.4.1.8072.9999.9999.7225.1.4.1.2 2>/dev/null | grep -c STRING || true
}
n=0
for _ in $(seq 600); do
    n=$(pdu_rows)
    [[ $n -ge $pdus ]] && break
    sleep 1
done
echo "PDU rows: $n after $(($(date +%s) - start)) s"
rows=$(snmpbulkwalk -v2c -c public -On -m '' -Cr50 -t 10 "127.0.0.1:$sa_port" \
    .1.3.6.1.4.1.8072.9999.9999.7225.1.9.1.4 | wc -l)
echo "outlet rows served: $rows"
awk '/VmHWM|VmRSS/ { printf "rackwatchd after the first polls: %s %s %s\n", $1, $2, $3 }' "/proc/$dpid/status"
sleep $((poll * 2 + 5))
awk '/VmHWM|VmRSS/ { printf "rackwatchd after two more poll periods: %s %s %s\n", $1, $2, $3 }' "/proc/$dpid/status"
echo "open file descriptors (kept connections): $(find "/proc/$dpid/fd" -mindepth 1 | wc -l)"
# What the HWM is made of: the heap against the libraries and other mappings.
awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6 == "" ? "(anonymous)" : $6 }
     /^Rss:/ { if (name == "[heap]") heap += $2; else other += $2 }
     END { printf "resident now: heap %d kB, libraries and other mappings %d kB\n", heap, other }' \
    "/proc/$dpid/smaps"
# Clean file pages (library code and read-only data) are shared with the page cache and
# other processes but count in VmRSS/VmHWM; what the daemon costs the machine is the rest.
awk '/^(Shared_Clean|Private_Clean|Private_Dirty|Shared_Dirty):/ { v[$1] = $2 }
     END { printf "now: clean file pages %d kB, private dirty (heap, anonymous, relocated) %d kB\n",
           v["Shared_Clean:"] + v["Private_Clean:"], v["Private_Dirty:"] + v["Shared_Dirty:"] }' \
    "/proc/$dpid/smaps_rollup"
awk 'END { print "daemon log lines (failed polls, warnings): " NR }' "$work/daemon.log"
sed -n '1,3s/^/  daemon log: /p' "$work/daemon.log"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
