"""Framework halves import independently; pins agree; setup is idempotent."""
import re
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.parametrize("module,forbidden", [("course.torch", "tensorflow"), ("course.keras", "torch"),
                                              ("course", "torch"), ("course.data", "tensorflow"),
                                              ("course.plots", "torch")])
def test_importing_one_half_never_imports_the_other(module, forbidden):
    code = (f"import sys, {module}; bad = [m for m in sys.modules if m == '{forbidden}' "
            f"or m.startswith('{forbidden}.')]; print(len(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "0", f"importing {module} imported {forbidden}"


def _pins(text):
    return dict(re.findall(r"^\s*-?\s*([A-Za-z0-9_.\-\[\]]+)==([^\s#]+)", text, flags=re.M))


def test_requirements_and_environment_yml_pin_the_same_versions():
    req = _pins((ROOT / "requirements.txt").read_text())
    env = _pins((ROOT / "environment.yml").read_text())
    assert req == env
    assert req["torch"] == "2.13.0" and req["nbgrader"] == "0.9.6"
    assert req["tensorflow"].startswith("2.21") and req["keras"].startswith("3.15")
    assert "python=3.11" in (ROOT / "environment.yml").read_text()


def test_setup_is_idempotent():
    # `make -q` exits 0 only when the target is up to date: a second setup would do nothing.
    proc = subprocess.run(["make", "-q", "setup"], cwd=ROOT)
    assert proc.returncode == 0


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
