"""Scale figures: notebooks per minute on this machine, and what 300 students x 14 notebooks take.

    python -m tools.bench_scale [--assignment 00-reading-shapes] [--students ada,cleo] [--out benchmarks/scale]

Grades the same sample-class submissions five ways, each in a fresh copy of the demo course
(sample_class.demo.prepare) and through the command lines an instructor uses:

1. plain `nbgrader autograde` + `nbgrader generate_feedback`, serial (the baseline);
2. `python -m autograder grade --jobs 1` and 3. `--jobs 2`;
4. `--dask tcp://127.0.0.1:PORT` with one and 5. two `dask worker --nthreads 1` processes
   started from the command line by tests/services.py, as for the classroom test.

Then it times the coordinator's share that cannot be spread over workers: writing one
submission's grades into the gradebook (nbgrader's Gradebook API, the same rows `autograde`
writes). Under the measurements it projects a class of 300 students x 14 notebooks (7
assignments, a Keras and a PyTorch notebook each) on N workers, scaling the measured time per
notebook by the course's own notebook times (benchmarks/notebooks.json, `make bench`).
Writes <out>.md and <out>.json; the machine's load average is recorded with every run.
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
BIN = Path(sys.executable).parent
CLASS_STUDENTS, CLASS_NOTEBOOKS, CLASS_ASSIGNMENTS = 300, 14, 7


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _run(cmd, cwd, cpu: list | None = None) -> float:
    """Seconds `cmd` took; appends its CPU seconds (its own and its children's) to `cpu`."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0 and "autograde" not in map(str, cmd):  # nbgrader exits 1 on a failed submission
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return time.perf_counter() - start


def measure(name: str, course: Path, cmds: list, notebooks: int) -> dict:
    load_before, cpu = _load(), []
    seconds = sum(_run(cmd, course, cpu) for cmd in cmds)
    row = {"run": name, "seconds": seconds, "notebooks": notebooks, "per_minute": 60 * notebooks / seconds,
           "cpu_s": sum(cpu), "load_before": load_before, "load_after": _load()}
    print(f"  {name}: {seconds:.1f} s, {row['per_minute']:.2f} notebooks/min (load {load_before})", flush=True)
    return row


def gradebook_save_seconds(course: Path, assignment: str, submissions: int = 40) -> float:
    """Seconds the gradebook takes to store one submission's grades: a new submission (nbgrader
    creates its grade rows) and every test's auto score, committed, as `autograde` stores them."""
    import warnings

    from nbgrader.api import Gradebook
    db = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy 2.1's autoflush notes inside nbgrader's add_submission
        cells = [(nb.name, c.name) for nb in gb.find_assignment(assignment).notebooks for c in nb.grade_cells]
        start = time.perf_counter()
        for i in range(submissions):  # one connection for the run, one commit per submission, as the coordinator
            gb.add_student(f"bench{i}")
            gb.add_submission(assignment, f"bench{i}")
            for notebook, cell in cells:
                gb.find_grade(cell, notebook, assignment, f"bench{i}").auto_score = 1.0
            gb.db.commit()
        seconds = (time.perf_counter() - start) / submissions
        saved = sum(g.auto_score == 1.0 for i in range(submissions) for nb in
                    gb.find_submission(assignment, f"bench{i}").notebooks for g in nb.grades)
    if saved != submissions * len(cells):
        raise SystemExit(f"gradebook benchmark: {saved} grades saved, expected {submissions * len(cells)}")
    return seconds


def course_notebook_scale(assignment: str) -> tuple[float, float]:
    """Mean solution-notebook time of the whole course and of `assignment`, from make bench."""
    path = ROOT / "benchmarks" / "notebooks.json"
    rows = json.loads(path.read_text())["rows"]
    every = [r["notebook_s"] for r in rows]
    mine = [r["notebook_s"] for r in rows if f"/{assignment}/" in r["notebook"]]
    if not mine:  # not a course assignment (the sample class's fixture): no scaling
        return 1.0, 1.0
    return statistics.mean(every), statistics.mean(mine)


def coordinator_save_seconds() -> float | None:
    """Median seconds of the coordinator's whole save step per submission (gradebook, autograded
    files, regrade record), as `python -m tools.bench` measured it (benchmarks/autograder.json)."""
    try:
        subs = json.loads((ROOT / "benchmarks" / "autograder.json").read_text())["parallel"]["submissions"]
        return statistics.median(s["coordinator_s"] for s in subs)
    except (OSError, KeyError, ValueError, statistics.StatisticsError):
        return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--assignment", default="00-reading-shapes")
    ap.add_argument("--students", default="ada,cleo", help="sample-class students whose submissions are graded")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "scale"))
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from sample_class import demo
    from tests.services import run_dask_cluster  # the classroom test's cluster, started the same way

    expected = demo.expected_manifest()
    a, students = args.assignment, args.students.split(",")
    limits = expected["limits"].get(a, {})
    limit_args = [x for k, v in limits.items() for x in (f"--{k.replace('_', '-')}", str(v))]
    subprocess.run([sys.executable, "-c", "import torch, tensorflow, nbgrader.apps"], capture_output=True)  # warm
    data = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "assignment": a, "students": students,
            "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
            "load_start": _load(), "runs": []}
    grade = [BIN / "python", "-m", "autograder", "grade", a, "--no-progress", "--force", *limit_args]
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        def fresh(name):
            course = Path(tmp) / name
            demo.prepare(course, expected, {a: students})
            return course
        course = fresh("serial")
        notebooks = len(list(course.glob(f"submitted/*/{a}/*.ipynb")))
        print(f"{a}: {len(students)} submissions, {notebooks} notebooks", flush=True)
        db = ["--CourseDirectory.db_url=sqlite:///" + str(course / "gradebook.db")]
        data["runs"].append(measure("plain nbgrader autograde + generate_feedback, serial", course,
                                    [[BIN / "nbgrader", "autograde", a, *db],
                                     [BIN / "nbgrader", "generate_feedback", a, *db]], notebooks))
        for jobs in (1, 2):
            data["runs"].append(measure(f"autograder, {jobs} local job(s)", fresh(f"local{jobs}"),
                                        [grade + ["--jobs", str(jobs)]], notebooks))
        for workers in (1, 2):
            with run_dask_cluster(workers) as cluster:
                data["runs"].append(measure(f"autograder, {workers} Dask worker(s) (dask CLI)", fresh(f"dask{workers}"),
                                            [grade + ["--dask", cluster.address]], notebooks))
        data["gradebook_save_s"] = gradebook_save_seconds(fresh("gradebook"), a)
    data["load_end"] = _load()
    data["coordinator_save_s"] = coordinator_save_seconds()
    data["notebook_names"] = sorted({p.name for p in (ROOT / "sample_class" / "submitted").glob(f"*/{a}/*.ipynb")})
    everyone, this = course_notebook_scale(a)
    data["course_notebook_mean_s"], data["assignment_notebook_mean_s"] = everyone, this
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(data, indent=1) + "\n")
    out.with_suffix(".md").write_text(markdown(data))
    print(out.with_suffix(".md").read_text())
    return 0


def projection(data: dict) -> list:
    """(N, hours, limit) for the class on N workers, from the two-Dask-worker run."""
    two = next(r for r in data["runs"] if r["run"].startswith("autograder, 2 Dask"))
    per_worker_s = 2 * 60 / two["per_minute"]  # seconds one worker spends per notebook, on this assignment
    per_worker_s *= data["course_notebook_mean_s"] / data["assignment_notebook_mean_s"]  # the whole course
    notebooks = CLASS_STUDENTS * CLASS_NOTEBOOKS
    saves = CLASS_STUDENTS * CLASS_ASSIGNMENTS * (data.get("coordinator_save_s") or data["gradebook_save_s"])
    out = []
    for n in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512):
        work = notebooks * per_worker_s / n
        out.append((n, max(work, saves) / 3600, "workers" if work > saves else "the coordinator's saves"))
    return out, per_worker_s, saves


def markdown(data: dict) -> str:
    lines = ["# Scale: notebooks per minute, and a class of 300", "",
             f"Measured by `python -m tools.bench_scale` on {data['date']} ({data['machine']}), grading "
             f"{len(data['students'])} sample-class submissions of `{data['assignment']}` "
             f"({data['runs'][0]['notebooks']} notebooks: {', '.join(data['notebook_names'])}) with the limits of "
             "sample_class/expected.json, each run in a fresh course copy. Load average (1 / 5 / 15 min) "
             f"at the start {data['load_start']}, at the end {data['load_end']}: the machine is shared, so "
             "absolute times are pessimistic and vary by run.", "",
             "| run | wall time (s) | notebooks / min | coordinator CPU (s) | load before | load after |",
             "|---|---|---|---|---|---|"]
    for r in data["runs"]:
        coordinator = f"{r['cpu_s']:.1f}" if "Dask" in r["run"] else "-"
        lines.append(f"| {r['run']} | {r['seconds']:.1f} | {r['per_minute']:.2f} | {coordinator} | "
                     f"{r['load_before']} | {r['load_after']} |")
    rows, per_worker_s, saves = projection(data)
    lines += ["", "Every autograder run includes the sandbox, the feedback pages and the class report; the "
              "baseline's feedback comes from `nbgrader generate_feedback`. Coordinator CPU: the CPU time of "
              "the `grade` process itself in the Dask runs (the workers and their kernels are not its "
              "children), start-up and imports included.", "",
              "## 300 students x 14 notebooks", "",
              f"- One Dask worker (`--nthreads 1`, one kernel at a time) spent {per_worker_s:.1f} s per notebook: "
              f"the two-worker run's rate per worker on `{data['assignment']}`, scaled by the course's mean "
              f"solution-notebook time ({data['course_notebook_mean_s']:.1f} s) over this assignment's "
              f"({data['assignment_notebook_mean_s']:.1f} s), both from benchmarks/notebooks.json.",
              f"- The coordinator saves every submission itself, one at a time. The gradebook's part: "
              f"{data['gradebook_save_s'] * 1000:.0f} ms per submission in SQLite (measured here with nbgrader's "
              "Gradebook API: a new submission and every test's score, one commit). The whole save step "
              "(gradebook, autograded files, regrade record): "
              + (f"{data['coordinator_save_s']:.2f} s median per submission in benchmarks/autograder.json "
                 "(`python -m tools.bench`)" if data.get("coordinator_save_s") else "not measured (no benchmarks/autograder.json)")
              + f". So {CLASS_STUDENTS * CLASS_ASSIGNMENTS} submissions need at least {saves / 60:.1f} min of "
              "saves, overlapped with grading.", "",
              "| workers (1 core each) | hours | what limits it |", "|---|---|---|"]
    for n, hours, limit in rows:
        lines.append(f"| {n} | {hours:.2f} | {limit} |")
    crossover = CLASS_STUDENTS * CLASS_NOTEBOOKS * per_worker_s / saves
    lines += ["", f"What limits it: up to about {crossover:.0f} workers, the workers (time per notebook / N; a "
              "2-core machine runs two). Past that, the one coordinator of a grading run: it reads every "
              "submission, saves each one's grades one at a time and writes the autograded files, so more "
              "workers no longer help one run. Split the class between several `grade` runs (one per "
              "assignment, on their own machines) writing into one PostgreSQL gradebook, which takes "
              "concurrent writers where SQLite allows one (the classroom test runs two such graders at once; "
              "docs/instructors.md). Not in the projection: the Dask scheduler's own cost (the gap between "
              "the local and Dask rows above, mostly start-up at this size), the coordinator reading each "
              "submission and sending it with the instructor's cells to a worker over the network, and memory: each kernel needs up to ~1 GB (benchmarks/notebooks.md), so a "
              "worker needs a core and about 1.5 GB."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
