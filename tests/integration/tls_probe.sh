#!/usr/bin/env bash
# The TLS probe (core/rw_tls) through rw_tls_probe_cli against openssl s_server and
# hand-made bad servers, all on loopback, certificates made here.
#   tls_probe.sh trusted|certs|failures|concurrent|dns
# dns runs in its own network and mount namespaces (unshare, root) with a slow DNS server
# (tls_probe_dns.py) on its private 127.0.0.1:53 and a private /etc/resolv.conf.
. "$(dirname "$0")/lib.sh"

PROBE=$RW_BIN_DIR/rw_tls_probe_cli
[[ -x $PROBE ]] || rw_skip "rw_tls_probe_cli not built"
command -v openssl >/dev/null || rw_skip "openssl not installed"
command -v python3 >/dev/null || rw_skip "python3 not installed"
GROUP=${1:?group}
CA=$RW_WORK/ca
OTHER=$RW_WORK/other

make_certs() {
    rw_make_ca "$CA" && rw_make_ca "$OTHER" || return 1
    rw_make_cert "$CA" good localhost "DNS:localhost,IP:127.0.0.1,IP:::1" -1 30 &&
        rw_make_cert "$CA" sni sni.example "DNS:sni.example" -1 30 &&
        rw_make_cert "$CA" expired localhost "DNS:localhost,IP:127.0.0.1" -30 -1 &&
        rw_make_cert "$CA" future localhost "DNS:localhost,IP:127.0.0.1" 5 30 &&
        rw_make_cert "$CA" wrongname other.example "DNS:other.example" -1 30 &&
        rw_make_cert "$OTHER" foreign localhost "DNS:localhost,IP:127.0.0.1" -1 30
}

# serve NAME CADIR [HOST] [EXTRA...]: s_server with CADIR/NAME.{crt,key} on a free port;
# sets PORT.  HOST is 127.0.0.1 unless given ("::1" for IPv6).
serve() {
    local name=$1 dir=$2 host=${3:-127.0.0.1} accept
    shift 3 2>/dev/null || shift $#
    PORT=$(rw_free_port)
    accept="$host:$PORT"
    [[ $host == *:* ]] && accept="[$host]:$PORT"
    rw_spawn "$RW_WORK/s_server.$name.$PORT.log" openssl s_server -quiet -www \
        -accept "$accept" -cert "$dir/$name.crt" -key "$dir/$name.key" "$@"
    rw_wait_port "$PORT" 10 "$host"
}

# serve_python NAME CODE: a python3 TCP server on a free port running CODE with the
# listening socket `s`; sets PORT.
serve_python() {
    local name=$1 code=$2
    PORT=$(rw_free_port)
    rw_spawn "$RW_WORK/$name.log" python3 -c "import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $PORT))
s.listen(64)
$code"
    rw_wait_port "$PORT" 10
}

# field KEY: the first KEY=value of the last run's output.
field() {
    sed -n "s/^$1=//p" <<<"$RW_OUT" | head -n 1
}

# want NAME KEY VALUE: the last run printed KEY=VALUE (first occurrence).
want() {
    local name=$1 key=$2 value=$3 got
    got=$(field "$key")
    if [[ $got == "$value" ]]; then
        rw_pass "$name"
    else
        rw_fail "$name: $key is '$got', want '$value'"
    fi
}

# openssl's own SHA-256 fingerprint of a PEM certificate, in our text form.
openssl_fp() {
    echo "sha256:$(openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/^.*=//')"
}

group_trusted() {
    serve good "$CA" 127.0.0.1 -cert_chain "$CA/ca.crt" -servername sni.example \
        -cert2 "$CA/sni.crt" -key2 "$CA/sni.key" || return
    local port=$PORT
    rw_expect "trusted chain exits 0" 0 '^target=127\.0\.0\.1:' \
        "$PROBE" --ca "$CA/ca.crt" --timeout 5000 "127.0.0.1:$port"
    want "trusted: handshake completed" rc RW_OK
    want "trusted: verified" verify ok
    want "trusted: verify code 0" verify_code 0
    want "trusted: IP host name check" host_match 1
    want "trusted: subject" subject "CN=localhost"
    want "trusted: issuer" issuer "CN=rackwatch test CA ca"
    want "trusted: chain as sent (leaf and CA)" chain_length 2
    want "trusted: chain[1] is the CA" chain.1.subject "CN=rackwatch test CA ca"
    want "trusted: fingerprint as openssl x509 computes it" fingerprint "$(openssl_fp "$CA/good.crt")"
    want "trusted: address" address 127.0.0.1
    rw_expect_output "trusted: SANs DNS and IP" '^san=DNS:localhost$'
    rw_expect_output "trusted: IPv6 SAN" '^san=IP:::1$'
    rw_expect_output "trusted: days left about 30" '^days_left=(29|30)\.'

    # No SNI for an IP literal unless asked; the server answers a matching SNI with cert2.
    rw_run "$PROBE" --ca "$CA/ca.crt" --sni sni.example "127.0.0.1:$port"
    want "explicit SNI selects the server's second certificate" subject "CN=sni.example"
    want "explicit SNI: host check is against the host asked for" host_match 0
    rw_run "$PROBE" --ca "$CA/ca.crt" --sni sni.example --verify-name sni.example \
        "127.0.0.1:$port"
    want "--verify-name checks that name" host_match 1
    rw_run "$PROBE" --ca "$CA/ca.crt" "localhost:$port"
    want "DNS name: completes" rc RW_OK
    want "DNS name: SNI is the host (not sni.example)" subject "CN=localhost"
    want "DNS name: host check by name" host_match 1

    # A client certificate is presented when the server asks for one.
    serve good "$CA" 127.0.0.1 -verify 1 -CAfile "$CA/ca.crt" || return
    rw_run "$PROBE" --ca "$CA/ca.crt" --cert "$CA/good.crt" --key "$CA/good.key" \
        "127.0.0.1:$PORT"
    want "client certificate: handshake completed" rc RW_OK
    want "client certificate: server verified" verify ok

    # Without --ca the system store decides: the chain is still returned.
    rw_run "$PROBE" "127.0.0.1:$port"
    want "system store: handshake completed" rc RW_OK
    want "system store: test CA unknown" verify_code 19
    want "system store: OpenSSL's reason" verify "self-signed certificate in certificate chain"
    want "system store: leaf returned anyway" subject "CN=localhost"

    # The system store as a hashed directory (looked up lazily) or as a bundle file.
    mkdir -p "$RW_WORK/hashdir" && cp "$CA/ca.crt" "$RW_WORK/hashdir/" &&
        openssl rehash "$RW_WORK/hashdir" >/dev/null 2>&1
    rw_run env -u SSL_CERT_FILE SSL_CERT_DIR="$RW_WORK/hashdir" "$PROBE" "127.0.0.1:$port"
    want "system store from a hashed SSL_CERT_DIR: verified" verify ok
    rw_run env SSL_CERT_FILE="$CA/ca.crt" SSL_CERT_DIR="$RW_WORK/none" "$PROBE" \
        "127.0.0.1:$port"
    want "system store from SSL_CERT_FILE: verified" verify ok
    rw_run env -u SSL_CERT_FILE SSL_CERT_DIR="$RW_WORK/none" "$PROBE" "127.0.0.1:$port"
    want "system store without any CA: handshake completed" rc RW_OK
    want "system store without any CA: not verified" verify_code 19

    if python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' \
        2>/dev/null; then
        serve good "$CA" ::1 || return
        rw_run "$PROBE" --ca "$CA/ca.crt" "[::1]:$PORT"
        want "IPv6 ::1: completes" rc RW_OK
        want "IPv6 ::1: address" address ::1
        want "IPv6 ::1: verified" verify ok
        want "IPv6 ::1: host check against the IPv6 SAN" host_match 1
        want "IPv6 ::1: target printed bracketed" target "[::1]:$PORT"
    else
        echo "no IPv6 on loopback: IPv6 case not run"
    fi
}

group_certs() {
    serve foreign "$OTHER" || return
    rw_run "$PROBE" --ca "$CA/ca.crt" "127.0.0.1:$PORT"
    want "other CA: handshake completed" rc RW_OK
    want "other CA: code" verify_code 20
    want "other CA: reason" verify "unable to get local issuer certificate"
    want "other CA: issuer shown" issuer "CN=rackwatch test CA other"
    want_rc "other CA: exit 0 (the handshake completed)" 0

    serve expired "$CA" || return
    rw_run "$PROBE" --ca "$CA/ca.crt" "127.0.0.1:$PORT"
    want "expired: code" verify_code 10
    want "expired: reason" verify "certificate has expired"
    rw_expect_output "expired: negative days left" '^days_left=-(0|1)\.'

    serve future "$CA" || return
    rw_run "$PROBE" --ca "$CA/ca.crt" "127.0.0.1:$PORT"
    want "not yet valid: code" verify_code 9
    want "not yet valid: reason" verify "certificate is not yet valid"
    rw_expect_output "not yet valid: notBefore after now" '^days_left=(29|30)\.'

    serve wrongname "$CA" || return
    rw_run "$PROBE" --ca "$CA/ca.crt" "127.0.0.1:$PORT"
    want "wrong host name: chain verifies" verify ok
    want "wrong host name: host check fails" host_match 0
    rw_run "$PROBE" --ca "$CA/ca.crt" "localhost:$PORT"
    want "wrong host name by DNS name: host check fails" host_match 0
}

group_failures() {
    local port
    port=$(rw_free_port)
    rw_expect "closed port exits 1" 1 "^target=127\.0\.0\.1:$port$" \
        "$PROBE" --timeout 3000 "127.0.0.1:$port"
    want "closed port: RW_ECONNECT" rc RW_ECONNECT
    want "closed port: message" error "connect to 127.0.0.1:$port: Connection refused"
    want "closed port: no chain" chain_length 0

    serve_python silent 'conns = []
while True:
    c, _ = s.accept()
    conns.append(c)' || return
    rw_expect "silent listener exits 1" 1 '^target=' "$PROBE" --timeout 700 "127.0.0.1:$PORT"
    want "silent listener: RW_ETIMEOUT" rc RW_ETIMEOUT
    want "silent listener: message names the stage and the deadline" error \
        "TLS handshake with 127.0.0.1:$PORT: no answer within 700 ms"
    rw_expect_output "silent listener: TCP connection was made" '^connect_ms=[0-9]'

    serve_python garbage 'while True:
    c, _ = s.accept()
    c.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    time.sleep(0.2)
    c.close()' || return
    rw_expect "garbage server exits 1" 1 '^target=' "$PROBE" --timeout 3000 "127.0.0.1:$PORT"
    want "garbage server: RW_ETLS" rc RW_ETLS
    want "garbage server: OpenSSL's reason" error \
        "TLS handshake with 127.0.0.1:$PORT failed: wrong version number"

    serve_python hangup 'while True:
    c, _ = s.accept()
    c.close()' || return
    rw_run "$PROBE" --timeout 3000 "127.0.0.1:$PORT"
    want "server closing at once: RW_ETLS" rc RW_ETLS
    rw_expect_output "server closing at once: message" \
        "^error=TLS handshake with 127\.0\.0\.1:$PORT failed: (unexpected eof while reading|connection closed by the server|Connection reset by peer)$"

    rw_expect "bad CA file exits 2" 2 '^$' "$PROBE" --ca "$RW_WORK/none.pem" "127.0.0.1:1"
    rw_expect_output "bad CA file: message" \
        "^rw_tls_probe_cli: CA file $RW_WORK/none.pem: No such file or directory$"
    echo "not a certificate" >"$RW_WORK/junk.pem"
    rw_expect "junk CA file exits 2" 2 '^$' "$PROBE" --ca "$RW_WORK/junk.pem" "127.0.0.1:1"
    rw_expect_output "junk CA file: message" "^rw_tls_probe_cli: CA file $RW_WORK/junk.pem: "
    rw_expect "client key not matching the certificate exits 2" 2 '^$' \
        "$PROBE" --cert "$CA/good.crt" --key "$CA/expired.key" "127.0.0.1:1"
    rw_expect_output "client key mismatch: message" \
        "^rw_tls_probe_cli: client key $CA/expired.key: key values mismatch$"
    rw_expect "client key without certificate exits 2" 2 '^$' \
        "$PROBE" --key "$CA/good.key" "127.0.0.1:1"
    rw_expect_output "client key without certificate: message" \
        "^rw_tls_probe_cli: client key $CA/good.key given without a client certificate$"
    rw_expect "bad port exits 2" 2 '^$' "$PROBE" "127.0.0.1:0"
    rw_expect_output "bad port: message" \
        '^rw_tls_probe_cli: bad target "127.0.0.1:0" \(want HOST:PORT\)$'
    rw_expect "bad --mode exits 2" 2 '^$' "$PROBE" --mode bogus "127.0.0.1:1"
    rw_expect_output "bad --mode: message" \
        '^rw_tls_probe_cli: bad --mode bogus \(want many or each\)$'
    rw_expect "bad --again-timeout exits 2" 2 '^$' "$PROBE" --again-timeout 0 "127.0.0.1:1"
    rw_expect_output "bad --again-timeout: message" '^rw_tls_probe_cli: bad --again-timeout 0$'
    rw_run "$PROBE" "[::1:443"
    want "malformed IPv6 target: RW_EINVAL" rc RW_EINVAL
    want "malformed IPv6 target: message" error 'bad TLS target "[::1" port 443'
}

group_concurrent() {
    local targets=() i good silent closed
    serve good "$CA" || return
    good=$PORT
    serve_python silent 'conns = []
while True:
    c, _ = s.accept()
    conns.append(c)' || return
    silent=$PORT
    closed=$(rw_free_port)
    for ((i = 0; i < 10; i++)); do targets+=("127.0.0.1:$good"); done
    for ((i = 0; i < 5; i++)); do targets+=("127.0.0.1:$silent" "127.0.0.1:$closed"); done
    rw_run "$PROBE" --ca "$CA/ca.crt" --timeout 1500 "${targets[@]}"
    want_rc "20 probes: exit 1 (some failed)" 1
    check_count "20 probes: 20 results" '^target=' 20
    check_count "20 probes: 10 handshakes completed" '^rc=RW_OK$' 10
    check_count "20 probes: 10 verified" '^verify=ok$' 10
    check_count "20 probes: 5 timed out at the one deadline" \
        "^error=TLS handshake with 127\.0\.0\.1:$silent: no answer within 1500 ms$" 5
    check_count "20 probes: 5 refused" \
        "^error=connect to 127\.0\.0\.1:$closed: Connection refused$" 5
    check_count "20 probes: one fingerprint for the good server" \
        "^fingerprint=$(openssl_fp "$CA/good.crt")$" 10
}

DNS_NAME=slow.rackwatch.test
DNS_DELAY=2

# Re-runs this script's dns group inside new network and mount namespaces (a loopback of
# its own, where port 53 and /etc/resolv.conf can be ours); exits with its status.
dns_enter_namespace() {
    [[ $(id -u) -eq 0 ]] || rw_skip "dns: unshare --net --mount needs root"
    command -v unshare >/dev/null || rw_skip "dns: unshare not installed"
    command -v ip >/dev/null || rw_skip "dns: ip (iproute2) not installed"
    unshare --net --mount -- true 2>/dev/null || rw_skip "dns: unshare --net --mount not permitted"
    RW_TLS_DNS_NS=1 unshare --net --mount -- bash "$0" dns
    exit $?
}

# Inside the namespaces: loopback up, our resolv.conf, the slow DNS server.
dns_setup() {
    local i
    ip link set lo up || return 1
    ip link show lo | grep -q 'UP' || { echo "loopback is not up"; return 1; }
    printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:1\n' >"$RW_WORK/resolv.conf"
    mount --bind "$RW_WORK/resolv.conf" /etc/resolv.conf || return 1
    ! grep -qi "$DNS_NAME" /etc/hosts || { echo "/etc/hosts names $DNS_NAME"; return 1; }
    rw_spawn "$RW_WORK/dns.log" python3 -u "$RW_SOURCE_DIR/tests/integration/tls_probe_dns.py" \
        --name "$DNS_NAME" --delay "$DNS_DELAY"
    for ((i = 0; i < 200; i++)); do
        grep -q '^ready$' "$RW_WORK/dns.log" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "the DNS server did not start"; cat "$RW_WORK/dns.log"
    return 1
}

# block TARGET: the lines of the last run's result for TARGET (first round unless ROUND=2).
block() {
    awk -v t="target=$1" -v round="${ROUND:-1}" '
        /^round=2$/ { r = 2 }
        $0 == t && (r == round || (round == 1 && r == 0)) { on = 1 }
        on && /^$/ { exit }
        on { print }' <<<"$RW_OUT"
}

# want_in NAME TARGET KEY VALUE: TARGET's result (see block) has KEY=VALUE.
want_in() {
    local got
    got=$(block "$2" | sed -n "s/^$3=//p" | head -n 1)
    if [[ $got == "$4" ]]; then rw_pass "$1"; else rw_fail "$1: $3 is '$got', want '$4'"; fi
}

# no_sanitizer_report NAME: the last run's stderr has no ASan/LSan/UBSan report.
no_sanitizer_report() {
    if grep -Eq 'Sanitizer|runtime error:' <<<"$RW_ERR"; then
        rw_fail "$1: sanitizer report"
    else
        rw_pass "$1"
    fi
}

group_dns() {
    local slow nosuch ip many=() i answered
    dns_setup || { echo "cannot set up the DNS namespace"; exit 1; }
    rw_make_cert "$CA" named "$DNS_NAME" "DNS:$DNS_NAME,IP:127.0.0.1" -1 30 || return
    serve named "$CA" || return
    slow="$DNS_NAME:$PORT" nosuch="nosuch.rackwatch.test:$PORT" ip="127.0.0.1:$PORT"

    # The slow name and an IP literal at once: the IP probe is not held up by DNS.
    rw_expect "slow name and IP literal: exit 0" 0 "^target=$slow$" \
        "$PROBE" --mode each --ca "$CA/ca.crt" --timeout 20000 "$slow" "$ip"
    want_in "IP literal finishes first" "$ip" done_order 1
    want_in "IP literal: handshake completed" "$ip" rc RW_OK
    want_in "slow name finishes after its answer" "$slow" done_order 2
    want_in "slow name: handshake completed" "$slow" rc RW_OK
    want_in "slow name: resolved address" "$slow" address 127.0.0.1
    want_in "slow name: verified" "$slow" verify ok
    want_in "slow name: host check by name (SNI and verify name)" "$slow" host_match 1
    no_sanitizer_report "slow name and IP literal: clean"
    rw_expect "rw_tls_probe_many: slow name and IP literal, exit 0" 0 "^target=$slow$" \
        "$PROBE" --ca "$CA/ca.crt" --timeout 20000 "$slow" "$ip"
    want_in "rw_tls_probe_many: slow name completed" "$slow" rc RW_OK

    # Expired while resolving; a second round runs while the first thread gets its answer.
    answered=$(grep -c "^answered $DNS_NAME 1 0$" "$RW_WORK/dns.log")
    rw_expect "expired while resolving: exit 1" 1 "^target=$slow$" \
        "$PROBE" --mode each --ca "$CA/ca.crt" --timeout 300 --again-timeout 20000 "$slow"
    want_in "expired while resolving: RW_ETIMEOUT" "$slow" rc RW_ETIMEOUT
    want_in "expired while resolving: message" "$slow" error \
        "cannot resolve $DNS_NAME: no answer within 300 ms"
    want_in "expired while resolving: no address" "$slow" address ""
    ROUND=2 want_in "after it, the same name resolves and completes" "$slow" rc RW_OK
    check_count "expired while resolving: both rounds' A queries answered" \
        "^answered $DNS_NAME 1 0$" $((answered + 2)) "$(cat "$RW_WORK/dns.log")"
    no_sanitizer_report "expired while resolving: clean (the thread freed its answer)"
    rw_expect "rw_tls_probe_many: expired while resolving, exit 1" 1 "^target=$slow$" \
        "$PROBE" --ca "$CA/ca.crt" --timeout 300 "$slow"
    want_in "rw_tls_probe_many: expired while resolving: message" "$slow" error \
        "cannot resolve $DNS_NAME: no answer within 300 ms"
    no_sanitizer_report "exit with a resolver thread still waiting: clean"

    # A name the server does not know (NXDOMAIN).
    rw_expect "NXDOMAIN: exit 1" 1 "^target=$nosuch$" "$PROBE" --mode each "$nosuch"
    want_in "NXDOMAIN: RW_ECONNECT" "$nosuch" rc RW_ECONNECT
    want_in "NXDOMAIN: message" "$nosuch" error \
        "cannot resolve nosuch.rackwatch.test: Name or service not known"
    rw_run "$PROBE" "$nosuch"
    want_in "rw_tls_probe_many: NXDOMAIN message" "$nosuch" error \
        "cannot resolve nosuch.rackwatch.test: Name or service not known"

    # Many named probes at once, each on its own resolver thread, beside IP literals.
    for ((i = 0; i < 10; i++)); do many+=("$slow" "$ip" "$nosuch"); done
    rw_run "$PROBE" --mode each --ca "$CA/ca.crt" --timeout 20000 "${many[@]}"
    want_rc "30 probes: exit 1 (NXDOMAIN ones failed)" 1
    check_count "30 probes: 20 handshakes completed" '^rc=RW_OK$' 20
    check_count "30 probes: 10 not resolved" \
        '^error=cannot resolve nosuch\.rackwatch\.test: Name or service not known$' 10
    check_count "30 probes: the 10 IP literals and 10 NXDOMAIN finish before any slow name" \
        '^late$' 10 "$(awk -v t="target=$slow" '$0 == t { on = 1 }
        on && /^done_order=/ { if (substr($0, 12) + 0 > 20) print "late"; on = 0 }' <<<"$RW_OUT")"
    no_sanitizer_report "30 probes: clean"
}

# want_rc NAME N: the last run exited N.
want_rc() {
    if [[ $RW_RC -eq $2 ]]; then rw_pass "$1"; else rw_fail "$1: want exit $2"; fi
}

# check_count NAME REGEX N [TEXT]: TEXT (default: the last run's stdout) has N lines
# matching REGEX.
check_count() {
    local got
    got=$(grep -Ec -- "$2" <<<"${4-$RW_OUT}")
    if [[ $got -eq $3 ]]; then rw_pass "$1"; else rw_fail "$1: $got lines, want $3"; fi
}

[[ $GROUP == dns && -z ${RW_TLS_DNS_NS:-} ]] && dns_enter_namespace
make_certs || { echo "cannot make test certificates"; exit 1; }
case $GROUP in
trusted) group_trusted ;;
certs) group_certs ;;
failures) group_failures ;;
concurrent) group_concurrent ;;
dns) group_dns ;;
*) echo "unknown group $GROUP"; exit 1 ;;
esac
rw_done
