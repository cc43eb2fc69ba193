"""Validate the scorer against gold-labelled sentences.

Each row is scored as a stand-alone sentence *without* the dyad filter
(generic event polarity). Reported: accuracy over all labels, macro-F1 over
cooperation vs friction (the F1 of each of the two classes, averaged; a
neutral prediction for a cooperation or friction sentence counts as a miss),
the confusion matrix, and Spearman's ρ between ``net`` and the Goldstein score.
When the gold set gives each sentence's CAMEO code, the predicted ``quad`` is
also compared with the code's quad class, in GDELT's convention (by root:
01–05 verbal cooperation, 06–08 material cooperation, 09–13 verbal conflict,
14–20 material conflict). CAMEO assigns the quad by root, so an appeal to
yield (025, Goldstein −0.3) is verbal cooperation there but verbal conflict
here, where the quad follows the sign of the sentence's strongest cue.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .score import Scorer, score_sentence
from .vocab import data_path

__all__ = ["evaluate", "Evaluation", "predict", "DEV_SET", "evaluate_dyad", "dyad_predictions", "DyadEvaluation"]

LABELS = ("cooperation", "friction", "neutral")
DEV_SET = "eval/cameo_codebook_examples.csv"
CAMEO_TABLE = "eval/cameo_goldstein.csv"
QUADS = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict", "none")


@dataclass
class Evaluation:
    """Agreement between the scorer and gold labels."""

    n: int
    accuracy: float
    macro_f1: float
    f1: dict[str, float]
    spearman: float | None
    confusion: pd.DataFrame
    predictions: pd.DataFrame
    quad_agreement: float | None = None
    quad_n: int = 0
    quad_confusion: pd.DataFrame | None = None

    def summary(self) -> str:
        lines = [f"n = {self.n}", f"accuracy = {self.accuracy:.3f}",
                 f"macro-F1 (cooperation vs friction) = {self.macro_f1:.3f}"
                 f"  [cooperation {self.f1['cooperation']:.3f}, friction {self.f1['friction']:.3f}]"]
        if self.spearman is not None:
            lines.append(f"Spearman rho (net vs Goldstein) = {self.spearman:.3f}")
        if self.quad_agreement is not None:
            lines.append(f"quad class agreement (GDELT convention, by CAMEO root) = {self.quad_agreement:.3f}"
                         f"  (n = {self.quad_n})")
        lines += ["", "confusion (rows = gold, columns = predicted):", self.confusion.to_string()]
        if self.quad_confusion is not None:
            lines += ["", "quad classes (rows = CAMEO root, columns = predicted):", self.quad_confusion.to_string()]
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {"n": self.n, "accuracy": round(self.accuracy, 4), "macro_f1": round(self.macro_f1, 4),
                "f1_cooperation": round(self.f1["cooperation"], 4), "f1_friction": round(self.f1["friction"], 4),
                "spearman": None if self.spearman is None else round(self.spearman, 4),
                "quad_agreement": None if self.quad_agreement is None else round(self.quad_agreement, 4)}


def predict(texts: list[str], scorer: Scorer | None = None) -> pd.DataFrame:
    """Score stand-alone sentences; returns net, label_pred, quad, evidence per text."""
    scorer = (scorer or Scorer(tone=False)).compile()
    threshold = scorer.settings_.label_threshold
    rows = []
    for text in texts:
        result = score_sentence(str(text), scorer)
        net = float(result["net"])
        label = "cooperation" if net >= threshold else "friction" if net <= -threshold else "neutral"
        rows.append({"net": net, "label_pred": label, "quad": result["quad"], "evidence": result["evidence"]})
    return pd.DataFrame(rows)


def _f1(gold: pd.Series, pred: pd.Series, label: str) -> float:
    tp = int(((gold == label) & (pred == label)).sum())
    fp = int(((gold != label) & (pred == label)).sum())
    fn = int(((gold == label) & (pred != label)).sum())
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def evaluate(gold: str | Path | pd.DataFrame | None = None, *, text_column: str = "text",
             label_column: str = "label", goldstein_column: str | None = "goldstein",
             cameo_column: str | None = "cameo_code", scorer: Scorer | None = None,
             cache: str | Path | None = None) -> Evaluation:
    """Score a gold set and compare with its labels (default: the bundled CAMEO dev set).

    ``cameo_column`` (used when present): CAMEO codes, for quad class agreement.
    ``cache``: a cache folder. The bundled dev set scored by the default
    scorer (what every report shows) is then kept in ``cache/validation/``,
    by the source fingerprint of the scorer, which covers the dev set, the
    vocabularies and the code; other gold sets and scorers are always scored."""
    if gold is None and scorer is None and cache:
        return _cached_dev_evaluation(Path(cache), text_column=text_column, label_column=label_column,
                                      goldstein_column=goldstein_column, cameo_column=cameo_column)
    if gold is None:
        gold = data_path(DEV_SET)
    if isinstance(gold, pd.DataFrame):
        frame, name = gold, "gold table"
    else:
        name = str(gold)
        try:
            frame = pd.read_csv(gold, dtype={label_column: str, **({cameo_column: str} if cameo_column else {})})
        except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
            raise InputError(f"{name}: cannot read the gold file ({error}).") from None
    for column in (text_column, label_column):
        if column not in frame.columns:
            raise InputError(f"{name}: no column {column!r}; it has {', '.join(frame.columns)}. "
                             f"Use --text-column / --label-column.")
    labels = frame[label_column].astype(str).str.strip().str.lower()
    unknown = sorted(set(labels) - set(LABELS))
    if unknown:
        raise InputError(f"{name}: labels must be cooperation, friction or neutral; found {', '.join(unknown[:5])}.")
    predicted = predict(frame[text_column].astype(str).tolist(), scorer)
    predicted.insert(0, "label", labels.to_numpy())
    predicted.insert(0, text_column, frame[text_column].to_numpy())
    f1 = {label: _f1(labels.reset_index(drop=True), predicted["label_pred"], label) for label in ("cooperation", "friction")}
    spearman = None
    if goldstein_column and goldstein_column in frame.columns:
        from scipy.stats import spearmanr

        goldstein = pd.to_numeric(frame[goldstein_column], errors="coerce").to_numpy()
        ok = ~np.isnan(goldstein)
        predicted.insert(2, goldstein_column, goldstein)
        spearman = float(spearmanr(goldstein[ok], predicted["net"].to_numpy()[ok]).statistic)
    confusion = pd.crosstab(pd.Categorical(labels, LABELS), pd.Categorical(predicted["label_pred"], LABELS),
                            rownames=["gold"], colnames=["predicted"], dropna=False)
    accuracy = float((labels.to_numpy() == predicted["label_pred"].to_numpy()).mean())
    quad_agreement, quad_n, quad_confusion = None, 0, None
    if cameo_column and cameo_column in frame.columns:
        gold_quad = cameo_quads(frame[cameo_column])
        predicted.insert(2, "quad_gold", gold_quad.to_numpy())
        known = gold_quad.notna().to_numpy()
        quad_n = int(known.sum())
        if quad_n:
            quad_agreement = float((gold_quad.to_numpy()[known] == predicted["quad"].to_numpy()[known]).mean())
            quad_confusion = pd.crosstab(pd.Categorical(gold_quad[known], QUADS[:4]),
                                         pd.Categorical(predicted["quad"][known], QUADS),
                                         rownames=["CAMEO"], colnames=["predicted"], dropna=False)
    return Evaluation(len(frame), accuracy, float(np.mean(list(f1.values()))), f1, spearman, confusion, predicted,
                      quad_agreement, quad_n, quad_confusion)


def _cached_dev_evaluation(cache: Path, **columns) -> Evaluation:
    """The default scorer on the bundled dev set, from ``cache/validation/`` when scored before."""
    import json
    import pickle

    from .io import write_pickle
    from .score.compiled import compile_cached, source_fingerprint

    default = Scorer(tone=False)
    key = source_fingerprint(default.get_params())
    if key is None:
        return evaluate(**columns, scorer=compile_cached(default, cache))
    key = hashlib.sha256(f"{key}|{json.dumps(columns, sort_keys=True)}".encode()).hexdigest()[:24]
    path = cache / "validation" / f"{key}.pickle"
    try:
        with path.open("rb") as handle:
            found = pickle.load(handle)
        if isinstance(found, Evaluation):
            return found
    except Exception:  # absent, damaged or written by other code: score the dev set again
        pass
    result = evaluate(**columns, scorer=compile_cached(default, cache))
    write_pickle(path, result)  # a read-only cache costs the next run the scoring, nothing else
    return result


def cameo_quads(codes: pd.Series) -> pd.Series:
    """The quad class of each CAMEO code by its root, GDELT's convention (missing for an unknown code)."""
    table = pd.read_csv(data_path(CAMEO_TABLE), dtype=str)
    by_root = dict(zip(table["code"], table["quadclass_alt"], strict=True))

    def quad(code: object) -> str | None:
        return by_root.get(str(code).strip()[:2]) if isinstance(code, str) else None

    return pd.Series([quad(code) for code in codes], index=codes.index, dtype=object)


# --------------------------------------------------------------------------- the dyad, on coded real news

DYAD_CODES = ("direct", "context", "none")
DIRECTIONS = ("a_to_b", "b_to_a", "mutual")
METRICS = ("detection_f1", "label_macro_f1", "spearman")


@dataclass
class DyadEvaluation:
    """The scorer against sentences coded by the dyad codebook, per group and overall.

    ``table`` has one row per group (and ``all``): n (sentences), n_articles,
    n_direct (gold), n_direct_pred, detection precision/recall/F1 (the
    codebook's ``direct`` against the rest), label_macro_f1 (cooperation vs
    friction on gold-direct sentences: the F1 of each class, averaged; a
    neutral prediction counts as a miss), label_accuracy (three classes on
    gold-direct sentences), spearman (ρ between ``net`` and the coded
    intensity −3…+3 on gold-direct sentences), direction_accuracy (on
    sentences both gold and predicted direct, where the gold gives one), and
    for each of the three headline metrics a 95% article-bootstrap interval
    (``*_low``, ``*_high``). ``predictions`` has one row per gold sentence.
    """

    table: pd.DataFrame
    predictions: pd.DataFrame

    def conf_int(self, metric: str = "detection_f1") -> pd.DataFrame:
        """Estimate and 95% interval of one metric per group."""
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {', '.join(METRICS)}")
        return self.table.set_index("group")[[metric, f"{metric}_low", f"{metric}_high"]]

    def summary(self) -> str:
        lines = ["Dyad agreement with coded sentences (95% article-bootstrap intervals)", ""]
        for row in self.table.itertuples(index=False):
            lines.append(f"{row.group}: n = {row.n} sentences in {row.n_articles} articles, "
                         f"{row.n_direct} direct (predicted {row.n_direct_pred})")
            for metric, label in (("detection_f1", "direct-detection F1"), ("label_macro_f1", "label macro-F1"),
                                  ("spearman", "Spearman rho (net vs intensity)")):
                value, low, high = getattr(row, metric), getattr(row, f"{metric}_low"), getattr(row, f"{metric}_high")
                lines.append(f"  {label:34s} {_number(value)}  [{_number(low)}, {_number(high)}]")
            lines.append(f"  {'detection precision / recall':34s} {_number(row.detection_precision)} / "
                         f"{_number(row.detection_recall)}")
            lines.append(f"  {'direction accuracy':34s} {_number(row.direction_accuracy)}")
        return "\n".join(lines)


def _number(value: float) -> str:
    return "  n/a" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value:.3f}"


def _pick(frame: pd.DataFrame, *names: str) -> str | None:
    return next((name for name in names if name in frame.columns), None)


def _read_gold(gold: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(gold, pd.DataFrame):
        return gold.copy(), "gold table"
    try:
        return pd.read_csv(gold, dtype=str, keep_default_na=False), str(gold)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputError(f"{gold}: cannot read the gold file ({error}).") from None


def _sentence_row(records: list[dict], start: int | None, end: int | None, sentence: str, text: str) -> dict | None:
    """The scorer's sentence that a gold sentence is: by offsets when given, else found by its words."""
    if start is None or end is None:
        words = sentence.split()
        found = re.search(r"\s+".join(map(re.escape, words)), text) if words else None
        if found is None:
            return None
        start, end = found.span()
    best, overlap = None, 0
    for record in records:
        shared = min(end, record["end"]) - max(start, record["start"])
        if shared > overlap:
            best, overlap = record, shared
    return best


def dyad_predictions(gold: str | Path | pd.DataFrame, *, dyad: str | Path | None = None,
                     scorer: Scorer | None = None, corpus: str | Path | None = None) -> pd.DataFrame:
    """Score each gold sentence in its article; one row per gold sentence with the gold codes beside.

    The gold table needs the article (``article_text`` or ``text``, and
    ``title`` when known), the sentence (``sentence``, and ``start``/``end``
    offsets into the article when known) and the codes (``dyad``:
    direct/context/none; ``intensity`` −3…+3 on direct sentences; optional
    ``direction``). A ``dyad_file`` column gives each row its own dyad (several
    pairs in one gold set); ``dyad`` overrides it. Instead of the article's text
    the gold may give its id (``article_id``: the corpus's own id or the
    project's) and ``corpus`` the corpus that holds it. ``scorer`` gives the
    settings (lexicon, model) used for every dyad.
    """
    frame, name = _read_gold(gold)
    if _pick(frame, "article_text", "text") is None and corpus is not None and "article_id" in frame.columns:
        frame = _attach_articles(frame, corpus, name)
    text_column = _pick(frame, "article_text", "text")
    if text_column is None or "sentence" not in frame.columns or "dyad" not in frame.columns:
        raise InputError(f"{name}: a dyad gold set needs columns article_text (or text), sentence and dyad; "
                         f"it has {', '.join(frame.columns)}.")
    frame["dyad"] = frame["dyad"].astype(str).str.strip().str.lower()
    unknown = sorted(set(frame["dyad"]) - set(DYAD_CODES))
    if unknown:
        raise InputError(f"{name}: dyad codes must be direct, context or none; found {', '.join(unknown[:5])}.")
    frame["intensity"] = pd.to_numeric(frame.get("intensity", pd.Series(np.nan, index=frame.index)), errors="coerce")
    if dyad is not None or "dyad_file" not in frame.columns:
        frame["dyad_file"] = str(dyad) if dyad is not None else ""
    scorers: dict[str, Scorer] = {}
    rows = []
    for (dyad_file, text), group in frame.groupby(["dyad_file", text_column], sort=False):
        if dyad_file not in scorers:
            params = {**(scorer.get_params() if scorer is not None else {}), "tone": False}
            if dyad_file:
                params["dyad"] = dyad_file
            scorers[dyad_file] = Scorer(**params).compile()
        title = str(group["title"].iloc[0]) if "title" in group.columns else ""
        records = scorers[dyad_file].score_text("gold", str(text), title=title)
        for index, row in group.iterrows():
            start = int(row["start"]) if "start" in group.columns and str(row["start"]).strip() else None
            end = int(row["end"]) if "end" in group.columns and str(row["end"]).strip() else None
            record = _sentence_row(records, start, end, str(row["sentence"]), str(text))
            rows.append({"index": index, "relevance": record["relevance"] if record else "none",
                         "net": float(record["net"]) if record else 0.0,
                         "direction_pred": (record.get("direction") or "") if record else "",
                         "intensity_pred": record.get("intensity", np.nan) if record else np.nan,
                         "evidence": record["evidence"] if record else ""})
    predicted = pd.DataFrame(rows).set_index("index").reindex(frame.index)
    threshold = next(iter(scorers.values())).settings_.label_threshold if scorers else 0.05
    out = frame.drop(columns=[text_column]).assign(**{column: predicted[column] for column in predicted.columns})
    out["direct_pred"] = out["relevance"] == "direct"
    out["label"] = np.select([out["intensity"] > 0, out["intensity"] < 0], ["cooperation", "friction"], "neutral")
    out["label_pred"] = np.select([out["net"] >= threshold, out["net"] <= -threshold],
                                  ["cooperation", "friction"], "neutral")
    out["article"] = pd.factorize(frame[text_column])[0]
    return out


def _attach_articles(frame: pd.DataFrame, corpus: str | Path, name: str) -> pd.DataFrame:
    """Give each gold row its article's title and text, looked up by id in ``corpus``."""
    from .ingest import load_corpus

    articles = load_corpus(corpus)
    by_id = {}
    for column in ("source_id", "article_id"):
        by_id.update({str(key): (title, text) for key, title, text in
                      zip(articles[column], articles["title"], articles["text"], strict=True) if key})
    missing = sorted({str(key) for key in frame["article_id"]} - set(by_id))
    if missing:
        raise InputError(f"{name}: {len(missing)} article id(s) not in {corpus}, e.g. {missing[0]!r}.")
    found = [by_id[str(key)] for key in frame["article_id"]]
    return frame.assign(title=[title for title, _ in found], article_text=[text for _, text in found])


def _dyad_metrics(direct: np.ndarray, direct_pred: np.ndarray, label: np.ndarray, label_pred: np.ndarray,
                  intensity: np.ndarray, net: np.ndarray) -> tuple[float, float, float]:
    from scipy.stats import spearmanr

    tp = int((direct & direct_pred).sum())
    detection = 2 * tp / (direct.sum() + direct_pred.sum()) if direct.sum() + direct_pred.sum() else np.nan
    if direct.any():
        gold, pred = label[direct], label_pred[direct]
        f1 = [_f1(pd.Series(gold), pd.Series(pred), name) for name in ("cooperation", "friction")
              if (gold == name).any()]
        macro = float(np.mean(f1)) if f1 else np.nan
        x, y = intensity[direct], net[direct]
        rho = float(spearmanr(x, y).statistic) if len(x) >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0 else np.nan
    else:
        macro = rho = np.nan
    return float(detection), macro, rho


def evaluate_dyad(gold: str | Path | pd.DataFrame, *, dyad: str | Path | None = None, scorer: Scorer | None = None,
                  group: str | None = "corpus", n_boot: int = 1000, seed: int = 20240101,
                  corpus: str | Path | None = None) -> DyadEvaluation:
    """Score coded real-news sentences in their articles and measure agreement, per ``group`` and overall.

    See :func:`dyad_predictions` for the gold table and :class:`DyadEvaluation`
    for what is reported. Intervals resample articles (the sentences of one
    article are not independent), ``n_boot`` times with ``seed``.
    """
    predictions = dyad_predictions(gold, dyad=dyad, scorer=scorer, corpus=corpus)
    rng = np.random.default_rng(seed)
    groups = [("all", predictions)]
    if group and group in predictions.columns and predictions[group].nunique() > 1:
        groups = [(str(key), frame) for key, frame in predictions.groupby(group, sort=True)] + groups
    rows = []
    for name, frame in groups:
        direct = (frame["dyad"] == "direct").to_numpy()
        direct_pred = frame["direct_pred"].to_numpy(dtype=bool)
        label, label_pred = frame["label"].to_numpy(), frame["label_pred"].to_numpy()
        intensity, net = frame["intensity"].to_numpy(dtype=float), frame["net"].to_numpy(dtype=float)
        arrays = (direct, direct_pred, label, label_pred, intensity, net)
        estimate = _dyad_metrics(*arrays)
        articles = frame["article"].to_numpy()
        members = [np.flatnonzero(articles == a) for a in np.unique(articles)]
        draws = []
        for _ in range(n_boot):
            chosen = rng.integers(0, len(members), len(members))
            index = np.concatenate([members[i] for i in chosen])
            draws.append(_dyad_metrics(*(array[index] for array in arrays)))
        draws = np.array(draws, dtype=float)
        both = direct & direct_pred & frame["direction"].isin(DIRECTIONS).to_numpy() \
            & frame["direction_pred"].isin(DIRECTIONS).to_numpy() \
            if "direction" in frame.columns else np.zeros(len(frame), bool)
        row = {"group": name, "n": len(frame), "n_articles": len(members), "n_direct": int(direct.sum()),
               "n_direct_pred": int(direct_pred.sum()),
               "detection_precision": float((direct & direct_pred).sum() / direct_pred.sum()) if direct_pred.any() else np.nan,
               "detection_recall": float((direct & direct_pred).sum() / direct.sum()) if direct.any() else np.nan,
               "label_accuracy": float((label[direct] == label_pred[direct]).mean()) if direct.any() else np.nan,
               "direction_accuracy": float((frame["direction"].to_numpy()[both] ==
                                            frame["direction_pred"].to_numpy()[both]).mean()) if both.any() else np.nan}
        for k, metric in enumerate(METRICS):
            row[metric] = estimate[k]
            finite = draws[:, k][np.isfinite(draws[:, k])] if n_boot else np.array([])
            row[f"{metric}_low"], row[f"{metric}_high"] = (
                (float(np.quantile(finite, 0.025)), float(np.quantile(finite, 0.975))) if len(finite) else (np.nan, np.nan))
        rows.append(row)
    columns = ["group", "n", "n_articles", "n_direct", "n_direct_pred", "detection_precision", "detection_recall",
               *[c for metric in METRICS for c in (metric, f"{metric}_low", f"{metric}_high")],
               "label_accuracy", "direction_accuracy"]
    return DyadEvaluation(pd.DataFrame(rows, columns=columns), predictions)
