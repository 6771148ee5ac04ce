#!/usr/bin/env bash
# Integration tests of check_spoke_cert: hub and spoke are rackwatch-emu or openssl s_server
# over HTTPS with certificates made here.  One case per run: hubspoke_cert.sh CASE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hubspoke_lib.sh"

PLUGIN="$RW_BIN_DIR/check_spoke_cert"
[[ -x $PLUGIN ]] || rw_skip "check_spoke_cert not built"

FP='sha256:([0-9A-F]{2}:){31}[0-9A-F]{2}'
L='127\.0\.0\.1'
CDNM='^SPOKE_CERT CRITICAL - Certificates Do Not Match: '
PERF="\| spoke_days_left=[0-9.]+;30:;14: hub_days_left=[0-9.]+;30:;14:\$"

# pair HUBCERT SPOKECERT: a hub and a spoke emulator; sets HUB_PORT, SPOKE_PORT.
pair() {
    emu HUB "$1"
    emu SPOKE "$2"
}

# run_cert NAME RC REGEX ARGS...: the plugin against 127.0.0.1:SPOKE_PORT and hub HUB_PORT.
run_cert() {
    local name=$1 rc=$2 re=$3
    shift 3
    rw_expect "$name" "$rc" "$re" "$PLUGIN" -H 127.0.0.1 -p "$SPOKE_PORT" --hub 127.0.0.1 \
        --hub-port "$HUB_PORT" "$@"
}

case_run() {
    case $1 in
    identical_ok)
        pair ca/hub ca/hub
        run_cert identical_ok 0 "^SPOKE_CERT OK - spoke $L:$SPOKE_PORT and hub $L:$HUB_PORT present the same certificate $FP; .* expires in [0-9.]+ days $PERF" \
            --cacert "$CA"
        rw_expect_output identical_ok.long "spoke $L:$SPOKE_PORT: $FP, subject CN=localhost, issuer CN=rackwatch test CA ca, [0-9.]+ days left, verify: ok"
        run_cert identical_ok.system_store 0 "^SPOKE_CERT OK - .*present the same certificate"
        ;;
    identical_mismatch)
        pair ca/hub ca/spoke
        run_cert identical_mismatch 2 "${CDNM}spoke $L:$SPOKE_PORT presents $(fingerprint ca/spoke) \(subject CN=localhost, issuer CN=rackwatch test CA ca\); expected the hub's certificate: hub $L:$HUB_PORT presents $(fingerprint ca/hub) \(subject CN=localhost, issuer CN=rackwatch test CA ca\)" \
            --cacert "$CA"
        ;;
    same_issuer_ok)
        pair ca/hub ca/spoke
        run_cert same_issuer_ok 0 "^SPOKE_CERT OK - spoke $L:$SPOKE_PORT and hub $L:$HUB_PORT certificates verify against the CA" \
            --policy same-issuer --cacert "$CA"
        ;;
    same_issuer_other_ca)
        pair ca/hub other/good
        run_cert same_issuer_other_ca 2 "${CDNM}spoke $L:$SPOKE_PORT certificate \(subject CN=localhost, issuer CN=rackwatch test CA other\) does not verify against $CA: unable to get local issuer certificate" \
            --policy same-issuer --cacert "$CA"
        ;;
    untrusted_chain)
        pair ca/hub ca/hub
        run_cert untrusted_chain 2 "${CDNM}spoke $L:$SPOKE_PORT certificate .* does not verify against .*other/ca\.crt: unable to get local issuer certificate" \
            --cacert "$PKI/other/ca.crt"
        ;;
    pinned_ok)
        pair ca/hub ca/hub
        local fp
        fp=$(fingerprint ca/hub)
        run_cert pinned_ok 0 "^SPOKE_CERT OK - spoke $L:$SPOKE_PORT \($fp\) and hub $L:$HUB_PORT certificates are pinned" \
            --policy pinned --pin "$fp"
        # colons, case and prefix optional; another pin beside it
        fp=$(tr -d ':' <<<"${fp#sha256:}" | tr 'A-F' 'a-f')
        run_cert pinned_ok.bare_hex 0 "^SPOKE_CERT OK - .* are pinned" \
            --policy pinned --pin "$(fingerprint ca/spoke)" --pin "$fp"
        ;;
    pinned_mismatch)
        pair ca/hub ca/spoke
        run_cert pinned_mismatch 2 "${CDNM}spoke $L:$SPOKE_PORT presents $(fingerprint ca/spoke) \(subject CN=localhost, issuer CN=rackwatch test CA ca\); expected a pinned certificate: $(fingerprint ca/hub)\$|${CDNM}spoke $L:$SPOKE_PORT presents $(fingerprint ca/spoke) .*expected a pinned certificate: $(fingerprint ca/hub);" \
            --policy pinned --pin "$(fingerprint ca/hub)"
        run_cert pinned_mismatch.hub 2 "${CDNM}hub $L:$HUB_PORT presents $(fingerprint ca/hub) .*expected a pinned certificate: $(fingerprint ca/spoke)" \
            --policy pinned --pin "$(fingerprint ca/spoke)"
        ;;
    registered)
        pair ca/hub ca/spoke
        printf '# known spokes\n127.0.0.1:%s %s\n' "$SPOKE_PORT" "$(fingerprint ca/spoke)" \
            >"$RW_WORK/known"
        run_cert registered.ok 0 "^SPOKE_CERT OK - spoke $L:$SPOKE_PORT presents its registered certificate $(fingerprint ca/spoke)" \
            --policy registered --known-spokes "$RW_WORK/known"
        printf '127.0.0.1:%s %s\n' "$SPOKE_PORT" "$(fingerprint ca/hub)" >"$RW_WORK/known"
        run_cert registered.mismatch 2 "${CDNM}spoke $L:$SPOKE_PORT presents $(fingerprint ca/spoke) .*; expected $(fingerprint ca/hub) as registered in $RW_WORK/known" \
            --policy registered --known-spokes "$RW_WORK/known"
        printf '127.0.0.1:1 %s\n' "$(fingerprint ca/spoke)" >"$RW_WORK/known"
        run_cert registered.missing 2 "${CDNM}spoke $L:$SPOKE_PORT is not registered in $RW_WORK/known; it presents $(fingerprint ca/spoke)" \
            --policy registered --known-spokes "$RW_WORK/known"
        ;;
    expiring)
        pair ca/soon ca/soon
        run_cert expiring.warning 1 "^SPOKE_CERT WARNING - .*present the same certificate $FP; (spoke|hub) $L:[0-9]+ certificate expires in (9\.[0-9]|10\.0) days \| spoke_days_left=[0-9.]+;30:;5: hub_days_left=[0-9.]+;30:;5:\$" \
            -c 5
        run_cert expiring.critical 2 "^SPOKE_CERT CRITICAL - .*certificate expires in (9\.[0-9]|10\.0) days \| spoke_days_left=[0-9.]+;30:;14: " \
            --cacert "$CA"
        run_cert expiring.ok 0 "^SPOKE_CERT OK - .*expires in .* \| spoke_days_left=[0-9.]+;7:;3: " \
            -w 7 -c 3
        ;;
    expired)
        pair ca/expired ca/expired
        run_cert expired 2 "^SPOKE_CERT CRITICAL - .*present the same certificate $FP; (spoke|hub) $L:[0-9]+ certificate expired [0-9.]+ days ago \| spoke_days_left=-[0-9.]+;0:;0: hub_days_left=-" \
            -w 0 -c 0
        ;;
    expired_spoke_only)
        pair ca/hub ca/expired
        run_cert expired_spoke_only 2 "${CDNM}spoke $L:$SPOKE_PORT certificate \(subject CN=localhost, issuer CN=rackwatch test CA ca\) does not verify against $CA: certificate has expired; spoke $L:$SPOKE_PORT certificate expired [0-9.]+ days ago \|" \
            --policy same-issuer --cacert "$CA"
        ;;
    wrong_host)
        pair ca/wronghost ca/wronghost
        run_cert wrong_host 2 "${CDNM}spoke $L:$SPOKE_PORT certificate \(subject CN=other\.example\) does not match the host name: hostname mismatch" \
            --cacert "$CA"
        run_cert wrong_host.insecure 0 "^SPOKE_CERT OK - .*present the same certificate" \
            --cacert "$CA" --insecure
        ;;
    s_server)
        emu HUB ca/hub
        s_server SPOKE ca/hub
        run_cert s_server.identical 0 "^SPOKE_CERT OK - spoke $L:$SPOKE_PORT and hub $L:$HUB_PORT present the same certificate $(fingerprint ca/hub)" \
            --cacert "$CA"
        ;;
    not_responding)
        emu HUB ca/hub
        SPOKE_PORT=$(closed_port)
        run_cert not_responding.spoke 2 "^SPOKE_CERT CRITICAL - Not responding: spoke $L:$SPOKE_PORT: connect to $L:$SPOKE_PORT: Connection refused\$" \
            --cacert "$CA"
        local hp=$HUB_PORT
        HUB_PORT=$SPOKE_PORT SPOKE_PORT=$hp
        run_cert not_responding.hub 2 "^SPOKE_CERT CRITICAL - Not responding: hub $L:$HUB_PORT: connect to $L:$HUB_PORT: Connection refused\$" \
            --cacert "$CA"
        ;;
    not_tls)
        emu HUB ca/hub
        SPOKE_PORT=$(closed_port)
        rw_spawn "$RW_WORK/plain.log" "$EMU" --mockup "$HUBDATA" --listen "127.0.0.1:$SPOKE_PORT"
        rw_wait_port "$SPOKE_PORT" 10 || exit 1
        run_cert not_tls 2 "^SPOKE_CERT CRITICAL - Not responding: spoke $L:$SPOKE_PORT: " --cacert "$CA"
        ;;
    bad_args)
        local p=(-H 127.0.0.1 --hub 127.0.0.1)
        bad_args SPOKE_CERT "$PLUGIN" bad.no_hub "--hub is required" -H 127.0.0.1
        bad_args SPOKE_CERT "$PLUGIN" bad.hub_port "--hub-port: 'x' is not a port \(1-65535\)" \
            "${p[@]}" --hub-port x
        bad_args SPOKE_CERT "$PLUGIN" bad.hub_host "--hub: .*" -H 127.0.0.1 --hub 'bad host'
        bad_args SPOKE_CERT "$PLUGIN" bad.policy \
            "--policy: unknown certificate policy 'same' \(identical, same-issuer, pinned or registered\)" \
            "${p[@]}" --policy same
        bad_args SPOKE_CERT "$PLUGIN" bad.pinned_no_pin "--policy pinned needs at least one --pin" \
            "${p[@]}" --policy pinned
        bad_args SPOKE_CERT "$PLUGIN" bad.pin_without_pinned "--pin needs --policy pinned" \
            "${p[@]}" --pin "$(printf 'ab%.0s' {1..32})"
        bad_args SPOKE_CERT "$PLUGIN" bad.pin "--pin: .*" "${p[@]}" --policy pinned --pin sha256:XYZ
        bad_args SPOKE_CERT "$PLUGIN" bad.registered "--policy registered needs --known-spokes FILE" \
            "${p[@]}" --policy registered
        bad_args SPOKE_CERT "$PLUGIN" bad.known_missing "$RW_WORK/nope: .*" \
            "${p[@]}" --policy registered --known-spokes "$RW_WORK/nope"
        printf 'garbage\n' >"$RW_WORK/badknown"
        bad_args SPOKE_CERT "$PLUGIN" bad.known_garbage "$RW_WORK/badknown:1: .*" \
            "${p[@]}" --policy registered --known-spokes "$RW_WORK/badknown"
        bad_args SPOKE_CERT "$PLUGIN" bad.same_issuer "--policy same-issuer needs --cacert FILE" \
            "${p[@]}" --policy same-issuer
        bad_args SPOKE_CERT "$PLUGIN" bad.warning \
            "-w/--warning: 'abc' is not a number of days \(0 to 36500\)" "${p[@]}" -w abc
        bad_args SPOKE_CERT "$PLUGIN" bad.negative \
            "-c/--critical: '-1' is not a number of days \(0 to 36500\)" "${p[@]}" -c -1
        bad_args SPOKE_CERT "$PLUGIN" bad.order \
            "-c/--critical \(40 days\) must not be more than -w/--warning \(30 days\)" \
            "${p[@]}" -c 40
        bad_args SPOKE_CERT "$PLUGIN" bad.cacert ".*$RW_WORK/nocacert.*" \
            "${p[@]}" --cacert "$RW_WORK/nocacert"
        rw_expect help 0 "^check_spoke_cert" "$PLUGIN" --help
        rw_expect_output help.policies "identical .*same-issuer.*pinned.*registered"
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
