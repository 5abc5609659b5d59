#!/usr/bin/env python3
"""bench/gen_sd_loops.py -- a stock-and-flow model with a very large number
of feedback loops, for `eddy loops MODEL.xmile --dominance` (bench/sd_loops.sh).

    python3 bench/gen_sd_loops.py LAYERS WIDTH > model.xmile

LAYERS x WIDTH stocks in a ring of layers.  Each stock S_k_j grows by an
inflow that reads every stock of the layer before it (the last layer feeds
the first), limited by its own level (logistic: 1 - S/capacity), and drains
by an outflow S/lifetime.  Every path around the ring closes its own
reinforcing loop -- WIDTH**LAYERS of them -- and every stock has two
balancing loops of its own (the crowding and the drain).  Growth first,
then crowding: the dominance shifts from the ring through every layer's
first stock (the strongest: that stock weighs 0.7 of the next inflow) to
the balancing loops.
The rates differ a little per stock (deterministically), so loop scores do
not tie."""
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_sd_loops.py LAYERS WIDTH")
    layers, width = int(sys.argv[1]), int(sys.argv[2])
    out = []
    w = out.append
    w('<?xml version="1.0" encoding="utf-8"?>')
    w('<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" version="1.0">')
    w('  <header><vendor>eddy bench</vendor><product version="1">gen_sd_loops.py</product></header>')
    w('  <sim_specs method="Euler" time_units="Days"><start>0</start><stop>60</stop><dt>0.25</dt></sim_specs>')
    w('  <model><variables>')
    for k in range(layers):
        prev = (k - 1) % layers
        for j in range(width):
            s = f"S_{k}_{j}"
            w(f'    <stock name="{s}"><eqn>1</eqn><inflow>in_{k}_{j}</inflow><outflow>out_{k}_{j}</outflow></stock>')
            # the first stock of the layer before weighs most: the ring
            # through every layer's first stock is the strongest loop
            ring = f"0.7 * S_{prev}_0 + 0.3 * (" + " + ".join(f"S_{prev}_{i}" for i in range(1, width)) + f") / {max(width - 1, 1)}"
            rate = 0.5 + 0.01 * ((7 * k + 3 * j) % 11)
            w(f'    <flow name="in_{k}_{j}"><eqn>{rate:.2f} * ({ring}) * MAX(0, 1 - {s} / 100)</eqn></flow>')
            life = 20 + (5 * k + j) % 7
            w(f'    <flow name="out_{k}_{j}"><eqn>{s} / {life}</eqn></flow>')
    w('  </variables></model>')
    w('</xmile>')
    print("\n".join(out))


if __name__ == "__main__":
    main()
