#!/usr/bin/env bash
# check_pdu and check_server against rackwatch-emu over HTTPS (live) and against
# snapshots the test writes (state mode).  One ctest test per case: pduplug.sh CASE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"

PDU=$RW_BIN_DIR/check_pdu
SERVER=$RW_BIN_DIR/check_server
RACKWATCH=$RW_BIN_DIR/rackwatch
CASE=${1:?usage: pduplug.sh CASE}

emu_tls
printf 'username=monitor\npassword=s3cret\n' >"$RW_WORK/auth"
chmod 600 "$RW_WORK/auth"
printf 's3cret\n' >"$RW_WORK/bmc.pass"
chmod 600 "$RW_WORK/bmc.pass"

# start TREE [EMU ARGS...]: an HTTPS emulator of tests/data/TREE with credentials; sets PORT.
start() {
    local tree=$1
    shift
    emu_start "$tree" --tls --mockup "$EMU_DATA/$tree" --user monitor --password s3cret "$@"
    PORT=${EMU_URL##*:}
}

# live PLUGIN ARGS...: the plugin against the running emulator, verified, with the authfile.
pdu() { "$PDU" -H 127.0.0.1 -p "$PORT" --cacert "$EMU_CACERT" --authfile "$RW_WORK/auth" "$@"; }
srv() { "$SERVER" -H 127.0.0.1 -p "$PORT" --cacert "$EMU_CACERT" --authfile "$RW_WORK/auth" "$@"; }

# snapshot NAME [PYTHON]: writes $RW_WORK/NAME.json from the daemon's own poll of the running
# emulator (rackwatch poll --json), then applies PYTHON to the endpoint `e` (age, edits).
snapshot() {
    local name=$1 edit=${2:-}
    {
        printf 'defaults:\n  timeout: 5\n  ca_file: %s\n' "$EMU_CACERT"
        printf 'credentials:\n  bmc:\n    username: monitor\n    password_file: %s\n' \
            "$RW_WORK/bmc.pass"
        printf 'endpoints:\n  - name: dev\n    url: https://127.0.0.1:%s\n    kind: auto\n' \
            "$PORT"
        printf '    credentials: bmc\n'
    } >"$RW_WORK/poll.yaml"
    "$RACKWATCH" poll --json --config "$RW_WORK/poll.yaml" >"$RW_WORK/$name.raw" 2>"$RW_WORK/poll.err"
    python3 -c 'import json, sys, time, datetime
d = json.load(open(sys.argv[1]))
e = d["endpoints"][0]
def ago(s):
    t = datetime.datetime.fromtimestamp(time.time() - s, datetime.timezone.utc)
    e["polled_at"] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))' "$RW_WORK/$name.raw" "$RW_WORK/$name.json" "$edit" ||
        { cat "$RW_WORK/poll.err" >&2; exit 1; }
}

# same NAME PLUGIN ARGS...: live and state mode on the same data print the same, byte for
# byte but for curl's "after N ms" in a connect error, which differs from run to run.
same() {
    local name=$1 plugin=$2 live state live_rc state_rc
    local timing='s/after [0-9]+ ms/after N ms/'
    shift 2
    live=$("$plugin" -H 127.0.0.1 -p "$PORT" --cacert "$EMU_CACERT" --authfile "$RW_WORK/auth" "$@")
    live_rc=$?
    live=$(sed -E "$timing" <<<"$live")
    state=$("$plugin" --state "$RW_WORK/same.json" --endpoint dev "$@")
    state_rc=$?
    state=$(sed -E "$timing" <<<"$state")
    if [[ $live == "$state" && $live_rc == "$state_rc" ]]; then
        rw_pass "$name: live and state agree (exit $live_rc: $(head -n 1 <<<"$live"))"
    else
        RW_RC="$live_rc/$state_rc" RW_OUT="live: $live" RW_ERR="state: $state" \
            rw_fail "$name: live and state differ"
    fi
}

# bad NAME MESSAGE ARGS...: UNKNOWN, exit 3, exactly one line with MESSAGE.
bad() {
    local name=$1 msg=$2 plugin=$PDU
    shift 2
    if [[ ${1:-} == server ]]; then
        plugin=$SERVER
        shift
    fi
    rw_run "$plugin" "$@"
    local want="${plugin##*/check_}"
    want="${want^^} UNKNOWN - $msg"
    if [[ $RW_RC -eq 3 && $RW_OUT == "$want" ]]; then
        rw_pass "$name"
    else
        rw_fail "$name: want exit 3 and exactly '$want'"
    fi
}

PDU_HEALTH='PDU CRITICAL - branch C health Critical \(breaker Tripped\)'

case $CASE in
metrics)
    start pdu
    rw_expect inlet-power 2 "^$PDU_HEALTH \| AC1_power=9961.3W;;;0$" pdu --metric inlet-power
    rw_expect inlet-current 0 "^PDU OK - inlet AC1 current 14.82 A; 1 PDU, health not checked \| AC1_current=14.82A;;;0;32$" \
        pdu --metric inlet-current --ignore-health
    rw_expect inlet-voltage 0 "^PDU OK - inlet AC1 voltage 230.4 V; 1 PDU, health not checked \| AC1_voltage=230.4V$" \
        pdu --metric inlet-voltage --ignore-health
    rw_expect inlet-energy 0 "^PDU OK - inlet AC1 energy 48213.7 kWh; 1 PDU, health not checked \| AC1_energy_kWh=48213.7;;;0$" \
        pdu --metric inlet-energy --ignore-health
    rw_expect branch-current 0 "^PDU OK - current of 3 elements OK, highest 5.12 A \(branch A\); 1 PDU, health not checked \| A_current=5.12A;;;0;16 B_current=4.71A;;;0;16 C_current=0A;;;0;16$" \
        pdu --metric branch-current --ignore-health
    rw_expect outlet-current 0 "^PDU OK - current of 7 elements OK, highest 2.03 A \(outlet B1\); .* \| A1_current=0.82A;;;0;10 A2_current=1.21A;;;0;10 A3_current=0.45A;;;0;10 B1_current=2.03A;;;0;10 B2_current=0A;;;0;10 B3_current=0.96A;;;0;10 B4_current=0.61A;;;0;10$" \
        pdu --metric outlet-current --ignore-health
    rw_expect outlet-power 0 "^PDU OK - power of 7 elements OK, highest [0-9.]+ W \(outlet B1\); .* \| A1_power=184.6W;;;0 " \
        pdu --metric outlet-power --ignore-health
    rw_expect load-percent 0 "^PDU OK - load of 11 elements OK, highest 46.3125 % \(inlet AC1\); .* \| inlet_AC1_load=46.3125%;;;0 branch_A_load=32%;;;0 .* outlet_B4_load=6.1%;;;0$" \
        pdu --metric load-percent --ignore-health
    rw_expect load-threshold 1 "^PDU WARNING - inlet AC1 load 46.3125 % \| inlet_AC1_load=46.3125%;40;;0 " \
        pdu --metric load-percent --ignore-health -w 40
    rw_run pdu --metric outlet-current --ignore-health
    rw_expect_output "long output: one line per outlet" $'\noutlet A1 current 0.82 A: OK\n'
    rw_run pdu --metric inlet-power -v
    rw_expect_output "-v names the live poll" "data: live poll of https://127\.0\.0\.1:$PORT, [0-9]+ requests in [0-9]+ ms"
    emu_done
    ;;
ranges)
    start pdu
    r() { pdu --metric inlet-power --ignore-health "$@"; }
    rw_expect "10000 (ok)" 0 '^PDU OK - .* AC1_power=9961.3W;10000;;0$' r -w 10000
    rw_expect "9000 (warning)" 1 '^PDU WARNING - inlet AC1 power 9961.3 W \| AC1_power=9961.3W;9000;;0$' r -w 9000
    rw_expect "9000 critical" 2 '^PDU CRITICAL - inlet AC1 power 9961.3 W \| AC1_power=9961.3W;;9000;0$' r -c 9000
    rw_expect "10000: (below)" 2 '^PDU CRITICAL - .*;9000:;10000:;0$' r -w 9000: -c 10000:
    rw_expect "~:9000" 1 '^PDU WARNING - .*;~:9000;~:11000;0$' r -w '~:9000' -c '~:11000'
    rw_expect "9000:11000" 0 '^PDU OK - .*;9000:11000;;0$' r -w 9000:11000
    rw_expect "@9000:11000" 2 '^PDU CRITICAL - .*;;@9000:11000;0$' r -c @9000:11000
    rw_expect "warning and critical: critical wins" 2 '^PDU CRITICAL - ' r -w 5000 -c 9000
    emu_done
    ;;
filters)
    start pdu
    rw_expect "--outlet A1" 1 '^PDU WARNING - outlet A1 current 0.82 A \| A1_current=0.82A;0.5;;0;10$' \
        pdu --metric outlet-current --outlet A1 -w 0.5
    rw_expect "--outlet twice" 0 '^PDU OK - current of 2 elements OK, highest 1.21 A \(outlet A2\); 1 PDU, health OK \| A1_current=0.82A;;;0;10 A2_current=1.21A;;;0;10$' \
        pdu --metric outlet-current --outlet A1 --outlet A2
    rw_expect "--branch A (C's health is not looked at)" 0 '^PDU OK - branch A current 5.12 A; 1 PDU, health OK \| A_current=5.12A;;;0;16$' \
        pdu --metric branch-current --branch A
    rw_expect "--branch C: its health counts" 2 "^$PDU_HEALTH \| C_current=0A;;;0;16$" \
        pdu --metric branch-current --branch C
    rw_expect "load of one branch and one outlet" 0 '^PDU OK - load of 2 elements OK, highest 32 % \(branch A\); 1 PDU, health OK \| branch_A_load=32%;;;0 outlet_B1_load=20.3%;;;0$' \
        pdu --metric load-percent --branch A --outlet B1
    rw_expect "unknown outlet" 3 "^PDU UNKNOWN - no outlet 'Z9'$" pdu --metric outlet-power --outlet Z9
    rw_expect "unknown branch" 3 "^PDU UNKNOWN - no branch 'Q'$" pdu --metric branch-current --branch Q
    rw_expect "--pdu 1" 2 "^$PDU_HEALTH" pdu --pdu 1
    rw_expect "unknown --pdu" 3 "^PDU UNKNOWN - no PDU '7'$" pdu --pdu 7
    emu_done
    ;;
expect)
    start pdu
    rw_expect "B2=Off as expected" 0 '^PDU OK - 1 PDU, health not checked, outlet states as expected$' \
        pdu --ignore-health --expect-outlet-state B2=Off --expect-outlet-state A1=On
    rw_expect "B2=On differs" 2 '^PDU CRITICAL - outlet B2 is Off, expected On$' \
        pdu --ignore-health --expect-outlet-state B2=On
    rw_expect "case-blind state" 2 '^PDU CRITICAL - outlet A1 is On, expected Off$' \
        pdu --ignore-health --expect-outlet-state A1=off
    rw_expect "unknown outlet" 3 "^PDU UNKNOWN - no outlet 'X1'$" \
        pdu --ignore-health --expect-outlet-state X1=On
    rw_run pdu --ignore-health --expect-outlet-state B2=Off
    rw_expect_output "long output says so" 'outlet B2 is Off as expected'
    emu_done
    ;;
health)
    start pdu
    rw_expect "branch C Critical" 2 "^$PDU_HEALTH$" pdu
    rw_expect "--ignore-health" 0 '^PDU OK - 1 PDU, health not checked$' pdu --ignore-health
    start server
    rw_expect "server rollup Warning" 1 '^SERVER WARNING - server 1 health Warning$' srv
    start server-legacy
    rw_expect "legacy server OK" 0 '^SERVER OK - server 1 power On, health OK$' srv
    emu_done
    ;;
missing)
    start pdu
    rw_run pdu --metric outlet-power --ignore-health
    rw_expect_output "absent reading named once" $'\npower not reported by \\(left out\\): outlet A4$'
    if grep -q 'A4_power' <<<"$RW_OUT"; then rw_fail "A4 has no perfdata"; else rw_pass "no perfdata for A4"; fi
    rw_expect "a metric nobody reports: UNKNOWN" 3 \
        '^PDU UNKNOWN - outlet-power: no covered element reports power$' \
        pdu --metric outlet-power --outlet A4 --ignore-health
    rw_expect "B4 has no Status: not a health problem" 0 '^PDU OK - outlet B4 current 0.61 A' \
        pdu --metric outlet-current --outlet B4
    snapshot nopower 'e["pdus"][0]["inlets"][0]["power_w"] = None'
    rw_expect "inlet without power (state)" 3 \
        '^PDU UNKNOWN - inlet-power: no covered element reports power$' \
        "$PDU" --state "$RW_WORK/nopower.json" --endpoint dev --metric inlet-power --ignore-health
    emu_done
    ;;
server)
    start server
    rw_expect "power draw" 1 '^SERVER WARNING - server 1 health Warning \| power=352W;;;0$' srv --metric power
    rw_expect "power threshold" 2 '^SERVER CRITICAL - server 1 health Warning; server 1 power 352 W \| power=352W;;300;0$' \
        srv --metric power -c 300
    rw_expect "inlet temperature" 1 '^SERVER WARNING - server 1 health Warning \| inlet_temp=23.5;30;40$' \
        srv --metric inlet-temp -w 30 -c 40
    rw_expect "expect Off" 2 '^SERVER CRITICAL - server 1 power On, expected Off; server 1 health Warning$' \
        srv --expect-power Off
    rw_expect "--system 1" 1 '^SERVER WARNING - server 1 health Warning$' srv --system 1
    rw_expect "unknown --system" 3 "^SERVER UNKNOWN - no system '2'$" srv --system 2
    start server-legacy
    rw_expect "legacy power (deprecated Power)" 0 '^SERVER OK - server 1 power On, health OK, power draw 287 W \| power=287W;;;0$' \
        srv --metric power
    rw_expect "legacy inlet (deprecated Thermal)" 1 '^SERVER WARNING - server 1 inlet temperature 21 C \| inlet_temp=21;~:20$' \
        srv --metric inlet-temp -w '~:20'
    snapshot cond 'e["servers"][0]["health"] = "Critical"; e["servers"][0]["conditions"] = ["Fan 2 failed", "PSU 1 lost input"]'
    rw_expect "conditions (state)" 2 '^SERVER CRITICAL - server 1 health Critical: Fan 2 failed$' \
        "$SERVER" --state "$RW_WORK/cond.json" --endpoint dev
    rw_expect_output "every condition in the long output" $'condition: Fan 2 failed\ncondition: PSU 1 lost input'
    snapshot noinlet 'e["servers"][0]["inlet_temp_c"] = None'
    rw_expect "no inlet temperature: UNKNOWN" 3 '^SERVER UNKNOWN - server 1 reports no inlet temperature$' \
        "$SERVER" --state "$RW_WORK/noinlet.json" --endpoint dev --metric inlet-temp
    snapshot off 'e["servers"][0]["power_state"] = "Off"'
    rw_expect "expect Off (state)" 0 '^SERVER OK - server 1 power Off, health OK$' \
        "$SERVER" --state "$RW_WORK/off.json" --endpoint dev --expect-power off
    emu_done
    ;;
state)
    start pdu
    snapshot fresh 'ago(10)'
    rw_expect "fresh snapshot" 2 "^$PDU_HEALTH$" "$PDU" --state "$RW_WORK/fresh.json" --endpoint dev
    snapshot stale 'ago(1000)'
    rw_expect "stale snapshot" 3 '^PDU UNKNOWN - data of endpoint dev is 10[0-9][0-9] s old \(--max-age 300\)$' \
        "$PDU" --state "$RW_WORK/stale.json" --endpoint dev
    rw_expect "--max-age 2000 accepts it" 2 "^$PDU_HEALTH$" \
        "$PDU" --state "$RW_WORK/stale.json" --endpoint dev --max-age 2000
    rw_expect "--max-age 5 refuses 10 s" 3 '^PDU UNKNOWN - data of endpoint dev is [0-9]+ s old \(--max-age 5\)$' \
        "$PDU" --state "$RW_WORK/fresh.json" --endpoint dev --max-age 5
    snapshot never 'e["polled_at"] = None'
    rw_run "$PDU" --state "$RW_WORK/fresh.json" --endpoint dev -v
    rw_expect_output "-v names the snapshot" "data: snapshot $RW_WORK/fresh.json, endpoint dev, polled [0-9]+ s ago"
    rw_expect "never polled" 3 '^PDU UNKNOWN - endpoint dev has never been polled$' \
        "$PDU" --state "$RW_WORK/never.json" --endpoint dev
    rw_expect "missing file" 3 "^PDU UNKNOWN - state file $RW_WORK/none.json: .*No such file" \
        "$PDU" --state "$RW_WORK/none.json" --endpoint dev
    rw_expect "unknown endpoint" 3 "^PDU UNKNOWN - state file $RW_WORK/fresh.json has no endpoint 'other'$" \
        "$PDU" --state "$RW_WORK/fresh.json" --endpoint other
    printf '{"endpoints": [' >"$RW_WORK/broken.json"
    rw_expect "truncated snapshot" 3 "^PDU UNKNOWN - state file $RW_WORK/broken.json: " \
        "$PDU" --state "$RW_WORK/broken.json" --endpoint dev
    rw_expect "server from a PDU snapshot" 3 '^SERVER UNKNOWN - no server$' \
        "$SERVER" --state "$RW_WORK/fresh.json" --endpoint dev
    emu_done
    ;;
unreachable)
    PORT=$(rw_free_port)
    rw_expect "refused (pdu)" 2 '^PDU CRITICAL - /redfish/v1/: .*(Couldn.t connect|refused)' pdu
    rw_expect "refused (server)" 2 '^SERVER CRITICAL - /redfish/v1/: ' srv
    start pdu --drop
    rw_expect "dropped connection" 2 '^PDU CRITICAL - /redfish/v1/: (login to https://127\.0\.0\.1:[0-9]+ failed: )?Empty reply from server$' pdu
    start pdu --http-status 503
    rw_expect "HTTP 503" 2 '^PDU CRITICAL - /redfish/v1/: (login to .* failed: )?HTTP 503' pdu
    start pdu --delay-ms 5000
    # curl's own timeout or the plugin's deadline, whichever fires first
    rw_expect "-t 1 deadline" 2 '^PDU CRITICAL - (/redfish/v1/: .*timed out after [0-9]+ milliseconds|timed out after 1 s)' pdu -t 1
    start pdu
    rw_expect "other CA: TLS verified by default" 2 '^PDU CRITICAL - /redfish/v1/: (login to .* failed: )?SSL certificate problem' \
        "$PDU" -H 127.0.0.1 -p "$PORT" --authfile "$RW_WORK/auth"
    rw_expect "--insecure" 2 "^$PDU_HEALTH$" "$PDU" -H 127.0.0.1 -p "$PORT" --insecure --authfile "$RW_WORK/auth"
    rw_expect "wrong password" 2 '^PDU CRITICAL - .*HTTP 401' \
        env RACKWATCH_USERNAME=monitor RACKWATCH_PASSWORD=nope "$PDU" -H 127.0.0.1 -p "$PORT" --cacert "$EMU_CACERT"
    rw_expect "credentials from the environment" 2 "^$PDU_HEALTH$" \
        env RACKWATCH_USERNAME=monitor RACKWATCH_PASSWORD=s3cret "$PDU" -H localhost -p "$PORT" --cacert "$EMU_CACERT"
    emu_done
    ;;
failed_snapshot)
    # A failed endpoint in the snapshot gives what live mode gives for the same failure.
    PORT=$(rw_free_port)
    snapshot same
    same "refused, pdu" "$PDU"
    same "refused, server" "$SERVER"
    rw_expect "refused from the snapshot is CRITICAL" 2 '^PDU CRITICAL - /redfish/v1/: ' \
        "$PDU" --state "$RW_WORK/same.json" --endpoint dev
    start pdu --http-status 503
    snapshot same
    same "HTTP 503" "$PDU"
    emu_done
    ;;
same_pdu)
    start pdu
    snapshot same
    same "default" "$PDU"
    same "inlet-power" "$PDU" --metric inlet-power -w 9000 -c 12000
    same "inlet-energy" "$PDU" --metric inlet-energy
    same "outlet-current" "$PDU" --metric outlet-current -w 0.7 -c 2 --ignore-health
    same "outlet-power, filtered" "$PDU" --metric outlet-power --outlet A1 --outlet A4
    same "branch-current" "$PDU" --metric branch-current --branch A --branch C
    same "load-percent" "$PDU" --metric load-percent -w 40
    same "expected states" "$PDU" --expect-outlet-state B2=On --expect-outlet-state A1=On
    same "nobody reports" "$PDU" --metric outlet-power --outlet A4
    emu_done
    ;;
same_server)
    for tree in server server-legacy; do
        start "$tree"
        snapshot same
        same "$tree default" "$SERVER"
        same "$tree power" "$SERVER" --metric power -w 300
        same "$tree inlet-temp" "$SERVER" --metric inlet-temp -c 22
        same "$tree expect Off" "$SERVER" --expect-power Off
    done
    emu_done
    ;;
split)
    # check_X carries no libcurl and hands -H runs to check_X_live (see rw_rfsrc.h).
    for p in "$PDU" "$SERVER"; do
        if ldd "$p" | grep -q libcurl; then
            RW_OUT=$(ldd "$p") rw_fail "${p##*/} must not load libcurl"
        else
            rw_pass "${p##*/} does not load libcurl"
        fi
    done
    start pdu
    snapshot same
    rw_run "$PDU"_live --state "$RW_WORK/same.json" --endpoint dev --metric outlet-power
    live_out=$RW_OUT
    rw_run "$PDU" --state "$RW_WORK/same.json" --endpoint dev --metric outlet-power
    if [[ $live_out == "$RW_OUT" ]]; then rw_pass "check_pdu_live --state prints what check_pdu prints"; else
        rw_fail "check_pdu_live differs: $live_out"; fi
    mkdir -p "$RW_WORK/alone"
    cp "$PDU" "$RW_WORK/alone/check_pdu"
    rw_expect "helper missing: UNKNOWN" 3 \
        "^PDU UNKNOWN - cannot run $RW_WORK/alone/check_pdu_live: No such file or directory$" \
        "$RW_WORK/alone/check_pdu" -H 127.0.0.1 -p "$PORT" --cacert "$EMU_CACERT"
    rw_expect "state mode needs no helper" 2 "^$PDU_HEALTH$" \
        "$RW_WORK/alone/check_pdu" --state "$RW_WORK/same.json" --endpoint dev
    emu_done
    ;;
bad_args)
    S=(--state "$RW_WORK/x.json" --endpoint dev)
    bad "no source" "missing -H/--hostname or --state"
    bad "both sources" "-H/--hostname and --state exclude each other" -H h "${S[@]}"
    bad "--state without --endpoint" "--state needs --endpoint NAME" --state x
    bad "--endpoint without --state" "--endpoint only goes with --state" -H h --endpoint e
    bad "--max-age without --state" "--max-age only goes with --state" -H h --max-age 5
    bad "-p without -H" "-p/--port only goes with -H/--hostname" "${S[@]}" -p 1
    bad "bad port" "-p/--port: '0' is not a port (1-65535)" -H h -p 0
    bad "bad --max-age" "--max-age: 'soon' is not a number of seconds (1-31536000)" "${S[@]}" --max-age soon
    bad "negative --max-age" "--max-age: '-1' is not a number of seconds (1-31536000)" "${S[@]}" --max-age -1
    bad "unknown metric" "-m/--metric: unknown metric 'watts' (inlet-power, inlet-current, inlet-voltage, inlet-energy, branch-current, outlet-current, outlet-power, load-percent)" \
        "${S[@]}" --metric watts
    bad "bad range" "-w/--warning: invalid range 'abc': 'abc' is not a number" "${S[@]}" --metric inlet-power -w abc
    bad "thresholds without metric" "-w/-c need --metric" "${S[@]}" -w 10
    bad "--outlet with an inlet metric" "--outlet goes with --metric outlet-current, outlet-power or load-percent" \
        "${S[@]}" --metric inlet-power --outlet A1
    bad "--branch with an outlet metric" "--branch goes with --metric branch-current or load-percent" \
        "${S[@]}" --metric outlet-power --branch A
    bad "bad expected state" "--expect-outlet-state: 'A1=Dim': the state must be On or Off" \
        "${S[@]}" --expect-outlet-state A1=Dim
    bad "expected state without =" "--expect-outlet-state: 'A1' is not ID=On or ID=Off" \
        "${S[@]}" --expect-outlet-state A1
    bad "empty --outlet" "--outlet: empty outlet ID" "${S[@]}" --metric outlet-power --outlet ''
    bad "--sni unsupported" "--sni, --client-cert and --client-key are not supported over Redfish" \
        -H h --sni example.net
    bad "unknown option" "unknown option '--bogus'" --bogus
    bad "missing argument" "--state needs an argument (FILE)" --state
    bad "bad timeout" "-t/--timeout: 'ten' is not a number of seconds" -H h -t ten
    bad "server: bad --expect-power" "--expect-power: 'Maybe' is not On or Off" server "${S[@]}" --expect-power Maybe
    bad "server: unknown metric" "-m/--metric: unknown metric 'fan' (power, inlet-temp)" server "${S[@]}" --metric fan
    bad "server: thresholds without metric" "-w/-c need --metric" server "${S[@]}" -c 10
    bad "server: empty --system" "--system: empty system ID" server "${S[@]}" --system ''
    rw_expect "--help" 0 '^check_pdu \(rackwatch ' "$PDU" --help
    rw_expect_output "--help text" 'Checks a rack PDU over Redfish'
    rw_expect "--version" 0 '^check_server \(rackwatch ' "$SERVER" --version
    rw_done
    ;;
*)
    echo "unknown case $CASE" >&2
    exit 2
    ;;
esac
