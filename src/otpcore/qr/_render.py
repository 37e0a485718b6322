"""Drawing a symbol: SVG, PNG, Unicode half blocks and data URIs.

Each renderer takes the symbol as rows of ``0`` (light) and ``1`` (dark)
characters and adds the quiet zone of clause 6.3.8 around it.
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from typing import Final

__all__ = ["data_uri", "png", "svg", "terminal"]

_DARK_RUN: Final = re.compile("1+")
_SVG_NAMESPACE: Final = "http://www.w3.org/2000/svg"

# PNG (ISO/IEC 15948, W3C PNG specification): the file signature, and an
# IHDR for 1-bit greyscale, deflate, adaptive filtering, no interlace.
_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_PNG_BIT_DEPTH: Final = 1
_PNG_GREYSCALE: Final = 0
_PNG_DEFLATE: Final = 0
_PNG_ADAPTIVE: Final = 0
_PNG_NO_INTERLACE: Final = 0
# Each scanline opens with its filter type; 0 is "None".
_PNG_FILTER_NONE: Final = b"\x00"
_ZLIB_LEVEL: Final = 9
# In 1-bit greyscale a 0 bit is black: dark modules are 0, light ones 1.
_PNG_SAMPLES: Final = {"0": "1", "1": "0"}

# Unicode block elements (U+2580 to U+259F): a text cell shows two module
# rows, the upper one in its top half.
_FULL_BLOCK: Final = "\u2588"
_UPPER_HALF: Final = "\u2580"
_LOWER_HALF: Final = "\u2584"
_BLANK: Final = " "
# Below the last module row when the count is odd: left as background.
_OUTSIDE: Final = "x"


def _framed(rows: tuple[str, ...], border: int) -> list[str]:
    """Return ``rows`` with ``border`` light modules on every side."""
    width = len(rows) + 2 * border
    side = "0" * border
    blank = "0" * width
    return (
        [blank] * border + [side + r + side for r in rows] + [blank] * border
    )


def svg(
    rows: tuple[str, ...],
    scale: float,
    border: int,
    dark: str,
    light: str | None,
) -> str:
    """Return a standalone SVG document of the symbol.

    The dark modules are one path of horizontal runs, in module units; the
    document's width and height are the symbol's side times ``scale``.
    """
    side = len(rows) + 2 * border
    runs = [
        f"M{match.start() + border} {y}h{len(match[0])}v1h-{len(match[0])}z"
        for y, row in enumerate(rows, start=border)
        for match in _DARK_RUN.finditer(row)
    ]
    pixels = f"{side * scale:g}"
    background = (
        ""
        if light is None
        else f'<rect width="{side}" height="{side}" fill="{light}"/>'
    )
    return (
        f'<svg xmlns="{_SVG_NAMESPACE}" width="{pixels}" height="{pixels}" '
        f'viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
        f'{background}<path fill="{dark}" d="{"".join(runs)}"/></svg>\n'
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """Return one PNG chunk: length, type, data and the CRC of the latter."""
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png(rows: tuple[str, ...], scale: int, border: int) -> bytes:
    """Return a 1-bit greyscale PNG of the symbol, ``scale`` px a module."""
    framed = _framed(rows, border)
    side = len(framed) * scale
    widen = str.maketrans({c: s * scale for c, s in _PNG_SAMPLES.items()})
    # Scanlines are padded to a whole byte; the padding bits are ignored.
    padding = "0" * (-side % 8)
    lines = []
    for row in framed:
        samples = row.translate(widen) + padding
        line = _PNG_FILTER_NONE + int(samples, 2).to_bytes(len(samples) // 8)
        lines.extend([line] * scale)
    header = struct.pack(
        ">IIBBBBB",
        side,
        side,
        _PNG_BIT_DEPTH,
        _PNG_GREYSCALE,
        _PNG_DEFLATE,
        _PNG_ADAPTIVE,
        _PNG_NO_INTERLACE,
    )
    image = zlib.compress(b"".join(lines), _ZLIB_LEVEL)
    return (
        _PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", image)
        + _png_chunk(b"IEND", b"")
    )


def terminal(rows: tuple[str, ...], border: int, *, invert: bool) -> str:
    """Return the symbol as lines of Unicode half blocks.

    A terminal draws characters in its foreground colour over its
    background. With ``invert`` false the light modules are drawn, so that
    a light-on-dark terminal shows dark modules on a light field, as a
    scanner expects; with ``invert`` true the dark modules are.
    """
    ink = "1" if invert else "0"
    cells = {
        (top, bottom): (
            _FULL_BLOCK
            if top == ink and bottom == ink
            else _UPPER_HALF
            if top == ink
            else _LOWER_HALF
            if bottom == ink
            else _BLANK
        )
        for top in "01"
        for bottom in ("0", "1", _OUTSIDE)
    }
    framed = _framed(rows, border)
    if len(framed) % 2:
        framed.append(_OUTSIDE * len(framed[0]))
    return "\n".join(
        "".join(cells[pair] for pair in zip(top, bottom, strict=True))
        for top, bottom in zip(framed[::2], framed[1::2], strict=True)
    )


def data_uri(media_type: str, content: bytes) -> str:
    """Return an RFC 2397 ``data:`` URI carrying ``content`` in base64."""
    return f"data:{media_type};base64,{base64.b64encode(content).decode()}"
