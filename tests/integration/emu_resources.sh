#!/usr/bin/env bash
# emu.resources: every resource of the project's mockups equals its file, over HTTPS and
# plain HTTP, IPv4 and IPv6; HTTP/1.1 keep-alive; Redfish headers, errors and URIs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"

emu_tls
for tree in pdu server server-legacy hub; do
    emu_start "$tree" --tls --mockup "$EMU_DATA/$tree"
    emu_compare_tree "$tree over HTTPS equals its files" "$EMU_URL" "$EMU_DATA/$tree"
done

# Keep-alive: two URLs in one curl run share one connection.
emu_start pdu-ka --tls --mockup "$EMU_DATA/pdu"
rw_run emu_curl -v -o /dev/null -o /dev/null "$EMU_URL/redfish/v1/" "$EMU_URL/redfish/v1/Chassis"
rw_expect_output "keep-alive: the second request re-uses the connection" \
    "Re-using existing connection"
rw_expect_output "HTTP/1.1" "< HTTP/1.1 200"

emu_status "service root" 200 "$EMU_URL/redfish/v1/"
emu_header "OData-Version 4.0" "^OData-Version: 4\.0$"
emu_header "JSON content type" "^Content-Type: application/json"
emu_status "service root without the trailing slash" 200 "$EMU_URL/redfish/v1"
emu_status "member with a trailing slash" 200 "$EMU_URL/redfish/v1/Chassis/PDU1/"
emu_json "trailing slash: same resource" 'd["Id"] == "PDU1"' "$RW_WORK/body"
emu_status "/redfish lists the versions" 200 "$EMU_URL/redfish"
emu_json "/redfish says v1" 'd == {"v1": "/redfish/v1/"}' "$RW_WORK/body"
emu_status "HEAD" 200 -I "$EMU_URL/redfish/v1/Managers"
emu_status "unknown URI: 404" 404 "$EMU_URL/redfish/v1/Chassis/Nope"
emu_json "404 body is a Redfish error" \
    'd["error"]["code"].startswith("Base.1.") and d["error"]["code"].endswith(".ResourceMissingAtURI") and d["error"]["@Message.ExtendedInfo"][0]["MessageArgs"] == ["/redfish/v1/Chassis/Nope"]' \
    "$RW_WORK/body"
emu_status "outside /redfish: 404" 404 "$EMU_URL/index.html"
emu_status "PUT: 405" 405 -X PUT -d '{}' "$EMU_URL/redfish/v1/Chassis/PDU1"
emu_header "405 says what is allowed" "^Allow: GET, HEAD, PATCH, DELETE$"
emu_json "405 body is a Redfish error" '"error" in d' "$RW_WORK/body"
emu_status "POST to a resource that is no collection: 405" 405 -X POST -d '{}' \
    "$EMU_URL/redfish/v1/PowerEquipment"
emu_header "405 on a plain resource" "^Allow: GET, HEAD, PATCH$"
emu_status "query strings are parsed" 200 "$EMU_URL/redfish/v1/Chassis?foo=bar"

# Plain HTTP and IPv6, several listeners in one process.
rm -f "$RW_WORK/multi.ready"
rw_spawn "$RW_WORK/multi.log" "$EMU" --mockup "$EMU_DATA/server" --listen 127.0.0.1:0 \
    --listen '[::1]:0' --ready-file "$RW_WORK/multi.ready"
for ((i = 0; i < 200; i++)); do
    [[ -s $RW_WORK/multi.ready ]] && break
    sleep 0.05
done
v4=$(sed -n 1p "$RW_WORK/multi.ready")
v6=$(sed -n 2p "$RW_WORK/multi.ready")
if [[ $v4 =~ ^127\.0\.0\.1:[0-9]+$ && $v6 =~ ^\[::1\]:[0-9]+$ ]]; then
    rw_pass "ready file: one HOST:PORT line per listener"
else
    RW_OUT=$(cat "$RW_WORK/multi.ready") rw_fail "ready file lines"
fi
if grep -q "rackwatch-emu: listening on http://127.0.0.1:" "$RW_WORK/multi.log" &&
    grep -q "rackwatch-emu: listening on http://\[::1\]:" "$RW_WORK/multi.log"; then
    rw_pass "stderr names every listener"
else
    RW_OUT=$(cat "$RW_WORK/multi.log") rw_fail "listening lines"
fi
emu_compare_tree "plain HTTP on IPv4" "http://$v4" "$EMU_DATA/server"
emu_compare_tree "plain HTTP on IPv6" "http://$v6" "$EMU_DATA/server"

emu_done
