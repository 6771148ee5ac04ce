#!/usr/bin/env bash
# The rackwatch tour on one machine, no hardware needed.  It builds rackwatch, starts
# emulated Redfish devices on 127.0.0.1 (a hub with three spokes, a fourth spoke to
# register, a rack PDU and a server), runs every plugin as Nagios would, polls, registers,
# and serves it all over SNMP through a private snmpd.  Everything it starts is stopped at
# the end.  Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh demo

build=build/release
echo "== building rackwatch into $build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >"$build/demo-build.log" 2>&1 ||
    { cat "$build/demo-build.log"; exit 1; }
bin=$PWD/$build/bin
data=$PWD/tests/data

work=$(mktemp -d /tmp/rackwatch-demo.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
# show TITLE CMD...: the command as a user would type it, then its output and exit code.
show() {
    local title=$1 rc=0
    shift
    printf '\n-- %s\n$ %s\n' "$title" "$(sed "s|$bin/||g; s|$work|\$DEMO|g" <<<"$*")"
    "$@" 2>&1 | sed "s|$work|\$DEMO|g" || rc=${PIPESTATUS[0]}
    printf '(exit %d)\n' "$rc"
}
# emu NAME CERT ARGS...: an emulated Redfish device over HTTPS; sets <NAME>_PORT, <NAME>_PID.
emu() {
    local name=$1 cert=$2
    shift 2
    "$bin/rackwatch-emu" --listen 127.0.0.1:0 --ready-file "$work/$name.ready" \
        --tls-cert "$work/ca/$cert.crt" --tls-key "$work/ca/$cert.key" \
        --user admin --password-file "$work/admin.pass" "$@" >"$work/$name.log" 2>&1 &
    pids+=($!)
    printf -v "${name}_PID" '%s' "$!"
    for _ in $(seq 100); do [[ -s $work/$name.ready ]] && break; sleep 0.05; done
    printf -v "${name}_PORT" '%s' "$(sed 's/.*://' "$work/$name.ready")"
}
# add_spoke NAME PORT: the hub lists a spoke that was registered long ago.
add_spoke() {
    curl -sS --fail --cacert "$work/ca/ca.crt" -u "admin:$(cat "$work/admin.pass")" \
        -H 'Content-Type: application/json' \
        -d "{\"Name\": \"$1\", \"HostName\": \"https://127.0.0.1:$2\", \"UserName\": \"admin\", \"Password\": null, \"Status\": {\"State\": \"Enabled\", \"Health\": \"OK\"}}" \
        "https://127.0.0.1:$HUB_PORT/redfish/v1/AggregationService/AggregationSources" >/dev/null
}

echo "== a private CA, the site certificate (hub and spokes share it) and a renewed one"
. tests/integration/certs.sh
san="DNS:localhost,IP:127.0.0.1"
rw_make_ca "$work/ca"
rw_make_cert "$work/ca" site localhost "$san" 0 365
rw_make_cert "$work/ca" renewed localhost "$san" 0 365
umask 077
printf 'demo-secret\n' >"$work/admin.pass"
printf 'username=admin\npassword=demo-secret\n' >"$work/auth"
umask 022

echo "== emulated devices: hub 3.2.0, spokes east 3.2.0, west 3.1.0 (old), north (renewed"
echo "   certificate), south (to register), a three-phase rack PDU and a server"
emu HUB site --mockup "$data/hub" --firmware-version 3.2.0
emu EAST site --mockup "$data/hub" --firmware-version 3.2.0
emu WEST site --mockup "$data/hub" --firmware-version 3.1.0
emu NORTH renewed --mockup "$data/hub" --firmware-version 3.2.0
emu SOUTH site --mockup "$data/hub" --firmware-version 3.2.0
emu PDU site --mockup "$data/pdu"
emu SERVER site --mockup "$data/server"
add_spoke east "$EAST_PORT"
add_spoke west "$WEST_PORT"
add_spoke north "$NORTH_PORT"
ca=$work/ca/ca.crt
closed=$(free_port)

echo
echo "=================== Nagios plugins, as the monitoring core runs them ==================="
show "liveness: a spoke that answers HTTPS" \
    "$bin/check_spoke_liveness" -H 127.0.0.1 -p "$EAST_PORT" --cacert "$ca" -w 0.5 -c 1
show "liveness: a spoke that is down" \
    "$bin/check_spoke_liveness" -H 127.0.0.1 -p "$closed" --cacert "$ca"
show "version: the west spoke runs an older release" \
    "$bin/check_spoke_version" -H 127.0.0.1 -p "$WEST_PORT" --hub 127.0.0.1 \
    --hub-port "$HUB_PORT" --cacert "$ca" --authfile "$work/auth"
show "certificate: the north spoke's certificate was renewed" \
    "$bin/check_spoke_cert" -H 127.0.0.1 -p "$NORTH_PORT" --hub 127.0.0.1 \
    --hub-port "$HUB_PORT" --cacert "$ca"
show "the whole site: every spoke the hub lists, probed at once" \
    "$bin/check_hubspoke" -H 127.0.0.1 -p "$HUB_PORT" --cacert "$ca" --authfile "$work/auth"

echo
echo "=================== rackwatch register: a fourth spoke, checked first ==================="
cat >"$work/rackwatch.yaml" <<YAML
defaults:
  ca_file: $ca
  timeout: 5
  poll_interval: 2
credentials:
  admin:
    username: admin
    password_file: $work/admin.pass
endpoints:
  - name: pdu-a1
    url: https://127.0.0.1:$PDU_PORT
    kind: pdu
    credentials: admin
  - name: server-1
    url: https://127.0.0.1:$SERVER_PORT
    kind: server
    credentials: admin
hub:
  name: hub
  url: https://127.0.0.1:$HUB_PORT
  credentials: admin
  fingerprint: sha256:$(openssl x509 -in "$work/ca/site.crt" -noout -fingerprint -sha256 | sed 's/.*=//')
spokes:
  - name: east
    url: https://127.0.0.1:$EAST_PORT
    credentials: admin
  - name: west
    url: https://127.0.0.1:$WEST_PORT
    credentials: admin
  - name: north
    url: https://127.0.0.1:$NORTH_PORT
    credentials: admin
  - name: south
    url: https://127.0.0.1:$SOUTH_PORT
    credentials: admin
policy:
  product: "Rack Power Manager"
  certificates:
    rule: identical
    known_spokes: $work/known_spokes
snmp:
  agentx_socket: $work/agentx.sock
state_file: $work/state.json
YAML
show "register south (its settings come from the YAML configuration)" \
    "$bin/rackwatch" register --config "$work/rackwatch.yaml" --spoke south
show "registering twice changes nothing" \
    "$bin/rackwatch" register --config "$work/rackwatch.yaml" --spoke south
show "the hub now has four spokes" \
    "$bin/check_hubspoke" -H 127.0.0.1 -p "$HUB_PORT" --cacert "$ca" --authfile "$work/auth"

echo
echo "=================== the PDU and the server over Redfish ==================="
show "rackwatch poll: one poll of every configured endpoint" \
    "$bin/rackwatch" poll --config "$work/rackwatch.yaml"
if [[ -x $bin/check_pdu ]]; then
    show "check_pdu: inlet power" env RACKWATCH_USERNAME=admin RACKWATCH_PASSWORD=demo-secret \
        "$bin/check_pdu" -H 127.0.0.1 -p "$PDU_PORT" --cacert "$ca" --metric inlet-power \
        -w 9000 -c 11000
fi
if [[ -x $bin/check_server ]]; then
    show "check_server: power draw" env RACKWATCH_USERNAME=admin RACKWATCH_PASSWORD=demo-secret \
        "$bin/check_server" -H 127.0.0.1 -p "$SERVER_PORT" --cacert "$ca" --metric power \
        -w 400 -c 500
fi

echo
echo "=================== SNMP: rackwatchd under a private snmpd ==================="
snmp_port=$(free_port)
trap_port=$(free_port)
cat >"$work/snmpd.conf" <<CONF
agentaddress udp:127.0.0.1:$snmp_port
master agentx
agentXSocket $work/agentx.sock
agentXPerms 0600 0700
rocommunity public 127.0.0.1
trap2sink udp:127.0.0.1:$trap_port public
CONF
MIBS= snmpd -f -Lo -C -c "$work/snmpd.conf" -p "$work/snmpd.pid" -m '' >"$work/snmpd.log" 2>&1 &
pids+=($!)
# With the IETF base MIBs (fetched from the npm registry once) the walk shows names.
mib=(-m '' -On)
if base=$(bash tests/integration/mib_fetch_base.sh "$PWD/$build/mib-cache" 2>/dev/null); then
    mib=(-m RACKWATCH-MIB -M "$PWD/mibs:$base:/usr/share/snmp/mibs")
fi
printf 'disableAuthorization yes\n' >"$work/trapd.conf"
snmptrapd -f -Lo -C -c "$work/trapd.conf" "${mib[@]}" "udp:127.0.0.1:$trap_port" \
    >"$work/traps.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -S $work/agentx.sock ]] && break; sleep 0.05; done
"$bin/rackwatchd" --config "$work/rackwatch.yaml" --foreground --ping-interval 1 \
    >"$work/rackwatchd.log" 2>&1 &
pids+=($!)
R=.1.3.6.1.4.1.8072.9999.9999.7225
for _ in $(seq 100); do
    snmpget -v2c -c public -m '' "127.0.0.1:$snmp_port" "$R.1.4.1.13.1" 2>/dev/null |
        grep -q 'INTEGER: 1' && break
    sleep 0.1
done

show "snmpwalk of the PDU table" snmpwalk -v2c -c public "${mib[@]}" "127.0.0.1:$snmp_port" "$R.1.4"
if [[ ${mib[1]} == RACKWATCH-MIB ]]; then
    show "snmptable of the outlet table" snmptable -v2c -c public "${mib[@]}" -Cf ' | ' -Ci \
        "127.0.0.1:$snmp_port" RACKWATCH-MIB::rwOutletTable
fi
show "snmpwalk of the server table" snmpwalk -v2c -c public "${mib[@]}" "127.0.0.1:$snmp_port" "$R.1.10"
for _ in $(seq 100); do
    snmpget -v2c -c public -m '' "127.0.0.1:$snmp_port" "$R.1.2.1.5.2" 2>/dev/null |
        grep -q INTEGER && break
    sleep 0.1
done
if [[ ${mib[1]} == RACKWATCH-MIB ]]; then
    show "snmptable of the hub/spoke table (statuses as the product words them)" snmptable \
        -v2c -c public "${mib[@]}" -Cf ' | ' -Ci -Cw 160 "127.0.0.1:$snmp_port" \
        RACKWATCH-MIB::rwSpokeTable
else
    show "snmpwalk of the hub/spoke status column" snmpwalk -v2c -c public "${mib[@]}" \
        "127.0.0.1:$snmp_port" "$R.1.2.1.5"
fi

echo
echo "== the east spoke goes down: rackwatchd notices and notifies (rwSpokeStatusChange)"
kill "$EAST_PID" 2>/dev/null || true
spoke_trap="rwSpokeStatusChange|$R\.0\.1[[:space:]]"
for _ in $(seq 100); do grep -Eq "$spoke_trap" "$work/traps.log" 2>/dev/null && break; sleep 0.1; done
show "what snmptrapd received" grep -E "$spoke_trap" "$work/traps.log"

echo
echo "== the PDU goes down: rackwatchd keeps its values, marks them stale and notifies"
kill "$PDU_PID" 2>/dev/null || true
data_trap="rwEndpointDataStatusChange|$R\.0\.6[[:space:]]"
for _ in $(seq 80); do grep -Eq "$data_trap" "$work/traps.log" 2>/dev/null && break; sleep 0.1; done
show "what snmptrapd received" grep -E "$data_trap" "$work/traps.log"
show "the PDU's data status (2 = stale)" snmpget -v2c -c public "${mib[@]}" \
    "127.0.0.1:$snmp_port" "$R.1.4.1.13.1" "$R.1.4.1.10.1"

echo
echo "== demo done; stopping every server it started"
