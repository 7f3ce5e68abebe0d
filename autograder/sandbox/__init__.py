"""Where and how a grading kernel runs. The kernel is the only process that runs student code.

    detect       what this machine can enforce (bubblewrap, cgroups, rlimits), and its words
    provisioner  the jupyter_client KernelProvisioner that starts the kernel inside the sandbox
    bwrap        the bubblewrap command line (mounts, namespaces)
    cgroups      per-kernel memory and process caps
    exec_wrapper joins the cgroup and sets rlimits just before the kernel starts
    watchdog     the notebook deadline, and the memory cap without a cgroup
    scratch      the kernel's private folders; leftovers of crashed workers
    selftest     `python -m autograder sandbox`: proves each protection
"""
from .detect import Protections, detect
from .provisioner import sandboxed_kernel_manager
from .scratch import home_skeleton, remove_stale

__all__ = ["Protections", "detect", "home_skeleton", "remove_stale", "sandboxed_kernel_manager"]
