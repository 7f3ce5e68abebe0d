"""Framework halves import independently; setup is idempotent (pins and lock: test_environment.py)."""
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


def test_setup_is_idempotent():
    # `make -q` exits 0 only when the target is up to date: a second setup would do nothing.
    proc = subprocess.run(["make", "-q", "setup"], cwd=ROOT)
    assert proc.returncode == 0


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
