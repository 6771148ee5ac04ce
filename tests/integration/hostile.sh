#!/usr/bin/env bash
# Hostile servers against every network plugin and `rackwatch poll`:
#   hostile.sh PROGRAM MODE
# PROGRAM: liveness cert version hubspoke pdu server poll pollget (poll without credentials:
# no login, the first request is a GET on a kept connection, redfish/rf_conn.c); MODE: a hostile.py mode (huge,
# huge_chunked, header_line, header_lines, trickle, renegotiate, redirect, nextlink,
# garbage) or garbage_raw (garbage where the TLS handshake should be).
# The hostile server is the checked host (for check_hubspoke the hub; check_spoke_cert and
# check_spoke_version get a good hub, rackwatch-emu with the same certificate).  Each run
# is bounded by the program's own deadline (-t 3, poll timeout 2 and --budget 6) with the
# ctest TIMEOUT as the guard; memory by an address-space limit (not under ASan, which
# reserves terabytes) and a peak-RSS bound.  The run must exit with its documented code and
# print one clear first line; for redirect, the host redirected to (127.0.0.2, a second
# listener) must receive no credentials.  Loopback only: 127.0.0.1 and 127.0.0.2.
. "$(dirname "$0")/lib.sh"

PROGRAM=${1:?program}
MODE=${2:?mode}
HOSTILE="$RW_SOURCE_DIR/tests/integration/hostile.py"
EMU="$RW_BIN_DIR/rackwatch-emu"
SECRET=hostile-password-Zq7
RSS_MAX_KB=$((256 * 1024)) # far below the 1 GiB a server offers, far above a normal run
AS_MAX_MB=1024

case $PROGRAM in
liveness | cert | version) BIN="$RW_BIN_DIR/check_spoke_$PROGRAM" ;;
hubspoke | pdu | server) BIN="$RW_BIN_DIR/check_$PROGRAM" ;;
poll | pollget) BIN="$RW_BIN_DIR/rackwatch" ;;
*) echo "hostile.sh: unknown program $PROGRAM" >&2; exit 2 ;;
esac
[[ -x $BIN ]] || rw_skip "$(basename "$BIN") not built"
command -v openssl >/dev/null || rw_skip "openssl not installed"

# make_pki: one CA and one leaf for localhost, 127.0.0.1, 127.0.0.2 and ::1, made once a day
# per build tree (every hostile test uses the same).
make_pki() {
    PKI="$RW_TEST_TMP/hostile-pki-$(date -u +%Y%m%d)"
    mkdir -p "$PKI"
    (
        flock 9
        [[ -f $PKI/done ]] && exit 0
        rm -rf "$PKI/ca"
        rw_make_ca "$PKI/ca" &&
            rw_make_cert "$PKI/ca" srv localhost "DNS:localhost,IP:127.0.0.1,IP:127.0.0.2,IP:::1" \
                -1 300 &&
            touch "$PKI/done"
    ) 9>"$PKI.lock"
    [[ -f $PKI/done ]] || { echo "certificate generation failed" >&2; exit 1; }
    CA="$PKI/ca/ca.crt"
    CRT="$PKI/ca/srv.crt"
    KEY="$PKI/ca/srv.key"
}

# hostile VAR MODE BIND [hostile.py options]: starts a hostile server; sets ${VAR}_PORT.
hostile() {
    local var=$1 mode=$2 bind=$3 portfile="$RW_WORK/$1.port" i
    shift 3
    rw_spawn "$RW_WORK/$var.out" python3 "$HOSTILE" serve "$mode" "$bind" "$portfile" "$@"
    for ((i = 0; i < 200; i++)); do
        [[ -s $portfile ]] && break
        sleep 0.05
    done
    [[ -s $portfile ]] || { cat "$RW_WORK/$var.out"; echo "hostile $mode did not start" >&2; exit 1; }
    printf -v "${var}_PORT" '%s' "$(cat "$portfile")"
}

# good_hub: rackwatch-emu with the hub mockup and the same certificate; sets HUB_PORT.
good_hub() {
    local ready="$RW_WORK/hub.ready" i
    [[ -x $EMU ]] || rw_skip "rackwatch-emu not built"
    rw_spawn "$RW_WORK/hub.log" "$EMU" --mockup "$RW_SOURCE_DIR/tests/data/hub" \
        --listen 127.0.0.1:0 --tls-cert "$CRT" --tls-key "$KEY" --ready-file "$ready"
    for ((i = 0; i < 200; i++)); do
        [[ -s $ready ]] && break
        sleep 0.05
    done
    [[ -s $ready ]] || { cat "$RW_WORK/hub.log"; echo "emu did not start" >&2; exit 1; }
    HUB_PORT=$(head -n 1 "$ready" | sed 's/.*://')
}

# poll_config FILE URL: one endpoint with credentials, 2 s per request.
poll_config() {
    printf '%s\n' "$SECRET" >"$RW_WORK/bmc.pass"
    chmod 600 "$RW_WORK/bmc.pass"
    cat >"$1" <<EOF
defaults:
  timeout: 2
  ca_file: $CA
credentials:
  bmc:
    username: monitor
    password_file: $RW_WORK/bmc.pass
endpoints:
  - name: hostile
    url: $2
    kind: auto
    credentials: bmc
EOF
}

# command_for PORT: the command line of PROGRAM against the hostile server in CMD.
command_for() {
    local port=$1 tls=(--cacert "$CA")
    printf 'username=monitor\npassword=%s\n' "$SECRET" >"$RW_WORK/auth"
    chmod 600 "$RW_WORK/auth"
    local auth=(--authfile "$RW_WORK/auth")
    case $PROGRAM in
    liveness) CMD=("$BIN" -H 127.0.0.1 -p "$port" -t 3 "${tls[@]}" "${auth[@]}") ;;
    cert)
        good_hub
        CMD=("$BIN" -H 127.0.0.1 -p "$port" --hub 127.0.0.1 --hub-port "$HUB_PORT" -t 3 "${tls[@]}")
        ;;
    version)
        good_hub
        CMD=("$BIN" -H 127.0.0.1 -p "$port" --hub 127.0.0.1 --hub-port "$HUB_PORT" -t 3 "${tls[@]}"
            "${auth[@]}")
        ;;
    hubspoke | pdu | server) CMD=("$BIN" -H 127.0.0.1 -p "$port" -t 3 "${tls[@]}" "${auth[@]}") ;;
    poll)
        poll_config "$RW_WORK/poll.yaml" "https://127.0.0.1:$port"
        CMD=("$BIN" poll --config "$RW_WORK/poll.yaml" --budget 6)
        ;;
    pollget)
        poll_config "$RW_WORK/poll.yaml" "https://127.0.0.1:$port"
        sed -i '/^    credentials: bmc$/d' "$RW_WORK/poll.yaml"
        CMD=("$BIN" poll --config "$RW_WORK/poll.yaml" --budget 6)
        ;;
    esac
}

# The documented outcome of PROGRAM against MODE: WANT_RC and WANT (a regex on the first
# line of stdout).  Plugins: CRITICAL 2 when the exchange fails (timeout, TLS, HTTP status,
# a cap passed: "Not responding" for the hub/spoke checks) or the reply is not a service
# root ("Invalid Server..."); OK where the check does not read the reply (check_spoke_liveness
# takes any status below 500 and never follows redirects, check_spoke_cert only shakes
# hands); poll: exit 1 with the endpoint's error.
expect_for() {
    local h='127\.0\.0\.1:[0-9]+' key="$PROGRAM.$MODE" login
    local long='response header line too long \(libcurl: out of memory\)'
    local big='response headers larger than 65536 bytes' notls='not TLS \(a plain HTTP server\?\)'
    local http09='not an HTTP reply \(no status line\)' notjson='/redfish/v1/ is not a JSON object'
    # nextlink: whichever collection the concurrent crawl finds at its page cap first
    local coll='/redfish/v1/(Systems|Chassis|Managers|PowerEquipment/RackPDUs)'
    # a slow server: the request's timeout, or the run's deadline when it comes first
    local slow='(GET /redfish/v1/: timed out after [0-9.]+ s|no answer to GET /redfish/v1/ in time)'
    local -A want=(
        [liveness.huge]="0|^SPOKE OK - $h answered HTTP 200 in"
        [liveness.huge_chunked]="0|^SPOKE OK - $h answered HTTP 200 in"
        [liveness.header_line]="2|^SPOKE CRITICAL - Not responding: $h: $long \|"
        [liveness.header_lines]="2|^SPOKE CRITICAL - Not responding: $h: $big \|"
        [liveness.trickle]="2|^SPOKE CRITICAL - Not responding: $h: timed out after 3 s \|"
        [liveness.renegotiate]="2|^SPOKE CRITICAL - Not responding: $h: timed out after 3 s \|"
        [liveness.redirect]="0|^SPOKE OK - $h answered HTTP 302 in" # documented: not followed
        [liveness.nextlink]="0|^SPOKE OK - $h answered HTTP 200 in"
        [liveness.garbage]="2|^SPOKE CRITICAL - Not responding: $h: $http09 \|"
        [liveness.garbage_raw]="2|^SPOKE CRITICAL - Not responding: $h: $notls \|"
        [cert.garbage_raw]="2|^SPOKE_CERT CRITICAL - Not responding: spoke $h: TLS handshake with $h failed: wrong version number"
        [version.huge]="2|^SPOKE_VERSION CRITICAL - Invalid Server or Versions Not Compatible: spoke $h: $notjson"
        [version.huge_chunked]="2|^SPOKE_VERSION CRITICAL - Invalid Server or Versions Not Compatible: spoke $h: $notjson"
        [version.nextlink]="2|^SPOKE_VERSION CRITICAL - Hub/Spoke Versions Not Compatible: spoke $h runs 1\.0\.0, hub $h runs 3\.2\.0: policy exact"
        [hubspoke.huge]="2|^HUBSPOKE CRITICAL - hub $h: Invalid Server or Versions Not Compatible - $notjson"
        [hubspoke.huge_chunked]="2|^HUBSPOKE CRITICAL - hub $h: Invalid Server or Versions Not Compatible - $notjson"
        [hubspoke.nextlink]="2|^HUBSPOKE CRITICAL - hub $h: Invalid Server or Versions Not Compatible - /redfish/v1/AggregationService/AggregationSources\?page=63: nextLink '/redfish/v1/AggregationService/AggregationSources\?page=64' unusable or more than 64 pages$"
        [pdu.nextlink]="2|^PDU CRITICAL - $coll\?page=63: more than 64 pages of members; the rest is not read"
        [server.nextlink]="2|^SERVER CRITICAL - $coll\?page=63: more than 64 pages of members; the rest is not read"
        [poll.nextlink]="1|^hostile \(https://$h\): auto, FAILED, [0-9]+ ms, [0-9]+ requests: $coll\?page=63: more than 64 pages of members; the rest is not read"
    )
    # Where the per-program wording is the same for several modes:
    case $PROGRAM.$MODE in
    cert.*) [[ -n ${want[$key]:-} ]] ||
        want[$key]="0|^SPOKE_CERT OK - spoke $h and hub $h present the same certificate" ;;
    version.* | hubspoke.*)
        local pre="^SPOKE_VERSION CRITICAL - Not responding: spoke $h: "
        [[ $PROGRAM == hubspoke ]] && pre="^HUBSPOKE CRITICAL - hub $h: Not responding - "
        local get='GET /redfish/v1/: '
        local -A tail=([header_line]=$get$long [header_lines]=$get$big [trickle]=$slow
            [renegotiate]=$slow [redirect]="${get}HTTP 302 Found" [garbage]=$get$http09
            [garbage_raw]=$get$notls)
        [[ -n ${want[$key]:-} ]] || want[$key]="2|$pre${tail[$MODE]}"
        ;;
    pdu.* | server.* | poll.*)
        # a slow server: curl's request timeout, or the plugin's -t deadline when it comes first
        local pre="^${PROGRAM^^} CRITICAL - " rc=2
        [[ $PROGRAM == poll ]] && pre="^hostile \(https://$h\): auto, FAILED, [0-9]+ ms, [0-9]+ requests: " rc=1
        login="/redfish/v1/: login to https://$h failed: "
        local -A tail=([huge]="${login}body larger than 16777216 bytes"
            [huge_chunked]="${login}body larger than 16777216 bytes" [header_line]="$login$long"
            [header_lines]="${login}headers larger than 65536 bytes"
            [trickle]="(${login}Operation timed out after [0-9]+ milliseconds with [0-9]+ out of 1048576 bytes received|timed out after 3 s$)"
            [renegotiate]="(${login}Operation timed out after [0-9]+ milliseconds with 0 bytes received|timed out after 3 s$)"
            [redirect]="/redfish/v1/: HTTP 302: redirect to https://127\.0\.0\.2:[0-9]+/redfish/v1/ not followed"
            [garbage]="$login$http09" [garbage_raw]="${login}OpenSSL/[0-9.]+: error:0A00010B:SSL routines::wrong version number")
        [[ -n ${want[$key]:-} ]] || want[$key]="$rc|$pre${tail[$MODE]}"
        ;;
    pollget.*)
        # The GETs on kept connections (rf_conn.c, rf_h1.c) word their own failures.
        local pre="^hostile \(https://$h\): auto, FAILED, [0-9]+ ms, [0-9]+ requests: " root='/redfish/v1/: '
        local -A tail=([huge]="${root}body larger than 16777216 bytes"
            [huge_chunked]="${root}body larger than 16777216 bytes"
            [header_line]="${root}headers larger than 65536 bytes"
            [header_lines]="${root}headers larger than 65536 bytes"
            [trickle]="(${root}Operation timed out after [0-9]+ milliseconds with [0-9]+ out of 1048576 bytes received|timed out after 3 s$)"
            [renegotiate]="(${root}Operation timed out after [0-9]+ milliseconds with 0 bytes received|timed out after 3 s$)"
            [redirect]="${root}HTTP 302: redirect to https://127\.0\.0\.2:[0-9]+/redfish/v1/ not followed"
            [nextlink]="$coll\?page=63: more than 64 pages of members; the rest is not read"
            [garbage]="$root$http09"
            [garbage_raw]="${root}OpenSSL/[0-9.]+: error:0A00010B:SSL routines::wrong version number")
        [[ -n ${want[$key]:-} ]] || want[$key]="1|$pre${tail[$MODE]}"
        ;;
    esac
    WANT_RC=${want[$key]%%|*}
    WANT=${want[$key]#*|}
}

make_pki
case $MODE in
garbage_raw) hostile SRV garbage 127.0.0.1 ;;
redirect)
    hostile REC record 127.0.0.2 --cert "$CRT" --key "$KEY" --log "$RW_WORK/rec.log"
    hostile SRV redirect 127.0.0.1 --cert "$CRT" --key "$KEY" --log "$RW_WORK/srv.log" \
        --target "https://127.0.0.2:$REC_PORT"
    ;;
*) hostile SRV "$MODE" 127.0.0.1 --cert "$CRT" --key "$KEY" --log "$RW_WORK/srv.log" ;;
esac
command_for "$SRV_PORT"
expect_for

limit=(--as-mb "$AS_MAX_MB")
if grep -q '^RACKWATCH_SANITIZE:BOOL=ON' "$RW_BUILD_DIR/CMakeCache.txt" 2>/dev/null; then
    # ASan maps terabytes of shadow memory: only the RSS bound applies.  Its quarantine keeps
    # up to 256 MiB of freed memory by default (a renegotiation storm frees a lot); a
    # smaller one keeps the bound about our memory, not ASan's.
    limit=()
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=32"
fi
rw_run python3 "$HOSTILE" run "$RW_WORK/rss" "${limit[@]}" -- "${CMD[@]}"
RSS_KB=$(cat "$RW_WORK/rss" 2>/dev/null || echo 0)
echo "$PROGRAM vs $MODE: exit $RW_RC, peak RSS $((RSS_KB / 1024)) MiB"
echo "  ${RW_OUT%%$'\n'*}"

if [[ -z $WANT_RC ]]; then
    rw_fail "no expectation for $PROGRAM $MODE"
elif [[ $RW_RC -ne $WANT_RC ]]; then
    rw_fail "$PROGRAM $MODE: want exit $WANT_RC"
elif ! head -n 1 <<<"$RW_OUT" | grep -Eq -- "$WANT"; then
    rw_fail "$PROGRAM $MODE: first line does not match /$WANT/"
else
    rw_pass "$PROGRAM $MODE: exit $WANT_RC, clear first line"
fi
if grep -Eq 'Sanitizer|runtime error' <<<"$RW_OUT$RW_ERR"; then
    rw_fail "$PROGRAM $MODE: a sanitizer report"
else
    rw_pass "$PROGRAM $MODE: no sanitizer report"
fi
if [[ $RSS_KB -gt 0 && $RSS_KB -le $RSS_MAX_KB ]]; then
    rw_pass "$PROGRAM $MODE: peak RSS $((RSS_KB / 1024)) MiB <= $((RSS_MAX_KB / 1024)) MiB"
else
    rw_fail "$PROGRAM $MODE: peak RSS ${RSS_KB} KiB"
fi
if [[ $MODE == renegotiate && $PROGRAM != cert ]]; then
    # Proof that the server did renegotiate (it logs the count once the client has left).
    for ((i = 0; i < 100; i++)); do
        grep -q '^renegotiations completed' "$RW_WORK/srv.log" 2>/dev/null && break
        sleep 0.05
    done
    count=$(awk '/^renegotiations completed: / { n += $3 } END { print n + 0 }' "$RW_WORK/srv.log")
    if [[ ${count:-0} -gt 0 ]]; then
        rw_pass "$PROGRAM renegotiate: the client went through $count renegotiations"
    else
        rw_fail "$PROGRAM renegotiate: no renegotiation happened ($(cat "$RW_WORK/srv.log"))"
    fi
fi
if [[ $MODE == redirect ]]; then
    # The credentials must stay with the host they were configured for.
    if grep -Eiq "^(authorization|x-auth-token):|$SECRET|hostile-session-token" \
        "$RW_WORK/rec.log" 2>/dev/null; then
        rw_fail "$PROGRAM redirect: 127.0.0.2 received credentials: $(cat "$RW_WORK/rec.log")"
    else
        rw_pass "$PROGRAM redirect: 127.0.0.2 received no credentials ($(grep -c '^[A-Z]* /' \
            "$RW_WORK/rec.log" 2>/dev/null || echo 0) requests)"
    fi
fi
rw_done
