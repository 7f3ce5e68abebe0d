"""Command line: python -m autograder {grade,collect,report,export,sandbox,check} ... (docs/autograder.md)."""
from __future__ import annotations

import argparse
import dataclasses
import sys

from .config import Limits, Settings, load_course
from .tasks import Status


def course_args(p):
    p.add_argument("--course", default=".", help="nbgrader course directory (default: current)")
    p.add_argument("--db", default=None, help="gradebook SQLAlchemy URL (default: the course config's)")


def grading_args(p):
    """Options of a grading run: one per Settings choice and per Limits field."""
    p.add_argument("--jobs", "-j", type=int, default=None, help="local worker processes (default: cores)")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run tasks on the Dask scheduler at ADDRESS, or 'local' for a LocalCluster")
    for f in dataclasses.fields(Limits):
        p.add_argument(f.metadata["flag"] or "--" + f.name.replace("_", "-"), dest=f.name, type=int,
                       default=None, help=f"{f.metadata['help']} (default {f.default})")
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
    p.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    p.add_argument("--student", action="append", help="only this student (repeatable)")


def settings_from(args, default_cell_timeout: int | None = None) -> Settings:
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(Limits) if getattr(args, f.name) is not None}
    if "cell_timeout" not in given and default_cell_timeout:
        given["cell_timeout"] = default_cell_timeout
    return Settings(jobs=args.jobs, dask=args.dask, force=args.force, unknown_students=args.unknown_students,
                    limits=Limits(**given), use_bwrap=not args.no_sandbox, use_cgroup=not args.no_cgroup,
                    require_sandbox=args.require_sandbox, flag_review=not args.no_review_flag,
                    feedback=not args.no_feedback, progress=not args.no_progress,
                    students=args.student or None)


def print_run(run, out=sys.stdout) -> None:
    graded = run.graded
    n_nb = sum(len(v) for v in graded.values())
    bad = [(s, nb, r) for s, nbs in graded.items() for nb, r in nbs.items() if r.status != Status.GRADED]
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
    from .grade import GradingError, grade
    course = load_course(args.course, args.db)
    try:
        runs = grade(course, settings_from(args, int(course.config.Execute.get("timeout", 120) or 120)),
                     args.assignment)
    except GradingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for run in runs.values():
        print_run(run)
    return 0


def cmd_collect(args) -> int:
    from .intake import collect_lms
    from .store import Store
    course = load_course(args.course, args.db)
    store = Store(course)
    try:
        rep = collect_lms(course, args.assignment, args.download, store.known_students(),
                          args.unknown_students, args.pattern or None, store.add_student)
    finally:
        store.close()
    print("\n".join(rep.lines()))
    return 0


def cmd_report(args) -> int:
    from .grade import write_reports
    from .instructor import load_instructor
    from .store import Store
    course = load_course(args.course, args.db)
    instructor = load_instructor(course.db_url, args.assignment, course.folder("source", ".", args.assignment),
                                 course.coursedir.ignore)
    store = Store(course)
    try:
        paths = write_reports(course, store, args.assignment, instructor)
    finally:
        store.close()
    for key, path in paths.items():
        print(f"{key}: {path}")
    return 0


def cmd_export(args) -> int:
    from .store import Store
    store = Store(load_course(args.course, args.db))
    try:
        print(store.export_csv(args.to, args.assignment))
    finally:
        store.close()
    return 0


def cmd_sandbox(args) -> int:
    from .sandbox.selftest import run_selftest
    return run_selftest(use_bwrap=not args.no_sandbox, use_cgroup=not args.no_cgroup)


def cmd_check(args) -> int:
    """One notebook's full verdict for self-study: 0 all tests passed, 1 some failed, 2 not checked."""
    import json

    from .verdict import CannotCheck, check, format_verdict, verdict_dict
    course = load_course(args.course)
    try:
        verdict = check(course, args.notebook, use_bwrap=not args.no_sandbox, use_cgroup=not args.no_cgroup)
    except CannotCheck as error:
        print(error, file=sys.stderr)
        return 2
    print(json.dumps(verdict_dict(verdict), indent=1) if args.json else format_verdict(verdict))
    return 0 if verdict.passed else 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade submitted/<student>/ASSIGNMENT/ in parallel")
    g.add_argument("assignment", nargs="+")
    course_args(g)
    grading_args(g)
    g.set_defaults(func=cmd_grade)

    c = sub.add_parser("collect", help="copy an LMS download (folder or zip) into submitted/")
    c.add_argument("assignment")
    c.add_argument("download", help="folder or zip of files named by student")
    c.add_argument("--pattern", action="append",
                   help="regex with (?P<student_id>..) and (?P<file_id>..), as nbgrader zip_collect")
    c.add_argument("--unknown-students", choices=("add", "report"), default="add")
    course_args(c)
    c.set_defaults(func=cmd_collect)

    r = sub.add_parser("report", help="rewrite the class report and grades CSV from the last results")
    r.add_argument("assignment")
    course_args(r)
    r.set_defaults(func=cmd_report)

    e = sub.add_parser("export", help="grades CSV in `nbgrader export` format")
    e.add_argument("--to", default=None)
    e.add_argument("--assignment", action="append")
    course_args(e)
    e.set_defaults(func=cmd_export)

    s = sub.add_parser("sandbox", help="show which protections work here and test them")
    s.add_argument("--no-sandbox", action="store_true")
    s.add_argument("--no-cgroup", action="store_true")
    s.set_defaults(func=cmd_sandbox)

    k = sub.add_parser("check", help="grade one notebook with the hidden tests, writing nothing (self-study)")
    k.add_argument("notebook", help="the saved .ipynb file to grade")
    k.add_argument("--json", action="store_true", help="print the verdict as JSON")
    k.add_argument("--course", default=".", help="course directory with source/ (default: current)")
    k.add_argument("--no-sandbox", action="store_true", help="do not use bubblewrap (not recommended)")
    k.add_argument("--no-cgroup", action="store_true", help="do not create cgroups; rlimits + watchdog")
    k.set_defaults(func=cmd_check)

    args = ap.parse_args(argv)
    return args.func(args)
