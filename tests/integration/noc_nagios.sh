# The shipped Nagios 4 definitions (config/nagios) in the real core: validated by
# `nagios4 -v`, then run for real against local spokes.  One case per run:
# noc_nagios.sh CASE.  Nagios runs on a private nagios.cfg under $RW_WORK: /etc/nagios4
# and the system service are never touched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/noc_lib.sh"

NAGIOS_CONF_DIR="$RW_SOURCE_DIR/config/nagios"

need_nagios4() {
    command -v nagios4 >/dev/null ||
        rw_skip "nagios4 is not installed (Debian package nagios4-core; scripts/deps.sh test)"
}

# nagios_tree: a private nagios.cfg with the minimal objects Debian's templates would give
# (generic-host, generic-service, a contact, 24x7) so the test does not depend on /etc.
nagios_tree() {
    local n=$RW_WORK/nagios
    mkdir -p "$n/spool" "$n/rw"
    cat >"$n/base.cfg" <<'EOF'
define timeperiod {
    timeperiod_name 24x7
    alias           always
    monday          00:00-24:00
    tuesday         00:00-24:00
    wednesday       00:00-24:00
    thursday        00:00-24:00
    friday          00:00-24:00
    saturday        00:00-24:00
    sunday          00:00-24:00
}
define command {
    command_name    notify-none
    command_line    /bin/true
}
define command {
    command_name    check-host-alive
    command_line    $USER1$/check_ping -H '$HOSTADDRESS$' -w 3000.0,80% -c 5000.0,100% -p 1
}
define contact {
    contact_name                    noc
    host_notifications_enabled      0
    service_notifications_enabled   0
    host_notification_period        24x7
    service_notification_period     24x7
    host_notification_options       n
    service_notification_options    n
    host_notification_commands      notify-none
    service_notification_commands   notify-none
}
define host {
    name                    generic-host
    max_check_attempts      3
    check_period            24x7
    notification_interval   0
    notification_period     24x7
    contacts                noc
    register                0
}
define service {
    name                    generic-service
    max_check_attempts      3
    check_interval          5
    retry_interval          1
    check_period            24x7
    notification_interval   0
    notification_period     24x7
    contacts                noc
    register                0
}
EOF
    echo "\$USER1\$=$RW_BIN_DIR" >"$n/resource.cfg"
    cat >"$n/nagios.cfg" <<EOF
log_file=$n/nagios.log
cfg_file=$n/base.cfg
cfg_file=$NAGIOS_CONF_DIR/rackwatch.cfg
cfg_file=$NAGIOS_CONF_DIR/rackwatch-example.cfg
resource_file=$n/resource.cfg
object_cache_file=$n/objects.cache
precached_object_file=$n/objects.precache
status_file=$n/status.dat
temp_file=$n/nagios.tmp
temp_path=$n
lock_file=$n/nagios.pid
command_file=$n/rw/nagios.cmd
query_socket=$n/rw/nagios.qh
check_result_path=$n/spool
state_retention_file=$n/retention.dat
nagios_user=$(id -un)
nagios_group=$(id -gn)
use_syslog=0
illegal_macro_output_chars=\`~\$&|'"<>
EOF
}

case_nagios_validate() {
    need_nagios4
    nagios_tree
    rw_run nagios4 -v "$RW_WORK/nagios/nagios.cfg"
    if [[ $RW_RC -ne 0 ]]; then
        rw_fail "nagios4 -v: want exit 0"
    else
        rw_pass "nagios4 -v: exit 0"
    fi
    rw_expect_output nagios.errors "Total Errors: +0$"
    rw_expect_output nagios.warnings "Total Warnings: +0$"
    # Spokes and hub: 8; the PDUs' health and power: 4; the servers: 2.
    rw_expect_output nagios.services "Checked 14 services\."
    # The hub, two spokes, two PDUs, two servers.
    rw_expect_output nagios.hosts "Checked 7 hosts\."
    rw_expect_output nagios.commands "Checked [0-9]+ commands\."
}

# A service naming a command the shipped file does not define: nagios4 -v refuses it.
case_nagios_negative() {
    need_nagios4
    nagios_tree
    local example=$RW_WORK/nagios/example.cfg
    sed 's/rackwatch_spoke_liveness!/rackwatch_spoke_liveness_typo!/' \
        "$NAGIOS_CONF_DIR/rackwatch-example.cfg" >"$example"
    sed -i "s|^cfg_file=$NAGIOS_CONF_DIR/rackwatch-example\.cfg|cfg_file=$example|" \
        "$RW_WORK/nagios/nagios.cfg"
    rw_expect nagios.unknown_command 1 "" nagios4 -v "$RW_WORK/nagios/nagios.cfg"
    rw_expect_output nagios.unknown_command.message \
        "Error: Service check command 'rackwatch_spoke_liveness_typo!-w 2 -c 5' specified in \
service 'rackwatch liveness' for host 'rpm-spoke-east' not defined anywhere!"
}

# Nagios runs the shipped commands for real: seconds as the time unit, every check due at
# once, status.dat rewritten every second.  The servers are start_spokes'; both extra
# option sets are at work: $_HOSTRACKWATCH_OPTS$ (the CA) and $ARG1$ (port, hub...).
nagios_run_conf() {
    local n=$RW_WORK/nagios hub="--hub 127.0.0.1 --hub-port $HUB_PORT"
    local hub_view="--hub 127.0.0.1:$HUB_PORT"
    cat >"$n/run.cfg" <<EOF
define host {
    use                     generic-host
    name                    test-spoke
    address                 127.0.0.1
    _RACKWATCH_OPTS         --cacert $PKI/ca.crt
    register                0
}
define host {
    use                     test-spoke
    host_name               spoke-ok
}
define host {
    use                     test-spoke
    host_name               spoke-mismatch
}
define host {
    use                     test-spoke
    host_name               spoke-down
}
define service {
    name                    test-service
    use                     generic-service
    max_check_attempts      1
    check_interval          1
    register                0
}
define service {
    use                     test-service
    host_name               spoke-ok
    service_description     liveness
    check_command           rackwatch_spoke_liveness!-p $OK_PORT -w 60 -c 120 $hub_view
}
define service {
    use                     test-service
    host_name               spoke-down
    service_description     liveness
    check_command           rackwatch_spoke_liveness!-p $DOWN_PORT
}
define service {
    use                     test-service
    host_name               spoke-ok
    service_description     certificates
    check_command           rackwatch_spoke_cert!-p $OK_PORT $hub
}
define service {
    use                     test-service
    host_name               spoke-mismatch
    service_description     certificates
    check_command           rackwatch_spoke_cert!-p $MISMATCH_PORT $hub
}
EOF
    nagios_fast "$n/run.cfg"
}

# nagios_fast OBJECTS: nagios.cfg reads the commands file and OBJECTS only (the example's
# hosts are not loopback), and runs every check at once, every second.
nagios_fast() {
    local n=$RW_WORK/nagios
    sed -i "/rackwatch-example\.cfg/d" "$n/nagios.cfg"
    cat >>"$n/nagios.cfg" <<EOF
cfg_file=$1
interval_length=1
status_update_interval=1
check_result_reaper_frequency=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
execute_host_checks=0
enable_notifications=0
EOF
}

# nagios_status HOST SERVICE: "state|output|perfdata" of HOST's SERVICE in status.dat
# once it has been checked; polls for 60 s at most.
nagios_status() {
    local host=$1 service=$2 line end=$((SECONDS + 60))
    while ((SECONDS < end)); do
        line=$(awk -v h="$host" -v s="$service" '
            function val() { return substr($0, index($0, "=") + 1) }
            /^servicestatus \{/ { in_s = 1; name = ""; desc = ""; had = 0 }
            in_s && /^\thost_name=/ { name = val() }
            in_s && /^\tservice_description=/ { desc = val() }
            in_s && /^\tcurrent_state=/ { state = val() }
            in_s && /^\thas_been_checked=/ { had = val() }
            in_s && /^\tplugin_output=/ { out = val() }
            in_s && /^\tperformance_data=/ { perf = val() }
            in_s && /^\t\}/ {
                in_s = 0
                if (name == h && desc == s && had == 1) { print state "|" out "|" perf }
            }' "$RW_WORK/nagios/status.dat" 2>/dev/null)
        if [[ -n $line ]]; then
            printf '%s\n' "$line"
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# expect_status NAME HOST SERVICE REGEX: the recorded "state|output|perfdata" matches.
expect_status() {
    local name=$1 host=$2 service=$3 pattern=$4
    RW_OUT=$(nagios_status "$host" "$service")
    RW_RC=$?
    RW_ERR=$(tail -n 20 "$RW_WORK/nagios/nagios.log" 2>/dev/null)
    if [[ $RW_RC -ne 0 ]]; then
        rw_fail "$name: no result for $host/$service within 60 s"
    elif ! grep -Eq -- "$pattern" <<<"$RW_OUT"; then
        rw_fail "$name: result does not match /$pattern/"
    else
        rw_pass "$name"
        printf '  recorded: %s\n' "$RW_OUT"
    fi
}

stop_nagios() {
    if [[ -n ${NAGIOS_PID:-} ]]; then
        kill -TERM "$NAGIOS_PID" 2>/dev/null
        wait "$NAGIOS_PID" 2>/dev/null
        kill -KILL -- "-$NAGIOS_PID" 2>/dev/null
        NAGIOS_PID=
    fi
}

# nagios_start: Nagios on $RW_WORK/nagios/nagios.cfg, stopped at exit.
nagios_start() {
    trap 'stop_nagios; rw_cleanup' EXIT
    # setsid: its own process group, so stop_nagios reaches its worker processes.
    rw_spawn "$RW_WORK/nagios.out" setsid nagios4 "$RW_WORK/nagios/nagios.cfg"
    NAGIOS_PID=$RW_LAST_PID
}

case_nagios_run() {
    local ok
    need_nagios4
    start_spokes
    nagios_tree
    nagios_run_conf
    nagios_start
    # Nagios keeps the text before '|' whole (trailing space included) and the perfdata as
    # the plugin printed it.  States: 0 OK, 2 CRITICAL.
    ok="127\.0\.0\.1:$OK_PORT"
    expect_status nagios.run.liveness.ok spoke-ok liveness "^0\|SPOKE OK - $ok answered \
HTTP 200 in [0-9.]+ s[;:,] hub 127\.0\.0\.1:$HUB_PORT reports state Enabled, health OK \
*\|time=[0-9.]+s;60;120;0 tls_handshake=[0-9.]+s;;;0 *$"
    expect_status nagios.run.liveness.not_responding spoke-down liveness "^2\|SPOKE \
CRITICAL - Not responding: 127\.0\.0\.1:$DOWN_PORT: connection refused *\|time=[0-9.]+s;;;0 \
tls_handshake=0s;;;0 *$"
    expect_status nagios.run.cert.ok spoke-ok certificates "^0\|SPOKE_CERT OK - "
    expect_status nagios.run.cert.mismatch spoke-mismatch certificates \
        "^2\|SPOKE_CERT CRITICAL - Certificates Do Not Match"
    stop_nagios
}

# The PDU and server commands on the devices of start_devices (noc_lib.sh): live with the
# host's options ($_HOSTRACKWATCH_OPTS$: CA and credentials), and from the snapshot
# ($_HOSTRACKWATCH_STATE$, the endpoint named as the host: pdu-1, srv-1).
nagios_devices_conf() {
    local n=$RW_WORK/nagios
    cat >"$n/devices.cfg" <<EOF
define host {
    use                     generic-host
    name                    test-device
    address                 127.0.0.1
    _RACKWATCH_OPTS         --cacert $PKI/ca.crt --authfile $DEV_AUTH
    _RACKWATCH_STATE        $RW_WORK/state.json
    register                0
}
define host {
    use                     test-device
    host_name               pdu-live
}
define host {
    use                     test-device
    host_name               pdu-1
}
define host {
    use                     test-device
    host_name               bmc-live
}
define host {
    use                     test-device
    host_name               srv-1
}
define service {
    name                    test-service
    use                     generic-service
    max_check_attempts      1
    check_interval          1
    register                0
}
define service {
    use                     test-service
    host_name               pdu-live
    service_description     power
    check_command           rackwatch_pdu!-p $PDU_PORT --metric inlet-power -w 9000 -c 11000 --ignore-health
}
define service {
    use                     test-service
    host_name               pdu-1
    service_description     power
    check_command           rackwatch_pdu_state!--metric inlet-power -w 9000 -c 11000 --ignore-health
}
define service {
    use                     test-service
    host_name               pdu-live
    service_description     outlets
    check_command           rackwatch_pdu!-p $PDU_PORT --expect-outlet-state A1=On --expect-outlet-state B2=On
}
define service {
    use                     test-service
    host_name               pdu-1
    service_description     outlets
    check_command           rackwatch_pdu_state!--expect-outlet-state A1=On --expect-outlet-state B2=On
}
define service {
    use                     test-service
    host_name               bmc-live
    service_description     server
    check_command           rackwatch_server!-p $SERVER_PORT --metric power -c 300
}
define service {
    use                     test-service
    host_name               srv-1
    service_description     server
    check_command           rackwatch_server_state!--metric power -c 300
}
EOF
    nagios_fast "$n/devices.cfg"
}

case_nagios_devices() {
    local host pow out srv
    need_nagios4
    make_pki
    start_devices
    nagios_tree
    nagios_devices_conf
    nagios_start
    # Nagios writes the ';' of the output as ':' in status.dat.
    pow="^1\|PDU WARNING - inlet AC1 power 9961\.3 W *\|AC1_power=9961\.3W;9000;11000;0$"
    out="^2\|PDU CRITICAL - branch C health Critical \(breaker Tripped\)[;:] outlet B2 is Off, \
expected On *\|$"
    srv="^2\|SERVER CRITICAL - server 1 health Warning[;:] server 1 power 352 W *\|\
power=352W;;300;0$"
    for host in pdu-live pdu-1; do
        expect_status "nagios.devices.$host.power" "$host" power "$pow"
        expect_status "nagios.devices.$host.outlets" "$host" outlets "$out"
    done
    for host in bmc-live srv-1; do
        expect_status "nagios.devices.$host.server" "$host" server "$srv"
    done
    stop_nagios
}

case "${1:-}" in
    validate) case_nagios_validate ;;
    negative) case_nagios_negative ;;
    run) case_nagios_run ;;
    devices) case_nagios_devices ;;
    *)
        echo "usage: $0 validate|negative|run|devices" >&2
        exit 2
        ;;
esac
rw_done
