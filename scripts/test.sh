#!/usr/bin/env bash
# Builds rackwatch twice (release with -Werror; ASan+UBSan with -Werror) and runs every test.
# Usage: scripts/test.sh [ctest arguments...]   e.g. scripts/test.sh -L unit
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh test

jobs=$(nproc 2>/dev/null || echo 2)
status=0
for variant in release asan; do
    dir=build/$variant
    opts=(-DRACKWATCH_WERROR=ON)
    [[ $variant == asan ]] && opts+=(-DRACKWATCH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
    echo "== $variant build ($dir)"
    cmake -S . -B "$dir" "${opts[@]}" >/dev/null
    cmake --build "$dir" -j "$jobs" >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; exit 1; }
    echo "== $variant tests"
    # A failed test runs once more before it counts: a few loopback suites (faults.*,
    # icinga.*, noc.*_run) time real daemons and, on 2 loaded cores, a port reused by a
    # neighbour or a late timer can fail one run; a real fault fails both runs.
    (cd "$dir" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j "$jobs" --repeat until-pass:2 "$@") || status=1
done
exit $status
