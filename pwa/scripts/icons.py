"""Draw the app icons (a bowl of bakso) as PNGs with the standard library only.

Run once when the design changes: python3 pwa/scripts/icons.py
The maskable icon keeps its drawing inside the central 80% safe zone.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "public" / "icons"
GREEN = (11, 93, 59)
WHITE = (255, 255, 255)
BROWN = (120, 72, 40)
BROTH = (240, 196, 120)


def png(width: int, pixels: list[bytes]) -> bytes:
    raw = b"".join(b"\x00" + row for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, width, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def colour_at(x: float, y: float, scale: float) -> tuple[int, int, int]:
    """The drawing in unit coordinates (0..1), shrunk by `scale` around the centre."""
    u = (x - 0.5) / scale + 0.5
    v = (y - 0.5) / scale + 0.5
    for cx, cy, r in ((0.38, 0.46, 0.11), (0.6, 0.44, 0.12), (0.5, 0.56, 0.1)):
        if (u - cx) ** 2 + (v - cy) ** 2 <= r * r:
            return BROWN
    # bowl: lower half of a circle, with broth at its rim
    if v >= 0.52 and (u - 0.5) ** 2 + (v - 0.52) ** 2 <= 0.36**2:
        return WHITE
    if 0.5 <= v < 0.56 and abs(u - 0.5) <= 0.36:
        return BROTH
    return GREEN


def draw(size: int, scale: float) -> bytes:
    samples = 3  # supersampling for smooth edges
    rows = []
    for j in range(size):
        row = bytearray()
        for i in range(size):
            acc = [0, 0, 0]
            for sj in range(samples):
                for si in range(samples):
                    c = colour_at(
                        (i + (si + 0.5) / samples) / size, (j + (sj + 0.5) / samples) / size, scale
                    )
                    for k in range(3):
                        acc[k] += c[k]
            row += bytes(round(a / samples**2) for a in acc)
        rows.append(bytes(row))
    return png(size, rows)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "icon-192.png").write_bytes(draw(192, 1.0))
    (OUT / "icon-512.png").write_bytes(draw(512, 1.0))
    (OUT / "maskable-512.png").write_bytes(draw(512, 0.72))
    (OUT / "apple-touch-icon.png").write_bytes(draw(180, 0.85))
    print("icons written to", OUT)
