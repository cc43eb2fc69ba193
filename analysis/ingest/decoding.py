"""Bytes to text by a fixed rule, saying which encoding was used and what was changed.

The rule (deterministic, no guessing by statistics):

1. a byte-order mark decides: UTF-8, UTF-16 or UTF-32;
2. content that looks binary (a known file signature, or more than
   :data:`BINARY_SHARE` of the first 8 KB are NUL or other control bytes, the
   test ``file`` and git apply) is refused; ASCII-heavy UTF-16 without a mark
   (every other byte NUL) is read as UTF-16;
3. otherwise UTF-8 when it is valid; else cp1252 (the Windows superset of
   latin-1 that most "ANSI" news exports use; latin-1 for the five bytes
   cp1252 leaves undefined), unless at least 90% of the bytes above ASCII
   form valid UTF-8 sequences: then it is UTF-8 with a few damaged bytes,
   and only those are read as cp1252. Valid UTF-8 is therefore always decoded
   exactly, and a cp1252 or latin-1 file gives the same text as decoding it
   with its own codec. ``charset-normalizer`` is not used: it read cp1252 as
   cp1250 or cp850 ("naïve" → "naďve", "Türkiye" → "T³rkiye").

Anything but plain UTF-8 is reported as a warning, and stray NUL bytes in
text are removed (and reported) rather than refusing the whole article.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

__all__ = ["Decoded", "decode_text", "decode_bytes", "decode_line", "text_encoding_of", "BINARY_SHARE",
           "MOSTLY_UTF8", "UTF8_SEQUENCE", "FALLBACK_ERRORS"]

BINARY_SHARE = 0.05  # random bytes hold ~10% control bytes, text almost none
_SAMPLE = 8192
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_SIGNATURES = ((b"%PDF", "a PDF: convert it to text first"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
               (b"PK\x03\x04", "a ZIP/Office document"), (b"GIF8", "a GIF image"), (b"\x1f\x8b", "a gzip archive"),
               (b"\xfd7zXZ\x00", "an xz archive"))
# Control bytes that text does not hold: all of C0 but tab, line feed, vertical tab, form feed, carriage return
# and escape (ANSI colour codes in logs), and DEL.
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r\x1b") + b"\x7f"
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_BYTE_AS_CP1252 = tuple(chr(b) if b < 0x80 or b in _CP1252_UNDEFINED else bytes([b]).decode("cp1252")
                        for b in range(256))
FALLBACK_ERRORS = "relationship-dynamics-cp1252"  # the codecs error handler: a byte as cp1252, else latin-1


UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
                            rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
                            rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")
_HIGH = re.compile(rb"[\x80-\xff]")
MOSTLY_UTF8 = 0.9  # share of the bytes above ASCII in valid UTF-8 sequences that makes invalid UTF-8 "damaged UTF-8"


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return "".join(_BYTE_AS_CP1252[b] for b in error.object[error.start:error.end]), error.end


codecs.register_error(FALLBACK_ERRORS, _cp1252_fallback)


@dataclass
class Decoded:
    """What :func:`decode_text` made of some bytes.

    ``text`` is always a str ("" when refused); ``reason`` says why the bytes
    were refused (None when they are text); ``encoding`` is the codec used
    ("utf-8", "utf-8-sig", "utf-16", "utf-32", or "cp1252" when any byte was not
    UTF-8); ``warnings`` lists what should be checked (a guessed encoding,
    removed NUL bytes).
    """

    text: str
    encoding: str
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)


def text_encoding_of(head: bytes) -> str | None:
    """The codec a byte-order mark at the start of ``head`` names, else None."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    return None


def _binary_reason(sample: bytes) -> str | None:
    for signature, kind in _SIGNATURES:
        if sample.startswith(signature):
            return f"binary file ({kind})"
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    if controls > 1 and controls > BINARY_SHARE * len(sample):  # one stray byte never decides
        return f"binary file ({controls} of the first {len(sample)} bytes are NUL or control bytes)"
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when every other byte is NUL (ASCII-heavy UTF-16 without a mark)."""
    half = len(sample) / 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.3 * half and even == 0:
        return "utf-16-le"
    if even > 0.3 * half and odd == 0:
        return "utf-16-be"
    return None


def decode_text(data: bytes) -> Decoded:
    """Decode a file's bytes by the module's rule; never raises.

    Returns
    -------
    Decoded
        ``text``, ``encoding``, ``reason`` (why the bytes are not text) and
        ``warnings``.
    """
    if not data.strip():
        return Decoded("", "", "empty file")
    codec = text_encoding_of(data[:4])
    warnings: list[str] = []
    if codec is None:
        sample = data[:_SAMPLE]
        codec = _utf16_without_bom(sample) if b"\x00" in sample else None
        if codec is None:
            reason = _binary_reason(sample)
            if reason:
                return Decoded("", "", reason)
    if codec is not None:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as error:
            text = data.decode(codec, errors="replace")
            warnings.append(f"not valid {codec} (first at byte {error.start:,}): shown as \ufffd")
        if codec != "utf-8-sig":  # UTF-8 with a mark is UTF-8
            warnings.append(f"decoded as {codec}")
    else:
        try:
            text, codec = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as error:
            text, codec, mostly_utf8 = _decode_not_utf8(data)
            warnings.append(f"not valid UTF-8 (first at byte {error.start:,}): " + (
                "the bytes that are not were read as cp1252" if mostly_utf8 else "decoded as cp1252")
                + "; check accented letters")
    if "\x00" in text:
        warnings.append(f"{text.count(chr(0))} NUL byte(s) removed")
        text = text.replace("\x00", "")
    if not text.strip():
        return Decoded("", codec, "empty file (whitespace only)", warnings)
    head = text[:65536]
    controls = sum(1 for c in head if ord(c) < 32 and c not in "\t\n\r\f\v\x1b")
    if controls > 1 and controls > BINARY_SHARE * len(head):
        return Decoded("", codec, "binary file (too many control characters)", warnings)
    return Decoded(text, codec, None, warnings)


def _decode_not_utf8(data: bytes) -> tuple[str, str, bool]:
    """Bytes that are not valid UTF-8: ``(text, "cp1252", whether it was mostly UTF-8)``."""
    high = len(_HIGH.findall(data))
    in_sequences = sum(len(found) for found in UTF8_SEQUENCE.findall(data))
    if high and in_sequences >= MOSTLY_UTF8 * high:
        return data.decode("utf-8", errors=FALLBACK_ERRORS), "cp1252", True
    return data.decode("cp1252", errors=FALLBACK_ERRORS), "cp1252", False


def decode_bytes(data: bytes) -> tuple[str | None, str | None]:
    """``(text, None)`` or ``(None, reason)``: :func:`decode_text` without its details."""
    decoded = decode_text(data)
    return (None, decoded.reason) if decoded.reason else (decoded.text, None)


def decode_line(raw: bytes | str) -> tuple[str, bool]:
    """One line of a table decoded by the module's rule, and whether it was not valid UTF-8."""
    if isinstance(raw, str):
        return raw, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return _decode_not_utf8(raw)[0], True
