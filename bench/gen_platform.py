#!/usr/bin/env python3
"""bench/gen_platform.py -- a layered service platform of N services, as a
platform team would have: one gateway, then layers that widen towards the
data stores.  Every service calls two services of the next layer, each call
with a timeout and 3 attempts on timeout (so every call edge closes its own
retry-storm loop); every other service has a bounded queue (each closes a
balancing loop of load shedding); the deepest layer slows down for 20 s.

With --metastable, the client sends 60/s (the gateway about 77% busy) and
the fault is one second of added latency on the gateway's two callees for
10 s: the gateway's queue outgrows the client's timeout, its retries keep
it full, and the storm outlives the fault (`eddy diagnose`: metastable).

usage: gen_platform.py N [--metastable] [> platform.yaml]

Deterministic: the same N always gives the same file.  Used by
bench/loops.sh (`make bench`) for `eddy loops`, `diagnose` and `report`."""
import sys


def layers(n):
    """Layer widths: 1, then growing by x2.5 until n is used up."""
    widths, left, w = [1], n - 1, 2
    while left > 0:
        w = min(w, left)
        widths.append(w)
        left -= w
        w = int(w * 2.5) + 1
    return widths


def main():
    args = sys.argv[1:]
    meta = "--metastable" in args
    args = [a for a in args if a != "--metastable"]
    if len(args) != 1 or not args[0].isdigit() or int(args[0]) < 2:
        sys.exit("usage: gen_platform.py N [--metastable]   (N >= 2 services)")
    n = int(args[0])
    widths = layers(n)
    names, at = [], 0
    for k, w in enumerate(widths):
        names.append(["s%d" % (at + i) for i in range(w)])
        at += w
    out = ["# A layered platform of %d services in %d layers %s (bench/gen_platform.py)." % (n, len(widths), widths),
           "duration: 60s",
           "clients:",
           "  users: {rate: %d/s, call: %s, timeout: 5s, retry: {attempts: 3, on: [timeout]}}"
           % (60 if meta else 20, names[0][0]),
           "services:"]
    for k, layer in enumerate(names):
        nxt = names[k + 1] if k + 1 < len(names) else []
        for i, s in enumerate(layer):
            idx = int(s[1:])
            queue = "100" if idx % 2 else "unlimited"
            line = "  %s: {workers: 20, queue: %s, service_time: 2ms" % (s, queue)
            if nxt:
                a = nxt[(2 * i) % len(nxt)]
                b = nxt[(2 * i + 1) % len(nxt)]
                timeout = max(50, 1000 - 150 * k)
                calls = ["{to: %s, timeout: %dms, retry: {attempts: 3, on: [timeout]}}" % (t, timeout)
                         for t in sorted({a, b}, key=lambda x: int(x[1:]))]
                line += ", calls: [%s]" % ", ".join(calls)
            out.append(line + "}")
    out += ["faults:"]
    if meta:
        for s in names[1][:2]:
            out.append("  - {at: 20s, for: 10s, target: %s, add_latency: 1s}" % s)
    else:
        for s in names[-1][:3]:
            out.append("  - {at: 20s, for: 20s, target: %s, slow: 10}" % s)
    print("\n".join(out))


main()
