import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("MPLBACKEND", "Agg")
# Results must hold whether TensorFlow's oneDNN CPU kernels are on or off, whatever this CPU's
# default: the suite runs with them off (the laptop case) and the tests that need the other setting
# pass TF_ENABLE_ONEDNN_OPTS=1 to their subprocess or kernel explicitly.
ONEDNN_DEFAULT = "0"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = ONEDNN_DEFAULT

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# The venv's bin first: nbgrader shells out to `alembic`, kernels to `python`.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

pytest_plugins = ["services"]  # tests/services.py: free port, JupyterLab, Dask cluster, PostgreSQL


def pytest_terminal_summary(terminalreporter):
    shots = ROOT / "build" / "screenshots"
    if any(shots.glob("learner-*.png")):
        terminalreporter.write_line(f"browser test screenshots: {shots}")
