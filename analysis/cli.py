"""Command-line interface: a thin layer that parses arguments and calls the library.

Exit codes: 0 success; 1 a run-time problem (e.g. an unwritable output
folder); 2 a configuration error (bad config, dyad, taxonomy or lexicon
file; bad option); 3 the corpus cannot be read at all; 4 a series too short
for the statistic asked for. Every failure prints one line ``error: …``,
never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
from pathlib import Path

from .errors import AnalysisError

__all__ = ["main", "build_parser", "COMMANDS"]

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
    parser.add_argument("--metadata", help="metadata CSV whose values override the articles' (default: CORPUS/metadata.csv)")
    parser.add_argument("--freq", help="period length: ME, QE or YE")
    parser.add_argument("--min-articles", type=int, help="periods with fewer articles are flagged thin")
    parser.add_argument("--n-boot", type=int, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, help="random seed")
    parser.add_argument("--infer-dates", action="store_true", default=None,
                        help="give undated articles the latest date their text mentions (reported)")
    parser.add_argument("--no-tone", dest="tone", action="store_false", default=None, help="skip VADER tone (faster)")
    parser.add_argument("--jobs", type=int, help="processes (local) or workers (dask); default: all cores")
    parser.add_argument("--engine", choices=["local", "dask"], help="local process pool (default) or Dask")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (with --engine dask)")
    parser.add_argument("--cache", help="folder of the scored-article cache (default: build/cache)")
    parser.add_argument("--no-cache", dest="cache", action="store_const", const="", help="score everything afresh")
    parser.add_argument("--quiet", action="store_true", help="only errors")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relationship-dynamics",
        description="Measure cooperation and friction between two countries, per topic and over time, "
                    "from a collection of news articles.",
        epilog="Exit codes: 0 success; 1 run-time problem; 2 configuration error; 3 unreadable corpus; "
               "4 series too short. Settings come from ./analysis.toml unless --config says otherwise.")
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


def _config(args: argparse.Namespace):
    from .config import load_config

    config = load_config(getattr(args, "config", None))
    corpus = getattr(args, "corpus", None)
    if args.command == "report" and (args.a or args.b):
        if not (args.a and args.b):
            from .errors import ConfigError

            raise ConfigError("give both --a and --b (the two periods to compare), or neither.")
        config = config.with_options(compare={"a": args.a, "b": args.b})
    return config.with_options(
        corpus=corpus, out=getattr(args, "out", None), figures=getattr(args, "figures", None),
        dyad=getattr(args, "dyad", None), topics=getattr(args, "topics", None), cues=getattr(args, "cues", None),
        model=getattr(args, "model", None),
        metadata=getattr(args, "metadata", None), freq=getattr(args, "freq", None),
        min_articles=getattr(args, "min_articles", None), n_boot=getattr(args, "n_boot", None),
        seed=getattr(args, "seed", None), infer_dates=getattr(args, "infer_dates", None),
        tone=getattr(args, "tone", None), jobs=getattr(args, "jobs", None), engine=getattr(args, "engine", None),
        scheduler=getattr(args, "scheduler", None), cache=getattr(args, "cache", None))


def _command_line(argv: list[str]) -> str:
    return "relationship-dynamics " + " ".join(shlex.quote(a) for a in argv)


def _run(args: argparse.Namespace, argv: list[str]) -> int:
    if args.command == "evaluate":
        from .score import Scorer
        from .validate import evaluate, evaluate_dyad

        if args.dyad:
            if not args.gold:
                raise AnalysisError("evaluate --dyad needs a gold CSV of coded sentences.")
            result = evaluate_dyad(args.gold, dyad=args.dyad, scorer=Scorer(args.dyad, cues=args.cues, tone=False,
                                                                            model=args.model),
                                   group=args.group, n_boot=args.n_boot, corpus=args.corpus)
            print(result.summary())
            if args.predictions:
                from .io import write_text

                Path(args.predictions).parent.mkdir(parents=True, exist_ok=True)
                write_text(Path(args.predictions), result.predictions.to_csv(index=False, lineterminator="\n"))
            return 0
        result = evaluate(args.gold, text_column=args.text_column, label_column=args.label_column,
                          goldstein_column=args.goldstein_column or None, cameo_column=args.cameo_column or None,
                          scorer=Scorer(cues=args.cues, tone=False))
        print(result.summary())
        if args.predictions:
            from .io import write_text

            Path(args.predictions).parent.mkdir(parents=True, exist_ok=True)
            write_text(Path(args.predictions), result.predictions.to_csv(index=False, lineterminator="\n"))
        return 0

    config = _config(args)
    if args.command == "ingest":
        from .ingest import read_corpus
        from .io import write_text

        result = read_corpus(config.corpus, metadata=config.metadata, infer_dates=config.infer_dates)
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        write_text(output, result.articles.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d"))
        skipped_path = output.with_name(output.stem + "_skipped.csv")
        write_text(skipped_path, result.skipped.to_csv(index=False, lineterminator="\n"))
        print(f"{len(result.articles)} articles → {output}; {int((result.skipped['action'] == 'skipped').sum())} "
              f"skipped, {len(result.skipped)} problems listed in {skipped_path}")
        return 0
    if args.command == "score":
        from .engine.pool import score_at_scale
        from .ingest import read_corpus
        from .io import write_text
        from .score import Scorer

        result = read_corpus(config.corpus, metadata=config.metadata, infer_dates=config.infer_dates)
        unique = result.articles[result.articles["duplicate_of"] == ""]
        sentences = score_at_scale(unique, Scorer(config.dyad, config.topics, config.cues, tone=config.tone, model=config.model),
                                   jobs=config.jobs or None, engine=config.engine, scheduler=config.scheduler,
                                   cache=config.cache or None)
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        write_text(output, sentences.to_csv(index=False, lineterminator="\n"))
        print(f"{len(sentences)} sentences of {len(result.articles)} articles → {output}")
        return 0

    if args.command == "stream":
        from .aggregation import aggregate
        from .engine.stream import stream
        from .io import write_text
        from .score import Scorer

        bar = None
        if sys.stderr.isatty() and not args.quiet:
            from tqdm import tqdm

            bar = tqdm(desc="scoring", unit="article", leave=False)
        result = stream(config.corpus, args.output, scorer=Scorer(config.dyad, config.topics, config.cues, tone=config.tone, model=config.model),
                        metadata=config.metadata, infer_dates=config.infer_dates, jobs=config.jobs or None,
                        engine=config.engine, scheduler=config.scheduler, cache=config.cache or None,
                        batch_size=args.batch_size, progress=bar.update if bar is not None else None)
        if bar is not None:
            bar.close()
        periods = aggregate(result.article_topics, config.freq, min_articles=config.min_articles,
                            n_boot=config.n_boot, seed=config.seed)
        write_text(result.folder / "topic_periods.csv",
                   periods.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d"))
        n_skipped = int((result.skipped["action"] == "skipped").sum())
        print(f"{result.n_articles} articles ({n_skipped} inputs skipped, "
              f"{result.n_duplicates} duplicates), {result.n_sentences} sentences → "
              f"{result.folder}/ (articles, article_topics, sentences/, topic_periods.csv, skipped.csv)")
        return 0

    from .engine.pipeline import run

    results = run(config, progress=sys.stderr.isatty() and not args.quiet)
    if args.command == "compare":
        from .dynamics import compare_periods

        named = {k: tuple(v) if isinstance(v, list) else v for k, v in config.named_periods.items()}
        table = compare_periods(results.article_topics, args.a, args.b, periods=named, n_boot=config.n_boot,
                                seed=config.seed)
        print(table.summary())
        return 0
    if args.command == "figures":
        from .present.figures import make_figures

        formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
        written = make_figures(results, config.figures, formats)
        print(f"{len(written)} figure files → {config.figures}/")
        return 0
    if args.command == "report":
        from .io import write_results
        from .present.report import render_report
        from .validate import evaluate

        evaluation = evaluate(scorer=None, cache=config.cache or None).as_dict()
        html = render_report(results, evaluation, command=_command_line(argv))
        written = write_results(results, config.out, html)
        n_skipped = int((results.skipped["action"] == "skipped").sum())
        print(f"{len(results.articles)} articles ({n_skipped} inputs skipped, "
              f"{int((results.articles['duplicate_of'] != '').sum())} duplicates) → "
              f"{Path(config.out) / 'report.html'} and {len(written) - 1} data files in {Path(config.out) / 'data'}")
        return 0
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
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
