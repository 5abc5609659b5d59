#!/bin/sh
# bench/run.sh -- eddy's core engine benchmark (run by `make bench`).
#
# An M/M/4 queue at utilisation 0.9 (bench/mm4.yaml), with telemetry (the
# CSV series) on, simulated by ./eddy at two sizes and by SimPy 2 at a
# smaller one.  Prints one table: requests/s, events/s and peak RSS for each
# run, eddy's speed over SimPy's per simulated request, how peak RSS grows
# from 10^6 to 10^7 requests, and the mean response time next to Erlang C.
# It says whether the targets are met but is not a test: it fails only when
# a run cannot be made.
#
# Environment (all optional):
#   EDDY_BENCH_N        requests for the large eddy run    (default 10000000)
#   EDDY_BENCH_N_SMALL  requests for the small eddy run    (default 1000000)
#   SIMPY_BENCH_N       requests for the SimPy run         (default 200000)
#   BENCH_REPEAT        runs of each; the fastest is shown (default 3)
#   EDDY                the eddy binary                    (default ./eddy)
#   SIMPY_PYTHON        a python with SimPy 2              (default /usr/bin/python3)
#   BENCH_KEEP          a directory to keep the models, series and JSON in
#   EDDY_BENCH_TIMERS   0 skips bench/timers.sh (a timer per request)
set -eu

cd "$(dirname "$0")/.."

EDDY=${EDDY:-./eddy}
PY=${SIMPY_PYTHON:-/usr/bin/python3}
N_BIG=${EDDY_BENCH_N:-10000000}
N_SMALL=${EDDY_BENCH_N_SMALL:-1000000}
N_SIMPY=${SIMPY_BENCH_N:-200000}
RATE=3600           # arrivals per second, as in bench/mm4.yaml
TEMPLATE=bench/mm4.yaml
REPEAT=${BENCH_REPEAT:-3}

die() {
    echo "bench: $*" >&2
    exit 1
}

for v in "$N_BIG" "$N_SMALL" "$N_SIMPY" "$REPEAT"; do
    case $v in
    '' | *[!0-9]* | 0) die "request counts and BENCH_REPEAT must be positive integers (got '$v')" ;;
    esac
done

[ -f "$EDDY" ] || die "$EDDY not found: build it first with 'make' (or run 'make bench')"
[ -x "$EDDY" ] || die "$EDDY is not executable"
[ -f "$TEMPLATE" ] || die "$TEMPLATE is missing"
[ -x "$PY" ] || die "$PY not found: the SimPy side needs Debian's python3 (apt-get install python3-simpy)"
"$PY" -c 'import SimPy.Simulation' 2>/dev/null ||
    die "SimPy 2 is not importable by $PY: apt-get install python3-simpy"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# GNU time gives peak RSS (%M, kilobytes) from outside the process.  Without
# it the table falls back on eddy's own peak_rss_bytes.
TIME=
if [ -x /usr/bin/time ] && /usr/bin/time -f '%e %M' -o "$tmp/probe" true 2>/dev/null &&
    [ -s "$tmp/probe" ]; then
    TIME=/usr/bin/time
else
    echo "bench: GNU time (/usr/bin/time) not found, using eddy's own peak RSS;" \
        "apt-get install time for the external measurement" >&2
fi

now() { # seconds since the epoch, with a fraction where date gives one
    d=$(date +%s.%N 2>/dev/null) || d=$(date +%s)
    case $d in *N) d=$(date +%s) ;; esac
    echo "$d"
}

# jfields FILE eddy|simpy: one JSON summary's fields in a fixed order ("-"
# for a missing key) on a line, then the missing keys on a second line.
jfields() {
    "$PY" - "$1" "$2" <<'EOF'
import json, sys
try:
    with open(sys.argv[1]) as f:
        d = json.load(f)
except Exception as e:
    sys.stderr.write("bench: %s is not JSON: %s\n" % (sys.argv[1], e))
    sys.exit(1)
if sys.argv[2] == "eddy":
    keys = [("engine", "events"), ("engine", "wall_seconds"),
            ("engine", "events_per_second"), ("engine", "peak_rss_bytes"),
            ("clients", "load", "requests"), ("services", "mm4", "completed"),
            ("services", "mm4", "latency_mean")]
else:
    keys = [("requests",), ("wall_seconds",), ("requests_per_second",),
            ("mean_response",), ("theory_mean_response",), ("simpy",),
            ("completed",)]
out, missing = [], []
for path in keys:
    v = d
    for k in path:
        v = v.get(k) if isinstance(v, dict) else None
    if v is None:
        out.append("-")
        missing.append(".".join(path))
    else:
        out.append(repr(v) if isinstance(v, float) else str(v))
print(" ".join(out))
print(" ".join(missing))
EOF
}

# eddy_once MODEL TAG: one run of eddy; sets R_WALL (external, seconds),
# R_RSS_KB (GNU time's %M, or "-") and R_FIELDS (jfields' two lines).
eddy_once() {
    t0=$(now)
    set +e
    if [ -n "$TIME" ]; then
        "$TIME" -f '%e %M' -o "$tmp/time-$2" \
            "$EDDY" run "$1" -o "$tmp/series-$2.csv" --json \
            >"$tmp/eddy-$2.json" 2>"$tmp/eddy-$2.err"
    else
        "$EDDY" run "$1" -o "$tmp/series-$2.csv" --json \
            >"$tmp/eddy-$2.json" 2>"$tmp/eddy-$2.err"
    fi
    rc=$?
    set -e
    t1=$(now)
    if [ "$rc" -ne 0 ]; then
        echo "bench: '$EDDY run $1 -o SERIES.csv --json' exited with status $rc:" >&2
        sed 's/^/  /' "$tmp/eddy-$2.err" >&2
        exit 1
    fi
    if [ -s "$tmp/eddy-$2.err" ]; then
        sed 's/^/  eddy: /' "$tmp/eddy-$2.err" >&2
    fi
    R_FIELDS=$(jfields "$tmp/eddy-$2.json" eddy) || {
        sed 's/^/  /' "$tmp/eddy-$2.json" >&2
        exit 1
    }
    R_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    R_RSS_KB=-
    if [ -n "$TIME" ]; then
        R_RSS_KB=$(tail -n 1 "$tmp/time-$2" | awk '{ print $2 }')
    fi
}

# Larger of two figures, "-" if either is missing.
max() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-"; else print (a + 0 > b + 0) ? a : b }'; }
# 1 if a < b.
less() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 < b + 0) ? 1 : 0 }'; }

# run_eddy N TAG: simulate about N requests, REPEAT times; sets the E_*
# variables from the fastest run, and the peak RSS to the largest seen (the
# model is seeded, so every run simulates the same events).
run_eddy() {
    n=$1
    tag=$2
    ms=$(awk -v n="$n" -v r="$RATE" 'BEGIN { x = n * 1000 / r; i = int(x); if (x > i) i++; print i }')
    model=$tmp/mm4-$tag.yaml
    sed "s/^duration:.*/duration: ${ms}ms       # about $n requests at ${RATE}\/s/" \
        "$TEMPLATE" >"$model"
    grep -q "^duration: ${ms}ms" "$model" || die "could not set the duration in $model"
    E_WALL='' E_RSS_KB='' E_ERSS=''
    i=1
    while [ "$i" -le "$REPEAT" ]; do
        echo "bench: eddy, $n requests (duration ${ms}ms), run $i of $REPEAT ..." >&2
        eddy_once "$model" "$tag"
        # shellcheck disable=SC2046 # split into fields on purpose
        set -- $(echo "$R_FIELDS" | sed -n 1p)
        if [ -z "$E_WALL" ]; then
            missing=$(echo "$R_FIELDS" | sed -n 2p)
            [ -z "$missing" ] || echo "bench: eddy's JSON lacks: $missing" >&2
            E_RSS_KB=$R_RSS_KB E_ERSS=$4
        else
            E_RSS_KB=$(max "$E_RSS_KB" "$R_RSS_KB") E_ERSS=$(max "$E_ERSS" "$4")
        fi
        if [ -z "$E_WALL" ] || [ "$(less "$R_WALL" "$E_WALL")" = 1 ]; then
            E_WALL=$R_WALL
            E_EVENTS=$1 E_EWALL=$2 E_EPS=$3 E_REQ=$5 E_DONE=$6 E_LAT=$7
        fi
        i=$((i + 1))
    done
    [ "$E_REQ" != "-" ] || E_REQ=$n
    E_ROWS=0
    if [ -f "$tmp/series-$tag.csv" ]; then
        E_ROWS=$(wc -l <"$tmp/series-$tag.csv")
    fi
    E_ROWS=$((E_ROWS + 0))
    [ "$E_ROWS" -eq 0 ] || E_ROWS=$((E_ROWS - 1)) # the header
    [ "$E_ROWS" -gt 0 ] || echo "bench: warning: eddy wrote no telemetry series for $tag" >&2
    if [ -n "${BENCH_KEEP:-}" ]; then
        mkdir -p "$BENCH_KEEP"
        cp "$model" "$tmp/eddy-$tag.json" "$tmp/series-$tag.csv" "$BENCH_KEEP"/ 2>/dev/null || true
    fi
}

# Bytes / kilobytes to a short figure in MiB.
mib_kb() { awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.2f MiB", k / 1024 }'; }
mib_b() { awk -v b="$1" 'BEGIN { if (b == "-") print "-"; else printf "%.2f MiB", b / 1048576 }'; }
div() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf f, a / b }'; }
ms() { awk -v s="$1" 'BEGIN { if (s == "-") print "-"; else printf "%.3f ms", s * 1000 }'; }

# ---- the runs ------------------------------------------------------------

run_eddy "$N_SMALL" small
S_REQ=$E_REQ S_WALL=$E_WALL S_EVENTS=$E_EVENTS S_EWALL=$E_EWALL S_EPS=$E_EPS
S_ERSS=$E_ERSS S_RSS_KB=$E_RSS_KB S_LAT=$E_LAT S_DONE=$E_DONE S_ROWS=$E_ROWS

run_eddy "$N_BIG" big
B_REQ=$E_REQ B_WALL=$E_WALL B_EVENTS=$E_EVENTS B_EWALL=$E_EWALL B_EPS=$E_EPS
B_ERSS=$E_ERSS B_RSS_KB=$E_RSS_KB B_LAT=$E_LAT B_DONE=$E_DONE B_ROWS=$E_ROWS

# SimPy: the fastest of REPEAT runs (its wall time is taken inside the
# script, around initialize() ... simulate(), so Python's start-up is not
# counted against it).
P_RPS='' P_RSS_KB=''
i=1
while [ "$i" -le "$REPEAT" ]; do
    echo "bench: SimPy, $N_SIMPY requests, run $i of $REPEAT ..." >&2
    set +e
    if [ -n "$TIME" ]; then
        "$TIME" -f '%e %M' -o "$tmp/time-simpy" "$PY" bench/mm4_simpy.py "$N_SIMPY" >"$tmp/simpy.json"
    else
        "$PY" bench/mm4_simpy.py "$N_SIMPY" >"$tmp/simpy.json"
    fi
    rc=$?
    set -e
    [ "$rc" -eq 0 ] || die "bench/mm4_simpy.py exited with status $rc"
    # shellcheck disable=SC2046 # split into fields on purpose
    set -- $(jfields "$tmp/simpy.json" simpy | sed -n 1p)
    if [ -z "$P_RPS" ] || [ "$(less "$P_RPS" "$3")" = 1 ]; then
        P_REQ=$1 P_WALL=$2 P_RPS=$3 P_LAT=$4 THEORY=$5 P_VER=$6 P_DONE=$7
    fi
    r=-
    [ -z "$TIME" ] || r=$(tail -n 1 "$tmp/time-simpy" | awk '{ print $2 }')
    if [ -z "$P_RSS_KB" ]; then P_RSS_KB=$r; else P_RSS_KB=$(max "$P_RSS_KB" "$r"); fi
    i=$((i + 1))
done

# ---- the table -----------------------------------------------------------

# External figures where we have them: wall from outside the process (so it
# includes start-up, model parsing and writing the series), RSS from GNU time.
B_RPS=$(div "$B_REQ" "$B_WALL" "%.0f")
S_RPS=$(div "$S_REQ" "$S_WALL" "%.0f")
B_XEPS=$(div "$B_EVENTS" "$B_WALL" "%.0f")
S_XEPS=$(div "$S_EVENTS" "$S_WALL" "%.0f")
if [ -n "$TIME" ]; then
    B_RSS=$(mib_kb "$B_RSS_KB") S_RSS=$(mib_kb "$S_RSS_KB") P_RSS=$(mib_kb "$P_RSS_KB")
    RSS_RATIO=$(div "$B_RSS_KB" "$S_RSS_KB" "%.3f")
else
    B_RSS=$(mib_b "$B_ERSS") S_RSS=$(mib_b "$S_ERSS") P_RSS=-
    RSS_RATIO=$(div "$B_ERSS" "$S_ERSS" "%.3f")
fi
SPEEDUP=$(div "$B_RPS" "$P_RPS" "%.1f")

verdict() { # verdict VALUE OP LIMIT
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        if (v == "-") { print "unknown"; exit }
        ok = (op == ">=") ? (v + 0 >= l + 0) : (v + 0 <= l + 0)
        print ok ? "met" : "NOT met" }'
}

cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | sed -n 1p)
echo
echo "eddy benchmark: M/M/4, Poisson arrivals ${RATE}/s, exponential service mean 1 ms, rho = 0.9,"
echo "telemetry on (CSV series sampled every 1s); $(nproc 2>/dev/null || echo '?') cores, ${cpu:-unknown CPU}."
echo "Fastest of $REPEAT runs each; peak RSS is the largest seen. eddy's wall time is taken from"
echo "outside the process (start-up, model and series included); SimPy's around simulate()."
echo
printf '%-26s %10s %9s %13s %13s %11s\n' benchmark requests "wall s" requests/s events/s "peak RSS"
printf '%-26s %10s %9s %13s %13s %11s\n' "eddy M/M/4 rho=0.9" "$B_REQ" "$B_WALL" "$B_RPS" "$B_XEPS" "$B_RSS"
printf '%-26s %10s %9s %13s %13s %11s\n' "eddy M/M/4 rho=0.9" "$S_REQ" "$S_WALL" "$S_RPS" "$S_XEPS" "$S_RSS"
printf '%-26s %10s %9.3f %13.0f %13s %11s\n' "SimPy $P_VER M/M/4" "$P_REQ" "$P_WALL" "$P_RPS" "-" "$P_RSS"
echo
echo "eddy's own report (engine wall s, events/s, peak_rss_bytes; series rows):"
printf '  %10s requests: %9s s %13s events/s %11s; %s rows\n' \
    "$B_REQ" "$(div "$B_EWALL" 1 "%.3f")" "$(div "$B_EPS" 1 "%.0f")" "$(mib_b "$B_ERSS")" "$B_ROWS"
printf '  %10s requests: %9s s %13s events/s %11s; %s rows\n' \
    "$S_REQ" "$(div "$S_EWALL" 1 "%.3f")" "$(div "$S_EPS" 1 "%.0f")" "$(mib_b "$S_ERSS")" "$S_ROWS"
echo
printf 'ratio eddy/SimPy per request: %sx   (target >= 50x: %s)\n' "$SPEEDUP" "$(verdict "$SPEEDUP" '>=' 50)"
printf 'RSS %s / RSS %s: %s   (target <= 1.10: %s)\n' "$B_REQ" "$S_REQ" "$RSS_RATIO" "$(verdict "$RSS_RATIO" '<=' 1.10)"
printf 'mean response: theory (Erlang C) %s   eddy %s (%s req), %s (%s req)   SimPy %s (%s req)\n' \
    "$(ms "$THEORY")" "$(ms "$B_LAT")" "$B_REQ" "$(ms "$S_LAT")" "$S_REQ" "$(ms "$P_LAT")" "$P_REQ"
printf 'completed: eddy %s of %s, %s of %s   SimPy %s of %s\n' "$B_DONE" "$B_REQ" "$S_DONE" "$S_REQ" "$P_DONE" "$P_REQ"

# ---- eddy basin: parallel runs -------------------------------------------
#
# `eddy basin examples/retry-storm.yaml` (the default axes: 10 loads x a
# bisection of the fault's duration, 5 seeds per point) with -j 1 and -j 2.
# Targets: under 60 s on 2 cores, and a speed-up of at least 1.8x from
# -j 1 to -j 2.  The two JSON outputs must be byte-identical (the map does
# not depend on the thread count).  EDDY_BENCH_BASIN=0 skips this part;
# BASIN_REPEAT (default 1) runs each that many times and keeps the fastest.
# Like every wall-clock figure here, it needs an otherwise idle machine.
if [ "${EDDY_BENCH_BASIN:-1}" != 0 ]; then
    BREPEAT=${BASIN_REPEAT:-1}
    case $BREPEAT in '' | *[!0-9]* | 0) die "BASIN_REPEAT must be a positive integer (got '$BREPEAT')" ;; esac
    basin_wall() { # basin_wall JOBS: the fastest wall time of BREPEAT runs; the JSON in $tmp/basin-jJOBS.json
        best=
        k=1
        while [ "$k" -le "$BREPEAT" ]; do
            echo "bench: eddy basin examples/retry-storm.yaml -j $1, run $k of $BREPEAT ..." >&2
            t0=$(now)
            "$EDDY" basin -q -j "$1" --json examples/retry-storm.yaml >"$tmp/basin-j$1.json" ||
                die "eddy basin -j $1 failed"
            t1=$(now)
            w=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
            if [ -z "$best" ] || [ "$(less "$w" "$best")" = 1 ]; then best=$w; fi
            k=$((k + 1))
        done
        echo "$best"
    }
    W1=$(basin_wall 1)
    W2=$(basin_wall 2)
    same=identical
    cmp -s "$tmp/basin-j1.json" "$tmp/basin-j2.json" || same=DIFFERENT
    BSPEED=$(div "$W1" "$W2" "%.2f")
    echo
    echo "eddy basin examples/retry-storm.yaml (default axes; $(nproc 2>/dev/null || echo '?') cores; fastest of $BREPEAT):"
    printf '  -j 1: %s s   -j 2: %s s   speed-up %sx   JSON -j 1 vs -j 2: %s\n' "$W1" "$W2" "$BSPEED" "$same"
    printf '  -j 2 under 60 s: %s   speed-up >= 1.8x: %s\n' "$(verdict "$W2" '<=' 60)" "$(verdict "$BSPEED" '>=' 1.8)"
fi

# ---- retry-storm with every mechanism on ---------------------------------
#
# examples/retry-storm.yaml against bench/storm-all.yaml (the same storm with
# every mechanism eddy has switched on: budgets, breakers, pools, hedging,
# bulkheads, shedding, deadlines, per-caller bulkheads, an autoscaler, a
# cache, contention), both stretched to STORM_DURATION (default 30m) so that
# start-up is a small part of the wall time.  Each run writes its series and
# JSON, as in real use; the fastest of REPEAT is shown.  EDDY_BENCH_STORM=0
# skips this part.
if [ "${EDDY_BENCH_STORM:-1}" != 0 ]; then
    SDUR=${STORM_DURATION:-30m}
    storm_run() { # storm_run MODEL TAG: sets S_EV S_WALL S_RSS (KiB or -) S_ATT
        stag=$2 # `set --` below reuses the positional parameters
        sed "s/^duration:.*/duration: $SDUR/" "$1" >"$tmp/$stag.yaml"
        best=
        k=1
        while [ "$k" -le "$REPEAT" ]; do
            echo "bench: $stag ($SDUR), run $k of $REPEAT ..." >&2
            eddy_once "$tmp/$stag.yaml" "$stag"
            fields=$("$PY" -c 'import json,sys; e=json.load(open(sys.argv[1]))["engine"]; print(e["events"], e["attempts"], e["peak_rss_bytes"])' "$tmp/eddy-$stag.json") ||
                die "no engine figures in $stag's JSON"
            # shellcheck disable=SC2086 # split into fields on purpose
            set -- $fields
            if [ -z "$best" ] || [ "$(less "$R_WALL" "$best")" = 1 ]; then
                best=$R_WALL S_EV=$1 S_ATT=$2 S_ERSS=$3 S_RSS=$R_RSS_KB
            fi
            k=$((k + 1))
        done
        S_WALL=$best
    }
    storm_run examples/retry-storm.yaml storm-plain
    P_EV=$S_EV P_W=$S_WALL P_ATT=$S_ATT P_RSS=$S_RSS P_ERSS=$S_ERSS
    storm_run bench/storm-all.yaml storm-all
    A_EV=$S_EV A_W=$S_WALL A_ATT=$S_ATT A_RSS=$S_RSS A_ERSS=$S_ERSS
    P_EPS=$(div "$P_EV" "$P_W" "%.0f")
    A_EPS=$(div "$A_EV" "$A_W" "%.0f")
    rss() { if [ "$1" != - ]; then mib_kb "$1"; else mib_b "$2"; fi; }
    echo
    echo "retry storm, $SDUR simulated, series and JSON written (fastest of $REPEAT):"
    printf '%-34s %11s %11s %9s %13s %11s\n' model events attempts "wall s" events/s "peak RSS"
    printf '%-34s %11s %11s %9s %13s %11s\n' "retry-storm.yaml" "$P_EV" "$P_ATT" "$P_W" "$P_EPS" "$(rss "$P_RSS" "$P_ERSS")"
    printf '%-34s %11s %11s %9s %13s %11s\n' "storm-all.yaml (every mechanism)" "$A_EV" "$A_ATT" "$A_W" "$A_EPS" "$(rss "$A_RSS" "$A_ERSS")"
    printf 'events/s, every mechanism on vs none: %s\n' "$(div "$A_EPS" "$P_EPS" "%.2f")"
fi

# ---- timers: a timeout that never fires ----------------------------------
#
# bench/timers.sh: bench/mm4.yaml against bench/mm4-timeout.yaml (wall, user
# CPU, callgrind instructions).  EDDY_BENCH_TIMERS=0 skips it.
if [ "${EDDY_BENCH_TIMERS:-1}" != 0 ]; then
    echo
    EDDY="$EDDY" BENCH_REPEAT="$REPEAT" sh bench/timers.sh
fi
