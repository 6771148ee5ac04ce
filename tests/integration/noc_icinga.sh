# The shipped Icinga 2 definitions (config/icinga2) in the real core: validated by
# `icinga2 daemon -C`, then run for real against local spokes.  One case per run:
# noc_icinga.sh CASE.  Icinga 2 runs on a private tree under $RW_WORK (its own constants,
# state, log, spool): /etc/icinga2 and the system service are never touched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/noc_lib.sh"

ICINGA_CONF_DIR="$RW_SOURCE_DIR/config/icinga2"

# icinga_tree: the private directories Icinga 2 writes to; sets ICINGA_DEFS (the -D options).
icinga_tree() {
    local root=$RW_WORK/icinga d
    ICINGA_DEFS=()
    for d in Data Log Cache Spool InitRun; do
        mkdir -p "$root/$d"
        ICINGA_DEFS+=("-D${d}Dir=$root/$d")
    done
}

# icinga2_cmd ARGS...: the icinga2 CLI as root in CI: the Debian package would drop to its
# nagios user, which cannot write the private tree; ICINGA2_USER/GROUP keep it root.
icinga2_cmd() {
    ICINGA2_USER=$(id -un) ICINGA2_GROUP=$(id -gn) icinga2 "$@"
}

# icinga_main FILE EXTRA...: a private icinga2.conf: the ITL, the plugin commands and the
# contributed ones (the package puts rackwatch.conf among them: no name may clash), the
# shipped rackwatch commands, then the files EXTRA.
icinga_main() {
    local file=$1 f
    shift
    {
        echo "const PluginDir = \"$RW_BIN_DIR\""
        echo "const PluginContribDir = \"$RW_BIN_DIR\""
        echo 'const NodeName = "rackwatch-test"'
        echo 'const ZoneName = "rackwatch-test"'
        echo 'include <itl>'
        echo 'include <plugins>'
        echo 'include <plugins-contrib>'
        echo "include \"$ICINGA_CONF_DIR/rackwatch.conf\""
        for f in "$@"; do
            echo "include \"$f\""
        done
    } >"$file"
}

need_icinga2() {
    command -v icinga2 >/dev/null ||
        rw_skip "icinga2 is not installed (Debian package icinga2; scripts/deps.sh test)"
}

# Core messages that are not errors but must not appear either.
ICINGA_BAD='(critical|warning)/'

case_icinga_validate() {
    need_icinga2
    icinga_tree
    icinga_main "$RW_WORK/icinga2.conf" "$ICINGA_CONF_DIR/rackwatch-example.conf"
    rw_run icinga2_cmd daemon -C -c "$RW_WORK/icinga2.conf" "${ICINGA_DEFS[@]}"
    RW_OUT="$RW_OUT$RW_ERR"
    if [[ $RW_RC -ne 0 ]]; then
        rw_fail "icinga2 daemon -C: want exit 0"
    elif grep -Eq "$ICINGA_BAD" <<<"$RW_OUT"; then
        rw_fail "icinga2 daemon -C: warnings or errors: $(grep -E "$ICINGA_BAD" <<<"$RW_OUT")"
    else
        rw_pass "icinga2 daemon -C: no errors, no warnings"
    fi
    # Liveness for the hub and both spokes, certificates and version for the spokes, the
    # spokes seen from the hub (8); health, inlet power and branch load of both PDUs (6);
    # state with power draw, and inlet temperature of both servers (4).
    rw_expect_output icinga.services "Instantiated 18 Services"
    # The hub, two spokes, two PDUs, two BMCs.
    rw_expect_output icinga.hosts "Instantiated 7 Hosts"
    # The command must exist under the name the example uses.
    rw_expect_output icinga.commands "Instantiated [0-9]+ CheckCommands"
}

# A definition the core must refuse, to show that -C really reads the shipped file.
case_icinga_negative() {
    need_icinga2
    icinga_tree
    cat >"$RW_WORK/bad.conf" <<'EOF'
object Host "h" {
	check_command = "dummy"
	address = "127.0.0.1"
}
object Service "s" {
	host_name = "h"
	check_command = "spoke_liveness_typo"
}
EOF
    icinga_main "$RW_WORK/icinga2.conf" "$RW_WORK/bad.conf"
    rw_expect icinga.unknown_command 1 "" \
        icinga2_cmd daemon -C -c "$RW_WORK/icinga2.conf" "${ICINGA_DEFS[@]}"
    RW_OUT="$RW_OUT$RW_ERR"
    rw_expect_output icinga.unknown_command.message \
        "Validation failed for object 'h!s' of type 'Service'; Attribute 'check_command': \
Object 'spoke_liveness_typo' of type 'CheckCommand' does not exist"
}

# icinga_writer_conf: the checker and a perfdata writer, the first lines of a run's
# objects.  The writer rotates its file every second so results reach the disk quickly;
# its lines carry $service.output$ too, last: the long output after its first line goes
# on lines of its own.
icinga_writer_conf() {
    local out=$RW_WORK/perfdata
    mkdir -p "$out"
    cat <<EOF
object CheckerComponent "checker" { }

object PerfdataWriter "perfdata" {
	host_perfdata_path = "$out/host-perfdata"
	service_perfdata_path = "$out/service-perfdata"
	host_temp_path = "$RW_WORK/host-perfdata.tmp"
	service_temp_path = "$RW_WORK/service-perfdata.tmp"
	service_format_template = {{{SERVICE::\$host.name\$!\$service.name\$	STATE::\$service.state\$	\
PERFDATA::\$service.perfdata\$	OUTPUT::\$service.output\$}}}
	rotation_interval = 1s
}
EOF
}

# The objects Icinga 2 runs, checked every second through the shipped commands: one host
# per server of start_spokes (noc_lib.sh).  The hub's host runs liveness and hubspoke (its
# spokes seen from the hub), as does no-port, which sets no port: the plugins go to 443,
# where nothing that trusts our fresh CA can answer.  Hosts set the shared rackwatch_*
# variables, as the example does.
icinga_run_conf() {
    icinga_writer_conf >"$RW_WORK/run.conf"
    cat >>"$RW_WORK/run.conf" <<EOF
template Host "test-server" {
	check_command = "dummy"
	enable_active_checks = false
	address = "127.0.0.1"
	vars.rackwatch_cacert = "$PKI/ca.crt"
}

template Host "test-spoke" {
	import "test-server"
	vars.rackwatch_role = "spoke"
	vars.rackwatch_hub = "127.0.0.1"
	vars.rackwatch_hub_port = $HUB_PORT
}

object Host "hub" {
	import "test-server"
	vars.rackwatch_role = "hub"
	vars.rackwatch_port = $HUB_PORT
}

/* No port anywhere: the commands must leave --port out (the plugins' 443, closed here). */
object Host "no-port" {
	import "test-server"
	vars.rackwatch_role = "hub"
}

object Host "spoke-ok" {
	import "test-spoke"
	vars.rackwatch_port = $OK_PORT
	vars.spoke_liveness_warning = 60
	vars.spoke_liveness_critical = 120
}

object Host "spoke-degraded" {
	import "test-spoke"
	address = "localhost"
	vars.rackwatch_port = $OK_PORT
}

object Host "spoke-mismatch" {
	import "test-spoke"
	vars.rackwatch_port = $MISMATCH_PORT
}

object Host "spoke-down" {
	import "test-spoke"
	vars.rackwatch_port = $DOWN_PORT
}

object Host "spoke-same" {
	import "test-spoke"
	vars.rackwatch_port = $SAME_PORT
	vars.test_version = true
}

object Host "spoke-old" {
	import "test-spoke"
	vars.rackwatch_port = $OLD_PORT
	vars.test_version = true
}

apply Service "liveness" {
	check_command = "spoke_liveness"
	check_interval = 1s
	retry_interval = 1s
	assign where host.vars.rackwatch_role in [ "hub", "spoke" ]
}

apply Service "certificates" {
	check_command = "spoke_cert"
	check_interval = 1s
	retry_interval = 1s
	assign where host.vars.rackwatch_role == "spoke" && !host.vars.test_version
}

apply Service "spokes" {
	check_command = "hubspoke"
	check_interval = 1s
	retry_interval = 1s
	assign where host.vars.rackwatch_role == "hub"
}

apply Service "version" {
	check_command = "spoke_version"
	check_interval = 1s
	retry_interval = 1s
	vars.spoke_version_policy = "same-minor"
	assign where host.vars.test_version
}
EOF
}

# wait_result HOST_SERVICE: polls the rotated perfdata files (60 s at most) for a result of
# HOST_SERVICE; prints its last line.
wait_result() {
    local key=$1 line end=$((SECONDS + 60))
    while ((SECONDS < end)); do
        line=$(cat "$RW_WORK"/perfdata/service-perfdata.* 2>/dev/null |
            grep -F "SERVICE::$key"$'\t' | tail -n 1)
        if [[ -n $line ]]; then
            printf '%s\n' "$line"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# expect_result NAME HOST_SERVICE REGEX: the recorded result of HOST_SERVICE matches REGEX.
expect_result() {
    local name=$1 key=$2 pattern=$3
    RW_OUT=$(wait_result "$key")
    RW_RC=$?
    RW_ERR=$(tail -n 20 "$RW_WORK/icinga.log")
    if [[ $RW_RC -ne 0 ]]; then
        rw_fail "$name: no result for $key within 60 s"
    elif ! grep -Eq -- "$pattern" <<<"$RW_OUT"; then
        rw_fail "$name: result does not match /$pattern/"
    else
        rw_pass "$name"
        printf '  recorded: %s\n' "$RW_OUT"
    fi
}

# stop_icinga: stops the Icinga 2 started by icinga_start.  SIGTERM to its umbrella
# process, which stops and reaps the daemon and the process spawn helper; then SIGKILL to
# anything left in its process group (setsid made one).
stop_icinga() {
    if [[ -n ${ICINGA_PID:-} ]]; then
        kill -TERM "$ICINGA_PID" 2>/dev/null
        wait "$ICINGA_PID" 2>/dev/null
        kill -KILL -- "-$ICINGA_PID" 2>/dev/null
        ICINGA_PID=
    fi
}

# icinga_results: what Icinga 2 recorded for each spoke.  It keeps the output before '|'
# as it is and writes the perfdata normalised (labels unquoted, empty fields dropped).
icinga_results() {
    local tab=$'\t' hub="127\.0\.0\.1:$HUB_PORT" ok="127\.0\.0\.1:$OK_PORT"
    # spoke-ok also has thresholds: they reach the plugin (-w/-c) and its perfdata.
    expect_result icinga.run.liveness.ok "spoke-ok!liveness" "STATE::OK${tab}PERFDATA::\
time=[0-9.]+s;60;120;0 tls_handshake=[0-9.]+s;;;0${tab}OUTPUT::SPOKE OK - $ok answered \
HTTP 200 in [0-9.]+ s[;:,] hub $hub reports state Enabled, health OK *$"
    expect_result icinga.run.liveness.hub_warning "spoke-degraded!liveness" \
        "STATE::WARNING${tab}PERFDATA::time=[^${tab}]+${tab}OUTPUT::SPOKE WARNING - \
localhost:$OK_PORT answered HTTP 200 in [0-9.]+ s[;:,] hub $hub reports state Enabled, \
health Warning *$"
    expect_result icinga.run.liveness.hub "hub!liveness" "STATE::OK${tab}PERFDATA::\
time=[0-9.]+s;;;0 tls_handshake=[0-9.]+s;;;0${tab}OUTPUT::SPOKE OK - $hub answered \
HTTP 200 in [0-9.]+ s *$"
    expect_result icinga.run.liveness.not_responding "spoke-down!liveness" \
        "STATE::CRITICAL${tab}PERFDATA::time=[0-9.]+s;;;0 tls_handshake=0s;;;0${tab}\
OUTPUT::SPOKE CRITICAL - Not responding: 127\.0\.0\.1:$DOWN_PORT: connection refused"
    expect_result icinga.run.liveness.default_port "no-port!liveness" "STATE::CRITICAL${tab}\
PERFDATA::[^${tab}]*${tab}OUTPUT::SPOKE CRITICAL - Not responding: 127\.0\.0\.1:443: "
    expect_result icinga.run.hubspoke.default_port "no-port!spokes" "STATE::CRITICAL${tab}\
PERFDATA::[^${tab}]*${tab}OUTPUT::HUBSPOKE CRITICAL - hub 127\.0\.0\.1:443: Not responding"
    expect_result icinga.run.cert.ok "spoke-ok!certificates" "STATE::OK${tab}PERFDATA::\
spoke_days_left=[0-9.]+;30:;14: hub_days_left=[0-9.]+;30:;14:${tab}OUTPUT::SPOKE_CERT OK - "
    expect_result icinga.run.cert.mismatch "spoke-mismatch!certificates" \
        "STATE::CRITICAL${tab}PERFDATA::[^${tab}]*${tab}OUTPUT::SPOKE_CERT CRITICAL - \
Certificates Do Not Match"
    expect_result icinga.run.cert.not_responding "spoke-down!certificates" \
        "STATE::CRITICAL${tab}PERFDATA::[^${tab}]*${tab}OUTPUT::SPOKE_CERT CRITICAL - \
Not responding: "
    # The hub's view of its five spokes: the s_server ones are not Redfish services.
    expect_result icinga.run.hubspoke "hub!spokes" "STATE::CRITICAL${tab}PERFDATA::\
1_time=[^${tab}]* 5_days_left=400;30:;14:${tab}OUTPUT::HUBSPOKE CRITICAL - 5 spokes: 1 OK, \
1 Hub/Spoke Versions Not Compatible, 3 Invalid Server or Versions Not Compatible *$"
    expect_result icinga.run.version.ok "spoke-same!version" \
        "STATE::OK${tab}PERFDATA::[^${tab}]*${tab}OUTPUT::SPOKE_VERSION OK - "
    expect_result icinga.run.version.old "spoke-old!version" \
        "STATE::CRITICAL${tab}PERFDATA::[^${tab}]*${tab}OUTPUT::SPOKE_VERSION CRITICAL - \
Hub/Spoke Versions Not Compatible"
}

# icinga_start: Icinga 2 on $RW_WORK/icinga2.conf, stopped at exit.
icinga_start() {
    trap 'stop_icinga; rw_cleanup' EXIT
    # setsid: its own process group, so stop_icinga reaches every process it forks.
    rw_spawn "$RW_WORK/icinga.log" setsid env ICINGA2_USER="$(id -un)" \
        ICINGA2_GROUP="$(id -gn)" icinga2 daemon -c "$RW_WORK/icinga2.conf" "${ICINGA_DEFS[@]}"
    ICINGA_PID=$RW_LAST_PID
}

# icinga_stop_clean NAME: stops Icinga 2; NAME passes when its log has no warning or
# error: an undefined macro in a shipped command would show up there.
icinga_stop_clean() {
    stop_icinga
    if grep -Eq "$ICINGA_BAD" "$RW_WORK/icinga.log"; then
        RW_ERR=$(grep -E "$ICINGA_BAD" "$RW_WORK/icinga.log")
        rw_fail "$1: warnings or errors in the Icinga 2 log"
    else
        rw_pass "$1: no warning, no error"
    fi
}

case_icinga_run() {
    need_icinga2
    start_spokes
    icinga_tree
    icinga_run_conf
    icinga_main "$RW_WORK/icinga2.conf" "$RW_WORK/run.conf"
    icinga_start
    icinga_results
    icinga_stop_clean icinga.run.log
}

# The PDU and server commands (pdu, server) on the devices of start_devices (noc_lib.sh),
# live and from the daemon's snapshot, through the apply rules' variables the example
# uses: arrays for --outlet and --expect-outlet-state, set_if for --ignore-health, the
# shared rackwatch_* variables for the port, CA, credentials, state file and endpoint.
icinga_devices_conf() {
    icinga_writer_conf >"$RW_WORK/devices.conf"
    cat >>"$RW_WORK/devices.conf" <<EOF
template Host "test-device" {
	check_command = "dummy"
	enable_active_checks = false
	address = "127.0.0.1"
	vars.rackwatch_cacert = "$PKI/ca.crt"
	vars.rackwatch_authfile = "$DEV_AUTH"
	/* A TLS setting of the host's other checks: the Redfish plugins refuse --sni, so the
	 * pdu and server commands must leave it out. */
	vars.rackwatch_sni = "localhost"
	/* For state mode only: the live checks must leave --max-age out (refused with -H). */
	vars.rackwatch_max_age = 600
}

/* Live: --hostname and --port. */
object Host "pdu-live" {
	import "test-device"
	vars.rackwatch_role = "pdu"
	vars.rackwatch_port = $PDU_PORT
}

/* State mode, the endpoint named as the host; the port is for live checks only. */
object Host "pdu-1" {
	import "test-device"
	vars.rackwatch_role = "pdu"
	vars.rackwatch_port = $PDU_PORT
	vars.rackwatch_state = "$RW_WORK/state.json"
}

/* State mode on data polled 1000 s ago, under another endpoint name than the host's.  No
 * address, CA nor credentials: reading the snapshot needs none. */
object Host "pdu-stale" {
	check_command = "dummy"
	enable_active_checks = false
	vars.rackwatch_max_age = 600
	vars.rackwatch_role = "pdu-stale"
	vars.rackwatch_state = "$RW_WORK/stale.json"
	vars.rackwatch_endpoint = "pdu-1"
}

object Host "bmc-live" {
	import "test-device"
	vars.rackwatch_role = "server"
	vars.rackwatch_port = $SERVER_PORT
}

object Host "bmc-state" {
	import "test-device"
	vars.rackwatch_role = "server"
	vars.rackwatch_state = "$RW_WORK/state.json"
	vars.rackwatch_endpoint = "srv-1"
}

apply Service "health" {
	check_command = "pdu"
	check_interval = 1s
	retry_interval = 1s
	assign where host.vars.rackwatch_role in [ "pdu", "pdu-stale" ]
}

apply Service "power" {
	check_command = "pdu"
	check_interval = 1s
	retry_interval = 1s
	vars.pdu_metric = "inlet-power"
	vars.pdu_warning = 9000
	vars.pdu_critical = 11000
	vars.pdu_ignore_health = true
	assign where host.vars.rackwatch_role == "pdu"
}

apply Service "outlets" {
	check_command = "pdu"
	check_interval = 1s
	retry_interval = 1s
	vars.pdu_metric = "outlet-current"
	vars.pdu_outlets = [ "A1", "A2" ]
	vars.pdu_expect_outlet_state = [ "A1=On", "B2=Off" ]
	vars.pdu_ignore_health = true
	assign where host.vars.rackwatch_role == "pdu"
}

apply Service "server" {
	check_command = "server"
	check_interval = 1s
	retry_interval = 1s
	vars.server_metric = "power"
	vars.server_critical = 300
	assign where host.vars.rackwatch_role == "server"
}
EOF
}

# expect_same NAME KEY1 KEY2: the two services recorded the same state, perfdata and
# output (live and state mode on the same data).
expect_same() {
    local name=$1 a b
    a=$(wait_result "$2" | cut -f 2-)
    b=$(wait_result "$3" | cut -f 2-)
    RW_RC=0 RW_OUT="$2: $a" RW_ERR="$3: $b"
    if [[ -n $a && $a == "$b" ]]; then
        rw_pass "$name"
    else
        rw_fail "$name: $2 and $3 differ"
    fi
}

icinga_device_results() {
    local tab=$'\t' host
    for host in pdu-live pdu-1; do
        expect_result "icinga.devices.$host.health" "$host!health" "STATE::CRITICAL${tab}\
PERFDATA::${tab}OUTPUT::PDU CRITICAL - branch C health Critical \(breaker Tripped\)$"
        expect_result "icinga.devices.$host.power" "$host!power" "STATE::WARNING${tab}\
PERFDATA::AC1_power=9961\.3W;9000;11000;0${tab}OUTPUT::PDU WARNING - inlet AC1 power \
9961\.3 W *$"
        expect_result "icinga.devices.$host.outlets" "$host!outlets" "STATE::OK${tab}\
PERFDATA::A1_current=0\.82A;;;0;10 A2_current=1\.21A;;;0;10${tab}OUTPUT::PDU OK - current \
of 2 elements OK, highest 1\.21 A \(outlet A2\); 1 PDU, health not checked, outlet states \
as expected *$"
    done
    for host in bmc-live bmc-state; do
        expect_result "icinga.devices.$host.server" "$host!server" "STATE::CRITICAL${tab}\
PERFDATA::power=352W;;300;0${tab}OUTPUT::SERVER CRITICAL - server 1 health Warning; \
server 1 power 352 W *$"
    done
    expect_result icinga.devices.stale "pdu-stale!health" "STATE::UNKNOWN${tab}PERFDATA::\
${tab}OUTPUT::PDU UNKNOWN - data of endpoint pdu-1 is [0-9]+ s old \(--max-age 600\)$"
    for svc in health power outlets; do
        expect_same "icinga.devices.same.$svc: live and state agree" "pdu-live!$svc" \
            "pdu-1!$svc"
    done
    expect_same "icinga.devices.same.server: live and state agree" "bmc-live!server" \
        "bmc-state!server"
}

case_icinga_devices() {
    need_icinga2
    make_pki
    start_devices
    icinga_tree
    icinga_devices_conf
    icinga_main "$RW_WORK/icinga2.conf" "$RW_WORK/devices.conf"
    icinga_start
    icinga_device_results
    icinga_stop_clean icinga.devices.log
}

case "${1:-}" in
    validate) case_icinga_validate ;;
    negative) case_icinga_negative ;;
    run) case_icinga_run ;;
    devices) case_icinga_devices ;;
    *)
        echo "usage: $0 validate|negative|run|devices" >&2
        exit 2
        ;;
esac
rw_done
