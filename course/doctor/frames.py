"""Traceback frames for the shape doctor, including the ones a framework hid.

Keras filters its own frames out of the traceback it raises and re-raises a copy of the error with
the layer's arguments added to the message; the original, with the full traceback, stays on
`__context__`. Reading frames (never changing them) across that chain finds the model, the layer
and the tensors that were in play.
"""
from __future__ import annotations


def frames(error: BaseException) -> list:
    """Every frame object of the error's traceback and of its cause/context chain, outermost first,
    each frame once (the chain's tracebacks overlap)."""
    chain, seen = [], set()
    e = error
    while e is not None and id(e) not in seen and len(chain) < 8:
        seen.add(id(e))
        chain.append(e)
        e = e.__cause__ or e.__context__
    out, ids = [], set()
    for e in chain:
        tb = e.__traceback__
        while tb is not None:
            if id(tb.tb_frame) not in ids:
                ids.add(id(tb.tb_frame))
                out.append(tb.tb_frame)
            tb = tb.tb_next
    # An inner error's frames continue the outer's: order by depth so the outermost comes first.
    return sorted(out, key=_depth)


def _depth(frame) -> int:
    n = 0
    while frame is not None:
        n, frame = n + 1, frame.f_back
    return n


def owner(frame):
    """The first argument of the frame's function (`self` by any name), or None."""
    code = frame.f_code
    return frame.f_locals.get(code.co_varnames[0]) if code.co_argcount else None


def user_tensors(frame, shape_of, limit: int = 8) -> str:
    """'name (shape), ...' for the tensors among a frame's local variables."""
    shown = []
    for name, value in frame.f_locals.items():
        if name.startswith("_") or name == "self":
            continue
        try:
            shape = shape_of(value)
        except Exception:
            shape = None
        if shape is not None:
            shown.append(f"{name} {tuple(shape)}")
    return ", ".join(shown[:limit])
