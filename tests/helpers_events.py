"""A synthetic scored corpus (no scorer needed) for chart and figure tests: known gaps, one-article periods, copies."""

import json
import math

import numpy as np
import pandas as pd

TOPICS = ("syria", "energy", "trade")


def scored_corpus(seed: int = 1, months: int = 24, gap: tuple[int, ...] = (5, 6)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sentences, articles): several articles a month, none in the ``gap`` months, one in month 10; topic
    "trade" has a single article; outlets RT and BBC."""
    rng = np.random.default_rng(seed)
    sentences, articles = [], []
    quads = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")
    for month in range(months):
        if month in gap:
            continue
        count = 1 if month == 10 else 4
        for i in range(count):
            article = f"m{month:02d}a{i}"
            day = pd.Timestamp("2020-01-01") + pd.DateOffset(months=month) + pd.Timedelta(days=3 * i)
            articles.append({"article_id": article, "published": day, "duplicate_of": "", "path": f"{article}.txt",
                             "line": pd.NA, "title": f"Article {article}", "source": ("RT", "BBC")[i % 2],
                             "url": "", "text": "", "date_source": "explicit"})
            for j in range(2):
                quad = quads[int(rng.integers(0, 4))]
                sign = 1 if "cooperation" in quad else -1
                weight = sign * float(rng.uniform(1, 8))
                topic = TOPICS[(i + j) % 2]
                sentences.append({
                    "article_id": article, "sentence": j, "text": f"{article} {j} {quad} {rng.integers(1e9)}",
                    "relevance": "direct", "weight": 1.0, "topics": topic, "direction": ("a_to_b", "b_to_a", "mutual")[j % 3],
                    "source": "", "target": "", "quad": quad, "cooperation": max(weight, 0), "friction": max(-weight, 0),
                    "net": math.tanh(weight / 4), "intensity": int(np.sign(weight) * min(3, round(abs(weight) / 2.5))),
                    "sides": "turkey;russia", "evidence": "",
                    "cue_spans": json.dumps([[0, 2, "sign_agreement" if sign > 0 else "threaten", weight, "dyad", "x"]])})
    articles.append({"article_id": "t0", "published": pd.Timestamp("2020-03-05"), "duplicate_of": "", "path": "t0.txt",
                     "line": pd.NA, "title": "Trade", "source": "Mystery", "url": "", "text": "", "date_source": "explicit"})
    sentences.append({**sentences[0], "article_id": "t0", "sentence": 0, "topics": "trade", "text": "a trade deal"})
    frame = pd.DataFrame(articles)
    frame["line"] = frame["line"].astype("Int64")
    return pd.DataFrame(sentences), frame


def text_overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose bounding boxes overlap (titles, labels, tick labels, legends, annotations).

    Tick labels of ticks outside an axis's view are not drawn, so they are left out.
    """
    import matplotlib.text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    hidden = set()
    for ax in fig.axes:
        for axis, (low, high) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            low, high = min(low, high), max(low, high)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    hidden.update({id(tick.label1), id(tick.label2)})
    texts, seen = [], set()
    for text in fig.findobj(matplotlib.text.Text):
        if id(text) in seen or id(text) in hidden or not text.get_visible() or not str(text.get_text()).strip():
            continue
        seen.add(id(text))
        axes = text.axes
        if axes is not None and not axes.get_visible():
            continue
        box = text.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            texts.append((str(text.get_text()), box))
    overlaps = []
    for index, (first, box) in enumerate(texts):
        for second, other in texts[index + 1:]:
            inter = box.intersection(box, other)
            if inter is not None and inter.width > 1 and inter.height > 1:
                overlaps.append((first, second))
    return overlaps
