#!/usr/bin/env bash
# emu.paging_expand: $top/$skip with Members@odata.nextLink, --page-size, $expand
# (".", "*", "~", $levels) and --no-expand, over HTTPS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"

emu_tls
OUTLETS=/redfish/v1/PowerEquipment/RackPDUs/1/Outlets
ODIR=$EMU_DATA/pdu/PowerEquipment/RackPDUs/1/Outlets
emu_start paging --tls --mockup "$EMU_DATA/pdu"

emu_status "\$top=3" 200 "$EMU_URL$OUTLETS?\$top=3"
# $top is the client's own window: no nextLink (that is for pages the service cuts).
emu_json "\$top=3: three members, the count of all, no nextLink" \
    '[m["@odata.id"].rsplit("/",1)[1] for m in d["Members"]] == ["A1","A2","A3"] and d["Members@odata.count"] == 8 and "Members@odata.nextLink" not in d' \
    "$RW_WORK/body"
emu_status "\$skip=6" 200 "$EMU_URL$OUTLETS?\$skip=6"
emu_json "\$skip=6: the last two, no nextLink" \
    '[m["@odata.id"].rsplit("/",1)[1] for m in d["Members"]] == ["B3","B4"] and "Members@odata.nextLink" not in d' \
    "$RW_WORK/body"
emu_status "\$skip past the end" 200 "$EMU_URL$OUTLETS?\$skip=50"
emu_json "past the end: no members" 'd["Members"] == [] and d["Members@odata.count"] == 8' \
    "$RW_WORK/body"
emu_status "\$top=2&\$skip=5" 200 "$EMU_URL$OUTLETS?\$top=2&\$skip=5"
emu_json "window of two from 5" \
    '[m["@odata.id"].rsplit("/",1)[1] for m in d["Members"]] == ["B2","B3"] and "Members@odata.nextLink" not in d' \
    "$RW_WORK/body"
emu_status "bad \$top: 400" 400 "$EMU_URL$OUTLETS?\$top=abc"
emu_json "bad \$top: QueryParameterValueTypeError" \
    'd["error"]["code"].endswith(".QueryParameterValueTypeError") and d["error"]["@Message.ExtendedInfo"][0]["MessageArgs"] == ["abc", "$top"]' \
    "$RW_WORK/body"
emu_status "negative \$skip: 400" 400 "$EMU_URL$OUTLETS?\$skip=-1"
emu_status "unsupported \$filter: 501" 501 "$EMU_URL$OUTLETS?\$filter=Id%20eq%20%27A1%27"
emu_json "501 QueryNotSupported" 'd["error"]["code"].endswith(".QueryNotSupported")' "$RW_WORK/body"

# Following nextLink with $top=3 gathers every member exactly once.
follow_py='
import json, ssl, sys, urllib.request
base, path, cafile = sys.argv[1:4]
ctx = ssl.create_default_context(cafile=cafile) if base.startswith("https") else None
ids, pages = [], 0
while path and pages < 20:
    d = json.load(urllib.request.urlopen(base + path, context=ctx))
    ids += [m["@odata.id"].rsplit("/", 1)[1] for m in d["Members"]]
    path = d.get("Members@odata.nextLink")
    pages += 1
print(pages, ",".join(ids))
'
rw_run python3 -c "$follow_py" "$EMU_URL" "$OUTLETS?\$top=100" "$EMU_CACERT"
[[ $RW_OUT == "1 A1,A2,A3,A4,B1,B2,B3,B4" ]] && rw_pass "\$top=100: one page" || rw_fail "one page"

emu_start pagesize --tls --mockup "$EMU_DATA/pdu" --page-size 3
rw_run python3 -c "$follow_py" "$EMU_URL" "$OUTLETS" "$EMU_CACERT"
[[ $RW_OUT == "3 A1,A2,A3,A4,B1,B2,B3,B4" ]] && rw_pass "--page-size 3: three pages by nextLink" ||
    rw_fail "--page-size 3 pages"
rw_run python3 -c "$follow_py" "$EMU_URL" "$OUTLETS?\$top=5&\$skip=1" "$EMU_CACERT"
[[ $RW_OUT == "2 A2,A3,A4,B1,B2" ]] && rw_pass "--page-size 3 with \$top=5&\$skip=1: two pages" ||
    rw_fail "--page-size with \$top"
emu_status "\$expand with --page-size 3" 200 "$EMU_URL$OUTLETS?\$expand=*&\$top=5"
emu_json "three members inlined, nextLink keeps \$top and \$expand" \
    'len(d["Members"]) == 3 and d["Members"][2]["Id"] == "A3" and d["Members@odata.nextLink"] == "/redfish/v1/PowerEquipment/RackPDUs/1/Outlets?$skip=3&$top=2&$expand=*"' \
    "$RW_WORK/body"

# $expand on the plain emulator.
expand_equal='all(m == json.load(open(sys.argv[2] + "/" + m["Id"] + "/index.json")) for m in d["Members"]) and len(d["Members"]) == 8'
check_expand() {
    local name=$1 query=$2
    emu_status "$name" 200 "$EMU_URL$OUTLETS?$query"
    if python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if '"$expand_equal"' else 1)' "$RW_WORK/body" "$ODIR"; then
        rw_pass "$name: members inlined, equal to their files"
    else
        RW_OUT=$(head -c 500 "$RW_WORK/body") rw_fail "$name: members inlined"
    fi
}
emu_start expand --tls --mockup "$EMU_DATA/pdu"
check_expand "\$expand=.(\$levels=1)" '$expand=.($levels=1)'
check_expand "\$expand=*" '$expand=*'
check_expand "\$expand=." '$expand=.'
emu_status "\$expand=~ leaves members as links" 200 "$EMU_URL$OUTLETS?\$expand=~"
emu_json "~: members stay references" 'all(list(m) == ["@odata.id"] for m in d["Members"])' \
    "$RW_WORK/body"
emu_status "\$expand=~ on an outlet inlines its Links" 200 "$EMU_URL$OUTLETS/A1?\$expand=~"
emu_json "~: BranchCircuit inlined" 'd["Links"]["BranchCircuit"]["Id"] == "A"' "$RW_WORK/body"
emu_status "\$expand=.(\$levels=2) on RackPDUs" 200 \
    "$EMU_URL/redfish/v1/PowerEquipment/RackPDUs?\$expand=.(\$levels=2)"
emu_json "two levels: the PDU and its Mains collection inlined" \
    'd["Members"][0]["Mains"]["Members"] == [{"@odata.id": "/redfish/v1/PowerEquipment/RackPDUs/1/Mains/AC1"}] and d["Members"][0]["Links"]["Chassis"][0] == {"@odata.id": "/redfish/v1/Chassis/PDU1"}' \
    "$RW_WORK/body"
emu_status "bad \$expand: 400" 400 "$EMU_URL$OUTLETS?\$expand=x"
emu_status "\$levels over the maximum: 400" 400 "$EMU_URL$OUTLETS?\$expand=.(\$levels=9)"
emu_status "service root" 200 "$EMU_URL/redfish/v1/"
emu_json "the root offers ExpandQuery" \
    'd["ProtocolFeaturesSupported"]["ExpandQuery"]["ExpandAll"] is True and d["ProtocolFeaturesSupported"]["ExpandQuery"]["Levels"] is True and d["ProtocolFeaturesSupported"]["TopSkipQuery"] is True' \
    "$RW_WORK/body"

emu_start noexpand --tls --mockup "$EMU_DATA/pdu" --no-expand
emu_status "--no-expand: \$expand answers 501" 501 "$EMU_URL$OUTLETS?\$expand=*"
emu_status "--no-expand: root" 200 "$EMU_URL/redfish/v1/"
emu_json "--no-expand: the root does not offer ExpandQuery" \
    '"ExpandQuery" not in d["ProtocolFeaturesSupported"]' "$RW_WORK/body"
emu_status "--no-expand: paging still works" 200 "$EMU_URL$OUTLETS?\$top=1"

emu_done
