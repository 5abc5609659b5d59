#!/bin/sh
# bench/avail.sh -- `eddy avail` at scale (run by `make bench`).
#
# Generates a model with 60 services of 8 replicas (6 of 8 needed), three
# zones, 20 config servers with stale graces and 10 common-cause groups:
# 480 replicas + 23 infra + 10 groups + grace events, over 500 basic events.
# Times the exact analysis (BDD, cut sets, importance; --trials 0
# --histories 0), the Monte Carlo on top of it, and SCRAM on the same tree
# written as MEF (the peer, in the same run).  Then, on each example, the
# Monte Carlo rate (instants, bit-parallel, one core) and, separately, the
# outage histories' rate (renewal processes, -j 1: one core): state
# changes a second and histories of 10 years a second.
# Targets (issue 12): exact < 1 s; Monte Carlo >= 10^7 trials/s per core.
# Not a test: it fails only when a run cannot be made.
set -eu
cd "$(dirname "$0")/.."
EDDY=${EDDY:-./eddy}
TRIALS=${AVAIL_BENCH_TRIALS:-100000000}
[ -x "$EDDY" ] || { echo "bench: $EDDY not found: build it first" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-avail-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

awk 'BEGIN {
    n = 60
    print "name: avail bench, 60 services x 8 replicas"
    print "duration: 1m"
    print "infra:"
    for (z = 0; z < 3; z++) printf "  zone%d: {availability: 99.99%%, mttr: 1h}\n", z
    for (c = 0; c < 20; c++) printf "  config%d: {mtbf: 300h, mttr: {dist: lognormal, median: 10m, p99: 2h}}\n", c
    print "clients:"
    print "  users: {rate: 1000/s, call: s0}"
    print "services:"
    for (i = 0; i < n; i++) {
        printf "  s%d:\n    replicas: 8\n    workers: 1\n    service_time: 5ms\n", i
        printf "    failures: {mtbf: 500h, mttr: 30m}\n    zones: [zone0, zone1, zone2]\n"
        printf "    depends_on: [config%d, {config%d: {stale: 10m}}]\n", i % 20, (i * 7 + 3) % 20
        l = 2 * i + 1; r = 2 * i + 2
        if (l < n) {
            printf "    calls:\n      - {to: s%d, timeout: 1s}\n", l
            if (r < n) printf "      - {to: s%d, timeout: 1s}\n", r
        }
    }
    print "ccf:"
    for (g = 0; g < 10; g++) {
        printf "  - {name: image%d, beta: 5%%, members: [", g
        for (k = 0; k < 6; k++) printf "%ss%d", (k ? ", " : ""), 6 * g + k
        print "]}"
    }
}' >"$tmp/big.yaml"

now() { date +%s.%N; }
t0=$(now)
"$EDDY" avail "$tmp/big.yaml" --trials 0 --histories 0 --json >"$tmp/exact.json"
t1=$(now)
"$EDDY" avail "$tmp/big.yaml" --trials "$TRIALS" --histories 0 --json >"$tmp/mc.json"
t2=$(now)
"$EDDY" avail "$tmp/big.yaml" --trials 0 --histories 0 --mef "$tmp/big.xml" >/dev/null
events=$(sed -n 's/^  "basic_events": \([0-9]*\),/\1/p' "$tmp/exact.json")
nodes=$(sed -n 's/^  "bdd_nodes": \([0-9]*\),/\1/p' "$tmp/exact.json")
exact=$(echo "$t1 $t0" | awk '{printf "%.3f", $1 - $2}')
mcrate=$(echo "$t2 $t1 $TRIALS" | awk '{d = $1 - $2 - ('"$exact"'); if (d <= 0) d = 1e-9; printf "%.3g", $3 / d}')
echo "model: $events basic events, BDD of $nodes nodes"
echo "exact analysis (BDD, cut sets, importance, load and print): ${exact} s  (target < 1 s)"
echo "Monte Carlo, $TRIALS trials: $mcrate trials/s on one core  (target >= 1e7)"
if command -v scram >/dev/null 2>&1; then
    t3=$(now)
    if timeout 120 scram --bdd --probability true --ccf true "$tmp/big.xml" -o "$tmp/scram.xml" >"$tmp/scram.log" 2>&1; then
        t4=$(now)
        echo "SCRAM on the same tree (BDD, all products, probability): $(echo "$t4 $t3" | awk '{printf "%.3f", $1 - $2}') s"
    else
        echo "SCRAM on the same tree: did not finish within 120 s (it enumerates every product up to order 20)"
    fi
fi
HIST=${AVAIL_BENCH_HISTORIES:-2000}
for ex in examples/three-replicas.yaml examples/shared-auth.yaml examples/control-plane.yaml; do
    t5=$(now)
    "$EDDY" avail "$ex" --trials 0 --histories 0 >/dev/null
    t6=$(now)
    "$EDDY" avail "$ex" --trials "$TRIALS" --histories 0 >/dev/null
    t7=$(now)
    "$EDDY" avail "$ex" --trials 0 --histories "$HIST" -j 1 --json >"$tmp/hist.json"
    t8=$(now)
    changes=$(sed -n 's/.*"state_changes": \([0-9]*\).*/\1/p' "$tmp/hist.json" | head -1)
    echo "$ex: Monte Carlo $(echo "$t7 $t6 $t6 $t5 $TRIALS" | awk '{d = ($1 - $2) - ($3 - $4); if (d <= 0) d = 1e-9; printf "%.3g", $5 / d}') trials/s on one core;" \
        "histories $(echo "$t8 $t7 $t6 $t5 $HIST $changes" | awk '{d = ($1 - $2) - ($3 - $4); if (d <= 0) d = 1e-9; printf "%.3g histories of 10 years/s, %.3g state changes/s", $5 / d, $6 / d}') on one core"
done
t9=$(now)
"$EDDY" avail "$tmp/big.yaml" --trials 0 --histories 20 -j 1 --json >"$tmp/bighist.json"
t10=$(now)
changes=$(sed -n 's/.*"state_changes": \([0-9]*\).*/\1/p' "$tmp/bighist.json" | head -1)
echo "the $events-event model: histories $(echo "$t10 $t9 $exact $changes" | awk '{d = ($1 - $2) - $3; if (d <= 0) d = 1e-9; printf "%.3g histories of 10 years/s, %.3g state changes/s", 20 / d, $4 / d}') on one core"
