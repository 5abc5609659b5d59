#!/usr/bin/env python3
"""png_pixels.py -- count a screenshot's pixels near given colours (for tests/browser.sh).

usage: png_pixels.py FILE.png RRGGBB[:TOL] ...

Prints "WIDTHxHEIGHT" and then, for each colour, how many pixels lie within
TOL (default 12) of it on every channel.  A plain PNG decoder (8-bit RGB or
RGBA, non-interlaced, as Chromium writes them) on the standard library alone,
so the browser test needs no imaging package."""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise SystemExit(f"{path}: unsupported PNG (depth {depth}, colour type {ctype})")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    w, h, bpp, rows = decode(sys.argv[1])
    print(f"{w}x{h}")
    for spec in sys.argv[2:]:
        hexc, _, tol = spec.partition(":")
        tol = int(tol) if tol else 12
        r, g, b = (int(hexc[k:k + 2], 16) for k in (0, 2, 4))
        n = 0
        for line in rows:
            for x in range(0, len(line), bpp):
                if abs(line[x] - r) <= tol and abs(line[x + 1] - g) <= tol and abs(line[x + 2] - b) <= tol:
                    n += 1
        print(f"{hexc} {n}")


if __name__ == "__main__":
    main()
