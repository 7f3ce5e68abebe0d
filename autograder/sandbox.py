"""Where and how a grading kernel runs: scratch folders, bubblewrap, cgroup caps, rlimits, watchdog.

The kernel is the only process that runs student code. It is started as

    python -S -E launch.py [--procs cgroup.procs] --rlimit ... -- bwrap <binds> -- python -m ipykernel_launcher -f conn.json

so it sees read-only /usr, the Python installation and venv, and the course helper package; a
private /tmp; and three writable scratch folders (kernel sockets, HOME, the working folder). The
course directory (source/, submitted/, the gradebook) is simply not mounted. Kernel messages go
over Unix sockets in the scratch folder because the kernel has no network namespace of its own
to reach TCP ports in.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cgroups import Cgroup, CgroupFactory

LAUNCHER = str(Path(__file__).with_name("launch.py"))
# Names whose values look like credentials never reach student code (kernel environment).
SECRET_ENV = re.compile(r"(TOKEN|SECRET|PASSW|CREDENTIAL|PRIVATE|_KEY$|^AWS_|^GOOGLE_|^AZURE_|"
                        r"^NBGRADER_DB_URL$|^DASK_|^SSH_|^GIT_|^JPY_|^JUPYTER_)", re.I)


@dataclass
class Limits:
    """Per-submission limits. Times in seconds, sizes in MiB."""
    cell_timeout: int = 120
    notebook_timeout: int = 900
    memory_mb: int = 3072
    max_pids: int = 512
    max_file_mb: int = 512
    tmp_mb: int = 512
    output_kb: int = 1024  # per cell; beyond this, outputs are cut with a note
    threads: int = 0  # math-library threads per kernel; 0 = leave the libraries' defaults


@dataclass
class Protections:
    """What this machine can enforce; printed at start-up, with what is missing said plainly."""
    bwrap: str | None
    bwrap_userns: bool
    cgroup: str | None
    cgroup_error: str | None
    rlimit_data: bool

    def lines(self, limits: Limits) -> list:
        out = []
        if self.bwrap:
            out.append(f"sandbox: bubblewrap ({self.bwrap}): no network, private /tmp and /proc, "
                       "course directory, gradebook and other submissions not mounted")
        else:
            out.append("WARNING: bubblewrap (bwrap) is not usable here: student code runs as a plain "
                       "subprocess WITH network access and can READ the course directory (source "
                       "notebooks, hidden tests, gradebook). Install it with tools/install-system.sh.")
        if self.cgroup:
            out.append(f"memory: cgroup {self.cgroup} cap of {limits.memory_mb} MiB per kernel "
                       f"(OOM-killed when exceeded), at most {limits.max_pids} processes")
        else:
            why = f" ({self.cgroup_error})" if self.cgroup_error else ""
            out.append(f"WARNING: no cgroup can be created here{why}: memory is capped with "
                       f"RLIMIT_DATA={limits.memory_mb} MiB plus an RSS watchdog instead, and the "
                       "process count is not capped")
        out.append(f"time: {limits.cell_timeout} s per cell (then interrupted), "
                   f"{limits.notebook_timeout} s per notebook (then killed)")
        out.append(f"output: {limits.output_kb} KiB per cell; files: {limits.max_file_mb} MiB each")
        return out


@functools.lru_cache(maxsize=1)
def cgroup_factory() -> CgroupFactory:
    return CgroupFactory()


def _bwrap_works(argv: list) -> bool:
    try:
        return subprocess.run(argv + ["true"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@functools.lru_cache(maxsize=1)
def detect(use_bwrap: bool = True, use_cgroup: bool = True) -> Protections:
    bwrap = shutil.which("bwrap") if use_bwrap else None
    userns = False
    if bwrap:
        base = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net",
                "--unshare-pid"]
        if _bwrap_works(base + ["--unshare-user", "--uid", "1000", "--gid", "1000"]):
            userns = True
        elif not _bwrap_works(base):
            bwrap = None
    factory = cgroup_factory() if use_cgroup else None
    return Protections(bwrap=bwrap, bwrap_userns=userns,
                       cgroup=factory.kind if factory else None,
                       cgroup_error=(factory.error if factory else "disabled by --no-cgroup"),
                       rlimit_data=hasattr(__import__("resource"), "RLIMIT_DATA"))


def scratch_root() -> Path:
    """RAM-backed /dev/shm when roomy: what student code writes is then charged to its memory cap."""
    shm = Path("/dev/shm")
    try:
        stat = os.statvfs(shm)
        if os.access(shm, os.W_OK) and stat.f_bavail * stat.f_frsize > 2 << 30:
            return shm
    except OSError:
        pass
    return Path(tempfile.gettempdir())


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


def home_skeleton() -> Path:
    """A HOME whose matplotlib font cache is already built (building it prints to stderr, which
    nbgrader scores as a failed test). Made once per machine and copied into each sandbox."""
    try:
        import matplotlib
        tag = matplotlib.__version__
    except ImportError:
        tag = "none"
    root = Path(tempfile.gettempdir()) / f"autograder-home-{os.getuid()}-{tag}"
    if root.is_dir():
        return root
    tmp = Path(tempfile.mkdtemp(prefix="autograder-home-build-"))
    if tag != "none":
        env = {k: v for k, v in os.environ.items() if k not in ("MPLCONFIGDIR", "XDG_CACHE_HOME",
                                                                 "XDG_CONFIG_HOME")}
        env["HOME"] = str(tmp)
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env,
                       capture_output=True, timeout=300)
    try:
        tmp.rename(root)  # atomic: two workers racing both succeed or one keeps its copy
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
    return root


@dataclass
class Scratch:
    """One kernel's private folders on the host: sockets+connection file, HOME, working folder."""
    root: Path
    kernel: Path = field(init=False)
    home: Path = field(init=False)
    work: Path = field(init=False)

    def __post_init__(self):
        self.kernel, self.home, self.work = self.root / "kernel", self.root / "home", self.root / "work"

    @classmethod
    def create(cls) -> "Scratch":
        # The worker's pid in the name lets a later worker remove what a crashed one left behind.
        root = Path(tempfile.mkdtemp(prefix=f"autograder-{os.getpid()}-", dir=scratch_root()))
        scratch = cls(root)
        scratch.kernel.mkdir()
        shutil.copytree(home_skeleton(), scratch.home)
        scratch.work.mkdir()
        return scratch

    def write_files(self, files: dict) -> None:
        """Place the assignment's extra files (data, helper modules) in the working folder."""
        for rel, data in files.items():
            dest = (self.work / rel).resolve()
            if self.work.resolve() not in dest.parents:
                continue  # never outside the working folder, whatever the name says
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def remove_stale_scratch() -> None:
    """Scratch folders of worker processes that no longer exist (in /dev/shm they hold RAM)."""
    import psutil
    for path in scratch_root().glob("autograder-*-*"):
        pid = path.name.split("-")[1]
        if pid.isdigit() and not psutil.pid_exists(int(pid)) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def kernel_env(scratch: Scratch, limits: Limits, extra: dict) -> dict:
    """The kernel's environment: the grader's own minus anything secret, plus the sandbox's HOME."""
    env = {k: v for k, v in os.environ.items() if not SECRET_ENV.search(k)}
    env.update(extra)
    for name in ("MPLCONFIGDIR", "IPYTHONDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR",
                 "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV_PROMPT", "OLDPWD"):
        env.pop(name, None)
    env.update(HOME=str(scratch.home), TMPDIR="/tmp", USER="student", LOGNAME="student",
               PWD=str(scratch.work), PYTHONNOUSERSITE="1")
    if limits.threads > 0:
        n = str(limits.threads)
        # Two kernels on two cores each spawning one thread per core would fight for the CPU.
        env.update(OMP_NUM_THREADS=n, MKL_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n,
                   TF_NUM_INTRAOP_THREADS=n, TF_NUM_INTEROP_THREADS="1")
    return env


def bwrap_prefix(prot: Protections, scratch: Scratch, limits: Limits, env: dict,
                 helper_packages=("course",), extra_ro=()) -> list:
    argv = [prot.bwrap, "--die-with-parent", "--new-session", "--unshare-net", "--unshare-pid",
            "--unshare-ipc", "--unshare-uts", "--hostname", "grader", "--cap-drop", "ALL"]
    if prot.bwrap_userns:
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
             "--size", str(limits.tmp_mb << 20), "--tmpfs", "/tmp"]
    mounted = []
    for path in python_dirs() + _helper_package_dirs(helper_packages) + [str(p) for p in extra_ro]:
        if any(path == m or path.startswith(m + "/") for m in mounted):
            continue
        mounted.append(path)
        argv += ["--ro-bind-try", path, path]
    for folder in (scratch.kernel, scratch.home, scratch.work):
        argv += ["--bind", str(folder), str(folder)]
    argv += ["--chdir", str(scratch.work), "--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    return argv + ["--"]


def launcher_prefix(cgroup: Cgroup | None, prot: Protections, limits: Limits) -> list:
    argv = [sys.executable, "-S", "-E", LAUNCHER]
    for procs in (cgroup.procs if cgroup else []):
        argv += ["--procs", procs]
    argv += ["--rlimit", f"FSIZE={limits.max_file_mb << 20}", "--rlimit", "CORE=0"]
    if cgroup is None and prot.rlimit_data:
        # Without a cgroup, cap the heap; TensorFlow imports fine under RLIMIT_DATA (tested),
        # unlike RLIMIT_AS, and a NumPy memory bomb gets a MemoryError instead of the machine.
        argv += ["--rlimit", f"DATA={limits.memory_mb << 20}"]
    return argv + ["--"]


class Watchdog(threading.Thread):
    """Enforces the notebook deadline and, without a cgroup, the memory cap; records why it killed.

    `kill` is a callable that stops the kernel's whole process tree. Peak memory is sampled here
    (or read from the cgroup) for the benchmark and the plan's 1.5 GB kernel budget.
    """

    def __init__(self, pid: int, kill, limits: Limits, cgroup: Cgroup | None, interval: float = 0.25):
        super().__init__(daemon=True, name="autograder-watchdog")
        self.pid, self.kill, self.limits, self.cgroup = pid, kill, limits, cgroup
        self.interval = interval
        self.deadline = time.monotonic() + limits.notebook_timeout
        self.reason = None
        self.peak_rss = 0
        self._stop_event = threading.Event()

    def _tree_rss(self) -> int:
        import psutil
        try:
            root = psutil.Process(self.pid)
            procs = [root] + root.children(recursive=True)
        except psutil.Error:
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
        return total

    def run(self):
        limit = self.limits.memory_mb << 20
        while not self._stop_event.wait(self.interval):
            if time.monotonic() > self.deadline:
                self.reason = f"the notebook ran past its time limit of {self.limits.notebook_timeout} s"
                self.kill()
                return
            rss = self._tree_rss()
            self.peak_rss = max(self.peak_rss, rss)
            if self.cgroup is None and rss > limit:
                self.reason = f"it used more than the memory limit of {self.limits.memory_mb} MiB"
                self.kill()
                return

    def stop(self):
        self._stop_event.set()

    @property
    def peak_bytes(self) -> int:
        cg = self.cgroup.peak_bytes() if self.cgroup else None
        return max(cg or 0, self.peak_rss)
