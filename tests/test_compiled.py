"""The compiled-scorer cache (analysis/score/compiled.py) and the cached dev-set validation."""

import pickle
import shutil

import pytest

from analysis.score import Scorer, compiled
from analysis.validate import evaluate
from analysis.vocab import data_path

TEXT = "Turkey and Russia signed an agreement on grain exports. Ankara criticised Moscow over Idlib."


@pytest.fixture
def fresh_memory(monkeypatch):
    """Each test starts as a new process would: no compiled scorer in memory."""
    monkeypatch.setattr(compiled, "_MEMORY", {})


def test_a_stored_scorer_scores_like_a_fresh_one(tmp_path, fresh_memory, monkeypatch):
    first = compiled.compile_cached(Scorer(tone=False), tmp_path)
    stored = list((tmp_path / compiled.COMPILED_FOLDER).glob("*.pickle"))
    assert len(stored) == 1
    monkeypatch.setattr(compiled, "_MEMORY", {})
    second = compiled.compile_cached(Scorer(tone=False), tmp_path)
    assert second is not first  # read from the file, not compiled again
    assert second.fingerprint() == first.fingerprint()
    assert second.score_text("a", TEXT) == Scorer(tone=False).compile().score_text("a", TEXT)


def test_one_compile_per_process(fresh_memory):
    first = compiled.compile_cached(Scorer(tone=False))
    assert compiled.compile_cached(Scorer(tone=False)) is first
    assert compiled.compile_cached(Scorer(tone=True)) is not first  # other parameters, other scorer


def test_this_process_keeps_the_latest_few(fresh_memory, monkeypatch):
    monkeypatch.setattr(compiled, "_KEEP", 1)
    first = compiled.compile_cached(Scorer(tone=False))
    compiled.compile_cached(Scorer(tone=True))
    assert compiled.compile_cached(Scorer(tone=False)) is not first


def test_a_damaged_file_is_rebuilt(tmp_path, fresh_memory, monkeypatch):
    compiled.compile_cached(Scorer(tone=False), tmp_path)
    (path,) = (tmp_path / compiled.COMPILED_FOLDER).glob("*.pickle")
    path.write_bytes(b"not a pickle")
    monkeypatch.setattr(compiled, "_MEMORY", {})
    scorer = compiled.compile_cached(Scorer(tone=False), tmp_path)
    assert scorer.compiled_ and scorer.score_text("a", TEXT)
    assert isinstance(pickle.loads(path.read_bytes()), Scorer)  # rewritten


def test_something_else_pickled_is_not_taken(tmp_path, fresh_memory):
    key = compiled.source_fingerprint(Scorer(tone=False).get_params())
    (tmp_path / compiled.COMPILED_FOLDER).mkdir()
    (tmp_path / compiled.COMPILED_FOLDER / f"{key}.pickle").write_bytes(pickle.dumps({"not": "a scorer"}))
    assert isinstance(compiled.compile_cached(Scorer(tone=False), tmp_path), Scorer)


def test_a_changed_vocabulary_changes_the_fingerprint(tmp_path):
    dyad = tmp_path / "dyad.yaml"
    shutil.copy(data_path("dyad_turkey_russia.yaml"), dyad)
    before = compiled.source_fingerprint(Scorer(dyad=dyad).get_params())
    dyad.write_text(dyad.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after = compiled.source_fingerprint(Scorer(dyad=dyad).get_params())
    assert before and after and before != after
    assert compiled.source_fingerprint(Scorer(tone=True).get_params()) != \
        compiled.source_fingerprint(Scorer(tone=False).get_params())


def test_a_missing_vocabulary_is_not_cached(tmp_path, fresh_memory):
    from analysis.errors import ConfigError

    assert compiled.source_fingerprint(Scorer(dyad=tmp_path / "absent.yaml").get_params()) is None
    with pytest.raises(ConfigError):
        compiled.compile_cached(Scorer(dyad=tmp_path / "absent.yaml"), tmp_path)


def test_the_dev_set_validation_is_cached(tmp_path, fresh_memory):
    plain = evaluate().as_dict()
    assert evaluate(cache=tmp_path).as_dict() == plain
    (path,) = (tmp_path / "validation").glob("*.pickle")
    assert evaluate(cache=tmp_path).as_dict() == plain  # from the file
    path.write_bytes(b"\x80damaged")
    assert evaluate(cache=tmp_path).as_dict() == plain
