"""The product layer: Results.write and build_report are what `report` writes; public names are unambiguous."""

import importlib
import pkgutil

import pandas as pd

import analysis as rd
from analysis.engine.pipeline import build_report
from analysis.io import REPORT_MARKER, TABLES


def test_results_write_writes_every_table_and_the_report(seeds_results, tmp_path):
    written = seeds_results.write(tmp_path / "out", command="relationship-dynamics report --test")
    names = sorted(path.relative_to(tmp_path / "out").as_posix() for path in written)
    assert written[-1].name == "report.html"
    assert {f"data/{table}.csv" for table in TABLES} <= set(names)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert REPORT_MARKER in html[:200] and "relationship-dynamics report --test" in html
    # the same bytes as build_report, written on its own
    alone = build_report(seeds_results, tmp_path / "alone", command="relationship-dynamics report --test")
    assert (tmp_path / "alone" / "report.html").read_text(encoding="utf-8") == alone == html
    changes = pd.read_csv(tmp_path / "out" / "data" / "changes.csv", dtype=str, keep_default_na=False)
    assert len(changes) == 1 and changes.loc[0, "note"] == seeds_results.changes_note != ""
    comparisons = pd.read_csv(tmp_path / "out" / "data" / "comparisons.csv", dtype=str)
    assert set(comparisons["a_start"]) == {"2020-01-01"} and set(comparisons["b_end"]) == {"2025-12-31"}


def _submodule_names() -> set[str]:
    names = set()
    for info in pkgutil.walk_packages(rd.__path__, "analysis."):
        names.add(info.name.rsplit(".", 1)[1])
    return names


def test_no_public_name_is_also_a_module_name():
    # `rd.evaluate` against a module `analysis.evaluate` would be one or the other depending on import order.
    clashes = sorted(set(rd.__all__) & _submodule_names())
    assert not clashes, clashes


def test_public_names_are_the_same_objects_whatever_was_imported_first():
    for info in pkgutil.walk_packages(rd.__path__, "analysis."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    for name in rd.__all__:
        if name == "__version__":
            continue
        value = getattr(rd, name)
        assert not isinstance(value, type(rd)), f"rd.{name} is a module"
        source = importlib.import_module(f"analysis.{rd._EXPORTS[name]}")
        assert getattr(source, name) is value, name
