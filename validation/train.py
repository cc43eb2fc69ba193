"""Train the scorer's learned heads on the coded real-news sentences; write ``analysis/data/model.json``.

    python -m validation.train                      # needs ../shared (or build/gold/gold.csv)
    python -m validation.train --out /tmp/model.json --report

Data: every coded sentence of ``validation/data`` whose split is ``train`` or
``dev`` (the ``test`` split, the seeds and the blind corpus are never read).
Each article is scored by the rules alone (``--model none``) and each coded
sentence that the scorer would show the model (it names a side or a pair
phrase, or continues the context of one relating the pair) gives one row of
:func:`analysis.score.model.sentence_features`; sentences it would not show
the model are never direct by the model, and count as misses in its scores.

Heads (scikit-learn, deterministic): detection, an L2 logistic regression
(liblinear); intensity, a ridge regression on the sentences coded direct.
Their regularisation, and the detection threshold, are chosen by 5-fold
cross-validation grouped by article (no article in two folds): the best F1
of the out-of-fold probabilities, the best Spearman rho of the out-of-fold
intensities. Words and word pairs seen in fewer than ``MIN_COUNT`` training
sentences are left out. The model is then fitted on all of train and dev and
written as named weights with its data hash, library versions and scores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.score import Scorer
from analysis.score.model import FEATURE_VERSION
from analysis.validate import _sentence_row

HERE = Path(__file__).parent / "data"
SPLITS = ("train", "dev")
MIN_COUNT = 2
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
ALPHA_GRID = (1.0, 3.0, 10.0, 30.0, 100.0)
FOLDS = 5
DIGITS = 6
DIRECTIONS = ("a_to_b", "b_to_a", "mutual")


def training_rows(gold: pd.DataFrame, splits: tuple[str, ...] = SPLITS) -> pd.DataFrame:
    """One row per coded sentence of the training splits: gold codes and the rules' features (or None)."""
    gold = gold[gold["split"].isin(splits) & gold["dyad"].isin(["direct", "context", "none"])]
    scorers: dict[str, Scorer] = {}
    rows = []
    for (dyad_file, text), group in gold.groupby(["dyad_file", "article_text"], sort=True):
        if dyad_file not in scorers:
            scorers[dyad_file] = Scorer(dyad_file, tone=False, model="none").compile()
        scorer = scorers[dyad_file]
        records = scorer.score_text("train", text, title=str(group["title"].iloc[0]), features=True)
        for row in group.itertuples(index=False):
            record = _sentence_row(records, int(row.start), int(row.end), row.sentence, text)
            rows.append({"item_id": row.item_id, "article_id": row.article_id, "corpus": row.corpus,
                         "split": row.split, "dyad": row.dyad,
                         "intensity": float(row.intensity) if str(row.intensity).strip() else math.nan,
                         "direction": row.direction,
                         "rule_intensity": record["intensity"] if record else 0,
                         "features": record.get("features") if record else None,
                         "direction_features": record.get("direction_features") if record else None})
    return pd.DataFrame(rows).sort_values("item_id", kind="stable").reset_index(drop=True)


def _vocabulary(features: list[dict], min_count: int) -> list[str]:
    counts: dict[str, int] = {}
    for row in features:
        for name in row:
            counts[name] = counts.get(name, 0) + 1
    return sorted(name for name, n in counts.items()
                  if n >= min_count or not name.startswith(("w:", "b:")))


def _matrix(features: list[dict], names: list[str]):
    from scipy.sparse import csr_matrix

    index = {name: i for i, name in enumerate(names)}
    data, rows, cols = [], [], []
    for r, row in enumerate(features):
        for name, value in row.items():
            if name in index and value:
                data.append(value)
                rows.append(r)
                cols.append(index[name])
    return csr_matrix((data, (rows, cols)), shape=(len(features), len(names)))


def _folds(groups: np.ndarray) -> list[np.ndarray]:
    """Fold number per row: articles assigned by a hash of their id, so folds never split an article."""
    return np.array([int(hashlib.sha1(str(g).encode()).hexdigest()[:8], 16) % FOLDS for g in groups])


def _best_f1(truth: np.ndarray, scores: np.ndarray, misses: int) -> tuple[float, float]:
    """The threshold with the best F1 (``misses``: direct sentences the model never sees) and that F1."""
    best = (0.5, 0.0)
    for threshold in np.unique(np.round(scores, 4)):
        predicted = scores >= threshold
        tp = int((predicted & truth).sum())
        f1 = 2 * tp / (predicted.sum() + truth.sum() + misses) if tp else 0.0
        if f1 > best[1] + 1e-12:
            best = (float(threshold), f1)
    return best


def fit(rows: pd.DataFrame) -> tuple[dict, dict]:
    """Choose and fit both heads; returns the model (JSON-ready) and the cross-validated scores."""
    import sklearn
    from scipy.stats import spearmanr
    from sklearn.linear_model import LogisticRegression, Ridge

    seen = rows[rows["features"].notna()].reset_index(drop=True)
    misses = int(((rows["features"].isna()) & (rows["dyad"] == "direct")).sum())
    names = _vocabulary(list(seen["features"]), MIN_COUNT)
    x = _matrix(list(seen["features"]), names)
    y = (seen["dyad"] == "direct").to_numpy()
    fold = _folds(seen["article_id"].to_numpy())

    def detector(c: float) -> LogisticRegression:
        return LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0)

    cv = {}
    for c in C_GRID:
        oof = np.zeros(len(seen))
        for k in range(FOLDS):
            train, test = fold != k, fold == k
            oof[test] = detector(c).fit(x[train], y[train]).predict_proba(x[test])[:, 1]
        cv[c] = (_best_f1(y, oof, misses), oof)
    c_best = max(C_GRID, key=lambda c: (cv[c][0][1], -c))
    threshold, f1 = cv[c_best][0]
    direct = seen[y].reset_index(drop=True)
    xd = _matrix(list(direct["features"]), names)
    yd = direct["intensity"].to_numpy(dtype=float)
    fold_d = _folds(direct["article_id"].to_numpy())
    cv_rho = {}
    for alpha in ALPHA_GRID:
        oof = np.zeros(len(direct))
        for k in range(FOLDS):
            train, test = fold_d != k, fold_d == k
            oof[test] = Ridge(alpha=alpha).fit(xd[train], yd[train]).predict(xd[test])
        cv_rho[alpha] = float(spearmanr(yd, oof).statistic)
    alpha_best = max(ALPHA_GRID, key=lambda a: (cv_rho[a], a))
    logistic = detector(c_best).fit(x, y)
    ridge = Ridge(alpha=alpha_best).fit(xd, yd)
    # Direction: a multinomial logistic regression on the direct sentences with a coded direction.
    directed = direct[direct["direction"].isin(DIRECTIONS) & direct["direction_features"].notna()].reset_index(drop=True)
    direction_names = _vocabulary(list(directed["direction_features"]), MIN_COUNT)
    xr = _matrix(list(directed["direction_features"]), direction_names)
    yr = directed["direction"].to_numpy()
    fold_r = _folds(directed["article_id"].to_numpy())

    def director(c: float) -> LogisticRegression:
        return LogisticRegression(C=c, max_iter=2000)

    cv_direction = {}
    for c in C_GRID:
        oof = np.empty(len(directed), dtype=object)
        for k in range(FOLDS):
            train, test = fold_r != k, fold_r == k
            oof[test] = director(c).fit(xr[train], yr[train]).predict(xr[test])
        cv_direction[c] = float((oof == yr).mean())
    c_direction = max(C_GRID, key=lambda c: (cv_direction[c], -c))
    multinomial = director(c_direction).fit(xr, yr)

    def head(intercept: float, coefficients: np.ndarray, vocabulary: list[str] = names) -> dict:
        weights = {name: round(float(w), DIGITS) for name, w in zip(vocabulary, coefficients, strict=True)
                   if round(float(w), DIGITS) != 0}
        return {"intercept": round(float(intercept), DIGITS), "weights": weights}

    scores = {"detection_f1_cv": round(f1, 4), "threshold": round(threshold, 4), "C": c_best,
              "detection_f1_cv_by_C": {str(c): round(cv[c][0][1], 4) for c in C_GRID},
              "intensity_spearman_cv": round(cv_rho[alpha_best], 4), "alpha": alpha_best,
              "intensity_spearman_cv_by_alpha": {str(a): round(r, 4) for a, r in cv_rho.items()},
              "direction_accuracy_cv": round(cv_direction[c_direction], 4), "C_direction": c_direction,
              "n_directed": int(len(directed)),
              "n_sentences": int(len(rows)), "n_seen_by_model": int(len(seen)), "n_direct": int(y.sum() + misses),
              "n_direct_never_seen": misses, "n_features": len(names),
              "sklearn": sklearn.__version__, "numpy": np.__version__}
    model = {"feature_version": FEATURE_VERSION, "threshold": round(threshold, DIGITS),
             "detection": head(logistic.intercept_[0], logistic.coef_[0]),
             "intensity": head(ridge.intercept_, ridge.coef_),
             "direction": {label: head(multinomial.intercept_[k], multinomial.coef_[k], direction_names)
                           for k, label in enumerate(multinomial.classes_)}}
    return model, scores


def data_sha256() -> str:
    digest = hashlib.sha256()
    for name in ("items.csv", "codes.csv"):
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=Path("build/gold/gold.csv"),
                        help="the rebuilt gold set (made from --shared when absent)")
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("analysis/data/model.json"))
    parser.add_argument("--splits", default=",".join(SPLITS),
                        help="splits to learn from (default train,dev; train alone to measure on dev)")
    args = parser.parse_args(argv)
    if not args.gold.exists():
        from validation.rebuild import main as rebuild

        if rebuild(["--shared", str(args.shared), "--out", str(args.gold)]):
            return 1
    gold = pd.read_csv(args.gold, dtype=str, keep_default_na=False)
    splits = tuple(part.strip() for part in args.splits.split(",") if part.strip())
    if not set(splits) <= set(SPLITS):
        parser.error(f"--splits: only {', '.join(SPLITS)}; test, seeds and blind sentences are never learned from")
    rows = training_rows(gold, splits)
    model, scores = fit(rows)
    model["metadata"] = {"trained_on": f"validation/data (splits {', '.join(splits)})", "data_sha256": data_sha256(),
                         "command": "python -m validation.train", **scores}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, indent=0, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(scores, indent=1), file=sys.stderr)
    print(f"model → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
