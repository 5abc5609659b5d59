#!/bin/sh
# bench/timers.sh -- what a timer per request costs (run by bench/run.sh,
# or on its own: sh bench/timers.sh).
#
# bench/mm4.yaml against bench/mm4-timeout.yaml: the same M/M/4 model with
# a 10 s client timeout that never fires, so every request schedules a timer
# and cancels it.  The two must give the same series (a timer that does not
# fire changes nothing), and the timeout should cost at most 15% more:
#   - wall and user CPU seconds at ~10^7 requests, the fastest of
#     BENCH_REPEAT runs, the two models taking turns;
#   - instructions counted by callgrind at ~10^5 requests (28 s simulated),
#     repeatable to the instruction (skipped without valgrind, or with
#     TIMERS_CALLGRIND=0).
# Environment: EDDY (default ./eddy), BENCH_REPEAT (default 3),
# TIMERS_DURATION (default: the models' 2778s), TIMERS_CALLGRIND (default 1).
set -eu

cd "$(dirname "$0")/.."
EDDY=${EDDY:-./eddy}
REPEAT=${BENCH_REPEAT:-3}
die() {
    echo "bench/timers: $*" >&2
    exit 1
}
[ -x "$EDDY" ] || die "$EDDY not found: build it first with 'make'"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is needed: apt-get install time"
case $REPEAT in '' | *[!0-9]* | 0) die "BENCH_REPEAT must be a positive integer (got '$REPEAT')" ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-timers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for m in mm4 mm4-timeout; do
    if [ -n "${TIMERS_DURATION:-}" ]; then
        sed "s/^duration:.*/duration: $TIMERS_DURATION/" "bench/$m.yaml" >"$tmp/$m.yaml"
    else
        cp "bench/$m.yaml" "$tmp/$m.yaml"
    fi
    sed 's/^duration:.*/duration: 28s/' "bench/$m.yaml" >"$tmp/$m-small.yaml"
done

# min A B, for decimals
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.3f", a / b }'; }
verdict() { awk -v v="$1" 'BEGIN { if (v == "-") print "unknown"; else print (v + 0 <= 1.15) ? "met" : "NOT met" }'; }

W_mm4='' U_mm4='' W_t='' U_t=''
i=1
while [ "$i" -le "$REPEAT" ]; do
    for m in mm4 mm4-timeout; do
        echo "bench/timers: $m, run $i of $REPEAT ..." >&2
        /usr/bin/time -f '%e %U' -o "$tmp/time" "$EDDY" run -q "$tmp/$m.yaml" -o "$tmp/$m.csv" --force --json \
            >"$tmp/$m.json" || die "eddy run $m failed"
        set -- $(tail -n 1 "$tmp/time")
        if [ "$m" = mm4 ]; then
            W_mm4=$(min "$W_mm4" "$1") U_mm4=$(min "$U_mm4" "$2")
        else
            W_t=$(min "$W_t" "$1") U_t=$(min "$U_t" "$2")
        fi
    done
    i=$((i + 1))
done
same=identical
cmp -s "$tmp/mm4.csv" "$tmp/mm4-timeout.csv" || same=DIFFERENT
req=$(sed -n 's/^ *"requests": \([0-9]*\),*/\1/p' "$tmp/mm4.json" | head -n 1)
tmo=$(sed -n 's/^ *"timeouts": \([0-9]*\),*/\1/p' "$tmp/mm4-timeout.json" | head -n 1)

I_mm4=- I_t=-
if [ "${TIMERS_CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null 2>&1; then
    for m in mm4 mm4-timeout; do
        echo "bench/timers: callgrind, $m at 28 s simulated ..." >&2
        valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$EDDY" run -q "$tmp/$m-small.yaml" \
            -o "$tmp/$m-small.csv" --force >/dev/null 2>"$tmp/cg.err" || die "callgrind on $m failed"
        n=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/cg.err")
        [ -n "$n" ] || die "no instruction count from callgrind"
        if [ "$m" = mm4 ]; then I_mm4=$n; else I_t=$n; fi
    done
fi

echo
echo "timers: bench/mm4.yaml against bench/mm4-timeout.yaml (a 10 s client timeout that never fires)"
printf '%-26s %10s %9s %9s %15s\n' model requests "wall s" "user s" "instructions*"
printf '%-26s %10s %9s %9s %15s\n' "mm4.yaml" "$req" "$W_mm4" "$U_mm4" "$I_mm4"
printf '%-26s %10s %9s %9s %15s\n' "mm4-timeout.yaml" "$req" "$W_t" "$U_t" "$I_t"
echo "* callgrind, 28 s simulated (~10^5 requests); wall and user: fastest of $REPEAT"
RW=$(ratio "$W_t" "$W_mm4")
RU=$(ratio "$U_t" "$U_mm4")
RI=-
[ "$I_mm4" = - ] || RI=$(ratio "$I_t" "$I_mm4")
printf 'timeout / none: wall %s (target <= 1.15: %s)   user %s   instructions %s (target <= 1.15: %s)\n' \
    "$RW" "$(verdict "$RW")" "$RU" "$RI" "$(verdict "$RI")"
printf 'timeouts fired: %s;  series with and without the timeout: %s\n' "${tmo:-?}" "$same"
