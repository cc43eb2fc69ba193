"""Read articles from files and tables: bytes → text → one record per article.

Inputs: a folder of ``.txt``/``.md``/``.html``/``.htm`` files (recursive) and
tables, one such file, or one ``.jsonl``/``.csv``/``.parquet`` table with an
article per row; any of them compressed (``.gz``, ``.bz2``, ``.xz``) or in a
``.zip`` archive (read like a folder, members named ``archive.zip!member``).
Each reader yields plain records (path, line, source_id, title, source,
byline, url, published, date_source, text, clutter_lines) and reports what it
cannot use, row by row, to a :class:`~analysis.ingest.problems.Problems`:
nothing is dropped without being listed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import numpy as np
import pandas as pd

from ..errors import ConfigError, InputError
from ..vocab import ingest_settings
from . import dates
from .clutter import Clutter, load_clutter, remove_clutter
from .decoding import decode_bytes, decode_line, decode_text, text_encoding_of
from .problems import Problems
from .sources import (
    ARCHIVE_SUFFIXES,
    COMPRESSIONS,
    DAMAGED,
    archive_members,
    classify,
    open_compressed,
    split_suffix,
    walk,
)

__all__ = ["iter_records", "parse_text_article", "partitions", "iter_partition", "decode_bytes", "read_overrides",
           "apply_overrides", "TEXT_SUFFIXES", "TABLE_SUFFIXES"]

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
TABLE_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".parquet")
METADATA_NAMES = ("metadata.csv",)
_ROLES = ("text", "title", "published", "url", "source", "id")
_DELIMITERS = (",", ";", "\t", "|")
_PROTECTED_CR = "\ufdd0"  # a noncharacter, never in interchanged text: stands for a CR inside a CSV line

# --------------------------------------------------------------------------- text → article

_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_ANGLE_URL = re.compile(r"<(https?://[^>\s]+)>")
_BARE_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_BYLINE = re.compile(r"^\s*by\s+(.{2,80}?)\s*$", re.IGNORECASE)
_OUTLET_WORD = r"[A-Z][\w&'-]*(?:\.[A-Za-z][\w&'-]*)*"
_REPORTS = re.compile(rf"\b((?:{_OUTLET_WORD}\s){{0,3}}{_OUTLET_WORD})\s+reports?\b")
_ORIGINAL_URL = re.compile(r"^\s*(?:original\s+url|source\s+url|url|link|source)\s*:\s*(.*)$", re.IGNORECASE)
_HEADING = re.compile(r"^\s{0,3}#{1,3}\s+(.+?)\s*#*\s*$")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_BULLET = re.compile(r"^\s*[•·▪◦*-]\s+")
_SENTENCE_END = re.compile(r"[.!?\"”’:;)\]]\s*$")


def _site(url: str | None) -> str:
    if not url:
        return ""
    match = re.match(r"https?://([^/:?#]+)", url)
    if not match:
        return ""
    host = match.group(1).lower()
    return host[4:] if host.startswith("www.") else host


def _looks_like_headline(line: str) -> bool:
    """A first line reads as a headline: short, no closing punctuation, not a URL or a date,
    and at least two capitalised words (limits in ingest.yaml)."""
    rule = ingest_settings()["headline"]
    words = line.split()
    return (rule["min_words"] <= len(words) <= rule["max_words"] and len(line) <= rule["max_chars"]
            and not line.rstrip().endswith((".", ":", ";", ",")) and not _BARE_URL.search(line)
            and dates.parse_date(line) is None and sum(w[:1].isupper() for w in words) >= rule["min_capitalised"])


def _clean_inline(line: str) -> str:
    line = _MD_LINK.sub(lambda m: m.group(1), line)
    line = _EMPHASIS.sub(lambda m: m.group(2), line)
    return line


def _join_broken_paragraphs(paragraphs: list[str]) -> list[str]:
    """Join a paragraph to the next when a sentence was cut by a stray blank line."""
    out: list[str] = []
    for para in paragraphs:
        if out and out[-1] and not _SENTENCE_END.search(out[-1]) and para[:1].islower():
            out[-1] = out[-1].rstrip() + " " + para.lstrip()
        else:
            out.append(para)
    return out


def parse_text_article(raw: str) -> dict:
    """Split a free-text article into metadata and body.

    Returns a dict with ``title``, ``source``, ``byline``, ``url``,
    ``published`` (date or None), ``date_source`` (explicit/url/unknown) and
    ``text`` (the body, with title, byline, dateline, URL lines and related-link
    boilerplate removed and markdown reduced to plain text).
    """
    vocab = ingest_settings()
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    drop: set[int] = set()
    title = ""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        heading = _HEADING.match(line)
        if heading:
            title = _clean_inline(heading.group(1)).strip()
            drop.add(index)
        elif _looks_like_headline(_clean_inline(line.strip())):
            title = _clean_inline(line.strip())
            drop.add(index)
        break

    url = ""
    for index, line in enumerate(lines):
        match = _ORIGINAL_URL.match(line)
        if match and ("url" in line.lower() or "link" in line.lower()):
            drop.add(index)
            rest = match.group(1) or next((lines[j] for j in range(index + 1, min(index + 4, len(lines))) if lines[j].strip()), "")
            found = _ANGLE_URL.search(rest) or _BARE_URL.search(rest)
            if found:
                url = found.group(1) if found.re is _ANGLE_URL else found.group(0)
                for j in range(index + 1, min(index + 4, len(lines))):
                    if url in lines[j]:
                        drop.add(j)
                break
    if not url:
        for index, line in enumerate(lines):
            candidates = [m.group(2) for m in _MD_LINK.finditer(line) if m.group(2).startswith(("http://", "https://"))]
            found = candidates[0] if candidates else None
            if found is None:
                angle = _ANGLE_URL.search(line)
                bare = _BARE_URL.search(line)
                found = angle.group(1) if angle else (bare.group(0) if bare else None)
            if found:
                url = found.rstrip(".,;")
                if line.strip().strip("<>") == found or line.strip() == url:
                    drop.add(index)
                break

    byline = ""
    for index, line in enumerate(lines):
        match = _BYLINE.match(_clean_inline(line))
        if match and len(match.group(1).split()) <= ingest_settings()["byline_max_words"]:
            byline = match.group(1).strip()
            drop.add(index)
            break

    stripped = [_clean_inline(line) for line in lines]
    published, dateline_index = dates.find_dateline(
        [line if i not in drop else "" for i, line in enumerate(stripped)],
        not_dateline=vocab["not_dateline"], labels=vocab["dateline_labels"],
        max_lines=int(vocab["dateline_lines"]),
    )
    date_source = "explicit" if published else "unknown"
    if dateline_index is not None and dates.parse_date(stripped[dateline_index].strip()) is not None:
        drop.add(dateline_index)
    if published is None:
        published = dates.date_from_url(url)
        date_source = "url" if published else "unknown"

    prefixes = tuple(p.lower() for p in vocab["boilerplate_prefixes"])
    not_dateline = [m.lower() for m in vocab["not_dateline"]]
    # Lines inside a paragraph are joined when they wrap a sentence; a line
    # that ends a sentence (or stands alone, like "12:12") keeps its own line.
    paragraphs: list[str] = []
    current: list[str] = []
    for index, line in enumerate(stripped):
        text_line = _BULLET.sub("", line).strip()
        lowered = text_line.lower()
        is_metadata_line = (
            index in drop or lowered.startswith(prefixes)
            or (text_line.startswith("(") and any(m in lowered for m in not_dateline) and len(text_line) < 80)
            or (title and text_line == title and index < 20)
        )
        if not text_line or is_metadata_line:
            if current:
                paragraphs.append("".join(current))
                current = []
            continue
        if current and not _SENTENCE_END.search(current[-1]) and len(current[-1].split()) > 3:
            current.append(" " + text_line)
        elif current:
            current.append("\n" + text_line)
        else:
            current.append(text_line)
    if current:
        paragraphs.append("".join(current))
    body = "\n\n".join(_join_broken_paragraphs(paragraphs))

    reports = _REPORTS.search(body)
    source = _site(url) or (reports.group(1).strip() if reports else "") or byline
    return {"title": title, "source": source, "byline": byline, "url": url,
            "published": published, "date_source": date_source, "text": body}


def _parse_html(raw: str) -> dict:
    """Text and metadata of an HTML page (scripts, styles and navigation removed)."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(raw.encode("utf-8"))
    except (ValueError, lxml.etree.ParserError):
        return {"title": "", "source": "", "byline": "", "url": "", "published": None,
                "date_source": "unknown", "text": ""}

    def meta(*names: str) -> str:
        for name in names:
            for attr in ("property", "name", "itemprop"):
                found = root.xpath(f'//meta[@{attr}="{name}"]/@content')
                if found and found[0].strip():
                    return found[0].strip()
        return ""

    title = meta("og:title", "twitter:title") or (root.findtext(".//title") or "").strip()
    h1 = root.xpath("//h1")
    if not title and h1:
        title = h1[0].text_content().strip()
    url = meta("og:url") or next(iter(root.xpath('//link[@rel="canonical"]/@href')), "")
    published_raw = meta("article:published_time", "datePublished", "pubdate", "date", "dc.date")
    if not published_raw:
        times = root.xpath("//time/@datetime")
        published_raw = times[0] if times else ""
    for bad in root.xpath("//script|//style|//noscript|//template|//nav|//footer|//header|//aside|//form|//iframe|//svg"):
        bad.drop_tree()
    blocks = []
    body = root.find("body") if root.find("body") is not None else root
    for element in body.iter("p", "h1", "h2", "h3", "h4", "li", "blockquote", "pre", "td"):
        text = " ".join(element.text_content().split())
        if text:
            blocks.append(text)
    if not blocks:
        blocks = [" ".join(body.text_content().split())]
    text = "\n\n".join(b for b in blocks if b and b != title)
    published = dates.parse_date(published_raw) if published_raw else None
    date_source = "explicit" if published else "unknown"
    if published is None:
        published = dates.date_from_url(url)
        date_source = "url" if published else "unknown"
    return {"title": title, "source": meta("og:site_name") or _site(url), "byline": meta("author"),
            "url": url, "published": published, "date_source": date_source, "text": text}


# --------------------------------------------------------------------------- records

def _pick_column(columns: Iterable[str], role: str, mapping: dict[str, str], settings: dict) -> str | None:
    columns = list(columns)
    if role in mapping:
        return mapping[role] if mapping[role] in columns else None
    lowered = {c.lower(): c for c in columns if isinstance(c, str)}
    for candidate in settings["columns"][role]:
        if candidate in lowered:
            return lowered[candidate]
    return None


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _why(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or error.__class__.__name__


def _trim_partial_utf8(data: bytes) -> bytes:
    """``data`` cut before a UTF-8 sequence the cut left incomplete (so the cut is not read as cp1252)."""
    end = len(data)
    continuation = 0
    while end > 0 and continuation < 3 and data[end - 1] & 0xC0 == 0x80:
        end -= 1
        continuation += 1
    if end > 0 and data[end - 1] >= 0xC0:
        lead = data[end - 1]
        needed = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        if continuation + 1 < needed:
            return data[:end - 1]
    return data


@dataclass
class _Reader:
    """The settings of one reading (column names, limits, furniture patterns) and where problems go."""

    problems: Problems
    mapping: dict
    settings: dict
    clutter: Clutter
    batch_size: int = 2000

    @property
    def limit(self) -> int:
        return int(self.settings["max_article_chars"])

    # ----------------------------------------------------------------- one record

    def finish(self, record: dict) -> dict | None:
        """Remove page furniture and count it; None (listed) when nothing else is left."""
        text, removed = remove_clutter(record["text"], self.clutter)
        if not text.strip():
            self.problems.add(record["path"], record["line"], "no article text (page furniture only)")
            return None
        record["text"], record["clutter_lines"] = text, len(removed)
        return record

    def row(self, row: dict, cols: dict[str, str | None], label: str, line: int, strip_nul: bool = False) -> dict | None:
        """One table row as a record, or None (listed) when it has no text.

        ``strip_nul`` removes NUL characters (stray bytes of a CSV file; in JSON,
        ``\\u0000`` is an explicit value and is kept).
        """
        text_column = cols["text"]
        if text_column is None:
            keys = [str(key) for key in row][:8]
            self.problems.add(label, line, f"no text (no text column among the row's keys {keys})")
            return None
        value = row.get(text_column)
        if _missing(value):
            self.problems.add(label, line, f"no text ({text_column!r} is missing or null)")
            return None
        text = str(value)
        if strip_nul and "\x00" in text:
            self.problems.add(label, line, f"{text.count(chr(0))} NUL character(s) removed from the text", "warned")
            text = text.replace("\x00", "")
        if not text.strip():
            self.problems.add(label, line, f"no text ({text_column!r} is empty)")
            return None
        if len(text) > self.limit:
            self.problems.add(label, line, f"{len(text):,} characters: longer than {self.limit:,}; truncated", "kept")
            text = text[:self.limit]

        def field_value(role: str) -> str:
            column = cols.get(role)
            found = row.get(column) if column else None
            return "" if _missing(found) else str(found).strip()

        text = text.replace("\r\n", "\n").replace("\r", "\n")
        published_raw = field_value("published")
        published = dates.parse_date(published_raw) if published_raw else None
        url = field_value("url")
        date_source = "column" if published else "unknown"
        if published is None:
            published = dates.date_from_url(url)
            date_source = "url" if published else "unknown"
        record = {"path": label, "line": line, "source_id": field_value("id"), "title": field_value("title"),
                  "source": field_value("source") or _site(url), "byline": "", "url": url,
                  "published": published, "date_source": date_source, "text": text}
        if published is None and published_raw:
            record["date_problem"] = f"unparseable date {published_raw!r}"
        return self.finish(record)

    def keyed_row(self, row: dict, columns: dict[tuple, dict], label: str, number: int) -> dict | None:
        """A JSON object as a record, its columns chosen from its own keys (kept per key set in
        ``columns``): a row that lacks a key changes nothing for the rows after it."""
        keys = tuple(row)
        cols = columns.get(keys)
        if cols is None:
            cols = columns[keys] = self.columns_of(keys)
        return self.row(row, cols, label, number)

    def columns_of(self, keys: Iterable[str]) -> dict[str, str | None]:
        return {role: _pick_column(keys, role, self.mapping, self.settings) for role in _ROLES}

    # ----------------------------------------------------------------- text files

    def text_file(self, name: str, opener: Callable[[], BinaryIO], compression: str) -> Iterator[dict]:
        kind = split_suffix(name)[0]
        cap = 4 * self.limit + 4  # no encoding takes more than 4 bytes a character
        try:
            with opener() as raw:
                data = open_compressed(raw, compression).read(cap + 1)
        except DAMAGED as error:
            self.problems.add(name, None, f"cannot be read ({_why(error)})")
            return
        cut = len(data) > cap
        if cut:
            data = _trim_partial_utf8(data[:cap])
        decoded = decode_text(data)
        for warning in decoded.warnings:
            self.problems.add(name, None, warning, "warned")
        if decoded.reason:
            self.problems.add(name, None, decoded.reason)
            return
        text = decoded.text
        if cut or len(text) > self.limit:
            size = f"more than {cap:,} bytes" if cut else f"{len(text):,} characters"
            self.problems.add(name, None, f"{size}: longer than {self.limit:,} characters; truncated", "kept")
            text = text[:self.limit]
        if kind in (".html", ".htm"):
            parsed, removed = _parse_html(text), None  # furniture is cut from the extracted paragraphs
        else:
            # Furniture goes before the article is parsed: parsing joins a line
            # without closing punctuation ("Hide Caption 3 of 6") to the next.
            text, removed = remove_clutter(text, self.clutter)
            parsed = parse_text_article(text)
        if not parsed["text"].strip():
            self.problems.add(name, None, "no article text (markup, scripts, furniture or metadata only)")
            return
        record = {"path": name, "line": None, "source_id": "", **parsed}
        if removed is None:
            record = self.finish(record)
        else:
            record["clutter_lines"] = len(removed)
        if record is not None:
            yield record

    # ----------------------------------------------------------------- JSONL

    def jsonl(self, label: str, opener: Callable[[], BinaryIO], compression: str = "", start: int = 0,
              end: int | None = None, first_line: int = 1) -> Iterator[dict]:
        columns: dict[tuple, dict] = {}  # chosen per row, from the row's own keys (cached by key set)
        number = first_line - 1
        not_utf8: list[int] = []
        try:
            with opener() as raw:
                stream = open_compressed(raw, compression)
                codec = None if start else self.bom_codec(label, stream)
                for number, line in _numbered_lines(stream, codec, start, end, first_line):
                    if not line.strip():
                        continue
                    text, fell_back = decode_line(line)
                    try:
                        row = json.loads(text.removeprefix("\ufeff").strip(), strict=False)
                    except json.JSONDecodeError as error:
                        self.problems.add(label, number, f"malformed JSON line ({error.__class__.__name__}: {error})")
                        continue
                    if not isinstance(row, dict):
                        self.problems.add(label, number, f"JSON line is a {type(row).__name__}, not an object")
                        continue
                    if fell_back:
                        not_utf8.append(number)
                    record = self.keyed_row(row, columns, label, number)
                    if record is not None:
                        yield record
        except DAMAGED as error:
            self.problems.add(label, number + 1, f"damaged or unreadable after line {number:,} ({_why(error)}); "
                                                 f"the rest of the file is not read")
        self.not_utf8(label, not_utf8)

    def json_file(self, label: str, opener: Callable[[], BinaryIO], compression: str = "") -> Iterator[dict]:
        """A ``.json`` table: an array of objects (read whole: the standard library cannot stream
        one; rows are numbered from 1), or JSON lines under another name."""
        try:
            with opener() as raw:
                stream = open_compressed(raw, compression)
                head = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
                is_array = head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")
                data = stream.read() if is_array else b""
        except DAMAGED as error:
            self.problems.add(label, None, f"cannot be read ({_why(error)})")
            return
        if not is_array:
            yield from self.jsonl(label, opener, compression)
            return
        decoded = decode_text(data)
        for warning in decoded.warnings:
            self.problems.add(label, None, warning, "warned")
        try:
            rows = json.loads(decoded.text.removeprefix("\ufeff"), strict=False)
        except json.JSONDecodeError as error:
            raise InputError(f"{label}: not valid JSON ({error}).") from None
        columns: dict[tuple, dict] = {}
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                self.problems.add(label, number, f"JSON array item is a {type(row).__name__}, not an object")
                continue
            record = self.keyed_row(row, columns, label, number)
            if record is not None:
                yield record

    def bom_codec(self, label: str, stream: BinaryIO) -> str | None:
        """The codec a table's byte-order mark names (None for UTF-8), warned about when it is not UTF-8."""
        codec = text_encoding_of(stream.peek(4)[:4]) if hasattr(stream, "peek") else None
        if codec in (None, "utf-8-sig"):
            return None
        self.problems.add(label, None, f"decoded as {codec} (byte-order mark)", "warned")
        return codec

    def not_utf8(self, label: str, lines: list[int]) -> None:
        """One warning for the rows of a table (or of a piece of it) that were not valid UTF-8: a
        cp1252 export would otherwise list every row."""
        if lines:
            span = f"line {lines[0]:,}" if len(lines) == 1 else f"{len(lines):,} rows, lines {lines[0]:,}–{lines[-1]:,}"
            self.problems.add(label, lines[0], f"not valid UTF-8 ({span}): decoded as cp1252; check accented letters",
                              "warned")

    # ----------------------------------------------------------------- CSV

    def csv_file(self, label: str, opener: Callable[[], BinaryIO], compression: str = "") -> Iterator[dict]:
        """Rows of a CSV file, each on its own: see :func:`_csv_rows` for quotes left open."""
        # A text field may be as long as an article and then some; a longer one is
        # most likely a quote left open, and stops at 4× the article cap. (A
        # process-wide setting, only ever raised.)
        csv.field_size_limit(max(csv.field_size_limit(), 4 * self.limit))
        number = 0
        not_utf8: list[int] = []
        try:
            with opener() as raw:
                stream = open_compressed(raw, compression)
                lines = _numbered_text_lines(stream, self.bom_codec(label, stream))
                first = next(lines, None)
                if first is None:
                    self.problems.add(label, None, "empty file")
                    return
                delimiter, header, cols = self.csv_header(label, first[1])
                for number, fields, fell_back, problem in _csv_rows(lines, delimiter):
                    if problem is not None:
                        self.problems.add(label, number, *problem)
                        if fields is None:
                            continue
                    if not fields:
                        continue  # a blank line
                    if len(fields) > len(header):
                        self.problems.add(label, number, f"row has {len(fields)} fields, header has {len(header)}")
                        continue
                    if len(fields) < len(header):
                        self.problems.add(label, number, f"row has {len(fields)} fields, header has {len(header)}: "
                                                         f"the last ones are taken as empty", "warned")
                    if fell_back:
                        not_utf8.append(number)
                    fields = [field.replace(_PROTECTED_CR, "\r") for field in fields]
                    record = self.row(dict(zip(header, fields, strict=False)), cols, label, number, strip_nul=True)
                    if record is not None:
                        yield record
        except DAMAGED as error:
            self.problems.add(label, number + 1 if number else None,
                              f"damaged or unreadable after line {number:,} ({_why(error)}); the rest of the file is not read")
        self.not_utf8(label, not_utf8)

    def csv_header(self, label: str, line: str) -> tuple[str, list[str], dict[str, str | None]]:
        """The delimiter whose header names a text column (tried in the order , ; tab |), the header and the columns.

        A rule, not the sniffer: ``csv.Sniffer`` guesses from the rows too, and a
        comma-rich text column can make it choose wrong.
        """
        line = line.removeprefix("\ufeff")
        best: tuple[str, list[str]] | None = None
        for delimiter in _DELIMITERS:
            header = next(csv.reader([line], delimiter=delimiter), [])
            cols = self.columns_of(header)
            if cols["text"] is not None:
                return delimiter, header, cols
            if best is None or len(header) > len(best[1]):
                best = (delimiter, header)
        delimiter, header = best or (",", [])
        raise InputError(f"{label}: no text column among {header[:8]} (delimiter {delimiter!r}). "
                         f"Name it text/body/content, or pass --column text=NAME.")

    # ----------------------------------------------------------------- Parquet

    def parquet(self, label: str, source: Path | BinaryIO, row_groups: tuple[int, int] | None = None,
                first_row: int = 0) -> Iterator[dict]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            handle = pq.ParquetFile(source)
        except Exception as error:  # pyarrow raises several types for a bad file
            raise InputError(f"{label}: not a readable Parquet file ({error}).") from None
        names = handle.schema_arrow.names
        cols = self.columns_of(names)
        if cols["text"] is None:
            raise InputError(f"{label}: no text column among {names[:8]}. Pass --column text=NAME.")
        metadata = handle.metadata
        groups = range(*row_groups) if row_groups is not None else range(metadata.num_row_groups)
        group_start = first_row
        for group in groups:
            size = metadata.row_group(group).num_rows
            row_number = group_start
            try:
                # One row group at a time: a damaged page costs its group, not the file.
                for batch in handle.iter_batches(batch_size=self.batch_size, row_groups=[group]):
                    for row in batch.to_pylist():
                        row_number += 1
                        record = self.row(row, cols, label, row_number)
                        if record is not None:
                            yield record
            except (pa.ArrowException, OSError, ValueError) as error:
                self.problems.add(label, row_number + 1, f"damaged Parquet data in row group {group + 1} ({error}); "
                                  f"rows {row_number + 1:,}–{group_start + size:,} skipped")
            group_start += size

    # ----------------------------------------------------------------- files, folders, archives

    def table(self, label: str, opener: Callable[[], BinaryIO], compression: str, path: Path | None = None) -> Iterator[dict]:
        """The rows of a table; raises InputError when the table as a whole cannot be read."""
        kind = split_suffix(label)[0]
        if kind in (".jsonl", ".ndjson"):
            yield from self.jsonl(label, opener, compression)
        elif kind == ".json":
            yield from self.json_file(label, opener, compression)
        elif kind == ".csv":
            yield from self.csv_file(label, opener, compression)
        elif path is not None and not compression:
            yield from self.parquet(label, path)
        else:  # Parquet needs to seek: a compressed or archived one is read into memory first
            try:
                with opener() as raw:
                    data = open_compressed(raw, compression).read()
            except DAMAGED as error:
                raise InputError(f"{label}: cannot be read ({_why(error)}).") from None
            yield from self.parquet(label, io.BytesIO(data))

    def entry(self, name: str, opener: Callable[[], BinaryIO], path: Path | None = None) -> Iterator[dict]:
        """One file of a folder or member of an archive; whatever cannot be read is listed."""
        kind, compression = split_suffix(name)
        if kind in ARCHIVE_SUFFIXES and not compression:
            yield from self.archive(name, opener)
        elif kind in TABLE_SUFFIXES:
            try:
                yield from self.table(name, opener, compression, path)
            except InputError as error:
                self.problems.add(name, None, str(error).removeprefix(f"{name}: ").rstrip("."))
            except DAMAGED as error:
                self.problems.add(name, None, f"cannot be read ({_why(error)})")
        elif kind in TEXT_SUFFIXES:
            yield from self.text_file(name, opener, compression)
        else:
            suffix = PurePosixPath(name.rsplit("!", 1)[-1]).suffix
            self.problems.add(name, None, f"not an article file (suffix {suffix or 'none'!r}; expected "
                                          f"{', '.join(TEXT_SUFFIXES)} or a {'/'.join(TABLE_SUFFIXES)} table, "
                                          f"perhaps {'/'.join(COMPRESSIONS)}-compressed, or a .zip of them)")

    def archive(self, name: str, opener: Callable[[], BinaryIO]) -> Iterator[dict]:
        """A ZIP archive, read like a folder: members named ``archive.zip!member``."""
        try:
            with opener() as raw, zipfile.ZipFile(raw) as archive:
                for member, reason in archive_members(archive):
                    label = f"{name}!{member}"
                    if reason is not None:
                        self.problems.add(label, None, reason)
                    elif member.rsplit("/", 1)[-1] in METADATA_NAMES:
                        self.problems.add(label, None, "metadata file inside an archive is not applied; put it "
                                                       "next to the archive, naming members as archive.zip!member")
                    else:
                        yield from self.entry(label, lambda member=member: archive.open(member))
        except DAMAGED as error:
            self.problems.add(name, None, f"not a readable ZIP archive ({_why(error)})")

    def folder(self, root: Path, entries: Iterable[tuple[str, str | None]]) -> Iterator[dict]:
        """The entries of a folder (from :func:`~analysis.ingest.sources.walk`), in order."""
        for name, reason in entries:
            reason = reason or classify(root, name)  # checked again: a file can change between walk and read
            if reason is not None:
                self.problems.add(name, None, reason)
                continue
            if name.rsplit("/", 1)[-1] in METADATA_NAMES:
                continue
            path = root / name
            yield from self.entry(name, lambda path=path: path.open("rb"), path)


def _numbered_lines(stream: BinaryIO, codec: str | None, start: int = 0, end: int | None = None,
                    first_line: int = 1) -> Iterator[tuple[int, bytes | str]]:
    """The lines of a JSONL stream with their numbers: bytes, or text when a byte-order mark
    says UTF-16/32 (``codec``; such a file is never cut into pieces, see :func:`partitions`)."""
    if codec is not None:
        yield from enumerate(io.TextIOWrapper(stream, encoding=codec, errors="replace"), start=first_line)
        return
    if start:
        stream.seek(start)
    position = start
    for number, line in enumerate(stream, start=first_line):
        if end is not None and position >= end:
            return
        position += len(line)
        yield number, line


def _numbered_text_lines(stream: BinaryIO, codec: str | None) -> Iterator[tuple[int, str, bool]]:
    """The physical lines of a CSV stream as text, each with its number and whether it was not valid UTF-8.

    Line ends are kept (the csv module needs them inside quoted fields);
    ``codec`` is the UTF-16/32 a byte-order mark named, None for UTF-8.
    """
    if codec is not None:
        for number, line in enumerate(io.TextIOWrapper(stream, encoding=codec, errors="replace", newline=""), start=1):
            yield number, line, False
        return
    number = 0
    old_mac = None  # whether lines end with a bare CR, decided by the header line
    for raw in stream:
        text, fell_back = decode_line(raw)
        if old_mac is None:
            old_mac = bool(re.search(r"\r(?!\n)", text)) and not text.endswith("\r\n")
        if old_mac:
            pieces = re.split(r"(?<=\r)(?!\n)", text)
        elif "\r" in text[:-2] and _PROTECTED_CR not in text:
            # In an LF or CRLF file a CR inside a line is text (csv.writer leaves it
            # unquoted when the line terminator is LF); the csv module would end the
            # row there, so it is hidden from it and put back in the fields.
            pieces = [re.sub(r"\r(?=[^\n])", _PROTECTED_CR, text)]
        else:
            pieces = [text]
        for piece in pieces:
            if piece:
                number += 1
                yield number, piece, fell_back


def _csv_rows(lines: Iterator[tuple[int, str, bool]], delimiter: str
              ) -> Iterator[tuple[int, list[str] | None, bool, tuple[str, str] | None]]:
    """Parse CSV rows strictly, so that a quote left open loses only its own row.

    Yields ``(first line, fields, any line read as cp1252, problem)``, where
    ``problem`` is None or ``(reason, action)`` and ``fields`` is None when the
    row is skipped.

    The rule: rows are parsed with ``strict=True``. A quote left open either
    meets the next row's quotes (``'"' expected``) or runs to the end of the
    file (``unexpected end of data``); both are errors, where a lenient reader
    silently swallows the next rows into one article. On such an error over
    several lines, the row's first line is skipped (listed) and the lines
    after it are read again as rows of their own. A quoting error within one
    line is read leniently and listed as a warning (the text is kept).
    """
    pending: deque = deque()
    consumed: list[tuple[int, str, bool]] = []

    def feed() -> Iterator[str]:
        while True:
            if pending:
                item = pending.popleft()
            else:
                item = next(lines, None)
                if item is None:
                    return
            consumed.append(item)
            yield item[1]

    def fresh() -> Iterator[list[str]]:
        return csv.reader(feed(), delimiter=delimiter, quotechar='"', doublequote=True, strict=True)

    reader = fresh()
    while True:
        consumed.clear()
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            used = list(consumed)
            if not used:
                return
            reader = fresh()
            if len(used) > 1:
                pending.extendleft(reversed(used[1:]))
                yield used[0][0], None, False, (
                    f"unterminated quote ({error}): this row is skipped, the {len(used) - 1:,} line(s) after it "
                    f"are read again as rows", "skipped")
                continue
            try:
                fields = next(csv.reader([used[0][1]], delimiter=delimiter, quotechar='"', doublequote=True), [])
            except csv.Error as lenient_error:
                yield used[0][0], None, False, (f"malformed CSV row ({lenient_error})", "skipped")
                continue
            yield used[0][0], fields, used[0][2], (f"malformed quoting ({error}); read leniently, check the text",
                                                   "warned")
            continue
        yield consumed[0][0] if consumed else 0, fields, any(item[2] for item in consumed), None


def _reader(problems: Problems, columns: dict[str, str] | None, batch_size: int = 2000) -> _Reader:
    return _Reader(problems, dict(columns or {}), ingest_settings(), load_clutter(), batch_size)


def iter_records(path: str | Path, *, columns: dict[str, str] | None = None, batch_size: int = 2000,
                 problems: Problems | None = None) -> Iterator[dict]:
    """Yield one raw article record at a time from a folder, a file or an archive.

    A single file is read alone (never its folder). Memory stays bounded by
    one record (one Parquet batch, one text file); problems are added to
    ``problems`` as they are met, row by row.
    """
    problems = problems if problems is not None else Problems()
    path = Path(path)
    reader = _reader(problems, columns, batch_size)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder. Pass a folder of articles or a .jsonl/.csv/.parquet file.")
    if path.is_dir():
        yield from reader.folder(path, walk(path))
        return
    kind, compression = split_suffix(path.name)
    supported = (*TEXT_SUFFIXES, *TABLE_SUFFIXES, *([] if compression else ARCHIVE_SUFFIXES))
    if kind not in supported:
        raise InputError(f"{path}: unsupported corpus type {path.name[len(path.stem):] or 'without a suffix'!r}; use a "
                         f"folder, one {', '.join(TEXT_SUFFIXES)} file or one {', '.join(TABLE_SUFFIXES)} table (each "
                         f"may be {'/'.join(COMPRESSIONS)}-compressed), or a .zip of them.")
    if not path.is_file():
        raise InputError(f"{path}: {classify(path.parent, path.name) or 'not a regular file'}.")

    def opener() -> BinaryIO:
        return path.open("rb")

    if kind in ARCHIVE_SUFFIXES:
        yield from reader.archive(path.name, opener)
    elif kind in TABLE_SUFFIXES:
        yield from reader.table(str(path), opener, compression, path)
    else:
        yield from reader.text_file(path.name, opener, compression)


def partitions(path: str | Path, *, target_bytes: int = 32 << 20, files_per_partition: int = 2000) -> list[tuple] | None:
    """Cut a corpus into pieces that can be read independently, in corpus order.

    A JSONL file is cut at line starts about every ``target_bytes``, a
    Parquet file at row groups, a folder into runs of files. CSV files (a
    quoted field may hold a line break), compressed files (they cannot be
    entered in the middle), UTF-16 files and single articles are not cut:
    None. A JSONL or Parquet table inside a folder is cut like one on its
    own, and its pieces carry its name in the folder as a sixth element.
    A run of files is ``("files", folder, names, unreadable)``: ``names`` can
    be opened, ``unreadable`` holds ``(position in the run, name, reason)``
    for the entries that cannot (listed when the piece is read, never opened).
    :func:`iter_partition` reads a piece; the pieces' records and problems,
    in order, are :func:`iter_records`'s.
    """
    path = Path(path)
    if path.is_dir():
        pieces: list[tuple] = []
        run: list[str] = []
        unreadable: list[tuple[int, str, str]] = []

        def close() -> None:
            if run or unreadable:
                pieces.append(("files", str(path), tuple(run), tuple(unreadable)))
            run.clear()
            unreadable.clear()

        for name, reason in walk(path):
            if reason is not None:
                unreadable.append((len(run) + len(unreadable), name, reason))
            else:
                kind, compression = split_suffix(name)
                own = partitions(path / name, target_bytes=target_bytes) if (
                    kind in (".jsonl", ".ndjson", ".parquet") and not compression
                    and name.rsplit("/", 1)[-1] not in METADATA_NAMES) else None
                if own:
                    close()
                    pieces += [(*piece, name) for piece in own]
                    continue
                run.append(name)
            if len(run) + len(unreadable) >= files_per_partition:
                close()
        close()
        return pieces or None
    kind, compression = split_suffix(path.name)
    if compression or not path.is_file():
        return None
    if kind in (".jsonl", ".ndjson"):
        pieces, start, line, position = [], 0, 1, 0
        size = path.stat().st_size
        with path.open("rb") as handle:
            if text_encoding_of(handle.read(4)) not in (None, "utf-8-sig"):
                return None  # UTF-16/32: a cut at a line feed byte could split a character
            while position < size:
                handle.seek(min(size, start + target_bytes))
                handle.readline()  # finish the line the cut falls in
                cut = min(size, handle.tell())
                handle.seek(start)
                lines = 0
                remaining = cut - start
                while remaining > 0:  # count the piece's lines for row numbers
                    chunk = handle.read(min(remaining, 1 << 24))
                    lines += chunk.count(b"\n")
                    remaining -= len(chunk)
                pieces.append(("jsonl", str(path), start, cut, line))
                line += lines
                start = position = cut
        return pieces or None
    if kind == ".parquet":
        import pyarrow.parquet as pq

        try:
            metadata = pq.ParquetFile(path).metadata
        except Exception:
            return None  # iter_records reports the unreadable file
        pieces, row = [], 0
        for group in range(metadata.num_row_groups):
            pieces.append(("parquet", str(path), group, group + 1, row))
            row += metadata.row_group(group).num_rows
        return pieces or None
    return None


def iter_partition(piece: tuple, *, columns: dict[str, str] | None = None, problems: Problems | None = None,
                   batch_size: int = 2000) -> Iterator[dict]:
    """Yield the records of one piece from :func:`partitions`."""
    problems = problems if problems is not None else Problems()
    reader = _reader(problems, columns, batch_size)
    kind, where = piece[0], Path(piece[1])
    name = piece[5] if kind in ("jsonl", "parquet") and len(piece) > 5 else None  # a table inside a folder
    if kind == "jsonl":
        yield from reader.jsonl(name or str(where), lambda: where.open("rb"), start=piece[2], end=piece[3],
                                first_line=piece[4])
    elif kind == "parquet":
        label = name or str(where)
        try:
            yield from reader.parquet(label, where, row_groups=(piece[2], piece[3]), first_row=piece[4])
        except InputError as error:
            if name is None:
                raise
            problems.add(name, None, str(error).removeprefix(f"{name}: ").rstrip("."))
    elif kind == "files":
        unreadable = {position: (entry, reason) for position, entry, reason in (piece[3] if len(piece) > 3 else ())}
        names = iter(piece[2])
        entries = [unreadable[i] if i in unreadable else (next(names), None)
                   for i in range(len(piece[2]) + len(unreadable))]
        yield from reader.folder(where, entries)
    else:
        raise ValueError(f"unknown piece {kind!r}")


# --------------------------------------------------------------------------- metadata overrides

def read_overrides(path: Path) -> dict[str, dict]:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as error:
        raise ConfigError(f"{path}: metadata file cannot be read ({error}). It needs a header: file,published,title,source,url,note.") from None
    if "file" not in frame.columns:
        raise ConfigError(f"{path}: metadata file needs a 'file' column naming each article (and any of published,title,source,url,note).")
    overrides = {}
    for number, row in enumerate(frame.to_dict("records"), start=2):
        overrides[row["file"].strip()] = {**row, "_line": number}
    return overrides


def apply_overrides(record: dict, override: dict, metadata_path: str, problems: Problems) -> None:
    for column in ("title", "source", "url"):
        if override.get(column, "").strip():
            record[column] = override[column].strip()
    if override.get("published", "").strip():
        parsed = dates.parse_date(override["published"].strip())
        if parsed is None:
            problems.add(metadata_path, override["_line"], f"unparseable published date {override['published']!r} for {record['path']}", "kept")
        else:
            record["published"] = parsed
            record["date_source"] = "override"
