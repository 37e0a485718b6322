"""The renderers: PNG read by zbarimg, SVG and terminal text read back.

zbarimg is Debian's zbar-tools program, installed by CI; when it is
missing the tests that use it fail rather than skip.
"""

from __future__ import annotations

import base64
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

from _qr import bitmap, decode, read
from otpcore.errors import InvalidQrParameterError
from otpcore.qr import (
    DEFAULT_BORDER,
    DEFAULT_PNG_SCALE,
    DEFAULT_SVG_SCALE,
    QrCode,
)

SVG = "{http://www.w3.org/2000/svg}"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
URIS = {
    "plain": (
        "otpauth://totp/Example%20Co:alice%40example.com"
        f"?secret={SECRET}&issuer=Example%20Co"
    ),
    "all-params": (
        "otpauth://totp/ACME:a.long.account.name%40example.com"
        f"?secret={SECRET}&issuer=ACME&algorithm=SHA256&digits=8&period=60"
    ),
    "hotp": f"otpauth://hotp/bob?secret={SECRET[:16]}&counter=0",
    "upper-case": f"OTPAUTH://TOTP/BOB?SECRET={SECRET}",
}
FULL, UPPER, LOWER, BLANK = "\u2588", "\u2580", "\u2584", " "


@pytest.fixture(scope="module")
def zbarimg() -> str:
    """The path of zbarimg; a missing program fails the test."""
    path = shutil.which("zbarimg")
    assert path is not None, "zbarimg (Debian zbar-tools) is not installed"
    return path


def framed(qr: QrCode, border: int) -> list[list[bool]]:
    """Return the modules with ``border`` light modules around them."""
    width = qr.size + 2 * border
    blank = [False] * width
    side = [False] * border
    return (
        [blank] * border
        + [side + list(row) + side for row in qr.modules]
        + [blank] * border
    )


# PNG.


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Split a PNG into chunks, checking the signature and every CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks = []
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(
            ">I", data[offset + 8 + length : offset + 12 + length]
        )
        assert crc == zlib.crc32(kind + body), f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        offset += 12 + length
    return chunks


def png_pixels(data: bytes) -> list[list[bool]]:
    """Decode a 1-bit greyscale PNG into rows of "is black"."""
    chunks = png_chunks(data)
    kinds = [kind for kind, _ in chunks]
    assert kinds[0] == b"IHDR"
    assert kinds[-1] == b"IEND"
    width, height, depth, colour, method, filtering, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1]
    )
    assert (depth, colour, method, filtering, interlace) == (1, 0, 0, 0, 0)
    raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    stride = 1 + (width + 7) // 8
    assert len(raw) == stride * height
    rows = []
    for y in range(height):
        line = raw[y * stride : (y + 1) * stride]
        assert line[0] == 0, "only filter type None is written"
        bits = int.from_bytes(line[1:], "big")
        total = 8 * (stride - 1)
        rows.append([not bits >> (total - 1 - x) & 1 for x in range(width)])
    return rows


@pytest.mark.parametrize("border", [0, 1, 4], ids=lambda b: f"border{b}")
@pytest.mark.parametrize("scale", [1, 3, 8], ids=lambda s: f"scale{s}")
def test_png_pixels_are_the_modules(scale: int, border: int) -> None:
    """Each module is a scale x scale square; CRCs and header are valid."""
    qr = QrCode.encode(URIS["plain"])

    pixels = png_pixels(qr.png(scale, border=border))

    expected = [
        [dark for dark in row for _ in range(scale)]
        for row in framed(qr, border)
        for _ in range(scale)
    ]
    assert pixels == expected


def test_png_defaults() -> None:
    """By default a module is 8 pixels and the quiet zone 4 modules."""
    qr = QrCode.encode(URIS["plain"])

    pixels = png_pixels(qr.png())

    side = (qr.size + 2 * DEFAULT_BORDER) * DEFAULT_PNG_SCALE
    assert (len(pixels), len(pixels[0])) == (side, side)


@pytest.mark.parametrize("uri", URIS.values(), ids=URIS.keys())
def test_zbarimg_reads_the_png(uri: str, zbarimg: str, tmp_path: Path) -> None:
    """The zbarimg program reads our PNG back as the URI."""
    path = tmp_path / "code.png"
    path.write_bytes(QrCode.encode(uri).png(scale=4))

    result = subprocess.run(
        [zbarimg, "--raw", "-q", str(path)],
        capture_output=True,
        check=True,
        timeout=30,
    )

    assert result.stdout.decode() == uri + "\n"


@pytest.mark.parametrize(
    "data",
    [b"", "Zo\u00eb \u65e5\u672c".encode(), bytes(range(256))],
    ids=["empty", "utf-8", "every-byte"],
)
def test_zbarimg_reads_the_bytes(
    data: bytes, zbarimg: str, tmp_path: Path
) -> None:
    """In binary mode zbarimg gives back exactly the bytes encoded."""
    path = tmp_path / "code.png"
    path.write_bytes(QrCode.encode(data).png(scale=3))

    result = subprocess.run(
        [zbarimg, "--raw", "-q", "-Sbinary", str(path)],
        capture_output=True,
        check=True,
        timeout=30,
    )

    assert result.stdout == data


# SVG.


def parse(document: str) -> ET.Element:
    """Parse an SVG document that otpcore wrote."""
    # Our own output, in a test: no untrusted XML reaches the parser.
    return ET.fromstring(document)  # noqa: S314


def svg_modules(document: str) -> tuple[ET.Element, list[list[bool]]]:
    """Parse an SVG and fill in the rectangles its one path draws."""
    root = parse(document)
    paths = root.findall(f".//{SVG}path")
    assert len(paths) == 1
    side = int(root.get("viewBox", "").split()[2])
    grid = [[False] * side for _ in range(side)]
    commands = paths[0].get("d", "")
    rectangle = re.compile(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z")
    assert rectangle.sub("", commands) == ""
    for match in rectangle.finditer(commands):
        x, y, width, back = map(int, match.groups())
        assert width == back
        for column in range(x, x + width):
            assert not grid[y][column], "runs overlap"
            grid[y][column] = True
    return root, grid


@pytest.mark.parametrize("border", [0, 4], ids=lambda b: f"border{b}")
@pytest.mark.parametrize("uri", URIS.values(), ids=URIS.keys())
def test_svg_path_draws_the_modules(uri: str, border: int) -> None:
    """The single path covers exactly the dark modules."""
    qr = QrCode.encode(uri)

    _, grid = svg_modules(qr.svg(border=border))

    assert grid == framed(qr, border)


def test_svg_is_a_standalone_document() -> None:
    """Namespace, size, viewBox, crisp edges and the two colours are set."""
    qr = QrCode.encode(URIS["plain"])

    root, grid = svg_modules(qr.svg(5, dark="#123456", light="white"))

    side = qr.size + 2 * DEFAULT_BORDER
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == root.get("height") == str(side * 5)
    assert root.get("viewBox") == f"0 0 {side} {side}"
    assert root.get("shape-rendering") == "crispEdges"
    (background,) = root.findall(f"{SVG}rect")
    assert background.get("fill") == "white"
    assert root.findall(f"{SVG}path")[0].get("fill") == "#123456"
    assert decode(grid[4:-4]).text == URIS["plain"]


def test_svg_without_background() -> None:
    """``light=None`` leaves the background transparent: no rectangle."""
    root, _ = svg_modules(QrCode.encode("x").svg(light=None))

    assert root.findall(f"{SVG}rect") == []


def test_svg_default_and_fractional_scale() -> None:
    """The default is 4 units a module; fractions are written plainly."""
    qr = QrCode.encode("x")
    side = qr.size + 2 * DEFAULT_BORDER

    default = parse(qr.svg())
    fractional = parse(qr.svg(2.5))

    assert default.get("width") == str(side * DEFAULT_SVG_SCALE)
    assert fractional.get("width") == f"{side * 2.5:g}"


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("dark", 'red"/><script>alert(1)</script><path d="'),
        ("dark", "url(#x)"),
        ("dark", "#12345"),
        ("dark", None),
        ("light", "rgb(0,0,0)"),
        ("light", 0),
    ],
    ids=repr,
)
def test_svg_colours_cannot_inject_markup(
    parameter: str, value: object
) -> None:
    """Only hex colours and colour names reach the document."""
    qr = QrCode.encode("x")

    with pytest.raises(InvalidQrParameterError) as raised:
        qr.svg(**{parameter: value})  # type: ignore[arg-type]

    assert raised.value.parameter == parameter
    assert "script" not in str(raised.value)


# Terminal.


def terminal_bitmap(text: str, *, lit_is_light: bool) -> list[list[bool]]:
    """Return what a terminal shows as rows of "is dark".

    Each character is two pixels tall; the half a block fills is drawn in
    the foreground colour, the rest shows the background.
    """
    halves = {FULL: (1, 1), UPPER: (1, 0), LOWER: (0, 1), BLANK: (0, 0)}
    rows: list[list[bool]] = []
    for line in text.split("\n"):
        top = [bool(halves[c][0]) for c in line]
        bottom = [bool(halves[c][1]) for c in line]
        rows += [top, bottom]
    return [[lit != lit_is_light for lit in row] for row in rows]


@pytest.mark.parametrize("border", [0, 1, 2, 4], ids=lambda b: f"border{b}")
def test_terminal_dimensions(border: int) -> None:
    """Two module rows a line, one column a module, no trailing newline."""
    qr = QrCode.encode(URIS["plain"])

    text = qr.terminal(border=border)

    lines = text.split("\n")
    side = qr.size + 2 * border
    assert len(lines) == (side + 1) // 2
    assert all(len(line) == side for line in lines)
    assert set(text) <= {FULL, UPPER, LOWER, BLANK, "\n"}


def test_terminal_draws_the_modules() -> None:
    """Read back half by half, the text is the symbol and its quiet zone."""
    qr = QrCode.encode(URIS["hotp"])

    shown = terminal_bitmap(qr.terminal(), lit_is_light=True)

    expected = framed(qr, DEFAULT_BORDER)
    # The symbol's side is odd: the last line's lower half is background.
    assert shown[:-1] == expected
    assert all(shown[-1])


@pytest.mark.parametrize("uri", URIS.values(), ids=URIS.keys())
def test_terminal_scans_on_a_dark_background(uri: str) -> None:
    """Light modules drawn in light text on black read without inverting."""
    text = QrCode.encode(uri).terminal()

    shown = terminal_bitmap(text, lit_is_light=True)
    # The terminal's black background runs on beyond the text.
    side = [True] * 4
    wide = [side + row + side for row in shown]
    margin = [[True] * len(wide[0])] * 4
    screen = bitmap(margin + wide + margin, scale=3, border=0)
    found = read(screen, try_invert=False)

    assert [d.text for d in found] == [uri]


def test_inverted_terminal_scans_on_a_light_background() -> None:
    """``invert=True`` draws dark modules, for dark text on white."""
    text = QrCode.encode(URIS["plain"]).terminal(invert=True)

    shown = terminal_bitmap(text, lit_is_light=False)
    found = read(bitmap(shown, scale=3), try_invert=False)

    assert [d.text for d in found] == [URIS["plain"]]


def test_terminal_quiet_zone_is_drawn() -> None:
    """The top lines of the default output are solid blocks."""
    text = QrCode.encode("x").terminal()

    lines = text.split("\n")

    assert lines[0] == lines[1] == FULL * len(lines[0])


# Data URIs.


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_data_uri_carries_the_image(kind: str) -> None:
    """The data URI holds the renderer's output in base64."""
    qr = QrCode.encode(URIS["plain"])

    uri = qr.data_uri(kind)

    media, payload = uri.split(",", 1)
    if kind == "svg":
        assert media == "data:image/svg+xml;base64"
        assert base64.b64decode(payload).decode() == qr.svg()
    else:
        assert media == "data:image/png;base64"
        assert base64.b64decode(payload) == qr.png()


def test_data_uri_passes_scale_and_border() -> None:
    """Scale and border reach the renderer."""
    qr = QrCode.encode("x")

    uri = qr.data_uri("png", scale=2, border=1)

    assert base64.b64decode(uri.split(",", 1)[1]) == qr.png(2, border=1)


# Refusals.


RENDERER_REFUSALS = [
    ("svg", {"scale": 0}, "scale"),
    ("svg", {"scale": -1}, "scale"),
    ("svg", {"scale": 65}, "scale"),
    ("svg", {"scale": float("nan")}, "scale"),
    ("svg", {"scale": "4"}, "scale"),
    ("svg", {"scale": True}, "scale"),
    ("svg", {"border": -1}, "border"),
    ("png", {"scale": 0}, "scale"),
    ("png", {"scale": 2.5}, "scale"),
    ("png", {"scale": 65}, "scale"),
    ("png", {"border": 65}, "border"),
    ("png", {"border": "4"}, "border"),
    ("terminal", {"border": -1}, "border"),
    ("data_uri", {"kind": "gif"}, "kind"),
    ("data_uri", {"kind": None}, "kind"),
    ("data_uri", {"kind": "png", "scale": 0}, "scale"),
]


@pytest.mark.parametrize(
    ("method", "arguments", "parameter"),
    RENDERER_REFUSALS,
    ids=[f"{m}-{a}" for m, a, _ in RENDERER_REFUSALS],
)
def test_bad_renderer_parameters_are_refused(
    method: str, arguments: dict[str, object], parameter: str
) -> None:
    """Out-of-range scales and borders and unknown kinds name the parameter."""
    render = getattr(QrCode.encode("x"), method)

    with pytest.raises(InvalidQrParameterError) as raised:
        render(**arguments)

    assert raised.value.parameter == parameter
