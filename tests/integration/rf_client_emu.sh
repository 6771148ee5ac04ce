#!/usr/bin/env bash
# The Redfish HTTP client through rf_fetch_cli against rackwatch-emu over HTTPS: sessions
# (login, reuse, re-login after the emulator restarts, session limit), 503 + Retry-After,
# paging links, fault flags.  Skipped until the emulator is built.
. "$(dirname "$0")/lib.sh"
# In the sanitizer build a report must not pass for an expected "exit 1".
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=87:print_stacktrace=1

CLI=$RW_BIN_DIR/rf_fetch_cli
EMU=$RW_BIN_DIR/rackwatch-emu
DATA=$RW_SOURCE_DIR/tests/data/pdu
[[ -x $CLI ]] || rw_skip "rf_fetch_cli not built"
[[ -x $EMU ]] || rw_skip "rackwatch-emu not built"
[[ -f $DATA/index.json ]] || rw_skip "no PDU mockup in tests/data/pdu"
CA=$RW_WORK/ca
rw_make_ca "$CA" && rw_make_cert "$CA" server localhost "DNS:localhost,IP:127.0.0.1" -1 10 ||
    { echo "cannot make certificates"; exit 1; }
CRED=(--user test --password secret --cacert "$CA/ca.crt")
PDU=/redfish/v1/PowerEquipment/RackPDUs/1

# emu NAME LISTEN ARGS...: starts the emulator over TLS with user test/secret on LISTEN
# (127.0.0.1:0 for any port); sets URL, PORT, EPID and ACC (its access log).
emu() {
    local name=$1 listen=$2 i
    shift 2
    ACC=$RW_WORK/$name.access
    rm -f "$RW_WORK/$name.ready"
    rw_spawn "$RW_WORK/$name.log" "$EMU" --mockup "$DATA" --listen "$listen" \
        --ready-file "$RW_WORK/$name.ready" --tls-cert "$CA/server.crt" \
        --tls-key "$CA/server.key" --user test --password secret --access-log "$ACC" "$@"
    EPID=$RW_LAST_PID
    for ((i = 0; i < 200; i++)); do
        [[ -s $RW_WORK/$name.ready ]] && break
        kill -0 "$EPID" 2>/dev/null || break
        sleep 0.05
    done
    [[ -s $RW_WORK/$name.ready ]] || { echo "emulator $name did not start" >&2; cat "$RW_WORK/$name.log" >&2; exit 1; }
    URL=https://$(head -n 1 "$RW_WORK/$name.ready")
    PORT=${URL##*:}
}

# want_count NAME PATTERN FILE N: FILE has exactly N lines matching PATTERN.
want_count() {
    local got
    got=$(grep -Ec -- "$2" "$3")
    if [[ $got -eq $4 ]]; then
        rw_pass "$1"
    else
        RW_OUT="$(cat "$3")"
        rw_fail "$1: $got lines match /$2/, want $4"
    fi
}

# Sessions: one login, reused over three polls, deleted at the end.
emu basic 127.0.0.1:0
rw_expect "emu: login, three polls, logout" 0 'RW_OK 200' \
    "$CLI" --rounds 3 --logout -e "$URL" "${CRED[@]}" /redfish/v1/ $PDU $PDU/Outlets $PDU/Mains/AC1
want_count "emu: one login" ' POST /redfish/v1/SessionService/Sessions 201 ' "$ACC" 1
want_count "emu: twelve GETs answered 200" ' GET .* 200 ' "$ACC" 12
want_count "emu: the session deleted" ' DELETE /redfish/v1/SessionService/Sessions/1 20[04] ' "$ACC" 1
rw_expect "emu: event-loop driver" 0 'RW_OK 200' \
    "$CLI" --loop --rounds 2 --logout -e "$URL" "${CRED[@]}" /redfish/v1/ $PDU
rw_expect "emu: wrong password" 1 "^0 /redfish/v1/Chassis RW_EHTTP 0 0 login to $URL failed: HTTP 401" \
    "$CLI" -e "$URL" --user test --password nope --cacert "$CA/ca.crt" /redfish/v1/Chassis

# Re-login after the emulator restarts between two polls of one client.
emu first 127.0.0.1:0
rw_spawn "$RW_WORK/restart.out" "$CLI" --rounds 2 --wait-between "$RW_WORK/go" -e "$URL" \
    "${CRED[@]}" $PDU $PDU/Outlets
CPID=$RW_LAST_PID
for ((i = 0; i < 400; i++)); do
    grep -q '^round 1 done' "$RW_WORK/restart.out" && break
    sleep 0.05
done
kill "$EPID"
wait "$EPID" 2>/dev/null
emu second "127.0.0.1:$PORT"
touch "$RW_WORK/go"
wait "$CPID"
RW_RC=$?
RW_OUT=$(cat "$RW_WORK/restart.out")
RW_ERR=""
if [[ $RW_RC -eq 0 && $(grep -c 'RW_OK 200' <<<"$RW_OUT") -eq 4 ]]; then
    rw_pass "emu: re-login after the emulator restarted"
else
    rw_fail "emu: re-login after the emulator restarted"
fi
want_count "emu restarted: one new login" ' POST /redfish/v1/SessionService/Sessions 201 ' "$ACC" 1
want_count "emu restarted: the two GETs in flight with the old token refused" ' GET .* 401 ' "$ACC" 2

# Session limit: a logout frees the slot; a leaked session blocks the next client, which
# asks once and does not retry (SessionLimitExceeded is no "retry later").
emu limit 127.0.0.1:0 --session-limit 1
rw_expect "emu limit: first client logs out" 0 'RW_OK 200' "$CLI" --logout -e "$URL" "${CRED[@]}" $PDU
rw_expect "emu limit: second client gets the freed slot" 0 'RW_OK 200' \
    "$CLI" -e "$URL" "${CRED[@]}" $PDU
rw_expect "emu limit: third client refused" 1 \
    "^0 $PDU RW_EHTTP 0 0 login to $URL failed: HTTP 503: The session establishment failed due to the number of simultaneous sessions" \
    "$CLI" -e "$URL" "${CRED[@]}" $PDU
want_count "emu limit: the refused login was asked once" ' POST .* 503 ' "$ACC" 1

# 503 + Retry-After on half the requests: every request succeeds in the end.
emu busy 127.0.0.1:0 --fail-rate 0.5
rw_expect "emu: --fail-rate 0.5, all answered after retries" 0 'RW_OK 200' \
    "$CLI" -e "$URL" "${CRED[@]}" --retries 20 /redfish/v1/ $PDU $PDU/Outlets $PDU/Mains \
    $PDU/Branches $PDU/Metrics
if [[ $(grep -c 'RW_OK 200' <<<"$RW_OUT") -eq 6 ]]; then
    rw_pass "emu busy: six results, all OK"
else
    rw_fail "emu busy: six results, all OK"
fi
want_count "emu busy: each resource answered 200 exactly once" ' GET .* 200 ' "$ACC" 6

# Paging: a nextLink with its query string goes through unchanged.
emu paged 127.0.0.1:0 --page-size 2
rw_run "$CLI" --body -e "$URL" "${CRED[@]}" $PDU/Outlets
next=$(sed -n '2p' <<<"$RW_OUT" | python3 -c 'import json, sys
print(json.load(sys.stdin).get("Members@odata.nextLink", ""))' 2>/dev/null)
if [[ -n $next ]]; then
    rw_run "$CLI" -e "$URL" "${CRED[@]}" "$next"
    if [[ $RW_RC -eq 0 ]] && grep -qF "0 $next RW_OK 200" <<<"$RW_OUT"; then
        rw_pass "emu paged: nextLink $next"
    else
        rw_fail "emu paged: nextLink $next"
    fi
else
    rw_fail "emu paged: no nextLink in the first page"
fi

# Faults.
emu huge 127.0.0.1:0 --huge-body 104857600
rw_expect "emu: 100 MiB body refused" 1 "^0 $PDU RW_ETOOBIG 0 0 body larger than 16777216 bytes$" \
    "$CLI" -e "$URL" "${CRED[@]}" --basic $PDU
emu drop 127.0.0.1:0 --drop
rw_expect "emu: connection closed without an answer" 1 "^0 $PDU RW_ECONNECT 0 0 " \
    "$CLI" -e "$URL" "${CRED[@]}" --basic $PDU
emu status 127.0.0.1:0 --http-status 500
rw_expect "emu: HTTP 500" 1 "^0 $PDU RW_EHTTP 500 [0-9]+ HTTP 500" \
    "$CLI" -e "$URL" "${CRED[@]}" --basic $PDU
# One request at a time, so the order is fixed: the sessions die before the 5th, 10th...
# request, each time one GET is refused, logs in again and is replayed.
emu churn 127.0.0.1:0 --unauthorized-after 5
rw_run "$CLI" --rounds 3 -e "$URL" "${CRED[@]}" --max-in-flight 1 /redfish/v1/ $PDU $PDU/Outlets
if [[ $RW_RC -eq 0 && $(grep -c 'RW_OK 200' <<<"$RW_OUT") -eq 9 ]]; then
    rw_pass "emu: sessions forgotten every 5 requests, re-login keeps up"
else
    rw_fail "emu: sessions forgotten every 5 requests, re-login keeps up"
fi
want_count "emu churn: one re-login per refused GET" ' POST .* 201 ' "$ACC" 3
emu pinned 127.0.0.1:0
fp=$(openssl x509 -in "$CA/server.crt" -noout -fingerprint -sha256 | sed 's/.*=//')
rw_expect "emu: pinned certificate" 0 "^0 $PDU RW_OK 200" \
    "$CLI" -e "$URL" "${CRED[@]}" --fingerprint "$fp" $PDU
rw_done
