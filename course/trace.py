"""A per-layer shape table, shared by the Keras and PyTorch tracers."""
from __future__ import annotations

import html
from dataclasses import dataclass, field

from .checks import LAYER_MISMATCH, ShapeCheckError
from .errors import brief
from .shapes import format_shape
from .texttable import format_rows


@dataclass
class Row:
    name: str
    kind: str
    input_shape: tuple | None
    output_shape: tuple | None
    params: int = 0


@dataclass
class Failure:
    """Where the forward pass broke: the layer, what it expects and what it got."""
    name: str
    kind: str
    expects: str
    got: tuple | None
    error: BaseException

    def __str__(self) -> str:
        if self.kind.startswith("("):  # not a single layer: say what was raised on which input
            return f"{self.name} ({self.expects}; its input was {format_shape(self.got)})"
        # "layer 2 (Linear)": a Sequential's layers are named by position, so the type says which.
        return LAYER_MISMATCH.format(what=f"layer {self.name} ({self.kind})", expected=self.expects,
                                     got=format_shape(self.got))


@dataclass
class Trace:
    input_shape: tuple
    rows: list = field(default_factory=list)
    failure: Failure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def output_shape(self):
        return self.rows[-1].output_shape if self.rows and self.ok else None

    def layer(self, name: str) -> Row:
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(f"no layer named {name!r} in the trace; layers: {[r.name for r in self.rows]}")

    def _table(self):
        head = ("layer", "type", "input shape", "output shape", "params")
        body = [(r.name, r.kind, format_shape(r.input_shape), format_shape(r.output_shape), f"{r.params:,}")
                for r in self.rows]
        return head, body

    def __str__(self) -> str:
        out = format_rows(*self._table())
        if self.failure:
            out.append(f"✘ {self.failure}")
            out.append("  " + brief(str(self.failure.error), 3).replace("\n", "\n  "))
        else:
            out.append(f"total params: {sum(r.params for r in self.rows):,}")
        return "\n".join(out)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head, body = self._table()
        esc = html.escape
        rows = "".join("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in b) + "</tr>" for b in body)
        foot = (f"<p style='color:#b00'><b>✘ {esc(str(self.failure))}</b></p>" if self.failure
                else f"<p>total params: {sum(r.params for r in self.rows):,}</p>")
        return ("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>"
                f"<tbody>{rows}</tbody></table>{foot}")


def call_failure_message(name: str, in_shape, verb: str, trace: "Trace", error: BaseException) -> str:
    """The test message when a model call fails: where (the first layer that rejected its input,
    from the trace) and what the framework said. Shared by check_output_shapes in both halves."""
    where = str(trace.failure) if trace.failure else brief(str(error), 1)
    return (f"{name}: with input {format_shape(in_shape)} {verb} failed: {where} "
            f"({type(error).__name__}: {brief(str(error), 1)})")


def build_block(fn, args, kwargs, name, errors: tuple):
    """Call a learner's builder (a function that returns a layer, block or model). When the
    framework raises one of `errors` while building it, the test fails with a message naming the
    block and quoting the framework's own words, the same way in every notebook. Other errors
    (NotImplementedError from an unanswered exercise, a NameError in the learner's code) pass
    through unchanged. `ck.build_block` / `ct.build_block` fill in each framework's errors."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:  # a RuntimeError too, but it means "not answered yet"
        raise
    except errors as error:
        what = name or _call_text(fn, args, kwargs)
        raise ShapeCheckError(f"{what} failed while building the block "
                              f"({type(error).__name__}: {brief(str(error), 2)})") from None


def _call_text(fn, args, kwargs) -> str:
    """`build_head(16, 10)`: how the test called the builder, for messages."""
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{getattr(fn, '__name__', 'the builder')}({', '.join(shown)})"

