"""The scored-article cache (analysis/engine/cache.py): articles the prefilter leaves without rows are remembered
(as one mark row each, ``analysis.engine.tasks.UNSCORED``)."""

import pandas as pd

import analysis.engine.tasks as tasks
from analysis.engine.pool import score_at_scale
from analysis.score import Scorer

TEXTS = {"pair": "Turkey and Russia signed an agreement on grain exports. Ankara praised Moscow.",
         "other": "Germany and France agreed on the budget. Officials said more meetings were planned.",
         "one side": "Russia criticised the budget vote in Berlin. The figures could not be verified."}


def _articles() -> pd.DataFrame:
    return pd.DataFrame({"article_id": list(TEXTS), "content_hash": [f"hash-{k}" for k in TEXTS],
                         "text": list(TEXTS.values())})


def test_a_rerun_scores_nothing_even_for_articles_without_rows(tmp_path, monkeypatch):
    scorer = Scorer(tone=False)
    first = score_at_scale(_articles(), scorer, jobs=1, cache=tmp_path, batch_size=1)
    assert set(first["article_id"]) == {"pair"}  # the other two cannot relate the pair: no rows
    scored = []
    original = tasks.TASKS["score"]
    monkeypatch.setitem(tasks.TASKS, "score", lambda batch, params: scored.extend(batch) or original(batch, params))
    again = score_at_scale(_articles(), scorer, jobs=1, cache=tmp_path, batch_size=1)
    assert scored == []
    pd.testing.assert_frame_equal(again, first)
