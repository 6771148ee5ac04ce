#!/usr/bin/env bash
# emu.dmtf_mockups: DMTF's public mockups (public-pdu, public-rackmount1), read in place
# from $RW_MOCKUPS_DIR, served over HTTPS: every resource equals its file (but for the
# properties the emulator rewrites on purpose), paging and $expand on real collections, and
# sushy and redfishtool on the rack-mount server.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"

[[ -d ${RW_MOCKUPS_DIR:-} ]] || rw_skip "no DMTF mockups at '${RW_MOCKUPS_DIR:-}'"
PDU=$RW_MOCKUPS_DIR/public-pdu
RACK=$RW_MOCKUPS_DIR/public-rackmount1
[[ -f $PDU/index.json && -f $RACK/index.json ]] || rw_skip "public-pdu or public-rackmount1 missing"
emu_tls

# The service root's ProtocolFeaturesSupported says what the emulator does, and
# SessionService.SessionTimeout is --session-timeout's.
SKIPS=(":ProtocolFeaturesSupported" "SessionService:SessionTimeout")

emu_start pdu --tls --mockup "$PDU"
emu_compare_tree "public-pdu equals its files" "$EMU_URL" "$PDU" "${SKIPS[@]}"
emu_status "public-pdu: a rack PDU" 200 "$EMU_URL/redfish/v1/PowerEquipment/RackPDUs/1"
emu_json "PowerDistribution" 'd["@odata.type"].startswith("#PowerDistribution.")' "$RW_WORK/body"
emu_status "public-pdu: outlets expanded" 200 \
    "$EMU_URL/redfish/v1/PowerEquipment/RackPDUs/1/Outlets?\$expand=.(\$levels=1)"
emu_json "every outlet inlined" \
    'd["Members"] and len(d["Members"]) == d["Members@odata.count"] and all(m["@odata.type"].startswith("#Outlet.") and m["Id"] for m in d["Members"])' \
    "$RW_WORK/body"
emu_status "public-pdu: outlets paged" 200 "$EMU_URL/redfish/v1/PowerEquipment/RackPDUs/1/Outlets?\$top=2&\$skip=1"
emu_json "two outlets from the second" 'len(d["Members"]) == 2' "$RW_WORK/body"

emu_start rack --tls --mockup "$RACK" --user admin --password sesame
EMU_AUTH=admin:sesame emu_compare_tree "public-rackmount1 equals its files" "$EMU_URL" "$RACK" \
    "${SKIPS[@]}"

if [[ -f $RACK/\$metadata/index.xml ]]; then
    emu_status "\$metadata needs no credentials" 200 "$EMU_URL/redfish/v1/\$metadata"
    emu_header "\$metadata is XML" '^Content-Type: application/xml'
    cmp -s "$RW_WORK/body" "$RACK/\$metadata/index.xml" &&
        rw_pass "\$metadata is the mockup's index.xml, byte for byte" || rw_fail "\$metadata body"
fi

PY=/usr/bin/python3
if $PY -c 'import sushy' 2>/dev/null; then
    rw_run env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE $PY -c '
import sys, sushy
s = sushy.Sushy(sys.argv[1] + "/redfish/v1", username="admin", password="sesame", verify=sys.argv[2])
col = s.get_system_collection()
sysm = s.get_system(col.members_identities[0])
print(len(col.members_identities), sysm.power_state.value)' "$EMU_URL" "$EMU_CACERT"
    [[ $RW_RC -eq 0 && $RW_OUT =~ ^[1-9][0-9]*\ (on|off|On|Off) ]] &&
        rw_pass "sushy on public-rackmount1: $RW_OUT" || rw_fail "sushy on public-rackmount1"
fi
if command -v redfishtool >/dev/null; then
    rw_run redfishtool -r "${EMU_URL#https://}" -S Always -u admin -p sesame -A Session Systems list
    [[ $RW_RC -eq 0 && $RW_OUT == *'"Members"'* ]] &&
        rw_pass "redfishtool -A Session on public-rackmount1" || rw_fail "redfishtool on public-rackmount1"
fi

emu_done
