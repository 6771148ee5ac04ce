#!/usr/bin/env bash
# poll.faults: devices that misbehave, each next to a healthy one that must still be
# reported: 503 + Retry-After (completes, backs off), truncated JSON, a 100 MiB body
# (refused, memory bounded), a dropped connection, a slow device that does not delay the
# others (asserted by each endpoint's duration_ms), a request timeout and the poll budget.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"
. "$(dirname "$0")/poll_lib.sh"

emu_tls
poll_emu good "$EMU_DATA/pdu"
GOOD=$EMU_URL

# 503 with Retry-After: 1 to 5% of requests over 20 rounds (a few 503s, each retried after
# the second the device asks for; the odds that one request meets 4 in a row are 6e-6).
poll_emu busy "$EMU_DATA/pdu" --fail-rate 0.05
poll_config "$RW_WORK/busy.yaml" -- "busy=$EMU_URL=pdu"
poll_json "503 + Retry-After, 20 rounds" 0 "$RW_WORK/busy.yaml" --rounds 20
if ! grep -q 'failed), ' <<<"$RW_ERR" || grep -Eq '\(([1-9][0-9]*) failed\)' <<<"$RW_ERR"; then
    rw_fail "503: some round failed"
else
    rw_pass "503: every round completed ($(poll_count "$RW_WORK/busy.access" ' 503 ') answers were 503)"
fi
poll_equals_mockup "503: the model equals tests/data/pdu" busy "$EMU_DATA/pdu"
# After a 503 the device said "Retry-After: 1": no new request for about that second.
rw_run python3 -c '
import sys
rows = [l.split() for l in open(sys.argv[1])]
ends = [float(r[1]) for r in rows if r[5] == "503"]
early = [r for r in rows for t in ends if t + 0.05 < float(r[0]) < t + 0.9]
print("%d 503s, %d requests inside the back-off" % (len(ends), len(early)))
sys.exit(1 if early else 0)' "$RW_WORK/busy.access"
if [[ $RW_RC -eq 0 ]]; then
    rw_pass "503: the service is left alone for its Retry-After ($RW_OUT)"
else
    rw_fail "503: requests during the back-off"
fi

# Bodies cut short, a dropped connection: that endpoint fails in one line, the good one not.
poll_emu badjson "$EMU_DATA/pdu" --bad-json
BADJSON=$EMU_URL
poll_emu drop "$EMU_DATA/pdu" --drop
DROP=$EMU_URL
poll_config "$RW_WORK/bad.yaml" -- "badjson=$BADJSON=pdu" "drop=$DROP=pdu" "good=$GOOD=pdu"
poll_json "garbage JSON and a dropped connection" 1 "$RW_WORK/bad.yaml"
poll_check "garbage JSON: failed, no partial model" \
    'e("badjson")["ok"] is False and e("badjson")["pdus"] == [] and __import__("re").fullmatch(r"/redfish/v1/: invalid JSON at byte [0-9]+: unexpected end of data", e("badjson")["error"])'
poll_check "dropped connection: failed with the transport's reason" \
    'e("drop")["ok"] is False and e("drop")["pdus"] == [] and e("drop")["error"] == "/redfish/v1/: login to '"$DROP"' failed: Empty reply from server"'
poll_check "errors are one line" 'all("\n" not in x["error"] for x in d["endpoints"] if x["error"])'
poll_check "the good endpoint still reported" 'e("good")["ok"] is True and len(e("good")["pdus"]) == 1'

# 100 MiB bodies: refused at the 16 MiB cap; the process stays far below the body's size.
# No credentials (the service asks none), so that the service root's GET gets the body.
emu_start huge --tls --mockup "$EMU_DATA/pdu" --huge-body 104857600
poll_config "$RW_WORK/huge.yaml" -- "good=$GOOD=pdu"
printf '  - name: huge\n    url: %s\n    kind: pdu\n' "$EMU_URL" >>"$RW_WORK/huge.yaml"
poll_json "100 MiB body" 1 "$RW_WORK/huge.yaml" -v
poll_check "100 MiB body: refused as too big" \
    'e("huge")["ok"] is False and e("huge")["pdus"] == [] and e("huge")["error"] == "/redfish/v1/: body larger than 16777216 bytes"'
poll_check "100 MiB body: the good endpoint still reported" 'e("good")["ok"] is True'
rss=$(sed -n 's/.*peak RSS \([0-9]*\) KB.*/\1/p' <<<"$RW_ERR" | tail -n 1)
if [[ -n $rss && $rss -lt 102400 ]]; then
    rw_pass "100 MiB body: peak RSS $rss KB, below the body's 102400 KB"
else
    rw_fail "100 MiB body: peak RSS '${rss:-?}' KB"
fi

# A slow device (2 s per answer) polled beside a fast one: the fast one is done long before
# the slow one's first answer, as the document's own durations say.
poll_emu slow "$EMU_DATA/pdu" --delay-ms 2000
SLOW=$EMU_URL
poll_config "$RW_WORK/slow.yaml" -- "slow=$SLOW=pdu" "fast=$GOOD=pdu"
poll_json "a slow endpoint" 0 "$RW_WORK/slow.yaml"
poll_check "slow endpoint: the fast one finished before one slow answer could come" \
    'e("fast")["duration_ms"] < 2000 <= e("slow")["duration_ms"]'
poll_equals_mockup "slow endpoint: its model is complete" slow "$EMU_DATA/pdu"

# Its requests time out (timeout: 0.3 s): that endpoint fails, the other does not.
poll_config "$RW_WORK/timeout.yaml" -- "slow=$SLOW=pdu=timeout: 0.3" "fast=$GOOD=pdu"
poll_json "request timeout" 1 "$RW_WORK/timeout.yaml"
poll_check "request timeout: the slow endpoint failed with a timeout" \
    'e("slow")["ok"] is False and __import__("re").fullmatch("/redfish/v1/: login to '"$SLOW"' failed: Operation timed out after [0-9]+ milliseconds with 0 bytes received", e("slow")["error"]) and e("fast")["ok"] is True'

# The whole poll may take --budget seconds: what is not done by then fails, saying so.
poll_json "--budget 1.5" 1 "$RW_WORK/slow.yaml" --budget 1.5
poll_check "--budget: the slow endpoint cancelled" \
    'e("slow")["ok"] is False and e("slow")["error"].endswith("poll budget of 1.5 s ran out") and e("fast")["ok"] is True'

emu_done
