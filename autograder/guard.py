"""Defences against submissions that tamper with the tests instead of passing them.

Test cells run in the student's own kernel (they need the student's objects), so student code
that ran earlier could have:

* replaced a course helper (`course.checks.check_shape = lambda *a, **k: None`, or swapped a
  function's `__code__`), or rebound a helper name (`def check_shape(*a): pass`);
* redefined exceptions or builtins (`AssertionError = Warning`, `builtins.isinstance = ...`);
* silenced failures: a custom IPython exception handler, a patched `showtraceback`, `sys.stderr`
  pointed at /dev/null.

Before every test cell the grader runs a guard in the kernel (guard_kernel.py, installed before
the first cell). It restores builtins, IPython's and the kernel's hooks and `sys` streams from a
snapshot taken before any student code ran; it compares every course module with a snapshot
taken when that module was first imported and, if anything changed, drops all course modules so
that the next import loads them afresh from the read-only files; then it re-runs the notebook's
trusted `from course ... import ...` statements (from the *source* notebook's non-answer cells)
and rebinds helper names that were replaced. The guard answers with a nonce; if it cannot run or
does not answer, the test is scored as failed ("could not verify") rather than trusted.

Limits, stated plainly: code that rewrites the kernel's own execution machinery in ways the guard
does not know about (or that targets the guard itself) can still fool an in-process check. So,
in addition, every student-editable cell is scanned statically; anything that reaches for
interpreter internals is listed in the feedback and the class report, and the notebook is marked
"needs manual grade" in the gradebook for a person to look at.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from nbgrader import utils as nbutils

SOURCE = Path(__file__).with_name("guard_kernel.py").read_text()


def _python_source(cell_source: str) -> str:
    """IPython syntax (magics, !shell) turned into plain Python, so it can be parsed."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(cell_source)
    except Exception:
        return cell_source


def trusted_imports(source_nb, protected=("course",)) -> list:
    """(statement, bound names, module, attribute) for each top-level import of a helper package
    in the source notebook's cells that students cannot change (everything but answer cells)."""
    found = []
    for cell in source_nb.cells:
        if cell.cell_type != "code" or nbutils.is_solution(cell):
            continue
        try:
            tree = ast.parse(_python_source(cell.source))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.partition(".")[0] in protected:
                        bound = alias.asname or alias.name.partition(".")[0]
                        found.append((ast.unparse(ast.Import(names=[alias])), [bound], alias.name, None))
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                    and node.module.partition(".")[0] in protected:
                for alias in node.names:
                    if alias.name == "*":
                        continue  # star imports bind unknown names; the test cells still run
                    stmt = ast.unparse(ast.ImportFrom(module=node.module, names=[alias], level=0))
                    found.append((stmt, [alias.asname or alias.name], node.module, alias.name))
    unique = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return unique


def init_code(protected, imports) -> str:
    """Code that installs the guard; its helpers live in their own namespace, not the student's."""
    call = f"\n_install({tuple(protected)!r}, {[tuple(i) for i in imports]!r})\n"
    return (f"exec(compile({SOURCE + call!r}, '<autograder-guard>', 'exec'), "
            "{'get_ipython': get_ipython, '__name__': '_autograder_guard_init'})")


def guard_code(nonce: str) -> tuple:
    """(code, user_expressions) for one guard run; the reply must echo `nonce`."""
    code = f"__import__('sys').modules['_autograder_guard'].guard({nonce!r})"
    return code, {"autograder": "__import__('sys').modules['_autograder_guard'].last"}


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


def scan_source(source: str, protected=("course",), helper_names=()) -> list:
    """Findings (short phrases) for one student-editable cell."""
    findings = []
    text = _python_source(_HARMLESS_MAGIC.sub("", source))
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
