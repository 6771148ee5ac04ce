# Shared by noc_icinga.sh and noc_nagios.sh (source it after lib.sh): the servers the
# monitoring cores check.  A hub (rackwatch-emu) and its spokes on 127.0.0.1, certificates
# made by the test, every process started through lib.sh so it is stopped at exit.
# tls_spoke NAME CERT: openssl s_server on 127.0.0.1 serving /redfish/v1/ with the leaf
# CERT of $PKI; sets PORT.  (rw_free_port: s_server cannot report a port 0 choice.)
tls_spoke() {
    local name=$1 cert=$2 www=$RW_WORK/www
    mkdir -p "$www/redfish/v1"
    echo '{"@odata.id": "/redfish/v1/"}' >"$www/redfish/v1/index.json"
    PORT=$(rw_free_port)
    (cd "$www" && exec openssl s_server -accept "127.0.0.1:$PORT" -WWW -quiet \
        -cert "$PKI/$cert.crt" -key "$PKI/$cert.key") >"$RW_WORK/$name.log" 2>&1 &
    RW_PIDS+=("$!")
    rw_wait_port "$PORT" 10 || exit 1
}

# make_pki: a CA in $PKI and two leaves for localhost and 127.0.0.1, "server" and
# "other", valid for 400 days (no expiry warning).  emu_lib.sh serves "server" of $EMU_CA.
make_pki() {
    PKI=$RW_WORK/pki
    EMU_CA=$PKI
    EMU_CACERT=$PKI/ca.crt
    rw_make_ca "$PKI" &&
        rw_make_cert "$PKI" server localhost "DNS:localhost,IP:127.0.0.1" -1 400 &&
        rw_make_cert "$PKI" other localhost "DNS:localhost,IP:127.0.0.1" -1 400 ||
        { echo "cannot make the test certificates" >&2; exit 1; }
}

# hub_member HOSTNAME HEALTH: adds an AggregationSource to the emulated hub.
hub_member() {
    curl -sS --fail --cacert "$EMU_CACERT" -H 'Content-Type: application/json' \
        -d "{\"HostName\": \"$1\", \"Status\": {\"State\": \"Enabled\", \"Health\": \"$2\"}}" \
        "$EMU_URL/redfish/v1/AggregationService/AggregationSources" >/dev/null ||
        { echo "cannot add $1 to the emulated hub" >&2; exit 1; }
}

# start_spokes: the hub, rackwatch-emu with certificate "server", and its spokes:
#   spoke-ok        s_server, certificate "server", listed by the hub as OK
#   spoke-degraded  the same s_server by name (localhost), listed by the hub as Warning
#   spoke-mismatch  s_server with certificate "other", listed as OK
#   spoke-down      a closed port, not listed
#   spoke-same      rackwatch-emu in the hub's version (3.2.0), listed as OK
#   spoke-old       rackwatch-emu in version 2.9.0, listed as OK
# Sets HUB_PORT, OK_PORT, MISMATCH_PORT, DOWN_PORT, SAME_PORT and OLD_PORT.
start_spokes() {
    . "$(dirname "${BASH_SOURCE[0]}")/emu_lib.sh"
    make_pki
    tls_spoke spoke-ok server
    OK_PORT=$PORT
    tls_spoke spoke-mismatch other
    MISMATCH_PORT=$PORT
    DOWN_PORT=$(rw_free_port)
    # The hub lists its spokes, as registration would have (in-memory POST).
    emu_start hub --tls --mockup "$EMU_DATA/hub"
    HUB_PORT=${EMU_URL##*:}
    hub_member "https://127.0.0.1:$OK_PORT" OK
    hub_member "https://localhost:$OK_PORT" Warning
    hub_member "https://127.0.0.1:$MISMATCH_PORT" OK
    # Two more spokes for the version check: the hub's version (3.2.0) and an old one.
    emu_start spoke-same --tls --mockup "$EMU_DATA/hub" --firmware-version 3.2.0
    SAME_PORT=${EMU_URL##*:}
    emu_start spoke-old --tls --mockup "$EMU_DATA/hub" --firmware-version 2.9.0
    OLD_PORT=${EMU_URL##*:}
    # emu_start leaves EMU_URL at the last one; hub_member talks to the hub.
    EMU_URL=https://127.0.0.1:$HUB_PORT
    hub_member "https://127.0.0.1:$SAME_PORT" OK
    hub_member "https://127.0.0.1:$OLD_PORT" OK
}

# start_devices: a rack PDU and a server for the Redfish plugins, each rackwatch-emu over
# HTTPS (tests/data/pdu and tests/data/server, certificate "server" of $PKI: call
# make_pki or start_spokes first) with Basic auth monitor/s3cret; the plugins' credentials
# in $DEV_AUTH (mode 0600).  And the daemon's view of both, as the state mode reads it:
# $RW_WORK/state.json, written by `rackwatch poll --json` (the snapshot format) with the
# endpoints pdu-1 and srv-1, and $RW_WORK/stale.json, the same data polled 1000 s ago.
# Sets PDU_PORT, SERVER_PORT, DEV_AUTH.  EMU_URL is left as it was.
start_devices() {
    local url=${EMU_URL:-}
    declare -F emu_start >/dev/null || . "$(dirname "${BASH_SOURCE[0]}")/emu_lib.sh"
    emu_start pdu --tls --mockup "$EMU_DATA/pdu" --user monitor --password s3cret
    PDU_PORT=${EMU_URL##*:}
    emu_start server --tls --mockup "$EMU_DATA/server" --user monitor --password s3cret
    SERVER_PORT=${EMU_URL##*:}
    EMU_URL=$url
    DEV_AUTH=$RW_WORK/bmc.auth
    (umask 077 && printf 'username=monitor\npassword=s3cret\n' >"$DEV_AUTH" &&
        printf 's3cret\n' >"$RW_WORK/bmc.pass")
    cat >"$RW_WORK/poll.yaml" <<EOY
defaults:
  timeout: 5
  ca_file: $EMU_CACERT
credentials:
  bmc:
    username: monitor
    password_file: $RW_WORK/bmc.pass
endpoints:
  - name: pdu-1
    url: https://127.0.0.1:$PDU_PORT
    kind: pdu
    credentials: bmc
  - name: srv-1
    url: https://127.0.0.1:$SERVER_PORT
    kind: server
    credentials: bmc
EOY
    "$RW_BIN_DIR/rackwatch" poll --json --config "$RW_WORK/poll.yaml" >"$RW_WORK/state.json" \
        2>"$RW_WORK/poll.err" ||
        { echo "rackwatch poll --json failed:" >&2; cat "$RW_WORK/poll.err" >&2; exit 1; }
    python3 -c 'import json, sys, time
d = json.load(open(sys.argv[1]))
for e in d["endpoints"]:
    if not e["ok"]:
        sys.exit("endpoint %s failed: %s" % (e["name"], e["error"]))
    e["polled_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1000))
json.dump(d, open(sys.argv[2], "w"))' "$RW_WORK/state.json" "$RW_WORK/stale.json" ||
        { echo "cannot write the stale snapshot" >&2; exit 1; }
}
