#!/usr/bin/env bash
# emu.writes: POST/PATCH/DELETE kept in memory (the hub's AggregationSources among them),
# request body checks, and the identity overrides.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"

emu_tls
emu_start hub --tls --mockup "$EMU_DATA/hub" --user admin --password sesame
SRC=$EMU_URL/redfish/v1/AggregationService/AggregationSources
A=(-u admin:sesame -H 'Content-Type: application/json')

emu_status "register a spoke: POST 201" 201 "${A[@]}" \
    -d '{"HostName":"https://spoke1.example.net","UserName":"spokeadmin","Password":"s3cret"}' "$SRC"
emu_header "POST: Location" '^Location: /redfish/v1/AggregationService/AggregationSources/1$'
emu_json "POST: the body, Password null, Status filled in" \
    'd["HostName"] == "https://spoke1.example.net" and d["UserName"] == "spokeadmin" and "Password" in d and d["Password"] is None and d["Id"] == "1" and d["@odata.id"] == "/redfish/v1/AggregationService/AggregationSources/1" and d["@odata.type"].startswith("#AggregationSource.") and d["Status"]["Health"] == "OK"' \
    "$RW_WORK/body"
if grep -q s3cret "$RW_WORK/body"; then
    rw_fail "the password is echoed"
else
    rw_pass "the password is never echoed"
fi
emu_status "the member reads back" 200 "${A[@]}" "$SRC/1"
emu_json "read back: same HostName, Password null" \
    'd["HostName"] == "https://spoke1.example.net" and d["Password"] is None' "$RW_WORK/body"
emu_status "the collection lists it" 200 "${A[@]}" "$SRC"
emu_json "one member" \
    'd["Members@odata.count"] == 1 and d["Members"] == [{"@odata.id": "/redfish/v1/AggregationService/AggregationSources/1"}]' \
    "$RW_WORK/body"
emu_status "a second spoke with its own Id" 201 "${A[@]}" \
    -d '{"Id":"east","HostName":"https://[fd00::2]","UserName":"u","Password":"p"}' "$SRC"
emu_header "Location uses the Id" '^Location: /redfish/v1/AggregationService/AggregationSources/east$'
emu_status "the same Id again: 400" 400 "${A[@]}" -d '{"Id":"east","HostName":"x"}' "$SRC"
emu_json "ResourceAlreadyExists" 'd["error"]["code"].endswith(".ResourceAlreadyExists")' "$RW_WORK/body"
emu_status "POST without HostName: 400" 400 "${A[@]}" -d '{"UserName":"u"}' "$SRC"
emu_status "POST without credentials: 401" 401 -d '{"HostName":"x"}' "$SRC"

emu_status "PATCH merges" 200 "${A[@]}" -X PATCH \
    -d '{"UserName":"newadmin","Status":{"Health":"Warning"},"Password":"other"}' "$SRC/1"
emu_json "PATCH: changed, the rest kept, Password null" \
    'd["UserName"] == "newadmin" and d["HostName"] == "https://spoke1.example.net" and d["Status"] == {"State": "Enabled", "Health": "Warning"} and d["Password"] is None' \
    "$RW_WORK/body"
emu_status "PATCH read back" 200 "${A[@]}" "$SRC/1"
emu_json "PATCH is kept" 'd["UserName"] == "newadmin"' "$RW_WORK/body"
emu_status "PATCH cannot change Id" 200 "${A[@]}" -X PATCH -d '{"Id":"9"}' "$SRC/1"
emu_json "Id unchanged" 'd["Id"] == "1"' "$RW_WORK/body"
emu_status "PATCH a plain resource" 200 "${A[@]}" -X PATCH -d '{"AssetTag":"hub-a"}' \
    "$EMU_URL/redfish/v1/Managers/1"
emu_json "PATCH added the property" 'd["AssetTag"] == "hub-a" and d["FirmwareVersion"] == "3.2.0"' \
    "$RW_WORK/body"
emu_status "PATCH a collection: 405" 405 "${A[@]}" -X PATCH -d '{}' "$SRC"
emu_header "405 on a collection" '^Allow: GET, HEAD, POST$'

emu_status "bad JSON: 400" 400 "${A[@]}" -d '{"HostName":' "$SRC"
emu_json "MalformedJSON" 'd["error"]["code"].endswith(".MalformedJSON")' "$RW_WORK/body"
emu_status "JSON that is no object: 400" 400 "${A[@]}" -d '[1,2]' "$SRC"
emu_status "trailing garbage: 400" 400 "${A[@]}" -d '{"HostName":"x"} x' "$SRC"
emu_status "empty body: 400" 400 "${A[@]}" -X POST "$SRC"
head -c $((1024 * 1024 + 10)) /dev/zero | tr '\0' ' ' >"$RW_WORK/big.json"
emu_status "body over 1 MiB: 413" 413 "${A[@]}" --data-binary "@$RW_WORK/big.json" "$SRC"

emu_status "DELETE a member" 204 "${A[@]}" -X DELETE "$SRC/1"
emu_status "deleted: 404" 404 "${A[@]}" "$SRC/1"
emu_status "the collection" 200 "${A[@]}" "$SRC"
emu_json "one member left" \
    'd["Members@odata.count"] == 1 and d["Members"][0]["@odata.id"].endswith("/east")' "$RW_WORK/body"
emu_status "DELETE a resource that is no member: 405" 405 "${A[@]}" -X DELETE \
    "$EMU_URL/redfish/v1/AggregationService"
emu_status "DELETE what is not there: 404" 404 "${A[@]}" -X DELETE "$SRC/nope"
emu_status "POST to an action: 204" 204 "${A[@]}" -d '{"ResetType":"On"}' \
    "$EMU_URL/redfish/v1/Managers/1/Actions/Manager.Reset"

# A tree with an AggregationService but no AggregationSources folder gets one on the fly.
mkdir -p "$RW_WORK/hub2"
cp -r "$EMU_DATA/hub/." "$RW_WORK/hub2/"
rm -rf "$RW_WORK/hub2/AggregationService/AggregationSources"
python3 -c 'import json, sys
p = sys.argv[1]; d = json.load(open(p)); del d["AggregationSources"]
json.dump(d, open(p, "w"))' "$RW_WORK/hub2/AggregationService/index.json"
# ... and a password written into a mockup file, which must never be served.
python3 -c 'import json, sys
p = sys.argv[1]; d = json.load(open(p)); d["Oem"] = {"Service": {"UserName": "x", "Password": "hunter2"}}
json.dump(d, open(p, "w"))' "$RW_WORK/hub2/Managers/1/index.json"
emu_start hub2 --tls --mockup "$RW_WORK/hub2"
emu_status "created on the fly: the empty collection" 200 \
    "$EMU_URL/redfish/v1/AggregationService/AggregationSources"
emu_json "empty AggregationSources" 'd["Members"] == [] and d["Members@odata.count"] == 0' \
    "$RW_WORK/body"
emu_status "linked from the AggregationService" 200 "$EMU_URL/redfish/v1/AggregationService"
emu_json "AggregationSources link" \
    'd["AggregationSources"] == {"@odata.id": "/redfish/v1/AggregationService/AggregationSources"}' \
    "$RW_WORK/body"
emu_status "POST into it" 201 -d '{"HostName":"10.0.0.7","Oem":{"Keys":[{"Password":"p"}]}}' \
    "$EMU_URL/redfish/v1/AggregationService/AggregationSources"
emu_json "a nested Password in a POST is null too" 'd["Oem"]["Keys"][0]["Password"] is None' \
    "$RW_WORK/body"
emu_status "a mockup file with a password" 200 "$EMU_URL/redfish/v1/Managers/1"
emu_json "the file's password is served as null" \
    'd["Oem"]["Service"] == {"UserName": "x", "Password": None}' "$RW_WORK/body"

# Identity overrides.
emu_start ident --tls --mockup "$EMU_DATA/pdu" --product "Rack Power Manager" \
    --vendor "Example Vendor" --firmware-version 3.1.4
emu_status "root with overrides" 200 "$EMU_URL/redfish/v1/"
emu_json "--product and --vendor" 'd["Product"] == "Rack Power Manager" and d["Vendor"] == "Example Vendor"' \
    "$RW_WORK/body"
emu_status "manager with --firmware-version" 200 "$EMU_URL/redfish/v1/Managers/BMC"
emu_json "manager FirmwareVersion" 'd["FirmwareVersion"] == "3.1.4"' "$RW_WORK/body"
emu_status "PDU with --firmware-version" 200 "$EMU_URL/redfish/v1/PowerEquipment/RackPDUs/1"
emu_json "PowerDistribution FirmwareVersion" 'd["FirmwareVersion"] == "3.1.4"' "$RW_WORK/body"
emu_status "the chassis is untouched" 200 "$EMU_URL/redfish/v1/Chassis/PDU1"
emu_json "no FirmwareVersion on the chassis" '"FirmwareVersion" not in d' "$RW_WORK/body"

emu_done
