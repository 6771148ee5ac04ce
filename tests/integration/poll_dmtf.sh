#!/usr/bin/env bash
# poll.dmtf: `rackwatch poll --json` against DMTF's public-pdu and public-rackmount1 read in
# place from $RW_MOCKUPS_DIR (skipped when absent), served over HTTPS with sessions: every
# value equals the mockup's, absent ones null, with and without $expand.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"
. "$(dirname "$0")/poll_lib.sh"

[[ -d ${RW_MOCKUPS_DIR:-} ]] || rw_skip "no DMTF mockups at '${RW_MOCKUPS_DIR:-}'"
PDU=$RW_MOCKUPS_DIR/public-pdu
RACK=$RW_MOCKUPS_DIR/public-rackmount1
[[ -f $PDU/index.json && -f $RACK/index.json ]] ||
    rw_skip "public-pdu or public-rackmount1 missing in $RW_MOCKUPS_DIR"

emu_tls
poll_emu pdu "$PDU"
PDU_URL=$EMU_URL
poll_emu rack "$RACK"
RACK_URL=$EMU_URL

for expand in true false; do
    poll_config "$RW_WORK/$expand.yaml" "expand: $expand" -- \
        "public-pdu=$PDU_URL=pdu" "public-rackmount1=$RACK_URL=auto"
    poll_json "expand $expand: both mockups" 0 "$RW_WORK/$expand.yaml"
    poll_check "expand $expand: both ok" 'all(x["ok"] for x in d["endpoints"])'
    poll_equals_mockup "expand $expand: public-pdu equals its files" public-pdu "$PDU"
    poll_equals_mockup "expand $expand: public-rackmount1 equals its files" public-rackmount1 "$RACK"
    poll_check "expand $expand: the rack-mount server is found by kind auto" \
        'e("public-rackmount1")["kind"] == "server" and [s["id"] for s in e("public-rackmount1")["servers"]] == ["437XR1138R2"]'
    cp "$POLL_DOC" "$RW_WORK/doc-$expand.json"
done
POLL_DOC=$RW_WORK/doc-true.json
poll_check "\$expand: the same model in fewer requests" \
    '(lambda f: all(a["requests"] < b["requests"] and a["pdus"] == b["pdus"] and a["servers"] == b["servers"] for a, b in zip(d["endpoints"], f["endpoints"])))(json.load(open("'"$RW_WORK"'/doc-false.json")))'
emu_done
