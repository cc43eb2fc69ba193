"""Command-line interface: a thin layer that parses arguments and calls the library.

Exit codes: 0 success; 1 a run-time problem (e.g. an unwritable output
folder, an unreachable Dask scheduler); 2 a usage or configuration error (an
unknown option, a value of the wrong type or range, a bad period or
frequency, a bad config, dyad, taxonomy or lexicon file), found before any
work; 3 the corpus cannot be read at all; 4 a series too short for the
statistic asked for; 130 interrupted. Every failure prints one line
``error: …``, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
from pathlib import Path

from .errors import AnalysisError, ConfigError

__all__ = ["main", "build_parser", "COMMANDS", "UsageError"]

FORMATS = ("pdf", "svg", "png")


class UsageError(ConfigError):
    """An option argparse cannot read (exit code 2, one ``error:`` line like every other failure)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse prints usage and "prog: error:" over several lines; one line here
        raise UsageError(f"{message} (see {self.prog} --help)")

COMMANDS = {
    "ingest": "Read a corpus and write the articles table (CSV) and what was skipped.",
    "score": "Score every sentence of a corpus and write the sentences table (CSV).",
    "stream": "Score a corpus of any size in bounded memory; write Parquet tables and per-period means to a folder.",
    "evaluate": "Score gold-labelled sentences and print accuracy, macro-F1 and Spearman rho.",
    "compare": "Compare two periods per topic and print the table.",
    "figures": "Write the six paper figures (PDF, SVG, PNG).",
    "report": "Run everything and write report.html plus data/ (CSV and Parquet).",
}


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="config file (default: ./analysis.toml if present)")
    parser.add_argument("--dyad", help="dyad YAML (default: bundled Turkey–Russia)")
    parser.add_argument("--topics", help="topic taxonomy YAML (default: bundled)")
    parser.add_argument("--cues", help="cue lexicon YAML (default: bundled CAMEO lexicon)")
    parser.add_argument("--model", help="the scorer's learned model: a model.json, or 'none' for the rules alone "
                                        "(default: the bundled model)")
    parser.add_argument("--column", action="append", metavar="ROLE=NAME",
                        help="the column of a table corpus that holds ROLE (text, title, published, url, source, id), "
                             "e.g. --column text=body; repeat for several")
    parser.add_argument("--metadata", help="metadata CSV whose values override the articles' (default: CORPUS/metadata.csv)")
    parser.add_argument("--freq", help="period length: ME, QE or YE")
    parser.add_argument("--min-articles", type=int, help="periods with fewer articles are flagged thin")
    parser.add_argument("--n-boot", type=int, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, help="random seed")
    parser.add_argument("--infer-dates", action="store_true", default=None,
                        help="give undated articles the latest date their text mentions (reported)")
    parser.add_argument("--no-tone", dest="tone", action="store_false", default=None, help="skip VADER tone (faster)")
    parser.add_argument("--tone-all", dest="tone_all", action="store_true", default=None,
                        help="VADER tone of every sentence, not only those naming a side or the pair (slower)")
    parser.add_argument("--jobs", type=int, help="processes (local) or workers (dask); default: all cores")
    parser.add_argument("--engine", choices=["local", "dask"], help="local process pool (default) or Dask")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (with --engine dask)")
    parser.add_argument("--cache", help="folder of the scored-article cache (default: build/cache)")
    parser.add_argument("--no-cache", dest="cache", action="store_const", const="", help="score everything afresh")
    parser.add_argument("--quiet", action="store_true", help="only errors")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="relationship-dynamics",
        description="Measure cooperation and friction between two countries, per topic and over time, "
                    "from a collection of news articles.",
        epilog="Exit codes: 0 success; 1 run-time problem; 2 usage or configuration error; 3 unreadable corpus; "
               "4 series too short; 130 interrupted. Settings come from ./analysis.toml unless --config says otherwise.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help=COMMANDS["ingest"], description=COMMANDS["ingest"])
    p.add_argument("corpus", nargs="?", help="folder of articles or a .jsonl/.csv/.parquet file")
    p.add_argument("--output", "-o", default="build/articles.csv", help="articles CSV to write")
    _add_run_options(p)

    p = sub.add_parser("score", help=COMMANDS["score"], description=COMMANDS["score"])
    p.add_argument("corpus", nargs="?", help="folder of articles or a .jsonl/.csv/.parquet file")
    p.add_argument("--output", "-o", default="build/sentences.csv", help="sentences CSV to write")
    _add_run_options(p)

    p = sub.add_parser("stream", help=COMMANDS["stream"], description=COMMANDS["stream"])
    p.add_argument("corpus", nargs="?", help="folder of articles or a .jsonl/.csv/.parquet file")
    p.add_argument("--output", "-o", default="build/stream", help="folder to write (replaced if a stream wrote it)")
    p.add_argument("--batch-size", type=int, default=1000, help="articles per scoring batch")
    _add_run_options(p)

    p = sub.add_parser("evaluate", help=COMMANDS["evaluate"], description=COMMANDS["evaluate"])
    p.add_argument("gold", nargs="?", help="CSV of gold sentences (default: the bundled CAMEO dev set)")
    p.add_argument("--text-column", default="text")
    p.add_argument("--label-column", default="label", help="values: cooperation, friction, neutral")
    p.add_argument("--goldstein-column", default="goldstein", help="Goldstein scores for Spearman rho (optional)")
    p.add_argument("--cameo-column", default="cameo_code", help="CAMEO codes for quad class agreement (optional)")
    p.add_argument("--predictions", help="write per-row predictions (net, label_pred) to this CSV")
    p.add_argument("--cues", help="cue lexicon YAML")
    p.add_argument("--dyad", help="evaluate the dyad scores: GOLD holds sentences coded by the dyad codebook "
                                  "(article_text or article_id, sentence, dyad, intensity; see README)")
    p.add_argument("--corpus", help="with --dyad and a gold set of article ids: the corpus that holds the articles")
    p.add_argument("--group", default="corpus", help="with --dyad: report per value of this gold column too")
    p.add_argument("--model", help="the scorer's learned model: a model.json, or 'none' (default: bundled)")
    p.add_argument("--n-boot", type=int, default=1000, help="with --dyad: bootstrap resamples of articles")

    p = sub.add_parser("compare", help=COMMANDS["compare"], description=COMMANDS["compare"])
    p.add_argument("--corpus", help="folder or file (default: from the config)")
    p.add_argument("--a", required=True, help="period A: 2020, 2020-2021, 2021Q3, 'before 2022-02-24' or a name")
    p.add_argument("--b", required=True, help="period B")
    _add_run_options(p)

    p = sub.add_parser("figures", help=COMMANDS["figures"], description=COMMANDS["figures"])
    p.add_argument("--corpus", help="folder or file (default: from the config)")
    p.add_argument("--figures", help="folder for the figures (default: figures/)")
    p.add_argument("--formats", default="pdf,svg,png", help="comma-separated: pdf,svg,png")
    _add_run_options(p)

    p = sub.add_parser("report", help=COMMANDS["report"], description=COMMANDS["report"])
    p.add_argument("--corpus", help="folder or file (default: from the config)")
    p.add_argument("--out", help="folder for report.html and data/ (default: reports/)")
    p.add_argument("--a", help="period A of the comparison (default: [analysis.compare] or from the data)")
    p.add_argument("--b", help="period B of the comparison")
    _add_run_options(p)
    return parser


def _columns(values: list[str] | None) -> dict[str, str] | None:
    from .config import COLUMN_ROLES

    if not values:
        return None
    columns = {}
    for value in values:
        role, equals, name = value.partition("=")
        if not equals or role not in COLUMN_ROLES or not name:
            raise UsageError(f"--column takes ROLE=NAME with ROLE one of {', '.join(COLUMN_ROLES)}, found {value!r}.")
        columns[role] = name
    return columns


def _check_command_options(args: argparse.Namespace) -> None:
    """The options of one command that the config does not hold, checked before any work."""
    if getattr(args, "batch_size", 1) < 1:
        raise UsageError(f"--batch-size must be at least 1, found {args.batch_size}.")
    if args.command == "evaluate" and args.n_boot < 1:
        raise UsageError(f"--n-boot must be at least 1, found {args.n_boot}.")
    if args.command == "figures":
        formats = [f.strip() for f in args.formats.split(",") if f.strip()]
        unknown = [f for f in formats if f not in FORMATS]
        if unknown or not formats:
            raise UsageError(f"--formats takes a comma-separated list of {', '.join(FORMATS)}, found {args.formats!r}.")


def _config(args: argparse.Namespace):
    from .config import load_config
    from .engine.pipeline import check_config, check_periods

    config = load_config(getattr(args, "config", None))
    corpus = getattr(args, "corpus", None)
    if args.command == "report" and (args.a or args.b):
        if not (args.a and args.b):
            raise UsageError("give both --a and --b (the two periods to compare), or neither.")
        config = config.with_options(compare={"a": args.a, "b": args.b})
    config = _apply_options(config, args, corpus)
    if args.command == "compare":
        from .engine.pipeline import named_periods

        check_periods(args.a, args.b, named_periods(config))
    check_config(config)
    return config


def _apply_options(config, args: argparse.Namespace, corpus: str | None):
    return config.with_options(columns=_columns(getattr(args, "column", None)),
        corpus=corpus, out=getattr(args, "out", None), figures=getattr(args, "figures", None),
        dyad=getattr(args, "dyad", None), topics=getattr(args, "topics", None), cues=getattr(args, "cues", None),
        model=getattr(args, "model", None),
        metadata=getattr(args, "metadata", None), freq=getattr(args, "freq", None),
        min_articles=getattr(args, "min_articles", None), n_boot=getattr(args, "n_boot", None),
        seed=getattr(args, "seed", None), infer_dates=getattr(args, "infer_dates", None),
        tone=getattr(args, "tone", None), tone_all=getattr(args, "tone_all", None), jobs=getattr(args, "jobs", None), engine=getattr(args, "engine", None),
        scheduler=getattr(args, "scheduler", None), cache=getattr(args, "cache", None))


def _command_line(argv: list[str]) -> str:
    return "relationship-dynamics " + " ".join(shlex.quote(a) for a in argv)


def _print_evaluation(result, predictions: str | None) -> int:
    print(result.summary())
    if predictions:
        from .io import write_text

        Path(predictions).parent.mkdir(parents=True, exist_ok=True)
        write_text(Path(predictions), result.predictions.to_csv(index=False, lineterminator="\n"))
    return 0


def _done(args: argparse.Namespace, summary: str) -> None:
    """The one line a finished command prints: what it wrote (``--quiet``: nothing; errors still go to stderr)."""
    if not getattr(args, "quiet", False):
        print(summary)


def _run(args: argparse.Namespace, argv: list[str]) -> int:
    _check_command_options(args)
    if args.command == "evaluate":
        from .score import Scorer
        from .validate import evaluate, evaluate_dyad

        if args.dyad:
            if not args.gold:
                raise UsageError("evaluate --dyad needs a gold CSV of coded sentences.")
            result = evaluate_dyad(args.gold, dyad=args.dyad, scorer=Scorer(args.dyad, cues=args.cues, tone=False,
                                                                            model=args.model),
                                   group=args.group, n_boot=args.n_boot, corpus=args.corpus)
            return _print_evaluation(result, args.predictions)
        result = evaluate(args.gold, text_column=args.text_column, label_column=args.label_column,
                          goldstein_column=args.goldstein_column or None, cameo_column=args.cameo_column or None,
                          scorer=Scorer(cues=args.cues, tone=False))
        return _print_evaluation(result, args.predictions)

    config = _config(args)
    if args.command == "ingest":
        from .ingest import read_corpus
        from .io import csv_text, write_text

        result = read_corpus(config.corpus, columns=config.columns or None, metadata=config.metadata,
                             infer_dates=config.infer_dates)
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        write_text(output, csv_text(result.articles))
        skipped_path = output.with_name(output.stem + "_skipped.csv")
        write_text(skipped_path, csv_text(result.skipped))
        _done(args, f"{len(result.articles)} articles → {output}; {int((result.skipped['action'] == 'skipped').sum())} "
              f"skipped, {len(result.skipped)} problems listed in {skipped_path}")
        return 0
    if args.command == "score":
        from .engine.pipeline import score_articles
        from .io import csv_text, write_text

        ingested, sentences = score_articles(config)
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        write_text(output, csv_text(sentences))
        _done(args, f"{len(sentences)} sentences of {len(ingested.articles)} articles → {output}")
        return 0

    if args.command == "stream":
        from .engine.pipeline import run_stream

        bar = None
        if sys.stderr.isatty() and not args.quiet:
            from tqdm import tqdm

            bar = tqdm(desc="scoring", unit="article", leave=False)
        result = run_stream(config, args.output, batch_size=args.batch_size,
                            progress=bar.update if bar is not None else None)
        if bar is not None:
            bar.close()
        n_skipped = int((result.skipped["action"] == "skipped").sum())
        _done(args, f"{result.n_articles} articles ({n_skipped} inputs skipped, "
              f"{result.n_duplicates} duplicates), {result.n_sentences} sentences → "
              f"{result.folder}/ (articles, article_topics, sentences/, topic_periods.csv, skipped.csv)")
        return 0

    if args.command == "compare":
        from .engine.pipeline import compare

        print(compare(config, args.a, args.b, progress=sys.stderr.isatty() and not args.quiet).summary())
        return 0

    from .engine.pipeline import run

    results = run(config, progress=sys.stderr.isatty() and not args.quiet)
    if args.command == "figures":
        from .present.figures import make_figures

        formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
        written = make_figures(results, config.figures, formats)
        _done(args, f"{len(written)} figure files → {config.figures}/")
        return 0
    if args.command == "report":
        written = results.write(config.out, command=_command_line(argv))
        n_skipped = int((results.skipped["action"] == "skipped").sum())
        _done(args, f"{len(results.articles)} articles ({n_skipped} inputs skipped, "
              f"{int((results.articles['duplicate_of'] != '').sum())} duplicates) → "
              f"{Path(config.out) / 'report.html'} and {len(written) - 1} data files in {Path(config.out) / 'data'}")
        return 0
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    logging.basicConfig(level=logging.ERROR if getattr(args, "quiet", False) or os.environ.get("CI") else logging.WARNING,
                        format="warning: %(message)s")
    try:
        return _run(args, argv)
    except AnalysisError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except KeyboardInterrupt:
        print("error: interrupted; outputs already written are complete, nothing half-written was kept", file=sys.stderr)
        return 130
