#!/usr/bin/env bash
# poll.cli: `rackwatch poll` options and configuration errors: each bad input exits 3 with
# one exact line on stderr (configuration errors as FILE:LINE:COLUMN), --help exits 0.
# Nothing here reaches a device: the endpoints point at a closed loopback port.
. "$(dirname "$0")/lib.sh"
RACKWATCH=$RW_BIN_DIR/rackwatch
[[ -x $RACKWATCH ]] || { echo "no $RACKWATCH: build rackwatch first" >&2; exit 1; }
cd "$RW_WORK" || exit 1
CLOSED=https://127.0.0.1:$(rw_free_port)

printf 'endpoints:\n  - name: a\n    url: %s\n' "$CLOSED" >ok.yaml
printf 'endpoints:\n  - name: a\n    url: %s\n    kindd: pdu\n' "$CLOSED" >typo.yaml
printf 'endpoints:\n  - name: a\n    url: %s\n    kind: toaster\n' "$CLOSED" >kind.yaml
printf 'endpoints: [\n' >syntax.yaml
printf 'defaults:\n  timeout: 5\n' >empty.yaml
printf 'endpoints:\n  - name: a\n    url: %s\n    credentials: nobody\n' "$CLOSED" >cred.yaml
printf 'endpoints:\n  - name: a\n    url: %s\n    fingerprint: sha256:zz\n' "$CLOSED" >pin.yaml

# bad NAME STDERR_REGEX ARGS...: exit 3, nothing on stdout, stderr's first line matches.
bad() {
    local name=$1 want=$2
    shift 2
    rw_run "$RACKWATCH" poll "$@"
    if [[ $RW_RC -ne 3 ]]; then
        rw_fail "$name: want exit 3"
    elif [[ -n $RW_OUT ]] || grep -Eq 'Sanitizer|runtime error' <<<"$RW_ERR"; then
        rw_fail "$name: stdout should be empty, no sanitizer report"
    elif ! head -n 1 <<<"$RW_ERR" | grep -Eq -- "^$want\$"; then
        rw_fail "$name: stderr does not match /^$want\$/"
    else
        rw_pass "$name"
    fi
}

bad "unknown key" "rackwatch poll: typo\.yaml:4:5: unknown key 'kindd' in endpoint 1 \(did you mean 'kind'\?\)" \
    --config typo.yaml
bad "bad kind" "rackwatch poll: kind\.yaml:4:11: kind: expected auto \| pdu \| server, got 'toaster'" \
    --config kind.yaml
bad "YAML syntax" "rackwatch poll: syntax\.yaml:2:1: did not find expected node content.*" --config syntax.yaml
bad "unknown credentials" \
    "rackwatch poll: cred\.yaml:4:18: unknown credentials 'nobody' \(not defined under credentials:\)" \
    --config cred.yaml
bad "bad fingerprint" "rackwatch poll: pin\.yaml:4:18: fingerprint: expected a SHA-256 fingerprint .*, got 'sha256:zz'" \
    --config pin.yaml
bad "no endpoints" "rackwatch poll: empty\.yaml: no endpoints to poll \(the endpoints: list is empty\)" \
    --config empty.yaml
bad "missing file" "rackwatch poll: nope\.yaml: cannot read: No such file or directory" --config nope.yaml
bad "unknown --endpoint" "rackwatch poll: ok\.yaml: no endpoint named 'b'" --config ok.yaml --endpoint a \
    --endpoint b
bad "no --config" "rackwatch poll: --config FILE is required" --json
bad "--config without its file" "rackwatch poll: option '--config' needs an argument" --config
bad "unknown option" "rackwatch poll: unknown option '--bogus'" --config ok.yaml --bogus
bad "unknown short option" "rackwatch poll: unknown option '-x'" --config ok.yaml -x
bad "an argument too many" "rackwatch poll: unexpected argument 'extra'" --config ok.yaml extra
bad "--rounds 0" "rackwatch poll: --rounds: expected 1-1000000, got '0'" --config ok.yaml --rounds 0
bad "--rounds x" "rackwatch poll: --rounds: expected 1-1000000, got 'x'" --config ok.yaml --rounds x
bad "--budget 0" "rackwatch poll: --budget: expected 0\.1-86400 seconds, got '0'" --config ok.yaml --budget 0
bad "--budget 1e9" "rackwatch poll: --budget: expected 0\.1-86400 seconds, got '1e9'" --config ok.yaml --budget 1e9
many=()
for ((i = 0; i < 257; i++)); do many+=(--endpoint a); done
bad "257 --endpoint" "rackwatch poll: at most 256 --endpoint options" --config ok.yaml "${many[@]}"

rw_expect "--help" 0 '^Usage: rackwatch poll --config FILE \[--json\] \[--endpoint NAME\]\.\.\.$' \
    "$RACKWATCH" poll --help
rw_expect_output "--help names every option" '--budget SECONDS'
rw_expect_output "--help gives the exit codes" 'Exit status: 0 every endpoint answered, 1 some failed, 3 bad configuration\.'
rw_expect "rackwatch --help lists poll" 0 '^Usage: rackwatch COMMAND' "$RACKWATCH" --help
rw_expect_output "rackwatch --help: the poll line" '  poll +poll every configured endpoint once'

# A valid configuration whose device is not there: exit 1, the endpoint reported failed.
rw_expect "unreachable endpoint: exit 1" 1 '^\{$' "$RACKWATCH" poll --config ok.yaml --json
if python3 -c 'import json, sys
d = json.loads(sys.argv[1])["endpoints"]
assert len(d) == 1 and d[0]["ok"] is False and "Couldn" in d[0]["error"] and d[0]["pdus"] == []' "$RW_OUT"; then
    rw_pass "unreachable endpoint: ok false with the reason"
else
    rw_fail "unreachable endpoint: document"
fi
rw_done
