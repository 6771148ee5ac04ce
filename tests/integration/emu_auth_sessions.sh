#!/usr/bin/env bash
# emu.auth_sessions: Basic auth, Redfish sessions (login, use, logout), the session limit
# and the session timeout, over HTTPS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"

emu_tls
printf 'sesame\n' >"$RW_WORK/pass"
emu_start auth --tls --mockup "$EMU_DATA/server" --user admin --password-file "$RW_WORK/pass" \
    --session-limit 2
SESS=$EMU_URL/redfish/v1/SessionService/Sessions

emu_status "service root needs no credentials" 200 "$EMU_URL/redfish/v1/"
emu_status "no credentials: 401" 401 "$EMU_URL/redfish/v1/Systems"
emu_header "401 asks for Basic" '^WWW-Authenticate: Basic'
emu_json "401 body is a Redfish error" 'd["error"]["code"].endswith(".NoValidSession")' \
    "$RW_WORK/body"
emu_status "wrong password: 401" 401 -u admin:wrong "$EMU_URL/redfish/v1/Systems"
emu_status "wrong user: 401" 401 -u root:sesame "$EMU_URL/redfish/v1/Systems"
emu_status "Basic auth (password from the file): 200" 200 -u admin:sesame \
    "$EMU_URL/redfish/v1/Systems"

emu_status "login with a wrong password: 401" 401 -H 'Content-Type: application/json' \
    -d '{"UserName":"admin","Password":"nope"}' "$SESS"
emu_status "login without UserName: 400" 400 -d '{"Password":"sesame"}' "$SESS"
emu_json "400 names the missing property" 'd["error"]["code"].endswith(".PropertyMissing")' \
    "$RW_WORK/body"
emu_status "login: 201" 201 -H 'Content-Type: application/json' \
    -d '{"UserName":"admin","Password":"sesame"}' "$SESS"
emu_header "login: X-Auth-Token" '^X-Auth-Token: [0-9a-f]{32}$'
emu_header "login: Location of the session" '^Location: /redfish/v1/SessionService/Sessions/[^ ]+$'
emu_json "login: Session body with Id, no password" \
    'd["Id"] and d["UserName"] == "admin" and d.get("Password") is None and d["@odata.id"].endswith("/" + d["Id"])' \
    "$RW_WORK/body"
token=$(tr -d '\r' <"$RW_WORK/headers" | sed -n 's/^X-Auth-Token: //Ip')
location=$(tr -d '\r' <"$RW_WORK/headers" | sed -n 's/^Location: //Ip')

emu_status "the token opens resources" 200 -H "X-Auth-Token: $token" "$EMU_URL/redfish/v1/Systems/1"
emu_status "an unknown token: 401" 401 -H "X-Auth-Token: 0123456789abcdef0123456789abcdef" \
    "$EMU_URL/redfish/v1/Systems/1"
emu_status "the session is a resource" 200 -H "X-Auth-Token: $token" "$EMU_URL$location"
emu_status "sessions collection lists it" 200 -u admin:sesame "$SESS"
emu_json "one member" 'd["Members@odata.count"] == 1' "$RW_WORK/body"

emu_status "second session" 201 -d '{"UserName":"admin","Password":"sesame"}' "$SESS"
emu_status "third session over --session-limit 2: 503" 503 \
    -d '{"UserName":"admin","Password":"sesame"}' "$SESS"
emu_json "503 carries SessionLimitExceeded" \
    'd["error"]["code"].endswith(".SessionLimitExceeded") and d["error"]["message"] == "The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation."' \
    "$RW_WORK/body"

emu_status "logout: DELETE the session" 204 -X DELETE -H "X-Auth-Token: $token" "$EMU_URL$location"
emu_status "the token is dead after logout" 401 -H "X-Auth-Token: $token" "$EMU_URL/redfish/v1/Systems"
emu_status "the session resource is gone" 404 -u admin:sesame "$EMU_URL$location"
emu_status "a slot is free again" 201 -d '{"UserName":"admin","Password":"sesame"}' "$SESS"

# Session timeout: an idle session ends; sleeping past it is the only way to see it.
emu_start timeout --tls --mockup "$EMU_DATA/server" --user admin --password sesame \
    --session-timeout 1
emu_status "login (timeout 1 s)" 201 -d '{"UserName":"admin","Password":"sesame"}' \
    "$EMU_URL/redfish/v1/SessionService/Sessions"
token=$(tr -d '\r' <"$RW_WORK/headers" | sed -n 's/^X-Auth-Token: //Ip')
emu_status "fresh token works" 200 -H "X-Auth-Token: $token" "$EMU_URL/redfish/v1/Systems"
sleep 2.5
emu_status "idle past --session-timeout: 401" 401 -H "X-Auth-Token: $token" \
    "$EMU_URL/redfish/v1/Systems"
emu_status "SessionService shows the timeout" 200 -u admin:sesame "$EMU_URL/redfish/v1/SessionService"
emu_json "SessionTimeout 1" 'd["SessionTimeout"] == 1' "$RW_WORK/body"

# Without --user every request is open, and sessions still work.
emu_start open --tls --mockup "$EMU_DATA/server"
emu_status "no --user: open" 200 "$EMU_URL/redfish/v1/Systems/1"
emu_status "no --user: login still works" 201 -d '{"UserName":"any","Password":"thing"}' \
    "$EMU_URL/redfish/v1/SessionService/Sessions"

emu_done
