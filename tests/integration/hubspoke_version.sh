#!/usr/bin/env bash
# Integration tests of check_spoke_version: hub and spoke are rackwatch-emu over HTTPS (and
# openssl s_server for a server that is not Redfish).  One case per run:
# hubspoke_version.sh CASE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hubspoke_lib.sh"

PLUGIN="$RW_BIN_DIR/check_spoke_version"
[[ -x $PLUGIN ]] || rw_skip "check_spoke_version not built"

L='127\.0\.0\.1'
VNC='^SPOKE_VERSION CRITICAL - Hub/Spoke Versions Not Compatible: '
INV='^SPOKE_VERSION CRITICAL - Invalid Server or Versions Not Compatible: '
NR='^SPOKE_VERSION CRITICAL - Not responding: '

# run_ver NAME RC REGEX ARGS...: the plugin against spoke SPOKE_PORT and hub HUB_PORT.
run_ver() {
    local name=$1 rc=$2 re=$3
    shift 3
    rw_expect "$name" "$rc" "$re" "$PLUGIN" -H 127.0.0.1 -p "$SPOKE_PORT" --hub 127.0.0.1 \
        --hub-port "$HUB_PORT" --cacert "$CA" "$@"
}

# hub_and_spoke SPOKE_VERSION [spoke emu options...]: hub at 3.2.0 and a spoke.
hub_and_spoke() {
    local v=$1
    shift
    emu HUB ca/hub --firmware-version 3.2.0
    emu SPOKE ca/hub --firmware-version "$v" "$@"
}

case_run() {
    case $1 in
    exact_ok)
        hub_and_spoke 3.2.0
        run_ver exact_ok 0 "^SPOKE_VERSION OK - spoke $L:$SPOKE_PORT runs 3\.2\.0, hub $L:$HUB_PORT runs 3\.2\.0 \(policy exact\) \| time=[0-9.]+s;;;0\$"
        rw_expect_output exact_ok.long "spoke $L:$SPOKE_PORT: product Rack Power Manager, version 3\.2\.0"
        ;;
    exact_mismatch)
        hub_and_spoke 3.1.4
        run_ver exact_mismatch 2 "${VNC}spoke $L:$SPOKE_PORT runs 3\.1\.4, hub $L:$HUB_PORT runs 3\.2\.0: policy exact requires the same version"
        ;;
    same_major)
        hub_and_spoke 3.1.4
        run_ver same_major.ok 0 "^SPOKE_VERSION OK - spoke $L:$SPOKE_PORT runs 3\.1\.4, hub $L:$HUB_PORT runs 3\.2\.0 \(policy same-major\)" \
            --policy same-major
        run_ver same_minor.mismatch 2 "${VNC}spoke $L:$SPOKE_PORT runs 3\.1\.4, hub $L:$HUB_PORT runs 3\.2\.0: .*same-minor" \
            --policy same-minor
        ;;
    minimum)
        hub_and_spoke 3.1.4
        run_ver minimum.ok 0 "^SPOKE_VERSION OK - .*\(policy same-major, minimum 3\.1\)" \
            --policy same-major --minimum 3.1
        run_ver minimum.fail 2 "${VNC}spoke $L:$SPOKE_PORT runs 3\.1\.4, hub $L:$HUB_PORT runs 3\.2\.0: .*3\.2\.1" \
            --policy same-major --minimum 3.2.1
        ;;
    product)
        emu HUB ca/hub
        emu SPOKE ca/hub --product "Other Appliance" --vendor Acme
        run_ver product.mismatch 2 "${INV}spoke $L:$SPOKE_PORT: product 'Other Appliance' \(vendor 'Acme'\) does not match /\^Rack Power Manager\\$/" \
            --product '^Rack Power Manager$'
        run_ver product.vendor 2 "${INV}hub $L:$HUB_PORT: product 'Rack Power Manager' \(vendor 'Rackwatch'\) does not match /Acme/" \
            --product 'Acme'
        run_ver product.either 0 "^SPOKE_VERSION OK - " --product 'Rack Power Manager|Acme'
        ;;
    not_redfish)
        emu HUB ca/hub
        s_server SPOKE ca/hub
        run_ver not_redfish.s_server 2 "${INV}spoke $L:$SPOKE_PORT: /redfish/v1/ is not a JSON object"
        mkdir -p "$RW_WORK/notroot"
        echo '{"Name": "some JSON service"}' >"$RW_WORK/notroot/index.json"
        MOCKUP="$RW_WORK/notroot" emu SPOKE ca/hub
        run_ver not_redfish.json 2 "${INV}spoke $L:$SPOKE_PORT: /redfish/v1/ is not a Redfish service root \(no @odata.id or RedfishVersion\)"
        ;;
    bad_version)
        hub_and_spoke banana
        run_ver bad_version 2 "${INV}spoke $L:$SPOKE_PORT reports version 'banana': "
        ;;
    version_location)
        hub_and_spoke 3.2.0
        run_ver version_url 0 "^SPOKE_VERSION OK - .*runs 3\.2\.0" \
            --version-url /redfish/v1/Managers/1
        run_ver version_url.missing 2 "${INV}spoke $L:$SPOKE_PORT: GET /redfish/v1/Nope: HTTP 404" \
            --version-url /redfish/v1/Nope
        run_ver version_pointer.missing 2 "${INV}spoke $L:$SPOKE_PORT: /redfish/v1/Managers/1 has no version at /Nope \|" \
            --version-pointer /Nope
        run_ver version_pointer.object 2 "${INV}spoke $L:$SPOKE_PORT: /redfish/v1/Managers/1: the value at /Status is not a version string" \
            --version-pointer /Status
        run_ver version_pointer.nested 2 "${INV}spoke $L:$SPOKE_PORT reports version 'OK'" \
            --version-pointer /Status/Health
        ;;
    not_responding)
        emu HUB ca/hub
        SPOKE_PORT=$(closed_port)
        run_ver not_responding 2 "${NR}spoke $L:$SPOKE_PORT: GET /redfish/v1/: connection refused"
        ;;
    hub_not_responding)
        emu SPOKE ca/hub
        HUB_PORT=$(closed_port)
        run_ver hub_not_responding 2 "${NR}hub $L:$HUB_PORT: GET /redfish/v1/: connection refused"
        ;;
    faults)
        emu HUB ca/hub
        emu SPOKE ca/hub --http-status 503
        run_ver http503 2 "${NR}spoke $L:$SPOKE_PORT: GET /redfish/v1/: HTTP 503"
        emu SPOKE ca/hub --bad-json
        run_ver bad_json 2 "${INV}spoke $L:$SPOKE_PORT: /redfish/v1/ is not a JSON object"
        emu SPOKE ca/hub --drop
        run_ver drop 2 "${NR}spoke $L:$SPOKE_PORT: GET /redfish/v1/: "
        emu SPOKE ca/hub --http-status 404
        run_ver http404 2 "${INV}spoke $L:$SPOKE_PORT: GET /redfish/v1/: HTTP 404"
        ;;
    tls)
        emu HUB ca/hub
        emu SPOKE other/good
        run_ver tls.untrusted 2 "${NR}spoke $L:$SPOKE_PORT: GET /redfish/v1/: TLS handshake failed: unable to get local issuer certificate"
        run_ver tls.insecure 0 "^SPOKE_VERSION OK - " --insecure
        ;;
    auth)
        printf 'username=monitor\npassword=s3cret\n' >"$RW_WORK/auth"
        chmod 600 "$RW_WORK/auth"
        emu HUB ca/hub --user monitor --password s3cret
        emu SPOKE ca/hub --user monitor --password s3cret
        run_ver auth.authfile 0 "^SPOKE_VERSION OK - " --authfile "$RW_WORK/auth"
        RACKWATCH_USERNAME=monitor RACKWATCH_PASSWORD=s3cret run_ver auth.env 0 "^SPOKE_VERSION OK - "
        run_ver auth.none 2 "${NR}spoke $L:$SPOKE_PORT: GET /redfish/v1/Managers: HTTP 401 Unauthorized"
        ;;
    bad_args)
        local p=(-H 127.0.0.1 --hub 127.0.0.1)
        bad_args SPOKE_VERSION "$PLUGIN" bad.no_hub "--hub is required" -H 127.0.0.1
        bad_args SPOKE_VERSION "$PLUGIN" bad.policy \
            "--policy: unknown version policy 'major' \(exact, same-major or same-minor\)" \
            "${p[@]}" --policy major
        bad_args SPOKE_VERSION "$PLUGIN" bad.minimum "--minimum: version \"3\.x\": .*" \
            "${p[@]}" --minimum 3.x
        bad_args SPOKE_VERSION "$PLUGIN" bad.regex "--product: invalid regular expression '\(': .*" \
            "${p[@]}" --product '('
        bad_args SPOKE_VERSION "$PLUGIN" bad.version_url \
            "--version-url: 'Managers' is not a path \(it must start with '/'\)" \
            "${p[@]}" --version-url Managers
        bad_args SPOKE_VERSION "$PLUGIN" bad.pointer \
            "--version-pointer: 'x' is not a JSON pointer \(it must start with '/'\)" \
            "${p[@]}" --version-pointer x
        bad_args SPOKE_VERSION "$PLUGIN" bad.hub_port "--hub-port: '0' is not a port \(1-65535\)" \
            "${p[@]}" --hub-port 0
        rw_expect help 0 "^check_spoke_version" "$PLUGIN" --help
        ;;
    *)
        echo "unknown case $1" >&2
        exit 2
        ;;
    esac
}

make_pki
case_run "$1"
rw_done
