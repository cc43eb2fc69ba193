"""The learned heads: loading, arithmetic, explanation; and that the shipped model is what training gives."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.score import Scorer
from analysis.score.model import FEATURE_VERSION, load_model, masked_words
from analysis.validate import evaluate_dyad

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _model(tmp_path, **overrides) -> Path:
    raw = {"feature_version": FEATURE_VERSION, "threshold": 0.5,
           "detection": {"intercept": -1.0, "weights": {"rule_direct": 3.0, "w:agreed": 1.0}},
           "intensity": {"intercept": 0.5, "weights": {"rule_net": 2.0}},
           "direction": {"a_to_b": {"intercept": 0.0, "weights": {"first=a": 1.0}},
                         "b_to_a": {"intercept": 0.0, "weights": {"first=b": 1.0}},
                         "mutual": {"intercept": 0.5, "weights": {}}},
           "metadata": {"n_sentences": 3}}
    raw.update(overrides)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_heads_compute_what_their_weights_say(tmp_path):
    model = load_model(_model(tmp_path))
    features = {"rule_direct": 1.0, "w:agreed": 1.0, "rule_net": 0.5, "unknown": 7.0}
    assert model.p_direct(features) == pytest.approx(1 / (1 + math.exp(-3.0)))  # -1 + 3 + 1
    assert model.intensity_of(features) == pytest.approx(1.5)  # 0.5 + 2 × 0.5
    assert model.intensity_of({"rule_net": 5.0}) == 3.0  # clipped to the codebook's scale
    assert model.direction_of({"first=a": 1.0}) == "a_to_b"
    assert model.direction_of({}) == "mutual"
    assert model.explain(features, k=2) == "rule_direct +3.00, w:agreed +1.00"


def test_a_bad_or_stale_model_file_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigError, match="features version"):
        load_model(_model(tmp_path, feature_version=FEATURE_VERSION - 1))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a model file"):
        load_model(broken)
    with pytest.raises(ConfigError, match="not found"):
        load_model(tmp_path / "missing.json")
    assert load_model("none") is None


def test_the_model_decides_relevance_and_score_and_names_its_terms(tmp_path):
    scorer = Scorer(tone=False, model=_model(tmp_path)).compile()
    record = scorer.score_text("a", "Turkey and Russia agreed on a grain corridor.")[0]
    assert record["relevance"] == "direct" and record["p_direct"] > 0.5
    assert "model: p(direct)" in record["evidence"] and "rule_direct +3.00" in record["evidence"]
    # The intensity head: 0.5 + 2 × the rules' net; net is intensity / 3 and the codebook's integer its rounding.
    rule_net = math.tanh((record["cooperation"] - record["friction"]) / 4.0)
    assert record["net"] == pytest.approx((0.5 + 2 * rule_net) / 3, abs=1e-6)
    assert record["intensity"] == round(0.5 + 2 * rule_net)
    # A co-mention with no event: the model's detection head says no.
    assert scorer.score_text("b", "Turkey and Russia are countries.")[0]["relevance"] == "context"
    # The fingerprint follows the model, so a cache never mixes models.
    assert scorer.fingerprint() != Scorer(tone=False, model="none").fingerprint()


def test_masked_words_hide_who_so_one_model_serves_every_dyad():
    scorer = Scorer(tone=False, model="none").compile()
    text = "Erdogan told the EU that the two leaders met."
    assert masked_words(text, 0, len(text), scorer.actor_matcher_.find(text)) == \
        ["<side>", "told", "the", "<third>", "that", "<pair>", "met"]


def test_evaluate_dyad_counts_what_it_should():
    gold = pd.DataFrame({
        "article_text": ["Turkey and Russia signed a trade deal.", "Russian jets shot down a Turkish drone.",
                         "Turkey, Russia and Japan are members of the G20.", "Brazil praised Chile."],
        "sentence": ["Turkey and Russia signed a trade deal.", "Russian jets shot down a Turkish drone.",
                     "Turkey, Russia and Japan are members of the G20.", "Brazil praised Chile."],
        "dyad": ["direct", "direct", "context", "none"], "intensity": ["2", "-3", "", ""],
        "direction": ["mutual", "b_to_a", "", ""], "corpus": ["x", "x", "y", "y"]})
    result = evaluate_dyad(gold, scorer=Scorer(tone=False, model="none"), n_boot=50)
    overall = result.table.set_index("group").loc["all"]
    assert overall["n"] == 4 and overall["n_direct"] == 2 and overall["n_direct_pred"] == 2
    assert overall["detection_f1"] == 1.0 and overall["label_macro_f1"] == 1.0
    assert overall["direction_accuracy"] == 1.0
    assert set(result.table["group"]) == {"x", "y", "all"}
    assert list(result.conf_int("detection_f1").columns) == ["detection_f1", "detection_f1_low", "detection_f1_high"]
    assert "direct-detection F1" in result.summary()


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_model(tmp_path):
    if not (SHARED / "corpora").exists():
        pytest.skip("../shared/corpora is absent: the training text (Reuters, ukraine-media) is not in the project")
    pytest.importorskip("sklearn")
    from validation.train import main

    out = tmp_path / "model.json"
    assert main(["--shared", str(SHARED), "--gold", str(tmp_path / "gold.csv"), "--out", str(out)]) == 0
    shipped = json.loads((ROOT / "analysis" / "data" / "model.json").read_text(encoding="utf-8"))
    again = json.loads(out.read_text(encoding="utf-8"))
    for head in ("detection", "intensity"):
        assert again[head]["intercept"] == pytest.approx(shipped[head]["intercept"], abs=1e-5)
        assert set(again[head]["weights"]) == set(shipped[head]["weights"])
        for name, weight in shipped[head]["weights"].items():
            assert again[head]["weights"][name] == pytest.approx(weight, abs=1e-5), (head, name)
    assert again["threshold"] == pytest.approx(shipped["threshold"], abs=1e-5)
    assert again["metadata"]["data_sha256"] == shipped["metadata"]["data_sha256"]
