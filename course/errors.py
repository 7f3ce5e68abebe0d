"""Reproduce a real framework error (or warning) without stopping "Run All".

    with expect_error(RuntimeError, shapes=[(8, 800), (1568, 10)]):
        model(x)

The block must raise the given type, and the message must mention the given shapes (their
numbers side by side, whatever the wording). The real message is printed briefly: its key lines
and the line of *your* code that triggered it. Anything else fails loudly.
"""
from __future__ import annotations

import os
import re
import traceback
import warnings
from types import TracebackType
from typing import Iterable, Sequence

from .shapes import missing_shapes

MAX_LINES = 8
# Frames from these paths are library internals, not the learner's code.
_LIBRARY_MARKERS = ("site-packages", "dist-packages", "/lib/python3", "<frozen ")
_COURSE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep  # this helper package is not "your code"


class ExpectationFailed(AssertionError):
    """The reproduce block did not do what the notebook claims it does."""


def _is_user_frame(filename: str) -> bool:
    return not (any(m in filename for m in _LIBRARY_MARKERS) or filename.startswith(_COURSE_DIR))


def user_frame(tb: TracebackType | None):
    """The innermost traceback frame that belongs to the learner's code (a notebook cell or script)."""
    found = None
    for frame in traceback.extract_tb(tb):
        if _is_user_frame(frame.filename):
            found = frame
    return found


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Lines Keras wraps around the real message; they carry no shapes.
_BOILERPLATE = re.compile(r"^(Exception encountered when calling|Arguments received by|\s*•|Call arguments received"
                         r"|\s*File \")")  # TensorFlow graph errors list the Python frames of every op


MAX_LINE = 400


def _clip(line: str) -> str:
    """Keras sometimes embeds a whole array in a message line; keep its head and tail."""
    if len(line) <= MAX_LINE:
        return line
    return f"{line[:MAX_LINE - 120]} ... ({len(line) - MAX_LINE + 20} characters omitted) ... {line[-100:]}"


def key_lines(message: str) -> list:
    """The message's lines without colour codes, blank lines and Keras's wrapper boilerplate."""
    lines = [_clip(_ANSI.sub("", ln).rstrip()) for ln in str(message).strip().splitlines()]
    kept = [ln for ln in lines if ln.strip() and not _BOILERPLATE.match(ln)]
    return kept or [ln for ln in lines if ln.strip()]


def brief(message: str, max_lines: int = MAX_LINES) -> str:
    """The informative part of a long message (TensorFlow's graph errors run to dozens of lines)."""
    lines = key_lines(message)
    if len(lines) <= max_lines:
        return "\n".join(lines)
    if max_lines <= 3:  # prefer lines that name shapes or sizes
        shaped = [ln for ln in lines if re.search(r"\d", ln)] or lines
        return "\n".join(shaped[:max_lines])
    head, tail = lines[:2], lines[-(max_lines - 3):]
    return "\n".join(head + [f"    ... ({len(lines) - len(head) - len(tail)} lines omitted) ..."] + tail)


def _names(types) -> str:
    types = types if isinstance(types, tuple) else (types,)
    return " or ".join(t.__name__ for t in types)


class expect_error:
    """Context manager: the block must raise `exc_type` whose message names every shape in `shapes`.

    After the block, `.error` holds the exception and `.message` its text, for later cells to read.
    `contains` lists words the message must contain (case-insensitive); prefer shapes to words.
    """

    def __init__(self, exc_type=Exception, shapes: Iterable[Sequence | int] = (),
                 contains: Iterable[str] = (), quiet: bool = False):
        self.exc_type = exc_type
        self.shapes = list(shapes)
        self.contains = list(contains)
        self.quiet = quiet
        self.error: BaseException | None = None
        self.message = ""

    def __enter__(self):
        return self

    def __exit__(self, etype, error, tb):
        if error is None:
            raise ExpectationFailed(
                f"Expected {_names(self.exc_type)} here, but the code ran without any error. "
                "Either the bug is already fixed, or the library no longer raises at this point."
            )
        if not isinstance(error, self.exc_type):
            # A different error: let the learner see it, with what was expected on top.
            raise ExpectationFailed(
                f"Expected {_names(self.exc_type)}, but {type(error).__name__} was raised: "
                f"{brief(str(error), 4)}"
            ) from error
        self.error, self.message = error, _ANSI.sub("", str(error))  # Keras wraps messages in bold codes
        # Match shapes on the message without frame lines: file names can contain numbers too.
        absent = missing_shapes(self.shapes, "\n".join(key_lines(self.message)))
        words = [w for w in self.contains if w.lower() not in self.message.lower()]
        if absent or words:
            what = [f"shape {s}" for s in absent] + [repr(w) for w in words]
            raise ExpectationFailed(
                f"{type(error).__name__} was raised, but its message does not mention "
                f"{', '.join(what)}:\n{brief(self.message)}"
            ) from error
        if not self.quiet:
            self._report(error, tb)
        return True  # swallow: the error was the point of the cell

    def _report(self, error, tb):
        print(f"✔ {type(error).__module__}.{type(error).__name__} raised, as expected:")
        for line in brief(self.message).splitlines():
            print(f"    {line}")
        frames = traceback.extract_tb(tb)
        mine = user_frame(tb)
        if mine is not None:
            print(f"  raised from your line {mine.lineno}: {(mine.line or '').strip()}"
                  f"  ({len(frames)} frames deep, the rest inside the library)")


class expect_warning:
    """Context manager: the block must emit a warning of `category` naming `shapes` / `contains`."""

    def __init__(self, category=Warning, shapes: Iterable = (), contains: Iterable[str] = (),
                 quiet: bool = False):
        self.category = category
        self.shapes = list(shapes)
        self.contains = list(contains)
        self.quiet = quiet
        self.warning = None
        self.message = ""
        self._catcher = None

    def __enter__(self):
        self._catcher = warnings.catch_warnings(record=True)
        self.records = self._catcher.__enter__()
        warnings.simplefilter("always")
        return self

    def _matches(self, w) -> bool:
        text = str(w.message)
        return (issubclass(w.category, self.category)
                and not missing_shapes(self.shapes, text)
                and all(c.lower() in text.lower() for c in self.contains))

    def __exit__(self, etype, error, tb):
        self._catcher.__exit__(etype, error, tb)
        if error is not None:
            return False  # a real error is never hidden behind a warning check
        hits = [w for w in self.records if self._matches(w)]
        if not hits:
            seen = "; ".join(f"{w.category.__name__}: {brief(str(w.message), 2)}" for w in self.records)
            raise ExpectationFailed(
                f"Expected a {self.category.__name__} mentioning "
                f"{', '.join([str(s) for s in self.shapes] + self.contains) or 'anything'}, "
                f"but {'only these were emitted: ' + seen if seen else 'no warning was emitted'}."
            )
        self.warning = hits[0]
        self.message = str(hits[0].message)
        if not self.quiet:
            print(f"✔ {self.category.__name__} emitted, as expected "
                  f"({hits[0].filename.rsplit('/', 1)[-1]}:{hits[0].lineno}):")
            for line in brief(self.message, 4).splitlines():
                print(f"    {line}")
        return False
