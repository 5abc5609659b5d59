#!/bin/sh
# Run each cmocka test binary given as an argument, show its output, and end
# with one line totalling them: "tests: N passed, N failed".  Exits non-zero
# if any test failed or any binary crashed.
#
# TEST_JOBS=N runs N binaries at a time (default 1).  Each binary's output is
# kept whole and shown in the order the binaries were given, so the log
# reads the same at any N.  The binaries share nothing but read-only inputs
# and their own temporary files.
passed=0
failed=0
crashed=0
jobs=${TEST_JOBS:-1}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-tests.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# Run binary number $1 ($2), keeping its output and exit status in $tmp.
if [ "$jobs" -gt 1 ]; then
    i=0
    for t in "$@"; do
        i=$((i + 1))
        printf '%s\n%s\n' "$i" "$t"
    done | xargs -n 2 -P "$jobs" sh -c '"$2" >"$0/$1.out" 2>&1; echo $? >"$0/$1.rc"' "$tmp"
fi

i=0
for t in "$@"; do
    i=$((i + 1))
    if [ "$jobs" -gt 1 ]; then
        out=$(cat "$tmp/$i.out")
        rc=$(cat "$tmp/$i.rc" 2>/dev/null || echo 127)
    else
        out=$("$t" 2>&1)
        rc=$?
    fi
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$t: exited with status $rc"
        crashed=$((crashed + 1))
        failed=$((failed + 1))
    fi
done
echo
echo "tests: $passed passed, $failed failed"
[ $failed -eq 0 ]
