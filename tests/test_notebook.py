"""notebooks/compare_periods.ipynb: it runs, shows each figure once with its intervals, and ships
the outputs a fresh run gives."""

import copy

import nbformat
import pytest
from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "compare_periods.ipynb"
REFRESH = (".venv/bin/jupyter nbconvert --to notebook --execute --inplace notebooks/compare_periods.ipynb "
           "(make notebook installs Jupyter)")


def _code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _images(cell) -> int:
    return sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))


def _text(cell) -> str:
    """What a reader sees of a cell as text: printed lines and the plain form of its results."""
    return "".join(output.get("text", "") + output.get("data", {}).get("text/plain", "")
                   for output in cell.get("outputs", []) if output.get("output_type") != "display_data" or
                   "image/png" not in output.get("data", {}))


def _check(notebook) -> None:
    cells = _code_cells(notebook)
    assert [o for cell in cells for o in cell.get("outputs", []) if o.get("output_type") == "error"] == []
    figures = [cell for cell in cells if "rd.plot_" in cell.source]
    assert len(figures) == 2
    assert [_images(cell) for cell in figures] == [1, 1]  # each figure once, not twice
    assert sum(_images(cell) for cell in cells) == 2
    periods = next(cell for cell in cells if "rd.aggregate(" in cell.source)
    header = _text(periods).splitlines()[0].split()
    assert {"n_articles", "mean_net", "ci_low", "ci_high", "thin"} <= set(header)  # the intervals, with n
    assert any(line.split()[header.index("ci_low") + 1] != "NaN" for line in _text(periods).splitlines()[1:])
    text = " ".join(_text(cell) for cell in cells)
    assert "Period comparison" in text and "95% CI" in text
    assert "too short" in text
    assert "headline:" in text and "Directed dyad" in text  # the event measures, the headline, the directed dyad


def test_the_shipped_notebook_shows_each_figure_once_with_its_intervals():
    _check(nbformat.read(NOTEBOOK, as_version=4))


def test_the_check_catches_a_figure_shown_twice():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    doubled = copy.deepcopy(notebook)
    figure = next(cell for cell in _code_cells(doubled) if "rd.plot_net_by_topic" in cell.source)
    figure.outputs.append(nbformat.v4.new_output("display_data", data=figure.outputs[0]["data"]))
    with pytest.raises(AssertionError):
        _check(doubled)


@pytest.mark.slow
def test_the_notebook_runs_and_ships_what_a_fresh_run_gives():
    from nbclient import NotebookClient

    shipped = nbformat.read(NOTEBOOK, as_version=4)
    executed = copy.deepcopy(shipped)
    NotebookClient(executed, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    _check(executed)
    for before, after in zip(_code_cells(shipped), _code_cells(executed), strict=True):
        assert _text(before) == _text(after), (
            f"the shipped outputs of this cell are stale:\n{after.source}\nRefresh them with: {REFRESH}")
