"""Small PNG sparklines for mails, drawn and encoded here (zlib + struct, no imaging library).

Mail clients block scripts and most ignore inline SVG, but all show a PNG attached to the
message and referenced by Content-ID. A sparkline is drawn at twice its display size (for
sharp lines on high-density screens) into an indexed-colour bitmap: 0 background, 1 line,
2 the dashed mean, 3 the last point.
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from collections.abc import Sequence

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDTH, HEIGHT = 120, 32
SCALE = 2
PADDING = 3
PALETTE = (
    (255, 255, 255),  # background
    (31, 95, 191),  # line: a blue that reads on white for colour-blind readers too
    (170, 170, 170),  # mean
    (204, 85, 0),  # last point: orange
)
BACKGROUND, LINE, MEAN, LAST = range(4)

Bitmap = list[bytearray]


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC-32 of type and data."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def encode_png(bitmap: Bitmap, palette: Sequence[tuple[int, int, int]] = PALETTE) -> bytes:
    """An 8-bit indexed-colour PNG of `bitmap` (rows of palette indices)."""
    height, width = len(bitmap), len(bitmap[0])
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    colours = b"".join(bytes(rgb) for rgb in palette)
    raw = b"".join(b"\x00" + bytes(row) for row in bitmap)  # filter type 0 per row
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"PLTE", colours)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def _dot(bitmap: Bitmap, x: int, y: int, colour: int, radius: int) -> None:
    """A filled square of side 2 * radius + 1 centred on (x, y), clipped to the bitmap."""
    for yy in range(max(y - radius, 0), min(y + radius + 1, len(bitmap))):
        row = bitmap[yy]
        for xx in range(max(x - radius, 0), min(x + radius + 1, len(row))):
            row[xx] = colour


def _segment(bitmap: Bitmap, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A thick line from start to end, stamped at every pixel step."""
    (x0, y0), (x1, y1) = start, end
    steps = max(int(max(abs(x1 - x0), abs(y1 - y0))), 1)
    for i in range(steps + 1):
        t = i / steps
        _dot(bitmap, round(x0 + (x1 - x0) * t), round(y0 + (y1 - y0) * t), LINE, SCALE // 2)


def _y_scale(low: float, high: float, height: int) -> tuple[float, float]:
    """(offset, slope) mapping a value v to pixel row offset + slope * (high - v)."""
    pad = PADDING * SCALE
    span = height - 1 - 2 * pad
    if high == low:
        return pad + span / 2, 0.0
    return float(pad), span / (high - low)


def _points(values: Sequence[float], width: int, height: int) -> list[tuple[float, float]]:
    """Pixel coordinates of the values, scaled into the bitmap inside the padding."""
    low, high = min(values), max(values)
    offset, slope = _y_scale(low, high, height)
    pad = PADDING * SCALE
    step = (width - 1 - 2 * pad) / max(len(values) - 1, 1)
    return [(pad + i * step, offset + slope * (high - v)) for i, v in enumerate(values)]


def _mean_line(bitmap: Bitmap, y: float) -> None:
    """A dashed horizontal line at height y."""
    row = bitmap[round(y)]
    for x in range(0, len(row), 6 * SCALE):
        for xx in range(x, min(x + 3 * SCALE, len(row))):
            row[xx] = MEAN


def sparkline(values: Sequence[float | None]) -> bytes | None:
    """A PNG line of the finite values (None when fewer than two), with mean and last dot."""
    finite = [float(v) for v in values if v is not None and math.isfinite(v)]
    if len(finite) < 2:
        return None
    width, height = WIDTH * SCALE, HEIGHT * SCALE
    bitmap = [bytearray(width) for _ in range(height)]
    offset, slope = _y_scale(min(finite), max(finite), height)
    _mean_line(bitmap, offset + slope * (max(finite) - sum(finite) / len(finite)))
    points = _points(finite, width, height)
    for start, end in itertools.pairwise(points):
        _segment(bitmap, start, end)
    last_x, last_y = points[-1]
    _dot(bitmap, round(last_x), round(last_y), LAST, SCALE + 1)
    return encode_png(bitmap)
