"""Tiny exec wrapper that runs just before a grading kernel: join cgroups, set rlimits, exec.

It is run by path with `python -S -E` (no site, no package imports) so it costs ~15 ms, and it
exists because `preexec_fn` is unsafe in the threaded worker processes that launch kernels.

    python -S -E exec_wrapper.py --procs /sys/fs/cgroup/.../cgroup.procs --rlimit FSIZE=268435456 -- CMD...
"""
import os
import resource
import sys


def command_line(procs=(), rlimits=None) -> list:
    """This wrapper's command line, up to the `--` before the command it runs."""
    out = [sys.executable, "-S", "-E", os.path.abspath(__file__)]
    for path in procs:
        out += ["--procs", path]
    for name, value in (rlimits or {}).items():
        out += ["--rlimit", f"{name}={value}"]
    return out + ["--"]


def main(argv):
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    pairs = zip(options[0::2], options[1::2])
    for flag, value in pairs:
        if flag == "--procs":
            # Joining before exec means the kernel and every process it forks are inside the cgroup.
            with open(value, "w") as fh:
                fh.write(str(os.getpid()))
        elif flag == "--rlimit":
            name, limit = value.split("=")
            resource.setrlimit(getattr(resource, "RLIMIT_" + name), (int(limit), int(limit)))
        else:
            raise SystemExit(f"exec_wrapper.py: unknown option {flag}")
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
