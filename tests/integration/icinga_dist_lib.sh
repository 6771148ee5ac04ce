# Helpers of icinga_dist.sh (source after lib.sh): an emulated site, two icinga2 nodes on
# private trees under $RW_WORK, and the master's API.  Every process is started through
# lib.sh (rw_spawn or RW_PIDS) and stopped at exit; nothing outside $RW_WORK is written.

DIST_SRC=$RW_SOURCE_DIR/config/icinga2/distributed
DIST_COMMANDS=$RW_SOURCE_DIR/config/icinga2/rackwatch.conf
# The endpoint names of the shipped zones.conf; the test's certificates carry them as CN.
MASTER_EP=icinga-master.example.net
SAT_EP=icinga-east.example.net
# Log lines a healthy run must not have.
DIST_BAD='(critical|warning)/'
# Every wait ends by this time (SECONDS), well inside ctest's TIMEOUT 300, so that a broken
# run still reaches its exit trap and stops the daemons itself.
DIST_DEADLINE=$((SECONDS + 220))
DIST_T0=$SECONDS

# dist_until SECONDS: the end of a wait of SECONDS, cut at DIST_DEADLINE.
dist_until() {
    local end=$((SECONDS + $1))
    echo $((end < DIST_DEADLINE ? end : DIST_DEADLINE))
}

dist_need() {
    command -v icinga2 >/dev/null ||
        rw_skip "icinga2 is not installed (Debian package icinga2; scripts/deps.sh test)"
    . "$(dirname "${BASH_SOURCE[0]}")/noc_lib.sh"
    . "$(dirname "${BASH_SOURCE[0]}")/emu_lib.sh"
    trap 'dist_stop_node SAT; dist_stop_node MASTER; rw_cleanup' EXIT
}

# icinga2_as_me ARGS...: the icinga2 CLI as the current user (root in CI): the Debian
# build would drop to its nagios user, which cannot write the private trees.
icinga2_as_me() {
    ICINGA2_USER=$(id -un) ICINGA2_GROUP=$(id -gn) icinga2 "$@"
}

# dist_tree DIR: the directories a node writes to; sets DIST_DEFS (its --define options).
dist_tree() {
    local d=$1 sub
    for sub in etc/zones.d data/certs log cache spool run; do
        mkdir -p "$d/$sub"
    done
    DIST_DEFS=("-DConfigDir=$d/etc" "-DZonesDir=$d/etc/zones.d" "-DDataDir=$d/data"
        "-DLogDir=$d/log" "-DCacheDir=$d/cache" "-DSpoolDir=$d/spool" "-DInitRunDir=$d/run"
        "-DPidPath=$d/run/icinga2.pid")
}

# dist_main FILE NODE ZONE [EXTRA...]: a node's icinga2.conf: its names, the plugins of
# this build, the ITL with the "ipv4-or-ipv6" template the rackwatch commands import, the
# zone tree, then the files EXTRA.  No plugins-contrib: the commands come from the global
# zone, exactly once.
dist_main() {
    local file=$1 node=$2 zone=$3 f
    shift 3
    {
        echo "const NodeName = \"$node\""
        echo "const ZoneName = \"$zone\""
        echo "const PluginDir = \"$RW_BIN_DIR\""
        echo 'include <itl>'
        echo 'include <plugins>'
        echo 'include "zones.conf"'
        for f in "$@"; do
            echo "include \"$f\""
        done
    } >"$file"
}

# dist_validate_example: the shipped tree as a master would hold it (zones.conf, zones.d,
# rackwatch.conf copied into the global zone) passes `icinga2 daemon -C`, clean.
dist_validate_example() {
    local d=$RW_WORK/example
    dist_tree "$d"
    cp "$DIST_SRC/zones.conf" "$d/etc/" && cp -r "$DIST_SRC/zones.d/." "$d/etc/zones.d/" &&
        cp "$DIST_COMMANDS" "$d/etc/zones.d/rackwatch-global/" || exit 1
    dist_main "$d/etc/icinga2.conf" "$MASTER_EP" master
    rw_run icinga2_as_me daemon -C -c "$d/etc/icinga2.conf" "${DIST_DEFS[@]}"
    RW_OUT="$RW_OUT$RW_ERR"
    if [[ $RW_RC -ne 0 ]]; then
        rw_fail "icinga.example: icinga2 daemon -C: want exit 0"
    elif grep -Eq "$DIST_BAD" <<<"$RW_OUT"; then
        rw_fail "icinga.example: warnings or errors: $(grep -E "$DIST_BAD" <<<"$RW_OUT")"
    else
        rw_pass "icinga.example: icinga2 daemon -C: no errors, no warnings"
    fi
    # Per site: PDU health and power, server power, the site's spokes (4 each); on the
    # master: the hub's spokes and liveness.
    rw_expect_output icinga.example.services "Instantiated 10 Services"
    # The hub, two satellites (cluster-zone), per site its hub view, a PDU and a BMC.
    rw_expect_output icinga.example.hosts "Instantiated 9 Hosts"
    rw_expect_output icinga.example.zones "Instantiated 4 Zones"
    rw_expect_output icinga.example.endpoints "Instantiated 3 Endpoints"
    # The commands defined twice, from the global zone and from a node's own include (as
    # `include <plugins-contrib>` does with the package's copy): refused, naming both.
    dist_main "$d/etc/icinga2.conf" "$MASTER_EP" master "$DIST_COMMANDS"
    rw_expect icinga.example.twice 1 "" \
        icinga2_as_me daemon -C -c "$d/etc/icinga2.conf" "${DIST_DEFS[@]}"
    RW_OUT="$RW_OUT$RW_ERR"
    rw_expect_output icinga.example.twice.message "critical/config: Error: Object \
'rackwatch-common' of type 'CheckCommand' re-defined: in $d/etc/zones\.d/rackwatch-global/\
rackwatch\.conf: [0-9:-]+; previous definition: in $DIST_COMMANDS: "
}

# dist_start_site: the east site, emulated on 127.0.0.1 with the certificates of make_pki
# (noc_lib.sh):
#   hub         rackwatch-emu, hub tree, listing both spokes (AggregationSources)
#   spoke-ok    rackwatch-emu in the hub's version and certificate: OK
#   spoke-down  a port held closed (dist_closed_port): Not responding
#   pdu, server rackwatch-emu (tests/data/pdu, server), polled once by `rackwatch poll
#               --json` into the site's snapshot $SITE/state.json, as rackwatchd would
# The site's rackwatchd configuration, $SITE/rackwatch.yaml, lists them all.  Sets
# HUB_PORT, OK_PORT, DOWN_PORT.
dist_start_site() {
    SITE=$RW_WORK/site
    mkdir -p "$SITE"
    make_pki
    emu_start hub --tls --mockup "$EMU_DATA/hub"
    HUB_PORT=${EMU_URL##*:}
    emu_start spoke-ok --tls --mockup "$EMU_DATA/hub" --firmware-version 3.2.0
    OK_PORT=${EMU_URL##*:}
    dist_closed_port
    emu_start pdu --tls --mockup "$EMU_DATA/pdu" --user monitor --password s3cret
    local pdu_port=${EMU_URL##*:}
    emu_start server --tls --mockup "$EMU_DATA/server" --user monitor --password s3cret
    local server_port=${EMU_URL##*:}
    EMU_URL=https://127.0.0.1:$HUB_PORT
    hub_member "https://127.0.0.1:$OK_PORT" OK
    hub_member "https://127.0.0.1:$DOWN_PORT" Critical
    (umask 077 && printf 's3cret\n' >"$SITE/bmc.pass")
    cat >"$SITE/rackwatch.yaml" <<EOY
defaults:
  timeout: 5
  ca_file: $EMU_CACERT
credentials:
  bmc:
    username: monitor
    password_file: $SITE/bmc.pass
endpoints:
  - name: pdu-east-1
    url: https://127.0.0.1:$pdu_port
    kind: pdu
    credentials: bmc
  - name: db-east-1
    url: https://127.0.0.1:$server_port
    kind: server
    credentials: bmc
hub:
  name: rpm-hub-1
  url: https://127.0.0.1:$HUB_PORT
spokes:
  - name: spoke-east-ok
    url: https://127.0.0.1:$OK_PORT
  - name: spoke-east-down
    url: https://127.0.0.1:$DOWN_PORT
state_file: $SITE/state.json
EOY
    "$RW_BIN_DIR/rackwatch" poll --json --config "$SITE/rackwatch.yaml" >"$SITE/state.json" \
        2>"$SITE/poll.err" ||
        { echo "rackwatch poll --json failed:" >&2; cat "$SITE/poll.err" >&2; exit 1; }
}

# dist_closed_port: DOWN_PORT, a port of 127.0.0.1 that refuses connections for the whole
# test (rw_hold_closed_port).
dist_closed_port() {
    rw_hold_closed_port
    DOWN_PORT=$RW_CLOSED_PORT
}

# dist_pki: an Icinga CA and one certificate per endpoint, by `icinga2 pki` (offline); each
# node's data/certs gets its own key and certificate and the CA, where the ApiListener
# looks for them.
dist_pki() {
    local ca=$RW_WORK/icinga-ca ep node
    mkdir -p "$ca"
    icinga2_as_me pki new-ca "-DDataDir=$ca" >"$ca/pki.log" 2>&1 || { cat "$ca/pki.log"; exit 1; }
    ICINGA_CA=$ca/ca/ca.crt
    for node in MASTER SAT; do
        ep=${node}_EP
        ep=${!ep}
        icinga2_as_me pki new-cert --cn "$ep" --key "$ca/$ep.key" --csr "$ca/$ep.csr" \
            >>"$ca/pki.log" 2>&1 &&
            icinga2_as_me pki sign-csr --csr "$ca/$ep.csr" --cert "$ca/$ep.crt" \
                "-DDataDir=$ca" >>"$ca/pki.log" 2>&1 || { cat "$ca/pki.log"; exit 1; }
    done
}

# dist_certs DIR EP: the node's certificates in DIR/data/certs.
dist_certs() {
    local ca=$RW_WORK/icinga-ca
    cp "$ca/$2.key" "$ca/$2.crt" "$ICINGA_CA" "$1/data/certs/" || exit 1
}

# dist_zones: the shipped zone tree on loopback: the same names, the satellite connects up
# to the master's port; site-west has no endpoint running here, so it is left out.
dist_zones() {
    cat <<EOF
object Endpoint "$MASTER_EP" {
	host = "127.0.0.1"
	port = $MASTER_PORT
}

object Zone "master" {
	endpoints = [ "$MASTER_EP" ]
}

object Endpoint "$SAT_EP" {
}

object Zone "site-east" {
	endpoints = [ "$SAT_EP" ]
	parent = "master"
}

object Zone "rackwatch-global" {
	global = true
}
EOF
}

# dist_objects: the master's zones.d: the shipped global zone with rackwatch.conf copied in,
# the shipped rules of zone master, and the test's hosts importing the shipped templates;
# every check each 2 s, so the master notices a silent satellite quickly.
dist_objects() {
    local z=$RW_WORK/master/etc/zones.d
    mkdir -p "$z/master" "$z/site-east"
    cp -r "$DIST_SRC/zones.d/rackwatch-global" "$z/" && cp "$DIST_COMMANDS" "$z/rackwatch-global/" &&
        cp "$DIST_SRC/zones.d/master/rackwatch-hub.conf" "$z/master/" || exit 1
    cat >"$z/master/hosts.conf" <<EOF
object Host "rpm-hub-1" {
	import "rackwatch-hub"
	check_command = "dummy"
	address = "127.0.0.1"
	vars.rackwatch_port = $HUB_PORT
	vars.rackwatch_cacert = "$EMU_CACERT"
	vars.rackwatch_check_interval = 2
}

object Host "$SAT_EP" {
	import "rackwatch-satellite"
	check_interval = 2s
	retry_interval = 2s
	vars.cluster_zone = "site-east"
}
EOF
    cat >"$z/site-east/hosts.conf" <<EOF
template Host "test-site-host" {
	check_command = "dummy"
	vars.rackwatch_check_interval = 2
	vars.rackwatch_state = "$SITE/state.json"
	/* The snapshot was taken once, at the start of the test. */
	vars.rackwatch_max_age = 3600
}

object Host "rpm-site-east" {
	import "rackwatch-site"
	import "test-site-host"
	address = "127.0.0.1"
	vars.rackwatch_port = $HUB_PORT
	vars.rackwatch_config = "$SITE/rackwatch.yaml"
	vars.rackwatch_cacert = "$EMU_CACERT"
}

object Host "pdu-east-1" {
	import "rackwatch-site-pdu"
	import "test-site-host"
}

object Host "db-east-1-bmc" {
	import "rackwatch-site-bmc"
	import "test-site-host"
	vars.rackwatch_endpoint = "db-east-1"
}
EOF
}

# dist_spawn VAR DIR: icinga2 daemon on DIR/etc/icinga2.conf, in its own process group
# (setsid) so that dist_stop_node reaches every process it forks; VAR_PID is its pid.
dist_spawn() {
    local var=$1 d=$2
    dist_tree "$d"
    rw_spawn "$d/out.log" setsid env ICINGA2_USER="$(id -un)" ICINGA2_GROUP="$(id -gn)" \
        icinga2 daemon -c "$d/etc/icinga2.conf" "${DIST_DEFS[@]}"
    printf -v "${var}_PID" '%s' "$RW_LAST_PID"
}

# dist_stop_node VAR: SIGTERM to the node's umbrella process, which stops its workers;
# then SIGKILL to whatever is left in its process group.
dist_stop_node() {
    local var=${1}_PID
    local pid=${!var:-}
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    kill -KILL -- "-$pid" 2>/dev/null
    emu_reaped "$pid"
    printf -v "$var" '%s' ""
}

# dist_start_nodes: certificates, then the master (API user with a fresh password) and the
# satellite (accepts the master's config and commands), each on a free loopback port.
dist_start_nodes() {
    local m=$RW_WORK/master s=$RW_WORK/sat
    MASTER_PORT=$(rw_free_port)
    SAT_PORT=$(rw_free_port)
    API_PASS=$(openssl rand -hex 16)
    dist_pki
    dist_tree "$m"
    dist_tree "$s"
    dist_certs "$m" "$MASTER_EP"
    dist_certs "$s" "$SAT_EP"
    dist_zones >"$m/etc/zones.conf"
    cp "$m/etc/zones.conf" "$s/etc/zones.conf"
    dist_objects
    cat >"$m/etc/node.conf" <<EOF
object CheckerComponent "checker" { }

object ApiListener "api" {
	bind_host = "127.0.0.1"
	bind_port = $MASTER_PORT
	accept_config = false
	accept_commands = false
}

object ApiUser "rackwatch-test" {
	password = "$API_PASS"
	permissions = [ "*" ]
}
EOF
    cat >"$s/etc/node.conf" <<EOF
object CheckerComponent "checker" { }

object ApiListener "api" {
	bind_host = "127.0.0.1"
	bind_port = $SAT_PORT
	accept_config = true
	accept_commands = true
}
EOF
    dist_main "$m/etc/icinga2.conf" "$MASTER_EP" master "node.conf"
    dist_main "$s/etc/icinga2.conf" "$SAT_EP" site-east "node.conf"
    (umask 077 && printf 'user = "rackwatch-test:%s"\n' "$API_PASS" >"$RW_WORK/api.curlrc")
    dist_spawn MASTER "$m"
    rw_wait_port "$MASTER_PORT" 30 || exit 1
    DIST_T0=$SECONDS
    dist_spawn SAT "$s"
    dist_wait_connected
}

# dist_api PATH [CURL ARGS...]: a request to the master's API over TLS, verified against
# the Icinga CA under the master's endpoint name, which resolves to 127.0.0.1 only here.
dist_api() {
    local path=$1
    shift
    curl -sS --max-time 10 --cacert "$ICINGA_CA" -K "$RW_WORK/api.curlrc" \
        --resolve "$MASTER_EP:$MASTER_PORT:127.0.0.1" -H 'Accept: application/json' "$@" \
        "https://$MASTER_EP:$MASTER_PORT$path"
}

# dist_wait_connected [false]: until the master sees the satellite connected (or, with
# "false", disconnected); 60 s at most.
dist_wait_connected() {
    local want=${1:-true} end
    end=$(dist_until 60)
    while ((SECONDS < end)); do
        if dist_api "/v1/objects/endpoints/$SAT_EP?attrs=connected" 2>/dev/null |
            grep -q "\"connected\":$want"; then
            rw_pass "icinga.connected: the master sees the satellite connected: $want"
            # A figure for the report, not an assertion.
            echo "  at $((SECONDS - DIST_T0)) s (seconds since the satellite was started)"
            return 0
        fi
        sleep 0.2
    done
    RW_OUT=$(tail -n 20 "$RW_WORK/sat/out.log") RW_ERR=$(tail -n 20 "$RW_WORK/master/out.log")
    rw_fail "icinga.connected: the master does not see connected: $want within 60 s"
    exit 1
}

# dist_reschedule TYPE FILTER: forces a check now of every TYPE object FILTER selects.
dist_reschedule() {
    dist_api /v1/actions/reschedule-check -X POST -d \
        "{\"type\": \"$1\", \"filter\": \"$2\", \"force\": true}" >"$RW_WORK/reschedule.out" ||
        { cat "$RW_WORK/reschedule.out"; echo "reschedule-check failed" >&2; }
}

# dist_get TYPE NAME: one object as the master has it, one tab-separated line:
#   state  check_source  output (lines joined by " // ")  perfdata  last_check  next_update  now
# TYPE is hosts or services; NAME a host or HOST!SERVICE.  Empty before the first result.
dist_get() {
    dist_api "/v1/objects/$1/$2?attrs=state&attrs=last_check_result&attrs=last_check&attrs=next_update" \
        2>/dev/null | python3 -c "$DIST_GET_PY" 2>/dev/null
}

DIST_GET_PY='
import json, sys, time
for r in json.load(sys.stdin)["results"]:
    a = r["attrs"]
    cr = a.get("last_check_result") or {}
    if not cr:
        continue
    out = cr.get("output", "").replace("\n", " // ")
    # Perfdata of plugins comes as strings, that of checks inside Icinga (cluster-zone) as objects.
    perf = " ".join(p if isinstance(p, str) else "%s=%s" % (p["label"], p["value"])
                    for p in cr.get("performance_data") or [])
    print("\t".join([str(int(a["state"])), cr.get("check_source", ""), out, perf,
                     "%.6f" % a["last_check"], "%.6f" % a["next_update"], "%.6f" % time.time()]))
'

# dist_expect NAME TYPE OBJECT REGEX [AFTER]: polls the master (60 s at most) until OBJECT's
# record matches REGEX (and, with AFTER, was checked after that time); passes or fails NAME.
dist_expect() {
    local name=$1 type=$2 obj=$3 pattern=$4 after=${5:-0} line end
    end=$(dist_until 60)
    while :; do
        line=$(dist_get "$type" "$obj")
        if grep -Eq -- "$pattern" <<<"$line" &&
            awk -F'\t' -v t="$after" '{ exit !($5 > t) }' <<<"$line"; then
            rw_pass "$name"
            printf '  %s (at %d s): %s\n' "$obj" "$((SECONDS - DIST_T0))" "$(cut -f 1-4 <<<"$line")"
            return 0
        fi
        ((SECONDS < end)) || break
        sleep 0.25
    done
    RW_RC="" RW_OUT="$line" RW_ERR=$(grep -E "$DIST_BAD" "$RW_WORK/master/out.log" | tail -n 5)
    rw_fail "$name: $obj does not match /$pattern/ within 60 s"
}

# The services the satellite runs for site-east.
DIST_SITE_SERVICES=("rpm-site-east!rackwatch-site-spokes" "pdu-east-1!rackwatch-pdu"
    "pdu-east-1!rackwatch-pdu-power" "db-east-1-bmc!rackwatch-server")

# dist_site_results: the master records what the satellite checked: the site's spokes (one
# OK, one Not responding), the PDU's inlet power with perfdata, the server; the master's
# own checks of the hub, and the satellite's zone connected.
dist_site_results() {
    local t=$'\t' sat="$SAT_EP" master="$MASTER_EP" ok="127\.0\.0\.1:$OK_PORT"
    local down="127\.0\.0\.1:$DOWN_PORT"
    dist_reschedule Service 'true'
    dist_expect icinga.site.spokes services "rpm-site-east!rackwatch-site-spokes" \
        "^2${t}${sat}${t}HUBSPOKE CRITICAL - 2 spokes: 1 OK, 1 Not responding *( // |${t})"
    dist_expect icinga.site.spoke_ok services "rpm-site-east!rackwatch-site-spokes" \
        "${t}${sat}${t}[^${t}]* // spoke-east-ok \(${ok}\): OK - version 3\.2\.0, [^${t}]*; \
hub reports Health OK"
    dist_expect icinga.site.spoke_not_responding services \
        "rpm-site-east!rackwatch-site-spokes" \
        "${t}${sat}${t}[^${t}]* // spoke-east-down \(${down}\): Not responding - no TLS \
handshake: connect to ${down}: Connection refused; hub reports Health Critical"
    dist_expect icinga.site.pdu_power services "pdu-east-1!rackwatch-pdu-power" \
        "^1${t}${sat}${t}PDU WARNING - inlet AC1 power 9961\.3 W *( // [^${t}]*)?${t}'?AC1_power'?=9961\.3W;9000;11000;0$t"
    dist_expect icinga.site.pdu_health services "pdu-east-1!rackwatch-pdu" \
        "^2${t}${sat}${t}PDU CRITICAL - branch C health Critical \(breaker Tripped\)${t}"
    dist_expect icinga.site.server services "db-east-1-bmc!rackwatch-server" \
        "^1${t}${sat}${t}SERVER WARNING - server 1 health Warning *( // [^${t}]*)?${t}'?power'?=352W;600;800;0$t"
    dist_expect icinga.master.hub_spokes services "rpm-hub-1!rackwatch-spokes" \
        "^2${t}${master}${t}HUBSPOKE CRITICAL - 2 spokes: 1 OK, 1 Not responding *( // |${t})"
    dist_expect icinga.master.hub_liveness services "rpm-hub-1!rackwatch-liveness" \
        "^0${t}${master}${t}SPOKE OK - 127\.0\.0\.1:$HUB_PORT answered HTTP 200"
    dist_expect icinga.master.zone_up hosts "$SAT_EP" \
        "^0${t}${master}${t}Zone 'site-east' is connected"
}

# dist_synced: the satellite runs the commands and rules it received from the master in
# the global zone (its own configuration has none), byte for byte the shipped files.
dist_synced() {
    local got=$RW_WORK/sat/data/api/zones/rackwatch-global/_etc f
    for f in "$DIST_COMMANDS" "$DIST_SRC/zones.d/rackwatch-global/rackwatch-sites.conf"; do
        if cmp -s "$f" "$got/$(basename "$f")"; then
            rw_pass "icinga.synced: $(basename "$f") reached the satellite in the global zone"
        else
            RW_RC="" RW_OUT=$(ls -lR "$RW_WORK/sat/data/api/zones" 2>&1) RW_ERR=""
            rw_fail "icinga.synced: $(basename "$f") is not in the satellite's global zone"
        fi
    done
}

# dist_satellite_down: the satellite stops.  The master shows its zone DOWN; the site's
# checks, forced again from the master, do not run: their last check stays where it was
# and they become late (next_update in the past, Icinga Web's "late" / Icinga DB's
# is_overdue).  The master's check of the hub still reports the site's spokes, from the
# hub's own list.
dist_satellite_down() {
    local t=$'\t' master="$MASTER_EP" ok="127\.0\.0\.1:$OK_PORT" svc line forced
    local -A before=()
    dist_stop_node SAT
    dist_wait_connected false
    for svc in "${DIST_SITE_SERVICES[@]}"; do
        before[$svc]=$(dist_get services "$svc" | cut -f 5)
    done
    forced=$(python3 -c 'import time; print("%.6f" % time.time())')
    dist_reschedule Host "host.name == \\\"$SAT_EP\\\""
    dist_reschedule Service 'true'
    dist_expect icinga.down.zone hosts "$SAT_EP" \
        "^1${t}${master}${t}Zone 'site-east' is not connected" "$forced"
    # The hub's view, checked by the master after the satellite stopped, still lists the
    # site's spokes with the hub's own health for each.
    dist_expect icinga.down.hub_view services "rpm-hub-1!rackwatch-spokes" \
        "^2${t}${master}${t}HUBSPOKE CRITICAL - 2 spokes: 1 OK, 1 Not responding *// [^${t}]*${ok}\): OK - [^${t}]*hub reports Health OK" \
        "$forced"
    for svc in "${DIST_SITE_SERVICES[@]}"; do
        line=$(dist_get services "$svc")
        RW_RC="" RW_OUT="$line" RW_ERR="last_check before the reschedule: ${before[$svc]}"
        if [[ -n ${before[$svc]} && $(cut -f 5 <<<"$line") == "${before[$svc]}" ]]; then
            rw_pass "icinga.down.frozen: $svc: forced, not checked since the satellite stopped"
        else
            rw_fail "icinga.down.frozen: $svc: its last check moved"
        fi
        dist_expect_late "icinga.down.late: $svc" "$svc"
    done
}

# dist_expect_late NAME SERVICE: the service's next_update passes (60 s at most): late.
dist_expect_late() {
    local name=$1 svc=$2 line end
    end=$(dist_until 60)
    while :; do
        line=$(dist_get services "$svc")
        if awk -F'\t' '$6 != "" && $6 < $7 { ok = 1 } END { exit !ok }' <<<"$line"; then
            rw_pass "$name"
            return 0
        fi
        ((SECONDS < end)) || break
        sleep 0.25
    done
    RW_RC="" RW_OUT="$line" RW_ERR=""
    rw_fail "$name: next_update still ahead after 60 s"
}

# dist_clean_log NAME FILE: no warning nor critical line in a node's log, but for the
# master's note of the satellite's one disconnection: a satellite restarts itself to load
# the configuration the master synced to it.
dist_clean_log() {
    local bad
    bad=$(grep -E "$DIST_BAD" "$2" | grep -Ev "(API client disconnected for identity|\
Removing API client for endpoint) '$SAT_EP'")
    if [[ -n $bad ]]; then
        RW_RC="" RW_OUT="" RW_ERR=$(head -n 20 <<<"$bad")
        rw_fail "icinga.log.$1: warnings or errors in the log"
    else
        rw_pass "icinga.log.$1: no warning, no error"
    fi
}
