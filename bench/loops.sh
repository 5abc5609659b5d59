#!/bin/sh
# bench/loops.sh -- loops at platform scale (run by `make bench`).
#
# Generates layered platforms of 10, 200 and 1,000 services with
# bench/gen_platform.py and measures, from outside the process (GNU time):
#   eddy loops          wall time, peak RSS, bytes of text output
#   eddy loops --json   the same
#   eddy diagnose       on 200 services (-j 2: the 2-core target)
#   eddy report         on 200 services
# against issue 17's targets: 1,000 services `eddy loops` < 5 s, < 200 MB,
# text < 1 MB; diagnose and report on 200 services < 60 s on 2 cores.  It
# says whether each is met but fails only when a run cannot be made.
#
# Environment (all optional):
#   EDDY           the eddy binary (default ./eddy)
#   LOOPS_SIZES    the platform sizes for `eddy loops` (default "10 200 1000")
#   LOOPS_DIAG_N   the size diagnosed and reported (default 200; 0: skip)
#   BENCH_KEEP     a directory to keep the generated models in
set -eu

cd "$(dirname "$0")/.."

EDDY=${EDDY:-./eddy}
SIZES=${LOOPS_SIZES:-10 200 1000}
DIAG_N=${LOOPS_DIAG_N:-200}

die() {
    echo "bench/loops: $*" >&2
    exit 1
}

[ -x "$EDDY" ] || die "$EDDY not found: build it first with 'make' (or run 'make bench')"
command -v python3 >/dev/null || die "python3 is needed for bench/gen_platform.py"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time, Debian package 'time') is needed for peak RSS"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-loops-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run NAME CMD...: time CMD (stdout to $tmp/NAME.out), print one row
row() {
    name=$1
    shift
    if ! /usr/bin/time -f '%e %M %U %S' -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
        cat "$tmp/$name.err" >&2
        die "$* failed"
    fi
    read -r wall rss usr sys <"$tmp/$name.time"
    bytes=$(wc -c <"$tmp/$name.out")
    cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    printf '  %-38s %8s s %8s s CPU %8d MB %12d bytes\n' "$name" "$wall" "$cpu" $((rss / 1024)) "$bytes"
}

verdict() { # label value op limit
    if awk -v v="$2" -v l="$4" "BEGIN { exit !(v $3 l) }"; then
        echo "  target met:     $1 ($2 $3 $4)"
    else
        echo "  target NOT met: $1 ($2, want $3 $4)"
    fi
}

echo "eddy loops on generated layered platforms (bench/gen_platform.py)"
for n in $SIZES; do
    python3 bench/gen_platform.py "$n" >"$tmp/platform$n.yaml"
    head -1 "$tmp/platform$n.yaml" | sed 's/^# /  /'
    row "loops $n services" "$EDDY" loops "$tmp/platform$n.yaml"
    sed -n 1p "$tmp/loops $n services.out" | sed 's/^/    /'
    row "loops --json $n services" "$EDDY" loops --json "$tmp/platform$n.yaml"
    if [ "$n" = 1000 ]; then
        read -r wall rss usr sys <"$tmp/loops $n services.time"
        verdict "1,000 services: eddy loops under 5 s" "$wall" "<" 5
        verdict "1,000 services: peak RSS under 200 MB" "$((rss / 1024))" "<" 200
        verdict "1,000 services: text output under 1 MB" "$(wc -c <"$tmp/loops $n services.out")" "<" 1048576
    fi
done

if [ "$DIAG_N" != 0 ]; then
    # as generated (healthy: the slowdown leaves no mark), and metastable
    # (one knockout run per retry cut per seed: the costly case)
    python3 bench/gen_platform.py "$DIAG_N" >"$tmp/platform$DIAG_N.yaml"
    python3 bench/gen_platform.py "$DIAG_N" --metastable >"$tmp/platform$DIAG_N-metastable.yaml"
    echo "eddy diagnose and report, $DIAG_N services, -j 2 (on a shared machine, CPU time / 2 is the"
    echo "wall time on 2 idle cores)"
    for v in "" -metastable; do
        row "diagnose $DIAG_N services$v" "$EDDY" diagnose -q -j 2 "$tmp/platform$DIAG_N$v.yaml"
        sed -n '/^verdict/p' "$tmp/diagnose $DIAG_N services$v.out" | sed 's/^/    /'
        read -r wall rss usr sys <"$tmp/diagnose $DIAG_N services$v.time"
        verdict "$DIAG_N services$v: eddy diagnose under 60 s on 2 cores" "$wall" "<" 60
        row "report $DIAG_N services$v" "$EDDY" report -q -j 2 "$tmp/platform$DIAG_N$v.yaml"
        read -r wall rss usr sys <"$tmp/report $DIAG_N services$v.time"
        verdict "$DIAG_N services$v: eddy report under 60 s on 2 cores" "$wall" "<" 60
    done
fi
if [ -n "${BENCH_KEEP:-}" ]; then
    mkdir -p "$BENCH_KEEP"
    cp "$tmp"/platform*.yaml "$BENCH_KEEP"/
fi
