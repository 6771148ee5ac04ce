#!/usr/bin/env bash
# Installs the Debian packages rackwatch needs to build, test and demo, when any is missing.
# Usage: scripts/deps.sh [build|test|demo|bench]   (default: test; test and demo need the
# same; bench adds the benchmarks' peers)
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config libcurl4-openssl-dev libssl-dev libjson-c-dev
            libyaml-dev libcmocka-dev libsnmp-dev libmicrohttpd-dev zlib1g-dev scdoc)
run_pkgs=(openssl curl python3 snmp snmpd snmptrapd smitools clang-format
          redfishtool python3-sushy monitoring-plugins-basic icinga2-bin nagios4-core lintian
          valgrind iproute2)
# The benchmarks' peers and tools (bench/): scripts/deps.sh bench
bench_pkgs=(nginx monitoring-plugins-standard liburiparser1 heaptrack)

want=("${build_pkgs[@]}")
case "${1:-test}" in
    build) ;;
    test | demo) want+=("${run_pkgs[@]}") ;;
    bench) want+=("${run_pkgs[@]}" "${bench_pkgs[@]}") ;;
    *) echo "deps.sh: unknown set '$1' (build, test, demo or bench)" >&2; exit 2 ;;
esac

missing=()
for pkg in "${want[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
# npm fetches the IETF base MIBs (SNMPv2-SMI...) that Debian does not ship.  A machine whose
# Node.js came from elsewhere already has npm; Debian's package would conflict with it.
if [[ ${1:-test} != build ]] && ! command -v npm >/dev/null; then
    missing+=(npm)
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# snmpd and friends start services on install; policy-rc.d keeps them stopped if present.
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
