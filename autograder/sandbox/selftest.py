"""`python -m autograder sandbox`: print the protections this machine offers and prove each one."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from jupyter_core.utils import run_sync

from ..config import Limits, kernel_env
from .detect import detect
from .provisioner import sandboxed_kernel_manager

PROBES = {
    "network is blocked": (
        "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=3)\n    print('OPEN')\n"
        "except OSError:\n    print('BLOCKED')"),
    "the course directory is hidden": "import os\nprint('BLOCKED' if not os.path.exists({course!r}) else 'OPEN')",
    "files outside the scratch folder are read-only": (
        "import course, os\ntry:\n    open(os.path.join(os.path.dirname(course.__file__), 'x'), 'w')\n"
        "    print('OPEN')\nexcept OSError:\n    print('BLOCKED')"),
    "memory is capped": (
        "import numpy as np\nhoard = []\ntry:\n    for _ in range(64):\n        hoard.append(np.ones(16_000_000))\n"
        "    print('OPEN')\nexcept MemoryError:\n    print('BLOCKED')"),
}


def run_selftest(use_bwrap=True, use_cgroup=True) -> int:
    limits = Limits(cell_timeout=60, notebook_timeout=120, memory_mb=512)
    prot = detect(use_bwrap, use_cgroup)
    print("\n".join(prot.lines(limits)))
    secret_dir = tempfile.mkdtemp(prefix="autograder-course-probe-")
    Path(secret_dir, "gradebook.db").write_text("secret")
    failures = 0
    for what, code in PROBES.items():
        km = sandboxed_kernel_manager("python3", prot, limits, {},
                                      lambda home, work: kernel_env({}, limits, home, work))
        try:
            run_sync(km.start_kernel)()
            client = km.blocking_client()
            client.start_channels()
            client.wait_for_ready(timeout=60)
            seen = []
            reply = client.execute_interactive(code.format(course=secret_dir), timeout=60,
                                               output_hook=lambda m: seen.append(m["content"].get("text", "")))
            verdict = "".join(seen).strip().splitlines()[-1:] or [reply["content"].get("status")]
            client.stop_channels()
            ok = verdict == ["BLOCKED"]
        except Exception as error:  # the kernel being killed at the memory cap is a pass
            cgroup = km.provisioner.cgroup
            ok = what == "memory is capped" and cgroup is not None and cgroup.oom_kills() > 0
            verdict = [f"{type(error).__name__}: {error}" if not ok else "kernel killed at the cap"]
        finally:
            run_sync(km.shutdown_kernel)(now=True)
            km.context.destroy(linger=0)
        failures += not ok
        print(f"{'ok ' if ok else 'NO '} {what}: {verdict[0]}")
    os.remove(os.path.join(secret_dir, "gradebook.db"))
    os.rmdir(secret_dir)
    return 1 if failures else 0
