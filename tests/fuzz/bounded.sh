#!/usr/bin/env bash
# A bounded fuzz run, as CI does it (.ci/test) and as anyone can run it: builds the
# libFuzzer targets with clang, ASan and UBSan in build-fuzz/, then fuzzes fuzz_vtl for
# FUZZ_MAIN_SECONDS (60) on one core while the other targets take FUZZ_OTHER_SECONDS
# (15) each in turn on a second. Any crash, leak, sanitizer report or timeout fails the
# script; libFuzzer writes the input to build-fuzz/artifacts/<target>-*. Replay one with
# `build-fuzz/tests/fuzz/fuzz_<target> FILE` (tests/fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
main_seconds=${FUZZ_MAIN_SECONDS:-60}
other_seconds=${FUZZ_OTHER_SECONDS:-15}

CC=clang cmake -S . -B build-fuzz -DGH_FUZZ=ON -DGH_SANITIZE=ON -DGH_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
mkdir -p build-fuzz/artifacts build-fuzz/logs

# fuzz TARGET SECONDS: one run over the target's seeds, new inputs kept in
# build-fuzz/work/TARGET (not in the repository), its output in build-fuzz/logs.
fuzz() {
    local t=$1 seconds=$2 dict=()
    mkdir -p "build-fuzz/work/$t"
    [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
    if "build-fuzz/tests/fuzz/fuzz_$t" "build-fuzz/work/$t" "tests/fuzz/corpus/$t" "${dict[@]}" \
        -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="build-fuzz/artifacts/$t-" >"build-fuzz/logs/$t.log" 2>&1; then
        echo "fuzz: $t: $(grep DONE "build-fuzz/logs/$t.log" | tail -1)"
    else
        echo "fuzz: $t FAILED (build-fuzz/logs/$t.log):" >&2
        grep -E 'ERROR|SUMMARY|Test unit written' "build-fuzz/logs/$t.log" >&2 || true
        return 1
    fi
}

others() {
    local failed=0
    for t in doc model router proxy_response jsonpath auth aws_protocol filter_policy \
        ws_route ws_mgmt ws_message; do
        fuzz "$t" "$other_seconds" || failed=1
    done
    return $failed
}

fuzz vtl "$main_seconds" &
main_pid=$!
status=0
others || status=1
wait "$main_pid" || status=1
exit $status
