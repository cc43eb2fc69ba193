"""Exact and near-duplicate articles: content hashes and MinHash over word 5-shingles."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..text import fold
from ..vocab import ingest_settings

__all__ = ["normalise", "mark_duplicates", "signature", "find_duplicates"]


def normalise(text: str) -> str:
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
        normalised = [normalise(t) for t in articles["text"]]
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
    bucket_cap = int(ingest_settings()["duplicate_bucket_cap"])
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
