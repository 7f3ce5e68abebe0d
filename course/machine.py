"""Ops whose support depends on the machine, shown honestly wherever the notebook runs.

TensorFlow's plain CPU kernels lack some ops (channels_first Conv2D, dilated Conv2DTranspose);
its oneDNN kernels and GPUs have them. Unset, TensorFlow turns oneDNN on (on Linux) only when
the CPU has one of the instruction sets it checks for at start-up (AVX512_VNNI, AVX512_BF16,
AVX_VNNI, AMX_TILE/INT8/BF16; on Arm, Neoverse V1); the variable TF_ENABLE_ONEDNN_OPTS (0 or 1) overrides that. A cell wrapped in `may_lack_cpu_kernel`
runs on every machine, says which case it met, and fails loudly on an outcome the course does not
document (including one that contradicts an explicit TF_ENABLE_ONEDNN_OPTS).
No framework import: the caller says whether a GPU is visible.
"""
from __future__ import annotations

import os

from .errors import ExpectationFailed, _names, brief

ONEDNN_VAR = "TF_ENABLE_ONEDNN_OPTS"


def onednn_setting() -> str | None:
    """'on' or 'off' when TF_ENABLE_ONEDNN_OPTS says so explicitly, None when TensorFlow decides."""
    value = os.environ.get(ONEDNN_VAR, "").strip().lower()
    if value in ("1", "true", "on", "yes"):
        return "on"
    if value in ("0", "false", "off", "no"):
        return "off"
    return None


def describe_setting() -> str:
    setting = onednn_setting()
    if setting:
        return f"{ONEDNN_VAR}={os.environ[ONEDNN_VAR]} (oneDNN {setting})"
    return f"{ONEDNN_VAR} not set (TensorFlow decides from the CPU: on with AVX512_VNNI, AVX512_BF16, AVX_VNNI or AMX)"


class may_lack_cpu_kernel:
    """Context manager: the block either runs, or raises `exc_type` naming `contains` because this
    CPU path has no kernel for the op. After it, `.ran` says which; `.error` holds the error.

    Accepted outcomes: on a GPU it must run; on a CPU with oneDNN explicitly on it must run; with
    oneDNN explicitly off it must raise; with the variable unset, either (the CPU decides).
    """

    def __init__(self, exc_type, contains, gpu_visible: bool, what: str = "this op"):
        self.exc_type, self.contains = exc_type, list(contains)
        self.gpu_visible, self.what = gpu_visible, what
        self.ran, self.error = None, None

    def __enter__(self):
        return self

    def _expected(self) -> str:
        if self.gpu_visible:
            return "run (a GPU is visible)"
        return {"on": "run (oneDNN is on)", "off": "raise (oneDNN is off)"}.get(onednn_setting(), "either")

    def __exit__(self, etype, error, tb):
        expected = self._expected()
        if error is None:
            self.ran = True
            if expected.startswith("raise"):
                raise ExpectationFailed(f"{self.what} ran, but with {describe_setting()} TensorFlow's "
                                        "plain CPU kernels are documented to lack it.")
            where = "a GPU" if self.gpu_visible else f"the CPU, {describe_setting()}"
            print(f"✔ {self.what} ran here, on {where}.")
            return False
        known = isinstance(error, self.exc_type) and all(
            c.lower() in str(error).lower() for c in self.contains)
        if not known:
            return False  # an undocumented error: let it surface unchanged
        if expected.startswith("run"):
            raise ExpectationFailed(f"{self.what} should {expected}, but {type(error).__name__} was "
                                    f"raised: {brief(str(error), 3)}") from error
        self.ran, self.error = False, error
        print(f"✔ {self.what} has no kernel on this CPU path ({describe_setting()}): "
              f"{_names(self.exc_type)} raised, as documented:")
        for line in brief(str(error), 3).splitlines():
            print(f"    {line}")
        return True
