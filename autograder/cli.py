"""Command line: python -m autograder {grade,collect,report,export,sandbox,demo} ... (see docs/autograder.md)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import sandbox


def _course_args(p):
    p.add_argument("--course", default=".", help="nbgrader course directory (default: current)")
    p.add_argument("--db", default=None, help="gradebook SQLAlchemy URL (default: the course config's)")


def _limit_args(p):
    d = sandbox.Limits()
    p.add_argument("--jobs", "-j", type=int, default=None, help="local worker processes (default: cores)")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run tasks on the Dask scheduler at ADDRESS, or 'local' for a LocalCluster")
    p.add_argument("--cell-timeout", type=int, default=None,
                   help="seconds per cell before an interrupt (default: the config's Execute.timeout)")
    p.add_argument("--notebook-timeout", type=int, default=d.notebook_timeout,
                   help=f"seconds per notebook before the kernel is killed (default {d.notebook_timeout})")
    p.add_argument("--memory-mb", type=int, default=d.memory_mb, help=f"memory cap per kernel (default {d.memory_mb})")
    p.add_argument("--output-kb", type=int, default=d.output_kb, help="output kept per cell")
    p.add_argument("--threads-per-kernel", type=int, default=0,
                   help="math threads per kernel (default: cores / jobs when jobs > 1)")
    p.add_argument("--no-sandbox", action="store_true", help="do not use bubblewrap (not recommended)")
    p.add_argument("--no-cgroup", action="store_true", help="do not create cgroups; rlimits + watchdog")
    p.add_argument("--require-sandbox", action="store_true",
                   help="refuse to grade unless bubblewrap and a cgroup memory cap both work")
    p.add_argument("--unknown-students", choices=("add", "report"), default="add",
                   help="students missing from the gradebook: add them (default) or only report them")
    p.add_argument("--no-feedback", action="store_true", help="skip the HTML feedback pages")
    p.add_argument("--no-review-flag", action="store_true",
                   help="do not mark suspicious notebooks 'needs manual grade'")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def settings_from(args, course):
    from .coordinator import Settings
    timeout = args.cell_timeout or int(course.config.Execute.get("timeout", 120) or 120)
    limits = sandbox.Limits(cell_timeout=timeout, notebook_timeout=args.notebook_timeout,
                            memory_mb=args.memory_mb, output_kb=args.output_kb,
                            threads=args.threads_per_kernel)
    return Settings(jobs=args.jobs, dask=args.dask, force=getattr(args, "force", False),
                    unknown_students=args.unknown_students, limits=limits,
                    use_bwrap=not args.no_sandbox, use_cgroup=not args.no_cgroup,
                    require_sandbox=args.require_sandbox, flag_review=not args.no_review_flag,
                    feedback=not args.no_feedback, progress=not args.no_progress,
                    students=getattr(args, "student", None) or None)


def print_run(run, out=sys.stdout) -> None:
    graded = run.graded
    n_nb = sum(len(v) for v in graded.values())
    bad = [(s, nb, r) for s, nbs in graded.items() for nb, r in nbs.items() if r.status != "graded"]
    print(f"{run.assignment}: graded {len(graded)} submission(s) ({n_nb} notebooks) in {run.seconds:.1f} s; "
          f"{len(run.skipped)} unchanged; {len(bad)} notebook(s) could not be graded; "
          f"{len(run.errors)} not saved", file=out)
    for s, nb, r in bad:
        print(f"  {s}/{nb}: {r.message}", file=out)
    for s, msg in run.errors:
        print(f"  {s}: {msg}", file=out)
    for s, note in run.notes:
        print(f"  {s}: {note}", file=out)
    for key in ("grades_csv", "html"):
        if key in run.reports:
            print(f"  {key.replace('_', ' ')}: {run.reports[key]}", file=out)


def cmd_grade(args) -> int:
    from .coordinator import Coordinator, GradingError
    from .course_config import load_course
    course = load_course(args.course, args.db)
    try:
        coord = Coordinator(course, settings_from(args, course))
        try:
            runs = coord.grade_many([(assignment, None) for assignment in args.assignment])
        finally:
            coord.close()
        for run in runs.values():
            print_run(run)
    except GradingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def cmd_collect(args) -> int:
    from .course_config import load_course
    from .gradebook_writer import GradebookWriter
    from .intake import collect_lms
    course = load_course(args.course, args.db)
    writer = GradebookWriter(course.db_url, course.course_id)
    rep = collect_lms(course, args.assignment, args.download, writer.known_students(),
                      args.unknown_students, args.pattern or None, writer.add_student)
    print("\n".join(rep.lines()))
    return 0


def cmd_report(args) -> int:
    from . import report, state
    from .course_config import load_course
    from .master import load_master
    course = load_course(args.course, args.db)
    master = load_master(course.db_url, args.assignment, course.folder("source", ".", args.assignment))
    paths = report.write(course.work_dir / args.assignment, args.assignment, master,
                         state.all_results(course.work_dir, args.assignment))
    for key, path in paths.items():
        print(f"{key}: {path}")
    return 0


def cmd_export(args) -> int:
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin
    from .course_config import load_course
    course = load_course(args.course, args.db)
    to = args.to or str(course.work_dir / "grades.csv")
    Path(to).parent.mkdir(parents=True, exist_ok=True)
    with Gradebook(course.db_url, course.course_id) as gb:
        CsvExportPlugin(to=to, assignment=args.assignment or []).export(gb)
    print(to)
    return 0


def cmd_sandbox(args) -> int:
    from .selftest import run_selftest
    return run_selftest(use_bwrap=not args.no_sandbox, use_cgroup=not args.no_cgroup)


def cmd_demo(args) -> int:
    from .demo import run_demo
    return run_demo(args)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade submitted/<student>/ASSIGNMENT/ in parallel")
    g.add_argument("assignment", nargs="+")
    g.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    g.add_argument("--student", action="append", help="only this student (repeatable)")
    _course_args(g)
    _limit_args(g)
    g.set_defaults(func=cmd_grade)

    c = sub.add_parser("collect", help="copy an LMS download (folder or zip) into submitted/")
    c.add_argument("assignment")
    c.add_argument("download", help="folder or zip of files named by student")
    c.add_argument("--pattern", action="append",
                   help="regex with (?P<student_id>..) and (?P<file_id>..), as nbgrader zip_collect")
    c.add_argument("--unknown-students", choices=("add", "report"), default="add")
    _course_args(c)
    c.set_defaults(func=cmd_collect)

    r = sub.add_parser("report", help="rewrite the class report from the last results")
    r.add_argument("assignment")
    _course_args(r)
    r.set_defaults(func=cmd_report)

    e = sub.add_parser("export", help="grades CSV in `nbgrader export` format")
    e.add_argument("--to", default=None)
    e.add_argument("--assignment", action="append")
    _course_args(e)
    e.set_defaults(func=cmd_export)

    s = sub.add_parser("sandbox", help="show which protections work here and test them")
    s.add_argument("--no-sandbox", action="store_true")
    s.add_argument("--no-cgroup", action="store_true")
    s.set_defaults(func=cmd_sandbox)

    d = sub.add_parser("demo", help="grade the bundled sample class (sample_class/) end to end")
    d.add_argument("--dir", default=None, help="demo course directory (default: build/demo-class)")
    d.add_argument("--check", action="store_true", help="compare with sample_class/expected.json")
    d.add_argument("--force", action="store_true")
    d.add_argument("--student", action="append")
    _limit_args(d)
    d.set_defaults(func=cmd_demo)

    args = ap.parse_args(argv)
    os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    return args.func(args)
