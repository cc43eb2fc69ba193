"""Rebuild the coded real-news gold set, text included, from ``../shared``.

    python -m validation.rebuild --shared ../shared --out build/gold/gold.csv

``validation/data/items.csv`` holds, for every coded sentence, its corpus,
dyad, article id, character offsets in the article's ``text`` and a SHA-1 of
the sentence; ``codes.csv`` holds the blind codes. This script looks every
article up in ``../shared/corpora`` (or ``seeds/``), checks the sentence's hash
and writes one row per coded sentence with what ``python -m analysis evaluate
--dyad`` reads: the article's title and text, the sentence and its offsets,
the codes, and the corpus, split and sampling weight. The output stays in
``build/`` (git-ignored): Reuters and ukraine-media text never enters the
repository.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

from validation.sample import CORPORA, DYADS, _seed_rows, read_corpus

HERE = Path(__file__).parent / "data"
COLUMNS = ["item_id", "corpus", "dyad_name", "dyad_file", "split", "stratum", "weight", "article_id", "title",
           "article_text", "start", "end", "sentence", "dyad", "intensity", "direction", "coder"]


def rebuild(shared: Path, *, codes: Path = HERE / "codes.csv") -> list[dict]:
    """Every coded item with its article's title and text (raises if a sentence's hash does not match)."""
    items = list(csv.DictReader((HERE / "items.csv").open(encoding="utf-8")))
    coded = {row["item_id"]: row for row in csv.DictReader(codes.open(encoding="utf-8"))}
    wanted: dict[str, set[str]] = {}
    for item in items:
        wanted.setdefault(item["corpus"], set()).add(item["article_id"])
    articles: dict[tuple[str, str], dict] = {}
    for corpus, ids in wanted.items():
        rows = _seed_rows(shared / "seeds") if corpus == "seeds" else read_corpus(shared / "corpora" / CORPORA[corpus][0])
        for row in rows:
            if row["id"] in ids:
                articles[(corpus, row["id"])] = row
    out = []
    for item in items:
        article = articles.get((item["corpus"], item["article_id"]))
        if article is None:
            raise SystemExit(f"{item['item_id']}: article {item['article_id']} is not in {shared}")
        start, end = int(item["start"]), int(item["end"])
        sentence = article["text"][start:end]
        if hashlib.sha1(sentence.encode()).hexdigest() != item["sha1"]:
            raise SystemExit(f"{item['item_id']}: the sentence at {start}:{end} no longer matches its hash")
        code = coded.get(item["item_id"], {})
        out.append({"item_id": item["item_id"], "corpus": item["corpus"], "dyad_name": item["dyad"],
                    "dyad_file": DYADS[item["dyad"]], "split": item["split"],
                    "stratum": item["stratum"], "weight": item["weight"], "article_id": item["article_id"],
                    "title": article.get("title") or "", "article_text": article["text"], "start": start, "end": end,
                    "sentence": sentence, "dyad": code.get("dyad", ""), "intensity": code.get("intensity", ""),
                    "direction": code.get("direction", ""), "coder": code.get("coder", "")})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("build/gold/gold.csv"))
    parser.add_argument("--codes", type=Path, default=HERE / "codes.csv")
    args = parser.parse_args(argv)
    if not (args.shared / "corpora").exists():
        print(f"{args.shared / 'corpora'} is absent: nothing to rebuild", file=sys.stderr)
        return 1
    rows = rebuild(args.shared, codes=args.codes)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} coded sentences → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
