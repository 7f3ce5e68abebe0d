"""What the shape doctor prints: a per-layer table up to the failing layer, what that layer expects
and got, a reading of the message's numbers, and for losses the two shapes side by side.

Framework-free: the torch and Keras halves (torch_half.py, keras_half.py) fill a Diagnosis;
readings.py turns the message into the one-line reading.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..shapes import format_shape
from ..texttable import format_rows
from ..trace import Row

MARK = "◀ fails here"
TITLE = "shape doctor"


@dataclass
class Diagnosis:
    error: BaseException
    model: str = ""                 # "Sequential", "UNet (custom forward)", ...
    input_shape: tuple | None = None
    rows: list = field(default_factory=list)   # trace.Row, layers that ran, in order
    failing: Row | None = None      # the layer (or loss, or forward code) that raised
    expects: str = ""
    got: tuple | None = None
    reading: str = ""
    loss: tuple | None = None       # (loss name, output shape, target shape)
    notes: list = field(default_factory=list)
    declared: str = ""              # the model's declared input beside the data's shape, when they differ
    table: bool = True              # False where a table would add nothing (a loss, loading weights)

    def __str__(self) -> str:
        return render(self)


# Losses that take class indices as targets: the output has one more axis (the class scores).
_INDEX_LOSSES = ("sparse", "crossentropyloss", "cross_entropy", "nllloss", "nll_loss")


def loss_expects(name: str) -> str:
    """What a loss needs from output and target, in words."""
    if any(k in name.lower() for k in _INDEX_LOSSES):
        return ("class indices as target: an output with one more axis than the target (the class "
                "scores), the other axes equal")
    return "output and target of the same shape"


def _table(rows: list, failing: Row | None) -> list:
    head = ("layer", "type", "input shape", "output shape", "params")
    body = [(r.name, r.kind, format_shape(r.input_shape), format_shape(r.output_shape), f"{r.params:,}")
            for r in rows]
    if failing is not None:
        body.append((failing.name, failing.kind, format_shape(failing.input_shape), "✘", f"{failing.params:,}"))
    out = format_rows(head, body)
    if failing is not None:
        out[-1] += "  " + MARK
    return out


def side_by_side(output: tuple, target: tuple) -> list:
    """Output and target shapes axis by axis (aligned from the left), with the axes that differ."""
    n = max(len(output), len(target))
    cell = lambda s, i: str(s[i]) if i < len(s) and s[i] is not None else ("?" if i < len(s) else "-")
    cols = [("axis", "output", "target")] + [(str(i), cell(output, i), cell(target, i)) for i in range(n)]
    widths = [max(len(x) for x in col) for col in cols]
    rows = ["  ".join(col[k].ljust(w) for col, w in zip(cols, widths)).rstrip() for k in range(3)]
    differ = [i for i in range(n) if cell(output, i) != cell(target, i)
              and "?" not in (cell(output, i), cell(target, i))]
    marks = "  ".join(("^" if i - 1 in differ else " ").ljust(w) for i, w in enumerate(widths)).rstrip()
    rows.append(marks)
    if len(output) != len(target):
        rows.append(f"ranks differ: output has {len(output)} axes, target {len(target)}")
    if differ:
        rows.append("axes that differ: " + ", ".join(f"{i} ({cell(output, i)} vs {cell(target, i)})" for i in differ))
    return rows


def render(d: Diagnosis) -> str:
    where = d.failing.name if d.failing is not None else "?"
    kind = f" ({d.failing.kind})" if d.failing is not None and d.failing.kind else ""
    head = f"── {TITLE}: {type(d.error).__name__} at {where}{kind}"
    if d.model:
        head += f" in {d.model}"
    if d.input_shape is not None:
        head += f", input {format_shape(d.input_shape)}"
    out = [head]
    if d.declared:
        out.append(d.declared)
    if d.table and (d.rows or d.failing is not None):
        out += _table(d.rows, d.failing)
    if d.expects or d.got is not None:
        out.append(f"{where}{kind} expects {d.expects or 'a different shape'}, got {format_shape(d.got)}")
    if d.loss is not None:
        name, output, target = d.loss
        out.append(f"{name}: output {format_shape(output)} vs target {format_shape(target)}")
        out += ["  " + r for r in side_by_side(tuple(output), tuple(target))]
    if d.reading:
        out.append(f"reading: {d.reading}")
    out += [n for n in d.notes if n]
    out.append("(the traceback above is unchanged; `%shapes off` hides this)")
    return "\n".join(out)
