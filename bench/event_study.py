"""`python -m bench.event_study`: which measure moves at documented events? (→ analysis/data/event_evidence.csv)

Scores each shared development corpus for each dyad it covers, runs
:func:`analysis.events.event_study` against the dyad's sourced, dated events
(``analysis/data/events_<dyad>.yaml``) and writes every corpus × event ×
measure row to ``analysis/data/event_evidence.csv``. The report's headline
measure is the one whose mean signed z there has the highest lower 95% bound
(:func:`analysis.events.choose_headline`), and its Method section shows the
table. Rerun after a change to the scorer: the headline follows the evidence.

    python -m bench.event_study [--corpora ../shared/corpora] [--output analysis/data/event_evidence.csv]

A gzipped corpus is decompressed into a temporary file when the reader does
not take it directly. The windows (7 days after, 45 quiet days before, a gap
of 3) were fixed before the first run and are not tuned.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

# corpus file → dyads it covers (the README of ../shared/corpora lists the pairs in each)
RUNS = (
    ("fakes_syria.jsonl", ("turkey_russia",)),
    ("wh_briefings.turkey_russia.jsonl", ("turkey_russia",)),
    ("ukraine_media_2022.jsonl.gz", ("turkey_russia", "russia_ukraine")),
    ("reuters_2006_2013.pairs.jsonl.gz", ("turkey_russia", "us_china", "russia_ukraine")),
)


def _readable(path: Path, workdir: Path) -> Path:
    """The corpus itself, or a decompressed copy when the reader does not open gzip."""
    if path.suffix != ".gz":
        return path
    from analysis.errors import AnalysisError
    from analysis.ingest import read_corpus

    try:
        probe = read_corpus(path)
        if len(probe.articles):
            return path
    except AnalysisError:
        pass
    target = workdir / path.name.removesuffix(".gz")
    with gzip.open(path, "rb") as source, open(target, "wb") as sink:
        shutil.copyfileobj(source, sink)
    return target


def run(corpora: Path, output: Path, *, jobs: int = 1, cache: str | None = "build/cache") -> pd.DataFrame:
    from analysis.engine.pool import score_at_scale
    from analysis.events import dyad_events, event_study, summarize_event_study
    from analysis.ingest import read_corpus
    from analysis.reference import load_event_dates
    from analysis.score import Scorer
    from analysis.vocab import data_path

    tables = []
    with tempfile.TemporaryDirectory() as workdir:
        for name, dyads in RUNS:
            path = corpora / name
            if not path.exists():
                print(f"error: {path}: not found; skipped", file=sys.stderr)
                continue
            articles = read_corpus(_readable(path, Path(workdir))).articles
            unique = articles[articles["duplicate_of"] == ""]
            for dyad in dyads:
                scorer = Scorer(data_path(f"dyad_{dyad}.yaml"), tone=False).compile()
                sentences = score_at_scale(unique, scorer, jobs=jobs, cache=cache)
                events = dyad_events(sentences, articles)
                label = f"{name.split('.')[0]}:{dyad}"
                study = event_study(events, articles, load_event_dates(f"events_{dyad}.yaml"), corpus=label)
                tables.append(study.table)
                summary = summarize_event_study(study.table)
                print(f"{label}: {len(articles)} articles, {int(events['is_event'].sum())} events; "
                      f"{int(study.table['evaluable'].sum() / max(len(summary), 1))} event(s) evaluable", flush=True)
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    output.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(output, index=False, lineterminator="\n", date_format="%Y-%m-%d", float_format="%.6g")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.event_study", description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default="../shared/corpora", help="folder of the shared corpora")
    parser.add_argument("--output", default="analysis/data/event_evidence.csv")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--cache", default="build/cache", help="scored-article cache ('' for none)")
    args = parser.parse_args(argv)
    from analysis.events import choose_headline, summarize_event_study

    table = run(Path(args.corpora), Path(args.output), jobs=args.jobs, cache=args.cache or None)
    if table.empty:
        print("error: no corpus found; nothing written", file=sys.stderr)
        return 1
    summary = summarize_event_study(table)
    with pd.option_context("display.width", 200):
        print(summary.to_string(index=False, float_format=lambda v: f"{v:+.2f}"))
    print(f"headline: {choose_headline(summary)} → {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
