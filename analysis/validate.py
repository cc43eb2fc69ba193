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

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .score import Scorer, score_sentence
from .vocab import data_path

__all__ = ["evaluate", "Evaluation", "predict", "DEV_SET"]

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
             cameo_column: str | None = "cameo_code", scorer: Scorer | None = None) -> Evaluation:
    """Score a gold set and compare with its labels (default: the bundled CAMEO dev set).

    ``cameo_column`` (used when present): CAMEO codes, for quad class agreement."""
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


def cameo_quads(codes: pd.Series) -> pd.Series:
    """The quad class of each CAMEO code by its root, GDELT's convention (missing for an unknown code)."""
    table = pd.read_csv(data_path(CAMEO_TABLE), dtype=str)
    by_root = dict(zip(table["code"], table["quadclass_alt"], strict=True))

    def quad(code: object) -> str | None:
        return by_root.get(str(code).strip()[:2]) if isinstance(code, str) else None

    return pd.Series([quad(code) for code in codes], index=codes.index, dtype=object)
