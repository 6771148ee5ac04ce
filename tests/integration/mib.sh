#!/usr/bin/env bash
# mib.sh SUITE: validates mibs/RACKWATCH-MIB.txt.
#   smilint        smilint -l 6 reports nothing; broken copies are reported (the check bites)
#   snmptranslate  Net-SNMP loads the module and resolves names to the documented OIDs
#   conventions    the module keeps its own rules (root in one place, sentinels documented,
#                  units on every reading, enumerations the daemon relies on)
#   fetch          mib_fetch_base.sh: usage, unreachable registry, tarball digest mismatch
# The IETF base modules come from mib_fetch_base.sh (npm net-snmp, cached in the build
# tree); NET-SNMP-MIB from Debian's libsnmp-base in /usr/share/snmp/mibs.
. "$(dirname "$0")/lib.sh"

readonly MIB_DIR="$RW_SOURCE_DIR/mibs"
readonly MIB_FILE="$MIB_DIR/RACKWATCH-MIB.txt"
readonly NETSNMP_MIBS=/usr/share/snmp/mibs
readonly FETCH="$RW_SOURCE_DIR/tests/integration/mib_fetch_base.sh"
readonly ROOT=1.3.6.1.4.1.8072.9999.9999.7225

# need_tool NAME PACKAGE: fails the test (not a skip: CI has them) when a tool is missing.
need_tool() {
    command -v "$1" >/dev/null 2>&1 || {
        echo "FAIL - $1 not found: install the Debian package $2"
        exit 1
    }
}

# base_mibs: sets BASE_DIR to the cached base modules, fetching them on first use; skips the
# test when the npm registry is unreachable.
base_mibs() {
    local rc
    BASE_DIR=$(bash "$FETCH" "$RW_BUILD_DIR/mib-cache")
    rc=$?
    if [[ $rc -eq 2 ]]; then
        rw_skip "npm registry unreachable: cannot fetch the IETF base MIBs (SNMPv2-SMI, SNMPv2-TC, SNMPv2-CONF) from the npm package net-snmp"
    fi
    if [[ $rc -ne 0 || ! -d $BASE_DIR ]]; then
        echo "FAIL - mib_fetch_base.sh exited $rc"
        exit 1
    fi
    [[ -f $NETSNMP_MIBS/NET-SNMP-MIB.txt ]] || {
        echo "FAIL - $NETSNMP_MIBS/NET-SNMP-MIB.txt missing: install the Debian package libsnmp-base"
        exit 1
    }
}

# smi PROGRAM ARGS...: runs a libsmi tool with the module path set to this tree, the cached
# base modules and Net-SNMP's own modules.
smi() {
    SMIPATH="$MIB_DIR:$BASE_DIR:$NETSNMP_MIBS" "$@"
}

# lint_copy NAME SED_SCRIPT PATTERN: a copy of the MIB edited by SED_SCRIPT must make
# smilint -l 6 print PATTERN.
lint_copy() {
    local name=$1 script=$2 pattern=$3 dir="$RW_WORK/$1"
    mkdir -p "$dir"
    sed -e "$script" "$MIB_FILE" >"$dir/RACKWATCH-MIB.txt"
    if cmp -s "$MIB_FILE" "$dir/RACKWATCH-MIB.txt"; then
        RW_RC=- RW_OUT="" RW_ERR=""
        rw_fail "$name: the edit did not change the MIB"
        return
    fi
    RW_OUT=$(SMIPATH="$dir:$BASE_DIR:$NETSNMP_MIBS" smilint -l 6 "$dir/RACKWATCH-MIB.txt" 2>&1)
    RW_RC=$? RW_ERR=""
    rw_expect_output "$name" "$pattern"
}

suite_smilint() {
    need_tool smilint smitools
    need_tool smidump smitools
    rw_run smi smilint -l 6 "$MIB_FILE"
    echo "smilint -l 6 output (want none): [$RW_OUT$RW_ERR]"
    if [[ -z $RW_OUT$RW_ERR ]]; then
        rw_pass "smilint -l 6 reports no error and no warning"
    else
        rw_fail "smilint -l 6 reports problems"
    fi
    # smilint exits 0 even on errors and says nothing about a module it never parsed, so
    # prove the module was read in full.
    rw_run smi smidump -f identifiers "$MIB_FILE"
    rw_expect_output "smidump resolves the root under netSnmpPlaypen" \
        "RACKWATCH-MIB rackwatchMIB +node +$ROOT\$"
    rw_expect_output "smidump resolves the last conformance group" \
        "rwNotificationGroup +group +$ROOT\\.2\\.2\\.10\$"
    lint_copy "an unknown type is an error" 's/^    rwSpokeLastCheck        DateAndTime$/    rwSpokeLastCheck        DateAndTyme/' \
        "unknown type .DateAndTyme'"
    lint_copy "an object outside every group is a level-6 warning" '/^        rwPduModel,$/d' \
        "rwPduModel' must be contained in at least one conformance group"
    RW_OUT=$(SMIPATH="$MIB_DIR:$NETSNMP_MIBS" smilint -l 6 "$MIB_FILE" 2>&1)
    RW_RC=$? RW_ERR=""
    rw_expect_output "without the fetched base modules SNMPv2-SMI is missing" \
        "failed to locate MIB module .SNMPv2-SMI'"
}

# snmp_tool PROGRAM ARGS...: runs a Net-SNMP tool isolated from the user's and the system's
# snmp.conf (Debian's disables MIB loading) and from MIBS/MIBDIRS in the environment.
snmp_tool() {
    mkdir -p "$RW_WORK/snmpconf" "$RW_WORK/persist/cert_indexes"
    env -u MIBS -u MIBDIRS SNMPCONFPATH="$RW_WORK/snmpconf" \
        SNMP_PERSISTENT_DIR="$RW_WORK/persist" "$@"
}

# translate NAME WANT ARGS...: snmptranslate ARGS prints exactly WANT and nothing on stderr.
translate() {
    local name=$1 want=$2
    shift 2
    rw_run snmp_tool snmptranslate -m RACKWATCH-MIB -M "$MIB_DIR:$BASE_DIR:$NETSNMP_MIBS" "$@"
    if [[ $RW_RC -ne 0 || $RW_OUT != "$want" || -n $RW_ERR ]]; then
        rw_fail "$name: want exit 0, stdout '$want', empty stderr"
    else
        rw_pass "$name"
    fi
}

suite_snmptranslate() {
    need_tool snmptranslate snmp
    local name oid
    translate "-On RACKWATCH-MIB::rackwatchMIB" ".$ROOT" -On RACKWATCH-MIB::rackwatchMIB
    while read -r name oid; do
        translate "-On RACKWATCH-MIB::$name" ".$ROOT.$oid" -On "RACKWATCH-MIB::$name"
    done <<'LIST'
rwSpokeStatusChange 0.1
rwEndpointDataStatusChange 0.6
rwAgentVersion 1.1.1
rwSpokeStatus 1.2.1.5
rwEndpointDataStatus 1.3.1.5
rwPduEnergy 1.4.1.11
rwInletCurrent 1.5.1.3
rwInletPhaseVoltage 1.6.1.3
rwBranchBreakerState 1.7.1.7
rwBranchPhaseEnergy 1.8.1.5
rwOutletState 1.9.1.4
rwServerInletTemp 1.10.1.11
rwNotifyOldSpokeStatus 1.11.1
rwCompliance 2.1.1
rwNotificationGroup 2.2.10
LIST
    translate "numeric instance to name" "RACKWATCH-MIB::rwOutletState.3.12" \
        ".$ROOT.1.9.1.4.3.12"
    translate "index enumeration in an instance" \
        "RACKWATCH-MIB::rwInletPhaseCurrent.1.2.line3" -OS ".$ROOT.1.6.1.2.1.2.3"

    rw_run snmp_tool snmptranslate -m RACKWATCH-MIB -M "$MIB_DIR:$BASE_DIR:$NETSNMP_MIBS" \
        -Tp RACKWATCH-MIB::rackwatchMIB
    if [[ $RW_RC -eq 0 && -z $RW_ERR && $RW_OUT == "+--rackwatchMIB(7225)"* ]]; then
        rw_pass "-Tp prints the tree from rackwatchMIB(7225) without complaint"
    else
        rw_fail "-Tp prints the tree from rackwatchMIB(7225) without complaint"
    fi
    rw_expect_output "-Tp shows the spoke status enumeration" \
        "Values: ok\\(1\\), notResponding\\(2\\), versionsNotCompatible\\(3\\), certificatesDoNotMatch\\(4\\), invalidServer\\(5\\)"
    rw_expect_output "-Tp shows the phase table index" "Index: rwPduIndex, rwInletIndex, rwInletPhaseLine"
    rw_expect_output "-Tp shows Counter64 energy" "-R-- Counter64 rwOutletEnergy\\(8\\)"

    rw_run snmp_tool snmptranslate -m RACKWATCH-MIB -M "$MIB_DIR:$BASE_DIR:$NETSNMP_MIBS" \
        -Td RACKWATCH-MIB::rwPduTemperature
    rw_expect_output "-Td shows the temperature scale" 'UNITS[[:space:]]+"tenths of a degree Celsius"'

    # With warnings on, the only messages allowed are Net-SNMP's notes on the macro
    # definitions of the base modules.
    rw_run snmp_tool snmptranslate -Pw -m RACKWATCH-MIB -M "$MIB_DIR:$BASE_DIR:$NETSNMP_MIBS" \
        -On RACKWATCH-MIB::rwSpokeStatus
    local extra
    extra=$(grep -v 'MACRO (lines [0-9]*\.\.[0-9]* parsed and ignored)\.$' <<<"$RW_ERR")
    if [[ $RW_RC -eq 0 && -z $extra ]]; then
        rw_pass "-Pw: no parser warning"
    else
        rw_fail "-Pw: no parser warning (unexpected: $extra)"
    fi

    # The form from the documentation: the module and its directories added with + to
    # Net-SNMP's defaults. On Debian the default list names IETF modules Debian does not
    # ship, so stderr lists those; nothing may be about this module or what it imports.
    rw_run snmp_tool snmptranslate -m +RACKWATCH-MIB -M "+$MIB_DIR:$BASE_DIR" -On \
        RACKWATCH-MIB::rwServerPowerState
    extra=$(grep -v '^MIB search path:' <<<"$RW_ERR" |
        grep -E 'RACKWATCH|SNMPv2-(SMI|TC|CONF)[^-]|NET-SNMP-MIB')
    if [[ $RW_RC -eq 0 && $RW_OUT == ".$ROOT.1.10.1.8" && -z $extra ]]; then
        rw_pass "-m +RACKWATCH-MIB -M +DIR resolves"
    else
        rw_fail "-m +RACKWATCH-MIB -M +DIR resolves (unexpected: $extra)"
    fi

    rw_expect "an unknown name is refused" 2 '^$' snmp_tool snmptranslate -m RACKWATCH-MIB \
        -M "$MIB_DIR:$BASE_DIR:$NETSNMP_MIBS" -On RACKWATCH-MIB::rwNoSuchObject
    rw_expect_output "an unknown name is named" "RACKWATCH-MIB::rwNoSuchObject: Unknown Object Identifier"
}

suite_conventions() {
    need_tool smidump smitools
    need_tool python3 python3
    smi smidump -f python "$MIB_FILE" >"$RW_WORK/mib.py" 2>"$RW_WORK/smidump.err" || {
        echo "FAIL - smidump -f python: $(cat "$RW_WORK/smidump.err")"
        exit 1
    }
    rw_run python3 - "$RW_WORK/mib.py" "$MIB_FILE" "$ROOT" <<'PY'
import re, sys

mib_py, mib_txt, root = sys.argv[1:4]
ns = {}
exec(open(mib_py).read(), ns)
mib = ns["MIB"]
fails = []

def check(cond, msg):
    print(("ok - " if cond else "FAIL - ") + msg)
    if not cond:
        fails.append(msg)

def type_name(node):
    t = node.get("syntax", {}).get("type", {})
    return t.get("name") or t.get("parent type")

# Layout: everything under the root; notifications .0, objects .1, conformance .2.
nodes = mib.get("nodes", {})
for name, node in nodes.items():
    check(node["oid"] == root or node["oid"].startswith(root + "."), f"{name} is under {root}")
    if node["nodetype"] in ("scalar", "table", "row", "column"):
        check(node["oid"].startswith(root + ".1."), f"{name} is under objects (.1)")
for name, node in mib.get("notifications", {}).items():
    check(node["oid"].startswith(root + ".0."), f"notification {name} is under .0")
for kind in ("groups", "compliances"):
    for name, node in mib.get(kind, {}).items():
        check(node["oid"].startswith(root + ".2."), f"{name} is under conformance (.2)")

# The root is written once: exactly one ::= refers to a parent this module does not define.
text = open(mib_txt).read()
defined = set(re.findall(r"^([a-z][A-Za-z0-9]*)\s+(?:OBJECT-TYPE|OBJECT IDENTIFIER|MODULE-IDENTITY|"
                         r"NOTIFICATION-TYPE|OBJECT-GROUP|NOTIFICATION-GROUP|MODULE-COMPLIANCE)\b",
                         text, re.M))
parents = re.findall(r"::=\s*\{\s*([A-Za-z][A-Za-z0-9-]*)\s+\d+\s*\}", text)
outside = [p for p in parents if p not in defined]
check(outside == ["netSnmpPlaypen"], f"one ::= outside the module, on netSnmpPlaypen (got {outside})")
check(len(re.findall(r"1\.3\.6\.1\.4\.1\.8072\.9999\.9999", text)) <= 1,
      "the numeric root appears at most once (in the MODULE-IDENTITY DESCRIPTION)")

# Descriptors within 32 characters (Debian's smi.conf hides smilint's namelength-32 check).
for name in list(nodes) + list(mib.get("notifications", {})) + list(mib.get("groups", {})) \
        + list(mib.get("typedefs", {})):
    check(len(name) <= 32, f"{name} is at most 32 characters")

# Every reading says how "not reported" looks, and has units.
rules = {
    "RackwatchReading": "-1 (not reported)",
    "RackwatchSignedReading": "-2147483648 (not reported)",
    "Counter64": "Not instantiated for this row",
}
for name, node in nodes.items():
    tn = type_name(node)
    if node["nodetype"] not in ("scalar", "column") or tn not in rules:
        continue
    desc = " ".join(node.get("description", "").split())
    check(rules[tn] in desc, f"{name} ({tn}) documents '{rules[tn]}'")
    check(bool(node.get("units")), f"{name} has a UNITS clause")

# Enumerations the daemon and the plugins rely on: values must never change.
want_enums = {
    "RackwatchHealth": {"ok": 1, "warning": 2, "critical": 3, "unknown": 4},
    "RackwatchSpokeStatus": {"ok": 1, "notResponding": 2, "versionsNotCompatible": 3,
                             "certificatesDoNotMatch": 4, "invalidServer": 5},
    "RackwatchDataStatus": {"ok": 1, "stale": 2, "unavailable": 3},
    "RackwatchPowerState": {"on": 1, "off": 2, "unknown": 3, "poweringOn": 4,
                            "poweringOff": 5, "paused": 6},
}
typedefs = mib.get("typedefs", {})
for tc, want in want_enums.items():
    got = {k: int(v["number"]) for k, v in typedefs.get(tc, {}).items()
           if isinstance(v, dict) and v.get("nodetype") == "namednumber"}
    check(got == want, f"{tc} is {want}")

# Indexes: stable RackwatchIndex values, or the line enumeration of the phase tables.
for name, node in nodes.items():
    if node["nodetype"] != "row":
        continue
    for idx in node.get("linkage", []):
        tn = type_name(nodes[idx])
        check(tn in ("RackwatchIndex", "RackwatchLine"), f"{name} index {idx} is {tn}")

# The notifications carry the old and the new value.
olds = {"rwSpokeStatusChange": ("rwNotifyOldSpokeStatus", "rwSpokeStatus"),
        "rwPduHealthChange": ("rwNotifyOldHealth", "rwPduHealth"),
        "rwServerHealthChange": ("rwNotifyOldHealth", "rwServerHealth"),
        "rwServerPowerStateChange": ("rwNotifyOldPowerState", "rwServerPowerState"),
        "rwOutletStateChange": ("rwNotifyOldPowerState", "rwOutletState"),
        "rwEndpointDataStatusChange": ("rwNotifyOldDataStatus", "rwEndpointDataStatus")}
for notif, (old, new) in olds.items():
    objs = list(mib.get("notifications", {}).get(notif, {}).get("objects", {}))
    check(old in objs and new in objs and objs.index(old) < objs.index(new),
          f"{notif} carries {old} then {new}")
    check(nodes.get(old, {}).get("access") == "notifyonly", f"{old} is accessible-for-notify")

print(f"conventions: {len(fails)} failed")
sys.exit(1 if fails else 0)
PY
    echo "$RW_OUT" | grep -v '^ok - '
    if [[ $RW_RC -eq 0 ]]; then
        rw_pass "module conventions ($(grep -c '^ok - ' <<<"$RW_OUT") checks)"
    else
        rw_fail "module conventions"
    fi
}

# fake_registry DIR PORT: a directory for python's http.server that answers like the npm
# registry for net-snmp@3.29.2, with a tarball that is not the pinned one.
fake_registry() {
    local dir=$1 port=$2 m tgz integrity
    mkdir -p "$dir/reg/net-snmp/-" "$dir/pkg/package/lib/mibs"
    for m in SNMPv2-SMI SNMPv2-TC SNMPv2-CONF; do
        printf '%s DEFINITIONS ::= BEGIN\nEND\n' "$m" >"$dir/pkg/package/lib/mibs/$m.mib"
    done
    printf '{"name":"net-snmp","version":"3.29.2"}\n' >"$dir/pkg/package/package.json"
    tgz="$dir/reg/net-snmp/-/net-snmp-3.29.2.tgz"
    tar -czf "$tgz" -C "$dir/pkg" package
    integrity="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
    # /net-snmp redirects to /net-snmp/, which http.server answers with index.html.
    cat >"$dir/reg/net-snmp/index.html" <<JSON
{"name":"net-snmp","dist-tags":{"latest":"3.29.2"},"versions":{"3.29.2":{"name":"net-snmp",
"version":"3.29.2","dist":{"tarball":"http://127.0.0.1:$port/net-snmp/-/net-snmp-3.29.2.tgz",
"integrity":"$integrity"}}}}
JSON
}

# expect_absent NAME PATH: passes when PATH does not exist.
expect_absent() {
    if [[ -e $2 ]]; then
        rw_fail "$1: $2 exists"
    else
        rw_pass "$1"
    fi
}

suite_fetch() {
    need_tool npm npm
    local port
    rw_expect "fetch without a cache dir is a usage error" 1 '^$' bash "$FETCH"
    rw_expect_output "fetch usage is printed" "^usage: mib_fetch_base.sh CACHE_DIR\$"

    port=$(rw_free_port)
    rw_expect "an unreachable registry exits 2" 2 '^$' \
        env npm_config_registry="http://127.0.0.1:$port/" bash "$FETCH" "$RW_WORK/cache-down"
    rw_expect_output "an unreachable registry is named" \
        "npm registry unreachable, cannot fetch net-snmp@3.29.2"
    expect_absent "nothing cached after a failure" "$RW_WORK/cache-down/net-snmp-3.29.2"

    port=$(rw_free_port)
    fake_registry "$RW_WORK/fake" "$port"
    rw_spawn "$RW_WORK/http.log" python3 -m http.server --bind 127.0.0.1 \
        --directory "$RW_WORK/fake/reg" "$port"
    rw_wait_port "$port" || exit 1
    rw_expect "a tarball that is not the pinned one exits 1" 1 '^$' \
        env npm_config_registry="http://127.0.0.1:$port/" bash "$FETCH" "$RW_WORK/cache-bad"
    rw_expect_output "the digest mismatch is named" \
        "net-snmp-3\\.29\\.2\\.tgz has digest sha512-[A-Za-z0-9+/=]+, want sha512-ZXQy"
    expect_absent "nothing cached after a bad digest" "$RW_WORK/cache-bad/net-snmp-3.29.2"

    # The real cache: fetched (or already there), then reused without the network.
    base_mibs
    rw_run env npm_config_registry="http://127.0.0.1:$(rw_free_port)/" bash "$FETCH" \
        "$RW_BUILD_DIR/mib-cache"
    if [[ $RW_RC -eq 0 && $RW_OUT == "$BASE_DIR" ]]; then
        rw_pass "a second run reuses the cache without the registry"
    else
        rw_fail "a second run reuses the cache without the registry"
    fi
    rw_expect_output "the reuse is said" "reusing cached net-snmp@3.29.2 modules"
}

case "${1:-}" in
    smilint | snmptranslate | conventions)
        base_mibs
        "suite_$1"
        ;;
    fetch) suite_fetch ;;
    *)
        echo "usage: mib.sh smilint|snmptranslate|conventions|fetch" >&2
        exit 2
        ;;
esac
rw_done
