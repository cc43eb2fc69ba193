import pytest
from conftest import ROOT


@pytest.mark.slow
def test_compare_periods_notebook_runs():
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / "compare_periods.ipynb"
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = " ".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "Period comparison" in text and "too short" in text
    assert "headline:" in text and "goldstein_per_article" in text and "Directed dyad" in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2  # fig1 and the forest plot, each once (not once drawn and once returned)
