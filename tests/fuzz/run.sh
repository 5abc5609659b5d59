#!/bin/sh
# run.sh -- run each libFuzzer harness for FUZZ_SECONDS (`make fuzz`).
#
#   FUZZ_SECONDS=60    seconds per harness
#   FUZZ_HARNESSES=    names to run (model mermaid ...); default: all built
#   FUZZ_TIMEOUT=10    seconds one input may take before it counts as a hang
#   FUZZ_RSS_MB=2048   memory one run may use before it counts as a leak/bomb
#
# The checked-in seeds (tests/fuzz/corpus/NAME) are read, never written:
# what the fuzzer adds goes to build-fuzz/corpus/NAME, and crashes to
# build-fuzz/artifacts/NAME/.  Each harness's numbers (executions, seconds)
# are printed from libFuzzer's final stats; the exit status is 1 if any
# harness found a crash, a hang, a leak or a sanitizer report.
set -u
cd "$(dirname "$0")/../.."
B=${FUZZ_BUILD:-build-fuzz}
S=${FUZZ_SECONDS:-60}
names=${FUZZ_HARNESSES:-$(for h in "$B"/fuzz/fuzz_*; do basename "$h" | sed 's/^fuzz_//'; done)}
passed=0
failed=0
for n in $names; do
    h=$B/fuzz/fuzz_$n
    [ -x "$h" ] || { echo "fuzz: $h not built (make fuzz builds it)"; failed=$((failed + 1)); continue; }
    mkdir -p "$B/corpus/$n" "$B/artifacts/$n"
    log=$B/artifacts/$n/last.log
    dict=""
    [ -f "tests/fuzz/$n.dict" ] && dict="-dict=tests/fuzz/$n.dict"
    # shellcheck disable=SC2086
    "$h" -max_total_time="$S" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -print_final_stats=1 -artifact_prefix="$B/artifacts/$n/" $dict \
        "$B/corpus/$n" "tests/fuzz/corpus/$n" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        echo "fuzz: $n: ${execs:-?} executions, ${secs:-?}/s, nothing found"
    else
        failed=$((failed + 1))
        echo "fuzz: $n: FOUND something (exit $rc); input and log in $B/artifacts/$n/"
        grep -E "ERROR|SUMMARY|broken promise|runtime error|Test unit written" "$log" | head -8 | sed 's/^/  /'
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
