"""The environment is the lock: locks/*.txt agree with requirements.txt, environment.yml and each
other, every entry is hashed, and the venv the tests run in holds exactly the full lock."""
import hashlib
import importlib.util
import re
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import ROOT

LOCKS = ROOT / "locks"
WHEELS = Path("/opt/wheels")  # tools/env.sh's default local wheel folder
REFRESH = "run `make lock` after editing requirements.txt"


def _pins(text):
    """name -> version of every `name==version` line (requirements.txt, environment.yml)."""
    return {canonicalize_name(n): v for n, v in
            re.findall(r"^\s*-?\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s#]+)", text, flags=re.M)}


def _tagged(framework):
    """Pins requirements.txt marks `# framework: <framework>`."""
    text = (ROOT / "requirements.txt").read_text()
    return {canonicalize_name(n) for n in
            re.findall(rf"^([A-Za-z0-9_.\-]+)==\S+\s*#\s*framework:\s*{framework}\b", text, flags=re.M)}


def _lock(name):
    """name -> (version, hashes, the inputs and packages it is there for) of one lock file."""
    entries, current = {}, None
    for line in (LOCKS / f"{name}.txt").read_text().splitlines():
        if m := re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line):
            current = canonicalize_name(m[1])
            entries[current] = (m[2], set(), set())
        elif m := re.search(r"--hash=sha256:([0-9a-f]{64})", line):
            entries[current][1].add(m[1])
        elif current and (m := re.match(r"^\s+#\s+(?:via\s+)?(?:-\s+)?(-[rc] \S+|[a-z0-9][\w.\-]*)\s*$", line)):
            entries[current][2].add(m[1])
    return entries


def _direct(entries):
    return {n for n, (_, _, via) in entries.items() if any(v.startswith("-r ") for v in via)}


def test_full_lock_is_the_pins_resolved():
    pins, lock = _pins((ROOT / "requirements.txt").read_text()), _lock("all")
    assert _direct(lock) == set(pins), f"the lock's top-level packages differ from requirements.txt: {REFRESH}"
    for name, version in pins.items():
        locked = Version(lock[name][0])
        # `torch==2.13.0` admits the local build 2.13.0+cpu (PEP 440), nothing else.
        assert locked.public == Version(version).public, f"{name}: pinned {version}, locked {locked}: {REFRESH}"


def test_every_locked_package_is_hashed():
    for name in ("all", "torch", "keras", "bootstrap"):
        for package, (version, hashes, _) in _lock(name).items():
            assert hashes, f"locks/{name}.txt: {package}=={version} has no hash"


def test_setuptools_is_locked_for_the_editable_install():
    # make setup installs the course package with --no-build-isolation: its build backend must be locked.
    assert "setuptools" in _lock("all") and "setuptools" in _lock("torch") and "setuptools" in _lock("keras")


@pytest.mark.parametrize("framework,other", [("torch", "keras"), ("keras", "torch")])
def test_one_framework_lock_is_the_full_lock_without_the_other(framework, other):
    full, sub = _lock("all"), _lock(framework)
    pins = _pins((ROOT / "requirements.txt").read_text())
    assert _tagged(framework) and _tagged(other)
    assert _direct(sub) == set(pins) - _tagged(other), f"locks/{framework}.txt is stale: {REFRESH}"
    for name, (version, hashes, _) in sub.items():
        assert name in full and full[name][:2] == (version, hashes), \
            f"locks/{framework}.txt has {name}=={version}, not the full lock's: {REFRESH}"
    # The other framework and what only it needs are left out (TensorFlow's runtime stack, or torch's).
    assert not _tagged(other) & set(sub)
    only_other = {"keras": {"tensorflow", "protobuf", "ml-dtypes", "h5py"}, "torch": {"torch", "sympy"}}[other]
    assert only_other <= set(full) - set(sub)


def test_bootstrap_lock_pins_uv():
    pins, lock = _pins((ROOT / "requirements-bootstrap.txt").read_text()), _lock("bootstrap")
    assert set(pins) == {"uv"} and lock["uv"][0] == pins["uv"]


def test_environment_yml_pins_requirements():
    text = (ROOT / "environment.yml").read_text()
    assert _pins(text) == _pins((ROOT / "requirements.txt").read_text())
    assert re.search(r"^\s*-\s*python=3\.11\s*$", text, flags=re.M)
    pins = _pins(text)  # the stack the course and its reproduced messages are written for
    assert pins["torch"] == "2.13.0" and pins["nbgrader"] == "0.9.6"
    assert pins["tensorflow"].startswith("2.21") and pins["keras"].startswith("3.15")


@pytest.mark.skipif(not WHEELS.is_dir(), reason=f"no local wheel folder {WHEELS}")
def test_locked_torch_is_the_local_cpu_wheel():
    version, hashes, _ = _lock("all")["torch"]
    wheels = sorted(WHEELS.glob(f"torch-{version}-*.whl"))
    if not wheels:
        pytest.skip(f"{WHEELS} holds no torch {version}")
    assert {hashlib.sha256(w.read_bytes()).hexdigest() for w in wheels} & hashes


def test_the_venv_holds_exactly_the_full_lock():
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("not running in the repository's .venv")
    lock = {n: v for n, (v, _, _) in _lock("all").items()}
    # Only the venv's own site-packages: once setuptools is imported (by any earlier test in this
    # process), its vendored packages' metadata is on sys.path too, and they are not installed.
    site = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions(path=sorted(site))}
    installed.pop("shape-errors-course")  # the course itself, installed editable by make setup
    installed.pop("pip", None)  # the plain-pip fallback's installer
    assert installed == lock, (
        f"not in the lock: {sorted(set(installed.items()) - set(lock.items()))}; "
        f"missing: {sorted(set(lock.items()) - set(installed.items()))} (make setup installs the lock)")


def test_the_venv_is_byte_compiled():
    """make setup writes every package's .pyc (tools/env.sh): `make` runs Python with
    PYTHONDONTWRITEBYTECODE, so a venv without them compiles TensorFlow afresh in every kernel
    (16 s of CPU per import here instead of 6)."""
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("not running in the repository's .venv")
    missing = []
    for name in ("tensorflow", "keras", "torch", "numpy", "nbgrader", "jupyter_server", "jupyterlab", "ipykernel"):
        init = importlib.util.find_spec(name).origin
        modules = [init, *sorted(Path(init).parent.glob("*.py"))[:20]]
        missing += [str(m) for m in modules if not Path(importlib.util.cache_from_source(str(m))).exists()]
    assert not missing, f"{len(missing)} modules without .pyc (run `make setup`), e.g. {missing[:3]}"


@pytest.mark.parametrize("installed,missing,make", [("torch", "tensorflow", "FRAMEWORK=keras"),
                                                    ("keras", "torch", "FRAMEWORK=torch")])
def test_a_one_framework_install_names_what_is_missing(installed, missing, make):
    # -S leaves site-packages off sys.path, so `missing` is absent as in a one-framework venv.
    code = (f"import sys, importlib.util; sys.path.insert(0, 'tools'); import missing_framework as m; "
            f"m.install({installed!r}); assert importlib.util.find_spec({missing!r}) is None; "
            f"import {missing}")
    proc = subprocess.run([sys.executable, "-S", "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"ModuleNotFoundError: No module named {missing!r}")
    assert f"make lab {make}" in last and "make lab`" in last
