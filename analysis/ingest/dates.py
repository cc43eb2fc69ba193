"""Publication dates from free text and URLs, told apart from dates merely mentioned.

Parsing is done by ``python-dateutil``; this module only decides *which* piece
of text is a publication date. Rules, in order of trust:

``explicit``
    A dateline: a line near the top that is a date and nothing else (an
    optional label such as "Published:" and a time and time zone may
    accompany it), or a date that opens the first line. Lines marked
    "last modified"/"updated" are not datelines.
``url``
    ``/2025/03/28/`` or ``2025-03-28`` in the article's URL path.
``inferred``
    Only when asked (``infer_dates=True``): the latest full date the text
    mentions that is not in the future. It is often wrong (an article may
    mention an older date and never its own), so every use is reported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from dateutil import parser as date_parser

__all__ = ["parse_date", "find_dateline", "date_from_url", "infer_date_beyond", "valid_date"]

# Shapes that may be dates; dateutil decides whether they are.
_DATE_SHAPES = re.compile(
    r"""
    \b\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?
    | \b\d{1,2}[./]\d{1,2}[./]\d{4}\b
    | \b[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b
    | \b\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?,?\s+\d{4}\b
    """,
    re.VERBOSE,
)
_TIME_TAIL = re.compile(r"^[\s,|·-]*(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,5}|GMT[+-]\d+)?)?[\s)]*$", re.IGNORECASE)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|-|$)")
_YEAR = re.compile(r"\b\d{4}\b")
_ISO_DAY = re.compile(r"\s*\d{4}-\d{2}-\d{2}(?:[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?)?\s*")


def valid_date(value: dt.date | None, *, earliest: dt.date, latest: dt.date) -> bool:
    """True when ``value`` lies within [earliest, latest]."""
    return value is not None and earliest <= value <= latest


def parse_date(text: str, *, dayfirst: bool | None = None) -> dt.date | None:
    """Parse one date string (ISO, "March 28, 2025", "28.03.2025"…); None if it is not one.

    Requires a four-digit year so that "May 16" is not silently given this year.
    """
    if not text or not _YEAR.search(text):
        return None
    if _ISO_DAY.fullmatch(text):  # the common case in tabular corpora, without dateutil's cost
        try:
            return dt.date.fromisoformat(text.strip()[:10])
        except ValueError:
            return None
    if dayfirst is None:
        dayfirst = bool(re.fullmatch(r"\s*\d{1,2}[./]\d{1,2}[./]\d{4}\s*", text))
    try:
        parsed = date_parser.parse(text, dayfirst=dayfirst, fuzzy=False,
                                   default=dt.datetime(1900, 1, 1))
    except (ValueError, OverflowError, TypeError, date_parser.ParserError):
        return None
    return parsed.date()


def _strip_label(line: str, labels: Iterable[str]) -> str:
    lowered = line.lower()
    for label in sorted(labels, key=len, reverse=True):
        if lowered.startswith(label):
            rest = line[len(label):]
            return rest.lstrip(" :-–—\t")
    return line


def find_dateline(lines: list[str], *, not_dateline: Iterable[str], labels: Iterable[str],
                  max_lines: int = 12) -> tuple[dt.date | None, int | None]:
    """Find a publication dateline among the first ``max_lines`` non-empty lines.

    Returns ``(date, line_index)`` or ``(None, None)``. A line qualifies when a
    date shape covers it (allowing a label before and a time/zone after), or
    when a date opens the first non-empty line ("26.12.2014 The Syrian Army…").
    """
    markers = [m.lower() for m in not_dateline]
    seen = 0
    for index, raw in enumerate(lines):
        line = raw.strip().strip("*_()[]").strip()
        if not line:
            continue
        seen += 1
        if seen > max_lines:
            break
        if any(marker in line.lower() for marker in markers):
            continue
        candidate = _strip_label(line, labels)
        for shape in _DATE_SHAPES.finditer(candidate):
            before = candidate[: shape.start()].strip(" ,|·-")
            after = candidate[shape.end():]
            whole_line = not before and _TIME_TAIL.match(after) is not None
            opens_text = seen == 1 and shape.start() == 0
            if whole_line or opens_text:
                tail = after if whole_line else ""
                parsed = parse_date(shape.group(0)) or parse_date(shape.group(0) + tail)
                if parsed is not None:
                    return parsed, index
            break  # only the first date shape of a line can be its dateline
    return None, None


def date_from_url(url: str | None) -> dt.date | None:
    """A date written into a URL path (``/2025/03/28/``)."""
    if not url:
        return None
    match = _URL_DATE.search(url)
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def infer_date_beyond(text: str, *, latest: dt.date, earliest: dt.date) -> tuple[dt.date | None, bool]:
    """The latest plausible full date mentioned anywhere in ``text``, and whether
    the text also mentions a date after ``latest`` (a later ``latest`` could then infer another date)."""
    best, beyond = None, False
    for shape in _DATE_SHAPES.finditer(text):
        parsed = parse_date(shape.group(0))
        if parsed is not None and parsed > latest:
            beyond = True
        elif valid_date(parsed, earliest=earliest, latest=latest) and (best is None or parsed > best):
            best = parsed
    return best, beyond
