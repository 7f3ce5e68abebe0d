"""`%check`: the grader's full verdict on this notebook, hidden tests included, from inside the
notebook (self-study). Registered by `%load_ext course` next to the shape doctor.

The grading runs in a separate process, `python -m autograder check NOTEBOOK` in the course
checkout (sandboxed, writing nothing), so this kernel's variables, models and imports are left
exactly as they were. It grades the notebook *file*: the magic says which saved version (path and
modification time) it graded, and warns when code this kernel ran is missing from that file (the
edits were not saved yet).
"""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path


NO_CHECKOUT = ("%check grades the course's own notebooks in a checkout of the course (with its "
               "autograder and source/ folder); this kernel's `course` package comes from {where}, "
               "which is not one. Check your notebook with the Validate button in the notebook toolbar.")
RECENT = 5  # how many of the kernel's last inputs must be in the saved file


def course_root() -> Path | None:
    """The checkout this `course` package belongs to, if it is one (it has the autograder)."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "nbgrader_config.py").is_file() and (root / "autograder").is_dir() else None


def notebook_path(line: str, root: Path | None = None) -> Path | None:
    """The notebook to grade: the magic's argument, else the one this kernel was started for
    (jupyter_server tells the kernel in JPY_SESSION_NAME: an absolute path, or one relative to
    the server's folder, the checkout for `make lab`). A relative argument is from the kernel's
    folder (the notebook's own), else from the checkout."""
    given = line.strip().strip("'\"") or os.environ.get("JPY_SESSION_NAME", "")
    if not given:
        return None
    path = Path(given).expanduser()
    if not path.is_absolute() and not path.exists() and root is not None and (root / path).exists():
        path = root / path
    return path.resolve()


def unsaved_inputs(path: Path, inputs) -> list:
    """The kernel's last code inputs (other than %check) that no cell of the saved file holds:
    signs that the file is older than what the learner ran."""
    try:
        import nbformat  # here, not at import: nbformat's schema library sets a logger's level
        saved = {c.source.strip() for c in nbformat.read(str(path), as_version=4).cells
                 if c.cell_type == "code"}
    except Exception:  # not readable as a notebook: the grader will say why
        return []
    recent = [s.strip() for s in inputs if s.strip() and not s.lstrip().startswith("%check")][-RECENT:]
    return [s for s in recent if s not in saved]


def check_magic(line: str = "") -> None:
    """%check [NOTEBOOK]: grade the saved notebook with the hidden tests, as the grader would."""
    root = course_root()
    if root is None:
        print(NO_CHECKOUT.format(where=Path(__file__).resolve().parent))
        return
    path = notebook_path(line, root)
    if path is None or not path.is_file():
        print(f"%check: which notebook? {'no file ' + str(path) if path else 'this kernel was not started '}"
              f"{'' if path else 'for a notebook'}; name it: %check path/to/notebook.ipynb")
        return
    saved = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    print(f"%check grades the notebook file as last saved ({path}, {saved:%H:%M:%S}); "
          "save it first (Ctrl+S) to include your latest edits.")
    from IPython import get_ipython
    shell = get_ipython()
    missing = unsaved_inputs(path, shell.history_manager.input_hist_raw if shell else [])
    if missing:
        first = missing[0].splitlines()[0]
        print(f"Warning: code this kernel ran is not in the saved file (for example `{first[:80]}`): "
              "if you changed a cell since you last saved, save and run %check again.")
    sys.stdout.flush()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen([sys.executable, "-m", "autograder", "check", str(path)], cwd=root, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        for out in proc.stdout:  # as it comes: grading takes about as long as Validate
            print(out, end="", flush=True)
