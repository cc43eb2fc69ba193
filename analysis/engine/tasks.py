"""The work a scoring process does, whichever executor runs it (inline, a process pool, Dask).

Tasks are plain functions of picklable arguments: a batch of articles (or a
piece of a corpus to read) and the scorer's parameters, from which each
worker rebuilds its scorer once.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np
import pandas as pd

from ..aggregation import article_topics
from ..ingest import Problems, check_record, iter_partition, normalise, signature
from ..schema import SENTENCES
from ..score import Scorer
from ..score.compiled import compile_cached

__all__ = ["TASKS", "SCORED_COLUMNS", "UNSCORED", "scorer_params", "score_batch", "read_and_score", "run_task",
           "packed", "normalise_types", "split_unscored"]

SCORED_COLUMNS = [*SENTENCES, "cue_spans"]
# An article the scorer did not score (the prefilter set it aside) comes back
# as one row with this sentence number and its reason as evidence: the reason
# reaches the articles table, and the cache knows the article (no rescoring).
UNSCORED = -1


def scorer_params(scorer: Scorer) -> tuple:
    """What a worker needs to rebuild ``scorer``: its :meth:`~analysis.score.Scorer.get_params`, hashable."""
    return tuple(sorted(scorer.get_params().items()))


@lru_cache(maxsize=4)
def _worker_scorer(params: tuple) -> Scorer:
    # The run's own compiled scorer when this process compiled it (inline, or a forked pool worker).
    return compile_cached(Scorer(**dict(params)))


def packed(task: str, batch: list[tuple[str, str, str]], params: tuple) -> bytes:
    """A batch task's result pickled: Dask moves one bytes object far faster
    than it walks a list of dicts."""
    import pickle

    return pickle.dumps(TASKS[task](batch, params), protocol=pickle.HIGHEST_PROTOCOL)


def score_batch(batch: list[tuple[str, str, str]], params: tuple) -> list[dict]:
    """Score one batch of (article_id, content_hash, text) in whatever process runs it."""
    scorer = _worker_scorer(params)
    records = []
    for article_id, content_hash, text in batch:
        scored, reason = scorer.score_article(article_id, text)
        if reason:
            scored = [_unscored(article_id, reason)]
        for record in scored:
            record["content_hash"] = content_hash
            records.append(record)
    return records


def _unscored(article_id: str, reason: str) -> dict:
    return {"article_id": article_id, "sentence": UNSCORED, "start": 0, "end": 0, "text": "", "sides": "",
            "third_parties": "", "relevance": "none", "weight": 0.0, "topics": "", "cooperation": 0.0,
            "friction": 0.0, "net": 0.0, "quad": "none", "evidence": reason, "source": "", "target": "",
            "direction": "", "intensity": 0, "p_direct": float("nan"), "third_party_cooperation": 0.0,
            "third_party_friction": 0.0, "tone": float("nan"), "cue_spans": "[]"}


def split_unscored(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Scored rows → (the sentence rows, the reason per unscored article_id)."""
    marks = frame["sentence"] == UNSCORED
    if not marks.any():
        return frame, pd.Series([], index=pd.Index([], dtype=object, name="article_id"), dtype=object,
                                name="unscored_reason")
    reasons = pd.Series(frame.loc[marks, "evidence"].to_numpy(dtype=object),
                        index=pd.Index(frame.loc[marks, "article_id"].to_numpy(dtype=object), name="article_id"),
                        name="unscored_reason")
    return frame[~marks].reset_index(drop=True), reasons


def normalise_types(frame: pd.DataFrame) -> pd.DataFrame:
    """The same dtypes whether rows came from the cache (Parquet) or were just scored."""
    for column in ("sentence", "start", "end", "intensity"):
        frame[column] = frame[column].astype("int64")
    for column in ("weight", "cooperation", "friction", "net", "third_party_cooperation", "third_party_friction", "tone",
                   "p_direct"):
        frame[column] = frame[column].astype("float64")
    for column in ("article_id", "text", "sides", "third_parties", "relevance", "topics", "quad", "evidence", "cue_spans",
                   "source", "target", "direction"):
        frame[column] = frame[column].astype(object)
    return frame


def read_and_score(piece: tuple, options: dict, params: tuple) -> dict:
    """In a worker: read one piece of the corpus, check, hash, sign and score every article in it.

    Articles get provisional ids "0", "1", … (their place in the piece); the
    client gives them their ids, which depend on the copies read before.
    """
    problems = Problems(quiet=True)
    overrides = dict(options["overrides"])
    records: list[dict] = []
    boundaries: list[int] = []  # problems.rows[:boundaries[i]] come before or with record i
    used: list[str] = []
    depends_on_latest = False
    if piece[0] == "records":  # read by the client (a CSV, a single file): reading problems come along
        def source():
            for record in piece[1]:
                problems.rows.extend(record.pop("_problems_before"))
                if record.get("_end"):
                    return
                yield record
    else:
        def source():
            yield from iter_partition(piece, columns=options["columns"], problems=problems)
    for record in source():
        override = overrides.pop(record["path"], None) if overrides and record["line"] is None else None
        if override is not None:
            used.append(record["path"])
        depends_on_latest |= check_record(record, override, options["metadata"], problems,
                                                  limits=options["limits"], infer_dates=options["infer_dates"])
        records.append(record)
        boundaries.append(len(problems.rows))
    meta = pd.DataFrame.from_records(records, columns=["path", "line", "source_id", "title", "source", "byline",
                                                      "url", "published", "date_source", "text", "clutter_lines"])
    meta["clutter_lines"] = meta["clutter_lines"].fillna(0).astype("int64")
    normalised = [normalise(t) for t in meta["text"]]
    meta["line"] = meta["line"].astype("Int64")
    meta["published"] = pd.to_datetime(meta["published"], errors="coerce")
    meta["n_chars"] = meta["text"].str.len().astype("int64")
    meta["content_hash"] = [hashlib.sha256(n.encode()).hexdigest() for n in normalised]
    for column in ("source_id", "title", "source", "byline", "url", "date_source", "path"):
        meta[column] = meta[column].fillna("").astype(object)
    signatures = np.zeros((len(meta), 64), dtype=np.uint32)
    for row, text in enumerate(normalised):
        signatures[row] = signature(text)
    items = list(zip([str(i) for i in range(len(meta))], meta["content_hash"].tolist(), meta["text"].tolist(),
                     strict=True))
    sentences = pd.DataFrame.from_records(score_batch(items, params), columns=[*SCORED_COLUMNS, "content_hash"])
    sentences, reasons = split_unscored(normalise_types(sentences.drop(columns=["content_hash"])))
    reason_of = reasons.to_dict()
    meta["unscored_reason"] = pd.Series([reason_of.get(str(row), "") for row in range(len(meta))], index=meta.index,
                                        dtype=object)
    return {"meta": meta.drop(columns=["text"]), "sentences": sentences,
            "topics": article_topics(sentences, None).drop(columns=["published"]), "signatures": signatures,
            "problems": problems.rows, "boundaries": boundaries, "used": used,
            "latest": str(options["limits"][1]), "depends_on_latest": depends_on_latest}


def run_task(task: str, batch: list[tuple[str, str, str]], params: tuple):
    return TASKS[task](batch, params)


TASKS = {"score": lambda batch, params: score_batch(batch, params),
         "read_and_score": lambda task, params: read_and_score(task[0], task[1], params)}
