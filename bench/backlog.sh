#!/bin/sh
# bench/backlog.sh -- a broker queue holding 10^6 messages (run by `make
# bench`, or on its own: sh bench/backlog.sh).
#
# Three models of about 10^7 requests or messages each, telemetry on, each
# costing two events per request (its arrival and its completion):
#   mm4       bench/mm4.yaml, the plain M/M/4 at utilisation 0.9
#   broker    the same load published to a broker queue that an M/M/4
#             consumer group drains (bench/backlog.yaml at a steady 3600/s)
#   backlog   bench/backlog.yaml: 10^6 messages waiting after 10 s, drained
#             over the rest of the run
# The target: the backlog must not make events more expensive, so its
# events/s stay within 20% of the steady broker's.  broker / mm4 is what a
# publish and a delivery (two attempts per message) cost against one call.
# Peak RSS shows what holding the backlog costs, per message held.
# Environment: EDDY (default ./eddy), BENCH_REPEAT (default 3),
# BACKLOG_DURATION (default: the models' 2778s).
set -eu

cd "$(dirname "$0")/.."
EDDY=${EDDY:-./eddy}
REPEAT=${BENCH_REPEAT:-3}
die() {
    echo "bench/backlog: $*" >&2
    exit 1
}
[ -x "$EDDY" ] || die "$EDDY not found: build it first with 'make'"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is needed: apt-get install time"
case $REPEAT in '' | *[!0-9]* | 0) die "BENCH_REPEAT must be a positive integer (got '$REPEAT')" ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-backlog.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sed 's/^    rate: \[.*\]$/    rate: 3600\/s/' bench/backlog.yaml >"$tmp/broker-src.yaml"
grep -q '^    rate: 3600/s$' "$tmp/broker-src.yaml" || die "could not make the steady broker model"
for m in mm4 broker backlog; do
    src="bench/$m.yaml"
    [ "$m" = broker ] && src="$tmp/broker-src.yaml"
    if [ -n "${BACKLOG_DURATION:-}" ]; then
        sed "s/^duration:.*/duration: $BACKLOG_DURATION/" "$src" >"$tmp/$m.yaml"
    else
        cp "$src" "$tmp/$m.yaml"
    fi
done

min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }'; }

W_mm4='' W_s='' W_b='' R_mm4='' R_s='' R_b=''
i=1
while [ "$i" -le "$REPEAT" ]; do
    for m in mm4 broker backlog; do
        echo "bench/backlog: $m, run $i of $REPEAT ..." >&2
        /usr/bin/time -f '%e %M' -o "$tmp/time" "$EDDY" run -q "$tmp/$m.yaml" -o "$tmp/$m.csv" --force --json \
            >"$tmp/$m.json" || die "eddy run $m failed"
        set -- $(tail -n 1 "$tmp/time")
        case $m in
        mm4) W_mm4=$(min "$W_mm4" "$1") R_mm4=$(min "$R_mm4" "$2") ;;
        broker) W_s=$(min "$W_s" "$1") R_s=$(min "$R_s" "$2") ;;
        *) W_b=$(min "$W_b" "$1") R_b=$(min "$R_b" "$2") ;;
        esac
    done
    i=$((i + 1))
done

events() { sed -n 's/^ *"events": \([0-9]*\),*/\1/p' "$1" | head -n 1; }
E_mm4=$(events "$tmp/mm4.json")
E_s=$(events "$tmp/broker.json")
E_b=$(events "$tmp/backlog.json")
# the largest backlog, from the series: jobs.depth is a time average per second
col=$(head -n 1 "$tmp/backlog.csv" | tr ',' '\n' | grep -n '^jobs.depth$' | cut -d: -f1)
[ -n "$col" ] || die "no jobs.depth column"
peak=$(tail -n +2 "$tmp/backlog.csv" | cut -d, -f"$col" | sort -g | tail -n 1)

awk -v em="$E_mm4" -v es="$E_s" -v eb="$E_b" -v wm="$W_mm4" -v ws="$W_s" -v wb="$W_b" -v rm="$R_mm4" \
    -v rs="$R_s" -v rb="$R_b" -v peak="$peak" 'BEGIN {
    sm = em / wm; ss = es / ws; sb = eb / wb
    per = peak > 0 ? (rb - rs) * 1024 / peak : 0
    printf "\nbroker queue with a 10^6 backlog (bench/backlog.yaml), steady, and the plain M/M/4 (bench/mm4.yaml), fastest run\n"
    printf "  %-26s %12s %9s %14s %12s\n", "model", "events", "wall s", "events/s", "peak RSS"
    printf "  %-26s %12d %9.2f %14.0f %9.1f MB\n", "M/M/4 (service queue)", em, wm, sm, rm / 1024
    printf "  %-26s %12d %9.2f %14.0f %9.1f MB\n", "broker, steady", es, ws, ss, rs / 1024
    printf "  %-26s %12d %9.2f %14.0f %9.1f MB\n", "broker, 10^6 backlog", eb, wb, sb, rb / 1024
    printf "  largest backlog: %.0f messages (1 s average); RSS above the steady broker: %.0f bytes per message held\n",
        peak, per
    printf "  events/s, steady broker / M/M/4: %.3f (a publish and a delivery: two attempts per message)\n", ss / sm
    ratio = sb / ss
    verdict = "NOT met"
    if (ratio >= 0.80) verdict = "met"
    printf "  events/s, 10^6 backlog / steady broker: %.3f (target >= 0.80: %s)\n", ratio, verdict
}'
