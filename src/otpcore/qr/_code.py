"""The QR code symbol and the encoder that builds it."""

from __future__ import annotations

import math
import re
from typing import Final

from otpcore.errors import DataTooLongError, InvalidQrParameterError
from otpcore.qr import _render
from otpcore.qr._matrix import format_overlay, layout, unpack
from otpcore.qr._penalty import penalty
from otpcore.qr._reedsolomon import final_message
from otpcore.qr._segment import (
    MODES,
    Segment,
    can_carry,
    data_codewords,
    fits,
    make_segment,
    max_count,
    smallest_version,
)
from otpcore.qr._tables import (
    MAX_VERSION,
    MIN_VERSION,
    NUM_MASKS,
    QUIET_ZONE,
    EcLevel,
    Mode,
)

__all__ = [
    "DEFAULT_BORDER",
    "DEFAULT_ECC",
    "DEFAULT_PNG_SCALE",
    "DEFAULT_SVG_SCALE",
    "MAX_BORDER",
    "MAX_SCALE",
    "QrCode",
    "encode",
]

#: Level M recovers about 15 % of the codewords (clause 7.5.1, Table 12):
#: the usual choice for a code shown on a screen.
DEFAULT_ECC: Final = "M"
#: Clause 6.3.8: the quiet zone is 4 modules wide.
DEFAULT_BORDER: Final = QUIET_ZONE
#: SVG user units per module; the drawing scales without loss anyway.
DEFAULT_SVG_SCALE: Final = 4
#: PNG pixels per module: a version 7 symbol with its quiet zone makes
#: 424 pixels a side, comfortable for a phone camera.
DEFAULT_PNG_SCALE: Final = 8
#: The largest scale and border a renderer accepts. They bound the memory
#: one call can take when the values come from a request: a version 40 PNG
#: at this scale holds about 18 MB of pixels.
MAX_SCALE: Final = 64
MAX_BORDER: Final = 64

_LEVELS: Final = {level.name: level for level in EcLevel}
# Colours written into SVG attributes: hex forms and CSS colour names only,
# so a caller's value cannot close the attribute and inject markup.
_COLOUR: Final = re.compile(
    r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]{1,32}"
)
_UNITS: Final = {
    Mode.NUMERIC: "digits",
    Mode.ALPHANUMERIC: "characters",
    Mode.BYTE: "bytes",
}
_MEDIA_TYPES: Final = {"svg": "image/svg+xml", "png": "image/png"}
_DARK: Final = {"0": False, "1": True}


def _kind(value: object) -> str:
    """Describe a refused value without showing a string's content."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int | float):
        return f"{value!r}"
    if isinstance(value, str):
        return f"a str of length {len(value)}"
    return f"a {type(value).__name__}"


def _payload(data: object) -> bytes:
    if isinstance(data, str):
        try:
            return data.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidQrParameterError(
                "data",
                "text must be encodable as UTF-8; it holds a lone surrogate",
            ) from None
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    raise InvalidQrParameterError(
        "data", f"expected str or bytes, got {_kind(data)}"
    )


def _level(ecc: object) -> EcLevel:
    level = _LEVELS.get(ecc.upper()) if isinstance(ecc, str) else None
    if level is None:
        raise InvalidQrParameterError(
            "ecc", f"expected one of 'L', 'M', 'Q' or 'H', got {_kind(ecc)}"
        )
    return level


def _whole(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidQrParameterError(
            name, f"expected an int from {low} to {high}, got {_kind(value)}"
        )
    if not low <= value <= high:
        raise InvalidQrParameterError(
            name, f"expected {low} to {high}, got {value}"
        )
    return value


def _mode(mode: object, data: bytes) -> Mode | None:
    if mode is None:
        return None
    chosen = MODES.get(mode.lower()) if isinstance(mode, str) else None
    if chosen is None:
        raise InvalidQrParameterError(
            "mode",
            "expected 'numeric', 'alphanumeric', 'byte' or None, got "
            f"{_kind(mode)}",
        )
    if not can_carry(chosen, data):
        raise InvalidQrParameterError(
            "mode",
            f"{chosen.label} mode cannot carry this data; it holds a "
            "character outside that mode's set",
        )
    return chosen


def _too_long(
    segment: Segment, level: EcLevel, version: int | None
) -> DataTooLongError:
    """Explain, without the data, why it fits no symbol."""
    last = MAX_VERSION if version is None else version
    unit = _UNITS[segment.mode]
    if version is None:
        where = f"the largest symbol, version {last} at level {level.name},"
    else:
        where = f"version {last} at level {level.name}"
    return DataTooLongError(
        f"data: {segment.count} {unit} in {segment.mode.label} mode do not "
        f"fit; {where} holds at most "
        f"{max_count(segment.mode, last, level)} {unit}"
    )


def _scale(value: object, *, whole: bool) -> float:
    if whole:
        return _whole(value, "scale", 1, MAX_SCALE)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 < value <= MAX_SCALE
    ):
        raise InvalidQrParameterError(
            "scale",
            f"expected a number above 0 and at most {MAX_SCALE}, got "
            f"{_kind(value)}",
        )
    return value


def _media_type(kind: object) -> str:
    media_type = _MEDIA_TYPES.get(kind) if isinstance(kind, str) else None
    if media_type is None:
        raise InvalidQrParameterError(
            "kind", f"expected 'svg' or 'png', got {_kind(kind)}"
        )
    return media_type


def _colour(value: object, name: str) -> str:
    if not isinstance(value, str) or _COLOUR.fullmatch(value) is None:
        raise InvalidQrParameterError(
            name,
            "expected a colour as #rgb, #rgba, #rrggbb, #rrggbbaa or a CSS "
            f"colour name, got {_kind(value)}",
        )
    return value


class QrCode:
    """A QR code symbol (ISO/IEC 18004 model 2), ready to draw.

    Build one with :meth:`encode`. The symbol keeps no copy of the data it
    encodes, and its ``repr`` shows only the version, level, mask, mode
    and size: an otpauth URI carries a secret. Symbols are immutable.
    """

    __slots__ = ("_ecc", "_mask", "_mode", "_modules", "_rows", "_version")

    def __init__(
        self,
        rows: tuple[str, ...],
        *,
        version: int,
        ecc: str,
        mask: int,
        mode: str,
    ) -> None:
        """Wrap rows of ``0`` and ``1``; use :meth:`encode` instead."""
        self._rows = rows
        self._version = version
        self._ecc = ecc
        self._mask = mask
        self._mode = mode
        self._modules = tuple(
            tuple(map(_DARK.__getitem__, row)) for row in rows
        )

    @property
    def version(self) -> int:
        """The version, 1 to 40."""
        return self._version

    @property
    def ecc(self) -> str:
        """The error correction level: ``"L"``, ``"M"``, ``"Q"`` or ``"H"``."""
        return self._ecc

    @property
    def mask(self) -> int:
        """The data mask pattern, 0 to 7."""
        return self._mask

    @property
    def mode(self) -> str:
        """The data encoding mode: numeric, alphanumeric or byte."""
        return self._mode

    @property
    def size(self) -> int:
        """Modules per side, ``17 + 4 * version``, without the quiet zone."""
        return len(self._rows)

    @property
    def modules(self) -> tuple[tuple[bool, ...], ...]:
        """The symbol as rows of booleans, True for dark; top row first.

        The quiet zone is not included.
        """
        return self._modules

    @classmethod
    def encode(
        cls,
        data: str | bytes,
        ecc: str = DEFAULT_ECC,
        *,
        version: int | None = None,
        mask: int | None = None,
        mode: str | None = None,
    ) -> QrCode:
        """Encode ``data`` in the smallest QR code that holds it.

        The whole of ``data`` goes into one segment in the most compact
        mode that can carry it: numeric for digits only, alphanumeric for
        digits, upper-case letters and `` $%*+-./:``, byte otherwise. Text
        is encoded as UTF-8 with no ECI header. ASCII reads the same in any
        character set; for other text readers must guess, and while
        zxing-cpp and phone scanners recognise UTF-8, some (zbarimg) may
        not. The standard's default for byte mode is ISO-8859-1.

        Limitations: one segment only, so no mixing of modes within the
        data; no Kanji mode, ECI, structured append, FNC1 or Micro QR.

        Args:
            data: The text or bytes to encode, such as an otpauth URI.
            ecc: The error correction level, ``"L"``, ``"M"``, ``"Q"`` or
                ``"H"`` (either case).
            version: Force this version, 1 to 40, rather than the smallest
                that fits.
            mask: Force this data mask, 0 to 7, rather than the one with
                the lowest penalty score (the lowest number on a tie).
            mode: Force ``"numeric"``, ``"alphanumeric"`` or ``"byte"``
                (either case).

        Returns:
            The symbol.

        Raises:
            DataTooLongError: ``data`` does not fit version 40, or the
                forced version, at the level.
            InvalidQrParameterError: ``data`` is neither str nor bytes,
                or ``ecc``, ``version``, ``mask`` or ``mode`` is not one of
                the allowed values.
        """
        payload = _payload(data)
        level = _level(ecc)
        if version is not None:
            version = _whole(version, "version", MIN_VERSION, MAX_VERSION)
        if mask is not None:
            mask = _whole(mask, "mask", 0, NUM_MASKS - 1)
        segment = make_segment(payload, _mode(mode, payload))

        if version is None:
            version = smallest_version(segment, level)
            if version is None:
                raise _too_long(segment, level, None)
        elif not fits(segment, version, level):
            raise _too_long(segment, level, version)

        codewords = data_codewords(segment, version, level)
        shape = layout(version)
        plain = shape.pack(final_message(codewords, version, level))
        if mask is None:
            mask = min(
                range(NUM_MASKS),
                key=lambda m: penalty(
                    plain ^ shape.masks[m] | format_overlay(version, level, m),
                    shape.size,
                ),
            )
        bits = plain ^ shape.masks[mask] | format_overlay(version, level, mask)
        return cls(
            unpack(bits, shape.size),
            version=version,
            ecc=level.name,
            mask=mask,
            mode=segment.mode.label,
        )

    def svg(
        self,
        scale: float = DEFAULT_SVG_SCALE,
        *,
        border: int = DEFAULT_BORDER,
        dark: str = "#000",
        light: str | None = "#fff",
    ) -> str:
        """Return the symbol as a standalone SVG document.

        The dark modules are a single path in module units, drawn with
        ``shape-rendering="crispEdges"``; ``viewBox`` covers the symbol and
        its quiet zone, and ``width`` and ``height`` are that times
        ``scale``.

        Args:
            scale: User units (pixels) per module, above 0 and at most 64.
            border: The quiet zone in modules, 0 to 64; scanners need 4.
            dark: The colour of dark modules.
            light: The background colour, or None for a transparent one.
                A scanner needs the background light, whatever shows
                through.

        Raises:
            InvalidQrParameterError: A parameter is out of range, or a
                colour is not ``#rgb``, ``#rgba``, ``#rrggbb``,
                ``#rrggbbaa`` or a CSS colour name.
        """
        size = _scale(scale, whole=False)
        margin = _whole(border, "border", 0, MAX_BORDER)
        ink = _colour(dark, "dark")
        paper = None if light is None else _colour(light, "light")
        return _render.svg(self._rows, size, margin, ink, paper)

    def png(
        self, scale: int = DEFAULT_PNG_SCALE, *, border: int = DEFAULT_BORDER
    ) -> bytes:
        """Return the symbol as a black and white PNG image.

        Args:
            scale: Pixels per module, 1 to 64.
            border: The quiet zone in modules, 0 to 64; scanners need 4.

        Raises:
            InvalidQrParameterError: ``scale`` or ``border`` is out of
                range.
        """
        size = int(_scale(scale, whole=True))
        margin = _whole(border, "border", 0, MAX_BORDER)
        return _render.png(self._rows, size, margin)

    def terminal(
        self, *, border: int = DEFAULT_BORDER, invert: bool = False
    ) -> str:
        """Return the symbol as text for a terminal, two rows a line.

        Each character shows two module rows with the Unicode half blocks
        (U+2580, U+2584, U+2588). By default the light modules and the
        quiet zone are drawn, which suits the usual light-on-dark
        terminal: a phone sees dark modules on a light field. On a terminal
        with dark text on a light background, pass ``invert=True``. The
        terminal's font must draw block elements without gaps between lines
        for a camera to read the result.

        Args:
            border: The quiet zone in modules, 0 to 64; scanners need 4.
            invert: Draw the dark modules rather than the light ones.

        Returns:
            ``ceil((size + 2 * border) / 2)`` lines of ``size + 2 * border``
            characters, joined by newlines, with no newline at the end.

        Raises:
            InvalidQrParameterError: ``border`` is out of range.
        """
        margin = _whole(border, "border", 0, MAX_BORDER)
        return _render.terminal(self._rows, margin, invert=bool(invert))

    def data_uri(
        self,
        kind: str = "svg",
        *,
        scale: int | None = None,
        border: int = DEFAULT_BORDER,
    ) -> str:
        """Return the symbol as a ``data:`` URI for an HTML ``<img src>``.

        Args:
            kind: ``"svg"`` or ``"png"``.
            scale: As for :meth:`svg` or :meth:`png`; None for their
                default.
            border: The quiet zone in modules, 0 to 64.

        Raises:
            InvalidQrParameterError: ``kind`` is neither ``"svg"`` nor
                ``"png"``, or another parameter is out of range.
        """
        media_type = _media_type(kind)
        if kind == "png":
            image = self.png(
                DEFAULT_PNG_SCALE if scale is None else scale, border=border
            )
        else:
            image = self.svg(
                DEFAULT_SVG_SCALE if scale is None else scale, border=border
            ).encode()
        return _render.data_uri(media_type, image)

    def __repr__(self) -> str:
        return (
            f"<QrCode version={self.version} ecc={self.ecc} "
            f"mask={self.mask} mode={self.mode} size={self.size}>"
        )


def encode(
    data: str | bytes,
    ecc: str = DEFAULT_ECC,
    *,
    version: int | None = None,
    mask: int | None = None,
    mode: str | None = None,
) -> QrCode:
    """Encode ``data`` in the smallest QR code that holds it.

    The same as :meth:`QrCode.encode`, which documents the arguments.
    """
    return QrCode.encode(data, ecc, version=version, mask=mask, mode=mode)
