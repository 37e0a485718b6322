"""QR codes for provisioning: a pure-Python ISO/IEC 18004 encoder.

Encode an otpauth URI and draw it as SVG, PNG or terminal text::

    from otpcore.qr import QrCode

    qr = QrCode.encode(uri)             # level M, smallest version, best mask
    qr.svg(), qr.png(scale=8), qr.terminal(), qr.data_uri("png")

The implementation lives in private modules, one step of the standard
each: ``_tables`` (its numbers), ``_segment`` (data encoding, clause 7.4),
``_reedsolomon`` (error correction and interleaving, 7.5 and 7.6),
``_matrix`` (function patterns, placement, masks, format and version
information, 6.3 and 7.7 to 7.10), ``_penalty`` (mask evaluation, 7.8.3),
``_render`` (the drawings) and ``_code`` (the symbol).
"""

from otpcore.errors import DataTooLongError, InvalidQrParameterError, QrError
from otpcore.qr._code import (
    DEFAULT_BORDER,
    DEFAULT_ECC,
    DEFAULT_PNG_SCALE,
    DEFAULT_SVG_SCALE,
    MAX_BORDER,
    MAX_SCALE,
    QrCode,
    encode,
)

__all__ = [
    "DEFAULT_BORDER",
    "DEFAULT_ECC",
    "DEFAULT_PNG_SCALE",
    "DEFAULT_SVG_SCALE",
    "MAX_BORDER",
    "MAX_SCALE",
    "DataTooLongError",
    "InvalidQrParameterError",
    "QrCode",
    "QrError",
    "encode",
]
