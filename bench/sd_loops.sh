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
# under 5 s and under 200 MB at every size (issue 17's targets for
# `eddy loops`).  The peer in the same run is the smallest model, whose
# loops Johnson's algorithm can still enumerate (--max-loops 0): its
# dominance phases must be the same by either way.
#
# Environment (all optional):
#   EDDY         the eddy binary (default ./eddy)
#   SD_LOOPS     the sizes, LAYERSxWIDTH (default "4x3 8x5 12x6 16x8")
set -eu

cd "$(dirname "$0")/.."

EDDY=${EDDY:-./eddy}
SIZES=${SD_LOOPS:-4x3 8x5 12x6 16x8}

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

# the peer: a model small enough to enumerate, both ways
python3 bench/gen_sd_loops.py 2 2 >"$tmp/peer.xmile"
"$EDDY" loops "$tmp/peer.xmile" --dominance --max-loops 0 | sed -n '/^Loop dominance/,/^$/p' >"$tmp/all.txt" ||
    die "eddy loops on the peer model failed"
"$EDDY" loops "$tmp/peer.xmile" --dominance --max-loops 1 >/dev/null ||
    die "eddy loops --max-loops 1 on the peer model failed"
n_all=$("$EDDY" loops "$tmp/peer.xmile" --max-loops 0 | head -1 | sed 's/.* links, \([0-9]*\) loops.*/\1/')
echo "peer: 2 layers x 2 stocks, $n_all loops, enumerated (--max-loops 0)"

printf '  %-8s %9s %9s %12s %8s %8s %12s\n' "layers" "stocks" "links" "loops found" "wall s" "CPU s" "peak RSS MB"
for size in $SIZES; do
    layers=${size%x*}
    width=${size#*x}
    python3 bench/gen_sd_loops.py "$layers" "$width" >"$tmp/m.xmile"
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$EDDY" loops "$tmp/m.xmile" --dominance -o "$tmp/scores.csv" \
        >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" >&2; die "eddy loops on $size failed"; }
    read -r wall u s rss <"$tmp/time"
    head=$(head -1 "$tmp/out")
    links=$(echo "$head" | sed 's/.* variables, \([0-9]*\) links.*/\1/')
    found=$(echo "$head" | sed 's/.* links, \(at least \)*\([0-9]*\) loops.*/\2/')
    cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
    mb=$(awk -v m="$rss" 'BEGIN { printf "%.1f", m / 1024 }')
    printf '  %-8s %9s %9s %12s %8s %8s %12s\n' "$size" "$((layers * width))" "$links" "$found" "$wall" "$cpu" "$mb"
    echo "$wall" >>"$tmp/walls"
    echo "$mb" >>"$tmp/rsss"
done
echo "  (each model has more than WIDTH^LAYERS loops: 8x5 more than 390,625, 16x8 more than 2.8e14)"
verdict "eddy loops --dominance, slowest wall s" "$(sort -g "$tmp/walls" | tail -1)" "<" 5
verdict "eddy loops --dominance, largest peak RSS MB" "$(sort -g "$tmp/rsss" | tail -1)" "<" 200
