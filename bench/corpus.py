"""Seeded generators of news-shaped corpora for benchmarks.

Articles are assembled from sentence templates (actors, events, topics,
hedges, quotes, third parties, filler sentences that name no one) with dates
spread over 2015–2025, so that throughput measured here is throughput on text
shaped like news. Two shapes:

- *dense* (:func:`generate`): every article is about the pair (its title
  names both sides), about 3 KB each — a corpus collected by searching for
  the pair;
- *broad* (:func:`generate_broad`): a general news feed, where about 15% of
  the articles name a side and 1% relate both, with news lengths (median
  4.6 KB, mean 6.3 KB: 33,000 articles make about 210 MB). Most of the text
  is then about other countries, which is what the prefilter meets in a
  real feed.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path

TURKEY = ["Turkey", "Ankara", "Erdoğan", "Turkish officials", "Foreign Minister Hakan Fidan", "Türkiye", "Çavuşoğlu"]
RUSSIA = ["Russia", "Moscow", "the Kremlin", "Putin", "Lavrov", "Russian diplomats", "Peskov"]
THIRD = ["the United States", "NATO", "Ukraine", "the European Union", "Iran", "Israel", "Syria's government"]
TOPICS = ["the war in Ukraine", "the Istanbul talks", "Idlib in Syria", "the Black Sea grain corridor",
          "the TurkStream pipeline", "the Akkuyu nuclear plant", "the S-400 missile systems", "Libya",
          "Nagorno-Karabakh", "bilateral trade and tourism", "gas prices", "the situation in Gaza"]
COOP = ["signed an agreement on", "agreed to cooperate on", "held talks about", "praised cooperation on",
        "pledged support for", "welcomed progress on", "discussed", "announced joint efforts on"]
FRICTION = ["criticised", "accused {other} of undermining", "rejected proposals on", "warned against",
            "condemned", "threatened sanctions over", "protested over", "expressed deep concern about"]
FILLER = ["The statement did not give further details.", "Officials said more meetings were planned.",
          "Analysts said the outcome remained uncertain.", "The talks lasted about two hours.",
          "It was the third such contact this year.", "Markets reacted calmly to the news.",
          "The ministry published the figures on its website.", "Prices on the Istanbul exchange closed higher.",
          "The figures could not be independently verified.", "The report runs to about forty pages.",
          "Weather conditions were mild across the region.", "The newspaper has a daily circulation of 300,000.",
          "Shares in the largest banks rose slightly.", "The city has a population of about two million.",
          "Reporters were allowed to film the opening remarks.", "A full transcript was released later."]


DAYS = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "at the weekend", "late on Sunday",
        "earlier this week", "last month", "this year"]
PLACES = ["in Istanbul", "in Sochi", "in Antalya", "in Astana", "in Tehran", "in Geneva",
          "in New York", "by phone", "at a regional forum", "in Baku", "in Doha", "in Brussels"]
WORDS = ("security energy border grain ports shipping prices drones corridor pipeline reactor "
         "visa tourism lira ruble banks payments exports imports ministers "
         "deputies envoys experts delegations committee framework roadmap schedule phase").split()


def _tail(rng: random.Random) -> str:
    """A varied clause, so that generated articles are not near-duplicates of each other."""
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7)))
    return f" {rng.choice(DAYS)} {rng.choice(PLACES)}, with {rng.randint(2, 900)} {words} in focus"


THIRD_EVENTS = ["shelled positions near", "sent aid convoys to", "imposed new sanctions over", "held talks on",
                "accused rebels of violating the truce in", "reopened the border crossing to", "condemned the attacks in",
                "pledged reconstruction funds for", "reported heavy fighting around", "welcomed the agreement on"]


def _sentence(rng: random.Random) -> str:
    """One sentence, drawn so that the mix of what sentences name matches real news.

    On the shared FA-KES corpus (news on Syria that names Turkey and Russia),
    4% of sentences name both sides, 21% one side, 3% continue a sentence that
    names both, 72% name neither. The shares below give 5%, 16%, 2% and 77%
    (a 2,000-article sample). Until 2026-11-23 every generated sentence named
    a side, which made the benchmark text four times denser in scorable
    sentences than real news.
    """
    kind = rng.random()
    a, b = rng.choice(TURKEY), rng.choice(RUSSIA)
    if rng.random() < 0.5:
        a, b = b, a
    topic = rng.choice(TOPICS)
    if kind < 0.035:  # both sides, cooperation
        text = f"{a} and {b} {rng.choice(COOP)} {topic}{_tail(rng)}."
    elif kind < 0.05:  # both sides, friction
        verb = rng.choice(FRICTION).format(other=b)
        text = f"{a} {verb} {topic}{_tail(rng)}, according to {rng.choice(['Reuters', 'TASS', 'Anadolu Agency'])}."
    elif kind < 0.08:  # one side and a third party
        text = f"Ties between {a} and {rng.choice(THIRD)} were strained over {topic}{_tail(rng)}."
    elif kind < 0.12:  # one side, quoted
        text = f'"We will not accept any threat to {topic}," {a} said{_tail(rng)}.'
    elif kind < 0.21:  # one side acting
        verb = rng.choice(COOP + FRICTION).format(other=rng.choice(THIRD))
        text = f"{a} {verb} {topic}{_tail(rng)}."
    elif kind < 0.33:  # third parties only
        third = rng.choice(THIRD)
        text = f"{third[0].upper()}{third[1:]} {rng.choice(THIRD_EVENTS)} {topic}{_tail(rng)}."
    else:  # background that names no one
        text = str(rng.choice(FILLER))[:-1] + _tail(rng) + "."
    return text


def generate(n: int, seed: int = 2024, target_chars: int = 3000) -> Iterator[dict]:
    """Yield ``n`` articles as dicts with id, title, date, source, url, text."""
    rng = random.Random(seed)
    start = dt.date(2015, 1, 1).toordinal()
    span = dt.date(2025, 12, 31).toordinal() - start
    for index in range(n):
        sentences: list[str] = []
        size = 0
        while size < target_chars:
            paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
            sentences.append(paragraph)
            size += len(paragraph) + 2
        date = dt.date.fromordinal(start + rng.randrange(span))
        yield {"id": f"gen:{index}", "title": f"{rng.choice(TURKEY)} and {rng.choice(RUSSIA)} on {rng.choice(TOPICS)}",
               "date": date.isoformat(), "source": str(rng.choice(["Daily Sabah", "TASS", "Reuters", "Hurriyet"])),
               "url": f"https://example.org/{date:%Y/%m/%d}/story-{index}", "text": "\n\n".join(sentences)}


OTHER = ["Germany", "France", "Brazil", "India", "Japan", "Kenya", "Mexico", "Canada", "Indonesia", "Spain",
         "South Korea", "Argentina", "Nigeria", "Australia", "Poland", "Egypt"]
OTHER_TOPICS = ["the budget vote", "interest rates", "the election campaign", "flooding in the north",
                "a strike by rail workers", "the football league", "a new vaccine programme", "housing prices",
                "the school reform", "a corruption trial", "the wheat harvest", "a merger of two carmakers"]


def _other_sentence(rng: random.Random) -> str:
    """A sentence of general news that names neither side of the pair."""
    kind = rng.random()
    country = rng.choice(OTHER)
    if kind < 0.35:
        text = f"{country} {rng.choice(COOP + FRICTION).format(other=rng.choice(OTHER))} {rng.choice(OTHER_TOPICS)}{_tail(rng)}."
    elif kind < 0.5:
        third = rng.choice(THIRD)
        text = f"{third[0].upper()}{third[1:]} {rng.choice(THIRD_EVENTS)} {rng.choice(OTHER_TOPICS)}{_tail(rng)}."
    elif kind < 0.6:
        text = f'"This is a turning point for {rng.choice(OTHER_TOPICS)}," officials in {country} said{_tail(rng)}.'
    else:
        text = str(rng.choice(FILLER))[:-1] + _tail(rng) + "."
    return text


# "bilateral" is a pair phrase of the dyad: with one side named it would make the article relate the pair.
_ONE_SIDE_TOPICS = [topic for topic in TOPICS if "bilateral" not in topic] + OTHER_TOPICS


def _one_side_sentence(rng: random.Random, side: list[str]) -> str:
    """A sentence naming one side of the pair and no one of the other."""
    kind = rng.random()
    actor = rng.choice(side)
    topic = rng.choice(_ONE_SIDE_TOPICS)
    if kind < 0.4:
        text = f"{actor} {rng.choice(COOP + FRICTION).format(other=rng.choice(THIRD + OTHER))} {topic}{_tail(rng)}."
    elif kind < 0.55:
        text = f'"We will not accept any threat to {topic}," {actor} said{_tail(rng)}.'
    else:
        return _other_sentence(rng)
    return text


def generate_broad(n: int, seed: int = 2025) -> Iterator[dict]:
    """Yield ``n`` articles of a broad news feed: ~85% name neither side, ~14% one side, ~1% relate both.

    The articles relating both are :func:`generate`'s; lengths are
    log-normal (median 4.6 KB, mean 6.3 KB), as in wire news.
    """
    import math

    rng = random.Random(seed)
    dense = generate(n, seed=seed + 1, target_chars=4600)
    start = dt.date(2015, 1, 1).toordinal()
    span = dt.date(2025, 12, 31).toordinal() - start
    for index in range(n):
        roll = rng.random()
        target = int(4600 * math.exp(rng.gauss(0.0, 0.8)))
        target = min(max(target, 600), 60_000)
        if roll < 0.01:
            article = next(dense)
            article["id"] = f"broad:{index}"
            yield article
            continue
        side = (TURKEY if rng.random() < 0.5 else RUSSIA) if roll < 0.15 else None
        paragraphs: list[str] = []
        size = 0
        while size < target:
            paragraph = " ".join(_one_side_sentence(rng, side) if side else _other_sentence(rng)
                                 for _ in range(rng.randint(2, 4)))
            paragraphs.append(paragraph)
            size += len(paragraph) + 2
        date = dt.date.fromordinal(start + rng.randrange(span))
        subject = rng.choice(side) if side else rng.choice(OTHER)
        yield {"id": f"broad:{index}", "title": f"{subject} on {rng.choice(OTHER_TOPICS)}", "date": date.isoformat(),
               "source": str(rng.choice(["Reuters", "AP", "AFP", "The Guardian", "BBC"])),
               "url": f"https://example.org/{date:%Y/%m/%d}/news-{index}", "text": "\n\n".join(paragraphs)}


def write_jsonl(path: Path, n: int, seed: int = 2024, *, shape: str = "dense") -> Path:
    """Write ``n`` generated articles of ``shape`` ("dense" or "broad") to ``path`` (one JSON object per line)."""
    articles = {"dense": generate, "broad": generate_broad}[shape](n, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for article in articles:
            handle.write(json.dumps(article, ensure_ascii=False) + "\n")
    return path
