"""Rebuild source/ from notebooks/, release/ from source/ (nbgrader), then validate both.

    python -m tools.release                 # build + generate + validate
    python -m tools.release --validate-only
    python -m tools.release --check         # fail if source/ or release/ differ from what the generators make

Validation: every source notebook must pass `nbgrader validate`; every release notebook must
fail every test under `nbgrader validate --invert`.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tools import nbbuild

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASS_SOURCE = "Success! Your notebook passes all the tests."
PASS_RELEASE = "Success! The notebook does not pass any tests."


def _env() -> dict:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # nbgrader runs `alembic` from PATH
    return env


def assignments(root: Path = ROOT) -> list[str]:
    return sorted(p.name for p in (root / "source").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def generate(root: Path, names: list[str], db_url: str | None = None) -> None:
    """nbgrader generate_assignment for each name, into root/release/."""
    for name in names:
        cmd = [str(BIN / "nbgrader"), "generate_assignment", name, "--force", "--quiet",
               f"--CourseDirectory.root={root}"]
        if db_url:
            cmd.append(f"--db={db_url}")
        proc = subprocess.run(cmd, cwd=root, env=_env(), capture_output=True, text=True)
        if proc.returncode != 0 or "ERROR" in proc.stderr:
            raise SystemExit(f"nbgrader generate_assignment {name} failed:\n{proc.stderr[-3000:]}")


def generated_release_differs(names: list[str] | None = None) -> list[str]:
    """Regenerate into a temporary course dir and list release files that differ from the repo's."""
    names = names or assignments()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copytree(ROOT / "source", tmp / "source")
        shutil.copy(ROOT / "nbgrader_config.py", tmp / "nbgrader_config.py")
        generate(tmp, names, db_url=f"sqlite:///{tmp / 'gb.db'}")
        diffs = []
        for name in names:
            ours, fresh = ROOT / "release" / name, tmp / "release" / name
            files = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
            files |= {p.relative_to(ours) for p in ours.rglob("*") if p.is_file()} if ours.exists() else set()
            for rel in sorted(files):
                a, b = ours / rel, fresh / rel
                if not (a.exists() and b.exists() and filecmp.cmp(a, b, shallow=False)):
                    diffs.append(f"release/{name}/{rel}")
        return diffs


def validate(path: Path, invert: bool = False) -> tuple[bool, str]:
    """Run nbgrader validate; True when the source passes (or, inverted, the release fails every test)."""
    cmd = [str(BIN / "nbgrader"), "validate", str(path)] + (["--invert"] if invert else [])
    # cwd=ROOT so nbgrader_config.py (timeouts, quiet TensorFlow) applies.
    proc = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    return (PASS_RELEASE if invert else PASS_SOURCE) in out, out


def validate_all(jobs: int = 2) -> list[str]:
    jobs_list = [(p, False) for p in sorted((ROOT / "source").glob("*/*.ipynb"))]
    jobs_list += [(p, True) for p in sorted((ROOT / "release").glob("*/*.ipynb"))]
    problems = []
    with ThreadPoolExecutor(jobs) as pool:
        for (path, invert), (ok, out) in zip(jobs_list, pool.map(lambda a: validate(*a), jobs_list)):
            rel = path.relative_to(ROOT)
            print(f"{'ok  ' if ok else 'FAIL'} {'validate --invert' if invert else 'validate'} {rel}", flush=True)
            if not ok:
                problems.append(f"{rel}:\n{out[-2500:]}")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--validate-only", action="store_true")
    ap.add_argument("--check", action="store_true", help="only compare source/ and release/ with fresh builds")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args(argv)
    if args.check:
        stale = nbbuild.main(["--check"]) != 0
        diffs = generated_release_differs()
        for d in diffs:
            print(f"out of date: {d} (run `make release`)")
        return 1 if stale or diffs else 0
    if not args.validate_only:
        if nbbuild.main([]) != 0:
            return 1
        names = assignments()
        generate(ROOT, names)
        print(f"generated release/ for {', '.join(names)}")
    problems = validate_all(args.jobs)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
