"""Step 3: the static review. Every student-editable cell is scanned for code that reaches for
interpreter internals (what the runtime guard, guard.py, could be fooled by); findings go to the
feedback and the class report, and the notebook is marked "needs manual grade" for a person.

A new check is one more entry in the tables below, or one more branch in `scan_source`.
"""
from __future__ import annotations

import ast
import re

from nbgrader import utils as nbutils

from ..config import HELPER_PACKAGES
from ..instructor import python_source


def review(job) -> None:
    if not job.task.options.flag_review:
        return
    for cell in student_editable_cells(job.nb):
        for finding in scan_source(cell.source, HELPER_PACKAGES, job.task.instructor.helper_names):
            if finding not in job.result.review:
                job.result.review.append(finding)


def student_editable_cells(nb) -> list:
    """Code cells whose source the learner controls after sanitizing (answers and free cells)."""
    return [c for c in nb.cells if c.cell_type == "code" and not nbutils.is_locked(c)]


# What an honest answer to a shape exercise has no reason to touch.
_SUSPICIOUS_NAMES = {
    "get_ipython": "uses get_ipython() (kernel internals or magics)",
    "__builtins__": "touches __builtins__",
    "builtins": "touches the builtins module",
    "ctypes": "uses ctypes",
    "_autograder_guard": "touches the grader's guard",
    "gc": None,  # only its introspection functions, below
}
_SUSPICIOUS_ATTRS = {
    ("sys", "modules"): "touches sys.modules",
    ("sys", "meta_path"): "touches sys.meta_path",
    ("sys", "excepthook"): "touches sys.excepthook",
    ("sys", "stderr"): None,  # only assignment, below
    ("sys", "stdout"): None,
    ("os", "_exit"): "calls os._exit",
    ("os", "kill"): "sends signals (os.kill)",
    ("gc", "get_referrers"): "inspects live objects (gc)",
    ("gc", "get_objects"): "inspects live objects (gc)",
    ("importlib", "reload"): "reloads modules",
}
_SHELL_METHODS = {"set_custom_exc", "showtraceback", "run_cell", "run_cell_async", "run_code",
                  "user_ns", "ask_exit", "system", "run_line_magic", "run_cell_magic"}


def _root_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _imported_modules(tree) -> dict:
    """alias -> module for every import in the cell (so `import course.checks as c` is tracked)."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[a.asname or a.name.partition(".")[0]] = a.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


# Magics an honest notebook uses all the time; anything else (and every !shell line) is flagged.
_HARMLESS_MAGIC = re.compile(r"^\s*%{1,2}(matplotlib|time|timeit|config|load_ext autoreload|autoreload|capture|precision)\b.*$",
                             re.M)


def scan_source(source: str, protected=HELPER_PACKAGES, helper_names=()) -> list:
    """Findings (short phrases) for one student-editable cell."""
    findings = []
    text = python_source(_HARMLESS_MAGIC.sub("", source))
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return findings  # it will fail to run; nothing to hide
    aliases = _imported_modules(tree)
    library_roots = set(protected) | {"torch", "tensorflow", "keras", "numpy", "nbgrader",
                                      "IPython", "ipykernel", "unittest", "pytest"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in _SUSPICIOUS_NAMES and _SUSPICIOUS_NAMES[node.id]:
            findings.append(_SUSPICIOUS_NAMES[node.id])
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for mod in mods:
                root = mod.partition(".")[0]
                if root in ("ctypes", "builtins", "gc", "signal", "_thread"):
                    findings.append(f"imports {root}")
        elif isinstance(node, ast.Attribute):
            base = _root_name(node)
            key = (aliases.get(base, base), node.attr)
            if isinstance(node.value, ast.Name) and key in _SUSPICIOUS_ATTRS and _SUSPICIOUS_ATTRS[key]:
                findings.append(_SUSPICIOUS_ATTRS[key])
            if node.attr in _SHELL_METHODS and base in ("get_ipython", "ip", "shell", "_ip"):
                findings.append(f"calls IPython's {node.attr}")
            if node.attr in ("__code__", "__globals__", "__defaults__", "__class__", "__subclasses__",
                             "__dict__", "__closure__"):
                findings.append(f"touches {node.attr}")
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                if isinstance(target, (ast.Attribute, ast.Subscript)):
                    root = _root_name(target)
                    module = aliases.get(root, "")
                    if (module.partition(".")[0] in library_roots or root in ("sys", "os")
                            or root in helper_names):
                        findings.append(f"assigns to {ast.unparse(target)} (a library's attribute)")
                elif isinstance(target, ast.Name) and (target.id in helper_names or
                                                       re.fullmatch(r"[A-Z]\w*(Error|Exception)", target.id)):
                    findings.append(f"redefines {target.id}")
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in helper_names:
            findings.append(f"redefines the helper {node.name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("setattr", "delattr", "exec", "eval", "compile", "__import__"):
            findings.append(f"calls {node.func.id}()")
    unique = []
    for f in findings:
        if f not in unique:
            unique.append(f)
    return unique
