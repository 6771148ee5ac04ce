#!/usr/bin/env bash
# House style checks that a tool can make: clang-format clean, no banned functions.
. "$(dirname "$0")/lib.sh"
cd "$RW_SOURCE_DIR" || exit 1

mapfile -t sources < <(git ls-files '*.c' '*.h' 2>/dev/null || find core redfish snmp plugins emu tests bench -name '*.[ch]')
[[ ${#sources[@]} -gt 0 ]] || rw_skip "no sources"

if command -v clang-format >/dev/null; then
    RW_OUT=$(clang-format --dry-run -Werror "${sources[@]}" 2>&1)
    RW_RC=$?
    if [[ $RW_RC -eq 0 ]]; then rw_pass "clang-format"; else rw_fail "clang-format"; fi
else
    echo "clang-format not installed: format not checked"
fi

# Banned by the house style (unbounded copies, unchecked parsing, leaking realloc).
banned='\b(strcpy|strcat|sprintf|strncpy|strtok|atoi|gets|asprintf)[[:space:]]*\(|\b([a-z_>.-]+)[[:space:]]*=[[:space:]]*realloc[[:space:]]*\([[:space:]]*\2[[:space:]]*,'
RW_OUT=$(grep -nE "$banned" "${sources[@]}")
if [[ -z $RW_OUT ]]; then rw_pass "no banned functions"; else RW_RC=1; rw_fail "banned functions"; fi
rw_done
