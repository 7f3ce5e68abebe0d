"""No command of the project deletes course data (issue 18): the repository root is an nbgrader
course directory, so `make clean` there must leave every submission, graded notebook, feedback
page, release, source and the gradebook in place, and remove only what the project builds."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# What an instructor's course directory holds after a term of grading (nbgrader's layout).
COURSE_FILES = [
    "gradebook.db",
    "nbgrader_config.py",
    "source/00-reading-shapes/00-reading-shapes-torch.ipynb",
    "release/00-reading-shapes/00-reading-shapes-torch.ipynb",
    "submitted/alice/00-reading-shapes/00-reading-shapes-torch.ipynb",
    "submitted/alice/00-reading-shapes/timestamp.txt",
    "submitted/bob/00-reading-shapes/__pycache__/helper.cpython-311.pyc",
    "autograded/alice/00-reading-shapes/00-reading-shapes-torch.ipynb",
    "feedback/alice/00-reading-shapes/00-reading-shapes-torch.html",
    "exchange/course/inbound/alice+00-reading-shapes+2026-01-01/00-reading-shapes-torch.ipynb",
    "build/autograder/state/00-reading-shapes/alice.json",
    "build/autograder/00-reading-shapes/index.html",
    "mywork/notes.ipynb",
]
# What the project builds and `make clean` is for.
BUILT_FILES = [
    "build/demo-class/gradebook.db",
    "build/demo-class/submitted/s01/00-reading-shapes/00-reading-shapes-torch.ipynb",
    "build/uv/uv",
    "build/screenshots/learner-01.png",
    ".pytest_cache/v/cache/lastfailed",
    "course/__pycache__/checks.cpython-311.pyc",
]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_clean_keeps_course_data(tmp_path):
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    for rel in COURSE_FILES + BUILT_FILES:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"made by the instructor or the project: {rel}\n")
    done = subprocess.run(["make", "clean"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    lost = [rel for rel in COURSE_FILES if not (tmp_path / rel).is_file()]
    assert not lost, f"`make clean` deleted course data: {lost}\n{done.stdout}"
    for rel in COURSE_FILES:  # and did not rewrite any of it
        assert (tmp_path / rel).read_text() == f"made by the instructor or the project: {rel}\n"
    left = [rel for rel in BUILT_FILES if (tmp_path / rel).exists()]
    assert not left, f"`make clean` left what the project builds: {left}"


def test_the_demo_refuses_a_course_folder_it_did_not_make(tmp_path):
    """`python -m sample_class.demo --dir X` replaces X's source/ and submitted/: given a real
    course by mistake, it stops before touching anything."""
    from sample_class import demo
    course = tmp_path / "course"
    for rel in COURSE_FILES:
        (course / rel).parent.mkdir(parents=True, exist_ok=True)
        (course / rel).write_text(rel)
    before = sorted(p.relative_to(course) for p in course.rglob("*"))
    with pytest.raises(SystemExit, match="not a demo course folder"):
        demo.prepare(course, demo.expected_manifest())
    assert sorted(p.relative_to(course) for p in course.rglob("*")) == before
    assert all((course / rel).read_text() == rel for rel in COURSE_FILES)
    fresh = tmp_path / "demo"
    demo.claim(fresh)  # a new folder becomes a demo folder, and stays one
    (fresh / "gradebook.db").write_text("")
    demo.claim(fresh)
