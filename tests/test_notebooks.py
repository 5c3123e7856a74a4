"""Issues 12 and 14: every notebook in notebooks/ runs top to bottom (nbclient, a real ipykernel), with
no error output, and is committed without outputs. 04 also runs on the Alibaba openb trace in
../shared/data/real/ (not shipped: its terms allow research use only), its first cell's path
swapped for that file's."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
OPENB = (Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "real" / "alibaba-gpu-v2023-openb"
         / "openb_pod_list_default.csv")
#: Seconds a notebook may take, cell by cell (the issue asks for under 2 minutes a notebook).
CELL_TIMEOUT = 120

EXPECTED = ["01-quickstart.ipynb", "02-fragmentation-and-prefixes.ipynb", "03-what-if-subnet-sizing.ipynb",
            "04-replay-a-real-trace.ipynb", "05-capacity-report.ipynb", "06-when-does-it-run-out.ipynb"]


def execute(path: Path, first_cell: str | None = None):
    """Run the notebook at ``path`` in its folder; ``first_cell`` replaces the first code cell's
    source. Raises nbclient's CellExecutionError on an error output."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    if first_cell is not None:
        next(c for c in nb.cells if c.cell_type == "code").source = first_cell
    NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def test_the_notebooks_are_there():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_a_notebook_is_committed_without_outputs(name):
    import nbformat

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert nb.cells[0].cell_type == "markdown"  # it starts by saying what it shows


@pytest.mark.parametrize("name", EXPECTED)
def test_a_notebook_runs_top_to_bottom_without_an_error(name):
    nb = execute(NOTEBOOKS / name)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # Every notebook shows pictures: at least one image output.
    assert any("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {}) for o in outputs)


def test_the_trace_notebook_runs_on_the_alibaba_openb_trace():
    execute(NOTEBOOKS / "04-replay-a-real-trace.ipynb", first_cell=f"TRACE = {str(OPENB)!r}")
