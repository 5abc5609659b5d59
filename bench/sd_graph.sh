#!/bin/sh
# bench/sd_graph.sh -- how the causal graph of a stock-and-flow model scales
# with its size (run by `make bench`; issue 17's near-linear construction).
#
# bench/gen_sd.py graph N FANIN writes XMILE models of N variables in which
# every auxiliary reads FANIN stocks (N/4 * (FANIN + 5) links), and with
# `delay` a variant where every auxiliary reads its stocks through DELAY
# and PREVIOUS (a delay and a PREVIOUS per auxiliary).  bench/sd_graph.c,
# compiled here against build/libeddy.a, loads each model and builds its
# causal graph, the two steps `eddy loops MODEL.xmile` takes before it
# looks for loops, and prints the CPU seconds of each (getrusage: the
# machine is shared, so wall time says little) and the peak RSS.  For each
# tenfold step in size it prints the ratio of the CPU times: near-linear
# construction gives about 10.  With SD_GRAPH_CALLGRIND=1 it also counts
# the instructions of the whole driver with callgrind (repeatable; about
# 50x slower, so only on the sizes in SD_GRAPH_CG_SIZES).
#
# Environment (all optional):
#   SD_GRAPH_SIZES      variables (default "1000 10000 100000")
#   SD_GRAPH_FANIN      stocks each auxiliary reads (default 16)
#   SD_GRAPH_CALLGRIND  1: count instructions too (default 0)
#   SD_GRAPH_CG_SIZES   the sizes counted (default "1000 10000")
#   CC                  the C compiler (default cc)
set -eu

cd "$(dirname "$0")/.."

SIZES=${SD_GRAPH_SIZES:-1000 10000 100000}
FANIN=${SD_GRAPH_FANIN:-16}
CG=${SD_GRAPH_CALLGRIND:-0}
CG_SIZES=${SD_GRAPH_CG_SIZES:-1000 10000}
CC=${CC:-cc}
LIB=build/libeddy.a

die() {
    echo "bench/sd_graph: $*" >&2
    exit 1
}

[ -f "$LIB" ] || die "$LIB not found: build it first with 'make' (or run 'make bench')"
command -v python3 >/dev/null || die "python3 is needed for bench/gen_sd.py"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-sd-graph.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

libs=$(pkg-config --libs yaml-0.1 jansson libxml-2.0 2>/dev/null || echo -lyaml -ljansson -lxml2)
# shellcheck disable=SC2086
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -flto=auto -Iinclude -Isrc \
    -o "$tmp/sd_graph" bench/sd_graph.c "$LIB" $libs -lm -lpthread || die "cannot compile bench/sd_graph.c"

for shape in graph delay; do
    if [ "$shape" = graph ]; then
        echo "causal graph of generated XMILE models, every auxiliary reading $FANIN stocks (CPU s, getrusage)"
    else
        echo "the same, every auxiliary reading through DELAY and PREVIOUS"
    fi
    printf '  %10s %10s %10s %10s %10s %12s %8s\n' variables links "read s" "graph s" "total s" "peak RSS MB" "x prev"
    prev=
    for n in $SIZES; do
        if [ "$shape" = graph ]; then
            python3 bench/gen_sd.py graph "$n" "$FANIN" >"$tmp/m.xmile"
        else
            python3 bench/gen_sd.py graph "$n" "$FANIN" delay >"$tmp/m.xmile"
        fi
        "$tmp/sd_graph" "$tmp/m.xmile" >"$tmp/row" || die "sd_graph failed on $n variables"
        read -r nv nl tr tg mb <"$tmp/row"
        tot=$(awk -v a="$tr" -v b="$tg" 'BEGIN { printf "%.3f", a + b }')
        ratio=-
        [ -n "$prev" ] && ratio=$(awk -v a="$tot" -v b="$prev" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
        printf '  %10s %10s %10s %10s %10s %12s %8s\n' "$nv" "$nl" "$tr" "$tg" "$tot" "$mb" "$ratio"
        prev=$tot
        if [ "$CG" = 1 ] && echo " $CG_SIZES " | grep -q " $n "; then
            valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$tmp/sd_graph" "$tmp/m.xmile" \
                >/dev/null 2>"$tmp/cg.err" || die "callgrind failed"
            echo "    callgrind: $(sed -n 's/.*Collected : *//p' "$tmp/cg.err") instructions ($n variables)"
        fi
    done
done
echo "  (x prev: total CPU against the size ten times smaller; near-linear is about 10)"
