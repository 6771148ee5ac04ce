#!/usr/bin/env bash
# emu.cli: the command line: --help, --version, every bad argument (exit 2 and its exact
# line), start-up failures (exit 1), and a clean stop on SIGTERM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"

D=$EMU_DATA/pdu
L=(--listen 127.0.0.1:0)

# bad NAME WANT_RC WANT_LINE ARGS...: the emulator exits WANT_RC printing exactly WANT_LINE
# on stderr and nothing on stdout.
bad() {
    local name=$1 want_rc=$2 want=$3
    shift 3
    rw_run timeout 10 "$EMU" "$@"
    if [[ $RW_RC -eq $want_rc && $RW_ERR == "$want" && -z $RW_OUT ]]; then
        rw_pass "$name"
    else
        rw_fail "$name: want exit $want_rc and '$want'"
    fi
}

rw_run "$EMU" --help
[[ $RW_RC -eq 0 && $RW_OUT == *"--mockup DIR"* && $RW_OUT == *"--unauthorized-after N"* ]] &&
    rw_pass "--help" || rw_fail "--help"
rw_run "$EMU" -h
[[ $RW_RC -eq 0 && $RW_OUT == Usage:* ]] && rw_pass "-h" || rw_fail "-h"
rw_run "$EMU" --version
[[ $RW_RC -eq 0 && $RW_OUT =~ ^rackwatch-emu\ [0-9]+\.[0-9]+ ]] && rw_pass "--version" ||
    rw_fail "--version"
rw_run "$EMU" -V
[[ $RW_RC -eq 0 && $RW_OUT =~ ^rackwatch-emu\ [0-9] ]] && rw_pass "-V" || rw_fail "-V"

P="rackwatch-emu:"
bad "no arguments" 2 "$P --mockup DIR is required"
bad "no --listen" 2 "$P at least one --listen HOST:PORT is required" --mockup "$D"
mkdir -p "$RW_WORK/empty"
bad "a folder without index.json" 2 \
    "$P no index.json in '$RW_WORK/empty': not a Redfish mockup directory" \
    --mockup "$RW_WORK/empty" "${L[@]}"
bad "a missing folder" 2 \
    "$P no index.json in '$RW_WORK/none': not a Redfish mockup directory" \
    --mockup "$RW_WORK/none" "${L[@]}"
mkdir -p "$RW_WORK/broken/Chassis"
echo '{}' >"$RW_WORK/broken/index.json"
echo '{"Id": ' >"$RW_WORK/broken/Chassis/index.json"
bad "a mockup file that is not JSON" 2 \
    "$P $RW_WORK/broken/Chassis/index.json: not a JSON object" --mockup "$RW_WORK/broken" "${L[@]}"
echo '[1]' >"$RW_WORK/broken/Chassis/index.json"
bad "a mockup file that is no object" 2 \
    "$P $RW_WORK/broken/Chassis/index.json: not a JSON object" --mockup "$RW_WORK/broken" "${L[@]}"
for spec in nope 127.0.0.1:70000 127.0.0.1: :80 '[::1]8080' '[::1]:x' 127.0.0.1:-1; do
    bad "--listen $spec" 2 \
        "$P --listen: '$spec' is not HOST:PORT or [IPV6]:PORT (port 0..65535)" \
        --mockup "$D" --listen "$spec"
done
bad "an unknown option" 2 "$P unknown option '--bogus' (see --help)" --mockup "$D" "${L[@]}" --bogus
bad "an unknown short option" 2 "$P unknown option '-x' (see --help)" --mockup "$D" "${L[@]}" -x
bad "a value for a flag" 2 "$P option '--no-expand' takes no value" --mockup "$D" "${L[@]}" \
    --no-expand=1
bad "a missing value" 2 "$P option '--listen' needs a value" --mockup "$D" --listen
bad "an empty value" 2 "$P --mockup: empty value" --mockup= "${L[@]}"
bad "a stray argument" 2 "$P unexpected argument 'extra' (see --help)" --mockup "$D" "${L[@]}" extra
bad "--delay-ms abc" 2 "$P --delay-ms: 'abc' is not an integer from 0 to 600000" \
    --mockup "$D" "${L[@]}" --delay-ms abc
bad "--jitter-ms -1" 2 "$P --jitter-ms: '-1' is not an integer from 0 to 600000" \
    --mockup "$D" "${L[@]}" --jitter-ms -1
bad "--fail-rate 2" 2 "$P --fail-rate: '2' is not a probability from 0 to 1" \
    --mockup "$D" "${L[@]}" --fail-rate 2
bad "--fail-rate nan" 2 "$P --fail-rate: 'nan' is not a probability from 0 to 1" \
    --mockup "$D" "${L[@]}" --fail-rate nan
bad "--http-status 99" 2 "$P --http-status: '99' is not an integer from 100 to 599" \
    --mockup "$D" "${L[@]}" --http-status 99
bad "--http-status 600" 2 "$P --http-status: '600' is not an integer from 100 to 599" \
    --mockup "$D" "${L[@]}" --http-status 600
bad "--session-limit 0" 2 "$P --session-limit: '0' is not an integer from 1 to 1024" \
    --mockup "$D" "${L[@]}" --session-limit 0
bad "--session-timeout x" 2 "$P --session-timeout: 'x' is not an integer from 1 to 86400" \
    --mockup "$D" "${L[@]}" --session-timeout x
bad "--page-size 0" 2 "$P --page-size: '0' is not an integer from 1 to 100000" \
    --mockup "$D" "${L[@]}" --page-size 0
bad "--slow-body 0" 2 "$P --slow-body: '0' is not an integer from 1 to 2147483647" \
    --mockup "$D" "${L[@]}" --slow-body 0
bad "--huge-body 5" 2 "$P --huge-body: '5' is not an integer from 16 to 1099511627776" \
    --mockup "$D" "${L[@]}" --huge-body 5
bad "--unauthorized-after 0" 2 \
    "$P --unauthorized-after: '0' is not an integer from 1 to 2147483647" \
    --mockup "$D" "${L[@]}" --unauthorized-after 0
bad "--tls-cert alone" 2 "$P --tls-cert and --tls-key go together" \
    --mockup "$D" "${L[@]}" --tls-cert x
bad "--tls-key alone" 2 "$P --tls-cert and --tls-key go together" --mockup "$D" "${L[@]}" --tls-key x
bad "--user without a password" 2 "$P --user needs --password or --password-file" \
    --mockup "$D" "${L[@]}" --user a
bad "--password without --user" 2 "$P a password needs --user" --mockup "$D" "${L[@]}" --password a
bad "--password and --password-file" 2 "$P --password and --password-file exclude each other" \
    --mockup "$D" "${L[@]}" --user a --password b --password-file c
bad "a missing --password-file" 2 "$P --password-file '$RW_WORK/nope': No such file or directory" \
    --mockup "$D" "${L[@]}" --user a --password-file "$RW_WORK/nope"
bad "missing TLS files" 2 "$P --tls-key '$RW_WORK/k': No such file or directory" \
    --mockup "$D" "${L[@]}" --tls-cert "$RW_WORK/c" --tls-key "$RW_WORK/k"
bad "an unwritable --access-log" 2 \
    "$P --access-log '$RW_WORK/none/acc': No such file or directory" \
    --mockup "$D" "${L[@]}" --access-log "$RW_WORK/none/acc"
bad "an unwritable --ready-file" 2 \
    "$P --ready-file '$RW_WORK/none/ready': No such file or directory" \
    --mockup "$D" "${L[@]}" --ready-file "$RW_WORK/none/ready"
ls=()
for i in 1 2 3 4 5 6 7 8 9; do
    ls+=(--listen 127.0.0.1:0)
done
bad "nine listeners" 2 "$P --listen: at most 8 listeners" --mockup "$D" "${ls[@]}"

# Start-up failures after the arguments are fine: exit 1.
echo "not a key" >"$RW_WORK/bad.pem"
bad "a certificate that is no PEM" 1 "$P cannot serve 127.0.0.1:0: check --tls-cert and --tls-key" \
    --mockup "$D" "${L[@]}" --tls-cert "$RW_WORK/bad.pem" --tls-key "$RW_WORK/bad.pem"
emu_start busy --mockup "$D"
busy=${EMU_URL##*/}
bad "a port in use" 1 "$P cannot listen on $busy: Address already in use" --mockup "$D" --listen "$busy"

# SIGTERM: a clean stop, exit 0, while a client is connected.
emu_start term --mockup "$D"
exec 3<>"/dev/tcp/127.0.0.1/${EMU_URL##*:}"
kill -TERM "$EMU_PID"
wait "$EMU_PID"
RW_RC=$?
emu_reaped "$EMU_PID"
exec 3<&-
[[ $RW_RC -eq 0 ]] && rw_pass "SIGTERM: exit 0" || rw_fail "SIGTERM: want exit 0"
if (exec 4<>"/dev/tcp/127.0.0.1/${EMU_URL##*:}") 2>/dev/null; then
    rw_fail "SIGTERM: the port still answers"
else
    rw_pass "SIGTERM: the port is closed"
fi
emu_start int --mockup "$D"
kill -INT "$EMU_PID"
wait "$EMU_PID"
RW_RC=$?
emu_reaped "$EMU_PID"
[[ $RW_RC -eq 0 ]] && rw_pass "SIGINT: exit 0" || rw_fail "SIGINT: want exit 0"

emu_done
