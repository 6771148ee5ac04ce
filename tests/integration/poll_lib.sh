# Helpers shared by the poll_*.sh suites (`rackwatch poll` end to end).  Source it after
# lib.sh and emu_lib.sh.  Emulators listen on 127.0.0.1 port 0 over HTTPS with the test CA
# (emu_tls); the configuration is written by poll_config.
RACKWATCH=$RW_BIN_DIR/rackwatch
[[ -x $RACKWATCH ]] || { echo "no $RACKWATCH: build rackwatch first" >&2; exit 1; }

POLL_USER=monitor
POLL_PASSWORD=s3cret

# poll_emu NAME MOCKUP [EMU_ARGS...]: an HTTPS emulator with the test credentials and an
# access log in $RW_WORK/NAME.access; sets EMU_URL like emu_start.
poll_emu() {
    local name=$1 mockup=$2
    shift 2
    emu_start "$name" --tls --mockup "$mockup" --user "$POLL_USER" --password "$POLL_PASSWORD" \
        --access-log "$RW_WORK/$name.access" "$@"
}

# poll_config FILE [DEFAULT_LINE...] -- ENDPOINT...: writes a configuration.  Each
# DEFAULT_LINE is a "key: value" line under defaults: (ca_file is always the test CA's);
# each ENDPOINT is name=url=kind[=extra key: value;...], with credentials bmc.
poll_config() {
    local file=$1 item name url kind extra line lines
    shift
    printf '%s\n' "$POLL_PASSWORD" >"$RW_WORK/bmc.pass"
    chmod 600 "$RW_WORK/bmc.pass"
    {
        printf 'defaults:\n  ca_file: %s\n' "$EMU_CACERT"
        while [[ $# -gt 0 && $1 != -- ]]; do
            printf '  %s\n' "$1"
            shift
        done
        [[ ${1:-} == -- ]] && shift
        printf 'credentials:\n  bmc:\n    username: %s\n    password_file: %s\n' \
            "$POLL_USER" "$RW_WORK/bmc.pass"
        printf 'endpoints:\n'
        for item in "$@"; do
            IFS='=' read -r name url kind extra <<<"$item"
            printf '  - name: %s\n    url: %s\n    kind: %s\n    credentials: bmc\n' \
                "$name" "$url" "$kind"
            if [[ -n $extra ]]; then
                IFS=';' read -ra lines <<<"$extra"
                for line in "${lines[@]}"; do
                    printf '    %s\n' "$line"
                done
            fi
        done
    } >"$file"
}

# poll_json NAME WANT_RC CONFIG [ARGS...]: runs `rackwatch poll --json`; passes when it
# exits WANT_RC and prints one JSON document, kept in $RW_WORK/NAME.json (POLL_DOC).
poll_json() {
    local name=$1 want=$2 config=$3
    shift 3
    POLL_DOC=$RW_WORK/$name.json
    rw_run "$RACKWATCH" poll --config "$config" --json "$@"
    printf '%s\n' "$RW_OUT" >"$POLL_DOC"
    if [[ $RW_RC -ne $want ]]; then
        rw_fail "$name: want exit $want"
    elif grep -Eq 'Sanitizer|runtime error' <<<"$RW_ERR"; then
        rw_fail "$name: a sanitizer report"
    elif ! python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$POLL_DOC" 2>/dev/null; then
        rw_fail "$name: stdout is not one JSON document"
    else
        rw_pass "$name: exit $want, a JSON document"
    fi
}

# poll_check NAME PYTHON_EXPR: passes when the expression is true of the last document:
# d is the document, e(name) an endpoint by name.
poll_check() {
    local name=$1 expr=$2
    if python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
def e(name):
    return [x for x in d["endpoints"] if x["name"] == name][0]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$POLL_DOC" "$expr" 2>"$RW_WORK/py.err"; then
        rw_pass "$name"
    else
        RW_OUT=$(head -c 3000 "$POLL_DOC") RW_ERR=$(cat "$RW_WORK/py.err") rw_fail "$name: $expr"
    fi
}

# poll_equals_mockup NAME ENDPOINT MOCKUP_DIR: every value of ENDPOINT in the last document
# equals what the mockup files say, read here independently of the C mapping (see
# POLL_ORACLE_PY); a property the files lack must be null.
poll_equals_mockup() {
    local name=$1 endpoint=$2 dir=$3
    rw_run python3 -c "$POLL_ORACLE_PY" "$dir" "$POLL_DOC" "$endpoint"
    if [[ $RW_RC -eq 0 ]]; then
        rw_pass "$name ($RW_OUT)"
    else
        rw_fail "$name"
    fi
}

# poll_count FILE REGEX: how many access-log lines match REGEX.
poll_count() {
    grep -Ec -- "$2" "$1"
}

# poll_expect_count NAME FILE REGEX WANT: passes when exactly WANT lines match.
poll_expect_count() {
    local got
    got=$(poll_count "$2" "$3")
    if [[ $got -eq $4 ]]; then
        rw_pass "$1"
    else
        RW_OUT="$got lines match /$3/, want $4" RW_ERR=$(tail -n 20 "$2") rw_fail "$1"
    fi
}

# The expected model, read from the mockup files the way issue 4 specifies it:
#   PDU: ServiceRoot.PowerEquipment -> RackPDUs members; identity and Status.Health of the
#   PowerDistribution; totals from Metrics; Mains/Branches/Outlets members with the inline
#   excerpt readings (X.Reading) and PolyPhase* by line name.
#   Server: Systems members; health HealthRollup else Health; power from the chassis'
#   EnvironmentMetrics, else the first PowerControl[].PowerConsumedWatts; inlet
#   temperature from ThermalMetrics (summary Intake, else an Intake reading), else a Sensor
#   with PhysicalContext Intake, else Thermal.Temperatures[] with PhysicalContext Intake.
# A value of the wrong type or missing is None, which must be null in the document.
POLL_ORACLE_PY='
import json, os, sys
top, docfile, name = sys.argv[1:4]

def load(uri):
    if not isinstance(uri, str):
        return None
    path = uri.split("?")[0].split("#")[0].rstrip("/")
    rel = path[len("/redfish/v1"):].lstrip("/")
    try:
        with open(os.path.join(top, rel, "index.json")) as f:
            return json.load(f)
    except FileNotFoundError:
        return None

def get(o, *keys):
    for k in keys:
        o = o.get(k) if isinstance(o, dict) else None
    return o

def num(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None

def text(v):
    return v if isinstance(v, str) else None

def reading(o, key):
    return num(get(o, key, "Reading"))

def link(o, key):
    return text(get(o, key, "@odata.id"))

def ident(o):
    return text(o.get("Id")) or o["@odata.id"].rstrip("/").rsplit("/", 1)[1]

def members(uri):
    coll = load(uri) if uri else None
    return [load(m["@odata.id"]) for m in (coll or {}).get("Members", [])]

def lines(o, key):
    x = o.get(key)
    return {l: num(get(v, "Reading")) for l, v in x.items()} if isinstance(x, dict) else {}

def inlet(o):
    return {"id": ident(o), "voltage_v": reading(o, "Voltage"), "current_a": reading(o, "CurrentAmps"),
            "power_w": reading(o, "PowerWatts"), "energy_kwh": reading(o, "EnergykWh"),
            "frequency_hz": reading(o, "FrequencyHz"), "health": text(get(o, "Status", "Health")),
            "rated_current_a": num(o.get("RatedCurrentAmps")),
            "poly_phase": {"voltage_v": lines(o, "PolyPhaseVoltage"),
                           "current_a": lines(o, "PolyPhaseCurrentAmps"),
                           "power_w": lines(o, "PolyPhasePowerWatts")}}

def branch(o):
    return {"id": ident(o), "current_a": reading(o, "CurrentAmps"), "power_w": reading(o, "PowerWatts"),
            "breaker_state": text(o.get("BreakerState")), "health": text(get(o, "Status", "Health")),
            "rated_current_a": num(o.get("RatedCurrentAmps"))}

def outlet(o):
    return {"id": ident(o), "name": text(o.get("Name")), "power_state": text(o.get("PowerState")),
            "voltage_v": reading(o, "Voltage"), "current_a": reading(o, "CurrentAmps"),
            "power_w": reading(o, "PowerWatts"), "energy_kwh": reading(o, "EnergykWh"),
            "health": text(get(o, "Status", "Health")), "rated_current_a": num(o.get("RatedCurrentAmps"))}

def pdu(o):
    m = load(link(o, "Metrics"))
    return {"id": ident(o), "manufacturer": text(o.get("Manufacturer")), "model": text(o.get("Model")),
            "serial": text(o.get("SerialNumber")), "firmware": text(o.get("FirmwareVersion")),
            "health": text(get(o, "Status", "Health")), "power_w": reading(m, "PowerWatts"),
            "energy_kwh": reading(m, "EnergykWh"), "temperature_c": reading(m, "TemperatureCelsius"),
            "inlets": [inlet(x) for x in members(link(o, "Mains"))],
            "branches": [branch(x) for x in members(link(o, "Branches"))],
            "outlets": [outlet(x) for x in members(link(o, "Outlets"))]}

def intake(item):
    return get(item, "PhysicalContext") == "Intake" or "Intake" in (text(get(item, "DeviceName")) or "")

def thermal_metrics(o):
    v = num(get(o, "TemperatureSummaryCelsius", "Intake", "Reading"))
    if v is None:
        v = next((num(t.get("Reading")) for t in get(o, "TemperatureReadingsCelsius") or [] if intake(t)), None)
    return v

def sensor_intake(o):
    if get(o, "PhysicalContext") != "Intake":
        return None
    if get(o, "ReadingType") != "Temperature" and get(o, "ReadingUnits") != "Cel":
        return None
    return num(get(o, "Reading"))

def first(values):
    return next((v for v in values if v is not None), None)

def server(s):
    chassis = [load(c.get("@odata.id")) for c in get(s, "Links", "Chassis") or []][:8]
    chassis = [c for c in chassis if c]
    power = first(reading(load(link(c, "EnvironmentMetrics")), "PowerWatts") for c in chassis)
    temp = first(thermal_metrics(load(link(c, "ThermalSubsystem") + "/ThermalMetrics"))
                 for c in chassis if link(c, "ThermalSubsystem"))
    if power is None:
        power = first(num(get(pc, "PowerConsumedWatts")) for c in chassis
                      for pc in get(load(link(c, "Power")), "PowerControl") or [])
    if temp is None:
        temp = first(sensor_intake(x) for c in chassis for x in members(link(c, "Sensors")))
    if temp is None:
        temp = first(num(get(t, "ReadingCelsius")) for c in chassis
                     for t in get(load(link(c, "Thermal")), "Temperatures") or [] if intake(t))
    status = s.get("Status") or {}
    return {"id": ident(s), "manufacturer": text(s.get("Manufacturer")), "model": text(s.get("Model")),
            "serial": text(s.get("SerialNumber")), "power_state": text(s.get("PowerState")),
            "health": text(status.get("HealthRollup")) or text(status.get("Health")),
            "power_w": power, "inlet_temp_c": temp,
            "conditions": [c["Message"] for c in status.get("Conditions", []) if text(c.get("Message"))]}

root = load("/redfish/v1")
want = {"pdus": [pdu(x) for x in members(link(load(link(root, "PowerEquipment")), "RackPDUs"))],
        "servers": [server(x) for x in members(link(root, "Systems"))]}
doc = json.load(open(docfile))
got = [e for e in doc["endpoints"] if e["name"] == name]
if len(got) != 1:
    sys.exit("endpoint %s: %d in the document" % (name, len(got)))
got = got[0]
if got["kind"] == "pdu":
    want["servers"] = []
elif got["kind"] == "server":
    want["pdus"] = []

n = nulls = bad = 0
def walk(path, w, g):
    global n, nulls, bad
    if isinstance(w, dict):
        if not isinstance(g, dict) or list(w) != [k for k in g if k in w]:
            print("%s: keys %s, want %s" % (path, sorted(g) if isinstance(g, dict) else g, list(w))); bad += 1; return
        for k in w:
            walk(path + "." + k, w[k], g[k])
    elif isinstance(w, list):
        if not isinstance(g, list) or len(g) != len(w):
            print("%s: %r, want %d items" % (path, g, len(w))); bad += 1; return
        for i, (x, y) in enumerate(zip(w, g)):
            walk("%s[%d]" % (path, i), x, y)
    else:
        n += 1
        nulls += w is None
        if type(g) is bool or g != w or (w is None) != (g is None):
            print("%s: %r, want %r" % (path, g, w)); bad += 1
walk(name, want, {"pdus": got["pdus"], "servers": got["servers"]})
if not got["ok"] or got["error"] is not None:
    print("%s: ok %r, error %r" % (name, got["ok"], got["error"])); bad += 1
print("%d values equal the mockup, %d of them null; %d differ" % (n - bad, nulls, bad))
sys.exit(1 if bad or n == 0 else 0)
'
