#!/usr/bin/env bash
# poll.tls: TLS is verified: a certificate from another CA, an expired one, one for another
# name, a closed port, and a SHA-256 pin that does not match each fail that endpoint only
# ("ok": false, a one-line error, exit 1) while the others are reported; the right CA,
# insecure: true and a matching pin pass.  A pinned mismatch never sees a request.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/emu_lib.sh"
. "$(dirname "$0")/poll_lib.sh"

emu_tls
OTHER=$RW_WORK/other
rw_make_ca "$OTHER" >/dev/null 2>&1 &&
    rw_make_cert "$OTHER" srv localhost "DNS:localhost,IP:127.0.0.1" -1 10 >/dev/null 2>&1 &&
    rw_make_cert "$EMU_CA" expired localhost "DNS:localhost,IP:127.0.0.1" -10 -1 >/dev/null 2>&1 &&
    rw_make_cert "$EMU_CA" wrongname other.example "DNS:other.example" -1 10 >/dev/null 2>&1 ||
    { echo "cannot make the certificates" >&2; exit 1; }

# emu_cert NAME CADIR CERT: the PDU over HTTPS with CADIR/CERT.{crt,key}; sets EMU_URL.
emu_cert() {
    emu_start "$1" --mockup "$EMU_DATA/pdu" --user "$POLL_USER" --password "$POLL_PASSWORD" \
        --access-log "$RW_WORK/$1.access" --tls-cert "$2/$3.crt" --tls-key "$2/$3.key"
    EMU_URL=https://${EMU_URL#http://}
}

poll_emu good "$EMU_DATA/pdu"
GOOD=$EMU_URL
emu_cert otherca "$OTHER" srv
OTHERCA=$EMU_URL
emu_cert expired "$EMU_CA" expired
EXPIRED=$EMU_URL
emu_cert wrongname "$EMU_CA" wrongname
WRONGNAME=$EMU_URL
poll_emu pinned "$EMU_DATA/pdu"
PINNED=$EMU_URL
CLOSED=https://127.0.0.1:$(rw_free_port)
PIN=sha256:$(openssl x509 -in "$EMU_CA/server.crt" -noout -fingerprint -sha256 | cut -d= -f2)
BADPIN=sha256:$(openssl x509 -in "$OTHER/srv.crt" -noout -fingerprint -sha256 | cut -d= -f2)

poll_config "$RW_WORK/bad.yaml" -- "otherca=$OTHERCA=pdu" "expired=$EXPIRED=pdu" \
    "wrongname=$WRONGNAME=pdu" "closed=$CLOSED=pdu" "badpin=$PINNED=pdu=fingerprint: $BADPIN" \
    "good=$GOOD=pdu"
poll_json "TLS failures beside a good endpoint" 1 "$RW_WORK/bad.yaml"
poll_check "the good endpoint is reported" 'e("good")["ok"] is True and len(e("good")["pdus"]) == 1'
poll_check "each failure: ok false, no model, a one-line error" \
    'all(x["ok"] is False and x["pdus"] == [] and x["error"] and "\n" not in x["error"] for x in d["endpoints"] if x["name"] != "good")'
poll_check "another CA: the chain is refused" \
    'e("otherca")["error"] == "/redfish/v1/: login to '"$OTHERCA"' failed: SSL certificate problem: unable to get local issuer certificate"'
poll_check "expired: refused" \
    'e("expired")["error"] == "/redfish/v1/: login to '"$EXPIRED"' failed: SSL certificate problem: certificate has expired"'
poll_check "another host name: refused" \
    'e("wrongname")["error"] == "/redfish/v1/: login to '"$WRONGNAME"' failed: SSL: no alternative certificate subject name matches target host name \x27127.0.0.1\x27"'
poll_check "closed port: cannot connect" \
    '__import__("re").fullmatch("/redfish/v1/: login to '"$CLOSED"' failed: Failed to connect to 127.0.0.1 port '"${CLOSED##*:}"' after [0-9]+ ms: Couldn.t connect to server", e("closed")["error"])'
poll_check "wrong pin: refused" \
    'e("badpin")["error"] == "/redfish/v1/: login to '"$PINNED"' failed: certificate '"$PIN"' does not match the pinned fingerprint"'
for name in otherca expired wrongname pinned; do
    poll_expect_count "$name: the server never got a request" "$RW_WORK/$name.access" . 0
done
rw_expect "table: a failed endpoint says why" 1 "^otherca \(https://[^)]*\): pdu, FAILED, [0-9]+ ms, [0-9]+ requests: /redfish/v1/: " \
    "$RACKWATCH" poll --config "$RW_WORK/bad.yaml"

# The other CA's file, insecure: true, the right pin (with insecure: the pin alone decides).
: >"$RW_WORK/good.access"
poll_config "$RW_WORK/ok.yaml" -- "ca=$OTHERCA=pdu=ca_file: $OTHER/ca.crt" \
    "insecure=$WRONGNAME=pdu=insecure: true" "pin=$GOOD=pdu=fingerprint: $PIN" \
    "pininsecure=$EXPIRED=pdu=fingerprint: $(openssl x509 -in "$EMU_CA/expired.crt" -noout -fingerprint -sha256 | sed 's/.*=/sha256:/');insecure: true"
poll_json "the right CA, insecure: true, the right pin" 0 "$RW_WORK/ok.yaml"
for name in ca insecure pin pininsecure; do
    poll_equals_mockup "$name: the PDU equals tests/data/pdu" "$name" "$EMU_DATA/pdu"
done

emu_done
