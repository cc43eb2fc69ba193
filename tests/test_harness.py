"""The rules conftest.py keeps: tests run outside the repository, slow ones are marked, ../shared is optional."""

from pathlib import Path

import pytest
from conftest import ROOT, _files, pytest_collection_modifyitems, require_shared


def test_tests_run_in_a_scratch_copy_of_the_project():
    assert Path.cwd().resolve() != ROOT
    assert not Path.cwd().resolve().is_relative_to(ROOT)
    assert (Path("analysis.toml").read_bytes() == (ROOT / "analysis.toml").read_bytes())
    assert sorted(p.name for p in Path("seeds").iterdir()) == sorted(p.name for p in (ROOT / "seeds").iterdir())


def test_the_repository_check_sees_a_new_and_a_changed_file(tmp_path):
    (tmp_path / "kept.txt").write_text("a")
    before = _files(tmp_path)
    (tmp_path / "build" / "cache").mkdir(parents=True)
    (tmp_path / "build" / "cache" / "x.parquet").write_bytes(b"x")
    (tmp_path / "kept.txt").write_text("ab")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "m.pyc").write_bytes(b"x")
    after = _files(tmp_path)
    assert set(after) - set(before) == {str(Path("build/cache/x.parquet"))}
    assert before["kept.txt"] != after["kept.txt"]


class _Item:
    def __init__(self, *marks):
        self.marks = set(marks)

    def get_closest_marker(self, name):
        return name if name in self.marks else None

    def add_marker(self, mark):
        self.marks.add(mark.name)


def test_browser_tests_are_slow():
    browser, other = _Item("browser"), _Item()
    pytest_collection_modifyitems(None, [browser, other])
    assert browser.marks == {"browser", "slow"} and other.marks == set()


def test_a_test_that_needs_shared_skips_with_the_reason_when_it_is_absent():
    with pytest.raises(pytest.skip.Exception, match=r"no-such-corpus is absent: .*\.\./shared"):
        require_shared("corpora", "no-such-corpus")
