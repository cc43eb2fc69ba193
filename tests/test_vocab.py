"""The vocabulary registry and the scorer's fingerprint: every data file that shapes a score is in the cache key."""

import shutil

import pytest

from analysis import vocab
from analysis.score import Scorer
from analysis.vocab import NOT_IN_FINGERPRINT, VOCABULARY, data_path


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of analysis/data that the bundled-file lookups read instead (the repository stays untouched)."""
    copy = tmp_path / "data"
    shutil.copytree(data_path(""), copy)
    monkeypatch.setattr(vocab, "data_path", lambda name: copy / name)
    return copy


@pytest.mark.parametrize("entry", VOCABULARY, ids=[entry.role for entry in VOCABULARY])
def test_changing_any_registered_file_changes_the_fingerprint(data_copy, entry):
    before = Scorer(tone=False).fingerprint()
    path = data_copy / entry.default
    path.write_bytes(path.read_bytes() + b"\n \n")  # still a valid YAML / JSON file, other bytes
    assert Scorer(tone=False).fingerprint() != before, entry.default


def test_a_shorter_max_sentence_length_is_a_new_cache(data_copy):
    # segment.yaml decides the sentences; a cached rerun after changing it returned the old ones.
    before = Scorer(tone=False).fingerprint()
    path = data_copy / "segment.yaml"
    text = path.read_text(encoding="utf-8")
    assert "max_sentence_chars:" in text
    lines = [("max_sentence_chars: 123" if line.startswith("max_sentence_chars:") else line)
             for line in text.splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert Scorer(tone=False).fingerprint() != before


def test_a_file_passed_for_an_option_is_hashed_not_the_bundled_one(tmp_path):
    mine = tmp_path / "dyad.yaml"
    shutil.copy(data_path("dyad_turkey_russia.yaml"), mine)
    same = Scorer(dyad=str(mine), tone=False).fingerprint()
    assert same == Scorer(tone=False).fingerprint()  # same bytes, same cache
    mine.write_bytes(mine.read_bytes() + b"\n# mine\n")
    assert Scorer(dyad=str(mine), tone=False).fingerprint() != same
    assert Scorer(model="none", tone=False).fingerprint() != same
    assert Scorer(tone=True).fingerprint() != same


def test_every_bundled_file_is_registered_or_said_not_to_affect_scores():
    registered = {entry.default for entry in VOCABULARY}
    assert not registered & set(NOT_IN_FINGERPRINT)
    root = data_path("")
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        name = path.relative_to(root).as_posix()
        folder = name.split("/")[0] + "/" if "/" in name else None
        assert name in registered or name in NOT_IN_FINGERPRINT or folder in NOT_IN_FINGERPRINT, (
            f"analysis/data/{name}: add it to vocab.VOCABULARY (it shapes a score) or to NOT_IN_FINGERPRINT, saying why")
    for name in NOT_IN_FINGERPRINT:
        assert (root / name).exists(), f"NOT_IN_FINGERPRINT names {name}, which is not in analysis/data"
        assert NOT_IN_FINGERPRINT[name], name
