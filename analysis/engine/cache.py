"""The scored-article cache: Parquet shards per scorer fingerprint, keyed by content hash.

A shard is written to a temporary name and renamed, after each batch: an
interrupted run leaves a valid cache that the next run resumes from. Articles
scored without a row (the prefilter's) are listed in ``.empty`` files beside
the shards, so that they count as scored too.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd

from ..errors import AnalysisError
from .tasks import SCORED_COLUMNS

__all__ = ["ScoreCache"]


class ScoreCache:
    """Scored sentences on disk, per scorer fingerprint and article content hash."""

    def __init__(self, directory: str | Path, fingerprint: str):
        self.root = Path(directory) / fingerprint
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise AnalysisError(f"{self.root}: cannot create the cache folder ({error.strerror}); "
                                f"pass --cache DIR or --no-cache.") from None

    def _shards(self) -> list[Path]:
        return sorted(self.root.glob("*.parquet"))

    def known(self) -> set[str]:
        """Content hashes already scored (with sentence rows or without)."""
        import pyarrow.parquet as pq

        hashes: set[str] = set()
        for listing in sorted(self.root.glob("*.empty")):
            try:
                hashes.update(line for line in listing.read_text(encoding="utf-8").splitlines() if line)
            except (OSError, UnicodeDecodeError):  # unreadable: those articles are scored again
                continue
        for shard in self._shards():
            try:
                hashes.update(pq.read_table(shard, columns=["content_hash"]).column(0).to_pylist())
            except Exception:  # a damaged shard is ignored and its articles rescored
                continue
        return hashes

    def load(self, wanted: set[str]) -> pd.DataFrame:
        """Cached sentence rows of the wanted content hashes."""
        import pyarrow.parquet as pq

        frames = []
        for shard in self._shards():
            try:
                table = pq.read_table(shard, filters=[("content_hash", "in", sorted(wanted))])
            except Exception:
                continue
            if table.num_rows:
                frames.append(table.to_pandas())
        if not frames:
            return pd.DataFrame(columns=[*SCORED_COLUMNS, "content_hash"])
        frame = pd.concat(frames, ignore_index=True)
        return frame.drop_duplicates(["content_hash", "sentence"], keep="first")

    @staticmethod
    def _name(hashes) -> str:
        return hashlib.sha256("\n".join(sorted(set(hashes))).encode()).hexdigest()[:24] + ".parquet"

    def load_piece(self, key: str) -> dict | None:
        """A streaming run's stored result for one piece of a corpus, or None."""
        import pickle

        path = self.root / f"piece-{key}.pickle"
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
            return None

    def store_piece(self, key: str, result: dict) -> None:
        """Keep one piece's result (atomically)."""
        import pickle

        path = self.root / f"piece-{key}.pickle"
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)

    def store(self, records: list[dict], hashes: list[str] | None = None) -> None:
        """Add one shard (atomically) holding ``records``.

        ``hashes``: the content hashes of every article scored for these
        records. Those that gave no row (the prefilter drops most articles of
        a broad corpus) are listed in a ``.empty`` file beside the shard, so
        that a rerun does not score them again.
        """
        without_rows = sorted(set(hashes or ()) - {record["content_hash"] for record in records})
        if without_rows:
            target = self.root / self._name(without_rows).replace(".parquet", ".empty")
            temporary = self.root / f".{target.stem}.{os.getpid()}.empty.tmp"
            temporary.write_text("\n".join(without_rows) + "\n", encoding="utf-8")
            temporary.replace(target)
        if not records:
            return
        frame = pd.DataFrame.from_records(records, columns=[*SCORED_COLUMNS, "content_hash"])
        target = self.root / self._name(frame["content_hash"])
        temporary = self.root / f".{target.stem}.{os.getpid()}.tmp"
        table = frame.copy()
        for column in table.columns:
            if table[column].dtype == object:
                table[column] = table[column].astype("string")
        table.to_parquet(temporary, index=False)
        temporary.replace(target)
