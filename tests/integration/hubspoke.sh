#!/usr/bin/env bash
# Integration tests of check_hubspoke: a hub (rackwatch-emu over HTTPS serving a copy of the
# hub mockup whose AggregationSources list the spokes) and spokes (more emulators, openssl
# s_server, closed ports).  One case per run: hubspoke.sh CASE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hubspoke_lib.sh"

PLUGIN="$RW_BIN_DIR/check_hubspoke"
[[ -x $PLUGIN ]] || rw_skip "check_hubspoke not built"

L='127\.0\.0\.1'
HUBTREE="$RW_WORK/hubtree"

# start_hub SPEC... [-- emu options]: the hub over HTTPS (ca/hub, version 3.2.0) listing the
# spokes SPEC "NAME|HOSTNAME|HEALTH"; sets HUB_PORT.
start_hub() {
    local specs=() opts=()
    while [[ $# -gt 0 && $1 != -- ]]; do
        specs+=("$1")
        shift
    done
    [[ $# -gt 0 ]] && shift && opts=("$@")
    hub_tree "$HUBTREE" "${specs[@]}"
    MOCKUP="$HUBTREE" emu HUB ca/hub --firmware-version 3.2.0 "${opts[@]}"
}

# run_hs NAME RC REGEX ARGS...: the plugin against the hub.
run_hs() {
    local name=$1 rc=$2 re=$3
    shift 3
    rw_expect "$name" "$rc" "$re" "$PLUGIN" -H 127.0.0.1 -p "$HUB_PORT" --cacert "$CA" "$@"
}

# line NAME REGEX: the last run's long output has a line matching ^REGEX.
line() {
    if grep -Eq -- "^$2" <<<"$RW_OUT"; then
        rw_pass "$1"
    else
        rw_fail "$1: no line /^$2/"
    fi
}

u() {
    printf 'https://127.0.0.1:%s' "$1"
}

case_run() {
    local c
    case $1 in
    all_ok)
        emu S1 ca/hub --firmware-version 3.2.0
        emu S2 ca/hub --firmware-version 3.2.0
        start_hub "east|$(u "$S1_PORT")|OK" "west|127.0.0.1:$S2_PORT|OK"
        run_hs all_ok 0 "^HUBSPOKE OK - 2 spokes: 2 OK \| east_time=[0-9.]+s;;;0 east_days_left=[0-9.]+;30:;14: west_time=[0-9.]+s;;;0 west_days_left=[0-9.]+;30:;14:\$"
        line all_ok.hub "hub $L:$HUB_PORT: Rack Power Manager 3\.2\.0, certificate $(fingerprint ca/hub), [0-9.]+ days left\$"
        line all_ok.east "east \($L:$S1_PORT\): OK - version 3\.2\.0, certificate $(fingerprint ca/hub); [0-9.]+ days left; hub reports Health OK, State Enabled\$"
        line all_ok.west "west \($L:$S2_PORT\): OK - "
        ;;
    issue_example)
        emu S1 ca/hub --firmware-version 3.2.0
        emu S2 ca/hub --firmware-version 3.2.0
        emu S3 ca/spoke --firmware-version 3.2.0
        c=$(closed_port)
        start_hub "a|$(u "$S1_PORT")|OK" "b|$(u "$S2_PORT")|OK" "c|$(u "$c")|Critical" \
            "d|$(u "$S3_PORT")|OK"
        run_hs issue_example 2 "^HUBSPOKE CRITICAL - 4 spokes: 2 OK, 1 Not responding, 1 Certificates Do Not Match \|"
        line issue_example.c "c \($L:$c\): Not responding - no TLS handshake: connect to $L:$c: Connection refused; hub reports Health Critical"
        line issue_example.d "d \($L:$S3_PORT\): Certificates Do Not Match - spoke $L:$S3_PORT presents $(fingerprint ca/spoke) \(subject CN=localhost, issuer CN=rackwatch test CA ca\); expected the hub's certificate: hub $L:$HUB_PORT presents $(fingerprint ca/hub)"
        ;;
    every_status)
        emu OK ca/hub --firmware-version 3.2.0
        emu VER ca/hub --firmware-version 3.1.4
        emu CERT ca/spoke --firmware-version 3.2.0
        emu INV ca/hub --firmware-version 3.2.0 --product "Other Appliance"
        c=$(closed_port)
        start_hub "ok|$(u "$OK_PORT")|OK" "down|$(u "$c")|OK" "ver|$(u "$VER_PORT")|OK" \
            "cert|$(u "$CERT_PORT")|OK" "inv|$(u "$INV_PORT")|OK"
        run_hs every_status 2 "^HUBSPOKE CRITICAL - 5 spokes: 1 OK, 1 Not responding, 1 Hub/Spoke Versions Not Compatible, 1 Certificates Do Not Match, 1 Invalid Server or Versions Not Compatible \|" \
            --product '^Rack Power Manager$'
        line every_status.ok "ok \($L:$OK_PORT\): OK - version 3\.2\.0"
        line every_status.down "down \($L:$c\): Not responding - "
        line every_status.ver "ver \($L:$VER_PORT\): Hub/Spoke Versions Not Compatible - spoke $L:$VER_PORT runs 3\.1\.4, hub $L:$HUB_PORT runs 3\.2\.0: policy exact requires the same version"
        line every_status.cert "cert \($L:$CERT_PORT\): Certificates Do Not Match - spoke $L:$CERT_PORT presents"
        line every_status.inv "inv \($L:$INV_PORT\): Invalid Server or Versions Not Compatible - spoke $L:$INV_PORT: product 'Other Appliance' \(vendor 'Rackwatch'\) does not match /\^Rack Power Manager\\$/"
        ;;
    order)
        # each of these breaks two rules: the earlier stage names the status
        emu VC ca/spoke --firmware-version 3.1.4
        emu IC ca/spoke --product Other
        start_hub "vc|$(u "$VC_PORT")|OK" "ic|$(u "$IC_PORT")|OK"
        run_hs order 2 "^HUBSPOKE CRITICAL - 2 spokes: 1 Hub/Spoke Versions Not Compatible, 1 Invalid Server or Versions Not Compatible \|" \
            --product '^Rack Power Manager$'
        line order.vc "vc \($L:$VC_PORT\): Hub/Spoke Versions Not Compatible - "
        line order.ic "ic \($L:$IC_PORT\): Invalid Server or Versions Not Compatible - "
        ;;
    policies)
        emu S1 ca/spoke --firmware-version 3.1.4
        start_hub "s1|$(u "$S1_PORT")|OK"
        run_hs policies.default 2 "^HUBSPOKE CRITICAL - 1 spoke: 1 Hub/Spoke Versions Not Compatible \|"
        run_hs policies.same_major 2 "^HUBSPOKE CRITICAL - 1 spoke: 1 Certificates Do Not Match \|" \
            --policy same-major
        run_hs policies.same_issuer 0 "^HUBSPOKE OK - 1 spoke: 1 OK \|" \
            --policy same-major --policy same-issuer
        run_hs policies.same_minor 2 "^HUBSPOKE CRITICAL - 1 spoke: 1 Hub/Spoke Versions Not Compatible \|" \
            --policy same-minor --policy same-issuer
        run_hs policies.minimum 2 "^HUBSPOKE CRITICAL - 1 spoke: 1 Hub/Spoke Versions Not Compatible \|" \
            --policy same-major --policy same-issuer --minimum 3.2
        run_hs policies.pinned 0 "^HUBSPOKE OK - 1 spoke: 1 OK \|" --policy same-major \
            --policy pinned --pin "$(fingerprint ca/spoke)" --pin "$(fingerprint ca/hub)"
        run_hs policies.pinned_mismatch 2 "^HUBSPOKE CRITICAL - 1 spoke: 1 Certificates Do Not Match \|" \
            --policy same-major --policy pinned --pin "$(fingerprint ca/hub)"
        line policies.pinned_mismatch.line "s1 \($L:$S1_PORT\): Certificates Do Not Match - spoke $L:$S1_PORT presents $(fingerprint ca/spoke) .*expected a pinned certificate: $(fingerprint ca/hub)"
        printf '127.0.0.1:%s %s\n' "$S1_PORT" "$(fingerprint ca/spoke)" >"$RW_WORK/known"
        run_hs policies.registered 0 "^HUBSPOKE OK - 1 spoke: 1 OK \|" --policy same-major \
            --policy registered --known-spokes "$RW_WORK/known"
        : >"$RW_WORK/known"
        run_hs policies.unregistered 2 "^HUBSPOKE CRITICAL - 1 spoke: 1 Certificates Do Not Match \|" \
            --policy same-major --policy registered --known-spokes "$RW_WORK/known"
        line policies.unregistered.line "s1 \($L:$S1_PORT\): Certificates Do Not Match - spoke $L:$S1_PORT is not registered in $RW_WORK/known"
        ;;
    untrusted)
        emu S1 other/good --firmware-version 3.2.0
        start_hub "s1|$(u "$S1_PORT")|OK"
        run_hs untrusted 2 "^HUBSPOKE CRITICAL - 1 spoke: 1 Certificates Do Not Match \|"
        line untrusted.line "s1 \($L:$S1_PORT\): Certificates Do Not Match - its certificate is refused for HTTPS: unable to get local issuer certificate"
        ;;
    hub_down)
        HUB_PORT=$(closed_port)
        run_hs hub_down 2 "^HUBSPOKE CRITICAL - hub $L:$HUB_PORT: Not responding - GET /redfish/v1/: connection refused\$"
        ;;
    hub_not_aggregator)
        MOCKUP="$RW_SOURCE_DIR/tests/data/pdu" emu HUB ca/hub
        run_hs hub_not_aggregator 2 "^HUBSPOKE CRITICAL - hub $L:$HUB_PORT: Invalid Server or Versions Not Compatible - GET /redfish/v1/AggregationService/AggregationSources: HTTP 404"
        ;;
    hub_product)
        start_hub
        run_hs hub_product 2 "^HUBSPOKE CRITICAL - hub $L:$HUB_PORT: Invalid Server or Versions Not Compatible - product 'Rack Power Manager' \(vendor 'Rackwatch'\) does not match /Other/\$" \
            --product Other
        ;;
    hub_faults)
        start_hub -- --http-status 503
        run_hs hub_503 2 "^HUBSPOKE CRITICAL - hub $L:$HUB_PORT: Not responding - GET /redfish/v1/: HTTP 503"
        start_hub -- --bad-json
        run_hs hub_bad_json 2 "^HUBSPOKE CRITICAL - hub $L:$HUB_PORT: Invalid Server or Versions Not Compatible - /redfish/v1/ is not a JSON object"
        ;;
    hub_health)
        emu S1 ca/hub --firmware-version 3.2.0
        emu S2 ca/hub --firmware-version 3.2.0
        start_hub "s1|$(u "$S1_PORT")|Warning" "s2|$(u "$S2_PORT")|OK"
        run_hs hub_health.warning 1 "^HUBSPOKE WARNING - 2 spokes: 2 OK \|"
        line hub_health.line "s1 \($L:$S1_PORT\): OK - .*; hub reports Health Warning, State Enabled\$"
        start_hub "s1|$(u "$S1_PORT")|Critical"
        run_hs hub_health.critical 2 "^HUBSPOKE CRITICAL - 1 spoke: 1 OK \|"
        ;;
    paging)
        emu S1 ca/hub --firmware-version 3.2.0
        start_hub "p1|$(u "$S1_PORT")|OK" "p2|$(u "$S1_PORT")|OK" "p3|$(u "$S1_PORT")|OK" \
            "p4|$(u "$S1_PORT")|OK" "p5|$(u "$S1_PORT")|OK" -- --page-size 2
        run_hs paging 0 "^HUBSPOKE OK - 5 spokes: 5 OK \|"
        line paging.p5 "p5 \($L:$S1_PORT\): OK - "
        ;;
    empty)
        start_hub
        run_hs empty 0 "^HUBSPOKE OK - 0 spokes\$"
        line empty.hub "hub $L:$HUB_PORT: Rack Power Manager 3\.2\.0"
        ;;
    bad_hostname)
        start_hub "nohost|-|OK" "garbage|not a host!|OK"
        run_hs bad_hostname 2 "^HUBSPOKE CRITICAL - 2 spokes: 2 Invalid Server or Versions Not Compatible\$"
        line bad_hostname.nohost "nohost \(no HostName\): Invalid Server or Versions Not Compatible - the hub lists AggregationSource /redfish/v1/AggregationService/AggregationSources/1 with HostName '' is empty or too long"
        line bad_hostname.garbage "garbage \(not a host!\): Invalid Server or Versions Not Compatible - the hub lists AggregationSource .*/2 with HostName 'not a host!' is not a host or https URL"
        ;;
    expiring)
        emu S1 ca/soon --firmware-version 3.2.0
        start_hub "soon|$(u "$S1_PORT")|OK"
        run_hs expiring.warning 1 "^HUBSPOKE WARNING - 1 spoke: 1 OK \| soon_time=[0-9.]+s;;;0 soon_days_left=(9\.[0-9]+|10);30:;5:\$" \
            --policy same-issuer -c 5
        line expiring.line "soon \($L:$S1_PORT\): OK - version 3\.2\.0, certificate $(fingerprint ca/soon); (9\.[0-9]|10\.0) days left"
        run_hs expiring.critical 2 "^HUBSPOKE CRITICAL - 1 spoke: 1 OK \|" --policy same-issuer
        ;;
    expired)
        emu S1 ca/expired --firmware-version 3.2.0
        start_hub "old|$(u "$S1_PORT")|OK"
        run_hs expired 2 "^HUBSPOKE CRITICAL - 1 spoke: 1 Certificates Do Not Match \|"
        line expired.line "old \($L:$S1_PORT\): Certificates Do Not Match - .*certificate has expired; certificate expired [0-9.]+ days ago"
        ;;
    s_server_spoke)
        s_server S1 ca/hub
        start_hub "plain|$(u "$S1_PORT")|OK"
        run_hs s_server_spoke 2 "^HUBSPOKE CRITICAL - 1 spoke: 1 Invalid Server or Versions Not Compatible \|"
        ;;
    timeout)
        emu S1 ca/hub --firmware-version 3.2.0
        emu SLOW ca/hub --delay-ms 4000
        start_hub "fast|$(u "$S1_PORT")|OK" "slow|$(u "$SLOW_PORT")|OK"
        run_hs timeout 2 "^HUBSPOKE CRITICAL - 2 spokes: 1 OK, 1 Not responding \|" -t 3
        line timeout.line "slow \($L:$SLOW_PORT\): Not responding - spoke $L:$SLOW_PORT: (no answer to GET /redfish/v1/ in time|GET /redfish/v1/: timed out after [0-9.]+ s)"
        ;;
    config)
        emu S1 ca/hub --firmware-version 3.2.0
        emu S2 ca/hub --firmware-version 3.1.4
        start_hub "listed|$(u "$S1_PORT")|OK"
        cat >"$RW_WORK/rw.yaml" <<YAML
hub:
  name: hub-1
  url: https://127.0.0.1:$HUB_PORT
spokes:
  - name: spoke-east
    url: https://127.0.0.1:$S1_PORT
  - name: spoke-west
    url: https://127.0.0.1:$S2_PORT
policy:
  version:
    rule: same-minor
YAML
        run_hs config.same_minor 2 "^HUBSPOKE CRITICAL - 2 spokes: 1 OK, 1 Hub/Spoke Versions Not Compatible \|" \
            --config "$RW_WORK/rw.yaml"
        line config.east "spoke-east \($L:$S1_PORT\): OK - .*; hub reports Health OK"
        line config.west "spoke-west \($L:$S2_PORT\): Hub/Spoke Versions Not Compatible - .*same-minor"
        run_hs config.cli_wins 0 "^HUBSPOKE OK - 2 spokes: 2 OK \|" \
            --config "$RW_WORK/rw.yaml" --policy same-major
        ;;
    config_credentials)
        # the hub wants hubadmin, the spoke spokeadmin: each gets its own set from --config
        printf 'hub-secret\n' >"$RW_WORK/hub.pass"
        printf 'spoke-secret\n' >"$RW_WORK/spoke.pass"
        chmod 600 "$RW_WORK/hub.pass" "$RW_WORK/spoke.pass"
        emu S1 ca/hub --firmware-version 3.2.0 --user spokeadmin --password-file "$RW_WORK/spoke.pass"
        start_hub "north|$(u "$S1_PORT")|OK" -- --user hubadmin --password-file "$RW_WORK/hub.pass"
        cat >"$RW_WORK/rw.yaml" <<YAML
credentials:
  hubadmin: {username: hubadmin, password_file: $RW_WORK/hub.pass}
  spokeadmin: {username: spokeadmin, password_file: $RW_WORK/spoke.pass}
hub: {name: hub-1, url: "https://127.0.0.1:$HUB_PORT", credentials: hubadmin}
spokes:
  - {name: spoke-north, url: "https://127.0.0.1:$S1_PORT", credentials: spokeadmin}
YAML
        run_hs config_credentials.own_sets 0 "^HUBSPOKE OK - 1 spoke: 1 OK \|" \
            --config "$RW_WORK/rw.yaml"
        line config_credentials.line "spoke-north \($L:$S1_PORT\): OK - version 3\.2\.0"
        # the command line's set (the hub's) does not replace the spoke's own
        printf 'username=hubadmin\npassword=hub-secret\n' >"$RW_WORK/auth"
        chmod 600 "$RW_WORK/auth"
        run_hs config_credentials.spoke_keeps_own 0 "^HUBSPOKE OK - 1 spoke: 1 OK \|" \
            --config "$RW_WORK/rw.yaml" --authfile "$RW_WORK/auth"
        # without its set, the spoke refuses the hub's credentials
        sed -i 's/, credentials: spokeadmin//' "$RW_WORK/rw.yaml"
        run_hs config_credentials.without 2 "^HUBSPOKE CRITICAL - 1 spoke: " \
            --config "$RW_WORK/rw.yaml"
        line config_credentials.without_line "spoke-north \($L:$S1_PORT\): [A-Za-z/ ]+ - .*401"
        ;;
    many)
        # 400 spokes with long names outgrow the 64 KiB output caps: the verdict stands,
        # the spoke with a problem comes first, and what was left out is said
        emu S1 ca/hub --firmware-version 3.2.0
        start_hub
        c=$(closed_port)
        local pad i
        pad=$(printf 'x%.0s' {1..55})
        {
            echo "spokes:"
            for ((i = 1; i <= 400; i++)); do
                echo "  - {name: s$i-$pad, url: \"https://127.0.0.1:$S1_PORT\"}"
            done
            echo "  - {name: zz-down, url: \"https://127.0.0.1:$c\"}"
        } >"$RW_WORK/many.yaml"
        run_hs many 2 "^HUBSPOKE CRITICAL - 401 spokes: 400 OK, 1 Not responding \|" \
            --config "$RW_WORK/many.yaml" -t 30
        if [[ $(sed -n 2p <<<"$RW_OUT") == "hub 127.0.0.1:$HUB_PORT: "* &&
            $(sed -n 3p <<<"$RW_OUT") == "zz-down (127.0.0.1:$c): Not responding - "* ]]; then
            rw_pass "many: the spoke with a problem is listed first"
        else
            rw_fail "many: want the hub line, then zz-down's"
        fi
        line many.cut_lines "[0-9]+ more spoke lines left out \\(output cap 64 KiB\\)\$"
        line many.cut_perf "perfdata of [0-9]+ spokes left out \\(output cap 64 KiB\\)\$"
        if [[ ${#RW_OUT} -lt $((3 * 65536)) ]]; then rw_pass "many: output bounded"; else
            rw_fail "many: ${#RW_OUT} bytes of output"; fi
        ;;
    bad_args)
        local p=(-H 127.0.0.1)
        bad_args HUBSPOKE "$PLUGIN" bad.no_host "missing -H/--hostname" --policy exact
        bad_args HUBSPOKE "$PLUGIN" bad.policy \
            "--policy: unknown policy 'strict' \(exact, same-major, same-minor; identical, same-issuer, pinned, registered\)" \
            "${p[@]}" --policy strict
        bad_args HUBSPOKE "$PLUGIN" bad.pinned "--policy pinned needs at least one --pin" \
            "${p[@]}" --policy pinned
        bad_args HUBSPOKE "$PLUGIN" bad.registered "--policy registered needs --known-spokes FILE" \
            "${p[@]}" --policy registered
        bad_args HUBSPOKE "$PLUGIN" bad.same_issuer "--policy same-issuer needs --cacert FILE" \
            "${p[@]}" --policy same-issuer
        bad_args HUBSPOKE "$PLUGIN" bad.days "-w/--warning: '3d' is not a number of days \(0 to 36500\)" \
            "${p[@]}" -w 3d
        bad_args HUBSPOKE "$PLUGIN" bad.order \
            "-c/--critical \(20 days\) must not be more than -w/--warning \(10 days\)" \
            "${p[@]}" -w 10 -c 20
        bad_args HUBSPOKE "$PLUGIN" bad.minimum "--minimum: .*" "${p[@]}" --minimum x
        bad_args HUBSPOKE "$PLUGIN" bad.regex "--product: invalid regular expression .*" \
            "${p[@]}" --product '(a'
        bad_args HUBSPOKE "$PLUGIN" bad.config_missing "$RW_WORK/none\.yaml: .*" \
            "${p[@]}" --config "$RW_WORK/none.yaml"
        printf 'spokes:\n  - name: x\n    colour: red\n' >"$RW_WORK/bad.yaml"
        bad_args HUBSPOKE "$PLUGIN" bad.config_key "$RW_WORK/bad\.yaml:[0-9]+:[0-9]+: .*" \
            "${p[@]}" --config "$RW_WORK/bad.yaml"
        bad_args HUBSPOKE "$PLUGIN" bad.pin "--pin: .*" "${p[@]}" --pin nothex
        rw_expect help 0 "^check_hubspoke" "$PLUGIN" --help
        ;;
    *)
        echo "unknown case $1" >&2
        exit 2
        ;;
    esac
}

make_pki
case_run "$1"
rw_done
