"""The bubblewrap command line: what a grading kernel sees of the machine.

Read-only /usr, the Python installation and venv, and the course helper package; a private /tmp;
three writable scratch folders (kernel sockets, HOME, the working folder). The course directory
(source/, submitted/, the gradebook) is simply not mounted, and there is no network.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from ..config import HELPER_PACKAGES


def _helper_package_dirs(packages) -> list:
    """Folders of the course helper packages (e.g. an editable `course/`), to mount read-only."""
    dirs = []
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            dirs.extend(os.path.realpath(p) for p in spec.submodule_search_locations)
        elif spec and spec.origin:
            dirs.append(os.path.realpath(spec.origin))
    return dirs


def python_dirs() -> list:
    """The interpreter's installation and the virtual environment, wherever they live."""
    dirs = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
            os.path.realpath(sys.exec_prefix), os.path.realpath(sys.base_exec_prefix)}
    exe = os.path.realpath(sys.executable)
    dirs.add(str(Path(exe).parent.parent))
    return sorted(d for d in dirs if not d.startswith("/usr/"))


# /etc entries a Python kernel needs; the rest of /etc (shadow, keys) stays out of reach.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "nsswitch.conf", "localtime", "timezone",
             "fonts", "mime.types", "hosts", "host.conf", "resolv.conf", "matplotlibrc", "alternatives",
             "os-release", "debian_version", "machine-id")


def bwrap_argv(bwrap: str, userns: bool, folders, workdir, env: dict, tmp_bytes: int) -> list:
    """`bwrap ... --` for a kernel whose writable `folders` (scratch) are bound at the same paths."""
    argv = [bwrap, "--die-with-parent", "--new-session", "--unshare-net", "--unshare-pid",
            "--unshare-ipc", "--unshare-uts", "--hostname", "grader", "--cap-drop", "ALL"]
    if userns:
        argv += ["--unshare-user", "--uid", "1000", "--gid", "1000"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    for name in ETC_FILES:
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    # /tmp first: a course or venv that lives under /tmp (a CI clone) is bound on top of it below,
    # instead of being hidden by it.
    argv += ["--ro-bind-try", "/sys", "/sys", "--dev", "/dev", "--proc", "/proc",
             "--size", str(tmp_bytes), "--tmpfs", "/tmp"]
    mounted = []
    for path in python_dirs() + _helper_package_dirs(HELPER_PACKAGES):
        if any(path == m or path.startswith(m + "/") for m in mounted):
            continue
        mounted.append(path)
        argv += ["--ro-bind-try", path, path]
    for folder in folders:
        argv += ["--bind", str(folder), str(folder)]
    argv += ["--chdir", str(workdir), "--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    return argv + ["--"]
