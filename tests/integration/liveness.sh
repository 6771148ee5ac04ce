#!/usr/bin/env bash
# Integration tests of check_spoke_liveness against real local servers: openssl s_server
# and liveness.py (python3 stdlib).  One case per run: liveness.sh CASE.
# Certificates are made once per day and build tree (EC P-256, shared by all cases).
. "$(dirname "$0")/lib.sh"

PLUGIN="$RW_BIN_DIR/check_spoke_liveness"
HERE="$(cd "$(dirname "$0")" && pwd)"
[[ -x $PLUGIN ]] || rw_skip "check_spoke_liveness not built"
command -v openssl >/dev/null || rw_skip "openssl not installed"

# make_pki: PKI=<dir> with ca/ (trusted), other/ (a CA the plugin is not told about).
make_pki() {
    PKI="$RW_TEST_TMP/liveness-pki-$(date -u +%Y%m%d)"
    mkdir -p "$PKI"
    (
        flock 9
        [[ -f $PKI/done ]] && exit 0
        rm -rf "$PKI/ca" "$PKI/other"
        rw_make_ca "$PKI/ca" &&
            rw_make_cert "$PKI/ca" good localhost "DNS:localhost,IP:127.0.0.1,IP:::1" -1 30 &&
            rw_make_cert "$PKI/ca" expired localhost "DNS:localhost,IP:127.0.0.1" -10 -1 &&
            rw_make_cert "$PKI/ca" named other.example "DNS:other.example" -1 30 &&
            rw_make_ca "$PKI/other" &&
            rw_make_cert "$PKI/other" good localhost "DNS:localhost,IP:127.0.0.1" -1 30 &&
            touch "$PKI/done"
    ) 9>"$PKI.lock"
    [[ -f $PKI/done ]] || { echo "certificate generation failed" >&2; exit 1; }
}

# s_server CADIR NAME [extra s_server args]: serves $RW_WORK/www over TLS; sets PORT.
s_server() {
    local ca=$1 name=$2
    shift 2
    mkdir -p "$RW_WORK/www/redfish/v1"
    echo '{"@odata.id": "/redfish/v1/"}' >"$RW_WORK/www/redfish/v1/index.json"
    PORT=$(rw_free_port)
    (cd "$RW_WORK/www" && exec openssl s_server -accept "127.0.0.1:$PORT" -WWW -quiet \
        -cert "$ca/$name.crt" -key "$ca/$name.key" "$@") >"$RW_WORK/s_server.log" 2>&1 &
    RW_PIDS+=("$!")
    rw_wait_port "$PORT" 10 || exit 1
}

# py_server MODE BIND: liveness.py on BIND port 0 with the trusted certificate; sets PORT.
py_server() {
    local mode=$1 bind=$2 i
    rw_spawn "$RW_WORK/py.log" python3 "$HERE/liveness.py" "$mode" "$bind" "$RW_WORK/port" \
        "$PKI/ca/good.crt" "$PKI/ca/good.key"
    for ((i = 0; i < 200; i++)); do
        [[ -s $RW_WORK/port ]] && break
        sleep 0.05
    done
    [[ -s $RW_WORK/port ]] || { cat "$RW_WORK/py.log"; exit 1; }
    PORT=$(cat "$RW_WORK/port")
}

# hub_tree HOSTNAME HEALTH: a hub's AggregationSources in $RW_WORK/hub with a member for an
# unrelated spoke and one with HostName HOSTNAME and Status.Health HEALTH.
hub_tree() {
    local dir="$RW_WORK/hub/redfish/v1/AggregationService/AggregationSources"
    mkdir -p "$dir/1" "$dir/2"
    printf '{"Members": [{"@odata.id": "%s/1"}, {"@odata.id": "%s/2"}]}\n' \
        "${dir#"$RW_WORK/hub"}" "${dir#"$RW_WORK/hub"}" >"$dir/index.json"
    echo '{"HostName": "https://192.0.2.1", "Status": {"State": "Enabled", "Health": "OK"}}' \
        >"$dir/1/index.json"
    printf '{"HostName": "%s", "Status": {"State": "Enabled", "Health": "%s"}}\n' "$1" "$2" \
        >"$dir/2/index.json"
}

have_ipv6() {
    python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' \
        2>/dev/null
}

OKPERF='\| time=[0-9.]+s;;;0 tls_handshake=[0-9.]+s;;;0$'
NR='^SPOKE CRITICAL - Not responding: '
USAGE='Usage: check_spoke_liveness -H HOST \[-p 443\]'

# bad_args NAME WANT_LINE ARGS...: UNKNOWN, exit 3, exactly the state line and the usage line.
bad_args() {
    local name=$1 want=$2
    shift 2
    rw_expect "$name" 3 "^SPOKE UNKNOWN - $want\$" "$PLUGIN" "$@"
    if [[ $(wc -l <<<"$RW_OUT") -eq 2 ]] && sed -n 2p <<<"$RW_OUT" | grep -Eq "^$USAGE"; then
        rw_pass "$name: one usage line"
    else
        rw_fail "$name: want the state line and one usage line"
    fi
}

case_run() {
    local ca="$PKI/ca/ca.crt"
    case $1 in
    trusted)
        s_server "$PKI/ca" good
        rw_expect trusted 0 "^SPOKE OK - 127\.0\.0\.1:$PORT answered HTTP 200 in [0-9.]+ s $OKPERF" \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca"
        rw_expect trusted.verbose 0 "^SPOKE OK - " "$PLUGIN" -H 127.0.0.1 -p "$PORT" \
            --cacert "$ca" -v
        rw_expect_output trusted.verbose.details \
            "GET https://127\.0\.0\.1:$PORT/redfish/v1/"
        ;;
    other_ca)
        s_server "$PKI/other" good
        rw_expect other_ca 2 \
            "${NR}127\.0\.0\.1:$PORT: TLS handshake failed: unable to get local issuer certificate \|" \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca"
        ;;
    insecure)
        s_server "$PKI/other" good
        rw_expect insecure 0 "^SPOKE OK - 127\.0\.0\.1:$PORT answered HTTP 200" \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca" --insecure
        ;;
    expired)
        s_server "$PKI/ca" expired
        rw_expect expired 2 "${NR}127\.0\.0\.1:$PORT: TLS handshake failed: certificate has expired \|" \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca"
        ;;
    wrong_host)
        s_server "$PKI/ca" named
        rw_expect wrong_host 2 \
            "${NR}127\.0\.0\.1:$PORT: TLS handshake failed: hostname mismatch \(certificate not valid for '127\.0\.0\.1'\) \|" \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca"
        ;;
    sni)
        s_server "$PKI/ca" named
        rw_expect sni 0 "^SPOKE OK - 127\.0\.0\.1:$PORT answered HTTP 200" \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca" --sni other.example
        ;;
    refused)
        PORT=$(rw_free_port)
        rw_expect refused 2 "${NR}127\.0\.0\.1:$PORT: connection refused \| time=" \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca"
        ;;
    plain_http)
        py_server plain 127.0.0.1
        rw_expect plain_http 2 "${NR}127\.0\.0\.1:$PORT: not TLS \(a plain HTTP server\?\) \|" \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca"
        ;;
    hang)
        py_server hang 127.0.0.1
        rw_expect hang 2 "${NR}127\.0\.0\.1:$PORT: timed out after 2 s \|" \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca" -t 2
        ;;
    http503)
        py_server status:503 127.0.0.1
        rw_expect http503 2 "${NR}127\.0\.0\.1:$PORT: HTTP 503 Service Unavailable \|" \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca"
        ;;
    http404)
        py_server status:404 127.0.0.1
        rw_expect http404 0 "^SPOKE OK - 127\.0\.0\.1:$PORT answered HTTP 404 in [0-9.]+ s $OKPERF" \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca"
        ;;
    thresholds)
        # The server waits 1 s, so the time is at least 1 s: no upper bound is asserted.
        py_server delay:1 127.0.0.1
        rw_expect thresholds.ok 0 "^SPOKE OK - .* \| time=[0-9.]+s;60;120;0 " \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca" -w 60 -c 120
        rw_expect thresholds.warning 1 "^SPOKE WARNING - 127\.0\.0\.1:$PORT answered HTTP 200 in [0-9.]+ s \| time=[0-9.]+s;0.5;120;0 " \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca" -w 0.5 -c 120
        rw_expect thresholds.critical 2 "^SPOKE CRITICAL - 127\.0\.0\.1:$PORT answered HTTP 200 .*time=[0-9.]+s;0.2;0.5;0 " \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca" -w 0.2 -c 0.5
        rw_expect thresholds.inside 1 "^SPOKE WARNING - .*time=[0-9.]+s;@0.5:60;;0 " \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca" -w @0.5:60
        rw_expect thresholds.above 2 "^SPOKE CRITICAL - .*time=[0-9.]+s;~:60;~:0.9;0 " \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca" -w '~:60' -c '~:0.9'
        ;;
    ipv6 | ipv6_brackets)
        have_ipv6 || rw_skip "no IPv6 loopback"
        py_server status:200 ::1
        local host='::1'
        [[ $1 == ipv6_brackets ]] && host='[::1]'
        rw_expect "$1" 0 "^SPOKE OK - \[::1\]:$PORT answered HTTP 200 in [0-9.]+ s $OKPERF" \
            "$PLUGIN" -H "$host" -p "$PORT" --cacert "$ca"
        ;;
    dns_localhost)
        s_server "$PKI/ca" good
        rw_expect dns_localhost 0 "^SPOKE OK - localhost:$PORT answered HTTP 200" \
            "$PLUGIN" -H localhost -p "$PORT" --cacert "$ca"
        ;;
    authfile)
        printf 'username=admin\npassword=secret\n' >"$RW_WORK/auth"
        chmod 600 "$RW_WORK/auth"
        py_server auth:admin:secret 127.0.0.1
        rw_expect authfile.private 0 "^SPOKE OK - 127\.0\.0\.1:$PORT answered HTTP 200 " \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca" --authfile "$RW_WORK/auth"
        rw_expect authfile.none 0 "^SPOKE OK - 127\.0\.0\.1:$PORT answered HTTP 401 " \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca"
        RACKWATCH_USERNAME=admin RACKWATCH_PASSWORD=secret rw_expect authfile.env 0 \
            "^SPOKE OK - 127\.0\.0\.1:$PORT answered HTTP 200 " \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca"
        chmod 640 "$RW_WORK/auth"
        bad_args authfile.group_readable \
            "--authfile: '$RW_WORK/auth' is accessible by group or others \(mode 0640\): chmod 600 it" \
            -H 127.0.0.1 -p "$PORT" --cacert "$ca" --authfile "$RW_WORK/auth"
        chmod 604 "$RW_WORK/auth"
        bad_args authfile.world_readable \
            "--authfile: '$RW_WORK/auth' is accessible by group or others \(mode 0604\): chmod 600 it" \
            -H 127.0.0.1 --authfile "$RW_WORK/auth"
        ;;
    env_credentials)
        RACKWATCH_USERNAME=admin bad_args env_credentials.half \
            "set both RACKWATCH_USERNAME and RACKWATCH_PASSWORD, or neither" -H 127.0.0.1
        ;;
    bad_range)
        bad_args bad_range.garbage "-w/--warning: invalid range 'abc': 'abc' is not a number" \
            -H 127.0.0.1 -w abc
        bad_args bad_range.order "-c/--critical: invalid range '20:10': start 20 is greater than end 10" \
            -H 127.0.0.1 -c 20:10
        ;;
    bad_host)
        bad_args bad_host.missing "missing -H/--hostname" -p 443
        bad_args bad_host.invalid "-H/--hostname: invalid host name 'bad_host!'" -H 'bad_host!'
        ;;
    bad_port)
        bad_args bad_port "-p/--port: '70000' is not a port \(1-65535\)" -H 127.0.0.1 -p 70000
        ;;
    bad_timeout)
        bad_args bad_timeout "-t/--timeout: 'ten' is not a number of seconds" -H 127.0.0.1 -t ten
        ;;
    bad_option)
        bad_args bad_option.unknown "unknown option '--bogus'" -H 127.0.0.1 --bogus
        bad_args bad_option.missing_arg "-w/--warning needs an argument \(RANGE\)" -H 127.0.0.1 -w
        bad_args bad_option.extra "unexpected argument 'spoke'" -H 127.0.0.1 spoke
        ;;
    bad_path)
        bad_args bad_path "-u/--url: 'redfish' is not a path \(it must start with '/'\)" \
            -H 127.0.0.1 -u redfish
        ;;
    bad_cacert)
        bad_args bad_cacert "--cacert: cannot read '/nonexistent/ca.pem': No such file or directory" \
            -H 127.0.0.1 --cacert /nonexistent/ca.pem
        ;;
    hub_ok)
        s_server "$PKI/ca" good
        hub_tree "https://127.0.0.1:$PORT" OK
        local spoke=$PORT
        py_server "tree:$RW_WORK/hub" 127.0.0.1
        rw_expect hub_ok 0 "^SPOKE OK - 127\.0\.0\.1:$spoke answered HTTP 200 in [0-9.]+ s; hub 127\.0\.0\.1:$PORT reports state Enabled, health OK $OKPERF" \
            "$PLUGIN" -H 127.0.0.1 -p "$spoke" --cacert "$ca" --hub "127.0.0.1:$PORT"
        ;;
    hub_critical)
        s_server "$PKI/ca" good
        hub_tree "127.0.0.1:$PORT" Critical
        local spoke=$PORT
        py_server "tree:$RW_WORK/hub" 127.0.0.1
        rw_expect hub_critical 2 "^SPOKE CRITICAL - 127\.0\.0\.1:$spoke answered HTTP 200 in [0-9.]+ s; hub 127\.0\.0\.1:$PORT reports state Enabled, health Critical \|" \
            "$PLUGIN" -H 127.0.0.1 -p "$spoke" --cacert "$ca" --hub "https://127.0.0.1:$PORT"
        ;;
    hub_missing)
        s_server "$PKI/ca" good
        hub_tree "127.0.0.1:1" OK
        local spoke=$PORT
        py_server "tree:$RW_WORK/hub" 127.0.0.1
        rw_expect hub_missing 1 "^SPOKE WARNING - 127\.0\.0\.1:$spoke answered HTTP 200 in [0-9.]+ s; hub 127\.0\.0\.1:$PORT has no AggregationSource for this spoke \|" \
            "$PLUGIN" -H 127.0.0.1 -p "$spoke" --cacert "$ca" --hub "127.0.0.1:$PORT"
        ;;
    hub_not_a_hub)
        s_server "$PKI/ca" good
        local spoke=$PORT
        py_server status:200 127.0.0.1
        rw_expect hub_not_a_hub 3 "^SPOKE UNKNOWN - 127\.0\.0\.1:$spoke answered HTTP 200 in [0-9.]+ s; hub 127\.0\.0\.1:$PORT: /redfish/v1/AggregationService/AggregationSources has no Members array \|" \
            "$PLUGIN" -H 127.0.0.1 -p "$spoke" --cacert "$ca" --hub "127.0.0.1:$PORT"
        ;;
    hub_down)
        local hub
        hub=$(rw_free_port)
        PORT=$(rw_free_port)
        rw_expect hub_down 2 "${NR}127\.0\.0\.1:$PORT: connection refused \|" \
            "$PLUGIN" -H 127.0.0.1 -p "$PORT" --cacert "$ca" --hub "127.0.0.1:$hub"
        if sed -n 2p <<<"$RW_OUT" | grep -Eq "^hub 127\.0\.0\.1:$hub: connection refused$"; then
            rw_pass "hub_down: hub view in the long output"
        else
            rw_fail "hub_down: second line should be the hub's view"
        fi
        ;;
    bad_hub)
        bad_args bad_hub.scheme "--hub: the hub must be reached over https" -H 127.0.0.1 \
            --hub http://127.0.0.1
        bad_args bad_hub.port "--hub: port 0 out of range 1-65535" -H 127.0.0.1 --hub 127.0.0.1:0
        ;;
    help)
        rw_expect help 0 "^check_spoke_liveness \(rackwatch [0-9.]+\)$" "$PLUGIN" --help
        rw_expect_output help.options "-w, --warning=RANGE"
        rw_expect_output help.ranges "~:10 +above 10"
        rw_expect_output help.label "\"SPOKE STATE - text \| perfdata\""
        ;;
    version)
        rw_expect version 0 "^check_spoke_liveness \(rackwatch [0-9.]+\)$" "$PLUGIN" -V
        ;;
    *)
        echo "unknown case '$1'" >&2
        exit 2
        ;;
    esac
}

make_pki
case_run "${1:?usage: liveness.sh CASE}"
rw_done
