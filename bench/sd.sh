#!/bin/sh
# bench/sd.sh -- the stock-and-flow engine against the same equations as a
# C loop (run by `make bench`).
#
# bench/gen_sd.py writes a model of N variables (N/4 stocks, N/2 flows,
# N/4 auxiliaries, every one computed every step) as XMILE and the same
# equations as a C program, compiled here with the flags the Makefile
# gives eddy (-std=c11 -O2 -g -flto=auto).  Both run STEPS steps of Euler
# and write a row every SAVE steps; the two series must be identical byte
# for byte (a check that they compute the same thing).  It prints:
#   - variable updates per second (N x STEPS / CPU seconds, the whole
#     process: reading and compiling the model count against eddy) for
#     each, and eddy's as a ratio of the C loop's (target: within 5x);
#   - eddy's own compile and run seconds (from --json);
#   - eddy's peak RSS at STEPS/10 and at STEPS steps and their ratio
#     (target: at most 1.10: the series is streamed, memory does not grow
#     with the run).
# It says whether each target is met, and fails only when a run cannot be
# made or the series differ.
#
# Environment (all optional):
#   EDDY            the eddy binary (default ./eddy)
#   SD_BENCH_N      variables (default 10000)
#   SD_BENCH_STEPS  steps (default 100000)
#   SD_BENCH_SAVE   steps between saved rows (default 1000)
#   BENCH_REPEAT    runs of each, the fastest kept (default 3)
#   CC, SD_BENCH_CFLAGS  the C compiler and its flags
#   BENCH_KEEP      a directory to keep the model, the C program and the series in
set -eu

cd "$(dirname "$0")/.."

EDDY=${EDDY:-./eddy}
N=${SD_BENCH_N:-10000}
STEPS=${SD_BENCH_STEPS:-100000}
SAVE=${SD_BENCH_SAVE:-1000}
REPEAT=${BENCH_REPEAT:-3}
CC=${CC:-cc}
CFLAGS=${SD_BENCH_CFLAGS:--std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -flto=auto}

die() {
    echo "bench/sd: $*" >&2
    exit 1
}

[ -x "$EDDY" ] || die "$EDDY not found: build it first with 'make' (or run 'make bench')"
command -v python3 >/dev/null || die "python3 is needed for bench/gen_sd.py"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time, Debian package 'time') is needed for CPU time and peak RSS"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-sd-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

small=$((STEPS / 10))
[ "$small" -ge "$SAVE" ] || small=$SAVE
python3 bench/gen_sd.py xmile "$N" "$STEPS" "$SAVE" >"$tmp/model.xmile"
python3 bench/gen_sd.py xmile "$N" "$small" "$SAVE" >"$tmp/small.xmile"
python3 bench/gen_sd.py c "$N" "$STEPS" "$SAVE" >"$tmp/loop.c"
# shellcheck disable=SC2086
$CC $CFLAGS -o "$tmp/loop" "$tmp/loop.c" || die "cannot compile the C loop"

# best NAME CMD...: run CMD $REPEAT times (stdout to $tmp/NAME.out); keep
# the least CPU time (user + system) in $tmp/NAME.cpu and the largest
# peak RSS (KB) in $tmp/NAME.rss
best() {
    name=$1
    shift
    cpu= rss=0 i=0
    while [ "$i" -lt "$REPEAT" ]; do
        if ! /usr/bin/time -f '%U %S %M' -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
            cat "$tmp/$name.err" >&2
            die "$* failed"
        fi
        read -r u s m <"$tmp/$name.time"
        c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
        if [ -z "$cpu" ] || awk -v a="$c" -v b="$cpu" 'BEGIN { exit !(a < b) }'; then cpu=$c; fi
        [ "$m" -gt "$rss" ] && rss=$m
        i=$((i + 1))
    done
    echo "$cpu" >"$tmp/$name.cpu"
    echo "$rss" >"$tmp/$name.rss"
}

verdict() { # label value op limit
    if awk -v v="$2" -v l="$4" "BEGIN { exit !(v $3 l) }"; then
        echo "  target met:     $1 ($2 $3 $4)"
    else
        echo "  target NOT met: $1 ($2, want $3 $4)"
    fi
}

best c "$tmp/loop"
best eddy "$EDDY" run "$tmp/model.xmile" -o "$tmp/eddy.csv" --json
cp "$tmp/eddy.out" "$tmp/eddy.json"
best small "$EDDY" run "$tmp/small.xmile" -o "$tmp/small.csv" --json

# the same equations: eddy's series (less its header) is the C loop's
tail -n +2 "$tmp/eddy.csv" | cmp -s - "$tmp/c.out" || die "eddy's series and the C loop's differ"

c_cpu=$(cat "$tmp/c.cpu")
e_cpu=$(cat "$tmp/eddy.cpu")
e_rss=$(cat "$tmp/eddy.rss")
s_rss=$(cat "$tmp/small.rss")
c_rss=$(cat "$tmp/c.rss")
jnum() { sed -n "s/^ *\"$1\": *\([0-9.eE+-]*\).*/\1/p" "$tmp/eddy.json" | head -1; }
compile_s=$(jnum compile_seconds)
run_s=$(jnum wall_seconds)
rows=$(($(wc -l <"$tmp/eddy.csv") - 1))

awk -v n="$N" -v steps="$STEPS" -v c="$c_cpu" -v e="$e_cpu" -v cs="$compile_s" -v rs="$run_s" \
    -v er="$e_rss" -v sr="$s_rss" -v cr="$c_rss" -v small="$small" -v rows="$rows" 'BEGIN {
    u = n * steps
    if (c < 0.01) c = 0.01
    printf "stock-and-flow: %d variables x %d steps (Euler, dt 1), %d rows streamed; CPU s, fastest of runs\n", n, steps, rows
    printf "  %-28s %10s %18s %14s\n", "", "CPU s", "var updates/s", "peak RSS MB"
    printf "  %-28s %10.2f %18.3g %14.1f\n", "C loop (same equations)", c, u / c, cr / 1024
    printf "  %-28s %10.2f %18.3g %14.1f\n", "eddy run", e, u / e, er / 1024
    printf "  eddy compile %.3f s, run %.3f s wall (from --json)\n", cs, rs
    printf "  eddy peak RSS at %d steps %.1f MB, at %d steps %.1f MB\n", small, sr / 1024, steps, er / 1024
}'
ratio=$(awk -v c="$c_cpu" -v e="$e_cpu" 'BEGIN { if (c < 0.01) c = 0.01; printf "%.2f", e / c }')
grow=$(awk -v a="$e_rss" -v b="$s_rss" 'BEGIN { printf "%.3f", a / b }')
echo "  ratio C loop / eddy (updates per second): $ratio"
echo "  RSS ${STEPS} steps / ${small} steps: $grow"
verdict "eddy within 5x of the C loop" "$ratio" "<=" 5
verdict "memory does not grow with steps (RSS ratio)" "$grow" "<=" 1.10

if [ -n "${BENCH_KEEP:-}" ]; then
    mkdir -p "$BENCH_KEEP"
    cp "$tmp/model.xmile" "$tmp/loop.c" "$tmp/eddy.csv" "$tmp/eddy.json" "$BENCH_KEEP/"
fi
