"""Say what is missing when a one-framework install meets the other framework's notebook.

`make lab FRAMEWORK=torch` installs no TensorFlow (`FRAMEWORK=keras` no PyTorch). tools/env.sh then
copies this file into the venv's site-packages with a .pth line that calls `install(framework)`, so
in every Python of that venv (kernels included) `import tensorflow` in a Keras notebook fails with
a ModuleNotFoundError that names the missing framework and the make command that adds it, instead
of a bare "No module named 'tensorflow'". The finder goes last on sys.meta_path: it is only asked
about modules no other finder found, and only answers for the frameworks' own top-level names;
`importlib.util.find_spec` (how libraries probe for an optional framework) still gets None.
"""
from __future__ import annotations

import sys

# top-level module -> (the framework half that needs it, what to call it)
MODULES = {
    "torch": ("torch", "PyTorch"),
    "torchinfo": ("torch", "PyTorch"),
    "tensorflow": ("keras", "TensorFlow"),
    "keras": ("keras", "Keras 3 / TensorFlow"),
}


class MissingFrameworkFinder:
    def __init__(self, installed: str):
        self.installed = installed

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top not in MODULES:
            return None
        # importlib.util.find_spec("torch") is how libraries ask whether a framework is there:
        # answer it with the usual None, and raise only for an import.
        asker = sys._getframe(2)
        if asker.f_code.co_name == "find_spec" and asker.f_globals.get("__name__") == "importlib.util":
            return None
        needs, label = MODULES[top]
        raise ModuleNotFoundError(
            f"No module named {top!r}: {label} is not installed here. This environment was set up "
            f"for the {self.installed} notebooks only (`make lab FRAMEWORK={self.installed}`). To "
            f"work on the {needs} notebooks, stop JupyterLab (Ctrl+C twice) and run "
            f"`make lab FRAMEWORK={needs}`, or `make lab` for both frameworks.", name=top)


def install(installed: str) -> None:
    if not any(isinstance(f, MissingFrameworkFinder) for f in sys.meta_path):
        sys.meta_path.append(MissingFrameworkFinder(installed))
