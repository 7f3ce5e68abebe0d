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
in addition, every student-editable cell is scanned statically (review.py); anything that reaches for
interpreter internals is listed in the feedback and the class report, and the notebook is marked
"needs manual grade" in the gradebook for a person to look at.
"""
from __future__ import annotations

from pathlib import Path

# Sent to each grading kernel and run there once; it is not imported by the grader.
SOURCE = Path(__file__).with_name("guard_kernel.py").read_text()


def init_code(protected, imports) -> str:
    """Code that installs the guard; its helpers live in their own namespace, not the student's."""
    call = f"\n_install({tuple(protected)!r}, {[tuple(i) for i in imports]!r})\n"
    return (f"exec(compile({SOURCE + call!r}, '<autograder-guard>', 'exec'), "
            "{'get_ipython': get_ipython, '__name__': '_autograder_guard_init'})")


def guard_code(nonce: str) -> tuple:
    """(code, user_expressions) for one guard run; the reply must echo `nonce`."""
    code = f"__import__('sys').modules['_autograder_guard'].guard({nonce!r})"
    return code, {"autograder": "__import__('sys').modules['_autograder_guard'].last"}
