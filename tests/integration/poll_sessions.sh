#!/usr/bin/env bash
# poll.sessions: Redfish sessions as `rackwatch poll` uses them: one login reused across
# --rounds, a logout at the end, a new login when the service forgets its sessions
# (--unauthorized-after, as after a restart of the device), the session limit reached and
# a wrong password: each a clear one-line error for that endpoint and exit 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"
. "$(dirname "$0")/poll_lib.sh"

emu_tls
poll_emu reuse "$EMU_DATA/pdu"
REUSE=$EMU_URL
poll_emu forget "$EMU_DATA/pdu" --unauthorized-after 5
FORGET=$EMU_URL
poll_emu full "$EMU_DATA/server" --session-limit 1
FULL=$EMU_URL

# Two rounds in one process: one login, one logout, the same requests twice.
poll_config "$RW_WORK/reuse.yaml" -- "pdu=$REUSE=pdu"
poll_json "--rounds 2" 0 "$RW_WORK/reuse.yaml" --rounds 2
rw_expect_output "--rounds 2: each round's figures on stderr" \
    'round 2: 1 endpoints \(0 failed\), [0-9]+ requests, [0-9.]+ s wall, [0-9.]+ us CPU per request, peak RSS [0-9]+ KB'
poll_expect_count "--rounds 2: one POST to Sessions" "$RW_WORK/reuse.access" \
    'POST /redfish/v1/SessionService/Sessions ' 1
poll_expect_count "--rounds 2: one DELETE of the session" "$RW_WORK/reuse.access" \
    'DELETE /redfish/v1/SessionService/Sessions/' 1
poll_expect_count "--rounds 2: the service root read once per round" "$RW_WORK/reuse.access" \
    'GET /redfish/v1/ 200' 2
poll_expect_count "--rounds 2: no request refused" "$RW_WORK/reuse.access" ' 401 ' 0
poll_equals_mockup "--rounds 2: the last round's model equals tests/data/pdu" pdu "$EMU_DATA/pdu"

# The service forgets every session each 5 requests: a 401, a new login, the poll goes on.
poll_config "$RW_WORK/forget.yaml" -- "pdu=$FORGET=pdu"
poll_json "sessions forgotten mid-poll, 3 rounds" 0 "$RW_WORK/forget.yaml" --rounds 3
rw_expect_output "every round ok" '^round 3: 1 endpoints \(0 failed\)'
if [[ $RW_ERR != *"(1 failed)"* ]] && (($(poll_count "$RW_WORK/forget.access" 'POST /redfish/v1/SessionService/Sessions 201') >= 3)); then
    rw_pass "logged in again after each 401 ($(poll_count "$RW_WORK/forget.access" ' 401 ') refused)"
else
    RW_OUT=$(cat "$RW_WORK/forget.access") rw_fail "no new login after a 401"
fi
poll_equals_mockup "after re-login: the model equals tests/data/pdu" pdu "$EMU_DATA/pdu"

# The only session the server allows is taken: the endpoint fails, clearly; others go on.
rw_run emu_curl -o /dev/null -w '%{http_code}' -d '{"UserName":"monitor","Password":"s3cret"}' \
    "$FULL/redfish/v1/SessionService/Sessions"
if [[ $RW_OUT == 201 ]]; then
    rw_pass "another client holds the one session"
else
    rw_fail "another client cannot take the session"
fi
poll_config "$RW_WORK/full.yaml" -- "srv=$FULL=server" "pdu=$REUSE=pdu"
poll_json "session limit reached" 1 "$RW_WORK/full.yaml"
poll_check "session limit: the endpoint fails with the device's reason" \
    'e("srv")["ok"] is False and e("srv")["error"] == "/redfish/v1/: login to '"$FULL"' failed: HTTP 503: The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation." and e("srv")["servers"] == []'
poll_check "session limit: the other endpoint still reported" 'e("pdu")["ok"] is True and len(e("pdu")["pdus"]) == 1'
rw_expect "session limit: the table says FAILED and why" 1 \
    "^srv \(https://[^)]*\): server, FAILED, [0-9]+ ms, [0-9]+ requests: /redfish/v1/: login to https://127\.0\.0\.1:[0-9]+ failed: HTTP 503: The session establishment failed" \
    "$RACKWATCH" poll --config "$RW_WORK/full.yaml"

# A wrong password: the login fails with 401, said in one line.
printf 'wrong\n' >"$RW_WORK/wrong.pass"
chmod 600 "$RW_WORK/wrong.pass"
sed "s|password_file: .*|password_file: $RW_WORK/wrong.pass|" "$RW_WORK/reuse.yaml" >"$RW_WORK/wrong.yaml"
poll_json "wrong password" 1 "$RW_WORK/wrong.yaml"
poll_check "wrong password: login failed with HTTP 401" \
    'e("pdu")["ok"] is False and e("pdu")["error"].startswith("/redfish/v1/: login to '"$REUSE"' failed: HTTP 401") and "\n" not in e("pdu")["error"]'

emu_done
