"""The scorer on the held-out coded real news: what ``make evaluate`` prints.

    python -m validation.heldout build/gold/gold.csv [--splits test,test2] [--model none]

Reads the gold set that ``python -m validation.rebuild`` writes (text from
``../shared``) and scores, per held-out split, every coded sentence in its
article with the bundled scorer: detection F1 (the codebook's ``direct``
against the rest), cooperation-vs-friction macro-F1 and Spearman ρ on direct
sentences, each with a 95% article-bootstrap interval, per corpus and in all.
No split named here was trained on (``validation/train.py`` reads ``train``
and ``dev``); ``validation/results.md`` records each scoring of them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from analysis.score import Scorer
from analysis.validate import evaluate_dyad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path, help="build/gold/gold.csv from validation.rebuild")
    parser.add_argument("--splits", default="test,test2", help="held-out splits, comma-separated")
    parser.add_argument("--model", default=None, help="'none' for the rules alone, or a model.json")
    parser.add_argument("--n-boot", type=int, default=1000)
    args = parser.parse_args(argv)
    gold = pd.read_csv(args.gold, keep_default_na=False)
    for split in [s.strip() for s in args.splits.split(",") if s.strip()]:
        rows = gold[gold["split"] == split]
        if rows.empty:
            print(f"split {split}: no coded sentences")
            continue
        result = evaluate_dyad(rows, scorer=Scorer(tone=False, model=args.model), group="corpus",
                               n_boot=args.n_boot)
        print(f"split {split} ({len(rows)} sentences, model {args.model or 'bundled'})")
        print(result.summary())
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
