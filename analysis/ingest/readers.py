"""Read articles from files and tables: bytes → text → one record per article.

Inputs: a folder of ``.txt``/``.md``/``.html``/``.htm`` files (recursive) and
tables, or one ``.jsonl``/``.csv``/``.parquet`` file with an article per row.
Each reader yields plain records (path, line, source_id, title, source,
byline, url, published, date_source, text) and reports what it cannot use to
a :class:`~analysis.ingest.problems.Problems`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError, InputError
from ..vocab import ingest_settings
from . import dates
from .problems import Problems

__all__ = ["iter_records", "parse_text_article", "partitions", "iter_partition", "decode_bytes", "read_overrides",
           "apply_overrides", "TEXT_SUFFIXES", "TABLE_SUFFIXES"]

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
TABLE_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".parquet")
METADATA_NAMES = ("metadata.csv",)


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

def _pick_column(columns: list[str], role: str, mapping: dict[str, str]) -> str | None:
    if role in mapping:
        return mapping[role] if mapping[role] in columns else None
    lowered = {c.lower(): c for c in columns}
    for candidate in ingest_settings()["columns"][role]:
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


def _iter_jsonl(path: Path, cols_map: dict, problems: Problems, start: int = 0, end: int | None = None,
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


def _iter_csv(path: Path, cols_map: dict, problems: Problems, name: str | None = None) -> Iterator[dict]:
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


def _iter_parquet(path: Path, cols_map: dict, problems: Problems, batch_size: int,
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


def _iter_files(root: Path, problems: Problems, files: list[Path] | None = None,
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
        limit = int(ingest_settings()["max_article_chars"])
        if len(text) > limit:
            problems.add(relative, None, f"{len(text):,} characters: longer than {limit:,}; truncated", "kept")
            text = text[:limit]
        parsed = _parse_html(text) if file.suffix.lower() in (".html", ".htm") else parse_text_article(text)
        if not parsed["text"].strip():
            problems.add(relative, None, "no article text (markup, scripts or metadata only)")
            continue
        yield {"path": relative, "line": None, "source_id": "", **parsed}


def _iter_table_in_folder(file: Path, relative: str, mapping: dict, problems: Problems) -> Iterator[dict]:
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
                 problems: Problems | None = None) -> Iterator[dict]:
    """Yield one raw article record at a time from a folder or a tabular file.

    Memory stays bounded by one record (one Parquet batch); problems are added
    to ``problems`` as they are met.
    """
    problems = problems if problems is not None else Problems()
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


def iter_partition(piece: tuple, *, columns: dict[str, str] | None = None, problems: Problems | None = None,
                   batch_size: int = 2000) -> Iterator[dict]:
    """Yield the records of one piece from :func:`partitions`."""
    problems = problems if problems is not None else Problems()
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


def _iter_files_single(path: Path, problems: Problems) -> Iterator[dict]:
    for record in _iter_files(path.parent, problems):
        if record["path"] == path.name:
            yield record


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
