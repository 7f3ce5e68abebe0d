"""Messages a self-study learner reads whole: Validate's failure text (issue 17.3)."""
from __future__ import annotations

import re
import shutil

import nbformat

from tools import fairness, release

ROOT = fairness.ROOT
NOTEBOOK = ROOT / "source/02-missing-input-shape/02-missing-input-shape-torch.ipynb"
BAD = fairness.fixture_dir(NOTEBOOK) / "ex1-batch-first" / "bad_hardcoded_features.py"


def with_answer(tmp_path, notebook, grade_id, code):
    """A copy of a source notebook with one answer cell replaced, as a learner would write it."""
    nb = nbformat.read(notebook, as_version=4)
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    assert len(cells) == 1, grade_id
    cells[0].source = code
    folder = tmp_path / notebook.parent.name
    folder.mkdir()
    for extra in notebook.parent.iterdir():  # the notebook's data files, if any
        if extra.is_file() and extra.suffix != ".ipynb":
            shutil.copy(extra, folder)
    path = folder / notebook.name
    nbformat.write(nb, path)
    return path


def test_validate_shows_the_whole_failure_message(tmp_path):
    path = with_answer(tmp_path, NOTEBOOK, "ex1-batch-first", BAD.read_text())
    ok, out = release.validate(path)
    assert not ok and "VALIDATION FAILED ON 1 CELL(S)!" in out, out[-3000:]
    lines = [ln.strip() for ln in out.splitlines() if "ShapeCheckError:" in ln]
    assert lines, out[-3000:]
    message = lines[-1]
    # nbgrader's default width would cut this line at 87 characters, inside the shapes.
    assert len(message) > 87 and not message.endswith("..."), message
    assert re.search(r"expected .+, got \S+", message), message
