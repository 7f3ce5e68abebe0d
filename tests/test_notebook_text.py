"""Static checks on the notebook sources (no kernel): every reproduced error is pinned down, and
every exercise offers one collapsible hint."""
import ast
import re

import jupytext
import pytest

from conftest import ROOT

PY_SOURCES = sorted((ROOT / "notebooks").glob("*/*.py"))
IDS = [p.stem for p in PY_SOURCES]
HINT = re.compile(r"<details>\s*<summary>\s*Hint", re.I)


def _code_and_markdown(path):
    nb = jupytext.read(path, fmt="py:percent")
    return nb.cells


def _arg(call: ast.Call, name: str, position: int):
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return call.args[position] if len(call.args) > position else None


def _whole_shape(node) -> bool:
    """A literal shape with two or more axes, or an expression that yields one (x.shape, tuple(...))."""
    if isinstance(node, (ast.Tuple, ast.List)):
        return len(node.elts) >= 2
    return isinstance(node, (ast.Attribute, ast.Call))


def loose_calls(source: str) -> list[str]:
    """expect_error calls that name only a type, a bare exception class, or bare integers."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "expect_error"):
            continue
        exc = _arg(node, "exc_type", 0)
        shapes, contains = _arg(node, "shapes", 1), _arg(node, "contains", 2)
        pinned_words = (isinstance(contains, (ast.List, ast.Tuple)) and contains.elts
                        and all(isinstance(e, ast.Constant) and str(e.value).strip() for e in contains.elts))
        pinned_shape = isinstance(shapes, (ast.List, ast.Tuple)) and any(_whole_shape(e) for e in shapes.elts)
        if exc is None or getattr(exc, "id", None) in ("Exception", "BaseException"):
            problems.append(f"line {node.lineno}: names no specific exception type")
        elif not (pinned_words or pinned_shape):
            problems.append(f"line {node.lineno}: {ast.unparse(node)} pins neither a wording fragment "
                            "(contains=) nor a whole shape of two or more axes")
    return problems


def test_the_loose_call_check_can_fail():
    assert loose_calls("with expect_error(ValueError):\n    pass")
    assert loose_calls("with expect_error(ValueError, shapes=[72, 3]):\n    pass")
    assert not loose_calls("with expect_error(ValueError, shapes=[(None, 24, 3)]):\n    pass")
    assert not loose_calls("with expect_error(ValueError, contains=['ndim']):\n    pass")


@pytest.mark.parametrize("path", PY_SOURCES, ids=IDS)
def test_every_expect_error_is_pinned(path):
    # A percent-format file is plain Python (markdown and magics are comments): line numbers are the file's.
    problems = loose_calls(path.read_text())
    assert not problems, f"{path.relative_to(ROOT)}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", PY_SOURCES, ids=IDS)
def test_every_exercise_has_one_hint(path):
    cells = _code_and_markdown(path)
    sections, current = {}, None
    for cell in cells:
        if cell.cell_type == "markdown":
            heading = re.search(r"^## (.+)$", cell.source, re.M)
            if heading:
                current = heading.group(1)
                sections.setdefault(current, 0)
            if current and HINT.search(cell.source):
                sections[current] += len(HINT.findall(cell.source))
    exercises = {k: v for k, v in sections.items() if k.startswith("Exercise")}
    assert exercises, "no exercises found"
    wrong = {k: v for k, v in exercises.items() if v != 1}
    assert not wrong, f"each exercise needs exactly one <details><summary>Hint...</summary> block: {wrong}"
