"""The shape doctor, an IPython extension: `%load_ext course`, then `%shapes off` / `%shapes on`.

After a cell fails with a shape error, it prints below the traceback (which it never touches) the
model's per-layer table up to the failing layer, what that layer expects and got, and a reading of
the message's numbers. The package's parts, in the order data flows through them:

- extension.py   the IPython hooks, the on/off switch, and the grading kernels' off switch
- frames.py      the traceback's frames (across Keras's re-raised copies): model, layer, tensors
- torch_half.py, keras_half.py   each framework's half: find the culprit, re-trace, fill a Diagnosis
- readings.py    the one table of message patterns: what is a shape message, and what its numbers mean
- report.py      the Diagnosis and how it prints
"""
from .extension import diagnose, enabled, load_ipython_extension, report, shapes_magic, unload_ipython_extension

__all__ = ["load_ipython_extension", "unload_ipython_extension", "diagnose", "report", "enabled", "shapes_magic"]
