# config/systemd/rackwatchd.service checked by systemd itself: one case per run,
# noc_systemd.sh CASE.  verify needs ExecStart's program to exist, so the checks run on
# a copy in $RW_WORK whose ExecStart is the built rackwatchd (the rest is unchanged).
. "$(dirname "$0")/lib.sh"

UNIT_SRC="$RW_SOURCE_DIR/config/systemd/rackwatchd.service"
UNIT="$RW_WORK/rackwatchd.service"

command -v systemd-analyze >/dev/null ||
    rw_skip "systemd-analyze is not installed (Debian package systemd)"
sed "s|^ExecStart=/usr/sbin/rackwatchd |ExecStart=$RW_BIN_DIR/rackwatchd |" "$UNIT_SRC" >"$UNIT"

# verify resolves Documentation=man:rackwatchd(8) with man(1): the built pages when they
# exist, else that check is off (noc.docs tests the pages).
verify_opts=(--man=no)
if [[ -f $RW_BUILD_DIR/man/man8/rackwatchd.8 ]]; then
    export MANPATH="$RW_BUILD_DIR/man"
    verify_opts=()
fi

# expect_verify NAME UNIT REGEX: systemd-analyze verify on UNIT; REGEX empty: no message.
expect_verify() {
    local name=$1 unit=$2 pattern=$3
    rw_run systemd-analyze verify "${verify_opts[@]}" "$unit"
    if [[ -z $pattern ]]; then
        if [[ $RW_RC -eq 0 && -z $RW_ERR$RW_OUT ]]; then
            rw_pass "$name"
        else
            rw_fail "$name: want exit 0 and no message"
        fi
    else
        rw_expect_output "$name" "$pattern"
    fi
}

case_verify() {
    grep -q "^ExecStart=$RW_BIN_DIR/rackwatchd " "$UNIT" || rw_fail "ExecStart rewritten"
    expect_verify verify.clean "$UNIT" ""
    # verify really reads the unit: a bad value and a missing program are reported.
    sed 's/^ProtectSystem=strict$/ProtectSystem=strickt/' "$UNIT" >"$RW_WORK/bad/rackwatchd.service"
    expect_verify verify.bad_value "$RW_WORK/bad/rackwatchd.service" \
        "rackwatchd\.service:[0-9]+: Failed to parse protect system value, ignoring: strickt"
    sed "s|^ExecStart=[^ ]*|ExecStart=$RW_WORK/missing/rackwatchd|" "$UNIT" \
        >"$RW_WORK/bad/rackwatchd.service"
    expect_verify verify.missing_program "$RW_WORK/bad/rackwatchd.service" \
        "Command $RW_WORK/missing/rackwatchd is not executable: No such file or directory"
}

# The directives the service must keep (a hardening that is removed fails here).
case_hardening() {
    local d
    for d in 'Type=simple' 'ExecStart=/usr/sbin/rackwatchd --foreground ' \
        'ExecReload=/bin/kill -HUP $MAINPID' 'DynamicUser=yes' 'ProtectSystem=strict' \
        'ProtectHome=yes' 'NoNewPrivileges=yes' 'PrivateTmp=yes' 'StateDirectory=rackwatch' \
        'CapabilityBoundingSet=' 'WantedBy=multi-user.target'; do
        if grep -qF -- "$d" "$UNIT_SRC"; then
            rw_pass "unit has $d"
        else
            RW_RC=1 RW_OUT="" RW_ERR=""
            rw_fail "unit has $d"
        fi
    done
    # systemd's own score of the sandbox, 0 (locked down) to 10 (unprotected); --threshold
    # is in tenths: fail above 2.0 ("OK" in systemd's words).
    rw_run systemd-analyze security --offline=yes --threshold=20 "$UNIT"
    echo "${RW_OUT##*$'\n'}"
    if [[ $RW_RC -eq 0 ]]; then
        rw_pass "security: exposure at most 2.0"
    else
        rw_fail "security: exposure above 2.0"
    fi
    rw_expect_output security.level "Overall exposure level for rackwatchd\.service: [01]\.[0-9] OK"
}

mkdir -p "$RW_WORK/bad"
case "${1:-}" in
    verify) case_verify ;;
    hardening) case_hardening ;;
    *)
        echo "usage: $0 verify|hardening" >&2
        exit 2
        ;;
esac
rw_done
