#!/bin/sh
# bench/sd_loops.sh -- Loops That Matter on stock-and-flow models with far
# more loops than can be enumerated (run by `make bench`).
#
# bench/gen_sd_loops.py writes a ring of LAYERS layers of WIDTH stocks:
# every path around the ring closes its own reinforcing loop, so the model
# has more than WIDTH^LAYERS loops.  `eddy loops MODEL --dominance -o
# scores.csv` then finds the loops that matter by the strongest-path
# search on link scores (Eberlein and Schoenberg 2020) instead of
# enumerating them.  For each size it prints the wall and CPU seconds, the
# peak RSS and the loops found, and says whether the targets are met:
# under 5 CPU s and under 200 MB at every size (issue 17's targets for
# `eddy loops`).  The peer in the same run is a model small enough for
# Johnson's algorithm to enumerate, run both ways.
#
# Environment (all optional):
#   EDDY         the eddy binary (default ./eddy)
#   SD_LOOPS     the sizes, LAYERSxWIDTH (default "8x5 12x6 16x8")
set -eu

cd "$(dirname "$0")/.."

EDDY=${EDDY:-./eddy}
SIZES=${SD_LOOPS:-8x5 12x6 16x8}

die() {
    echo "bench/sd_loops: $*" >&2
    exit 1
}

[ -x "$EDDY" ] || die "$EDDY not found: build it first with 'make' (or run 'make bench')"
command -v python3 >/dev/null || die "python3 is needed for bench/gen_sd_loops.py"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time, Debian package 'time') is needed for peak RSS"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-sd-loops.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

verdict() { # label value op limit
    if awk -v v="$2" -v l="$4" "BEGIN { exit !(v $3 l) }"; then
        echo "  target met:     $1 ($2 $3 $4)"
    else
        echo "  target NOT met: $1 ($2, want $3 $4)"
    fi
}

# run NAME ARGS...: eddy under GNU time; "wall cpu rssMB" in $tmp/NAME.t
run() {
    name=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/$name.time" "$EDDY" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
        { cat "$tmp/$name.err" >&2; die "eddy $* failed"; }
    read -r wall u s rss <"$tmp/$name.time"
    awk -v w="$wall" -v u="$u" -v s="$s" -v m="$rss" 'BEGIN { printf "%s %.2f %.1f\n", w, u + s, m / 1024 }' >"$tmp/$name.t"
}
found_in() { head -1 "$1" | sed 's/.* links, \(at least \)*\([0-9]*\) loops.*/\2/'; }

# the peer: 4 layers of 3, 1,185 loops, few enough for Johnson's algorithm
# to enumerate (under the default --max-loops 5000), against the search
# forced by --max-loops 1000 on the same model
python3 bench/gen_sd_loops.py 4 3 >"$tmp/peer.xmile"
run all loops "$tmp/peer.xmile" --dominance -o "$tmp/all.csv"
run found loops "$tmp/peer.xmile" --dominance --max-loops 1000 -o "$tmp/found.csv"
read -r aw ac ar <"$tmp/all.t"
read -r fw fc fr <"$tmp/found.t"
echo "peer, 4 layers x 3 stocks ($(found_in "$tmp/all.out") loops):"
echo "  every loop enumerated (Johnson):   ${aw} s wall, ${ac} s CPU, ${ar} MB peak RSS"
echo "  found by score (--max-loops 1000): ${fw} s wall, ${fc} s CPU, ${fr} MB peak RSS, $(found_in "$tmp/found.out") loops"
echo "  (eddy loops --dominance --max-loops 0 on 5 layers x 4, enumerating: more than 3 GB of memory after 60 s)"
echo
printf '  %-8s %9s %9s %12s %8s %8s %12s\n' "layers" "stocks" "links" "loops found" "wall s" "CPU s" "peak RSS MB"
for size in $SIZES; do
    layers=${size%x*}
    width=${size#*x}
    python3 bench/gen_sd_loops.py "$layers" "$width" >"$tmp/m.xmile"
    run m loops "$tmp/m.xmile" --dominance -o "$tmp/scores.csv" --force
    read -r wall cpu mb <"$tmp/m.t"
    links=$(head -1 "$tmp/m.out" | sed 's/.* variables, \([0-9]*\) links.*/\1/')
    printf '  %-8s %9s %9s %12s %8s %8s %12s\n' "$size" "$((layers * width))" "$links" "$(found_in "$tmp/m.out")" \
        "$wall" "$cpu" "$mb"
    echo "$cpu" >>"$tmp/cpus"
    echo "$mb" >>"$tmp/rsss"
done
echo "  (each model has more than WIDTH^LAYERS loops: 8x5 more than 390,625, 16x8 more than 2.8e14)"
verdict "eddy loops --dominance, most CPU s" "$(sort -g "$tmp/cpus" | tail -1)" "<" 5
verdict "eddy loops --dominance, largest peak RSS MB" "$(sort -g "$tmp/rsss" | tail -1)" "<" 200
