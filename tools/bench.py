"""Benchmark: plain serial `nbgrader autograde` against the parallel sandboxed autograder, same run.

    python -m tools.bench [--jobs N] [--out benchmarks/autograder]

Both grade the same submissions of the sample class, each in a fresh copy of the demo course:
every submission plain nbgrader can safely grade (the hostile ones, such as a memory bomb or a
loop that ignores interrupts, would hang or exhaust an unsandboxed machine, so they are left
out). Plain nbgrader gets `autograde` and then `generate_feedback`, which together produce what
the autograder produces; the ratio is reported both ways. Writes <out>.md and <out>.json.

"Execution" of a notebook is what nbgrader's Execute step does: start the kernel and run the
cells. "Overhead" is everything else the autograder spends on a submission: reading and
restoring cells, the tamper guard, scoring, saving to the gradebook, writing files, rendering
feedback.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_STUDENTS = {
    "90-mini-shapes": ["ada", "ben", "cleo", "dev", "eve", "jade", "lena", "omar"],
    "00-reading-shapes": ["ada", "ben", "cleo", "dev", "lena"],
}


def _load() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _nbgrader(course_dir: Path, errors: list, *args) -> float:
    """Seconds one nbgrader command took. It exits 1 when any submission failed (it still grades
    the others); those failures are counted, not fatal."""
    start = time.perf_counter()
    proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args,
                           f"--CourseDirectory.db_url=sqlite:///{course_dir / 'gradebook.db'}"],
                          cwd=course_dir, capture_output=True, text=True)
    errors += [line for line in proc.stderr.splitlines() if "There was an error processing" in line]
    return time.perf_counter() - start


def run_plain(course_dir: Path, assignments) -> dict:
    errors = []
    autograde = sum(_nbgrader(course_dir, errors, "autograde", a) for a in assignments)
    feedback = sum(_nbgrader(course_dir, errors, "generate_feedback", a) for a in assignments)
    return {"autograde_s": autograde, "generate_feedback_s": feedback, "total_s": autograde + feedback,
            "nbgrader_errors": errors}


def run_parallel(course_dir: Path, assignments, jobs: int, limits_by_assignment: dict) -> dict:
    from autograder.config import Limits, Settings, load_course
    from autograder.grade import grade
    course = load_course(course_dir, f"sqlite:///{course_dir / 'gradebook.db'}")
    start = time.perf_counter()
    runs = grade(course, Settings(jobs=jobs, progress=False, quiet=True),
                 [(a, Limits(**limits_by_assignment.get(a, {}))) for a in assignments])
    total = time.perf_counter() - start

    per_submission, workers = [], {}
    for assignment, run in runs.items():
        for student, notebooks in run.graded.items():
            execute = sum(r.stats.get("execute", 0) - r.stats.get("guard", 0) for r in notebooks.values())
            in_worker = sum(r.stats.get("total", 0) for r in notebooks.values()) - execute
            coordinator = run.stats.get(student, {}).get("save", 0)
            feedback = run.stats.get(student, {}).get("feedback", 0)
            overhead = in_worker + coordinator + feedback
            per_submission.append({"assignment": assignment, "student": student, "execute_s": execute,
                                   "worker_s": in_worker, "coordinator_s": coordinator, "feedback_s": feedback,
                                   "overhead_s": overhead,
                                   "overhead_pct": 100 * overhead / execute if execute else None})
            for r in notebooks.values():
                w = workers.setdefault(r.stats.get("worker", "?"),
                                       {"notebooks": 0, "worker_peak_rss_mb": 0, "kernel_peak_mb": 0})
                w["notebooks"] += 1
                w["worker_peak_rss_mb"] = max(w["worker_peak_rss_mb"], (r.stats.get("worker_peak_rss") or 0) / 2**20)
                w["kernel_peak_mb"] = max(w["kernel_peak_mb"], (r.stats.get("kernel_peak_bytes") or 0) / 2**20)
    pcts = [s["overhead_pct"] for s in per_submission if s["overhead_pct"] is not None]
    total_exec = sum(s["execute_s"] for s in per_submission)
    total_over = sum(s["overhead_s"] for s in per_submission)
    return {"total_s": total, "submissions": per_submission, "workers": workers,
            "overhead_pct_mean": statistics.mean(pcts) if pcts else None,
            "overhead_pct_median": statistics.median(pcts) if pcts else None,
            "overhead_pct_max": max(pcts) if pcts else None,
            "overhead_pct_overall": 100 * total_over / total_exec if total_exec else None}


def write_markdown(path: Path, data: dict) -> None:
    plain, par = data["plain"], data["parallel"]
    lines = [
        "# Autograder benchmark",
        "",
        f"Measured by `python -m tools.bench` on {data['date']} ({data['machine']}). "
        f"Load average before / after: {data['load_before']} / {data['load_after']} "
        "(other work on the machine slows both runs).",
        "",
        f"Submissions: {data['notebooks']} notebooks in {data['submission_count']} submissions of the "
        f"sample class ({', '.join(f'{a}: {len(s)}' for a, s in data['students'].items())} students).",
        "",
        "| run | wall time (s) |",
        "|---|---|",
        f"| plain `nbgrader autograde`, serial | {plain['autograde_s']:.1f} |",
        f"| plain `nbgrader generate_feedback` | {plain['generate_feedback_s']:.1f} |",
        f"| plain, both | {plain['total_s']:.1f} |",
        f"| `python -m autograder grade --jobs {data['jobs']}` (sandboxed, feedback and report included) "
        f"| {par['total_s']:.1f} |",
        "",
        f"Plain nbgrader reported {len(plain['nbgrader_errors'])} submission(s) it could not process "
        "(they still cost it time; the autograder grades them).",
        "",
        f"**Speed-up: {data['ratio_total']:.2f}x** against autograde + generate_feedback, "
        f"{data['ratio_autograde']:.2f}x against autograde alone.",
        "",
        f"Grading overhead per submission (everything but starting the kernel and running the cells), "
        f"as a share of execution: median {par['overhead_pct_median']:.1f}%, mean "
        f"{par['overhead_pct_mean']:.1f}%, max {par['overhead_pct_max']:.1f}%; "
        f"over the whole class {par['overhead_pct_overall']:.1f}%.",
        "",
        "## Peak memory per worker",
        "",
        "| worker | notebooks | worker process peak RSS (MiB) | largest grading kernel peak (MiB) |",
        "|---|---|---|---|",
    ]
    for name, w in sorted(par["workers"].items()):
        lines.append(f"| {name} | {w['notebooks']} | {w['worker_peak_rss_mb']:.0f} | {w['kernel_peak_mb']:.0f} |")
    lines += ["", "## Per submission", "",
              "Overhead = in the worker (reading, restoring cells, the tamper guard, scoring, sandbox set-up "
              "and teardown) + in the coordinator (gradebook, files) + rendering the feedback pages.", "",
              "| assignment | student | execution (s) | worker (s) | coordinator (s) | feedback (s) | overhead |",
              "|---|---|---|---|---|---|---|"]
    for s in par["submissions"]:
        pct = f"{s['overhead_pct']:.1f}%" if s["overhead_pct"] is not None else "n/a"
        lines.append(f"| {s['assignment']} | {s['student']} | {s['execute_s']:.1f} | {s['worker_s']:.2f} | "
                     f"{s['coordinator_s']:.2f} | {s['feedback_s']:.2f} | {pct} |")
    path.write_text("\n".join(lines) + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "autograder"))
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from autograder.config import ensure_tools_on_path
    from sample_class import demo
    ensure_tools_on_path()
    expected = demo.expected_manifest()
    students = {a: s for a, s in BENCH_STUDENTS.items() if a in expected["limits"]}
    # Warm the disk cache for both runs alike: the first import of torch is the slowest.
    subprocess.run([sys.executable, "-c", "import torch, numpy, nbgrader.apps"], capture_output=True)
    data = {"date": time.strftime("%Y-%m-%d %H:%M"), "jobs": args.jobs, "students": students,
            "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
            "load_before": _load()}
    with tempfile.TemporaryDirectory(prefix="autograder-bench-") as tmp:
        plain_dir, par_dir = Path(tmp) / "plain", Path(tmp) / "parallel"
        assignments = demo.prepare(plain_dir, expected, students)
        demo.prepare(par_dir, expected, students)
        print(f"plain nbgrader, serial: {assignments}", flush=True)
        data["plain"] = run_plain(plain_dir, assignments)
        print(f"  {data['plain']['total_s']:.1f} s; parallel autograder, {args.jobs} jobs", flush=True)
        data["parallel"] = run_parallel(par_dir, assignments, args.jobs, expected["limits"])
        print(f"  {data['parallel']['total_s']:.1f} s", flush=True)
        data["notebooks"] = sum(len(list((par_dir / "autograded").glob(f"*/{a}/*.ipynb"))) for a in assignments)
    data["submission_count"] = sum(len(s) for s in students.values())
    data["load_after"] = _load()
    data["ratio_total"] = data["plain"]["total_s"] / data["parallel"]["total_s"]
    data["ratio_autograde"] = data["plain"]["autograde_s"] / data["parallel"]["total_s"]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(data, indent=1) + "\n")
    write_markdown(out.with_suffix(".md"), data)
    print(out.with_suffix(".md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
