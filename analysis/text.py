"""Text folding shared by every stage: case and diacritics away, length kept.

Folding is length-preserving, so offsets found in folded text index the
original: every matcher, the duplicate detector and the report's highlighting
rely on that.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "WORD"]

WORD = re.compile(r"\w+(?:[-'’]\w+)*")  # a word: "day-old", "Moscow’s" are one each


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x80, 0x2500):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base.isascii() and base.isalpha():
            table[code] = base.lower()
    # Letters that do not decompose but have an obvious one-letter fold.
    for char, folded in {"ı": "i", "İ": "i", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
                         "ł": "l", "Ł": "l", "ß": "s", "æ": "a", "Æ": "a", "œ": "o",
                         "Œ": "o", "þ": "t", "ð": "d"}.items():
        table[ord(char)] = folded
    # Typographic quotes, apostrophes and dashes fold to their ASCII forms.
    for char in "‘’‚‛′`´":
        table[ord(char)] = "'"
    for char in "“”„‟″«»":
        table[ord(char)] = '"'
    for char in "‐‑‒–—―−":
        table[ord(char)] = "-"
    table[0xA0] = " "
    return table


_FOLD_TABLE = _build_fold_table()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def fold(text: str) -> str:
    """Lower-case and strip diacritics without changing the string's length.

    Returns a string of exactly ``len(text)`` characters, so offsets found in
    the folded text index the original one.
    """
    if text.isascii():
        return text.lower()
    folded = text
    # Replacing the few distinct non-ASCII characters is much faster than
    # str.translate with a large table over the whole text.
    for char in set(_NON_ASCII.findall(text)):
        replacement = _FOLD_TABLE.get(ord(char))
        if replacement is not None:
            folded = folded.replace(char, replacement)
    lowered = folded.lower()
    if len(lowered) != len(folded):  # a rare letter whose lower case is longer
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)
    return lowered
