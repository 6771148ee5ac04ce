#!/usr/bin/env bash
# poll.paging_expand: collections paged by Members@odata.nextLink (--page-size 2) are read
# to the end; $expand on (the default), off by configuration (expand: false) and not offered
# by the service (--no-expand) give the same model, and $expand needs fewer requests.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"
. "$(dirname "$0")/poll_lib.sh"

emu_tls
poll_emu plain "$EMU_DATA/pdu"
PLAIN=$EMU_URL
poll_emu paged "$EMU_DATA/pdu" --page-size 2
PAGED=$EMU_URL
poll_emu noexp "$EMU_DATA/pdu" --no-expand
NOEXP=$EMU_URL
poll_emu srv "$EMU_DATA/server" --page-size 2
SRV=$EMU_URL

poll_config "$RW_WORK/on.yaml" -- "plain=$PLAIN=pdu" "paged=$PAGED=pdu" "noexp=$NOEXP=pdu" \
    "srv=$SRV=server"
poll_json "expand on" 0 "$RW_WORK/on.yaml"
cp "$POLL_DOC" "$RW_WORK/on.json"
for name in plain paged noexp; do
    poll_equals_mockup "expand on, $name: the PDU equals tests/data/pdu" "$name" "$EMU_DATA/pdu"
done
poll_equals_mockup "expand on, paged Systems: the server equals tests/data/server" srv \
    "$EMU_DATA/server"
# (The access log shows paths without their query: expansion shows as members not fetched.)
poll_expect_count "plain: outlets come inline in the expanded collection" \
    "$RW_WORK/plain.access" 'GET /redfish/v1/PowerEquipment/RackPDUs/1/Outlets/' 0
poll_expect_count "noexp: the service does not offer \$expand: each outlet fetched" \
    "$RW_WORK/noexp.access" 'GET /redfish/v1/PowerEquipment/RackPDUs/1/Outlets/[A-Z][0-9] 200' 8
# Eight outlets in pages of two: the first page and three nextLinks.
poll_expect_count "paged: every nextLink page of Outlets read" "$RW_WORK/paged.access" \
    'GET /redfish/v1/PowerEquipment/RackPDUs/1/Outlets(\?.*)? 200' 4

poll_config "$RW_WORK/off.yaml" "expand: false" -- "plain=$PLAIN=pdu" "paged=$PAGED=pdu" \
    "noexp=$NOEXP=pdu" "srv=$SRV=server"
: >"$RW_WORK/plain.access"
poll_json "expand off" 0 "$RW_WORK/off.yaml"
for name in plain paged noexp; do
    poll_equals_mockup "expand off, $name: the PDU equals tests/data/pdu" "$name" "$EMU_DATA/pdu"
done
poll_expect_count "expand off: each outlet fetched" "$RW_WORK/plain.access" \
    'GET /redfish/v1/PowerEquipment/RackPDUs/1/Outlets/[A-Z][0-9] 200' 8
poll_check "expand off and on: the same model" \
    '(lambda on: all(a["pdus"] == b["pdus"] and a["servers"] == b["servers"] for a, b in zip(d["endpoints"], on["endpoints"])))(json.load(open("'"$RW_WORK"'/on.json")))'
poll_check "expand on: fewer requests than off (plain $PLAIN)" \
    '(lambda on: e("plain")["requests"] > on["endpoints"][0]["requests"])(json.load(open("'"$RW_WORK"'/on.json")))'
poll_check "a service without \$expand: as many requests as expand off" \
    '(lambda on: on["endpoints"][2]["requests"] == e("plain")["requests"])(json.load(open("'"$RW_WORK"'/on.json")))'

emu_done
