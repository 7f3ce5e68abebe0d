"""Finding submissions: nbgrader's submitted/<student>/<assignment>/ tree, and LMS downloads.

An LMS download (a folder, or a zip, of files named after students) is collected into the same
tree with nbgrader's own zip_collect plugins (ExtractorPlugin unpacks archives, including a zip
per student; FileNameCollectorPlugin reads student and file ids out of each name with a regular
expression). Students the gradebook does not know are added or only reported, as asked.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nbgrader.plugins.zipcollect import ExtractorPlugin, FileNameCollectorPlugin
from nbgrader.utils import parse_utc

from .config import MAX_FILE_BYTES

# Each tried in turn on an extracted file's path (relative to the download's root):
#   alice_00-reading-shapes-keras.ipynb, alice_2026-11-20T10-00-00_00-...ipynb  (one file per name)
#   alice/00-reading-shapes-keras.ipynb            (a folder or a zip per student)
DEFAULT_PATTERNS = (
    r"^(?:.*/)?(?P<student_id>[A-Za-z0-9.\-]+)_(?:(?P<timestamp>\d{4}-\d{2}-\d{2}[T ]\d{2}[:\-]\d{2}[:\-]\d{2})_)?(?P<file_id>[^/]+)$",
    r"^(?:.*/)?(?P<student_id>[A-Za-z0-9._\-]+)/(?P<file_id>[^/]+)$",
)
SKIP_NAMES = {".DS_Store", "Thumbs.db", "timestamp.txt"}


@dataclass
class Submission:
    student: str
    assignment: str
    folder: Path
    timestamp: datetime | None
    files: dict = field(default_factory=dict)  # relative path -> Path (everything submitted)
    notes: list = field(default_factory=list)

    def notebook_files(self) -> dict:
        return {rel: p for rel, p in self.files.items() if rel.endswith(".ipynb") and "/" not in rel}

    def extra_files(self) -> dict:
        """relative path -> bytes of the other files handed in (data, modules), for the kernel."""
        return {rel: p.read_bytes() for rel, p in self.files.items() if not rel.endswith(".ipynb")
                and Path(rel).name not in SKIP_NAMES and ".ipynb_checkpoints" not in rel
                and p.stat().st_size <= MAX_FILE_BYTES}


def discover(course, assignment: str, students=None) -> list:
    """Every submitted/<student>/<assignment>/ folder, sorted by student."""
    found = []
    root = course.folder("submitted")
    if not root.is_dir():
        return found
    for student_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        student = student_dir.name
        if students and student not in students:
            continue
        folder = course.folder("submitted", student, assignment)
        if not folder.is_dir():
            continue
        files = {}
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files[str(path.relative_to(folder))] = path
        found.append(Submission(student, assignment, folder,
                                course.coursedir.get_existing_timestamp(str(folder)), files))
    return found


def grade_ids(content: bytes) -> set:
    """The nbgrader grade_ids in a notebook file, or an empty set if it cannot be read."""
    try:
        nb = json.loads(content.decode("utf-8"))
        return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.get("cells", [])
                if isinstance(c, dict)} - {None}
    except Exception:
        return set()


def match_notebooks(submission: Submission, instructor) -> dict:
    """notebook name -> (filename, bytes or None, notes). A notebook submitted under another name
    is graded as the expected notebook its cells belong to, with a note saying so."""
    given = {Path(rel).stem: rel for rel in submission.notebook_files()}
    matched = {}
    for name in instructor.notebooks:
        if name in given:
            matched[name] = (given[name], submission.files[given[name]].read_bytes(), [])
    strays = [rel for stem, rel in given.items() if stem not in instructor.notebooks]
    for name, notebook in instructor.notebooks.items():
        if name in matched:
            continue
        ids = {c["name"] for c in notebook.source_cells}
        best = None
        for rel in strays:
            content = submission.files[rel].read_bytes()
            overlap = len(grade_ids(content) & ids)
            if overlap and (best is None or overlap > best[0]):
                best = (overlap, rel, content)
        if best:
            strays.remove(best[1])
            matched[name] = (best[1], best[2], [f"{best[1]} was graded as {name}.ipynb "
                                                f"(the file was renamed; its cells belong to {name})"])
        else:
            matched[name] = (f"{name}.ipynb", None, [])
    for rel in strays:
        submission.notes.append(f"ignored {rel}: it is not one of this assignment's notebooks")
    return matched


def submission_hash(submission: Submission, instructor_fingerprint: str) -> str:
    """Content hash deciding whether a submission must be graded again (mtimes are not used:
    copying a class between machines must not regrade it)."""
    h = hashlib.sha256()
    h.update(instructor_fingerprint.encode())
    h.update(str(submission.timestamp).encode())
    for rel in sorted(submission.files):
        h.update(rel.encode() + b"\0")
        h.update(hashlib.sha256(submission.files[rel].read_bytes()).digest())
    return h.hexdigest()


@dataclass
class CollectReport:
    collected: dict = field(default_factory=dict)  # student -> [files]
    unknown: dict = field(default_factory=dict)  # student -> [files], not collected (report mode)
    added: list = field(default_factory=list)  # unknown students that were added
    skipped: list = field(default_factory=list)  # files no pattern matched / wrong extension

    def lines(self) -> list:
        out = [f"collected {sum(len(v) for v in self.collected.values())} file(s) for "
               f"{len(self.collected)} student(s)"]
        if self.added:
            out.append(f"added {len(self.added)} student(s) unknown to the gradebook: {', '.join(self.added)}")
        if self.unknown:
            out.append("NOT collected, students unknown to the gradebook (use --unknown-students add): "
                       + ", ".join(f"{s} ({len(v)} file(s))" for s, v in sorted(self.unknown.items())))
        if self.skipped:
            out.append("skipped (no student/file id in the name): " + ", ".join(self.skipped))
        return out


def collect_lms(course, assignment: str, download, known_students, unknown: str = "add",
                patterns=None, add_student=None) -> CollectReport:
    """Copy an LMS download into submitted/<student>/<assignment>/ (with timestamp.txt)."""
    download = Path(download)
    report = CollectReport()
    with tempfile.TemporaryDirectory(prefix="autograder-lms-") as tmp:
        archive, extracted = Path(tmp) / "archive", Path(tmp) / "extracted"
        archive.mkdir()
        if download.is_dir():
            shutil.copytree(download, archive, dirs_exist_ok=True)
        else:
            shutil.copy(download, archive / download.name)
        extracted.mkdir()
        ExtractorPlugin().extract(str(archive), str(extracted))
        per_student = {}
        for path in sorted(extracted.rglob("*")):
            if not path.is_file() or path.name in SKIP_NAMES or "__MACOSX" in path.parts:
                continue
            rel = str(path.relative_to(extracted))
            info = None
            for pattern in patterns or DEFAULT_PATTERNS:
                info = FileNameCollectorPlugin(named_regexp=pattern,
                                               valid_ext=[".ipynb", ".py", ".csv", ".npz", ".npy",
                                                          ".txt", ".json"]).collect(rel)
                if info:
                    break
            if not info or not info.get("student_id") or not info.get("file_id"):
                report.skipped.append(rel)
                continue
            ts = info.get("timestamp")
            if isinstance(ts, str) and ts:
                ts = parse_utc(ts.replace("T", " ", 1)[:10] + " " + ts[11:].replace("-", ":"))
            entry = per_student.setdefault(info["student_id"], {"files": {}, "timestamp": None})
            entry["files"][Path(info["file_id"]).name] = path
            if ts and (entry["timestamp"] is None or ts > entry["timestamp"]):
                entry["timestamp"] = ts
        for student, entry in sorted(per_student.items()):
            names = sorted(entry["files"])
            if student not in known_students:
                if unknown == "report":
                    report.unknown[student] = names
                    continue
                if add_student:
                    add_student(student)
                report.added.append(student)
            dest = course.folder("submitted", student, assignment)
            dest.mkdir(parents=True, exist_ok=True)
            for name, src in entry["files"].items():
                shutil.copy(src, dest / name)
            stamp = entry["timestamp"] or datetime.fromtimestamp(os.path.getmtime(download))
            (dest / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z").strip())
            report.collected[student] = names
    return report
