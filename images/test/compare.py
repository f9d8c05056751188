#!/usr/bin/env python3
"""Compares the QEMU monitor's screendump of the twin with the kiosk's headless renderings.

Usage: compare.py SCREENDUMP.ppm OUT.png MAX_MEAN MAX_CHANGED CANDIDATE.png...

Both pictures come from Slint's software renderer with the same fonts (the image's
fonts-noto-core and the host's), so the screen the kiosk drew through DRM/KMS should be
the headless rendering pixel for pixel. The attract screen's big line changes language
every 4 s, so the screendump is compared with every rotation (one headless rendering
each) and the closest one counts. Two figures per candidate, over all pixels:

  mean     mean absolute difference per channel, 0-255
  changed  share of pixels where a channel differs by more than 32

It passes when the closest candidate has mean <= MAX_MEAN and changed <= MAX_CHANGED.
Writes the screendump as OUT.png (to look at), prints one line per candidate and a last
line "COMPARE ok|fail best=NAME mean=... changed=... next=NAME mean=...".
Standard library only (no PIL on these machines): PPM P6 and 8-bit PNG, RGB or RGBA.
"""
import struct
import sys
import zlib


def read_ppm(path):
    data = open(path, "rb").read()
    # P6 <w> <h> <max>\n<bytes>; header fields separated by whitespace, maybe comments.
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P6" or fields[3] != b"255":
        raise SystemExit(f"{path}: not an 8-bit PPM (P6)")
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos : pos + w * h * 3]


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, w = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise SystemExit(f"{path}: only 8-bit RGB/RGBA non-interlaced PNG is read")
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    out = bytearray(w * h * 3)
    prev = bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        elif f != 0:
            raise SystemExit(f"{path}: bad PNG filter {f}")
        if bpp == 3:
            out[y * w * 3 : (y + 1) * w * 3] = line
        else:
            rgb = bytearray(w * 3)
            rgb[0::3], rgb[1::3], rgb[2::3] = line[0::4], line[1::4], line[2::4]
            out[y * w * 3 : (y + 1) * w * 3] = rgb
        prev = line
    return w, h, bytes(out)


def write_png(path, w, h, rgb):
    raw = b"".join(b"\x00" + rgb[y * w * 3 : (y + 1) * w * 3] for y in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
    open(path, "wb").write(png)


def difference(a, b):
    """(mean absolute difference per channel, share of pixels with a channel off by > 32)."""
    # Pure Python: blocks of 64 pixels that are equal are skipped whole, so a picture
    # that matches costs well under a second, and one that does not a few seconds.
    total, changed = 0, 0
    n = len(a) // 3
    row = 3 * 64
    for start in range(0, len(a), row):
        if a[start : start + row] == b[start : start + row]:
            continue  # most of a matching picture: skipped at C speed
        total_changed = _block(a, b, start, min(start + row, len(a)))
        total += total_changed[0]
        changed += total_changed[1]
    return total / (3 * n), changed / n


def _block(a, b, start, end):
    total, changed = 0, 0
    for i in range(start, end, 3):
        d0, d1, d2 = abs(a[i] - b[i]), abs(a[i + 1] - b[i + 1]), abs(a[i + 2] - b[i + 2])
        total += d0 + d1 + d2
        if d0 > 32 or d1 > 32 or d2 > 32:
            changed += 1
    return total, changed


def main():
    if len(sys.argv) < 6:
        raise SystemExit(__doc__)
    dump, out, max_mean, max_changed = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    w, h, shot = read_ppm(dump)
    write_png(out, w, h, shot)
    results = []
    for cand in sys.argv[5:]:
        cw, ch, pix = read_png(cand)
        if (cw, ch) != (w, h):
            print(f"candidate {cand}: {cw}x{ch}, the screen is {w}x{h}")
            results.append((float("inf"), 1.0, cand))
            continue
        mean, changed = difference(shot, pix)
        print(f"candidate {cand}: mean={mean:.3f} changed={changed:.5f}")
        results.append((mean, changed, cand))
    results.sort()
    best = results[0]
    nxt = results[1] if len(results) > 1 else (float("nan"), float("nan"), "-")
    good = best[0] <= max_mean and best[1] <= max_changed
    print(
        f"COMPARE {'ok' if good else 'fail'} size={w}x{h} best={best[2]} mean={best[0]:.3f} "
        f"changed={best[1]:.5f} next={nxt[2]} mean={nxt[0]:.3f} changed={nxt[1]:.5f} "
        f"limits mean<={max_mean} changed<={max_changed}"
    )
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
