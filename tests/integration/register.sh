#!/usr/bin/env bash
# register.CASE: rackwatch register against rackwatch-emu hubs and spokes over HTTPS (and a
# python3 fake hub for 204, 202 and Critical).  One case per ctest test; every case ends
# by searching every output, log and file for the passwords.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/register_lib.sh"

make_pki
HUBFP=$(fingerprint hub)
SPOKEFP=$(fingerprint spoke)

# registered_ok: the hub lists exactly one member for the spoke, known_spokes has its line.
registered_ok() {
    hub_get "$SRC_PATH" && json_check "the hub lists one member" \
        'd["Members@odata.count"] == 1' "$RW_WORK/body"
    hub_get "$SRC_PATH/1" && json_check "the member is the spoke, no password" \
        "d['HostName'] == 'https://127.0.0.1:$SPOKE_PORT' and d['UserName'] == 'spokeadmin' and d['Password'] is None" \
        "$RW_WORK/body"
    if grep -qx "127.0.0.1:$SPOKE_PORT $SPOKEFP" "$KNOWN" 2>/dev/null; then
        rw_pass "the spoke's fingerprint is recorded"
    else
        rw_fail "known_spokes: want '127.0.0.1:$SPOKE_PORT $SPOKEFP', have '$(cat "$KNOWN" 2>&1)'"
    fi
}

case_fresh() {
    start_pair
    write_config "$HUBFP"
    reg "fresh registration" 0 "registered spoke-east with hub hub-1 as $SRC_PATH/1"
    out_has "every step" \
        "✓ configuration.*✓ hub hub-1 .* answers HTTPS.*✓ hub certificate accepted.*✓ spoke spoke-east .*answers HTTPS.*✓ product and version: Rack Power Manager, hub 3.2.0, spoke 3.2.0: compatible.*✓ spoke spoke-east has no spokes of its own.*✓ spoke spoke-east is not registered.*✓ registered.*✓ verified: hub hub-1 reports.*Health OK.*✓ recorded the certificate"
    out_has "the hub's certificate is shown" "fingerprint: $HUBFP"
    out_has "old and new fingerprints" "old: \(none\).*new: $SPOKEFP"
    registered_ok
}

case_second_run() {
    start_pair
    write_config "$HUBFP"
    reg "first run" 0 "registered spoke-east"
    reg "second run: nothing to do" 0 "already registered with hub hub-1 as $SRC_PATH/1: nothing to do" -v
    out_has "-v logs the client's work" "rackwatch register: (debug|info): "
    if [[ $(posts HUB) -eq 1 ]]; then
        rw_pass "one POST in all"
    else
        rw_fail "want 1 POST, the hub saw $(posts HUB)"
    fi
    registered_ok
}

case_dry_run() {
    start_pair
    write_config "$HUBFP"
    hub_get "$SRC_PATH" && cp "$RW_WORK/body" "$RW_WORK/before"
    reg "dry run" 0 "dry run: would POST \{HostName: https://127.0.0.1:$SPOKE_PORT, UserName: spokeadmin, Password: \(hidden\)\} to hub hub-1; nothing changed" --dry-run
    hub_get "$SRC_PATH"
    if cmp -s "$RW_WORK/before" "$RW_WORK/body"; then
        rw_pass "the collection is the same before and after"
    else
        rw_fail "the collection changed"
    fi
    [[ $(posts HUB) -eq 0 ]] && rw_pass "no POST" || rw_fail "the hub saw a POST"
    [[ ! -e $KNOWN ]] && rw_pass "no known_spokes written" || rw_fail "known_spokes written"
}

case_version_mismatch() {
    emu HUB hub admin "$RW_WORK/hub.pass"
    emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass" --firmware-version 3.1.0
    write_config "$HUBFP"
    reg "version mismatch refused" 1 \
        "✗ product and version: Hub/Spoke Versions Not Compatible: spoke 127.0.0.1:$SPOKE_PORT runs 3\.1\.0, hub 127.0.0.1:$HUB_PORT runs 3\.2\.0: policy exact requires the same version"
    [[ $(posts HUB) -eq 0 ]] && rw_pass "no POST" || rw_fail "the hub saw a POST"
}

case_product_mismatch() {
    emu HUB hub admin "$RW_WORK/hub.pass"
    emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass" --product "Something Else"
    write_config "$HUBFP"
    reg "another product refused" 1 \
        "✗ product and version: Invalid Server or Versions Not Compatible: spoke 127.0.0.1:$SPOKE_PORT"
}

case_unknown_fingerprint() {
    start_pair
    write_config -
    reg "unknown hub certificate refused without a terminal" 1 \
        "✗ hub certificate not accepted: it is not in the configuration and there is no terminal to ask"
    out_has "the line to add" "^    fingerprint: $HUBFP\$"
    out_has "where to add it" "add this line under hub: \(hub-1\) in $CONFIG"
    out_has "subject and issuer shown" "subject: +CN=localhost.*issuer: +CN=rackwatch test CA"
    [[ $(posts HUB) -eq 0 ]] && rw_pass "no POST" || rw_fail "the hub saw a POST"
    reg "--yes accepts no certificate" 1 "✗ hub certificate not accepted" --yes
    if grep -q "Sessions" "$RW_WORK/HUB.access"; then
        rw_fail "credentials went to a hub whose certificate was not accepted"
    else
        rw_pass "no login to an unaccepted hub"
    fi
}

# on_tty NAME WANT_RC PATTERN ANSWER ARGS...: register with stdin a terminal (script(1)),
# ANSWER typed at the prompts.
on_tty() {
    local name=$1 want=$2 pattern=$3 answer=$4 cmd
    shift 4
    command -v script >/dev/null || { rw_pass "$name (skipped: no script(1))"; return; }
    printf -v cmd '%q ' "$RACKWATCH" register --config "$CONFIG" "$@"
    RW_OUT=$(printf '%s' "$answer" | script -qec "$cmd" /dev/null 2>&1)
    RW_RC=$?
    RW_ERR=""
    printf '%s\n' "$RW_OUT" >>"$RW_WORK/outputs"
    if [[ $RW_RC -ne $want ]]; then
        rw_fail "$name: want exit $want"
    elif ! matches "$pattern"; then
        rw_fail "$name: output does not match /$pattern/"
    else
        rw_pass "$name"
    fi
}

case_prompt() {
    start_pair
    write_config -
    on_tty "typed y accepts the hub certificate" 0 \
        "Accept this certificate for the hub\? \[y/N\] .*✓ hub certificate accepted at the prompt.*dry run: would POST" \
        $'y\n' --dry-run
    on_tty "typed n refuses it" 1 "✗ hub certificate not accepted: it is not in the configuration" \
        $'n\n' --dry-run
    on_tty "Enter alone is No" 1 "✗ hub certificate not accepted" $'\n' --dry-run
    on_tty "--yes does not answer the certificate prompt" 1 "✗ hub certificate not accepted" \
        $'\n' --dry-run --yes
    on_tty "y to the certificate, n to registering" 1 "✗ register: not confirmed" $'y\nn\n'
    [[ $(posts HUB) -eq 0 ]] && rw_pass "no POST" || rw_fail "the hub saw a POST"
    on_tty "y to both" 0 "Register this spoke with the hub\? \[y/N\] .*✓ registered spoke-east" \
        $'y\ny\n'
    registered_ok
}

case_wrong_fingerprint() {
    start_pair
    write_config "$SPOKEFP"
    reg "a hub.fingerprint that does not match" 1 \
        "✗ hub certificate refused: $HUBFP is not hub.fingerprint $SPOKEFP of the configuration"
}

case_data_loss() {
    spoke_hub_tree "$RW_WORK/spokehub"
    emu HUB hub admin "$RW_WORK/hub.pass"
    MOCKUP=$RW_WORK/spokehub emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass"
    write_config "$HUBFP"
    reg "a spoke with spokes of its own refused" 1 \
        "✗ spoke spoke-east is itself a hub with 1 spoke\(s\) of its own: registering it replaces its database with hub hub-1's, and its own data is lost"
    out_has "its spokes listed" "its spoke: https://10.9.9.9"
    out_has "how to go on" "to go on anyway: --force, or policy.confirm_data_loss: true"
    [[ $(posts HUB) -eq 0 ]] && rw_pass "no POST" || rw_fail "the hub saw a POST"
    reg "--dry-run --force: checks pass, nothing changes" 0 "dry run: would POST" --dry-run --force
    reg "registered with --force" 0 "going on: --force.*registered spoke-east" --force
    registered_ok
}

case_confirm_data_loss() {
    spoke_hub_tree "$RW_WORK/spokehub"
    emu HUB hub admin "$RW_WORK/hub.pass"
    MOCKUP=$RW_WORK/spokehub emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass"
    write_config "$HUBFP" "confirm_data_loss: true"
    reg "policy.confirm_data_loss: true" 0 "going on: policy.confirm_data_loss.*registered spoke-east"
}

case_hub_204() {
    fake_hub 204
    emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass" --firmware-version 3.2.0
    write_config "$HUBFP"
    reg "a hub that answers 204 with Location" 0 \
        "registered spoke-east with hub hub-1 as $SRC_PATH/1 \(HTTP 204\).*✓ verified"
    if grep -qx "HostName,Name,Password,UserName https://127.0.0.1:$SPOKE_PORT" "$RW_WORK/posted"; then
        rw_pass "POST {HostName, Name, UserName, Password}"
    else
        rw_fail "posted: $(cat "$RW_WORK/posted")"
    fi
}

case_hub_202() {
    fake_hub 202
    emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass" --firmware-version 3.2.0
    write_config "$HUBFP"
    reg "a hub that answers 202 with a task monitor" 0 \
        "… the hub is working on it \(task monitor /redfish/v1/TaskService/TaskMonitors/1, look 1\).*look 2.*registered spoke-east with hub hub-1 as $SRC_PATH/1 \(HTTP 201\).*✓ verified"
    if [[ $(grep -c "GET /redfish/v1/TaskService/TaskMonitors/1" "$RW_WORK/HUB.access") -eq 3 ]]; then
        rw_pass "the task monitor was read until done"
    else
        rw_fail "task monitor reads: $(grep -c TaskMonitors "$RW_WORK/HUB.access")"
    fi
}

case_hub_202_task() {
    fake_hub 202task
    emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass" --firmware-version 3.2.0
    write_config "$HUBFP"
    reg "a task that ends with the Task, no Location: the member is looked up" 0 \
        "look 2.*registered spoke-east with hub hub-1 as $SRC_PATH/1 \(HTTP 200\).*✓ verified"
}

case_hub_202_fail() {
    fake_hub 202fail
    emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass" --firmware-version 3.2.0
    write_config "$HUBFP"
    reg "a task that fails" 2 "✗ register: the hub's task Exception: The spoke did not answer"
    [[ ! -e $KNOWN ]] && rw_pass "nothing recorded" || rw_fail "known_spokes written"
}

case_hub_critical() {
    fake_hub critical
    emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass" --firmware-version 3.2.0
    write_config "$HUBFP"
    reg "the hub reports the member Critical" 2 \
        "✗ verify: hub hub-1 reports $SRC_PATH/1 Critical: The spoke refused the hub's certificate"
    [[ ! -e $KNOWN ]] && rw_pass "nothing recorded" || rw_fail "known_spokes written"
}

case_connection_method() {
    conn_method_tree "$RW_WORK/cmhub"
    MOCKUP=$RW_WORK/cmhub emu HUB hub admin "$RW_WORK/hub.pass"
    emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass" --firmware-version 3.2.0
    write_config "$HUBFP"
    reg "with the hub's ConnectionMethod" 0 \
        "connection method /redfish/v1/AggregationService/ConnectionMethods/rpm"
    hub_get "$SRC_PATH/1" && json_check "Links.ConnectionMethod posted" \
        'd["Links"]["ConnectionMethod"]["@odata.id"] == "/redfish/v1/AggregationService/ConnectionMethods/rpm"' \
        "$RW_WORK/body"
}

# The hub forgets its sessions just before the POST (rackwatch-emu --unauthorized-after,
# counted over the hub's requests of one run): the POST is answered 401, the client logs in
# again and sends it once more.
case_session_replay() {
    emu HUB hub admin "$RW_WORK/hub.pass" --unauthorized-after 7
    emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass" --firmware-version 3.2.0
    write_config "$HUBFP"
    reg "registered across a lost session" 0 "registered spoke-east"
    if grep -A2 "POST $SRC_PATH 401" "$RW_WORK/HUB.access" | grep -q "POST $SRC_PATH 201"; then
        rw_pass "the POST was refused once, then sent again after a new login"
    else
        rw_fail "want POST 401 then 201: $(cat "$RW_WORK/HUB.access")"
    fi
    [[ $(grep -c "POST $SRC_PATH 201" "$RW_WORK/HUB.access") -eq 1 ]] &&
        rw_pass "one member created" || rw_fail "more than one member created"
    registered_ok
}

case_unregister() {
    start_pair
    write_config "$HUBFP"
    reg "register" 0 "registered spoke-east"
    reg "--unregister --dry-run" 0 "dry run: would DELETE $SRC_PATH/1 on hub hub-1" --unregister --dry-run
    reg "--unregister" 0 "unregistered spoke-east: hub hub-1 deleted $SRC_PATH/1.*removed 127.0.0.1:$SPOKE_PORT from $KNOWN" --unregister
    hub_get "$SRC_PATH" && json_check "the collection is empty" \
        'd["Members@odata.count"] == 0' "$RW_WORK/body"
    if grep -q "127.0.0.1:$SPOKE_PORT" "$KNOWN"; then
        rw_fail "the known_spokes line is still there"
    else
        rw_pass "the known_spokes line is gone"
    fi
    reg "--unregister again: nothing to do" 0 "is not registered with hub hub-1: nothing to remove" --unregister
}

case_update_cert() {
    emu HUB hub admin "$RW_WORK/hub.pass"
    LISTEN_PORT=$(rw_free_port) emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass" \
        --firmware-version 3.2.0
    write_config "$HUBFP"
    reg "--update-cert before registering" 1 "✗ update-cert: spoke spoke-east is not registered with hub hub-1; register it first" --update-cert
    reg "register" 0 "registered spoke-east"
    kill "$SPOKE_PID"
    wait "$SPOKE_PID" 2>/dev/null
    LISTEN_PORT=$SPOKE_PORT emu SPOKE spoke2 spokeadmin "$RW_WORK/spoke.pass" --firmware-version 3.2.0
    NEWFP=$(fingerprint spoke2)
    reg "--update-cert --dry-run" 0 "dry run: would record $NEWFP for 127.0.0.1:$SPOKE_PORT in $KNOWN \(old $SPOKEFP\)" --update-cert --dry-run
    grep -qx "127.0.0.1:$SPOKE_PORT $SPOKEFP" "$KNOWN" && rw_pass "dry run kept the old line" ||
        rw_fail "dry run changed known_spokes"
    reg "--update-cert" 0 "recorded the certificate of 127.0.0.1:$SPOKE_PORT.*old: $SPOKEFP.*new: $NEWFP" --update-cert
    grep -qx "127.0.0.1:$SPOKE_PORT $NEWFP" "$KNOWN" && rw_pass "the new fingerprint is recorded" ||
        rw_fail "known_spokes: $(cat "$KNOWN")"
    [[ $(posts HUB) -eq 1 ]] && rw_pass "no second POST" || rw_fail "the hub saw $(posts HUB) POSTs"
}

# The hub at an IPv6 address, the spoke by DNS name (localhost).
case_ipv6_dns() {
    LISTEN_HOST="[::1]" emu HUB hub admin "$RW_WORK/hub.pass"
    emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass" --firmware-version 3.2.0
    HUB_HOST="[::1]" SPOKE_HOST=localhost write_config "$HUBFP"
    reg "hub over IPv6, spoke by name" 0 \
        "hub hub-1 \(\[::1\]:$HUB_PORT\) answers HTTPS.*registered spoke-east"
    curl -sS -g --cacert "$CA" -u "admin:$HUBPASS" -o "$RW_WORK/body" \
        "https://[::1]:$HUB_PORT$SRC_PATH/1"
    json_check "HostName by name" "d['HostName'] == 'https://localhost:$SPOKE_PORT'" "$RW_WORK/body"
    grep -qx "localhost:$SPOKE_PORT $SPOKEFP" "$KNOWN" && rw_pass "recorded under its name" ||
        rw_fail "known_spokes: $(cat "$KNOWN")"
    reg "second run matches the name" 0 "already registered" -v
}

case_unreachable() {
    start_pair
    write_config "$HUBFP"
    kill "$HUB_PID"
    wait "$HUB_PID" 2>/dev/null
    reg "hub down" 2 "✗ hub hub-1 \(127.0.0.1:$HUB_PORT\) does not answer HTTPS: "
    emu HUB hub admin "$RW_WORK/hub.pass"
    kill "$SPOKE_PID"
    wait "$SPOKE_PID" 2>/dev/null
    write_config "$HUBFP"
    reg "spoke down" 2 "✗ spoke spoke-east \(127.0.0.1:$SPOKE_PORT\) does not answer HTTPS: "
    emu SPOKE spoke spokeadmin "$RW_WORK/spoke.pass" --firmware-version 3.2.0
    printf 'not-the-password\n' >"$RW_WORK/hub.pass" # the emulator read the right one
    write_config "$HUBFP"
    reg "the hub refuses the administrator" 2 \
        "✗ product and version: Not responding: hub 127.0.0.1:$HUB_PORT: GET /redfish/v1/: login to https://127.0.0.1:$HUB_PORT failed: HTTP 401"
}

# Two spokes, one registered already; spoke-west is a plain server (no AggregationService:
# nothing to lose).
case_two_spokes() {
    start_pair
    MOCKUP=$RW_SOURCE_DIR/tests/data/server emu SPOKE2 spoke2 spokeadmin "$RW_WORK/spoke.pass" \
        --product "Rack Power Manager" --firmware-version 3.2.0
    write_config "$HUBFP"
    reg "spoke-east alone" 0 "registered spoke-east" --spoke spoke-east
    write_config "$HUBFP"
    reg "every spoke: east already there, west registered" 0 \
        "spoke spoke-east is already registered.*spoke spoke-west has no spokes of its own.*registered spoke-west with hub hub-1 as $SRC_PATH/2"
    hub_get "$SRC_PATH" && json_check "the hub lists both" 'd["Members@odata.count"] == 2' \
        "$RW_WORK/body"
    [[ $(wc -l <"$KNOWN") -eq 2 ]] && rw_pass "two known spokes" || rw_fail "known: $(cat "$KNOWN")"
}

case_spoke_select() {
    start_pair
    write_config "$HUBFP"
    reg "--spoke names no spoke" 3 "✗ configuration: $CONFIG: no spoke named 'nope'" --spoke nope
    reg "--spoke names the hub" 3 "no spoke named 'hub-1'" --spoke hub-1
    reg "--spoke spoke-east" 0 "registered spoke-east" --spoke spoke-east
}

# bad_config NAME PATTERN: $CONFIG holds bad text; exit 3 with PATTERN.
bad_config() {
    chmod 600 "$CONFIG"
    reg "$1" 3 "$2"
}

case_bad_yaml() {
    HUB_PORT=1 SPOKE_PORT=2
    write_config "$HUBFP"
    printf 'hub:\n  name: [unclosed\n' >"$CONFIG"
    bad_config "YAML syntax" "✗ configuration: $CONFIG:[0-9]+:[0-9]+: "
    write_config "$HUBFP"
    sed -i 's/^  timeout: 5/  timeout: 5\n  colour: blue/' "$CONFIG"
    bad_config "unknown key" "✗ configuration: $CONFIG:3:3: .*colour"
    write_config "$HUBFP"
    sed -i 's|url: https://127.0.0.1:1$|url: https://127.0.0.1:70000|' "$CONFIG"
    bad_config "bad port" "✗ configuration: $CONFIG:[0-9]+:[0-9]+: .*70000"
    write_config "$HUBFP"
    sed -i 's|url: https://127.0.0.1:1$|url: http://127.0.0.1:1|' "$CONFIG"
    bad_config "hub over http" "✗ configuration: $CONFIG:[0-9]+:[0-9]+: hub 'hub-1' must be reached over https://"
    write_config "$HUBFP"
    sed -i '/^  credentials: hubadmin$/d' "$CONFIG"
    bad_config "hub without credentials" "✗ configuration: $CONFIG:[0-9]+:[0-9]+: hub 'hub-1' needs credentials: \(a hub administrator\)"
    write_config "$HUBFP"
    sed -i '/^    credentials: spokeadmin$/d' "$CONFIG"
    bad_config "spoke without credentials" "✗ configuration: $CONFIG:[0-9]+:[0-9]+: spoke 'spoke-east' needs credentials:"
    write_config "$HUBFP"
    sed -i "s|password_file: $RW_WORK/spoke.pass|password_file: $RW_WORK/missing.pass|" "$CONFIG"
    bad_config "unreadable password file" "✗ configuration: $CONFIG:[0-9]+:[0-9]+: .*missing.pass"
    write_config "$HUBFP"
    sed -i '/^hub:/,/^spokes:/{/^spokes:/!d}' "$CONFIG"
    bad_config "no hub" "✗ configuration: $CONFIG: no hub: section"
    rw_run "$RACKWATCH" register </dev/null
    [[ $RW_RC -eq 3 && $RW_ERR == *"--config FILE is required"* ]] && rw_pass "no --config" ||
        rw_fail "no --config"
    rw_run "$RACKWATCH" register --config "$CONFIG" --unregister --update-cert </dev/null
    [[ $RW_RC -eq 3 && $RW_ERR == *"do not go together"* ]] && rw_pass "two modes" ||
        rw_fail "two modes"
    rw_run "$RACKWATCH" register --config "$RW_WORK/none.yaml" </dev/null
    [[ $RW_RC -eq 3 && $RW_OUT == *"none.yaml"* ]] && rw_pass "missing file" ||
        rw_fail "missing file"
}

case=${1:?usage: register.sh CASE}
declare -F "case_$case" >/dev/null || { echo "unknown case $case" >&2; exit 2; }
"case_$case"
no_password
rw_done
