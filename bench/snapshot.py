"""Hash every output of the pipeline on the seeds, the shared corpora and the probe sentences.

    python -m bench.snapshot build/snapshot/before.json        # write a snapshot
    python -m bench.snapshot build/snapshot/after.json --compare build/snapshot/before.json

A change that only moves code must leave every hash as it was; a change that
fixes a bug names, in its note, the hashes it changed and why. The shared
corpora are read from ``../shared/corpora`` (skipped with a message when it is
absent); gzipped files are unpacked into ``build/snapshot/inputs`` first so that
the snapshot does not depend on which compressed formats ingestion reads.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

BUILD = Path("build/snapshot")
SHARED = Path("../shared/corpora")
DYADS = {"turkey_russia": None, "us_china": "analysis/data/dyad_us_china.yaml",
         "russia_ukraine": "analysis/data/dyad_russia_ukraine.yaml"}
# name → (input, dyad)
RUNS = {
    "seeds": ("seeds", "turkey_russia"),
    "fakes": ("fakes_syria.jsonl", "turkey_russia"),
    "wh": ("wh_briefings.turkey_russia.jsonl", "turkey_russia"),
    "reuters_tr": ("reuters_2006_2013.pairs.jsonl.gz", "turkey_russia"),
    "reuters_uc": ("reuters_2006_2013.pairs.jsonl.gz", "us_china"),
    "reuters_ru": ("reuters_2006_2013.pairs.jsonl.gz", "russia_ukraine"),
    "ukraine_ru": ("ukraine_media_2022.jsonl.gz", "russia_ukraine"),
    "ukraine_tr": ("ukraine_media_2022.jsonl.gz", "turkey_russia"),
}


def _input(name: str) -> Path | None:
    if name == "seeds":
        return Path("seeds")
    source = SHARED / name
    if not source.exists():
        return None
    if source.suffix != ".gz":
        return source
    target = BUILD / "inputs" / source.stem
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(source, "rb") as packed, target.open("wb") as plain:
            shutil.copyfileobj(packed, plain)
    return target


def _hash_tree(folder: Path) -> dict[str, str]:
    """What a user sees in the folder: ``report.html`` and ``data/`` are links into a hidden folder."""
    import os

    hashes = {}
    for root, folders, names in os.walk(folder, followlinks=True):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            path = Path(root) / name
            if not name.startswith("."):
                hashes[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return dict(sorted(hashes.items()))


def _probes() -> dict[str, str]:
    import csv

    from analysis import Scorer, score_sentence

    out = {}
    generic = Scorer(tone=False).compile()
    for name in ("probe_sentences", "dyad_probe_sentences"):
        path = Path("tests/data") / f"{name}.csv"
        if not path.exists():
            continue
        digest = hashlib.sha256()
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                record = score_sentence(row["text"], generic, dyad_filter=name.startswith("dyad"))
                digest.update(json.dumps([record.get(k) for k in ("net", "quad", "evidence", "relevance")],
                                         default=str).encode())
        out[name] = digest.hexdigest()[:16]
    return out


def snapshot(only: list[str] | None = None) -> dict[str, dict[str, str]]:
    from analysis.cli import main

    result: dict[str, dict[str, str]] = {"probes": _probes()}
    for name, (source, dyad) in RUNS.items():
        if only and name not in only:
            continue
        corpus = _input(source)
        if corpus is None:
            print(f"skipped {name}: {SHARED / source} is absent", file=sys.stderr)
            continue
        out = BUILD / "runs" / name
        shutil.rmtree(out, ignore_errors=True)
        argv = ["report", "--corpus", str(corpus), "--out", str(out), "--no-cache", "--quiet", "--jobs", "2"]
        if DYADS[dyad]:
            argv += ["--dyad", DYADS[dyad]]
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
        if code != 0:
            raise SystemExit(f"{name}: report exited {code}")
        result[name] = _hash_tree(out)
        print(f"{name}: {len(result[name])} files", file=sys.stderr)
    return result


def compare(new: dict, old: dict) -> int:
    changed = 0
    for run in sorted(set(new) | set(old)):
        for path in sorted(set(new.get(run, {})) | set(old.get(run, {}))):
            a, b = old.get(run, {}).get(path), new.get(run, {}).get(path)
            if a != b:
                changed += 1
                print(f"changed: {run}/{path} {a} → {b}")
    print("identical" if not changed else f"{changed} output(s) changed")
    return 1 if changed else 0


def main_(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--compare", type=Path, help="an earlier snapshot to compare with")
    parser.add_argument("--only", nargs="*", help=f"runs to do (default all: {', '.join(RUNS)})")
    args = parser.parse_args(argv)
    result = snapshot(args.only)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.compare:
        return compare(result, json.loads(args.compare.read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main_())
