"""Ingest: read any article collection into one tidy articles table.

- :mod:`.sources` — folders walked, compressed files and ZIP archives opened;
- :mod:`.decoding` — bytes to text by a fixed rule (UTF-8, a byte-order mark, else cp1252);
- :mod:`.readers` — files and tables to records (bytes → text → article);
- :mod:`.clutter` — page furniture removed and counted;
- :mod:`.records` — records to the articles table (overrides, date checks, ids);
- :mod:`.dedup` — exact and near duplicates;
- :mod:`.dates` — publication dates from datelines, URLs and text;
- :mod:`.problems` — what was skipped or kept with a caveat, and why.
"""

from .decoding import Decoded, decode_text
from .dedup import find_duplicates, mark_duplicates, normalise, signature
from .problems import Problems
from .readers import (
    TABLE_SUFFIXES,
    TEXT_SUFFIXES,
    apply_overrides,
    decode_bytes,
    iter_partition,
    iter_records,
    parse_text_article,
    partitions,
    read_overrides,
)
from .records import (
    IngestResult,
    assemble,
    check_record,
    check_repeated_id,
    date_limits,
    find_metadata,
    load_corpus,
    prepared_records,
    read_corpus,
)

__all__ = ["read_corpus", "load_corpus", "IngestResult", "Problems", "iter_records", "parse_text_article",
           "partitions", "iter_partition", "decode_bytes", "decode_text", "Decoded", "mark_duplicates", "find_duplicates", "signature",
           "normalise", "prepared_records", "date_limits", "check_record", "check_repeated_id", "find_metadata",
           "assemble", "read_overrides", "apply_overrides", "TEXT_SUFFIXES", "TABLE_SUFFIXES"]
