#!/usr/bin/env bash
# mib_fetch_base.sh CACHE_DIR: makes the IETF base MIB modules that RACKWATCH-MIB imports
# (SNMPv2-SMI, SNMPv2-TC, SNMPv2-CONF) available in a cache directory and prints that
# directory on stdout.
#
# Why fetched: Debian ships neither these modules (non-free, so libsnmp-base and smitools
# leave them out) nor snmp-mibs-downloader in main, and they must not be copied into the
# tree. The npm package `net-snmp` (MIT) carries them under package/lib/mibs/; it is fetched
# with npm, pinned to one version and checked against a pinned SHA-512. NET-SNMP-MIB (for
# netSnmpPlaypen) comes from Debian's libsnmp-base in /usr/share/snmp/mibs, not from here.
#
# Idempotent: a complete cache (stamp file present) is reused without touching the network.
# Safe to run concurrently for the same CACHE_DIR (flock).
#
# Exit codes: 0 ready (directory printed), 2 the registry is unreachable (callers skip),
# 1 anything else (bad tarball, missing module, npm missing): a real failure.
set -uo pipefail

readonly PKG_NAME=net-snmp
readonly PKG_VERSION=3.29.2
readonly PKG_SHA512="sha512-ZXQyrPayCUaZxkxXBvExAYjkvZsPDBYUpK8ljIzrA5a/jByYR4REr/hpbld9wJ0tCr8d/pM7pSogDC0B/syiXQ=="
readonly MODULES=(SNMPv2-SMI SNMPv2-TC SNMPv2-CONF)
readonly NPM_TIMEOUT_MS=30000

die() {
    echo "mib_fetch_base: $*" >&2
    exit 1
}

if [[ $# -ne 1 || -z $1 ]]; then
    echo "usage: mib_fetch_base.sh CACHE_DIR" >&2
    exit 1
fi

cache_root=$1
dest="$cache_root/$PKG_NAME-$PKG_VERSION"
stamp="$dest/.complete"

mkdir -p "$cache_root" || die "cannot create $cache_root"
work=""
trap '[[ -n $work ]] && rm -rf "$work"' EXIT

# cache_ok: the stamp names this exact tarball and every module file is there.
cache_ok() {
    local m
    [[ -f $stamp && $(cat "$stamp") == "$PKG_SHA512" ]] || return 1
    for m in "${MODULES[@]}"; do
        [[ -s $dest/$m.mib ]] || return 1
    done
}

# unreachable STDERR_FILE: whether npm's error output says the registry could not be reached
# (as opposed to a registry that answered with something wrong).
unreachable() {
    grep -Eqi 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ESOCKETTIMEDOUT|ENETUNREACH|EHOSTUNREACH|network request|request to .* failed|socket hang up' "$1"
}

# fetch: npm pack into a private work dir, check the digest, extract the modules, and move
# the finished directory into place in one rename so a reader never sees half of it.
fetch() {
    local tgz digest m
    work=$(mktemp -d "$cache_root/.fetch.XXXXXX") || die "cannot create a work dir"
    if ! command -v npm >/dev/null 2>&1; then
        die "npm not found: it is needed to fetch the base MIBs (install npm, see scripts/deps.sh)"
    fi
    if ! (cd "$work" && npm pack "$PKG_NAME@$PKG_VERSION" --silent \
        --cache "$cache_root/npm-cache" --fetch-retries 1 --fetch-timeout "$NPM_TIMEOUT_MS" \
        --no-audit --no-fund --loglevel error >"$work/npm.out" 2>"$work/npm.err"); then
        grep -m 3 'npm error' "$work/npm.err" >&2
        if unreachable "$work/npm.err"; then
            echo "mib_fetch_base: npm registry unreachable, cannot fetch $PKG_NAME@$PKG_VERSION" >&2
            return 2
        fi
        die "npm pack $PKG_NAME@$PKG_VERSION failed"
    fi
    tgz="$work/$PKG_NAME-$PKG_VERSION.tgz"
    [[ -f $tgz ]] || die "npm pack did not produce $(basename "$tgz")"
    digest="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
    [[ $digest == "$PKG_SHA512" ]] || die "$PKG_NAME-$PKG_VERSION.tgz has digest $digest, want $PKG_SHA512"
    mkdir -p "$work/out"
    for m in "${MODULES[@]}"; do
        tar -xzf "$tgz" -O "package/lib/mibs/$m.mib" >"$work/out/$m.mib" 2>/dev/null ||
            die "$PKG_NAME-$PKG_VERSION has no lib/mibs/$m.mib"
        head -n 1 "$work/out/$m.mib" | grep -q "^$m DEFINITIONS ::= BEGIN" ||
            die "lib/mibs/$m.mib of $PKG_NAME-$PKG_VERSION does not define module $m"
    done
    printf '%s\n' "$PKG_SHA512" >"$work/out/.complete"
    rm -rf "$dest"
    mv "$work/out" "$dest" || die "cannot move the modules to $dest"
    echo "mib_fetch_base: fetched ${MODULES[*]} from npm $PKG_NAME@$PKG_VERSION into $dest" >&2
    return 0
}

exec 9>"$cache_root/.lock" || die "cannot open $cache_root/.lock"
flock 9 || die "cannot lock $cache_root/.lock"
if cache_ok; then
    echo "mib_fetch_base: reusing cached $PKG_NAME@$PKG_VERSION modules in $dest" >&2
else
    fetch
    rc=$?
    [[ $rc -eq 0 ]] || exit "$rc"
    cache_ok || die "cache $dest incomplete after fetching"
fi
echo "$dest"
