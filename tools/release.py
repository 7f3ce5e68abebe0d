"""Rebuild source/ from notebooks/, release/ from source/ (nbgrader), then validate both.

    python -m tools.release                 # build + generate + validate
    python -m tools.release --validate-only
    python -m tools.release --check         # fail if source/ or release/ differ from what the generators make

Validation: every source notebook must pass `nbgrader validate`; every release notebook must
fail every test under `nbgrader validate --invert`.

The test suite validates in-process through `validate_shared`: nbgrader's own Validator with the
course's nbgrader_config.py, whose Execute step is kept in a folder (`SharedExecute`), so every
check that only reads an execution of the same notebook in the same settings shares one.
"""
from __future__ import annotations

import argparse
import contextlib
import filecmp
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from filelock import FileLock
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute
from nbgrader.validator import Validator
from traitlets import List, Unicode
from traitlets.config.loader import PyFileConfigLoader

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
    """nbgrader generate_assignment for each name, into root/release/. Every assignment at once is
    one nbgrader process, not one each: its converters read the assignment name as a glob of
    source/ folders, and "*" is every folder with notebooks (those without are skipped)."""
    for name in ["*"] if sorted(names) == assignments(root) else names:
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


# What a kernel's result can depend on besides the notebook and its folder: these settings from the
# environment (TensorFlow's oneDNN switch, the Keras backend, nbgrader's own markers, the course's
# switches) and the course package's files (the notebooks import it).
KEY_ENV_PREFIXES = ("TF_", "KERAS_", "NBGRADER_", "COURSE_", "CUDA_", "MPLBACKEND", "PYTHONHASHSEED",
                    "OMP_", "MKL_")


def _course_digest() -> str:
    h = hashlib.sha256()
    for f in sorted((ROOT / "course").rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def execution_key(nb, folder: Path, env: dict | None = None) -> str:
    """The key an execution is kept under: the notebook exactly as it reaches the Execute step, the
    folder it runs in, the settings in the environment that change what a kernel does, the course
    package and the Python that runs it. Any change to one of them is a new execution."""
    env = os.environ if env is None else env
    settings = {k: v for k, v in sorted(env.items()) if k.startswith(KEY_ENV_PREFIXES)}
    h = hashlib.sha256()
    for part in (nbformat.writes(nb), str(Path(folder).resolve()), json.dumps(settings),
                 _course_digest(), sys.executable):
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:32]


class SharedExecute(Execute):
    """nbgrader's Execute step, run once per key (`execution_key`): the executed notebook is kept
    in `folder` and every later validation with the same key reads it instead of starting a kernel.
    A lock per key lets processes (xdist workers) share the folder: the second one waits for the
    first one's result."""
    folder = Unicode(help="where executed notebooks are kept, one file per key").tag(config=True)

    def preprocess(self, nb, resources):
        if not self.folder:  # nowhere to keep it: plain nbgrader Execute
            return super().preprocess(nb, resources)
        path = Path(self.folder) / f"{execution_key(nb, Path.cwd())}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(self.parent, SharedValidator):
            self.parent.executed_file = str(path)
        with FileLock(f"{path}.lock"):
            if path.exists():
                return nbformat.read(path, as_version=4), resources
            nb, resources = super().preprocess(nb, resources)
            part = path.with_suffix(".part")
            nbformat.write(nb, part)
            part.replace(path)
        return nb, resources


class SharedValidator(Validator):
    """nbgrader's Validator, unchanged but for its Execute step (the same list of preprocessors
    with SharedExecute in Execute's place); `executed_file` names the executed notebook it judged."""
    preprocessors = List([CheckCellMetadata, ClearOutput, SharedExecute])
    executed_file = Unicode()


def course_config(root: Path = ROOT):
    """nbgrader_config.py as `nbgrader validate` run from the course root reads it."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


@contextlib.contextmanager
def _environment(changes: dict):
    """`changes` in os.environ for the duration (None removes a variable), and afterwards the
    environment exactly as it was (nbgrader_config.py sets defaults in the environment of whoever
    loads it)."""
    saved = dict(os.environ)
    for k, v in changes.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def validate_shared(path: Path, folder: Path, invert: bool = False, env: dict | None = None):
    """`nbgrader validate [--invert] PATH` in this process, its execution shared through `folder`.
    Returns (passed, printed text, the executed notebook it judged). `env` changes the environment
    of the kernel (and so the key) for this call only. Kernels draw as in a learner's Jupyter
    (ipykernel's inline backend, so figures are image outputs): a test run's MPLBACKEND=Agg is not
    passed on."""
    # The same environment as `validate` gives the CLI.
    with _environment({**_env(), "MPLBACKEND": None, **(env or {})}):
        config = course_config()
        config.Validator.invert = invert
        config.SharedExecute.folder = str(folder)
        validator = SharedValidator(config=config)
        validator.stream = io.StringIO()
        validator.validate_and_print(str(path))
    out = validator.stream.getvalue()
    executed = nbformat.read(validator.executed_file, as_version=4) if validator.executed_file else None
    return (PASS_RELEASE if invert else PASS_SOURCE) in out, out, executed


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
