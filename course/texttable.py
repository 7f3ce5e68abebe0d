"""One plain-text table formatter for every table the course prints (traces, the shape doctor,
the demo class's grade table): left-aligned columns two spaces apart, a dashed rule under the head."""
from __future__ import annotations

from typing import Iterable, Sequence


def format_rows(head: Sequence, body: Iterable[Sequence]) -> list[str]:
    """The table as lines: head, a rule of dashes as wide as each column, then one line per row.
    Cells are turned into text with str(); trailing spaces are stripped."""
    body = [list(row) for row in body]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    return [line(head), line("-" * w for w in widths)] + [line(b) for b in body]


def format_table(head: Sequence, body: Iterable[Sequence]) -> str:
    return "\n".join(format_rows(head, body))
