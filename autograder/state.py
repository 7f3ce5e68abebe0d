"""What was graded last time, per submission: its content hash and its results (for reports).

Kept as one small JSON file per student and assignment under build/autograder/state/, written
only by the coordinator after the gradebook holds the grades, so an interrupted run regrades
exactly what it did not finish.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from .scoring import TestResult
from .worker import NotebookResult


def _path(work_dir: Path, assignment: str, student: str) -> Path:
    return work_dir / "state" / assignment / f"{student}.json"


def result_to_dict(r: NotebookResult) -> dict:
    d = asdict(r)
    d.pop("notebook_json", None)
    return d


def result_from_dict(d: dict) -> NotebookResult:
    d = dict(d)
    d["tests"] = [TestResult(**t) for t in d.get("tests", [])]
    d.setdefault("notebook_json", None)
    return NotebookResult(**d)


def save(work_dir: Path, assignment: str, student: str, digest: str, results: dict, extra: dict) -> None:
    path = _path(work_dir, assignment, student)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"hash": digest, "results": {nb: result_to_dict(r) for nb, r in results.items()}, **extra}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str))
    os.replace(tmp, path)  # atomic: a crash never leaves half a state file


def load(work_dir: Path, assignment: str, student: str) -> dict | None:
    try:
        return json.loads(_path(work_dir, assignment, student).read_text())
    except (OSError, ValueError):
        return None


def all_results(work_dir: Path, assignment: str) -> dict:
    """student -> {notebook -> NotebookResult} for everything graded so far."""
    folder = work_dir / "state" / assignment
    out = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text())
        except ValueError:
            continue
        out[path.stem] = {nb: result_from_dict(r) for nb, r in data.get("results", {}).items()}
    return out
