#!/usr/bin/env bash
# poll.values: `rackwatch poll --json` against the emulator serving the project's PDU
# (three-phase inlet, missing readings), server (current power/thermal model) and legacy
# server (deprecated Power/Thermal) trees over HTTPS with sessions: every value equals the
# mockup's, absent readings are null, kinds pdu/server/auto, and the table output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"
. "$(dirname "$0")/poll_lib.sh"

emu_tls
poll_emu pdu "$EMU_DATA/pdu"
PDU_URL=$EMU_URL
poll_emu server "$EMU_DATA/server"
SRV_URL=$EMU_URL
poll_emu legacy "$EMU_DATA/server-legacy"
LEGACY_URL=$EMU_URL
CFG=$RW_WORK/rackwatch.yaml
poll_config "$CFG" -- "pdu-a1=$PDU_URL=pdu" "srv-1=$SRV_URL=server" "srv-old=$LEGACY_URL=auto"

poll_json "three endpoints" 0 "$CFG"
poll_check "endpoints in configuration order" \
    '[x["name"] for x in d["endpoints"]] == ["pdu-a1", "srv-1", "srv-old"]'
poll_check "every endpoint ok, error null" \
    'all(x["ok"] is True and x["error"] is None for x in d["endpoints"])'
poll_check "urls and kinds (auto resolves to server)" \
    '[(x["url"], x["kind"]) for x in d["endpoints"]] == [("'"$PDU_URL"'", "pdu"), ("'"$SRV_URL"'", "server"), ("'"$LEGACY_URL"'", "server")]'
poll_check "polled_at is RFC 3339 UTC, duration_ms and requests are numbers" \
    'all(__import__("re").fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", x["polled_at"]) and isinstance(x["duration_ms"], int) and x["duration_ms"] >= 0 and isinstance(x["requests"], int) and x["requests"] > 0 for x in d["endpoints"])'
poll_equals_mockup "PDU equals tests/data/pdu" pdu-a1 "$EMU_DATA/pdu"
poll_equals_mockup "server equals tests/data/server" srv-1 "$EMU_DATA/server"
poll_equals_mockup "legacy server equals tests/data/server-legacy" srv-old "$EMU_DATA/server-legacy"

# The cases the trees were written for, spelled out.
poll_check "outlet A4 reports no readings: null, not 0" \
    'all([o for o in e("pdu-a1")["pdus"][0]["outlets"] if o["id"] == "A4"][0][k] is None for k in ("voltage_v", "current_a", "power_w", "energy_kwh"))'
poll_check "outlet B4 has no Status: health null" \
    '[o for o in e("pdu-a1")["pdus"][0]["outlets"] if o["id"] == "B4"][0]["health"] is None'
poll_check "three-phase inlet keeps its lines under the Redfish names" \
    'e("pdu-a1")["pdus"][0]["inlets"][0]["poly_phase"]["current_a"].keys() >= {"Line1", "Line2", "Line3"} and "Line1ToLine2" in e("pdu-a1")["pdus"][0]["inlets"][0]["poly_phase"]["voltage_v"]'
poll_check "branch C tripped" \
    '[b["breaker_state"] for b in e("pdu-a1")["pdus"][0]["branches"]] == ["Normal", "Normal", "Tripped"]'
poll_check "server power from EnvironmentMetrics, not the deprecated Power" \
    'e("srv-1")["servers"][0]["power_w"] == json.load(open("'"$EMU_DATA"'/server/Chassis/1U/EnvironmentMetrics/index.json"))["PowerWatts"]["Reading"]'
poll_check "legacy server power from PowerControl[].PowerConsumedWatts" \
    'e("srv-old")["servers"][0]["power_w"] == json.load(open("'"$EMU_DATA"'/server-legacy/Chassis/1U/Power/index.json"))["PowerControl"][0]["PowerConsumedWatts"]'
poll_check "both servers have an inlet temperature" \
    'all(isinstance(e(n)["servers"][0]["inlet_temp_c"], (int, float)) for n in ("srv-1", "srv-old"))'
poll_check "a PDU endpoint lists no servers, a server endpoint no PDUs" \
    'e("pdu-a1")["servers"] == [] and e("srv-1")["pdus"] == [] and e("srv-old")["pdus"] == []'

# A Redfish session per endpoint: one login, requests with the token, a logout at the end.
for name in pdu server legacy; do
    poll_expect_count "$name: one session login" "$RW_WORK/$name.access" \
        'POST /redfish/v1/SessionService/Sessions 201' 1
    poll_expect_count "$name: logged out at the end" "$RW_WORK/$name.access" \
        'DELETE /redfish/v1/SessionService/Sessions/[^ ]+ 204' 1
    poll_expect_count "$name: no request refused" "$RW_WORK/$name.access" ' 40[13] ' 0
done

# --endpoint selects; the table names every endpoint with its figures.
poll_json "--endpoint srv-old only" 0 "$CFG" --endpoint srv-old
poll_check "only srv-old reported" '[x["name"] for x in d["endpoints"]] == ["srv-old"]'
rw_expect "table: one line per endpoint" 0 "^pdu-a1 \(https://127\.0\.0\.1:[0-9]+\): pdu, ok, [0-9]+ ms, [0-9]+ requests$" \
    "$RACKWATCH" poll --config "$CFG"
rw_expect_output "table: the PDU line" \
    "  PDU 1: Rackwatch Labs RW-3P-24, firmware 1\.8\.2, health OK, 9961\.3 W, 48213\.7 kWh, 27\.5 C; 1 inlets, 3 branches, 8 outlets \(7 on\)"
rw_expect_output "table: the server line" "  server 1: Rackwatch Labs RW-1U-2S, power On, health Warning, [0-9.]+ W, inlet [0-9.]+ C"

emu_done
