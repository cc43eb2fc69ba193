"""Read any article collection into one tidy articles table.

Inputs: a folder of ``.txt``/``.md``/``.html``/``.htm`` files (recursive) and
tables, or one ``.jsonl``/``.csv``/``.parquet`` file with an article per row. Output:
one row per article (columns in :data:`analysis.schema.ARTICLES`) and a table
of problems (:data:`analysis.schema.SKIPPED`): every file or row that was not
used, and every article kept with a caveat (an unknown date, a date in the
future), each with the file, the line and the reason.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import dates
from .errors import ConfigError, InputError
from .matcher import fold
from .resources import data_path
from .schema import ARTICLES, SKIPPED, check

__all__ = ["load_corpus", "ingest", "IngestResult", "iter_records", "parse_text_article",
           "mark_duplicates", "find_duplicates", "signature", "partitions", "iter_partition", "decode_bytes", "TEXT_SUFFIXES", "TABLE_SUFFIXES"]

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
TABLE_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".parquet")
METADATA_NAMES = ("metadata.csv",)


@lru_cache(maxsize=1)
def _vocabulary() -> dict:
    return yaml.safe_load(data_path("ingest.yaml").read_text(encoding="utf-8"))


@dataclass
class IngestResult:
    """What :func:`ingest` returns: the articles and the problems met on the way."""

    articles: pd.DataFrame
    skipped: pd.DataFrame
    metadata_path: str | None = None


@dataclass
class _Problems:
    rows: list[dict] = field(default_factory=list)
    quiet: bool = False  # collect only (a worker's problems are reported where they are gathered)

    def add(self, path: str, line: int | None, reason: str, action: str = "skipped") -> None:
        self.extend([{"path": path, "line": line, "reason": reason, "action": action}])

    def extend(self, rows: list[dict]) -> None:
        self.rows.extend(rows)
        if not self.quiet:
            for row in rows:
                log.warning("%s%s: %s (%s)", row["path"], f":{row['line']}" if row["line"] else "", row["reason"],
                            row["action"])


# --------------------------------------------------------------------------- bytes → text

def decode_bytes(data: bytes) -> tuple[str | None, str | None]:
    """Decode a file's bytes to text; returns ``(text, None)`` or ``(None, reason)``.

    Handles UTF-8 (with or without BOM), UTF-16/32 with BOM, and legacy 8-bit
    encodings (cp1252, latin-1…) detected by ``charset-normalizer``. Binary
    content (PDF, images, NUL bytes) is refused with a reason.
    """
    if not data.strip():
        return None, "empty file"
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as error:
                return None, f"not valid {codec} despite its byte-order mark ({error.reason})"
            return (text, None) if text.strip() else (None, "empty file (whitespace only)")
    if data.startswith(b"%PDF"):
        return None, "binary file (a PDF): convert it to text first"
    for magic, kind in ((b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"PK\x03\x04", "ZIP/Office document"),
                        (b"GIF8", "GIF image"), (b"\x1f\x8b", "gzip archive")):
        if data.startswith(magic):
            return None, f"binary file (a {kind})"
    sample = data[:65536]
    if sample.count(b"\x00") > 0:
        # UTF-16 without BOM: every other byte is NUL in ASCII-heavy text.
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > 0.3 * len(sample) / 2 and even == 0:
            try:
                return data.decode("utf-16-le"), None
            except UnicodeDecodeError:
                pass
        if even > 0.3 * len(sample) / 2 and odd == 0:
            try:
                return data.decode("utf-16-be"), None
            except UnicodeDecodeError:
                pass
        return None, "binary file (contains NUL bytes)"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            return None, "binary file or unknown text encoding"
        text = str(best)
    controls = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\t\n\r\f\v")
    if controls > 0.05 * min(len(text), 65536):
        return None, "binary file (too many control characters)"
    if not text.strip():
        return None, "empty file (whitespace only)"
    return text, None


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
    rule = _vocabulary()["headline"]
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
    vocab = _vocabulary()
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
        if match and len(match.group(1).split()) <= _vocabulary()["byline_max_words"]:
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

def _pick_column(columns: list[str], role: str, mapping: dict[str, str]) -> str | None:
    if role in mapping:
        return mapping[role] if mapping[role] in columns else None
    lowered = {c.lower(): c for c in columns}
    for candidate in _vocabulary()["columns"][role]:
        if candidate in lowered:
            return lowered[candidate]
    return None


def _row_record(row: dict, cols: dict[str, str | None], path: str, line: int) -> dict | str:
    text_column = cols["text"]
    value = row.get(text_column) if text_column else None
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return f"no text (column {text_column!r} missing or empty)"
    text = str(value)
    if not text.strip():
        return f"no text (column {text_column!r} is empty)"

    def field_value(role: str) -> str:
        column = cols.get(role)
        found = row.get(column) if column else None
        if found is None or (isinstance(found, float) and np.isnan(found)):
            return ""
        return str(found).strip()

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    published_raw = field_value("published")
    published = dates.parse_date(published_raw) if published_raw else None
    url = field_value("url")
    date_source = "column" if published else "unknown"
    if published is None:
        published = dates.date_from_url(url)
        date_source = "url" if published else "unknown"
    record = {"path": path, "line": line, "source_id": field_value("id"), "title": field_value("title"),
              "source": field_value("source") or _site(url), "byline": "", "url": url,
              "published": published, "date_source": date_source, "text": text}
    if published is None and published_raw:
        record["date_problem"] = f"unparseable date {published_raw!r}"
    return record


def _iter_jsonl(path: Path, cols_map: dict, problems: _Problems, start: int = 0, end: int | None = None,
                first_line: int = 1, name: str | None = None) -> Iterator[dict]:
    label = name or str(path)  # how records and problems name the file
    cols: dict | None = None
    with path.open("rb") as handle:
        handle.seek(start)
        position = start
        for number, raw_line in enumerate(handle, start=first_line):
            if end is not None and position >= end:
                break
            position += len(raw_line)
            if not raw_line.strip():
                continue
            try:
                row = json.loads(raw_line.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                problems.add(label, number, f"malformed JSON line ({error.__class__.__name__}: {error})")
                continue
            if not isinstance(row, dict):
                problems.add(label, number, f"JSON line is a {type(row).__name__}, not an object")
                continue
            if cols is None or any(role_col and role_col not in row for role_col in cols.values()):
                cols = {role: _pick_column(list(row), role, cols_map)
                        for role in ("text", "title", "published", "url", "source", "id")}
            record = _row_record(row, cols, label, number)
            if isinstance(record, str):
                problems.add(label, number, record)
            else:
                yield record


def _iter_csv(path: Path, cols_map: dict, problems: _Problems, name: str | None = None) -> Iterator[dict]:
    label = name or str(path)
    text, reason = decode_bytes(path.read_bytes())
    if text is None:
        problems.add(label, None, reason)
        return
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    header = reader.fieldnames or []
    cols = {role: _pick_column(header, role, cols_map) for role in ("text", "title", "published", "url", "source", "id")}
    if cols["text"] is None:
        raise InputError(f"{label}: no text column among {header[:8]} (delimiter {dialect.delimiter!r}). "
                         f"Name it text/body/content, or pass --column text=NAME.")
    try:
        for row in reader:
            line = reader.line_num
            if None in row:  # more fields than the header
                problems.add(label, line, f"row has {len(header) + len(row[None])} fields, header has {len(header)}")
                continue
            record = _row_record(row, cols, label, line)
            if isinstance(record, str):
                problems.add(label, line, record)
            else:
                yield record
    except csv.Error as error:
        problems.add(label, reader.line_num, f"CSV error: {error}")


def _iter_parquet(path: Path, cols_map: dict, problems: _Problems, batch_size: int,
                  row_groups: tuple[int, int] | None = None, first_row: int = 0, name: str | None = None) -> Iterator[dict]:
    import pyarrow.parquet as pq

    label = name or str(path)
    try:
        handle = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises several types for a bad file
        raise InputError(f"{label}: not a readable Parquet file ({error}).") from None
    names = handle.schema_arrow.names
    cols = {role: _pick_column(names, role, cols_map) for role in ("text", "title", "published", "url", "source", "id")}
    if cols["text"] is None:
        raise InputError(f"{label}: no text column among {names[:8]}. Pass --column text=NAME.")
    row_number = first_row
    groups = range(*row_groups) if row_groups is not None else None
    for batch in handle.iter_batches(batch_size=batch_size, row_groups=groups):
        for row in batch.to_pylist():
            row_number += 1
            record = _row_record(row, cols, label, row_number)
            if isinstance(record, str):
                problems.add(label, row_number, record)
            else:
                yield record


def _corpus_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts))


def _iter_files(root: Path, problems: _Problems, files: list[Path] | None = None,
                columns: dict[str, str] | None = None) -> Iterator[dict]:
    for file in _corpus_files(root) if files is None else files:
        relative = file.relative_to(root).as_posix()
        if file.name in METADATA_NAMES:
            continue
        if file.suffix.lower() in TABLE_SUFFIXES:
            yield from _iter_table_in_folder(file, relative, dict(columns or {}), problems)
            continue
        if file.suffix.lower() not in TEXT_SUFFIXES:
            problems.add(relative, None, f"not an article file (suffix {file.suffix or 'none'!r}; expected "
                                         f"{', '.join(TEXT_SUFFIXES)}, or a {'/'.join(TABLE_SUFFIXES)} table)")
            continue
        try:
            data = file.read_bytes()
        except OSError as error:
            problems.add(relative, None, f"cannot be read ({error.strerror})")
            continue
        text, reason = decode_bytes(data)
        if text is None:
            problems.add(relative, None, reason)
            continue
        limit = int(_vocabulary()["max_article_chars"])
        if len(text) > limit:
            problems.add(relative, None, f"{len(text):,} characters: longer than {limit:,}; truncated", "kept")
            text = text[:limit]
        parsed = _parse_html(text) if file.suffix.lower() in (".html", ".htm") else parse_text_article(text)
        if not parsed["text"].strip():
            problems.add(relative, None, "no article text (markup, scripts or metadata only)")
            continue
        yield {"path": relative, "line": None, "source_id": "", **parsed}


def _iter_table_in_folder(file: Path, relative: str, mapping: dict, problems: _Problems) -> Iterator[dict]:
    """The rows of a table inside a corpus folder, named by the table's path in the folder.

    A table that cannot be read as articles (no text column, not Parquet) is
    listed and skipped; the rest of the folder is read.
    """
    suffix = file.suffix.lower()
    try:
        if suffix in (".jsonl", ".ndjson"):
            yield from _iter_jsonl(file, mapping, problems, name=relative)
        elif suffix == ".csv":
            yield from _iter_csv(file, mapping, problems, name=relative)
        else:
            yield from _iter_parquet(file, mapping, problems, 2000, name=relative)
    except InputError as error:
        problems.add(relative, None, str(error).removeprefix(f"{relative}: ").rstrip("."))
    except OSError as error:
        problems.add(relative, None, f"cannot be read ({error.strerror})")


def iter_records(path: str | Path, *, columns: dict[str, str] | None = None, batch_size: int = 2000,
                 problems: _Problems | None = None) -> Iterator[dict]:
    """Yield one raw article record at a time from a folder or a tabular file.

    Memory stays bounded by one record (one Parquet batch); problems are added
    to ``problems`` as they are met.
    """
    problems = problems if problems is not None else _Problems()
    path = Path(path)
    mapping = dict(columns or {})
    if not path.exists():
        raise InputError(f"{path}: no such file or folder. Pass a folder of articles or a .jsonl/.csv/.parquet file.")
    if path.is_dir():
        yield from _iter_files(path, problems, columns=mapping)
        return
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from _iter_jsonl(path, mapping, problems)
    elif suffix == ".csv":
        yield from _iter_csv(path, mapping, problems)
    elif suffix == ".parquet":
        yield from _iter_parquet(path, mapping, problems, batch_size)
    elif suffix in TEXT_SUFFIXES:
        yield from _iter_files_single(path, problems)
    else:
        raise InputError(f"{path}: unsupported corpus type {suffix!r}; use a folder of {', '.join(TEXT_SUFFIXES)} files "
                         f"or one {', '.join(TABLE_SUFFIXES)} file.")


def partitions(path: str | Path, *, target_bytes: int = 32 << 20, files_per_partition: int = 2000) -> list[tuple] | None:
    """Cut a corpus into pieces that can be read independently, in corpus order.

    A JSONL file is cut at line starts about every ``target_bytes``, a
    Parquet file at row groups, a folder into runs of files. CSV files (a
    quoted field may hold a line break) and single articles are not cut:
    None. A JSONL or Parquet table inside a folder is cut like one on its
    own, and its pieces carry its name in the folder as a sixth element.
    :func:`iter_partition` reads a piece; the pieces' records, in order, are
    :func:`iter_records`'s.
    """
    path = Path(path)
    if path.is_dir():
        # Runs of files, in corpus order; a JSONL or Parquet table in the
        # folder is cut like a table given on its own, its pieces carrying its
        # name in the folder.
        pieces: list[tuple] = []
        run: list[str] = []
        for file in _corpus_files(path):
            name = file.relative_to(path).as_posix()
            own = partitions(file, target_bytes=target_bytes) \
                if file.suffix.lower() in (".jsonl", ".ndjson", ".parquet") and file.name not in METADATA_NAMES else None
            if own:
                if run:
                    pieces.append(("files", str(path), tuple(run)))
                    run = []
                pieces += [(*piece, name) for piece in own]
                continue
            run.append(name)
            if len(run) >= files_per_partition:
                pieces.append(("files", str(path), tuple(run)))
                run = []
        if run:
            pieces.append(("files", str(path), tuple(run)))
        return pieces or None
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson") and path.exists():
        pieces, start, line, position = [], 0, 1, 0
        size = path.stat().st_size
        with path.open("rb") as handle:
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
    if suffix == ".parquet" and path.exists():
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


def iter_partition(piece: tuple, *, columns: dict[str, str] | None = None, problems: _Problems | None = None,
                   batch_size: int = 2000) -> Iterator[dict]:
    """Yield the records of one piece from :func:`partitions`."""
    problems = problems if problems is not None else _Problems()
    kind, where = piece[0], Path(piece[1])
    name = piece[5] if kind in ("jsonl", "parquet") and len(piece) > 5 else None  # a table inside a folder
    if kind == "jsonl":
        yield from _iter_jsonl(where, dict(columns or {}), problems, start=piece[2], end=piece[3], first_line=piece[4],
                               name=name)
    elif kind == "parquet":
        yield from _iter_parquet(where, dict(columns or {}), problems, batch_size, row_groups=(piece[2], piece[3]),
                                 first_row=piece[4], name=name)
    elif kind == "files":
        yield from _iter_files(where, problems, [where / name for name in piece[2]], columns)
    else:
        raise ValueError(f"unknown piece {kind!r}")


def _iter_files_single(path: Path, problems: _Problems) -> Iterator[dict]:
    for record in _iter_files(path.parent, problems):
        if record["path"] == path.name:
            yield record


# --------------------------------------------------------------------------- metadata overrides

def _read_overrides(path: Path) -> dict[str, dict]:
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


def _apply_overrides(record: dict, override: dict, metadata_path: str, problems: _Problems) -> None:
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


# --------------------------------------------------------------------------- duplicates

def _normalise(text: str) -> str:
    """Folded words joined by single spaces: what "the same text" means for hashing."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


_NON_WORD = re.compile(r"[^0-9a-zA-Z\u00c0-\uffff ]")  # spaces left out: replacing them is wasted work


_BASE = 1099511628211  # FNV-1 64-bit prime: odd, so invertible modulo 2**64
_BASE_INVERSE = pow(_BASE, -1, 1 << 64)
_POWER_TABLES: list[np.ndarray] = []


def _powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    """B^j and B^-j (mod 2**64) for j < length, computed once and grown on demand."""
    if not _POWER_TABLES or len(_POWER_TABLES[0]) < length:
        size = max(length, 1 << 16)
        with np.errstate(over="ignore"):
            powers = np.cumprod(np.full(size, _BASE, dtype=np.uint64)) * np.uint64(_BASE_INVERSE)
            inverse = np.cumprod(np.full(size, _BASE_INVERSE, dtype=np.uint64)) * np.uint64(_BASE)
        _POWER_TABLES[:] = [powers, inverse]
    return _POWER_TABLES[0], _POWER_TABLES[1]


def _shingle_hashes(normalised: str, size: int = 5, max_words: int = 3000) -> np.ndarray:
    """32-bit hashes of the word ``size``-shingles of the first ``max_words`` words (with repeats).

    A polynomial rolling hash over the UTF-8 bytes, vectorised with numpy
    (arithmetic wraps modulo 2**64): with prefix sums P[k] = Σ_{j<k} c_j·B⁻ʲ,
    the span [s, e) hashes to (P[e] − P[s])·Bˢ, the same wherever it occurs.
    """
    data = np.frombuffer(normalised.encode("utf-8"), dtype=np.uint8)
    spaces = np.flatnonzero(data == 32)
    starts = np.concatenate(([0], spaces + 1))[:max_words]
    ends = np.concatenate((spaces, [len(data)]))[:max_words]
    if len(starts) < size:
        import zlib

        return np.array([zlib.crc32(normalised.encode())], dtype=np.uint64)
    data = data[: ends[-1]].astype(np.uint64)
    powers, inverse_powers = _powers(len(data))
    with np.errstate(over="ignore"):
        prefix = np.concatenate(([np.uint64(0)], np.cumsum(data * inverse_powers[: len(data)], dtype=np.uint64)))
        first, last = starts[: len(starts) - size + 1], ends[size - 1:]
        hashes = (prefix[last] - prefix[first]) * powers[first]
        # MurmurHash3's finaliser, so that every input bit reaches the top 32 bits
        hashes ^= hashes >> np.uint64(33)
        hashes *= np.uint64(0xFF51AFD7ED558CCD)
        hashes ^= hashes >> np.uint64(33)
    return hashes >> np.uint64(32)  # repeats do not change a min-hash, so no np.unique


_RNG = np.random.default_rng(20240611)
_PERMUTATIONS = 64
_PERM_A = _RNG.integers(1, 1 << 63, size=_PERMUTATIONS, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_PERM_B = _RNG.integers(0, 1 << 63, size=_PERMUTATIONS, dtype=np.uint64)


def _minhash(hashes: np.ndarray) -> np.ndarray:
    """64 min-hashes with multiply-add-shift hash functions (arithmetic wraps modulo 2**64)."""
    with np.errstate(over="ignore"):
        return ((np.multiply.outer(hashes, _PERM_A) + _PERM_B) >> np.uint64(32)).min(axis=0)


def mark_duplicates(articles: pd.DataFrame, *, threshold: float = 0.8, bands: int = 16,
                    normalised: list[str] | None = None) -> pd.Series:
    """Return ``duplicate_of`` for each article: the id of the earlier copy, or "".

    Exact copies share a content hash. Near copies (wire stories with small
    edits) are found with MinHash over word 5-shingles (64 permutations,
    locality-sensitive hashing in 16 bands of 4 rows: a pair at Jaccard 0.8
    is a candidate with probability 0.9998, at 0.5 with 0.65, at 0.3 with
    0.12) and confirmed when the estimated Jaccard similarity (standard
    error ≈ 0.05 near 0.8) is at least ``threshold``. Each bucket is searched among its first 50 members only,
    which bounds the cost on corpora made from templates. The earliest
    published (then first in input order) copy is the original.
    """
    if normalised is None:
        normalised = [_normalise(t) for t in articles["text"]]
    published = pd.to_datetime(articles["published"])
    order = np.lexsort((np.arange(len(articles)), published.to_numpy(dtype="datetime64[ns]").astype("int64"),
                        published.isna().to_numpy()))  # by date (undated last), then input order
    hashes = articles["content_hash"].to_numpy()[order]
    first = ~pd.Series(hashes).duplicated().to_numpy()
    signatures = np.zeros((len(order), _PERMUTATIONS), dtype=np.uint32)
    for position in np.flatnonzero(first):
        signatures[position] = _minhash(_shingle_hashes(normalised[order[position]]))
    original = find_duplicates(hashes, signatures, first, threshold=threshold, bands=bands)
    ids = articles["article_id"].to_numpy()[order]
    duplicate_of = np.where(original >= 0, ids[np.maximum(original, 0)], "")
    result = pd.Series("", index=articles.index, dtype=object)
    result.iloc[order] = duplicate_of
    return result


def signature(normalised: str) -> np.ndarray:
    """The 64 min-hashes (uint32) of a normalised text, as used for near-duplicate detection."""
    return _minhash(_shingle_hashes(normalised)).astype(np.uint32)


def find_duplicates(content_hashes: np.ndarray, signatures: np.ndarray, scored: np.ndarray | None = None, *,
                    threshold: float = 0.8, bands: int = 16) -> np.ndarray:
    """For articles in processing order (earliest first), the position of the copy each one repeats, or -1.

    ``content_hashes`` decide exact copies (the first one is the original);
    ``signatures`` (n × 64 min-hashes; rows of exact copies are ignored)
    decide near copies as in :func:`mark_duplicates`. Works on arrays only,
    so a streaming run can keep 300 bytes per article instead of its text:
    bands are grouped with numpy, and only articles that share a band with
    another one go through the sequential check.
    """
    n = len(content_hashes)
    original = np.full(n, -1, dtype=np.int64)
    first_position: dict = {}
    for position, digest in enumerate(content_hashes):
        seen = first_position.setdefault(digest, position)
        if seen != position:
            original[position] = seen
    candidates = np.flatnonzero(original < 0)
    rows = max(1, _PERMUTATIONS // bands)
    signatures = np.ascontiguousarray(signatures, dtype=np.uint32)
    # groups[band, i]: which articles share band ``band`` with article i (a
    # number per distinct band value), -1 when no other article has that value.
    # Only shared values can ever match, so only they get a bucket: at a
    # million articles, a bucket for every band of every article took gigabytes.
    groups = np.full((bands, n), -1, dtype=np.int64)
    if len(candidates) > 1:
        for band in range(bands):
            keys = np.ascontiguousarray(signatures[candidates, band * rows:(band + 1) * rows]).view(f"V{4 * rows}")
            _, inverse, counts = np.unique(keys.ravel(), return_inverse=True, return_counts=True)
            inverse = inverse.ravel()
            shared = counts[inverse] > 1
            groups[band, candidates[shared]] = inverse[shared] * bands + band
    colliding = np.flatnonzero((groups >= 0).any(axis=0))
    # Articles sharing no band with any other cannot match or be matched; the
    # rest are checked in order, as mark_duplicates always did.
    bucket_cap = int(_vocabulary()["duplicate_bucket_cap"])
    buckets: dict[int, list[int]] = {}
    for position in colliding.tolist():
        own = signatures[position]
        keys = [key for key in groups[:, position].tolist() if key >= 0]
        match = -1
        for key in keys:
            bucket = buckets.get(key)
            if bucket:
                others = bucket[:bucket_cap]
                similar = np.flatnonzero((signatures[others] == own).mean(axis=1) >= threshold)
                if len(similar):
                    match = others[similar[0]]
                    break
        if match >= 0:
            original[position] = match
            continue
        for key in keys:
            buckets.setdefault(key, []).append(position)
    return original


# --------------------------------------------------------------------------- assemble

def ingest(path: str | Path, *, columns: dict[str, str] | None = None, metadata: str | Path | None = None,
           infer_dates: bool = False, near_duplicate_threshold: float = 0.8,
           reference_date: dt.date | None = None) -> IngestResult:
    """Read a corpus into an articles table and a problems table.

    Parameters
    ----------
    path
        A folder of text/markdown/HTML files and tables (searched recursively) or one
        ``.jsonl``, ``.csv`` or ``.parquet`` file.
    columns
        Column names for tabular input, e.g. ``{"text": "body", "published": "pubdate"}``;
        by default common names are recognised (see ``analysis/data/ingest.yaml``).
    metadata
        A CSV (``file,published,title,source,url,note``) whose values win over
        what is found in the text; default: ``metadata.csv`` in the corpus folder.
    infer_dates
        Give undated articles the latest full date their text mentions
        (``date_source="inferred"``, each one reported). Off by default.
    near_duplicate_threshold
        Estimated Jaccard similarity above which two articles are copies.
    reference_date
        Dates after this day are rejected as impossible (default: today).

    Returns
    -------
    IngestResult
        ``articles`` with columns article_id, path, line, source_id, title,
        source, byline, url, published (datetime64, NaT when unknown),
        date_source, text, n_chars, content_hash, duplicate_of; and
        ``skipped`` with columns path, line, reason, action ("skipped" or
        "kept" for articles kept with a caveat).
    """
    path = Path(path)
    problems = _Problems()
    metadata_path = _metadata_path(path, metadata)
    records = list(prepared_records(path, problems, columns=columns, metadata=metadata_path, infer_dates=infer_dates,
                                    reference_date=reference_date))
    articles, normalised = _assemble(records)
    skipped = pd.DataFrame(problems.rows, columns=[*SKIPPED, "action"])
    skipped["line"] = skipped["line"].astype("Int64")
    if articles.empty:
        log.warning("%s: no usable articles", path)
    else:
        articles["duplicate_of"] = mark_duplicates(articles, threshold=near_duplicate_threshold, normalised=normalised)
    return IngestResult(check(articles, ARTICLES, "articles"), skipped,
                        str(metadata_path) if metadata_path and metadata_path.exists() else None)


def _metadata_path(path: Path, metadata: str | Path | None) -> Path | None:
    if metadata and not Path(metadata).exists():
        raise ConfigError(f"{metadata}: metadata file not found.")
    return Path(metadata) if metadata else (path / "metadata.csv" if path.is_dir() else None)


def prepared_records(path: Path, problems: _Problems, *, columns: dict[str, str] | None = None,
                     metadata: Path | None = None, infer_dates: bool = False,
                     reference_date: dt.date | None = None) -> Iterator[dict]:
    """Yield each article record with metadata overrides applied and its date checked.

    One record at a time (what :func:`ingest` collects and a streaming run
    does not); every caveat goes to ``problems``.
    """
    limits = date_limits(reference_date)
    overrides = _read_overrides(metadata) if metadata and metadata.exists() else {}
    seen_ids: dict[str, tuple[str, object]] = {}
    for record in iter_records(path, columns=columns, problems=problems):
        # Metadata rows name text files; a row of a table in the folder has a line number and no entry.
        override = overrides.pop(record["path"], None) if overrides and record["line"] is None else None
        check_record(record, override, metadata, problems, limits=limits, infer_dates=infer_dates)
        check_repeated_id(record, seen_ids, problems)
        yield record
    for name, override in sorted(overrides.items()):
        problems.add(str(metadata), override["_line"], f"metadata names {name!r}, which is not in the corpus", "ignored")


def date_limits(reference_date: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The earliest and latest publication dates accepted."""
    return dt.date.fromisoformat(str(_vocabulary()["earliest_date"])), reference_date or dt.date.today()


def check_record(record: dict, override: dict | None, metadata: Path | None, problems: _Problems, *,
                 limits: tuple[dt.date, dt.date], infer_dates: bool = False) -> bool:
    """Apply a metadata override to one record and check its date (in place).

    Returns True when the outcome depends on the latest date accepted (today,
    by default): a date after it was rejected, or an inferred date could change
    once a later date in the text becomes possible. A cache may reuse the
    outcome on a later day only when this is False.
    """
    earliest, latest = limits
    depends_on_latest = False
    where = record["path"]
    if override is not None:
        _apply_overrides(record, override, str(metadata), problems)
    problem = record.pop("date_problem", None)
    if problem and record["date_source"] == "unknown":
        problems.add(where, record["line"], problem + "; article kept without a date", "kept")
    if record["published"] is not None and not dates.valid_date(record["published"], earliest=earliest, latest=latest):
        if record["published"] > latest:
            depends_on_latest = True
            problems.add(where, record["line"], f"publication date {record['published']} is after the latest date "
                         f"accepted ({latest}); ignored", "kept")
        else:
            problems.add(where, record["line"], f"publication date {record['published']} is before the earliest date "
                         f"accepted ({earliest}); ignored", "kept")
        record["published"], record["date_source"] = None, "unknown"
    if record["published"] is None and infer_dates:
        guess, beyond = dates.infer_date_beyond(record["text"], latest=latest, earliest=earliest)
        depends_on_latest = depends_on_latest or beyond
        if guess is not None:
            record["published"], record["date_source"] = guess, "inferred"
            problems.add(where, record["line"], f"date inferred as {guess} (latest full date in the text); check it", "kept")
    if record["published"] is None:
        problems.add(where, record["line"], "publication date unknown: kept, left out of time series", "kept")
    return depends_on_latest


def check_repeated_id(record: dict, seen_ids: dict[str, tuple[str, object]], problems: _Problems) -> None:
    """Report a record whose own id was used by an earlier one."""
    source_id = record.get("source_id") or ""
    if not source_id:
        return
    if source_id in seen_ids:
        first_path, first_line = seen_ids[source_id]
        problems.add(record["path"], record["line"], f"id {source_id!r} repeats the id of {first_path}:{first_line}; "
                     f"kept, with its own content-derived article_id", "kept")
    else:
        seen_ids[source_id] = (record["path"], record["line"])


def _assemble(records: list[dict]) -> tuple[pd.DataFrame, list[str]]:
    frame = pd.DataFrame.from_records(records, columns=["path", "line", "source_id", "title", "source", "byline",
                                                       "url", "published", "date_source", "text"])
    frame["line"] = frame["line"].astype("Int64")
    frame["published"] = pd.to_datetime(frame["published"], errors="coerce")
    frame["n_chars"] = frame["text"].str.len().astype("int64")
    normalised = [_normalise(t) for t in frame["text"]]
    frame["content_hash"] = [hashlib.sha256(n.encode()).hexdigest() for n in normalised]
    ids, copies = [], {}
    for digest in frame["content_hash"]:
        copy = copies.get(digest, 0)
        copies[digest] = copy + 1
        # The k-th exact copy of a text gets an id from the text and k: stable
        # across runs, renamed files and re-exports, and never a collision.
        ids.append(digest[:16] if copy == 0 else hashlib.sha256(f"{digest}\0copy\0{copy}".encode()).hexdigest()[:16])
    frame.insert(0, "article_id", ids)
    frame["duplicate_of"] = ""
    for column in ("source_id", "title", "source", "byline", "url", "date_source", "text", "path"):
        frame[column] = frame[column].fillna("").astype(object)
    return frame, normalised


def load_corpus(path: str | Path, *, return_skipped: bool = False, **options) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load a corpus as a tidy articles table (see :func:`ingest` for options).

    Returns
    -------
    pandas.DataFrame
        One row per article: article_id, path, line, source_id, title,
        source, byline, url, published, date_source, text, n_chars,
        content_hash, duplicate_of. With ``return_skipped=True``, a tuple
        ``(articles, skipped)``.
    """
    result = ingest(path, **options)
    return (result.articles, result.skipped) if return_skipped else result.articles
