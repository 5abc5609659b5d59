#!/usr/bin/python3
"""M/M/4 at utilisation 0.9 in SimPy 2 (classic API): eddy's comparison point.

The model is the one in bench/mm4.yaml: Poisson arrivals at 3600/s, four
servers sharing one FIFO queue of unlimited length, exponential service
times with mean 1 ms (so a = lambda/mu = 3.6 and rho = a/4 = 0.9).  Time is
in seconds, as in eddy's JSON summary.

Usage:  /usr/bin/python3 bench/mm4_simpy.py [N]     (N arrivals, default 200000)
        /usr/bin/python3 bench/mm4_simpy.py --theory

Prints one JSON line:
  {"requests": N, "completed": N, "wall_seconds": ..., "requests_per_second": ...,
   "mean_response": ..., "theory_mean_response": ..., "simpy": "2.3.1"}

SimPy 2 is Debian's python3-simpy, importable only by /usr/bin/python3.
"""

import json
import math
import random
import sys
import time

ARRIVAL_RATE = 3600.0   # lambda, per second
SERVICE_MEAN = 0.001    # 1/mu, seconds
SERVERS = 4


def erlang_c(c, a):
    """Probability that an arrival waits in M/M/c with offered load a = lambda/mu."""
    term = 1.0
    below = 0.0             # sum_{k<c} a^k / k!
    for k in range(c):
        below += term
        term *= a / (k + 1)  # after the loop, term = a^c / c!
    top = term * c / (c - a)
    return top / (below + top)


def theory_mean_response(lam=ARRIVAL_RATE, mean=SERVICE_MEAN, c=SERVERS):
    """Mean time in system W = 1/mu + C(c, a) / (c*mu - lambda)."""
    mu = 1.0 / mean
    a = lam / mu
    return 1.0 / mu + erlang_c(c, a) / (c * mu - lam)


def run_simpy(n):
    from SimPy.Simulation import (Process, Resource, activate, hold,
                                  initialize, now, release, request,
                                  simulate)

    stats = {"completed": 0, "total_response": 0.0}

    class Customer(Process):
        def visit(self, servers, service):
            arrived = now()
            yield request, self, servers
            yield hold, self, service
            yield release, self, servers
            stats["completed"] += 1
            stats["total_response"] += now() - arrived

    class Source(Process):
        def generate(self, n, servers):
            expo = random.expovariate
            for _ in range(n):
                c = Customer()
                activate(c, c.visit(servers, expo(1.0 / SERVICE_MEAN)))
                yield hold, self, expo(ARRIVAL_RATE)

    random.seed(1)
    start = time.perf_counter()
    initialize()
    servers = Resource(capacity=SERVERS, name="mm4")  # FIFO, unlimited queue
    src = Source()
    activate(src, src.generate(n, servers))
    simulate(until=1e18)    # ends when the event list drains
    wall = time.perf_counter() - start

    done = stats["completed"]
    return {
        "requests": n,
        "completed": done,
        "wall_seconds": wall,
        "requests_per_second": n / wall if wall > 0 else 0.0,
        "mean_response": stats["total_response"] / done if done else 0.0,
        "theory_mean_response": theory_mean_response(),
        "simpy": simpy_version(),
    }


def simpy_version():
    try:
        import SimPy
        return getattr(SimPy, "__version__", "2")
    except ImportError:
        return None


def main(argv):
    if len(argv) > 1 and argv[1] == "--theory":
        print(json.dumps({"theory_mean_response": theory_mean_response(),
                          "erlang_c": erlang_c(SERVERS, ARRIVAL_RATE * SERVICE_MEAN)}))
        return 0
    try:
        n = int(argv[1]) if len(argv) > 1 else 200000
    except ValueError:
        sys.stderr.write("usage: mm4_simpy.py [N | --theory]\n")
        return 2
    if n <= 0:
        sys.stderr.write("mm4_simpy.py: N must be positive\n")
        return 2
    try:
        import SimPy.Simulation  # noqa: F401
    except ImportError:
        sys.stderr.write("mm4_simpy.py: SimPy 2 not importable by %s; "
                         "run it with /usr/bin/python3 (apt-get install python3-simpy)\n"
                         % sys.executable)
        return 3
    print(json.dumps(run_simpy(n)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
