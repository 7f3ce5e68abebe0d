"""`python -m sample_class.demo`: grade the bundled sample class end to end, in its own course folder.

The demo course (default build/demo-class/, gitignored) gets the course's nbgrader_config.py,
the sources of every assignment the sample class uses (the real ones from source/, the fixture
one from sample_class/source/), its own gradebook, the sample class's submitted/ tree, and the
LMS download in sample_class/lms/ collected with `collect`. It then grades every assignment
through the same flow as `python -m autograder grade`, and with --check compares every score, reason, note and
review flag with sample_class/expected.json. The real gradebook is never touched.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import shutil
import sys
from pathlib import Path

from course.texttable import format_rows

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_class"
DEFAULT_DIR = ROOT / "build" / "demo-class"
# Left in every demo course folder: `prepare` replaces its source/ and submitted/ trees, so it
# refuses a folder it did not make (an instructor's course given to --dir by mistake).
MARKER = ".demo-class"


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return h.hexdigest()


def _sync(src: Path, dest: Path) -> None:
    """Make dest a copy of src, rewriting only files whose bytes differ (cheap on re-runs)."""
    wanted = {p.relative_to(src): p for p in src.rglob("*") if p.is_file()} if src.is_dir() else {}
    if dest.is_dir():
        for p in sorted(dest.rglob("*"), reverse=True):
            rel = p.relative_to(dest)
            if p.is_file() and rel not in wanted:
                p.unlink()
            elif p.is_dir() and not any(p.iterdir()):
                p.rmdir()
    for rel, p in wanted.items():
        target = dest / rel
        if not target.exists() or target.read_bytes() != p.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(p, target)


def claim(course_dir: Path) -> None:
    """Make `course_dir` a demo course folder, or refuse one that holds anything else."""
    marker = course_dir / MARKER
    if (course_dir.is_dir() and any(course_dir.iterdir()) and not marker.exists()
            and course_dir.resolve() != DEFAULT_DIR):
        raise SystemExit(f"demo: {course_dir} is not empty and is not a demo course folder (no {MARKER}); "
                         "the demo replaces its source/ and submitted/ folders and would delete what is "
                         "there. Give --dir an empty or new folder.")
    course_dir.mkdir(parents=True, exist_ok=True)
    marker.touch()


def prepare(course_dir: Path, expected: dict, students=None, notebooks=None) -> list:
    """Build the demo course folder and its gradebook; returns the assignments, in order.
    `students` (assignment -> names) keeps only those submissions (for benchmarks and tests);
    `notebooks` (a set of notebook names) keeps only those notebooks of each submission: the
    others are then graded as not submitted, without a kernel."""
    from nbgrader.apps.api import NbGraderAPI

    from autograder.config import load_course
    claim(course_dir)
    shutil.copy(ROOT / "nbgrader_config.py", course_dir / "nbgrader_config.py")
    course = load_course(course_dir, f"sqlite:///{course_dir / 'gradebook.db'}")
    assignments = sorted({a for group in ("submitted", "lms") for s in expected[group].values() for a in s})
    if students is not None:
        assignments = [a for a in assignments if a in students]
    api = NbGraderAPI(course.coursedir, config=course.config)
    for assignment in assignments:
        own = SAMPLE / "source" / assignment
        src = own if own.is_dir() else ROOT / "source" / assignment
        if not src.is_dir():
            raise SystemExit(f"demo: the sample class needs {assignment}, but {src} does not exist")
        dest = course.folder("source", ".", assignment)
        _sync(src, dest)
        stamp = course_dir / f".generated-{assignment}"
        digest = _digest(dest)
        if not stamp.exists() or stamp.read_text() != digest:
            result = api.generate_assignment(assignment, force=True, create=True)
            if not result["success"]:
                raise SystemExit(f"demo: nbgrader generate_assignment {assignment} failed:\n{result['log']}")
            stamp.write_text(digest)
    _sync(SAMPLE / "submitted", course.folder("submitted"))
    if students is not None:
        for folder in sorted(course.folder("submitted").glob("*/*")):
            if folder.name not in students or folder.parent.name not in students[folder.name]:
                shutil.rmtree(folder)
    if notebooks is not None:
        for path in sorted(course.folder("submitted").glob("*/*/*.ipynb")):
            if path.stem not in notebooks:
                path.unlink()
    return assignments


def check(expected: dict, results: dict) -> list:
    """Every mismatch between the graded sample class and expected.json, as readable lines."""
    problems = []
    for group in ("submitted", "lms"):
        for student, assignments in sorted(expected[group].items()):
            for assignment, notebooks in sorted(assignments.items()):
                graded = results.get(assignment, {}).get(student)
                if graded is None:
                    problems.append(f"{student}/{assignment}: not graded")
                    continue
                for notebook, exp in sorted(notebooks.items()):
                    problems += _check_one(f"{student}/{notebook}", exp, graded.get(notebook))
    return problems


def _check_one(where, exp, result) -> list:
    if result is None:
        return [f"{where}: no result"]
    if "without_cgroup" in exp and "cgroup" not in result.sandbox:
        exp = {**exp, **exp["without_cgroup"]}  # graded with the rlimit fallback
    out = []
    if result.status != exp["status"]:
        out.append(f"{where}: status {str(result.status)!r}, expected {exp['status']!r} ({result.message})")
    for t in result.tests:
        points, reason = exp["tests"].get(t.grade_id) or exp["tests"].get("*") or (t.max_score, "passed")
        if (t.score or 0) != points or reason not in t.reason:
            out.append(f"{where} {t.grade_id}: got {t.score} ({t.reason!r}), expected {points} with "
                       f"reason containing {reason!r}")
    text = "\n".join(result.notes + [result.message])
    for note in exp["notes"]:
        if note not in text:
            out.append(f"{where}: no note containing {note!r} (notes: {result.notes})")
    if bool(result.review) != exp["review"]:
        out.append(f"{where}: review flag {bool(result.review)} ({result.review}), expected {exp['review']}")
    return out


def grade_sample_class(course_dir: Path, settings, out=sys.stdout, students=None, notebooks=None) -> tuple:
    """Prepare the demo course in `course_dir`, collect the LMS download, grade every assignment
    in one stream of tasks, each with the sample class's limits for it (merged into
    `settings.limits` where those are still the defaults).

    Returns (course, {assignment: AssignmentRun}, {assignment: {student: {notebook:
    NotebookResult}}} covering everything graded so far), for printing or checking.
    `students` (assignment -> names) and `notebooks` (names) grade only those, as in `prepare`.
    """
    from autograder.config import Limits, load_course
    from autograder.grade import grade
    from autograder.intake import collect_lms
    from autograder.store import Store

    expected = expected_manifest()
    assignments = prepare(course_dir, expected, students, notebooks)
    course = load_course(course_dir, f"sqlite:///{course_dir / 'gradebook.db'}")
    store = Store(course)
    try:
        for assignment in assignments:
            lms = SAMPLE / "lms" / assignment
            if lms.is_dir() and students is None:
                rep = collect_lms(course, assignment, lms, store.known_students(), "add", None, store.add_student)
                print(f"{assignment} LMS download: " + "; ".join(rep.lines()), file=out)
    finally:
        store.close()
    defaults = Limits()
    items = []
    for assignment in assignments:
        limits = dataclasses.replace(settings.limits)
        for key, value in expected.get("limits", {}).get(assignment, {}).items():
            if getattr(limits, key) == getattr(defaults, key):
                setattr(limits, key, value)
        items.append((assignment, limits))
    runs = grade(course, settings, items)
    store = Store(course)
    try:
        results = {a: store.all_results(a) for a in assignments}
    finally:
        store.close()
    return course, runs, results


def expected_manifest() -> dict:
    return json.loads((SAMPLE / "expected.json").read_text())


def grade_table(csv_path: Path) -> str:
    """Students down, assignments across, `score / max` (or - when not submitted), from the grades CSV."""
    import csv
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    assignments = sorted({r["assignment"] for r in rows})
    # nbgrader's export lists every student for every assignment; no timestamp means no submission.
    cells = {(r["student_id"], r["assignment"]): f"{float(r['score']):g} / {float(r['max_score']):g}"
             for r in rows if r["timestamp"]}
    students = sorted({r["student_id"] for r in rows})
    head = ["student"] + assignments
    body = [[s] + [cells.get((s, a), "-") for a in assignments] for s in students]
    return "\n".join(["", *format_rows(head, body), ""])


def main(argv=None) -> int:
    from autograder.cli import grading_args, print_run, settings_from
    from autograder.grade import GradingError

    ap = argparse.ArgumentParser(prog="python -m sample_class.demo", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=None, help="demo course directory (default: build/demo-class)")
    ap.add_argument("--check", action="store_true", help="compare with sample_class/expected.json")
    grading_args(ap)
    args = ap.parse_args(argv)
    course_dir = Path(args.dir).resolve() if args.dir else DEFAULT_DIR
    try:
        course, runs, results = grade_sample_class(course_dir, settings_from(args))
    except GradingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for run in runs.values():
        print_run(run)
    print(grade_table(Path(course.work_dir) / "grades.csv"))
    print(f"demo course: {course_dir}  (gradebook {course.db_url}, feedback in {course_dir / 'feedback'}, "
          f"class reports in {course.work_dir})")
    if args.check:
        expected = expected_manifest()
        problems = check(expected, results)
        if problems:
            print(f"{len(problems)} difference(s) from sample_class/expected.json:")
            print("\n".join("  " + p for p in problems))
            return 1
        n = sum(len(nbs) for g in ("submitted", "lms") for s in expected[g].values() for nbs in s.values())
        print(f"all {n} sample notebooks graded as sample_class/expected.json says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
